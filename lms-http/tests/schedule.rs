//! The schedule and the calendar feed: a student's events (lessons,
//! deadlines with their own extension, quiz windows, webinars with join
//! links) in `GET /schedule` and in the iCalendar feed, read back with an
//! independent parser (the `icalendar` crate); rotating the feed URL.

mod common;

use std::sync::Arc;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use common::{Db, Session, TestApp, assert_error};
use icalendar::{CalendarDateTime, Component, DatePerhapsTime, EventLike};
use lms_core::course::{Course, LessonInput, Title};
use lms_core::file::FileLimits;
use lms_core::homework::{AssignmentInput, ExtensionInput, LatePolicy, SubmissionKind};
use lms_core::quiz::{QuizInput, QuizSettings};
use lms_core::richtext::RichText;
use lms_core::score::Points;
use lms_core::{AssignmentId, LessonId, QuizId, Role};
use lms_http::HttpConfig;
use lms_webinar::ExternalLinkProvider;
use reqwest::{StatusCode, header};
use serde_json::{Value, json};

const LINK: &str = "https://meet.example.ru/room/7?pwd=a,b;c";
/// Long, with every character TEXT escaping must handle.
const WEBINAR_TITLE: &str =
    "Разбор контрольной, часть 1; вопросы\\ответы — приходите все, кто хочет пересдать";

fn at(hours_from_now: i64) -> DateTime<Utc> {
    let t = Utc::now() + Duration::hours(hours_from_now);
    DateTime::from_timestamp(t.timestamp(), 0).unwrap()
}

fn rfc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// What the teacher arranged in one course.
struct Arranged {
    course: Course,
    lesson: LessonId,
    lesson_at: DateTime<Utc>,
    assignment: AssignmentId,
    due: DateTime<Utc>,
    extended_due: DateTime<Utc>,
    quiz: QuizId,
    quiz_opens: DateTime<Utc>,
    quiz_closes: DateTime<Utc>,
    webinar: String,
    webinar_at: DateTime<Utc>,
}

