//! Why course operations fail.

use thiserror::Error;

use crate::course::model::CourseStatus;
use crate::error::StorageError;
use crate::ids::FileId;

/// Why a course could not be created.
#[derive(Debug, Error)]
pub enum CreateCourseError {
    /// Only teachers and admins create courses, and teachers only for themselves.
    #[error("not allowed to create this course")]
    Forbidden,
    /// The named owner is not an active teacher.
    #[error("owner_id: the owner must be an active teacher")]
    InvalidOwner,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(CreateCourseError {
    Forbidden => (Forbidden, "forbidden"),
    InvalidOwner => (Invalid, "invalid_owner"),
});

/// Why a course or its members could not be read.
#[derive(Debug, Error)]
pub enum CourseAccessError {
    /// No such course, or the actor may not see it.
    #[error("course not found")]
    NotFound,
    /// The actor sees the course but may not read this.
    #[error("not allowed in this course")]
    Forbidden,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(CourseAccessError {
    NotFound => (NotFound, "course_not_found"),
    Forbidden => (Forbidden, "forbidden"),
});

/// Why a course could not be changed (details, invite code, members).
#[derive(Debug, Error)]
pub enum ManageCourseError {
    /// No such course, or the actor may not see it.
    #[error("course not found")]
    NotFound,
    /// Only the owner and admins manage a course.
    #[error("only the course owner or an admin may do this")]
    Forbidden,
    /// The course is archived; publish it again to change it.
    #[error("the course is archived")]
    CourseArchived,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(ManageCourseError {
    NotFound => (NotFound, "course_not_found"),
    Forbidden => (Forbidden, "forbidden"),
    CourseArchived => (Conflict, "course_archived"),
});

/// Why a course's status could not be changed.
#[derive(Debug, Error)]
pub enum SetStatusError {
    /// No such course, or the actor may not see it.
    #[error("course not found")]
    NotFound,
    /// Only the owner and admins change the status.
    #[error("only the course owner or an admin may do this")]
    Forbidden,
    /// The lifecycle does not allow this change.
    #[error("status: a course cannot go from {} to {}", from.as_str(), to.as_str())]
    InvalidTransition {
        /// Current status.
        from: CourseStatus,
        /// Requested status.
        to: CourseStatus,
    },
    /// A published course with enrolled students cannot go back to draft.
    #[error("status: students are enrolled, the course cannot go back to draft")]
    StudentsEnrolled,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(SetStatusError {
    NotFound => (NotFound, "course_not_found"),
    Forbidden => (Forbidden, "forbidden"),
    InvalidTransition { .. } => (Conflict, "invalid_status_transition"),
    StudentsEnrolled => (Conflict, "students_enrolled"),
});

/// Why a student could not join a course by invite code.
#[derive(Debug, Error)]
pub enum JoinError {
    /// Only students join courses.
    #[error("only students may join a course by code")]
    Forbidden,
    /// No published course has this code (unknown, rotated or disabled).
    #[error("invite code is not valid")]
    InvalidCode,
    /// The student is already enrolled.
    #[error("already enrolled in this course")]
    AlreadyEnrolled,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(JoinError {
    Forbidden => (Forbidden, "forbidden"),
    InvalidCode => (NotFound, "invalid_invite_code"),
    AlreadyEnrolled => (Conflict, "already_enrolled"),
});

/// Why staff could not enrol a student.
#[derive(Debug, Error)]
pub enum EnrollError {
    /// No such course, or the actor may not see it.
    #[error("course not found")]
    NotFound,
    /// Only the owner and admins enrol students.
    #[error("only the course owner or an admin may do this")]
    Forbidden,
    /// The course is archived.
    #[error("the course is archived")]
    CourseArchived,
    /// No such user.
    #[error("student_id: user not found")]
    UserNotFound,
    /// The user is deactivated.
    #[error("student_id: user is deactivated")]
    UserInactive,
    /// The user's role is not student.
    #[error("student_id: user is not a student")]
    NotAStudent,
    /// The student is already enrolled.
    #[error("student is already enrolled")]
    AlreadyEnrolled,
    /// A bulk request named more than 500 accounts.
    #[error("student_ids: at most 500 at once")]
    TooMany,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(EnrollError {
    NotFound => (NotFound, "course_not_found"),
    Forbidden => (Forbidden, "forbidden"),
    CourseArchived => (Conflict, "course_archived"),
    UserNotFound => (Invalid, "user_not_found"),
    UserInactive => (Invalid, "user_inactive"),
    NotAStudent => (Invalid, "not_a_student"),
    AlreadyEnrolled => (Conflict, "already_enrolled"),
    TooMany => (Invalid, "invalid_field"),
});

/// Why an assistant could not be assigned.
#[derive(Debug, Error)]
pub enum AssistantError {
    /// No such course, or the actor may not see it.
    #[error("course not found")]
    NotFound,
    /// Only the owner and admins assign assistants.
    #[error("only the course owner or an admin may do this")]
    Forbidden,
    /// No such user.
    #[error("user_id: user not found")]
    UserNotFound,
    /// The user is deactivated.
    #[error("user_id: user is deactivated")]
    UserInactive,
    /// The user is neither an assistant nor a teacher.
    #[error("user_id: user must be an assistant or a teacher")]
    NotStaff,
    /// The user owns the course already.
    #[error("user_id: the owner cannot be an assistant of their own course")]
    IsOwner,
    /// The user is already an assistant of the course.
    #[error("user is already an assistant of this course")]
    AlreadyAssistant,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(AssistantError {
    NotFound => (NotFound, "course_not_found"),
    Forbidden => (Forbidden, "forbidden"),
    UserNotFound => (Invalid, "user_not_found"),
    UserInactive => (Invalid, "user_inactive"),
    NotStaff => (Invalid, "not_staff"),
    IsOwner => (Invalid, "owner_cannot_assist"),
    AlreadyAssistant => (Conflict, "already_assistant"),
});

/// Why a lesson could not be created, read, changed or deleted.
#[derive(Debug, Error)]
pub enum LessonError {
    /// No such course, or the actor may not see it.
    #[error("course not found")]
    CourseNotFound,
    /// No such lesson, or the actor may not see it (yet).
    #[error("lesson not found")]
    LessonNotFound,
    /// Only the owner and admins edit lessons.
    #[error("only the course owner or an admin may do this")]
    Forbidden,
    /// The course is archived.
    #[error("the course is archived")]
    CourseArchived,
    /// An attachment that is not a file uploaded to this lesson.
    #[error("attachment_ids: file {0} was not uploaded to this lesson")]
    AttachmentNotUploaded(FileId),
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(LessonError {
    CourseNotFound => (NotFound, "course_not_found"),
    LessonNotFound => (NotFound, "lesson_not_found"),
    Forbidden => (Forbidden, "forbidden"),
    CourseArchived => (Conflict, "course_archived"),
    AttachmentNotUploaded(_) => (Invalid, "invalid_field"),
});

/// Why lessons could not be reordered.
#[derive(Debug, Error)]
pub enum ReorderError {
    /// No such course, or the actor may not see it.
    #[error("course not found")]
    NotFound,
    /// Only the owner and admins reorder lessons.
    #[error("only the course owner or an admin may do this")]
    Forbidden,
    /// The course is archived.
    #[error("the course is archived")]
    CourseArchived,
    /// The order does not list every lesson of the course exactly once.
    #[error("order: must list every lesson of the course exactly once")]
    InvalidOrder,
    /// The lessons changed meanwhile; reload and try again.
    #[error("lessons changed meanwhile; reload and try again")]
    Stale,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(ReorderError {
    NotFound => (NotFound, "course_not_found"),
    Forbidden => (Forbidden, "forbidden"),
    CourseArchived => (Conflict, "course_archived"),
    InvalidOrder => (Invalid, "invalid_lesson_order"),
    Stale => (Conflict, "lessons_changed"),
});

/// Why access to a course was refused inside the service (mapped to each
/// operation's own error).
pub(super) enum Denied {
    NotFound,
    Forbidden,
    Storage(StorageError),
}

impl From<StorageError> for Denied {
    fn from(e: StorageError) -> Self {
        Self::Storage(e)
    }
}

macro_rules! from_denied {
    ($($ty:ident),*) => {$(
        impl From<Denied> for $ty {
            fn from(d: Denied) -> Self {
                match d {
                    Denied::NotFound => Self::NotFound,
                    Denied::Forbidden => Self::Forbidden,
                    Denied::Storage(e) => Self::Storage(e),
                }
            }
        }
    )*};
}

from_denied!(
    CourseAccessError,
    ManageCourseError,
    SetStatusError,
    EnrollError,
    AssistantError,
    ReorderError
);

impl LessonError {
    /// `NotFound` of the course means the lesson is not found when the call
    /// names a lesson.
    pub(super) fn for_lesson(d: Denied) -> Self {
        match d {
            Denied::NotFound => Self::LessonNotFound,
            Denied::Forbidden => Self::Forbidden,
            Denied::Storage(e) => Self::Storage(e),
        }
    }

