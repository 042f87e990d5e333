//! The dashboard service: reads a snapshot, checks who may see it and builds
//! the view with the pure builders of [`super::model`].

use std::sync::Arc;

use thiserror::Error;

use crate::clock::Clock;
use crate::course::{CourseAccess, CourseRole, CourseStore, Refusal};
use crate::dashboard::items::item_statistics;
use crate::dashboard::model::{
    CourseStatistics, StaffDashboard, StudentDashboard, build_staff_dashboard,
    build_student_dashboard, course_statistics,
};
use crate::dashboard::ports::DashboardStore;
use crate::error::StorageError;
use crate::group::GroupStore;
use crate::ids::{CourseId, GroupId};
use crate::user::{Actor, Role};

/// How many queue entries a staff dashboard shows.
pub const QUEUE_LIMIT: u32 = 50;

/// Why a dashboard could not be shown.
#[derive(Debug, Error)]
pub enum DashboardError {
    /// The student dashboard is for students.
    #[error("only students have a student dashboard")]
    NotStudent,
    /// The staff dashboard is for teachers, assistants and admins.
    #[error("only teachers, assistants and admins have a staff dashboard")]
    NotStaff,
    /// The course does not exist or the actor may not know it exists.
    #[error("course not found")]
    CourseNotFound,
    /// The actor sees the course but may not see its statistics.
    #[error("only the course's staff may see its statistics")]
    Forbidden,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(DashboardError {
    NotStudent => (Forbidden, "not_a_student"),
    NotStaff => (Forbidden, "not_staff"),
    CourseNotFound => (NotFound, "course_not_found"),
    Forbidden => (Forbidden, "forbidden"),
});

/// Personal dashboards of students and staff.
pub struct DashboardService {
    pub(crate) dashboards: Arc<dyn DashboardStore>,
    pub(crate) courses: Arc<dyn CourseStore>,
    pub(crate) groups: Arc<dyn GroupStore>,
    pub(crate) clock: Arc<dyn Clock>,
}

impl DashboardService {
    /// A service over these ports.
    #[must_use]
    pub fn new(
        dashboards: Arc<dyn DashboardStore>,
        courses: Arc<dyn CourseStore>,
        groups: Arc<dyn GroupStore>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            dashboards,
            courses,
            groups,
            clock,
        }
    }

    /// The acting student's dashboard.
    pub async fn student_dashboard(
        &self,
        actor: &Actor,
    ) -> Result<StudentDashboard, DashboardError> {
        if actor.role != Role::Student {
            return Err(DashboardError::NotStudent);
        }
        let now = self.clock.now();
        let snapshot = self.dashboards.student_snapshot(actor.user_id, now).await?;
        Ok(build_student_dashboard(&snapshot, now))
    }

    /// The acting teacher's, assistant's or admin's dashboard: the courses
    /// they own or assist in. A mentor's summaries and queue count only the
    /// students of their groups (read in the same round trip).
    pub async fn staff_dashboard(&self, actor: &Actor) -> Result<StaffDashboard, DashboardError> {
        if actor.role == Role::Student {
            return Err(DashboardError::NotStaff);
        }
        let now = self.clock.now();
        let mut snapshot = self
            .dashboards
            .staff_snapshot(actor.user_id, now, QUEUE_LIMIT)
            .await?;
        // Memberships alone are not enough: an owner demoted to student or
        // assistant keeps the row but not the powers.
        snapshot
            .courses
            .retain(|c| crate::policy::can_grade(actor, Some(c.role)));
        let allowed: std::collections::HashSet<_> =
            snapshot.courses.iter().map(|c| c.course.id).collect();
        snapshot.queue.retain(|p| allowed.contains(&p.course_id));
        if !actor.is_admin() {
            for scope in std::mem::take(&mut snapshot.mentor_scopes) {
                let students: std::collections::HashSet<_> = scope.students.into_iter().collect();
                snapshot.queue.retain(|p| {
                    p.course_id != scope.course_id || students.contains(&p.submission.student_id)
                });
                for c in &mut snapshot.courses {
                    if c.course.id == scope.course_id && c.role == CourseRole::Assistant {
                        c.keep_students(&students);
                    }
                }
            }
        }
        snapshot.webinars.retain(|w| allowed.contains(&w.course_id));
        Ok(build_staff_dashboard(&snapshot, now))
    }

