use super::fixtures::*;
use super::*;
use crate::achievement::Badge;
use crate::homework::SubmissionVersion;
use crate::quiz::ScoringPolicy;
use chrono::Duration;
use proptest::prelude::*;

fn item<'a>(d: &'a StudentDashboard, a: &Assignment) -> &'a HomeworkItem {
    d.homework
        .iter()
        .find(|h| h.assignment_id == a.id)
        .expect("assignment on the dashboard")
}

#[test]
fn homework_statuses_apply_extensions_cut_offs_and_lateness() {
    let me = UserId::new();
    let now = t0();
    let c = course("Алгебра", CourseStatus::Published);
    let mut missing = assignment(&c, "Пропущено", now - days(3), 10.0);
    missing.cut_off_at = Some(now - days(1));
    let overdue = assignment(&c, "Просрочено", now - days(2), 10.0);
    let extended = assignment(&c, "Продлено", now - days(2), 10.0);
    let mut cut_off_later = assignment(&c, "Ещё можно сдать", now - days(1), 10.0);
    cut_off_later.cut_off_at = Some(now + days(1));
    let late = assignment(&c, "Поздно", now - days(3), 10.0);
    let graded_late = assignment(&c, "Оценено", now - days(5), 20.0);
    let returned = assignment(&c, "На доработке", now + days(2), 10.0);
    let on_time = assignment(&c, "Вовремя", now + days(1), 10.0);
    let mut draft = assignment(&c, "Черновик", now + days(1), 10.0);
    draft.published = false;

    let mut graded_sub = graded(&graded_late, me, true, 13.5, now - days(1));
    // A later on-time version exists but the graded one (version 1) was late.
    graded_sub.versions.push(SubmissionVersion {
        number: 2,
        late: false,
        ..graded_sub.versions[0].clone()
    });

    let mut data = course_data(c.clone());
    data.assignments = vec![
        missing.clone(),
        overdue.clone(),
        extended.clone(),
        cut_off_later.clone(),
        late.clone(),
        graded_late.clone(),
        returned.clone(),
        on_time.clone(),
        draft.clone(),
    ];
    data.extensions = vec![extension(&extended, me, now + days(3), None)];
    data.submissions = vec![
        submission(
            &late,
            me,
            &[(now - days(2), true)],
            SubmissionState::SubmittedLate,
        ),
        graded_sub,
        submission(
            &returned,
            me,
            &[(now - days(1), false)],
            SubmissionState::ReturnedForRework,
        ),
        submission(
            &on_time,
            me,
            &[(now - Duration::hours(1), false)],
            SubmissionState::Submitted,
        ),
    ];
    let d = build_student_dashboard(&student_snapshot(vec![data]), now);

    assert_eq!(d.homework.len(), 8, "drafts are not shown");
    assert!(d.homework.iter().all(|h| h.assignment_id != draft.id));
    assert_eq!(
        item(&d, &missing).status,
        HomeworkStatus::Missing,
        "past the cut-off"
    );
    // Past the due date without a cut-off: still accepted, so not
    // missing; its due date tells the UI it is overdue.
    let o = item(&d, &overdue);
    assert_eq!(o.status, HomeworkStatus::NotSubmitted);
    assert!(o.due_at < now && o.cut_off_at.is_none());
    let ext = item(&d, &extended);
    assert_eq!(ext.status, HomeworkStatus::NotSubmitted);
    assert_eq!(ext.due_at, now + days(3), "the student's own due date");
    let cut = item(&d, &cut_off_later);
    assert_eq!(cut.status, HomeworkStatus::NotSubmitted);
    assert_eq!(cut.cut_off_at, Some(now + days(1)));
    let l = item(&d, &late);
    assert_eq!(
        (l.status, l.late, l.final_score),
        (HomeworkStatus::SubmittedLate, true, None)
    );
    let g = item(&d, &graded_late);
    assert_eq!(g.status, HomeworkStatus::Graded);
    assert_eq!(g.final_score, Some(pts(13.5)));
    assert_eq!(g.max_score, pts(20.0));
    assert!(g.late, "the graded version counts, not the newer one");
    assert_eq!(
        item(&d, &returned).status,
        HomeworkStatus::ReturnedForRework
    );
    let o = item(&d, &on_time);
    assert_eq!((o.status, o.late), (HomeworkStatus::Submitted, false));
    assert_eq!(o.course_title.as_str(), "Алгебра");

    // By the student's due date.
    let dues: Vec<_> = d.homework.iter().map(|h| h.due_at).collect();
    let mut sorted = dues.clone();
    sorted.sort();
    assert_eq!(dues, sorted);

    // Upcoming: still to hand in and due after now, soonest first (the
    // overdue one is not upcoming).
    let upcoming: Vec<_> = d
        .upcoming_deadlines
        .iter()
        .map(|h| h.assignment_id)
        .collect();
    assert_eq!(upcoming, vec![returned.id, extended.id]);

    // Progress counts graded work only.
    assert_eq!(d.courses[0].progress.assignments_total, 8);
    assert_eq!(d.courses[0].progress.assignments_done, 1);
    assert_eq!(d.recent_grades.len(), 1);
    assert_eq!(d.recent_grades[0].percent, 67.5);
}

