//! Course announcements (объявления): the owner tells the whole course or
//! some of its groups, a mentor tells the groups they mentor. Students see
//! the announcements meant for them on the course page and the dashboard,
//! and get them by their notification preferences and in the app.

pub mod model;
pub mod ports;
pub mod service;

pub use model::*;
pub use ports::*;
pub use service::*;
