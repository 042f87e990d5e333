//! Conformance of the read models: [`DashboardStore`](crate::dashboard::DashboardStore)
//! and [`ScheduleStore`](crate::schedule::ScheduleStore). Every case builds
//! the same small school and checks what each reader sees.

use std::collections::BTreeSet;

use super::fixtures::{
    add_course, add_hand_in, add_lesson, add_quiz_with_questions, add_user, add_webinar,
    assignment, at, attempt, attempt_result, award, enroll, finish, grade_review, lesson, ok, quiz,
    t0, webinar,
};
use crate::achievement::{Achievement, Badge};
use crate::course::{Course, CourseRole, CourseStatus, Lesson};
use crate::dashboard::StaffCourseData;
use crate::homework::{Assignment, Extension};
use crate::ids::{
    AssignmentId, AttemptId, CourseId, LessonId, QuizId, SubmissionId, UserId, WebinarId,
};
use crate::ports::Storage;
use crate::user::{Role, User};
use crate::webinar::WebinarState;

/// A small school seen from every side at [`t0`].
struct School {
    teacher: User,
    other_teacher: User,
    student: User,
    classmate: User,
    /// Published, owned by `teacher`; `student` and `classmate` enrolled.
    published: Course,
    /// Archived, owned by `teacher`; `student` enrolled.
    archived: Course,
    /// Draft, owned by `teacher`; `student` enrolled.
    draft: Course,
    /// Published, owned by `other_teacher`, `teacher` assists; `classmate` enrolled.
    assisted: Course,
    /// Published, owned by `other_teacher`; nobody else is a member.
    unrelated: Course,
    lesson_now: LessonId,
    lesson_past: LessonId,
    lesson_future: LessonId,
    /// A draft lesson of `published`, dated in the past and viewed by
    /// `student` (say, before it was taken back): hidden from students.
    lesson_unpublished: LessonId,
    lesson_archived: LessonId,
    lesson_draft: LessonId,
    lesson_assisted: LessonId,
    assignment: Assignment,
    assignment_draft: AssignmentId,
    assignment_archived: AssignmentId,
    assignment_in_draft_course: AssignmentId,
    assignment_assisted: AssignmentId,
    student_extension: Extension,
    student_submission: SubmissionId,
    classmate_submission: SubmissionId,
    archived_submission: SubmissionId,
    assisted_submission: SubmissionId,
    quiz: QuizId,
    quiz_draft: QuizId,
    quiz_assisted: QuizId,
    finished_attempt: AttemptId,
    webinar_future: WebinarId,
    webinar_ongoing: WebinarId,
    webinar_ended: WebinarId,
    webinar_archived: WebinarId,
    webinar_draft: WebinarId,
    webinar_assisted: WebinarId,
    badge: Achievement,
}

async fn insert_assignment(storage: &Storage, a: &Assignment) {
    ok(
        storage.homework.insert_assignment(a, &[]).await,
        "insert_assignment",
    );
}