#[test]
fn assignments_not_open_yet_are_not_listed() {
    let now = t0();
    let c = course("Физика", CourseStatus::Published);
    let mut data = course_data(c.clone());
    let open = assignment(&c, "Открыто", now + days(1), 5.0);
    let mut later = assignment(&c, "Позже", now + days(9), 5.0);
    later.opens_at = now + Duration::hours(1);
    data.assignments = vec![open.clone(), later];
    let d = build_student_dashboard(&student_snapshot(vec![data]), now);
    let listed: Vec<_> = d.homework.iter().map(|h| h.assignment_id).collect();
    assert_eq!(listed, [open.id], "only opened assignments reach students");
    assert!(
        d.upcoming_deadlines
            .iter()
            .all(|h| h.assignment_id == open.id)
    );
}

#[test]
fn upcoming_deadlines_are_capped_and_soonest_first() {
    let now = t0();
    let c = course("Физика", CourseStatus::Published);
    let mut data = course_data(c.clone());
    // 12 future ones in scrambled order, one exactly now (not after now).
    for i in [7, 3, 11, 1, 9, 5, 12, 2, 8, 4, 10, 6] {
        data.assignments.push(assignment(
            &c,
            &format!("ДЗ {i:02}"),
            now + Duration::hours(i),
            5.0,
        ));
    }
    data.assignments.push(assignment(&c, "Сейчас", now, 5.0));
    let d = build_student_dashboard(&student_snapshot(vec![data]), now);
    assert_eq!(d.upcoming_deadlines.len(), UPCOMING_DEADLINES_LIMIT);
    let titles: Vec<_> = d
        .upcoming_deadlines
        .iter()
        .map(|h| h.title.as_str().to_owned())
        .collect();
    let expected: Vec<_> = (1..=10).map(|i| format!("ДЗ {i:02}")).collect();
    assert_eq!(titles, expected);
}

#[test]
fn recent_grades_are_the_latest_ten_newest_first() {
    let me = UserId::new();
    let now = t0();
    let c = course("Химия", CourseStatus::Archived);
    let mut data = course_data(c.clone());
    for i in 0..12 {
        let a = assignment(&c, &format!("Работа {i}"), now - days(30), 3.0);
        data.submissions
            .push(graded(&a, me, false, 1.0, now - days(20) + days(i)));
        data.assignments.push(a);
    }
    let d = build_student_dashboard(&student_snapshot(vec![data]), now);
    assert_eq!(d.recent_grades.len(), RECENT_GRADES_LIMIT);
    let at: Vec<_> = d.recent_grades.iter().map(|g| g.graded_at).collect();
    let expected: Vec<_> = (2..12).rev().map(|i| now - days(20) + days(i)).collect();
    assert_eq!(at, expected);
    assert_eq!(
        d.recent_grades[0].percent, 33.33,
        "1 of 3 rounds to hundredths"
    );
    assert_eq!(d.courses[0].status, CourseStatus::Archived);
}

