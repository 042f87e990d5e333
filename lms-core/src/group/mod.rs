//! Groups of a course's students, each with its mentors (кураторы): the
//! way online schools split one stream of a course.
//!
//! A student is in at most one group per course; moving them writes a
//! history entry. A group's mentors are assistants of the course. Once a
//! course has a group, its assistants see and grade only the students of
//! the groups they mentor (see [`MentorScope`]); the owner and admins see
//! everyone. Group management lives in [`crate::course::CourseService`].

pub mod model;
pub mod ports;

pub use model::*;
pub use ports::*;
