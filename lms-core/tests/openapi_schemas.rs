//! The `openapi` feature's schemas describe the JSON serde really produces.
//!
//! An OpenAPI 3.1 document is built from the core's public response types the
//! way an HTTP layer would (`#[derive(OpenApi)]` with `components(schemas(..))`);
//! then values built by the core itself (dashboards, gradebook, quiz views,
//! ...) are serialised and checked against their schema: every object has
//! exactly the schema's property names, required properties are present,
//! tagged enums match one variant, and strings, numbers, ids and instants
//! have the declared type and format. `$ref`s are resolved through the
//! document's components.

#![allow(missing_docs)]

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, NaiveTime, TimeZone as _, Utc};
use lms_core::achievement::{Achievement, Badge};
use lms_core::course::{
    Course, CourseMembership, CourseRole, CourseStatus, InviteCode, Lesson, Title,
};
use lms_core::dashboard::{
    StaffCourseData, StaffDashboard, StaffSnapshot, StudentCourseData, StudentDashboard,
    StudentSnapshot, build_staff_dashboard, build_student_dashboard,
};
use lms_core::file::{FileLimits, FileName, FileOwner, FileRef};
use lms_core::gradebook::Gradebook;
use lms_core::homework::{
    Assignment, Extension, Grade, LatePolicy, PendingSubmission, Submission, SubmissionKind,
    SubmissionState, SubmissionVersion,
};
use lms_core::ids::{
    AssignmentId, AttemptId, CourseId, FileId, LessonId, OptionId, QuestionId, QuizId,
    SubmissionId, SubmissionVersionId, UserId, WebinarId,
};
use lms_core::notification::{Channel, NotificationKind, NotificationPreferences, QuietHours};
use lms_core::quiz::{
    Answer, Attempt, AttemptReview, AttemptState, Choice, MatchPair, Question, QuestionBody, Quiz,
    QuizSettings, RevealPolicy, ScoringPolicy, StudentQuestion, score_attempt, staff_review,
    student_review,
};
use lms_core::richtext::RichText;
use lms_core::schedule::{EventSource, ScheduleEvent};
use lms_core::score::Points;
use lms_core::user::{DisplayName, Email, Locale, Role, TimeZone, User};
use lms_core::webinar::{ProviderKind, Webinar, WebinarState, WebinarView};
use serde::Serialize;
use serde_json::{Map, Value, json};
use utoipa::{OpenApi, ToSchema};

/// What an HTTP layer would put into its document: the response types of the
/// public API. Nested types (ids, enums, ...) are pulled in by utoipa.
#[derive(OpenApi)]
#[openapi(components(schemas(
    Course,
    CourseMembership,
    Lesson,
    Assignment,
    Submission,
    lms_core::homework::AssignmentView,
    lms_core::homework::HandInResult,
    Quiz,
    Question,
    StudentQuestion,
    AttemptReview,
    Attempt,
    lms_core::quiz::QuizOverview,
    lms_core::quiz::AttemptView,
    lms_core::quiz::AttemptOutcome,
    Webinar,
    WebinarView,
    ScheduleEvent,
    lms_core::schedule::ScheduleView,
    StudentDashboard,
    StaffDashboard,
    Gradebook,
    Achievement,
    NotificationPreferences,
    User,
    FileRef,
    FileOwner,
    lms_core::notification::Notification,
    lms_core::transfer::SchoolDump,
)))]
struct ApiDoc;

/// The document as JSON, the way a client downloads it.
fn document() -> Value {
    let json = ApiDoc::openapi()
        .to_json()
        .expect("the document serialises");
    serde_json::from_str(&json).expect("the document is JSON")
}

/// Follows `$ref`s (`#/components/schemas/Name`) to the schema they name.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    let mut schema = schema;
    while let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("unexpected reference {reference}"));
        schema = doc["components"]["schemas"]
            .get(name)
            .unwrap_or_else(|| panic!("{reference} is not in the document"));
    }
    schema
}