#[test]
fn quiz_scores_follow_each_scoring_policy() {
    let c = course("Тесты", CourseStatus::Published);
    let me = UserId::new();
    let other = UserId::new();
    let expected = [
        (ScoringPolicy::Best, 8.0),
        (ScoringPolicy::Last, 5.0),
        (ScoringPolicy::First, 2.0),
        (ScoringPolicy::Average, 5.0),
    ];
    for (policy, want) in expected {
        let q = quiz(&c, "Тест", policy);
        let another = quiz(&c, "Другой", policy);
        // Given out of order: the attempt number decides first/last.
        let attempts = vec![
            attempt(&q, me, 3, 5.0, 10.0),
            attempt(&q, me, 1, 2.0, 10.0),
            attempt(&q, me, 2, 8.0, 10.0),
            open_attempt(&q, me, 4),
            attempt(&another, me, 1, 10.0, 10.0),
        ];
        let s = quiz_score(&q, &attempts).unwrap();
        assert_eq!(s.score, pts(want), "{policy:?}");
        assert_eq!(s.max_score, pts(10.0));
        assert_eq!(s.percent, want * 10.0);
        assert!(!s.pending_manual);

        let mut everyone = attempts.clone();
        everyone.push(attempt(&q, other, 1, 1.0, 10.0));
        let by = quiz_scores_by_student(&q, &everyone);
        assert_eq!(by.len(), 2);
        assert_eq!(by[&me].score, pts(want));
        assert_eq!(by[&other].score, pts(1.0));
    }
    let q = quiz(&c, "Пусто", ScoringPolicy::Best);
    assert_eq!(quiz_score(&q, &[open_attempt(&q, me, 1)]), None);
    assert_eq!(quiz_score(&q, &[]), None);
    let mut essay = attempt(&q, me, 1, 3.0, 4.0);
    essay.result.as_mut().unwrap().pending_manual = true;
    assert!(quiz_score(&q, &[essay]).unwrap().pending_manual);
}

#[test]
fn progress_and_quiz_average_per_course() {
    let me = UserId::new();
    let now = t0();
    let c = course("История", CourseStatus::Published);
    let a1 = assignment(&c, "Эссе", now - days(3), 10.0);
    let a2 = assignment(&c, "Таблица", now + days(3), 10.0);
    let q1 = quiz(&c, "Тест 1", ScoringPolicy::Best);
    let q2 = quiz(&c, "Тест 2", ScoringPolicy::Last);
    let q3 = quiz(&c, "Тест 3", ScoringPolicy::Best);
    let mut hidden = quiz(&c, "Скрытый", ScoringPolicy::Best);
    hidden.published = false;
    let mut data = course_data(c.clone());
    data.lessons_visible = 4;
    data.lessons_viewed = 2;
    data.assignments = vec![a1.clone(), a2];
    data.submissions = vec![graded(&a1, me, false, 9.0, now - days(1))];
    data.quizzes = vec![q1.clone(), q2.clone(), q3.clone(), hidden.clone()];
    data.attempts = vec![
        attempt(&q1, me, 1, 1.0, 3.0),
        attempt(&q2, me, 1, 7.0, 7.0),
        attempt(&q2, me, 2, 1.0, 7.0),
        open_attempt(&q3, me, 1),
        attempt(&hidden, me, 1, 0.0, 5.0),
    ];
    let d = build_student_dashboard(&student_snapshot(vec![data]), now);
    let view = &d.courses[0];
    assert_eq!(
        view.progress,
        CourseProgress {
            lessons_total: 4,
            lessons_viewed: 2,
            assignments_total: 2,
            assignments_done: 1,
            quizzes_total: 3,
            quizzes_done: 2,
        }
    );
    assert_eq!(view.percent, 55, "5 of 9 items, rounded down");
    // 1/3 → 33.33 %, last of quiz 2 → 1/7 → 14.29 %; mean 23.81 %.
    assert_eq!(view.quiz_average_percent, Some(23.81));
    assert_eq!(d.quiz_results.len(), 3, "unpublished quizzes are hidden");
    let r2 = d.quiz_results.iter().find(|r| r.quiz_id == q2.id).unwrap();
    assert_eq!(r2.attempts_finished, 2);
    assert_eq!(r2.score.unwrap().score, pts(1.0));
    let r3 = d.quiz_results.iter().find(|r| r.quiz_id == q3.id).unwrap();
    assert_eq!((r3.score, r3.attempts_finished), (None, 0));
}

