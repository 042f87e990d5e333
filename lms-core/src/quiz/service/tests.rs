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
            Arc::new(self.courses()),
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

// ----- authoring ---------------------------------------------------------

#[tokio::test]
async fn quizzes_are_created_by_the_owner_and_admins_only() {
    let w = World::new();
    let cases = [
        (&w.owner, None),
        (&w.admin, None),
        (&w.assistant, Some("forbidden")),
        (&w.student, Some("forbidden")),
        (&w.outsider, Some("course_not_found")),
        (&w.stranger_teacher, Some("course_not_found")),
    ];
    for (who, expected) in cases {
        let mut q = MockQuizStore::new();
        if expected.is_none() {
            let course_id = w.course.id;
            q.expect_insert_quiz()
                .withf(move |quiz| {
                    quiz.course_id == course_id
                        && !quiz.published
                        && quiz.title.as_str() == "Контрольная"
                        && quiz.created_at == t0()
                })
                .times(1)
                .returning(|_| Ok(()));
        }
        let got = w
            .service(q, MockNotificationStore::new())
            .create_quiz(who, w.course.id, input())
            .await;
        match expected {
            None => {
                let quiz = got.unwrap();
                assert_eq!(quiz.course_id, w.course.id);
                assert!(!quiz.published);
                assert_eq!(quiz.settings, QuizSettings::default());
            }
            Some(code) => assert_eq!(got.unwrap_err().code(), code, "{who:?}"),
        }
    }
}

#[tokio::test]
async fn inconsistent_settings_are_rejected_before_storing() {
    let w = World::new();
    let mut bad = input();
    bad.settings.opens_at = Some(t0());
    bad.settings.closes_at = Some(t0() - Duration::hours(1));
    let err = w
        .service(MockQuizStore::new(), MockNotificationStore::new())
        .create_quiz(&w.owner, w.course.id, bad)
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        ManageQuizError::InvalidSettings(SettingsError::Window)
    ));
    assert_eq!(err.class(), ErrorClass::Invalid);
    assert!(err.to_string().starts_with("settings:"));
}

#[tokio::test]
async fn the_owner_updates_and_publishes_a_quiz() {
    let mut w = World::new();
    w.quiz.published = false;
    let mut q = w.quizzes();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    q.expect_update_quiz().times(2).returning(move |quiz| {
        s.lock().unwrap().push(quiz.clone());
        Ok(())
    });
    let svc = w.service(q, MockNotificationStore::new());
    let mut changed = input();
    changed.settings.reveal = RevealPolicy::Never;
    let updated = svc.update_quiz(&w.owner, w.quiz.id, changed).await.unwrap();
    assert_eq!(updated.title.as_str(), "Контрольная");
    assert_eq!(updated.created_at, w.quiz.created_at);
    assert!(!updated.published);
    let published = svc.set_published(&w.owner, w.quiz.id, true).await.unwrap();
    assert!(published.published);
    let stored = seen.lock().unwrap().clone();
    assert_eq!(stored[0].settings.reveal, RevealPolicy::Never);
    assert_eq!(stored[1].id, w.quiz.id);
    assert!(stored[1].published);
}

#[tokio::test]
async fn students_cannot_manage_and_cannot_see_drafts() {
    let mut w = World::new();
    w.quiz.published = false;
    let svc = w.service(w.quizzes(), MockNotificationStore::new());
    let err = svc
        .set_published(&w.student, w.quiz.id, true)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ManageQuizError::NotFound),
        "draft is invisible"
    );
    let err = svc
        .set_published(&w.assistant, w.quiz.id, true)
        .await
        .unwrap_err();
    assert!(matches!(err, ManageQuizError::Forbidden));

    let w = World::new();
    let svc = w.service(w.quizzes(), MockNotificationStore::new());
    let err = svc
        .update_quiz(&w.student, w.quiz.id, input())
        .await
        .unwrap_err();
    assert!(
        matches!(err, ManageQuizError::Forbidden),
        "published: visible"
    );
    let err = svc
        .update_quiz(&w.stranger_teacher, w.quiz.id, input())
        .await
        .unwrap_err();
    assert!(matches!(err, ManageQuizError::NotFound));
    let err = svc
        .update_quiz(&w.owner, QuizId::new(), input())
        .await
        .unwrap_err();
    assert!(matches!(err, ManageQuizError::NotFound));
}

#[tokio::test]
async fn questions_are_validated_and_appended() {
    let w = World::new();
    let mut q = w.quizzes();
    let quiz_id = w.quiz.id;
    q.expect_insert_question()
        .withf(move |question| {
            question.quiz_id == quiz_id
                && question.body == QuestionBody::Essay
                && question.points == pts(5.0)
        })
        .times(1)
        .returning(|question| {
            Ok(Question {
                position: 3,
                ..question.clone()
            })
        });
    let svc = w.service(q, MockNotificationStore::new());
    let added = svc
        .add_question(&w.owner, w.quiz.id, essay_input())
        .await
        .unwrap();
    assert_eq!(added.position, 3, "the stored question is returned");

    let blank = QuestionInput {
        prompt: RichText::sanitize("<p>  </p>"),
        ..essay_input()
    };
    let err = svc
        .add_question(&w.owner, w.quiz.id, blank)
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        ManageQuestionError::Invalid(QuestionError::Prompt)
    ));
    let wrong = QuestionInput {
        body: QuestionBody::SingleChoice {
            options: vec![
                Choice {
                    id: OptionId::new(),
                    text: "a".into(),
                },
                Choice {
                    id: OptionId::new(),
                    text: "b".into(),
                },
            ],
            correct: OptionId::new(),
        },
        ..essay_input()
    };
    let err = svc
        .add_question(&w.owner, w.quiz.id, wrong)
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        ManageQuestionError::Invalid(QuestionError::Correct)
    ));
    assert_eq!(err.code(), "invalid_question");
    let err = svc
        .add_question(&w.assistant, w.quiz.id, essay_input())
        .await
        .unwrap_err();
    assert!(matches!(err, ManageQuestionError::Forbidden));
    let err = svc
        .add_question(&w.outsider, w.quiz.id, essay_input())
        .await
        .unwrap_err();
    assert!(matches!(err, ManageQuestionError::QuizNotFound));
}

#[tokio::test]
async fn questions_are_updated_deleted_and_reordered_within_their_quiz() {
    let w = World::new();
    let mut q = w.quizzes();
    let target = w.questions[1].clone();
    q.expect_update_question()
        .withf(move |question| {
            question.id == target.id
                && question.position == target.position
                && question.quiz_id == target.quiz_id
                && question.body == QuestionBody::Essay
        })
        .times(1)
        .returning(|_| Ok(()));
    let gone = w.questions[2].id;
    q.expect_delete_question()
        .withf(move |id| *id == gone)
        .times(1)
        .returning(|_| Ok(true));
    let svc = w.service(q, MockNotificationStore::new());
    let updated = svc
        .update_question(&w.owner, w.quiz.id, w.questions[1].id, essay_input())
        .await
        .unwrap();
    assert_eq!(
        (updated.id, updated.position, updated.points),
        (w.questions[1].id, 1, pts(5.0))
    );
    let err = svc
        .update_question(&w.owner, w.quiz.id, QuestionId::new(), essay_input())
        .await
        .unwrap_err();
    assert!(matches!(err, ManageQuestionError::QuestionNotFound));
    svc.delete_question(&w.owner, w.quiz.id, gone)
        .await
        .unwrap();
    let err = svc
        .delete_question(&w.owner, w.quiz.id, QuestionId::new())
        .await
        .unwrap_err();
    assert!(matches!(err, ManageQuestionError::QuestionNotFound));
    let err = svc
        .delete_question(&w.student, w.quiz.id, gone)
        .await
        .unwrap_err();
    assert!(matches!(err, ManageQuestionError::Forbidden));
}

