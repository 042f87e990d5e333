//! Item analysis of a quiz for its staff.

use super::*;
use crate::quiz::analysis::{QuizAnalysis, analyse};
use crate::user::UserFilter;

/// The most attempts one analysis reads.
pub const MAX_ANALYSED_ATTEMPTS: u32 = 20_000;

impl QuizService {
    /// Item analysis (per question: facility, discrimination, option
    /// counts; the quiz's score histogram) over the finished attempts of
    /// the students the actor grades (a mentor: their groups'): course
    /// staff only.
    pub async fn analysis(
        &self,
        actor: &Actor,
        quiz_id: QuizId,
    ) -> Result<QuizAnalysis, ViewQuizError> {
        let access = self.staff_quiz(actor, quiz_id).await?;
        let students = access.course.narrow(&UserFilter::default());
        let mut attempts = Vec::new();
        let mut offset = 0;
        while offset < MAX_ANALYSED_ATTEMPTS {
            let batch = self
                .quizzes
                .list_quiz_attempts(quiz_id, &students, Page::new(Page::MAX_LIMIT, offset))
                .await?;
            let last = batch.len() < Page::MAX_LIMIT as usize;
            attempts.extend(batch.into_iter().map(|a| a.attempt));
            if last {
                break;
            }
            offset += Page::MAX_LIMIT;
        }
        let questions = self.quizzes.list_questions(quiz_id).await?;
        Ok(analyse(&questions, &attempts))
    }
}
