//! Tests: return_for_rework.

use super::*;

#[tokio::test]
async fn returning_for_rework_audits_and_notifies() {
    let (w, a, sub) = grading_world();
    let s = w.student.user_id;
    let (m, seen) = review_mocks(&w, None, &sub);
    let feedback = RichText::sanitize("<p>Добавьте решение задачи 3</p>");
    let result = m
        .build(&w)
        .return_for_rework(&w.assistant, sub.id, feedback.clone(), 1)
        .await
        .unwrap();
    let r = only(&seen);
    assert_eq!(result.state, SubmissionState::ReturnedForRework);
    assert_eq!(r.state, SubmissionState::ReturnedForRework);
    assert_eq!(r.expected_version, 1);
    assert_eq!(r.grade, None);
    assert_eq!(r.rework_feedback, Some(feedback.clone()));
    assert_eq!(r.audit.action, AuditAction::Returned);
    assert_eq!(r.audit.feedback, feedback);
    assert_eq!(r.audit.actor_id, w.assistant.user_id);
    assert!(r.awards.is_empty());
    let event = format!("returned:{}:1:{}", sub.id, r.audit.id);
    assert_eq!(r.outbox.len(), 3, "e-mail, Telegram and in-app");
    for e in &r.outbox {
        assert_eq!(e.dedup_key, DedupKey::new(s, &event, e.channel));
        assert_eq!(
            e.notification,
            Notification::HomeworkReturned {
                course_id: w.course.id,
                assignment_id: a.id,
                title: "ДЗ 1".into(),
                submission_id: sub.id,
            }
        );
    }
}

#[tokio::test]
async fn return_rules() {
    let (w, _, sub) = grading_world();
    let feedback = RichText::sanitize("<p>Переделайте</p>");

    let mut returned = sub.clone();
    returned.state = SubmissionState::ReturnedForRework;
    let mut wr = w.clone();
    wr.submissions = vec![returned.clone()];
    let err = bare(&wr)
        .return_for_rework(&w.owner, returned.id, feedback.clone(), 1)
        .await
        .unwrap_err();
    assert!(matches!(err, ReviewError::NotReturnable));

    let err = bare(&w)
        .return_for_rework(&w.owner, sub.id, RichText::sanitize("<p> </p>"), 1)
        .await
        .unwrap_err();
    assert!(matches!(err, ReviewError::FeedbackRequired));
    assert!(err.to_string().contains("feedback"));

    let err = bare(&w)
        .return_for_rework(&w.owner, sub.id, feedback.clone(), 3)
        .await
        .unwrap_err();
    assert!(matches!(err, ReviewError::ChangedMeanwhile));

    // Graded work can be returned too.
    let mut graded = sub.clone();
    graded.state = SubmissionState::Graded;
    let mut wg = w.clone();
    wg.submissions = vec![graded.clone()];
    let (m, seen) = review_mocks(&wg, None, &graded);
    m.build(&wg)
        .return_for_rework(&w.owner, graded.id, feedback, 1)
        .await
        .unwrap();
    assert_eq!(only(&seen).state, SubmissionState::ReturnedForRework);
}
