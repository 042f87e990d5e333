//! Whole-school export and import.

use super::*;
use crate::homework::SubmissionComment;
use crate::ids::GroupId;
use crate::transfer::CommentReadRecord;

// ---- transfer --------------------------------------------------------------

/// The ids in `keys`, refusing a repeated one with `Conflict(kind)` (what a
/// unique constraint of the SQL schema would answer).
fn unique_keys<K: Eq + std::hash::Hash>(
    keys: impl IntoIterator<Item = K>,
    kind: Conflict,
) -> StorageResult<HashSet<K>> {
    let mut seen = HashSet::new();
    for key in keys {
        if !seen.insert(key) {
            return conflict(kind);
        }
    }
    Ok(seen)
}

/// `NotFound` unless `id` is among `known` (what a foreign key would answer).
fn refers<K: Eq + std::hash::Hash>(known: &HashSet<K>, id: &K) -> StorageResult<()> {
    if known.contains(id) {
        Ok(())
    } else {
        Err(StorageError::NotFound)
    }
}

/// Values of `rows` in insertion order.
fn in_seq_order<'a, T: Clone + 'a>(rows: impl IntoIterator<Item = &'a Row<T>>) -> Vec<T> {
    let mut rows: Vec<&Row<T>> = rows.into_iter().collect();
    rows.sort_by_key(|r| r.seq);
    rows.into_iter().map(|r| r.value.clone()).collect()
}

