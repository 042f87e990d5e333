//! Conformance of [`CourseStore`](crate::course::CourseStore): courses,
//! staff, enrolment, lessons and lesson views.

use super::fixtures::{
    add_course, add_lesson, add_user, assert_conflict, assert_not_found, at, course, enroll,
    file_ref, lesson, ok, published_course_with_student, sorted, t0, user_with_email,
};
use crate::course::{
    CourseCover, CourseRole, CourseStatus, Enrollment, EnrollmentSource, InviteCode, Title,
};
use crate::error::Conflict;
use crate::ids::{CourseId, LessonId, UserId};
use crate::page::Page;
use crate::ports::Storage;
use crate::richtext::RichText;
use crate::user::{DisplayName, Role, UserFilter};

async fn lesson_ids(storage: &Storage, course: CourseId) -> Vec<LessonId> {
    let lessons = ok(storage.courses.list_lessons(course).await, "list_lessons");
    for (i, l) in lessons.iter().enumerate() {
        assert_eq!(
            l.position as usize, i,
            "lesson positions must be 0, 1, 2, ... in list order: {lessons:?}"
        );
    }
    lessons.into_iter().map(|l| l.id).collect()
}

/// A course reads back unchanged; `update_course` replaces its fields.
pub async fn courses_round_trip(storage: Storage) {
    let teacher = add_user(&storage, Role::Teacher).await;
    let mut c = course(teacher.id, CourseStatus::Draft, t0());
    c.cover = Some(CourseCover::Math);
    ok(storage.courses.insert_course(&c).await, "insert_course");
    assert_eq!(
        ok(storage.courses.get_course(c.id).await, "get_course"),
        Some(c.clone()),
        "get_course returns every field as inserted"
    );
    let mut changed = c.clone();
    changed.title = Title::parse("Геометрия").expect("valid title");
    changed.description = RichText::sanitize("<p>Новый план</p>");
    changed.status = CourseStatus::Published;
    changed.invite_code = None;
    changed.cover = Some(CourseCover::Exam);
    ok(
        storage.courses.update_course(&changed).await,
        "update_course",
    );
    assert_eq!(
        ok(storage.courses.get_course(c.id).await, "get_course"),
        Some(changed.clone()),
        "update_course replaces the fields"
    );
    for cover in CourseCover::ALL.into_iter().map(Some).chain([None]) {
        changed.cover = cover;
        ok(
            storage.courses.update_course(&changed).await,
            "update_course",
        );
        assert_eq!(
            ok(storage.courses.get_course(c.id).await, "get_course").and_then(|c| c.cover),
            cover,
            "every cover theme is stored"
        );
    }
    assert_eq!(
        ok(
            storage.courses.get_course(CourseId::new()).await,
            "get_course"
        ),
        None,
        "an unknown course is None"
    );
    assert_not_found(
        storage
            .courses
            .update_course(&course(teacher.id, CourseStatus::Draft, t0()))
            .await,
        "update_course of an unknown course",
    );
}

