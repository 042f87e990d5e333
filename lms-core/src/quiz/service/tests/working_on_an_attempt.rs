//! Tests: working on an attempt.

use super::*;

#[tokio::test]
async fn attempts_are_visible_to_their_student_only() {
    let w = World::new();
    let mut attempt = w.attempt(&w.student, AttemptState::Open);
    attempt
        .answers
        .insert(w.questions[1].id, Answer::TrueFalse(true));
    let mut q = w.quizzes();
    stored_attempt(&mut q, &attempt);
    let svc = w.service(q, MockNotificationStore::new());
    let view = svc.get_attempt(&w.student, attempt.id).await.unwrap();
    assert_eq!(view.state, AttemptState::Open);
    assert_eq!(view.answers, attempt.answers);
    assert_eq!(view.server_time, t0());
    assert_eq!(view.questions.len(), 3);
    for other in [&w.classmate, &w.owner, &w.admin, &w.outsider] {
        let err = svc.get_attempt(other, attempt.id).await.unwrap_err();
        assert!(matches!(err, AttemptAccessError::NotFound), "{other:?}");
    }
    let err = svc
        .get_attempt(&w.student, AttemptId::new())
        .await
        .unwrap_err();
    assert!(matches!(err, AttemptAccessError::NotFound));
}

#[tokio::test]
async fn reading_an_overdue_attempt_finishes_it() {
    let w = World::new();
    let mut attempt = w.attempt(&w.student, AttemptState::Open);
    attempt.deadline = Some(t0());
    attempt
        .answers
        .insert(w.questions[0].id, w.right[&w.questions[0].id].clone());
    let mut q = w.quizzes();
    stored_attempt(&mut q, &attempt);
    let finish = capture_finish(&mut q, &attempt);
    let view = w
        .service(q, MockNotificationStore::new())
        .get_attempt(&w.student, attempt.id)
        .await
        .unwrap();
    assert_eq!(view.state, AttemptState::AutoSubmitted);
    assert_eq!(view.result.as_ref().unwrap().score, pts(2.0));
    let f = finish.lock().unwrap().clone().unwrap();
    assert_eq!(f.state, AttemptState::AutoSubmitted);
    assert!(f.awards.is_empty() && f.outbox.is_empty());
}

#[tokio::test]
async fn answers_are_saved_when_they_fit_the_attempt() {
    let w = World::new();
    let attempt = w.attempt(&w.student, AttemptState::Open);
    let mut q = w.quizzes();
    stored_attempt(&mut q, &attempt);
    let answers = BTreeMap::from([
        (w.questions[1].id, Answer::TrueFalse(true)),
        (w.questions[2].id, Answer::ShortText("Москва".into())),
    ]);
    let (expected, a, stored) = (answers.clone(), attempt.clone(), attempt.clone());
    q.expect_save_answers()
        .withf(move |id, given, at| *id == a.id && *given == expected && *at == t0())
        .times(1)
        .returning(move |_, given, at| {
            Ok(Attempt {
                answers: given.clone(),
                saved_at: Some(at),
                ..stored.clone()
            })
        });
    let view = w
        .service(q, MockNotificationStore::new())
        .save_answers(&w.student, attempt.id, answers.clone())
        .await
        .unwrap();
    assert_eq!(view.answers, answers);
    assert_eq!(view.saved_at, Some(t0()));
}

#[tokio::test]
async fn answers_that_do_not_fit_name_their_question_and_save_nothing() {
    let w = World::new();
    let attempt = w.attempt(&w.student, AttemptState::Open);
    let mut q = w.quizzes();
    stored_attempt(&mut q, &attempt);
    // No save_answers expectation: any call would fail the test.
    let svc = w.service(q, MockNotificationStore::new());
    let stranger = QuestionId::new();
    let err = svc
        .save_answers(
            &w.student,
            attempt.id,
            BTreeMap::from([
                (w.questions[1].id, Answer::TrueFalse(true)),
                (stranger, Answer::TrueFalse(true)),
            ]),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, SaveAnswersError::InvalidAnswer { question, .. } if *question == stranger)
    );
    assert!(err.to_string().contains(&stranger.to_string()));
    assert_eq!(err.class(), ErrorClass::Invalid);
    let wrong_kind = w.questions[0].id;
    let err = svc
        .save_answers(
            &w.student,
            attempt.id,
            BTreeMap::from([(wrong_kind, Answer::TrueFalse(true))]),
        )
        .await
        .unwrap_err();
    match err {
        SaveAnswersError::InvalidAnswer { question, reason } => {
            assert_eq!(question, wrong_kind);
            assert!(reason.contains("single_choice"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    let err = svc
        .save_answers(
            &w.student,
            attempt.id,
            BTreeMap::from([(wrong_kind, Answer::SingleChoice(OptionId::new()))]),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, SaveAnswersError::InvalidAnswer { .. }));
    let err = svc
        .save_answers(&w.classmate, attempt.id, BTreeMap::new())
        .await
        .unwrap_err();
    assert!(matches!(err, SaveAnswersError::NotFound));
}

#[tokio::test]
async fn closed_attempts_take_no_answers() {
    let w = World::new();
    let answers = BTreeMap::from([(w.questions[1].id, Answer::TrueFalse(true))]);

    let done = w.attempt(&w.student, AttemptState::Submitted);
    let mut q = w.quizzes();
    stored_attempt(&mut q, &done);
    let err = w
        .service(q, MockNotificationStore::new())
        .save_answers(&w.student, done.id, answers.clone())
        .await
        .unwrap_err();
    assert!(matches!(err, SaveAnswersError::Closed));

    // Past the deadline: finished with what was saved before, then refused.
    let mut late = w.attempt(&w.student, AttemptState::Open);
    late.deadline = Some(t0() - Duration::seconds(1));
    let mut q = w.quizzes();
    stored_attempt(&mut q, &late);
    let finish = capture_finish(&mut q, &late);
    let err = w
        .service(q, MockNotificationStore::new())
        .save_answers(&w.student, late.id, answers.clone())
        .await
        .unwrap_err();
    assert!(matches!(err, SaveAnswersError::Closed));
    let f = finish.lock().unwrap().clone().unwrap();
    assert_eq!(f.state, AttemptState::AutoSubmitted);
    assert_eq!(
        f.result.score,
        Points::ZERO,
        "the refused answer is not graded"
    );

    // Finished by the sweep between our read and our write.
    let open = w.attempt(&w.student, AttemptState::Open);
    let mut q = w.quizzes();
    stored_attempt(&mut q, &open);
    q.expect_save_answers()
        .returning(|_, _, _| Err(StorageError::Conflict(Conflict::AttemptClosed)));
    let err = w
        .service(q, MockNotificationStore::new())
        .save_answers(&w.student, open.id, answers)
        .await
        .unwrap_err();
    assert!(matches!(err, SaveAnswersError::Closed));
    assert_eq!(err.code(), "attempt_closed");
}
