//! Who may do what: pure authorisation rules over the actor's school-wide
//! role and their role in a course. Services call these before every read
//! and write, so an embedder who writes their own HTTP layer keeps them.
//!
//! Course powers need both a membership and a school-wide role that can
//! hold it: an owner must be a teacher, an assistant an assistant or a
//! teacher. A user whose role an admin changes keeps their memberships but
//! loses the powers the new role cannot hold, at once and without touching
//! any course (changing the role back gives them back).

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

/// Whether a user with this school-wide role may hold this course membership
/// with its powers: owners are teachers, assistants are assistants or
/// teachers, students are students. Admins need no membership.
#[must_use]
pub fn role_holds(role: Role, membership: CourseRole) -> bool {
    match membership {
        CourseRole::Owner => role == Role::Teacher,
        CourseRole::Assistant => matches!(role, Role::Assistant | Role::Teacher),
        CourseRole::Student => role == Role::Student,
    }
}

/// Whether the actor is the course's owner and still a teacher.
fn owns(actor: &Actor, membership: Option<CourseRole>) -> bool {
    membership == Some(CourseRole::Owner) && role_holds(actor.role, CourseRole::Owner)
}

/// Whether the actor assists in the course and still has a staff role.
fn assists(actor: &Actor, membership: Option<CourseRole>) -> bool {
    membership == Some(CourseRole::Assistant) && role_holds(actor.role, CourseRole::Assistant)
}

/// Admins, and the owner while a teacher, edit a course, its lessons,
/// assignments, quizzes, webinars, staff and enrolment.
#[must_use]
pub fn can_manage_course(actor: &Actor, membership: Option<CourseRole>) -> bool {
    actor.role == Role::Admin || owns(actor, membership)
}

/// Admins, the owner while a teacher, and assistants while an assistant or
/// a teacher check homework and see every student's work.
#[must_use]
pub fn can_grade(actor: &Actor, membership: Option<CourseRole>) -> bool {
    actor.role == Role::Admin || owns(actor, membership) || assists(actor, membership)
}

/// Staff (as [`can_grade`] defines them) see a course in any state;
/// enrolled students see it once published (archived courses stay readable).
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

    /// Every (role, membership) pair written out: (manage, grade).
    #[test]
    fn exhaustive_staff_table() {
        use CourseRole::{Assistant as A, Owner as O, Student as S};
        #[rustfmt::skip]
        let table: [(Role, Option<CourseRole>, bool, bool); 16] = [
            (Role::Admin, None, true, true),
            (Role::Admin, Some(O), true, true),
            (Role::Admin, Some(A), true, true),
            (Role::Admin, Some(S), true, true),
            (Role::Teacher, None, false, false),
            (Role::Teacher, Some(O), true, true),
            (Role::Teacher, Some(A), false, true),
            (Role::Teacher, Some(S), false, false),
            (Role::Assistant, None, false, false),
            (Role::Assistant, Some(O), false, false),
            (Role::Assistant, Some(A), false, true),
            (Role::Assistant, Some(S), false, false),
            (Role::Student, None, false, false),
            (Role::Student, Some(O), false, false),
            (Role::Student, Some(A), false, false),
            (Role::Student, Some(S), false, false),
        ];
        for (role, m, manage, grade) in table {
            let a = actor(role);
            assert_eq!(can_manage_course(&a, m), manage, "manage {role:?} {m:?}");
            assert_eq!(can_grade(&a, m), grade, "grade {role:?} {m:?}");
        }
    }

    #[test]
    fn exhaustive_course_rules() {
        for role in ROLES {
            for m in MEMBERSHIPS {
                let a = actor(role);
                let admin = role == Role::Admin;
                let owner = m == Some(CourseRole::Owner) && role == Role::Teacher;
                let assistant = m == Some(CourseRole::Assistant)
                    && matches!(role, Role::Assistant | Role::Teacher);
                assert_eq!(can_manage_course(&a, m), admin || owner, "{role:?} {m:?}");
                assert_eq!(
                    can_grade(&a, m),
                    admin || owner || assistant,
                    "{role:?} {m:?}"
                );
                for s in STATUSES {
                    let staff = admin || owner || assistant;
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
    fn a_changed_school_role_takes_course_powers_away() {
        // An owner demoted to student neither manages, grades nor sees
        // their course, not even a draft of it.
        let demoted = actor(Role::Student);
        let owner = Some(CourseRole::Owner);
        assert!(!can_manage_course(&demoted, owner));
        assert!(!can_grade(&demoted, owner));
        for s in STATUSES {
            assert!(!can_view_course(&demoted, owner, s), "{s:?}");
        }
        // An owner demoted to assistant keeps nothing of the ownership.
        assert!(!can_manage_course(&actor(Role::Assistant), owner));
        assert!(!can_grade(&actor(Role::Assistant), owner));
        // An assistant demoted to student stops checking homework.
        let assistant = Some(CourseRole::Assistant);
        assert!(!can_grade(&demoted, assistant));
        assert!(!can_view_course(&demoted, assistant, CourseStatus::Draft));
        // Changing the role back gives the powers back.
        assert!(can_manage_course(&actor(Role::Teacher), owner));
        assert!(can_grade(&actor(Role::Assistant), assistant));
    }

    #[test]
    fn which_roles_hold_which_memberships() {
        for role in ROLES {
            assert_eq!(role_holds(role, CourseRole::Owner), role == Role::Teacher);
            assert_eq!(
                role_holds(role, CourseRole::Assistant),
                matches!(role, Role::Teacher | Role::Assistant)
            );
            assert_eq!(role_holds(role, CourseRole::Student), role == Role::Student);
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
