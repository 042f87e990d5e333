//! Quizzes and attempts.

use super::*;

// ---- quizzes ---------------------------------------------------------------

#[async_trait]
impl QuizStore for MemoryStorage {
    async fn insert_quiz(&self, quiz: &Quiz) -> StorageResult<()> {
        let mut st = self.lock();
        if !st.courses.contains_key(&quiz.course_id) {
            return Err(StorageError::NotFound);
        }
        if st.quizzes.contains_key(&quiz.id) {
            return conflict(Conflict::Other);
        }
        let seq = st.next_seq();
        st.quizzes.insert(
            quiz.id,
            Row {
                value: quiz.clone(),
                seq,
            },
        );
        Ok(())
    }

    async fn update_quiz(&self, quiz: &Quiz) -> StorageResult<()> {
        let mut st = self.lock();
        let row = st.quizzes.get_mut(&quiz.id).ok_or(StorageError::NotFound)?;
        row.value.title = quiz.title.clone();
        row.value.description = quiz.description.clone();
        row.value.settings = quiz.settings.clone();
        row.value.published = quiz.published;
        if let Some(close) = quiz.settings.closes_at {
            for a in st.attempts.values_mut() {
                let a = &mut a.value;
                if a.quiz_id == quiz.id
                    && a.state == AttemptState::Open
                    && a.deadline.is_none_or(|d| d > close)
                {
                    a.deadline = Some(close);
                }
            }
        }
        Ok(())
    }

    async fn get_quiz(&self, id: QuizId) -> StorageResult<Option<Quiz>> {
        Ok(self.lock().quizzes.get(&id).map(|r| r.value.clone()))
    }

    async fn list_quizzes(&self, course: CourseId) -> StorageResult<Vec<Quiz>> {
        Ok(self.lock().quizzes_of(course))
    }

    async fn insert_question(&self, question: &Question) -> StorageResult<Question> {
        let mut st = self.lock();
        if !st.quizzes.contains_key(&question.quiz_id) {
            return Err(StorageError::NotFound);
        }
        if st.questions.contains_key(&question.id) {
            return conflict(Conflict::Other);
        }
        let position = st
            .questions
            .values()
            .filter(|q| q.quiz_id == question.quiz_id)
            .count();
        let stored = Question {
            position: u32::try_from(position)
                .map_err(|_| StorageError::Permanent("too many questions".into()))?,
            ..question.clone()
        };
        st.questions.insert(stored.id, stored.clone());
        Ok(stored)
    }

    async fn update_question(&self, question: &Question) -> StorageResult<()> {
        let mut st = self.lock();
        let stored = st
            .questions
            .get_mut(&question.id)
            .ok_or(StorageError::NotFound)?;
        stored.prompt = question.prompt.clone();
        stored.points = question.points;
        stored.body = question.body.clone();
        stored.explanation = question.explanation.clone();
        Ok(())
    }

    async fn delete_question(&self, id: QuestionId) -> StorageResult<bool> {
        let mut st = self.lock();
        let Some(removed) = st.questions.remove(&id) else {
            return Ok(false);
        };
        let order: Vec<QuestionId> = st
            .questions_of(removed.quiz_id)
            .iter()
            .map(|q| q.id)
            .collect();
        for (position, question) in (0u32..).zip(order) {
            if let Some(q) = st.questions.get_mut(&question) {
                q.position = position;
            }
        }
        Ok(true)
    }

    async fn list_questions(&self, quiz: QuizId) -> StorageResult<Vec<Question>> {
        Ok(self.lock().questions_of(quiz))
    }

    async fn reorder_questions(&self, quiz: QuizId, order: &[QuestionId]) -> StorageResult<()> {
        let mut st = self.lock();
        let current: Vec<QuestionId> = st.questions_of(quiz).iter().map(|q| q.id).collect();
        if !is_permutation(&current, order) {
            return conflict(Conflict::Stale);
        }
        for (position, id) in (0u32..).zip(order) {
            if let Some(q) = st.questions.get_mut(id) {
                q.position = position;
            }
        }
        Ok(())
    }