    pub(super) fn for_course(d: Denied) -> Self {
        match d {
            Denied::NotFound => Self::CourseNotFound,
            Denied::Forbidden => Self::Forbidden,
            Denied::Storage(e) => Self::Storage(e),
        }
    }
}

/// Why a group operation failed.
#[derive(Debug, Error)]
pub enum GroupError {
    /// No such course, or the actor may not see it.
    #[error("course not found")]
    CourseNotFound,
    /// No such group in the course, or the actor may not see it.
    #[error("group not found")]
    GroupNotFound,
    /// Only the owner and admins manage groups; mentors only read theirs.
    #[error("only the course owner or an admin may do this")]
    Forbidden,
    /// The course is archived; publish it again to change it.
    #[error("the course is archived")]
    CourseArchived,
    /// The group is archived: it takes no new students.
    #[error("the group is archived")]
    GroupArchived,
    /// A named mentor is not an assistant of the course.
    #[error("mentor_ids: every mentor must be an assistant of the course")]
    InvalidMentor,
    /// Too many mentors for one group.
    #[error("mentor_ids: at most {max} mentors per group")]
    TooManyMentors {
        /// The limit.
        max: usize,
    },
    /// The student is not enrolled in the course.
    #[error("the student is not enrolled in this course")]
    StudentNotEnrolled,
    /// The student was moved by someone else meanwhile.
    #[error("the student's group changed meanwhile; reload and try again")]
    Stale,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

crate::domain_error!(GroupError {
    CourseNotFound => (NotFound, "course_not_found"),
    GroupNotFound => (NotFound, "group_not_found"),
    Forbidden => (Forbidden, "forbidden"),
    CourseArchived => (Conflict, "course_archived"),
    GroupArchived => (Conflict, "group_archived"),
    InvalidMentor => (Invalid, "invalid_mentor"),
    TooManyMentors { .. } => (Invalid, "too_many_mentors"),
    StudentNotEnrolled => (NotFound, "student_not_enrolled"),
    Stale => (Conflict, "group_changed"),
});

impl From<crate::course::Refusal> for GroupError {
    fn from(r: crate::course::Refusal) -> Self {
        match r {
            crate::course::Refusal::NotFound => Self::CourseNotFound,
            crate::course::Refusal::Forbidden => Self::Forbidden,
        }
    }
}
