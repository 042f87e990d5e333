//! The demo quiz: one question of every kind, and finished attempts.

use super::*;
use lms_core::bank::ImportRequest;
use lms_core::bank::format::Format;

/// A quiz with one question of every kind, and finished attempts of two
/// students (one perfect apart from the essay, which the teacher grades).
pub(super) async fn quiz(
    lms: &Lms,
    course: CourseId,
    teacher: &Actor,
    students: &[Actor],
    now: DateTime<Utc>,
    summary: &mut DemoSummary,
) -> Result<(), DemoError> {
    let quiz = lms
        .quizzes
        .create_quiz(
            teacher,
            course,
            QuizInput {
                title: title("Проверочный тест: уравнения и логарифмы"),
                description: rich(
                    "<p>Тест по первым трём урокам. На выполнение — 30 минут, \
                     две попытки, засчитывается лучшая.</p>",
                ),
                settings: QuizSettings {
                    opens_at: Some(now - Duration::days(7)),
                    closes_at: Some(now + Duration::days(21)),
                    time_limit_minutes: Some(30),
                    attempts_allowed: Some(2),
                    scoring: ScoringPolicy::Best,
                    shuffle_questions: false,
                    shuffle_options: true,
                    reveal: RevealPolicy::AfterAttempt,
                },
            },
        )
        .await
        .map_err(at("quiz"))?;
    summary.quizzes += 1;

    let (two, three, five) = (choice("2"), choice("3"), choice("5"));
    let single = QuestionBody::SingleChoice {
        correct: three.id,
        options: vec![two, three.clone(), five],
    };
    let (p1, p2, p3, p4) = (
        choice("x² − 4 = 0"),
        choice("x² + 1 = 0"),
        choice("x² − 2x + 1 = 0"),
        choice("2x + 1 = 0"),
    );
    let multiple = QuestionBody::MultipleChoice {
        correct: BTreeSet::from([p1.id, p3.id]),
        options: vec![p1.clone(), p2, p3.clone(), p4],
    };
    let pairs = vec![
        MatchPair {
            left: choice("log₂ 8"),
            right: choice("3"),
        },
        MatchPair {
            left: choice("log₃ 9"),
            right: choice("2"),
        },
        MatchPair {
            left: choice("log₅ 1"),
            right: choice("0"),
        },
    ];
    let items = vec![
        choice("Найти дискриминант"),
        choice("Сравнить дискриминант с нулём"),
        choice("Вычислить корни"),
        choice("Сделать проверку"),
    ];
    let questions: Vec<(&str, f64, QuestionBody, Answer)> = vec![
        (
            "<p>Чему равен log₂ 8?</p>",
            1.0,
            single,
            Answer::SingleChoice(three.id),
        ),
        (
            "<p>Какие уравнения имеют действительные корни? Отметьте все.</p>",
            2.0,
            multiple,
            Answer::MultipleChoice(BTreeSet::from([p1.id, p3.id])),
        ),
        (
            "<p>Если дискриминант отрицателен, квадратное уравнение не имеет действительных корней.</p>",
            1.0,
            QuestionBody::TrueFalse { correct: true },
            Answer::TrueFalse(true),
        ),
        (
            "<p>Как называется выражение b² − 4ac? (одно слово)</p>",
            1.0,
            QuestionBody::ShortText {
                accepted: vec!["дискриминант".into()],
            },
            Answer::ShortText("Дискриминант".into()),
        ),
        (
            "<p>Найдите больший корень уравнения x² − 2 = 0 (с точностью до 0,01).</p>",
            2.0,
            QuestionBody::Numeric {
                value: std::f64::consts::SQRT_2,
                tolerance: 0.01,
            },
            Answer::Numeric(1.41),
        ),
        (
            "<p>Сопоставьте логарифмы и их значения.</p>",
            3.0,
            QuestionBody::Matching {
                pairs: pairs.clone(),
            },
            Answer::Matching(pairs.iter().map(|p| (p.left.id, p.right.id)).collect()),
        ),
        (
            "<p>Расположите шаги решения квадратного уравнения по порядку.</p>",
            2.0,
            QuestionBody::Ordering {
                items: items.clone(),
            },
            Answer::Ordering(items.iter().map(|c| c.id).collect()),
        ),
        (
            "<p>Объясните своими словами, зачем нужна теорема Виета.</p>",
            3.0,
            QuestionBody::Essay,
            Answer::Essay(
                "Теорема Виета позволяет находить корни приведённого уравнения устно \
                 и проверять найденные корни."
                    .into(),
            ),
        ),
    ];
    let mut right_answers: BTreeMap<QuestionId, Answer> = BTreeMap::new();
    let mut essay = None;
    for (prompt, pts, body, answer) in questions {
        let is_essay = matches!(body, QuestionBody::Essay);
        let question = lms
            .quizzes
            .add_question(
                teacher,
                quiz.id,
                QuestionInput {
                    prompt: rich(prompt),
                    points: points(pts),
                    body,
                    explanation: Some(rich("<p>См. уроки 1–3 курса.</p>")),
                },
            )
            .await
            .map_err(at("quiz question"))?;
        if is_essay {
            essay = Some(question.id);
        }
        right_answers.insert(question.id, answer);
    }
    lms.quizzes
        .set_published(teacher, quiz.id, true)
        .await
        .map_err(at("publishing the quiz"))?;

    // The first student answers everything right; the second gets half.
    for (n, student) in students.iter().take(2).enumerate() {
        let attempt = lms
            .quizzes
            .start_attempt(student, quiz.id)
            .await
            .map_err(at("starting an attempt"))?;
        let answers: BTreeMap<QuestionId, Answer> = right_answers
            .iter()
            .enumerate()
            .filter(|(i, _)| n == 0 || i % 2 == 0)
            .map(|(_, (q, a))| (*q, a.clone()))
            .collect();
        lms.quizzes
            .save_answers(student, attempt.attempt_id, answers)
            .await
            .map_err(at("saving answers"))?;
        lms.quizzes
            .submit(student, attempt.attempt_id, None)
            .await
            .map_err(at("finishing an attempt"))?;
        summary.finished_attempts += 1;
        if n == 0
            && let Some(essay) = essay
        {
            lms.quizzes
                .grade_essay(teacher, attempt.attempt_id, essay, points(3.0))
                .await
                .map_err(at("grading the essay"))?;
        }
    }
    bank(lms, course, teacher).await
}

/// The course's question bank: a few questions per topic from a GIFT file,
/// for random slots.
async fn bank(lms: &Lms, course: CourseId, teacher: &Actor) -> Result<(), DemoError> {
    lms.bank
        .import(
            teacher,
            course,
            &ImportRequest {
                format: Format::Gift,
                text: include_str!("bank.gift").to_owned(),
                category: String::new(),
                points: points(1.0),
            },
        )
        .await
        .map_err(at("importing the question bank"))?;
    Ok(())
}
