//! Tests: reviewing and grading.

use super::*;

#[tokio::test]
async fn students_review_their_own_attempt_under_the_reveal_policy() {
    for (reveal, revealed) in [
        (RevealPolicy::AfterAttempt, true),
        (RevealPolicy::Never, false),
    ] {
        let mut w = World::new();
        w.quiz.settings.reveal = reveal;
        let mut attempt = w.attempt(&w.student, AttemptState::Submitted);
        attempt.answers = BTreeMap::from([(w.questions[1].id, Answer::TrueFalse(true))]);
        attempt.result = Some(score_attempt(
            &w.questions,
            &attempt.answers,
            &BTreeMap::new(),
        ));
        let mut q = w.quizzes();
        stored_attempt(&mut q, &attempt);
        let only = attempt.clone();
        q.expect_list_attempts()
            .returning(move |_, _| Ok(vec![only.clone()]));
        let svc = w.service(q, MockNotificationStore::new());
        let review = svc.review(&w.student, attempt.id).await.unwrap();
        assert_eq!(review.answers_revealed(), revealed);
        assert_eq!(review.items().len(), 3);
        assert_eq!(review.items()[1].answer(), Some(&Answer::TrueFalse(true)));
        assert_eq!(
            review.items()[1].score(),
            revealed.then_some(QuestionScore::Scored(Points::ZERO)),
            "a wrong true/false scored 0 tells the answer: only once revealed"
        );
        assert_eq!(
            review.attempt().result.map(|r| (r.score, r.max_score)),
            Some((Points::ZERO, pts(4.0))),
            "the total is always shown"
        );
        let json = serde_json::to_string(&review).unwrap();
        assert_eq!(json.contains("SECRET-ACCEPTED"), revealed);
        assert_eq!(json.contains("SECRET-EXPLANATION"), revealed);
        if revealed {
            assert_eq!(
                review.items()[1].correct(),
                Some(&CorrectAnswer::TrueFalse { value: false })
            );
        }

        // Staff always see everything; classmates and strangers nothing.
        for staff in [&w.owner, &w.assistant, &w.admin] {
            let full = svc.review(staff, attempt.id).await.unwrap();
            assert!(full.answers_revealed());
            assert_eq!(
                full.items()[0].correct().cloned(),
                CorrectAnswer::of(&w.questions[0].body)
            );
            assert_eq!(
                full.items()[1].score(),
                Some(QuestionScore::Scored(Points::ZERO))
            );
        }
        for nobody in [&w.classmate, &w.outsider, &w.stranger_teacher] {
            let err = svc.review(nobody, attempt.id).await.unwrap_err();
            assert!(matches!(err, AttemptAccessError::NotFound));
        }
    }
}

#[tokio::test]
async fn an_open_attempt_review_reveals_nothing() {
    let w = World::new();
    let attempt = w.attempt(&w.student, AttemptState::Open);
    let mut q = w.quizzes();
    stored_attempt(&mut q, &attempt);
    let review = w
        .service(q, MockNotificationStore::new())
        .review(&w.student, attempt.id)
        .await
        .unwrap();
    assert!(!review.answers_revealed());
    assert!(
        review
            .items()
            .iter()
            .all(|i| i.correct().is_none() && i.score().is_none())
    );
}

pub(super) fn essay_attempt(w: &World, essay_text: &str) -> Attempt {
    let mut attempt = w.attempt(&w.student, AttemptState::Submitted);
    attempt.answers = w.right.clone();
    attempt
        .answers
        .insert(w.essay_id(), Answer::Essay(essay_text.into()));
    attempt.result = Some(score_attempt(
        &w.questions,
        &attempt.answers,
        &BTreeMap::new(),
    ));
    attempt
}

#[tokio::test]
async fn grading_an_essay_recomputes_the_result_and_awards_full_marks() {
    let w = World::new().with_essay();
    let attempt = essay_attempt(&w, "Моё эссе");
    assert!(attempt.result.as_ref().unwrap().pending_manual);
    for (points, perfect) in [(2.5, false), (3.0, true)] {
        let mut q = w.quizzes();
        stored_attempt(&mut q, &attempt);
        let seen = Arc::new(Mutex::new(None));
        let enqueued = Arc::new(Mutex::new(Vec::new()));
        let (s, e, a) = (seen.clone(), enqueued.clone(), attempt.clone());
        let started_from = attempt.result.clone().unwrap();
        q.expect_set_attempt_result()
            .withf(move |_, expected, _, _, _| *expected == started_from)
            .times(1)
            .returning(move |id, _, result, awards, outbox| {
                *s.lock().unwrap() = Some((id, result.clone(), awards.to_vec()));
                // The message is stored in the same call as the result.
                e.lock().unwrap().extend(outbox.iter().cloned());
                Ok(Attempt {
                    result: Some(result.clone()),
                    ..a.clone()
                })
            });
        let notes = profiles();
        let review = w
            .service(q, notes)
            .grade_essay(&w.assistant, attempt.id, w.essay_id(), pts(points))
            .await
            .unwrap();
        let (id, result, awards) = seen.lock().unwrap().clone().unwrap();
        assert_eq!(id, attempt.id);
        assert_eq!(
            result.per_question[&w.essay_id()],
            QuestionScore::Scored(pts(points))
        );
        assert_eq!(result.score, pts(4.0 + points));
        assert!(!result.pending_manual);
        assert_eq!(awards.len(), usize::from(perfect));
        let enqueued = enqueued.lock().unwrap().clone();
        assert_eq!(
            enqueued.len(),
            2 * usize::from(perfect),
            "e-mail and in-app"
        );
        if perfect {
            assert_eq!(awards[0].badge, Badge::PerfectQuiz);
            assert!(enqueued[0].dedup_key.0.contains("perfect_quiz"));
        }
        assert_eq!(
            review.items()[3].score(),
            Some(QuestionScore::Scored(pts(points)))
        );
        assert!(review.answers_revealed(), "staff review");
    }
}

