//! The gradebook table and its CSV export.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::dashboard::{StaffCourseData, quiz_scores_by_student};
use crate::homework::Assignment;
use crate::ids::{CourseId, SubmissionId, UserId};
use crate::quiz::Quiz;
use crate::score::Points;
use crate::spreadsheet::SpreadsheetCsv;
use crate::user::User;

/// What a gradebook column is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    /// A homework assignment.
    Assignment,
    /// A quiz.
    Quiz,
}

/// One column: an assignment or a quiz.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GradebookColumn {
    /// Assignment or quiz.
    pub kind: ColumnKind,
    /// The assignment's or quiz's id.
    pub id: uuid::Uuid,
    /// Title.
    pub title: String,
    /// The most points it gives. For a quiz, the maximum of its latest
    /// finished attempt; 0 while nobody has finished it.
    pub max_score: f64,
}

/// One student's row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GradebookRow {
    /// The student.
    pub student_id: UserId,
    /// Display name.
    pub student_name: String,
    /// E-mail address.
    pub email: String,
    /// Per column: the final homework score once graded, the quiz score by
    /// the quiz's scoring policy once an attempt is finished; else `None`.
    pub cells: Vec<Option<f64>>,
    /// Per column, the student's submission to that assignment (graded or
    /// waiting), so a cell can link to it; `None` for quizzes and for work
    /// not handed in.
    pub submission_ids: Vec<Option<SubmissionId>>,
    /// Sum of the cells.
    pub total: f64,
    /// Sum of the columns' maxima.
    pub total_max: f64,
    /// `total` as a percentage of `total_max`, rounded to hundredths (0 when
    /// there is nothing to score).
    pub percent: f64,
}

/// A course's gradebook: enrolled students × published assignments and quizzes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Gradebook {
    /// The course.
    pub course_id: CourseId,
    /// Assignments by due date, then quizzes by opening (or creation) date.
    pub columns: Vec<GradebookColumn>,
    /// Students by name (case-insensitive), then e-mail.
    pub rows: Vec<GradebookRow>,
}

/// `v` with a negative zero (an empty float sum) turned into zero.
fn positive_zero(v: f64) -> f64 {
    if v == 0.0 { 0.0 } else { v }
}

