//! Typed identifiers: a `CourseId` can never be passed where a `UserId` goes.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid, example = "3f2b8c1e-5d4a-4b6f-9e2d-7a1c0b9d8e6f"))]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh random identifier.
            #[must_use]
            pub fn new() -> Self {
                Self(Uuid::new_v4())
            }

            /// The underlying UUID.
            #[must_use]
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }
    };
}

typed_id!(
    /// A person with an account: admin, teacher, assistant or student.
    UserId
);
typed_id!(
    /// A course.
    CourseId
);
typed_id!(
    /// A lesson inside a course.
    LessonId
);
typed_id!(
    /// A homework assignment.
    AssignmentId
);
typed_id!(
    /// One student's submission to one assignment (all its versions).
    SubmissionId
);
typed_id!(
    /// One handed-in version of a submission.
    SubmissionVersionId
);
typed_id!(
    /// A quiz (auto-checked test).
    QuizId
);
typed_id!(
    /// A question of a quiz.
    QuestionId
);
typed_id!(
    /// A question of a course's question bank (all its versions).
    BankQuestionId
);
typed_id!(
    /// An option of a choice question, or an item of a matching/ordering question.
    OptionId
);
typed_id!(
    /// One student's attempt at a quiz.
    AttemptId
);
typed_id!(
    /// A webinar scheduled for a course.
    WebinarId
);
typed_id!(
    /// An entry of the notification outbox.
    OutboxId
);
typed_id!(
    /// A stored file (attachment or upload).
    FileId
);
typed_id!(
    /// An entry of a grade audit trail.
    AuditId
);
typed_id!(
    /// An invitation to an account.
    InvitationId
);
typed_id!(
    /// A group of students inside one course, with its mentors.
    GroupId
);
typed_id!(
    /// A message in the comment thread of a submission.
    CommentId
);
typed_id!(
    /// An announcement of a course to its students (or some of its groups).
    AnnouncementId
);
