//! Course conformance: staff, enrolment and the search of a course's students.

use super::*;

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

/// `course_for` answers the course as stored with the user's role in it
/// as `membership` tells it (owner, assistant, student or none; a role in
/// another course does not count), and `None` for an unknown course.
pub async fn course_for_carries_the_users_role(storage: Storage) {
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
    // Roles elsewhere: the stranger studies in, and the assistant owns,
    // another course.
    let elsewhere = course(assistant.id, CourseStatus::Draft, at(1));
    ok(
        storage.courses.insert_course(&elsewhere).await,
        "insert_course",
    );
    enroll(&storage, elsewhere.id, stranger.id).await;
    let stored = ok(
        storage.courses.get_course(class.course.id).await,
        "get_course",
    )
    .expect("the course is stored");
    for (user, role, who) in [
        (class.teacher.id, Some(CourseRole::Owner), "the owner"),
        (assistant.id, Some(CourseRole::Assistant), "an assistant"),
        (class.student.id, Some(CourseRole::Student), "a student"),
        (stranger.id, None, "a stranger"),
    ] {
        assert_eq!(
            ok(
                storage.courses.course_for(class.course.id, user).await,
                "course_for"
            ),
            Some((stored.clone(), role)),
            "{who}: the course as stored, with their role"
        );
    }
    assert_eq!(
        ok(
            storage.courses.course_for(elsewhere.id, stranger.id).await,
            "course_for"
        )
        .map(|(c, role)| (c.id, c.owner_id, role)),
        Some((elsewhere.id, assistant.id, Some(CourseRole::Student))),
        "each course answers its own row and roles"
    );
    assert_eq!(
        ok(
            storage
                .courses
                .course_for(CourseId::new(), class.teacher.id)
                .await,
            "course_for"
        ),
        None,
        "an unknown course answers nothing"
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
            ..UserFilter::default()
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
