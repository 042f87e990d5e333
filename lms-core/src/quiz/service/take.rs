//! Taking a quiz: starting attempts, saving answers, submitting, and the
//! sweep that finishes overdue attempts.

use std::collections::BTreeSet;

use super::*;
use crate::bank::{Pool, Variant, assemble, draw, slots};

impl QuizService {
    // ----- taking a quiz ---------------------------------------------------

    /// Starts an attempt: enrolled students of a published course, while
    /// the quiz is open, within the attempt limit. With an attempt already
    /// in progress, fails with [`StartAttemptError::OpenAttempt`] naming it
    /// (an in-progress attempt whose deadline passed is finished first).
    pub async fn start_attempt(
        &self,
        actor: &Actor,
        quiz_id: QuizId,
    ) -> Result<AttemptView, StartAttemptError> {
        let access = self
            .quiz_access(actor, quiz_id)
            .await?
            .ok_or(StartAttemptError::NotFound)?;
        if !access.sees() {
            return Err(StartAttemptError::NotFound);
        }
        if !access.course.can_study() || !access.quiz.published {
            return Err(StartAttemptError::Forbidden);
        }
        let quiz = access.quiz;
        let now = self.clock.now();
        if !quiz.settings.is_open_at(now) {
            return Err(StartAttemptError::NotOpen);
        }
        let questions = self.quizzes.list_questions(quiz.id).await?;
        if questions.is_empty() {
            return Err(StartAttemptError::NoQuestions);
        }
        let seed = new_seed();
        let variant = self
            .variant(&questions, seed, quiz.settings.shuffle_questions)
            .await?;
        if variant.order.is_empty() {
            return Err(StartAttemptError::NoQuestions);
        }
        let attempt = Attempt {
            id: AttemptId::new(),
            quiz_id: quiz.id,
            student_id: actor.user_id,
            number: 0,
            seed,
            question_order: variant.order,
            drawn: variant.drawn,
            started_at: now,
            deadline: quiz.settings.attempt_deadline(now),
            state: AttemptState::Open,
            answers: BTreeMap::new(),
            saved_at: None,
            finished_at: None,
            result: None,
            submit_key: None,
        };
        let mut overdue_finished = false;
        loop {
            match self
                .quizzes
                .start_attempt(&attempt, quiz.settings.attempts_allowed)
                .await
            {
                Ok(stored) => return Ok(self.attempt_view(&stored, &quiz, &questions)),
                Err(StorageError::Conflict(Conflict::AttemptLimit)) => {
                    return Err(StartAttemptError::AttemptLimit);
                }
                Err(StorageError::Conflict(Conflict::OpenAttempt)) => {
                    let open = self
                        .quizzes
                        .list_attempts(quiz.id, actor.user_id)
                        .await?
                        .into_iter()
                        .find(|a| a.state == AttemptState::Open)
                        .map(|a| a.capped_by(&quiz.settings));
                    match open {
                        Some(open) if !overdue_finished && !open.is_open_at(now) => {
                            self.finish_overdue_attempt(&open, &quiz, &questions)
                                .await?;
                            overdue_finished = true;
                        }
                        Some(open) => return Err(StartAttemptError::OpenAttempt(open.id)),
                        None => {
                            return Err(StorageError::Conflict(Conflict::OpenAttempt).into());
                        }
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// The questions an attempt starting with `seed` gets: the quiz's own,
    /// and for each random slot (by position) its draw from the bank, no
    /// bank question twice. Reads each slot's pool, then the drawn
    /// questions in one read.
    async fn variant(
        &self,
        questions: &[Question],
        seed: u64,
        shuffle: bool,
    ) -> Result<Variant, StorageError> {
        let mut picks = Vec::new();
        let mut taken = BTreeSet::new();
        let mut courses = BTreeMap::new();
        for slot in slots(questions) {
            let QuestionBody::Random { pool, count } = &slot.body else {
                continue;
            };
            let candidates = match pool {
                Pool::Category {
                    course_id,
                    category,
                    tag,
                } => {
                    self.bank
                        .bank_pool(*course_id, category, tag.clone())
                        .await?
                }
                Pool::Questions { ids, .. } => ids.clone(),
            };
            let chosen = draw(&candidates, *count, seed, slot.id, &taken);
            for id in &chosen {
                taken.insert(*id);
                courses.insert(*id, pool.course_id());
            }
            picks.push((slot.id, chosen));
        }
        let bank = if taken.is_empty() {
            Vec::new()
        } else {
            let wanted: Vec<_> = taken.into_iter().collect();
            let mut found = self.bank.get_bank_questions(&wanted).await?;
            // A named question moved to no other bank, but check anyway:
            // a slot draws only from its own course's bank.
            found.retain(|q| courses.get(&q.id) == Some(&q.course_id));
            found
        };
        Ok(assemble(questions, &picks, &bank, seed, shuffle))
    }

    /// The actor's own attempt (finished first if its deadline passed).
    pub async fn get_attempt(
        &self,
        actor: &Actor,
        attempt_id: AttemptId,
    ) -> Result<AttemptView, AttemptAccessError> {
        let (attempt, quiz) = self
            .own_attempt(actor, attempt_id)
            .await?
            .ok_or(AttemptAccessError::NotFound)?;
        let questions = self.quizzes.list_questions(quiz.id).await?;
        let attempt = self.finish_if_overdue(attempt, &quiz, &questions).await?;
        Ok(self.attempt_view(&attempt, &quiz, &questions))
    }

    /// Saves (merges) answers into the actor's open attempt before its
    /// deadline. Every answer must belong to a question of the attempt and
    /// fit its kind; otherwise nothing is saved.
    pub async fn save_answers(
        &self,
        actor: &Actor,
        attempt_id: AttemptId,
        answers: BTreeMap<QuestionId, Answer>,
    ) -> Result<AttemptView, SaveAnswersError> {
        let (attempt, quiz) = self
            .own_attempt(actor, attempt_id)
            .await?
            .ok_or(SaveAnswersError::NotFound)?;
        if attempt.state != AttemptState::Open {
            return Err(SaveAnswersError::Closed);
        }
        let questions = attempt.questions(&self.quizzes.list_questions(quiz.id).await?);
        let now = self.clock.now();
        if !attempt.is_open_at(now) {
            self.finish_if_overdue(attempt, &quiz, &questions).await?;
            return Err(SaveAnswersError::Closed);
        }
        for (id, answer) in &answers {
            let question = attempt
                .question_order
                .contains(id)
                .then(|| questions.iter().find(|q| q.id == *id))
                .flatten()
                .ok_or_else(|| SaveAnswersError::InvalidAnswer {
                    question: *id,
                    reason: "the question is not part of this attempt".to_owned(),
                })?;
            validate_answer(&question.body, answer).map_err(|e| {
                SaveAnswersError::InvalidAnswer {
                    question: *id,
                    reason: e.to_string(),
                }
            })?;
        }
        let saved = self
            .quizzes
            .save_answers(attempt_id, &answers, now)
            .await
            .map_err(|e| match e {
                StorageError::Conflict(Conflict::AttemptClosed) => SaveAnswersError::Closed,
                StorageError::NotFound => SaveAnswersError::NotFound,
                e => e.into(),
            })?;
        Ok(self.attempt_view(&saved, &quiz, &questions))
    }

    /// Finishes the actor's attempt with the saved answers and returns the
    /// score. Idempotent per key: a retried submit with the same key, also
    /// after the attempt was finished, returns the stored result; any other
    /// submit of a finished attempt fails with
    /// [`SubmitError::AlreadyFinished`]. Submitting after the deadline
    /// finishes the attempt as auto-submitted.
    pub async fn submit(
        &self,
        actor: &Actor,
        attempt_id: AttemptId,
        idempotency_key: Option<String>,
    ) -> Result<AttemptOutcome, SubmitError> {
        let key = match idempotency_key.map(|k| k.trim().to_owned()) {
            Some(k) if k.chars().count() > MAX_IDEMPOTENCY_KEY_CHARS => {
                return Err(SubmitError::InvalidKey);
            }
            Some(k) if k.is_empty() => None,
            k => k,
        };
        let (attempt, quiz) = self
            .own_attempt(actor, attempt_id)
            .await?
            .ok_or(SubmitError::NotFound)?;
        if attempt.state != AttemptState::Open {
            return self.replayed_outcome(&attempt, &quiz, key.as_deref()).await;
        }
        let questions = self.quizzes.list_questions(quiz.id).await?;
        let now = self.clock.now();
        let state = if attempt.is_open_at(now) {
            AttemptState::Submitted
        } else {
            AttemptState::AutoSubmitted
        };
        match self
            .finish(&attempt, &quiz, &questions, state, key.clone())
            .await
        {
            Ok(finished) => Ok(self.outcome(&finished, &quiz).await?),
            Err(StorageError::Conflict(Conflict::Stale)) => Err(SubmitError::ChangedMeanwhile),
            Err(StorageError::Conflict(Conflict::AttemptClosed)) => {
                let current = self
                    .quizzes
                    .get_attempt(attempt_id)
                    .await?
                    .ok_or(SubmitError::NotFound)?;
                self.replayed_outcome(&current, &quiz, key.as_deref()).await
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn replayed_outcome(
        &self,
        attempt: &Attempt,
        quiz: &Quiz,
        key: Option<&str>,
    ) -> Result<AttemptOutcome, SubmitError> {
        if key.is_some() && attempt.submit_key.as_deref() == key {
            Ok(self.outcome(attempt, quiz).await?)
        } else {
            Err(SubmitError::AlreadyFinished)
        }
    }

    async fn outcome(
        &self,
        attempt: &Attempt,
        quiz: &Quiz,
    ) -> Result<AttemptOutcome, StorageError> {
        let all = self
            .quizzes
            .list_attempts(quiz.id, attempt.student_id)
            .await?;
        Ok(AttemptOutcome {
            attempt: AttemptSummary::from(attempt),
            quiz_score: quiz_score(quiz, &all),
            attempts_left: attempts_left(&quiz.settings, &all),
            perfect: attempt.result.as_ref().is_some_and(earns_perfect_quiz),
        })
    }

    /// System sweep (no actor): finishes up to `limit` open attempts whose
    /// deadline passed, as auto-submitted with their saved answers. Returns
    /// how many it finished (attempts finished meanwhile by their student
    /// are skipped).
    pub async fn finish_overdue(&self, limit: u32) -> Result<usize, StorageError> {
        let now = self.clock.now();
        let overdue = self.quizzes.overdue_attempts(now, limit).await?;
        let mut quizzes: BTreeMap<QuizId, Option<(Quiz, Vec<Question>)>> = BTreeMap::new();
        let mut finished = 0;
        for attempt in overdue {
            let loaded = match quizzes.entry(attempt.quiz_id) {
                Entry::Occupied(e) => e.into_mut(),
                Entry::Vacant(e) => {
                    let loaded = match self.quizzes.get_quiz(attempt.quiz_id).await? {
                        Some(quiz) => {
                            let questions = self.quizzes.list_questions(quiz.id).await?;
                            Some((quiz, questions))
                        }
                        // Quizzes are never deleted (no port does), so this
                        // is only a defensive skip.
                        None => None,
                    };
                    e.insert(loaded)
                }
            };
            let Some((quiz, questions)) = loaded else {
                continue;
            };
            match self.finish_overdue_attempt(&attempt, quiz, questions).await {
                Ok(_) => finished += 1,
                // Finished meanwhile, or still being saved into (it is
                // listed again by the next sweep).
                Err(StorageError::Conflict(Conflict::AttemptClosed | Conflict::Stale)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(finished)
    }
}
