//! Authoring quizzes and questions, and reading them.

use super::*;
use crate::file::{FileOwner, adopt_pictures};

impl QuizService {
    // ----- authoring -------------------------------------------------------

    /// Creates an unpublished quiz in a course (course teacher or admin).
    pub async fn create_quiz(
        &self,
        actor: &Actor,
        course_id: CourseId,
        input: QuizInput,
    ) -> Result<Quiz, ManageQuizError> {
        let course = self
            .courses
            .get_course(course_id)
            .await?
            .ok_or(ManageQuizError::CourseNotFound)?;
        let role = self.courses.membership(course_id, actor.user_id).await?;
        if !policy::can_manage_course(actor, role) {
            return Err(if policy::can_view_course(actor, role, course.status) {
                ManageQuizError::Forbidden
            } else {
                ManageQuizError::CourseNotFound
            });
        }
        input
            .settings
            .validate()
            .map_err(ManageQuizError::InvalidSettings)?;
        let quiz = Quiz {
            id: QuizId::new(),
            course_id,
            title: input.title,
            description: input.description,
            settings: input.settings,
            published: false,
            created_at: self.clock.now(),
        };
        self.quizzes.insert_quiz(&quiz).await?;
        adopt_pictures(
            self.files.as_ref(),
            actor,
            FileOwner::Quiz(quiz.id),
            &[&quiz.description],
        )
        .await?;
        Ok(quiz)
    }

    /// Replaces a quiz's title, description and settings. Moving
    /// `closes_at` before an open attempt's deadline ends that attempt at
    /// the new closing time: it takes no more answers and is finished with
    /// what it holds (when next read, by its student's review or by
    /// starting again). A student's review reveals answers only while none
    /// of their attempts at the quiz is open, so answers seen there never
    /// go into an attempt still being graded.
    pub async fn update_quiz(
        &self,
        actor: &Actor,
        quiz_id: QuizId,
        input: QuizInput,
    ) -> Result<Quiz, ManageQuizError> {
        let access = self.managed_quiz(actor, quiz_id).await?;
        input
            .settings
            .validate()
            .map_err(ManageQuizError::InvalidSettings)?;
        let quiz = Quiz {
            title: input.title,
            description: input.description,
            settings: input.settings,
            ..access.quiz
        };
        self.store_quiz(&quiz).await?;
        adopt_pictures(
            self.files.as_ref(),
            actor,
            FileOwner::Quiz(quiz.id),
            &[&quiz.description],
        )
        .await?;
        Ok(quiz)
    }

    /// Publishes a quiz to the course's students, or hides it again.
    pub async fn set_published(
        &self,
        actor: &Actor,
        quiz_id: QuizId,
        published: bool,
    ) -> Result<Quiz, ManageQuizError> {
        let access = self.managed_quiz(actor, quiz_id).await?;
        let quiz = Quiz {
            published,
            ..access.quiz
        };
        self.store_quiz(&quiz).await?;
        Ok(quiz)
    }

    async fn store_quiz(&self, quiz: &Quiz) -> Result<(), ManageQuizError> {
        self.quizzes.update_quiz(quiz).await.map_err(|e| match e {
            StorageError::NotFound => ManageQuizError::NotFound,
            e => e.into(),
        })
    }

    async fn managed_quiz(
        &self,
        actor: &Actor,
        quiz_id: QuizId,
    ) -> Result<QuizAccess, ManageQuizError> {
        let access = self
            .quiz_access(actor, quiz_id)
            .await?
            .ok_or(ManageQuizError::NotFound)?;
        if access.course.can_manage() {
            Ok(access)
        } else if access.sees() {
            Err(ManageQuizError::Forbidden)
        } else {
            Err(ManageQuizError::NotFound)
        }
    }

    /// Appends a question to a quiz.
    pub async fn add_question(
        &self,
        actor: &Actor,
        quiz_id: QuizId,
        input: QuestionInput,
    ) -> Result<Question, ManageQuestionError> {
        let access = self.question_editor(actor, quiz_id).await?;
        check_question(&input)?;
        let input = self.checked_slot(actor, input).await?;
        let question = Question {
            id: QuestionId::new(),
            quiz_id: access.quiz.id,
            position: 0,
            prompt: input.prompt,
            points: input.points,
            body: input.body,
            explanation: input.explanation,
        };
        let question = self.quizzes.insert_question(&question).await?;
        self.adopt_question_pictures(actor, &question).await?;
        Ok(question)
    }

