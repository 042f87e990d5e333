//! Tests: lessons: writes.

use super::*;

#[tokio::test]
async fn owner_creates_a_lesson_and_gets_the_stored_one() {
    let c = course(Published);
    let a = actor(Role::Teacher);
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, Some(CourseRole::Owner));
    let input = lesson_input();
    let i = input.clone();
    let cid = c.id;
    courses
        .expect_insert_lesson()
        .withf(move |l| {
            l.course_id == cid
                && l.title == i.title
                && l.body == i.body
                && l.publish_at == i.publish_at
                && l.attachments.is_empty()
                && l.created_at == now()
        })
        .times(1)
        .returning(|l| {
            Ok(Lesson {
                position: 4,
                ..l.clone()
            })
        });
    let svc = service(courses, MockUserStore::new());
    let lesson = svc.create_lesson(&a, c.id, input).await.unwrap();
    assert_eq!(lesson.position, 4, "the store's position is returned");
    assert_eq!(lesson.body.as_html(), "<h2>Дискриминант</h2>");
    assert_eq!(lesson.course_id, c.id);
}

#[tokio::test]
async fn a_new_lesson_is_published_unless_created_as_a_draft() {
    for (asked, stored) in [(None, true), (Some(true), true), (Some(false), false)] {
        let c = course(Published);
        let a = actor(Role::Teacher);
        let mut courses = MockCourseStore::new();
        expect_access(&mut courses, &c, &a, Some(CourseRole::Owner));
        courses
            .expect_insert_lesson()
            .withf(move |l| l.published == stored)
            .times(1)
            .returning(|l| Ok(l.clone()));
        let svc = service(courses, MockUserStore::new());
        let input = LessonInput {
            published: asked,
            ..lesson_input()
        };
        let lesson = svc.create_lesson(&a, c.id, input).await.unwrap();
        assert_eq!(lesson.published, stored, "asked for {asked:?}");
    }
}

#[tokio::test]
async fn an_update_keeps_the_draft_state_unless_it_names_one() {
    let c = course(Published);
    let a = actor(Role::Admin);
    for (was, asked, now_published) in [
        (false, None, false),
        (true, None, true),
        (false, Some(true), true),
        (true, Some(false), false),
    ] {
        let old = Lesson {
            published: was,
            ..lesson_of(&c, None)
        };
        let (courses, stored) = editing(&c, &a, &old);
        let svc = service(courses, MockUserStore::new());
        let input = LessonInput {
            published: asked,
            ..lesson_input()
        };
        let updated = svc.update_lesson(&a, old.id, input).await.unwrap();
        assert_eq!(updated.published, now_published, "{was} then {asked:?}");
        assert_eq!(stored.lock().unwrap()[0].published, now_published);
    }
}

#[tokio::test]
async fn no_lessons_are_added_to_archived_courses() {
    let c = course(Archived);
    let a = actor(Role::Admin);
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, None);
    let svc = service(courses, MockUserStore::new());
    let err = svc
        .create_lesson(&a, c.id, lesson_input())
        .await
        .unwrap_err();
    assert!(matches!(err, LessonError::CourseArchived));
}

#[tokio::test]
async fn lesson_creation_is_denied_to_non_managers() {
    assert_denied(
        Level::Manage,
        "course_not_found",
        no_extra,
        async |svc, a, c| svc.create_lesson(a, c.id, lesson_input()).await,
    )
    .await;
}

#[tokio::test]
async fn update_lesson_replaces_content_and_keeps_place() {
    let c = course(Published);
    let a = actor(Role::Admin);
    let old = lesson_of(&c, None);
    let mut courses = MockCourseStore::new();
    expect_lesson_access(&mut courses, &old, &c, &a, None, false);
    let input = lesson_input();
    let expected = Lesson {
        title: input.title.clone(),
        body: input.body.clone(),
        publish_at: input.publish_at,
        ..old.clone()
    };
    let e = expected.clone();
    courses
        .expect_update_lesson()
        .withf(move |l| *l == e)
        .times(1)
        .returning(|_| Ok(()));
    let svc = service(courses, MockUserStore::new());
    let updated = svc.update_lesson(&a, old.id, input).await.unwrap();
    assert_eq!(updated, expected);
    assert_eq!(updated.position, 3);
    assert_eq!(updated.created_at, old.created_at);
}

/// An admin about to edit `old`, whose stored copy is returned and whose
/// update is captured.
pub(super) fn editing(
    c: &Course,
    a: &Actor,
    old: &Lesson,
) -> (MockCourseStore, Arc<Mutex<Vec<Lesson>>>) {
    let mut courses = MockCourseStore::new();
    expect_lesson_access(&mut courses, old, c, a, None, false);
    let stored = Arc::new(Mutex::new(Vec::new()));
    let s = stored.clone();
    courses.expect_update_lesson().returning(move |l| {
        s.lock().unwrap().push(l.clone());
        Ok(())
    });
    (courses, stored)
}