async fn school(storage: &Storage) -> School {
    let teacher = add_user(storage, Role::Teacher).await;
    let other_teacher = add_user(storage, Role::Teacher).await;
    let student = add_user(storage, Role::Student).await;
    let classmate = add_user(storage, Role::Student).await;
    let published = add_course(storage, teacher.id, CourseStatus::Published).await;
    let archived = add_course(storage, teacher.id, CourseStatus::Archived).await;
    let draft = add_course(storage, teacher.id, CourseStatus::Draft).await;
    let assisted = add_course(storage, other_teacher.id, CourseStatus::Published).await;
    let unrelated = add_course(storage, other_teacher.id, CourseStatus::Published).await;
    ok(
        storage.courses.add_assistant(assisted.id, teacher.id).await,
        "add_assistant",
    );
    for c in [&published, &archived, &draft] {
        enroll(storage, c.id, student.id).await;
    }
    enroll(storage, published.id, classmate.id).await;
    enroll(storage, assisted.id, classmate.id).await;

    // Lessons: visible now (no date, past date) and not yet (future date).
    let lesson_now = add_lesson(storage, published.id, "Сейчас").await.id;
    let mut past = lesson(published.id, "Вчера");
    past.publish_at = Some(at(-60));
    let lesson_past = ok(storage.courses.insert_lesson(&past).await, "insert").id;
    let mut future = lesson(published.id, "Завтра");
    future.publish_at = Some(at(60));
    let lesson_future = ok(storage.courses.insert_lesson(&future).await, "insert").id;
    let mut unpublished = lesson(published.id, "Черновик урока");
    unpublished.publish_at = Some(at(-60));
    unpublished.published = false;
    let lesson_unpublished = ok(storage.courses.insert_lesson(&unpublished).await, "insert").id;
    let lesson_archived = add_lesson(storage, archived.id, "Архив").await.id;
    let lesson_draft = add_lesson(storage, draft.id, "Черновик").await.id;
    let lesson_assisted = add_lesson(storage, assisted.id, "Чужой").await.id;
    add_lesson(storage, unrelated.id, "Посторонний").await;
    for (l, who) in [
        (lesson_now, student.id),
        (lesson_future, student.id),
        (lesson_unpublished, student.id),
        (lesson_past, classmate.id),
    ] {
        ok(
            storage.courses.mark_lesson_viewed(l, who, at(-5)).await,
            "mark",
        );
    }

    // Assignments.
    let assignment_ = assignment(published.id, at(60));
    insert_assignment(storage, &assignment_).await;
    let mut hidden = assignment(published.id, at(90));
    hidden.published = false;
    insert_assignment(storage, &hidden).await;
    let in_archive = assignment(archived.id, at(-100));
    insert_assignment(storage, &in_archive).await;
    let in_draft = assignment(draft.id, at(70));
    insert_assignment(storage, &in_draft).await;
    let in_assisted = assignment(assisted.id, at(80));
    insert_assignment(storage, &in_assisted).await;
    insert_assignment(storage, &assignment(unrelated.id, at(80))).await;

    let student_extension = Extension {
        assignment_id: assignment_.id,
        student_id: student.id,
        due_at: at(120),
        cut_off_at: None,
        granted_by: teacher.id,
        granted_at: at(-200),
    };
    ok(
        storage.homework.upsert_extension(&student_extension).await,
        "extension",
    );
    ok(
        storage
            .homework
            .upsert_extension(&Extension {
                student_id: classmate.id,
                ..student_extension.clone()
            })
            .await,
        "extension",
    );

    // Submissions: three waiting, one graded.
    let student_submission = add_hand_in(storage, &assignment_, student.id, at(-50))
        .await
        .id;
    let assisted_submission = add_hand_in(storage, &in_assisted, classmate.id, at(-45))
        .await
        .id;
    let classmate_submission = add_hand_in(storage, &assignment_, classmate.id, at(-40))
        .await
        .id;
    let archived_submission = add_hand_in(storage, &in_archive, student.id, at(-150))
        .await
        .id;
    ok(
        storage
            .homework
            .review(&grade_review(
                archived_submission,
                1,
                teacher.id,
                at(-140),
                7.0,
            ))
            .await,
        "grade",
    );

    // Quizzes and attempts: the student finished one, the classmate has one open.
    let (qz, qs) = add_quiz_with_questions(storage, published.id, at(-300), 2).await;
    let mut hidden_quiz = quiz(published.id, at(-299));
    hidden_quiz.published = false;
    ok(
        storage.quizzes.insert_quiz(&hidden_quiz).await,
        "insert_quiz",
    );
    let (quiz_assisted, _) = add_quiz_with_questions(storage, assisted.id, at(-298), 1).await;
    let mine = attempt(&qz, &qs, student.id, at(-30), None);
    ok(storage.quizzes.start_attempt(&mine, None).await, "start");
    ok(
        storage
            .quizzes
            .finish_attempt(&finish(mine.id, at(-20), attempt_result(&qs, 1.0, 1.0)))
            .await,
        "finish",
    );
    ok(
        storage
            .quizzes
            .start_attempt(&attempt(&qz, &qs, classmate.id, at(-10), None), None)
            .await,
        "start",
    );

    // Webinars (60 minutes each).
    let t = teacher.id;
    let webinar_future = add_webinar(storage, published.id, t, at(60)).await.id;
    let webinar_ongoing = add_webinar(storage, published.id, t, at(-30)).await.id;
    let webinar_ended = add_webinar(storage, published.id, t, at(-120)).await.id;
    let mut cancelled = webinar(published.id, t, at(60));
    cancelled.state = WebinarState::Cancelled;
    ok(
        storage.webinars.insert_webinar(&cancelled, &[]).await,
        "insert_webinar",
    );
    let webinar_archived = add_webinar(storage, archived.id, t, at(60)).await.id;
    let webinar_draft = add_webinar(storage, draft.id, t, at(90)).await.id;
    let webinar_assisted = add_webinar(storage, assisted.id, other_teacher.id, at(30))
        .await
        .id;
    add_webinar(storage, unrelated.id, other_teacher.id, at(30)).await;

    let badge = award(student.id, Badge::FirstHomework, published.id, at(-50));
    ok(storage.achievements.award(&badge).await, "award");
    ok(
        storage
            .achievements
            .award(&award(
                classmate.id,
                Badge::FirstHomework,
                published.id,
                at(-40),
            ))
            .await,
        "award",
    );

    School {
        teacher,
        other_teacher,
        student,
        classmate,
        published,
        archived,
        draft,
        assisted,
        unrelated,
        lesson_now,
        lesson_past,
        lesson_future,
        lesson_unpublished,
        lesson_archived,
        lesson_draft,
        lesson_assisted,
        assignment: assignment_,
        assignment_draft: hidden.id,
        assignment_archived: in_archive.id,
        assignment_in_draft_course: in_draft.id,
        assignment_assisted: in_assisted.id,
        student_extension,
        student_submission,
        classmate_submission,
        archived_submission,
        assisted_submission,
        quiz: qz.id,
        quiz_draft: hidden_quiz.id,
        quiz_assisted: quiz_assisted.id,
        finished_attempt: mine.id,
        webinar_future,
        webinar_ongoing,
        webinar_ended,
        webinar_archived,
        webinar_draft,
        webinar_assisted,
        badge,
    }
}

