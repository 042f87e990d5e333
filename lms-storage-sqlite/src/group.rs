//! Groups of a course's students, their mentors and the students' moves.
//!
//! A student's group is `enrollments.group_id`. SQLite cannot add the
//! `(group_id, course_id)` key PostgreSQL has to an existing table, so the
//! writes here check that a group is one of the enrolment's course
//! (`NotFound` otherwise). A group's mentors come with it in one query (a
//! JSON array of hex ids in position order).

use async_trait::async_trait;
use lms_core::StorageError;
use lms_core::course::{Enrollment, InviteCode};
use lms_core::error::{Conflict, StorageResult};
use lms_core::group::{Group, GroupMember, GroupMove, GroupName, GroupStore, MentorScope};
use lms_core::ids::{CourseId, GroupId, UserId};
use sqlx::SqliteConnection;
use uuid::Uuid;

use crate::SqliteStorage;
use crate::course::source_str;
use crate::error::{corrupt, from_json, from_ts, from_ts_opt, id_list, map_err, ts, ts_opt};

pub(crate) struct GroupRow {
    pub id: Uuid,
    pub course_id: Uuid,
    pub name: String,
    pub invite_code: Option<String>,
    /// A JSON array of hex ids, in position order.
    pub mentors: String,
    pub archived_at: Option<i64>,
    pub created_at: i64,
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
            mentors: from_json::<Vec<UserId>>("group mentors", &r.mentors)?,
            archived_at: from_ts_opt("group archive time", r.archived_at)?,
            created_at: from_ts("group creation time", r.created_at)?,
        })
    }
}

