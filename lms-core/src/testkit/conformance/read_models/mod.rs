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

fn ids<T, I: Ord + Clone>(items: &[T], id: impl Fn(&T) -> I) -> BTreeSet<I> {
    items.iter().map(id).collect()
}

mod schedule;
mod staff;
mod students;

pub use schedule::*;
pub use staff::*;
pub use students::*;
