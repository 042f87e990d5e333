//! Webinar service tests: Scheduling: who may, what is checked, what the provider and storage see.

use super::*;

#[tokio::test]
async fn owner_schedules_at_provider_stores_and_tells_students() {
    let mut scene = Scene::published();
    let specs = Arc::new(Mutex::new(Vec::new()));
    let mut tc = provider(ProviderKind::TrueConf);
    let s = specs.clone();
    tc.expect_create().times(1).returning(move |spec| {
        s.lock().unwrap().push(spec.clone());
        Ok(conference())
    });
    let written = scene.recording_inserts(None);
    let (owner, course, active) = (
        scene.owner(),
        scene.course.clone(),
        scene.active_student_ids(),
    );
    let mut req = input(ProviderKind::TrueConf);
    req.external_url = Some("not even a url".into());
    let service = scene.with_provider(tc).service();

    let webinar = service
        .schedule(&owner, course.id, req.clone())
        .await
        .unwrap();

    let spec = specs.lock().unwrap().pop().unwrap();
    assert_eq!(
        spec,
        ConferenceSpec {
            webinar_id: webinar.id,
            title: "Разбор ДЗ".into(),
            starts_at: req.starts_at,
            duration_minutes: 60,
            host_email: "teacher@school.ru".into(),
            participant_emails: vec!["anya@mail.ru".into(), "boris@mail.ru".into()],
            external_url: None,
        },
        "deactivated students are not invited; the link is ignored for TrueConf"
    );
    assert_eq!(
        webinar,
        Webinar {
            id: webinar.id,
            course_id: course.id,
            title: req.title.clone(),
            starts_at: req.starts_at,
            duration_minutes: 60,
            provider: ProviderKind::TrueConf,
            conference_id: Some("tc-42".into()),
            join_url: "https://tc.school.ru/c/tc-42".into(),
            host_url: Some("https://tc.school.ru/host/tc-42".into()),
            state: WebinarState::Scheduled,
            created_by: owner.user_id,
            created_at: now(),
        }
    );
    let (stored, outbox) = written.lock().unwrap().pop().unwrap();
    assert_eq!(stored, webinar);
    assert_eq!(
        recipients(&outbox),
        active
            .iter()
            .map(|id| (*id, Channel::Email))
            .collect::<Vec<_>>()
    );
    for entry in &outbox {
        let event = format!("webinar_scheduled:{}", webinar.id);
        assert_eq!(
            entry.dedup_key,
            DedupKey::new(entry.recipient_id, &event, entry.channel)
        );
        assert_eq!(
            entry.notification,
            Notification::WebinarScheduled {
                course_id: course.id,
                course_title: "Алгебра 9".into(),
                webinar_id: webinar.id,
                title: "Разбор ДЗ".into(),
                starts_at: req.starts_at,
                join_url: Some("https://tc.school.ru/c/tc-42".into()),
            }
        );
        assert_eq!(entry.next_attempt_at, now());
    }
}

#[tokio::test]
async fn admin_without_membership_may_schedule() {
    let mut scene = Scene::published();
    let mut tc = provider(ProviderKind::Telemost);
    tc.expect_create().times(1).returning(|_| Ok(conference()));
    let written = scene.recording_inserts(None);
    let (admin, course) = (scene.admin.actor(), scene.course.id);
    let webinar = scene
        .with_provider(tc)
        .service()
        .schedule(&admin, course, input(ProviderKind::Telemost))
        .await
        .unwrap();
    assert_eq!(webinar.created_by, admin.user_id);
    assert_eq!(webinar.provider, ProviderKind::Telemost);
    assert_eq!(written.lock().unwrap()[0].0, webinar);
}

#[tokio::test]
async fn non_managers_cannot_schedule_and_nothing_is_created() {
    let scene = Scene::published();
    let cases = scene.non_managers();
    let course = scene.course.id;
    // The provider and the store have no expectations: any call panics.
    let service = scene
        .with_provider(provider(ProviderKind::TrueConf))
        .service();
    for (actor, sees) in cases {
        let err = service
            .schedule(&actor, course, input(ProviderKind::TrueConf))
            .await
            .unwrap_err();
        if sees {
            assert!(matches!(err, ScheduleWebinarError::Forbidden), "{actor:?}");
            assert_eq!(err.class(), ErrorClass::Forbidden);
        } else {
            assert!(
                matches!(err, ScheduleWebinarError::CourseNotFound),
                "{actor:?}"
            );
            assert_eq!(err.class(), ErrorClass::NotFound);
        }
    }
    let err = service
        .schedule(
            &Actor {
                user_id: UserId::new(),
                role: Role::Admin,
            },
            CourseId::new(),
            input(ProviderKind::TrueConf),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ScheduleWebinarError::CourseNotFound));
}