/// A course with a lesson, a homework (extended for `extended`), a quiz
/// window and a webinar, all within the next week.
async fn arrange(
    app: &TestApp,
    teacher: &Session,
    students: &[&Session],
    extended: &Session,
) -> Arranged {
    let actor = teacher.user.actor();
    let course = app.course_with_students(teacher, "Алгебра", students).await;
    let lesson_at = at(24);
    let lesson = app
        .lms
        .courses
        .create_lesson(
            &actor,
            course.id,
            LessonInput {
                title: Title::parse("Квадратные уравнения").unwrap(),
                body: RichText::from_plain_text("Текст"),
                publish_at: Some(lesson_at),
                published: None,
                attachment_ids: None,
            },
        )
        .await
        .unwrap();
    let due = at(48);
    let assignment = app
        .lms
        .homework
        .create_assignment(
            &actor,
            course.id,
            AssignmentInput {
                title: Title::parse("ДЗ №1").unwrap(),
                instructions: RichText::from_plain_text("Решить"),
                attachment_ids: None,
                opens_at: at(-1),
                due_at: due,
                cut_off_at: None,
                max_score: Points::new(10.0).unwrap(),
                late_policy: LatePolicy::NoPenalty,
                submission_kind: SubmissionKind::Text,
                file_limits: FileLimits::default(),
                published: true,
            },
        )
        .await
        .unwrap();
    let extended_due = at(96);
    app.lms
        .homework
        .grant_extension(
            &actor,
            ExtensionInput {
                assignment_id: assignment.id,
                student_id: extended.user.id,
                due_at: extended_due,
                cut_off_at: None,
            },
        )
        .await
        .unwrap();
    let (quiz_opens, quiz_closes) = (at(72), at(74));
    let quiz = app
        .lms
        .quizzes
        .create_quiz(
            &actor,
            course.id,
            QuizInput {
                title: Title::parse("Тест по теме").unwrap(),
                description: RichText::from_plain_text(""),
                settings: QuizSettings {
                    opens_at: Some(quiz_opens),
                    closes_at: Some(quiz_closes),
                    ..QuizSettings::default()
                },
            },
        )
        .await
        .unwrap();
    app.lms
        .quizzes
        .set_published(&actor, quiz.id, true)
        .await
        .unwrap();
    let webinar_at = at(120);
    let (status, webinar) = teacher
        .post(
            &format!("/api/v1/courses/{}/webinars", course.id),
            json!({
                "title": WEBINAR_TITLE,
                "starts_at": rfc(webinar_at),
                "duration_minutes": 60,
                "provider": "external_link",
                "external_url": LINK,
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{webinar}");
    Arranged {
        course,
        lesson: lesson.id,
        lesson_at,
        assignment: assignment.id,
        due,
        extended_due,
        quiz: quiz.id,
        quiz_opens,
        quiz_closes,
        webinar: webinar["id"].as_str().unwrap().to_owned(),
        webinar_at,
    }
}

async fn app(db: Db) -> TestApp {
    TestApp::spawn_with_providers(
        db,
        HttpConfig::default(),
        vec![Arc::new(ExternalLinkProvider::new())],
    )
    .await
}

async fn week(s: &Session) -> Value {
    let (status, body) = s
        .get(&format!(
            "/api/v1/schedule?from={}&to={}",
            rfc(at(-1)),
            rfc(at(24 * 8))
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn event<'a>(events: &'a Value, kind: &str) -> &'a Value {
    events["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["source"]["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} in {events}"))
}

fn instant(v: &Value) -> DateTime<Utc> {
    v.as_str().unwrap().parse().unwrap()
}

async fn schedule_shows_the_students_own_events(db: Db) {
    let app = app(db).await;
    let teacher = app.login_as(Role::Teacher, "teacher@example.ru").await;
    let anna = app.login_as(Role::Student, "anna@example.ru").await;
    let boris = app.login_as(Role::Student, "boris@example.ru").await;
    let outsider = app.login_as(Role::Student, "outsider@example.ru").await;
    let a = arrange(&app, &teacher, &[&anna, &boris], &anna).await;

    let mine = week(&anna).await;
    assert_eq!(mine["time_zone"], "Europe/Moscow");
    assert_eq!(mine["events"].as_array().unwrap().len(), 4, "{mine}");
    let lesson = event(&mine, "lesson");
    assert_eq!(lesson["source"]["lesson_id"], a.lesson.to_string());
    assert_eq!(instant(&lesson["starts_at"]), a.lesson_at);
    assert_eq!(lesson["course_id"], a.course.id.to_string());
    // Anna's deadline is her extended one.
    let deadline = event(&mine, "deadline");
    assert_eq!(
        deadline["source"]["assignment_id"],
        a.assignment.to_string()
    );
    assert_eq!(instant(&deadline["starts_at"]), a.extended_due);
    let quiz = event(&mine, "quiz_window");
    assert_eq!(quiz["source"]["quiz_id"], a.quiz.to_string());
    assert_eq!(instant(&quiz["starts_at"]), a.quiz_opens);
    assert_eq!(instant(&quiz["ends_at"]), a.quiz_closes);
    let webinar = event(&mine, "webinar");
    assert_eq!(webinar["source"]["join_url"], LINK);
    assert_eq!(webinar["source"]["host_url"], Value::Null);
    assert_eq!(webinar["title"], WEBINAR_TITLE);
    assert_eq!(instant(&webinar["starts_at"]), a.webinar_at);

    // Boris keeps the original due date; the outsider sees nothing.
    let his = week(&boris).await;
    assert_eq!(instant(&event(&his, "deadline")["starts_at"]), a.due);
    assert_eq!(week(&outsider).await["events"], json!([]));

    // A range that ends early leaves the later events out.
    let (status, early) = anna
        .get(&format!(
            "/api/v1/schedule?from={}&to={}",
            rfc(at(-1)),
            rfc(at(30))
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(early["events"].as_array().unwrap().len(), 1, "{early}");

    // Validation.
    let got = anna
        .get(&format!(
            "/api/v1/schedule?from={}&to={}",
            rfc(at(10)),
            rfc(at(1))
        ))
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_range");
    assert_eq!(got.1["error"]["field"], "to");
    let got = anna
        .get(&format!(
            "/api/v1/schedule?from={}&to={}",
            rfc(at(0)),
            rfc(at(24 * 500))
        ))
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_range");
    let got = anna
        .get(&format!(
            "/api/v1/schedule?from=yesterday&to={}",
            rfc(at(1))
        ))
        .await;
    assert_error(&got, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert_eq!(got.1["error"]["field"], "from");
    assert_error(
        &anna
            .get(&format!("/api/v1/schedule?from={}", rfc(at(0))))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    );
    // Offsets other than Z work (the `+` encoded).
    let (status, _) = anna
        .get("/api/v1/schedule?from=2026-03-01T00:00:00%2B03:00&to=2026-03-02T00:00:00%2B03:00")
        .await;
    assert_eq!(status, StatusCode::OK);
}

async fn fetch_feed(app: &TestApp, url: &str) -> (StatusCode, Option<String>, String) {
    let resp = app.anonymous().get(url).send().await.unwrap();
    let status = resp.status();
    let ctype = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned());
    (status, ctype, resp.text().await.unwrap())
}

/// `GET /calendar-feed`: the current link's URL, if any.
async fn current_feed(s: &Session) -> Option<String> {
    let (status, body) = s.get("/api/v1/calendar-feed").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    if body["feed"].is_null() {
        return None;
    }
    assert!(body["feed"]["created_at"].is_string(), "{body}");
    Some(body["feed"]["url"].as_str().unwrap().to_owned())
}

async fn rotate(s: &Session) -> String {
    let (status, body) = s.post("/api/v1/calendar-feed", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["url"].as_str().unwrap().to_owned()
}

fn utc_start(e: &icalendar::Event) -> DateTime<Utc> {
    match e.get_start() {
        Some(DatePerhapsTime::DateTime(CalendarDateTime::Utc(t))) => t,
        other => panic!("DTSTART is not a UTC date-time: {other:?}"),
    }
}

fn utc_end(e: &icalendar::Event) -> Option<DateTime<Utc>> {
    match e.get_end() {
        None => None,
        Some(DatePerhapsTime::DateTime(CalendarDateTime::Utc(t))) => Some(t),
        other => panic!("DTEND is not a UTC date-time: {other:?}"),
    }
}

async fn calendar_feed_is_valid_icalendar_and_rotates(db: Db) {
    let app = app(db).await;
    let teacher = app.login_as(Role::Teacher, "teacher@example.ru").await;
    let anna = app.login_as(Role::Student, "anna@example.ru").await;
    let outsider = app.login_as(Role::Student, "outsider@example.ru").await;
    let a = arrange(&app, &teacher, &[&anna], &anna).await;

    assert_eq!(
        current_feed(&anna).await,
        None,
        "no link before one is made"
    );
    let url = rotate(&anna).await;
    assert_eq!(
        current_feed(&anna).await.as_deref(),
        Some(url.as_str()),
        "the current link is shown again, unchanged"
    );
    assert_eq!(current_feed(&anna).await.as_deref(), Some(url.as_str()));
    let prefix = format!("{}/ical/", app.base);
    assert!(url.starts_with(&prefix) && url.ends_with(".ics"), "{url}");
    let (status, ctype, body) = fetch_feed(&app, &url).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(ctype.as_deref(), Some("text/calendar; charset=utf-8"));

    // Wire format: CRLF only, no line over 75 octets, UTC instants.
    assert!(body.starts_with("BEGIN:VCALENDAR\r\n"), "{body}");
    assert!(body.ends_with("END:VCALENDAR\r\n"), "{body}");
    assert!(
        !body.replace("\r\n", "").contains('\n'),
        "bare LF in {body}"
    );
    let lines: Vec<&str> = body.trim_end_matches("\r\n").split("\r\n").collect();
    for line in &lines {
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
    }
    assert!(
        lines.iter().any(|l| l.starts_with(' ')),
        "the long title must be folded"
    );
    for line in lines
        .iter()
        .filter(|l| l.starts_with("DTSTART") || l.starts_with("DTEND") || l.starts_with("DTSTAMP"))
    {
        assert!(line.ends_with('Z'), "not UTC: {line}");
    }

    // Read back with the independent parser.
    let unfolded = icalendar::parser::unfold(&body);
    let parsed = icalendar::parser::read_calendar(&unfolded).expect("feed parses as iCalendar");
    assert_eq!(parsed.components.len(), 4);
    let calendar: icalendar::Calendar = body.parse().expect("feed parses");
    assert_eq!(calendar.property_value("VERSION"), Some("2.0"));
    let events: Vec<&icalendar::Event> = calendar
        .components
        .iter()
        .filter_map(|c| c.as_event())
        .collect();
    assert_eq!(events.len(), 4);
    let host = "127.0.0.1";
    let by_uid = |uid: String| {
        *events
            .iter()
            .find(|e| e.get_uid() == Some(uid.as_str()))
            .unwrap_or_else(|| panic!("no event {uid} in {body}"))
    };
    for e in &events {
        assert!(e.get_timestamp().is_some(), "DTSTAMP missing");
    }

    let webinar = by_uid(format!("webinar-{}@{host}", a.webinar));
    assert_eq!(utc_start(webinar), a.webinar_at);
    assert_eq!(utc_end(webinar), Some(a.webinar_at + Duration::hours(1)));
    assert_eq!(webinar.get_url(), Some(LINK));
    assert_eq!(webinar.get_location(), Some(LINK));
    assert_eq!(
        webinar.get_summary(),
        Some(format!("Вебинар: {WEBINAR_TITLE}").as_str())
    );
    let description = webinar.get_description().unwrap();
    assert!(description.contains("Курс: Алгебра\n"), "{description}");
    assert!(description.contains(LINK), "{description}");

    let deadline = by_uid(format!("deadline-{}@{host}", a.assignment));
    assert_eq!(utc_start(deadline), a.extended_due);
    assert_eq!(utc_end(deadline), None);
    assert_eq!(deadline.get_summary(), Some("Срок сдачи: ДЗ №1"));
    assert_eq!(
        deadline.get_url(),
        Some(format!("{}/assignments/{}", app.base, a.assignment).as_str())
    );

    let quiz = by_uid(format!("quiz-{}@{host}", a.quiz));
    assert_eq!(utc_start(quiz), a.quiz_opens);
    assert_eq!(utc_end(quiz), Some(a.quiz_closes));

    let lesson = by_uid(format!("lesson-{}@{host}", a.lesson));
    assert_eq!(utc_start(lesson), a.lesson_at);
    assert_eq!(lesson.get_summary(), Some("Урок: Квадратные уравнения"));

    // UIDs are stable between fetches.
    let (_, _, again) = fetch_feed(&app, &url).await;
    let again: icalendar::Calendar = again.parse().unwrap();
    let mut uids_before: Vec<_> = events.iter().filter_map(|e| e.get_uid()).collect();
    let mut uids_after: Vec<_> = again
        .components
        .iter()
        .filter_map(|c| c.as_event()?.get_uid())
        .collect();
    uids_before.sort_unstable();
    uids_after.sort_unstable();
    assert_eq!(uids_before, uids_after);

    // Someone outside the course gets an empty calendar.
    let (status, _, theirs) = fetch_feed(&app, &rotate(&outsider).await).await;
    assert_eq!(status, StatusCode::OK);
    let theirs: icalendar::Calendar = theirs.parse().unwrap();
    assert!(theirs.components.iter().all(|c| c.as_event().is_none()));

    // Rotating invalidates the old URL.
    let new_url = rotate(&anna).await;
    assert_eq!(current_feed(&anna).await.as_deref(), Some(new_url.as_str()));
    assert_ne!(new_url, url);
    let (status, _, old) = fetch_feed(&app, &url).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{old}");
    let old: Value = serde_json::from_str(&old).unwrap();
    assert_eq!(old["error"]["code"], "feed_not_found");
    let (status, _, _) = fetch_feed(&app, &new_url).await;
    assert_eq!(status, StatusCode::OK);

    // Feeds are personal and their URL a secret: no cache keeps them.
    let resp = app.anonymous().get(&new_url).send().await.unwrap();
    assert_eq!(
        resp.headers()
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok()),
        Some("private, no-store")
    );

    // Work published to open later is not in the feed before it opens,
    // not even its title.
    let later = app
        .lms
        .homework
        .create_assignment(
            &teacher.user.actor(),
            a.course.id,
            AssignmentInput {
                title: Title::parse("Контрольная на потом").unwrap(),
                instructions: RichText::from_plain_text("Решить"),
                attachment_ids: None,
                opens_at: at(30),
                due_at: at(60),
                cut_off_at: None,
                max_score: Points::new(10.0).unwrap(),
                late_policy: LatePolicy::NoPenalty,
                submission_kind: SubmissionKind::Text,
                file_limits: FileLimits::default(),
                published: true,
            },
        )
        .await
        .unwrap();
    let (_, _, feed) = fetch_feed(&app, &new_url).await;
    assert!(!feed.contains("потом"), "{feed}");
    assert!(!feed.contains(&later.id.to_string()), "{feed}");
    assert!(!week(&anna).await.to_string().contains("потом"));

    // The user switches the feed off: the URL stops working.
    let (status, _) = anna.delete("/api/v1/calendar-feed").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        current_feed(&anna).await,
        None,
        "a turned-off feed has no link"
    );
    let (status, _, _) = fetch_feed(&app, &new_url).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Unknown tokens and other names are 404.
    let token = new_url
        .strip_prefix(&prefix)
        .unwrap()
        .trim_end_matches(".ics");
    for bad in [
        format!("{prefix}{}.ics", "0".repeat(64)),
        format!("{prefix}{token}"),
        format!("{prefix}{token}.ical"),
        format!("{prefix}.ics"),
    ] {
        let (status, _, _) = fetch_feed(&app, &bad).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{bad}");
    }
}

on_both!(
    schedule_shows_the_students_own_events,
    calendar_feed_is_valid_icalendar_and_rotates,
);
