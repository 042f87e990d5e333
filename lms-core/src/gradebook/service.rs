//! The gradebook service: who may see a course's gradebook, and its CSV export.

use std::collections::HashSet;
use std::sync::Arc;

use thiserror::Error;

use crate::clock::Clock;
use crate::course::{CourseAccess, CourseRole, CourseStore, Refusal};
use crate::dashboard::DashboardStore;
use crate::error::StorageError;
use crate::gradebook::model::Gradebook;
use crate::group::GroupStore;
use crate::ids::{CourseId, GroupId};
use crate::user::{Actor, UserStore};

/// Why a gradebook could not be shown.
#[derive(Debug, Error)]
pub enum GradebookError {
    /// The course does not exist or the actor may not know it exists.
    #[error("course not found")]
    CourseNotFound,
    /// The actor sees the course but may not see every student's grades.
    #[error("only the course's staff may see its gradebook")]
    Forbidden,
    /// No such student in the course, or not one the actor grades.
    #[error("student not found in this course")]
    StudentNotFound,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(GradebookError {
    CourseNotFound => (NotFound, "course_not_found"),
    Forbidden => (Forbidden, "forbidden"),
    StudentNotFound => (NotFound, "student_not_found"),
});

/// Gradebooks of courses, for their staff.
pub struct GradebookService {
    pub(crate) dashboards: Arc<dyn DashboardStore>,
    pub(crate) courses: Arc<dyn CourseStore>,
    pub(crate) groups: Arc<dyn GroupStore>,
    pub(crate) users: Arc<dyn UserStore>,
    pub(crate) clock: Arc<dyn Clock>,
}

impl GradebookService {
    /// A service over these ports.
    #[must_use]
    pub fn new(
        dashboards: Arc<dyn DashboardStore>,
        courses: Arc<dyn CourseStore>,
        groups: Arc<dyn GroupStore>,
        users: Arc<dyn UserStore>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            dashboards,
            courses,
            groups,
            users,
            clock,
        }
    }

    /// The gradebook of a course, for its owner, assistants and admins: a
    /// row per enrolled student the actor grades (a mentor's groups'; the
    /// owner's and admins' every student), only `group`'s when given.
    /// Enrolled students whose account no longer exists are left out.
    pub async fn gradebook(
        &self,
        actor: &Actor,
        course: CourseId,
        group: Option<GroupId>,
    ) -> Result<Gradebook, GradebookError> {
        let access = CourseAccess::load(&*self.courses, &*self.groups, actor, course)
            .await?
            .ok_or(GradebookError::CourseNotFound)?;
        if !access.can_grade() {
            return Err(match access.refusal() {
                Refusal::Forbidden => GradebookError::Forbidden,
                Refusal::NotFound => GradebookError::CourseNotFound,
            });
        }
        let role = if actor.is_admin() {
            CourseRole::Owner
        } else {
            access.role().unwrap_or(CourseRole::Owner)
        };
        let data = self
            .dashboards
            .gradebook_course(course, role)
            .await?
            .ok_or(GradebookError::CourseNotFound)?;
        let student_ids = match access.students_seen(&*self.groups, group).await? {
            Some(seen) => seen,
            None => self.courses.enrolled_students(course).await?,
        };
        let students = if student_ids.is_empty() {
            Vec::new()
        } else {
            self.users.get_users(&student_ids).await?
        };
        // Only accounts that were asked for: a row per enrolled student.
        let enrolled: HashSet<_> = student_ids.iter().collect();
        let students: Vec<_> = students
            .into_iter()
            .filter(|u| enrolled.contains(&u.id))
            .collect();
        Ok(Gradebook::build(&data, &students))
    }

