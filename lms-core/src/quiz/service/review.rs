//! Reviewing attempts under the reveal policy and grading essays.

use super::*;
use crate::course::{QueueScope, Refusal};
use crate::quiz::model::PendingEssay;
use crate::user::UserFilter;

impl QuizService {
    // ----- reviewing and grading --------------------------------------------

    /// A question-by-question review. The attempt's student gets correct
    /// answers and explanations only when the quiz's reveal policy allows;
    /// course staff always get them.
    pub async fn review(
        &self,
        actor: &Actor,
        attempt_id: AttemptId,
    ) -> Result<AttemptReview, AttemptAccessError> {
        let attempt = self
            .quizzes
            .get_attempt(attempt_id)
            .await?
            .ok_or(AttemptAccessError::NotFound)?;
        let access = self
            .quiz_access(actor, attempt.quiz_id)
            .await?
            .ok_or(AttemptAccessError::NotFound)?;
        let own = attempt.student_id == actor.user_id
            && access.course.role() == Some(CourseRole::Student);
        // Staff review only the attempts of students they grade (a mentor,
        // their groups'); anyone else does not learn the attempt exists.
        if !own
            && !access
                .course
                .grades(&*self.groups, attempt.student_id)
                .await?
        {
            return Err(AttemptAccessError::NotFound);
        }
        let questions = self.quizzes.list_questions(access.quiz.id).await?;
        let settings = &access.quiz.settings;
        let attempt = self
            .finish_if_overdue(attempt.capped_by(settings), &access.quiz, &questions)
            .await?;
        let now = self.clock.now();
        Ok(if own {
            // Answers stay hidden while another attempt of this student is
            // open (one past its deadline or the quiz's close is finished
            // first), so nothing revealed can be typed into it.
            let mut another_open = false;
            if reveal_allowed(settings, &attempt, now) {
                for other in self
                    .quizzes
                    .list_attempts(attempt.quiz_id, attempt.student_id)
                    .await?
                {
                    if other.id != attempt.id && other.state == AttemptState::Open {
                        let other = self
                            .finish_if_overdue(other.capped_by(settings), &access.quiz, &questions)
                            .await?;
                        another_open |= other.state == AttemptState::Open;
                    }
                }
            }
            student_review(
                &attempt.questions(&questions),
                settings,
                &attempt,
                now,
                another_open,
            )
        } else {
            staff_review(
                &attempt.questions(&questions),
                &access.quiz.settings,
                &attempt,
            )
        })
    }

    /// A teacher's or assistant's score for an essay of a finished attempt;
    /// the attempt's result is recomputed. Returns the staff review.
    pub async fn grade_essay(
        &self,
        actor: &Actor,
        attempt_id: AttemptId,
        question_id: QuestionId,
        points: Points,
    ) -> Result<AttemptReview, GradeEssayError> {
        // Another grader may replace the result between our read and write;
        // storage refuses then (Stale) and we grade again from the new result.
        for _ in 0..3 {
            match self
                .grade_essay_once(actor, attempt_id, question_id, points)
                .await
            {
                Err(GradeEssayError::ChangedMeanwhile) => continue,
                other => return other,
            }
        }
        Err(GradeEssayError::ChangedMeanwhile)
    }

    async fn grade_essay_once(
        &self,
        actor: &Actor,
        attempt_id: AttemptId,
        question_id: QuestionId,
        points: Points,
    ) -> Result<AttemptReview, GradeEssayError> {
        let attempt = self
            .quizzes
            .get_attempt(attempt_id)
            .await?
            .ok_or(GradeEssayError::NotFound)?;
        let access = self
            .quiz_access(actor, attempt.quiz_id)
            .await?
            .ok_or(GradeEssayError::NotFound)?;
        if !access
            .course
            .grades(&*self.groups, attempt.student_id)
            .await?
        {
            return Err(
                if attempt.student_id == actor.user_id
                    && access.course.role() == Some(CourseRole::Student)
                {
                    GradeEssayError::Forbidden
                } else {
                    GradeEssayError::NotFound
                },
            );
        }
        let Some(old) = attempt
            .result
            .as_ref()
            .filter(|_| attempt.state != AttemptState::Open)
        else {
            return Err(GradeEssayError::NotFinished);
        };
        let in_attempt = attempt.questions(&self.quizzes.list_questions(access.quiz.id).await?);
        let question = in_attempt
            .iter()
            .find(|q| q.id == question_id)
            .ok_or(GradeEssayError::QuestionNotFound)?;
        if !question.body.needs_manual_grading() {
            return Err(GradeEssayError::NotEssay);
        }
        if points > question.points {
            return Err(GradeEssayError::AboveMax {
                max: question.points,
            });
        }
        let mut manual: BTreeMap<QuestionId, Points> = in_attempt
            .iter()
            .filter(|q| q.body.needs_manual_grading())
            .filter_map(|q| match old.per_question.get(&q.id) {
                Some(QuestionScore::Scored(p)) => Some((q.id, *p)),
                _ => None,
            })
            .collect();
        manual.insert(question_id, points);
        let result = score_attempt(&in_attempt, &attempt.answers, &manual);
        let (awards, outbox) = self
            .perfect_quiz_award(attempt.student_id, &access.quiz, &result)
            .await?;
        let stored = self
            .quizzes
            .set_attempt_result(attempt_id, old, &result, &awards, &outbox)
            .await
            .map_err(|e| match e {
                StorageError::NotFound => GradeEssayError::NotFound,
                StorageError::Conflict(Conflict::Stale) => GradeEssayError::ChangedMeanwhile,
                e => e.into(),
            })?;
        Ok(staff_review(&in_attempt, &access.quiz.settings, &stored))
    }

    /// Finished attempts with essays waiting for a grade, oldest finished
    /// first: in `course` (which the actor must grade in; a mentor sees
    /// their groups'), or else in every course the actor owns or assists in
    /// (every course for admins); only those of students `students`
    /// matches (by name or e-mail prefix, group; its role is ignored). The
    /// homework queue's scope ([`QueueScope`]).
    pub async fn essay_queue(
        &self,
        actor: &Actor,
        course: Option<CourseId>,
        students: &UserFilter,
        page: Page,
    ) -> Result<Vec<PendingEssay>, ViewQuizError> {
        let scope =
            match QueueScope::resolve(&*self.courses, &*self.groups, actor, course, students)
                .await?
            {
                Ok(scope) => scope,
                Err(Refusal::NotFound) => return Err(ViewQuizError::CourseNotFound),
                Err(Refusal::Forbidden) => return Err(ViewQuizError::Forbidden),
            };
        if scope.courses.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self
            .quizzes
            .pending_essays(&scope.courses, &scope.students, page)
            .await?)
    }
}