#[tokio::test]
async fn reordering_needs_every_question_once_and_reports_stale_sets() {
    let w = World::new();
    let ids: Vec<QuestionId> = w.questions.iter().map(|q| q.id).collect();
    let reversed: Vec<QuestionId> = ids.iter().rev().copied().collect();
    let mut q = w.quizzes();
    let expected = reversed.clone();
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    q.expect_reorder_questions()
        .withf(move |_, order| order == expected.as_slice())
        .times(2)
        .returning(move |_, _| {
            if c.fetch_add(1, Ordering::SeqCst) == 0 {
                Ok(())
            } else {
                Err(StorageError::Conflict(Conflict::Stale))
            }
        });
    let svc = w.service(q, MockNotificationStore::new());
    svc.reorder_questions(&w.owner, w.quiz.id, &reversed)
        .await
        .unwrap();
    let err = svc
        .reorder_questions(&w.owner, w.quiz.id, &reversed)
        .await
        .unwrap_err();
    assert!(matches!(err, ManageQuestionError::Stale));
    assert_eq!(err.class(), ErrorClass::Conflict);
    for bad in [
        ids[..2].to_vec(),
        vec![ids[0], ids[0], ids[1]],
        vec![ids[0], ids[1], ids[2], QuestionId::new()],
    ] {
        let err = svc
            .reorder_questions(&w.owner, w.quiz.id, &bad)
            .await
            .unwrap_err();
        assert!(matches!(err, ManageQuestionError::InvalidOrder), "{bad:?}");
    }
}

#[tokio::test]
async fn questions_with_answers_are_listed_for_staff_only() {
    let w = World::new();
    let svc = w.service(w.quizzes(), MockNotificationStore::new());
    for staff in [&w.owner, &w.assistant, &w.admin] {
        let listed = svc.list_questions(staff, w.quiz.id).await.unwrap();
        assert_eq!(listed, w.questions);
    }
    let err = svc.list_questions(&w.student, w.quiz.id).await.unwrap_err();
    assert!(matches!(err, ViewQuizError::Forbidden));
    for nobody in [&w.outsider, &w.stranger_teacher] {
        let err = svc.list_questions(nobody, w.quiz.id).await.unwrap_err();
        assert!(matches!(err, ViewQuizError::NotFound));
    }
}

// ----- reading -----------------------------------------------------------

fn finished_with_score(w: &World, number: u32, score: f64) -> Attempt {
    let mut a = w.attempt(&w.student, AttemptState::Submitted);
    a.number = number;
    a.result = Some(AttemptResult {
        per_question: BTreeMap::new(),
        score: pts(score),
        max_score: pts(4.0),
        pending_manual: false,
    });
    a
}

#[tokio::test]
async fn a_student_overview_shows_attempts_score_and_whether_to_start() {
    let mut w = World::new();
    w.quiz.settings.attempts_allowed = Some(3);
    w.quiz.settings.scoring = ScoringPolicy::Last;
    let history = vec![
        finished_with_score(&w, 1, 3.0),
        finished_with_score(&w, 2, 1.0),
    ];
    let mut q = w.quizzes();
    let h = history.clone();
    let student = w.student.user_id;
    q.expect_list_attempts()
        .withf(move |_, s| *s == student)
        .returning(move |_, _| Ok(h.clone()));
    let svc = w.service(q, MockNotificationStore::new());
    let o = svc.get_quiz(&w.student, w.quiz.id).await.unwrap();
    assert_eq!(o.question_count, 3);
    assert_eq!(o.max_score, pts(4.0));
    assert_eq!(o.attempts.len(), 2);
    assert_eq!(o.attempts_left, Some(1));
    assert_eq!(o.quiz_score, Some(pts(1.0)), "last attempt counts");
    assert_eq!(o.open_attempt, None);
    assert!(o.can_start_now);

    // An attempt in progress: resume instead of starting.
    let mut open = w.attempt(&w.student, AttemptState::Open);
    open.number = 3;
    let mut with_open = history.clone();
    with_open.push(open.clone());
    let mut q = w.quizzes();
    q.expect_list_attempts()
        .returning(move |_, _| Ok(with_open.clone()));
    let o = w
        .service(q, MockNotificationStore::new())
        .get_quiz(&w.student, w.quiz.id)
        .await
        .unwrap();
    assert_eq!(o.open_attempt, Some(open.id));
    assert_eq!(o.attempts_left, Some(0));
    assert_eq!(o.attempts.len(), 2, "only finished attempts are listed");
    assert!(!o.can_start_now);
}

#[tokio::test]
async fn overviews_for_staff_and_closed_quizzes_cannot_start() {
    let mut w = World::new();
    w.quiz.settings.closes_at = Some(t0());
    let mut q = w.quizzes();
    let student = w.student.user_id;
    q.expect_list_attempts()
        .withf(move |_, s| *s == student)
        .returning(|_, _| Ok(vec![]));
    let svc = w.service(q, MockNotificationStore::new());
    let o = svc.get_quiz(&w.student, w.quiz.id).await.unwrap();
    assert!(!o.can_start_now, "closed");
    assert_eq!(o.attempts_left, Some(2));
    // Staff take no attempts: none are looked up for them (the mock
    // answers for the student only).
    let o = svc.get_quiz(&w.owner, w.quiz.id).await.unwrap();
    assert!(o.attempts.is_empty() && !o.can_start_now && o.quiz_score.is_none());
}

#[tokio::test]
async fn archived_courses_keep_past_attempts_but_take_no_new_ones() {
    let mut w = World::new();
    w.course.status = CourseStatus::Archived;
    let past = vec![finished_with_score(&w, 1, 3.0)];
    let mut q = w.quizzes();
    q.expect_list_attempts()
        .returning(move |_, _| Ok(past.clone()));
    let o = w
        .service(q, MockNotificationStore::new())
        .get_quiz(&w.student, w.quiz.id)
        .await
        .unwrap();
    assert_eq!(o.attempts.len(), 1);
    assert_eq!(o.quiz_score, Some(pts(3.0)));
    assert!(!o.can_start_now);
}

#[tokio::test]
async fn students_list_only_published_quizzes_of_visible_courses() {
    let mut w = World::new();
    let mut draft = w.quiz.clone();
    draft.id = QuizId::new();
    draft.published = false;
    let all = vec![w.quiz.clone(), draft.clone()];
    let mut q = w.quizzes();
    q.expect_list_quizzes().returning(move |_| Ok(all.clone()));
    q.expect_list_attempts().returning(|_, _| Ok(vec![]));
    let svc = w.service(q, MockNotificationStore::new());
    let student_view: Vec<QuizId> = svc
        .list_quizzes(&w.student, w.course.id)
        .await
        .unwrap()
        .iter()
        .map(|o| o.quiz.id)
        .collect();
    assert_eq!(student_view, vec![w.quiz.id]);
    let staff_view: Vec<QuizId> = svc
        .list_quizzes(&w.assistant, w.course.id)
        .await
        .unwrap()
        .iter()
        .map(|o| o.quiz.id)
        .collect();
    assert_eq!(staff_view, vec![w.quiz.id, draft.id]);
    let err = svc
        .list_quizzes(&w.outsider, w.course.id)
        .await
        .unwrap_err();
    assert!(matches!(err, ViewQuizError::CourseNotFound));

    w.course.status = CourseStatus::Draft;
    let svc = w.service(w.quizzes(), MockNotificationStore::new());
    let err = svc.list_quizzes(&w.student, w.course.id).await.unwrap_err();
    assert!(matches!(err, ViewQuizError::CourseNotFound));
    let err = svc.get_quiz(&w.student, w.quiz.id).await.unwrap_err();
    assert!(matches!(err, ViewQuizError::NotFound));
}

