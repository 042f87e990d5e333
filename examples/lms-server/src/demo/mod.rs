//! The demo school (`LMS_DEMO=true` or `lms-server seed-demo`): accounts,
//! two published courses with lessons, homework with past and upcoming
//! deadlines, a quiz with every question kind, a webinar, some graded work
//! and finished attempts, the first course's two groups with their mentors
//! and announcements — all in Russian, all created through the core's
//! services, so the data is exactly what a real school would produce.
//!
//! Every account's password is [`DEMO_PASSWORD`]. Seeding happens once:
//! when [`DEMO_ADMIN_EMAIL`] already has an account, nothing is done.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{DateTime, Duration, DurationRound, Utc};
use lms_core::course::{CourseStatus, LessonInput, NewCourse, Title};
use lms_core::file::FileLimits;
use lms_core::homework::{AssignmentInput, GradeInput, HandInInput, LatePolicy, SubmissionKind};
use lms_core::notification::{Channel, NotificationKind, PreferencesInput};
use lms_core::quiz::{
    Answer, Choice, MatchPair, QuestionBody, QuestionInput, QuizInput, QuizSettings, RevealPolicy,
    ScoringPolicy,
};
use lms_core::richtext::RichText;
use lms_core::score::Points;
use lms_core::user::{DisplayName, Email, Locale, NewUser, TimeZone, User};
use lms_core::webinar::{ProviderKind, WebinarInput};
use lms_core::{Actor, CourseId, Lms, OptionId, QuestionId, Role, UserId};
use lms_http::password::hash_password;
use thiserror::Error;

mod groups;
mod quiz;

use groups::seed_groups;
use quiz::quiz;

/// The demo administrator; its presence means the demo was seeded.
pub const DEMO_ADMIN_EMAIL: &str = "admin@demo.school";
/// The demo teacher.
pub const DEMO_TEACHER_EMAIL: &str = "teacher@demo.school";
/// The demo assistant.
pub const DEMO_ASSISTANT_EMAIL: &str = "assistant@demo.school";
/// The demo's second assistant, mentor of the first course's «Группа Б»
/// (the first assistant mentors «Группа А»).
pub const DEMO_MENTOR_EMAIL: &str = "mentor@demo.school";
/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "demo12345";
/// How many demo students there are (`student1@demo.school` ...).
pub const DEMO_STUDENTS: usize = 20;

/// What seeding did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DemoSeeded {
    /// The demo school was created.
    Created(DemoSummary),
    /// [`DEMO_ADMIN_EMAIL`] already has an account; nothing was changed.
    AlreadyPresent,
}

/// What the demo school holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    /// Accounts created (admin, teacher, assistant, students).
    pub users: usize,
    /// The published courses.
    pub courses: Vec<CourseId>,
    /// Lessons over all courses.
    pub lessons: usize,
    /// Assignments over all courses.
    pub assignments: usize,
    /// Hand-ins made by students.
    pub submissions: usize,
    /// Of those, graded.
    pub graded: usize,
    /// Quizzes.
    pub quizzes: usize,
    /// Finished quiz attempts.
    pub finished_attempts: usize,
    /// Webinars scheduled.
    pub webinars: usize,
    /// Groups (in the first course).
    pub groups: usize,
    /// Announcements posted.
    pub announcements: usize,
}

impl fmt::Display for DemoSeeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AlreadyPresent => write!(
                f,
                "демо-школа уже есть ({DEMO_ADMIN_EMAIL}), ничего не изменено / \
                 the demo school is already there, nothing changed"
            ),
            Self::Created(s) => write!(
                f,
                "демо-школа создана / demo school created: {} users, {} courses, {} lessons, \
                 {} assignments, {} submissions ({} graded), {} quizzes, {} finished attempts, \
                 {} webinars, {} groups, {} announcements; password of every account: \
                 {DEMO_PASSWORD}",
                s.users,
                s.courses.len(),
                s.lessons,
                s.assignments,
                s.submissions,
                s.graded,
                s.quizzes,
                s.finished_attempts,
                s.webinars,
                s.groups,
                s.announcements
            ),
        }
    }
}

/// Why the demo could not be seeded (one step failed; what was created
/// before it stays).
#[derive(Debug, Error)]
#[error(
    "seeding the demo school failed at {step}: {message} (what was created before stays; \
     start from an empty database to seed again)"
)]
pub struct DemoError {
    /// What was being created.
    pub step: String,
    /// The error.
    pub message: String,
}

