//! The quiz of the transfer school: reordered questions, attempts in every
//! end state, and the course's question bank an open attempt drew from.

use super::*;
use crate::bank::BankQuestion;
use crate::ids::BankQuestionId;

/// Two questions of the course's bank: one in a nested category with tags,
/// and an edited one at the top (version 2, `updated_at` after creation).
async fn add_bank(storage: &Storage, x: &mut SchoolDump, course: &Course) -> Vec<BankQuestion> {
    let mut bank = vec![
        BankQuestion {
            id: BankQuestionId::new(),
            course_id: course.id,
            category: "ЕГЭ/Задание 1".to_owned(),
            tags: vec!["дроби".to_owned(), "база".to_owned()],
            prompt: RichText::sanitize("<p>Сократите дробь <b>6/8</b> 🍕</p>"),
            points: points(2.0),
            body: QuestionBody::ShortText {
                accepted: vec!["3/4".to_owned(), "0,75".to_owned()],
            },
            explanation: Some(RichText::sanitize("<p>Делим на 2 🙂</p>")),
            version: 1,
            author_id: course.owner_id,
            created_at: at(-19),
            updated_at: at(-19),
        },
        BankQuestion {
            id: BankQuestionId::new(),
            course_id: course.id,
            category: String::new(),
            tags: Vec::new(),
            prompt: RichText::sanitize("<p>Ёжик — это ёж?</p>"),
            points: points(1.0),
            body: QuestionBody::TrueFalse { correct: true },
            explanation: None,
            version: 1,
            author_id: course.owner_id,
            created_at: at(-18),
            updated_at: at(-18),
        },
    ];
    ok(
        storage.bank.insert_bank_questions(&bank).await,
        "insert bank questions",
    );
    bank[1] = BankQuestion {
        prompt: RichText::sanitize("<p>Ёжик — это ёж? 🦔</p>"),
        version: 2,
        updated_at: at(-17),
        ..bank[1].clone()
    };
    ok(
        storage.bank.update_bank_question(&bank[1]).await,
        "edit a bank question",
    );
    x.bank_questions.extend(bank.iter().cloned());
    bank
}

/// A quiz with a finished and an open attempt, and an auto-submitted one.
/// Returns the quiz and its questions (in their reordered positions).
#[allow(clippy::too_many_lines)]
pub(super) async fn add_quiz(
    storage: &Storage,
    x: &mut SchoolDump,
    course: &Course,
    student: &User,
    second: &User,
) -> (Quiz, Vec<Question>) {
    let mut q = quiz(course.id, at(-20));
    q.settings.attempts_allowed = Some(3);
    q.settings.time_limit_minutes = Some(30);
    q.settings.shuffle_questions = true;
    ok(storage.quizzes.insert_quiz(&q).await, "insert quiz");
    x.quizzes.push(q.clone());
    let mut questions = Vec::new();
    for question in [
        true_false_question(q.id, true),
        single_choice_question(q.id),
    ] {
        questions.push(ok(
            storage.quizzes.insert_question(&question).await,
            "insert question",
        ));
    }
    ok(
        storage
            .quizzes
            .reorder_questions(q.id, &[questions[1].id, questions[0].id])
            .await,
        "reorder questions",
    );
    questions[0].position = 1;
    questions[1].position = 0;
    x.questions.extend(questions.iter().cloned());
    let bank = add_bank(storage, x, course).await;
    // The open attempt drew a copy of a bank question.
    let drawn = bank[0].as_quiz_question(q.id, 2, points(1.0));
    let QuestionBody::SingleChoice { correct, .. } = &questions[1].body else {
        unreachable!("the second fixture question is single choice")
    };
    let answers = BTreeMap::from([
        (questions[0].id, Answer::TrueFalse(true)),
        (questions[1].id, Answer::SingleChoice(*correct)),
    ]);
    let result = AttemptResult {
        per_question: BTreeMap::from([
            (questions[0].id, QuestionScore::Scored(points(1.0))),
            (questions[1].id, QuestionScore::Scored(points(2.0))),
        ]),
        score: points(3.0),
        max_score: points(3.0),
        pending_manual: false,
    };
    let start = |who: &User, started: i64| Attempt {
        id: crate::ids::AttemptId::new(),
        quiz_id: q.id,
        student_id: who.id,
        number: 0,
        seed: u64::MAX - 7,
        question_order: vec![questions[1].id, questions[0].id],
        drawn: Vec::new(),
        started_at: at(started),
        deadline: Some(at(started + 30)),
        state: AttemptState::Open,
        answers: BTreeMap::new(),
        saved_at: None,
        finished_at: None,
        result: None,
        submit_key: None,
    };
    let a1 = ok(
        storage
            .quizzes
            .start_attempt(&start(student, 100), Some(3))
            .await,
        "start attempt",
    );
    ok(
        storage.quizzes.save_answers(a1.id, &answers, at(110)).await,
        "save answers",
    );
    let a1 = ok(
        storage
            .quizzes
            .finish_attempt(&FinishAttempt {
                attempt_id: a1.id,
                state: AttemptState::Submitted,
                finished_at: at(115),
                result: result.clone(),
                submit_key: Some(format!("submit-{}", a1.id)),
                expected_saved_at: Some(at(110)),
                outbox: Vec::new(),
                awards: vec![award(student.id, Badge::PerfectQuiz, course.id, at(115))],
            })
            .await,
        "finish attempt",
    );
    let a2 = ok(
        storage
            .quizzes
            .start_attempt(
                &Attempt {
                    question_order: vec![questions[1].id, questions[0].id, drawn.id],
                    drawn: vec![drawn.clone()],
                    ..start(student, 200)
                },
                Some(3),
            )
            .await,
        "start second attempt",
    );
    let a2 = ok(
        storage
            .quizzes
            .save_answers(
                a2.id,
                &BTreeMap::from([(questions[0].id, Answer::TrueFalse(false))]),
                at(205),
            )
            .await,
        "save answers",
    );
    let b1 = ok(
        storage
            .quizzes
            .start_attempt(&start(second, 300), Some(3))
            .await,
        "start attempt",
    );
    let b1 = ok(
        storage
            .quizzes
            .finish_attempt(&FinishAttempt {
                attempt_id: b1.id,
                state: AttemptState::AutoSubmitted,
                finished_at: at(331),
                result: AttemptResult {
                    per_question: BTreeMap::new(),
                    score: points(0.0),
                    max_score: points(3.0),
                    pending_manual: false,
                },
                submit_key: None,
                expected_saved_at: None,
                outbox: Vec::new(),
                awards: Vec::new(),
            })
            .await,
        "auto-submit attempt",
    );
    assert_eq!(
        (a1.number, a2.number, b1.number),
        (1, 2, 1),
        "attempts are numbered per student"
    );
    x.attempts.extend([a1, a2, b1]);
    x.achievements
        .push(award(student.id, Badge::PerfectQuiz, course.id, at(115)));
    (q, questions)
}