/// Invite codes are unique among courses (courses without one do not clash)
/// and only a course's current code finds it.
pub async fn invite_codes_are_unique(storage: Storage) {
    let teacher = add_user(&storage, Role::Teacher).await;
    let a = add_course(&storage, teacher.id, CourseStatus::Published).await;
    let code = a.invite_code.clone().expect("fixture has a code");
    let mut b = course(teacher.id, CourseStatus::Published, t0());
    b.invite_code = Some(code.clone());
    assert_conflict(
        storage.courses.insert_course(&b).await,
        Conflict::InviteCode,
        "insert_course with a code in use",
    );
    assert_eq!(
        ok(storage.courses.get_course(b.id).await, "get_course"),
        None,
        "the refused course is not stored"
    );

    let mut no_code_1 = course(teacher.id, CourseStatus::Draft, t0());
    no_code_1.invite_code = None;
    let mut no_code_2 = course(teacher.id, CourseStatus::Draft, t0());
    no_code_2.invite_code = None;
    ok(
        storage.courses.insert_course(&no_code_1).await,
        "course without code",
    );
    ok(
        storage.courses.insert_course(&no_code_2).await,
        "a second course without a code is no conflict",
    );

    let mut steal = no_code_1.clone();
    steal.invite_code = Some(code.clone());
    assert_conflict(
        storage.courses.update_course(&steal).await,
        Conflict::InviteCode,
        "update_course to a code in use",
    );
    assert_eq!(
        ok(storage.courses.get_course(no_code_1.id).await, "get_course"),
        Some(no_code_1),
        "a refused update changes nothing"
    );

    assert_eq!(
        ok(
            storage.courses.find_course_by_invite_code(&code).await,
            "find"
        ),
        Some(a.clone()),
        "the code finds its course"
    );
    let mut renewed = a.clone();
    let new_code = InviteCode::generate();
    renewed.invite_code = Some(new_code.clone());
    ok(
        storage.courses.update_course(&renewed).await,
        "update_course",
    );
    assert_eq!(
        ok(
            storage.courses.find_course_by_invite_code(&code).await,
            "find"
        ),
        None,
        "a replaced code no longer finds the course"
    );
    assert_eq!(
        ok(
            storage.courses.find_course_by_invite_code(&new_code).await,
            "find"
        ),
        Some(renewed),
        "the current code finds the course"
    );
    b.invite_code = Some(code);
    ok(
        storage.courses.insert_course(&b).await,
        "a code given up by its course can be reused",
    );
}

/// `list_all_courses` is newest first and paged.
pub async fn list_all_courses_newest_first(storage: Storage) {
    let teacher = add_user(&storage, Role::Teacher).await;
    let mut ids = Vec::new();
    for minutes in [30, 10, 50, 20, 40] {
        let c = course(teacher.id, CourseStatus::Draft, at(minutes));
        ok(storage.courses.insert_course(&c).await, "insert_course");
        ids.push((minutes, c.id));
    }
    ids.sort_by_key(|(m, _)| std::cmp::Reverse(*m));
    let newest_first: Vec<_> = ids.into_iter().map(|(_, id)| id).collect();
    let list = |page| {
        let storage = storage.clone();
        async move {
            ok(
                storage.courses.list_all_courses(page).await,
                "list_all_courses",
            )
            .into_iter()
            .map(|c| c.id)
            .collect::<Vec<_>>()
        }
    };
    assert_eq!(list(Page::first()).await, newest_first, "newest first");
    assert_eq!(list(Page::new(2, 0)).await, newest_first[..2], "first page");
    assert_eq!(
        list(Page::new(2, 2)).await,
        newest_first[2..4],
        "second page"
    );
    assert_eq!(list(Page::new(2, 4)).await, newest_first[4..], "last page");
    assert!(list(Page::new(2, 5)).await.is_empty(), "past the end");
}

