//! Tests: end to end over the in-memory storage.

use super::*;

/// The real service over [`MemoryStorage`](crate::testkit::memory::MemoryStorage),
/// for races and read-model interplay that mocks cannot show.
mod on_memory_storage {
    use super::*;
    use crate::ports::Storage;
    use crate::testkit::conformance::fixtures::{self, Class};
    use crate::testkit::memory::MemoryStorage;
    use async_trait::async_trait;

    struct School {
        storage: Storage,
        clock: Arc<ManualClock>,
        class: Class,
        teacher: Actor,
        student: Actor,
    }

    async fn school() -> School {
        let storage = MemoryStorage::storage();
        let class = fixtures::published_course_with_student(&storage).await;
        let teacher = Actor {
            user_id: class.teacher.id,
            role: Role::Teacher,
        };
        let student = Actor {
            user_id: class.student.id,
            role: Role::Student,
        };
        School {
            storage,
            clock: Arc::new(ManualClock::new(fixtures::t0())),
            class,
            teacher,
            student,
        }
    }

    impl School {
        fn service_over(&self, quizzes: Arc<dyn QuizStore>) -> QuizService {
            QuizService::new(
                quizzes,
                self.storage.bank.clone(),
                self.storage.courses.clone(),
                self.storage.groups.clone(),
                self.storage.files.clone(),
                self.storage.notifications.clone(),
                self.storage.dashboards.clone(),
                self.clock.clone(),
            )
        }

        fn service(&self) -> QuizService {
            self.service_over(self.storage.quizzes.clone())
        }

        /// A published quiz of two true/false questions (1 point each,
        /// both answered right by `true`) with these settings.
        async fn quiz(&self, settings: QuizSettings) -> (Quiz, Vec<Question>) {
            let svc = self.service();
            let quiz = svc
                .create_quiz(
                    &self.teacher,
                    self.class.course.id,
                    QuizInput {
                        title: Title::parse("Проверочная").unwrap(),
                        description: RichText::default(),
                        settings,
                    },
                )
                .await
                .unwrap();
            let mut questions = Vec::new();
            for n in 0..2 {
                questions.push(
                    svc.add_question(
                        &self.teacher,
                        quiz.id,
                        QuestionInput {
                            prompt: RichText::from_plain_text(&format!("Утверждение {n}")),
                            points: pts(1.0),
                            body: QuestionBody::TrueFalse { correct: true },
                            explanation: Some(RichText::from_plain_text("SECRET-EXPLANATION")),
                        },
                    )
                    .await
                    .unwrap(),
                );
            }
            let quiz = svc
                .set_published(&self.teacher, quiz.id, true)
                .await
                .unwrap();
            (quiz, questions)
        }

        async fn badges(&self) -> Vec<Achievement> {
            self.storage
                .achievements
                .list_achievements(self.student.user_id)
                .await
                .unwrap()
        }

        /// Keys of the messages sent out to the student (each also has
        /// its in-app copy, checked here once).
        async fn outbox_keys(&self) -> Vec<String> {
            let n = &self.storage.notifications;
            let sent = n
                .list_user_outbox(self.student.user_id, Page::max())
                .await
                .unwrap();
            let in_app = n.inbox(self.student.user_id, Page::max()).await.unwrap();
            assert_eq!(in_app.len(), sent.len(), "an in-app copy of each message");
            sent.into_iter().map(|e| e.dedup_key.0).collect()
        }
    }

    /// Whether a serialised student view holds any per-question score.
    fn holds_question_scores(json: &serde_json::Value) -> bool {
        let text = json.to_string();
        text.contains("per_question") || text.contains("\"status\":\"scored\"")
    }

