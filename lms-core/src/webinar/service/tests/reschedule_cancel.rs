//! Webinar service tests: Rescheduling and cancelling.

use super::*;

fn moved() -> RescheduleInput {
    RescheduleInput {
        title: title("Квадратные уравнения, часть 2"),
        starts_at: now() + Duration::days(2),
        duration_minutes: 120,
    }
}

#[tokio::test]
async fn reschedule_updates_provider_takes_new_links_and_tells_students() {
    let scene = Scene::published();
    let old = scene.webinar(ProviderKind::TrueConf, WebinarState::Scheduled);
    let mut scene = scene.with_webinar(&old);
    let mut tc = provider(ProviderKind::TrueConf);
    let expected_spec = ConferenceSpec {
        webinar_id: old.id,
        title: "Квадратные уравнения, часть 2".into(),
        starts_at: moved().starts_at,
        duration_minutes: 120,
        host_email: "teacher@school.ru".into(),
        participant_emails: vec!["anya@mail.ru".into(), "boris@mail.ru".into()],
        external_url: None,
    };
    tc.expect_update()
        .withf(move |id, spec| id.as_deref() == Some("conf-1") && *spec == expected_spec)
        .times(1)
        .returning(|_, _| {
            Ok(Conference {
                conference_id: None,
                join_url: "https://tc.school.ru/c/conf-1?v=2".into(),
                host_url: None,
            })
        });
    let written = scene.recording_updates();
    let (owner, course, active) = (scene.owner(), scene.course.id, scene.active_student_ids());

    let updated = scene
        .with_provider(tc)
        .service()
        .reschedule(&owner, old.id, moved())
        .await
        .unwrap();

    assert_eq!(
        updated,
        Webinar {
            title: moved().title,
            starts_at: moved().starts_at,
            duration_minutes: 120,
            join_url: "https://tc.school.ru/c/conf-1?v=2".into(),
            host_url: None,
            ..old.clone()
        },
        "links come from the provider; the conference id is kept"
    );
    let (stored, outbox) = written.lock().unwrap().pop().unwrap();
    assert_eq!(stored, updated);
    assert_eq!(
        recipients(&outbox),
        active
            .iter()
            .map(|id| (*id, Channel::Email))
            .collect::<Vec<_>>()
    );
    // One change id for the whole fan-out: "<recipient>|webinar_changed:<id>:<change>|email".
    let event = outbox[0].dedup_key.0.split('|').nth(1).unwrap().to_owned();
    assert!(
        event.starts_with(&format!("webinar_changed:{}:", old.id)),
        "{event}"
    );
    for entry in &outbox {
        assert_eq!(
            entry.dedup_key,
            DedupKey::new(entry.recipient_id, &event, entry.channel)
        );
        assert_eq!(
            entry.notification,
            Notification::WebinarChanged {
                course_id: course,
                webinar_id: old.id,
                title: "Квадратные уравнения, часть 2".into(),
                starts_at: Some(moved().starts_at),
                cancelled: false,
            }
        );
    }
}

#[tokio::test]
async fn reschedule_of_external_link_passes_the_stored_link() {
    let scene = Scene::published();
    let mut old = scene.webinar(ProviderKind::ExternalLink, WebinarState::Scheduled);
    old.conference_id = None;
    old.join_url = "https://zoom.us/j/77".into();
    let mut scene = scene.with_webinar(&old);
    let mut link = provider(ProviderKind::ExternalLink);
    link.expect_update()
        .withf(|id, spec| {
            id.is_none() && spec.external_url.as_deref() == Some("https://zoom.us/j/77")
        })
        .times(1)
        .returning(|_, spec| {
            Ok(Conference {
                conference_id: None,
                join_url: spec.external_url.clone().unwrap(),
                host_url: None,
            })
        });
    let written = scene.recording_updates();
    let owner = scene.owner();
    let updated = scene
        .with_provider(link)
        .service()
        .reschedule(&owner, old.id, moved())
        .await
        .unwrap();
    assert_eq!(updated.join_url, "https://zoom.us/j/77");
    assert_eq!(written.lock().unwrap()[0].0.starts_at, moved().starts_at);
}

#[tokio::test]
async fn admin_may_reschedule() {
    let scene = Scene::published();
    let old = scene.webinar(ProviderKind::TrueConf, WebinarState::Scheduled);
    let mut scene = scene.with_webinar(&old);
    let mut tc = provider(ProviderKind::TrueConf);
    tc.expect_update()
        .times(1)
        .returning(|_, _| Ok(conference()));
    let written = scene.recording_updates();
    let admin = scene.admin.actor();
    let updated = scene
        .with_provider(tc)
        .service()
        .reschedule(&admin, old.id, moved())
        .await
        .unwrap();
    assert_eq!(updated.conference_id.as_deref(), Some("tc-42"));
    assert_eq!(written.lock().unwrap()[0].0, updated);
}

