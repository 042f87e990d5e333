//! Tests: reading submissions.

use super::*;

#[tokio::test]
async fn submissions_are_visible_to_their_student_and_the_course_staff() {
    let (w, _, sub) = grading_world();
    for who in [&w.student, &w.assistant, &w.owner, &w.admin] {
        let got = bare(&w).get_submission(who, sub.id).await.unwrap();
        assert_eq!(got, sub, "{:?}", who.role);
    }
    for who in [
        &w.classmate,
        &w.stranger,
        &w.other_assistant,
        &w.other_teacher,
    ] {
        let err = bare(&w).get_submission(who, sub.id).await.unwrap_err();
        assert!(
            matches!(err, HomeworkReadError::SubmissionNotFound),
            "{:?}",
            who.role
        );
    }
}

#[tokio::test]
async fn grade_history_follows_submission_visibility() {
    let (w, _, sub) = grading_world();
    let entry = GradeAuditEntry {
        id: AuditId::new(),
        submission_id: sub.id,
        actor_id: w.owner.user_id,
        at: t0(),
        action: AuditAction::Returned,
        feedback: RichText::sanitize("<p>ещё</p>"),
    };
    for who in [&w.student, &w.assistant, &w.admin] {
        let mut m = Mocks::new();
        let e2 = entry.clone();
        m.hw.expect_grade_audit()
            .with(eq(sub.id))
            .returning(move |_| Ok(vec![e2.clone()]));
        let history = m.build(&w).grade_history(who, sub.id).await.unwrap();
        assert_eq!(history, vec![entry.clone()]);
    }
    for who in [&w.classmate, &w.other_assistant, &w.other_teacher] {
        let err = bare(&w).grade_history(who, sub.id).await.unwrap_err();
        assert!(matches!(err, HomeworkReadError::SubmissionNotFound));
    }
}

#[tokio::test]
async fn my_submission_needs_a_visible_assignment() {
    let (mut w, a, sub) = grading_world();
    let s = w.student.user_id;
    let mut m = Mocks::new();
    let sub2 = sub.clone();
    m.hw.expect_find_submission()
        .with(eq(a.id), eq(s))
        .returning(move |_, _| Ok(Some(sub2.clone())));
    assert_eq!(
        m.build(&w).my_submission(&w.student, a.id).await.unwrap(),
        Some(sub)
    );
    let mut draft = w.assignment();
    draft.published = false;
    let draft = w.add(draft);
    for (who, id) in [(&w.student, draft.id), (&w.stranger, a.id)] {
        let err = bare(&w).my_submission(who, id).await.unwrap_err();
        assert!(matches!(err, HomeworkReadError::AssignmentNotFound));
    }
}

#[tokio::test]
async fn every_submission_is_listed_for_staff_only() {
    let (w, a, sub) = grading_world();
    let page = Page::new(10, 20);
    let mut m = Mocks::new();
    let sub2 = sub.clone();
    m.hw.expect_list_submissions()
        .with(eq(a.id), eq(SubmissionFilter::default()), eq(page))
        .times(1)
        .returning(move |_, _, _| Ok(vec![sub2.clone()]));
    let list = m
        .build(&w)
        .list_submissions(&w.assistant, a.id, &SubmissionFilter::default(), page)
        .await
        .unwrap();
    assert_eq!(list, vec![sub]);
    for (who, code) in [
        (&w.student, "forbidden"),
        (&w.stranger, "assignment_not_found"),
        (&w.other_assistant, "assignment_not_found"),
        (&w.other_teacher, "assignment_not_found"),
    ] {
        let err = bare(&w)
            .list_submissions(who, a.id, &SubmissionFilter::default(), page)
            .await
            .unwrap_err();
        assert_eq!(err.code(), code, "{:?}", who.role);
    }
}
