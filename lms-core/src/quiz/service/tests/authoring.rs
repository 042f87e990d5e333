//! Tests: authoring.

use super::*;

#[tokio::test]
async fn quizzes_are_created_by_the_owner_and_admins_only() {
    let w = World::new();
    let cases = [
        (&w.owner, None),
        (&w.admin, None),
        (&w.assistant, Some("forbidden")),
        (&w.student, Some("forbidden")),
        (&w.outsider, Some("course_not_found")),
        (&w.stranger_teacher, Some("course_not_found")),
    ];
    for (who, expected) in cases {
        let mut q = MockQuizStore::new();
        if expected.is_none() {
            let course_id = w.course.id;
            q.expect_insert_quiz()
                .withf(move |quiz| {
                    quiz.course_id == course_id
                        && !quiz.published
                        && quiz.title.as_str() == "Контрольная"
                        && quiz.created_at == t0()
                })
                .times(1)
                .returning(|_| Ok(()));
        }
        let got = w
            .service(q, MockNotificationStore::new())
            .create_quiz(who, w.course.id, input())
            .await;
        match expected {
            None => {
                let quiz = got.unwrap();
                assert_eq!(quiz.course_id, w.course.id);
                assert!(!quiz.published);
                assert_eq!(quiz.settings, QuizSettings::default());
            }
            Some(code) => assert_eq!(got.unwrap_err().code(), code, "{who:?}"),
        }
    }
}

#[tokio::test]
async fn inconsistent_settings_are_rejected_before_storing() {
    let w = World::new();
    let mut bad = input();
    bad.settings.opens_at = Some(t0());
    bad.settings.closes_at = Some(t0() - Duration::hours(1));
    let err = w
        .service(MockQuizStore::new(), MockNotificationStore::new())
        .create_quiz(&w.owner, w.course.id, bad)
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        ManageQuizError::InvalidSettings(SettingsError::Window)
    ));
    assert_eq!(err.class(), ErrorClass::Invalid);
    assert!(err.to_string().starts_with("settings:"));
}

#[tokio::test]
async fn the_owner_updates_and_publishes_a_quiz() {
    let mut w = World::new();
    w.quiz.published = false;
    let mut q = w.quizzes();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    q.expect_update_quiz().times(2).returning(move |quiz| {
        s.lock().unwrap().push(quiz.clone());
        Ok(())
    });
    let svc = w.service(q, MockNotificationStore::new());
    let mut changed = input();
    changed.settings.reveal = RevealPolicy::Never;
    let updated = svc.update_quiz(&w.owner, w.quiz.id, changed).await.unwrap();
    assert_eq!(updated.title.as_str(), "Контрольная");
    assert_eq!(updated.created_at, w.quiz.created_at);
    assert!(!updated.published);
    let published = svc.set_published(&w.owner, w.quiz.id, true).await.unwrap();
    assert!(published.published);
    let stored = seen.lock().unwrap().clone();
    assert_eq!(stored[0].settings.reveal, RevealPolicy::Never);
    assert_eq!(stored[1].id, w.quiz.id);
    assert!(stored[1].published);
}

#[tokio::test]
async fn students_cannot_manage_and_cannot_see_drafts() {
    let mut w = World::new();
    w.quiz.published = false;
    let svc = w.service(w.quizzes(), MockNotificationStore::new());
    let err = svc
        .set_published(&w.student, w.quiz.id, true)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ManageQuizError::NotFound),
        "draft is invisible"
    );
    let err = svc
        .set_published(&w.assistant, w.quiz.id, true)
        .await
        .unwrap_err();
    assert!(matches!(err, ManageQuizError::Forbidden));

    let w = World::new();
    let svc = w.service(w.quizzes(), MockNotificationStore::new());
    let err = svc
        .update_quiz(&w.student, w.quiz.id, input())
        .await
        .unwrap_err();
    assert!(
        matches!(err, ManageQuizError::Forbidden),
        "published: visible"
    );
    let err = svc
        .update_quiz(&w.stranger_teacher, w.quiz.id, input())
        .await
        .unwrap_err();
    assert!(matches!(err, ManageQuizError::NotFound));
    let err = svc
        .update_quiz(&w.owner, QuizId::new(), input())
        .await
        .unwrap_err();
    assert!(matches!(err, ManageQuizError::NotFound));
}

