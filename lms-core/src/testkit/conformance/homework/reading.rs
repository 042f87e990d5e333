//! Homework conformance: reading submissions and the grading queue.

use super::*;
use crate::homework::SubmissionFilter;
use crate::user::UserFilter;

/// Submissions to an assignment list by the student's first hand-in, paged.
pub async fn submissions_are_listed_by_first_hand_in(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let a = add_assignment(&storage, class.course.id, day(1)).await;
    let other_assignment = add_assignment(&storage, class.course.id, day(2)).await;
    let mut by_time = Vec::new();
    for minutes in [30, 10, 40, 20] {
        let s = add_user(&storage, Role::Student).await;
        let sub = add_hand_in(&storage, &a, s.id, at(minutes)).await;
        by_time.push((minutes, sub.id, s.id));
    }
    by_time.sort_by_key(|(m, _, _)| *m);
    // The earliest student hands in again last: their first hand-in still counts.
    add_hand_in(&storage, &a, by_time[0].2, at(90)).await;
    add_hand_in(&storage, &other_assignment, class.student.id, at(5)).await;
    let expected: Vec<SubmissionId> = by_time.iter().map(|(_, id, _)| *id).collect();
    let list = |limit, offset| {
        let storage = storage.clone();
        async move {
            ok(
                storage
                    .homework
                    .list_submissions(a.id, &SubmissionFilter::default(), Page::new(limit, offset))
                    .await,
                "list_submissions",
            )
            .into_iter()
            .map(|s| s.id)
            .collect::<Vec<_>>()
        }
    };
    assert_eq!(list(50, 0).await, expected, "by first hand-in");
    assert_eq!(list(2, 0).await, expected[..2], "first page");
    assert_eq!(list(2, 2).await, expected[2..], "second page");
    let full = ok(
        storage
            .homework
            .list_submissions(a.id, &SubmissionFilter::default(), Page::first())
            .await,
        "list_submissions",
    );
    assert_eq!(
        full[0].versions.len(),
        2,
        "listed submissions carry their versions"
    );

    // A filter: by the student's e-mail (in any case), by state, by account state.
    let filtered = |filter: SubmissionFilter| {
        let storage = storage.clone();
        async move {
            ok(
                storage
                    .homework
                    .list_submissions(a.id, &filter, Page::first())
                    .await,
                "list_submissions",
            )
            .into_iter()
            .map(|s| s.id)
            .collect::<Vec<_>>()
        }
    };
    let third = ok(storage.users.get_user(by_time[2].2).await, "get_user").expect("stored");
    let by_email = SubmissionFilter {
        students: UserFilter {
            query: Some(third.email.as_str().to_uppercase()),
            ..UserFilter::default()
        },
        state: None,
    };
    assert_eq!(
        filtered(by_email).await,
        [by_time[2].1],
        "one student's work"
    );
    ok(
        storage
            .homework
            .review(&grade_review(
                by_time[1].1,
                1,
                class.teacher.id,
                at(95),
                5.0,
            ))
            .await,
        "grade",
    );
    let graded = SubmissionFilter {
        state: Some(SubmissionState::Graded),
        ..SubmissionFilter::default()
    };
    assert_eq!(filtered(graded).await, [by_time[1].1], "graded work only");
    let mut gone = third.clone();
    gone.active = false;
    ok(storage.users.update_user(&gone).await, "update_user");
    let active = SubmissionFilter {
        students: UserFilter {
            active: Some(true),
            ..UserFilter::default()
        },
        state: None,
    };
    assert_eq!(
        filtered(active).await,
        [expected[0], expected[1], expected[3]],
        "work of active accounts"
    );
}

