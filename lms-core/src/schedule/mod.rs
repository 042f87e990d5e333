//! The schedule: per-user calendar events derived from lessons, deadlines,
//! quiz windows and webinars, shown in the user's time zone or subscribed
//! to as an iCalendar feed.

pub mod ical;
pub mod model;
pub mod ports;
pub mod service;

pub use ical::*;
pub use model::*;
pub use ports::*;
pub use service::*;
