//! E-mail through a real SMTP server running in the test (mailin-embedded).

mod common;

use common::{SmtpMode, SmtpServer, closed_port, due, message, recipient};
use lms_core::achievement::Badge;
use lms_core::ids::{AssignmentId, CourseId, SubmissionId, WebinarId};
use lms_core::notification::{Channel, DeliveryError, Notification, Notifier};
use lms_core::user::Locale;
use lms_notify::email::{EmailNotifier, SmtpConfig, SmtpSecurity};
use mail_parser::MessageParser;

fn config(port: u16) -> SmtpConfig {
    let mut c = SmtpConfig::new(
        "127.0.0.1",
        "Онлайн-школа <noreply@school.example>",
        "https://school.example/",
    );
    c.port = Some(port);
    c.security = SmtpSecurity::Plain;
    c.reply_to = Some("Поддержка <help@school.example>".to_owned());
    c.timeout_secs = 5;
    c
}

fn notifier(port: u16) -> EmailNotifier {
    EmailNotifier::new(&config(port)).expect("valid config")
}

struct Case {
    notification: Notification,
    link: String,
    ru_subject: &'static str,
    ru_text: &'static str,
    en_subject: &'static str,
    en_text: &'static str,
}

fn cases() -> Vec<Case> {
    let assignment = AssignmentId::new();
    let hw_link = format!("https://school.example/assignments/{assignment}");
    let schedule = "https://school.example/schedule".to_owned();
    let quiz = common::quiz_reminder(2);
    let quiz_link = common::quiz_link(&quiz, "https://school.example");
    let webinar = |starts_at, cancelled| Notification::WebinarChanged {
        course_id: CourseId::new(),
        webinar_id: WebinarId::new(),
        title: "Разбор ОГЭ".to_owned(),
        starts_at,
        cancelled,
    };
    vec![
        Case {
            notification: Notification::NewAssignment {
                course_id: CourseId::new(),
                course_title: "Алгебра 9".to_owned(),
                assignment_id: assignment,
                title: "Квадратные уравнения".to_owned(),
                due_at: due(),
            },
            link: hw_link.clone(),
            ru_subject: "Новое задание: Квадратные уравнения",
            ru_text: "В курсе «Алгебра 9» опубликовано новое задание «Квадратные уравнения». Срок сдачи: 01.12.2026 18:00 (MSK).",
            en_subject: "New assignment: Квадратные уравнения",
            en_text: "A new assignment “Квадратные уравнения” was published in the course “Алгебра 9”. Due: 1 Dec 2026, 18:00 (MSK).",
        },
        Case {
            notification: Notification::DeadlineReminder {
                course_id: CourseId::new(),
                course_title: "Алгебра 9".to_owned(),
                assignment_id: assignment,
                title: "Квадратные уравнения".to_owned(),
                due_at: due(),
                hours_before: 24,
            },
            link: hw_link.clone(),
            ru_subject: "Осталось 24 часа: срок сдачи «Квадратные уравнения»",
            ru_text: "Срок сдачи задания «Квадратные уравнения» (курс «Алгебра 9») — 01.12.2026 18:00 (MSK). Вы ещё ничего не отправили.",
            en_subject: "24 hours left: “Квадратные уравнения” is due soon",
            en_text: "The assignment “Квадратные уравнения” (course “Алгебра 9”) is due 1 Dec 2026, 18:00 (MSK). You have not handed anything in yet.",
        },
        Case {
            notification: quiz,
            link: quiz_link,
            ru_subject: "Тест «Дроби» закрывается через 2 часа",
            ru_text: "Тест «Дроби» (курс «Алгебра 9») закрывается 01.12.2026 18:00 (MSK). Вы ещё не начинали его.",
            en_subject: "Quiz “Дроби” closes in 2 hours",
            en_text: "The quiz “Дроби” (course “Алгебра 9”) closes 1 Dec 2026, 18:00 (MSK). You have not started it yet.",
        },
        Case {
            notification: Notification::HomeworkGraded {
                course_id: CourseId::new(),
                assignment_id: assignment,
                title: "Квадратные уравнения".to_owned(),
                submission_id: SubmissionId::new(),
                score: 8.5,
                max_score: 10.0,
            },
            link: hw_link.clone(),
            ru_subject: "Работа проверена: Квадратные уравнения",
            ru_text: "Ваша работа по заданию «Квадратные уравнения» проверена. Оценка: 8,5 из 10.",
            en_subject: "Homework graded: Квадратные уравнения",
            en_text: "Your work on “Квадратные уравнения” was graded: 8.5 out of 10.",
        },
        Case {
            notification: Notification::HomeworkReturned {
                course_id: CourseId::new(),
                assignment_id: assignment,
                title: "Квадратные уравнения".to_owned(),
                submission_id: SubmissionId::new(),
            },
            link: hw_link,
            ru_subject: "Работа возвращена на доработку: Квадратные уравнения",
            ru_text: "Преподаватель вернул вашу работу по заданию «Квадратные уравнения» на доработку. Посмотрите комментарии и отправьте исправленную версию.",
            en_subject: "Homework returned for revision: Квадратные уравнения",
            en_text: "Your teacher returned your work on “Квадратные уравнения” for revision. Read the comments and hand in a corrected version.",
        },
        Case {
            notification: Notification::WebinarScheduled {
                course_id: CourseId::new(),
                course_title: "Алгебра 9".to_owned(),
                webinar_id: WebinarId::new(),
                title: "Разбор ОГЭ".to_owned(),
                starts_at: due(),
                join_url: Some("https://meet.example/j/1".to_owned()),
            },
            link: schedule.clone(),
            ru_subject: "Новый вебинар: Разбор ОГЭ",
            ru_text: "В курсе «Алгебра 9» запланирован вебинар «Разбор ОГЭ»: 01.12.2026 18:00 (MSK).",
            en_subject: "New webinar: Разбор ОГЭ",
            en_text: "A webinar “Разбор ОГЭ” is scheduled in the course “Алгебра 9”: 1 Dec 2026, 18:00 (MSK).",
        },
        Case {
            notification: webinar(Some(due()), false),
            link: schedule.clone(),
            ru_subject: "Вебинар перенесён: Разбор ОГЭ",
            ru_text: "Вебинар «Разбор ОГЭ» теперь начнётся 01.12.2026 18:00 (MSK).",
            en_subject: "Webinar rescheduled: Разбор ОГЭ",
            en_text: "The webinar “Разбор ОГЭ” now starts 1 Dec 2026, 18:00 (MSK).",
        },
        Case {
            notification: webinar(None, true),
            link: schedule.clone(),
            ru_subject: "Вебинар отменён: Разбор ОГЭ",
            ru_text: "Вебинар «Разбор ОГЭ» отменён.",
            en_subject: "Webinar cancelled: Разбор ОГЭ",
            en_text: "The webinar “Разбор ОГЭ” was cancelled.",
        },
        Case {
            notification: common::webinar_reminder(),
            link: schedule,
            ru_subject: "Через 10 минут начнётся вебинар «Разбор ОГЭ»",
            ru_text: "Вебинар «Разбор ОГЭ» начнётся 01.12.2026 18:00 (MSK).",
            en_subject: "The webinar “Разбор ОГЭ” starts in 10 minutes",
            en_text: "The webinar “Разбор ОГЭ” starts 1 Dec 2026, 18:00 (MSK).",
        },
        Case {
            notification: Notification::AchievementAwarded {
                badge: Badge::PerfectQuiz,
                course_id: None,
                quiz_id: None,
            },
            link: "https://school.example/achievements".to_owned(),
            ru_subject: "Новое достижение: Тест без ошибок",
            ru_text: "Поздравляем! Вы получили достижение «Тест без ошибок».",
            en_subject: "New achievement: Perfect quiz",
            en_text: "Congratulations! You earned the achievement “Perfect quiz”.",
        },
        Case {
            notification: Notification::Invitation {
                token: "tok123".to_owned(),
                role: lms_core::user::Role::Student,
                invited_by: "Мария Иванова".to_owned(),
                course_titles: vec!["Алгебра 9".to_owned()],
                expires_at: due(),
            },
            link: "https://school.example/invitation/tok123".to_owned(),
            ru_subject: "Приглашение в учебную платформу",
            ru_text: "Мария Иванова приглашает вас в учебную платформу школы (роль: студент). Ваш логин — anna@school.example.",
            en_subject: "Your invitation to the learning platform",
            en_text: "Мария Иванова invites you to join the learning platform (role: student). Your login is anna@school.example.",
        },
        Case {
            notification: Notification::PasswordReset {
                token: "tok456".to_owned(),
                expires_at: due(),
            },
            link: "https://school.example/reset-password/tok456".to_owned(),
            ru_subject: "Восстановление пароля",
            ru_text: "Кто-то (надеемся, вы) попросил сменить пароль для входа anna@school.example. Ссылка ниже действует до 01.12.2026 18:00 (MSK) и только один раз.",
            en_subject: "Reset your password",
            en_text: "Someone (hopefully you) asked to reset the password of anna@school.example. The link below works once, until 1 Dec 2026, 18:00 (MSK).",
        },
    ]
}

