//! Tests: create_assignment.

use super::*;

#[tokio::test]
async fn owner_creates_published_assignment_and_notifies_enrolled_students() {
    let w = World::new(CourseStatus::Published);
    let (s, c) = (w.student.user_id, w.classmate.user_id);
    let mut m = Mocks::new();
    m.courses
        .expect_enrolled_students()
        .with(eq(w.course.id))
        .times(1)
        .returning(move |_| Ok(vec![s, c]));
    m.notes
        .expect_delivery_profiles()
        .withf(move |users| users == [s, c])
        .times(1)
        .returning(move |_| Ok(vec![profile(s, true), profile(c, false)]));
    let seen = shared();
    let seen2 = seen.clone();
    m.hw.expect_insert_assignment()
        .times(1)
        .returning(move |a, o| {
            seen2.lock().unwrap().push((a.clone(), o.to_vec()));
            Ok(())
        });
    let svc = m.build(&w);
    let mut input = input_from(&w.assignment());
    input.due_at = t0() + Duration::days(2);

    let created = svc
        .create_assignment(&w.owner, w.course.id, input.clone())
        .await
        .unwrap();

    assert_eq!(created.course_id, w.course.id);
    assert_eq!(created.created_at, t0());
    assert_eq!(created.due_at, input.due_at);
    assert_eq!(created.title.as_str(), "ДЗ 1");
    assert!(created.published);
    let (stored_assignment, outbox) = only(&seen);
    assert_eq!(stored_assignment, created);
    let event = format!("new_assignment:{}", created.id);
    let sent: Vec<_> = outbox.iter().map(|e| (e.recipient_id, e.channel)).collect();
    assert_eq!(
        sent,
        vec![
            (s, Channel::Email),
            (s, Channel::Telegram),
            (s, Channel::InApp),
            (c, Channel::Email),
            (c, Channel::InApp)
        ]
    );
    for e in &outbox {
        assert_eq!(
            e.dedup_key,
            DedupKey::new(e.recipient_id, &event, e.channel)
        );
        assert_eq!(
            e.notification,
            Notification::NewAssignment {
                course_id: w.course.id,
                course_title: "Алгебра".into(),
                assignment_id: created.id,
                title: "ДЗ 1".into(),
                due_at: input.due_at,
            }
        );
        assert_eq!(e.created_at, t0());
    }
}

#[tokio::test]
async fn drafts_and_draft_courses_notify_nobody() {
    for (status, published) in [
        (CourseStatus::Published, false),
        (CourseStatus::Draft, true),
    ] {
        let w = World::new(status);
        let mut m = Mocks::new();
        let seen = shared();
        let seen2 = seen.clone();
        m.hw.expect_insert_assignment()
            .times(1)
            .returning(move |a, o| {
                seen2.lock().unwrap().push((a.clone(), o.to_vec()));
                Ok(())
            });
        let svc = m.build(&w);
        let mut input = input_from(&w.assignment());
        input.published = published;
        let created = svc
            .create_assignment(&w.owner, w.course.id, input)
            .await
            .unwrap();
        let (a, outbox) = only(&seen);
        assert_eq!(a, created);
        assert_eq!(a.published, published);
        assert!(outbox.is_empty(), "{status:?} published={published}");
    }
}

#[tokio::test]
async fn only_owner_and_admin_create_assignments() {
    let w = World::new(CourseStatus::Published);
    let input = input_from(&World::new(CourseStatus::Draft).assignment());
    let cases = [
        (&w.student, "forbidden"),
        (&w.stranger, "course_not_found"),
        (&w.assistant, "forbidden"),
        (&w.other_assistant, "course_not_found"),
        (&w.other_teacher, "course_not_found"),
    ];
    for (who, code) in cases {
        // No insert expected: a write would panic the mock.
        let err = bare(&w)
            .create_assignment(who, w.course.id, input.clone())
            .await
            .unwrap_err();
        assert_eq!(err.code(), code, "{:?}", who.role);
    }
    let err = bare(&w)
        .create_assignment(&w.owner, CourseId::new(), input.clone())
        .await
        .unwrap_err();
    assert!(matches!(err, AssignmentError::CourseNotFound));

    let mut m = Mocks::new();
    let seen = shared();
    let seen2 = seen.clone();
    m.hw.expect_insert_assignment()
        .times(1)
        .returning(move |a, _| {
            seen2.lock().unwrap().push(a.clone());
            Ok(())
        });
    let mut draft = input;
    draft.published = false;
    let created = m
        .build(&w)
        .create_assignment(&w.admin, w.course.id, draft)
        .await
        .unwrap();
    assert_eq!(only(&seen).course_id, w.course.id);
    assert_eq!(created.course_id, w.course.id);
}