/// Writes a group's mentors (none may be stored yet), numbered in order
/// (json_each numbers the array's elements from 0).
pub(crate) async fn insert_mentors(
    conn: &mut SqliteConnection,
    group: &Group,
) -> StorageResult<()> {
    if group.mentors.is_empty() {
        return Ok(());
    }
    let mentors = id_list(group.mentors.iter().map(|m| m.0));
    sqlx::query!(
        "INSERT INTO group_mentors (group_id, user_id, position)
         SELECT $1, unhex(m.value), m.key FROM json_each($2) m",
        group.id.0,
        mentors
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

/// Records a move.
pub(crate) async fn insert_move(
    conn: &mut SqliteConnection,
    entry: &GroupMove,
) -> StorageResult<()> {
    sqlx::query!(
        "INSERT INTO group_moves (course_id, student_id, from_group, to_group, moved_by, moved_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
        entry.course_id.0,
        entry.student_id.0,
        entry.from_group.map(|g| g.0),
        entry.to_group.map(|g| g.0),
        entry.moved_by.0,
        ts(entry.moved_at)
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

/// `NotFound` unless `group` (if any) is a group of `course`: what
/// PostgreSQL's (group_id, course_id) key checks.
pub(crate) async fn check_group_of(
    conn: &mut SqliteConnection,
    course: CourseId,
    group: Option<GroupId>,
) -> StorageResult<()> {
    let Some(group) = group else {
        return Ok(());
    };
    sqlx::query!(
        "SELECT 1 AS one FROM course_groups WHERE id = $1 AND course_id = $2",
        group.0,
        course.0
    )
    .fetch_optional(&mut *conn)
    .await
    .map_err(map_err)?
    .ok_or(StorageError::NotFound)?;
    Ok(())
}

#[async_trait]
impl GroupStore for SqliteStorage {
    async fn insert_group(&self, group: &Group) -> StorageResult<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query!(
            "INSERT INTO course_groups (id, course_id, name, invite_code, archived_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            group.id.0,
            group.course_id.0,
            group.name.as_str(),
            group.invite_code.as_ref().map(InviteCode::as_str),
            ts_opt(group.archived_at),
            ts(group.created_at)
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        insert_mentors(&mut tx, group).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn update_group(&self, group: &Group) -> StorageResult<()> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query!(
            "UPDATE course_groups SET name = $2, invite_code = $3, archived_at = $4 WHERE id = $1",
            group.id.0,
            group.name.as_str(),
            group.invite_code.as_ref().map(InviteCode::as_str),
            ts_opt(group.archived_at)
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
            r#"SELECT g.id AS "id: _", g.course_id AS "course_id: _", g.name, g.invite_code AS "invite_code?",
                      (SELECT json_group_array(hex(m.user_id) ORDER BY m.position)
                       FROM group_mentors m WHERE m.group_id = g.id) AS "mentors!: String",
                      g.archived_at AS "archived_at?", g.created_at
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
            r#"SELECT g.id AS "id: _", g.course_id AS "course_id: _", g.name, g.invite_code AS "invite_code?",
                      (SELECT json_group_array(hex(m.user_id) ORDER BY m.position)
                       FROM group_mentors m WHERE m.group_id = g.id) AS "mentors!: String",
                      g.archived_at AS "archived_at?", g.created_at
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
            r#"SELECT g.id AS "id: _", g.course_id AS "course_id: _", g.name, g.invite_code AS "invite_code?",
                      (SELECT json_group_array(hex(m.user_id) ORDER BY m.position)
                       FROM group_mentors m WHERE m.group_id = g.id) AS "mentors!: String",
                      g.archived_at AS "archived_at?", g.created_at
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
            r#"SELECT student_id AS "student_id: Uuid", group_id AS "group_id?: Uuid"
               FROM enrollments WHERE course_id = $1
               ORDER BY enrolled_at, student_id"#,
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
            r#"SELECT group_id AS "group_id?: Uuid" FROM enrollments WHERE course_id = $1 AND student_id = $2"#,
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
            r#"SELECT g.id AS "id: _", g.course_id AS "course_id: _", g.name, g.invite_code AS "invite_code?",
                      (SELECT json_group_array(hex(m.user_id) ORDER BY m.position)
                       FROM group_mentors m WHERE m.group_id = g.id) AS "mentors!: String",
                      g.archived_at AS "archived_at?", g.created_at
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
            r#"SELECT EXISTS (SELECT 1 FROM course_groups WHERE course_id = $1) AS "grouped!: bool",
                      (SELECT json_group_array(hex(g.id) ORDER BY g.seq)
                       FROM course_groups g JOIN group_mentors m ON m.group_id = g.id
                       WHERE g.course_id = $1 AND m.user_id = $2) AS "groups!: String""#,
            course.0,
            user.0
        )
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        if !row.grouped {
            return Ok(MentorScope::Course);
        }
        Ok(MentorScope::Groups(from_json::<Vec<GroupId>>(
            "mentored groups",
            &row.groups,
        )?))
    }

    async fn move_student(&self, entry: &GroupMove) -> StorageResult<()> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query!(
            "UPDATE enrollments SET group_id = $3
             WHERE course_id = $1 AND student_id = $2 AND group_id IS $4",
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
                     AS "enrolled!: bool""#,
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
        // Returning before the commit rolls the update back.
        check_group_of(&mut tx, entry.course_id, entry.to_group).await?;
        insert_move(&mut tx, entry).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn enroll_in_group(
        &self,
        enrollment: &Enrollment,
        entry: &GroupMove,
    ) -> StorageResult<()> {
        let mut tx = self.write_tx().await?;
        check_group_of(&mut tx, enrollment.course_id, entry.to_group).await?;
        sqlx::query!(
            "INSERT INTO enrollments (course_id, student_id, source, enrolled_at, group_id)
             VALUES ($1, $2, $3, $4, $5)",
            enrollment.course_id.0,
            enrollment.student_id.0,
            source_str(enrollment.source),
            ts(enrollment.enrolled_at),
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
            r#"SELECT course_id AS "course_id: Uuid", student_id AS "student_id: Uuid",
                      from_group AS "from_group?: Uuid", to_group AS "to_group?: Uuid",
                      moved_by AS "moved_by: Uuid", moved_at
               FROM group_moves WHERE course_id = $1 AND student_id = $2 ORDER BY seq"#,
            course.0,
            student.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.into_iter()
            .map(|r| {
                Ok(GroupMove {
                    course_id: CourseId(r.course_id),
                    student_id: UserId(r.student_id),
                    from_group: r.from_group.map(GroupId),
                    to_group: r.to_group.map(GroupId),
                    moved_by: UserId(r.moved_by),
                    moved_at: from_ts("group move time", r.moved_at)?,
                })
            })
            .collect()
    }
}
