//! What a message says, per event and language, independent of the channel:
//! the e-mail templates and the Telegram formatter both render a
//! [`Content`]. Texts are plain (unescaped); each channel escapes them.

use chrono::{DateTime, Utc};
use lms_core::achievement::Badge;
use lms_core::notification::{Notification, OutboundMessage};
use lms_core::user::{Locale, Role, TimeZone};

/// The path of the settings page in the web UI (the notification settings
/// are there), from the paths shared with the UI's router.
pub const SETTINGS_PATH: &str = lms_core::notification::web_paths::SETTINGS;

/// A message rendered into words, before channel formatting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Content {
    /// The message language.
    pub locale: Locale,
    /// One line summary (the e-mail subject, the bold first Telegram line).
    pub subject: String,
    /// `Здравствуйте, Анна!`
    pub greeting: String,
    /// The body, one paragraph per entry.
    pub paragraphs: Vec<String>,
    /// The object in the web UI.
    pub link: Link,
    /// The webinar's join link, when the message is about a webinar that has
    /// one.
    pub join: Option<Link>,
    /// Why the recipient gets this and where to change it.
    pub footer: String,
    /// The notification settings page, for reminders; `None` for account
    /// messages (an invitation's addressee has no settings yet, and they
    /// cannot be turned off).
    pub settings: Option<Link>,
}

/// A labelled link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// What a button or link says.
    pub label: String,
    /// Absolute URL.
    pub url: String,
}

/// Joins the school's web address and a path (`https://school.example` +
/// `/schedule`), tolerating a trailing slash on the base.
#[must_use]
pub fn absolute_url(web_base_url: &str, path: &str) -> String {
    format!("{}{path}", web_base_url.trim_end_matches('/'))
}