/// A student's submissions per course, their first hand-ins over every
/// course oldest first, and the head of one submission.
pub async fn student_submissions_and_history(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let other_course = add_course(&storage, class.teacher.id, CourseStatus::Published).await;
    let other_student = add_user(&storage, Role::Student).await;
    let a1 = add_assignment(&storage, class.course.id, day(1)).await;
    let a2 = add_assignment(&storage, class.course.id, day(2)).await;
    let b1 = add_assignment(&storage, other_course.id, day(3)).await;
    let s = class.student.id;
    let sub_a2 = add_hand_in(&storage, &a2, s, at(10)).await;
    add_hand_in(&storage, &b1, s, at(20)).await;
    let sub_a1 = add_hand_in(&storage, &a1, s, at(30)).await;
    add_hand_in(&storage, &a2, s, at(40)).await;
    add_hand_in(&storage, &a1, other_student.id, at(5)).await;
    let ids = |subs: Vec<Submission>| subs.into_iter().map(|x| x.id).collect::<Vec<_>>();
    assert_eq!(
        sorted(&ids(ok(
            storage
                .homework
                .student_submissions(class.course.id, s)
                .await,
            "student_submissions"
        ))),
        sorted(&[sub_a1.id, sub_a2.id]),
        "the student's submissions in this course only"
    );
    let firsts = ok(storage.homework.first_hand_ins(s).await, "first_hand_ins");
    assert_eq!(
        firsts
            .iter()
            .map(|f| (f.assignment_id, f.submitted_at))
            .collect::<Vec<_>>(),
        [(a2.id, at(10)), (b1.id, at(20)), (a1.id, at(30))],
        "every course, one per assignment by its first version, oldest first"
    );
    let head = ok(
        storage.homework.submission_head(a2.id, s).await,
        "submission_head",
    )
    .expect("the student handed in a2");
    assert_eq!(head.id, sub_a2.id);
    assert_eq!(
        (head.versions, head.last_number),
        (2, 2),
        "head counts versions"
    );
    assert_eq!(head.state, sub_a2.state);
    assert!(
        ok(
            storage
                .homework
                .submission_head(b1.id, other_student.id)
                .await,
            "submission_head"
        )
        .is_none(),
        "no head without a hand-in"
    );
    assert!(
        ok(
            storage
                .homework
                .student_submissions(CourseId::new(), s)
                .await,
            "student_submissions"
        )
        .is_empty()
    );
}

/// The queue holds submitted (on time or late) work of the given courses,
/// oldest latest hand-in first, paged; graded and returned work is not in it.
pub async fn pending_submissions_oldest_first(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let course_b = add_course(&storage, class.teacher.id, CourseStatus::Published).await;
    let course_c = add_course(&storage, class.teacher.id, CourseStatus::Published).await;
    let a = add_assignment(&storage, class.course.id, at(25)).await;
    let b = add_assignment(&storage, course_b.id, day(1)).await;
    let c = add_assignment(&storage, course_c.id, day(1)).await;
    let mut accounts = Vec::new();
    for _ in 0..6 {
        accounts.push(add_user(&storage, Role::Student).await);
    }
    let students: Vec<_> = accounts.iter().map(|u| u.id).collect();
    let s1 = add_hand_in(&storage, &a, students[0], at(30)).await; // late
    let s2 = add_hand_in(&storage, &a, students[1], at(10)).await;
    add_hand_in(&storage, &a, students[1], at(50)).await; // latest hand-in at 50
    let s3 = add_hand_in(&storage, &b, students[2], at(20)).await;
    let graded = add_hand_in(&storage, &a, students[3], at(5)).await;
    ok(
        storage
            .homework
            .review(&grade_review(graded.id, 1, class.teacher.id, at(6), 5.0))
            .await,
        "grade",
    );
    let returned = add_hand_in(&storage, &b, students[4], at(7)).await;
    ok(
        storage
            .homework
            .review(&return_review(returned.id, 1, class.teacher.id, at(8)))
            .await,
        "return",
    );
    add_hand_in(&storage, &c, students[5], at(1)).await; // course not asked for

    let courses = [class.course.id, course_b.id];
    let queue = ok(
        storage
            .homework
            .pending_submissions(&courses, &UserFilter::default(), Page::first())
            .await,
        "pending_submissions",
    );
    let ids: Vec<_> = queue.iter().map(|p| p.submission.id).collect();
    assert_eq!(
        ids,
        [s3.id, s1.id, s2.id],
        "waiting work of the asked courses, oldest latest hand-in first"
    );
    assert_eq!(
        queue[0].assignment_id, b.id,
        "entries carry their assignment"
    );
    assert_eq!(
        queue[0].course_id, course_b.id,
        "entries carry their course"
    );
    assert_eq!(queue[1].course_id, class.course.id);
    assert_eq!(
        (
            queue[0].student_name.as_str(),
            queue[0].assignment_title.as_str()
        ),
        (accounts[2].display_name.as_str(), b.title.as_str()),
        "entries name their student and assignment"
    );
    assert_eq!(queue[1].student_name, accounts[0].display_name.as_str());
    assert_eq!(
        queue[1].submission.state,
        SubmissionState::SubmittedLate,
        "late work waits too"
    );
    assert_eq!(
        queue[2].submission.versions.len(),
        2,
        "entries carry versions"
    );
    let page: Vec<_> = ok(
        storage
            .homework
            .pending_submissions(&courses, &UserFilter::default(), Page::new(1, 1))
            .await,
        "pending_submissions",
    )
    .into_iter()
    .map(|p| p.submission.id)
    .collect();
    assert_eq!(page, [s1.id], "pages apply");

    // Only work of the students a search finds (by e-mail here: the
    // fixtures share one name), or of active accounts.
    let by_email = |text: &str| UserFilter {
        query: Some(text.to_owned()),
        role: None,
        active: None,
        ..UserFilter::default()
    };
    let found: Vec<_> = ok(
        storage
            .homework
            .pending_submissions(
                &courses,
                &by_email(&accounts[2].email.as_str().to_uppercase()),
                Page::first(),
            )
            .await,
        "pending_submissions",
    )
    .into_iter()
    .map(|p| p.submission.id)
    .collect();
    assert_eq!(found, [s3.id], "a search by e-mail, in any case");
    let mut gone = accounts[0].clone();
    gone.active = false;
    ok(storage.users.update_user(&gone).await, "update_user");
    let active: Vec<_> = ok(
        storage
            .homework
            .pending_submissions(
                &courses,
                &UserFilter {
                    active: Some(true),
                    ..UserFilter::default()
                },
                Page::first(),
            )
            .await,
        "pending_submissions",
    )
    .into_iter()
    .map(|p| p.submission.id)
    .collect();
    assert_eq!(active, [s3.id, s2.id], "active students only");
    assert!(
        ok(
            storage
                .homework
                .pending_submissions(&[], &UserFilter::default(), Page::first())
                .await,
            "empty"
        )
        .is_empty(),
        "no courses, no queue"
    );
}

