//! The question bank: reusable questions per course in categories with
//! tags, random slots that give each attempt its own variant, import from
//! and export to Moodle's GIFT, Aiken and CSV.
//!
//! A quiz uses the bank through [`QuestionBody::Random`](crate::quiz::QuestionBody::Random)
//! slots: "draw 5 from `ЕГЭ/Задание 1`", or "one of these three". Each
//! attempt draws when it starts ([`draw`]) and keeps a copy of the drawn
//! questions, so a reload shows the same variant and editing the bank later
//! never changes how a finished attempt was graded.

pub mod draw;
pub mod format;
pub mod model;
pub mod ports;
pub mod service;

pub use draw::*;
pub use model::*;
pub use ports::*;
pub use service::*;
