//! The achievement service: a student's own badges, and a student's badges
//! for the staff of their course.

use std::sync::Arc;

use thiserror::Error;

use crate::achievement::model::Achievement;
use crate::achievement::ports::AchievementStore;
use crate::course::{CourseRole, CourseStore};
use crate::error::StorageError;
use crate::ids::{CourseId, UserId};
use crate::policy;
use crate::user::Actor;

/// Why achievements could not be shown.
#[derive(Debug, Error)]
pub enum AchievementError {
    /// No such student in a course the actor grades in (or no such course).
    #[error("student not found")]
    NotFound,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(AchievementError {
    NotFound => (NotFound, "student_not_found"),
});

/// Reads awarded badges.
pub struct AchievementService {
    achievements: Arc<dyn AchievementStore>,
    courses: Arc<dyn CourseStore>,
}

impl AchievementService {
    /// A service over these ports.
    #[must_use]
    pub fn new(achievements: Arc<dyn AchievementStore>, courses: Arc<dyn CourseStore>) -> Self {
        Self {
            achievements,
            courses,
        }
    }

    /// The acting user's badges, oldest first.
    pub async fn my_achievements(
        &self,
        actor: &Actor,
    ) -> Result<Vec<Achievement>, AchievementError> {
        Ok(self.achievements.list_achievements(actor.user_id).await?)
    }

    /// A student's badges, for staff who grade in `course` where the student
    /// is enrolled. Per-course badges of other courses are left out, so the
    /// view reveals nothing about the student's other courses.
    pub async fn student_achievements(
        &self,
        actor: &Actor,
        student: UserId,
        course: CourseId,
    ) -> Result<Vec<Achievement>, AchievementError> {
        let membership = self.courses.membership(course, actor.user_id).await?;
        if !policy::can_grade(actor, membership) {
            return Err(AchievementError::NotFound);
        }
        if self.courses.membership(course, student).await? != Some(CourseRole::Student) {
            return Err(AchievementError::NotFound);
        }
        let mut badges = self.achievements.list_achievements(student).await?;
        badges.retain(|a| a.course_id.is_none_or(|c| c == course));
        Ok(badges)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::achievement::model::Badge;
    use crate::achievement::ports::MockAchievementStore;
    use crate::course::MockCourseStore;
    use crate::dashboard::model::fixtures::t0;
    use crate::user::Role;

    fn actor(role: Role) -> Actor {
        Actor {
            user_id: UserId::new(),
            role,
        }
    }

    fn badges(student: UserId, course: CourseId, other: CourseId) -> Vec<Achievement> {
        vec![
            Achievement::new(student, Badge::FirstHomework, course, t0()),
            Achievement::new(student, Badge::CourseCompleted, other, t0()),
            Achievement::new(student, Badge::CourseCompleted, course, t0()),
        ]
    }

    #[tokio::test]
    async fn users_see_their_own_badges() {
        let me = actor(Role::Student);
        let list = badges(me.user_id, CourseId::new(), CourseId::new());
        let mut store = MockAchievementStore::new();
        let (id, expected) = (me.user_id, list.clone());
        store
            .expect_list_achievements()
            .withf(move |u| *u == id)
            .times(1)
            .returning(move |_| Ok(list.clone()));
        let s = AchievementService::new(Arc::new(store), Arc::new(MockCourseStore::new()));
        assert_eq!(s.my_achievements(&me).await.unwrap(), expected);
    }

    /// Course store answering the actor's and the student's membership.
    fn courses(
        actor: UserId,
        actor_role: Option<CourseRole>,
        student: UserId,
        student_role: Option<CourseRole>,
    ) -> MockCourseStore {
        let mut c = MockCourseStore::new();
        c.expect_membership().returning(move |_, u| {
            Ok(if u == actor {
                actor_role
            } else if u == student {
                student_role
            } else {
                None
            })
        });
        c
    }

    #[tokio::test]
    async fn course_staff_see_a_students_badges_of_that_course() {
        let course = CourseId::new();
        let other = CourseId::new();
        let student = UserId::new();
        for (role, membership) in [
            (Role::Teacher, Some(CourseRole::Owner)),
            (Role::Assistant, Some(CourseRole::Assistant)),
            (Role::Admin, None),
        ] {
            let staff = actor(role);
            let mut store = MockAchievementStore::new();
            let list = badges(student, course, other);
            store
                .expect_list_achievements()
                .withf(move |u| *u == student)
                .returning(move |_| Ok(list.clone()));
            let s = AchievementService::new(
                Arc::new(store),
                Arc::new(courses(
                    staff.user_id,
                    membership,
                    student,
                    Some(CourseRole::Student),
                )),
            );
            let got = s
                .student_achievements(&staff, student, course)
                .await
                .unwrap();
            let seen: Vec<_> = got.iter().map(|a| (a.badge, a.course_id)).collect();
            assert_eq!(
                seen,
                vec![
                    (Badge::FirstHomework, None),
                    (Badge::CourseCompleted, Some(course)),
                ],
                "{role:?}: other courses' badges stay hidden"
            );
        }
    }

    #[tokio::test]
    async fn everyone_else_gets_not_found() {
        let course = CourseId::new();
        let student = UserId::new();
        let cases = [
            // Not staff of the course.
            (Role::Teacher, None, Some(CourseRole::Student)),
            (Role::Assistant, None, Some(CourseRole::Student)),
            (
                Role::Student,
                Some(CourseRole::Student),
                Some(CourseRole::Student),
            ),
            (Role::Student, None, Some(CourseRole::Student)),
            // Staff, but the user is not a student of the course.
            (Role::Teacher, Some(CourseRole::Owner), None),
            (
                Role::Teacher,
                Some(CourseRole::Owner),
                Some(CourseRole::Assistant),
            ),
            (Role::Admin, None, None),
        ];
        for (role, actor_role, student_role) in cases {
            let a = actor(role);
            let s = AchievementService::new(
                Arc::new(MockAchievementStore::new()),
                Arc::new(courses(a.user_id, actor_role, student, student_role)),
            );
            let err = s
                .student_achievements(&a, student, course)
                .await
                .unwrap_err();
            assert!(
                matches!(err, AchievementError::NotFound),
                "{role:?} {actor_role:?} {student_role:?}"
            );
            assert_eq!(crate::error::DomainError::code(&err), "student_not_found");
        }
    }
}