fn at<E: fmt::Display>(step: impl Into<String>) -> impl FnOnce(E) -> DemoError {
    let step = step.into();
    move |e| DemoError {
        step,
        message: e.to_string(),
    }
}

fn title(s: &str) -> Title {
    Title::parse(s).expect("demo titles are valid")
}

fn rich(html: &str) -> RichText {
    RichText::sanitize(html)
}

fn points(p: f64) -> Points {
    Points::new(p).expect("demo points are valid")
}

fn choice(text: &str) -> Choice {
    Choice {
        id: OptionId::new(),
        text: text.to_owned(),
    }
}

const STUDENT_NAMES: [&str; DEMO_STUDENTS] = [
    "Алексей Иванов",
    "Мария Петрова",
    "Дмитрий Смирнов",
    "Анастасия Кузнецова",
    "Иван Попов",
    "Екатерина Васильева",
    "Максим Соколов",
    "Софья Михайлова",
    "Артём Новиков",
    "Полина Фёдорова",
    "Кирилл Морозов",
    "Дарья Волкова",
    "Егор Алексеев",
    "Виктория Лебедева",
    "Никита Семёнов",
    "Алиса Егорова",
    "Матвей Павлов",
    "Ксения Козлова",
    "Тимофей Степанов",
    "Вероника Николаева",
];

/// Seeds the demo school once, through `lms`'s services and clock.
///
/// The admin is written straight to storage (there is nobody yet to
/// authorise creating them); everything else goes through the services
/// with the acting admin, teacher, assistant or student, so every rule
/// and notification applies.
pub async fn seed_demo(lms: &Lms) -> Result<DemoSeeded, DemoError> {
    let admin_email = Email::parse(DEMO_ADMIN_EMAIL).map_err(at("admin e-mail"))?;
    if lms
        .storage()
        .users
        .find_user_by_email(&admin_email)
        .await
        .map_err(at("looking for the demo admin"))?
        .is_some()
    {
        return Ok(DemoSeeded::AlreadyPresent);
    }
    let now = lms.clock().now();
    let zone = TimeZone::parse("Europe/Moscow").map_err(at("time zone"))?;

    let admin = User {
        id: UserId::new(),
        email: admin_email,
        display_name: DisplayName::parse("Ольга Администраторова").map_err(at("admin name"))?,
        role: Role::Admin,
        locale: Locale::Ru,
        time_zone: zone,
        active: true,
        created_at: now,
    };
    let hash = hash_password(DEMO_PASSWORD).map_err(at("hashing the password"))?;
    lms.storage()
        .users
        .insert_user(&admin, Some(hash))
        .await
        .map_err(at("the demo admin"))?;
    let admin = admin.actor();

    let new_user = |email: String, name: &str, role: Role| -> Result<NewUser, DemoError> {
        Ok(NewUser {
            email: Email::parse(&email).map_err(at(email.clone()))?,
            display_name: DisplayName::parse(name).map_err(at(email.clone()))?,
            role,
            locale: Locale::Ru,
            time_zone: zone,
            password_hash: Some(hash_password(DEMO_PASSWORD).map_err(at(email))?),
        })
    };
    no_email(lms, &admin).await?;
    let create = async |new: NewUser| {
        let step = format!("account {}", new.email.as_str());
        let actor = lms
            .users
            .create_user(&admin, new)
            .await
            .map(|u| u.actor())
            .map_err(at(step))?;
        no_email(lms, &actor).await?;
        Ok::<_, DemoError>(actor)
    };
    let teacher = create(new_user(
        DEMO_TEACHER_EMAIL.into(),
        "Елена Викторовна Орлова",
        Role::Teacher,
    )?)
    .await?;
    let assistant = create(new_user(
        DEMO_ASSISTANT_EMAIL.into(),
        "Павел Куратов",
        Role::Assistant,
    )?)
    .await?;
    let mentor = create(new_user(
        DEMO_MENTOR_EMAIL.into(),
        "Марина Наставникова",
        Role::Assistant,
    )?)
    .await?;
    let mut students = Vec::with_capacity(DEMO_STUDENTS);
    for (i, name) in STUDENT_NAMES.iter().enumerate() {
        let email = format!("student{}@demo.school", i + 1);
        students.push(create(new_user(email, name, Role::Student)?).await?);
    }

    let mut summary = DemoSummary {
        users: 4 + students.len(),
        courses: Vec::new(),
        lessons: 0,
        assignments: 0,
        submissions: 0,
        graded: 0,
        quizzes: 0,
        finished_attempts: 0,
        webinars: 0,
        groups: 0,
        announcements: 0,
    };
    // Whole minutes read better in the UI.
    let now = now.duration_trunc(Duration::minutes(1)).unwrap_or(now);

    for course in [math_course(now), russian_course(now)] {
        let id = seed_course(lms, &course, &teacher, &assistant, &students, &mut summary).await?;
        summary.courses.push(id);
    }
    quiz(
        lms,
        summary.courses[0],
        &teacher,
        &students,
        now,
        &mut summary,
    )
    .await?;
    (summary.groups, summary.announcements) = seed_groups(
        lms,
        summary.courses[0],
        &teacher,
        &assistant,
        &mentor,
        &students,
    )
    .await?;
    Ok(DemoSeeded::Created(summary))
}