#[tokio::test]
async fn students_of_a_draft_course_get_not_found() {
    let scene = Scene::new(CourseStatus::Draft);
    let (student, course) = (scene.student(), scene.course.id);
    let err = scene
        .service()
        .schedule(&student, course, input(ProviderKind::TrueConf))
        .await
        .unwrap_err();
    assert!(matches!(err, ScheduleWebinarError::CourseNotFound));
}

#[tokio::test]
async fn archived_course_is_refused() {
    let scene = Scene::new(CourseStatus::Archived);
    let (owner, course) = (scene.owner(), scene.course.id);
    let err = scene
        .with_provider(provider(ProviderKind::TrueConf))
        .service()
        .schedule(&owner, course, input(ProviderKind::TrueConf))
        .await
        .unwrap_err();
    assert!(matches!(err, ScheduleWebinarError::CourseArchived));
    assert_eq!(err.code(), "course_archived");
}

#[tokio::test]
async fn draft_course_webinar_is_stored_without_messages() {
    let mut scene = Scene::new(CourseStatus::Draft);
    scene.notifications.checkpoint();
    scene.notifications.expect_delivery_profiles().never();
    let mut tc = provider(ProviderKind::TrueConf);
    tc.expect_create().times(1).returning(|_| Ok(conference()));
    let written = scene.recording_inserts(None);
    let (owner, course) = (scene.owner(), scene.course.id);
    let webinar = scene
        .with_provider(tc)
        .service()
        .schedule(&owner, course, input(ProviderKind::TrueConf))
        .await
        .unwrap();
    let (stored, outbox) = written.lock().unwrap().pop().unwrap();
    assert_eq!(stored, webinar);
    assert!(outbox.is_empty(), "students cannot see a draft course yet");
}

#[tokio::test]
async fn duration_bounds() {
    for (minutes, ok) in [(0, false), (1, true), (1440, true), (1441, false)] {
        let mut scene = Scene::published();
        let mut tc = provider(ProviderKind::TrueConf);
        tc.expect_create()
            .times(usize::from(ok))
            .returning(|_| Ok(conference()));
        let written = ok.then(|| scene.recording_inserts(None));
        let (owner, course) = (scene.owner(), scene.course.id);
        let mut req = input(ProviderKind::TrueConf);
        req.duration_minutes = minutes;
        let result = scene
            .with_provider(tc)
            .service()
            .schedule(&owner, course, req)
            .await;
        match result {
            Ok(w) => {
                assert!(ok, "{minutes}");
                assert_eq!(w.duration_minutes, minutes);
                assert_eq!(
                    written.unwrap().lock().unwrap()[0].0.duration_minutes,
                    minutes
                );
            }
            Err(e) => {
                assert!(!ok, "{minutes}");
                assert!(matches!(e, ScheduleWebinarError::InvalidDuration(m) if m == minutes));
                assert!(e.to_string().contains("duration_minutes"));
                assert_eq!(e.class(), ErrorClass::Invalid);
            }
        }
    }
}

#[tokio::test]
async fn start_may_be_at_most_five_minutes_ago() {
    let cases = [
        (Duration::minutes(-5), true),
        (Duration::minutes(-5) - Duration::seconds(1), false),
        (Duration::days(-1), false),
    ];
    for (offset, ok) in cases {
        let mut scene = Scene::published();
        let mut tc = provider(ProviderKind::TrueConf);
        tc.expect_create()
            .times(usize::from(ok))
            .returning(|_| Ok(conference()));
        if ok {
            scene.recording_inserts(None);
        }
        let (owner, course) = (scene.owner(), scene.course.id);
        let mut req = input(ProviderKind::TrueConf);
        req.starts_at = now() + offset;
        let result = scene
            .with_provider(tc)
            .service()
            .schedule(&owner, course, req)
            .await;
        match result {
            Ok(w) => assert!(ok && w.starts_at == now() + offset, "{offset}"),
            Err(e) => {
                assert!(!ok, "{offset}");
                assert!(matches!(e, ScheduleWebinarError::StartsInPast));
                assert!(e.to_string().contains("starts_at"));
            }
        }
    }
}

#[tokio::test]
async fn unconfigured_provider_is_refused() {
    let scene = Scene::published();
    let (owner, course) = (scene.owner(), scene.course.id);
    let err = scene
        .with_provider(provider(ProviderKind::TrueConf))
        .service()
        .schedule(&owner, course, input(ProviderKind::Telemost))
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        ScheduleWebinarError::UnknownProvider(ProviderKind::Telemost)
    ));
    assert_eq!(err.code(), "unknown_provider");
    assert!(err.to_string().contains("telemost"));
}

