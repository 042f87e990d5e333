//! The authorisation matrix: every operation of the served OpenAPI document
//! against seven actors, each answer checked against the table below.
//!
//! A route without a row fails the test (and so does a row for a route that
//! is gone): adding an endpoint means deciding, here, who may call it.
//!
//! Requests carry a valid body, so an authorised actor gets the success
//! status and a refused one the refusal; a few rows show what an authorised
//! call answers for this arrangement (409 for a conflict, 422 for a value
//! the operation does not accept). Every request that changes something
//! (a write answered 2xx) is followed by a fresh arrangement, so each actor
//! meets the same world and the order of the actors does not matter.

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{Duration, SecondsFormat, Utc};
use common::{Db, PASSWORD, TestApp};
use lms_core::course::{CourseStatus, NewCourse, Title};
use lms_core::richtext::RichText;
use lms_core::user::{
    DisplayName, Email, Locale, PasswordHash, Role, TimeZone, TokenHash, User, generate_token,
};
use lms_http::HttpConfig;
use lms_webinar::ExternalLinkProvider;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The actors, in the order of the table's columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    /// Enrolled in the course.
    Student,
    /// A student of another course.
    Outsider,
    /// Assistant of the course.
    Assistant,
    /// Owner of the course.
    Teacher,
    /// Owner of another course.
    OtherTeacher,
    Admin,
}

/// Column order of [`MATRIX`].
const COLUMNS: [Who; 7] = [
    Who::Anonymous,
    Who::Student,
    Who::Outsider,
    Who::Assistant,
    Who::Teacher,
    Who::OtherTeacher,
    Who::Admin,
];

/// The order requests are sent in: least privileged first.
const ORDER: [Who; 7] = [
    Who::Anonymous,
    Who::Outsider,
    Who::Student,
    Who::OtherTeacher,
    Who::Assistant,
    Who::Teacher,
    Who::Admin,
];