/// Demo addresses belong to nobody: their owners get notifications in
/// Telegram only (once someone trying the demo links a chat), never by
/// e-mail, so a school with SMTP configured mails no stranger.
async fn no_email(lms: &Lms, actor: &Actor) -> Result<(), DemoError> {
    let channels = NotificationKind::ALL
        .into_iter()
        .map(|kind| (kind, vec![Channel::Telegram]))
        .collect();
    lms.notifications
        .set_preferences(
            actor,
            PreferencesInput {
                channels,
                quiet_hours: None,
            },
        )
        .await
        .map(drop)
        .map_err(at("notification preferences"))
}

struct CourseSeed {
    title: &'static str,
    description: &'static str,
    lessons: Vec<(&'static str, String)>,
    assignments: Vec<AssignmentSeed>,
    webinar: (&'static str, DateTime<Utc>, &'static str),
}

struct AssignmentSeed {
    title: &'static str,
    instructions: &'static str,
    opens_at: DateTime<Utc>,
    due_at: DateTime<Utc>,
    /// How many of the first students hand in, and how many of those get graded.
    handed_in: usize,
    graded: usize,
    answer: &'static str,
}

const IMAGE: &str = "https://commons.wikimedia.org/wiki/Special:FilePath/Polynomialdeg2.svg";

fn math_course(now: DateTime<Utc>) -> CourseSeed {
    CourseSeed {
        title: "Математика: подготовка к ЕГЭ (профиль)",
        description: "<p>Годовой курс подготовки к профильному ЕГЭ по математике: \
             теория, разбор задач и домашние задания с проверкой.</p>",
        lessons: vec![
            (
                "Квадратные уравнения",
                format!(
                    "<h2>Квадратные уравнения</h2>\
                     <p>Уравнение вида <strong>ax² + bx + c = 0</strong>, где a ≠ 0, называется \
                     <em>квадратным</em>.</p>\
                     <h3>Порядок решения</h3>\
                     <ol><li>Найдите дискриминант: D = b² − 4ac.</li>\
                     <li>Если D &gt; 0 — два корня, если D = 0 — один, если D &lt; 0 — корней нет.</li>\
                     <li>Вычислите корни: x = (−b ± √D) / 2a.</li></ol>\
                     <p><img src=\"{IMAGE}\" alt=\"График квадратичной функции\" width=\"320\"></p>\
                     <p>Подробнее — в статье \
                     <a href=\"https://ru.wikipedia.org/wiki/Квадратное_уравнение\">«Квадратное уравнение»</a>.</p>"
                ),
            ),
            (
                "Теорема Виета",
                "<h2>Теорема Виета</h2>\
                 <p>Для приведённого уравнения x² + px + q = 0:</p>\
                 <ul><li>x₁ + x₂ = −p;</li><li>x₁ · x₂ = q.</li></ul>\
                 <blockquote>Теорема помогает подбирать корни устно.</blockquote>\
                 <p>Пример: x² − 5x + 6 = 0, корни 2 и 3.</p>"
                    .to_owned(),
            ),
            (
                "Логарифмы",
                "<h2>Логарифмы</h2>\
                 <p>Логарифм числа b по основанию a — это показатель степени, в которую нужно \
                 возвести a, чтобы получить b.</p>\
                 <h3>Свойства</h3>\
                 <ul><li>logₐ(xy) = logₐx + logₐy</li>\
                 <li>logₐ(x/y) = logₐx − logₐy</li>\
                 <li>logₐxⁿ = n·logₐx</li></ul>\
                 <pre data-language=\"plain\">log2(8) = 3</pre>\
                 <p>Задачи для тренировки — на сайте \
                 <a href=\"https://fipi.ru\">ФИПИ</a>.</p>"
                    .to_owned(),
            ),
        ],
        assignments: vec![
            AssignmentSeed {
                title: "Домашнее задание 1: квадратные уравнения",
                instructions: "<p>Решите уравнения и запишите ход решения:</p>\
                     <ol><li>x² − 7x + 10 = 0</li><li>2x² + 3x − 2 = 0</li><li>x² + 4x + 5 = 0</li></ol>",
                opens_at: now - Duration::days(14),
                due_at: now - Duration::days(3),
                handed_in: 8,
                graded: 5,
                answer: "<p>1) x = 2, x = 5; 2) x = 0,5, x = −2; 3) корней нет (D &lt; 0).</p>",
            },
            AssignmentSeed {
                title: "Домашнее задание 2: теорема Виета",
                instructions: "<p>Не решая уравнение x² − 9x + 14 = 0, найдите сумму и \
                     произведение его корней. Проверьте себя, найдя корни.</p>",
                opens_at: now - Duration::days(2),
                due_at: now + Duration::days(5),
                handed_in: 4,
                graded: 2,
                answer: "<p>Сумма 9, произведение 14; корни 2 и 7.</p>",
            },
        ],
        webinar: (
            "Разбор заданий второй части",
            (now + Duration::days(2))
                .duration_trunc(Duration::hours(1))
                .unwrap_or(now)
                + Duration::hours(1),
            "https://telemost.yandex.ru/j/12345678901234",
        ),
    }
}

fn russian_course(now: DateTime<Utc>) -> CourseSeed {
    CourseSeed {
        title: "Русский язык: орфография и пунктуация",
        description: "<p>Курс для 9–11 классов: правила, упражнения и сочинения \
             с проверкой куратором.</p>",
        lessons: vec![
            (
                "Н и НН в прилагательных и причастиях",
                "<h2>Н и НН</h2>\
                 <p>В суффиксах прилагательных пишется <strong>НН</strong>, если:</p>\
                 <ul><li>суффикс -онн-, -енн-: <em>станционный, клюквенный</em>;</li>\
                 <li>корень на -н + суффикс -н-: <em>длинный, осенний</em>.</li></ul>\
                 <p>Исключение: <em>ветреный</em> (но <em>безветренный</em>).</p>\
                 <p>Правило целиком — на \
                 <a href=\"https://gramota.ru\">Грамоте.ру</a>.</p>"
                    .to_owned(),
            ),
            (
                "Причастный оборот и запятые",
                "<h2>Причастный оборот</h2>\
                 <p>Оборот обособляется, если стоит <strong>после</strong> определяемого слова:</p>\
                 <blockquote>Книга, лежащая на столе, принадлежит брату.</blockquote>\
                 <ol><li>Найдите причастие.</li><li>Определите главное слово.</li>\
                 <li>Проверьте порядок слов.</li></ol>"
                    .to_owned(),
            ),
            (
                "Сложноподчинённые предложения",
                "<h2>Сложноподчинённые предложения</h2>\
                 <p>Придаточная часть отделяется запятыми с обеих сторон.</p>\
                 <h3>Союзы и союзные слова</h3>\
                 <ul><li>что, чтобы, когда, если;</li><li>который, где, куда.</li></ul>"
                    .to_owned(),
            ),
        ],
        assignments: vec![
            AssignmentSeed {
                title: "Упражнение: Н и НН",
                instructions: "<p>Вставьте пропущенные буквы и объясните выбор: \
                     деревя..ый, стекля..ый, оловя..ый, кожа..ый, ветре..ый.</p>",
                opens_at: now - Duration::days(10),
                due_at: now - Duration::days(1),
                handed_in: 6,
                graded: 3,
                answer: "<p>деревянный, стеклянный, оловянный, кожаный, ветреный — \
                     исключения и суффикс -ан-/-ян-.</p>",
            },
            AssignmentSeed {
                title: "Сочинение-рассуждение",
                instructions: "<p>Напишите сочинение (150–200 слов) на тему \
                     «Что такое настоящая дружба?». Приведите два аргумента.</p>",
                opens_at: now - Duration::days(1),
                due_at: now + Duration::days(10),
                handed_in: 2,
                graded: 0,
                answer: "<p>Настоящая дружба проверяется временем и трудностями…</p>",
            },
        ],
        webinar: (
            "Консультация перед контрольной",
            (now + Duration::days(4))
                .duration_trunc(Duration::hours(1))
                .unwrap_or(now)
                + Duration::hours(1),
            "https://meet.example.org/russian-consultation",
        ),
    }
}

async fn seed_course(
    lms: &Lms,
    seed: &CourseSeed,
    teacher: &Actor,
    assistant: &Actor,
    students: &[Actor],
    summary: &mut DemoSummary,
) -> Result<CourseId, DemoError> {
    let step = |what: &str| format!("course «{}»: {what}", seed.title);
    let course = lms
        .courses
        .create_course(
            teacher,
            NewCourse {
                title: title(seed.title),
                description: rich(seed.description),
                owner_id: None,
            },
        )
        .await
        .map_err(at(step("creating")))?;
    for (lesson_title, body) in &seed.lessons {
        lms.courses
            .create_lesson(
                teacher,
                course.id,
                LessonInput {
                    title: title(lesson_title),
                    body: rich(body),
                    publish_at: None,
                    published: None,
                    attachment_ids: None,
                },
            )
            .await
            .map_err(at(step(lesson_title)))?;
        summary.lessons += 1;
    }
    lms.courses
        .set_status(teacher, course.id, CourseStatus::Published)
        .await
        .map_err(at(step("publishing")))?;
    lms.courses
        .add_assistant(teacher, course.id, assistant.user_id)
        .await
        .map_err(at(step("assigning the assistant")))?;
    for student in students {
        lms.courses
            .enroll_student(teacher, course.id, student.user_id)
            .await
            .map_err(at(step("enrolling students")))?;
    }

    for a in &seed.assignments {
        let assignment = lms
            .homework
            .create_assignment(
                teacher,
                course.id,
                AssignmentInput {
                    title: title(a.title),
                    instructions: rich(a.instructions),
                    attachment_ids: None,
                    opens_at: a.opens_at,
                    due_at: a.due_at,
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
            .map_err(at(step(a.title)))?;
        summary.assignments += 1;
        for (i, student) in students.iter().take(a.handed_in).enumerate() {
            let handed = lms
                .homework
                .hand_in(
                    student,
                    assignment.id,
                    HandInInput {
                        text: Some(rich(a.answer)),
                        file_ids: Vec::new(),
                        idempotency_key: None,
                    },
                )
                .await
                .map_err(at(step(&format!("{}: hand-in", a.title))))?;
            summary.submissions += 1;
            if i < a.graded {
                let version = handed.submission.latest().map_or(1, |v| v.number);
                // The assistant checks every other one, as curators do.
                let grader = if i % 2 == 0 { teacher } else { assistant };
                lms.homework
                    .grade(
                        grader,
                        handed.submission.id,
                        GradeInput {
                            raw_score: points(10.0 - (i % 4) as f64),
                            feedback: rich(if i % 4 == 0 {
                                "<p>Отлично, всё верно!</p>"
                            } else {
                                "<p>Хорошо, но проверьте вычисления во втором пункте.</p>"
                            }),
                            expected_version: version,
                        },
                    )
                    .await
                    .map_err(at(step(&format!("{}: grading", a.title))))?;
                summary.graded += 1;
            }
        }
    }

    let (webinar_title, starts_at, url) = seed.webinar;
    lms.webinars
        .schedule(
            teacher,
            course.id,
            WebinarInput {
                title: title(webinar_title),
                starts_at,
                duration_minutes: 90,
                provider: ProviderKind::ExternalLink,
                external_url: Some(url.to_owned()),
            },
        )
        .await
        .map_err(at(step("webinar")))?;
    summary.webinars += 1;
    Ok(course.id)
}

#[cfg(test)]
mod tests;