/// A number for the CSV: up to two decimals with a dot, no trailing zeros.
fn csv_number(v: f64) -> String {
    let s = format!("{:.2}", positive_zero(v));
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// A course's published assignments by due date and published quizzes by
/// opening (else creation) date: the gradebook's columns, and the order of
/// the per-item statistics.
pub(crate) fn columns_of(data: &StaffCourseData) -> (Vec<&Assignment>, Vec<&Quiz>) {
    let mut assignments: Vec<&Assignment> = data
        .assignments
        .iter()
        .filter(|a| a.published && a.course_id == data.course.id)
        .collect();
    assignments.sort_by(|a, b| {
        (a.due_at, a.title.as_str(), a.id).cmp(&(b.due_at, b.title.as_str(), b.id))
    });
    let mut quizzes: Vec<&Quiz> = data
        .quizzes
        .iter()
        .filter(|q| q.published && q.course_id == data.course.id)
        .collect();
    quizzes.sort_by(|a, b| {
        let key = |q: &Quiz| q.settings.opens_at.unwrap_or(q.created_at);
        (key(a), a.title.as_str(), a.id).cmp(&(key(b), b.title.as_str(), b.id))
    });
    (assignments, quizzes)
}

impl Gradebook {
    /// The gradebook of a course from its staff snapshot and its enrolled
    /// students' accounts. Only published assignments and quizzes are
    /// columns; work of users not in `students` is ignored.
    #[must_use]
    pub fn build(data: &StaffCourseData, students: &[User]) -> Self {
        let (assignments, quizzes) = columns_of(data);

        let mut columns = Vec::with_capacity(assignments.len() + quizzes.len());
        // Per column: student → score.
        let mut scores: Vec<HashMap<UserId, Points>> = Vec::with_capacity(columns.capacity());
        // Per column: student → submission (assignments only).
        let mut handed_in: Vec<HashMap<UserId, SubmissionId>> =
            Vec::with_capacity(columns.capacity());
        for a in &assignments {
            columns.push(GradebookColumn {
                kind: ColumnKind::Assignment,
                id: a.id.as_uuid(),
                title: a.title.as_str().to_owned(),
                max_score: a.max_score.value(),
            });
            scores.push(
                data.submissions
                    .iter()
                    .filter(|s| s.assignment_id == a.id)
                    .filter_map(|s| s.grade.as_ref().map(|g| (s.student_id, g.final_score)))
                    .collect(),
            );
            handed_in.push(
                data.submissions
                    .iter()
                    .filter(|s| s.assignment_id == a.id)
                    .map(|s| (s.student_id, s.id))
                    .collect(),
            );
        }
        for q in &quizzes {
            let latest_max = data
                .quiz_max_scores
                .get(&q.id)
                .copied()
                .unwrap_or(Points::ZERO);
            columns.push(GradebookColumn {
                kind: ColumnKind::Quiz,
                id: q.id.as_uuid(),
                title: q.title.as_str().to_owned(),
                max_score: latest_max.value(),
            });
            scores.push(
                quiz_scores_by_student(q, &data.attempts)
                    .into_iter()
                    .map(|(s, score)| (s, score.score))
                    .collect(),
            );
            handed_in.push(HashMap::new());
        }

        let total_max = Points::sum(columns.iter().filter_map(|c| Points::new(c.max_score).ok()));
        let mut rows: Vec<GradebookRow> = students
            .iter()
            .map(|u| {
                let cells: Vec<Option<Points>> =
                    scores.iter().map(|col| col.get(&u.id).copied()).collect();
                let total = Points::sum(cells.iter().flatten().copied());
                GradebookRow {
                    student_id: u.id,
                    student_name: u.display_name.as_str().to_owned(),
                    email: u.email.as_str().to_owned(),
                    cells: cells.iter().map(|c| c.map(Points::value)).collect(),
                    submission_ids: handed_in
                        .iter()
                        .map(|col| col.get(&u.id).copied())
                        .collect(),
                    total: positive_zero(total.value()),
                    total_max: positive_zero(total_max.value()),
                    percent: positive_zero(total.percent_of(total_max)),
                }
            })
            .collect();
        rows.sort_by(|a, b| {
            (a.student_name.to_lowercase(), &a.email, a.student_id).cmp(&(
                b.student_name.to_lowercase(),
                &b.email,
                b.student_id,
            ))
        });

        Self {
            course_id: data.course.id,
            columns,
            rows,
        }
    }

    /// The gradebook as CSV (RFC 4180, comma-separated, CRLF line ends) with
    /// a UTF-8 byte-order mark so spreadsheet programs read Cyrillic, a
    /// Russian header `Студент,E-mail,<columns…>,Итого,Из,%`, numbers with a
    /// dot and at most two decimals, empty cells for missing scores, and text
    /// that a spreadsheet would run as a formula prefixed with `'`.
    #[must_use]
    pub fn to_csv(&self) -> String {
        let mut csv = SpreadsheetCsv::new(b',');
        csv.row(
            ["Студент", "E-mail"]
                .into_iter()
                .chain(self.columns.iter().map(|c| c.title.as_str()))
                .chain(["Итого", "Из", "%"]),
        );
        for row in &self.rows {
            csv.row(
                [row.student_name.clone(), row.email.clone()]
                    .into_iter()
                    .chain(
                        row.cells
                            .iter()
                            .map(|c| c.map(csv_number).unwrap_or_default()),
                    )
                    .chain([
                        csv_number(row.total),
                        csv_number(row.total_max),
                        csv_number(row.percent),
                    ]),
            );
        }
        csv.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::course::{Course, CourseRole, CourseStatus};
    use crate::dashboard::model::fixtures::*;
    use crate::homework::SubmissionState;
    use crate::quiz::ScoringPolicy;
    use crate::user::Role;
    use proptest::prelude::*;

    fn data(course: &Course) -> StaffCourseData {
        StaffCourseData {
            course: course.clone(),
            role: CourseRole::Owner,
            student_count: 0,
            assignments: vec![],
            submissions: vec![],
            quizzes: vec![],
            attempts: vec![],
            quiz_max_scores: Default::default(),
        }
    }

    /// Two assignments and a quiz, three students.
    fn example() -> (StaffCourseData, Vec<User>) {
        let c = course("Алгебра", CourseStatus::Published);
        let later = assignment(&c, "ДЗ 2", t0() + days(2), 5.0);
        let first = assignment(&c, "ДЗ 1", t0() - days(2), 10.0);
        let mut draft = assignment(&c, "Черновик", t0(), 10.0);
        draft.published = false;
        let mut q = quiz(&c, "Тест", ScoringPolicy::Last);
        q.settings.opens_at = Some(t0() + days(5));
        let mut hidden = quiz(&c, "Скрытый тест", ScoringPolicy::Best);
        hidden.published = false;
        let students = vec![
            user("яков Петров", "yakov@school.example", Role::Student),
            user("Анна Иванова", "anna@school.example", Role::Student),
            user("борис Сидоров", "boris@school.example", Role::Student),
        ];
        let (yakov, anna, boris) = (students[0].id, students[1].id, students[2].id);
        let outsider = crate::ids::UserId::new();
        let mut d = data(&c);
        d.student_count = 3;
        d.submissions = vec![
            graded(&first, anna, false, 9.5, t0()),
            graded(&first, yakov, true, 4.25, t0()),
            graded(&later, anna, false, 5.0, t0()),
            // Handed in but not graded: no score yet.
            submission(&later, boris, &[(t0(), false)], SubmissionState::Submitted),
            graded(&first, outsider, false, 10.0, t0()),
        ];
        d.attempts = vec![
            attempt(&q, anna, 1, 6.0, 8.0),
            attempt(&q, anna, 2, 7.0, 8.0),
            attempt(&q, boris, 1, 2.0, 8.0),
            open_attempt(&q, yakov, 1),
            attempt(&hidden, anna, 1, 3.0, 3.0),
        ];
        d.assignments = vec![later, draft, first];
        d.quiz_max_scores = [
            (q.id, Points::new(8.0).unwrap()),
            (hidden.id, Points::new(3.0).unwrap()),
        ]
        .into();
        d.quizzes = vec![q, hidden];
        (d, students)
    }

    #[test]
    fn builds_columns_rows_cells_and_totals() {
        let (d, students) = example();
        let g = Gradebook::build(&d, &students);
        assert_eq!(g.course_id, d.course.id);
        let cols: Vec<_> = g
            .columns
            .iter()
            .map(|c| (c.kind, c.title.as_str(), c.max_score))
            .collect();
        assert_eq!(
            cols,
            vec![
                (ColumnKind::Assignment, "ДЗ 1", 10.0),
                (ColumnKind::Assignment, "ДЗ 2", 5.0),
                (ColumnKind::Quiz, "Тест", 8.0),
            ],
            "published only, assignments by due date, then quizzes"
        );
        assert_eq!(g.columns[0].id, d.assignments[2].id.as_uuid());
        assert_eq!(g.columns[2].id, d.quizzes[0].id.as_uuid());

        let names: Vec<_> = g.rows.iter().map(|r| r.student_name.as_str()).collect();
        assert_eq!(
            names,
            vec!["Анна Иванова", "борис Сидоров", "яков Петров"],
            "by name, ignoring case"
        );
        let anna = &g.rows[0];
        assert_eq!(anna.email, "anna@school.example");
        assert_eq!(
            anna.cells,
            vec![Some(9.5), Some(5.0), Some(7.0)],
            "quiz: last attempt"
        );
        assert_eq!((anna.total, anna.total_max), (21.5, 23.0));
        assert_eq!(anna.percent, 93.48);
        let sub = |a: &Assignment, u: UserId| {
            d.submissions
                .iter()
                .find(|s| s.assignment_id == a.id && s.student_id == u)
                .map(|s| s.id)
        };
        let (first, later) = (&d.assignments[2], &d.assignments[0]);
        assert_eq!(
            anna.submission_ids,
            vec![
                sub(first, anna.student_id),
                sub(later, anna.student_id),
                None
            ],
            "assignment cells link to the submission; quiz cells to none"
        );
        assert!(anna.submission_ids[0].is_some());
        let boris = &g.rows[1];
        assert_eq!(boris.cells, vec![None, None, Some(2.0)]);
        assert!(
            boris.submission_ids[1].is_some(),
            "work waiting for a grade is linked too"
        );
        assert_eq!(boris.submission_ids[0], None, "nothing handed in");
        assert_eq!((boris.total, boris.percent), (2.0, 8.7));
        let yakov = &g.rows[2];
        assert_eq!(
            yakov.cells,
            vec![Some(4.25), None, None],
            "open attempts do not count"
        );
        assert_eq!(yakov.percent, 18.48);
        assert_eq!(
            g.rows.len(),
            3,
            "work of users who are not enrolled is ignored"
        );
    }

    #[test]
    fn empty_course_and_unfinished_quiz_have_zero_maxima() {
        let c = course("Пусто", CourseStatus::Draft);
        let students = vec![user("Анна", "anna@school.example", Role::Student)];
        let g = Gradebook::build(&data(&c), &students);
        assert!(g.columns.is_empty());
        assert_eq!(g.rows[0].cells, Vec::<Option<f64>>::new());
        assert_eq!(
            (g.rows[0].total, g.rows[0].total_max, g.rows[0].percent),
            (0.0, 0.0, 0.0)
        );
        assert!(
            g.rows[0].total.is_sign_positive() && g.rows[0].percent.is_sign_positive(),
            "no negative zero from empty sums"
        );

        let mut d = data(&c);
        d.quizzes = vec![quiz(&c, "Никто не решал", ScoringPolicy::Best)];
        let g = Gradebook::build(&d, &students);
        assert_eq!(g.columns[0].max_score, 0.0);
        assert_eq!(g.rows[0].percent, 0.0);
        assert!(Gradebook::build(&d, &[]).rows.is_empty());
    }

    #[test]
    fn csv_has_bom_russian_header_crlf_and_numbers() {
        let (d, students) = example();
        let csv = Gradebook::build(&d, &students).to_csv();
        assert!(csv.starts_with('\u{FEFF}'));
        let lines: Vec<&str> = csv.trim_start_matches('\u{FEFF}').split("\r\n").collect();
        assert_eq!(
            lines,
            vec![
                "Студент,E-mail,ДЗ 1,ДЗ 2,Тест,Итого,Из,%",
                "Анна Иванова,anna@school.example,9.5,5,7,21.5,23,93.48",
                "борис Сидоров,boris@school.example,,,2,2,23,8.7",
                "яков Петров,yakov@school.example,4.25,,,4.25,23,18.48",
                "",
            ]
        );
        assert!(
            !csv.replace("\r\n", "").contains('\n'),
            "every line ends in CRLF"
        );
    }

    fn one_row(name: &str, column: &str) -> Gradebook {
        Gradebook {
            course_id: crate::ids::CourseId::new(),
            columns: vec![GradebookColumn {
                kind: ColumnKind::Assignment,
                id: uuid::Uuid::nil(),
                title: column.to_owned(),
                max_score: 10.0,
            }],
            rows: vec![GradebookRow {
                student_id: crate::ids::UserId::new(),
                student_name: name.to_owned(),
                email: "a@b.example".to_owned(),
                cells: vec![Some(10.0)],
                submission_ids: vec![None],
                total: 10.0,
                total_max: 10.0,
                percent: 100.0,
            }],
        }
    }

    #[test]
    fn csv_quotes_commas_quotes_and_line_breaks() {
        let csv = one_row("Иванов, Иван \"Ваня\"", "Задача\nс переносом").to_csv();
        assert_eq!(
            csv,
            "\u{FEFF}Студент,E-mail,\"Задача\nс переносом\",Итого,Из,%\r\n\
             \"Иванов, Иван \"\"Ваня\"\"\",a@b.example,10,10,10,100\r\n"
        );
    }

    #[test]
    fn csv_defuses_formulas() {
        for (name, expected) in [
            (
                "=HYPERLINK(\"http://x\")",
                "\"'=HYPERLINK(\"\"http://x\"\")\"",
            ),
            ("+79001234567", "'+79001234567"),
            ("-1+2", "'-1+2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("Анна-Мария", "Анна-Мария"),
        ] {
            let csv = one_row(name, "=cmd|' /C calc'!A0").to_csv();
            let lines: Vec<&str> = csv.split("\r\n").collect();
            assert_eq!(
                lines[0],
                "\u{FEFF}Студент,E-mail,'=cmd|' /C calc'!A0,Итого,Из,%"
            );
            assert!(
                lines[1].starts_with(&format!("{expected},")),
                "{name}: {}",
                lines[1]
            );
        }
    }

    /// Splits one RFC 4180 record (no line breaks inside fields).
    fn parse_record(line: &str) -> Vec<String> {
        let mut fields = vec![String::new()];
        let mut quoted = false;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, quoted) {
                ('"', true) if chars.peek() == Some(&'"') => {
                    chars.next();
                    fields.last_mut().unwrap().push('"');
                }
                ('"', _) => quoted = !quoted,
                (',', false) => fields.push(String::new()),
                (c, _) => fields.last_mut().unwrap().push(c),
            }
        }
        fields
    }

    proptest! {
        #[test]
        fn csv_fields_round_trip_and_never_start_a_formula(name in "[ -~а-яА-Я]{1,30}") {
            prop_assume!(crate::user::DisplayName::parse(&name).is_ok());
            let csv = one_row(&name, "ДЗ").to_csv();
            let row = csv.split("\r\n").nth(1).unwrap();
            let fields = parse_record(row);
            prop_assert_eq!(fields.len(), 6);
            let first = &fields[0];
            if name.starts_with(['=', '+', '-', '@']) {
                prop_assert_eq!(first, &format!("'{name}"));
            } else {
                prop_assert_eq!(first, &name);
            }
        }
    }
}
