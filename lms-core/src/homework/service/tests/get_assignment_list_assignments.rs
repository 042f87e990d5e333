//! Tests: get_assignment / list_assignments.

use super::*;

#[tokio::test]
async fn student_sees_own_deadline_status_and_submission() {
    let mut w = World::new(CourseStatus::Published);
    let a = w.add(w.assignment());
    let s = w.student.user_id;
    let ext = Extension {
        assignment_id: a.id,
        student_id: s,
        due_at: t0() + Duration::days(3),
        cut_off_at: None,
        granted_by: w.owner.user_id,
        granted_at: t0() - Duration::days(1),
    };
    let sub = submission(a.id, s, SubmissionState::Submitted, t0(), false);
    let mut m = Mocks::new();
    let ext2 = ext.clone();
    m.hw.expect_get_extension()
        .with(eq(a.id), eq(s))
        .returning(move |_, _| Ok(Some(ext2.clone())));
    let sub2 = sub.clone();
    m.hw.expect_find_submission()
        .with(eq(a.id), eq(s))
        .returning(move |_, _| Ok(Some(sub2.clone())));
    let view = m.build(&w).get_assignment(&w.student, a.id).await.unwrap();
    assert_eq!(
        view,
        AssignmentView {
            assignment: a,
            deadline: Deadline {
                due_at: ext.due_at,
                cut_off_at: None
            },
            status: Some(HomeworkStatus::Submitted),
            submission: Some(sub),
        }
    );
}

#[tokio::test]
async fn student_without_work_is_missing_only_after_the_cut_off() {
    let mut w = World::new(CourseStatus::Archived);
    let mut overdue = w.assignment();
    overdue.due_at = t0() - Duration::days(1);
    let overdue = w.add(overdue);
    let mut closed = w.assignment();
    closed.due_at = t0() - Duration::days(2);
    closed.cut_off_at = Some(t0() - Duration::days(1));
    let closed = w.add(closed);
    let status = |a: &Assignment| {
        let mut m = Mocks::new();
        m.hw.expect_get_extension().returning(|_, _| Ok(None));
        m.hw.expect_find_submission().returning(|_, _| Ok(None));
        let svc = m.build(&w);
        let id = a.id;
        let student = w.student;
        async move { svc.get_assignment(&student, id).await.unwrap() }
    };
    // Past the due date without a cut-off: still accepted, so not missing;
    // the view carries the due date for the UI to flag it as overdue.
    let view = status(&overdue).await;
    assert_eq!(view.status, Some(HomeworkStatus::NotSubmitted));
    assert_eq!(view.deadline.due_at, overdue.due_at);
    assert!(view.deadline.due_at < t0());
    assert_eq!(view.submission, None);
    // Past the cut-off: missing.
    let view = status(&closed).await;
    assert_eq!(view.status, Some(HomeworkStatus::Missing));
    assert_eq!(view.deadline.cut_off_at, closed.cut_off_at);
}

#[tokio::test]
async fn students_see_an_assignment_only_once_it_opens() {
    let mut w = World::new(CourseStatus::Published);
    let mut upcoming = w.assignment();
    upcoming.title = Title::parse("Скоро").unwrap();
    upcoming.opens_at = t0() + Duration::seconds(1);
    upcoming.due_at = t0() + Duration::days(3);
    let upcoming = w.add(upcoming);
    let mut opening = w.assignment();
    opening.opens_at = t0();
    let opening = w.add(opening);
    let s = w.student.user_id;

    // Not yet open: hidden from the student on every path, with no
    // storage reads of their work and nothing stored.
    let err = bare(&w)
        .get_assignment(&w.student, upcoming.id)
        .await
        .unwrap_err();
    assert!(matches!(err, HomeworkReadError::AssignmentNotFound));
    let err = bare(&w)
        .my_submission(&w.student, upcoming.id)
        .await
        .unwrap_err();
    assert!(matches!(err, HomeworkReadError::AssignmentNotFound));
    let err = bare(&w)
        .hand_in(&w.student, upcoming.id, text_hand_in("<p>x</p>", None))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "assignment_not_found");
    assert_eq!(err.class(), ErrorClass::NotFound);

    // Opening exactly now: visible.
    let mut m = Mocks::new();
    m.hw.expect_get_extension().returning(|_, _| Ok(None));
    m.hw.expect_find_submission().returning(|_, _| Ok(None));
    let view = m
        .build(&w)
        .get_assignment(&w.student, opening.id)
        .await
        .unwrap();
    assert_eq!(view.status, Some(HomeworkStatus::NotSubmitted));

    // The student's list leaves it out; staff list and open it.
    let all = vec![upcoming.clone(), opening.clone()];
    let mut m = Mocks::new();
    let listed = all.clone();
    m.hw.expect_list_assignments()
        .returning(move |_| Ok(listed.clone()));
    m.hw.expect_student_submissions()
        .returning(|_, _| Ok(vec![]));
    let up = upcoming.id;
    m.hw.expect_get_extension()
        .withf(move |a, u| *u == s && *a != up)
        .returning(|_, _| Ok(None));
    let views = m
        .build(&w)
        .list_assignments(&w.student, w.course.id)
        .await
        .unwrap();
    let ids: Vec<_> = views.iter().map(|v| v.assignment.id).collect();
    assert_eq!(ids, vec![opening.id]);
    for who in [&w.owner, &w.assistant, &w.admin] {
        let mut m = Mocks::new();
        let listed = all.clone();
        m.hw.expect_list_assignments()
            .returning(move |_| Ok(listed.clone()));
        let views = m
            .build(&w)
            .list_assignments(who, w.course.id)
            .await
            .unwrap();
        assert_eq!(views.len(), 2, "{:?}", who.role);
        let view = bare(&w).get_assignment(who, upcoming.id).await.unwrap();
        assert_eq!(view.assignment.title.as_str(), "Скоро");
    }
}