    async fn start_attempt(&self, attempt: &Attempt, limit: Option<u32>) -> StorageResult<Attempt> {
        let mut st = self.lock();
        if !st.quizzes.contains_key(&attempt.quiz_id) {
            return Err(StorageError::NotFound);
        }
        let mine = st.student_attempts(attempt.quiz_id, attempt.student_id);
        if mine.iter().any(|a| a.state == AttemptState::Open) {
            return conflict(Conflict::OpenAttempt);
        }
        let made = u32::try_from(mine.len())
            .map_err(|_| StorageError::Permanent("too many attempts".into()))?;
        if limit.is_some_and(|limit| made >= limit) {
            return conflict(Conflict::AttemptLimit);
        }
        if st.attempts.contains_key(&attempt.id) {
            return conflict(Conflict::Other);
        }
        let stored = Attempt {
            number: made + 1,
            ..attempt.clone()
        };
        let seq = st.next_seq();
        st.attempts.insert(
            stored.id,
            Row {
                value: stored.clone(),
                seq,
            },
        );
        Ok(stored)
    }

    async fn get_attempt(&self, id: AttemptId) -> StorageResult<Option<Attempt>> {
        Ok(self.lock().attempts.get(&id).map(|r| r.value.clone()))
    }

    async fn list_attempts(&self, quiz: QuizId, student: UserId) -> StorageResult<Vec<Attempt>> {
        let st = self.lock();
        let mut attempts: Vec<Attempt> = st
            .student_attempts(quiz, student)
            .into_iter()
            .cloned()
            .collect();
        attempts.sort_by_key(|a| a.number);
        Ok(attempts)
    }

    async fn list_quiz_attempts(
        &self,
        quiz: QuizId,
        students: &crate::user::UserFilter,
        page: Page,
    ) -> StorageResult<Vec<NamedAttempt>> {
        let st = self.lock();
        let rows = st
            .attempts
            .values()
            .filter(|r| r.value.quiz_id == quiz)
            .filter(|r| {
                st.users
                    .get(&r.value.student_id)
                    .is_some_and(|u| students.matches(&u.user))
                    && st.quizzes.get(&quiz).is_some_and(|q| {
                        st.in_filter_scope(students, q.value.course_id, r.value.student_id)
                    })
            })
            .collect();
        Ok(page
            .slice(&oldest_first(rows, |a| a.started_at))
            .into_iter()
            .map(|attempt| NamedAttempt {
                student_name: st.display_name(attempt.student_id),
                attempt,
            })
            .collect())
    }

    async fn pending_essays(
        &self,
        courses: &[CourseId],
        students: &crate::user::UserFilter,
        page: Page,
    ) -> StorageResult<Vec<PendingEssay>> {
        let st = self.lock();
        let mut rows: Vec<PendingEssay> = st
            .attempts
            .values()
            .map(|r| &r.value)
            .filter(|a| a.state != AttemptState::Open)
            .filter_map(|a| {
                let result = a.result.as_ref().filter(|r| r.pending_manual)?;
                let finished_at = a.finished_at?;
                let quiz = &st.quizzes.get(&a.quiz_id)?.value;
                if !courses.contains(&quiz.course_id) {
                    return None;
                }
                let student = &st.users.get(&a.student_id)?.user;
                if !students.matches(student)
                    || !st.in_filter_scope(students, quiz.course_id, a.student_id)
                {
                    return None;
                }
                let course = &st.courses.get(&quiz.course_id)?.value;
                Some(PendingEssay {
                    attempt_id: a.id,
                    quiz_id: quiz.id,
                    quiz_title: quiz.title.as_str().to_owned(),
                    course_id: course.id,
                    course_title: course.title.as_str().to_owned(),
                    student_id: a.student_id,
                    student_name: student.display_name.as_str().to_owned(),
                    finished_at,
                    essays_pending: result.essays_pending(),
                })
            })
            .collect();
        rows.sort_by(|a, b| {
            a.finished_at
                .cmp(&b.finished_at)
                .then(a.attempt_id.cmp(&b.attempt_id))
        });
        Ok(page.slice(&rows))
    }