#[test]
fn viewed_lessons_never_exceed_visible_ones() {
    let mut data = course_data(course("Курс", CourseStatus::Published));
    data.lessons_visible = 2;
    data.lessons_viewed = 5;
    let d = build_student_dashboard(&student_snapshot(vec![data]), t0());
    assert_eq!(d.courses[0].progress.lessons_viewed, 2);
    assert_eq!(d.courses[0].percent, 100);
}

#[test]
fn empty_snapshots_and_empty_courses_build_without_division_by_zero() {
    let d = build_student_dashboard(&student_snapshot(vec![]), t0());
    assert!(d.courses.is_empty() && d.homework.is_empty() && d.upcoming_webinars.is_empty());

    let d = build_student_dashboard(
        &student_snapshot(vec![course_data(course("Пустой", CourseStatus::Published))]),
        t0(),
    );
    assert_eq!(d.courses.len(), 1);
    assert_eq!(d.courses[0].percent, 0);
    assert_eq!(d.courses[0].quiz_average_percent, None);

    let empty = StaffSnapshot {
        courses: vec![],
        queue: vec![],
        webinars: vec![],
        mentor_scopes: Vec::new(),
    };
    let s = build_staff_dashboard(&empty, t0());
    assert!(s.courses.is_empty() && s.queue.is_empty());
}

#[test]
fn draft_courses_and_their_webinars_are_hidden_from_students() {
    let now = t0();
    let draft = course("Черновик", CourseStatus::Draft);
    let open = course("Открытый", CourseStatus::Published);
    let mut d_data = course_data(draft.clone());
    d_data
        .assignments
        .push(assignment(&draft, "Секрет", now + days(1), 1.0));
    let mut snap = student_snapshot(vec![d_data, course_data(open.clone())]);
    snap.webinars = vec![
        webinar(&draft, "Секретный", now + days(1), 60),
        webinar(&open, "Открытый", now + days(1), 60),
    ];
    snap.achievements = vec![Achievement::new(
        UserId::new(),
        Badge::FirstHomework,
        open.id,
        now,
    )];
    let d = build_student_dashboard(&snap, now);
    assert_eq!(d.courses.len(), 1);
    assert_eq!(d.courses[0].course_id, open.id);
    assert!(d.homework.is_empty());
    assert_eq!(d.upcoming_webinars.len(), 1);
    assert_eq!(d.upcoming_webinars[0].title.as_str(), "Открытый");
    assert_eq!(d.achievements, snap.achievements);
}