#[tokio::test]
async fn external_link_needs_a_valid_http_link() {
    let bad = [
        (None, ExternalUrlError::Missing),
        (Some("   "), ExternalUrlError::Missing),
        (Some("ftp://files.school.ru/x"), ExternalUrlError::Scheme),
        (Some("javascript:alert(1)"), ExternalUrlError::Scheme),
        (Some("https:///path"), ExternalUrlError::Host),
        (Some("https://zoom.us/j/1 2"), ExternalUrlError::Malformed),
    ];
    for (url, expected) in bad {
        let scene = Scene::published();
        let (owner, course) = (scene.owner(), scene.course.id);
        let mut req = input(ProviderKind::ExternalLink);
        req.external_url = url.map(str::to_owned);
        let err = scene
            .with_provider(provider(ProviderKind::ExternalLink))
            .service()
            .schedule(&owner, course, req)
            .await
            .unwrap_err();
        assert!(
            matches!(err, ScheduleWebinarError::InvalidUrl(e) if e == expected),
            "{url:?}: {err:?}"
        );
        assert!(err.to_string().contains("external_url"));
        assert_eq!(err.class(), ErrorClass::Invalid);
    }
}

#[tokio::test]
async fn external_link_is_passed_to_the_provider() {
    let mut scene = Scene::published();
    let mut link = provider(ProviderKind::ExternalLink);
    link.expect_create()
        .withf(|spec| spec.external_url.as_deref() == Some("https://zoom.us/j/123?pwd=x"))
        .times(1)
        .returning(|spec| {
            Ok(Conference {
                conference_id: None,
                join_url: spec.external_url.clone().unwrap(),
                host_url: None,
            })
        });
    let written = scene.recording_inserts(None);
    let (owner, course) = (scene.owner(), scene.course.id);
    let mut req = input(ProviderKind::ExternalLink);
    req.external_url = Some("  https://zoom.us/j/123?pwd=x ".into());
    let webinar = scene
        .with_provider(link)
        .service()
        .schedule(&owner, course, req)
        .await
        .unwrap();
    assert_eq!(webinar.join_url, "https://zoom.us/j/123?pwd=x");
    assert_eq!(webinar.conference_id, None);
    assert_eq!(written.lock().unwrap()[0].0.join_url, webinar.join_url);
}

#[tokio::test]
async fn provider_failures_store_nothing() {
    let cases = [
        (
            ProviderError::Transient("timeout".into()),
            ErrorClass::Unavailable,
        ),
        (
            ProviderError::Permanent("400: поле topic слишком длинное".into()),
            ErrorClass::Conflict,
        ),
    ];
    for (failure, class) in cases {
        let scene = Scene::published();
        let mut tc = provider(ProviderKind::TrueConf);
        let failure = Mutex::new(Some(failure));
        tc.expect_create()
            .times(1)
            .returning(move |_| Err(failure.lock().unwrap().take().unwrap()));
        let (owner, course) = (scene.owner(), scene.course.id);
        // No insert expectation: storing would panic.
        let err = scene
            .with_provider(tc)
            .service()
            .schedule(&owner, course, input(ProviderKind::TrueConf))
            .await
            .unwrap_err();
        assert_eq!(err.class(), class);
        match err {
            ScheduleWebinarError::ProviderUnavailable(msg) => assert_eq!(msg, "timeout"),
            ScheduleWebinarError::ProviderRejected(ref msg) => {
                assert_eq!(msg, "400: поле topic слишком длинное");
                assert!(err.to_string().contains("поле topic слишком длинное"));
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[tokio::test]
async fn failed_insert_deletes_the_conference_and_keeps_the_storage_error() {
    let mut scene = Scene::published();
    let mut tc = provider(ProviderKind::TrueConf);
    tc.expect_create().times(1).returning(|_| Ok(conference()));
    tc.expect_delete()
        .withf(|id| id.as_deref() == Some("tc-42"))
        .times(1)
        .returning(|_| Err(ProviderError::Transient("also down".into())));
    scene.recording_inserts(Some(StorageError::Transient("pool timeout".into())));
    let (owner, course) = (scene.owner(), scene.course.id);
    let err = scene
        .with_provider(tc)
        .service()
        .schedule(&owner, course, input(ProviderKind::TrueConf))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ScheduleWebinarError::Storage(StorageError::Transient(ref m)) if m == "pool timeout")
    );
    assert_eq!(err.code(), "storage_unavailable");
}

#[tokio::test]
async fn missing_owner_account_is_an_internal_error_before_the_provider() {
    let mut scene = Scene::published();
    scene.users.checkpoint();
    scene.users.expect_get_user().returning(|_| Ok(None));
    let (admin, course) = (scene.admin.actor(), scene.course.id);
    let err = scene
        .with_provider(provider(ProviderKind::TrueConf))
        .service()
        .schedule(&admin, course, input(ProviderKind::TrueConf))
        .await
        .unwrap_err();
    assert_eq!(err.class(), ErrorClass::Internal);
    assert!(matches!(err, ScheduleWebinarError::OwnerMissing(_)));
}

// ---- reschedule ----