// ----- starting ----------------------------------------------------------

#[tokio::test]
async fn starting_stores_an_attempt_with_order_deadline_and_limit() {
    let w = World::new();
    let mut q = w.quizzes();
    let seen = Arc::new(Mutex::new(None));
    let s = seen.clone();
    q.expect_start_attempt()
        .times(1)
        .returning(move |attempt, limit| {
            *s.lock().unwrap() = Some((attempt.clone(), limit));
            Ok(Attempt {
                number: 1,
                ..attempt.clone()
            })
        });
    let view = w
        .service(q, MockNotificationStore::new())
        .start_attempt(&w.student, w.quiz.id)
        .await
        .unwrap();
    let (stored, limit) = seen.lock().unwrap().clone().unwrap();
    assert_eq!(limit, Some(2));
    assert_eq!(stored.student_id, w.student.user_id);
    assert_eq!(stored.quiz_id, w.quiz.id);
    assert_eq!(stored.state, AttemptState::Open);
    assert_eq!(stored.started_at, t0());
    assert_eq!(stored.deadline, Some(t0() + Duration::minutes(30)));
    let by_position: Vec<_> = w.questions.iter().map(|q| q.id).collect();
    assert_eq!(stored.question_order, by_position);
    assert_eq!(view.attempt_id, stored.id);
    assert_eq!(view.number, 1);
    assert_eq!(view.deadline, stored.deadline);
    assert_eq!(
        view.questions
            .iter()
            .map(StudentQuestion::id)
            .collect::<Vec<_>>(),
        by_position
    );
    assert!(matches!(
        view.questions[0].body(),
        StudentQuestionBody::SingleChoice { .. }
    ));
    let json = serde_json::to_string(&view).unwrap();
    for secret in ["SECRET", "correct", "accepted", "explanation"] {
        assert!(!json.contains(secret), "{secret} leaked: {json}");
    }
}

#[tokio::test]
async fn shuffled_quizzes_start_in_the_seeded_order() {
    let mut w = World::new();
    w.quiz.settings.shuffle_questions = true;
    let mut q = w.quizzes();
    let questions = w.questions.clone();
    q.expect_start_attempt()
        .withf(move |a, _| a.question_order == question_order(&questions, a.seed, true))
        .times(1)
        .returning(|a, _| Ok(a.clone()));
    let view = w
        .service(q, MockNotificationStore::new())
        .start_attempt(&w.student, w.quiz.id)
        .await
        .unwrap();
    assert_eq!(view.questions.len(), 3);
}

#[tokio::test]
async fn only_enrolled_students_start_open_quizzes() {
    let w = World::new();
    let svc = w.service(w.quizzes(), MockNotificationStore::new());
    for staff in [&w.owner, &w.assistant, &w.admin] {
        let err = svc.start_attempt(staff, w.quiz.id).await.unwrap_err();
        assert!(matches!(err, StartAttemptError::Forbidden), "{staff:?}");
    }
    for nobody in [&w.outsider, &w.stranger_teacher] {
        let err = svc.start_attempt(nobody, w.quiz.id).await.unwrap_err();
        assert!(matches!(err, StartAttemptError::NotFound));
    }

    let mut archived = World::new();
    archived.course.status = CourseStatus::Archived;
    let err = archived
        .service(archived.quizzes(), MockNotificationStore::new())
        .start_attempt(&archived.student, archived.quiz.id)
        .await
        .unwrap_err();
    assert!(matches!(err, StartAttemptError::Forbidden));

    let mut hidden = World::new();
    hidden.quiz.published = false;
    let err = hidden
        .service(hidden.quizzes(), MockNotificationStore::new())
        .start_attempt(&hidden.student, hidden.quiz.id)
        .await
        .unwrap_err();
    assert!(matches!(err, StartAttemptError::NotFound));

    for (opens, closes) in [
        (Some(t0() + Duration::minutes(1)), None),
        (None, Some(t0())),
    ] {
        let mut w = World::new();
        w.quiz.settings.opens_at = opens;
        w.quiz.settings.closes_at = closes;
        let err = w
            .service(w.quizzes(), MockNotificationStore::new())
            .start_attempt(&w.student, w.quiz.id)
            .await
            .unwrap_err();
        assert!(matches!(err, StartAttemptError::NotOpen));
        assert_eq!(err.code(), "quiz_not_open");
    }

    let mut empty = World::new();
    empty.questions.clear();
    let err = empty
        .service(empty.quizzes(), MockNotificationStore::new())
        .start_attempt(&empty.student, empty.quiz.id)
        .await
        .unwrap_err();
    assert!(matches!(err, StartAttemptError::NoQuestions));
}

#[tokio::test]
async fn used_up_attempts_and_open_attempts_are_reported() {
    let w = World::new();
    let mut q = w.quizzes();
    q.expect_start_attempt()
        .returning(|_, _| Err(StorageError::Conflict(Conflict::AttemptLimit)));
    let err = w
        .service(q, MockNotificationStore::new())
        .start_attempt(&w.student, w.quiz.id)
        .await
        .unwrap_err();
    assert!(matches!(err, StartAttemptError::AttemptLimit));
    assert_eq!(err.code(), "attempt_limit_reached");

    let open = w.attempt(&w.student, AttemptState::Open);
    let mut q = w.quizzes();
    q.expect_start_attempt()
        .times(1)
        .returning(|_, _| Err(StorageError::Conflict(Conflict::OpenAttempt)));
    let listed = vec![finished_with_score(&w, 1, 1.0), open.clone()];
    q.expect_list_attempts()
        .returning(move |_, _| Ok(listed.clone()));
    let err = w
        .service(q, MockNotificationStore::new())
        .start_attempt(&w.student, w.quiz.id)
        .await
        .unwrap_err();
    assert!(matches!(err, StartAttemptError::OpenAttempt(id) if id == open.id));
    assert_eq!(err.code(), "resume_open_attempt");
    assert_eq!(err.class(), ErrorClass::Conflict);
}

#[tokio::test]
async fn an_overdue_open_attempt_is_finished_before_a_new_start() {
    let w = World::new();
    let mut overdue = w.attempt(&w.student, AttemptState::Open);
    overdue.deadline = Some(t0() - Duration::minutes(1));
    overdue.answers = w.right.clone();
    let mut q = w.quizzes();
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    q.expect_start_attempt().times(2).returning(move |a, _| {
        if c.fetch_add(1, Ordering::SeqCst) == 0 {
            Err(StorageError::Conflict(Conflict::OpenAttempt))
        } else {
            Ok(Attempt {
                number: 2,
                ..a.clone()
            })
        }
    });
    let o = overdue.clone();
    q.expect_list_attempts()
        .returning(move |_, _| Ok(vec![o.clone()]));
    let finish = capture_finish(&mut q, &overdue);
    let view = w
        .service(q, profiles())
        .start_attempt(&w.student, w.quiz.id)
        .await
        .unwrap();
    assert_eq!(view.number, 2);
    let f = finish.lock().unwrap().clone().unwrap();
    assert_eq!(f.attempt_id, overdue.id);
    assert_eq!(f.state, AttemptState::AutoSubmitted);
    assert_eq!(
        f.finished_at,
        t0() - Duration::minutes(1),
        "at its deadline"
    );
    assert_eq!(f.result.score, pts(4.0), "saved answers are graded");
}