fn set<T: Ord + Clone>(items: impl IntoIterator<Item = T>) -> BTreeSet<T> {
    items.into_iter().collect()
}

/// A staff course reduced to comparable sets.
#[derive(Debug, PartialEq, Eq)]
struct StaffSummary {
    course: CourseId,
    role: CourseRole,
    students: u32,
    assignments: BTreeSet<AssignmentId>,
    submissions: BTreeSet<SubmissionId>,
    quizzes: BTreeSet<QuizId>,
    attempts: BTreeSet<AttemptId>,
}

fn summary(d: &StaffCourseData) -> StaffSummary {
    StaffSummary {
        course: d.course.id,
        role: d.role,
        students: d.student_count,
        assignments: set(d.assignments.iter().map(|a| a.id)),
        submissions: set(d.submissions.iter().map(|s| s.id)),
        quizzes: set(d.quizzes.iter().map(|q| q.id)),
        attempts: set(d.attempts.iter().map(|a| a.id)),
    }
}

/// A student's snapshot holds their published and archived courses (not
/// drafts or others), counts visible and viewed lessons, and includes only
/// published items and the student's own work.
pub async fn student_snapshot_counts_and_filters(storage: Storage) {
    let s = school(&storage).await;
    let snap = ok(
        storage
            .dashboards
            .student_snapshot(s.student.id, t0())
            .await,
        "student_snapshot",
    );
    assert_eq!(
        set(snap.courses.iter().map(|c| c.course.id)),
        set([s.published.id, s.archived.id]),
        "enrolled published and archived courses only"
    );
    let p = snap
        .courses
        .iter()
        .find(|c| c.course.id == s.published.id)
        .expect("the published course is in the snapshot");
    assert_eq!(p.course, s.published, "the whole course");
    assert_eq!(
        p.lessons_visible, 2,
        "published lessons without a date or with a past date (not the draft)"
    );
    assert_eq!(
        p.lessons_viewed, 1,
        "viewed visible lessons of this student (a viewed future or draft lesson does not count)"
    );
    assert_eq!(
        p.assignments.iter().map(|a| a.id).collect::<Vec<_>>(),
        [s.assignment.id],
        "published assignments only"
    );
    assert_eq!(p.assignments[0], s.assignment, "whole assignments");
    assert_eq!(
        p.extensions,
        std::slice::from_ref(&s.student_extension),
        "the student's own extensions"
    );
    assert_eq!(
        p.submissions.iter().map(|x| x.id).collect::<Vec<_>>(),
        [s.student_submission],
        "the student's own submissions"
    );
    assert_eq!(
        p.quizzes.iter().map(|q| q.id).collect::<Vec<_>>(),
        [s.quiz],
        "published quizzes only"
    );
    assert_eq!(
        p.attempts.iter().map(|a| a.id).collect::<Vec<_>>(),
        [s.finished_attempt],
        "the student's own attempts"
    );
    let a = snap
        .courses
        .iter()
        .find(|c| c.course.id == s.archived.id)
        .expect("the archived course is in the snapshot");
    assert_eq!((a.lessons_visible, a.lessons_viewed), (1, 0));
    assert_eq!(
        a.submissions.iter().map(|x| x.id).collect::<Vec<_>>(),
        [s.archived_submission],
        "graded work is included"
    );
    assert_eq!(
        a.assignments.iter().map(|x| x.id).collect::<Vec<_>>(),
        [s.assignment_archived]
    );
    assert!(a.extensions.is_empty() && a.quizzes.is_empty() && a.attempts.is_empty());
}

