//! The LMS core embedded without HTTP: a developer's own program creates a
//! course with a lesson and its handout, a quiz, lets a student take it,
//! and delivers the resulting notification through a notifier of its own
//! (one that prints). Files live in a directory (`lms-files`).
//!
//! Storage here is the embedded SQLite adapter on a file in a temporary
//! directory; `lms_storage_postgres::PgStorage::connect(url)` gives the same
//! `Storage` on PostgreSQL, and the services do not change.
//!
//! Run: `cargo run -p embed-minimal`

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::Utc;
use lms_core::clock::SystemClock;
use lms_core::course::{CourseStatus, LessonInput, NewCourse, Title};
use lms_core::file::{InMemoryBody, UploadTarget};
use lms_core::notification::{Channel, DeliveryError, DispatchConfig, Notifier, OutboundMessage};
use lms_core::quiz::{Answer, QuestionBody, QuestionInput, QuizInput, QuizSettings};
use lms_core::richtext::RichText;
use lms_core::score::Points;
use lms_core::user::{DisplayName, Email, Locale, NewUser, Role, TimeZone, User};
use lms_core::{Actor, Lms, UserId};

/// A notifier of the embedder's own: it prints instead of sending e-mail.
struct PrintingNotifier;

#[async_trait]
impl Notifier for PrintingNotifier {
    fn channel(&self) -> Channel {
        Channel::Email
    }

    async fn deliver(&self, message: &OutboundMessage) -> Result<(), DeliveryError> {
        println!(
            "  e-mail to {} <{}>: {:?}",
            message.recipient.display_name,
            message.recipient.email,
            message.notification.kind()
        );
        Ok(())
    }
}

fn new_user(email: &str, name: &str, role: Role) -> NewUser {
    NewUser {
        email: Email::parse(email).expect("valid e-mail"),
        display_name: DisplayName::parse(name).expect("valid name"),
        role,
        locale: Locale::Ru,
        time_zone: TimeZone::default(),
        password_hash: None,
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("embed-minimal-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let db = dir.join("school.db");
    let sqlite =
        lms_storage_sqlite::SqliteStorage::open(db.to_str().ok_or("non-UTF-8 temp path")?).await?;
    sqlite.migrate().await?;
    let storage = sqlite.storage();
    let files = lms_files::LocalFileStore::new(dir.join("files"))?;
    let lms = Lms::new(storage.clone(), Arc::new(SystemClock), Vec::new())
        .with_file_store(Arc::new(files));

    // The embedder's own user system supplies the first admin.
    let admin = User {
        id: UserId::new(),
        email: Email::parse("admin@school.example")?,
        display_name: DisplayName::parse("Администратор")?,
        role: Role::Admin,
        locale: Locale::Ru,
        time_zone: TimeZone::default(),
        active: true,
        created_at: Utc::now(),
    };
    storage.users.insert_user(&admin, None).await?;
    let admin = admin.actor();
    let teacher: Actor = lms
        .users
        .create_user(
            &admin,
            new_user("teacher@school.example", "Анна Петровна", Role::Teacher),
        )
        .await?
        .actor();
    let student: Actor = lms
        .users
        .create_user(
            &admin,
            new_user("student@school.example", "Иван", Role::Student),
        )
        .await?
        .actor();

    // The teacher builds a course with a lesson and a quiz.
    let course = lms
        .courses
        .create_course(
            &teacher,
            NewCourse {
                title: Title::parse("Алгебра, 8 класс")?,
                description: RichText::sanitize("<p>Дроби и уравнения</p>"),
                owner_id: None,
            },
        )
        .await?;
    // A handout uploaded before the lesson exists is a draft; saving the
    // lesson with it makes it the lesson's.
    let handout = lms
        .files
        .upload(
            &teacher,
            UploadTarget::Draft,
            "Дроби — конспект.pdf",
            &mut InMemoryBody::new(b"%PDF-1.7 ...".to_vec()),
        )
        .await?;
    let lesson = lms
        .courses
        .create_lesson(
            &teacher,
            course.id,
            LessonInput {
                title: Title::parse("Дроби")?,
                body: RichText::sanitize("<h2>Дроби</h2><p>Числитель и знаменатель.</p>"),
                publish_at: None,
                published: None,
                attachment_ids: Some(vec![handout.id]),
            },
        )
        .await?;
    let course = lms
        .courses
        .set_status(&teacher, course.id, CourseStatus::Published)
        .await?;
    let quiz = lms
        .quizzes
        .create_quiz(
            &teacher,
            course.id,
            QuizInput {
                title: Title::parse("Проверка")?,
                description: RichText::default(),
                settings: QuizSettings::default(),
            },
        )
        .await?;
    let q1 = lms
        .quizzes
        .add_question(
            &teacher,
            quiz.id,
            QuestionInput {
                prompt: RichText::sanitize("<p>1/2 + 1/4 = 3/4?</p>"),
                points: Points::new(1.0)?,
                body: QuestionBody::TrueFalse { correct: true },
                explanation: None,
            },
        )
        .await?;
    let q2 = lms
        .quizzes
        .add_question(
            &teacher,
            quiz.id,
            QuestionInput {
                prompt: RichText::sanitize("<p>Сколько будет 0,5 · 8?</p>"),
                points: Points::new(2.0)?,
                body: QuestionBody::Numeric {
                    value: 4.0,
                    tolerance: 0.01,
                },
                explanation: None,
            },
        )
        .await?;
    lms.quizzes.set_published(&teacher, quiz.id, true).await?;

    // The student joins with the invite code and takes the quiz.
    let code = course
        .invite_code
        .clone()
        .ok_or("the course has an invite code")?;
    lms.courses.join_by_code(&student, &code).await?;
    let (file, mut bytes) = lms
        .files
        .download(&student, lesson.attachments[0].id)
        .await?;
    let mut size = 0;
    while let Some(chunk) = bytes.next_chunk().await? {
        size += chunk.len();
    }
    println!(
        "The student downloaded {:?} ({size} bytes)",
        file.name.as_str()
    );
    let attempt = lms.quizzes.start_attempt(&student, quiz.id).await?;
    let answers = BTreeMap::from([
        (q1.id, Answer::TrueFalse(true)),
        (q2.id, Answer::Numeric(4.0)),
    ]);
    lms.quizzes
        .save_answers(&student, attempt.attempt_id, answers)
        .await?;
    let outcome = lms
        .quizzes
        .submit(&student, attempt.attempt_id, Some("submit-1".into()))
        .await?;
    println!(
        "Quiz graded: {:?} points (perfect: {})",
        outcome.quiz_score.map(Points::value),
        outcome.perfect
    );

    // Notifications wait in the durable outbox until a dispatcher delivers them.
    let dispatcher = lms.dispatcher(
        vec![Arc::new(PrintingNotifier) as Arc<dyn Notifier>],
        DispatchConfig::default(),
    );
    let report = dispatcher.run_once().await?;
    println!("Delivered {} message(s)", report.sent);
    sqlite.pool().close().await;
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