    /// Replaces a question's prompt, points, body and explanation.
    pub async fn update_question(
        &self,
        actor: &Actor,
        quiz_id: QuizId,
        question_id: QuestionId,
        input: QuestionInput,
    ) -> Result<Question, ManageQuestionError> {
        self.question_editor(actor, quiz_id).await?;
        let existing = self
            .quizzes
            .list_questions(quiz_id)
            .await?
            .into_iter()
            .find(|q| q.id == question_id)
            .ok_or(ManageQuestionError::QuestionNotFound)?;
        check_question(&input)?;
        let input = self.checked_slot(actor, input).await?;
        let question = Question {
            prompt: input.prompt,
            points: input.points,
            body: input.body,
            explanation: input.explanation,
            ..existing
        };
        self.quizzes
            .update_question(&question)
            .await
            .map_err(|e| match e {
                StorageError::NotFound => ManageQuestionError::QuestionNotFound,
                e => e.into(),
            })?;
        self.adopt_question_pictures(actor, &question).await?;
        Ok(question)
    }

    /// A random slot's pool checked against the bank (with its category and
    /// tag normalised); any other question as it is.
    async fn checked_slot(
        &self,
        actor: &Actor,
        input: QuestionInput,
    ) -> Result<QuestionInput, ManageQuestionError> {
        let QuestionBody::Random { pool, count } = input.body else {
            return Ok(input);
        };
        let pool = crate::bank::check_pool(
            &*self.bank,
            &*self.courses,
            &*self.groups,
            actor,
            pool,
            count,
        )
        .await
        .map_err(|e| match e {
            crate::bank::PoolError::Storage(s) => ManageQuestionError::Storage(s),
            e => ManageQuestionError::Pool(e),
        })?;
        Ok(QuestionInput {
            body: QuestionBody::Random { pool, count },
            ..input
        })
    }

    /// Takes over the editor's drafts the question's texts show.
    async fn adopt_question_pictures(
        &self,
        actor: &Actor,
        question: &Question,
    ) -> Result<(), StorageError> {
        let mut texts = vec![&question.prompt];
        texts.extend(question.explanation.as_ref());
        adopt_pictures(
            self.files.as_ref(),
            actor,
            FileOwner::Quiz(question.quiz_id),
            &texts,
        )
        .await
    }

    /// Removes a question (results of finished attempts keep its score).
    pub async fn delete_question(
        &self,
        actor: &Actor,
        quiz_id: QuizId,
        question_id: QuestionId,
    ) -> Result<(), ManageQuestionError> {
        self.question_editor(actor, quiz_id).await?;
        let questions = self.quizzes.list_questions(quiz_id).await?;
        if !questions.iter().any(|q| q.id == question_id) {
            return Err(ManageQuestionError::QuestionNotFound);
        }
        if self.quizzes.delete_question(question_id).await? {
            Ok(())
        } else {
            Err(ManageQuestionError::QuestionNotFound)
        }
    }

    /// Puts the quiz's questions in the given order (every question once);
    /// returns them in the new order.
    pub async fn reorder_questions(
        &self,
        actor: &Actor,
        quiz_id: QuizId,
        order: &[QuestionId],
    ) -> Result<Vec<Question>, ManageQuestionError> {
        self.question_editor(actor, quiz_id).await?;
        let current = self.quizzes.list_questions(quiz_id).await?;
        let mut wanted = order.to_vec();
        wanted.sort();
        let mut have: Vec<QuestionId> = current.iter().map(|q| q.id).collect();
        have.sort();
        if wanted != have {
            return Err(ManageQuestionError::InvalidOrder);
        }
        self.quizzes
            .reorder_questions(quiz_id, order)
            .await
            .map_err(|e| match e {
                StorageError::Conflict(Conflict::Stale) => ManageQuestionError::Stale,
                e => e.into(),
            })?;
        Ok(self.quizzes.list_questions(quiz_id).await?)
    }

    async fn question_editor(
        &self,
        actor: &Actor,
        quiz_id: QuizId,
    ) -> Result<QuizAccess, ManageQuestionError> {
        self.managed_quiz(actor, quiz_id)
            .await
            .map_err(|e| match e {
                ManageQuizError::Forbidden => ManageQuestionError::Forbidden,
                ManageQuizError::Storage(s) => ManageQuestionError::Storage(s),
                _ => ManageQuestionError::QuizNotFound,
            })
    }

    /// The questions with their correct answers: course staff only.
    pub async fn list_questions(
        &self,
        actor: &Actor,
        quiz_id: QuizId,
    ) -> Result<Vec<Question>, ViewQuizError> {
        self.staff_quiz(actor, quiz_id).await?;
        Ok(self.quizzes.list_questions(quiz_id).await?)
    }

    pub(super) async fn staff_quiz(
        &self,
        actor: &Actor,
        quiz_id: QuizId,
    ) -> Result<QuizAccess, ViewQuizError> {
        let access = self
            .quiz_access(actor, quiz_id)
            .await?
            .ok_or(ViewQuizError::NotFound)?;
        if access.staff() {
            Ok(access)
        } else if access.sees() {
            Err(ViewQuizError::Forbidden)
        } else {
            Err(ViewQuizError::NotFound)
        }
    }

