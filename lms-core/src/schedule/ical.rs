//! A user's schedule as an iCalendar (RFC 5545) calendar, for the feed that
//! calendar apps subscribe to. The `icalendar` crate writes it: TEXT values
//! escaped, content lines folded at 75 octets and ended in CRLF.

use chrono::{DateTime, Utc};
use icalendar::{Calendar, Component, Event, EventLike};

use super::model::{EventSource, ScheduleEvent};
use crate::notification::web_paths;
use crate::user::Locale;

/// The longest physical line RFC 5545 (§3.1) allows, in octets.
const MAX_LINE_OCTETS: usize = 75;

/// `events` as an iCalendar calendar named after the product in the user's
/// `locale`, stamped `now`.
///
/// Each event has a UID stable across feeds (`lesson-<id>@<host>`, the host
/// taken from `public_url`), a start and, unless it is an instant such as a
/// deadline, an end, both in UTC; a summary with its kind (`Урок: …`,
/// `Lesson: …`); a description with the course and a link; and a URL: the
/// course page, the assignment page, or the webinar's join link (also its
/// location). Host links never go in: feeds are read by calendar services
/// and shared.
///
/// ```
/// use chrono::{TimeZone as _, Utc};
/// use lms_core::schedule::to_ical;
/// use lms_core::user::Locale;
///
/// let now = Utc.with_ymd_and_hms(2026, 3, 10, 15, 0, 0).unwrap();
/// let ics = to_ical(&[], "https://lms.school.ru", Locale::Ru, now);
/// assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"));
/// assert!(ics.contains("X-WR-CALNAME:Расписание LMS\r\n"));
/// assert!(ics.ends_with("END:VCALENDAR\r\n"));
/// ```
#[must_use]
pub fn to_ical(
    events: &[ScheduleEvent],
    public_url: &str,
    locale: Locale,
    now: DateTime<Utc>,
) -> String {
    let base = public_url.trim_end_matches('/');
    let host = host_of(base);
    let en = locale == Locale::En;
    let mut calendar = Calendar::empty();
    for property in [
        ("VERSION", "2.0"),
        ("PRODID", "-//LMS//Schedule//RU"),
        ("CALSCALE", "GREGORIAN"),
        ("METHOD", "PUBLISH"),
        (
            "X-WR-CALNAME",
            if en {
                "LMS schedule"
            } else {
                "Расписание LMS"
            },
        ),
        ("X-PUBLISHED-TTL", "PT1H"),
    ] {
        calendar.append_property(property);
    }
    for e in events {
        calendar.push(vevent(e, base, host, en, now));
    }
    refold_overlong(&calendar.to_string())
}

/// One event of the feed.
fn vevent(e: &ScheduleEvent, base: &str, host: &str, en: bool, now: DateTime<Utc>) -> Event {
    let kind_uid = e.uid.strip_suffix("@lms").unwrap_or(&e.uid);
    let (prefix, url) = match &e.source {
        EventSource::Lesson { .. } => (
            if en { "Lesson" } else { "Урок" },
            format!("{base}/courses/{}", e.course_id),
        ),
        EventSource::Deadline { assignment_id } => (
            if en { "Due" } else { "Срок сдачи" },
            format!(
                "{base}{}",
                web_paths::ASSIGNMENT.replace("{id}", &assignment_id.to_string())
            ),
        ),
        EventSource::QuizWindow { .. } => (
            if en { "Quiz" } else { "Тест" },
            format!("{base}/courses/{}", e.course_id),
        ),
        EventSource::Webinar { join_url, .. } => {
            (if en { "Webinar" } else { "Вебинар" }, join_url.clone())
        }
    };
    let url = plain(&url);
    let description = format!(
        "{}: {}\n{url}",
        if en { "Course" } else { "Курс" },
        e.course_title
    );
    let mut event = Event::new();
    event
        .uid(&format!("{kind_uid}@{host}"))
        .timestamp(now)
        .starts(e.starts_at)
        .summary(&plain(&format!("{prefix}: {}", e.title)))
        .description(&plain(&description))
        .url(&url);
    if e.ends_at > e.starts_at {
        event.ends(e.ends_at);
    }
    if matches!(e.source, EventSource::Webinar { .. }) {
        event.location(&url);
    }
    event.done()
}