    /// The gradebook of a course as CSV (see [`Gradebook::to_csv`]).
    pub async fn csv(
        &self,
        actor: &Actor,
        course: CourseId,
        group: Option<GroupId>,
    ) -> Result<String, GradebookError> {
        Ok(self.gradebook(actor, course, group).await?.to_csv())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::course::{Course, CourseStatus, MockCourseStore};
    use crate::dashboard::model::fixtures::*;
    use crate::dashboard::{MockDashboardStore, StaffCourseData};
    use crate::ids::UserId;
    use crate::user::{MockUserStore, Role, User};

    fn actor(role: Role) -> Actor {
        Actor {
            user_id: UserId::new(),
            role,
        }
    }

    fn courses_with(course: &Course, membership: Option<CourseRole>) -> MockCourseStore {
        let mut courses = MockCourseStore::new();
        let stored = course.clone();
        courses
            .expect_course_for()
            .returning(move |_, _| Ok(Some((stored.clone(), membership))));
        courses
    }

    struct World {
        course: Course,
        data: StaffCourseData,
        students: Vec<User>,
    }

    fn world() -> World {
        let course = course("Геометрия", CourseStatus::Published);
        let a = assignment(&course, "Треугольники", t0() - days(1), 10.0);
        let students = vec![
            user("Вера", "vera@school.example", Role::Student),
            user("Антон", "anton@school.example", Role::Student),
        ];
        let data = StaffCourseData {
            course: course.clone(),
            role: CourseRole::Owner,
            student_count: 2,
            submissions: vec![graded(&a, students[0].id, false, 8.0, t0())],
            assignments: vec![a],
            quizzes: vec![],
            attempts: vec![],
            quiz_max_scores: Default::default(),
        };
        World {
            course,
            data,
            students,
        }
    }

    /// A service where the actor has `membership` and the reads are expected
    /// with `expected_role`.
    fn service(
        w: &World,
        membership: Option<CourseRole>,
        expected_role: CourseRole,
    ) -> GradebookService {
        let mut courses = courses_with(&w.course, membership);
        let ids: Vec<UserId> = w.students.iter().map(|u| u.id).collect();
        let enrolled = ids.clone();
        let id = w.course.id;
        courses
            .expect_enrolled_students()
            .withf(move |c| *c == id)
            .returning(move |_| Ok(enrolled.clone()));
        let mut dashboards = MockDashboardStore::new();
        let data = w.data.clone();
        dashboards
            .expect_gradebook_course()
            .withf(move |c, r| *c == id && *r == expected_role)
            .times(1)
            .returning(move |_, _| Ok(Some(data.clone())));
        let mut users = MockUserStore::new();
        // The store may return unrelated users; they must not become rows.
        let mut returned = w.students.clone();
        returned.push(user("Посторонний", "x@school.example", Role::Teacher));
        users
            .expect_get_users()
            .withf(move |asked| asked == ids.as_slice())
            .times(1)
            .returning(move |_| Ok(returned.clone()));
        GradebookService::new(
            Arc::new(dashboards),
            Arc::new(courses),
            Arc::new(crate::group::no_groups()),
            Arc::new(users),
            Arc::new(crate::clock::ManualClock::new(t0())),
        )
    }

    #[tokio::test]
    async fn course_staff_get_the_gradebook_of_enrolled_students() {
        let w = world();
        for (role, membership, expected_role) in [
            (Role::Teacher, Some(CourseRole::Owner), CourseRole::Owner),
            (
                Role::Assistant,
                Some(CourseRole::Assistant),
                CourseRole::Assistant,
            ),
            (Role::Admin, None, CourseRole::Owner),
        ] {
            let g = service(&w, membership, expected_role)
                .gradebook(&actor(role), w.course.id, None)
                .await
                .unwrap();
            let rows: Vec<_> = g
                .rows
                .iter()
                .map(|r| (r.student_name.as_str(), r.cells.clone()))
                .collect();
            assert_eq!(
                rows,
                vec![("Антон", vec![None]), ("Вера", vec![Some(8.0)])],
                "{role:?}"
            );
        }
    }

    #[tokio::test]
    async fn csv_export_is_the_gradebook_as_csv() {
        let w = world();
        let csv = service(&w, Some(CourseRole::Owner), CourseRole::Owner)
            .csv(&actor(Role::Teacher), w.course.id, None)
            .await
            .unwrap();
        assert_eq!(
            csv,
            "\u{FEFF}Студент,E-mail,Треугольники,Итого,Из,%\r\n\
             Антон,anton@school.example,,0,10,0\r\n\
             Вера,vera@school.example,8,8,10,80\r\n"
        );
    }

    #[tokio::test]
    async fn a_course_without_students_asks_for_no_accounts() {
        let w = world();
        let mut courses = courses_with(&w.course, Some(CourseRole::Owner));
        courses.expect_enrolled_students().returning(|_| Ok(vec![]));
        let mut dashboards = MockDashboardStore::new();
        let data = w.data.clone();
        dashboards
            .expect_gradebook_course()
            .returning(move |_, _| Ok(Some(data.clone())));
        let s = GradebookService::new(
            Arc::new(dashboards),
            Arc::new(courses),
            Arc::new(crate::group::no_groups()),
            Arc::new(MockUserStore::new()),
            Arc::new(crate::clock::ManualClock::new(t0())),
        );
        let g = s
            .gradebook(&actor(Role::Teacher), w.course.id, None)
            .await
            .unwrap();
        assert!(g.rows.is_empty());
        assert_eq!(g.columns.len(), 1);
    }

    #[tokio::test]
    async fn everyone_else_gets_not_found_or_forbidden() {
        let published = course("Открытый", CourseStatus::Published);
        let draft = course("Черновик", CourseStatus::Draft);
        for (c, role, membership, code) in [
            (
                &published,
                Role::Student,
                Some(CourseRole::Student),
                "forbidden",
            ),
            (&published, Role::Student, None, "course_not_found"),
            (&published, Role::Teacher, None, "course_not_found"),
            (&published, Role::Assistant, None, "course_not_found"),
            (
                &draft,
                Role::Student,
                Some(CourseRole::Student),
                "course_not_found",
            ),
        ] {
            let s = GradebookService::new(
                Arc::new(MockDashboardStore::new()),
                Arc::new(courses_with(c, membership)),
                Arc::new(crate::group::no_groups()),
                Arc::new(MockUserStore::new()),
                Arc::new(crate::clock::ManualClock::new(t0())),
            );
            let err = s.csv(&actor(role), c.id, None).await.unwrap_err();
            assert_eq!(
                crate::error::DomainError::code(&err),
                code,
                "{role:?} {membership:?}"
            );
        }
        let mut none = MockCourseStore::new();
        none.expect_course_for().returning(|_, _| Ok(None));
        let s = GradebookService::new(
            Arc::new(MockDashboardStore::new()),
            Arc::new(none),
            Arc::new(crate::group::no_groups()),
            Arc::new(MockUserStore::new()),
            Arc::new(crate::clock::ManualClock::new(t0())),
        );
        let err = s
            .gradebook(&actor(Role::Admin), crate::ids::CourseId::new(), None)
            .await
            .unwrap_err();
        assert!(matches!(err, GradebookError::CourseNotFound));
    }
}