#[tokio::test]
async fn non_managers_cannot_reschedule_or_cancel() {
    let scene = Scene::published();
    let webinar = scene.webinar(ProviderKind::TrueConf, WebinarState::Scheduled);
    let scene = scene.with_webinar(&webinar);
    let cases = scene.non_managers();
    let service = scene
        .with_provider(provider(ProviderKind::TrueConf))
        .service();
    for (actor, sees) in cases {
        let err = service
            .reschedule(&actor, webinar.id, moved())
            .await
            .unwrap_err();
        let cancel = service.cancel(&actor, webinar.id).await.unwrap_err();
        if sees {
            assert!(
                matches!(err, RescheduleWebinarError::Forbidden),
                "{actor:?}"
            );
            assert!(matches!(cancel, CancelWebinarError::Forbidden), "{actor:?}");
        } else {
            assert!(matches!(err, RescheduleWebinarError::NotFound), "{actor:?}");
            assert!(matches!(cancel, CancelWebinarError::NotFound), "{actor:?}");
            assert_eq!(cancel.code(), "webinar_not_found");
        }
    }
    let admin = Actor {
        user_id: UserId::new(),
        role: Role::Admin,
    };
    assert!(matches!(
        service.reschedule(&admin, WebinarId::new(), moved()).await,
        Err(RescheduleWebinarError::NotFound)
    ));
    assert!(matches!(
        service.cancel(&admin, WebinarId::new()).await,
        Err(CancelWebinarError::NotFound)
    ));
}

#[tokio::test]
async fn cancelled_webinar_cannot_be_rescheduled() {
    let scene = Scene::published();
    let webinar = scene.webinar(ProviderKind::TrueConf, WebinarState::Cancelled);
    let owner = scene.owner();
    let err = scene
        .with_webinar(&webinar)
        .with_provider(provider(ProviderKind::TrueConf))
        .service()
        .reschedule(&owner, webinar.id, moved())
        .await
        .unwrap_err();
    assert!(matches!(err, RescheduleWebinarError::Cancelled));
    assert_eq!(err.class(), ErrorClass::Conflict);
}

#[tokio::test]
async fn reschedule_validates_like_schedule() {
    let scene = Scene::published();
    let webinar = scene.webinar(ProviderKind::TrueConf, WebinarState::Scheduled);
    let owner = scene.owner();
    let service = scene
        .with_webinar(&webinar)
        .with_provider(provider(ProviderKind::TrueConf))
        .service();
    let mut long = moved();
    long.duration_minutes = 1441;
    assert!(matches!(
        service.reschedule(&owner, webinar.id, long).await,
        Err(RescheduleWebinarError::InvalidDuration(1441))
    ));
    let mut past = moved();
    past.starts_at = now() - Duration::minutes(6);
    assert!(matches!(
        service.reschedule(&owner, webinar.id, past).await,
        Err(RescheduleWebinarError::StartsInPast)
    ));
}

#[tokio::test]
async fn reschedule_in_archived_course_is_refused() {
    let scene = Scene::new(CourseStatus::Archived);
    let webinar = scene.webinar(ProviderKind::TrueConf, WebinarState::Scheduled);
    let owner = scene.owner();
    let err = scene
        .with_webinar(&webinar)
        .with_provider(provider(ProviderKind::TrueConf))
        .service()
        .reschedule(&owner, webinar.id, moved())
        .await
        .unwrap_err();
    assert!(matches!(err, RescheduleWebinarError::CourseArchived));
}

#[tokio::test]
async fn reschedule_provider_failures_change_nothing() {
    let cases: [(Failure, &str); 3] = [
        (
            || ProviderError::Transient("503".into()),
            "provider_unavailable",
        ),
        (
            || ProviderError::Permanent("forbidden".into()),
            "provider_rejected",
        ),
        (|| ProviderError::NotFound, "conference_missing"),
    ];
    for (failure, code) in cases {
        let scene = Scene::published();
        let webinar = scene.webinar(ProviderKind::TrueConf, WebinarState::Scheduled);
        let mut tc = provider(ProviderKind::TrueConf);
        tc.expect_update()
            .times(1)
            .returning(move |_, _| Err(failure()));
        let owner = scene.owner();
        // No update_webinar expectation: storing would panic.
        let err = scene
            .with_webinar(&webinar)
            .with_provider(tc)
            .service()
            .reschedule(&owner, webinar.id, moved())
            .await
            .unwrap_err();
        assert_eq!(err.code(), code);
    }
}

