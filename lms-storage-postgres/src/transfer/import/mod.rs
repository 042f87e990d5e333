//! The import: every table written in one transaction, a batch of rows
//! per statement, in dependency order.

use super::*;

mod announcements;
mod courses;
mod groups;
mod homework;
mod misc;
mod notifications;
mod quizzes;
mod users;

use announcements::insert_announcements;
use courses::{
    insert_assistants, insert_courses, insert_enrollments, insert_lesson_views, insert_lessons,
};
use groups::{insert_group_moves, insert_groups, update_group_members};
use homework::{
    insert_assignments, insert_comment_reads, insert_comments, insert_extensions,
    insert_grade_audit, insert_submissions,
};
use misc::{insert_achievements, insert_files, insert_webinars};
use notifications::{
    insert_outbox, insert_preferences, insert_telegram_chats, insert_telegram_tokens,
};
use quizzes::{insert_attempts, insert_questions, insert_quizzes};
use users::{insert_sessions, insert_users};

/// Writes every list of `d`, parents before children, a batch at a time.
pub(super) async fn import(conn: &mut PgConnection, d: &SchoolDump) -> StorageResult<()> {
    for rows in d.users.chunks(BATCH) {
        insert_users(conn, rows).await?;
    }
    for rows in d.sessions.chunks(BATCH) {
        insert_sessions(conn, rows).await?;
    }
    for rows in d.courses.chunks(BATCH) {
        insert_courses(conn, rows).await?;
    }
    for rows in d.assistants.chunks(BATCH) {
        insert_assistants(conn, rows).await?;
    }
    for rows in d.enrollments.chunks(BATCH) {
        insert_enrollments(conn, rows).await?;
    }
    for rows in d.groups.chunks(BATCH) {
        insert_groups(conn, rows).await?;
    }
    for rows in d.group_members.chunks(BATCH) {
        update_group_members(conn, rows).await?;
    }
    for rows in d.group_moves.chunks(BATCH) {
        insert_group_moves(conn, rows).await?;
    }
    for rows in d.lessons.chunks(BATCH) {
        insert_lessons(conn, rows).await?;
    }
    for rows in d.lesson_views.chunks(BATCH) {
        insert_lesson_views(conn, rows).await?;
    }
    for rows in d.assignments.chunks(BATCH) {
        insert_assignments(conn, rows).await?;
    }
    for rows in d.extensions.chunks(BATCH) {
        insert_extensions(conn, rows).await?;
    }
    for rows in d.submissions.chunks(BATCH) {
        insert_submissions(conn, rows).await?;
    }
    for rows in d.grade_audit.chunks(BATCH) {
        insert_grade_audit(conn, rows).await?;
    }
    for rows in d.comments.chunks(BATCH) {
        insert_comments(conn, rows).await?;
    }
    for rows in d.comment_reads.chunks(BATCH) {
        insert_comment_reads(conn, rows).await?;
    }
    // After the courses, the authors' accounts and the groups.
    for rows in d.announcements.chunks(BATCH) {
        insert_announcements(conn, rows).await?;
    }
    // After the courses and the authors' accounts; the search form of each
    // prompt is written beside it.
    for rows in d.bank_questions.chunks(BATCH) {
        insert_bank_rows(conn, rows).await?;
    }
    for rows in d.quizzes.chunks(BATCH) {
        insert_quizzes(conn, rows).await?;
    }
    for rows in d.questions.chunks(BATCH) {
        insert_questions(conn, rows).await?;
    }
    for rows in d.attempts.chunks(BATCH) {
        insert_attempts(conn, rows).await?;
    }
    for rows in d.webinars.chunks(BATCH) {
        insert_webinars(conn, rows).await?;
    }
    for rows in d.outbox.chunks(BATCH) {
        insert_outbox(conn, rows).await?;
    }
    for rows in d.preferences.chunks(BATCH) {
        insert_preferences(conn, rows).await?;
    }
    for rows in d.telegram_chats.chunks(BATCH) {
        insert_telegram_chats(conn, rows).await?;
    }
    for rows in d.telegram_tokens.chunks(BATCH) {
        insert_telegram_tokens(conn, rows).await?;
    }
    for rows in d.achievements.chunks(BATCH) {
        insert_achievements(conn, rows).await?;
    }
    for rows in d.files.chunks(BATCH) {
        insert_files(conn, rows).await?;
    }
    Ok(())
}
