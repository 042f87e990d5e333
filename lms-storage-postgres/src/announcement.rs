//! Announcements of courses, with the groups each is for.
//!
//! An announcement is stored with its groups and the outbox entries that
//! deliver it in one transaction. Who reads which is one SQL function,
//! `lms_announcements_read` (see the `announcements` migration), shared by
//! the list here and the student dashboard; the author's name is read from
//! `users` with the announcement.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use lms_core::StorageError;
use lms_core::announcement::{Announcement, AnnouncementStore, Audience};
use lms_core::course::Title;
use lms_core::error::StorageResult;
use lms_core::ids::{AnnouncementId, CourseId, GroupId, UserId};
use lms_core::notification::OutboxEntry;
use lms_core::richtext::RichText;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::PgStorage;
use crate::error::{corrupt, map_err};
use crate::notification::enqueue_in;

/// An announcement as read, its groups in id order.
pub(crate) struct AnnouncementRow {
    pub id: Uuid,
    pub course_id: Uuid,
    pub author_id: Uuid,
    pub author_name: String,
    pub title: String,
    pub body: String,
    pub group_ids: Vec<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<AnnouncementRow> for Announcement {
    type Error = StorageError;
    fn try_from(r: AnnouncementRow) -> Result<Self, Self::Error> {
        Ok(Announcement {
            id: AnnouncementId(r.id),
            course_id: CourseId(r.course_id),
            author_id: UserId(r.author_id),
            author_name: r.author_name,
            title: Title::parse(&r.title).map_err(|e| corrupt("announcement title", e))?,
            body: RichText::from_stored(r.body),
            group_ids: r.group_ids.into_iter().map(GroupId).collect(),
            created_at: r.created_at,
        })
    }
}

/// How the audience is named to `lms_announcements_read`, and its reader.
fn audience_args(audience: Audience) -> (&'static str, Option<Uuid>) {
    match audience {
        Audience::Everyone => ("everyone", None),
        Audience::Student(user) => ("student", Some(user.0)),
        Audience::Mentor(user) => ("mentor", Some(user.0)),
    }
}

/// Writes an announcement (its author's name is not stored) and its
/// groups. A course, author or group that does not exist breaks a foreign
/// key: `NotFound`.
pub(crate) async fn insert_announcement(
    conn: &mut PgConnection,
    a: &Announcement,
) -> StorageResult<()> {
    sqlx::query!(
        "INSERT INTO announcements (id, course_id, author_id, title, body, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
        a.id.0,
        a.course_id.0,
        a.author_id.0,
        a.title.as_str(),
        a.body.as_html(),
        a.created_at
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    if !a.group_ids.is_empty() {
        let groups: Vec<Uuid> = a.group_ids.iter().map(|g| g.0).collect();
        sqlx::query!(
            "INSERT INTO announcement_groups (announcement_id, group_id)
             SELECT DISTINCT $1::uuid, g FROM unnest($2::uuid[]) AS g",
            a.id.0,
            &groups
        )
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    }
    Ok(())
}

#[async_trait]
impl AnnouncementStore for PgStorage {
    async fn post_announcement(
        &self,
        announcement: &Announcement,
        outbox: &[OutboxEntry],
    ) -> StorageResult<()> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        sqlx::query!(
            "SELECT 1 AS one FROM courses WHERE id = $1",
            announcement.course_id.0
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?
        .ok_or(StorageError::NotFound)?;
        // A course deleted since breaks the foreign key: NotFound too.
        insert_announcement(&mut tx, announcement).await?;
        enqueue_in(&mut tx, outbox).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn get_announcement(&self, id: AnnouncementId) -> StorageResult<Option<Announcement>> {
        sqlx::query_as!(
            AnnouncementRow,
            r#"SELECT n.id, n.course_id, n.author_id, u.display_name AS author_name, n.title, n.body,
                      ARRAY(SELECT g.group_id FROM announcement_groups g WHERE g.announcement_id = n.id
                            ORDER BY g.group_id) AS "group_ids!",
                      n.created_at
               FROM announcements n JOIN users u ON u.id = n.author_id
               WHERE n.id = $1"#,
            id.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?
        .map(Announcement::try_from)
        .transpose()
    }

    async fn list_announcements(
        &self,
        course: CourseId,
        audience: Audience,
        limit: u32,
    ) -> StorageResult<Vec<Announcement>> {
        let (audience, reader) = audience_args(audience);
        sqlx::query_as!(
            AnnouncementRow,
            r#"SELECT n.id AS "id!", n.course_id AS "course_id!", n.author_id AS "author_id!",
                      u.display_name AS author_name, n.title AS "title!", n.body AS "body!",
                      ARRAY(SELECT g.group_id FROM announcement_groups g WHERE g.announcement_id = n.id
                            ORDER BY g.group_id) AS "group_ids!",
                      n.created_at AS "created_at!"
               FROM lms_announcements_read($1, $2, $3) n JOIN users u ON u.id = n.author_id
               ORDER BY n.created_at DESC, n.id DESC
               LIMIT $4"#,
            course.0,
            audience,
            reader,
            i64::from(limit)
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?
        .into_iter()
        .map(Announcement::try_from)
        .collect()
    }

    async fn delete_announcement(&self, id: AnnouncementId) -> StorageResult<()> {
        let done = sqlx::query!("DELETE FROM announcements WHERE id = $1", id.0)
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
        Ok(())
    }
}
