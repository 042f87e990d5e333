//! Tests: reading.

use super::*;

pub(super) fn finished_with_score(w: &World, number: u32, score: f64) -> Attempt {
    let mut a = w.attempt(&w.student, AttemptState::Submitted);
    a.number = number;
    a.result = Some(AttemptResult {
        per_question: BTreeMap::new(),
        score: pts(score),
        max_score: pts(4.0),
        pending_manual: false,
    });
    a
}

#[tokio::test]
async fn a_student_overview_shows_attempts_score_and_whether_to_start() {
    let mut w = World::new();
    w.quiz.settings.attempts_allowed = Some(3);
    w.quiz.settings.scoring = ScoringPolicy::Last;
    let history = vec![
        finished_with_score(&w, 1, 3.0),
        finished_with_score(&w, 2, 1.0),
    ];
    let mut q = w.quizzes();
    let h = history.clone();
    let student = w.student.user_id;
    q.expect_list_attempts()
        .withf(move |_, s| *s == student)
        .returning(move |_, _| Ok(h.clone()));
    let svc = w.service(q, MockNotificationStore::new());
    let o = svc.get_quiz(&w.student, w.quiz.id).await.unwrap();
    assert_eq!(o.question_count, 3);
    assert_eq!(o.max_score, pts(4.0));
    assert_eq!(o.attempts.len(), 2);
    assert_eq!(o.attempts_left, Some(1));
    assert_eq!(o.quiz_score, Some(pts(1.0)), "last attempt counts");
    assert_eq!(o.open_attempt, None);
    assert!(o.can_start_now);

    // An attempt in progress: resume instead of starting.
    let mut open = w.attempt(&w.student, AttemptState::Open);
    open.number = 3;
    let mut with_open = history.clone();
    with_open.push(open.clone());
    let mut q = w.quizzes();
    q.expect_list_attempts()
        .returning(move |_, _| Ok(with_open.clone()));
    let o = w
        .service(q, MockNotificationStore::new())
        .get_quiz(&w.student, w.quiz.id)
        .await
        .unwrap();
    assert_eq!(o.open_attempt, Some(open.id));
    assert_eq!(o.attempts_left, Some(0));
    assert_eq!(o.attempts.len(), 2, "only finished attempts are listed");
    assert!(!o.can_start_now);
}

#[tokio::test]
async fn overviews_for_staff_and_closed_quizzes_cannot_start() {
    let mut w = World::new();
    w.quiz.settings.closes_at = Some(t0());
    let mut q = w.quizzes();
    let student = w.student.user_id;
    q.expect_list_attempts()
        .withf(move |_, s| *s == student)
        .returning(|_, _| Ok(vec![]));
    let svc = w.service(q, MockNotificationStore::new());
    let o = svc.get_quiz(&w.student, w.quiz.id).await.unwrap();
    assert!(!o.can_start_now, "closed");
    assert_eq!(o.attempts_left, Some(2));
    // Staff take no attempts: none are looked up for them (the mock
    // answers for the student only).
    let o = svc.get_quiz(&w.owner, w.quiz.id).await.unwrap();
    assert!(o.attempts.is_empty() && !o.can_start_now && o.quiz_score.is_none());
}

#[tokio::test]
async fn archived_courses_keep_past_attempts_but_take_no_new_ones() {
    let mut w = World::new();
    w.course.status = CourseStatus::Archived;
    let past = vec![finished_with_score(&w, 1, 3.0)];
    let mut q = w.quizzes();
    q.expect_list_attempts()
        .returning(move |_, _| Ok(past.clone()));
    let o = w
        .service(q, MockNotificationStore::new())
        .get_quiz(&w.student, w.quiz.id)
        .await
        .unwrap();
    assert_eq!(o.attempts.len(), 1);
    assert_eq!(o.quiz_score, Some(pts(3.0)));
    assert!(!o.can_start_now);
}

#[tokio::test]
async fn students_list_only_published_quizzes_of_visible_courses() {
    let mut w = World::new();
    let mut draft = w.quiz.clone();
    draft.id = QuizId::new();
    draft.published = false;
    let all = vec![w.quiz.clone(), draft.clone()];
    let mut q = w.quizzes();
    q.expect_list_quizzes().returning(move |_| Ok(all.clone()));
    q.expect_list_attempts().returning(|_, _| Ok(vec![]));
    let svc = w.service(q, MockNotificationStore::new());
    let student_view: Vec<QuizId> = svc
        .list_quizzes(&w.student, w.course.id)
        .await
        .unwrap()
        .iter()
        .map(|o| o.quiz.id)
        .collect();
    assert_eq!(student_view, vec![w.quiz.id]);
    let staff_view: Vec<QuizId> = svc
        .list_quizzes(&w.assistant, w.course.id)
        .await
        .unwrap()
        .iter()
        .map(|o| o.quiz.id)
        .collect();
    assert_eq!(staff_view, vec![w.quiz.id, draft.id]);
    let err = svc
        .list_quizzes(&w.outsider, w.course.id)
        .await
        .unwrap_err();
    assert!(matches!(err, ViewQuizError::CourseNotFound));

    w.course.status = CourseStatus::Draft;
    let svc = w.service(w.quizzes(), MockNotificationStore::new());
    let err = svc.list_quizzes(&w.student, w.course.id).await.unwrap_err();
    assert!(matches!(err, ViewQuizError::CourseNotFound));
    let err = svc.get_quiz(&w.student, w.quiz.id).await.unwrap_err();
    assert!(matches!(err, ViewQuizError::NotFound));
}