// ----- working on an attempt -------------------------------------------------

#[tokio::test]
async fn attempts_are_visible_to_their_student_only() {
    let w = World::new();
    let mut attempt = w.attempt(&w.student, AttemptState::Open);
    attempt
        .answers
        .insert(w.questions[1].id, Answer::TrueFalse(true));
    let mut q = w.quizzes();
    stored_attempt(&mut q, &attempt);
    let svc = w.service(q, MockNotificationStore::new());
    let view = svc.get_attempt(&w.student, attempt.id).await.unwrap();
    assert_eq!(view.state, AttemptState::Open);
    assert_eq!(view.answers, attempt.answers);
    assert_eq!(view.server_time, t0());
    assert_eq!(view.questions.len(), 3);
    for other in [&w.classmate, &w.owner, &w.admin, &w.outsider] {
        let err = svc.get_attempt(other, attempt.id).await.unwrap_err();
        assert!(matches!(err, AttemptAccessError::NotFound), "{other:?}");
    }
    let err = svc
        .get_attempt(&w.student, AttemptId::new())
        .await
        .unwrap_err();
    assert!(matches!(err, AttemptAccessError::NotFound));
}

#[tokio::test]
async fn reading_an_overdue_attempt_finishes_it() {
    let w = World::new();
    let mut attempt = w.attempt(&w.student, AttemptState::Open);
    attempt.deadline = Some(t0());
    attempt
        .answers
        .insert(w.questions[0].id, w.right[&w.questions[0].id].clone());
    let mut q = w.quizzes();
    stored_attempt(&mut q, &attempt);
    let finish = capture_finish(&mut q, &attempt);
    let view = w
        .service(q, MockNotificationStore::new())
        .get_attempt(&w.student, attempt.id)
        .await
        .unwrap();
    assert_eq!(view.state, AttemptState::AutoSubmitted);
    assert_eq!(view.result.as_ref().unwrap().score, pts(2.0));
    let f = finish.lock().unwrap().clone().unwrap();
    assert_eq!(f.state, AttemptState::AutoSubmitted);
    assert!(f.awards.is_empty() && f.outbox.is_empty());
}

#[tokio::test]
async fn answers_are_saved_when_they_fit_the_attempt() {
    let w = World::new();
    let attempt = w.attempt(&w.student, AttemptState::Open);
    let mut q = w.quizzes();
    stored_attempt(&mut q, &attempt);
    let answers = BTreeMap::from([
        (w.questions[1].id, Answer::TrueFalse(true)),
        (w.questions[2].id, Answer::ShortText("Москва".into())),
    ]);
    let (expected, a, stored) = (answers.clone(), attempt.clone(), attempt.clone());
    q.expect_save_answers()
        .withf(move |id, given, at| *id == a.id && *given == expected && *at == t0())
        .times(1)
        .returning(move |_, given, at| {
            Ok(Attempt {
                answers: given.clone(),
                saved_at: Some(at),
                ..stored.clone()
            })
        });
    let view = w
        .service(q, MockNotificationStore::new())
        .save_answers(&w.student, attempt.id, answers.clone())
        .await
        .unwrap();
    assert_eq!(view.answers, answers);
    assert_eq!(view.saved_at, Some(t0()));
}

