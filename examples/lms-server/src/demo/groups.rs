//! The demo course's groups: two groups of ten students, each with its
//! mentor, and announcements to the course and to one group.

use lms_core::announcement::NewAnnouncement;
use lms_core::course::NewGroup;
use lms_core::group::GroupName;

use super::*;

/// Splits the course's students into «Группа А» (mentored by `mentor_a`)
/// and «Группа Б» (`mentor_b`, made an assistant of the course here), then
/// posts the teacher's announcement to everyone and mentor A's to their
/// group. Returns how many groups and announcements were created.
pub(super) async fn seed_groups(
    lms: &Lms,
    course: CourseId,
    teacher: &Actor,
    mentor_a: &Actor,
    mentor_b: &Actor,
    students: &[Actor],
) -> Result<(usize, usize), DemoError> {
    let step = |what: &str| format!("groups: {what}");
    lms.courses
        .add_assistant(teacher, course, mentor_b.user_id)
        .await
        .map_err(at(step("the second mentor")))?;
    let half = students.len().div_ceil(2);
    let mut groups = 0;
    for (name, mentor, members) in [
        ("Группа А", mentor_a, &students[..half]),
        ("Группа Б", mentor_b, &students[half..]),
    ] {
        let group = lms
            .courses
            .create_group(
                teacher,
                course,
                NewGroup {
                    name: GroupName::parse(name).map_err(at(step(name)))?,
                    mentor_ids: vec![mentor.user_id],
                },
            )
            .await
            .map_err(at(step(name)))?;
        groups += 1;
        for student in members {
            lms.courses
                .move_student(teacher, course, student.user_id, Some(group.id))
                .await
                .map_err(at(step("moving students")))?;
        }
    }

    let announce = async |who: &Actor, headline: &str, body: &str| {
        lms.announcements
            .post(
                who,
                course,
                NewAnnouncement {
                    title: title(headline),
                    body: rich(body),
                    group_ids: Vec::new(),
                },
            )
            .await
            .map(drop)
            .map_err(at(step(headline)))
    };
    announce(
        teacher,
        "Пробный экзамен в субботу",
        "<p>В субботу в 10:00 — пробный вариант ЕГЭ. Возьмите черновик и калькулятор.</p>",
    )
    .await?;
    announce(
        mentor_a,
        "Группа А: разбор домашки в среду",
        "<p>Созвон в среду в 19:00: разберём квадратные уравнения. Вопросы пишите в обсуждение работы.</p>",
    )
    .await?;
    Ok((groups, 2))
}
