//! Conformance of [`HomeworkStore`](crate::homework::HomeworkStore):
//! assignments, extensions, hand-ins with versions, reviews with an audit
//! trail, and the teacher's queue.

use futures::future::join_all;

use super::fixtures::{
    add_assignment, add_course, add_hand_in, add_user, assert_conflict, assert_not_found,
    assignment, at, award, day, file_ref, grade_review, hand_in, ok, outbox_entry, points,
    published_course_with_student, retry_transient, return_review, sorted,
};
use crate::achievement::Badge;
use crate::course::{CourseStatus, Title};
use crate::error::Conflict;
use crate::file::FileOwner;
use crate::homework::{
    AuditAction, Extension, HandIn, HandInOutcome, LatePolicy, Submission, SubmissionKind,
    SubmissionState,
};
use crate::ids::{AssignmentId, CourseId, SubmissionId, UserId};
use crate::page::Page;
use crate::ports::Storage;
use crate::richtext::RichText;
use crate::user::Role;

/// The submission a first hand-in must produce.
fn expected_first(h: &HandIn) -> Submission {
    let mut v = h.version.clone();
    v.submission_id = h.new_submission_id;
    v.number = 1;
    Submission {
        id: h.new_submission_id,
        assignment_id: h.assignment_id,
        student_id: h.student_id,
        state: h.state,
        versions: vec![v],
        grade: None,
        rework_feedback: None,
        updated_at: h.version.submitted_at,
    }
}

fn stored(outcome: HandInOutcome, what: &str) -> Submission {
    match outcome {
        HandInOutcome::Stored(s) => s,
        HandInOutcome::Duplicate(s) => panic!("{what}: expected Stored, got Duplicate({s:?})"),
    }
}

async fn outbox_ids(storage: &Storage, user: UserId) -> Vec<crate::ids::OutboxId> {
    ok(
        storage
            .notifications
            .list_user_outbox(user, Page::max())
            .await,
        "list_user_outbox",
    )
    .into_iter()
    .map(|e| e.id)
    .collect()
}

mod assignments;
mod hand_ins;
mod reading;
mod reviews;

pub use assignments::*;
pub use hand_ins::*;
pub use reading::*;
pub use reviews::*;