/// The words of `message` in the recipient's language, with links into the
/// web UI at `web_base_url`.
#[must_use]
pub fn render(message: &OutboundMessage, web_base_url: &str) -> Content {
    let r = &message.recipient;
    let locale = r.locale;
    let tz = r.time_zone;
    let en = locale == Locale::En;
    let t = |ru: String, english: String| if en { english } else { ru };
    let time = |at: DateTime<Utc>| format_time(at, tz, locale);

    let (subject, paragraphs, label) = match &message.notification {
        Notification::NewAssignment {
            course_title,
            title,
            due_at,
            ..
        } => (
            t(
                format!("Новое задание: {title}"),
                format!("New assignment: {title}"),
            ),
            vec![
                t(
                    format!("В курсе «{course_title}» опубликовано новое задание «{title}»."),
                    format!(
                        "A new assignment “{title}” was published in the course “{course_title}”."
                    ),
                ),
                t(
                    format!("Срок сдачи: {}.", time(*due_at)),
                    format!("Due: {}.", time(*due_at)),
                ),
            ],
            t("Открыть задание".into(), "Open the assignment".into()),
        ),
        Notification::DeadlineReminder {
            course_title,
            title,
            due_at,
            hours_before,
            ..
        } => (
            t(
                format!(
                    "Осталось {}: срок сдачи «{title}»",
                    plural_ru(*hours_before, "час", "часа", "часов")
                ),
                format!(
                    "{} left: “{title}” is due soon",
                    plural_en(*hours_before, "hour", "hours")
                ),
            ),
            vec![t(
                format!(
                    "Срок сдачи задания «{title}» (курс «{course_title}») — {}. Вы ещё ничего не отправили.",
                    time(*due_at)
                ),
                format!(
                    "The assignment “{title}” (course “{course_title}”) is due {}. You have not handed anything in yet.",
                    time(*due_at)
                ),
            )],
            t("Открыть задание".into(), "Open the assignment".into()),
        ),
        Notification::QuizReminder {
            course_title,
            title,
            closes_at,
            hours_before,
            ..
        } => (
            t(
                format!(
                    "Тест «{title}» закрывается через {}",
                    plural_ru(*hours_before, "час", "часа", "часов")
                ),
                format!(
                    "Quiz “{title}” closes in {}",
                    plural_en(*hours_before, "hour", "hours")
                ),
            ),
            vec![t(
                format!(
                    "Тест «{title}» (курс «{course_title}») закрывается {}. Вы ещё не начинали его.",
                    time(*closes_at)
                ),
                format!(
                    "The quiz “{title}” (course “{course_title}”) closes {}. You have not started it yet.",
                    time(*closes_at)
                ),
            )],
            t("Открыть тест".into(), "Open the quiz".into()),
        ),
        Notification::HomeworkGraded {
            title,
            score,
            max_score,
            ..
        } => (
            t(
                format!("Работа проверена: {title}"),
                format!("Homework graded: {title}"),
            ),
            vec![t(
                format!(
                    "Ваша работа по заданию «{title}» проверена. Оценка: {} из {}.",
                    format_number(*score, locale),
                    format_number(*max_score, locale)
                ),
                format!(
                    "Your work on “{title}” was graded: {} out of {}.",
                    format_number(*score, locale),
                    format_number(*max_score, locale)
                ),
            )],
            t("Посмотреть оценку".into(), "See the grade".into()),
        ),
        Notification::HomeworkReturned { title, .. } => (
            t(
                format!("Работа возвращена на доработку: {title}"),
                format!("Homework returned for revision: {title}"),
            ),
            vec![t(
                format!(
                    "Преподаватель вернул вашу работу по заданию «{title}» на доработку. Посмотрите комментарии и отправьте исправленную версию."
                ),
                format!(
                    "Your teacher returned your work on “{title}” for revision. Read the comments and hand in a corrected version."
                ),
            )],
            t("Открыть задание".into(), "Open the assignment".into()),
        ),
        Notification::WebinarScheduled {
            course_title,
            title,
            starts_at,
            ..
        } => (
            t(
                format!("Новый вебинар: {title}"),
                format!("New webinar: {title}"),
            ),
            vec![t(
                format!(
                    "В курсе «{course_title}» запланирован вебинар «{title}»: {}.",
                    time(*starts_at)
                ),
                format!(
                    "A webinar “{title}” is scheduled in the course “{course_title}”: {}.",
                    time(*starts_at)
                ),
            )],
            t("Открыть расписание".into(), "Open the schedule".into()),
        ),
        Notification::WebinarChanged {
            title,
            starts_at,
            cancelled,
            ..
        } => {
            let (subject, text) = match (cancelled, starts_at) {
                (true, _) => (
                    t(
                        format!("Вебинар отменён: {title}"),
                        format!("Webinar cancelled: {title}"),
                    ),
                    t(
                        format!("Вебинар «{title}» отменён."),
                        format!("The webinar “{title}” was cancelled."),
                    ),
                ),
                (false, Some(at)) => (
                    t(
                        format!("Вебинар перенесён: {title}"),
                        format!("Webinar rescheduled: {title}"),
                    ),
                    t(
                        format!("Вебинар «{title}» теперь начнётся {}.", time(*at)),
                        format!("The webinar “{title}” now starts {}.", time(*at)),
                    ),
                ),
                (false, None) => (
                    t(
                        format!("Вебинар изменён: {title}"),
                        format!("Webinar changed: {title}"),
                    ),
                    t(
                        format!("В вебинаре «{title}» есть изменения."),
                        format!("The webinar “{title}” has changed."),
                    ),
                ),
            };
            (
                subject,
                vec![text],
                t("Открыть расписание".into(), "Open the schedule".into()),
            )
        }
        Notification::WebinarReminder {
            title,
            starts_at,
            minutes_before,
            ..
        } => (
            t(
                format!(
                    "Через {} начнётся вебинар «{title}»",
                    plural_ru(*minutes_before, "минуту", "минуты", "минут")
                ),
                format!(
                    "The webinar “{title}” starts in {}",
                    plural_en(*minutes_before, "minute", "minutes")
                ),
            ),
            vec![t(
                format!("Вебинар «{title}» начнётся {}.", time(*starts_at)),
                format!("The webinar “{title}” starts {}.", time(*starts_at)),
            )],
            t("Открыть расписание".into(), "Open the schedule".into()),
        ),
        Notification::AchievementAwarded { badge, .. } => {
            let name = badge_name(*badge, locale);
            (
                t(
                    format!("Новое достижение: {name}"),
                    format!("New achievement: {name}"),
                ),
                vec![t(
                    format!("Поздравляем! Вы получили достижение «{name}»."),
                    format!("Congratulations! You earned the achievement “{name}”."),
                )],
                t("Мои достижения".into(), "My achievements".into()),
            )
        }
        Notification::SubmissionComment {
            title,
            author_name,
            to_staff,
            ..
        } => (
            t(
                format!("Новое сообщение по работе «{title}»"),
                format!("New message about “{title}”"),
            ),
            vec![t(
                format!("{author_name} написал(а) в обсуждении работы по заданию «{title}»."),
                format!("{author_name} wrote in the discussion of the work on “{title}”."),
            )],
            if *to_staff {
                t("Открыть работу".into(), "Open the work".into())
            } else {
                t("Открыть задание".into(), "Open the assignment".into())
            },
        ),
        Notification::Announcement {
            course_title,
            title,
            author_name,
            ..
        } => (
            t(
                format!("Объявление по курсу «{course_title}»: {title}"),
                format!("Announcement in “{course_title}”: {title}"),
            ),
            vec![t(
                format!("{author_name} опубликовал(а) объявление «{title}» в курсе «{course_title}»."),
                format!("{author_name} posted the announcement “{title}” in “{course_title}”."),
            )],
            t("Открыть курс".into(), "Open the course".into()),
        ),
        Notification::Invitation {
            role,
            invited_by,
            course_titles,
            expires_at,
            ..
        } => {
            let mut paragraphs = vec![t(
                format!(
                    "{invited_by} приглашает вас в учебную платформу школы (роль: {}). Ваш логин — {}.",
                    role_name(*role, Locale::Ru),
                    r.email
                ),
                format!(
                    "{invited_by} invites you to join the learning platform (role: {}). Your login is {}.",
                    role_name(*role, Locale::En),
                    r.email
                ),
            )];
            if !course_titles.is_empty() {
                let list = course_titles
                    .iter()
                    .map(|c| format!("«{c}»"))
                    .collect::<Vec<_>>()
                    .join(", ");
                paragraphs.push(t(
                    format!("Курсы: {list}."),
                    format!("Courses: {}.", list.replace('«', "“").replace('»', "”")),
                ));
            }
            paragraphs.push(t(
                format!(
                    "Чтобы войти, придумайте пароль по ссылке ниже. Ссылка действует до {}.",
                    time(*expires_at)
                ),
                format!(
                    "To log in, choose a password with the link below. The link works until {}.",
                    time(*expires_at)
                ),
            ));
            (
                t(
                    "Приглашение в учебную платформу".into(),
                    "Your invitation to the learning platform".into(),
                ),
                paragraphs,
                t("Придумать пароль".into(), "Choose a password".into()),
            )
        }
        Notification::PasswordReset { expires_at, .. } => (
            t("Восстановление пароля".into(), "Reset your password".into()),
            vec![
                t(
                    format!(
                        "Кто-то (надеемся, вы) попросил сменить пароль для входа {}. Ссылка ниже действует до {} и только один раз.",
                        r.email,
                        time(*expires_at)
                    ),
                    format!(
                        "Someone (hopefully you) asked to reset the password of {}. The link below works once, until {}.",
                        r.email,
                        time(*expires_at)
                    ),
                ),
                t(
                    "Если вы не просили, просто проигнорируйте это письмо: пароль останется прежним.".into(),
                    "If you did not ask, ignore this message: your password stays as it is.".into(),
                ),
            ],
            t("Сменить пароль".into(), "Choose a new password".into()),
        ),
    };

    let join = match &message.notification {
        Notification::WebinarScheduled { join_url, .. }
        | Notification::WebinarReminder { join_url, .. } => join_url
            .as_deref()
            .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
            .map(|url| Link {
                label: t("Подключиться к вебинару".into(), "Join the webinar".into()),
                url: url.to_owned(),
            }),
        _ => None,
    };

    Content {
        locale,
        subject,
        greeting: t(
            format!("Здравствуйте, {}!", r.display_name),
            format!("Hello, {}!", r.display_name),
        ),
        paragraphs,
        link: Link {
            label,
            url: absolute_url(web_base_url, &message.notification.link_path()),
        },
        join,
        footer: if message.notification.kind().is_account_message() {
            t(
                "Это письмо о вашей учётной записи; оно приходит независимо от настроек уведомлений.".into(),
                "This message is about your account; it is sent whatever your notification settings.".into(),
            )
        } else {
            t(
                "Вы получили это сообщение, потому что включили уведомления в учебной платформе.".into(),
                "You received this message because notifications are turned on in your learning platform account.".into(),
            )
        },
        settings: (!message.notification.kind().is_account_message()).then(|| Link {
            label: t(
                "Настроить уведомления".into(),
                "Notification settings".into(),
            ),
            url: absolute_url(web_base_url, SETTINGS_PATH),
        }),
    }
}

