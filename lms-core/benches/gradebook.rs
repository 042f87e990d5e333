//! Building a course's gradebook: [`Gradebook::build`] for 300 students ×
//! 40 items (30 assignments and 10 quizzes), and its CSV export
//! [`Gradebook::to_csv`]. Nine students in ten hand in each assignment (one
//! in four of those with a second version), most of it graded; nine in ten
//! take each quiz, one to three attempts, a few left open. This is the work
//! done when a teacher opens the gradebook page or downloads the CSV, once
//! storage has loaded the course's staff snapshot.
//!
//! Run with `cargo bench -p lms-core --bench gradebook`
//! (add `-- --quick` for a faster, rougher figure).

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Duration;

use chrono::{DateTime, TimeZone as _, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use lms_core::course::{Course, CourseRole, CourseStatus, Title};
use lms_core::dashboard::StaffCourseData;
use lms_core::file::FileLimits;
use lms_core::gradebook::Gradebook;
use lms_core::homework::{
    Assignment, Grade, LatePolicy, Submission, SubmissionKind, SubmissionState, SubmissionVersion,
};
use lms_core::ids::{AssignmentId, QuizId, SubmissionId, UserId};
use lms_core::quiz::{Attempt, AttemptResult, AttemptState, Quiz, QuizSettings, ScoringPolicy};
use lms_core::richtext::RichText;
use lms_core::score::Points;
use lms_core::user::{DisplayName, Email, Locale, Role, TimeZone, User};
use uuid::Uuid;

const STUDENTS: u32 = 300;
const ASSIGNMENTS: u32 = 30;
const QUIZZES: u32 = 10;

/// Deterministic ids, so every run builds the same gradebook.
struct Ids(u128);

impl Ids {
    fn next<T: From<Uuid>>(&mut self) -> T {
        self.0 += 1;
        T::from(Uuid::from_u128(self.0))
    }
}

/// The course's teacher, who grades everything.
fn teacher() -> UserId {
    Uuid::from_u128(u128::MAX).into()
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 20, 12, 0, 0).unwrap()
}

fn days(n: u32) -> chrono::Duration {
    chrono::Duration::days(i64::from(n))
}

fn pts(v: f64) -> Points {
    Points::new(v).expect("points")
}

/// A small deterministic spread of `0..modulus` over students and items.
fn spread(student: u32, item: u32, modulus: u32) -> u32 {
    (student * 7 + item * 13 + student * item) % modulus
}

fn students(ids: &mut Ids) -> Vec<User> {
    const SURNAMES: [&str; 10] = [
        "Иванов",
        "петров",
        "Сидорова",
        "Кузнецов",
        "смирнова",
        "Попов",
        "Волкова",
        "Фёдоров",
        "Морозова",
        "Lebedev",
    ];
    const NAMES: [&str; 6] = ["Анна", "Борис", "вера", "Глеб", "Дарья", "Егор"];
    (0..STUDENTS)
        .map(|s| {
            let name = format!(
                "{} {}",
                SURNAMES[(s % 10) as usize],
                NAMES[(s / 10 % 6) as usize]
            );
            User {
                id: ids.next(),
                email: Email::parse(&format!("student{s}@school.example")).expect("email"),
                display_name: DisplayName::parse(&name).expect("name"),
                role: Role::Student,
                locale: Locale::Ru,
                time_zone: TimeZone::parse("Europe/Moscow").expect("time zone"),
                active: true,
                created_at: t0() - days(200),
            }
        })
        .collect()
}

fn assignment(ids: &mut Ids, course: &Course, a: u32) -> Assignment {
    let due_at = t0() - days(100) + days(3 * a);
    Assignment {
        id: ids.next::<AssignmentId>(),
        course_id: course.id,
        title: Title::parse(&format!("Домашнее задание {}", a + 1)).expect("title"),
        instructions: RichText::default(),
        attachments: vec![],
        opens_at: due_at - days(7),
        due_at,
        cut_off_at: None,
        max_score: pts(f64::from(5 + a % 4 * 5)),
        late_policy: LatePolicy::NoPenalty,
        submission_kind: SubmissionKind::Text,
        file_limits: FileLimits::default(),
        published: true,
        created_at: due_at - days(8),
    }
}

/// Student `s`'s submission to assignment `a`, if they handed it in.
fn submission(ids: &mut Ids, a: &Assignment, n: u32, student: &User, s: u32) -> Option<Submission> {
    let roll = spread(s, n, 20);
    if roll < 2 {
        return None;
    }
    let id: SubmissionId = ids.next();
    let version_count = if roll.is_multiple_of(4) { 2 } else { 1 };
    let versions: Vec<SubmissionVersion> = (1..=version_count)
        .map(|number| SubmissionVersion {
            id: ids.next(),
            submission_id: id,
            number,
            text: Some(RichText::sanitize("<p>Решение задачи приложено.</p>")),
            files: vec![],
            submitted_at: a.due_at - days(2) + days(number - 1),
            late: number > 1,
            idempotency_key: None,
        })
        .collect();
    // Three in twenty wait for a grade.
    let grade = (roll >= 5).then(|| {
        let score = pts(a.max_score.value() * f64::from(roll) / 20.0);
        Grade {
            raw_score: score,
            kept_percent: 100,
            final_score: score,
            feedback: RichText::default(),
            graded_by: teacher(),
            graded_at: a.due_at + days(2),
            version: version_count,
        }
    });
    Some(Submission {
        id,
        assignment_id: a.id,
        student_id: student.id,
        state: if grade.is_some() {
            SubmissionState::Graded
        } else {
            SubmissionState::Submitted
        },
        versions,
        grade,
        rework_feedback: None,
        updated_at: a.due_at + days(2),
    })
}

