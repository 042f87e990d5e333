//! The announcement service: who may post to whom, who reads what, and the
//! notifications that deliver an announcement.

use std::collections::HashSet;
use std::sync::Arc;

use thiserror::Error;

use crate::announcement::model::{Announcement, Audience};
use crate::announcement::ports::AnnouncementStore;
use crate::clock::Clock;
use crate::course::{
    CourseAccess, CourseStatus, CourseStore, MAX_GROUPS_PER_COURSE as MAX_GROUPS, Refusal, Title,
};
use crate::error::StorageError;
use crate::file::{FileOwner, FileRegistry, adopt_pictures};
use crate::group::GroupStore;
use crate::ids::{AnnouncementId, CourseId, GroupId, UserId};
use crate::notification::{Notification, NotificationStore, fan_out};
use crate::richtext::RichText;
use crate::user::Actor;

/// The longest announcement text, in bytes of sanitised HTML.
pub const MAX_ANNOUNCEMENT_BYTES: usize = 20_000;

/// The most announcements one list returns.
pub const MAX_ANNOUNCEMENTS_LISTED: u32 = 100;

/// Why an announcement could not be posted, read or deleted.
#[derive(Debug, Error)]
pub enum AnnouncementError {
    /// The course does not exist or the actor may not know it exists.
    #[error("course not found")]
    CourseNotFound,
    /// No such announcement, or not one the actor reads.
    #[error("announcement not found")]
    NotFound,
    /// The actor sees the course but may not post (or delete) here.
    #[error("only the course's owner, and mentors for their groups, post announcements")]
    Forbidden,
    /// The course is archived: nothing new is posted.
    #[error("the course is archived")]
    CourseArchived,
    /// The text is over the size limit.
    #[error("body: at most {max} bytes")]
    TooLong {
        /// The limit.
        max: usize,
    },
    /// A named group is not an active group of the course the actor may
    /// write to (a mentor writes to the groups they mentor).
    #[error("group_ids: {0} is not a group of this course you may write to")]
    Group(GroupId),
    /// A mentor who mentors no active group of the course has no one to
    /// write to.
    #[error("group_ids: you mentor no group of this course")]
    NoGroups,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(AnnouncementError {
    CourseNotFound => (NotFound, "course_not_found"),
    NotFound => (NotFound, "announcement_not_found"),
    Forbidden => (Forbidden, "forbidden"),
    CourseArchived => (Conflict, "course_archived"),
    TooLong { .. } => (Invalid, "announcement_too_long"),
    Group(_) => (Invalid, "invalid_group"),
    NoGroups => (Forbidden, "no_groups"),
});

/// A new announcement.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAnnouncement {
    /// Headline.
    pub title: Title,
    /// Text (already sanitised); may be empty.
    pub body: RichText,
    /// The groups it is for; empty: the whole course from the owner, every
    /// group they mentor from a mentor.
    pub group_ids: Vec<GroupId>,
}

/// Course announcements.
pub struct AnnouncementService {
    announcements: Arc<dyn AnnouncementStore>,
    courses: Arc<dyn CourseStore>,
    groups: Arc<dyn GroupStore>,
    notifications: Arc<dyn NotificationStore>,
    files: Arc<dyn FileRegistry>,
    clock: Arc<dyn Clock>,
}