/// The JSON types a schema's `type` allows (`"string"` or `["string", "null"]`).
fn allowed_types(schema: &Value) -> Option<Vec<&str>> {
    match schema.get("type")? {
        Value::String(t) => Some(vec![t.as_str()]),
        Value::Array(ts) => Some(ts.iter().filter_map(Value::as_str).collect()),
        other => panic!("unexpected type {other}"),
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Checks `value` against `schema` as far as these schemas go: object keys,
/// required properties, `oneOf` variants, types, enums, string formats.
fn check(doc: &Value, schema: &Value, value: &Value, path: &str) -> Result<(), String> {
    let schema = resolve(doc, schema);

    if let Some(variants) = schema.get("oneOf").and_then(Value::as_array) {
        let mut failures = Vec::new();
        let mut matched = 0;
        for variant in variants {
            match check(doc, variant, value, path) {
                Ok(()) => matched += 1,
                Err(e) => failures.push(e),
            }
        }
        return match matched {
            1 => Ok(()),
            0 => Err(format!(
                "{path}: no variant of oneOf matches {value}: {failures:?}"
            )),
            n => Err(format!("{path}: {n} variants of oneOf match {value}")),
        };
    }

    if let Some(types) = allowed_types(schema) {
        let actual = json_type(value);
        let ok = types.contains(&actual) || (actual == "integer" && types.contains(&"number"));
        if !ok {
            return Err(format!(
                "{path}: {value} is {actual}, schema allows {types:?}"
            ));
        }
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        return Err(format!("{path}: {value} is not one of {allowed:?}"));
    }

    match value {
        Value::Object(object) => check_object(doc, schema, object, path),
        Value::Array(items) => {
            let item_schema = schema
                .get("items")
                .ok_or_else(|| format!("{path}: an array without an items schema"))?;
            items
                .iter()
                .enumerate()
                .try_for_each(|(i, item)| check(doc, item_schema, item, &format!("{path}[{i}]")))
        }
        Value::String(s) => check_format(schema, s, path),
        Value::Number(n) => match schema.get("minimum").and_then(Value::as_f64) {
            Some(min) if n.as_f64().is_some_and(|v| v < min) => {
                Err(format!("{path}: {n} is below the minimum {min}"))
            }
            _ => Ok(()),
        },
        Value::Null | Value::Bool(_) => Ok(()),
    }
}

fn check_object(
    doc: &Value,
    schema: &Value,
    object: &Map<String, Value>,
    path: &str,
) -> Result<(), String> {
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        let declared: BTreeSet<&str> = properties.keys().map(String::as_str).collect();
        let produced: BTreeSet<&str> = object.keys().map(String::as_str).collect();
        if declared != produced {
            return Err(format!(
                "{path}: serde produced keys {produced:?}, the schema declares {declared:?}"
            ));
        }
        for required in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = required.as_str().expect("required names are strings");
            if !object.contains_key(name) {
                return Err(format!("{path}: required property {name} is missing"));
            }
        }
        for (key, property) in properties {
            check(doc, property, &object[key], &format!("{path}.{key}"))?;
        }
        Ok(())
    } else if let Some(values) = schema.get("additionalProperties") {
        for (key, item) in object {
            if let Some(names) = schema.get("propertyNames") {
                check(
                    doc,
                    names,
                    &Value::String(key.clone()),
                    &format!("{path} key"),
                )?;
            }
            check(doc, values, item, &format!("{path}.{key}"))?;
        }
        Ok(())
    } else {
        Err(format!(
            "{path}: an object where the schema has no properties"
        ))
    }
}

fn check_format(schema: &Value, s: &str, path: &str) -> Result<(), String> {
    let ok = match schema.get("format").and_then(Value::as_str) {
        Some("uuid") => uuid::Uuid::parse_str(s).is_ok(),
        Some("date-time") => DateTime::parse_from_rfc3339(s).is_ok(),
        Some("email") => s.contains('@'),
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("{path}: {s:?} does not have the schema's format"))
    }
}

/// Serialises `sample` and checks it against the schema named after `T`.
fn assert_matches_schema<T: Serialize + ToSchema>(doc: &Value, sample: &T) {
    let name = T::name();
    let schema = doc["components"]["schemas"]
        .get(name.as_ref())
        .unwrap_or_else(|| panic!("{name} is not in the document"));
    let value = serde_json::to_value(sample).expect("the sample serialises");
    if let Err(e) = check(doc, schema, &value, &name) {
        panic!("{e}\nvalue: {value:#}\nschema: {schema:#}");
    }
}

// ----- samples, built through the core's own constructors and rules -----

fn t(days: i64, hours: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 9, 1, 9, 0, 0).unwrap()
        + Duration::days(days)
        + Duration::hours(hours)
}

fn pts(v: f64) -> Points {
    Points::new(v).expect("valid points")
}

fn title(s: &str) -> Title {
    Title::parse(s).expect("valid title")
}