#[test]
fn student_webinars_are_upcoming_scheduled_soonest_first_without_host_links() {
    let now = t0();
    let c = course("Биология", CourseStatus::Published);
    let unknown = course("Чужой", CourseStatus::Published);
    let later = webinar(&c, "Позже", now + days(2), 90);
    let running = webinar(&c, "Идёт", now - Duration::minutes(30), 60);
    let over = webinar(&c, "Прошёл", now - Duration::hours(2), 60);
    let ends_now = webinar(&c, "Кончается", now - Duration::hours(1), 60);
    let mut cancelled = webinar(&c, "Отменён", now + days(1), 60);
    cancelled.state = WebinarState::Cancelled;
    let foreign = webinar(&unknown, "Чужой", now + days(1), 60);
    let mut snap = student_snapshot(vec![course_data(c.clone())]);
    snap.webinars = vec![
        later.clone(),
        over,
        cancelled,
        running.clone(),
        foreign,
        ends_now,
    ];
    let d = build_student_dashboard(&snap, now);
    let ids: Vec<_> = d.upcoming_webinars.iter().map(|w| w.webinar_id).collect();
    assert_eq!(ids, vec![running.id, later.id]);
    assert!(d.upcoming_webinars.iter().all(|w| w.host_url.is_none()));
    assert_eq!(
        d.upcoming_webinars[1].ends_at,
        later.starts_at + Duration::minutes(90)
    );
    assert_eq!(d.upcoming_webinars[1].join_url, later.join_url);
}

#[test]
fn course_statistics_count_due_hand_ins_grades_quizzes_and_lateness() {
    let now = t0();
    let c = course("Геометрия", CourseStatus::Published);
    let s: Vec<UserId> = (0..4).map(|_| UserId::new()).collect();
    let due1 = assignment(&c, "Прошло 1", now - days(5), 10.0);
    let due2 = assignment(&c, "Прошло 2", now - days(1), 3.0);
    let future = assignment(&c, "Будущее", now + days(5), 10.0);
    let mut draft = assignment(&c, "Черновик", now - days(5), 10.0);
    draft.published = false;
    let q = quiz(&c, "Тест", ScoringPolicy::Best);

    let mut data = staff_data(c.clone(), 4);
    data.assignments = vec![due1.clone(), due2.clone(), future.clone(), draft.clone()];
    data.submissions = vec![
        graded(&due1, s[0], false, 8.0, now - days(2)),
        graded(&due1, s[1], true, 7.0, now - days(2)),
        submission(
            &due1,
            s[2],
            &[(now - days(4), true), (now - days(3), false)],
            SubmissionState::Submitted,
        ),
        graded(&due2, s[0], false, 1.0, now),
        submission(
            &due2,
            s[1],
            &[(now - days(2), false)],
            SubmissionState::SubmittedLate,
        ),
        submission(
            &future,
            s[3],
            &[(now - days(1), false)],
            SubmissionState::ReturnedForRework,
        ),
        // Ignored: a draft's submission and a duplicate row.
        submission(
            &draft,
            s[3],
            &[(now - days(1), true)],
            SubmissionState::Submitted,
        ),
        submission(
            &due2,
            s[1],
            &[(now - days(2), true)],
            SubmissionState::Submitted,
        ),
    ];
    data.quizzes = vec![q.clone()];
    data.attempts = vec![
        attempt(&q, s[0], 1, 2.0, 4.0),
        attempt(&q, s[0], 2, 4.0, 4.0),
        attempt(&q, s[1], 1, 1.0, 4.0),
        open_attempt(&q, s[2], 1),
    ];
    let st = course_statistics(&data, now);
    assert_eq!(st.course_id, c.id);
    assert_eq!(st.student_count, 4);
    assert_eq!(st.assignments_due, 2);
    // 5 hand-ins to due work of 4 × 2 expected.
    assert_eq!(st.submission_rate, Some(0.625));
    // 80 %, 70 %, 33.33 % → mean 61.11 %.
    assert_eq!(st.average_homework_percent, Some(61.11));
    // best of s0: 100 %, s1: 25 % → 62.5 %.
    assert_eq!(st.average_quiz_percent, Some(62.5));
    // First versions late: s1/due1, s2/due1 — of 6 hand-ins.
    assert_eq!(st.late_share, Some(0.3333));
    assert_eq!(st.pending_count, 2);
}

