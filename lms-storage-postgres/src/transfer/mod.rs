//! Export and import of a whole school.
//!
//! The export reads every table in one `REPEATABLE READ, READ ONLY`
//! transaction, so it is one snapshot however busy the school is. The import
//! runs in one transaction: it locks `users` against concurrent writers,
//! refuses a database that already holds users, and then writes every table
//! in dependency order with `INSERT … SELECT FROM UNNEST(…)`, a batch of rows
//! per statement (students' groups are one `UPDATE … FROM UNNEST(…)` of the
//! imported enrolments). Rows are written as they are, not through the ports
//! (`insert_lesson` and friends assign positions and numbers): ids,
//! positions, version and attempt numbers, states, grades and leases stay
//! exactly as exported. The deferred position constraints are checked at
//! commit; any failure rolls everything back.

use async_trait::async_trait;
use chrono::{DateTime, NaiveTime, Utc};
use lms_core::StorageError;
use lms_core::announcement::Announcement;
use lms_core::bank::BankQuestion;
use lms_core::course::{Course, Enrollment, Lesson};
use lms_core::error::{Conflict, StorageResult};
use lms_core::group::{Group, GroupMove};
use lms_core::homework::{Assignment, Extension, GradeAuditEntry, Submission, SubmissionComment};
use lms_core::ids::{CommentId, CourseId, GroupId, LessonId, SubmissionId, UserId};
use lms_core::notification::{OutboxEntry, TelegramLinkToken};
use lms_core::quiz::{Attempt, Question, Quiz};
use lms_core::richtext::RichText;
use lms_core::transfer::{
    AssistantRecord, CommentReadRecord, FileRecord, GroupMemberRecord, LessonViewRecord,
    SchoolDump, SchoolTransfer, TelegramChatRecord, UserRecord,
};
use lms_core::user::{PasswordHash, Session, TokenHash, User};
use lms_core::webinar::Webinar;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::PgStorage;
use crate::achievement::achievement_from;
use crate::announcement::AnnouncementRow;
use crate::bank::{BankQuestionRow, insert_bank_rows};
use crate::course::{CourseRow, LessonRow, source_parse, source_str};
use crate::error::{from_json, map_err, to_i32, to_json};
use crate::file::{FileRow, owner_columns, size_column};
use crate::group::GroupRow;
use crate::homework::{AssignmentRow, ExtensionRow, kind_str, load_submissions};
use crate::notification::{OutboxRow, preferences_from};
use crate::quiz::{AttemptRow, QuestionRow, QuizRow, state_str};
use crate::user::UserRow;
use crate::webinar::{WebinarRow, webinar_state_str};

/// Rows per `INSERT … UNNEST` statement: large enough to make an import of
/// a big school quick, small enough to keep each message modest.
const BATCH: usize = 1000;

/// Encodes every value of a column for a JSONB array parameter.
fn json_column<T, V: serde::Serialize>(
    rows: &[T],
    value: impl Fn(&T) -> &V,
) -> StorageResult<Vec<serde_json::Value>> {
    rows.iter().map(|r| to_json(value(r))).collect()
}

#[async_trait]
impl SchoolTransfer for PgStorage {
    async fn export_school(&self) -> StorageResult<SchoolDump> {
        let mut tx = self
            .pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .await
            .map_err(map_err)?;
        let dump = export(&mut tx).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(dump)
    }

    async fn import_school(&self, dump: &SchoolDump) -> StorageResult<()> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        // Blocks writers of users (and a concurrent import) until commit;
        // readers go on.
        sqlx::query!("LOCK TABLE users IN EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        let held = sqlx::query!(r#"SELECT EXISTS (SELECT 1 FROM users) AS "any!""#)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err)?;
        if held.any {
            return Err(StorageError::Conflict(Conflict::Other));
        }
        import(&mut tx, dump).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }
}

// ---- export ----------------------------------------------------------------

mod export;
mod import;

use export::export;
use import::import;