fn user(name: &str, email: &str, role: Role) -> User {
    User {
        id: UserId::new(),
        email: Email::parse(email).expect("valid e-mail"),
        display_name: DisplayName::parse(name).expect("valid name"),
        role,
        locale: Locale::Ru,
        time_zone: TimeZone::parse("Europe/Moscow").expect("known zone"),
        active: true,
        created_at: t(-30, 0),
    }
}

fn file(owner: UserId) -> FileRef {
    FileRef {
        id: FileId::new(),
        name: FileName::sanitize("../Отчёт.pdf"),
        content_type: "application/pdf".into(),
        size: 12_345,
        storage_key: "files/abc".into(),
        uploaded_by: owner,
        uploaded_at: t(1, 0),
    }
}

/// A small school: one course with a lesson, a graded late homework, a quiz
/// with an attempt, a webinar and a badge.
struct School {
    teacher: User,
    student: User,
    course: Course,
    lesson: Lesson,
    assignment: Assignment,
    submission: Submission,
    quiz: Quiz,
    questions: Vec<Question>,
    attempt: Attempt,
    webinar: Webinar,
    achievement: Achievement,
}

fn choice(text: &str) -> Choice {
    Choice {
        id: OptionId::new(),
        text: text.into(),
    }
}

fn school() -> School {
    let teacher = user("Мария Петровна", "teacher@example.org", Role::Teacher);
    let student = user("Анна Иванова", "anna@example.org", Role::Student);
    let course = Course {
        id: CourseId::new(),
        title: title("Алгебра, 9 класс"),
        description: RichText::sanitize("<p>Курс <b>алгебры</b><script>x</script></p>"),
        owner_id: teacher.id,
        status: CourseStatus::Published,
        invite_code: Some(InviteCode::generate()),
        cover: None,
        created_at: t(-20, 0),
    };
    let lesson = Lesson {
        id: LessonId::new(),
        course_id: course.id,
        title: title("Дроби"),
        body: RichText::sanitize("<h2>Дроби</h2>"),
        position: 1,
        publish_at: None,
        published: true,
        attachments: vec![file(teacher.id)],
        created_at: t(-19, 0),
    };
    let assignment = Assignment {
        id: AssignmentId::new(),
        course_id: course.id,
        title: title("Домашняя работа 1"),
        instructions: RichText::from_plain_text("Решите задачи 1–5."),
        attachments: vec![],
        opens_at: t(-10, 0),
        due_at: t(-2, 0),
        cut_off_at: Some(t(5, 0)),
        max_score: pts(10.0),
        late_policy: LatePolicy::PercentPerDay {
            percent_per_day: 10,
            floor_percent: 50,
        },
        submission_kind: SubmissionKind::TextAndFiles,
        file_limits: FileLimits {
            max_files: 3,
            max_file_size: 10 << 20,
            allowed_extensions: vec!["pdf".into()],
        },
        published: true,
        created_at: t(-10, 0),
    };
    let submission_id = SubmissionId::new();
    let submission = Submission {
        id: submission_id,
        assignment_id: assignment.id,
        student_id: student.id,
        state: SubmissionState::Graded,
        versions: vec![SubmissionVersion {
            id: SubmissionVersionId::new(),
            submission_id,
            number: 1,
            text: Some(RichText::from_plain_text("Ответы")),
            files: vec![file(student.id)],
            submitted_at: t(-1, 0),
            late: true,
            idempotency_key: Some("hand-in-1".into()),
        }],
        grade: Some(Grade {
            raw_score: pts(9.0),
            kept_percent: 90,
            final_score: pts(8.1),
            feedback: RichText::from_plain_text("Хорошо"),
            graded_by: teacher.id,
            graded_at: t(0, 0),
            version: 1,
        }),
        rework_feedback: None,
        updated_at: t(0, 0),
    };
    let quiz = Quiz {
        id: QuizId::new(),
        course_id: course.id,
        title: title("Тест по дробям"),
        description: RichText::default(),
        settings: QuizSettings {
            opens_at: Some(t(-5, 0)),
            closes_at: None,
            time_limit_minutes: Some(30),
            attempts_allowed: Some(2),
            scoring: ScoringPolicy::Best,
            shuffle_questions: true,
            shuffle_options: true,
            reveal: RevealPolicy::AfterAttempt,
        },
        published: true,
        created_at: t(-5, 0),
    };
    let question = |position: u32, body: QuestionBody| Question {
        id: QuestionId::new(),
        quiz_id: quiz.id,
        position,
        prompt: RichText::from_plain_text("Вопрос"),
        points: pts(2.0),
        body,
        explanation: Some(RichText::from_plain_text("Потому что")),
    };
    let (a, b, c, d) = (choice("½"), choice("⅓"), choice("¼"), choice("⅕"));
    let questions = vec![
        question(
            1,
            QuestionBody::SingleChoice {
                options: vec![a.clone(), b.clone()],
                correct: a.id,
            },
        ),
        question(
            2,
            QuestionBody::MultipleChoice {
                options: vec![a.clone(), b.clone(), c.clone()],
                correct: BTreeSet::from([a.id, c.id]),
            },
        ),
        question(3, QuestionBody::TrueFalse { correct: true }),
        question(
            4,
            QuestionBody::Numeric {
                value: 0.5,
                tolerance: 0.01,
            },
        ),
        question(
            5,
            QuestionBody::Matching {
                pairs: vec![
                    MatchPair {
                        left: a.clone(),
                        right: b.clone(),
                    },
                    MatchPair {
                        left: c.clone(),
                        right: d.clone(),
                    },
                ],
            },
        ),
        question(
            6,
            QuestionBody::Ordering {
                items: vec![a.clone(), b.clone(), c.clone()],
            },
        ),
        question(
            7,
            QuestionBody::ShortText {
                accepted: vec!["ёж".into()],
            },
        ),
        question(8, QuestionBody::Essay),
    ];
    let answers = BTreeMap::from([
        (questions[0].id, Answer::SingleChoice(a.id)),
        (
            questions[1].id,
            Answer::MultipleChoice(BTreeSet::from([a.id])),
        ),
        (questions[2].id, Answer::TrueFalse(true)),
        (questions[3].id, Answer::Numeric(0.5)),
        (
            questions[4].id,
            Answer::Matching(BTreeMap::from([(a.id, b.id), (c.id, d.id)])),
        ),
        (questions[5].id, Answer::Ordering(vec![b.id, a.id, c.id])),
        (questions[6].id, Answer::ShortText("Еж".into())),
        (questions[7].id, Answer::Essay("Эссе".into())),
    ]);
    let result = score_attempt(&questions, &answers, &BTreeMap::new());
    let attempt = Attempt {
        id: AttemptId::new(),
        quiz_id: quiz.id,
        student_id: student.id,
        number: 1,
        seed: 42,
        question_order: questions.iter().map(|q| q.id).collect(),
        drawn: Vec::new(),
        started_at: t(-1, 0),
        deadline: Some(t(-1, 0) + Duration::minutes(30)),
        state: AttemptState::Submitted,
        answers,
        saved_at: Some(t(-1, 0) + Duration::minutes(10)),
        finished_at: Some(t(-1, 0) + Duration::minutes(20)),
        result: Some(result),
        submit_key: None,
    };
    let webinar = Webinar {
        id: WebinarId::new(),
        course_id: course.id,
        title: title("Разбор домашней работы"),
        starts_at: t(2, 0),
        duration_minutes: 60,
        provider: ProviderKind::ExternalLink,
        conference_id: None,
        join_url: "https://meet.example.org/room".into(),
        host_url: Some("https://meet.example.org/room?host".into()),
        state: WebinarState::Scheduled,
        created_by: teacher.id,
        created_at: t(-3, 0),
    };
    let achievement = Achievement {
        user_id: student.id,
        badge: Badge::FirstHomework,
        course_id: Some(course.id),
        awarded_at: t(0, 0),
    };
    School {
        teacher,
        student,
        course,
        lesson,
        assignment,
        submission,
        quiz,
        questions,
        attempt,
        webinar,
        achievement,
    }
}