/// `list_member_courses` lists owned, assisted and enrolled courses with the
/// user's role, newest first, paged; other courses are not listed.
pub async fn member_courses_carry_roles(storage: Storage) {
    let teacher = add_user(&storage, Role::Teacher).await;
    let other_teacher = add_user(&storage, Role::Teacher).await;
    let student = add_user(&storage, Role::Student).await;
    let mut owned = course(teacher.id, CourseStatus::Published, at(0));
    owned.cover = Some(CourseCover::Biology);
    let assisted = course(other_teacher.id, CourseStatus::Draft, at(10));
    let foreign = course(other_teacher.id, CourseStatus::Published, at(20));
    let newest = course(other_teacher.id, CourseStatus::Archived, at(30));
    for c in [&owned, &assisted, &foreign, &newest] {
        ok(storage.courses.insert_course(c).await, "insert_course");
    }
    ok(
        storage.courses.add_assistant(assisted.id, teacher.id).await,
        "add_assistant",
    );
    enroll(&storage, owned.id, student.id).await;
    enroll(&storage, newest.id, student.id).await;

    let roles = |user: UserId, page: Page| {
        let storage = storage.clone();
        async move {
            ok(
                storage.courses.list_member_courses(user, page).await,
                "list_member_courses",
            )
            .into_iter()
            .map(|m| (m.course.id, m.role))
            .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        roles(teacher.id, Page::first()).await,
        [
            (assisted.id, CourseRole::Assistant),
            (owned.id, CourseRole::Owner)
        ],
        "the teacher assists in one course and owns another, newest first"
    );
    assert_eq!(
        roles(student.id, Page::first()).await,
        [
            (newest.id, CourseRole::Student),
            (owned.id, CourseRole::Student)
        ],
        "the student is enrolled in two courses, newest first"
    );
    assert_eq!(
        roles(student.id, Page::new(1, 1)).await,
        [(owned.id, CourseRole::Student)],
        "pages apply"
    );
    let listed = ok(
        storage
            .courses
            .list_member_courses(student.id, Page::new(1, 1))
            .await,
        "list_member_courses",
    );
    assert_eq!(
        listed.first().map(|m| &m.course),
        Some(&owned),
        "listed courses carry every field, the cover too"
    );
    let full = ok(
        storage
            .courses
            .list_member_courses(other_teacher.id, Page::first())
            .await,
        "list_member_courses",
    );
    assert_eq!(full.len(), 3, "the other teacher owns three courses");
    assert_eq!(full[0].course, newest, "memberships carry the whole course");
}

/// `membership` reports owner, assistant, student or nothing.
pub async fn membership_reflects_staff_and_enrolment(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let assistant = add_user(&storage, Role::Assistant).await;
    let stranger = add_user(&storage, Role::Student).await;
    ok(
        storage
            .courses
            .add_assistant(class.course.id, assistant.id)
            .await,
        "add_assistant",
    );
    let role = |user: UserId| {
        let storage = storage.clone();
        let course = class.course.id;
        async move { ok(storage.courses.membership(course, user).await, "membership") }
    };
    assert_eq!(role(class.teacher.id).await, Some(CourseRole::Owner));
    assert_eq!(role(assistant.id).await, Some(CourseRole::Assistant));
    assert_eq!(role(class.student.id).await, Some(CourseRole::Student));
    assert_eq!(role(stranger.id).await, None, "a stranger has no role");
    assert_eq!(
        ok(
            storage
                .courses
                .membership(CourseId::new(), class.teacher.id)
                .await,
            "membership"
        ),
        None,
        "no role in an unknown course"
    );
    ok(
        storage
            .courses
            .remove_assistant(class.course.id, assistant.id)
            .await,
        "remove_assistant",
    );
    ok(
        storage
            .courses
            .unenroll(class.course.id, class.student.id)
            .await,
        "unenroll",
    );
    assert_eq!(
        role(assistant.id).await,
        None,
        "a removed assistant has no role"
    );
    assert_eq!(
        role(class.student.id).await,
        None,
        "an unenrolled student has no role"
    );
}

/// An assistant is assigned once (`Conflict(Assistant)`), listed, and removed once.
pub async fn assistants_are_unique(storage: Storage) {
    let teacher = add_user(&storage, Role::Teacher).await;
    let a = add_user(&storage, Role::Assistant).await;
    let b = add_user(&storage, Role::Assistant).await;
    let c = add_course(&storage, teacher.id, CourseStatus::Published).await;
    let other = add_course(&storage, teacher.id, CourseStatus::Published).await;
    ok(
        storage.courses.add_assistant(c.id, a.id).await,
        "add_assistant",
    );
    ok(
        storage.courses.add_assistant(c.id, b.id).await,
        "add_assistant",
    );
    ok(
        storage.courses.add_assistant(other.id, a.id).await,
        "the same assistant in another course",
    );
    assert_conflict(
        storage.courses.add_assistant(c.id, a.id).await,
        Conflict::Assistant,
        "assigning an assistant twice",
    );
    assert_eq!(
        sorted(&ok(
            storage.courses.list_assistants(c.id).await,
            "list_assistants"
        )),
        sorted(&[a.id, b.id]),
        "both assistants, once each"
    );
    assert!(
        ok(storage.courses.remove_assistant(c.id, a.id).await, "remove"),
        "removing an assigned assistant returns true"
    );
    assert!(
        !ok(storage.courses.remove_assistant(c.id, a.id).await, "remove"),
        "removing them again returns false"
    );
    assert_eq!(
        ok(
            storage.courses.list_assistants(c.id).await,
            "list_assistants"
        ),
        [b.id],
        "only the remaining assistant is listed"
    );
    assert_eq!(
        ok(
            storage.courses.list_assistants(other.id).await,
            "list_assistants"
        ),
        [a.id],
        "the other course keeps its assistant"
    );
}

/// A student is enrolled once (`Conflict(Enrollment)`) and unenrolled once.
pub async fn enrolment_is_unique(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let again = Enrollment {
        course_id: class.course.id,
        student_id: class.student.id,
        source: EnrollmentSource::InviteCode,
        enrolled_at: at(5),
    };
    assert_conflict(
        storage.courses.enroll(&again).await,
        Conflict::Enrollment,
        "enrolling twice",
    );
    let list = ok(
        storage
            .courses
            .list_enrollments(class.course.id, Page::first())
            .await,
        "list_enrollments",
    );
    assert_eq!(list.len(), 1, "one enrolment after a refused second one");
    assert_eq!(
        list[0].source,
        EnrollmentSource::Staff,
        "the first enrolment is kept unchanged"
    );
    assert_eq!(
        ok(
            storage.courses.enrolled_students(class.course.id).await,
            "students"
        ),
        [class.student.id]
    );
    assert!(
        ok(
            storage
                .courses
                .unenroll(class.course.id, class.student.id)
                .await,
            "unenroll"
        ),
        "unenrolling an enrolled student returns true"
    );
    assert!(
        !ok(
            storage
                .courses
                .unenroll(class.course.id, class.student.id)
                .await,
            "unenroll"
        ),
        "unenrolling again returns false"
    );
    assert!(
        ok(
            storage.courses.enrolled_students(class.course.id).await,
            "students"
        )
        .is_empty(),
        "nobody is enrolled any more"
    );
    ok(
        storage.courses.enroll(&again).await,
        "a student can enrol again after leaving",
    );
}

/// Enrolments list oldest first with every field, paged.
pub async fn enrolments_oldest_first_with_pages(storage: Storage) {
    let teacher = add_user(&storage, Role::Teacher).await;
    let c = add_course(&storage, teacher.id, CourseStatus::Published).await;
    let other = add_course(&storage, teacher.id, CourseStatus::Published).await;
    let mut enrolments = Vec::new();
    for minutes in [40, 10, 30, 20] {
        let s = add_user(&storage, Role::Student).await;
        let e = Enrollment {
            course_id: c.id,
            student_id: s.id,
            source: if minutes % 20 == 0 {
                EnrollmentSource::Staff
            } else {
                EnrollmentSource::InviteCode
            },
            enrolled_at: at(minutes),
        };
        ok(storage.courses.enroll(&e).await, "enroll");
        enrolments.push(e);
    }
    let outsider = add_user(&storage, Role::Student).await;
    enroll(&storage, other.id, outsider.id).await;
    enrolments.sort_by_key(|e| e.enrolled_at);
    let page = |limit, offset| {
        let storage = storage.clone();
        async move {
            ok(
                storage
                    .courses
                    .list_enrollments(c.id, Page::new(limit, offset))
                    .await,
                "list_enrollments",
            )
        }
    };
    assert_eq!(page(50, 0).await, enrolments, "oldest first, every field");
    assert_eq!(page(3, 0).await, enrolments[..3], "first page");
    assert_eq!(page(3, 3).await, enrolments[3..], "second page");
    assert_eq!(
        sorted(&ok(
            storage.courses.enrolled_students(c.id).await,
            "students"
        )),
        sorted(&enrolments.iter().map(|e| e.student_id).collect::<Vec<_>>()),
        "enrolled_students lists exactly the course's students"
    );
}

/// A search lists the course's enrolments whose student matches by e-mail,
/// name or a word of the name (Latin letters in any case), or by state,
/// oldest first, paged; other courses' students never.
pub async fn enrolments_are_searched_by_name_email_and_state(storage: Storage) {
    let teacher = add_user(&storage, Role::Teacher).await;
    let c = add_course(&storage, teacher.id, CourseStatus::Published).await;
    let other = add_course(&storage, teacher.id, CourseStatus::Published).await;
    let named = |name: &str, email: &str| {
        let mut u = user_with_email(Role::Student, email);
        u.display_name = DisplayName::parse(name).expect("valid name");
        u
    };
    let people = [
        named("Иван Петров", "ivan@school.example"),
        named("Петр Сидоров", "petr@school.example"),
        named("Anna Petrova", "anna@school.example"),
        named("Мария Иванова", "m.petrova@school.example"),
    ];
    let mut enrolments = Vec::new();
    for (i, u) in people.iter().enumerate() {
        ok(storage.users.insert_user(u, None).await, "insert_user");
        let e = Enrollment {
            course_id: c.id,
            student_id: u.id,
            source: EnrollmentSource::Staff,
            enrolled_at: at(10 * i64::try_from(i).expect("small")),
        };
        ok(storage.courses.enroll(&e).await, "enroll");
        enrolments.push(e);
    }
    // Someone elsewhere whom every search below would match.
    let elsewhere = named("Петра Петрова", "petra@school.example");
    ok(
        storage.users.insert_user(&elsewhere, None).await,
        "insert_user",
    );
    enroll(&storage, other.id, elsewhere.id).await;
    let mut gone = people[1].clone();
    gone.active = false;
    ok(storage.users.update_user(&gone).await, "update_user");

    let search = |query: Option<&str>, active: Option<bool>, page: Page| {
        let storage = storage.clone();
        let filter = UserFilter {
            query: query.map(str::to_owned),
            role: None,
            active,
        };
        async move {
            ok(
                storage
                    .courses
                    .search_enrollments(c.id, &filter, page)
                    .await,
                "search_enrollments",
            )
            .into_iter()
            .map(|e| e.student_id)
            .collect::<Vec<_>>()
        }
    };
    let ids = |i: &[usize]| i.iter().map(|&i| people[i].id).collect::<Vec<_>>();
    assert_eq!(
        search(Some("пет"), None, Page::first()).await,
        ids(&[0, 1]),
        "a word of the name, in either case of its first letter"
    );
    assert_eq!(
        search(Some("PETR"), None, Page::first()).await,
        ids(&[1, 2]),
        "Latin letters in any case: an e-mail or a name"
    );
    assert_eq!(
        search(Some("Иван Пет"), None, Page::first()).await,
        ids(&[0]),
        "a prefix across a space"
    );
    assert_eq!(
        search(Some("иван пет"), None, Page::first()).await,
        ids(&[0]),
        "typed in lower case, each word is tried with a capital"
    );
    assert_eq!(
        search(Some("пет"), None, Page::new(1, 1)).await,
        ids(&[1]),
        "pages apply"
    );
    assert_eq!(
        search(None, Some(false), Page::first()).await,
        ids(&[1]),
        "deactivated accounts only"
    );
    assert_eq!(
        search(Some("petr"), Some(true), Page::first()).await,
        ids(&[2]),
        "search and state together"
    );
    let full = ok(
        storage
            .courses
            .search_enrollments(c.id, &UserFilter::default(), Page::first())
            .await,
        "search_enrollments",
    );
    assert_eq!(full, enrolments, "no filter: every enrolment, every field");
    assert!(
        search(Some("%"), None, Page::first()).await.is_empty(),
        "wildcards are plain text"
    );
}

/// Lessons are appended at the end whatever position they carry, drafts
/// kept as drafts; an update replaces title, body, publish date, draft state
/// and attachments but not position or course.
pub async fn lessons_are_appended_and_updated(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let mut stored = Vec::new();
    for (i, title) in ["Введение", "Дроби", "Проценты"].into_iter().enumerate()
    {
        let mut l = lesson(class.course.id, title);
        l.position = 7;
        l.publish_at = Some(at(60));
        l.published = i != 1;
        l.attachments = vec![file_ref(class.teacher.id, "конспект.pdf")];
        let got = ok(storage.courses.insert_lesson(&l).await, "insert_lesson");
        let mut expected = l.clone();
        expected.position = u32::try_from(i).expect("small");
        assert_eq!(
            got, expected,
            "the stored lesson is returned with its position"
        );
        stored.push(expected);
    }
    assert_eq!(
        ok(
            storage.courses.list_lessons(class.course.id).await,
            "list_lessons"
        ),
        stored,
        "lessons list by position with every field"
    );

    let other_course = add_course(&storage, class.teacher.id, CourseStatus::Draft).await;
    let mut changed = stored[1].clone();
    changed.title = Title::parse("Обыкновенные дроби").expect("valid title");
    changed.body = RichText::sanitize("<ol><li>Числитель</li><li>Знаменатель</li></ol>");
    changed.publish_at = None;
    changed.published = true;
    changed.attachments = vec![
        file_ref(class.teacher.id, "a.pdf"),
        file_ref(class.teacher.id, "b.pdf"),
    ];
    let mut sent = changed.clone();
    sent.position = 0;
    sent.course_id = other_course.id;
    ok(storage.courses.update_lesson(&sent).await, "update_lesson");
    assert_eq!(
        ok(storage.courses.get_lesson(changed.id).await, "get_lesson"),
        Some(changed),
        "update_lesson replaces title, body, publish date, draft state and attachments only"
    );
    let mut unpublished = stored[2].clone();
    unpublished.published = false;
    ok(
        storage.courses.update_lesson(&unpublished).await,
        "update_lesson",
    );
    assert_eq!(
        ok(
            storage.courses.get_lesson(unpublished.id).await,
            "get_lesson"
        ),
        Some(unpublished),
        "a published lesson can be taken back to a draft"
    );
    assert_eq!(
        lesson_ids(&storage, class.course.id).await,
        stored.iter().map(|l| l.id).collect::<Vec<_>>(),
        "the order is unchanged by an update"
    );
    assert!(
        ok(
            storage.courses.list_lessons(other_course.id).await,
            "list_lessons"
        )
        .is_empty(),
        "an update does not move a lesson to another course"
    );
    assert_not_found(
        storage
            .courses
            .update_lesson(&lesson(class.course.id, "Нет такого"))
            .await,
        "update_lesson of an unknown lesson",
    );
    assert_eq!(
        ok(
            storage.courses.get_lesson(LessonId::new()).await,
            "get_lesson"
        ),
        None,
        "an unknown lesson is None"
    );
}

/// Deleting a lesson closes the gap in positions; new lessons go at the end.
pub async fn deleting_a_lesson_closes_the_gap(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let mut ids = Vec::new();
    for t in ["Один", "Два", "Три", "Четыре"] {
        ids.push(add_lesson(&storage, class.course.id, t).await.id);
    }
    assert!(
        ok(storage.courses.delete_lesson(ids[1]).await, "delete_lesson"),
        "deleting an existing lesson returns true"
    );
    assert!(
        !ok(storage.courses.delete_lesson(ids[1]).await, "delete_lesson"),
        "deleting it again returns false"
    );
    assert_eq!(
        lesson_ids(&storage, class.course.id).await,
        [ids[0], ids[2], ids[3]],
        "the remaining lessons keep their order with positions 0..3"
    );
    assert_eq!(
        ok(storage.courses.get_lesson(ids[1]).await, "get_lesson"),
        None,
        "a deleted lesson is gone"
    );
    let fifth = add_lesson(&storage, class.course.id, "Пять").await;
    assert_eq!(
        fifth.position, 3,
        "a new lesson goes right after the last one"
    );
    ok(storage.courses.delete_lesson(ids[0]).await, "delete first");
    assert_eq!(
        lesson_ids(&storage, class.course.id).await,
        [ids[2], ids[3], fifth.id],
        "deleting the first lesson shifts every later one"
    );
}

/// `reorder_lessons` sets positions to the given order, in one course only.
pub async fn reorder_lessons_sets_positions(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let other = add_course(&storage, class.teacher.id, CourseStatus::Published).await;
    let a = add_lesson(&storage, class.course.id, "А").await.id;
    let b = add_lesson(&storage, class.course.id, "Б").await.id;
    let c = add_lesson(&storage, class.course.id, "В").await.id;
    let x = add_lesson(&storage, other.id, "Х").await.id;
    let y = add_lesson(&storage, other.id, "У").await.id;
    ok(
        storage
            .courses
            .reorder_lessons(class.course.id, &[c, a, b])
            .await,
        "reorder_lessons",
    );
    assert_eq!(lesson_ids(&storage, class.course.id).await, [c, a, b]);
    ok(
        storage
            .courses
            .reorder_lessons(class.course.id, &[b, c, a])
            .await,
        "reorder_lessons again",
    );
    assert_eq!(lesson_ids(&storage, class.course.id).await, [b, c, a]);
    assert_eq!(
        lesson_ids(&storage, other.id).await,
        [x, y],
        "another course's lessons are untouched"
    );
}

/// Reordering with a set of lessons that differs from the course's is
/// `Conflict(Stale)` and changes nothing.
pub async fn reorder_lessons_with_changed_set_is_stale(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let other = add_course(&storage, class.teacher.id, CourseStatus::Published).await;
    let a = add_lesson(&storage, class.course.id, "А").await.id;
    let b = add_lesson(&storage, class.course.id, "Б").await.id;
    let c = add_lesson(&storage, class.course.id, "В").await.id;
    let foreign = add_lesson(&storage, other.id, "Чужой").await.id;
    assert_conflict(
        storage
            .courses
            .reorder_lessons(class.course.id, &[c, a])
            .await,
        Conflict::Stale,
        "an order missing a lesson",
    );
    assert_conflict(
        storage
            .courses
            .reorder_lessons(class.course.id, &[c, a, b, LessonId::new()])
            .await,
        Conflict::Stale,
        "an order with an unknown lesson",
    );
    assert_conflict(
        storage
            .courses
            .reorder_lessons(class.course.id, &[c, a, foreign])
            .await,
        Conflict::Stale,
        "an order with another course's lesson",
    );
    assert_eq!(
        lesson_ids(&storage, class.course.id).await,
        [a, b, c],
        "refused reorders change nothing"
    );
    assert_eq!(lesson_ids(&storage, other.id).await, [foreign]);
}

/// Lesson views are recorded once per student and listed per course.
pub async fn lesson_views_are_recorded_once(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let other_student = add_user(&storage, Role::Student).await;
    enroll(&storage, class.course.id, other_student.id).await;
    let other_course = add_course(&storage, class.teacher.id, CourseStatus::Published).await;
    enroll(&storage, other_course.id, class.student.id).await;
    let l1 = add_lesson(&storage, class.course.id, "Один").await.id;
    let l2 = add_lesson(&storage, class.course.id, "Два").await.id;
    let l3 = add_lesson(&storage, class.course.id, "Три").await.id;
    let elsewhere = add_lesson(&storage, other_course.id, "Там").await.id;
    let s = class.student.id;
    ok(
        storage.courses.mark_lesson_viewed(l1, s, at(1)).await,
        "mark",
    );
    ok(
        storage.courses.mark_lesson_viewed(l1, s, at(2)).await,
        "marking a viewed lesson again is not an error",
    );
    ok(
        storage.courses.mark_lesson_viewed(l3, s, at(3)).await,
        "mark",
    );
    ok(
        storage
            .courses
            .mark_lesson_viewed(elsewhere, s, at(4))
            .await,
        "mark",
    );
    ok(
        storage
            .courses
            .mark_lesson_viewed(l2, other_student.id, at(5))
            .await,
        "mark",
    );
    assert_eq!(
        sorted(&ok(
            storage.courses.viewed_lessons(class.course.id, s).await,
            "viewed"
        )),
        sorted(&[l1, l3]),
        "each opened lesson of the course once; other courses and students excluded"
    );
    assert_eq!(
        ok(
            storage
                .courses
                .viewed_lessons(class.course.id, other_student.id)
                .await,
            "viewed"
        ),
        [l2]
    );
}