/// A student's snapshot holds scheduled webinars of their courses that end
/// after now, and their badges.
pub async fn student_snapshot_webinars_and_badges(storage: Storage) {
    let s = school(&storage).await;
    let snap = ok(
        storage
            .dashboards
            .student_snapshot(s.student.id, t0())
            .await,
        "student_snapshot",
    );
    assert_eq!(
        set(snap.webinars.iter().map(|w| w.id)),
        set([s.webinar_future, s.webinar_ongoing, s.webinar_archived]),
        "upcoming and ongoing webinars of visible courses; not ended, cancelled, draft or others"
    );
    assert_eq!(
        snap.achievements,
        std::slice::from_ref(&s.badge),
        "the student's own badges"
    );
    let later = ok(
        storage
            .dashboards
            .student_snapshot(s.student.id, at(200))
            .await,
        "student_snapshot later",
    );
    assert!(later.webinars.is_empty(), "every webinar has ended by then");
    let p = later
        .courses
        .iter()
        .find(|c| c.course.id == s.published.id)
        .expect("published course");
    assert_eq!(
        (p.lessons_visible, p.lessons_viewed),
        (3, 2),
        "later the future lesson is visible, and its view counts; the draft still does not"
    );
    let stranger = add_user(&storage, Role::Student).await;
    let empty = ok(
        storage.dashboards.student_snapshot(stranger.id, t0()).await,
        "student_snapshot",
    );
    assert!(
        empty.courses.is_empty() && empty.webinars.is_empty() && empty.achievements.is_empty(),
        "a student enrolled nowhere has an empty snapshot"
    );
}

/// A staff snapshot holds owned and assisted courses that are not archived,
/// with their role, students, every item, finished attempts only; the queue
/// is the oldest waiting work, at most `queue_limit`; webinars end after now.
pub async fn staff_snapshot_courses_queue_and_webinars(storage: Storage) {
    let s = school(&storage).await;
    let snap = ok(
        storage
            .dashboards
            .staff_snapshot(s.teacher.id, t0(), 2)
            .await,
        "staff_snapshot",
    );
    let mut got: Vec<_> = snap.courses.iter().map(summary).collect();
    got.sort_by_key(|x| x.course);
    let mut want = vec![
        StaffSummary {
            course: s.published.id,
            role: CourseRole::Owner,
            students: 2,
            assignments: set([s.assignment.id, s.assignment_draft]),
            submissions: set([s.student_submission, s.classmate_submission]),
            quizzes: set([s.quiz, s.quiz_draft]),
            attempts: set([s.finished_attempt]),
        },
        StaffSummary {
            course: s.draft.id,
            role: CourseRole::Owner,
            students: 1,
            assignments: set([s.assignment_in_draft_course]),
            submissions: set([]),
            quizzes: set([]),
            attempts: set([]),
        },
        StaffSummary {
            course: s.assisted.id,
            role: CourseRole::Assistant,
            students: 1,
            assignments: set([s.assignment_assisted]),
            submissions: set([s.assisted_submission]),
            quizzes: set([s.quiz_assisted]),
            attempts: set([]),
        },
    ];
    want.sort_by_key(|x| x.course);
    assert_eq!(
        got, want,
        "owned and assisted, not archived or unrelated; all items; finished attempts only"
    );
    assert_eq!(
        snap.queue
            .iter()
            .map(|p| p.submission.id)
            .collect::<Vec<_>>(),
        [s.student_submission, s.assisted_submission],
        "the two oldest waiting submissions"
    );
    assert!(
        snap.queue
            .iter()
            .all(|p| !p.student_name.is_empty() && !p.assignment_title.is_empty()),
        "queue entries name their student and assignment: {:?}",
        snap.queue
            .iter()
            .map(|p| (&p.student_name, &p.assignment_title))
            .collect::<Vec<_>>()
    );
    let full = ok(
        storage
            .dashboards
            .staff_snapshot(s.teacher.id, t0(), 10)
            .await,
        "staff_snapshot",
    );
    assert_eq!(
        full.queue
            .iter()
            .map(|p| p.submission.id)
            .collect::<Vec<_>>(),
        [
            s.student_submission,
            s.assisted_submission,
            s.classmate_submission
        ],
        "every waiting submission of the courses, oldest first; graded and archived excluded"
    );
    assert_eq!(
        set(snap.webinars.iter().map(|w| w.id)),
        set([
            s.webinar_future,
            s.webinar_ongoing,
            s.webinar_draft,
            s.webinar_assisted
        ]),
        "scheduled webinars of those courses ending after now"
    );

    let other = ok(
        storage
            .dashboards
            .staff_snapshot(s.other_teacher.id, t0(), 10)
            .await,
        "staff_snapshot",
    );
    let mut roles: Vec<_> = other
        .courses
        .iter()
        .map(|c| (c.course.id, c.role))
        .collect();
    roles.sort_by_key(|(id, _)| *id);
    let mut want_roles = vec![
        (s.assisted.id, CourseRole::Owner),
        (s.unrelated.id, CourseRole::Owner),
    ];
    want_roles.sort_by_key(|(id, _)| *id);
    assert_eq!(roles, want_roles, "another teacher sees their own courses");
    assert_eq!(
        other
            .queue
            .iter()
            .map(|p| p.submission.id)
            .collect::<Vec<_>>(),
        [s.assisted_submission]
    );
}

