//! Conformance of [`CourseStore`](crate::course::CourseStore): courses,
//! staff, enrolment, lessons and lesson views.

use super::fixtures::{
    add_course, add_lesson, add_user, assert_conflict, assert_not_found, at, course, enroll,
    file_ref, lesson, ok, published_course_with_student, sorted, t0, user_with_email,
};
use crate::course::{
    CourseCover, CourseRole, CourseStatus, Enrollment, EnrollmentSource, InviteCode, Title,
};
use crate::error::Conflict;
use crate::ids::{CourseId, LessonId, UserId};
use crate::page::Page;
use crate::ports::Storage;
use crate::richtext::RichText;
use crate::user::{DisplayName, Role, UserFilter};

async fn lesson_ids(storage: &Storage, course: CourseId) -> Vec<LessonId> {
    let lessons = ok(storage.courses.list_lessons(course).await, "list_lessons");
    for (i, l) in lessons.iter().enumerate() {
        assert_eq!(
            l.position as usize, i,
            "lesson positions must be 0, 1, 2, ... in list order: {lessons:?}"
        );
    }
    lessons.into_iter().map(|l| l.id).collect()
}

mod catalogue;
mod lessons;
mod members;

pub use catalogue::*;
pub use lessons::*;
pub use members::*;