#[tokio::test]
async fn archived_courses_take_no_new_assignments() {
    let w = World::new(CourseStatus::Archived);
    let err = bare(&w)
        .create_assignment(&w.owner, w.course.id, input_from(&w.assignment()))
        .await
        .unwrap_err();
    assert!(matches!(err, AssignmentError::CourseArchived));
    assert_eq!(err.class(), ErrorClass::Conflict);
}

#[tokio::test]
async fn assignment_fields_are_checked_against_each_other() {
    let w = World::new(CourseStatus::Published);
    let base = input_from(&w.assignment());
    type Change = Box<dyn Fn(&mut AssignmentInput)>;
    let cases: Vec<(Change, &str, &str)> = vec![
        (
            Box::new(|i| i.due_at = i.opens_at - Duration::seconds(1)),
            "due_before_open",
            "due_at",
        ),
        (
            Box::new(|i| i.cut_off_at = Some(i.due_at - Duration::seconds(1))),
            "cut_off_before_due",
            "cut_off_at",
        ),
        (
            Box::new(|i| i.max_score = Points::ZERO),
            "max_score_zero",
            "max_score",
        ),
        (
            Box::new(|i| {
                i.late_policy = LatePolicy::PercentPerDay {
                    percent_per_day: 101,
                    floor_percent: 0,
                }
            }),
            "late_policy_percent",
            "percent_per_day",
        ),
        (
            Box::new(|i| {
                i.late_policy = LatePolicy::PercentPerDay {
                    percent_per_day: 10,
                    floor_percent: 101,
                }
            }),
            "late_policy_percent",
            "floor_percent",
        ),
        (
            Box::new(|i| {
                i.submission_kind = SubmissionKind::Files;
                i.file_limits.max_files = 0;
            }),
            "file_limits",
            "max_files",
        ),
        (
            Box::new(|i| {
                i.submission_kind = SubmissionKind::TextAndFiles;
                i.file_limits.max_file_size = 0;
            }),
            "file_limits",
            "max_file_size",
        ),
        (
            Box::new(|i| i.file_limits.allowed_extensions = vec![".pdf".into()]),
            "file_limits",
            "allowed_extensions",
        ),
    ];
    for (change, code, field) in cases {
        let mut input = base.clone();
        change(&mut input);
        let err = bare(&w)
            .create_assignment(&w.owner, w.course.id, input)
            .await
            .unwrap_err();
        assert_eq!(err.code(), code);
        assert_eq!(err.class(), ErrorClass::Invalid);
        assert!(err.to_string().contains(field), "{err} names {field}");
    }
}

#[tokio::test]
async fn boundary_values_are_accepted() {
    let w = World::new(CourseStatus::Published);
    let mut input = input_from(&w.assignment());
    input.published = false;
    input.opens_at = t0();
    input.due_at = t0();
    input.cut_off_at = Some(t0());
    input.late_policy = LatePolicy::PercentPerDay {
        percent_per_day: 100,
        floor_percent: 100,
    };
    // Limits do not matter when no files are accepted.
    input.submission_kind = SubmissionKind::Text;
    input.file_limits.max_files = 0;
    let mut m = Mocks::new();
    let seen = shared();
    let seen2 = seen.clone();
    m.hw.expect_insert_assignment()
        .times(1)
        .returning(move |a, _| {
            seen2.lock().unwrap().push(a.clone());
            Ok(())
        });
    let created = m
        .build(&w)
        .create_assignment(&w.owner, w.course.id, input)
        .await
        .unwrap();
    assert_eq!(only(&seen), created);
    assert_eq!(created.cut_off_at, Some(t0()));
    assert_eq!(created.file_limits.max_files, 0);
}