#[tokio::test]
async fn students_never_see_drafts_and_outsiders_see_nothing() {
    let mut w = World::new(CourseStatus::Published);
    let published = w.add(w.assignment());
    let mut draft = w.assignment();
    draft.published = false;
    let draft = w.add(draft);
    for (who, a) in [
        (&w.student, &draft),
        (&w.stranger, &published),
        (&w.other_assistant, &published),
        (&w.other_teacher, &published),
    ] {
        let err = bare(&w).get_assignment(who, a.id).await.unwrap_err();
        assert!(
            matches!(err, HomeworkReadError::AssignmentNotFound),
            "{:?}",
            who.role
        );
    }
    let mut dc = World::new(CourseStatus::Draft);
    let a = dc.add(dc.assignment());
    let err = bare(&dc)
        .get_assignment(&dc.student, a.id)
        .await
        .unwrap_err();
    assert!(matches!(err, HomeworkReadError::AssignmentNotFound));
}

#[tokio::test]
async fn staff_see_drafts_with_the_assignment_deadline() {
    let mut w = World::new(CourseStatus::Draft);
    let mut a = w.assignment();
    a.published = false;
    a.cut_off_at = Some(a.due_at + Duration::days(2));
    let a = w.add(a);
    for who in [&w.owner, &w.assistant, &w.admin] {
        // No extension or submission lookups for staff.
        let view = bare(&w).get_assignment(who, a.id).await.unwrap();
        assert_eq!(
            view,
            AssignmentView {
                assignment: a.clone(),
                deadline: Deadline {
                    due_at: a.due_at,
                    cut_off_at: a.cut_off_at
                },
                status: None,
                submission: None,
            }
        );
    }
}

#[tokio::test]
async fn students_list_published_assignments_with_their_status() {
    let w = World::new(CourseStatus::Published);
    let s = w.student.user_id;
    let mut overdue = w.assignment();
    overdue.due_at = t0() - Duration::days(1);
    let handed = w.assignment();
    let mut draft = w.assignment();
    draft.published = false;
    let ext = Extension {
        assignment_id: overdue.id,
        student_id: s,
        due_at: t0() + Duration::days(1),
        cut_off_at: None,
        granted_by: w.owner.user_id,
        granted_at: t0(),
    };
    let sub = submission(handed.id, s, SubmissionState::SubmittedLate, t0(), true);
    let mut m = Mocks::new();
    let all = vec![overdue.clone(), handed.clone(), draft.clone()];
    m.hw.expect_list_assignments()
        .with(eq(w.course.id))
        .returning(move |_| Ok(all.clone()));
    let sub2 = sub.clone();
    m.hw.expect_student_submissions()
        .with(eq(w.course.id), eq(s))
        .times(1)
        .returning(move |_, _| Ok(vec![sub2.clone()]));
    let ext2 = ext.clone();
    m.hw.expect_get_extension()
        .withf(move |a, u| *u == s && *a != draft.id)
        .returning(move |a, _| Ok((a == ext2.assignment_id).then(|| ext2.clone())));
    let views = m
        .build(&w)
        .list_assignments(&w.student, w.course.id)
        .await
        .unwrap();
    let summary: Vec<_> = views
        .iter()
        .map(|v| {
            (
                v.assignment.id,
                v.status,
                v.deadline.due_at,
                v.submission.is_some(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                overdue.id,
                Some(HomeworkStatus::NotSubmitted),
                ext.due_at,
                false
            ),
            (
                handed.id,
                Some(HomeworkStatus::SubmittedLate),
                handed.due_at,
                true
            ),
        ]
    );
    assert_eq!(views[1].submission.as_ref(), Some(&sub));
}

#[tokio::test]
async fn staff_list_every_assignment_and_outsiders_none() {
    let w = World::new(CourseStatus::Published);
    let a = w.assignment();
    let mut draft = w.assignment();
    draft.published = false;
    for who in [&w.owner, &w.assistant, &w.admin] {
        let mut m = Mocks::new();
        let all = vec![a.clone(), draft.clone()];
        m.hw.expect_list_assignments()
            .returning(move |_| Ok(all.clone()));
        let views = m
            .build(&w)
            .list_assignments(who, w.course.id)
            .await
            .unwrap();
        assert_eq!(
            views,
            vec![staff_view(a.clone()), staff_view(draft.clone())],
            "{:?}",
            who.role
        );
        assert!(views.iter().all(|v| v.status.is_none()));
    }
    for who in [&w.stranger, &w.other_assistant, &w.other_teacher] {
        let err = bare(&w)
            .list_assignments(who, w.course.id)
            .await
            .unwrap_err();
        assert!(matches!(err, HomeworkReadError::CourseNotFound));
    }
    let dc = World::new(CourseStatus::Draft);
    let err = bare(&dc)
        .list_assignments(&dc.student, dc.course.id)
        .await
        .unwrap_err();
    assert!(matches!(err, HomeworkReadError::CourseNotFound));
}
