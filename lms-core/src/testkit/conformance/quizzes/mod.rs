//! Conformance of [`QuizStore`](crate::quiz::QuizStore): quizzes,
//! questions, attempts with numbering, limits and server-side deadlines,
//! and the queue of essays waiting for a teacher.

use std::collections::{BTreeMap, BTreeSet};

use futures::future::join_all;

use super::fixtures::{
    add_course, add_quiz_with_questions, add_user, assert_conflict, assert_not_found, at, attempt,
    attempt_result, award, day, finish, ok, outbox_entry, points, published_course_with_student,
    quiz, retry_transient, single_choice_question, true_false_question,
};
use crate::achievement::Badge;
use crate::course::{CourseStatus, Title};
use crate::error::{Conflict, StorageError};
use crate::ids::{AttemptId, OptionId, QuestionId, QuizId};
use crate::page::Page;
use crate::ports::Storage;
use crate::quiz::{
    Answer, Attempt, AttemptState, Choice, MatchPair, QuestionBody, QuestionScore, QuizSettings,
    RevealPolicy, ScoringPolicy,
};
use crate::richtext::RichText;
use crate::user::{Role, UserFilter};

async fn question_ids(storage: &Storage, quiz: QuizId) -> Vec<QuestionId> {
    let questions = ok(storage.quizzes.list_questions(quiz).await, "list_questions");
    for (i, q) in questions.iter().enumerate() {
        assert_eq!(
            q.position as usize, i,
            "question positions must be 0, 1, 2, ... in list order: {questions:?}"
        );
    }
    questions.into_iter().map(|q| q.id).collect()
}

fn choice(text: &str) -> Choice {
    Choice {
        id: OptionId::new(),
        text: text.to_owned(),
    }
}

/// One question body of every kind.
fn every_kind_of_body() -> Vec<QuestionBody> {
    let (a, b, c) = (choice("первый"), choice("второй"), choice("третий"));
    vec![
        QuestionBody::SingleChoice {
            correct: b.id,
            options: vec![a.clone(), b.clone()],
        },
        QuestionBody::MultipleChoice {
            correct: [a.id, c.id].into_iter().collect(),
            options: vec![a.clone(), b.clone(), c.clone()],
        },
        QuestionBody::TrueFalse { correct: false },
        QuestionBody::ShortText {
            accepted: vec!["ёлка".to_owned(), "ель".to_owned()],
        },
        QuestionBody::Numeric {
            value: 2.5,
            tolerance: 0.01,
        },
        QuestionBody::Matching {
            pairs: vec![
                MatchPair {
                    left: choice("Москва"),
                    right: choice("Россия"),
                },
                MatchPair {
                    left: choice("Париж"),
                    right: choice("Франция"),
                },
            ],
        },
        QuestionBody::Ordering {
            items: vec![a, b, c],
        },
        QuestionBody::Essay,
    ]
}

mod essays;
mod finishing;
mod listing;
mod questions;
mod starting;

pub use essays::*;
pub use finishing::*;
pub use listing::*;
pub use questions::*;
pub use starting::*;