/// Refuses a dump the SQL adapters would refuse: repeated keys and rows
/// referring to rows the dump does not hold.
#[allow(clippy::too_many_lines)]
fn check_dump(d: &SchoolDump) -> StorageResult<()> {
    let users = unique_keys(d.users.iter().map(|r| r.user.id), Conflict::Other)?;
    unique_keys(d.users.iter().map(|r| &r.user.email), Conflict::Email)?;
    unique_keys(
        d.users.iter().filter_map(|r| r.feed_token_hash.as_ref()),
        Conflict::Other,
    )?;
    unique_keys(d.sessions.iter().map(|s| &s.token_hash), Conflict::Other)?;
    for s in &d.sessions {
        refers(&users, &s.user_id)?;
    }
    let courses = unique_keys(d.courses.iter().map(|c| c.id), Conflict::Other)?;
    unique_keys(
        d.courses.iter().filter_map(|c| c.invite_code.as_ref()),
        Conflict::InviteCode,
    )?;
    for c in &d.courses {
        refers(&users, &c.owner_id)?;
    }
    unique_keys(
        d.assistants.iter().map(|a| (a.course_id, a.user_id)),
        Conflict::Assistant,
    )?;
    for a in &d.assistants {
        refers(&courses, &a.course_id)?;
        refers(&users, &a.user_id)?;
    }
    unique_keys(
        d.enrollments.iter().map(|e| (e.course_id, e.student_id)),
        Conflict::Enrollment,
    )?;
    for e in &d.enrollments {
        refers(&courses, &e.course_id)?;
        refers(&users, &e.student_id)?;
    }
    let groups = unique_keys(d.groups.iter().map(|g| g.id), Conflict::Other)?;
    unique_keys(
        d.groups.iter().filter_map(|g| g.invite_code.as_ref()),
        Conflict::InviteCode,
    )?;
    unique_keys(
        d.groups
            .iter()
            .flat_map(|g| g.mentors.iter().map(move |m| (g.id, *m))),
        Conflict::Other,
    )?;
    for g in &d.groups {
        refers(&courses, &g.course_id)?;
        for m in &g.mentors {
            refers(&users, m)?;
        }
    }
    let enrolled: HashSet<(CourseId, UserId)> = d
        .enrollments
        .iter()
        .map(|e| (e.course_id, e.student_id))
        .collect();
    let group_courses: HashSet<(GroupId, CourseId)> =
        d.groups.iter().map(|g| (g.id, g.course_id)).collect();
    unique_keys(
        d.group_members.iter().map(|m| (m.course_id, m.student_id)),
        Conflict::Other,
    )?;
    for m in &d.group_members {
        refers(&enrolled, &(m.course_id, m.student_id))?;
        refers(&groups, &m.group_id)?;
        // PostgreSQL's (group_id, course_id) key: a group of the enrolment's course.
        refers(&group_courses, &(m.group_id, m.course_id))?;
    }
    for m in &d.group_moves {
        refers(&courses, &m.course_id)?;
        refers(&users, &m.student_id)?;
        refers(&users, &m.moved_by)?;
    }
    let lessons = unique_keys(d.lessons.iter().map(|l| l.id), Conflict::Other)?;
    unique_keys(
        d.lessons.iter().map(|l| (l.course_id, l.position)),
        Conflict::Stale,
    )?;
    for l in &d.lessons {
        refers(&courses, &l.course_id)?;
    }
    unique_keys(
        d.lesson_views.iter().map(|v| (v.lesson_id, v.student_id)),
        Conflict::Other,
    )?;
    for v in &d.lesson_views {
        refers(&lessons, &v.lesson_id)?;
        refers(&users, &v.student_id)?;
    }
    let assignments = unique_keys(d.assignments.iter().map(|a| a.id), Conflict::Other)?;
    for a in &d.assignments {
        refers(&courses, &a.course_id)?;
    }
    unique_keys(
        d.extensions.iter().map(|e| (e.assignment_id, e.student_id)),
        Conflict::Other,
    )?;
    for e in &d.extensions {
        refers(&assignments, &e.assignment_id)?;
        refers(&users, &e.student_id)?;
        refers(&users, &e.granted_by)?;
    }
    let submissions = unique_keys(d.submissions.iter().map(|s| s.id), Conflict::Other)?;
    unique_keys(
        d.submissions
            .iter()
            .map(|s| (s.assignment_id, s.student_id)),
        Conflict::Other,
    )?;
    unique_keys(
        d.submissions
            .iter()
            .flat_map(|s| s.versions.iter().map(|v| v.id)),
        Conflict::Other,
    )?;
    unique_keys(
        d.submissions
            .iter()
            .flat_map(|s| s.versions.iter().map(move |v| (s.id, v.number))),
        Conflict::Stale,
    )?;
    unique_keys(
        d.submissions.iter().flat_map(|s| {
            s.versions
                .iter()
                .filter_map(move |v| v.idempotency_key.as_ref().map(|k| (s.id, k)))
        }),
        Conflict::Other,
    )?;
    for s in &d.submissions {
        refers(&assignments, &s.assignment_id)?;
        refers(&users, &s.student_id)?;
        if let Some(g) = &s.grade {
            refers(&users, &g.graded_by)?;
        }
    }
    unique_keys(d.grade_audit.iter().map(|a| a.id), Conflict::Other)?;
    for a in &d.grade_audit {
        refers(&submissions, &a.submission_id)?;
        refers(&users, &a.actor_id)?;
    }
    unique_keys(d.comments.iter().map(|c| c.id), Conflict::Other)?;
    for c in &d.comments {
        refers(&submissions, &c.submission_id)?;
        refers(&users, &c.author_id)?;
    }
    unique_keys(
        d.comment_reads.iter().map(|r| (r.submission_id, r.user_id)),
        Conflict::Other,
    )?;
    for r in &d.comment_reads {
        refers(&submissions, &r.submission_id)?;
        refers(&users, &r.user_id)?;
    }
    unique_keys(d.announcements.iter().map(|a| a.id), Conflict::Other)?;
    for a in &d.announcements {
        refers(&courses, &a.course_id)?;
        refers(&users, &a.author_id)?;
        for g in &a.group_ids {
            refers(&groups, g)?;
        }
    }
    unique_keys(d.bank_questions.iter().map(|q| q.id), Conflict::Other)?;
    for q in &d.bank_questions {
        refers(&courses, &q.course_id)?;
        refers(&users, &q.author_id)?;
    }
    let quizzes = unique_keys(d.quizzes.iter().map(|q| q.id), Conflict::Other)?;
    for q in &d.quizzes {
        refers(&courses, &q.course_id)?;
    }
    unique_keys(d.questions.iter().map(|q| q.id), Conflict::Other)?;
    unique_keys(
        d.questions.iter().map(|q| (q.quiz_id, q.position)),
        Conflict::Stale,
    )?;
    for q in &d.questions {
        refers(&quizzes, &q.quiz_id)?;
    }
    unique_keys(d.attempts.iter().map(|a| a.id), Conflict::Other)?;
    unique_keys(
        d.attempts
            .iter()
            .map(|a| (a.quiz_id, a.student_id, a.number)),
        Conflict::AttemptLimit,
    )?;
    unique_keys(
        d.attempts
            .iter()
            .filter(|a| a.state == AttemptState::Open)
            .map(|a| (a.quiz_id, a.student_id)),
        Conflict::OpenAttempt,
    )?;
    for a in &d.attempts {
        refers(&quizzes, &a.quiz_id)?;
        refers(&users, &a.student_id)?;
    }
    unique_keys(d.webinars.iter().map(|w| w.id), Conflict::Other)?;
    for w in &d.webinars {
        refers(&courses, &w.course_id)?;
        refers(&users, &w.created_by)?;
    }
    unique_keys(d.outbox.iter().map(|e| e.id), Conflict::Other)?;
    unique_keys(d.outbox.iter().map(|e| &e.dedup_key), Conflict::OutboxDedup)?;
    for e in &d.outbox {
        refers(&users, &e.recipient_id)?;
    }
    unique_keys(d.preferences.iter().map(|p| p.user_id), Conflict::Other)?;
    for p in &d.preferences {
        refers(&users, &p.user_id)?;
    }
    unique_keys(d.telegram_chats.iter().map(|c| c.user_id), Conflict::Other)?;
    unique_keys(d.telegram_chats.iter().map(|c| c.chat_id), Conflict::Other)?;
    for c in &d.telegram_chats {
        refers(&users, &c.user_id)?;
    }
    unique_keys(
        d.telegram_tokens.iter().map(|t| &t.token_hash),
        Conflict::Other,
    )?;
    for t in &d.telegram_tokens {
        refers(&users, &t.user_id)?;
    }
    unique_keys(
        d.achievements.iter().map(award_scope),
        Conflict::Achievement,
    )?;
    for a in &d.achievements {
        refers(&users, &a.user_id)?;
    }
    unique_keys(d.files.iter().map(|f| f.file.id), Conflict::Other)?;
    unique_keys(d.files.iter().map(|f| &f.file.storage_key), Conflict::Other)?;
    for f in &d.files {
        refers(&users, &f.file.uploaded_by)?;
        match f.owner {
            FileOwner::Lesson(id) => refers(&lessons, &id)?,
            FileOwner::Assignment(id) => refers(&assignments, &id)?,
            FileOwner::Submission(id) => refers(&submissions, &id)?,
            FileOwner::Course(id) => refers(&courses, &id)?,
            FileOwner::Quiz(id) => refers(&quizzes, &id)?,
            FileOwner::Unattached => {}
        }
    }
    Ok(())
}

