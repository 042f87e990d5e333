//! Checks of [`SchoolTransfer`]: moving a whole school from one storage to
//! another loses nothing and changes nothing.
//!
//! Each check is an `async fn` taking the storages involved, both as
//! [`Storage`] (the ports, to fill and probe them) and as `&dyn
//! SchoolTransfer`; every storage must be **fresh and empty**. An adapter
//! runs them from its own tests, pairing itself with the in-memory storage
//! and with itself:
//!
//! ```ignore
//! #[tokio::test]
//! async fn memory_to_postgres() {
//!     let memory = MemoryStorage::new();
//!     let pg = fresh_pg().await;
//!     lms_core::testkit::transfer::round_trip(
//!         Storage::from_adapter(memory.clone()), &*memory,
//!         pg.storage(), &pg,
//!     ).await;
//! }
//! ```
//!
//! The school is built through the ports (see [`populate_school`]) with every
//! kind of row and the states that are easy to lose: reordered lessons,
//! two submission versions with a grade and audit entries, a finished and an
//! open attempt (the open one with a question drawn from the course's bank,
//! which holds a nested category, tags and an edited question), outbox
//! entries that are sent, failed, backed off and leased, two groups created
//! at one instant and a student moved between them.

use std::collections::BTreeMap;
use std::fmt::Debug;

use chrono::NaiveTime;

use super::conformance::fixtures::{
    at, award, day, file_ref, grade_review, hand_in, ok, password_hash, points, quiz,
    return_review, single_choice_question, true_false_question, user, webinar,
};
use crate::achievement::{Achievement, Badge};
use crate::course::{
    Course, CourseCover, CourseRole, CourseStatus, Enrollment, EnrollmentSource, InviteCode,
    Lesson, Title,
};
use crate::error::{Conflict, StorageError};
use crate::file::FileOwner;
use crate::group::{Group, GroupMove, GroupName, MentorScope};
use crate::homework::{
    Assignment, Extension, HandInOutcome, LatePolicy, Submission, SubmissionKind, SubmissionState,
};
use crate::ids::{CourseId, GroupId, LessonId, OutboxId, UserId};
use crate::notification::{
    Channel, Notification, NotificationKind, NotificationPreferences, OutboxEntry, OutboxStatus,
    QuietHours, TelegramLinkToken,
};
use crate::page::Page;
use crate::ports::Storage;
use crate::quiz::{
    Answer, Attempt, AttemptResult, AttemptState, FinishAttempt, Question, QuestionBody,
    QuestionScore, Quiz,
};
use crate::richtext::RichText;
use crate::testkit::memory::MemoryStorage;
use crate::transfer::{
    AssistantRecord, FileRecord, GroupMemberRecord, LessonViewRecord, SchoolDump, SchoolTransfer,
    TelegramChatRecord, UserRecord,
};
use crate::user::{Locale, PasswordHash, Role, Session, TimeZone, TokenHash, User};
use crate::webinar::WebinarState;

mod checks;
mod school;
mod school_groups;
mod school_notifications;
mod school_quiz;

pub use checks::{
    assert_same_school, failed_import_writes_nothing, import_refuses_non_empty, round_trip,
};
pub use school::populate_school;

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::checks::memory_school;
    use super::*;

    fn memory() -> (Storage, Arc<MemoryStorage>) {
        let m = MemoryStorage::new();
        (Storage::from_adapter(m.clone()), m)
    }

    #[tokio::test]
    async fn memory_to_memory() {
        let (source, s) = memory();
        let (target, t) = memory();
        round_trip(source, &*s, target, &*t).await;
    }

    #[tokio::test]
    async fn memory_refuses_a_second_school() {
        let (target, t) = memory();
        import_refuses_non_empty(target, &*t).await;
    }

    #[tokio::test]
    async fn memory_failed_import_writes_nothing() {
        let (target, t) = memory();
        failed_import_writes_nothing(target, &*t).await;
    }

    /// The dump is what an operator moves between servers as a file.
    #[tokio::test]
    async fn a_dump_survives_json() {
        let dump = memory_school().await;
        let json = serde_json::to_string(&dump).expect("a dump serialises");
        let back: SchoolDump = serde_json::from_str(&json).expect("a dump deserialises");
        let (_, t) = memory();
        ok(t.import_school(&back).await, "import from JSON");
        let exported = ok(t.export_school().await, "export");
        assert_same_school(&exported, &dump, "the school read from JSON");
    }

    /// The memory import refuses what the SQL schema refuses.
    #[tokio::test]
    async fn memory_import_checks_keys_and_references() {
        let dump = memory_school().await;
        let mut twice = dump.clone();
        twice.outbox.push(twice.outbox[0].clone());
        let mut orphan = dump.clone();
        orphan.lessons[0].course_id = CourseId::new();
        let mut same_place = dump.clone();
        same_place.lessons[1].position = same_place.lessons[0].position;
        same_place.lessons[1].course_id = same_place.lessons[0].course_id;
        type Expected = fn(&StorageError) -> bool;
        let cases: [(SchoolDump, Expected, &str); 3] = [
            (
                twice,
                |e| matches!(e, StorageError::Conflict(Conflict::Other)),
                "an outbox id twice",
            ),
            (
                orphan,
                |e| matches!(e, StorageError::NotFound),
                "a lesson of an unknown course",
            ),
            (
                same_place,
                |e| matches!(e, StorageError::Conflict(Conflict::Stale)),
                "two lessons at one position",
            ),
        ];
        for (broken, expected, what) in cases {
            let (_, t) = memory();
            let err = t
                .import_school(&broken)
                .await
                .expect_err("a broken dump is refused");
            assert!(expected(&err), "{what}: unexpected {err:?}");
            assert_eq!(
                ok(t.export_school().await, "export"),
                SchoolDump::default(),
                "{what}: a refused dump writes nothing"
            );
        }
    }
}
