//! Announcements of courses, with the groups each is for.
//!
//! An announcement is stored with its groups and the outbox entries that
//! deliver it in one `BEGIN IMMEDIATE` transaction. Its groups come with it
//! in one query (a JSON array of hex ids in id order: the BLOB order of the
//! ids), and so does its author's name, read from `users`, not stored.

use async_trait::async_trait;
use lms_core::StorageError;
use lms_core::announcement::{Announcement, AnnouncementStore, Audience};
use lms_core::course::Title;
use lms_core::error::StorageResult;
use lms_core::ids::{AnnouncementId, CourseId, GroupId, UserId};
use lms_core::notification::OutboxEntry;
use lms_core::richtext::RichText;
use sqlx::SqliteConnection;
use uuid::Uuid;

use crate::SqliteStorage;
use crate::error::{corrupt, from_json, from_ts, id_list, map_err, ts};
use crate::notification::enqueue_in;

/// An announcement as read.
pub(crate) struct AnnouncementRow {
    pub id: Uuid,
    pub course_id: Uuid,
    pub author_id: Uuid,
    pub author_name: String,
    pub title: String,
    pub body: String,
    /// A JSON array of hex ids, in id order.
    pub group_ids: String,
    pub created_at: i64,
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
            group_ids: from_json::<Vec<GroupId>>("announcement groups", &r.group_ids)?,
            created_at: from_ts("announcement time", r.created_at)?,
        })
    }
}

/// How an audience is named to the queries, and its reader.
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
    conn: &mut SqliteConnection,
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
        ts(a.created_at)
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    if !a.group_ids.is_empty() {
        let groups = id_list(a.group_ids.iter().map(|g| g.0));
        sqlx::query!(
            "INSERT INTO announcement_groups (announcement_id, group_id)
             SELECT DISTINCT $1, unhex(g.value) FROM json_each($2) g",
            a.id.0,
            groups
        )
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    }
    Ok(())
}

#[async_trait]
impl AnnouncementStore for SqliteStorage {
    async fn post_announcement(
        &self,
        announcement: &Announcement,
        outbox: &[OutboxEntry],
    ) -> StorageResult<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query!(
            "SELECT 1 AS one FROM courses WHERE id = $1",
            announcement.course_id.0
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?
        .ok_or(StorageError::NotFound)?;
        insert_announcement(&mut tx, announcement).await?;
        enqueue_in(&mut tx, outbox).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn get_announcement(&self, id: AnnouncementId) -> StorageResult<Option<Announcement>> {
        sqlx::query_as!(
            AnnouncementRow,
            r#"SELECT n.id AS "id: _", n.course_id AS "course_id: _", n.author_id AS "author_id: _",
                      u.display_name AS "author_name!: String", n.title, n.body,
                      (SELECT json_group_array(hex(g.group_id) ORDER BY g.group_id)
                       FROM announcement_groups g WHERE g.announcement_id = n.id) AS "group_ids!: String",
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
        // Everyone reads those for the whole course; a student those for
        // their current group too; a mentor those for the groups they
        // mentor and their own.
        sqlx::query_as!(
            AnnouncementRow,
            r#"SELECT n.id AS "id: _", n.course_id AS "course_id: _", n.author_id AS "author_id: _",
                      u.display_name AS "author_name!: String", n.title, n.body,
                      (SELECT json_group_array(hex(g.group_id) ORDER BY g.group_id)
                       FROM announcement_groups g WHERE g.announcement_id = n.id) AS "group_ids!: String",
                      n.created_at
               FROM announcements n JOIN users u ON u.id = n.author_id
               WHERE n.course_id = $1
                 AND ($2 = 'everyone'
                      OR NOT EXISTS (SELECT 1 FROM announcement_groups ag WHERE ag.announcement_id = n.id)
                      OR ($2 = 'student' AND EXISTS (
                            SELECT 1 FROM announcement_groups ag
                            JOIN enrollments e ON e.group_id = ag.group_id
                            WHERE ag.announcement_id = n.id AND e.course_id = n.course_id
                              AND e.student_id = $3))
                      OR ($2 = 'mentor' AND (n.author_id = $3 OR EXISTS (
                            SELECT 1 FROM announcement_groups ag
                            JOIN group_mentors gm ON gm.group_id = ag.group_id
                            WHERE ag.announcement_id = n.id AND gm.user_id = $3))))
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