    async fn save_answers(
        &self,
        attempt: AttemptId,
        answers: &BTreeMap<QuestionId, Answer>,
        at: DateTime<Utc>,
    ) -> StorageResult<Attempt> {
        let mut st = self.lock();
        let row = st
            .attempts
            .get_mut(&attempt)
            .ok_or(StorageError::NotFound)?;
        let a = &mut row.value;
        if a.state != AttemptState::Open || a.deadline.is_some_and(|d| d < at) {
            return conflict(Conflict::AttemptClosed);
        }
        a.answers
            .extend(answers.iter().map(|(q, answer)| (*q, answer.clone())));
        a.saved_at = Some(at);
        Ok(a.clone())
    }

    async fn finish_attempt(&self, finish: &FinishAttempt) -> StorageResult<Attempt> {
        let mut st = self.lock();
        let current = st
            .attempts
            .get(&finish.attempt_id)
            .ok_or(StorageError::NotFound)?;
        if current.value.state != AttemptState::Open {
            return conflict(Conflict::AttemptClosed);
        }
        // Answers saved since the caller read the attempt are not in its
        // result: refuse, so they are scored on the retry.
        if current.value.saved_at != finish.expected_saved_at {
            return conflict(Conflict::Stale);
        }
        let fresh = st.check_outbox(&finish.outbox)?;
        let awards = st.new_awards(&finish.awards);
        let row = st
            .attempts
            .get_mut(&finish.attempt_id)
            .ok_or(StorageError::NotFound)?;
        let a = &mut row.value;
        a.state = finish.state;
        a.finished_at = Some(finish.finished_at);
        a.result = Some(finish.result.clone());
        a.submit_key.clone_from(&finish.submit_key);
        let finished = a.clone();
        st.apply_outbox_and_awards(fresh, awards);
        Ok(finished)
    }

    async fn set_attempt_result(
        &self,
        attempt: AttemptId,
        expected: &AttemptResult,
        result: &AttemptResult,
        awards: &[Achievement],
        outbox: &[OutboxEntry],
    ) -> StorageResult<Attempt> {
        let mut st = self.lock();
        let current = st.attempts.get(&attempt).ok_or(StorageError::NotFound)?;
        // Only a finished attempt has a result to replace.
        if current.value.state == AttemptState::Open {
            return conflict(Conflict::OpenAttempt);
        }
        if current.value.result.as_ref() != Some(expected) {
            return conflict(Conflict::Stale);
        }
        let fresh = st.check_outbox(outbox)?;
        let awards = st.new_awards(awards);
        let row = st
            .attempts
            .get_mut(&attempt)
            .ok_or(StorageError::NotFound)?;
        row.value.result = Some(result.clone());
        let updated = row.value.clone();
        st.apply_outbox_and_awards(fresh, awards);
        Ok(updated)
    }

    async fn overdue_attempts(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StorageResult<Vec<Attempt>> {
        let st = self.lock();
        let mut rows: Vec<(&Row<Attempt>, DateTime<Utc>)> = st
            .attempts
            .values()
            .filter(|r| r.value.state == AttemptState::Open)
            .filter_map(|r| r.value.deadline.filter(|d| *d < now).map(|d| (r, d)))
            .collect();
        rows.sort_by(|(a, da), (b, db)| da.cmp(db).then(a.seq.cmp(&b.seq)));
        Ok(rows
            .into_iter()
            .take(limit as usize)
            .map(|(r, _)| r.value.clone())
            .collect())
    }
}
