//! Notification conformance: the targets of the reminder planner
//! (deadlines with extensions, quizzes about to close, work that opened).

use super::*;
/// Deadline targets: published assignments of published courses due in
/// `[from, to)`, one per enrolled student, extensions applied, with the
/// submitted flag and titles.
pub async fn deadline_targets_apply_extensions(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let t = class.teacher.id;
    let s1 = class.student.id;
    let s2 = add_user(&storage, Role::Student).await.id;
    let s3 = add_user(&storage, Role::Student).await.id;
    enroll(&storage, class.course.id, s2).await;
    enroll(&storage, class.course.id, s3).await;
    let p = &class.course;

    let a1 = add_assignment(&storage, p.id, at(60)).await;
    let a3 = add_assignment(&storage, p.id, at(200)).await;
    let mut draft = assignment(p.id, at(60));
    draft.published = false;
    ok(
        storage.homework.insert_assignment(&draft, &[]).await,
        "insert draft",
    );
    for (assignment_id, student, due) in [(a1.id, s2, at(180)), (a3.id, s2, at(100))] {
        ok(
            storage
                .homework
                .upsert_extension(&Extension {
                    assignment_id,
                    student_id: student,
                    due_at: due,
                    cut_off_at: None,
                    granted_by: t,
                    granted_at: at(0),
                })
                .await,
            "upsert_extension",
        );
    }
    add_hand_in(&storage, &a1, s3, at(1)).await;

    let second = add_course(&storage, t, CourseStatus::Published).await;
    enroll(&storage, second.id, s1).await;
    let a_from = add_assignment(&storage, second.id, at(0)).await;
    let _a_to = add_assignment(&storage, second.id, at(120)).await;
    for status in [CourseStatus::Draft, CourseStatus::Archived] {
        let hidden = add_course(&storage, t, status).await;
        enroll(&storage, hidden.id, s1).await;
        add_assignment(&storage, hidden.id, at(60)).await;
    }

    let target =
        |a: &crate::homework::Assignment, c: &crate::course::Course, student, due, submitted| {
            DeadlineTarget {
                assignment_id: a.id,
                assignment_title: a.title.as_str().to_owned(),
                course_id: c.id,
                course_title: c.title.as_str().to_owned(),
                student_id: student,
                due_at: due,
                submitted,
            }
        };
    let mut want = vec![
        target(&a1, p, s1, at(60), false),
        target(&a1, p, s3, at(60), true),
        target(&a3, p, s2, at(100), false),
        target(&a_from, &second, s1, at(0), false),
    ];
    let key = |d: &DeadlineTarget| (d.assignment_id, d.student_id);
    want.sort_by_key(key);
    let mut got = ok(
        storage.notifications.deadline_targets(at(0), at(120)).await,
        "deadline_targets",
    );
    got.sort_by_key(key);
    assert_eq!(
        got, want,
        "from included, to excluded, extensions applied, drafts and unpublished courses excluded"
    );
}

