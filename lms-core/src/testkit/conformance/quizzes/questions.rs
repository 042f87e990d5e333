//! Quiz conformance: quizzes and their questions.

use super::*;

/// A quiz reads back unchanged; an update replaces title, description,
/// settings and published flag (not the course); quizzes list oldest first.
pub async fn quizzes_round_trip(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let other = add_course(&storage, class.teacher.id, CourseStatus::Published).await;
    let mut later = quiz(class.course.id, at(30));
    later.settings = QuizSettings {
        opens_at: Some(day(1)),
        closes_at: Some(day(8)),
        time_limit_minutes: Some(45),
        attempts_allowed: None,
        scoring: ScoringPolicy::Average,
        shuffle_questions: true,
        shuffle_options: true,
        reveal: RevealPolicy::AfterClose,
    };
    later.published = false;
    let earlier = quiz(class.course.id, at(10));
    let elsewhere = quiz(other.id, at(0));
    for q in [&later, &earlier, &elsewhere] {
        ok(storage.quizzes.insert_quiz(q).await, "insert_quiz");
    }
    assert_eq!(
        ok(storage.quizzes.get_quiz(later.id).await, "get_quiz"),
        Some(later.clone()),
        "get_quiz returns every field as inserted"
    );
    assert_eq!(
        ok(
            storage.quizzes.list_quizzes(class.course.id).await,
            "list_quizzes"
        ),
        [earlier.clone(), later.clone()],
        "quizzes of the course, oldest first"
    );

    let mut changed = later.clone();
    changed.title = Title::parse("Итоговый тест").expect("valid title");
    changed.description = RichText::sanitize("<p>Без калькулятора</p>");
    changed.settings = QuizSettings::default();
    changed.published = true;
    let mut sent = changed.clone();
    sent.course_id = other.id;
    ok(storage.quizzes.update_quiz(&sent).await, "update_quiz");
    assert_eq!(
        ok(storage.quizzes.get_quiz(later.id).await, "get_quiz"),
        Some(changed),
        "update_quiz replaces title, description, settings and published, not the course"
    );
    assert_eq!(
        ok(storage.quizzes.list_quizzes(other.id).await, "list_quizzes"),
        [elsewhere],
        "an update does not move a quiz to another course"
    );
    assert_not_found(
        storage
            .quizzes
            .update_quiz(&quiz(class.course.id, at(0)))
            .await,
        "update_quiz of an unknown quiz",
    );
    assert_eq!(
        ok(storage.quizzes.get_quiz(QuizId::new()).await, "get_quiz"),
        None,
        "an unknown quiz is None"
    );
}

/// Questions of every kind are appended at the end whatever position they
/// carry, read back unchanged, updated (not position or quiz), and deleted
/// closing the gap.
pub async fn questions_are_appended_updated_and_deleted(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let (qz, _) = add_quiz_with_questions(&storage, class.course.id, at(0), 0).await;
    let (other_quiz, _) = add_quiz_with_questions(&storage, class.course.id, at(1), 0).await;
    let mut stored = Vec::new();
    for (i, body) in every_kind_of_body().into_iter().enumerate() {
        let mut q = single_choice_question(qz.id);
        q.body = body;
        q.position = 42;
        q.points = points(1.5);
        let got = ok(storage.quizzes.insert_question(&q).await, "insert_question");
        let mut expected = q.clone();
        expected.position = u32::try_from(i).expect("small");
        assert_eq!(
            got, expected,
            "the stored question is returned with its position"
        );
        stored.push(expected);
    }
    assert_eq!(
        ok(
            storage.quizzes.list_questions(qz.id).await,
            "list_questions"
        ),
        stored,
        "questions of every kind list by position with every field"
    );

    let mut changed = stored[2].clone();
    changed.prompt = RichText::sanitize("<p>Земля плоская?</p>");
    changed.points = points(3.0);
    changed.body = QuestionBody::TrueFalse { correct: true };
    changed.explanation = Some(RichText::sanitize("<p>Нет</p>"));
    let mut sent = changed.clone();
    sent.position = 0;
    sent.quiz_id = other_quiz.id;
    ok(
        storage.quizzes.update_question(&sent).await,
        "update_question",
    );
    let listed = ok(
        storage.quizzes.list_questions(qz.id).await,
        "list_questions",
    );
    assert_eq!(
        listed[2], changed,
        "update_question replaces prompt, points, body and explanation only"
    );
    assert!(
        ok(storage.quizzes.list_questions(other_quiz.id).await, "list").is_empty(),
        "an update does not move a question to another quiz"
    );
    assert_not_found(
        storage
            .quizzes
            .update_question(&true_false_question(qz.id, true))
            .await,
        "update_question of an unknown question",
    );

    let ids: Vec<_> = stored.iter().map(|q| q.id).collect();
    assert!(
        ok(
            storage.quizzes.delete_question(ids[3]).await,
            "delete_question"
        ),
        "deleting an existing question returns true"
    );
    assert!(
        !ok(
            storage.quizzes.delete_question(ids[3]).await,
            "delete_question"
        ),
        "deleting it again returns false"
    );
    let mut remaining = ids.clone();
    remaining.remove(3);
    assert_eq!(
        question_ids(&storage, qz.id).await,
        remaining,
        "the gap is closed"
    );
    let appended = ok(
        storage
            .quizzes
            .insert_question(&true_false_question(qz.id, true))
            .await,
        "insert_question",
    );
    assert_eq!(
        appended.position,
        u32::try_from(remaining.len()).expect("small"),
        "a new question goes right after the last one"
    );
}

/// `reorder_questions` sets positions; a changed set is `Conflict(Stale)`.
pub async fn reorder_questions_sets_positions(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let (qz, qs) = add_quiz_with_questions(&storage, class.course.id, at(0), 3).await;
    let (other, others) = add_quiz_with_questions(&storage, class.course.id, at(1), 2).await;
    let (a, b, c) = (qs[0].id, qs[1].id, qs[2].id);
    ok(
        storage.quizzes.reorder_questions(qz.id, &[c, a, b]).await,
        "reorder_questions",
    );
    assert_eq!(question_ids(&storage, qz.id).await, [c, a, b]);
    assert_conflict(
        storage.quizzes.reorder_questions(qz.id, &[a, b]).await,
        Conflict::Stale,
        "an order missing a question",
    );
    assert_conflict(
        storage
            .quizzes
            .reorder_questions(qz.id, &[a, b, others[0].id])
            .await,
        Conflict::Stale,
        "an order with another quiz's question",
    );
    assert_eq!(
        question_ids(&storage, qz.id).await,
        [c, a, b],
        "refused reorders change nothing"
    );
    assert_eq!(
        question_ids(&storage, other.id).await,
        others.iter().map(|q| q.id).collect::<Vec<_>>(),
        "another quiz is untouched"
    );
}