/// The host part of the public URL, for UIDs (`lesson-<id>@lms.school.ru`).
fn host_of(public_url: &str) -> &str {
    let rest = public_url
        .split_once("://")
        .map_or(public_url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    if host.is_empty() { "lms" } else { host }
}

/// `s` without control characters other than line feeds (which TEXT
/// values carry escaped, as `\n`): a carriage return or a tab in a title
/// has no place in a calendar line.
fn plain(s: &str) -> String {
    s.chars()
        .filter(|&c| c == '\n' || !c.is_control())
        .collect()
}

/// `ics` with every physical line longer than 75 octets folded again,
/// between characters; other lines pass unchanged. The `icalendar` crate
/// folds content lines itself, but (as of 0.17.17) stops one octet early:
/// when the rest of a content line is exactly 75 octets it becomes one
/// continuation line of 76 with its leading space.
fn refold_overlong(ics: &str) -> String {
    let mut out = String::with_capacity(ics.len() + 16);
    for line in ics.split_terminator("\r\n") {
        let mut rest = line;
        let mut limit = MAX_LINE_OCTETS;
        while rest.len() > limit {
            let mut cut = limit;
            while !rest.is_char_boundary(cut) {
                cut -= 1;
            }
            out.push_str(&rest[..cut]);
            out.push_str("\r\n ");
            rest = &rest[cut..];
            // Continuation lines start with the space.
            limit = MAX_LINE_OCTETS - 1;
        }
        out.push_str(rest);
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone as _};

    use super::*;
    use crate::ids::{AssignmentId, CourseId, LessonId, WebinarId};

    fn start() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 10, 15, 0, 0).unwrap()
    }

    fn lesson(course_title: &str, title: &str) -> ScheduleEvent {
        ScheduleEvent {
            uid: "lesson-x@lms".to_owned(),
            course_id: CourseId::new(),
            course_title: course_title.to_owned(),
            title: title.to_owned(),
            starts_at: start(),
            ends_at: start(),
            source: EventSource::Lesson {
                lesson_id: LessonId::new(),
            },
        }
    }

    /// The feed read back with the crate's parser.
    fn parse(ics: &str) -> Calendar {
        let unfolded = icalendar::parser::unfold(ics);
        icalendar::parser::read_calendar(&unfolded).expect("the feed parses as iCalendar");
        ics.parse().expect("the feed parses")
    }

    fn only_event(calendar: &Calendar) -> &Event {
        let events: Vec<&Event> = calendar.events().collect();
        assert_eq!(events.len(), 1);
        events[0]
    }

    /// Every physical line: CRLF-terminated, at most 75 octets, folded
    /// lines starting with a space.
    fn physical_lines(ics: &str) -> Vec<&str> {
        assert!(ics.ends_with("\r\n"), "{ics}");
        assert!(!ics.replace("\r\n", "").contains(['\r', '\n']), "{ics:?}");
        let lines: Vec<&str> = ics.split_terminator("\r\n").collect();
        for line in &lines {
            assert!(
                line.len() <= MAX_LINE_OCTETS,
                "{} octets: {line:?}",
                line.len()
            );
        }
        lines
    }

    #[test]
    fn text_is_escaped_and_reads_back() {
        let title = "Разбор контрольной, часть 1; вопросы\\ответы";
        let course = "Алгебра, 9 класс;\nгруппа Б";
        let ics = to_ical(
            &[lesson(course, title)],
            "https://lms.school.ru",
            Locale::Ru,
            start(),
        );
        let unfolded = ics.replace("\r\n ", "");
        assert!(
            unfolded
                .contains("SUMMARY:Урок: Разбор контрольной\\, часть 1\\; вопросы\\\\ответы\r\n"),
            "{unfolded}"
        );
        assert!(
            unfolded.contains("DESCRIPTION:Курс: Алгебра\\, 9 класс\\;\\nгруппа Б\\n"),
            "{unfolded}"
        );
        let calendar = parse(&ics);
        let event = only_event(&calendar);
        assert_eq!(event.get_summary(), Some(format!("Урок: {title}").as_str()));
        let description = event.get_description().unwrap();
        assert!(
            description.starts_with(&format!("Курс: {course}\nhttps://lms.school.ru/courses/")),
            "{description}"
        );
    }

    #[test]
    fn carriage_returns_and_other_controls_are_dropped() {
        let ics = to_ical(
            &[lesson("Физика\r\n", "Опыт\tпервый\u{7}")],
            "https://lms.school.ru",
            Locale::Ru,
            start(),
        );
        physical_lines(&ics);
        let calendar = parse(&ics);
        let event = only_event(&calendar);
        assert_eq!(event.get_summary(), Some("Урок: Опытпервый"));
        assert!(
            event
                .get_description()
                .unwrap()
                .starts_with("Курс: Физика\n\n"),
            "{ics}"
        );
    }

    #[test]
    fn a_300_character_cyrillic_title_folds_between_characters() {
        let title = "Квадратные уравнения и неравенства, ".repeat(9);
        let title = title.chars().take(300).collect::<String>();
        assert_eq!(title.chars().count(), 300);
        let ics = to_ical(
            &[lesson("Алгебра", &title)],
            "https://lms.school.ru",
            Locale::Ru,
            start(),
        );
        let lines = physical_lines(&ics);
        let summary = lines
            .iter()
            .position(|l| l.starts_with("SUMMARY:"))
            .unwrap();
        let continued = lines[summary + 1..]
            .iter()
            .take_while(|l| l.starts_with(' '))
            .count();
        assert!(continued >= 7, "600 octets fold into 8 lines or more");
        assert_eq!(
            only_event(&parse(&ics)).get_summary(),
            Some(format!("Урок: {title}").as_str())
        );
    }

    #[test]
    fn no_line_passes_75_octets_whatever_the_length() {
        // Every length of ASCII, Cyrillic (2 octets), euro (3) and emoji
        // (4) titles, so a content line's rest falls on every boundary,
        // including the one the crate's own folding gets one octet wrong.
        for unit in ["a", "Ж", "€", "😀"] {
            for n in 0..160 {
                let title = unit.repeat(n);
                let ics = to_ical(
                    &[lesson("Курс", &title)],
                    "https://lms.school.ru",
                    Locale::En,
                    start(),
                );
                physical_lines(&ics);
                assert_eq!(
                    only_event(&parse(&ics)).get_summary(),
                    Some(format!("Lesson: {title}").as_str()),
                    "{unit} × {n}"
                );
            }
        }
    }

    #[test]
    fn the_crate_alone_lets_a_continuation_line_reach_76_octets() {
        // When this fails, `icalendar` folds within 75 octets itself and
        // `refold_overlong` can go.
        let mut calendar = Calendar::empty();
        calendar.append_property(("X-T", "a".repeat(146).as_str()));
        let longest = calendar.to_string().split("\r\n").map(str::len).max();
        assert_eq!(longest, Some(76));
    }

    #[test]
    fn overlong_lines_are_refolded_and_others_kept() {
        let ok = "SUMMARY:short\r\n";
        assert_eq!(refold_overlong(ok), ok);
        let crate_style = format!("{}\r\n {}\r\n", "a".repeat(75), "b".repeat(75));
        assert_eq!(
            refold_overlong(&crate_style),
            format!("{}\r\n {}\r\n b\r\n", "a".repeat(75), "b".repeat(74))
        );
        let cyrillic = format!(" {}\r\n", "Ж".repeat(40));
        let refolded = refold_overlong(&cyrillic);
        assert_eq!(
            refolded,
            format!(" {}\r\n {}\r\n", "Ж".repeat(37), "Ж".repeat(3))
        );
    }

    #[test]
    fn the_calendar_names_itself_in_the_users_language() {
        for (locale, name) in [(Locale::Ru, "Расписание LMS"), (Locale::En, "LMS schedule")]
        {
            let ics = to_ical(&[], "https://lms.school.ru", locale, start());
            assert!(
                ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"),
                "{ics}"
            );
            let calendar = parse(&ics);
            assert_eq!(
                calendar.property_value("PRODID"),
                Some("-//LMS//Schedule//RU")
            );
            assert_eq!(calendar.property_value("METHOD"), Some("PUBLISH"));
            assert_eq!(calendar.property_value("X-WR-CALNAME"), Some(name));
            assert_eq!(calendar.property_value("X-PUBLISHED-TTL"), Some("PT1H"));
            assert_eq!(calendar.events().count(), 0);
        }
    }

    #[test]
    fn instants_have_no_end_and_host_links_stay_out() {
        let course_id = CourseId::new();
        let assignment_id = AssignmentId::new();
        let deadline = ScheduleEvent {
            uid: "deadline-x@lms".to_owned(),
            course_id,
            course_title: "Physics".to_owned(),
            title: "Essay".to_owned(),
            starts_at: start(),
            ends_at: start(),
            source: EventSource::Deadline { assignment_id },
        };
        let webinar = ScheduleEvent {
            uid: "webinar-y@lms".to_owned(),
            ends_at: start() + Duration::minutes(30),
            title: "Q&A".to_owned(),
            source: EventSource::Webinar {
                webinar_id: WebinarId::new(),
                join_url: "https://meet.example.ru/j?p=a,b;c".to_owned(),
                host_url: Some("https://meet.example.ru/h".to_owned()),
            },
            ..deadline.clone()
        };
        let ics = to_ical(
            &[deadline, webinar],
            "https://lms.school.ru/",
            Locale::En,
            start(),
        );
        let unfolded = ics.replace("\r\n ", "");
        let events: Vec<&str> = unfolded.split("BEGIN:VEVENT\r\n").skip(1).collect();
        assert_eq!(events.len(), 2);
        assert!(events[0].contains("UID:deadline-x@lms.school.ru\r\n"));
        assert!(events[0].contains("DTSTART:20260310T150000Z\r\n"));
        assert!(!events[0].contains("DTEND"));
        assert!(events[0].contains("SUMMARY:Due: Essay\r\n"));
        assert!(events[0].contains(&format!(
            "URL:https://lms.school.ru/assignments/{assignment_id}\r\n"
        )));
        assert!(!events[0].contains("LOCATION"));
        assert!(events[1].contains("DTEND:20260310T153000Z\r\n"));
        // A URI is not TEXT: only the location escapes the link.
        assert!(events[1].contains("URL:https://meet.example.ru/j?p=a,b;c\r\n"));
        assert!(events[1].contains("LOCATION:https://meet.example.ru/j?p=a\\,b\\;c\r\n"));
        assert!(!ics.contains("meet.example.ru/h"), "no host link: {ics}");
        assert_eq!(unfolded.matches("DTSTAMP:20260310T150000Z\r\n").count(), 2);
        physical_lines(&ics);
    }

    #[test]
    fn hosts_come_from_the_public_url() {
        assert_eq!(host_of("https://lms.school.ru"), "lms.school.ru");
        assert_eq!(host_of("http://127.0.0.1:8080/base"), "127.0.0.1");
        assert_eq!(host_of("http://[::1]:8080"), "::1");
        assert_eq!(host_of(""), "lms");
    }
}
