//! The mentor's dashboard: the groups a member of staff watches, with the
//! students who fall behind (overdue homework, or no activity for days).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::course::Title;
use crate::dashboard::ports::StudentStanding;
use crate::dashboard::service::{DashboardError, DashboardService};
use crate::group::GroupName;
use crate::ids::{CourseId, GroupId, UserId};
use crate::user::{Actor, Role};

/// The longest quiet spell a mentor may ask about, in days.
pub const MAX_INACTIVE_DAYS: u32 = 90;

/// The quiet spell used when none is asked for, in days.
pub const DEFAULT_INACTIVE_DAYS: u32 = 7;

/// A student of a watched group who falls behind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BehindStudent {
    /// Where they stand.
    #[serde(flatten)]
    pub standing: StudentStanding,
    /// Whether they did nothing in the course for the asked number of
    /// days (or ever).
    pub inactive: bool,
}

/// A group a member of staff watches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WatchedGroup {
    /// The course.
    pub course_id: CourseId,
    /// Course title.
    pub course_title: Title,
    /// The group.
    pub group_id: GroupId,
    /// Its name.
    pub group_name: GroupName,
    /// Whether the viewer mentors it (else they own its course).
    pub mentor: bool,
    /// Its students.
    pub student_count: u32,
    /// Those with overdue homework or no recent activity: the most overdue
    /// first, then the longest quiet.
    pub behind: Vec<BehindStudent>,
}

impl DashboardService {
    /// The groups the actor watches (those they mentor, and every group of
    /// the courses they own), by course title then group name, each with
    /// the students who fall behind: homework overdue, or no lesson view,
    /// hand-in or attempt for `inactive_days` days (clamped to 1..=
    /// [`MAX_INACTIVE_DAYS`]).
    pub async fn watched_groups(
        &self,
        actor: &Actor,
        inactive_days: u32,
    ) -> Result<Vec<WatchedGroup>, DashboardError> {
        if actor.role == Role::Student {
            return Err(DashboardError::NotStaff);
        }
        let now = self.clock.now();
        let quiet_since =
            now - Duration::days(i64::from(inactive_days.clamp(1, MAX_INACTIVE_DAYS)));
        let groups = self.groups.staff_groups(actor.user_id).await?;
        let mut by_course: BTreeMap<CourseId, Vec<crate::group::Group>> = BTreeMap::new();
        for g in groups {
            by_course.entry(g.course_id).or_default().push(g);
        }
        let mut watched = Vec::new();
        for (course_id, groups) in by_course {
            let Some((course, role)) = self.courses.course_for(course_id, actor.user_id).await?
            else {
                continue;
            };
            // Memberships alone are not enough: an owner demoted to
            // student keeps the row but not the powers.
            if !crate::policy::can_grade(actor, role) {
                continue;
            }
            let group_of: HashMap<UserId, GroupId> = self
                .groups
                .group_members(course_id)
                .await?
                .into_iter()
                .filter_map(|m| m.group_id.map(|g| (m.student_id, g)))
                .collect();
            let standings = self.dashboards.course_standings(course_id, now).await?;
            for g in groups {
                let in_group = group_of.values().filter(|id| **id == g.id).count();
                let mut behind: Vec<BehindStudent> = standings
                    .iter()
                    .filter(|s| group_of.get(&s.student_id) == Some(&g.id))
                    .map(|s| BehindStudent {
                        inactive: is_quiet(s.last_activity, quiet_since),
                        standing: s.clone(),
                    })
                    .filter(|b| b.inactive || b.standing.overdue > 0)
                    .collect();
                behind.sort_by(|a, b| {
                    b.standing
                        .overdue
                        .cmp(&a.standing.overdue)
                        .then(a.standing.last_activity.cmp(&b.standing.last_activity))
                        .then(a.standing.display_name.cmp(&b.standing.display_name))
                });
                watched.push(WatchedGroup {
                    course_id,
                    course_title: course.title.clone(),
                    group_id: g.id,
                    group_name: g.name.clone(),
                    mentor: g.mentors.contains(&actor.user_id),
                    student_count: u32::try_from(in_group).unwrap_or(u32::MAX),
                    behind,
                });
            }
        }
        watched.sort_by(|a, b| {
            (
                a.course_title.as_str(),
                a.course_id,
                a.group_name.as_str(),
                a.group_id,
            )
                .cmp(&(
                    b.course_title.as_str(),
                    b.course_id,
                    b.group_name.as_str(),
                    b.group_id,
                ))
        });
        Ok(watched)
    }
}

/// Whether nothing happened since `since` (or ever).
fn is_quiet(last: Option<DateTime<Utc>>, since: DateTime<Utc>) -> bool {
    last.is_none_or(|at| at < since)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn quiet_means_nothing_since_or_ever() {
        let since = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
        assert!(is_quiet(None, since));
        assert!(is_quiet(Some(since - Duration::seconds(1)), since));
        assert!(!is_quiet(Some(since), since));
    }
}