#[tokio::test]
async fn answers_that_do_not_fit_name_their_question_and_save_nothing() {
    let w = World::new();
    let attempt = w.attempt(&w.student, AttemptState::Open);
    let mut q = w.quizzes();
    stored_attempt(&mut q, &attempt);
    // No save_answers expectation: any call would fail the test.
    let svc = w.service(q, MockNotificationStore::new());
    let stranger = QuestionId::new();
    let err = svc
        .save_answers(
            &w.student,
            attempt.id,
            BTreeMap::from([
                (w.questions[1].id, Answer::TrueFalse(true)),
                (stranger, Answer::TrueFalse(true)),
            ]),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, SaveAnswersError::InvalidAnswer { question, .. } if *question == stranger)
    );
    assert!(err.to_string().contains(&stranger.to_string()));
    assert_eq!(err.class(), ErrorClass::Invalid);
    let wrong_kind = w.questions[0].id;
    let err = svc
        .save_answers(
            &w.student,
            attempt.id,
            BTreeMap::from([(wrong_kind, Answer::TrueFalse(true))]),
        )
        .await
        .unwrap_err();
    match err {
        SaveAnswersError::InvalidAnswer { question, reason } => {
            assert_eq!(question, wrong_kind);
            assert!(reason.contains("single_choice"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    let err = svc
        .save_answers(
            &w.student,
            attempt.id,
            BTreeMap::from([(wrong_kind, Answer::SingleChoice(OptionId::new()))]),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, SaveAnswersError::InvalidAnswer { .. }));
    let err = svc
        .save_answers(&w.classmate, attempt.id, BTreeMap::new())
        .await
        .unwrap_err();
    assert!(matches!(err, SaveAnswersError::NotFound));
}

#[tokio::test]
async fn closed_attempts_take_no_answers() {
    let w = World::new();
    let answers = BTreeMap::from([(w.questions[1].id, Answer::TrueFalse(true))]);

    let done = w.attempt(&w.student, AttemptState::Submitted);
    let mut q = w.quizzes();
    stored_attempt(&mut q, &done);
    let err = w
        .service(q, MockNotificationStore::new())
        .save_answers(&w.student, done.id, answers.clone())
        .await
        .unwrap_err();
    assert!(matches!(err, SaveAnswersError::Closed));

    // Past the deadline: finished with what was saved before, then refused.
    let mut late = w.attempt(&w.student, AttemptState::Open);
    late.deadline = Some(t0() - Duration::seconds(1));
    let mut q = w.quizzes();
    stored_attempt(&mut q, &late);
    let finish = capture_finish(&mut q, &late);
    let err = w
        .service(q, MockNotificationStore::new())
        .save_answers(&w.student, late.id, answers.clone())
        .await
        .unwrap_err();
    assert!(matches!(err, SaveAnswersError::Closed));
    let f = finish.lock().unwrap().clone().unwrap();
    assert_eq!(f.state, AttemptState::AutoSubmitted);
    assert_eq!(
        f.result.score,
        Points::ZERO,
        "the refused answer is not graded"
    );

    // Finished by the sweep between our read and our write.
    let open = w.attempt(&w.student, AttemptState::Open);
    let mut q = w.quizzes();
    stored_attempt(&mut q, &open);
    q.expect_save_answers()
        .returning(|_, _, _| Err(StorageError::Conflict(Conflict::AttemptClosed)));
    let err = w
        .service(q, MockNotificationStore::new())
        .save_answers(&w.student, open.id, answers)
        .await
        .unwrap_err();
    assert!(matches!(err, SaveAnswersError::Closed));
    assert_eq!(err.code(), "attempt_closed");
}

// ----- submitting ----------------------------------------------------------

#[tokio::test]
async fn a_perfect_submit_awards_the_badge_and_notifies_in_the_same_write() {
    let w = World::new();
    let mut attempt = w.attempt(&w.student, AttemptState::Open);
    attempt.answers = w.right.clone();
    let mut q = w.quizzes();
    stored_attempt(&mut q, &attempt);
    let finish = capture_finish(&mut q, &attempt);
    let mut earlier = finished_with_score(&w, 1, 1.0);
    earlier.id = AttemptId::new();
    let mut now_finished = attempt.clone();
    now_finished.number = 2;
    now_finished.state = AttemptState::Submitted;
    now_finished.result = Some(score_attempt(&w.questions, &w.right, &BTreeMap::new()));
    let history = vec![earlier, now_finished];
    q.expect_list_attempts()
        .returning(move |_, _| Ok(history.clone()));
    let outcome = w
        .service(q, profiles())
        .submit(&w.student, attempt.id, Some("key-1".into()))
        .await
        .unwrap();
    let f = finish.lock().unwrap().clone().unwrap();
    assert_eq!(f.attempt_id, attempt.id);
    assert_eq!(f.state, AttemptState::Submitted);
    assert_eq!(f.finished_at, t0());
    assert_eq!(f.submit_key.as_deref(), Some("key-1"));
    assert_eq!((f.result.score, f.result.max_score), (pts(4.0), pts(4.0)));
    assert_eq!(f.awards.len(), 1);
    assert_eq!(f.awards[0].badge, Badge::PerfectQuiz);
    assert_eq!(f.awards[0].user_id, w.student.user_id);
    assert_eq!(f.outbox.len(), 1, "e-mail only: no Telegram linked");
    let entry = &f.outbox[0];
    assert_eq!(entry.recipient_id, w.student.user_id);
    assert_eq!(entry.channel, Channel::Email);
    assert!(
        entry
            .dedup_key
            .0
            .contains(&format!("badge:{}:perfect_quiz", w.student.user_id))
    );
    assert_eq!(
        entry.notification,
        Notification::AchievementAwarded {
            badge: Badge::PerfectQuiz,
            course_id: Some(w.course.id),
            quiz_id: Some(w.quiz.id),
        }
    );
    assert!(outcome.perfect);
    assert_eq!(outcome.attempt.state, AttemptState::Submitted);
    assert_eq!(outcome.attempt.result.as_ref().unwrap().score, pts(4.0));
    assert_eq!(outcome.quiz_score, Some(pts(4.0)), "best of 1 and 4");
    assert_eq!(outcome.attempts_left, Some(0));
}

#[tokio::test]
async fn a_partial_submit_awards_nothing() {
    let w = World::new();
    let mut attempt = w.attempt(&w.student, AttemptState::Open);
    attempt.answers = BTreeMap::from([(w.questions[1].id, Answer::TrueFalse(false))]);
    let mut q = w.quizzes();
    stored_attempt(&mut q, &attempt);
    let finish = capture_finish(&mut q, &attempt);
    q.expect_list_attempts().returning(|_, _| Ok(vec![]));
    // No delivery profiles are looked up: the notification store has no expectations.
    let outcome = w
        .service(q, MockNotificationStore::new())
        .submit(&w.student, attempt.id, None)
        .await
        .unwrap();
    let f = finish.lock().unwrap().clone().unwrap();
    assert_eq!(f.result.score, pts(1.0));
    assert!(f.awards.is_empty() && f.outbox.is_empty());
    assert!(!outcome.perfect);
    assert_eq!(outcome.attempt.result.unwrap().score, pts(1.0));
}

#[tokio::test]
async fn a_retried_submit_returns_the_stored_result() {
    let w = World::new();
    let mut done = w.attempt(&w.student, AttemptState::Submitted);
    done.submit_key = Some("key-1".into());
    done.result = Some(score_attempt(
        &w.questions,
        &BTreeMap::from([(w.questions[0].id, w.right[&w.questions[0].id].clone())]),
        &BTreeMap::new(),
    ));
    let mut q = w.quizzes();
    stored_attempt(&mut q, &done);
    let d = done.clone();
    q.expect_list_attempts()
        .returning(move |_, _| Ok(vec![d.clone()]));
    // No finish_attempt expectation: a replay must not write.
    let svc = w.service(q, MockNotificationStore::new());
    let outcome = svc
        .submit(&w.student, done.id, Some(" key-1 ".into()))
        .await
        .unwrap();
    assert_eq!(outcome.attempt.id, done.id);
    assert_eq!(outcome.attempt.result.unwrap().score, pts(2.0));
    assert_eq!(outcome.quiz_score, Some(pts(2.0)));
    assert_eq!(outcome.attempts_left, Some(1));
    for other in [Some("key-2".to_owned()), None, Some("  ".to_owned())] {
        let err = svc.submit(&w.student, done.id, other).await.unwrap_err();
        assert!(matches!(err, SubmitError::AlreadyFinished));
        assert_eq!(err.code(), "attempt_already_finished");
    }
    let err = svc
        .submit(&w.classmate, done.id, Some("key-1".into()))
        .await
        .unwrap_err();
    assert!(
        matches!(err, SubmitError::NotFound),
        "only the owner replays"
    );
    let err = svc
        .submit(&w.student, done.id, Some("k".repeat(201)))
        .await
        .unwrap_err();
    assert!(matches!(err, SubmitError::InvalidKey));
}

#[tokio::test]
async fn a_submit_racing_another_finish_is_resolved_by_the_key() {
    let w = World::new();
    let open = w.attempt(&w.student, AttemptState::Open);
    let mut finished = open.clone();
    finished.state = AttemptState::Submitted;
    finished.submit_key = Some("key-1".into());
    finished.result = Some(score_attempt(
        &w.questions,
        &BTreeMap::new(),
        &BTreeMap::new(),
    ));
    for (key, same) in [("key-1", true), ("key-2", false)] {
        let mut q = w.quizzes();
        let reads = Arc::new(AtomicUsize::new(0));
        let (r, o, f) = (reads.clone(), open.clone(), finished.clone());
        q.expect_get_attempt().times(2).returning(move |_| {
            Ok(Some(if r.fetch_add(1, Ordering::SeqCst) == 0 {
                o.clone()
            } else {
                f.clone()
            }))
        });
        q.expect_finish_attempt()
            .times(1)
            .returning(|_| Err(StorageError::Conflict(Conflict::AttemptClosed)));
        let h = finished.clone();
        q.expect_list_attempts()
            .returning(move |_, _| Ok(vec![h.clone()]));
        let got = w
            .service(q, MockNotificationStore::new())
            .submit(&w.student, open.id, Some(key.into()))
            .await;
        if same {
            assert_eq!(got.unwrap().attempt.state, AttemptState::Submitted);
        } else {
            assert!(matches!(got.unwrap_err(), SubmitError::AlreadyFinished));
        }
    }
}

#[tokio::test]
async fn answers_saved_while_submitting_are_scored_on_a_retry() {
    let w = World::new();
    let read = w.attempt(&w.student, AttemptState::Open);
    let mut saved = read.clone();
    saved.answers = w.right.clone();
    saved.saved_at = Some(t0() - Duration::seconds(1));
    let mut q = w.quizzes();
    let reads = Arc::new(AtomicUsize::new(0));
    let (r, first, later) = (reads.clone(), read.clone(), saved.clone());
    q.expect_get_attempt().returning(move |_| {
        Ok(Some(if r.fetch_add(1, Ordering::SeqCst) == 0 {
            first.clone()
        } else {
            later.clone()
        }))
    });
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (s, current) = (seen.clone(), saved.clone());
    q.expect_finish_attempt().times(2).returning(move |f| {
        s.lock().unwrap().push(f.clone());
        // As storage does: finish only what was scored from the latest save.
        if f.expected_saved_at == current.saved_at {
            Ok(apply(&current, f))
        } else {
            Err(StorageError::Conflict(Conflict::Stale))
        }
    });
    let done = apply(
        &saved,
        &FinishAttempt {
            attempt_id: saved.id,
            state: AttemptState::Submitted,
            finished_at: t0(),
            result: score_attempt(&w.questions, &w.right, &BTreeMap::new()),
            expected_saved_at: saved.saved_at,
            submit_key: None,
            outbox: vec![],
            awards: vec![],
        },
    );
    q.expect_list_attempts()
        .returning(move |_, _| Ok(vec![done.clone()]));
    let outcome = w
        .service(q, profiles())
        .submit(&w.student, read.id, Some("k".into()))
        .await
        .unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen[0].expected_saved_at, None,
        "the first try used the first read"
    );
    assert_eq!(seen[0].result.score, Points::ZERO);
    assert!(seen[0].awards.is_empty());
    assert_eq!(seen[1].expected_saved_at, saved.saved_at);
    assert_eq!(
        seen[1].result.score,
        pts(4.0),
        "the saved answers are scored"
    );
    assert_eq!(seen[1].awards.len(), 1, "and earn the badge");
    assert_eq!(seen[1].submit_key.as_deref(), Some("k"));
    assert!(outcome.perfect);
    assert_eq!(outcome.quiz_score, Some(pts(4.0)));
}

#[tokio::test]
async fn a_submit_gives_up_when_answers_keep_changing() {
    let w = World::new();
    let attempt = w.attempt(&w.student, AttemptState::Open);
    let mut q = w.quizzes();
    stored_attempt(&mut q, &attempt);
    q.expect_finish_attempt()
        .times(1 + FINISH_RETRIES as usize)
        .returning(|_| Err(StorageError::Conflict(Conflict::Stale)));
    let err = w
        .service(q, MockNotificationStore::new())
        .submit(&w.student, attempt.id, None)
        .await
        .unwrap_err();
    assert!(matches!(err, SubmitError::ChangedMeanwhile), "{err:?}");
    assert_eq!(err.class(), ErrorClass::Conflict);
    assert_eq!(err.code(), "attempt_changed_meanwhile");
}

#[tokio::test]
async fn a_submit_whose_retry_finds_the_attempt_finished_replays_by_key() {
    let w = World::new();
    let open = w.attempt(&w.student, AttemptState::Open);
    let mut finished = open.clone();
    finished.state = AttemptState::AutoSubmitted;
    finished.saved_at = Some(t0() - Duration::seconds(1));
    finished.submit_key = None;
    finished.result = Some(score_attempt(
        &w.questions,
        &BTreeMap::new(),
        &BTreeMap::new(),
    ));
    let mut q = w.quizzes();
    let reads = Arc::new(AtomicUsize::new(0));
    let (r, o, f) = (reads.clone(), open.clone(), finished.clone());
    q.expect_get_attempt().returning(move |_| {
        Ok(Some(if r.fetch_add(1, Ordering::SeqCst) == 0 {
            o.clone()
        } else {
            f.clone()
        }))
    });
    q.expect_finish_attempt()
        .times(1)
        .returning(|_| Err(StorageError::Conflict(Conflict::Stale)));
    let err = w
        .service(q, MockNotificationStore::new())
        .submit(&w.student, open.id, Some("k".into()))
        .await
        .unwrap_err();
    assert!(
        matches!(err, SubmitError::AlreadyFinished),
        "finished by the sweep meanwhile: {err:?}"
    );
}

#[tokio::test]
async fn finishing_the_last_item_of_a_course_awards_the_course_badge() {
    let w = World::new();
    let mut attempt = w.attempt(&w.student, AttemptState::Open);
    attempt.answers = BTreeMap::from([(w.questions[1].id, Answer::TrueFalse(false))]);
    let course_event = format!("achievement:course_completed:{}", w.course.id);
    let course_badge =
        Achievement::new(w.student.user_id, Badge::CourseCompleted, w.course.id, t0());
    // The attempt being finished is still open in the read model.
    let mut held = w.course_data(vec![attempt.clone()], Some(true));
    held.achievements = vec![course_badge.clone()];
    for (snapshot, perfect, expected) in [
        (
            w.course_data(vec![attempt.clone()], Some(true)),
            false,
            vec![Badge::CourseCompleted],
        ),
        (
            w.course_data(vec![attempt.clone()], Some(true)),
            true,
            vec![Badge::PerfectQuiz, Badge::CourseCompleted],
        ),
        (
            w.course_data(vec![attempt.clone()], Some(false)),
            false,
            vec![],
        ),
        (held.clone(), false, vec![]),
        (
            w.course_data(vec![attempt.clone()], None),
            false,
            vec![Badge::CourseCompleted],
        ),
    ] {
        let mut attempt = attempt.clone();
        if perfect {
            attempt.answers = w.right.clone();
        }
        let mut q = w.quizzes();
        stored_attempt(&mut q, &attempt);
        let finish = capture_finish(&mut q, &attempt);
        q.expect_list_attempts().returning(|_, _| Ok(vec![]));
        let mut notes = MockNotificationStore::new();
        if !expected.is_empty() {
            let student = w.student.user_id;
            notes
                .expect_delivery_profiles()
                .withf(move |u| u == [student])
                .times(1)
                .returning(move |users| {
                    Ok(vec![DeliveryProfile {
                        user_id: users[0],
                        active: true,
                        preferences: NotificationPreferences::defaults(users[0]),
                        telegram_linked: true,
                    }])
                });
        }
        w.service_with(q, notes, snapshot_of(w.student.user_id, snapshot))
            .submit(&w.student, attempt.id, None)
            .await
            .unwrap();
        let f = finish.lock().unwrap().clone().unwrap();
        let badges: Vec<Badge> = f.awards.iter().map(|a| a.badge).collect();
        assert_eq!(badges, expected);
        assert_eq!(
            f.outbox.len(),
            2 * expected.len(),
            "e-mail and Telegram per badge"
        );
        if expected.contains(&Badge::CourseCompleted) {
            assert!(f.awards.contains(&course_badge));
            let course_entries: Vec<&OutboxEntry> = f
                .outbox
                .iter()
                .filter(|e| e.dedup_key.0.contains("course_completed"))
                .collect();
            assert_eq!(course_entries.len(), 2);
            for e in course_entries {
                assert_eq!(
                    e.dedup_key,
                    DedupKey::new(w.student.user_id, &course_event, e.channel)
                );
                assert_eq!(
                    e.notification,
                    Notification::AchievementAwarded {
                        badge: Badge::CourseCompleted,
                        course_id: Some(w.course.id),
                        quiz_id: None,
                    }
                );
            }
        }
    }
}

#[tokio::test]
async fn a_submit_after_the_deadline_is_an_auto_submit() {
    let w = World::new();
    let mut attempt = w.attempt(&w.student, AttemptState::Open);
    attempt.deadline = Some(t0() - Duration::minutes(2));
    let mut q = w.quizzes();
    stored_attempt(&mut q, &attempt);
    let finish = capture_finish(&mut q, &attempt);
    q.expect_list_attempts().returning(|_, _| Ok(vec![]));
    let outcome = w
        .service(q, MockNotificationStore::new())
        .submit(&w.student, attempt.id, Some("k".into()))
        .await
        .unwrap();
    let f = finish.lock().unwrap().clone().unwrap();
    assert_eq!(f.state, AttemptState::AutoSubmitted);
    assert_eq!(f.finished_at, t0() - Duration::minutes(2));
    assert_eq!(f.submit_key.as_deref(), Some("k"));
    assert_eq!(outcome.attempt.state, AttemptState::AutoSubmitted);
}

#[tokio::test]
async fn the_sweep_finishes_overdue_attempts_with_saved_answers() {
    let w = World::new();
    let mut first = w.attempt(&w.student, AttemptState::Open);
    first.deadline = Some(t0() - Duration::minutes(5));
    first.answers = w.right.clone();
    let mut raced = w.attempt(&w.classmate, AttemptState::Open);
    raced.deadline = Some(t0() - Duration::minutes(1));
    let mut orphan = w.attempt(&w.classmate, AttemptState::Open);
    orphan.quiz_id = QuizId::new();
    let mut q = w.quizzes();
    let listed = vec![first.clone(), raced.clone(), orphan];
    q.expect_overdue_attempts()
        .withf(|now, limit| *now == t0() && *limit == 10)
        .times(1)
        .returning(move |_, _| Ok(listed.clone()));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (s, raced_id) = (seen.clone(), raced.id);
    let f_first = first.clone();
    q.expect_finish_attempt().times(2).returning(move |f| {
        s.lock().unwrap().push(f.clone());
        if f.attempt_id == raced_id {
            Err(StorageError::Conflict(Conflict::AttemptClosed))
        } else {
            Ok(apply(&f_first, f))
        }
    });
    let finished = w.service(q, profiles()).finish_overdue(10).await.unwrap();
    assert_eq!(
        finished, 1,
        "the raced attempt was finished by someone else"
    );
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen[0].attempt_id, first.id);
    assert_eq!(seen[0].state, AttemptState::AutoSubmitted);
    assert_eq!(seen[0].submit_key, None);
    assert_eq!(seen[0].result.score, pts(4.0));
    assert_eq!(
        seen[0].awards.len(),
        1,
        "a perfect auto-submit still earns the badge"
    );
    assert_eq!(seen[1].attempt_id, raced.id);
}