#[tokio::test]
async fn reschedule_and_cancel_need_the_webinars_provider() {
    let scene = Scene::published();
    let webinar = scene.webinar(ProviderKind::Telemost, WebinarState::Scheduled);
    let owner = scene.owner();
    let service = scene
        .with_webinar(&webinar)
        .with_provider(provider(ProviderKind::TrueConf))
        .service();
    assert!(matches!(
        service.reschedule(&owner, webinar.id, moved()).await,
        Err(RescheduleWebinarError::ProviderNotConfigured(
            ProviderKind::Telemost
        ))
    ));
    assert!(matches!(
        service.cancel(&owner, webinar.id).await,
        Err(CancelWebinarError::ProviderNotConfigured(
            ProviderKind::Telemost
        ))
    ));
}

// ---- cancel ----

#[tokio::test]
async fn cancel_deletes_conference_and_tells_students() {
    for deleted in [Ok(()), Err(ProviderError::NotFound)] {
        let scene = Scene::published();
        let webinar = scene.webinar(ProviderKind::TrueConf, WebinarState::Scheduled);
        let mut scene = scene.with_webinar(&webinar);
        let mut tc = provider(ProviderKind::TrueConf);
        let deleted = Mutex::new(Some(deleted));
        tc.expect_delete()
            .withf(|id| id.as_deref() == Some("conf-1"))
            .times(1)
            .returning(move |_| deleted.lock().unwrap().take().unwrap());
        let written = scene.recording_updates();
        let (owner, course, active) = (scene.owner(), scene.course.id, scene.active_student_ids());

        let cancelled = scene
            .with_provider(tc)
            .service()
            .cancel(&owner, webinar.id)
            .await
            .unwrap();

        assert_eq!(
            cancelled,
            Webinar {
                state: WebinarState::Cancelled,
                ..webinar.clone()
            }
        );
        let (stored, outbox) = written.lock().unwrap().pop().unwrap();
        assert_eq!(stored, cancelled);
        assert_eq!(
            recipients(&outbox),
            active
                .iter()
                .map(|id| (*id, Channel::Email))
                .collect::<Vec<_>>()
        );
        let event = format!("webinar_cancelled:{}", webinar.id);
        for entry in &outbox {
            assert_eq!(
                entry.dedup_key,
                DedupKey::new(entry.recipient_id, &event, entry.channel)
            );
            assert_eq!(
                entry.notification,
                Notification::WebinarChanged {
                    course_id: course,
                    webinar_id: webinar.id,
                    title: "Квадратные уравнения".into(),
                    starts_at: None,
                    cancelled: true,
                }
            );
        }
    }
}

#[tokio::test]
async fn cancelling_twice_changes_nothing() {
    let scene = Scene::published();
    let webinar = scene.webinar(ProviderKind::TrueConf, WebinarState::Cancelled);
    let owner = scene.owner();
    // Neither the provider nor update_webinar may be called.
    let again = scene
        .with_webinar(&webinar)
        .with_provider(provider(ProviderKind::TrueConf))
        .service()
        .cancel(&owner, webinar.id)
        .await
        .unwrap();
    assert_eq!(again, webinar);
}

#[tokio::test]
async fn cancel_provider_failures_change_nothing() {
    let cases: [(Failure, ErrorClass); 2] = [
        (
            || ProviderError::Transient("timeout".into()),
            ErrorClass::Unavailable,
        ),
        (
            || ProviderError::Permanent("401".into()),
            ErrorClass::Conflict,
        ),
    ];
    for (failure, class) in cases {
        let scene = Scene::published();
        let webinar = scene.webinar(ProviderKind::TrueConf, WebinarState::Scheduled);
        let mut tc = provider(ProviderKind::TrueConf);
        tc.expect_delete()
            .times(1)
            .returning(move |_| Err(failure()));
        let owner = scene.owner();
        let err = scene
            .with_webinar(&webinar)
            .with_provider(tc)
            .service()
            .cancel(&owner, webinar.id)
            .await
            .unwrap_err();
        assert_eq!(err.class(), class);
    }
}

#[tokio::test]
async fn cancel_in_archived_course_is_allowed() {
    let scene = Scene::new(CourseStatus::Archived);
    let webinar = scene.webinar(ProviderKind::TrueConf, WebinarState::Scheduled);
    let mut scene = scene.with_webinar(&webinar);
    let mut tc = provider(ProviderKind::TrueConf);
    tc.expect_delete().times(1).returning(|_| Ok(()));
    let written = scene.recording_updates();
    let owner = scene.owner();
    let cancelled = scene
        .with_provider(tc)
        .service()
        .cancel(&owner, webinar.id)
        .await
        .unwrap();
    assert_eq!(cancelled.state, WebinarState::Cancelled);
    assert_eq!(written.lock().unwrap()[0].0.state, WebinarState::Cancelled);
}

// ---- views ----