/// A school role in words.
#[must_use]
pub fn role_name(role: Role, locale: Locale) -> &'static str {
    match (role, locale) {
        (Role::Admin, Locale::Ru) => "администратор",
        (Role::Admin, Locale::En) => "administrator",
        (Role::Teacher, Locale::Ru) => "преподаватель",
        (Role::Teacher, Locale::En) => "teacher",
        (Role::Assistant, Locale::Ru) => "ассистент",
        (Role::Assistant, Locale::En) => "assistant",
        (Role::Student, Locale::Ru) => "студент",
        (Role::Student, Locale::En) => "student",
    }
}

/// A badge's name as the student sees it.
#[must_use]
pub fn badge_name(badge: Badge, locale: Locale) -> &'static str {
    let en = locale == Locale::En;
    match (badge, en) {
        (Badge::FirstHomework, false) => "Первая домашняя работа",
        (Badge::FirstHomework, true) => "First homework",
        (Badge::OnTimeStreak5, false) => "Пять работ подряд вовремя",
        (Badge::OnTimeStreak5, true) => "Five on time in a row",
        (Badge::PerfectQuiz, false) => "Тест без ошибок",
        (Badge::PerfectQuiz, true) => "Perfect quiz",
        (Badge::CourseCompleted, false) => "Курс пройден",
        (Badge::CourseCompleted, true) => "Course completed",
    }
}