impl School {
    fn student_snapshot(&self) -> StudentSnapshot {
        StudentSnapshot {
            courses: vec![StudentCourseData {
                course: self.course.clone(),
                lessons_visible: 1,
                lessons_viewed: 1,
                assignments: vec![self.assignment.clone()],
                extensions: vec![Extension {
                    assignment_id: self.assignment.id,
                    student_id: self.student.id,
                    due_at: t(1, 0),
                    cut_off_at: None,
                    granted_by: self.teacher.id,
                    granted_at: t(-3, 0),
                }],
                submissions: vec![self.submission.clone()],
                quizzes: vec![self.quiz.clone()],
                attempts: vec![self.attempt.clone()],
                announcements: vec![lms_core::announcement::Announcement {
                    id: lms_core::AnnouncementId::new(),
                    course_id: self.course.id,
                    author_id: self.teacher.id,
                    author_name: "Анна Петровна".into(),
                    title: title("Пробный экзамен в субботу"),
                    body: lms_core::richtext::RichText::sanitize("<p>Начало в 10:00</p>"),
                    group_ids: vec![lms_core::GroupId::new()],
                    created_at: t(-1, 0),
                }],
                last_activity: Some(t(-2, 0)),
            }],
            webinars: vec![self.webinar.clone()],
            achievements: vec![self.achievement.clone()],
        }
    }

