//! Tests of the quiz service.

use super::*;
use crate::clock::ManualClock;
use crate::course::{CourseStatus, MockCourseStore};
use crate::dashboard::StudentCourseData;
use crate::dashboard::{MockDashboardStore, StudentSnapshot};
use crate::error::{DomainError, ErrorClass};
use crate::ids::OptionId;
use crate::notification::{
    Channel, DedupKey, DeliveryProfile, MockNotificationStore, NotificationPreferences,
};
use crate::quiz::model::SettingsError;
use crate::quiz::model::{Choice, RevealPolicy, ScoringPolicy};
use crate::quiz::ports::MockQuizStore;
use crate::quiz::view::{CorrectAnswer, StudentQuestionBody};
use crate::user::Role;
use chrono::{Duration, TimeZone};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 10, 0, 0).unwrap()
}

fn actor(role: Role) -> Actor {
    Actor {
        user_id: UserId::new(),
        role,
    }
}

fn pts(v: f64) -> Points {
    Points::new(v).unwrap()
}

/// A course with a published quiz of three auto-graded questions
/// (single choice 2 pts, true/false 1 pt, short text 1 pt) and people
/// in every relation to it.
struct World {
    course: Course,
    quiz: Quiz,
    questions: Vec<Question>,
    right: BTreeMap<QuestionId, Answer>,
    roles: Vec<(UserId, CourseRole)>,
    admin: Actor,
    owner: Actor,
    assistant: Actor,
    student: Actor,
    classmate: Actor,
    outsider: Actor,
    stranger_teacher: Actor,
}

impl World {
    fn new() -> Self {
        let (owner, assistant, student, classmate) = (
            actor(Role::Teacher),
            actor(Role::Assistant),
            actor(Role::Student),
            actor(Role::Student),
        );
        let course = Course {
            id: CourseId::new(),
            title: Title::parse("Алгебра").unwrap(),
            description: RichText::default(),
            owner_id: owner.user_id,
            status: CourseStatus::Published,
            invite_code: None,
            cover: None,
            created_at: t0() - Duration::days(30),
        };
        let quiz = Quiz {
            id: QuizId::new(),
            course_id: course.id,
            title: Title::parse("Тест 1").unwrap(),
            description: RichText::from_plain_text("Введение"),
            settings: QuizSettings {
                attempts_allowed: Some(2),
                time_limit_minutes: Some(30),
                ..QuizSettings::default()
            },
            published: true,
            created_at: t0() - Duration::days(1),
        };
        let (a, b) = (
            Choice {
                id: OptionId::new(),
                text: "Два".into(),
            },
            Choice {
                id: OptionId::new(),
                text: "Три".into(),
            },
        );
        let question = |position: u32, points: f64, body: QuestionBody| Question {
            id: QuestionId::new(),
            quiz_id: quiz.id,
            position,
            prompt: RichText::from_plain_text(&format!("Вопрос {position}")),
            points: pts(points),
            body,
            explanation: Some(RichText::from_plain_text("SECRET-EXPLANATION")),
        };
        let questions = vec![
            question(
                0,
                2.0,
                QuestionBody::SingleChoice {
                    options: vec![a.clone(), b],
                    correct: a.id,
                },
            ),
            question(1, 1.0, QuestionBody::TrueFalse { correct: false }),
            question(
                2,
                1.0,
                QuestionBody::ShortText {
                    accepted: vec!["SECRET-ACCEPTED".into()],
                },
            ),
        ];
        let right = BTreeMap::from([
            (questions[0].id, Answer::SingleChoice(a.id)),
            (questions[1].id, Answer::TrueFalse(false)),
            (
                questions[2].id,
                Answer::ShortText(" secret-accepted ".into()),
            ),
        ]);
        Self {
            roles: vec![
                (owner.user_id, CourseRole::Owner),
                (assistant.user_id, CourseRole::Assistant),
                (student.user_id, CourseRole::Student),
                (classmate.user_id, CourseRole::Student),
            ],
            course,
            quiz,
            questions,
            right,
            admin: actor(Role::Admin),
            owner,
            assistant,
            student,
            classmate,
            outsider: actor(Role::Student),
            stranger_teacher: actor(Role::Teacher),
        }
    }