impl State {
    /// Whether no row of any kind is stored.
    pub(super) fn is_empty(&self) -> bool {
        self.users.is_empty()
            && self.sessions.is_empty()
            && self.courses.is_empty()
            && self.assistants.is_empty()
            && self.enrollments.is_empty()
            && self.groups.is_empty()
            && self.student_groups.is_empty()
            && self.group_moves.is_empty()
            && self.lessons.is_empty()
            && self.lesson_views.is_empty()
            && self.assignments.is_empty()
            && self.extensions.is_empty()
            && self.submissions.is_empty()
            && self.audit.is_empty()
            && self.comments.is_empty()
            && self.comment_reads.is_empty()
            && self.announcements.is_empty()
            && self.bank.is_empty()
            && self.quizzes.is_empty()
            && self.questions.is_empty()
            && self.attempts.is_empty()
            && self.webinars.is_empty()
            && self.outbox.is_empty()
            && self.preferences.is_empty()
            && self.telegram_tokens.is_empty()
            && self.telegram_chats.is_empty()
            && self.achievements.is_empty()
            && self.files.is_empty()
            && self.idempotency.is_empty()
    }

    /// Every row; rows with an insertion sequence in that order, so an
    /// import into another memory storage keeps every tie-breaker.
    pub(super) fn export(&self) -> SchoolDump {
        let mut users: Vec<&UserRow> = self.users.values().collect();
        users.sort_by_key(|r| r.seq);
        let mut sessions: Vec<Session> = self.sessions.values().cloned().collect();
        sessions
            .sort_by(|a, b| (a.created_at, &a.token_hash.0).cmp(&(b.created_at, &b.token_hash.0)));
        let mut lessons: Vec<Lesson> = self.lessons.values().cloned().collect();
        lessons.sort_by_key(|l| (l.course_id, l.position));
        let mut lesson_views: Vec<LessonViewRecord> = self
            .lesson_views
            .iter()
            .map(|((lesson_id, student_id), viewed_at)| LessonViewRecord {
                lesson_id: *lesson_id,
                student_id: *student_id,
                viewed_at: *viewed_at,
            })
            .collect();
        lesson_views.sort_by_key(|v| (v.viewed_at, v.lesson_id, v.student_id));
        let mut questions: Vec<Question> = self.questions.values().cloned().collect();
        questions.sort_by_key(|q| (q.quiz_id, q.position));
        let mut preferences: Vec<NotificationPreferences> =
            self.preferences.values().cloned().collect();
        preferences.sort_by_key(|p| p.user_id);
        let mut telegram_chats: Vec<TelegramChatRecord> = self
            .telegram_chats
            .iter()
            .map(|(user_id, chat_id)| TelegramChatRecord {
                user_id: *user_id,
                chat_id: *chat_id,
            })
            .collect();
        telegram_chats.sort_by_key(|c| c.user_id);
        let mut telegram_tokens: Vec<TelegramLinkToken> =
            self.telegram_tokens.values().cloned().collect();
        telegram_tokens.sort_by(|a, b| a.token_hash.0.cmp(&b.token_hash.0));
        let mut files: Vec<FileRecord> = self
            .files
            .values()
            .map(|(file, owner)| FileRecord {
                file: file.clone(),
                owner: *owner,
            })
            .collect();
        files.sort_by_key(|f| (f.file.uploaded_at, f.file.id));
        let mut comment_reads: Vec<CommentReadRecord> = self
            .comment_reads
            .iter()
            .map(|((submission_id, user_id), read_at)| CommentReadRecord {
                submission_id: *submission_id,
                user_id: *user_id,
                read_at: *read_at,
            })
            .collect();
        comment_reads.sort_by_key(|r| (r.read_at, r.submission_id, r.user_id));
        // In the order enrolled.
        let group_members: Vec<GroupMemberRecord> = in_seq_order(&self.enrollments)
            .into_iter()
            .filter_map(|e| {
                self.student_groups
                    .get(&(e.course_id, e.student_id))
                    .map(|group_id| GroupMemberRecord {
                        course_id: e.course_id,
                        student_id: e.student_id,
                        group_id: *group_id,
                    })
            })
            .collect();
        SchoolDump {
            users: users
                .into_iter()
                .map(|r| UserRecord {
                    user: r.user.clone(),
                    password_hash: r.password.clone(),
                    feed_token_hash: r.feed_token.clone(),
                })
                .collect(),
            sessions,
            courses: in_seq_order(self.courses.values()),
            assistants: self
                .assistants
                .iter()
                .map(|(course_id, user_id)| AssistantRecord {
                    course_id: *course_id,
                    user_id: *user_id,
                })
                .collect(),
            enrollments: in_seq_order(&self.enrollments),
            groups: in_seq_order(self.groups.values()),
            group_members,
            group_moves: self.group_moves.clone(),
            lessons,
            lesson_views,
            assignments: in_seq_order(self.assignments.values()),
            extensions: in_seq_order(&self.extensions),
            submissions: in_seq_order(self.submissions.values()),
            grade_audit: in_seq_order(&self.audit),
            comments: self.comments.clone(),
            comment_reads,
            announcements: self.announcements.clone(),
            bank_questions: in_seq_order(self.bank.values()),
            quizzes: in_seq_order(self.quizzes.values()),
            questions,
            attempts: in_seq_order(self.attempts.values()),
            webinars: in_seq_order(self.webinars.values()),
            outbox: self.outbox.clone(),
            preferences,
            telegram_chats,
            telegram_tokens,
            achievements: self.achievements.clone(),
            files,
        }
    }

