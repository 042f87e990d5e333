//! Who may do what: pure authorisation rules over the actor's school-wide
//! role and their role in a course. Services call these before every read
//! and write, so an embedder who writes their own HTTP layer keeps them.

use crate::course::{CourseRole, CourseStatus};
use crate::user::{Actor, Role};

/// Admins manage users.
#[must_use]
pub fn can_manage_users(actor: &Actor) -> bool {
    actor.role == Role::Admin
}

/// Teachers and admins create courses.
#[must_use]
pub fn can_create_course(actor: &Actor) -> bool {
    matches!(actor.role, Role::Teacher | Role::Admin)
}

/// The owner and admins edit a course, its lessons, assignments, quizzes,
/// webinars, staff and enrolment.
#[must_use]
pub fn can_manage_course(actor: &Actor, membership: Option<CourseRole>) -> bool {
    actor.role == Role::Admin || membership == Some(CourseRole::Owner)
}

/// The owner, assistants and admins check homework and see every student's work.
#[must_use]
pub fn can_grade(actor: &Actor, membership: Option<CourseRole>) -> bool {
    actor.role == Role::Admin
        || matches!(membership, Some(CourseRole::Owner | CourseRole::Assistant))
}

/// Staff see a course in any state; enrolled students see it once published
/// (archived courses stay readable).
#[must_use]
pub fn can_view_course(
    actor: &Actor,
    membership: Option<CourseRole>,
    status: CourseStatus,
) -> bool {
    can_grade(actor, membership)
        || (membership == Some(CourseRole::Student) && status != CourseStatus::Draft)
}

/// Enrolled students of a published (not archived) course study in it:
/// hand in homework, take quizzes.
#[must_use]
pub fn can_study(actor: &Actor, membership: Option<CourseRole>, status: CourseStatus) -> bool {
    actor.role == Role::Student
        && membership == Some(CourseRole::Student)
        && status == CourseStatus::Published
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::UserId;

    fn actor(role: Role) -> Actor {
        Actor {
            user_id: UserId::new(),
            role,
        }
    }

    const MEMBERSHIPS: [Option<CourseRole>; 4] = [
        None,
        Some(CourseRole::Owner),
        Some(CourseRole::Assistant),
        Some(CourseRole::Student),
    ];
    const STATUSES: [CourseStatus; 3] = [
        CourseStatus::Draft,
        CourseStatus::Published,
        CourseStatus::Archived,
    ];
    const ROLES: [Role; 4] = [Role::Admin, Role::Teacher, Role::Assistant, Role::Student];

    #[test]
    fn only_admins_manage_users() {
        for role in ROLES {
            assert_eq!(can_manage_users(&actor(role)), role == Role::Admin);
        }
    }

    #[test]
    fn course_creation_is_for_teachers_and_admins() {
        for role in ROLES {
            assert_eq!(
                can_create_course(&actor(role)),
                matches!(role, Role::Teacher | Role::Admin)
            );
        }
    }

    #[test]
    fn exhaustive_course_rules() {
        for role in ROLES {
            for m in MEMBERSHIPS {
                let a = actor(role);
                let admin = role == Role::Admin;
                assert_eq!(
                    can_manage_course(&a, m),
                    admin || m == Some(CourseRole::Owner),
                    "{role:?} {m:?}"
                );
                assert_eq!(
                    can_grade(&a, m),
                    admin || matches!(m, Some(CourseRole::Owner | CourseRole::Assistant)),
                    "{role:?} {m:?}"
                );
                for s in STATUSES {
                    let staff = can_grade(&a, m);
                    let student_sees = m == Some(CourseRole::Student) && s != CourseStatus::Draft;
                    assert_eq!(
                        can_view_course(&a, m, s),
                        staff || student_sees,
                        "{role:?} {m:?} {s:?}"
                    );
                    assert_eq!(
                        can_study(&a, m, s),
                        role == Role::Student
                            && m == Some(CourseRole::Student)
                            && s == CourseStatus::Published
                    );
                }
            }
        }
    }

    #[test]
    fn students_never_see_drafts_or_grade() {
        let s = actor(Role::Student);
        assert!(!can_view_course(
            &s,
            Some(CourseRole::Student),
            CourseStatus::Draft
        ));
        assert!(!can_grade(&s, Some(CourseRole::Student)));
        assert!(!can_view_course(&s, None, CourseStatus::Published));
    }
}