    #[tokio::test]
    async fn students_see_only_totals_until_answers_are_revealed() {
        let w = school().await;
        let closes = fixtures::t0() + Duration::days(7);
        let (quiz, qs) = w
            .quiz(QuizSettings {
                attempts_allowed: Some(2),
                closes_at: Some(closes),
                reveal: RevealPolicy::AfterClose,
                ..QuizSettings::default()
            })
            .await;
        let svc = w.service();
        let attempt = svc.start_attempt(&w.student, quiz.id).await.unwrap();
        svc.save_answers(
            &w.student,
            attempt.attempt_id,
            BTreeMap::from([
                (qs[0].id, Answer::TrueFalse(true)),
                (qs[1].id, Answer::TrueFalse(false)),
            ]),
        )
        .await
        .unwrap();
        let outcome = svc
            .submit(&w.student, attempt.attempt_id, None)
            .await
            .unwrap();
        let view = svc
            .get_attempt(&w.student, attempt.attempt_id)
            .await
            .unwrap();
        let overview = svc.get_quiz(&w.student, quiz.id).await.unwrap();
        let mine = svc.my_attempts(&w.student, quiz.id).await.unwrap();
        let review = svc.review(&w.student, attempt.attempt_id).await.unwrap();
        for (what, json) in [
            ("outcome", serde_json::to_value(&outcome).unwrap()),
            ("attempt view", serde_json::to_value(&view).unwrap()),
            ("overview", serde_json::to_value(&overview).unwrap()),
            ("my attempts", serde_json::to_value(&mine).unwrap()),
            ("review", serde_json::to_value(&review).unwrap()),
        ] {
            assert!(
                !holds_question_scores(&json),
                "{what} tells which answer was wrong before the quiz closes: {json}"
            );
            assert!(!json.to_string().contains("SECRET-EXPLANATION"), "{what}");
        }
        // The total is shown.
        assert_eq!(outcome.quiz_score, Some(pts(1.0)));
        let totals = serde_json::to_value(&view).unwrap()["result"].clone();
        assert_eq!(totals["score"], 1.0, "{totals}");
        assert_eq!(totals["max_score"], 2.0, "{totals}");

        // Once the quiz has closed, the review shows everything.
        w.clock.set(closes);
        let review = svc.review(&w.student, attempt.attempt_id).await.unwrap();
        let json = serde_json::to_value(&review).unwrap();
        assert!(holds_question_scores(&json), "{json}");
        assert!(json.to_string().contains("SECRET-EXPLANATION"));
    }

