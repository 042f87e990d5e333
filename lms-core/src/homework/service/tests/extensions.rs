//! Tests: extensions.

use super::*;

pub(super) fn extension_input(a: &Assignment, student: UserId) -> ExtensionInput {
    ExtensionInput {
        assignment_id: a.id,
        student_id: student,
        due_at: t0() + Duration::days(5),
        cut_off_at: Some(t0() + Duration::days(6)),
    }
}

#[tokio::test]
async fn owner_and_admin_grant_extensions_to_enrolled_students() {
    let mut w = World::new(CourseStatus::Published);
    let a = w.add(w.assignment());
    for who in [&w.owner, &w.admin] {
        let mut m = Mocks::new();
        let seen = shared();
        let seen2 = seen.clone();
        m.hw.expect_upsert_extension().times(1).returning(move |e| {
            seen2.lock().unwrap().push(e.clone());
            Ok(())
        });
        let input = extension_input(&a, w.student.user_id);
        let granted = m
            .build(&w)
            .grant_extension(who, input.clone())
            .await
            .unwrap();
        assert_eq!(
            granted,
            Extension {
                assignment_id: a.id,
                student_id: w.student.user_id,
                due_at: input.due_at,
                cut_off_at: input.cut_off_at,
                granted_by: who.user_id,
                granted_at: t0(),
            }
        );
        assert_eq!(only(&seen), granted);
    }
}

#[tokio::test]
async fn extensions_need_an_enrolled_student_and_ordered_dates() {
    let mut w = World::new(CourseStatus::Published);
    let a = w.add(w.assignment());
    for target in [w.stranger.user_id, w.assistant.user_id, w.owner.user_id] {
        let err = bare(&w)
            .grant_extension(&w.owner, extension_input(&a, target))
            .await
            .unwrap_err();
        assert!(matches!(err, ExtensionError::StudentNotEnrolled));
        assert!(err.to_string().contains("student_id"));
    }
    let mut input = extension_input(&a, w.student.user_id);
    input.cut_off_at = Some(input.due_at - Duration::seconds(1));
    let err = bare(&w).grant_extension(&w.owner, input).await.unwrap_err();
    assert!(matches!(err, ExtensionError::CutOffBeforeDue));
    assert!(err.to_string().contains("cut_off_at"));
}

#[tokio::test]
async fn only_owner_and_admin_manage_extensions() {
    let mut w = World::new(CourseStatus::Published);
    let a = w.add(w.assignment());
    let input = extension_input(&a, w.student.user_id);
    let cases = [
        (&w.student, "forbidden"),
        (&w.assistant, "forbidden"),
        (&w.stranger, "assignment_not_found"),
        (&w.other_assistant, "assignment_not_found"),
        (&w.other_teacher, "assignment_not_found"),
    ];
    for (who, code) in cases {
        let err = bare(&w)
            .grant_extension(who, input.clone())
            .await
            .unwrap_err();
        assert_eq!(err.code(), code, "grant by {:?}", who.role);
        let err = bare(&w)
            .revoke_extension(who, a.id, w.student.user_id)
            .await
            .unwrap_err();
        assert_eq!(err.code(), code, "revoke by {:?}", who.role);
    }
    let mut archived = World::new(CourseStatus::Archived);
    let a = archived.add(archived.assignment());
    let err = bare(&archived)
        .grant_extension(
            &archived.owner,
            extension_input(&a, archived.student.user_id),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ExtensionError::CourseArchived));
}

#[tokio::test]
async fn revoking_reports_a_missing_extension() {
    let mut w = World::new(CourseStatus::Published);
    let a = w.add(w.assignment());
    let s = w.student.user_id;
    for existed in [true, false] {
        let mut m = Mocks::new();
        m.hw.expect_delete_extension()
            .with(eq(a.id), eq(s))
            .times(1)
            .returning(move |_, _| Ok(existed));
        let result = m.build(&w).revoke_extension(&w.owner, a.id, s).await;
        match (existed, result) {
            (true, Ok(())) => {}
            (false, Err(e)) => {
                assert_eq!(e.code(), "extension_not_found");
                assert_eq!(e.class(), ErrorClass::NotFound);
            }
            (existed, other) => panic!("existed={existed}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn extensions_are_listed_for_the_course_staff_only() {
    let mut w = World::new(CourseStatus::Published);
    let a = w.add(w.assignment());
    let ext = Extension {
        assignment_id: a.id,
        student_id: w.student.user_id,
        due_at: t0(),
        cut_off_at: None,
        granted_by: w.owner.user_id,
        granted_at: t0(),
    };
    for who in [&w.assistant, &w.owner, &w.admin] {
        let mut m = Mocks::new();
        let e2 = ext.clone();
        m.hw.expect_list_extensions()
            .with(eq(a.id))
            .returning(move |_| Ok(vec![e2.clone()]));
        let list = m.build(&w).list_extensions(who, a.id).await.unwrap();
        assert_eq!(list, vec![ext.clone()]);
    }
    for (who, code) in [
        (&w.student, "forbidden"),
        (&w.stranger, "assignment_not_found"),
        (&w.other_assistant, "assignment_not_found"),
        (&w.other_teacher, "assignment_not_found"),
    ] {
        let err = bare(&w).list_extensions(who, a.id).await.unwrap_err();
        assert_eq!(err.code(), code, "{:?}", who.role);
    }
}
