//! Export and import of a whole school ([`SchoolTransfer`]): every row of
//! every table, read in one snapshot and written in one transaction.

use async_trait::async_trait;
use chrono::NaiveTime;
use lms_core::announcement::Announcement;
use lms_core::error::{Conflict, StorageResult};
use lms_core::group::GroupMove;
use lms_core::homework::SubmissionComment;
use lms_core::ids::{CommentId, CourseId, GroupId, LessonId, SubmissionId, UserId};
use lms_core::notification::TelegramLinkToken;
use lms_core::richtext::RichText;
use lms_core::transfer::{
    AssistantRecord, CommentReadRecord, FileRecord, GroupMemberRecord, LessonViewRecord,
    SchoolDump, SchoolTransfer, TelegramChatRecord, UserRecord,
};
use lms_core::user::{PasswordHash, Session, TokenHash, User};
use lms_core::{StorageError, achievement::Achievement};
use sqlx::SqliteConnection;
use uuid::Uuid;

use crate::SqliteStorage;
use crate::achievement::AchievementRow;
use crate::announcement::{AnnouncementRow, insert_announcement};
use crate::bank::{BankQuestionRow, insert_bank_row};
use crate::course::{CourseRow, EnrollmentRow, LessonRow, source_str};
use crate::error::{from_json, from_ts, map_err, to_json, ts, ts_opt};
use crate::file::{FileRow, insert_file};
use crate::group::{GroupRow, check_group_of, insert_mentors, insert_move};
use crate::homework::{
    AssignmentRow, AuditRow, ExtensionRow, SubmissionRow, VersionRow, assemble_submissions,
};
use crate::notification::{OutboxRow, preferences_from};
use crate::quiz::{AttemptRow, QuestionRow, QuizRow, seed_to_i64, state_str};
use crate::user::{SessionRow, UserRow};
use crate::webinar::{WebinarRow, webinar_state_str};

#[async_trait]
impl SchoolTransfer for SqliteStorage {
    async fn export_school(&self) -> StorageResult<SchoolDump> {
        // A read transaction: in WAL mode every statement in it sees the
        // snapshot taken at its first read, whatever writers do meanwhile.
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        let dump = export(&mut tx).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(dump)
    }

    async fn import_school(&self, dump: &SchoolDump) -> StorageResult<()> {
        let mut tx = self.write_tx().await?;
        let existing = sqlx::query!(r#"SELECT count(*) AS "n!: i64" FROM users"#)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err)?;
        if existing.n > 0 {
            return Err(StorageError::Conflict(Conflict::Other));
        }
        // Dropping the transaction on an error rolls every row back.
        import(&mut tx, dump).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }
}

mod export;
mod import;

use export::export;
use import::import;