    // ----- reading ---------------------------------------------------------

    /// One quiz: for students (published quizzes of courses they see) with
    /// their attempts and whether they can start now.
    pub async fn get_quiz(
        &self,
        actor: &Actor,
        quiz_id: QuizId,
    ) -> Result<QuizOverview, ViewQuizError> {
        let access = self
            .quiz_access(actor, quiz_id)
            .await?
            .ok_or(ViewQuizError::NotFound)?;
        if !access.sees() {
            return Err(ViewQuizError::NotFound);
        }
        Ok(self
            .overview(
                actor,
                &access.quiz,
                access.course.course(),
                access.course.role(),
            )
            .await?)
    }

    /// The quizzes of a course the actor sees (students: published only),
    /// oldest first.
    pub async fn list_quizzes(
        &self,
        actor: &Actor,
        course_id: CourseId,
    ) -> Result<Vec<QuizOverview>, ViewQuizError> {
        let course = self
            .courses
            .get_course(course_id)
            .await?
            .ok_or(ViewQuizError::CourseNotFound)?;
        let role = self.courses.membership(course_id, actor.user_id).await?;
        if !policy::can_view_course(actor, role, course.status) {
            return Err(ViewQuizError::CourseNotFound);
        }
        let staff = policy::can_grade(actor, role);
        let mut out = Vec::new();
        for quiz in self.quizzes.list_quizzes(course_id).await? {
            if quiz.published || staff {
                out.push(self.overview(actor, &quiz, &course, role).await?);
            }
        }
        Ok(out)
    }

    async fn overview(
        &self,
        actor: &Actor,
        quiz: &Quiz,
        course: &Course,
        role: Option<CourseRole>,
    ) -> Result<QuizOverview, StorageError> {
        let now = self.clock.now();
        let questions = self.quizzes.list_questions(quiz.id).await?;
        let studies = policy::can_study(actor, role, course.status);
        // Students of an archived course still see their past attempts.
        let attempts: Vec<Attempt> = if role == Some(CourseRole::Student) {
            self.quizzes
                .list_attempts(quiz.id, actor.user_id)
                .await?
                .into_iter()
                .map(|a| a.capped_by(&quiz.settings))
                .collect()
        } else {
            Vec::new()
        };
        let open = attempts.iter().find(|a| a.state == AttemptState::Open);
        let attempts_left = attempts_left(&quiz.settings, &attempts);
        let can_start_now = studies
            && quiz.published
            && quiz.settings.is_open_at(now)
            && !questions.is_empty()
            && attempts_left != Some(0)
            && open.is_none_or(|a| !a.is_open_at(now));
        let (question_count, max_score) = crate::bank::planned_size(&questions);
        Ok(QuizOverview {
            question_count,
            max_score,
            open_attempt: open.map(|a| a.id),
            attempts_left,
            quiz_score: quiz_score(quiz, &attempts),
            attempts: attempts
                .iter()
                .filter(|a| a.state != AttemptState::Open)
                .map(AttemptSummary::from)
                .collect(),
            can_start_now,
            quiz: quiz.clone(),
        })
    }

    /// Every attempt at a quiz by a student `students` matches (by name or
    /// e-mail prefix; its role is ignored), by start, each naming its
    /// student: course staff only.
    pub async fn list_attempts(
        &self,
        actor: &Actor,
        quiz_id: QuizId,
        students: &crate::user::UserFilter,
        page: Page,
    ) -> Result<Vec<StaffAttemptSummary>, ViewQuizError> {
        let access = self.staff_quiz(actor, quiz_id).await?;
        let students = access.course.narrow(students);
        let attempts = self
            .quizzes
            .list_quiz_attempts(quiz_id, &students, page)
            .await?;
        Ok(attempts
            .into_iter()
            .map(|a| StaffAttemptSummary {
                attempt: AttemptSummary::from(&a.attempt),
                student_name: a.student_name,
            })
            .collect())
    }

    /// The actor's own attempts at a quiz, by number.
    pub async fn my_attempts(
        &self,
        actor: &Actor,
        quiz_id: QuizId,
    ) -> Result<Vec<AttemptSummary>, ViewQuizError> {
        let access = self
            .quiz_access(actor, quiz_id)
            .await?
            .ok_or(ViewQuizError::NotFound)?;
        if !access.sees() {
            return Err(ViewQuizError::NotFound);
        }
        let attempts = self.quizzes.list_attempts(quiz_id, actor.user_id).await?;
        Ok(attempts.iter().map(AttemptSummary::from).collect())
    }
}