    /// Statistics of one course, for its owner, assistants and admins: a
    /// mentor's count only their groups' students; `group` narrows to one
    /// group.
    pub async fn course_statistics(
        &self,
        actor: &Actor,
        course: CourseId,
        group: Option<GroupId>,
    ) -> Result<CourseStatistics, DashboardError> {
        let access = CourseAccess::load(&*self.courses, &*self.groups, actor, course)
            .await?
            .ok_or(DashboardError::CourseNotFound)?;
        if !access.can_grade() {
            return Err(match access.refusal() {
                Refusal::Forbidden => DashboardError::Forbidden,
                Refusal::NotFound => DashboardError::CourseNotFound,
            });
        }
        let role = if actor.is_admin() {
            CourseRole::Owner
        } else {
            access.role().unwrap_or(CourseRole::Owner)
        };
        let mut data = self
            .dashboards
            .staff_course(course, role)
            .await?
            .ok_or(DashboardError::CourseNotFound)?;
        if let Some(seen) = access.students_seen(&*self.groups, group).await? {
            data.keep_students(&seen.into_iter().collect());
        }
        let now = self.clock.now();
        let mut statistics = course_statistics(&data, now);
        statistics.items = item_statistics(&data, now);
        Ok(statistics)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use crate::course::{CourseStatus, MockCourseStore};
    use crate::dashboard::model::fixtures::*;
    use crate::dashboard::ports::{
        MockDashboardStore, StaffCourseData, StaffSnapshot, StudentCourseData, StudentSnapshot,
    };
    use crate::ids::UserId;

    fn actor(role: Role) -> Actor {
        Actor {
            user_id: UserId::new(),
            role,
        }
    }

    fn service(dashboards: MockDashboardStore, courses: MockCourseStore) -> DashboardService {
        DashboardService::new(
            Arc::new(dashboards),
            Arc::new(courses),
            Arc::new(crate::group::no_groups()),
            Arc::new(ManualClock::new(t0())),
        )
    }

    #[tokio::test]
    async fn students_get_their_dashboard_built_at_the_clock_time() {
        let me = actor(Role::Student);
        let c = course("Алгебра", CourseStatus::Published);
        let a = assignment(&c, "ДЗ", t0() + days(1), 10.0);
        let snapshot = StudentSnapshot {
            courses: vec![StudentCourseData {
                course: c.clone(),
                lessons_visible: 2,
                lessons_viewed: 1,
                assignments: vec![a.clone()],
                extensions: vec![],
                submissions: vec![],
                quizzes: vec![],
                attempts: vec![],
                announcements: vec![],
                last_activity: None,
            }],
            webinars: vec![webinar(&c, "Вебинар", t0() + days(2), 60)],
            achievements: vec![],
        };
        let mut store = MockDashboardStore::new();
        let user = me.user_id;
        store
            .expect_student_snapshot()
            .withf(move |u, now| *u == user && *now == t0())
            .times(1)
            .returning(move |_, _| Ok(snapshot.clone()));
        let d = service(store, MockCourseStore::new())
            .student_dashboard(&me)
            .await
            .unwrap();
        assert_eq!(d.courses[0].course_id, c.id);
        assert_eq!(d.courses[0].percent, 33);
        assert_eq!(d.upcoming_deadlines[0].assignment_id, a.id);
        assert_eq!(d.upcoming_webinars[0].host_url, None);
    }

    #[tokio::test]
    async fn staff_have_no_student_dashboard() {
        for role in [Role::Teacher, Role::Assistant, Role::Admin] {
            let err = service(MockDashboardStore::new(), MockCourseStore::new())
                .student_dashboard(&actor(role))
                .await
                .unwrap_err();
            assert!(matches!(err, DashboardError::NotStudent), "{role:?}");
            assert_eq!(crate::error::DomainError::code(&err), "not_a_student");
        }
    }

    #[tokio::test]
    async fn staff_dashboards_ask_for_a_bounded_queue() {
        for role in [Role::Teacher, Role::Assistant, Role::Admin] {
            let me = actor(role);
            let c = course("Физика", CourseStatus::Published);
            let w = webinar(&c, "Разбор", t0() + days(1), 30);
            let snapshot = StaffSnapshot {
                courses: vec![StaffCourseData {
                    course: c.clone(),
                    role: if role == Role::Assistant {
                        CourseRole::Assistant
                    } else {
                        CourseRole::Owner
                    },
                    student_count: 12,
                    assignments: vec![],
                    submissions: vec![],
                    quizzes: vec![],
                    attempts: vec![],
                    quiz_max_scores: Default::default(),
                }],
                queue: vec![],
                webinars: vec![w.clone()],
                mentor_scopes: Vec::new(),
            };
            let mut store = MockDashboardStore::new();
            let user = me.user_id;
            store
                .expect_staff_snapshot()
                .withf(move |u, now, limit| *u == user && *now == t0() && *limit == QUEUE_LIMIT)
                .times(1)
                .returning(move |_, _, _| Ok(snapshot.clone()));
            let d = service(store, MockCourseStore::new())
                .staff_dashboard(&me)
                .await
                .unwrap();
            assert_eq!(d.courses[0].student_count, 12);
            assert_eq!(d.upcoming_webinars[0].host_url, w.host_url);
        }
    }

    #[tokio::test]
    async fn a_demoted_owner_loses_the_course_from_the_staff_dashboard() {
        // The ownership row stays when an admin makes the teacher an
        // assistant, but the powers do not.
        let me = actor(Role::Assistant);
        let c = course("Физика", CourseStatus::Published);
        let snapshot = StaffSnapshot {
            courses: vec![StaffCourseData {
                course: c.clone(),
                role: CourseRole::Owner,
                student_count: 3,
                assignments: vec![],
                submissions: vec![],
                quizzes: vec![],
                attempts: vec![],
                quiz_max_scores: Default::default(),
            }],
            queue: vec![],
            webinars: vec![webinar(&c, "Разбор", t0() + days(1), 30)],
            mentor_scopes: Vec::new(),
        };
        let mut store = MockDashboardStore::new();
        store
            .expect_staff_snapshot()
            .times(1)
            .returning(move |_, _, _| Ok(snapshot.clone()));
        let d = service(store, MockCourseStore::new())
            .staff_dashboard(&me)
            .await
            .unwrap();
        assert!(
            d.courses.is_empty(),
            "no statistics of a course they no longer own"
        );
        assert!(d.upcoming_webinars.is_empty(), "nor its webinars");
    }

    #[tokio::test]
    async fn students_have_no_staff_dashboard() {
        let err = service(MockDashboardStore::new(), MockCourseStore::new())
            .staff_dashboard(&actor(Role::Student))
            .await
            .unwrap_err();
        assert!(matches!(err, DashboardError::NotStaff));
    }

    #[tokio::test]
    async fn storage_failures_pass_through() {
        let mut store = MockDashboardStore::new();
        store
            .expect_student_snapshot()
            .returning(|_, _| Err(StorageError::Transient("pool timeout".into())));
        let err = service(store, MockCourseStore::new())
            .student_dashboard(&actor(Role::Student))
            .await
            .unwrap_err();
        assert_eq!(
            crate::error::DomainError::class(&err),
            crate::error::ErrorClass::Unavailable
        );
    }

    fn courses_with(
        course: &crate::course::Course,
        membership: Option<CourseRole>,
    ) -> MockCourseStore {
        let mut courses = MockCourseStore::new();
        let stored = course.clone();
        courses
            .expect_course_for()
            .returning(move |_, _| Ok(Some((stored.clone(), membership))));
        courses
    }

    fn staff_course_data(course: &crate::course::Course, role: CourseRole) -> StaffCourseData {
        let a = assignment(course, "ДЗ", t0() - days(1), 10.0);
        StaffCourseData {
            course: course.clone(),
            role,
            student_count: 2,
            submissions: vec![graded(&a, UserId::new(), false, 5.0, t0())],
            assignments: vec![a],
            quizzes: vec![],
            attempts: vec![],
            quiz_max_scores: Default::default(),
        }
    }

    #[tokio::test]
    async fn course_staff_get_statistics_with_their_role() {
        let cases = [
            (Role::Teacher, Some(CourseRole::Owner), CourseRole::Owner),
            (
                Role::Assistant,
                Some(CourseRole::Assistant),
                CourseRole::Assistant,
            ),
            (Role::Admin, None, CourseRole::Owner),
            (Role::Admin, Some(CourseRole::Assistant), CourseRole::Owner),
        ];
        for (role, membership, expected_role) in cases {
            let c = course("Химия", CourseStatus::Draft);
            let data = staff_course_data(&c, expected_role);
            let mut store = MockDashboardStore::new();
            let id = c.id;
            store
                .expect_staff_course()
                .withf(move |course, r| *course == id && *r == expected_role)
                .times(1)
                .returning(move |_, _| Ok(Some(data.clone())));
            let st = service(store, courses_with(&c, membership))
                .course_statistics(&actor(role), c.id, None)
                .await
                .unwrap();
            assert_eq!(st.course_id, c.id);
            assert_eq!(st.submission_rate, Some(0.5));
            assert_eq!(st.average_homework_percent, Some(50.0));
        }
    }

    #[tokio::test]
    async fn statistics_are_hidden_or_forbidden_for_everyone_else() {
        let published = course("Открытый", CourseStatus::Published);
        let draft = course("Черновик", CourseStatus::Draft);
        let cases = [
            // Enrolled student of a visible course: sees it, may not see stats.
            (
                &published,
                Role::Student,
                Some(CourseRole::Student),
                "forbidden",
            ),
            // Not a member: must not learn the course exists.
            (&published, Role::Student, None, "course_not_found"),
            (&published, Role::Teacher, None, "course_not_found"),
            (&published, Role::Assistant, None, "course_not_found"),
            // A student of a draft course does not see it.
            (
                &draft,
                Role::Student,
                Some(CourseRole::Student),
                "course_not_found",
            ),
        ];
        for (c, role, membership, code) in cases {
            let err = service(MockDashboardStore::new(), courses_with(c, membership))
                .course_statistics(&actor(role), c.id, None)
                .await
                .unwrap_err();
            assert_eq!(
                crate::error::DomainError::code(&err),
                code,
                "{role:?} {membership:?}"
            );
        }
    }

    #[tokio::test]
    async fn statistics_of_unknown_courses_are_not_found() {
        let mut courses = MockCourseStore::new();
        courses.expect_course_for().returning(|_, _| Ok(None));
        let err = service(MockDashboardStore::new(), courses)
            .course_statistics(&actor(Role::Admin), crate::ids::CourseId::new(), None)
            .await
            .unwrap_err();
        assert!(matches!(err, DashboardError::CourseNotFound));

        // The read model lost the course between the two reads.
        let c = course("Курс", CourseStatus::Published);
        let mut store = MockDashboardStore::new();
        store.expect_staff_course().returning(|_, _| Ok(None));
        let err = service(store, courses_with(&c, Some(CourseRole::Owner)))
            .course_statistics(&actor(Role::Teacher), c.id, None)
            .await
            .unwrap_err();
        assert!(matches!(err, DashboardError::CourseNotFound));
    }
}
