//! A course run in groups, through every service at once on the in-memory
//! reference storage: mentors see, grade and list only their groups'
//! students; the owner sees everyone and can narrow to one group.

mod common;

use chrono::Duration;
use common::School;
use lms_core::course::{
    CourseStatus, GroupError, GroupUpdate, JoinError, NewCourse, NewGroup, Title,
};
use lms_core::file::FileLimits;
use lms_core::group::GroupName;
use lms_core::homework::{
    AssignmentInput, CommentError, GradeInput, HandInInput, HomeworkReadError, LatePolicy,
    ReviewError, SubmissionFilter, SubmissionKind,
};
use lms_core::notification::NotificationKind;
use lms_core::page::Page;
use lms_core::quiz::{
    AttemptAccessError, Choice, QuestionBody, QuestionInput, QuizInput, QuizSettings,
};
use lms_core::richtext::RichText;
use lms_core::score::Points;
use lms_core::user::{Role, UserFilter};
use lms_core::{Actor, OptionId, UserId};

fn ids<T>(items: &[T], id: impl Fn(&T) -> UserId) -> Vec<UserId> {
    let mut ids: Vec<_> = items.iter().map(id).collect();
    ids.sort();
    ids
}

fn sorted(mut v: Vec<UserId>) -> Vec<UserId> {
    v.sort();
    v
}

