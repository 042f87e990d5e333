//! Notifications: event kinds, per-user channel preferences, the durable
//! outbox, Telegram linking, the pure reminder planner and the outbox
//! dispatcher.

pub mod dispatch;
pub mod fanout;
pub mod model;
pub mod planner;
pub mod ports;
pub mod service;
pub mod settings;

pub use dispatch::*;
pub use fanout::*;
pub use model::*;
pub use planner::*;
pub use ports::*;
pub use service::*;
pub use settings::*;