/// Concurrent hand-ins by one student get distinct version numbers 1..=n in
/// one submission; concurrent retries of one key store one version.
pub async fn concurrent_hand_ins_are_numbered_once(storage: Storage) {
    let class = published_course_with_student(&storage).await;
    let a = add_assignment(&storage, class.course.id, day(1)).await;
    let b = add_assignment(&storage, class.course.id, day(1)).await;
    let n: u32 = 10;
    let calls = (0..n).map(|i| {
        let storage = storage.clone();
        let h = hand_in(&a, class.student.id, at(i64::from(i)), None);
        async move { retry_transient(|| storage.homework.hand_in(&h)).await }
    });
    let results = join_all(calls).await;
    for r in &results {
        assert!(
            matches!(r, Ok(HandInOutcome::Stored(_))),
            "every concurrent hand-in is stored, got {r:?}"
        );
    }
    let sub = ok(
        storage
            .homework
            .find_submission(a.id, class.student.id)
            .await,
        "find",
    )
    .expect("the submission exists");
    let mut numbers: Vec<u32> = sub.versions.iter().map(|v| v.number).collect();
    numbers.sort_unstable();
    assert_eq!(
        numbers,
        (1..=n).collect::<Vec<_>>(),
        "versions are numbered 1..=n without gaps or repeats"
    );
    assert!(
        sub.versions.iter().all(|v| v.submission_id == sub.id),
        "one submission holds every version"
    );

    let retries = (0..n).map(|i| {
        let storage = storage.clone();
        let h = hand_in(&b, class.student.id, at(i64::from(i)), Some("double-click"));
        async move { retry_transient(|| storage.homework.hand_in(&h)).await }
    });
    let results = join_all(retries).await;
    let stored_count = results
        .iter()
        .filter(|r| matches!(r, Ok(HandInOutcome::Stored(_))))
        .count();
    let duplicates = results
        .iter()
        .filter(|r| matches!(r, Ok(HandInOutcome::Duplicate(_))))
        .count();
    assert_eq!(
        (stored_count, duplicates),
        (1, n as usize - 1),
        "one concurrent retry is stored, the others are duplicates: {results:?}"
    );
    let sub = ok(
        storage
            .homework
            .find_submission(b.id, class.student.id)
            .await,
        "find",
    )
    .expect("the submission exists");
    assert_eq!(sub.versions.len(), 1, "one version for one key");
}