    /// Adds an essay question worth 3 points.
    fn with_essay(mut self) -> Self {
        self.questions.push(Question {
            id: QuestionId::new(),
            quiz_id: self.quiz.id,
            position: 3,
            prompt: RichText::from_plain_text("Эссе"),
            points: pts(3.0),
            body: QuestionBody::Essay,
            explanation: None,
        });
        self
    }

    fn essay_id(&self) -> QuestionId {
        self.questions[3].id
    }

    fn attempt(&self, student: &Actor, state: AttemptState) -> Attempt {
        let finished = state != AttemptState::Open;
        Attempt {
            id: AttemptId::new(),
            quiz_id: self.quiz.id,
            student_id: student.user_id,
            number: 1,
            seed: 7,
            question_order: self.questions.iter().map(|q| q.id).collect(),
            drawn: Vec::new(),
            started_at: t0() - Duration::minutes(10),
            deadline: Some(t0() + Duration::minutes(20)),
            state,
            answers: BTreeMap::new(),
            saved_at: None,
            finished_at: finished.then(t0),
            result: finished
                .then(|| score_attempt(&self.questions, &BTreeMap::new(), &BTreeMap::new())),
            submit_key: None,
        }
    }

    fn courses(&self) -> MockCourseStore {
        let mut m = MockCourseStore::new();
        let course = self.course.clone();
        m.expect_get_course()
            .returning(move |id| Ok((id == course.id).then(|| course.clone())));
        let (course, roles) = (self.course.clone(), self.roles.clone());
        m.expect_course_for().returning(move |id, user| {
            Ok((id == course.id).then(|| {
                let role = roles.iter().find(|(u, _)| *u == user).map(|(_, r)| *r);
                (course.clone(), role)
            }))
        });
        let roles = self.roles.clone();
        m.expect_membership()
            .returning(move |_, user| Ok(roles.iter().find(|(u, _)| *u == user).map(|(_, r)| *r)));
        m
    }

    /// A quiz store that knows the quiz and its questions.
    fn quizzes(&self) -> MockQuizStore {
        let mut m = MockQuizStore::new();
        let quiz = self.quiz.clone();
        m.expect_get_quiz()
            .returning(move |id| Ok((id == quiz.id).then(|| quiz.clone())));
        let questions = self.questions.clone();
        m.expect_list_questions()
            .returning(move |_| Ok(questions.clone()));
        m
    }

    fn service(&self, quizzes: MockQuizStore, notifications: MockNotificationStore) -> QuizService {
        self.service_with(quizzes, notifications, no_course_data())
    }

    fn service_with(
        &self,
        quizzes: MockQuizStore,
        notifications: MockNotificationStore,
        dashboards: MockDashboardStore,
    ) -> QuizService {
        QuizService::new(
            Arc::new(quizzes),
            // No test quiz has a random slot: a call would be a bug.
            Arc::new(crate::bank::MockBankStore::new()),
            Arc::new(self.courses()),
            Arc::new(crate::group::no_groups()),
            // No test text names a file: a call would be a bug.
            Arc::new(crate::file::MockFileRegistry::new()),
            Arc::new(notifications),
            Arc::new(dashboards),
            Arc::new(ManualClock::new(t0())),
        )
    }

