//! Tests: update_assignment.

use super::*;

#[tokio::test]
async fn publishing_a_draft_notifies_with_the_new_assignment_key() {
    let mut w = World::new(CourseStatus::Published);
    let mut draft = w.assignment();
    draft.published = false;
    let draft = w.add(draft);
    let s = w.student.user_id;
    let mut m = Mocks::new();
    m.courses
        .expect_enrolled_students()
        .times(1)
        .returning(move |_| Ok(vec![s]));
    m.notes
        .expect_delivery_profiles()
        .times(1)
        .returning(move |_| Ok(vec![profile(s, false)]));
    let seen = shared();
    let seen2 = seen.clone();
    m.hw.expect_update_assignment()
        .times(1)
        .returning(move |a, o| {
            seen2.lock().unwrap().push((a.clone(), o.to_vec()));
            Ok(())
        });
    let mut input = input_from(&draft);
    input.published = true;
    input.title = Title::parse("ДЗ 1 (исправлено)").unwrap();

    let updated = m
        .build(&w)
        .update_assignment(&w.owner, draft.id, input)
        .await
        .unwrap();

    let (a, outbox) = only(&seen);
    assert_eq!(a, updated);
    assert_eq!(a.id, draft.id);
    assert_eq!(a.course_id, draft.course_id);
    assert_eq!(a.created_at, draft.created_at, "creation time is kept");
    assert_eq!(a.title.as_str(), "ДЗ 1 (исправлено)");
    assert_eq!(outbox.len(), 2, "e-mail and in-app");
    assert_eq!(
        outbox[0].dedup_key,
        DedupKey::new(s, &format!("new_assignment:{}", draft.id), Channel::Email)
    );
    assert_eq!(outbox[1].channel, Channel::InApp);
    assert!(matches!(
        &outbox[0].notification,
        Notification::NewAssignment { title, .. } if title == "ДЗ 1 (исправлено)"
    ));
}

#[tokio::test]
async fn editing_a_published_assignment_notifies_nobody() {
    let mut w = World::new(CourseStatus::Published);
    let a = w.add(w.assignment());
    let mut m = Mocks::new();
    let seen = shared();
    let seen2 = seen.clone();
    m.hw.expect_update_assignment()
        .times(1)
        .returning(move |a, o| {
            seen2.lock().unwrap().push((a.clone(), o.to_vec()));
            Ok(())
        });
    let mut input = input_from(&a);
    input.max_score = pts(20.0);
    m.build(&w)
        .update_assignment(&w.admin, a.id, input)
        .await
        .unwrap();
    let (stored_assignment, outbox) = only(&seen);
    assert_eq!(stored_assignment.max_score, pts(20.0));
    assert!(outbox.is_empty());
}

#[tokio::test]
async fn max_score_cannot_drop_below_a_given_grade() {
    let mut w = World::new(CourseStatus::Published);
    let a = w.add(w.assignment());
    let mut graded = submission(
        a.id,
        w.student.user_id,
        SubmissionState::Graded,
        t0(),
        false,
    );
    graded.grade = Some(Grade {
        raw_score: pts(8.0),
        kept_percent: 100,
        final_score: pts(8.0),
        feedback: RichText::default(),
        graded_by: w.owner.user_id,
        graded_at: t0(),
        version: 1,
    });
    let mut m = Mocks::new();
    let listed = vec![graded];
    m.hw.expect_list_submissions()
        .returning(move |_, _, _| Ok(listed.clone()));
    m.hw.expect_update_assignment()
        .times(1)
        .returning(|_, _| Ok(()));
    let service = m.build(&w);
    let mut too_low = input_from(&a);
    too_low.max_score = pts(5.0);
    let err = service
        .update_assignment(&w.owner, a.id, too_low)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "max_score_below_grades");
    assert!(matches!(err, AssignmentError::MaxBelowGrades { highest, .. } if highest == pts(8.0)));
    let mut enough = input_from(&a);
    enough.max_score = pts(8.0);
    let stored = service
        .update_assignment(&w.owner, a.id, enough)
        .await
        .unwrap();
    assert_eq!(
        stored.max_score,
        pts(8.0),
        "down to the highest grade is fine"
    );
}

#[tokio::test]
async fn only_owner_and_admin_update_assignments() {
    let mut w = World::new(CourseStatus::Published);
    let published = w.add(w.assignment());
    let mut draft = w.assignment();
    draft.published = false;
    let draft = w.add(draft);
    let cases = [
        (&w.student, &published, "forbidden"),
        (&w.student, &draft, "assignment_not_found"),
        (&w.stranger, &published, "assignment_not_found"),
        (&w.assistant, &draft, "forbidden"),
        (&w.other_assistant, &published, "assignment_not_found"),
        (&w.other_teacher, &published, "assignment_not_found"),
    ];
    for (who, a, code) in cases {
        let err = bare(&w)
            .update_assignment(who, a.id, input_from(a))
            .await
            .unwrap_err();
        assert_eq!(err.code(), code, "{:?} published={}", who.role, a.published);
    }
}

#[tokio::test]
async fn updates_are_validated_and_refused_in_archived_courses() {
    let mut w = World::new(CourseStatus::Published);
    let a = w.add(w.assignment());
    let mut bad = input_from(&a);
    bad.due_at = a.opens_at - Duration::hours(1);
    let err = bare(&w)
        .update_assignment(&w.owner, a.id, bad)
        .await
        .unwrap_err();
    assert!(matches!(err, AssignmentError::DueBeforeOpen));

    let err = bare(&w)
        .update_assignment(&w.owner, AssignmentId::new(), input_from(&a))
        .await
        .unwrap_err();
    assert!(matches!(err, AssignmentError::NotFound));

    let mut m = Mocks::new();
    m.hw.expect_update_assignment()
        .times(1)
        .returning(|_, _| Err(StorageError::NotFound));
    let err = m
        .build(&w)
        .update_assignment(&w.owner, a.id, input_from(&a))
        .await
        .unwrap_err();
    assert!(
        matches!(err, AssignmentError::NotFound),
        "deleted meanwhile"
    );

    let mut archived = World::new(CourseStatus::Archived);
    let a = archived.add(archived.assignment());
    let err = bare(&archived)
        .update_assignment(&archived.owner, a.id, input_from(&a))
        .await
        .unwrap_err();
    assert!(matches!(err, AssignmentError::CourseArchived));
}