/// What a request carries.
#[derive(Debug, Clone, Copy)]
enum Body {
    None,
    /// JSON with `$placeholders` (see [`World::fill`]).
    Json(&'static str),
    /// A multipart upload of a small PDF.
    Upload,
    /// A CSV file as the raw body (with `$placeholders`).
    Csv(&'static str),
}

/// One operation: `"METHOD /path/{param}?query"`, its body and the expected
/// status per actor in [`COLUMNS`] order.
struct Row {
    op: &'static str,
    body: Body,
    expect: [u16; 7],
}

const fn row(op: &'static str, body: Body, expect: [u16; 7]) -> Row {
    Row { op, body, expect }
}

use Body::{Csv, Json, None as NoBody, Upload};

// Path parameters: `{course_id}` is the course (owned by the teacher, with
// the assistant and the enrolled student), `{user_id}` the enrolled student
// (the assistant under `/assistants/`), `{student_id}` the enrolled student;
// the lesson, assignment, submission (the student's, with a file), quiz (one
// true/false question, published, the student's attempt in progress),
// webinar and file (the student's hand-in) all belong to the course.
// `{file}` is the student's calendar feed.
#[rustfmt::skip]
const MATRIX: &[Row] = &[
    //                                                                      anon stud  out asst teach othT admin
    // Sessions.
    row("POST /api/v1/auth/login", Json(r#"{"email": "$student_email", "password": "$password"}"#),
                                                                          [200, 200, 200, 200, 200, 200, 200]),
    row("POST /api/v1/auth/logout", NoBody,                               [401, 204, 204, 204, 204, 204, 204]),
    row("GET /api/v1/auth/me", NoBody,                                    [401, 200, 200, 200, 200, 200, 200]),
    // The school's name and logo, for the login page.
    row("GET /api/v1/school", NoBody,                                     [200, 200, 200, 200, 200, 200, 200]),

    // Onboarding without a session: the one-time links' tokens are the
    // secret (unknown ones here), "forgot password" answers alike for
    // everyone, self-registration is off by default.
    row("POST /api/v1/auth/password-reset", Json(r#"{"email": "$student_email"}"#),
                                                                          [202, 202, 202, 202, 202, 202, 202]),
    row("POST /api/v1/auth/password-reset/confirm", Json(r#"{"token": "unknown-token", "password": "another long password"}"#),
                                                                          [404, 404, 404, 404, 404, 404, 404]),
    row("GET /api/v1/auth/invitations/{token}", NoBody,                   [404, 404, 404, 404, 404, 404, 404]),
    row("POST /api/v1/auth/invitations/accept", Json(r#"{"token": "unknown-token", "password": "another long password"}"#),
                                                                          [404, 404, 404, 404, 404, 404, 404]),
    row("POST /api/v1/auth/register", Json(r#"{"email": "$new_email", "display_name": "Новый", "password": "another long password", "invite_code": "$invite_code"}"#),
                                                                          [403, 403, 403, 403, 403, 403, 403]),

    // Invitations: the owner invites students into the course (another
    // teacher's course is unknown to them: 422); `{invitation_id}` is the
    // owner's invitation of a new address into the course.
    row("POST /api/v1/invitations", Json(r#"{"email": "$new_email", "display_name": "Новый", "course_ids": ["$course"]}"#),
                                                                          [401, 403, 403, 403, 200, 422, 200]),
    row("GET /api/v1/invitations?course_id={course_id}", NoBody,          [401, 403, 403, 403, 200, 403, 200]),
    row("POST /api/v1/invitations/{invitation_id}/resend", NoBody,        [401, 404, 404, 404, 200, 404, 200]),
    row("DELETE /api/v1/invitations/{invitation_id}", NoBody,             [401, 404, 404, 404, 200, 404, 200]),
    row("POST /api/v1/users/import?dry_run=true", Csv("email;name;courses\n$new_email;Новый;$course\n"),
                                                                          [401, 403, 403, 403, 403, 403, 200]),
    row("POST /api/v1/users/{user_id}/password-reset", NoBody,            [401, 403, 403, 403, 403, 403, 202]),

    // Users: `{user_id}` is the enrolled student.
    row("POST /api/v1/users", Json(r#"{"email": "$new_email", "display_name": "Новый", "role": "student"}"#),
                                                                          [401, 403, 403, 403, 403, 403, 201]),
    row("GET /api/v1/users?q=stud&role=student&active=true", NoBody,     [401, 403, 403, 403, 403, 403, 200]),
    row("GET /api/v1/users/search?q=stud", NoBody,                        [401, 403, 403, 403, 200, 200, 200]),
    row("GET /api/v1/users/export?role=student", NoBody,                  [401, 403, 403, 403, 403, 403, 200]),
    row("POST /api/v1/users/active", Json(r#"{"user_ids": ["$student"], "active": true}"#),
                                                                          [401, 403, 403, 403, 403, 403, 200]),
    row("GET /api/v1/users/{user_id}", NoBody,                            [401, 200, 404, 404, 404, 404, 200]),
    row("PUT /api/v1/users/{user_id}/profile", Json(r#"{"display_name": "Студент", "locale": "ru", "time_zone": "Europe/Moscow"}"#),
                                                                          [401, 200, 404, 404, 404, 404, 200]),
    row("PUT /api/v1/users/{user_id}/role", Json(r#"{"role": "student"}"#),
                                                                          [401, 403, 403, 403, 403, 403, 200]),
    row("PUT /api/v1/users/{user_id}/active", Json(r#"{"active": true}"#),
                                                                          [401, 403, 403, 403, 403, 403, 200]),
    row("PUT /api/v1/users/{user_id}/password", Json(r#"{"current_password": "$password", "password": "another long password"}"#),
                                                                          [401, 204, 404, 404, 404, 404, 204]),

    // Files: an upload to the lesson; the download is the student's hand-in.
    row("POST /api/v1/files?lesson_id={lesson_id}", Upload,               [401, 403, 404, 403, 201, 404, 201]),
    row("GET /api/v1/files/{file_id}", NoBody,                            [401, 200, 404, 200, 200, 404, 200]),

    // Courses, enrolment, staff.
    row("POST /api/v1/courses", Json(r#"{"title": "Новый курс"}"#),      [401, 403, 403, 403, 201, 201, 201]),
    row("GET /api/v1/courses", NoBody,                                    [401, 200, 200, 200, 200, 200, 200]),
    row("GET /api/v1/courses/{course_id}", NoBody,                        [401, 200, 404, 200, 200, 404, 200]),
    row("PUT /api/v1/courses/{course_id}", Json(r#"{"title": "Физика 2"}"#),
                                                                          [401, 403, 404, 403, 200, 404, 200]),
    row("PUT /api/v1/courses/{course_id}/status", Json(r#"{"status": "archived"}"#),
                                                                          [401, 403, 404, 403, 200, 404, 200]),
    row("PUT /api/v1/courses/{course_id}/cover", Json(r#"{"cover": "physics"}"#),
                                                                          [401, 403, 404, 403, 200, 404, 200]),
    row("POST /api/v1/courses/{course_id}/invite-code", NoBody,           [401, 403, 404, 403, 200, 404, 200]),
    row("DELETE /api/v1/courses/{course_id}/invite-code", NoBody,         [401, 403, 404, 403, 204, 404, 204]),
    row("POST /api/v1/courses/{course_id}/students/bulk", Json(r#"{"action": "enrol", "student_ids": ["$student", "$outsider"]}"#),
                                                                          [401, 403, 404, 403, 200, 404, 200]),
    row("POST /api/v1/courses/join", Json(r#"{"code": "$invite_code"}"#),
                                                                          [401, 409, 200, 403, 403, 403, 403]),
    row("POST /api/v1/courses/{course_id}/students", Json(r#"{"student_id": "$outsider"}"#),
                                                                          [401, 403, 404, 403, 201, 404, 201]),
    row("GET /api/v1/courses/{course_id}/students", NoBody,               [401, 403, 404, 200, 200, 404, 200]),
    row("POST /api/v1/courses/{course_id}/member-names", Json(r#"{"user_ids": ["$student", "$outsider"]}"#),
                                                                          [401, 403, 404, 200, 200, 404, 200]),
    row("DELETE /api/v1/courses/{course_id}/students/{user_id}", NoBody,  [401, 403, 404, 403, 204, 404, 204]),
    row("POST /api/v1/courses/{course_id}/assistants", Json(r#"{"user_id": "$other_teacher"}"#),
                                                                          [401, 403, 404, 403, 201, 404, 201]),
    // The staff list is the owner's (and admins'), not the assistants'.
    row("GET /api/v1/courses/{course_id}/assistants", NoBody,             [401, 403, 404, 403, 200, 404, 200]),
    // Groups: the staff read them (a mentor their students), only the
    // owner and admins change them. `{group_id}` is the assistant's group,
    // the student in it.
    row("GET /api/v1/courses/{course_id}/groups", NoBody,                 [401, 403, 404, 200, 200, 404, 200]),
    row("POST /api/v1/courses/{course_id}/groups", Json(r#"{"name": "Группа Б"}"#),
                                                                          [401, 403, 404, 403, 201, 404, 201]),
    row("PATCH /api/v1/groups/{group_id}", Json(r#"{"name": "Группа А (вечер)"}"#),
                                                                          [401, 403, 404, 403, 200, 404, 200]),
    row("POST /api/v1/groups/{group_id}/invite-code", NoBody,            [401, 403, 404, 403, 200, 404, 200]),
    row("GET /api/v1/courses/{course_id}/group-members", NoBody,          [401, 403, 404, 200, 200, 404, 200]),
    row("PUT /api/v1/courses/{course_id}/students/{student_id}/group", Json(r#"{"group_id": null}"#),
                                                                          [401, 403, 404, 403, 200, 404, 200]),
    row("GET /api/v1/courses/{course_id}/students/{student_id}/group-history", NoBody,
                                                                          [401, 403, 404, 200, 200, 404, 200]),
    // Announcements: every member reads; the owner, admins and a mentor
    // (to their groups) post. `{announcement_id}` is the assistant's, to
    // their group (the student's).
    row("GET /api/v1/courses/{course_id}/announcements", NoBody,          [401, 200, 404, 200, 200, 404, 200]),
    row("POST /api/v1/courses/{course_id}/announcements", Json(r#"{"title": "Пробник в субботу", "body": "<p>В 10:00</p>"}"#),
                                                                          [401, 403, 404, 201, 201, 404, 201]),
    row("DELETE /api/v1/announcements/{announcement_id}", NoBody,         [401, 403, 404, 204, 204, 404, 204]),
    // The staff view of one student and the mentor's dashboard.
    row("GET /api/v1/courses/{course_id}/students/{student_id}/overview", NoBody,
                                                                          [401, 403, 404, 200, 200, 404, 200]),
    row("GET /api/v1/dashboard/groups", NoBody,                           [401, 403, 403, 200, 200, 200, 200]),
    row("DELETE /api/v1/courses/{course_id}/assistants/{user_id}", NoBody,
                                                                          [401, 403, 404, 403, 204, 404, 204]),

    // Lessons.
    row("POST /api/v1/courses/{course_id}/lessons", Json(r#"{"title": "Урок 2", "body": "<p>Текст</p>"}"#),
                                                                          [401, 403, 404, 403, 201, 404, 201]),
    row("GET /api/v1/courses/{course_id}/my-progress", NoBody,          [401, 200, 404, 403, 403, 404, 403]),
    row("GET /api/v1/courses/{course_id}/lessons", NoBody,                [401, 200, 404, 200, 200, 404, 200]),
    row("PUT /api/v1/courses/{course_id}/lessons/order", Json(r#"{"lesson_ids": ["$lesson"]}"#),
                                                                          [401, 403, 404, 403, 200, 404, 200]),
    row("GET /api/v1/lessons/{lesson_id}", NoBody,                        [401, 200, 404, 200, 200, 404, 200]),
    row("PUT /api/v1/lessons/{lesson_id}", Json(r#"{"title": "Урок 1", "body": "<p>Новый текст</p>"}"#),
                                                                          [401, 403, 404, 403, 200, 404, 200]),
    row("DELETE /api/v1/lessons/{lesson_id}", NoBody,                     [401, 403, 404, 403, 204, 404, 204]),

    // Dashboards, statistics, gradebook, achievements.
    row("GET /api/v1/dashboard/student", NoBody,                          [401, 200, 200, 403, 403, 403, 403]),
    row("GET /api/v1/dashboard/staff", NoBody,                            [401, 403, 403, 200, 200, 200, 200]),
    row("GET /api/v1/courses/{course_id}/statistics", NoBody,             [401, 403, 404, 200, 200, 404, 200]),
    row("GET /api/v1/courses/{course_id}/gradebook", NoBody,              [401, 403, 404, 200, 200, 404, 200]),
    row("GET /api/v1/courses/{course_id}/gradebook.csv", NoBody,          [401, 403, 404, 200, 200, 404, 200]),
    row("GET /api/v1/achievements", NoBody,                               [401, 200, 200, 200, 200, 200, 200]),
    // Staff look at a student's badges here; the student uses /achievements.
    row("GET /api/v1/courses/{course_id}/students/{user_id}/achievements", NoBody,
                                                                          [401, 404, 404, 200, 200, 404, 200]),

    // Quizzes: questions carry the answers, so they are for staff only.
    row("POST /api/v1/courses/{course_id}/quizzes", Json(r#"{"title": "Тест 2"}"#),
                                                                          [401, 403, 404, 403, 201, 404, 201]),
    row("GET /api/v1/courses/{course_id}/quizzes", NoBody,                [401, 200, 404, 200, 200, 404, 200]),
    row("GET /api/v1/quizzes/{quiz_id}", NoBody,                          [401, 200, 404, 200, 200, 404, 200]),
    row("PUT /api/v1/quizzes/{quiz_id}", Json(r#"{"title": "Тест 1"}"#),
                                                                          [401, 403, 404, 403, 200, 404, 200]),
    row("PUT /api/v1/quizzes/{quiz_id}/published", Json(r#"{"published": true}"#),
                                                                          [401, 403, 404, 403, 200, 404, 200]),
    row("GET /api/v1/quizzes/{quiz_id}/questions", NoBody,                [401, 403, 404, 200, 200, 404, 200]),
    row("POST /api/v1/quizzes/{quiz_id}/questions", Json(r#"{"prompt": "<p>2 + 2 = 5?</p>", "points": 1, "body": {"kind": "true_false", "correct": false}}"#),
                                                                          [401, 403, 404, 403, 201, 404, 201]),
    row("PUT /api/v1/quizzes/{quiz_id}/questions/{question_id}", Json(r#"{"prompt": "<p>Земля круглая?</p>", "points": 2, "body": {"kind": "true_false", "correct": true}}"#),
                                                                          [401, 403, 404, 403, 200, 404, 200]),
    row("DELETE /api/v1/quizzes/{quiz_id}/questions/{question_id}", NoBody,
                                                                          [401, 403, 404, 403, 204, 404, 204]),
    row("PUT /api/v1/quizzes/{quiz_id}/questions/order", Json(r#"{"question_ids": ["$question"]}"#),
                                                                          [401, 403, 404, 403, 200, 404, 200]),
    // The student's attempt is in progress: a second one is a conflict.
    row("POST /api/v1/quizzes/{quiz_id}/attempts", NoBody,                [401, 409, 404, 403, 403, 404, 403]),
    row("GET /api/v1/quizzes/{quiz_id}/attempts/me", NoBody,              [401, 200, 404, 200, 200, 404, 200]),
    row("GET /api/v1/quizzes/{quiz_id}/attempts", NoBody,                 [401, 403, 404, 200, 200, 404, 200]),
    row("GET /api/v1/quizzes/{quiz_id}/analysis", NoBody,                 [401, 403, 404, 200, 200, 404, 200]),
    row("GET /api/v1/quizzes/{quiz_id}/analysis/csv", NoBody,             [401, 403, 404, 200, 200, 404, 200]),
    // The question bank is the course's teacher's (and admins'): answers
    // live there. `{bank_question_id}` is the teacher's.
    row("GET /api/v1/courses/{course_id}/bank", NoBody,                   [401, 403, 404, 403, 200, 404, 200]),
    row("POST /api/v1/courses/{course_id}/bank", Json(r#"{"category": "ЕГЭ/Задание 1", "prompt": "<p>2 + 2 = 4?</p>", "points": 1, "body": {"kind": "true_false", "correct": true}}"#),
                                                                          [401, 403, 404, 403, 201, 404, 201]),
    row("PUT /api/v1/bank/{bank_question_id}", Json(r#"{"prompt": "<p>3 + 3 = 6?</p>", "points": 1, "body": {"kind": "true_false", "correct": true}, "version": 1}"#),
                                                                          [401, 404, 404, 404, 200, 404, 200]),
    row("DELETE /api/v1/bank/{bank_question_id}", NoBody,                 [401, 404, 404, 404, 204, 404, 204]),
    row("POST /api/v1/courses/{course_id}/bank/import?dry_run=true", Json(r#"{"format": "aiken", "text": "2 + 2 = ?\nA) 4\nB) 5\nANSWER: A\n"}"#),
                                                                          [401, 403, 404, 403, 200, 404, 200]),
    row("GET /api/v1/courses/{course_id}/bank/export", NoBody,            [401, 403, 404, 403, 200, 404, 200]),
    // Taking an attempt is its student's; staff read it through the review.
    row("GET /api/v1/attempts/{attempt_id}", NoBody,                      [401, 200, 404, 404, 404, 404, 404]),
    row("PUT /api/v1/attempts/{attempt_id}/answers", Json(r#"{"answers": {"$question": {"kind": "true_false", "value": true}}}"#),
                                                                          [401, 200, 404, 404, 404, 404, 404]),
    row("POST /api/v1/attempts/{attempt_id}/submit", Json("{}"),          [401, 200, 404, 404, 404, 404, 404]),
    row("GET /api/v1/attempts/{attempt_id}/review", NoBody,               [401, 200, 404, 200, 200, 404, 200]),
    // The attempt is not finished (and the question is no essay).
    row("POST /api/v1/attempts/{attempt_id}/essay-grades", Json(r#"{"question_id": "$question", "points": 1}"#),
                                                                          [401, 403, 404, 409, 409, 404, 409]),

    // Webinars.
    row("POST /api/v1/courses/{course_id}/webinars", Json(r#"{"title": "Разбор", "starts_at": "$future", "duration_minutes": 45, "provider": "external_link", "external_url": "https://meet.example.ru/2"}"#),
                                                                          [401, 403, 404, 403, 201, 404, 201]),
    row("GET /api/v1/courses/{course_id}/webinars", NoBody,               [401, 200, 404, 200, 200, 404, 200]),
    row("GET /api/v1/webinars/{webinar_id}", NoBody,                      [401, 200, 404, 200, 200, 404, 200]),
    row("PUT /api/v1/webinars/{webinar_id}", Json(r#"{"title": "Лекция", "starts_at": "$later", "duration_minutes": 60}"#),
                                                                          [401, 403, 404, 403, 200, 404, 200]),
    row("DELETE /api/v1/webinars/{webinar_id}", NoBody,                   [401, 403, 404, 403, 200, 404, 200]),
    row("GET /api/v1/webinar-providers", NoBody,                          [401, 200, 200, 200, 200, 200, 200]),

    // Schedule and the calendar feed (its token is the secret).
    row("GET /api/v1/schedule?from=$past&to=$future", NoBody,             [401, 200, 200, 200, 200, 200, 200]),
    row("GET /api/v1/calendar-feed", NoBody,                              [401, 200, 200, 200, 200, 200, 200]),
    row("POST /api/v1/calendar-feed", NoBody,                             [401, 200, 200, 200, 200, 200, 200]),
    row("DELETE /api/v1/calendar-feed", NoBody,                           [401, 204, 204, 204, 204, 204, 204]),
    row("GET /ical/{file}", NoBody,                                       [200, 200, 200, 200, 200, 200, 200]),

    // Notifications: everyone's own; no Telegram bot is configured.
    row("GET /api/v1/notifications", NoBody,                              [401, 200, 200, 200, 200, 200, 200]),
    // The bell: everyone's own list; another user's ids change nothing.
    row("GET /api/v1/notifications/inbox", NoBody,                        [401, 200, 200, 200, 200, 200, 200]),
    row("GET /api/v1/notifications/inbox/unread", NoBody,                 [401, 200, 200, 200, 200, 200, 200]),
    row("POST /api/v1/notifications/inbox/read", Json(r#"{"ids": []}"#), [401, 200, 200, 200, 200, 200, 200]),
    row("POST /api/v1/notifications/inbox/read-all", NoBody,              [401, 200, 200, 200, 200, 200, 200]),
    row("GET /api/v1/notifications/preferences", NoBody,                  [401, 200, 200, 200, 200, 200, 200]),
    row("PUT /api/v1/notifications/preferences", Json(r#"{"quiet_hours": null}"#),
                                                                          [401, 200, 200, 200, 200, 200, 200]),
    row("POST /api/v1/notifications/telegram", NoBody,                    [401, 409, 409, 409, 409, 409, 409]),
    row("DELETE /api/v1/notifications/telegram", NoBody,                  [401, 204, 204, 204, 204, 204, 204]),

    // Homework.
    row("POST /api/v1/courses/{course_id}/assignments", Json(r#"{"title": "ДЗ 2", "due_at": "$future", "max_score": 10}"#),
                                                                          [401, 403, 404, 403, 201, 404, 201]),
    row("GET /api/v1/courses/{course_id}/assignments", NoBody,            [401, 200, 404, 200, 200, 404, 200]),
    row("GET /api/v1/assignments/{assignment_id}", NoBody,                [401, 200, 404, 200, 200, 404, 200]),
    row("PUT /api/v1/assignments/{assignment_id}", Json(r#"{"title": "ДЗ 1", "due_at": "$later", "max_score": 10, "submission_kind": "text_and_files", "published": true}"#),
                                                                          [401, 403, 404, 403, 200, 404, 200]),
    row("POST /api/v1/assignments/{assignment_id}/extensions", Json(r#"{"student_id": "$student", "due_at": "$later"}"#),
                                                                          [401, 403, 404, 403, 201, 404, 201]),
    row("GET /api/v1/assignments/{assignment_id}/extensions", NoBody,     [401, 403, 404, 200, 200, 404, 200]),
    row("DELETE /api/v1/assignments/{assignment_id}/extensions/{student_id}", NoBody,
                                                                          [401, 403, 404, 403, 204, 404, 204]),
    row("POST /api/v1/assignments/{assignment_id}/submissions", Json(r#"{"text": "Второй ответ"}"#),
                                                                          [401, 201, 404, 403, 403, 404, 403]),
    // `null` for staff, who hand in nothing.
    row("GET /api/v1/assignments/{assignment_id}/submissions/me", NoBody, [401, 200, 404, 200, 200, 404, 200]),
    row("GET /api/v1/assignments/{assignment_id}/submissions", NoBody,    [401, 403, 404, 200, 200, 404, 200]),
    row("GET /api/v1/submissions/{submission_id}", NoBody,                [401, 200, 404, 200, 200, 404, 200]),
    // The thread: the student and the staff who grade them.
    row("GET /api/v1/submissions/{submission_id}/comments", NoBody,       [401, 200, 404, 200, 200, 404, 200]),
    row("POST /api/v1/submissions/{submission_id}/comments", Json(r#"{"body": "<p>Вопрос по задаче 3</p>"}"#),
                                                                          [401, 201, 404, 201, 201, 404, 201]),
    row("POST /api/v1/submissions/{submission_id}/comments/read", NoBody, [401, 204, 404, 204, 204, 404, 204]),
    row("POST /api/v1/submissions/{submission_id}/grade", Json(r#"{"raw_score": 8, "feedback": "<p>Хорошо</p>", "expected_version": 1}"#),
                                                                          [401, 403, 404, 200, 200, 404, 200]),
    row("GET /api/v1/submissions/{submission_id}/grade-preview?raw_score=8", NoBody,
                                                                          [401, 403, 404, 200, 200, 404, 200]),
    row("POST /api/v1/submissions/{submission_id}/return", Json(r#"{"feedback": "<p>Доработайте</p>", "expected_version": 1}"#),
                                                                          [401, 403, 404, 200, 200, 404, 200]),
    row("GET /api/v1/submissions/{submission_id}/history", NoBody,        [401, 200, 404, 200, 200, 404, 200]),
    // Without `course_id` everyone gets the queue of the courses they grade
    // (empty for students); this is the course's queue.
    row("GET /api/v1/grading-queue?course_id={course_id}", NoBody,        [401, 403, 404, 200, 200, 404, 200]),
    // Essays waiting in quiz attempts: the homework queue's scope.
    row("GET /api/v1/grading-queue/essays?course_id={course_id}", NoBody, [401, 403, 404, 200, 200, 404, 200]),
];

/// The explanation of the quiz's question: its reveal policy is `never`,
/// so no one but staff may ever read it.
const SECRET: &str = "EXPLANATION-MARKER";

/// Operations whose answer may name the course to someone outside it: the
/// invite code makes the outsider a member.
const JOINS: &[&str] = &["POST /api/v1/courses/join"];

/// One arrangement: the seven actors' sessions and the objects the paths
/// name. Rebuilt (new users, new courses) after every successful write.
struct World {
    tokens: Vec<(Who, String)>,
    users: Vec<(Who, User)>,
    course: String,
    lesson: String,
    assignment: String,
    submission: String,
    file: String,
    quiz: String,
    question: String,
    attempt: String,
    webinar: String,
    group: String,
    announcement: String,
    bank_question: String,
    invite_code: String,
    invitation: String,
    feed_file: String,
    serial: u32,
}

struct Matrix {
    app: TestApp,
    client: reqwest::Client,
    hash: PasswordHash,
    worlds: u32,
}

impl Matrix {
    /// Sends a request; returns status and JSON body (`Null` if none).
    async fn send(
        &self,
        token: Option<&str>,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.client.request(method, self.app.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status();
        let text = resp.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// A request the arrangement needs: must succeed.
    async fn arrange(&self, token: &str, method: Method, path: &str, body: Value) -> Value {
        let (status, value) = self
            .send(Some(token), method.clone(), path, Some(body))
            .await;
        assert!(status.is_success(), "{method} {path}: {status} {value}");
        value
    }

    async fn upload(&self, token: Option<&str>, path: &str) -> (StatusCode, Value) {
        let part =
            reqwest::multipart::Part::bytes(b"%PDF-1.4 authz".to_vec()).file_name("plan.pdf");
        let mut req = self
            .client
            .post(self.app.url(path))
            .multipart(reqwest::multipart::Form::new().part("file", part));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.expect("upload");
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    async fn csv(&self, token: Option<&str>, path: &str, body: String) -> (StatusCode, Value) {
        let mut req = self
            .client
            .post(self.app.url(path))
            .header(reqwest::header::CONTENT_TYPE, "text/csv")
            .body(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.expect("csv");
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    async fn user(&self, who: Who, role: Role) -> (User, String) {
        let serial = self.worlds;
        let user = User {
            id: lms_core::UserId::new(),
            email: Email::parse(&format!("{who:?}{serial}@example.ru").to_lowercase())
                .expect("email"),
            display_name: DisplayName::parse(&format!("{who:?} {serial}")).expect("name"),
            role,
            locale: Locale::Ru,
            time_zone: TimeZone::parse("Europe/Moscow").expect("tz"),
            active: true,
            created_at: Utc::now(),
        };
        self.app
            .lms
            .storage()
            .users
            .insert_user(&user, Some(self.hash.clone()))
            .await
            .expect("insert user");
        let token = generate_token();
        self.app
            .lms
            .users
            .start_session(user.id, TokenHash::of(&token), Duration::hours(1))
            .await
            .expect("session");
        (user, token)
    }

    async fn published_course(&self, owner: &User, title: &str) -> lms_core::CourseId {
        let actor = owner.actor();
        let course = self
            .app
            .lms
            .courses
            .create_course(
                &actor,
                NewCourse {
                    title: Title::parse(title).expect("title"),
                    description: RichText::from_plain_text("Описание"),
                    owner_id: None,
                },
            )
            .await
            .expect("create course");
        self.app
            .lms
            .courses
            .set_status(&actor, course.id, CourseStatus::Published)
            .await
            .expect("publish");
        course.id
    }

    /// A fresh arrangement.
    async fn world(&mut self) -> World {
        self.worlds += 1;
        let mut users = Vec::new();
        let mut tokens = Vec::new();
        for (who, role) in [
            (Who::Student, Role::Student),
            (Who::Outsider, Role::Student),
            (Who::Assistant, Role::Assistant),
            (Who::Teacher, Role::Teacher),
            (Who::OtherTeacher, Role::Teacher),
            (Who::Admin, Role::Admin),
        ] {
            let (user, token) = self.user(who, role).await;
            users.push((who, user));
            tokens.push((who, token));
        }
        let user = |w: Who| &users.iter().find(|(x, _)| *x == w).expect("user").1;
        let token = |w: Who| {
            tokens
                .iter()
                .find(|(x, _)| *x == w)
                .expect("token")
                .1
                .clone()
        };
        let courses = &self.app.lms.courses;
        let course = self.published_course(user(Who::Teacher), "Физика").await;
        let teacher = user(Who::Teacher).actor();
        courses
            .enroll_student(&teacher, course, user(Who::Student).id)
            .await
            .expect("enroll");
        courses
            .add_assistant(&teacher, course, user(Who::Assistant).id)
            .await
            .expect("assistant");
        let other = self
            .published_course(user(Who::OtherTeacher), "Химия")
            .await;
        courses
            .enroll_student(
                &user(Who::OtherTeacher).actor(),
                other,
                user(Who::Outsider).id,
            )
            .await
            .expect("enroll outsider");

        let t = token(Who::Teacher);
        let s = token(Who::Student);
        let c = course.0;
        let future = instant(Duration::days(2));
        let lesson = self
            .arrange(
                &t,
                Method::POST,
                &format!("/api/v1/courses/{c}/lessons"),
                json!({"title": "Урок 1", "body": "<p>Текст</p>"}),
            )
            .await;
        let assignment = self
            .arrange(
                &t,
                Method::POST,
                &format!("/api/v1/courses/{c}/assignments"),
                json!({
                    "title": "ДЗ 1",
                    "instructions": "<p>Решите задачи</p>",
                    "due_at": future,
                    "max_score": 10,
                    "submission_kind": "text_and_files",
                    "file_limits": {"max_files": 2, "max_file_size": 1048576, "allowed_extensions": ["pdf"]},
                    "published": true,
                }),
            )
            .await;
        let a = id(&assignment);
        let (status, file) = self
            .upload(Some(&s), &format!("/api/v1/files?assignment_id={a}"))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{file}");
        let submission = self
            .arrange(
                &s,
                Method::POST,
                &format!("/api/v1/assignments/{a}/submissions"),
                json!({"text": "Ответ", "file_ids": [id(&file)]}),
            )
            .await;
        self.arrange(
            &t,
            Method::POST,
            &format!("/api/v1/assignments/{a}/extensions"),
            json!({"student_id": user(Who::Student).id, "due_at": instant(Duration::days(3))}),
        )
        .await;
        let quiz = self
            .arrange(
                &t,
                Method::POST,
                &format!("/api/v1/courses/{c}/quizzes"),
                json!({"title": "Тест 1", "settings": {"reveal": "never"}}),
            )
            .await;
        let q = id(&quiz);
        let question = self
            .arrange(
                &t,
                Method::POST,
                &format!("/api/v1/quizzes/{q}/questions"),
                json!({"prompt": "<p>Земля круглая?</p>", "points": 1, "body": {"kind": "true_false", "correct": true},
                       "explanation": format!("<p>{SECRET}</p>")}),
            )
            .await;
        self.arrange(
            &t,
            Method::PUT,
            &format!("/api/v1/quizzes/{q}/published"),
            json!({"published": true}),
        )
        .await;
        let attempt = self
            .arrange(
                &s,
                Method::POST,
                &format!("/api/v1/quizzes/{q}/attempts"),
                json!({}),
            )
            .await;
        let webinar = self
            .arrange(
                &t,
                Method::POST,
                &format!("/api/v1/courses/{c}/webinars"),
                json!({"title": "Лекция", "starts_at": future, "duration_minutes": 45,
                       "provider": "external_link", "external_url": "https://meet.example.ru/1"}),
            )
            .await;
        let invite = self
            .arrange(
                &t,
                Method::POST,
                &format!("/api/v1/courses/{c}/invite-code"),
                json!({}),
            )
            .await;
        let feed = self
            .arrange(&s, Method::POST, "/api/v1/calendar-feed", json!({}))
            .await;
        self.arrange(
            &t,
            Method::POST,
            "/api/v1/invitations",
            json!({"email": format!("invitee{}@example.ru", self.worlds), "display_name": "Приглашённый",
                   "course_ids": [c]}),
        )
        .await;
        let invitations = self
            .send(
                Some(&t),
                Method::GET,
                &format!("/api/v1/invitations?course_id={c}"),
                None,
            )
            .await
            .1;
        // The course runs in one group, the assistant its mentor and the
        // student in it (so the assistant still grades the student).
        let group = self
            .arrange(
                &t,
                Method::POST,
                &format!("/api/v1/courses/{c}/groups"),
                json!({"name": "Группа А", "mentor_ids": [user(Who::Assistant).id]}),
            )
            .await;
        self.arrange(
            &t,
            Method::PUT,
            &format!(
                "/api/v1/courses/{c}/students/{}/group",
                user(Who::Student).id
            ),
            json!({"group_id": id(&group)}),
        )
        .await;
        let announcement = self
            .arrange(
                &token(Who::Assistant),
                Method::POST,
                &format!("/api/v1/courses/{c}/announcements"),
                json!({"title": "Группа А: созвон в среду"}),
            )
            .await;
        let bank_question = self
            .arrange(
                &t,
                Method::POST,
                &format!("/api/v1/courses/{c}/bank"),
                json!({"category": "ЕГЭ", "prompt": "<p>1 + 1 = 2?</p>", "points": 1,
                       "body": {"kind": "true_false", "correct": true}}),
            )
            .await;
        let feed_url = feed["url"].as_str().expect("feed url");
        World {
            course: c.to_string(),
            lesson: id(&lesson).to_owned(),
            assignment: a.to_owned(),
            submission: id(&submission["submission"]).to_owned(),
            file: id(&file).to_owned(),
            quiz: q.to_owned(),
            question: id(&question).to_owned(),
            attempt: attempt_id(&attempt),
            webinar: id(&webinar).to_owned(),
            group: id(&group).to_owned(),
            announcement: id(&announcement).to_owned(),
            bank_question: id(&bank_question).to_owned(),
            invite_code: invite["invite_code"]
                .as_str()
                .expect("invite code")
                .to_owned(),
            invitation: id(&invitations[0]).to_owned(),
            feed_file: feed_url.rsplit('/').next().expect("feed file").to_owned(),
            serial: self.worlds,
            tokens,
            users,
        }
    }
}

impl World {
    fn user(&self, who: Who) -> &User {
        &self.users.iter().find(|(w, _)| *w == who).expect("user").1
    }

    fn token(&self, who: Who) -> Option<&str> {
        self.tokens
            .iter()
            .find(|(w, _)| *w == who)
            .map(|(_, t)| t.as_str())
    }

    /// What `who` must not find in a successful answer: the course's
    /// private objects when outside the course, the quiz's explanation
    /// when not staff.
    fn leak(&self, who: Who, op: &str, body: &Value) -> Option<&'static str> {
        let text = body.to_string();
        let outside = matches!(who, Who::Anonymous | Who::Outsider | Who::OtherTeacher);
        if (outside || who == Who::Student) && text.contains(SECRET) {
            return Some("the quiz's explanation");
        }
        if outside && !JOINS.contains(&op) {
            for (what, id) in [
                ("the course id", &self.course),
                ("the lesson id", &self.lesson),
                ("the submission id", &self.submission),
                ("the attempt id", &self.attempt),
                ("the file id", &self.file),
            ] {
                if text.contains(id.as_str()) {
                    return Some(what);
                }
            }
        }
        None
    }

    /// Substitutes path parameters (`{course_id}`) and body placeholders
    /// (`$student`).
    fn fill(&self, template: &str) -> String {
        let id = |w: Who| self.user(w).id.0.to_string();
        let pairs = [
            (
                "/assistants/{user_id}",
                format!("/assistants/{}", id(Who::Assistant)),
            ),
            ("{user_id}", id(Who::Student)),
            ("{student_id}", id(Who::Student)),
            ("{course_id}", self.course.clone()),
            ("{lesson_id}", self.lesson.clone()),
            ("{assignment_id}", self.assignment.clone()),
            ("{submission_id}", self.submission.clone()),
            ("{file_id}", self.file.clone()),
            ("{quiz_id}", self.quiz.clone()),
            ("{question_id}", self.question.clone()),
            ("{attempt_id}", self.attempt.clone()),
            ("{webinar_id}", self.webinar.clone()),
            ("{group_id}", self.group.clone()),
            ("{announcement_id}", self.announcement.clone()),
            ("{bank_question_id}", self.bank_question.clone()),
            ("{invitation_id}", self.invitation.clone()),
            ("{token}", "unknown-token".to_owned()),
            ("$course", self.course.clone()),
            ("{file}", self.feed_file.clone()),
            (
                "$student_email",
                self.user(Who::Student).email.as_str().to_owned(),
            ),
            ("$new_email", format!("new{}@example.ru", self.serial)),
            ("$password", PASSWORD.to_owned()),
            ("$invite_code", self.invite_code.clone()),
            ("$student", id(Who::Student)),
            ("$outsider", id(Who::Outsider)),
            ("$other_teacher", id(Who::OtherTeacher)),
            ("$lesson", self.lesson.clone()),
            ("$question", self.question.clone()),
            ("$past", instant(-Duration::days(1))),
            ("$future", instant(Duration::days(2))),
            ("$later", instant(Duration::days(3))),
        ];
        let mut out = template.to_owned();
        for (from, to) in pairs {
            out = out.replace(from, &to);
        }
        out
    }
}

/// An instant this far from now, RFC 3339 in UTC with whole seconds (safe
/// in a query string).
fn instant(from_now: Duration) -> String {
    (Utc::now() + from_now).to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn id(v: &Value) -> &str {
    v["id"].as_str().unwrap_or_else(|| panic!("no id in {v}"))
}

/// An attempt view names its id `attempt_id`.
fn attempt_id(v: &Value) -> String {
    v["attempt_id"]
        .as_str()
        .or_else(|| v["id"].as_str())
        .or_else(|| v["attempt"]["id"].as_str())
        .unwrap_or_else(|| panic!("no attempt id in {v}"))
        .to_owned()
}

/// `"METHOD /path?query"` → (`"METHOD /path"`, method).
fn operation(op: &str) -> (String, Method) {
    let (method, rest) = op.split_once(' ').expect("METHOD /path");
    let path = rest.split('?').next().expect("path");
    (
        format!("{method} {path}"),
        Method::from_bytes(method.as_bytes()).expect("method"),
    )
}

async fn every_operation_answers_every_actor_as_the_table_says(db: Db) {
    let started = std::time::Instant::now();
    let app = TestApp::spawn_with_providers(
        db,
        HttpConfig::default(),
        vec![Arc::new(ExternalLinkProvider::new())],
    )
    .await;
    let doc: Value = reqwest::get(app.url("/api/openapi.json"))
        .await
        .expect("openapi")
        .json()
        .await
        .expect("openapi json");
    let documented: BTreeSet<String> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .expect("path item")
                .keys()
                .map(move |method| format!("{} {path}", method.to_uppercase()))
        })
        .collect();
    let mut tabled = BTreeSet::new();
    for r in MATRIX {
        let (op, _) = operation(r.op);
        assert!(tabled.insert(op.clone()), "two rows for {op}");
    }
    let mut problems: Vec<String> = Vec::new();
    for op in documented.difference(&tabled) {
        problems.push(format!(
            "{op}: documented but has no row in MATRIX; add one saying who may call it"
        ));
    }
    for op in tabled.difference(&documented) {
        problems.push(format!(
            "{op}: has a row in MATRIX but is not in the document"
        ));
    }

    let mut m = Matrix {
        app,
        client: reqwest::Client::new(),
        hash: lms_http::password::hash_password(PASSWORD).expect("hash"),
        worlds: 0,
    };
    let mut world = m.world().await;
    let mut requests = 0;
    for r in MATRIX {
        let (op, method) = operation(r.op);
        if !documented.contains(&op) {
            continue;
        }
        let path_template = r.op.split_once(' ').expect("op").1;
        let mut got = [0u16; 7];
        for who in ORDER {
            let col = COLUMNS.iter().position(|w| *w == who).expect("column");
            let path = world.fill(path_template);
            let token = world.token(who).map(str::to_owned);
            let (status, body) = match r.body {
                Body::Upload => m.upload(token.as_deref(), &path).await,
                Body::Csv(t) => m.csv(token.as_deref(), &path, world.fill(t)).await,
                Body::None => m.send(token.as_deref(), method.clone(), &path, None).await,
                Body::Json(t) => {
                    let v: Value = serde_json::from_str(&world.fill(t))
                        .unwrap_or_else(|e| panic!("{op}: body is not JSON: {e}"));
                    m.send(token.as_deref(), method.clone(), &path, Some(v))
                        .await
                }
            };
            requests += 1;
            got[col] = status.as_u16();
            if status.as_u16() != r.expect[col] {
                problems.push(format!(
                    "{op} as {who:?}: expected {}, got {status} {body}",
                    r.expect[col]
                ));
            }
            if status.is_success()
                && let Some(what) = world.leak(who, &op, &body)
            {
                problems.push(format!("{op} as {who:?}: {status} shows {what}: {body}"));
            }
            if method != Method::GET && status.is_success() {
                world = m.world().await;
            }
        }
        if got != r.expect {
            problems.push(format!("  observed row: {op} {got:?}"));
        }
    }
    eprintln!(
        "{db:?}: {} operations × {} actors = {requests} requests, {} arrangements, {:.1?}",
        tabled.len(),
        COLUMNS.len(),
        m.worlds,
        started.elapsed()
    );
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

on_both!(every_operation_answers_every_actor_as_the_table_says);