/// Quiz close targets: published quizzes of published courses whose
/// `closes_at` is in `[from, to)` (compared as instants, to the microsecond,
/// whatever the fractional digits of either), one per enrolled student, with
/// whether the student has any attempt at that quiz; by closing time, quiz
/// and student. Drafts, quizzes that never close, hidden courses, other
/// courses' students and unenrolled students are left out.
pub async fn quiz_close_targets_list_students_of_open_quizzes(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let t = class.teacher.id;
    let s1 = class.student.id;
    let s2 = add_user(&storage, Role::Student).await.id;
    let s3 = add_user(&storage, Role::Student).await.id;
    let gone = add_user(&storage, Role::Student).await.id;
    for s in [s2, s3, gone] {
        enroll(&storage, class.course.id, s).await;
    }
    let p = &class.course;
    let ms = chrono::Duration::milliseconds;
    let us = chrono::Duration::microseconds;
    // Bounds between whole seconds: a closing time written without
    // fractional digits must still compare as the instant it is.
    let from = at(0) + ms(500);
    let to = at(120) + ms(500);

    let add_quiz = |course, closes_at: Option<chrono::DateTime<chrono::Utc>>, published| {
        let storage = storage.clone();
        async move {
            let mut q = quiz(course, at(-600));
            q.settings.closes_at = closes_at;
            q.settings.attempts_allowed = None;
            q.published = published;
            ok(storage.quizzes.insert_quiz(&q).await, "insert quiz");
            let question = ok(
                storage
                    .quizzes
                    .insert_question(&true_false_question(q.id, true))
                    .await,
                "insert question",
            );
            (q, question)
        }
    };
    let (main, main_q) = add_quiz(p.id, Some(at(60)), true).await;
    let (at_from, at_from_q) = add_quiz(p.id, Some(from), true).await;
    let (last_micro, _) = add_quiz(p.id, Some(to - us(1)), true).await;
    let (whole_second, _) = add_quiz(p.id, Some(at(120)), true).await;
    // Outside the window, or never reminded.
    add_quiz(p.id, Some(to), true).await;
    add_quiz(p.id, Some(at(0)), true).await;
    add_quiz(p.id, Some(from - us(1)), true).await;
    add_quiz(p.id, Some(at(200)), true).await;
    add_quiz(p.id, Some(at(60)), false).await;
    add_quiz(p.id, None, true).await;
    for status in [CourseStatus::Draft, CourseStatus::Archived] {
        let hidden = add_course(&storage, t, status).await;
        enroll(&storage, hidden.id, s1).await;
        add_quiz(hidden.id, Some(at(60)), true).await;
    }
    let other = add_course(&storage, t, CourseStatus::Published).await;
    let s4 = add_user(&storage, Role::Student).await.id;
    enroll(&storage, other.id, s4).await;
    let (other_quiz, _) = add_quiz(other.id, Some(at(30)), true).await;
    ok(
        storage.courses.unenroll(p.id, gone).await,
        "unenroll a student",
    );

    // s2 has an open attempt at the main quiz, s3 a finished one; s1 only
    // attempted another quiz.
    let open = attempt(&main, std::slice::from_ref(&main_q), s2, at(-10), None);
    ok(storage.quizzes.start_attempt(&open, None).await, "start");
    let done = attempt(&main, std::slice::from_ref(&main_q), s3, at(-10), None);
    ok(storage.quizzes.start_attempt(&done, None).await, "start");
    ok(
        storage
            .quizzes
            .finish_attempt(&finish(
                done.id,
                at(-5),
                attempt_result(std::slice::from_ref(&main_q), 1.0, 1.0),
            ))
            .await,
        "finish",
    );
    let elsewhere = attempt(
        &at_from,
        std::slice::from_ref(&at_from_q),
        s1,
        at(-10),
        None,
    );
    ok(
        storage.quizzes.start_attempt(&elsewhere, None).await,
        "start",
    );

    let target =
        |q: &crate::quiz::Quiz, c: &crate::course::Course, student, attempted| QuizCloseTarget {
            quiz_id: q.id,
            quiz_title: q.title.as_str().to_owned(),
            course_id: c.id,
            course_title: c.title.as_str().to_owned(),
            student_id: student,
            closes_at: q.settings.closes_at.expect("closes"),
            attempted,
        };
    let in_course = |q: &crate::quiz::Quiz, attempted: [bool; 3]| {
        let mut v: Vec<_> = [s1, s2, s3]
            .into_iter()
            .zip(attempted)
            .map(|(s, a)| target(q, p, s, a))
            .collect();
        v.sort_by_key(|t| t.student_id);
        v
    };
    let mut want = in_course(&at_from, [true, false, false]);
    want.push(target(&other_quiz, &other, s4, false));
    want.extend(in_course(&main, [false, true, true]));
    want.extend(in_course(&whole_second, [false; 3]));
    want.extend(in_course(&last_micro, [false; 3]));
    let got = ok(
        storage.notifications.quiz_close_targets(from, to).await,
        "quiz_close_targets",
    );
    assert_eq!(
        got, want,
        "by closing time then student; from included, to excluded to the microsecond; \
         drafts, quizzes without closes_at, hidden courses and unenrolled students left out; \
         attempted per student and quiz"
    );
    assert!(
        ok(
            storage
                .notifications
                .quiz_close_targets(at(-60), at(-1))
                .await,
            "quiz_close_targets"
        )
        .is_empty(),
        "nothing closes in an empty window"
    );
}

/// Opening targets: published assignments of published courses whose
/// `opens_at` is in `[from, to)`, one per enrolled student, by opening.
pub async fn opening_targets_list_work_that_opened(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let t = class.teacher.id;
    let s1 = class.student.id;
    let s2 = add_user(&storage, Role::Student).await.id;
    enroll(&storage, class.course.id, s2).await;
    let p = &class.course;
    let opening = |opens_at| {
        let mut a = assignment(p.id, opens_at + chrono::Duration::days(7));
        a.opens_at = opens_at;
        a
    };
    let first = opening(at(0));
    let second = opening(at(30));
    let too_late = opening(at(60));
    let too_early = opening(at(-1));
    let mut draft = opening(at(10));
    draft.published = false;
    for a in [&first, &second, &too_late, &too_early, &draft] {
        ok(
            storage.homework.insert_assignment(a, &[]).await,
            "insert assignment",
        );
    }
    for status in [CourseStatus::Draft, CourseStatus::Archived] {
        let hidden = add_course(&storage, t, status).await;
        enroll(&storage, hidden.id, s1).await;
        let mut a = assignment(hidden.id, at(20) + chrono::Duration::days(7));
        a.opens_at = at(20);
        ok(
            storage.homework.insert_assignment(&a, &[]).await,
            "insert hidden",
        );
    }
    let target = |a: &crate::homework::Assignment, student| OpeningTarget {
        assignment_id: a.id,
        assignment_title: a.title.as_str().to_owned(),
        due_at: a.due_at,
        course_id: p.id,
        course_title: p.title.as_str().to_owned(),
        student_id: student,
    };
    let by_student = |mut v: Vec<OpeningTarget>| {
        // Within one opening the order is by assignment and student id.
        v.sort_by_key(|t| {
            (
                first_index(&[first.id, second.id], t.assignment_id),
                t.student_id,
            )
        });
        v
    };
    let got = ok(
        storage.notifications.opening_targets(at(0), at(60)).await,
        "opening_targets",
    );
    assert_eq!(
        got.iter().map(|t| t.assignment_id).collect::<Vec<_>>(),
        vec![first.id, first.id, second.id, second.id],
        "by opening; from included, to excluded, drafts and hidden courses left out"
    );
    assert_eq!(
        by_student(got),
        by_student(vec![
            target(&first, s1),
            target(&first, s2),
            target(&second, s1),
            target(&second, s2),
        ])
    );
}

fn first_index(ids: &[crate::ids::AssignmentId], id: crate::ids::AssignmentId) -> usize {
    ids.iter().position(|i| *i == id).unwrap_or(usize::MAX)
}
