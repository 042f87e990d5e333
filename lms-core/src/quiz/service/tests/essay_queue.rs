//! Tests: the queue of essays waiting for a grade, scoped like the homework
//! queue.

use super::*;
use crate::course::CourseMembership;
use crate::group::{MentorScope, MockGroupStore};
use crate::ids::GroupId;
use crate::quiz::model::PendingEssay;
use crate::user::UserFilter;

fn essay(w: &World, course: CourseId) -> PendingEssay {
    PendingEssay {
        attempt_id: AttemptId::new(),
        quiz_id: w.quiz.id,
        quiz_title: "Тест 1".into(),
        course_id: course,
        course_title: "Алгебра".into(),
        student_id: w.student.user_id,
        student_name: "Анна Петрова".into(),
        finished_at: t0(),
        essays_pending: 1,
    }
}

/// The service over these stores (no quiz data is read but the queue's).
fn queue_service(
    quizzes: MockQuizStore,
    courses: MockCourseStore,
    groups: MockGroupStore,
) -> QuizService {
    QuizService::new(
        Arc::new(quizzes),
        Arc::new(crate::bank::MockBankStore::new()),
        Arc::new(courses),
        Arc::new(groups),
        Arc::new(crate::file::MockFileRegistry::new()),
        Arc::new(MockNotificationStore::new()),
        Arc::new(no_course_data()),
        Arc::new(ManualClock::new(t0())),
    )
}

/// A quiz store expecting one read of the queue with exactly these
/// courses and this filter.
fn expecting(
    courses: Vec<CourseId>,
    filter: UserFilter,
    answer: Vec<PendingEssay>,
) -> MockQuizStore {
    let mut q = MockQuizStore::new();
    q.expect_pending_essays()
        .withf(move |c, f, p| c == courses.as_slice() && *f == filter && *p == Page::first())
        .times(1)
        .returning(move |_, _, _| Ok(answer.clone()));
    q
}

#[tokio::test]
async fn the_essay_queue_of_one_course_is_for_its_staff() {
    let w = World::new();
    let course = w.course.id;
    let search = UserFilter {
        query: Some("пет".into()),
        role: Some(Role::Admin),
        ..UserFilter::default()
    };
    let without_role = UserFilter {
        role: None,
        ..search.clone()
    };
    for who in [&w.assistant, &w.owner, &w.admin] {
        let queue = vec![essay(&w, course)];
        let got = queue_service(
            expecting(vec![course], without_role.clone(), queue.clone()),
            w.courses(),
            crate::group::no_groups(),
        )
        .essay_queue(who, Some(course), &search, Page::first())
        .await
        .unwrap();
        assert_eq!(got, queue, "{:?}", who.role);
    }

    // A mentor of a course with groups: their groups' students.
    let mut groups = MockGroupStore::new();
    groups
        .expect_mentor_scope()
        .returning(|_, _| Ok(MentorScope::Groups(vec![GroupId::new()])));
    let narrowed = UserFilter {
        mentored_by: Some(w.assistant.user_id),
        ..without_role.clone()
    };
    let got = queue_service(
        expecting(vec![course], narrowed, Vec::new()),
        w.courses(),
        groups,
    )
    .essay_queue(&w.assistant, Some(course), &search, Page::first())
    .await
    .unwrap();
    assert!(got.is_empty());

    // Everyone else: refused as by the homework queue, storage not asked.
    for (who, code) in [
        (&w.student, "forbidden"),
        (&w.classmate, "forbidden"),
        (&w.outsider, "course_not_found"),
        (&w.stranger_teacher, "course_not_found"),
    ] {
        let err = queue_service(MockQuizStore::new(), w.courses(), crate::group::no_groups())
            .essay_queue(who, Some(course), &UserFilter::default(), Page::first())
            .await
            .unwrap_err();
        assert_eq!(err.code(), code, "{:?}", who.role);
    }
    let err = queue_service(MockQuizStore::new(), w.courses(), crate::group::no_groups())
        .essay_queue(
            &w.admin,
            Some(CourseId::new()),
            &UserFilter::default(),
            Page::first(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), "course_not_found", "an unknown course");
}

#[tokio::test]
async fn the_essay_queue_across_courses_covers_what_the_actor_checks() {
    let w = World::new();
    let assisted = Course {
        id: CourseId::new(),
        ..w.course.clone()
    };
    let studied = Course {
        id: CourseId::new(),
        ..w.course.clone()
    };
    let memberships = vec![
        CourseMembership {
            course: w.course.clone(),
            role: CourseRole::Owner,
        },
        CourseMembership {
            course: assisted.clone(),
            role: CourseRole::Assistant,
        },
        CourseMembership {
            course: studied.clone(),
            role: CourseRole::Student,
        },
    ];
    let member_courses = |who: UserId, ms: Vec<CourseMembership>| {
        let mut c = w.courses();
        c.expect_list_member_courses()
            .withf(move |u, p| *u == who && *p == Page::new(Page::MAX_LIMIT, 0))
            .times(1)
            .returning(move |_, _| Ok(ms.clone()));
        c
    };

    // The owner: the courses they own or assist in, each narrowed by the
    // adapter to what they see there.
    let queue = vec![essay(&w, w.course.id)];
    let got = queue_service(
        expecting(
            vec![w.course.id, assisted.id],
            UserFilter {
                mentored_by: Some(w.owner.user_id),
                ..UserFilter::default()
            },
            queue.clone(),
        ),
        member_courses(w.owner.user_id, memberships.clone()),
        crate::group::no_groups(),
    )
    .essay_queue(&w.owner, None, &UserFilter::default(), Page::first())
    .await
    .unwrap();
    assert_eq!(got, queue);

    // Admins: every course, page by page.
    let all: Vec<Course> = (0..201)
        .map(|_| Course {
            id: CourseId::new(),
            ..w.course.clone()
        })
        .collect();
    let ids: Vec<CourseId> = all.iter().map(|c| c.id).collect();
    let mut c = w.courses();
    c.expect_list_all_courses()
        .times(2)
        .returning(move |p| Ok(p.slice(&all)));
    let got = queue_service(
        expecting(ids, UserFilter::default(), queue.clone()),
        c,
        crate::group::no_groups(),
    )
    .essay_queue(&w.admin, None, &UserFilter::default(), Page::first())
    .await
    .unwrap();
    assert_eq!(got, queue);

    // A student checks nothing: an empty queue without asking storage.
    let only_studied = vec![CourseMembership {
        course: studied,
        role: CourseRole::Student,
    }];
    let got = queue_service(
        MockQuizStore::new(),
        member_courses(w.student.user_id, only_studied),
        crate::group::no_groups(),
    )
    .essay_queue(&w.student, None, &UserFilter::default(), Page::first())
    .await
    .unwrap();
    assert!(got.is_empty());
}