    #[tokio::test]
    async fn closing_a_quiz_early_ends_open_attempts_before_answers_are_revealed() {
        let w = school().await;
        let (quiz, qs) = w
            .quiz(QuizSettings {
                attempts_allowed: Some(2),
                closes_at: Some(fixtures::t0() + Duration::days(7)),
                reveal: RevealPolicy::AfterClose,
                ..QuizSettings::default()
            })
            .await;
        let svc = w.service();
        let first = svc.start_attempt(&w.student, quiz.id).await.unwrap();
        svc.submit(&w.student, first.attempt_id, None)
            .await
            .unwrap();
        let second = svc.start_attempt(&w.student, quiz.id).await.unwrap();
        svc.save_answers(
            &w.student,
            second.attempt_id,
            BTreeMap::from([(qs[0].id, Answer::TrueFalse(false))]),
        )
        .await
        .unwrap();

        // The teacher closes the quiz now.
        w.clock.advance(Duration::minutes(5));
        let mut settings = quiz.settings.clone();
        settings.closes_at = Some(w.clock.now());
        svc.update_quiz(
            &w.teacher,
            quiz.id,
            QuizInput {
                title: quiz.title.clone(),
                description: quiz.description.clone(),
                settings,
            },
        )
        .await
        .unwrap();

        // The review of the finished attempt reveals the answers only
        // after the open one was finished with what it held.
        let review = svc.review(&w.student, first.attempt_id).await.unwrap();
        assert!(review.answers_revealed());
        let second_now = w
            .storage
            .quizzes
            .get_attempt(second.attempt_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(second_now.state, AttemptState::AutoSubmitted);
        assert_eq!(second_now.result.as_ref().map(|r| r.score), Some(pts(0.0)));
        // Answers seen in the review cannot go into it any more.
        let late = svc
            .save_answers(
                &w.student,
                second.attempt_id,
                BTreeMap::from([(qs[0].id, Answer::TrueFalse(true))]),
            )
            .await;
        assert!(matches!(late, Err(SaveAnswersError::Closed)), "{late:?}");
        assert!(matches!(
            svc.submit(&w.student, second.attempt_id, None).await,
            Err(SubmitError::AlreadyFinished)
        ));
    }

    /// The sweep ends the attempts of a quiz closed early without anyone
    /// opening them (the close is stored in their deadline).
    #[tokio::test]
    async fn the_sweep_finishes_attempts_of_a_quiz_closed_early() {
        let w = school().await;
        let (quiz, qs) = w
            .quiz(QuizSettings {
                closes_at: Some(fixtures::t0() + Duration::days(7)),
                ..QuizSettings::default()
            })
            .await;
        let svc = w.service();
        let open = svc.start_attempt(&w.student, quiz.id).await.unwrap();
        svc.save_answers(
            &w.student,
            open.attempt_id,
            BTreeMap::from([(qs[0].id, Answer::TrueFalse(false))]),
        )
        .await
        .unwrap();
        let mut settings = quiz.settings.clone();
        settings.closes_at = Some(w.clock.now());
        svc.update_quiz(
            &w.teacher,
            quiz.id,
            QuizInput {
                title: quiz.title.clone(),
                description: quiz.description.clone(),
                settings,
            },
        )
        .await
        .unwrap();

        w.clock.advance(Duration::seconds(1));
        assert_eq!(svc.finish_overdue(10).await.unwrap(), 1);
        let finished = w
            .storage
            .quizzes
            .get_attempt(open.attempt_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(finished.state, AttemptState::AutoSubmitted);
        assert!(finished.result.is_some(), "graded with the saved answers");
    }

    #[tokio::test]
    async fn answers_stay_hidden_while_another_attempt_is_open() {
        let w = school().await;
        let (quiz, _) = w
            .quiz(QuizSettings {
                attempts_allowed: Some(2),
                reveal: RevealPolicy::AfterAttempt,
                ..QuizSettings::default()
            })
            .await;
        let svc = w.service();
        let first = svc.start_attempt(&w.student, quiz.id).await.unwrap();
        svc.submit(&w.student, first.attempt_id, None)
            .await
            .unwrap();
        assert!(
            svc.review(&w.student, first.attempt_id)
                .await
                .unwrap()
                .answers_revealed()
        );
        let second = svc.start_attempt(&w.student, quiz.id).await.unwrap();
        let hidden = svc.review(&w.student, first.attempt_id).await.unwrap();
        assert!(!hidden.answers_revealed());
        assert!(
            !serde_json::to_string(&hidden)
                .unwrap()
                .contains("SECRET-EXPLANATION")
        );
        svc.submit(&w.student, second.attempt_id, None)
            .await
            .unwrap();
        assert!(
            svc.review(&w.student, first.attempt_id)
                .await
                .unwrap()
                .answers_revealed()
        );
    }

    /// Answers saved at an instant.
    type Autosave = (BTreeMap<QuestionId, Answer>, DateTime<Utc>);

    /// A quiz store whose `finish_attempt` first lets an autosave of
    /// `race` land, as a concurrent request would between the service's
    /// read and its write.
    struct AutosaveRacesFinish {
        inner: Arc<dyn QuizStore>,
        race: Mutex<Option<Autosave>>,
    }

    #[async_trait]
    impl QuizStore for AutosaveRacesFinish {
        async fn insert_quiz(&self, q: &Quiz) -> crate::error::StorageResult<()> {
            self.inner.insert_quiz(q).await
        }
        async fn update_quiz(&self, q: &Quiz) -> crate::error::StorageResult<()> {
            self.inner.update_quiz(q).await
        }
        async fn get_quiz(&self, id: QuizId) -> crate::error::StorageResult<Option<Quiz>> {
            self.inner.get_quiz(id).await
        }
        async fn list_quizzes(&self, c: CourseId) -> crate::error::StorageResult<Vec<Quiz>> {
            self.inner.list_quizzes(c).await
        }
        async fn insert_question(&self, q: &Question) -> crate::error::StorageResult<Question> {
            self.inner.insert_question(q).await
        }
        async fn update_question(&self, q: &Question) -> crate::error::StorageResult<()> {
            self.inner.update_question(q).await
        }
        async fn delete_question(&self, id: QuestionId) -> crate::error::StorageResult<bool> {
            self.inner.delete_question(id).await
        }
        async fn list_questions(&self, q: QuizId) -> crate::error::StorageResult<Vec<Question>> {
            self.inner.list_questions(q).await
        }
        async fn reorder_questions(
            &self,
            q: QuizId,
            order: &[QuestionId],
        ) -> crate::error::StorageResult<()> {
            self.inner.reorder_questions(q, order).await
        }
        async fn start_attempt(
            &self,
            a: &Attempt,
            limit: Option<u32>,
        ) -> crate::error::StorageResult<Attempt> {
            self.inner.start_attempt(a, limit).await
        }
        async fn get_attempt(&self, id: AttemptId) -> crate::error::StorageResult<Option<Attempt>> {
            self.inner.get_attempt(id).await
        }
        async fn list_attempts(
            &self,
            q: QuizId,
            s: UserId,
        ) -> crate::error::StorageResult<Vec<Attempt>> {
            self.inner.list_attempts(q, s).await
        }
        async fn list_quiz_attempts(
            &self,
            q: QuizId,
            f: &crate::user::UserFilter,
            p: Page,
        ) -> crate::error::StorageResult<Vec<crate::quiz::NamedAttempt>> {
            self.inner.list_quiz_attempts(q, f, p).await
        }
        async fn pending_essays(
            &self,
            c: &[crate::ids::CourseId],
            f: &crate::user::UserFilter,
            p: Page,
        ) -> crate::error::StorageResult<Vec<crate::quiz::PendingEssay>> {
            self.inner.pending_essays(c, f, p).await
        }
        async fn save_answers(
            &self,
            a: AttemptId,
            answers: &BTreeMap<QuestionId, Answer>,
            at: DateTime<Utc>,
        ) -> crate::error::StorageResult<Attempt> {
            self.inner.save_answers(a, answers, at).await
        }
        async fn finish_attempt(&self, f: &FinishAttempt) -> crate::error::StorageResult<Attempt> {
            let race = self.race.lock().unwrap().take();
            if let Some((answers, at)) = race {
                self.inner
                    .save_answers(f.attempt_id, &answers, at)
                    .await
                    .expect("the racing autosave lands");
            }
            self.inner.finish_attempt(f).await
        }
        async fn set_attempt_result(
            &self,
            a: AttemptId,
            e: &AttemptResult,
            r: &AttemptResult,
            awards: &[Achievement],
            outbox: &[OutboxEntry],
        ) -> crate::error::StorageResult<Attempt> {
            self.inner.set_attempt_result(a, e, r, awards, outbox).await
        }
        async fn overdue_attempts(
            &self,
            now: DateTime<Utc>,
            limit: u32,
        ) -> crate::error::StorageResult<Vec<Attempt>> {
            self.inner.overdue_attempts(now, limit).await
        }
    }

    #[tokio::test]
    async fn an_autosave_racing_the_submit_is_scored() {
        let w = school().await;
        let (quiz, qs) = w
            .quiz(QuizSettings {
                attempts_allowed: Some(2),
                ..QuizSettings::default()
            })
            .await;
        let racing = Arc::new(AutosaveRacesFinish {
            inner: w.storage.quizzes.clone(),
            race: Mutex::new(None),
        });
        let svc = w.service_over(racing.clone());
        let attempt = svc.start_attempt(&w.student, quiz.id).await.unwrap();
        svc.save_answers(
            &w.student,
            attempt.attempt_id,
            BTreeMap::from([(qs[0].id, Answer::TrueFalse(true))]),
        )
        .await
        .unwrap();
        w.clock.advance(Duration::seconds(3));
        *racing.race.lock().unwrap() = Some((
            BTreeMap::from([(qs[1].id, Answer::TrueFalse(true))]),
            w.clock.now(),
        ));
        let outcome = svc
            .submit(&w.student, attempt.attempt_id, Some("submit-1".into()))
            .await
            .unwrap();
        let stored = w
            .storage
            .quizzes
            .get_attempt(attempt.attempt_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.answers.len(), 2, "the autosave is stored");
        assert_eq!(
            stored.result.as_ref().map(|r| r.score),
            Some(pts(2.0)),
            "and scored: both answers are right"
        );
        assert_eq!(outcome.quiz_score, Some(pts(2.0)));
        assert!(outcome.perfect);
        assert_eq!(stored.submit_key.as_deref(), Some("submit-1"));
    }

    #[tokio::test]
    async fn finishing_the_last_quiz_completes_the_course() {
        let w = school().await;
        let (quiz, qs) = w.quiz(QuizSettings::default()).await;
        let svc = w.service();
        let attempt = svc.start_attempt(&w.student, quiz.id).await.unwrap();
        svc.save_answers(
            &w.student,
            attempt.attempt_id,
            BTreeMap::from([(qs[0].id, Answer::TrueFalse(false))]),
        )
        .await
        .unwrap();
        svc.submit(&w.student, attempt.attempt_id, None)
            .await
            .unwrap();
        let course = w.class.course.id;
        assert_eq!(
            w.badges().await,
            vec![Achievement::new(
                w.student.user_id,
                Badge::CourseCompleted,
                course,
                fixtures::t0()
            )],
            "the only item of the course is done, though not perfectly"
        );
        let event = format!("achievement:course_completed:{course}");
        assert_eq!(
            w.outbox_keys().await,
            vec![DedupKey::new(w.student.user_id, &event, Channel::Email).0],
            "one message about the badge, by e-mail"
        );
    }

    #[tokio::test]
    async fn an_auto_finish_completes_the_course_once() {
        let w = school().await;
        let (first, _) = w
            .quiz(QuizSettings {
                time_limit_minutes: Some(10),
                attempts_allowed: None,
                ..QuizSettings::default()
            })
            .await;
        let (second, _) = w
            .quiz(QuizSettings {
                time_limit_minutes: Some(10),
                attempts_allowed: None,
                ..QuizSettings::default()
            })
            .await;
        let svc = w.service();
        svc.start_attempt(&w.student, first.id).await.unwrap();
        w.clock.advance(Duration::minutes(11));
        assert_eq!(svc.finish_overdue(10).await.unwrap(), 1);
        assert!(w.badges().await.is_empty(), "the second quiz is not done");

        svc.start_attempt(&w.student, second.id).await.unwrap();
        w.clock.advance(Duration::minutes(11));
        assert_eq!(svc.finish_overdue(10).await.unwrap(), 1);
        let badges = w.badges().await;
        assert_eq!(badges.len(), 1, "{badges:?}");
        assert_eq!(badges[0].badge, Badge::CourseCompleted);
        assert_eq!(badges[0].course_id, Some(w.class.course.id));

        // Another attempt after completion awards nothing new.
        svc.start_attempt(&w.student, second.id).await.unwrap();
        w.clock.advance(Duration::minutes(11));
        assert_eq!(svc.finish_overdue(10).await.unwrap(), 1);
        assert_eq!(w.badges().await.len(), 1);
        assert_eq!(w.outbox_keys().await.len(), 1, "one badge message");
    }
}