/// A registry holding `files` as the uploads of `lesson`, listed at
/// most `times` times.
pub(super) fn lesson_uploads(
    lesson: LessonId,
    files: &[FileRef],
    times: usize,
) -> MockFileRegistry {
    let mut registry = MockFileRegistry::new();
    let files = files.to_vec();
    registry
        .expect_list_by_owner()
        .withf(move |o| *o == FileOwner::Lesson(lesson))
        .times(times)
        .returning(move |_| Ok(files.clone()));
    // No file is looked up as the editor's draft.
    registry.expect_get().returning(|_| Ok(None));
    registry
}

#[tokio::test]
async fn update_lesson_attaches_its_uploads_in_the_given_order_once() {
    let c = course(Published);
    let a = actor(Role::Admin);
    let mut old = lesson_of(&c, None);
    old.attachments = vec![file_ref("старый.pdf")];
    let uploads = [file_ref("1.pdf"), file_ref("2.pdf"), file_ref("3.pdf")];
    let (courses, stored) = editing(&c, &a, &old);
    let svc = service_with_files(
        courses,
        MockUserStore::new(),
        lesson_uploads(old.id, &uploads, 1),
    );
    let mut input = lesson_input();
    input.attachment_ids = Some(vec![uploads[2].id, uploads[0].id, uploads[2].id]);

    let updated = svc.update_lesson(&a, old.id, input).await.unwrap();

    let expected = vec![uploads[2].clone(), uploads[0].clone()];
    assert_eq!(updated.attachments, expected);
    assert_eq!(stored.lock().unwrap()[0].attachments, expected);
}

#[tokio::test]
async fn update_lesson_without_attachment_ids_keeps_the_stored_ones() {
    let c = course(Published);
    let a = actor(Role::Admin);
    let mut old = lesson_of(&c, None);
    old.attachments = vec![file_ref("конспект.pdf")];
    let (courses, stored) = editing(&c, &a, &old);
    // No registry expectation: keeping looks no file up.
    let svc = service(courses, MockUserStore::new());

    let updated = svc.update_lesson(&a, old.id, lesson_input()).await.unwrap();

    assert_eq!(updated.attachments, old.attachments);
    assert_eq!(stored.lock().unwrap()[0].attachments, old.attachments);
    assert_eq!(updated.title, lesson_input().title);

    let (courses, _) = editing(&c, &a, &old);
    let svc = service(courses, MockUserStore::new());
    let mut clear = lesson_input();
    clear.attachment_ids = Some(Vec::new());
    let cleared = svc.update_lesson(&a, old.id, clear).await.unwrap();
    assert!(cleared.attachments.is_empty(), "an empty list removes them");
}

#[tokio::test]
async fn a_file_not_uploaded_to_the_lesson_is_refused_for_the_field() {
    let c = course(Published);
    let a = actor(Role::Admin);
    let old = lesson_of(&c, None);
    let mine = file_ref("мой.pdf");
    let foreign = FileId::new();
    let mut courses = MockCourseStore::new();
    expect_lesson_access(&mut courses, &old, &c, &a, None, false);
    // No update expected: a write would panic.
    let svc = service_with_files(
        courses,
        MockUserStore::new(),
        lesson_uploads(old.id, std::slice::from_ref(&mine), 1),
    );
    let mut input = lesson_input();
    input.attachment_ids = Some(vec![mine.id, foreign]);

    let err = svc.update_lesson(&a, old.id, input).await.unwrap_err();

    assert!(matches!(err, LessonError::AttachmentNotUploaded(id) if id == foreign));
    assert_eq!(err.class(), crate::error::ErrorClass::Invalid);
    assert_eq!(err.code(), "invalid_field");
    assert_eq!(
        err.to_string(),
        format!("attachment_ids: file {foreign} was not uploaded to this lesson")
    );
}

#[tokio::test]
async fn a_new_lesson_takes_no_file_but_the_authors_drafts() {
    let c = course(Draft);
    let a = actor(Role::Teacher);
    let mut courses = MockCourseStore::new();
    expect_access(&mut courses, &c, &a, Some(CourseRole::Owner));
    // No insert expected: the file is no draft of the author's.
    let mut files = MockFileRegistry::new();
    files.expect_get().returning(|_| Ok(None));
    let svc = service_with_files(courses, MockUserStore::new(), files);
    let id = FileId::new();
    let mut input = lesson_input();
    input.attachment_ids = Some(vec![id]);
    let err = svc.create_lesson(&a, c.id, input).await.unwrap_err();
    assert!(matches!(err, LessonError::AttachmentNotUploaded(x) if x == id));
    assert_eq!(err.code(), "invalid_field");
}