fn quiz(ids: &mut Ids, course: &Course, q: u32) -> Quiz {
    let policies = [
        ScoringPolicy::Best,
        ScoringPolicy::Last,
        ScoringPolicy::Average,
        ScoringPolicy::First,
    ];
    Quiz {
        id: ids.next::<QuizId>(),
        course_id: course.id,
        title: Title::parse(&format!("Тест {}", q + 1)).expect("title"),
        description: RichText::default(),
        settings: QuizSettings {
            opens_at: Some(t0() - days(90) + days(8 * q)),
            scoring: policies[(q % 4) as usize],
            attempts_allowed: None,
            ..QuizSettings::default()
        },
        published: true,
        created_at: t0() - days(120),
    }
}

/// Student `s`'s attempts at quiz `q`: none, or one to three, the last one
/// sometimes still open.
fn attempts(ids: &mut Ids, quiz: &Quiz, q: u32, max: f64, student: &User, s: u32) -> Vec<Attempt> {
    let roll = spread(s, q + ASSIGNMENTS, 30);
    if roll < 3 {
        return vec![];
    }
    let count = 1 + roll % 3;
    (1..=count)
        .map(|number| {
            let started_at = quiz.settings.opens_at.unwrap_or(quiz.created_at) + days(number);
            let open = number == count && roll % 10 == 9;
            Attempt {
                id: ids.next(),
                quiz_id: quiz.id,
                student_id: student.id,
                number,
                seed: u64::from(number),
                question_order: vec![],
                drawn: Vec::new(),
                started_at,
                deadline: None,
                state: if open {
                    AttemptState::Open
                } else {
                    AttemptState::Submitted
                },
                answers: BTreeMap::new(),
                saved_at: None,
                finished_at: (!open).then(|| started_at + chrono::Duration::minutes(25)),
                result: (!open).then(|| AttemptResult {
                    per_question: BTreeMap::new(),
                    score: pts(max * f64::from((roll + number * 7) % 30) / 30.0),
                    max_score: pts(max),
                    pending_manual: false,
                }),
                submit_key: None,
            }
        })
        .collect()
}

/// A course's staff snapshot with 30 assignments, 10 quizzes and the work of
/// its 300 students, and the students' accounts.
fn course_data() -> (StaffCourseData, Vec<User>) {
    let mut ids = Ids(0);
    let course = Course {
        id: ids.next(),
        title: Title::parse("Алгебра, 9 класс").expect("title"),
        description: RichText::default(),
        owner_id: teacher(),
        status: CourseStatus::Published,
        invite_code: None,
        cover: None,
        created_at: t0() - days(150),
    };
    let students = students(&mut ids);
    let assignments: Vec<Assignment> = (0..ASSIGNMENTS)
        .map(|a| assignment(&mut ids, &course, a))
        .collect();
    let mut submissions = Vec::new();
    for (n, a) in (0..).zip(&assignments) {
        for (s, student) in (0..).zip(&students) {
            submissions.extend(submission(&mut ids, a, n, student, s));
        }
    }
    let quizzes: Vec<Quiz> = (0..QUIZZES).map(|q| quiz(&mut ids, &course, q)).collect();
    let mut quiz_max_scores = BTreeMap::new();
    let mut all_attempts = Vec::new();
    for (q, quiz) in (0..).zip(&quizzes) {
        let max = f64::from(10 + q * 2);
        quiz_max_scores.insert(quiz.id, pts(max));
        for (s, student) in (0..).zip(&students) {
            all_attempts.extend(attempts(&mut ids, quiz, q, max, student, s));
        }
    }
    let data = StaffCourseData {
        course,
        role: CourseRole::Owner,
        student_count: STUDENTS,
        assignments,
        submissions,
        quizzes,
        attempts: all_attempts,
        quiz_max_scores,
    };
    (data, students)
}

fn bench_gradebook(c: &mut Criterion) {
    let (data, students) = course_data();
    let gradebook = Gradebook::build(&data, &students);
    assert_eq!(gradebook.columns.len(), (ASSIGNMENTS + QUIZZES) as usize);
    assert_eq!(gradebook.rows.len(), STUDENTS as usize);
    let filled = gradebook
        .rows
        .iter()
        .flat_map(|r| &r.cells)
        .filter(|c| c.is_some())
        .count();
    assert!(filled > 9_000, "most cells hold a score: {filled}");

    let mut group = c.benchmark_group("gradebook");
    group.bench_function("build_300_students_x_40_items", |b| {
        b.iter(|| Gradebook::build(black_box(&data), black_box(&students)));
    });
    group.bench_function("to_csv_300_students_x_40_items", |b| {
        b.iter(|| black_box(&gradebook).to_csv());
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = bench_gradebook
}
criterion_main!(benches);