// ----- reviewing and grading ----------------------------------------------

#[tokio::test]
async fn students_review_their_own_attempt_under_the_reveal_policy() {
    for (reveal, revealed) in [
        (RevealPolicy::AfterAttempt, true),
        (RevealPolicy::Never, false),
    ] {
        let mut w = World::new();
        w.quiz.settings.reveal = reveal;
        let mut attempt = w.attempt(&w.student, AttemptState::Submitted);
        attempt.answers = BTreeMap::from([(w.questions[1].id, Answer::TrueFalse(true))]);
        attempt.result = Some(score_attempt(
            &w.questions,
            &attempt.answers,
            &BTreeMap::new(),
        ));
        let mut q = w.quizzes();
        stored_attempt(&mut q, &attempt);
        let only = attempt.clone();
        q.expect_list_attempts()
            .returning(move |_, _| Ok(vec![only.clone()]));
        let svc = w.service(q, MockNotificationStore::new());
        let review = svc.review(&w.student, attempt.id).await.unwrap();
        assert_eq!(review.answers_revealed(), revealed);
        assert_eq!(review.items().len(), 3);
        assert_eq!(review.items()[1].answer(), Some(&Answer::TrueFalse(true)));
        assert_eq!(
            review.items()[1].score(),
            revealed.then_some(QuestionScore::Scored(Points::ZERO)),
            "a wrong true/false scored 0 tells the answer: only once revealed"
        );
        assert_eq!(
            review.attempt().result.map(|r| (r.score, r.max_score)),
            Some((Points::ZERO, pts(4.0))),
            "the total is always shown"
        );
        let json = serde_json::to_string(&review).unwrap();
        assert_eq!(json.contains("SECRET-ACCEPTED"), revealed);
        assert_eq!(json.contains("SECRET-EXPLANATION"), revealed);
        if revealed {
            assert_eq!(
                review.items()[1].correct(),
                Some(&CorrectAnswer::TrueFalse { value: false })
            );
        }

        // Staff always see everything; classmates and strangers nothing.
        for staff in [&w.owner, &w.assistant, &w.admin] {
            let full = svc.review(staff, attempt.id).await.unwrap();
            assert!(full.answers_revealed());
            assert_eq!(
                full.items()[0].correct().cloned(),
                CorrectAnswer::of(&w.questions[0].body)
            );
            assert_eq!(
                full.items()[1].score(),
                Some(QuestionScore::Scored(Points::ZERO))
            );
        }
        for nobody in [&w.classmate, &w.outsider, &w.stranger_teacher] {
            let err = svc.review(nobody, attempt.id).await.unwrap_err();
            assert!(matches!(err, AttemptAccessError::NotFound));
        }
    }
}

