//! The benchmark's own school, seeded through the storage API and the core
//! services before the server starts: accounts and sessions are written
//! straight to storage (one shared password hash, so seeding does not spend
//! minutes in argon2), everything else goes through the services as a
//! teacher would make it.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use chrono::{Duration, Utc};
use lms_core::bank::format::Format;
use lms_core::bank::{ImportRequest, Pool};
use lms_core::clock::SystemClock;
use lms_core::course::{CourseStatus, LessonInput, NewCourse, Title};
use lms_core::file::FileLimits;
use lms_core::homework::{AssignmentInput, GradeInput, HandInInput, LatePolicy, SubmissionKind};
use lms_core::ports::Storage;
use lms_core::quiz::{
    Choice, QuestionBody, QuestionInput, QuizInput, QuizSettings, RevealPolicy, ScoringPolicy,
};
use lms_core::richtext::RichText;
use lms_core::score::Points;
use lms_core::user::{
    DisplayName, Email, Locale, Session, TimeZone, TokenHash, User, generate_token,
};
use lms_core::webinar::{ProviderKind, WebinarInput};
use lms_core::{Actor, AssignmentId, CourseId, LessonId, Lms, OptionId, QuizId, Role, UserId};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{Scale, StorageKind};

/// The one password every seeded account has.
pub const PASSWORD: &str = "bench password 2026";

/// The benchmark database: a SQLite file in the server's data directory or
/// a throwaway PostgreSQL database.
pub struct Db {
    /// Which storage.
    pub kind: StorageKind,
    /// What the server and the ceiling are given (`LMS_DATABASE_URL`).
    pub url: String,
    inner: Inner,
}

enum Inner {
    Sqlite(lms_storage_sqlite::SqliteStorage),
    Postgres(lms_storage_postgres::PgStorage),
}

impl Db {
    /// A fresh, migrated database for `kind`; SQLite lives in `dir/lms.db`,
    /// where the server finds it.
    pub async fn create(kind: StorageKind, dir: &Path) -> Self {
        match kind {
            StorageKind::Sqlite => {
                let url = dir.join("lms.db").to_str().expect("utf-8 path").to_owned();
                let s = lms_storage_sqlite::SqliteStorage::open(&url)
                    .await
                    .expect("open SQLite");
                s.migrate().await.expect("migrate SQLite");
                Self {
                    kind,
                    url,
                    inner: Inner::Sqlite(s),
                }
            }
            StorageKind::Postgres => {
                let url = lms_storage_postgres::testing::fresh_database_url().await;
                let s = lms_storage_postgres::PgStorage::connect(&url)
                    .await
                    .expect("connect PostgreSQL");
                s.migrate().await.expect("migrate PostgreSQL");
                Self {
                    kind,
                    url,
                    inner: Inner::Postgres(s),
                }
            }
        }
    }

    /// The core's storage ports on this database.
    #[must_use]
    pub fn storage(&self) -> Storage {
        match &self.inner {
            Inner::Sqlite(s) => s.storage(),
            Inner::Postgres(s) => s.storage(),
        }
    }