#[test]
fn course_statistics_without_students_or_due_work_have_no_rates() {
    let now = t0();
    let c = course("Новый", CourseStatus::Draft);
    let st = course_statistics(&staff_data(c.clone(), 0), now);
    assert_eq!(
        (
            st.submission_rate,
            st.average_homework_percent,
            st.average_quiz_percent,
            st.late_share
        ),
        (None, None, None, None)
    );
    assert_eq!((st.assignments_due, st.pending_count), (0, 0));

    // Students but nothing due yet.
    let mut data = staff_data(c.clone(), 30);
    data.assignments = vec![assignment(&c, "Позже", now + days(1), 5.0)];
    assert_eq!(course_statistics(&data, now).submission_rate, None);

    // Due work but nobody enrolled (everyone left): no rate, not infinity.
    let a = assignment(&c, "Было", now - days(1), 5.0);
    let mut data = staff_data(c.clone(), 0);
    data.submissions = vec![submission(
        &a,
        UserId::new(),
        &[(now - days(2), false)],
        SubmissionState::Submitted,
    )];
    data.assignments = vec![a];
    let st = course_statistics(&data, now);
    assert_eq!(st.submission_rate, None);
    assert_eq!(st.late_share, Some(0.0));
}

#[test]
fn submission_rate_is_capped_when_former_students_handed_in() {
    let now = t0();
    let c = course("Курс", CourseStatus::Published);
    let a = assignment(&c, "ДЗ", now - days(1), 5.0);
    let mut data = staff_data(c, 1);
    data.submissions = (0..3)
        .map(|_| {
            submission(
                &a,
                UserId::new(),
                &[(now - days(2), false)],
                SubmissionState::Submitted,
            )
        })
        .collect();
    data.assignments = vec![a];
    assert_eq!(course_statistics(&data, now).submission_rate, Some(1.0));
}

#[test]
fn staff_dashboard_orders_queue_courses_and_webinars() {
    let now = t0();
    let b = course("Б-курс", CourseStatus::Published);
    let a = course("А-курс", CourseStatus::Published);
    let hw = assignment(&b, "Сочинение", now - days(1), 10.0);
    let newer = submission(
        &hw,
        UserId::new(),
        &[(now - Duration::hours(1), false)],
        SubmissionState::Submitted,
    );
    let older = submission(
        &hw,
        UserId::new(),
        &[(now - days(9), false), (now - days(2), true)],
        SubmissionState::SubmittedLate,
    );
    let done = graded(&hw, UserId::new(), false, 5.0, now);
    let pending = |s: &Submission, course: CourseId| PendingSubmission {
        submission: s.clone(),
        assignment_id: s.assignment_id,
        course_id: course,
        student_name: format!("Ученик {}", s.student_id),
        assignment_title: "Сочинение".into(),
    };
    let mut b_data = staff_data(b.clone(), 3);
    b_data.assignments = vec![hw.clone()];
    let w = webinar(&a, "Разбор", now + days(1), 45);
    let snap = StaffSnapshot {
        courses: vec![b_data, staff_data(a.clone(), 2)],
        queue: vec![
            pending(&newer, b.id),
            pending(&done, b.id),
            pending(&older, b.id),
        ],
        webinars: vec![w.clone()],
        mentor_scopes: Vec::new(),
    };
    let d = build_staff_dashboard(&snap, now);
    let queue: Vec<_> = d.queue.iter().map(|q| q.submission_id).collect();
    assert_eq!(
        queue,
        vec![older.id, newer.id],
        "oldest hand-in first, graded dropped"
    );
    let first = &d.queue[0];
    assert_eq!(first.version, 2);
    assert_eq!(first.submitted_at, now - days(2));
    assert_eq!(first.student_name, format!("Ученик {}", older.student_id));
    assert!(first.late);
    assert_eq!(first.state, SubmissionState::SubmittedLate);
    assert_eq!(
        first.assignment_title.as_ref().map(Title::as_str),
        Some("Сочинение")
    );
    assert_eq!(
        first.course_title.as_ref().map(Title::as_str),
        Some("Б-курс")
    );
    let titles: Vec<_> = d.courses.iter().map(|c| c.title.as_str()).collect();
    assert_eq!(titles, vec!["А-курс", "Б-курс"]);
    assert_eq!(d.upcoming_webinars.len(), 1);
    assert_eq!(
        d.upcoming_webinars[0].host_url, w.host_url,
        "staff get the host link"
    );
    assert_eq!(d.upcoming_webinars[0].course_title.as_str(), "А-курс");
}

