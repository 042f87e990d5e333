//! Groups of a course's students, their mentors and the students' moves.
//!
//! A student's group is `enrollments.group_id`; its foreign key
//! `(group_id, course_id)` keeps it one of the enrolment's course (a group
//! of another course is `NotFound`). A group's mentors come with it in one
//! query (an `ARRAY` subquery in position order).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use lms_core::StorageError;
use lms_core::course::{Enrollment, InviteCode};
use lms_core::error::{Conflict, StorageResult};
use lms_core::group::{Group, GroupMember, GroupMove, GroupName, GroupStore, MentorScope};
use lms_core::ids::{CourseId, GroupId, UserId};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::PgStorage;
use crate::course::source_str;
use crate::error::{corrupt, map_err};

pub(crate) struct GroupRow {
    pub id: Uuid,
    pub course_id: Uuid,
    pub name: String,
    pub invite_code: Option<String>,
    pub mentors: Vec<Uuid>,
    pub archived_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<GroupRow> for Group {
    type Error = StorageError;
    fn try_from(r: GroupRow) -> Result<Self, Self::Error> {
        Ok(Group {
            id: GroupId(r.id),
            course_id: CourseId(r.course_id),
            name: GroupName::parse(&r.name).map_err(|e| corrupt("group name", e))?,
            invite_code: r
                .invite_code
                .map(|c| InviteCode::parse(&c).map_err(|e| corrupt("group invite code", e)))
                .transpose()?,
            mentors: r.mentors.into_iter().map(UserId).collect(),
            archived_at: r.archived_at,
            created_at: r.created_at,
        })
    }
}

/// Writes a group's mentors (none may be stored yet), numbered in order.
async fn insert_mentors(conn: &mut PgConnection, group: &Group) -> StorageResult<()> {
    if group.mentors.is_empty() {
        return Ok(());
    }
    let mentors: Vec<Uuid> = group.mentors.iter().map(|m| m.0).collect();
    sqlx::query!(
        "INSERT INTO group_mentors (group_id, user_id, position)
         SELECT $1, m.id, (m.pos - 1)::int FROM unnest($2::uuid[]) WITH ORDINALITY AS m(id, pos)",
        group.id.0,
        &mentors
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

/// Records a move.
async fn insert_move(conn: &mut PgConnection, entry: &GroupMove) -> StorageResult<()> {
    sqlx::query!(
        "INSERT INTO group_moves (course_id, student_id, from_group, to_group, moved_by, moved_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
        entry.course_id.0,
        entry.student_id.0,
        entry.from_group.map(|g| g.0),
        entry.to_group.map(|g| g.0),
        entry.moved_by.0,
        entry.moved_at
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

#[async_trait]
impl GroupStore for PgStorage {
    async fn insert_group(&self, group: &Group) -> StorageResult<()> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        sqlx::query!(
            "INSERT INTO course_groups (id, course_id, name, invite_code, archived_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            group.id.0,
            group.course_id.0,
            group.name.as_str(),
            group.invite_code.as_ref().map(InviteCode::as_str),
            group.archived_at,
            group.created_at
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        insert_mentors(&mut tx, group).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn update_group(&self, group: &Group) -> StorageResult<()> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        let done = sqlx::query!(
            "UPDATE course_groups SET name = $2, invite_code = $3, archived_at = $4 WHERE id = $1",
            group.id.0,
            group.name.as_str(),
            group.invite_code.as_ref().map(InviteCode::as_str),
            group.archived_at
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
        sqlx::query!("DELETE FROM group_mentors WHERE group_id = $1", group.id.0)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        insert_mentors(&mut tx, group).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn get_group(&self, id: GroupId) -> StorageResult<Option<Group>> {
        sqlx::query_as!(
            GroupRow,
            r#"SELECT g.id, g.course_id, g.name, g.invite_code,
                      ARRAY(SELECT m.user_id FROM group_mentors m WHERE m.group_id = g.id
                            ORDER BY m.position) AS "mentors!",
                      g.archived_at, g.created_at
               FROM course_groups g WHERE g.id = $1"#,
            id.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?
        .map(Group::try_from)
        .transpose()
    }

    async fn list_groups(&self, course: CourseId) -> StorageResult<Vec<Group>> {
        sqlx::query_as!(
            GroupRow,
            r#"SELECT g.id, g.course_id, g.name, g.invite_code,
                      ARRAY(SELECT m.user_id FROM group_mentors m WHERE m.group_id = g.id
                            ORDER BY m.position) AS "mentors!",
                      g.archived_at, g.created_at
               FROM course_groups g WHERE g.course_id = $1
               ORDER BY g.created_at, g.seq"#,
            course.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?
        .into_iter()
        .map(Group::try_from)
        .collect()
    }

    async fn find_group_by_invite_code(&self, code: &InviteCode) -> StorageResult<Option<Group>> {
        sqlx::query_as!(
            GroupRow,
            r#"SELECT g.id, g.course_id, g.name, g.invite_code,
                      ARRAY(SELECT m.user_id FROM group_mentors m WHERE m.group_id = g.id
                            ORDER BY m.position) AS "mentors!",
                      g.archived_at, g.created_at
               FROM course_groups g WHERE g.invite_code = $1"#,
            code.as_str()
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?
        .map(Group::try_from)
        .transpose()
    }

    async fn group_members(&self, course: CourseId) -> StorageResult<Vec<GroupMember>> {
        let rows = sqlx::query!(
            "SELECT student_id, group_id FROM enrollments WHERE course_id = $1
             ORDER BY enrolled_at, student_id",
            course.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|r| GroupMember {
                student_id: UserId(r.student_id),
                group_id: r.group_id.map(GroupId),
            })
            .collect())
    }

    async fn student_group(
        &self,
        course: CourseId,
        student: UserId,
    ) -> StorageResult<Option<GroupId>> {
        let row = sqlx::query!(
            "SELECT group_id FROM enrollments WHERE course_id = $1 AND student_id = $2",
            course.0,
            student.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(row.and_then(|r| r.group_id).map(GroupId))
    }

    async fn staff_groups(&self, user: UserId) -> StorageResult<Vec<Group>> {
        sqlx::query_as!(
            GroupRow,
            r#"SELECT g.id, g.course_id, g.name, g.invite_code,
                      ARRAY(SELECT m.user_id FROM group_mentors m WHERE m.group_id = g.id
                            ORDER BY m.position) AS "mentors!",
                      g.archived_at, g.created_at
               FROM course_groups g JOIN courses c ON c.id = g.course_id
               WHERE g.archived_at IS NULL AND c.status <> 'archived'
                 AND (c.owner_id = $1
                      OR EXISTS (SELECT 1 FROM group_mentors m WHERE m.group_id = g.id AND m.user_id = $1))
               ORDER BY g.created_at, g.seq"#,
            user.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?
        .into_iter()
        .map(Group::try_from)
        .collect()
    }

    async fn mentor_scope(&self, course: CourseId, user: UserId) -> StorageResult<MentorScope> {
        let row = sqlx::query!(
            r#"SELECT EXISTS (SELECT 1 FROM course_groups WHERE course_id = $1) AS "grouped!",
                      ARRAY(SELECT g.id FROM course_groups g JOIN group_mentors m ON m.group_id = g.id
                            WHERE g.course_id = $1 AND m.user_id = $2
                            ORDER BY g.seq) AS "groups!""#,
            course.0,
            user.0
        )
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        if !row.grouped {
            return Ok(MentorScope::Course);
        }
        Ok(MentorScope::Groups(
            row.groups.into_iter().map(GroupId).collect(),
        ))
    }

    async fn move_student(&self, entry: &GroupMove) -> StorageResult<()> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        // A group of another course breaks the (group_id, course_id) key: NotFound.
        let done = sqlx::query!(
            "UPDATE enrollments SET group_id = $3
             WHERE course_id = $1 AND student_id = $2 AND group_id IS NOT DISTINCT FROM $4::uuid",
            entry.course_id.0,
            entry.student_id.0,
            entry.to_group.map(|g| g.0),
            entry.from_group.map(|g| g.0)
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        if done.rows_affected() == 0 {
            let found = sqlx::query!(
                r#"SELECT EXISTS (SELECT 1 FROM enrollments WHERE course_id = $1 AND student_id = $2)
                     AS "enrolled!""#,
                entry.course_id.0,
                entry.student_id.0
            )
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err)?;
            return Err(if found.enrolled {
                StorageError::Conflict(Conflict::Stale)
            } else {
                StorageError::NotFound
            });
        }
        insert_move(&mut tx, entry).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn enroll_in_group(
        &self,
        enrollment: &Enrollment,
        entry: &GroupMove,
    ) -> StorageResult<()> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        sqlx::query!(
            "INSERT INTO enrollments (course_id, student_id, source, enrolled_at, group_id)
             VALUES ($1, $2, $3, $4, $5)",
            enrollment.course_id.0,
            enrollment.student_id.0,
            source_str(enrollment.source),
            enrollment.enrolled_at,
            entry.to_group.map(|g| g.0)
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        insert_move(&mut tx, entry).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn group_history(
        &self,
        course: CourseId,
        student: UserId,
    ) -> StorageResult<Vec<GroupMove>> {
        let rows = sqlx::query!(
            "SELECT course_id, student_id, from_group, to_group, moved_by, moved_at FROM group_moves
             WHERE course_id = $1 AND student_id = $2 ORDER BY seq",
            course.0,
            student.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|r| GroupMove {
                course_id: CourseId(r.course_id),
                student_id: UserId(r.student_id),
                from_group: r.from_group.map(GroupId),
                to_group: r.to_group.map(GroupId),
                moved_by: UserId(r.moved_by),
                moved_at: r.moved_at,
            })
            .collect())
    }
}
