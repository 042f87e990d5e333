//! Tests: lessons: reads.

use super::*;

/// Three lessons students see, then one dated in the future and two
/// drafts (one without a date, one dated in the past).
pub(super) fn lessons_by_date(c: &Course) -> Vec<Lesson> {
    [
        (None, true),
        (Some(now() - Duration::days(1)), true),
        (Some(now()), true),
        (Some(now() + Duration::seconds(1)), true),
        (None, false),
        (Some(now() - Duration::days(1)), false),
    ]
    .into_iter()
    .map(|(publish_at, published)| Lesson {
        id: LessonId::new(),
        publish_at,
        published,
        ..lesson_of(c, None)
    })
    .collect()
}

#[tokio::test]
async fn students_list_only_visible_lessons_and_staff_all() {
    for case in CASES.iter().filter(|c| c.view == Outcome::Allowed) {
        let c = course(case.status);
        let a = actor(case.role);
        let lessons = lessons_by_date(&c);
        let mut courses = MockCourseStore::new();
        expect_access(&mut courses, &c, &a, case.membership);
        let l = lessons.clone();
        let cid = c.id;
        courses
            .expect_list_lessons()
            .withf(move |x| *x == cid)
            .returning(move |_| Ok(l.clone()));
        let svc = service(courses, MockUserStore::new());
        let listed = svc.list_lessons(&a, c.id).await.unwrap();
        let expected = if case.grade == Outcome::Allowed {
            lessons
        } else {
            lessons[..3].to_vec()
        };
        assert_eq!(listed, expected, "{}", case.name);
    }
}

#[tokio::test]
async fn lesson_lists_are_denied_to_those_who_cannot_see_the_course() {
    assert_denied(
        Level::View,
        "course_not_found",
        no_extra,
        async |svc, a, c| svc.list_lessons(a, c.id).await,
    )
    .await;
}

#[tokio::test]
async fn student_opening_a_visible_lesson_records_the_first_view() {
    let c = course(Published);
    let a = actor(Role::Student);
    let lesson = lesson_of(&c, Some(now()));
    let mut courses = MockCourseStore::new();
    expect_lesson_access(
        &mut courses,
        &lesson,
        &c,
        &a,
        Some(CourseRole::Student),
        false,
    );
    let (lid, uid) = (lesson.id, a.user_id);
    courses
        .expect_mark_lesson_viewed()
        .withf(move |l, u, at| *l == lid && *u == uid && *at == now())
        .times(1)
        .returning(|_, _, _| Ok(()));
    let svc = service(courses, MockUserStore::new());
    assert_eq!(svc.get_lesson(&a, lesson.id).await.unwrap(), lesson);
}

#[tokio::test]
async fn a_student_opening_a_lesson_again_costs_one_read_and_no_write() {
    let c = course(Published);
    let a = actor(Role::Student);
    let lesson = lesson_of(&c, Some(now()));
    let mut courses = MockCourseStore::new();
    let found = LessonForViewer {
        lesson: lesson.clone(),
        course: c.clone(),
        role: Some(CourseRole::Student),
        viewed: true,
    };
    courses
        .expect_lesson_for()
        .times(1)
        .returning(move |_, _| Ok(Some(found.clone())));
    // No other expectation: `get_lesson`, `get_course`, `membership` or
    // `mark_lesson_viewed` would panic.
    let svc = service(courses, MockUserStore::new());
    assert_eq!(svc.get_lesson(&a, lesson.id).await.unwrap(), lesson);
}

#[tokio::test]
async fn student_cannot_open_a_lesson_before_its_date() {
    let c = course(Published);
    let a = actor(Role::Student);
    let lesson = lesson_of(&c, Some(now() + Duration::minutes(1)));
    let mut courses = MockCourseStore::new();
    expect_lesson_access(
        &mut courses,
        &lesson,
        &c,
        &a,
        Some(CourseRole::Student),
        false,
    );
    let svc = service(courses, MockUserStore::new());
    let err = svc.get_lesson(&a, lesson.id).await.unwrap_err();
    assert!(matches!(err, LessonError::LessonNotFound));
}

#[tokio::test]
async fn students_never_open_a_draft_and_staff_do() {
    let cases = [
        (Role::Student, Some(CourseRole::Student), false),
        (Role::Teacher, Some(CourseRole::Owner), true),
        (Role::Assistant, Some(CourseRole::Assistant), true),
        (Role::Admin, None, true),
    ];
    for (role, membership, sees) in cases {
        let c = course(Published);
        let a = actor(role);
        // Dated in the past: only the draft state hides it.
        let draft = Lesson {
            published: false,
            ..lesson_of(&c, Some(now() - Duration::days(1)))
        };
        let mut courses = MockCourseStore::new();
        expect_lesson_access(&mut courses, &draft, &c, &a, membership, false);
        // No view is recorded: the mock has no expectation for it.
        let svc = service(courses, MockUserStore::new());
        let got = svc.get_lesson(&a, draft.id).await;
        if sees {
            assert_eq!(got.unwrap(), draft, "{role:?}");
        } else {
            assert!(
                matches!(got, Err(LessonError::LessonNotFound)),
                "{role:?}: {got:?}"
            );
        }
    }
}

#[tokio::test]
async fn staff_open_future_lessons_without_recording_views() {
    for (role, membership) in [
        (Role::Teacher, Some(CourseRole::Owner)),
        (Role::Assistant, Some(CourseRole::Assistant)),
        (Role::Admin, None),
    ] {
        let c = course(Draft);
        let a = actor(role);
        let lesson = lesson_of(&c, Some(now() + Duration::days(7)));
        let mut courses = MockCourseStore::new();
        expect_lesson_access(&mut courses, &lesson, &c, &a, membership, false);
        let svc = service(courses, MockUserStore::new());
        assert_eq!(svc.get_lesson(&a, lesson.id).await.unwrap(), lesson);
    }
}

#[tokio::test]
async fn lessons_are_hidden_from_those_who_cannot_see_the_course() {
    assert_denied(
        Level::View,
        "lesson_not_found",
        visible_lesson,
        async |svc, a, c| svc.get_lesson(a, lesson_of(c, None).id).await,
    )
    .await;
}