impl AnnouncementService {
    /// A service over these ports.
    #[must_use]
    pub fn new(
        announcements: Arc<dyn AnnouncementStore>,
        courses: Arc<dyn CourseStore>,
        groups: Arc<dyn GroupStore>,
        notifications: Arc<dyn NotificationStore>,
        files: Arc<dyn FileRegistry>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            announcements,
            courses,
            groups,
            notifications,
            files,
            clock,
        }
    }

    async fn access(
        &self,
        actor: &Actor,
        course: CourseId,
    ) -> Result<CourseAccess, AnnouncementError> {
        let (course, role) = self
            .courses
            .course_for(course, actor.user_id)
            .await?
            .ok_or(AnnouncementError::CourseNotFound)?;
        let access = CourseAccess::of(actor, course, role);
        if access.can_view() {
            Ok(access)
        } else {
            Err(AnnouncementError::CourseNotFound)
        }
    }

    /// Posts an announcement and tells its students by their preferences
    /// and in the app. The owner (or an admin) writes to the whole course
    /// or to chosen groups; an assistant writes only to groups they mentor
    /// (all of them when none is named). Pictures in the text become the
    /// course's files.
    pub async fn post(
        &self,
        actor: &Actor,
        course: CourseId,
        input: NewAnnouncement,
    ) -> Result<Announcement, AnnouncementError> {
        if input.body.as_html().len() > MAX_ANNOUNCEMENT_BYTES {
            return Err(AnnouncementError::TooLong {
                max: MAX_ANNOUNCEMENT_BYTES,
            });
        }
        let access = self.access(actor, course).await?;
        if !access.can_grade() {
            return Err(AnnouncementError::Forbidden);
        }
        if access.course().status == CourseStatus::Archived {
            return Err(AnnouncementError::CourseArchived);
        }
        let mut asked = input.group_ids;
        asked.sort_unstable();
        asked.dedup();
        if asked.len() > MAX_GROUPS {
            // More than a course can hold: one of them is not the course's.
            return Err(AnnouncementError::Group(asked[MAX_GROUPS]));
        }
        let groups = self.groups.list_groups(course).await?;
        let writable: Vec<GroupId> = groups
            .iter()
            .filter(|g| g.archived_at.is_none())
            .filter(|g| access.can_manage() || g.mentors.contains(&actor.user_id))
            .map(|g| g.id)
            .collect();
        if let Some(bad) = asked.iter().find(|g| !writable.contains(g)) {
            return Err(AnnouncementError::Group(*bad));
        }
        let group_ids = if asked.is_empty() && !access.can_manage() {
            if writable.is_empty() {
                return Err(AnnouncementError::NoGroups);
            }
            writable
        } else {
            asked
        };

        let recipients: Vec<UserId> = self
            .groups
            .group_members(course)
            .await?
            .into_iter()
            .filter(|m| group_ids.is_empty() || m.group_id.is_some_and(|g| group_ids.contains(&g)))
            .map(|m| m.student_id)
            .filter(|s| *s != actor.user_id)
            .collect();
        let author_name = self
            .notifications
            .recipient(actor.user_id)
            .await?
            .map(|r| r.display_name)
            .unwrap_or_default();
        let now = self.clock.now();
        let announcement = Announcement {
            id: AnnouncementId::new(),
            course_id: course,
            author_id: actor.user_id,
            author_name: author_name.clone(),
            title: input.title,
            body: input.body,
            group_ids,
            created_at: now,
        };
        let profiles = if recipients.is_empty() {
            Vec::new()
        } else {
            self.notifications.delivery_profiles(&recipients).await?
        };
        let note = Notification::Announcement {
            course_id: course,
            course_title: access.course().title.as_str().to_owned(),
            announcement_id: announcement.id,
            title: announcement.title.as_str().to_owned(),
            author_name,
        };
        let outbox = fan_out(
            &profiles,
            &format!("announcement:{}", announcement.id),
            &note,
            now,
        );
        match self
            .announcements
            .post_announcement(&announcement, &outbox)
            .await
        {
            Ok(()) => {}
            Err(StorageError::NotFound) => return Err(AnnouncementError::CourseNotFound),
            Err(e) => return Err(e.into()),
        }
        adopt_pictures(
            &*self.files,
            actor,
            FileOwner::Course(course),
            &[&announcement.body],
        )
        .await?;
        Ok(announcement)
    }

    /// The course's announcements the actor reads, newest first, at most
    /// `limit` (capped at [`MAX_ANNOUNCEMENTS_LISTED`]): a student those for
    /// the whole course and their group, a mentor those for the whole
    /// course, their groups and their own, the owner and admins every one.
    pub async fn list(
        &self,
        actor: &Actor,
        course: CourseId,
        limit: u32,
    ) -> Result<Vec<Announcement>, AnnouncementError> {
        let access = self.access(actor, course).await?;
        let audience = audience(&access, actor.user_id);
        Ok(self
            .announcements
            .list_announcements(course, audience, limit.clamp(1, MAX_ANNOUNCEMENTS_LISTED))
            .await?)
    }

    /// Deletes an announcement: its author while they still grade in the
    /// course, or whoever manages the course. Notifications already sent
    /// stay sent.
    pub async fn delete(&self, actor: &Actor, id: AnnouncementId) -> Result<(), AnnouncementError> {
        let announcement = self
            .announcements
            .get_announcement(id)
            .await?
            .ok_or(AnnouncementError::NotFound)?;
        let access = match self.access(actor, announcement.course_id).await {
            Ok(access) => access,
            Err(AnnouncementError::CourseNotFound) => return Err(AnnouncementError::NotFound),
            Err(e) => return Err(e),
        };
        if !reads(&access, actor.user_id, &announcement, &*self.groups).await? {
            return Err(AnnouncementError::NotFound);
        }
        let own = announcement.author_id == actor.user_id && access.can_grade();
        if !(own || access.can_manage()) {
            return Err(match access.refusal() {
                Refusal::NotFound => AnnouncementError::NotFound,
                Refusal::Forbidden => AnnouncementError::Forbidden,
            });
        }
        match self.announcements.delete_announcement(id).await {
            Ok(()) | Err(StorageError::NotFound) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

/// Whose view of the course's announcements the actor has.
fn audience(access: &CourseAccess, user: UserId) -> Audience {
    if access.can_manage() {
        Audience::Everyone
    } else if access.can_grade() {
        Audience::Mentor(user)
    } else {
        Audience::Student(user)
    }
}

/// Whether the actor reads this announcement (by the rules of [`audience`]).
async fn reads(
    access: &CourseAccess,
    user: UserId,
    announcement: &Announcement,
    groups: &dyn GroupStore,
) -> Result<bool, StorageError> {
    if announcement.is_for_everyone() || announcement.author_id == user {
        return Ok(true);
    }
    Ok(match audience(access, user) {
        Audience::Everyone => true,
        Audience::Mentor(_) => {
            let mine: HashSet<GroupId> = groups
                .list_groups(announcement.course_id)
                .await?
                .into_iter()
                .filter(|g| g.mentors.contains(&user))
                .map(|g| g.id)
                .collect();
            announcement.group_ids.iter().any(|g| mine.contains(g))
        }
        Audience::Student(_) => groups
            .student_group(announcement.course_id, user)
            .await?
            .is_some_and(|g| announcement.group_ids.contains(&g)),
    })
}