    /// A state holding exactly the rows of a checked dump, inserted in
    /// dump order. Versions belong to the submission they are listed under.
    pub(super) fn from_dump(d: &SchoolDump) -> Self {
        fn rows<T: Clone>(st: &mut State, values: &[T]) -> Vec<Row<T>> {
            values
                .iter()
                .map(|value| Row {
                    value: value.clone(),
                    seq: st.next_seq(),
                })
                .collect()
        }
        let mut st = State::default();
        for r in &d.users {
            let seq = st.next_seq();
            st.users.insert(
                r.user.id,
                UserRow {
                    user: r.user.clone(),
                    password: r.password_hash.clone(),
                    feed_token: r.feed_token_hash.clone(),
                    feed_link: None,
                    seq,
                },
            );
        }
        st.sessions = d
            .sessions
            .iter()
            .map(|s| (s.token_hash.clone(), s.clone()))
            .collect();
        let courses = rows(&mut st, &d.courses);
        st.courses = courses.into_iter().map(|r| (r.value.id, r)).collect();
        st.assistants = d
            .assistants
            .iter()
            .map(|a| (a.course_id, a.user_id))
            .collect();
        st.enrollments = rows(&mut st, &d.enrollments);
        let groups = rows(&mut st, &d.groups);
        st.groups = groups.into_iter().map(|r| (r.value.id, r)).collect();
        st.student_groups = d
            .group_members
            .iter()
            .map(|m| ((m.course_id, m.student_id), m.group_id))
            .collect();
        st.group_moves = d.group_moves.clone();
        st.lessons = d.lessons.iter().map(|l| (l.id, l.clone())).collect();
        st.lesson_views = d
            .lesson_views
            .iter()
            .map(|v| ((v.lesson_id, v.student_id), v.viewed_at))
            .collect();
        let assignments = rows(&mut st, &d.assignments);
        st.assignments = assignments.into_iter().map(|r| (r.value.id, r)).collect();
        st.extensions = rows(&mut st, &d.extensions);
        let submissions = rows(&mut st, &d.submissions);
        st.submissions = submissions
            .into_iter()
            .map(|mut r| {
                let id = r.value.id;
                for v in &mut r.value.versions {
                    v.submission_id = id;
                }
                (id, r)
            })
            .collect();
        st.audit = rows(&mut st, &d.grade_audit);
        // Author names are read with a thread, not stored.
        st.comments = d
            .comments
            .iter()
            .map(|c| SubmissionComment {
                author_name: String::new(),
                ..c.clone()
            })
            .collect();
        st.comment_reads = d
            .comment_reads
            .iter()
            .map(|r| ((r.submission_id, r.user_id), r.read_at))
            .collect();
        st.announcements = d
            .announcements
            .iter()
            .map(|a| {
                let mut a = crate::announcement::Announcement {
                    author_name: String::new(),
                    ..a.clone()
                };
                a.group_ids.sort_unstable();
                a
            })
            .collect();
        let bank = rows(&mut st, &d.bank_questions);
        st.bank = bank.into_iter().map(|r| (r.value.id, r)).collect();
        let quizzes = rows(&mut st, &d.quizzes);
        st.quizzes = quizzes.into_iter().map(|r| (r.value.id, r)).collect();
        st.questions = d.questions.iter().map(|q| (q.id, q.clone())).collect();
        let attempts = rows(&mut st, &d.attempts);
        st.attempts = attempts.into_iter().map(|r| (r.value.id, r)).collect();
        let webinars = rows(&mut st, &d.webinars);
        st.webinars = webinars.into_iter().map(|r| (r.value.id, r)).collect();
        st.outbox = d.outbox.clone();
        st.preferences = d
            .preferences
            .iter()
            .map(|p| (p.user_id, p.clone()))
            .collect();
        st.telegram_chats = d
            .telegram_chats
            .iter()
            .map(|c| (c.user_id, c.chat_id))
            .collect();
        st.telegram_tokens = d
            .telegram_tokens
            .iter()
            .map(|t| (t.token_hash.clone(), t.clone()))
            .collect();
        st.achievements = d.achievements.clone();
        st.files = d
            .files
            .iter()
            .map(|f| (f.file.id, (f.file.clone(), f.owner)))
            .collect();
        st
    }
}

#[async_trait]
impl SchoolTransfer for MemoryStorage {
    async fn export_school(&self) -> StorageResult<SchoolDump> {
        Ok(self.lock().export())
    }

    async fn import_school(&self, dump: &SchoolDump) -> StorageResult<()> {
        let mut st = self.lock();
        // Any stored row counts: the SQL adapters' "no users" means the same,
        // as every row there refers to a user.
        if !st.is_empty() {
            return conflict(Conflict::Other);
        }
        check_dump(dump)?;
        *st = State::from_dump(dump);
        Ok(())
    }
}
