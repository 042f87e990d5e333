//! Quiz conformance: the queue of essays waiting for a teacher.

use super::*;
use crate::course::{Course, InviteCode};
use crate::group::{Group, GroupMove, GroupName};
use crate::ids::{CourseId, GroupId, UserId};
use crate::quiz::{AttemptResult, PendingEssay, Question, Quiz};
use crate::testkit::conformance::fixtures::{course, enroll, password_hash, sorted, user};
use crate::user::{DisplayName, User};

async fn course_titled(storage: &Storage, owner: UserId, title: &str) -> Course {
    let c = Course {
        title: Title::parse(title).expect("fixture title is valid"),
        ..course(owner, CourseStatus::Published, at(0))
    };
    ok(storage.courses.insert_course(&c).await, "insert_course");
    c
}

async fn quiz_titled(storage: &Storage, course: CourseId, title: &str) -> (Quiz, Vec<Question>) {
    let q = Quiz {
        title: Title::parse(title).expect("fixture title is valid"),
        ..quiz(course, at(0))
    };
    ok(storage.quizzes.insert_quiz(&q).await, "insert_quiz");
    let mut questions = Vec::new();
    for correct in [true, false, true] {
        questions.push(ok(
            storage
                .quizzes
                .insert_question(&true_false_question(q.id, correct))
                .await,
            "insert_question",
        ));
    }
    (q, questions)
}

async fn student_named(storage: &Storage, name: &str) -> User {
    let u = User {
        display_name: DisplayName::parse(name).expect("fixture name is valid"),
        ..user(Role::Student)
    };
    ok(
        storage
            .users
            .insert_user(&u, Some(password_hash("fixture")))
            .await,
        "insert_user",
    );
    u
}

/// A result whose first `pending` questions are essays waiting for a
/// teacher, the rest scored one point each.
fn with_pending(questions: &[Question], pending: usize) -> AttemptResult {
    AttemptResult {
        per_question: questions
            .iter()
            .enumerate()
            .map(|(i, q)| {
                let score = if i < pending {
                    QuestionScore::PendingManual
                } else {
                    QuestionScore::Scored(points(1.0))
                };
                (q.id, score)
            })
            .collect(),
        score: points((questions.len() - pending) as f64),
        max_score: points(questions.len() as f64),
        pending_manual: pending > 0,
    }
}

/// Starts and finishes an attempt of `student` at `finished` minutes with
/// `result`; returns its id.
async fn finished(
    storage: &Storage,
    (quiz, questions): &(Quiz, Vec<Question>),
    student: UserId,
    finished: i64,
    result: AttemptResult,
) -> AttemptId {
    let a = attempt(quiz, questions, student, at(finished - 5), None);
    ok(storage.quizzes.start_attempt(&a, None).await, "start");
    ok(
        storage
            .quizzes
            .finish_attempt(&finish(a.id, at(finished), result))
            .await,
        "finish",
    );
    a.id
}