    /// `SELECT count(*) …`, with `id` bound as `$1` when given (the same
    /// SQL on both).
    pub async fn count(&self, sql: &'static str, id: Option<Uuid>) -> i64 {
        match &self.inner {
            Inner::Sqlite(s) => {
                let q = sqlx::query_scalar(sql);
                match id {
                    Some(id) => q.bind(id),
                    None => q,
                }
                .fetch_one(s.pool())
                .await
            }
            Inner::Postgres(s) => {
                let q = sqlx::query_scalar(sql);
                match id {
                    Some(id) => q.bind(id),
                    None => q,
                }
                .fetch_one(s.pool())
                .await
            }
        }
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// Closes the pool.
    pub async fn close(&self) {
        match &self.inner {
            Inner::Sqlite(s) => s.pool().close().await,
            Inner::Postgres(s) => s.pool().close().await,
        }
    }
}

/// A seeded account with a live session.
#[derive(Debug, Clone)]
pub struct Account {
    /// Its id.
    pub id: UserId,
    /// Its e-mail (log-in name).
    pub email: String,
    /// A bearer token of a session valid for a day.
    pub token: String,
    /// Its calendar-feed token.
    pub feed: String,
}

/// One seeded course.
#[derive(Debug, Clone)]
pub struct SeededCourse {
    /// Its id.
    pub id: CourseId,
    /// Its published lessons.
    pub lessons: Vec<LessonId>,
    /// Its published assignments.
    pub assignments: Vec<AssignmentId>,
    /// Indexes into [`School::students`] of its students.
    pub students: Vec<usize>,
}

/// The benchmark quiz: 15 fixed questions and a random slot drawing 5 of
/// the course bank's 200 (all true/false, true), one attempt, answers known.
#[derive(Debug, Clone)]
pub struct SeededQuiz {
    /// Its id.
    pub id: QuizId,
    /// The right answer to every fixed question, keyed by question id, as
    /// the API's `Answer` JSON.
    pub answers: Vec<(String, Value)>,
    /// The right answer to every question drawn from the bank.
    pub drawn_answer: Value,
    /// Full marks.
    pub max_score: f64,
    /// Indexes into [`School::students`] of the students taking it.
    pub students: Vec<usize>,
}

/// What the scenarios need to know about the seeded school.
#[derive(Debug, Clone)]
pub struct School {
    /// The teacher who owns every course.
    pub teacher: Account,
    /// Every student.
    pub students: Vec<Account>,
    /// Every course; the first is the big one the staff views look at.
    pub courses: Vec<SeededCourse>,
    /// The deadline-rush assignment (in the first course, text and files).
    pub rush_assignment: AssignmentId,
    /// The synchronized-start quiz (in a course of its own).
    pub quiz: SeededQuiz,
    /// Hand-ins seeded in the first course.
    pub seeded_hand_ins: usize,
}

fn title(s: &str) -> Title {
    Title::parse(s).expect("bench titles are valid")
}

fn points(p: f64) -> Points {
    Points::new(p).expect("bench points are valid")
}

/// A lesson body of about 3 KB: headings, paragraphs, a list and a table.
fn lesson_body(n: usize) -> RichText {
    let mut html = format!("<h2>Урок {n}: квадратные уравнения</h2>");
    for p in 0..6 {
        html.push_str(&format!(
            "<p>Абзац {p}. Уравнение вида <strong>ax² + bx + c = 0</strong> решается через \
             дискриминант D = b² − 4ac. Если D &gt; 0, корней два; если D = 0 — один.</p>"
        ));
    }
    html.push_str("<ul><li>Найдите D</li><li>Найдите корни</li><li>Проверьте ответ</li></ul>");
    html.push_str("<table><tr><th>a</th><th>b</th><th>c</th></tr><tr><td>1</td><td>-3</td><td>2</td></tr></table>");
    RichText::sanitize(&html)
}

fn user(role: Role, email: &str, name: &str) -> User {
    User {
        id: UserId::new(),
        email: Email::parse(email).expect("bench e-mail"),
        display_name: DisplayName::parse(name).expect("bench name"),
        role,
        locale: Locale::Ru,
        time_zone: TimeZone::parse("Europe/Moscow").expect("zone"),
        active: true,
        created_at: Utc::now(),
    }
}

const SURNAMES: [&str; 10] = [
    "Иванов",
    "Петров",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Соколов",
    "Лебедев",
    "Козлов",
    "Новиков",
    "Морозов",
];
const NAMES: [&str; 10] = [
    "Артём",
    "Мария",
    "Иван",
    "Анна",
    "Максим",
    "Софья",
    "Дмитрий",
    "Алиса",
    "Егор",
    "Полина",
];

/// Writes an account and a day-long session straight to storage.
async fn account(storage: &Storage, u: &User, hash: &lms_core::user::PasswordHash) -> Account {
    storage
        .users
        .insert_user(u, Some(hash.clone()))
        .await
        .expect("insert user");
    let token = generate_token();
    let now = Utc::now();
    storage
        .sessions
        .insert_session(&Session {
            token_hash: TokenHash::of(&token),
            user_id: u.id,
            created_at: now,
            expires_at: now + Duration::days(1),
        })
        .await
        .expect("insert session");
    let feed = generate_token();
    storage
        .users
        .set_feed_token(u.id, &TokenHash::of(&feed))
        .await
        .expect("feed token");
    Account {
        id: u.id,
        email: u.email.as_str().to_owned(),
        token,
        feed,
    }
}

/// Seeds the school of `scale` into `db`.
pub async fn seed(db: &Db, scale: &Scale) -> School {
    let storage = db.storage();
    let lms = Lms::new(
        storage.clone(),
        Arc::new(SystemClock),
        vec![Arc::new(lms_webinar::ExternalLinkProvider::new())],
    );
    let hash = lms_http::password::hash_password(PASSWORD).expect("hash");
    let t = user(
        Role::Teacher,
        "teacher@bench.school",
        "Ольга Викторовна Учитель",
    );
    let teacher = account(&storage, &t, &hash).await;
    let teacher_actor = t.actor();
    let mut students = Vec::with_capacity(scale.students);
    let mut actors = Vec::with_capacity(scale.students);
    for i in 0..scale.students {
        let name = format!(
            "{} {} {i}",
            NAMES[i % NAMES.len()],
            SURNAMES[(i / NAMES.len()) % SURNAMES.len()]
        );
        let u = user(Role::Student, &format!("student{i}@bench.school"), &name);
        actors.push(u.actor());
        students.push(account(&storage, &u, &hash).await);
    }

    let now = Utc::now();
    let mut courses = Vec::with_capacity(scale.courses);
    for c in 0..scale.courses {
        courses.push(course(&lms, &teacher_actor, c, scale, now).await);
    }
    for (i, actor) in actors.iter().enumerate() {
        for k in 0..3 {
            let c = (i + k) % scale.courses;
            lms.courses
                .enroll_student(&teacher_actor, courses[c].id, actor.user_id)
                .await
                .expect("enrol");
            courses[c].students.push(i);
        }
        // The lesson the evening's reads open has been opened before.
        storage
            .courses
            .mark_lesson_viewed(courses[i % scale.courses].lessons[0], actor.user_id, now)
            .await
            .expect("lesson view");
    }

    // Realistic work in the big course: every student handed in the first
    // two assignments, the first is graded, the second waits in the queue.
    let mut seeded_hand_ins = 0;
    let big = courses[0].clone();
    for &s in &big.students {
        for (k, &assignment) in big.assignments.iter().take(2).enumerate() {
            let handed = lms
                .homework
                .hand_in(
                    &actors[s],
                    assignment,
                    HandInInput {
                        text: Some(RichText::sanitize(
                            "<p>Решение: D = 9 − 8 = 1, корни 1 и 2.</p>",
                        )),
                        file_ids: Vec::new(),
                        idempotency_key: None,
                    },
                )
                .await
                .expect("hand in");
            seeded_hand_ins += 1;
            if k == 0 {
                lms.homework
                    .grade(
                        &teacher_actor,
                        handed.submission.id,
                        GradeInput {
                            raw_score: points(8.0 + (s % 3) as f64),
                            feedback: RichText::sanitize("<p>Верно, аккуратнее с записью.</p>"),
                            expected_version: 1,
                        },
                    )
                    .await
                    .expect("grade");
            }
        }
    }

    let rush_assignment = lms
        .homework
        .create_assignment(
            &teacher_actor,
            big.id,
            AssignmentInput {
                title: title("Контрольная работа: сдать до полуночи"),
                instructions: RichText::sanitize(
                    "<p>Загрузите фото решения и кратко опишите ход.</p>",
                ),
                attachment_ids: None,
                opens_at: now - Duration::days(1),
                due_at: now + Duration::days(2),
                cut_off_at: None,
                max_score: points(10.0),
                late_policy: LatePolicy::NoPenalty,
                submission_kind: SubmissionKind::TextAndFiles,
                file_limits: FileLimits::default(),
                published: true,
            },
        )
        .await
        .expect("rush assignment")
        .id;

    let quiz = quiz(&lms, &teacher_actor, &actors, scale, now).await;
    School {
        teacher,
        students,
        courses,
        rush_assignment,
        quiz,
        seeded_hand_ins,
    }
}

async fn course(
    lms: &Lms,
    teacher: &Actor,
    c: usize,
    scale: &Scale,
    now: chrono::DateTime<Utc>,
) -> SeededCourse {
    let course = lms
        .courses
        .create_course(
            teacher,
            NewCourse {
                title: title(&format!("Математика ЕГЭ, поток {}", c + 1)),
                description: RichText::sanitize("<p>Подготовка к профильному ЕГЭ.</p>"),
                owner_id: None,
            },
        )
        .await
        .expect("course");
    let mut lessons = Vec::new();
    for l in 0..scale.lessons_per_course {
        let lesson = lms
            .courses
            .create_lesson(
                teacher,
                course.id,
                LessonInput {
                    title: title(&format!("Урок {}", l + 1)),
                    body: lesson_body(l + 1),
                    publish_at: None,
                    published: None,
                    attachment_ids: None,
                },
            )
            .await
            .expect("lesson");
        lessons.push(lesson.id);
    }
    let mut assignments = Vec::new();
    for a in 0..scale.assignments_per_course {
        let assignment = lms
            .homework
            .create_assignment(
                teacher,
                course.id,
                AssignmentInput {
                    title: title(&format!("Домашнее задание {}", a + 1)),
                    instructions: RichText::sanitize("<p>Решите задачи 1–10 из урока.</p>"),
                    attachment_ids: None,
                    opens_at: now - Duration::days(1),
                    due_at: now + Duration::days(3 + a as i64 * 2),
                    cut_off_at: None,
                    max_score: points(10.0),
                    late_policy: LatePolicy::PercentPerDay {
                        percent_per_day: 10,
                        floor_percent: 50,
                    },
                    submission_kind: SubmissionKind::TextAndFiles,
                    file_limits: FileLimits::default(),
                    published: true,
                },
            )
            .await
            .expect("assignment");
        assignments.push(assignment.id);
    }
    lms.courses
        .set_status(teacher, course.id, CourseStatus::Published)
        .await
        .expect("publish");
    lms.webinars
        .schedule(
            teacher,
            course.id,
            WebinarInput {
                title: title("Разбор домашнего задания"),
                starts_at: now + Duration::days(4) + Duration::hours(c as i64),
                duration_minutes: 90,
                provider: ProviderKind::ExternalLink,
                external_url: Some("https://meet.bench.school/room".to_owned()),
            },
        )
        .await
        .expect("webinar");
    SeededCourse {
        id: course.id,
        lessons,
        assignments,
        students: Vec::new(),
    }
}

async fn quiz(
    lms: &Lms,
    teacher: &Actor,
    students: &[Actor],
    scale: &Scale,
    now: chrono::DateTime<Utc>,
) -> SeededQuiz {
    let course = lms
        .courses
        .create_course(
            teacher,
            NewCourse {
                title: title("Пробный ЕГЭ по математике"),
                description: RichText::sanitize("<p>Пробный экзамен для всех потоков.</p>"),
                owner_id: None,
            },
        )
        .await
        .expect("quiz course");
    lms.courses
        .set_status(teacher, course.id, CourseStatus::Published)
        .await
        .expect("publish");
    let taking: Vec<usize> = (0..scale.quiz_students.min(students.len())).collect();
    for &s in &taking {
        lms.courses
            .enroll_student(teacher, course.id, students[s].user_id)
            .await
            .expect("enrol");
    }
    let quiz = lms
        .quizzes
        .create_quiz(
            teacher,
            course.id,
            QuizInput {
                title: title("Пробный ЕГЭ: часть 1"),
                description: RichText::sanitize("<p>20 заданий, 60 минут, одна попытка.</p>"),
                settings: QuizSettings {
                    opens_at: Some(now - Duration::hours(1)),
                    closes_at: Some(now + Duration::days(1)),
                    time_limit_minutes: Some(60),
                    attempts_allowed: Some(1),
                    scoring: ScoringPolicy::Best,
                    shuffle_questions: false,
                    shuffle_options: false,
                    reveal: RevealPolicy::AfterAttempt,
                },
            },
        )
        .await
        .expect("quiz");
    let mut answers = Vec::new();
    for q in 0..15usize {
        let (body, answer) = match q % 4 {
            0 | 1 => {
                let options: Vec<Choice> = (0..4)
                    .map(|k| Choice {
                        id: OptionId::new(),
                        text: format!("{}", q * 10 + k),
                    })
                    .collect();
                let correct = options[q % 4].id;
                (
                    QuestionBody::SingleChoice { options, correct },
                    json!({"kind": "single_choice", "value": correct}),
                )
            }
            2 => (
                QuestionBody::TrueFalse {
                    correct: q % 3 == 0,
                },
                json!({"kind": "true_false", "value": q % 3 == 0}),
            ),
            _ => (
                QuestionBody::Numeric {
                    value: q as f64 * 1.5,
                    tolerance: 0.01,
                },
                json!({"kind": "numeric", "value": q as f64 * 1.5}),
            ),
        };
        let question = lms
            .quizzes
            .add_question(
                teacher,
                quiz.id,
                QuestionInput {
                    prompt: RichText::sanitize(&format!("<p>Задание {}</p>", q + 1)),
                    points: points(1.0),
                    body,
                    explanation: None,
                },
            )
            .await
            .expect("question");
        answers.push((question.id.to_string(), answer));
    }
    // The random draw: five of the bank's 200 questions per attempt.
    let bank: String = (0..200)
        .map(|i| format!("::В{i}:: Утверждение {i} верно? {{T}}\n\n"))
        .collect();
    lms.bank
        .import(
            teacher,
            course.id,
            &ImportRequest {
                format: Format::Gift,
                text: bank,
                category: "Пробник/Часть 1".to_owned(),
                points: points(1.0),
            },
        )
        .await
        .expect("bank");
    lms.quizzes
        .add_question(
            teacher,
            quiz.id,
            QuestionInput {
                prompt: RichText::sanitize("<p>Пять случайных утверждений</p>"),
                points: points(1.0),
                body: QuestionBody::Random {
                    pool: Pool::Category {
                        course_id: course.id,
                        category: "Пробник".to_owned(),
                        tag: None,
                    },
                    count: 5,
                },
                explanation: None,
            },
        )
        .await
        .expect("random slot");
    lms.quizzes
        .set_published(teacher, quiz.id, true)
        .await
        .expect("publish quiz");
    SeededQuiz {
        id: quiz.id,
        answers,
        drawn_answer: json!({"kind": "true_false", "value": true}),
        max_score: 20.0,
        students: taking,
    }
}

/// The right answers to the questions of an attempt view, in its order.
#[must_use]
pub fn attempt_answers(quiz: &SeededQuiz, view: &Value) -> Vec<(String, Value)> {
    view["questions"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|q| q["id"].as_str())
        .map(|id| {
            let answer = quiz
                .answers
                .iter()
                .find(|(q, _)| q == id)
                .map_or(&quiz.drawn_answer, |(_, a)| a);
            (id.to_owned(), answer.clone())
        })
        .collect()
}

/// Answers as the API's save request.
#[must_use]
pub fn answers_json(answers: &[(String, Value)]) -> Value {
    let map: BTreeMap<&str, &Value> = answers.iter().map(|(q, a)| (q.as_str(), a)).collect();
    json!({ "answers": map })
}