#[tokio::test]
async fn grading_keeps_earlier_essay_scores() {
    let mut w = World::new().with_essay();
    let second = Question {
        id: QuestionId::new(),
        position: 4,
        ..w.questions[3].clone()
    };
    w.questions.push(second.clone());
    let mut attempt = essay_attempt(&w, "Первое");
    attempt
        .answers
        .insert(second.id, Answer::Essay("Второе".into()));
    attempt.result = Some(score_attempt(
        &w.questions,
        &attempt.answers,
        &BTreeMap::from([(w.essay_id(), pts(1.0))]),
    ));
    let mut q = w.quizzes();
    stored_attempt(&mut q, &attempt);
    let (first_essay, second_id, stored) = (w.essay_id(), second.id, attempt.clone());
    q.expect_set_attempt_result()
        .withf(move |_, _, r, _, _| {
            r.per_question[&first_essay] == QuestionScore::Scored(pts(1.0))
                && r.per_question[&second_id] == QuestionScore::Scored(pts(2.0))
                && r.score == pts(7.0)
                && !r.pending_manual
        })
        .times(1)
        .returning(move |_, _, r, _, _| {
            Ok(Attempt {
                result: Some(r.clone()),
                ..stored.clone()
            })
        });
    let review = w
        .service(q, MockNotificationStore::new())
        .grade_essay(&w.owner, attempt.id, second.id, pts(2.0))
        .await
        .unwrap();
    assert_eq!(review.attempt().result.unwrap().score, pts(7.0));
}

#[tokio::test]
async fn a_concurrent_essay_grade_is_retried_from_the_new_result() {
    let w = World::new().with_essay();
    let attempt = essay_attempt(&w, "Моё эссе");
    let mut q = w.quizzes();
    stored_attempt(&mut q, &attempt);
    let calls = Arc::new(Mutex::new(0));
    let (c, stored) = (calls.clone(), attempt.clone());
    q.expect_set_attempt_result()
        .times(2)
        .returning(move |_, _, r, _, _| {
            let mut n = c.lock().unwrap();
            *n += 1;
            if *n == 1 {
                // Another grader wrote first.
                Err(StorageError::Conflict(Conflict::Stale))
            } else {
                Ok(Attempt {
                    result: Some(r.clone()),
                    ..stored.clone()
                })
            }
        });
    let review = w
        .service(q, MockNotificationStore::new())
        .grade_essay(&w.owner, attempt.id, w.essay_id(), pts(1.0))
        .await
        .unwrap();
    assert_eq!(*calls.lock().unwrap(), 2, "graded again after the conflict");
    assert!(!review.attempt().result.unwrap().pending_manual);
}

#[tokio::test]
async fn essays_are_graded_by_staff_within_the_question_points() {
    let w = World::new().with_essay();
    let attempt = essay_attempt(&w, "Текст");
    let mut q = w.quizzes();
    stored_attempt(&mut q, &attempt);
    // No set_attempt_result expectation: every case below must refuse.
    let svc = w.service(q, MockNotificationStore::new());
    let grade = |who: Actor, question: QuestionId, points: f64| {
        let svc = &svc;
        let id = attempt.id;
        async move { svc.grade_essay(&who, id, question, pts(points)).await }
    };
    let err = grade(w.student, w.essay_id(), 3.0).await.unwrap_err();
    assert!(matches!(err, GradeEssayError::Forbidden), "own attempt");
    for nobody in [w.classmate, w.outsider, w.stranger_teacher] {
        let err = grade(nobody, w.essay_id(), 3.0).await.unwrap_err();
        assert!(matches!(err, GradeEssayError::NotFound), "{nobody:?}");
    }
    let err = grade(w.owner, w.essay_id(), 3.5).await.unwrap_err();
    assert!(matches!(err, GradeEssayError::AboveMax { max } if max == pts(3.0)));
    assert_eq!(err.code(), "points_above_max");
    let err = grade(w.owner, w.questions[0].id, 1.0).await.unwrap_err();
    assert!(matches!(err, GradeEssayError::NotEssay));
    let err = grade(w.owner, QuestionId::new(), 1.0).await.unwrap_err();
    assert!(matches!(err, GradeEssayError::QuestionNotFound));

    let open = w.attempt(&w.student, AttemptState::Open);
    let mut q = w.quizzes();
    stored_attempt(&mut q, &open);
    let err = w
        .service(q, MockNotificationStore::new())
        .grade_essay(&w.owner, open.id, w.essay_id(), pts(1.0))
        .await
        .unwrap_err();
    assert!(matches!(err, GradeEssayError::NotFinished));
}