/// `staff_course` gives one course's staff data with the given role, and
/// `None` for an unknown course.
pub async fn staff_course_of_any_course(storage: Storage) {
    let s = school(&storage).await;
    let snap = ok(
        storage
            .dashboards
            .staff_snapshot(s.teacher.id, t0(), 10)
            .await,
        "staff_snapshot",
    );
    let in_snapshot = snap
        .courses
        .iter()
        .find(|c| c.course.id == s.published.id)
        .expect("published course");
    let single = ok(
        storage
            .dashboards
            .staff_course(s.published.id, CourseRole::Owner)
            .await,
        "staff_course",
    )
    .expect("a known course");
    assert_eq!(single.course, s.published);
    assert_eq!(
        summary(&single),
        summary(in_snapshot),
        "the same data as in the snapshot"
    );
    let archived = ok(
        storage
            .dashboards
            .staff_course(s.archived.id, CourseRole::Assistant)
            .await,
        "staff_course",
    )
    .expect("archived courses are available one by one");
    assert_eq!(archived.role, CourseRole::Assistant, "the given role");
    assert_eq!(
        set(archived.submissions.iter().map(|x| x.id)),
        set([s.archived_submission])
    );
    assert_eq!(
        ok(
            storage
                .dashboards
                .staff_course(CourseId::new(), CourseRole::Owner)
                .await,
            "staff_course"
        ),
        None,
        "an unknown course is None"
    );
}

/// `gradebook_course` is `staff_course` with every submission's versions
/// left out (grades and everything else as stored), and `None` for an
/// unknown course.
pub async fn gradebook_course_is_the_staff_course_without_versions(storage: Storage) {
    let s = school(&storage).await;
    for (course, role) in [
        (s.published.id, CourseRole::Owner),
        (s.archived.id, CourseRole::Assistant),
    ] {
        let mut full = ok(
            storage.dashboards.staff_course(course, role).await,
            "staff_course",
        )
        .expect("a known course");
        assert!(
            full.submissions.iter().any(|x| !x.versions.is_empty()),
            "the fixture's course has hand-ins"
        );
        let light = ok(
            storage.dashboards.gradebook_course(course, role).await,
            "gradebook_course",
        )
        .expect("a known course");
        for x in &mut full.submissions {
            x.versions.clear();
        }
        assert_eq!(light, full, "the staff course without versions");
    }
    assert_eq!(
        ok(
            storage
                .dashboards
                .gradebook_course(CourseId::new(), CourseRole::Owner)
                .await,
            "gradebook_course"
        ),
        None,
        "an unknown course is None"
    );
}