#[tokio::test]
async fn mentors_see_and_grade_only_their_groups() {
    let school = School::open().await;
    let lms = &school.lms;
    let teacher = school
        .user("t@s.example", "Анна Петровна", Role::Teacher)
        .await;
    let mentor_a = school
        .user("ma@s.example", "Куратор А", Role::Assistant)
        .await;
    let mentor_b = school
        .user("mb@s.example", "Куратор Б", Role::Assistant)
        .await;
    let s1 = school.user("s1@s.example", "Ира", Role::Student).await;
    let s2 = school.user("s2@s.example", "Петя", Role::Student).await;
    let s3 = school.user("s3@s.example", "Саша", Role::Student).await;
    let course = lms
        .courses
        .create_course(
            &teacher,
            NewCourse {
                title: Title::parse("ЕГЭ по физике").unwrap(),
                description: RichText::default(),
                owner_id: None,
            },
        )
        .await
        .unwrap();
    for m in [&mentor_a, &mentor_b] {
        lms.courses
            .add_assistant(&teacher, course.id, m.user_id)
            .await
            .unwrap();
    }
    let course = lms
        .courses
        .set_status(&teacher, course.id, CourseStatus::Published)
        .await
        .unwrap();
    let group = |name: &str, mentor: &Actor| NewGroup {
        name: GroupName::parse(name).unwrap(),
        mentor_ids: vec![mentor.user_id],
    };
    let a = lms
        .courses
        .create_group(&teacher, course.id, group("Группа А", &mentor_a))
        .await
        .unwrap();
    let b = lms
        .courses
        .create_group(&teacher, course.id, group("Группа Б", &mentor_b))
        .await
        .unwrap();

    // Only assistants of the course mentor; only the owner manages groups.
    let outsider = school.user("x@s.example", "Чужой", Role::Assistant).await;
    assert!(matches!(
        lms.courses
            .create_group(&teacher, course.id, group("В", &outsider))
            .await,
        Err(GroupError::InvalidMentor)
    ));
    assert!(matches!(
        lms.courses
            .create_group(&mentor_a, course.id, group("В", &mentor_a))
            .await,
        Err(GroupError::Forbidden)
    ));
    assert!(matches!(
        lms.courses.list_groups(&s1, course.id).await,
        Err(GroupError::CourseNotFound)
    ));

    // Students join by their group's code, or by the course's.
    lms.courses
        .join_by_code(&s1, a.invite_code.as_ref().unwrap())
        .await
        .unwrap();
    lms.courses
        .join_by_code(&s2, b.invite_code.as_ref().unwrap())
        .await
        .unwrap();
    lms.courses
        .join_by_code(&s3, course.invite_code.as_ref().unwrap())
        .await
        .unwrap();

    // A mentor sees the groups, but only their own group's code.
    let seen = lms.courses.list_groups(&mentor_a, course.id).await.unwrap();
    assert_eq!(seen.len(), 2);
    assert!(seen[0].invite_code.is_some() && seen[1].invite_code.is_none());
    let members = lms
        .courses
        .group_members(&mentor_a, course.id)
        .await
        .unwrap();
    assert_eq!(ids(&members, |m| m.student_id), vec![s1.user_id]);
    let members = lms
        .courses
        .group_members(&teacher, course.id)
        .await
        .unwrap();
    assert_eq!(members.len(), 3, "the owner sees every student");
    let students = lms
        .courses
        .list_students(&mentor_b, course.id, &UserFilter::default(), Page::first())
        .await
        .unwrap();
    assert_eq!(ids(&students, |(e, _)| e.student_id), vec![s2.user_id]);

    // Everyone hands in.
    let assignment = lms
        .homework
        .create_assignment(
            &teacher,
            course.id,
            AssignmentInput {
                title: Title::parse("Кинематика").unwrap(),
                instructions: RichText::sanitize("<p>Задачи 1–5</p>"),
                attachment_ids: None,
                opens_at: school.t0,
                due_at: school.t0 + Duration::days(7),
                cut_off_at: None,
                max_score: Points::new(10.0).unwrap(),
                late_policy: LatePolicy::NoPenalty,
                submission_kind: SubmissionKind::Text,
                file_limits: FileLimits::default(),
                published: true,
            },
        )
        .await
        .unwrap();
    let mut submissions = Vec::new();
    for s in [&s1, &s2, &s3] {
        let handed = lms
            .homework
            .hand_in(
                s,
                assignment.id,
                HandInInput {
                    text: Some(RichText::sanitize("<p>Ответ</p>")),
                    file_ids: Vec::new(),
                    idempotency_key: None,
                },
            )
            .await
            .unwrap();
        submissions.push(handed.submission);
    }
    let (sub1, sub2) = (&submissions[0], &submissions[1]);

    // The grading queue and the submission list: a mentor's group only.
    let queue = |who: Actor, filter: UserFilter| async move {
        lms.homework
            .grading_queue(&who, Some(course.id), &filter, Page::first())
            .await
            .unwrap()
    };
    let all = sorted(vec![s1.user_id, s2.user_id, s3.user_id]);
    assert_eq!(
        ids(&queue(mentor_a, UserFilter::default()).await, |p| p
            .submission
            .student_id),
        vec![s1.user_id]
    );
    assert_eq!(
        ids(&queue(teacher, UserFilter::default()).await, |p| p
            .submission
            .student_id),
        all
    );
    let only_b = UserFilter {
        group: Some(b.id),
        ..UserFilter::default()
    };
    assert_eq!(
        ids(&queue(teacher, only_b.clone()).await, |p| p
            .submission
            .student_id),
        vec![s2.user_id],
        "the owner narrows to a group"
    );
    let across = lms
        .homework
        .grading_queue(&mentor_b, None, &UserFilter::default(), Page::first())
        .await
        .unwrap();
    assert_eq!(ids(&across, |p| p.submission.student_id), vec![s2.user_id]);
    let listed = lms
        .homework
        .list_submissions(
            &mentor_b,
            assignment.id,
            &SubmissionFilter::default(),
            Page::first(),
        )
        .await
        .unwrap();
    assert_eq!(ids(&listed, |s| s.student_id), vec![s2.user_id]);

    let board = lms.dashboards.staff_dashboard(&mentor_a).await.unwrap();
    assert_eq!(
        board
            .queue
            .iter()
            .map(|q| q.submission_id)
            .collect::<Vec<_>>(),
        vec![sub1.id],
        "a mentor's dashboard queues their group's work"
    );
    assert_eq!(board.courses[0].pending_count, 1);

    // Another group's submission does not exist for a mentor.
    assert!(matches!(
        lms.homework.get_submission(&mentor_a, sub2.id).await,
        Err(HomeworkReadError::SubmissionNotFound)
    ));
    let grade = GradeInput {
        raw_score: Points::new(9.0).unwrap(),
        feedback: RichText::sanitize("<p>Хорошо</p>"),
        expected_version: 1,
    };
    assert!(matches!(
        lms.homework.grade(&mentor_a, sub2.id, grade.clone()).await,
        Err(ReviewError::NotFound)
    ));
    lms.homework
        .grade(&mentor_a, sub1.id, grade.clone())
        .await
        .unwrap();
    lms.homework
        .grade(&teacher, sub2.id, grade.clone())
        .await
        .unwrap();

    // The gradebook: a mentor's rows, or the owner's chosen group.
    let rows = |g: lms_core::gradebook::Gradebook| ids(&g.rows, |r| r.student_id);
    assert_eq!(
        rows(
            lms.gradebook
                .gradebook(&mentor_b, course.id, None)
                .await
                .unwrap()
        ),
        vec![s2.user_id]
    );
    assert_eq!(
        rows(
            lms.gradebook
                .gradebook(&teacher, course.id, Some(a.id))
                .await
                .unwrap()
        ),
        vec![s1.user_id]
    );
    assert_eq!(
        rows(
            lms.gradebook
                .gradebook(&teacher, course.id, None)
                .await
                .unwrap()
        ),
        all
    );

    // Dashboards and statistics: a mentor counts their group only.
    let board = lms.dashboards.staff_dashboard(&mentor_b).await.unwrap();
    assert_eq!(
        board.queue.len(),
        0,
        "s2's work is graded: {:?}",
        board.queue
    );
    assert_eq!(board.courses[0].student_count, 1);
    let board = lms.dashboards.staff_dashboard(&mentor_a).await.unwrap();
    assert_eq!(board.courses[0].student_count, 1);
    assert_eq!(board.courses[0].pending_count, 0);
    let board = lms.dashboards.staff_dashboard(&teacher).await.unwrap();
    assert_eq!(board.courses[0].student_count, 3);
    assert_eq!(board.queue.len(), 1, "s3's work waits for the owner");
    let stats = lms
        .dashboards
        .course_statistics(&mentor_a, course.id, None)
        .await
        .unwrap();
    assert_eq!(stats.student_count, 1);
    let stats = lms
        .dashboards
        .course_statistics(&teacher, course.id, Some(b.id))
        .await
        .unwrap();
    assert_eq!((stats.student_count, stats.pending_count), (1, 0));
    let stats = lms
        .dashboards
        .course_statistics(&teacher, course.id, None)
        .await
        .unwrap();
    assert_eq!((stats.student_count, stats.pending_count), (3, 1));

    // Quizzes: a mentor lists and reviews their group's attempts only.
    let quiz = lms
        .quizzes
        .create_quiz(
            &teacher,
            course.id,
            QuizInput {
                title: Title::parse("Тест").unwrap(),
                description: RichText::default(),
                settings: QuizSettings::default(),
            },
        )
        .await
        .unwrap();
    let (yes, no) = (OptionId::new(), OptionId::new());
    lms.quizzes
        .add_question(
            &teacher,
            quiz.id,
            QuestionInput {
                prompt: RichText::sanitize("<p>Скорость — вектор?</p>"),
                points: Points::new(1.0).unwrap(),
                body: QuestionBody::SingleChoice {
                    options: vec![
                        Choice {
                            id: yes,
                            text: "да".into(),
                        },
                        Choice {
                            id: no,
                            text: "нет".into(),
                        },
                    ],
                    correct: yes,
                },
                explanation: None,
            },
        )
        .await
        .unwrap();
    lms.quizzes
        .set_published(&teacher, quiz.id, true)
        .await
        .unwrap();
    let mut attempts = Vec::new();
    for s in [&s1, &s2] {
        attempts.push(lms.quizzes.start_attempt(s, quiz.id).await.unwrap());
    }
    let listed = lms
        .quizzes
        .list_attempts(&mentor_a, quiz.id, &UserFilter::default(), Page::first())
        .await
        .unwrap();
    assert_eq!(ids(&listed, |a| a.attempt.student_id), vec![s1.user_id]);
    assert!(matches!(
        lms.quizzes.review(&mentor_a, attempts[1].attempt_id).await,
        Err(AttemptAccessError::NotFound)
    ));
    lms.quizzes
        .review(&mentor_a, attempts[0].attempt_id)
        .await
        .unwrap();

    // A conversation per homework: the student asks, only their group's
    // mentor is told and answers, the student finds the answer in the bell.
    let question = lms
        .homework
        .post_comment(
            &s1,
            sub1.id,
            RichText::sanitize("<p>Почему в задаче 3 не так?</p>"),
            Vec::new(),
        )
        .await
        .unwrap();
    // The messages about the thread in someone's bell.
    let bell = |who: Actor| async move {
        let mut items = lms.notifications.inbox(&who, Page::first()).await.unwrap();
        items.retain(|i| i.kind == NotificationKind::SubmissionComment);
        items
    };
    let told = bell(mentor_a).await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0].link, format!("/submissions/{}", sub1.id));
    assert!(
        bell(mentor_b).await.is_empty(),
        "another group's mentor is not told"
    );
    assert!(bell(teacher).await.is_empty(), "the group has a mentor");
    assert!(matches!(
        lms.homework.comment_thread(&mentor_b, sub1.id).await,
        Err(CommentError::NotFound)
    ));
    assert!(matches!(
        lms.homework.comment_thread(&s2, sub1.id).await,
        Err(CommentError::NotFound)
    ));
    let thread = lms
        .homework
        .comment_thread(&mentor_a, sub1.id)
        .await
        .unwrap();
    assert_eq!((thread.comments.len(), thread.unread), (1, 1));
    assert_eq!(thread.comments[0].id, question.id);
    assert_eq!(thread.comments[0].author_name, "Ира");
    lms.homework
        .mark_thread_read(&mentor_a, sub1.id)
        .await
        .unwrap();
    let thread = lms
        .homework
        .comment_thread(&mentor_a, sub1.id)
        .await
        .unwrap();
    assert_eq!(thread.unread, 0);
    school.clock.advance(Duration::minutes(5));
    lms.homework
        .post_comment(
            &mentor_a,
            sub1.id,
            RichText::sanitize("<p>Проверь знак в третьей строке.</p>"),
            Vec::new(),
        )
        .await
        .unwrap();
    let answer = bell(s1).await;
    assert_eq!(answer.len(), 1, "{answer:?}");
    assert_eq!(answer[0].link, format!("/assignments/{}", assignment.id));
    assert!(answer[0].read_at.is_none());
    let before = lms.notifications.unread_count(&s1).await.unwrap();
    lms.notifications
        .mark_read(&s1, &[answer[0].id])
        .await
        .unwrap();
    assert_eq!(
        lms.notifications.unread_count(&s1).await.unwrap(),
        before - 1
    );
    let thread = lms.homework.comment_thread(&s1, sub1.id).await.unwrap();
    assert_eq!((thread.comments.len(), thread.unread), (2, 1));
    assert!(matches!(
        lms.homework
            .post_comment(&s1, sub1.id, RichText::sanitize("<p> </p>"), Vec::new())
            .await,
        Err(CommentError::Empty)
    ));
    // A student of another group's work is the owner's to answer when the
    // group has no mentor left.
    lms.courses
        .update_group(
            &teacher,
            b.id,
            GroupUpdate {
                mentor_ids: Some(Vec::new()),
                ..GroupUpdate::default()
            },
        )
        .await
        .unwrap();
    lms.homework
        .post_comment(
            &s2,
            sub2.id,
            RichText::sanitize("<p>Вопрос</p>"),
            Vec::new(),
        )
        .await
        .unwrap();
    assert_eq!(bell(teacher).await.len(), 1, "the owner is told");

    // Moving a student moves who sees them; the move is recorded.
    lms.courses
        .move_student(&teacher, course.id, s3.user_id, Some(a.id))
        .await
        .unwrap();
    assert_eq!(
        ids(&queue(mentor_a, UserFilter::default()).await, |p| p
            .submission
            .student_id),
        vec![s3.user_id],
        "s1 is graded; s3 is now group A's"
    );
    let history = lms
        .courses
        .group_history(&mentor_a, course.id, s3.user_id)
        .await
        .unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(
        (history[0].from_group, history[0].to_group),
        (None, Some(a.id))
    );
    assert!(matches!(
        lms.courses
            .group_history(&mentor_b, course.id, s3.user_id)
            .await,
        Err(GroupError::StudentNotEnrolled)
    ));
    assert!(matches!(
        lms.courses
            .move_student(&mentor_a, course.id, s2.user_id, Some(a.id))
            .await,
        Err(GroupError::Forbidden)
    ));

    // An assistant taken off the course is taken off their groups too.
    lms.courses
        .remove_assistant(&teacher, course.id, mentor_a.user_id)
        .await
        .unwrap();
    let groups = lms.courses.list_groups(&teacher, course.id).await.unwrap();
    assert!(
        groups
            .iter()
            .all(|g| !g.mentors.contains(&mentor_a.user_id))
    );

    // An archived group takes nobody: not by code, not by a move.
    let archived = lms
        .courses
        .update_group(
            &teacher,
            b.id,
            GroupUpdate {
                archived: Some(true),
                ..GroupUpdate::default()
            },
        )
        .await
        .unwrap();
    assert!(archived.archived_at.is_some());
    let late = school.user("s4@s.example", "Лёва", Role::Student).await;
    assert!(matches!(
        lms.courses
            .join_by_code(&late, b.invite_code.as_ref().unwrap())
            .await,
        Err(JoinError::InvalidCode)
    ));
    assert!(matches!(
        lms.courses
            .move_student(&teacher, course.id, s1.user_id, Some(b.id))
            .await,
        Err(GroupError::GroupArchived)
    ));
}