#[tokio::test]
async fn an_open_attempt_review_reveals_nothing() {
    let w = World::new();
    let attempt = w.attempt(&w.student, AttemptState::Open);
    let mut q = w.quizzes();
    stored_attempt(&mut q, &attempt);
    let review = w
        .service(q, MockNotificationStore::new())
        .review(&w.student, attempt.id)
        .await
        .unwrap();
    assert!(!review.answers_revealed());
    assert!(
        review
            .items()
            .iter()
            .all(|i| i.correct().is_none() && i.score().is_none())
    );
}

fn essay_attempt(w: &World, essay_text: &str) -> Attempt {
    let mut attempt = w.attempt(&w.student, AttemptState::Submitted);
    attempt.answers = w.right.clone();
    attempt
        .answers
        .insert(w.essay_id(), Answer::Essay(essay_text.into()));
    attempt.result = Some(score_attempt(
        &w.questions,
        &attempt.answers,
        &BTreeMap::new(),
    ));
    attempt
}

#[tokio::test]
async fn grading_an_essay_recomputes_the_result_and_awards_full_marks() {
    let w = World::new().with_essay();
    let attempt = essay_attempt(&w, "Моё эссе");
    assert!(attempt.result.as_ref().unwrap().pending_manual);
    for (points, perfect) in [(2.5, false), (3.0, true)] {
        let mut q = w.quizzes();
        stored_attempt(&mut q, &attempt);
        let seen = Arc::new(Mutex::new(None));
        let enqueued = Arc::new(Mutex::new(Vec::new()));
        let (s, e, a) = (seen.clone(), enqueued.clone(), attempt.clone());
        let started_from = attempt.result.clone().unwrap();
        q.expect_set_attempt_result()
            .withf(move |_, expected, _, _, _| *expected == started_from)
            .times(1)
            .returning(move |id, _, result, awards, outbox| {
                *s.lock().unwrap() = Some((id, result.clone(), awards.to_vec()));
                // The message is stored in the same call as the result.
                e.lock().unwrap().extend(outbox.iter().cloned());
                Ok(Attempt {
                    result: Some(result.clone()),
                    ..a.clone()
                })
            });
        let notes = profiles();
        let review = w
            .service(q, notes)
            .grade_essay(&w.assistant, attempt.id, w.essay_id(), pts(points))
            .await
            .unwrap();
        let (id, result, awards) = seen.lock().unwrap().clone().unwrap();
        assert_eq!(id, attempt.id);
        assert_eq!(
            result.per_question[&w.essay_id()],
            QuestionScore::Scored(pts(points))
        );
        assert_eq!(result.score, pts(4.0 + points));
        assert!(!result.pending_manual);
        assert_eq!(awards.len(), usize::from(perfect));
        let enqueued = enqueued.lock().unwrap().clone();
        assert_eq!(enqueued.len(), usize::from(perfect));
        if perfect {
            assert_eq!(awards[0].badge, Badge::PerfectQuiz);
            assert!(enqueued[0].dedup_key.0.contains("perfect_quiz"));
        }
        assert_eq!(
            review.items()[3].score(),
            Some(QuestionScore::Scored(pts(points)))
        );
        assert!(review.answers_revealed(), "staff review");
    }
}

