//! Tests: starting.

use super::*;

#[tokio::test]
async fn starting_stores_an_attempt_with_order_deadline_and_limit() {
    let w = World::new();
    let mut q = w.quizzes();
    let seen = Arc::new(Mutex::new(None));
    let s = seen.clone();
    q.expect_start_attempt()
        .times(1)
        .returning(move |attempt, limit| {
            *s.lock().unwrap() = Some((attempt.clone(), limit));
            Ok(Attempt {
                number: 1,
                ..attempt.clone()
            })
        });
    let view = w
        .service(q, MockNotificationStore::new())
        .start_attempt(&w.student, w.quiz.id)
        .await
        .unwrap();
    let (stored, limit) = seen.lock().unwrap().clone().unwrap();
    assert_eq!(limit, Some(2));
    assert_eq!(stored.student_id, w.student.user_id);
    assert_eq!(stored.quiz_id, w.quiz.id);
    assert_eq!(stored.state, AttemptState::Open);
    assert_eq!(stored.started_at, t0());
    assert_eq!(stored.deadline, Some(t0() + Duration::minutes(30)));
    let by_position: Vec<_> = w.questions.iter().map(|q| q.id).collect();
    assert_eq!(stored.question_order, by_position);
    assert_eq!(view.attempt_id, stored.id);
    assert_eq!(view.number, 1);
    assert_eq!(view.deadline, stored.deadline);
    assert_eq!(
        view.questions
            .iter()
            .map(StudentQuestion::id)
            .collect::<Vec<_>>(),
        by_position
    );
    assert!(matches!(
        view.questions[0].body(),
        StudentQuestionBody::SingleChoice { .. }
    ));
    let json = serde_json::to_string(&view).unwrap();
    for secret in ["SECRET", "correct", "accepted", "explanation"] {
        assert!(!json.contains(secret), "{secret} leaked: {json}");
    }
}

#[tokio::test]
async fn shuffled_quizzes_start_in_the_seeded_order() {
    let mut w = World::new();
    w.quiz.settings.shuffle_questions = true;
    let mut q = w.quizzes();
    let questions = w.questions.clone();
    q.expect_start_attempt()
        .withf(move |a, _| {
            a.question_order == crate::quiz::question_order(&questions, a.seed, true)
        })
        .times(1)
        .returning(|a, _| Ok(a.clone()));
    let view = w
        .service(q, MockNotificationStore::new())
        .start_attempt(&w.student, w.quiz.id)
        .await
        .unwrap();
    assert_eq!(view.questions.len(), 3);
}

#[tokio::test]
async fn only_enrolled_students_start_open_quizzes() {
    let w = World::new();
    let svc = w.service(w.quizzes(), MockNotificationStore::new());
    for staff in [&w.owner, &w.assistant, &w.admin] {
        let err = svc.start_attempt(staff, w.quiz.id).await.unwrap_err();
        assert!(matches!(err, StartAttemptError::Forbidden), "{staff:?}");
    }
    for nobody in [&w.outsider, &w.stranger_teacher] {
        let err = svc.start_attempt(nobody, w.quiz.id).await.unwrap_err();
        assert!(matches!(err, StartAttemptError::NotFound));
    }

    let mut archived = World::new();
    archived.course.status = CourseStatus::Archived;
    let err = archived
        .service(archived.quizzes(), MockNotificationStore::new())
        .start_attempt(&archived.student, archived.quiz.id)
        .await
        .unwrap_err();
    assert!(matches!(err, StartAttemptError::Forbidden));

    let mut hidden = World::new();
    hidden.quiz.published = false;
    let err = hidden
        .service(hidden.quizzes(), MockNotificationStore::new())
        .start_attempt(&hidden.student, hidden.quiz.id)
        .await
        .unwrap_err();
    assert!(matches!(err, StartAttemptError::NotFound));

    for (opens, closes) in [
        (Some(t0() + Duration::minutes(1)), None),
        (None, Some(t0())),
    ] {
        let mut w = World::new();
        w.quiz.settings.opens_at = opens;
        w.quiz.settings.closes_at = closes;
        let err = w
            .service(w.quizzes(), MockNotificationStore::new())
            .start_attempt(&w.student, w.quiz.id)
            .await
            .unwrap_err();
        assert!(matches!(err, StartAttemptError::NotOpen));
        assert_eq!(err.code(), "quiz_not_open");
    }

    let mut empty = World::new();
    empty.questions.clear();
    let err = empty
        .service(empty.quizzes(), MockNotificationStore::new())
        .start_attempt(&empty.student, empty.quiz.id)
        .await
        .unwrap_err();
    assert!(matches!(err, StartAttemptError::NoQuestions));
}

#[tokio::test]
async fn used_up_attempts_and_open_attempts_are_reported() {
    let w = World::new();
    let mut q = w.quizzes();
    q.expect_start_attempt()
        .returning(|_, _| Err(StorageError::Conflict(Conflict::AttemptLimit)));
    let err = w
        .service(q, MockNotificationStore::new())
        .start_attempt(&w.student, w.quiz.id)
        .await
        .unwrap_err();
    assert!(matches!(err, StartAttemptError::AttemptLimit));
    assert_eq!(err.code(), "attempt_limit_reached");

    let open = w.attempt(&w.student, AttemptState::Open);
    let mut q = w.quizzes();
    q.expect_start_attempt()
        .times(1)
        .returning(|_, _| Err(StorageError::Conflict(Conflict::OpenAttempt)));
    let listed = vec![finished_with_score(&w, 1, 1.0), open.clone()];
    q.expect_list_attempts()
        .returning(move |_, _| Ok(listed.clone()));
    let err = w
        .service(q, MockNotificationStore::new())
        .start_attempt(&w.student, w.quiz.id)
        .await
        .unwrap_err();
    assert!(matches!(err, StartAttemptError::OpenAttempt(id) if id == open.id));
    assert_eq!(err.code(), "resume_open_attempt");
    assert_eq!(err.class(), ErrorClass::Conflict);
}

#[tokio::test]
async fn an_overdue_open_attempt_is_finished_before_a_new_start() {
    let w = World::new();
    let mut overdue = w.attempt(&w.student, AttemptState::Open);
    overdue.deadline = Some(t0() - Duration::minutes(1));
    overdue.answers = w.right.clone();
    let mut q = w.quizzes();
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    q.expect_start_attempt().times(2).returning(move |a, _| {
        if c.fetch_add(1, Ordering::SeqCst) == 0 {
            Err(StorageError::Conflict(Conflict::OpenAttempt))
        } else {
            Ok(Attempt {
                number: 2,
                ..a.clone()
            })
        }
    });
    let o = overdue.clone();
    q.expect_list_attempts()
        .returning(move |_, _| Ok(vec![o.clone()]));
    let finish = capture_finish(&mut q, &overdue);
    let view = w
        .service(q, profiles())
        .start_attempt(&w.student, w.quiz.id)
        .await
        .unwrap();
    assert_eq!(view.number, 2);
    let f = finish.lock().unwrap().clone().unwrap();
    assert_eq!(f.attempt_id, overdue.id);
    assert_eq!(f.state, AttemptState::AutoSubmitted);
    assert_eq!(
        f.finished_at,
        t0() - Duration::minutes(1),
        "at its deadline"
    );
    assert_eq!(f.result.score, pts(4.0), "saved answers are graded");
}