#[tokio::test]
async fn lesson_attachments_are_looked_up_only_for_those_who_may_edit() {
    let with_ids = || LessonInput {
        attachment_ids: Some(vec![FileId::new()]),
        ..lesson_input()
    };
    // `service` has a registry that panics on any lookup.
    assert_denied(
        Level::Manage,
        "lesson_not_found",
        visible_lesson,
        async |svc, a, c| {
            svc.update_lesson(a, lesson_of(c, None).id, with_ids())
                .await
        },
    )
    .await;
    assert_denied(
        Level::Manage,
        "course_not_found",
        no_extra,
        async |svc, a, c| svc.create_lesson(a, c.id, with_ids()).await,
    )
    .await;
    let c = course(Archived);
    let a = actor(Role::Teacher);
    let mut courses = MockCourseStore::new();
    visible_lesson(&mut courses, &c, &a, Some(CourseRole::Owner));
    let err = service(courses, MockUserStore::new())
        .update_lesson(&a, lesson_of(&c, None).id, with_ids())
        .await
        .unwrap_err();
    assert!(matches!(err, LessonError::CourseArchived));
}

#[tokio::test]
async fn lesson_edits_are_denied_to_non_managers() {
    assert_denied(
        Level::Manage,
        "lesson_not_found",
        visible_lesson,
        async |svc, a, c| {
            svc.update_lesson(a, lesson_of(c, None).id, lesson_input())
                .await
        },
    )
    .await;
    assert_denied(
        Level::Manage,
        "lesson_not_found",
        visible_lesson,
        async |svc, a, c| svc.delete_lesson(a, lesson_of(c, None).id).await,
    )
    .await;
}

#[tokio::test]
async fn students_cannot_learn_of_unpublished_lessons_by_editing() {
    let c = course(Published);
    let a = actor(Role::Student);
    let future = lesson_of(&c, Some(now() + Duration::hours(1)));
    let draft = Lesson {
        published: false,
        ..lesson_of(&c, None)
    };
    for hidden in [future, draft] {
        let mut courses = MockCourseStore::new();
        expect_lesson_access(
            &mut courses,
            &hidden,
            &c,
            &a,
            Some(CourseRole::Student),
            false,
        );
        let svc = service(courses, MockUserStore::new());
        let err = svc
            .update_lesson(&a, hidden.id, lesson_input())
            .await
            .unwrap_err();
        assert!(matches!(err, LessonError::LessonNotFound));
        let err = svc.delete_lesson(&a, hidden.id).await.unwrap_err();
        assert!(matches!(err, LessonError::LessonNotFound));
    }
}

#[tokio::test]
async fn lessons_of_archived_courses_are_frozen() {
    let c = course(Archived);
    let a = actor(Role::Teacher);
    let mut courses = MockCourseStore::new();
    visible_lesson(&mut courses, &c, &a, Some(CourseRole::Owner));
    let svc = service(courses, MockUserStore::new());
    let id = lesson_of(&c, None).id;
    let err = svc.update_lesson(&a, id, lesson_input()).await.unwrap_err();
    assert!(matches!(err, LessonError::CourseArchived));
    let err = svc.delete_lesson(&a, id).await.unwrap_err();
    assert!(matches!(err, LessonError::CourseArchived));
}

#[tokio::test]
async fn delete_lesson_removes_it_or_reports_it_gone() {
    for existed in [true, false] {
        let c = course(Draft);
        let a = actor(Role::Teacher);
        let mut courses = MockCourseStore::new();
        visible_lesson(&mut courses, &c, &a, Some(CourseRole::Owner));
        let id = lesson_of(&c, None).id;
        courses
            .expect_delete_lesson()
            .withf(move |x| *x == id)
            .times(1)
            .returning(move |_| Ok(existed));
        let svc = service(courses, MockUserStore::new());
        let result = svc.delete_lesson(&a, id).await;
        if existed {
            result.unwrap();
        } else {
            assert!(matches!(result, Err(LessonError::LessonNotFound)));
        }
    }
}

#[tokio::test]
async fn unknown_lesson_is_not_found() {
    let mut courses = MockCourseStore::new();
    courses.expect_lesson_for().returning(|_, _| Ok(None));
    let svc = service(courses, MockUserStore::new());
    let a = actor(Role::Admin);
    let id = LessonId::new();
    for err in [
        svc.update_lesson(&a, id, lesson_input()).await.unwrap_err(),
        svc.delete_lesson(&a, id).await.unwrap_err(),
        svc.get_lesson(&a, id).await.unwrap_err(),
    ] {
        assert!(matches!(err, LessonError::LessonNotFound));
        assert_eq!(err.code(), "lesson_not_found");
    }
}