    fn staff_course(&self) -> StaffCourseData {
        StaffCourseData {
            course: self.course.clone(),
            role: CourseRole::Owner,
            student_count: 1,
            assignments: vec![self.assignment.clone()],
            submissions: vec![self.submission.clone()],
            quizzes: vec![self.quiz.clone()],
            attempts: vec![self.attempt.clone()],
            quiz_max_scores: BTreeMap::from([(self.quiz.id, pts(16.0))]),
        }
    }

    fn staff_snapshot(&self) -> StaffSnapshot {
        let mut pending = self.submission.clone();
        pending.state = SubmissionState::Submitted;
        pending.grade = None;
        StaffSnapshot {
            courses: vec![self.staff_course()],
            queue: vec![PendingSubmission {
                submission: pending,
                assignment_id: self.assignment.id,
                course_id: self.course.id,
                student_name: "Ученик".into(),
                assignment_title: self.assignment.title.as_str().to_owned(),
            }],
            webinars: vec![self.webinar.clone()],
            mentor_scopes: vec![lms_core::dashboard::MentoredStudents {
                course_id: self.course.id,
                students: vec![self.submission.student_id],
            }],
        }
    }
}

// ----- tests -----

#[test]
fn the_document_is_openapi_3_1_and_every_reference_resolves() {
    let doc = document();
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "{}",
        doc["openapi"]
    );
    fn walk(doc: &Value, node: &Value) {
        match node {
            Value::Object(map) => {
                if map.contains_key("$ref") {
                    resolve(doc, node);
                }
                map.values().for_each(|v| walk(doc, v));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(doc, v)),
            _ => {}
        }
    }
    walk(&doc, &doc);
    for name in [
        "Course",
        "Lesson",
        "Assignment",
        "Submission",
        "Quiz",
        "StudentQuestion",
        "AttemptReview",
        "Attempt",
        "Webinar",
        "ScheduleEvent",
        "StudentDashboard",
        "StaffDashboard",
        "Gradebook",
        "Achievement",
        "NotificationPreferences",
        "User",
        "FileRef",
        "CourseId",
        "Points",
        "RichText",
    ] {
        assert!(
            doc["components"]["schemas"].get(name).is_some(),
            "{name} is missing"
        );
    }
}

#[test]
fn strings_behind_newtypes_are_described_as_strings_with_their_format() {
    let doc = document();
    let schemas = &doc["components"]["schemas"];
    // Typed ids are bare UUID strings on the wire.
    assert_eq!(schemas["CourseId"]["type"], "string");
    assert_eq!(schemas["CourseId"]["format"], "uuid");
    assert_eq!(
        serde_json::to_value(CourseId::new())
            .unwrap()
            .as_str()
            .map(|s| s.len()),
        Some(36)
    );
    // Validated strings (`serde(try_from/into = "String")`).
    for name in [
        "Title",
        "InviteCode",
        "RichText",
        "FileName",
        "TimeZone",
        "DisplayName",
    ] {
        assert_eq!(schemas[name]["type"], "string", "{name}");
    }
    assert_eq!(schemas["Email"]["format"], "email");
    assert_eq!(schemas["Points"]["type"], "number");
    // Instants are RFC 3339 date-times.
    assert_eq!(
        schemas["Course"]["properties"]["created_at"]["format"],
        "date-time"
    );
}

#[test]
fn course_lesson_user_and_file_match_their_schemas() {
    let doc = document();
    let s = school();
    assert_matches_schema(&doc, &s.course);
    assert_matches_schema(&doc, &s.lesson);
    assert_matches_schema(&doc, &s.teacher);
    assert_matches_schema(&doc, &s.lesson.attachments[0]);
    assert_matches_schema(
        &doc,
        &CourseMembership {
            course: s.course.clone(),
            role: CourseRole::Student,
        },
    );
    // An adjacently tagged enum, with and without content.
    assert_matches_schema(&doc, &FileOwner::Lesson(s.lesson.id));
    assert_matches_schema(&doc, &FileOwner::Unattached);
}

