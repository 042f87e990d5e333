//! Courses and their lessons: creating and editing courses, the draft →
//! published → archived lifecycle, invite codes and joining by code,
//! enrolling students, assigning assistants, and lessons with their order.
//!
//! Rich text (course descriptions, lesson bodies) arrives as HTML from the
//! editor and is sanitised by the core
//! ([`RichText::sanitize`](lms_core::richtext::RichText::sanitize)) before it
//! is stored.
//!
//! One module per use case: `lifecycle` (creating, reading, editing and
//! publishing courses), `enrolment` (invite codes, joining, students),
//! `assistants`, `groups` (groups, mentors, moves), `lessons` and `progress` (a student's way through the
//! lessons).

use lms_core::course::Title;
use utoipa_axum::router::OpenApiRouter;

use crate::error::ApiResult;
use crate::extract::field;
use crate::state::AppState;

mod announcements;
mod assistants;
mod enrolment;
mod groups;
mod lessons;
mod lifecycle;
mod progress;

pub use assistants::AssistantRequest;
pub use enrolment::{EnrollRequest, InviteCodeResponse, JoinRequest, StudentResponse};
pub use groups::{CreateGroupRequest, MoveStudentRequest, UpdateGroupRequest};
pub use lessons::{LessonOrderRequest, LessonRequest};
pub use lifecycle::{CourseViewResponse, CreateCourseRequest, StatusRequest, UpdateCourseRequest};

fn title(raw: &str) -> ApiResult<Title> {
    field("title", Title::parse(raw))
}

/// The routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(lifecycle::routes())
        .merge(announcements::routes())
        .merge(enrolment::routes())
        .merge(assistants::routes())
        .merge(groups::routes())
        .merge(lessons::routes())
        .merge(progress::routes())
}