/// Text with line breaks and repeated spaces collapsed, as a reader sees it.
fn words(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text of an HTML document, as a reader sees it.
fn html_text(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for ch in html.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    words(&text)
}

#[tokio::test]
async fn every_kind_arrives_in_the_recipients_language_with_both_bodies() {
    let server = SmtpServer::start(SmtpMode::Accept);
    let notifier = notifier(server.port);
    assert_eq!(notifier.channel(), Channel::Email);
    let cases = cases();
    for case in &cases {
        for locale in [Locale::Ru, Locale::En] {
            let msg = message(case.notification.clone(), recipient(locale));
            notifier.deliver(&msg).await.expect("delivered");
        }
    }

    let inbox = server.received();
    assert_eq!(inbox.len(), cases.len() * 2);
    for (i, case) in cases.iter().enumerate() {
        for (j, locale) in [Locale::Ru, Locale::En].into_iter().enumerate() {
            let mail = &inbox[i * 2 + j];
            assert_eq!(mail.to, vec!["anna@school.example".to_owned()]);
            let parsed = MessageParser::default().parse(&mail.raw).expect("parses");
            let (subject, text) = match locale {
                Locale::Ru => (case.ru_subject, case.ru_text),
                Locale::En => (case.en_subject, case.en_text),
            };
            assert_eq!(parsed.subject(), Some(subject));
            let plain = words(&parsed.body_text(0).expect("text part"));
            let html = parsed.body_html(0).expect("html part").into_owned();
            let html_words = html_text(&html);
            assert!(plain.contains(text), "plain text lacks {text:?}: {plain}");
            assert!(html_words.contains(text), "HTML lacks {text:?}: {html}");
            assert!(plain.contains(&case.link), "{plain}");
            assert!(html.contains(&format!("href=\"{}\"", case.link)), "{html}");
            let greeting = match locale {
                Locale::Ru => "Здравствуйте, Анна Петрова!",
                Locale::En => "Hello, Анна Петрова!",
            };
            assert!(plain.starts_with(greeting), "{plain}");
            assert!(html.contains(greeting));
            assert_eq!(
                parsed.header_raw("Content-Language").map(str::trim),
                Some(locale.as_str())
            );
            assert!(html.contains(&format!("<html lang=\"{}\">", locale.as_str())));
            // Account messages cannot be turned off: no settings link and
            // no unsubscribe action; every reminder has both.
            let account = case.notification.kind().is_account_message();
            assert_eq!(
                parsed.header_raw("List-Unsubscribe").is_some(),
                !account,
                "{subject}"
            );
            assert_eq!(
                plain.contains("https://school.example/settings"),
                !account,
                "{plain}"
            );
            assert_eq!(
                html.contains("href=\"https://school.example/settings\""),
                !account,
                "{html}"
            );
        }
    }
}

#[tokio::test]
async fn headers_identify_sender_message_and_unsubscribe_page() {
    let server = SmtpServer::start(SmtpMode::Accept);
    let msg = message(
        common::new_assignment("<script>alert(1)</script> & co"),
        recipient(Locale::Ru),
    );
    notifier(server.port).deliver(&msg).await.unwrap();

    let inbox = server.received();
    assert_eq!(inbox.len(), 1);
    let parsed = MessageParser::default().parse(&inbox[0].raw).unwrap();
    let header = |name: &str| {
        parsed
            .header_raw(name)
            .map(|v| v.trim().to_owned())
            .unwrap_or_else(|| panic!("no {name} header"))
    };
    let from = parsed.from().unwrap().first().unwrap();
    assert_eq!(from.address(), Some("noreply@school.example"));
    assert_eq!(from.name(), Some("Онлайн-школа"));
    let reply_to = parsed.reply_to().unwrap().first().unwrap();
    assert_eq!(reply_to.address(), Some("help@school.example"));
    let to = parsed.to().unwrap().first().unwrap();
    assert_eq!(to.address(), Some("anna@school.example"));
    assert_eq!(to.name(), Some("Анна Петрова"));
    assert_eq!(
        parsed.message_id(),
        Some(format!("{}@school.example", msg.outbox_id).as_str())
    );
    assert_eq!(
        header("List-Unsubscribe"),
        "<https://school.example/settings>"
    );
    assert_eq!(header("Auto-Submitted"), "auto-generated");

    // The title is text, never markup, in the HTML part.
    let html = parsed.body_html(0).unwrap();
    assert!(html.contains("&#60;script&#62;alert(1)&#60;/script&#62; &#38; co"));
    assert!(!html.contains("<script>"));
    let plain = parsed.body_text(0).unwrap();
    assert!(plain.contains("«<script>alert(1)</script> & co»"));
    assert!(plain.contains("Настроить уведомления: https://school.example/settings"));
}

#[tokio::test]
async fn a_4xx_reply_is_transient() {
    let server = SmtpServer::start(SmtpMode::TempFail);
    let msg = message(common::returned("Эссе"), recipient(Locale::Ru));
    let err = notifier(server.port).deliver(&msg).await.unwrap_err();
    assert!(
        matches!(err, DeliveryError::Transient { .. }),
        "expected transient, got {err:?}"
    );
    assert!(server.received().is_empty());
}

#[tokio::test]
async fn a_5xx_reply_is_permanent() {
    let server = SmtpServer::start(SmtpMode::Reject);
    let msg = message(common::returned("Эссе"), recipient(Locale::Ru));
    let err = notifier(server.port).deliver(&msg).await.unwrap_err();
    assert!(
        matches!(err, DeliveryError::Permanent { .. }),
        "expected permanent, got {err:?}"
    );
    assert!(server.received().is_empty());
}

#[tokio::test]
async fn a_refused_connection_is_transient() {
    let msg = message(common::returned("Эссе"), recipient(Locale::Ru));
    let err = notifier(closed_port()).deliver(&msg).await.unwrap_err();
    assert!(
        matches!(err, DeliveryError::Transient { .. }),
        "expected transient, got {err:?}"
    );
}

#[tokio::test]
async fn an_invalid_address_is_permanent() {
    let server = SmtpServer::start(SmtpMode::Accept);
    let mut r = recipient(Locale::En);
    r.email = "not an address".to_owned();
    let err = notifier(server.port)
        .deliver(&message(common::returned("Essay"), r))
        .await
        .unwrap_err();
    assert!(matches!(err, DeliveryError::Permanent { .. }), "{err:?}");
    assert!(server.received().is_empty());
}

#[tokio::test]
async fn config_reads_from_toml_shaped_data_with_defaults() {
    let c: SmtpConfig = serde_json::from_value(serde_json::json!({
        "host": "smtp.eu.mailgun.org",
        "username": "postmaster@mg.school.example",
        "password": "secret",
        "from": "Школа <noreply@school.example>",
        "web_base_url": "https://school.example"
    }))
    .unwrap();
    assert_eq!(c.security, SmtpSecurity::Starttls);
    assert_eq!(c.effective_port(), 587);
    assert_eq!(c.pool_size, 4);
    assert!(!format!("{c:?}").contains("secret"));
    EmailNotifier::new(&c).expect("a Mailgun-style config is valid");

    let tls: SmtpConfig = serde_json::from_value(serde_json::json!({
        "host": "smtp.example", "security": "tls",
        "from": "a@b.example", "web_base_url": "https://s.example"
    }))
    .unwrap();
    assert_eq!(tls.effective_port(), 465);

    let mut bad = c.clone();
    bad.password = None;
    assert!(EmailNotifier::new(&bad).is_err());
    let mut bad = c;
    bad.from = "nobody".to_owned();
    assert!(EmailNotifier::new(&bad).is_err());
}
