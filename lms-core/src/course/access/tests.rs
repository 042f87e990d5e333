//! The policy table with a group dimension: who grades which student.

use chrono::Utc;

use super::*;
use crate::course::{CourseStatus, InviteCode, Title};
use crate::group::MockGroupStore;
use crate::ids::GroupId;
use crate::richtext::RichText;
use crate::user::Role;

const ROLES: [Role; 4] = [Role::Admin, Role::Teacher, Role::Assistant, Role::Student];
const MEMBERSHIPS: [Option<CourseRole>; 4] = [
    None,
    Some(CourseRole::Owner),
    Some(CourseRole::Assistant),
    Some(CourseRole::Student),
];

fn course() -> Course {
    let now = Utc::now();
    Course {
        id: CourseId::new(),
        title: Title::parse("Алгебра").unwrap(),
        description: RichText::sanitize(""),
        owner_id: UserId::new(),
        status: CourseStatus::Published,
        invite_code: Some(InviteCode::generate()),
        cover: None,
        created_at: now,
    }
}

/// Where the course's groups put the actor and the student.
#[derive(Debug, Clone, Copy)]
enum Groups {
    /// The course has no groups.
    None,
    /// The student is in the group the actor mentors.
    Mine,
    /// The student is in another group.
    Other,
    /// The student is in no group (the course has groups).
    Ungrouped,
}

fn groups_for(world: Groups, mine: GroupId, other: GroupId) -> MockGroupStore {
    let mut groups = MockGroupStore::new();
    groups.expect_mentor_scope().returning(move |_, _| {
        Ok(match world {
            Groups::None => MentorScope::Course,
            _ => MentorScope::Groups(vec![mine]),
        })
    });
    groups.expect_student_group().returning(move |_, _| {
        Ok(match world {
            Groups::None | Groups::Ungrouped => None,
            Groups::Mine => Some(mine),
            Groups::Other => Some(other),
        })
    });
    groups
}

#[tokio::test]
async fn a_mentor_grades_only_their_groups_and_owners_everyone() {
    let (mine, other) = (GroupId::new(), GroupId::new());
    for role in ROLES {
        for membership in MEMBERSHIPS {
            for world in [Groups::None, Groups::Mine, Groups::Other, Groups::Ungrouped] {
                let actor = Actor {
                    user_id: UserId::new(),
                    role,
                };
                let groups = groups_for(world, mine, other);
                let access = CourseAccess::with_role(&groups, &actor, course(), membership)
                    .await
                    .unwrap();
                let staff = policy::can_grade(&actor, membership);
                let manager = policy::can_manage_course(&actor, membership);
                let in_scope = matches!(world, Groups::None | Groups::Mine);
                let expected = staff && (manager || in_scope);
                assert_eq!(
                    access.grades(&groups, UserId::new()).await.unwrap(),
                    expected,
                    "{role:?} {membership:?} {world:?}"
                );
                // A mentor's listings are narrowed to their students,
                // nobody else's are.
                let narrowed = access.narrow(&UserFilter::default()).mentored_by;
                let mentor = staff && !manager && !matches!(world, Groups::None);
                assert_eq!(
                    narrowed,
                    mentor.then_some(actor.user_id),
                    "{role:?} {membership:?} {world:?}"
                );
                assert_eq!(access.can_grade(), staff);
            }
        }
    }
}

#[tokio::test]
async fn only_mentors_cost_a_scope_read() {
    // The owner, admins and students never ask for a scope.
    let mut groups = MockGroupStore::new();
    groups.expect_mentor_scope().never();
    groups.expect_student_group().never();
    for (role, membership) in [
        (Role::Admin, None),
        (Role::Teacher, Some(CourseRole::Owner)),
        (Role::Student, Some(CourseRole::Student)),
    ] {
        let actor = Actor {
            user_id: UserId::new(),
            role,
        };
        let access = CourseAccess::with_role(&groups, &actor, course(), membership)
            .await
            .unwrap();
        let _ = access.grades(&groups, UserId::new()).await.unwrap();
    }
}

#[tokio::test]
async fn refusals_hide_courses_the_actor_may_not_see() {
    let groups = groups_for(Groups::None, GroupId::new(), GroupId::new());
    let stranger = Actor {
        user_id: UserId::new(),
        role: Role::Student,
    };
    let access = CourseAccess::with_role(&groups, &stranger, course(), None)
        .await
        .unwrap();
    assert_eq!(access.refusal(), Refusal::NotFound);
    let student = CourseAccess::with_role(&groups, &stranger, course(), Some(CourseRole::Student))
        .await
        .unwrap();
    assert_eq!(student.refusal(), Refusal::Forbidden);
    assert!(student.is_student_view());
}