/// Finished attempts whose result still has essays waiting for a teacher,
/// in the given courses, oldest finished first (ties by attempt id), paged,
/// each naming its quiz, course and student and counting its waiting
/// essays; open attempts and fully scored results are not waiting, and a
/// result replaced by a grade leaves the queue. Students are filtered as
/// the homework queue filters them: name or e-mail, group, and what a
/// mentor sees (their groups where the course has groups, everyone where
/// it has none, everyone in a course they own).
pub async fn pending_essays_oldest_finished_first(storage: Storage) {
    let teacher = add_user(&storage, Role::Teacher).await;
    let mentor = add_user(&storage, Role::Assistant).await;
    let stranger = add_user(&storage, Role::Teacher).await;
    let course = course_titled(&storage, teacher.id, "Физика").await;
    let plain = course_titled(&storage, teacher.id, "Химия").await;
    let elsewhere = course_titled(&storage, stranger.id, "История").await;
    let s1 = student_named(&storage, "Анна Петрова").await;
    let s2 = student_named(&storage, "Борис Смирнов").await;
    let s3 = student_named(&storage, "Вера Козлова").await;
    for s in [&s1, &s2, &s3] {
        enroll(&storage, course.id, s.id).await;
        enroll(&storage, plain.id, s.id).await;
    }
    enroll(&storage, elsewhere.id, s1.id).await;
    // Group A (the mentor's) has s1, group B s2; s3 is in none.
    let group = |name: &str, mentors: Vec<UserId>| Group {
        id: GroupId::new(),
        course_id: course.id,
        name: GroupName::parse(name).unwrap(),
        invite_code: Some(InviteCode::generate()),
        mentors,
        archived_at: None,
        created_at: at(1),
    };
    let (a, b) = (group("А", vec![mentor.id]), group("Б", Vec::new()));
    for (g, s) in [(&a, &s1), (&b, &s2)] {
        ok(storage.groups.insert_group(g).await, "insert_group");
        ok(
            storage
                .groups
                .move_student(&GroupMove {
                    course_id: course.id,
                    student_id: s.id,
                    from_group: None,
                    to_group: Some(g.id),
                    moved_by: teacher.id,
                    moved_at: at(2),
                })
                .await,
            "move_student",
        );
    }
    let physics = quiz_titled(&storage, course.id, "Кинематика").await;
    let chemistry = quiz_titled(&storage, plain.id, "Валентность").await;
    let history = quiz_titled(&storage, elsewhere.id, "Даты").await;
    let (pq, cq) = (&physics.1, &chemistry.1);

    let s1_physics = finished(&storage, &physics, s1.id, 30, with_pending(pq, 2)).await;
    let s2_physics = finished(&storage, &physics, s2.id, 10, with_pending(pq, 1)).await;
    let s2_chemistry = finished(&storage, &chemistry, s2.id, 15, with_pending(cq, 1)).await;
    // Two finished at the same instant: by attempt id.
    let s3_chemistry = finished(&storage, &chemistry, s3.id, 20, with_pending(cq, 1)).await;
    let s3_physics = finished(&storage, &physics, s3.id, 20, with_pending(pq, 1)).await;
    let tied = sorted(&[s3_chemistry, s3_physics]);
    // Not waiting: fully scored, open (even one carrying a result), in a
    // course not asked for.
    finished(&storage, &chemistry, s1.id, 5, with_pending(cq, 0)).await;
    let open = Attempt {
        result: Some(with_pending(pq, 1)),
        ..attempt(&physics.0, pq, s1.id, at(40), None)
    };
    ok(storage.quizzes.start_attempt(&open, None).await, "start");
    finished(&storage, &history, s1.id, 1, with_pending(&history.1, 1)).await;

    let both = [course.id, plain.id];
    let queue = |courses: Vec<CourseId>, f: UserFilter, page: Page| {
        let storage = storage.clone();
        async move {
            ok(
                storage.quizzes.pending_essays(&courses, &f, page).await,
                "pending_essays",
            )
        }
    };
    let ids = |v: Vec<PendingEssay>| v.into_iter().map(|p| p.attempt_id).collect::<Vec<_>>();
    let everyone = UserFilter::default();

    let all = queue(both.to_vec(), everyone.clone(), Page::first()).await;
    let expected = vec![s2_physics, s2_chemistry, tied[0], tied[1], s1_physics];
    assert_eq!(
        ids(all.clone()),
        expected,
        "finished attempts with waiting essays in the asked courses, oldest finished first, \
         ties by attempt id"
    );
    assert_eq!(
        all.last(),
        Some(&PendingEssay {
            attempt_id: s1_physics,
            quiz_id: physics.0.id,
            quiz_title: "Кинематика".into(),
            course_id: course.id,
            course_title: "Физика".into(),
            student_id: s1.id,
            student_name: "Анна Петрова".into(),
            finished_at: at(30),
            essays_pending: 2,
        }),
        "an entry names its quiz, course and student and counts its waiting essays"
    );
    assert_eq!(
        all[1].course_title, "Химия",
        "each entry names its own course"
    );
    assert_eq!(
        ids(queue(both.to_vec(), everyone.clone(), Page::new(2, 0)).await),
        expected[..2],
        "first page"
    );
    assert_eq!(
        ids(queue(both.to_vec(), everyone.clone(), Page::new(2, 2)).await),
        expected[2..4],
        "second page"
    );
    assert_eq!(
        ids(queue(vec![plain.id], everyone.clone(), Page::first()).await),
        [s2_chemistry, s3_chemistry],
        "only the asked courses"
    );
    assert!(
        queue(Vec::new(), everyone.clone(), Page::first())
            .await
            .is_empty(),
        "no courses, no entries"
    );

    // Students: by name, group, mentor.
    let by_name = UserFilter {
        query: Some("бор".into()),
        ..UserFilter::default()
    };
    assert_eq!(
        ids(queue(both.to_vec(), by_name, Page::first()).await),
        [s2_physics, s2_chemistry],
        "a student found by a word of the name, lower-case"
    );
    let by_email = UserFilter {
        query: Some(s3.email.as_str().to_uppercase()),
        ..UserFilter::default()
    };
    assert_eq!(
        ids(queue(both.to_vec(), by_email, Page::first()).await),
        tied,
        "a student found by e-mail in any case"
    );
    let inactive = UserFilter {
        active: Some(false),
        ..UserFilter::default()
    };
    assert!(
        queue(both.to_vec(), inactive, Page::first())
            .await
            .is_empty(),
        "only deactivated accounts: none here"
    );
    let in_group = |g: GroupId| UserFilter {
        group: Some(g),
        ..UserFilter::default()
    };
    assert_eq!(
        ids(queue(both.to_vec(), in_group(a.id), Page::first()).await),
        [s1_physics],
        "group A's students, in the group's course"
    );
    assert_eq!(
        ids(queue(both.to_vec(), in_group(b.id), Page::first()).await),
        [s2_physics],
        "group B's students"
    );
    let of = |u: UserId| UserFilter {
        mentored_by: Some(u),
        ..UserFilter::default()
    };
    assert_eq!(
        ids(queue(both.to_vec(), of(mentor.id), Page::first()).await),
        [s2_chemistry, s3_chemistry, s1_physics],
        "a mentor: their group's students where the course has groups, everyone where it has none"
    );
    assert_eq!(
        ids(queue(both.to_vec(), of(teacher.id), Page::first()).await),
        expected,
        "the owner sees everyone in their courses"
    );

    // Grading: a partly graded attempt keeps waiting with fewer essays; a
    // fully graded one leaves the queue.
    ok(
        storage
            .quizzes
            .set_attempt_result(
                s1_physics,
                &with_pending(pq, 2),
                &with_pending(pq, 1),
                &[],
                &[],
            )
            .await,
        "set_attempt_result",
    );
    ok(
        storage
            .quizzes
            .set_attempt_result(
                s2_chemistry,
                &with_pending(cq, 1),
                &with_pending(cq, 0),
                &[],
                &[],
            )
            .await,
        "set_attempt_result",
    );
    let after = queue(both.to_vec(), everyone, Page::first()).await;
    assert_eq!(
        ids(after.clone()),
        [s2_physics, tied[0], tied[1], s1_physics],
        "a graded attempt leaves the queue"
    );
    assert_eq!(
        after.last().map(|p| p.essays_pending),
        Some(1),
        "one essay of two graded: one waits"
    );
}