#[test]
fn homework_matches_its_schemas() {
    let doc = document();
    let s = school();
    assert_matches_schema(&doc, &s.assignment);
    assert_matches_schema(&doc, &s.submission);
    let mut draft = s.assignment.clone();
    draft.late_policy = LatePolicy::NoPenalty;
    draft.cut_off_at = None;
    assert_matches_schema(&doc, &draft);
}

#[test]
fn quiz_attempt_and_student_views_match_their_schemas() {
    let doc = document();
    let s = school();
    assert_matches_schema(&doc, &s.quiz);
    assert_matches_schema(&doc, &s.attempt);
    for question in &s.questions {
        assert_matches_schema(&doc, question);
        assert_matches_schema(&doc, &StudentQuestion::for_attempt(question, 7, true));
    }
    let review: AttemptReview =
        student_review(&s.questions, &s.quiz.settings, &s.attempt, t(0, 0), false);
    assert_matches_schema(&doc, &review);
    assert_matches_schema(
        &doc,
        &staff_review(&s.questions, &s.quiz.settings, &s.attempt),
    );
}

#[test]
fn webinar_and_schedule_match_their_schemas() {
    let doc = document();
    let s = school();
    assert_matches_schema(&doc, &s.webinar);
    assert_matches_schema(
        &doc,
        &WebinarView {
            webinar: s.webinar.clone(),
            can_manage: true,
        },
    );
    let event = ScheduleEvent {
        uid: format!("webinar-{}", s.webinar.id),
        course_id: s.course.id,
        course_title: s.course.title.as_str().into(),
        title: s.webinar.title.as_str().into(),
        starts_at: s.webinar.starts_at,
        ends_at: s.webinar.starts_at + Duration::minutes(60),
        source: EventSource::Webinar {
            webinar_id: s.webinar.id,
            join_url: s.webinar.join_url.clone(),
            host_url: None,
        },
    };
    assert_matches_schema(&doc, &event);
}

#[test]
fn dashboards_and_gradebook_built_by_the_core_match_their_schemas() {
    let doc = document();
    let s = school();
    let student: StudentDashboard = build_student_dashboard(&s.student_snapshot(), t(0, 0));
    assert!(!student.homework.is_empty() && !student.quiz_results.is_empty());
    assert_eq!(student.announcements.len(), 1);
    assert_matches_schema(&doc, &student);

    let staff: StaffDashboard = build_staff_dashboard(&s.staff_snapshot(), t(0, 0));
    assert!(!staff.queue.is_empty() && !staff.courses.is_empty());
    assert_matches_schema(&doc, &staff);

    let gradebook = Gradebook::build(&s.staff_course(), std::slice::from_ref(&s.student));
    assert_eq!(gradebook.rows.len(), 1);
    assert_matches_schema(&doc, &gradebook);
}

#[test]
fn achievements_and_notification_preferences_match_their_schemas() {
    let doc = document();
    let s = school();
    assert_matches_schema(&doc, &s.achievement);
    let preferences = NotificationPreferences {
        user_id: s.student.id,
        channels: BTreeMap::from([
            (NotificationKind::DeadlineReminder, vec![Channel::Telegram]),
            (
                NotificationKind::HomeworkGraded,
                vec![Channel::Email, Channel::Telegram],
            ),
        ]),
        quiet_hours: Some(QuietHours {
            from: NaiveTime::from_hms_opt(22, 0, 0).unwrap(),
            to: NaiveTime::from_hms_opt(8, 0, 0).unwrap(),
        }),
    };
    assert_matches_schema(&doc, &preferences);
    // A key the schema does not know would be caught.
    let mut value = serde_json::to_value(&preferences).unwrap();
    value["extra"] = json!(1);
    let schema = &doc["components"]["schemas"]["NotificationPreferences"];
    assert!(check(&doc, schema, &value, "NotificationPreferences").is_err());
}

#[test]
fn the_check_catches_wrong_tags_types_and_formats() {
    let doc = document();
    let schemas = &doc["components"]["schemas"];
    let owner = json!({ "kind": "bogus", "id": uuid::Uuid::new_v4() });
    assert!(check(&doc, &schemas["FileOwner"], &owner, "FileOwner").is_err());
    let mut achievement = serde_json::to_value(school().achievement).unwrap();
    achievement["awarded_at"] = json!("yesterday");
    assert!(check(&doc, &schemas["Achievement"], &achievement, "Achievement").is_err());
    achievement["awarded_at"] = json!(1_700_000_000);
    assert!(check(&doc, &schemas["Achievement"], &achievement, "Achievement").is_err());
}