/// An instant as a wall-clock time in the recipient's zone:
/// `28.11.2026 18:00 (MSK)` or `28 Nov 2026, 18:00 (MSK)`.
#[must_use]
pub fn format_time(at: DateTime<Utc>, tz: TimeZone, locale: Locale) -> String {
    let local = tz.local(at);
    match locale {
        Locale::Ru => local.format("%d.%m.%Y %H:%M (%Z)").to_string(),
        Locale::En => local.format("%-d %b %Y, %H:%M (%Z)").to_string(),
    }
}

/// A score without needless decimals, with the locale's decimal separator.
fn format_number(n: f64, locale: Locale) -> String {
    let rounded = (n * 100.0).round() / 100.0;
    let s = format!("{rounded}");
    match locale {
        Locale::Ru => s.replace('.', ","),
        Locale::En => s,
    }
}

/// `1 час`, `2 часа`, `5 часов`, `21 час`, `11 часов`.
fn plural_ru(n: u32, one: &str, few: &str, many: &str) -> String {
    let word = match (n % 10, n % 100) {
        (1, r) if r != 11 => one,
        (2..=4, r) if !(12..=14).contains(&r) => few,
        _ => many,
    };
    format!("{n} {word}")
}

/// `1 hour`, `2 hours`.
fn plural_en(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_plurals() {
        let h = |n| plural_ru(n, "час", "часа", "часов");
        assert_eq!(h(1), "1 час");
        assert_eq!(h(2), "2 часа");
        assert_eq!(h(5), "5 часов");
        assert_eq!(h(11), "11 часов");
        assert_eq!(h(12), "12 часов");
        assert_eq!(h(21), "21 час");
        assert_eq!(h(24), "24 часа");
        assert_eq!(h(0), "0 часов");
    }

    #[test]
    fn numbers_use_the_locales_separator() {
        assert_eq!(format_number(8.5, Locale::Ru), "8,5");
        assert_eq!(format_number(8.5, Locale::En), "8.5");
        assert_eq!(format_number(10.0, Locale::Ru), "10");
    }

    fn quiz_reminder(hours_before: u32, locale: Locale) -> OutboundMessage {
        use chrono::TimeZone as _;
        OutboundMessage {
            outbox_id: lms_core::ids::OutboxId::new(),
            recipient: lms_core::notification::Recipient {
                user_id: lms_core::ids::UserId::new(),
                display_name: "Анна".to_owned(),
                email: "anna@school.example".to_owned(),
                telegram_chat_id: None,
                locale,
                time_zone: TimeZone::default(),
            },
            notification: Notification::QuizReminder {
                course_id: lms_core::ids::CourseId::new(),
                course_title: "Алгебра 9".to_owned(),
                quiz_id: lms_core::ids::QuizId::new(),
                title: "Дроби".to_owned(),
                closes_at: Utc.with_ymd_and_hms(2026, 12, 1, 15, 0, 0).unwrap(),
                hours_before,
            },
        }
    }

    #[test]
    fn a_quiz_reminder_says_the_hours_left_and_links_to_the_quiz() {
        for (hours, ru, en) in [
            (1, "1 час", "1 hour"),
            (2, "2 часа", "2 hours"),
            (5, "5 часов", "5 hours"),
            (24, "24 часа", "24 hours"),
        ] {
            let msg = quiz_reminder(hours, Locale::Ru);
            let c = render(&msg, "https://s.example/");
            assert_eq!(c.subject, format!("Тест «Дроби» закрывается через {ru}"));
            assert_eq!(
                c.paragraphs,
                vec![
                    "Тест «Дроби» (курс «Алгебра 9») закрывается 01.12.2026 18:00 (MSK). Вы ещё не начинали его."
                ]
            );
            assert_eq!(c.link.label, "Открыть тест");
            assert_eq!(
                c.link.url,
                format!("https://s.example{}", msg.notification.link_path())
            );
            assert!(c.link.url.contains("/quizzes/"), "{}", c.link.url);
            assert!(c.join.is_none());
            assert!(c.settings.is_some(), "a reminder links to the settings");

            let c = render(&quiz_reminder(hours, Locale::En), "https://s.example");
            assert_eq!(c.subject, format!("Quiz “Дроби” closes in {en}"));
            assert_eq!(c.link.label, "Open the quiz");
        }
    }

    #[test]
    fn base_url_with_or_without_slash() {
        assert_eq!(
            absolute_url("https://s.example/", "/schedule"),
            "https://s.example/schedule"
        );
        assert_eq!(
            absolute_url("https://s.example", "/schedule"),
            "https://s.example/schedule"
        );
    }
}