#[tokio::test]
async fn questions_are_validated_and_appended() {
    let w = World::new();
    let mut q = w.quizzes();
    let quiz_id = w.quiz.id;
    q.expect_insert_question()
        .withf(move |question| {
            question.quiz_id == quiz_id
                && question.body == QuestionBody::Essay
                && question.points == pts(5.0)
        })
        .times(1)
        .returning(|question| {
            Ok(Question {
                position: 3,
                ..question.clone()
            })
        });
    let svc = w.service(q, MockNotificationStore::new());
    let added = svc
        .add_question(&w.owner, w.quiz.id, essay_input())
        .await
        .unwrap();
    assert_eq!(added.position, 3, "the stored question is returned");

    let blank = QuestionInput {
        prompt: RichText::sanitize("<p>  </p>"),
        ..essay_input()
    };
    let err = svc
        .add_question(&w.owner, w.quiz.id, blank)
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        ManageQuestionError::Invalid(QuestionError::Prompt)
    ));
    let wrong = QuestionInput {
        body: QuestionBody::SingleChoice {
            options: vec![
                Choice {
                    id: OptionId::new(),
                    text: "a".into(),
                },
                Choice {
                    id: OptionId::new(),
                    text: "b".into(),
                },
            ],
            correct: OptionId::new(),
        },
        ..essay_input()
    };
    let err = svc
        .add_question(&w.owner, w.quiz.id, wrong)
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        ManageQuestionError::Invalid(QuestionError::Correct)
    ));
    assert_eq!(err.code(), "invalid_question");
    let err = svc
        .add_question(&w.assistant, w.quiz.id, essay_input())
        .await
        .unwrap_err();
    assert!(matches!(err, ManageQuestionError::Forbidden));
    let err = svc
        .add_question(&w.outsider, w.quiz.id, essay_input())
        .await
        .unwrap_err();
    assert!(matches!(err, ManageQuestionError::QuizNotFound));
}

#[tokio::test]
async fn questions_are_updated_deleted_and_reordered_within_their_quiz() {
    let w = World::new();
    let mut q = w.quizzes();
    let target = w.questions[1].clone();
    q.expect_update_question()
        .withf(move |question| {
            question.id == target.id
                && question.position == target.position
                && question.quiz_id == target.quiz_id
                && question.body == QuestionBody::Essay
        })
        .times(1)
        .returning(|_| Ok(()));
    let gone = w.questions[2].id;
    q.expect_delete_question()
        .withf(move |id| *id == gone)
        .times(1)
        .returning(|_| Ok(true));
    let svc = w.service(q, MockNotificationStore::new());
    let updated = svc
        .update_question(&w.owner, w.quiz.id, w.questions[1].id, essay_input())
        .await
        .unwrap();
    assert_eq!(
        (updated.id, updated.position, updated.points),
        (w.questions[1].id, 1, pts(5.0))
    );
    let err = svc
        .update_question(&w.owner, w.quiz.id, QuestionId::new(), essay_input())
        .await
        .unwrap_err();
    assert!(matches!(err, ManageQuestionError::QuestionNotFound));
    svc.delete_question(&w.owner, w.quiz.id, gone)
        .await
        .unwrap();
    let err = svc
        .delete_question(&w.owner, w.quiz.id, QuestionId::new())
        .await
        .unwrap_err();
    assert!(matches!(err, ManageQuestionError::QuestionNotFound));
    let err = svc
        .delete_question(&w.student, w.quiz.id, gone)
        .await
        .unwrap_err();
    assert!(matches!(err, ManageQuestionError::Forbidden));
}

#[tokio::test]
async fn reordering_needs_every_question_once_and_reports_stale_sets() {
    let w = World::new();
    let ids: Vec<QuestionId> = w.questions.iter().map(|q| q.id).collect();
    let reversed: Vec<QuestionId> = ids.iter().rev().copied().collect();
    let mut q = w.quizzes();
    let expected = reversed.clone();
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    q.expect_reorder_questions()
        .withf(move |_, order| order == expected.as_slice())
        .times(2)
        .returning(move |_, _| {
            if c.fetch_add(1, Ordering::SeqCst) == 0 {
                Ok(())
            } else {
                Err(StorageError::Conflict(Conflict::Stale))
            }
        });
    let svc = w.service(q, MockNotificationStore::new());
    svc.reorder_questions(&w.owner, w.quiz.id, &reversed)
        .await
        .unwrap();
    let err = svc
        .reorder_questions(&w.owner, w.quiz.id, &reversed)
        .await
        .unwrap_err();
    assert!(matches!(err, ManageQuestionError::Stale));
    assert_eq!(err.class(), ErrorClass::Conflict);
    for bad in [
        ids[..2].to_vec(),
        vec![ids[0], ids[0], ids[1]],
        vec![ids[0], ids[1], ids[2], QuestionId::new()],
    ] {
        let err = svc
            .reorder_questions(&w.owner, w.quiz.id, &bad)
            .await
            .unwrap_err();
        assert!(matches!(err, ManageQuestionError::InvalidOrder), "{bad:?}");
    }
}

#[tokio::test]
async fn questions_with_answers_are_listed_for_staff_only() {
    let w = World::new();
    let svc = w.service(w.quizzes(), MockNotificationStore::new());
    for staff in [&w.owner, &w.assistant, &w.admin] {
        let listed = svc.list_questions(staff, w.quiz.id).await.unwrap();
        assert_eq!(listed, w.questions);
    }
    let err = svc.list_questions(&w.student, w.quiz.id).await.unwrap_err();
    assert!(matches!(err, ViewQuizError::Forbidden));
    for nobody in [&w.outsider, &w.stranger_teacher] {
        let err = svc.list_questions(nobody, w.quiz.id).await.unwrap_err();
        assert!(matches!(err, ViewQuizError::NotFound));
    }
}