    /// The student's dashboard data with this quiz and, with
    /// `other_quiz_done`, a second quiz of the course, finished or not.
    fn course_data(
        &self,
        attempts: Vec<Attempt>,
        other_quiz_done: Option<bool>,
    ) -> StudentSnapshot {
        let mut quizzes = vec![self.quiz.clone()];
        let mut attempts = attempts;
        if let Some(done) = other_quiz_done {
            let other = Quiz {
                id: QuizId::new(),
                ..self.quiz.clone()
            };
            let mut a = self.attempt(
                &self.student,
                if done {
                    AttemptState::Submitted
                } else {
                    AttemptState::Open
                },
            );
            a.quiz_id = other.id;
            attempts.push(a);
            quizzes.push(other);
        }
        StudentSnapshot {
            courses: vec![StudentCourseData {
                course: self.course.clone(),
                lessons_visible: 1,
                lessons_viewed: 1,
                assignments: vec![],
                extensions: vec![],
                submissions: vec![],
                quizzes,
                attempts,
                announcements: vec![],
                last_activity: None,
            }],
            webinars: vec![],
            achievements: vec![],
        }
    }
}

/// A dashboard store whose snapshot has no course (nothing to complete).
fn no_course_data() -> MockDashboardStore {
    let mut m = MockDashboardStore::new();
    m.expect_student_snapshot().returning(|_, _| {
        Ok(StudentSnapshot {
            courses: vec![],
            webinars: vec![],
            achievements: vec![],
        })
    });
    m
}

/// A dashboard store answering the student's snapshot once per finish.
fn snapshot_of(student: UserId, snapshot: StudentSnapshot) -> MockDashboardStore {
    let mut m = MockDashboardStore::new();
    m.expect_student_snapshot()
        .withf(move |s, now| *s == student && *now == t0())
        .returning(move |_, _| Ok(snapshot.clone()));
    m
}

/// A notification store that returns default profiles (e-mail only).
fn profiles() -> MockNotificationStore {
    let mut m = MockNotificationStore::new();
    m.expect_delivery_profiles().returning(|users| {
        Ok(users
            .iter()
            .map(|u| DeliveryProfile {
                user_id: *u,
                active: true,
                preferences: NotificationPreferences::defaults(*u),
                telegram_linked: false,
            })
            .collect())
    });
    m
}

/// Applies a finish to an attempt, as storage would.
fn apply(attempt: &Attempt, f: &FinishAttempt) -> Attempt {
    Attempt {
        state: f.state,
        finished_at: Some(f.finished_at),
        result: Some(f.result.clone()),
        submit_key: f.submit_key.clone(),
        ..attempt.clone()
    }
}

fn stored_attempt(m: &mut MockQuizStore, attempt: &Attempt) {
    let a = attempt.clone();
    m.expect_get_attempt()
        .returning(move |id| Ok((id == a.id).then(|| a.clone())));
}

/// Expects exactly one finish and records it.
fn capture_finish(m: &mut MockQuizStore, attempt: &Attempt) -> Arc<Mutex<Option<FinishAttempt>>> {
    let seen = Arc::new(Mutex::new(None));
    let (s, a) = (seen.clone(), attempt.clone());
    m.expect_finish_attempt().times(1).returning(move |f| {
        *s.lock().unwrap() = Some(f.clone());
        Ok(apply(&a, f))
    });
    seen
}

fn input() -> QuizInput {
    QuizInput {
        title: Title::parse("Контрольная").unwrap(),
        description: RichText::from_plain_text("Описание"),
        settings: QuizSettings::default(),
    }
}

fn essay_input() -> QuestionInput {
    QuestionInput {
        prompt: RichText::from_plain_text("Опишите"),
        points: pts(5.0),
        body: QuestionBody::Essay,
        explanation: None,
    }
}

mod attempt_lists;
mod authoring;
mod end_to_end_over_the_in_memory_storage;
mod essay_queue;
mod reading;
mod reviewing_and_grading;
mod starting;
mod submitting;
mod working_on_an_attempt;
#[allow(unused_imports)]
use {
    attempt_lists::*, authoring::*, end_to_end_over_the_in_memory_storage::*, reading::*,
    reviewing_and_grading::*, starting::*, submitting::*, working_on_an_attempt::*,
};
