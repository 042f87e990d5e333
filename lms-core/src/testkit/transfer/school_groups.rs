//! The groups of the transfer school: two groups of its course, a mentor,
//! a student moved between them, and announcements to the course and to a
//! group.

use super::*;

/// Groups created at one instant: the assistant mentors the first; the
/// student moved through the second (archived since) into the first.
/// Returns the groups in the order created and the student's moves.
pub(super) async fn add_groups(
    storage: &Storage,
    x: &mut SchoolDump,
    course: &Course,
    teacher: &User,
    assistant: &User,
    student: &User,
) -> (Vec<GroupId>, Vec<GroupMove>) {
    let group = |name: &str, mentors: Vec<UserId>, invite_code: Option<InviteCode>| Group {
        id: GroupId::new(),
        course_id: course.id,
        name: GroupName::parse(name).expect("valid name"),
        invite_code,
        mentors,
        archived_at: None,
        created_at: at(-75),
    };
    let morning = group(
        "Утренняя группа",
        vec![assistant.id],
        Some(InviteCode::generate()),
    );
    let evening = group("Вечерняя группа", Vec::new(), None);
    for g in [&morning, &evening] {
        ok(storage.groups.insert_group(g).await, "insert group");
    }
    let group_history = vec![
        GroupMove {
            course_id: course.id,
            student_id: student.id,
            from_group: None,
            to_group: Some(evening.id),
            moved_by: teacher.id,
            moved_at: at(-70),
        },
        GroupMove {
            course_id: course.id,
            student_id: student.id,
            from_group: Some(evening.id),
            to_group: Some(morning.id),
            moved_by: teacher.id,
            moved_at: at(-60),
        },
    ];
    for m in &group_history {
        ok(storage.groups.move_student(m).await, "move student");
    }
    let evening = Group {
        archived_at: Some(at(-50)),
        ..evening
    };
    ok(storage.groups.update_group(&evening).await, "archive group");
    let group_order = vec![morning.id, evening.id];
    x.group_members.push(GroupMemberRecord {
        course_id: course.id,
        student_id: student.id,
        group_id: morning.id,
    });
    for (author, title, groups, minutes) in [
        (teacher.id, "Пробник в субботу", Vec::new(), -45),
        (
            assistant.id,
            "Утренняя группа: созвон",
            vec![morning.id, evening.id],
            -40,
        ),
    ] {
        let mut a = crate::announcement::Announcement {
            id: crate::ids::AnnouncementId::new(),
            course_id: course.id,
            author_id: author,
            author_name: String::new(),
            title: crate::course::Title::parse(title).expect("valid title"),
            body: crate::richtext::RichText::sanitize("<p>Подробности 📣</p>"),
            group_ids: groups,
            created_at: at(minutes),
        };
        ok(
            storage.announcements.post_announcement(&a, &[]).await,
            "post announcement",
        );
        a.group_ids.sort_unstable();
        x.announcements.push(a);
    }
    x.groups.extend([morning, evening]);
    x.group_moves.extend(group_history.iter().cloned());
    (group_order, group_history)
}