fn ids<T, I: Ord + Clone>(items: &[T], id: impl Fn(&T) -> I) -> BTreeSet<I> {
    items.iter().map(id).collect()
}

/// A student's schedule sources: published and archived courses, their
/// published lessons, published assignments and quizzes, own extensions,
/// and webinars that are not cancelled.
pub async fn schedule_sources_for_students(storage: Storage) {
    let s = school(&storage).await;
    let src = ok(
        storage.schedules.schedule_sources(s.student.id).await,
        "schedule_sources",
    );
    assert_eq!(
        ids(&src.courses, |c: &Course| c.id),
        set([s.published.id, s.archived.id]),
        "published and archived enrolled courses"
    );
    assert_eq!(
        ids(&src.lessons, |l: &Lesson| l.id),
        set([
            s.lesson_now,
            s.lesson_past,
            s.lesson_future,
            s.lesson_archived
        ]),
        "every published lesson of those courses, not the draft"
    );
    assert_eq!(
        ids(&src.assignments, |a: &Assignment| a.id),
        set([s.assignment.id, s.assignment_archived]),
        "published assignments only"
    );
    assert_eq!(
        src.extensions,
        std::slice::from_ref(&s.student_extension),
        "the student's own extensions"
    );
    assert_eq!(
        ids(&src.quizzes, |q| q.id),
        set([s.quiz]),
        "published quizzes only"
    );
    assert_eq!(
        ids(&src.webinars, |w| w.id),
        set([
            s.webinar_future,
            s.webinar_ongoing,
            s.webinar_ended,
            s.webinar_archived
        ]),
        "webinars of those courses, cancelled excluded"
    );
    let classmate = ok(
        storage.schedules.schedule_sources(s.classmate.id).await,
        "schedule_sources",
    );
    assert_eq!(
        ids(&classmate.courses, |c: &Course| c.id),
        set([s.published.id, s.assisted.id])
    );
    assert!(
        !ids(&classmate.lessons, |l: &Lesson| l.id).contains(&s.lesson_unpublished),
        "no student gets a draft lesson"
    );
    assert_eq!(
        classmate
            .extensions
            .iter()
            .map(|e| e.student_id)
            .collect::<Vec<UserId>>(),
        [s.classmate.id],
        "each student sees only their own extension"
    );
}

/// A teacher's schedule sources: every owned or assisted course in any
/// state with all its lessons (drafts included), assignments and quizzes.
pub async fn schedule_sources_for_staff(storage: Storage) {
    let s = school(&storage).await;
    let src = ok(
        storage.schedules.schedule_sources(s.teacher.id).await,
        "schedule_sources",
    );
    assert_eq!(
        ids(&src.courses, |c: &Course| c.id),
        set([s.published.id, s.archived.id, s.draft.id, s.assisted.id]),
        "owned and assisted courses in any state"
    );
    assert_eq!(
        ids(&src.lessons, |l: &Lesson| l.id),
        set([
            s.lesson_now,
            s.lesson_past,
            s.lesson_future,
            s.lesson_unpublished,
            s.lesson_archived,
            s.lesson_draft,
            s.lesson_assisted
        ]),
        "every lesson, drafts included for staff"
    );
    assert_eq!(
        ids(&src.assignments, |a: &Assignment| a.id),
        set([
            s.assignment.id,
            s.assignment_draft,
            s.assignment_archived,
            s.assignment_in_draft_course,
            s.assignment_assisted
        ]),
        "drafts included for staff"
    );
    assert!(
        src.extensions.is_empty(),
        "staff have no extensions of their own"
    );
    assert_eq!(
        ids(&src.quizzes, |q| q.id),
        set([s.quiz, s.quiz_draft, s.quiz_assisted])
    );
    assert_eq!(
        ids(&src.webinars, |w| w.id),
        set([
            s.webinar_future,
            s.webinar_ongoing,
            s.webinar_ended,
            s.webinar_archived,
            s.webinar_draft,
            s.webinar_assisted
        ])
    );
    let nobody = add_user(&storage, Role::Teacher).await;
    assert_eq!(
        ok(
            storage.schedules.schedule_sources(nobody.id).await,
            "sources"
        ),
        crate::schedule::ScheduleSources::default(),
        "a user without courses has empty sources"
    );
}
