//! Webinar service tests: Who sees which webinars, and their links.

use super::*;

#[tokio::test]
async fn students_see_scheduled_webinars_without_host_links() {
    let mut scene = Scene::published();
    let live = scene.webinar(ProviderKind::TrueConf, WebinarState::Scheduled);
    let gone = scene.webinar(ProviderKind::TrueConf, WebinarState::Cancelled);
    let all = vec![live.clone(), gone.clone()];
    let course = scene.course.id;
    scene
        .webinars
        .expect_list_course_webinars()
        .withf(move |c| *c == course)
        .returning(move |_| Ok(all.clone()));
    let (student, owner, assistant) = (scene.student(), scene.owner(), scene.assistant.actor());
    let service = scene.service();

    let seen = service
        .list_course_webinars(&student, course)
        .await
        .unwrap();
    assert_eq!(
        seen,
        vec![WebinarView {
            webinar: Webinar {
                host_url: None,
                ..live.clone()
            },
            can_manage: false,
        }]
    );

    let seen = service.list_course_webinars(&owner, course).await.unwrap();
    assert_eq!(
        seen,
        vec![
            WebinarView {
                webinar: live.clone(),
                can_manage: true
            },
            WebinarView {
                webinar: gone.clone(),
                can_manage: true
            },
        ]
    );

    let seen = service
        .list_course_webinars(&assistant, course)
        .await
        .unwrap();
    assert_eq!(seen.len(), 2);
    assert_eq!(
        seen[0].webinar.host_url, live.host_url,
        "assistants are staff"
    );
    assert!(!seen[0].can_manage);
}

#[tokio::test]
async fn outsiders_cannot_list() {
    let scene = Scene::published();
    let course = scene.course.id;
    let outsiders = [
        scene.outsider_student.actor(),
        scene.outsider_teacher.actor(),
    ];
    let service = scene.service();
    for actor in outsiders {
        let err = service
            .list_course_webinars(&actor, course)
            .await
            .unwrap_err();
        assert!(matches!(err, ViewWebinarError::CourseNotFound));
        assert_eq!(err.class(), ErrorClass::NotFound);
    }
    let draft = Scene::new(CourseStatus::Draft);
    let (student, course) = (draft.student(), draft.course.id);
    assert!(matches!(
        draft.service().list_course_webinars(&student, course).await,
        Err(ViewWebinarError::CourseNotFound)
    ));
}

#[tokio::test]
async fn get_webinar_applies_the_same_visibility() {
    let scene = Scene::published();
    let live = scene.webinar(ProviderKind::TrueConf, WebinarState::Scheduled);
    let gone = scene.webinar(ProviderKind::TrueConf, WebinarState::Cancelled);
    let mut scene = scene;
    let (l, g) = (live.clone(), gone.clone());
    scene
        .webinars
        .expect_get_webinar()
        .returning(move |id| Ok([&l, &g].into_iter().find(|w| w.id == id).cloned()));
    let (student, owner, outsider, admin) = (
        scene.student(),
        scene.owner(),
        scene.outsider_student.actor(),
        scene.admin.actor(),
    );
    let service = scene.service();

    let view = service.get_webinar(&student, live.id).await.unwrap();
    assert_eq!(view.webinar.host_url, None);
    assert_eq!(view.webinar.join_url, live.join_url);
    assert!(!view.can_manage);
    assert!(matches!(
        service.get_webinar(&student, gone.id).await,
        Err(ViewWebinarError::WebinarNotFound)
    ));
    assert!(matches!(
        service.get_webinar(&outsider, live.id).await,
        Err(ViewWebinarError::WebinarNotFound)
    ));
    assert!(matches!(
        service.get_webinar(&owner, WebinarId::new()).await,
        Err(ViewWebinarError::WebinarNotFound)
    ));
    let view = service.get_webinar(&owner, gone.id).await.unwrap();
    assert_eq!(
        view,
        WebinarView {
            webinar: gone.clone(),
            can_manage: true
        }
    );
    let view = service.get_webinar(&admin, live.id).await.unwrap();
    assert_eq!(view.webinar, live);
    assert!(view.can_manage);
}

// ---- external links ----