proptest! {
    #[test]
    fn statistics_stay_in_range(
        students in 0u32..6,
        subs in proptest::collection::vec((0usize..3, 0usize..8, any::<bool>(), proptest::option::of(0.0f64..=10.0)), 0..30),
        due_offsets in proptest::collection::vec(-5i64..5, 3),
    ) {
        let now = t0();
        let c = course("Курс", CourseStatus::Published);
        let assignments: Vec<_> = due_offsets.iter().map(|d| assignment(&c, "ДЗ", now + days(*d), 10.0)).collect();
        let ids: Vec<UserId> = (0..8).map(|_| UserId::new()).collect();
        let mut data = staff_data(c, students);
        data.submissions = subs.iter().map(|(a, s, late, score)| {
            let mut sub = submission(&assignments[*a], ids[*s], &[(now - days(1), *late)], SubmissionState::Submitted);
            if let Some(v) = score {
                sub = graded(&assignments[*a], ids[*s], *late, *v, now);
            }
            sub
        }).collect();
        data.assignments = assignments;
        let st = course_statistics(&data, now);
        for rate in [st.submission_rate, st.late_share].into_iter().flatten() {
            prop_assert!((0.0..=1.0).contains(&rate));
        }
        if let Some(p) = st.average_homework_percent {
            prop_assert!((0.0..=100.0).contains(&p));
        }
        prop_assert_eq!(st.late_share.is_none(), subs.is_empty());
        prop_assert_eq!(st.submission_rate.is_none(), students == 0 || st.assignments_due == 0);
    }

    #[test]
    fn upcoming_deadlines_are_a_sorted_bounded_subset(
        items in proptest::collection::vec((-100i64..100, proptest::option::of(0u8..4)), 0..25),
    ) {
        let now = t0();
        let me = UserId::new();
        let c = course("Курс", CourseStatus::Published);
        let mut data = course_data(c.clone());
        for (offset, state) in &items {
            let a = assignment(&c, "ДЗ", now + Duration::hours(*offset), 10.0);
            if let Some(s) = state {
                let state = [SubmissionState::Submitted, SubmissionState::SubmittedLate, SubmissionState::ReturnedForRework, SubmissionState::Graded][usize::from(*s)];
                data.submissions.push(submission(&a, me, &[(now - days(1), false)], state));
            }
            data.assignments.push(a);
        }
        let d = build_student_dashboard(&student_snapshot(vec![data]), now);
        prop_assert_eq!(d.homework.len(), items.len());
        prop_assert!(d.upcoming_deadlines.len() <= UPCOMING_DEADLINES_LIMIT);
        let open = d.homework.iter().filter(|h| h.due_at > now && matches!(h.status, HomeworkStatus::NotSubmitted | HomeworkStatus::ReturnedForRework)).count();
        prop_assert_eq!(d.upcoming_deadlines.len(), open.min(UPCOMING_DEADLINES_LIMIT));
        prop_assert!(d.upcoming_deadlines.windows(2).all(|w| w[0].due_at <= w[1].due_at));
        prop_assert!(d.upcoming_deadlines.iter().all(|h| h.due_at > now));
    }
}