#[tokio::test]
async fn grading_keeps_earlier_essay_scores() {
    let mut w = World::new().with_essay();
    let second = Question {
        id: QuestionId::new(),
        position: 4,
        ..w.questions[3].clone()
    };
    w.questions.push(second.clone());
    let mut attempt = essay_attempt(&w, "Первое");
    attempt
        .answers
        .insert(second.id, Answer::Essay("Второе".into()));
    attempt.result = Some(score_attempt(
        &w.questions,
        &attempt.answers,
        &BTreeMap::from([(w.essay_id(), pts(1.0))]),
    ));
    let mut q = w.quizzes();
    stored_attempt(&mut q, &attempt);
    let (first_essay, second_id, stored) = (w.essay_id(), second.id, attempt.clone());
    q.expect_set_attempt_result()
        .withf(move |_, _, r, _, _| {
            r.per_question[&first_essay] == QuestionScore::Scored(pts(1.0))
                && r.per_question[&second_id] == QuestionScore::Scored(pts(2.0))
                && r.score == pts(7.0)
                && !r.pending_manual
        })
        .times(1)
        .returning(move |_, _, r, _, _| {
            Ok(Attempt {
                result: Some(r.clone()),
                ..stored.clone()
            })
        });
    let review = w
        .service(q, MockNotificationStore::new())
        .grade_essay(&w.owner, attempt.id, second.id, pts(2.0))
        .await
        .unwrap();
    assert_eq!(review.attempt().result.unwrap().score, pts(7.0));
}

#[tokio::test]
async fn a_concurrent_essay_grade_is_retried_from_the_new_result() {
    let w = World::new().with_essay();
    let attempt = essay_attempt(&w, "Моё эссе");
    let mut q = w.quizzes();
    stored_attempt(&mut q, &attempt);
    let calls = Arc::new(Mutex::new(0));
    let (c, stored) = (calls.clone(), attempt.clone());
    q.expect_set_attempt_result()
        .times(2)
        .returning(move |_, _, r, _, _| {
            let mut n = c.lock().unwrap();
            *n += 1;
            if *n == 1 {
                // Another grader wrote first.
                Err(StorageError::Conflict(Conflict::Stale))
            } else {
                Ok(Attempt {
                    result: Some(r.clone()),
                    ..stored.clone()
                })
            }
        });
    let review = w
        .service(q, MockNotificationStore::new())
        .grade_essay(&w.owner, attempt.id, w.essay_id(), pts(1.0))
        .await
        .unwrap();
    assert_eq!(*calls.lock().unwrap(), 2, "graded again after the conflict");
    assert!(!review.attempt().result.unwrap().pending_manual);
}

#[tokio::test]
async fn essays_are_graded_by_staff_within_the_question_points() {
    let w = World::new().with_essay();
    let attempt = essay_attempt(&w, "Текст");
    let mut q = w.quizzes();
    stored_attempt(&mut q, &attempt);
    // No set_attempt_result expectation: every case below must refuse.
    let svc = w.service(q, MockNotificationStore::new());
    let grade = |who: Actor, question: QuestionId, points: f64| {
        let svc = &svc;
        let id = attempt.id;
        async move { svc.grade_essay(&who, id, question, pts(points)).await }
    };
    let err = grade(w.student, w.essay_id(), 3.0).await.unwrap_err();
    assert!(matches!(err, GradeEssayError::Forbidden), "own attempt");
    for nobody in [w.classmate, w.outsider, w.stranger_teacher] {
        let err = grade(nobody, w.essay_id(), 3.0).await.unwrap_err();
        assert!(matches!(err, GradeEssayError::NotFound), "{nobody:?}");
    }
    let err = grade(w.owner, w.essay_id(), 3.5).await.unwrap_err();
    assert!(matches!(err, GradeEssayError::AboveMax { max } if max == pts(3.0)));
    assert_eq!(err.code(), "points_above_max");
    let err = grade(w.owner, w.questions[0].id, 1.0).await.unwrap_err();
    assert!(matches!(err, GradeEssayError::NotEssay));
    let err = grade(w.owner, QuestionId::new(), 1.0).await.unwrap_err();
    assert!(matches!(err, GradeEssayError::QuestionNotFound));

    let open = w.attempt(&w.student, AttemptState::Open);
    let mut q = w.quizzes();
    stored_attempt(&mut q, &open);
    let err = w
        .service(q, MockNotificationStore::new())
        .grade_essay(&w.owner, open.id, w.essay_id(), pts(1.0))
        .await
        .unwrap_err();
    assert!(matches!(err, GradeEssayError::NotFinished));
}

// ----- attempt lists --------------------------------------------------------

#[tokio::test]
async fn attempt_lists_for_staff_and_for_oneself() {
    let w = World::new();
    let all = vec![
        finished_with_score(&w, 1, 2.0),
        w.attempt(&w.classmate, AttemptState::Open),
    ];
    let mine = vec![all[0].clone()];
    let mut q = w.quizzes();
    let page = Page::new(10, 0);
    let a = all.clone();
    q.expect_list_quiz_attempts()
        .withf(move |_, p| *p == page)
        .returning(move |_, _| Ok(a.clone()));
    let student = w.student.user_id;
    q.expect_list_attempts()
        .withf(move |_, s| *s == student)
        .returning(move |_, _| Ok(mine.clone()));
    let svc = w.service(q, MockNotificationStore::new());
    let listed = svc
        .list_attempts(&w.assistant, w.quiz.id, page)
        .await
        .unwrap();
    assert_eq!(
        listed,
        all.iter().map(AttemptSummary::from).collect::<Vec<_>>()
    );
    let err = svc
        .list_attempts(&w.student, w.quiz.id, page)
        .await
        .unwrap_err();
    assert!(matches!(err, ViewQuizError::Forbidden));
    let err = svc
        .list_attempts(&w.stranger_teacher, w.quiz.id, page)
        .await
        .unwrap_err();
    assert!(matches!(err, ViewQuizError::NotFound));
    let own = svc.my_attempts(&w.student, w.quiz.id).await.unwrap();
    assert_eq!(own.len(), 1);
    assert_eq!(own[0].student_id, w.student.user_id);
    let err = svc.my_attempts(&w.outsider, w.quiz.id).await.unwrap_err();
    assert!(matches!(err, ViewQuizError::NotFound));
}

// ----- end to end over the in-memory storage -------------------------------

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
                self.storage.courses.clone(),
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

        async fn outbox_keys(&self) -> Vec<String> {
            self.storage
                .notifications
                .list_user_outbox(self.student.user_id, Page::max())
                .await
                .unwrap()
                .into_iter()
                .map(|e| e.dedup_key.0)
                .collect()
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
            p: Page,
        ) -> crate::error::StorageResult<Vec<Attempt>> {
            self.inner.list_quiz_attempts(q, p).await
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
