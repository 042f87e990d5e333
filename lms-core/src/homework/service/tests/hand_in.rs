//! Tests: hand_in.

use super::*;

/// Answers the hand-in's reads (this submission's head, the student's
/// first hand-ins, the submission itself for a duplicate) from `history`,
/// as an adapter holding it would.
pub(super) fn expect_history(hw: &mut MockHomeworkStore, history: Vec<Submission>) {
    let heads = history.clone();
    hw.expect_submission_head().returning(move |a, s| {
        Ok(heads
            .iter()
            .find(|x| x.assignment_id == a && x.student_id == s)
            .map(SubmissionHead::of))
    });
    let whole = history.clone();
    hw.expect_find_submission().returning(move |a, s| {
        Ok(whole
            .iter()
            .find(|x| x.assignment_id == a && x.student_id == s)
            .cloned())
    });
    hw.expect_first_hand_ins().returning(move |s| {
        let mut firsts: Vec<FirstHandIn> = history
            .iter()
            .filter(|x| x.student_id == s)
            .filter_map(FirstHandIn::of)
            .collect();
        firsts.sort_by_key(|f| f.submitted_at);
        Ok(firsts)
    });
}

/// Mocks for a hand-in: the student's history, their extension and a
/// store that records the `HandIn` and answers like an adapter.
pub(super) fn hand_in_mocks(
    history: Vec<Submission>,
    extension: Option<Extension>,
) -> (Mocks, Arc<Mutex<Vec<HandIn>>>) {
    let mut m = Mocks::new();
    let h2 = history.clone();
    expect_history(&mut m.hw, h2);
    m.hw.expect_get_extension()
        .returning(move |_, _| Ok(extension.clone()));
    let seen = shared();
    let seen2 = seen.clone();
    m.hw.expect_hand_in().returning(move |h| {
        seen2.lock().unwrap().push(h.clone());
        let existing = history.iter().find(|s| s.assignment_id == h.assignment_id);
        Ok(HandInOutcome::Stored(stored(h, existing)))
    });
    (m, seen)
}

#[tokio::test]
async fn first_on_time_hand_in_earns_the_first_homework_badge() {
    let mut w = World::new(CourseStatus::Published);
    let a = w.add(w.assignment());
    let s = w.student.user_id;
    let (mut m, seen) = hand_in_mocks(vec![], None);
    m.notes
        .expect_delivery_profiles()
        .withf(move |u| u == [s])
        .times(1)
        .returning(move |_| Ok(vec![profile(s, false)]));
    let result = m
        .build(&w)
        .hand_in(
            &w.student,
            a.id,
            text_hand_in("<p>Ответ: 42</p>", Some("k1")),
        )
        .await
        .unwrap();

    let h = only(&seen);
    assert!(!result.duplicate);
    assert_eq!(result.submission, stored(&h, None));
    assert_eq!(h.assignment_id, a.id);
    assert_eq!(h.student_id, s);
    assert_eq!(h.state, SubmissionState::Submitted);
    assert_eq!(h.version.number, 1);
    assert_eq!(h.version.submission_id, h.new_submission_id);
    assert!(!h.version.late);
    assert_eq!(h.version.submitted_at, t0());
    assert_eq!(
        h.version.text.as_ref().map(RichText::as_html),
        Some("<p>Ответ: 42</p>")
    );
    assert_eq!(h.version.idempotency_key.as_deref(), Some("k1"));
    assert_eq!(
        h.awards,
        vec![Achievement {
            user_id: s,
            badge: Badge::FirstHomework,
            course_id: None,
            awarded_at: t0(),
        }]
    );
    assert_eq!(h.outbox.len(), 2, "e-mail and in-app");
    assert_eq!(
        h.outbox[0].dedup_key,
        DedupKey::new(s, "achievement:first_homework", Channel::Email)
    );
    assert_eq!(h.outbox[1].channel, Channel::InApp);
    assert_eq!(
        h.outbox[0].notification,
        Notification::AchievementAwarded {
            badge: Badge::FirstHomework,
            course_id: None,
            quiz_id: None,
        }
    );
}

#[tokio::test]
async fn late_resubmission_after_a_return_is_a_new_late_version() {
    let mut w = World::new(CourseStatus::Published);
    let mut a = w.assignment();
    a.due_at = t0() - Duration::hours(1);
    let a = w.add(a);
    let s = w.student.user_id;
    let returned = submission(
        a.id,
        s,
        SubmissionState::ReturnedForRework,
        t0() - Duration::days(2),
        false,
    );
    // No delivery_profiles expectation: no award, no message.
    let (m, seen) = hand_in_mocks(vec![returned.clone()], None);
    let result = m
        .build(&w)
        .hand_in(&w.student, a.id, text_hand_in("<p>v2</p>", None))
        .await
        .unwrap();
    let h = only(&seen);
    assert_eq!(h.state, SubmissionState::SubmittedLate);
    assert!(h.version.late);
    assert_eq!(h.version.number, 2);
    assert_eq!(h.version.submission_id, returned.id);
    assert!(h.awards.is_empty());
    assert!(h.outbox.is_empty());
    assert_eq!(result.submission.versions.len(), 2);
    assert_eq!(result.submission.state, SubmissionState::SubmittedLate);
}

#[tokio::test]
async fn an_extension_moves_both_the_cut_off_and_the_due_date() {
    let mut w = World::new(CourseStatus::Published);
    let mut a = w.assignment();
    a.due_at = t0() - Duration::days(2);
    a.cut_off_at = Some(t0() - Duration::days(1));
    let a = w.add(a);
    let s = w.student.user_id;
    let earlier = submission(AssignmentId::new(), s, SubmissionState::Graded, t0(), false);
    let ext = Extension {
        assignment_id: a.id,
        student_id: s,
        due_at: t0() + Duration::hours(1),
        cut_off_at: None,
        granted_by: w.owner.user_id,
        granted_at: t0() - Duration::days(3),
    };
    let (m, seen) = hand_in_mocks(vec![earlier], Some(ext));
    m.build(&w)
        .hand_in(&w.student, a.id, text_hand_in("<p>ok</p>", None))
        .await
        .unwrap();
    let h = only(&seen);
    assert_eq!(h.state, SubmissionState::Submitted);
    assert!(!h.version.late);
}

#[tokio::test]
async fn hand_ins_outside_the_window_are_refused() {
    let mut w = World::new(CourseStatus::Published);
    let mut not_open = w.assignment();
    not_open.opens_at = t0() + Duration::hours(1);
    not_open.due_at = t0() + Duration::days(1);
    let not_open = w.add(not_open);
    let mut closed = w.assignment();
    closed.due_at = t0() - Duration::days(2);
    closed.cut_off_at = Some(t0() - Duration::seconds(1));
    let closed = w.add(closed);
    // Before it opens the assignment is hidden from students.
    let err = bare(&w)
        .hand_in(&w.student, not_open.id, text_hand_in("<p>x</p>", None))
        .await
        .unwrap_err();
    assert!(matches!(err, HandInError::NotFound));
    let mut m = Mocks::new();
    expect_history(&mut m.hw, vec![]);
    m.hw.expect_get_extension().returning(|_, _| Ok(None));
    let err = m
        .build(&w)
        .hand_in(&w.student, closed.id, text_hand_in("<p>x</p>", None))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "past_cut_off");
    assert_eq!(err.class(), ErrorClass::Conflict);
}

#[tokio::test]
async fn hand_in_content_must_fit_the_assignment() {
    let w0 = World::new(CourseStatus::Published);
    let s = w0.student.user_id;
    let c = w0.classmate.user_id;
    let pdf = file(s, "отчёт.pdf", 100);
    let b = file(s, "b.pdf", 1);
    let foreign = file(c, "чужой.pdf", 1);
    type Setup = Box<dyn Fn(&mut Assignment)>;
    let cases: Vec<(Setup, HandInInput, &str)> = vec![
        (
            Box::new(|a| a.submission_kind = SubmissionKind::Files),
            text_hand_in("<p>текст</p>", None),
            "text_not_accepted",
        ),
        (
            Box::new(|a| a.submission_kind = SubmissionKind::Text),
            HandInInput {
                text: Some(RichText::sanitize("<p>текст</p>")),
                file_ids: vec![pdf.id],
                idempotency_key: None,
            },
            "files_not_accepted",
        ),
        (
            Box::new(|a| a.submission_kind = SubmissionKind::TextAndFiles),
            text_hand_in("<p>  </p>", None),
            "empty_hand_in",
        ),
        (
            Box::new(|a| a.submission_kind = SubmissionKind::TextAndFiles),
            HandInInput {
                text: None,
                file_ids: vec![],
                idempotency_key: None,
            },
            "empty_hand_in",
        ),
        (
            Box::new(|a| {
                a.submission_kind = SubmissionKind::Files;
                a.file_limits.max_files = 1;
            }),
            HandInInput {
                text: None,
                file_ids: vec![pdf.id, b.id],
                idempotency_key: None,
            },
            "too_many_files",
        ),
        (
            Box::new(|a| {
                a.submission_kind = SubmissionKind::Files;
                a.file_limits.max_file_size = 99;
            }),
            HandInInput {
                text: None,
                file_ids: vec![pdf.id],
                idempotency_key: None,
            },
            "file_too_large",
        ),
        (
            Box::new(|a| {
                a.submission_kind = SubmissionKind::Files;
                a.file_limits.allowed_extensions = vec!["docx".into()];
            }),
            HandInInput {
                text: None,
                file_ids: vec![pdf.id],
                idempotency_key: None,
            },
            "file_type_not_allowed",
        ),
        (
            Box::new(|a| a.submission_kind = SubmissionKind::Files),
            HandInInput {
                text: None,
                file_ids: vec![foreign.id],
                idempotency_key: None,
            },
            "file_not_found",
        ),
    ];
    for (setup, input, code) in cases {
        let mut w = w0.clone();
        let mut a = w.assignment();
        setup(&mut a);
        let a = w.add(a);
        let mut m = Mocks::new();
        expect_history(&mut m.hw, vec![]);
        m.hw.expect_get_extension().returning(|_, _| Ok(None));
        registered(&mut m, vec![pdf.clone(), b.clone(), foreign.clone()]);
        let err = m
            .build(&w)
            .hand_in(&w.student, a.id, input)
            .await
            .unwrap_err();
        assert_eq!(err.code(), code, "{err}");
    }
}

#[tokio::test]
async fn blank_text_with_files_is_stored_as_files_only() {
    let mut w = World::new(CourseStatus::Published);
    let mut a = w.assignment();
    a.submission_kind = SubmissionKind::TextAndFiles;
    let a = w.add(a);
    let pdf = file(w.student.user_id, "решение.pdf", 10);
    let other = submission(
        AssignmentId::new(),
        w.student.user_id,
        SubmissionState::Graded,
        t0(),
        true,
    );
    let (mut m, seen) = hand_in_mocks(vec![other], None);
    registered(&mut m, vec![pdf.clone()]);
    m.build(&w)
        .hand_in(
            &w.student,
            a.id,
            HandInInput {
                text: Some(RichText::sanitize("<p> </p>")),
                file_ids: vec![pdf.id],
                idempotency_key: Some("  ".into()),
            },
        )
        .await
        .unwrap();
    let h = only(&seen);
    assert_eq!(h.version.text, None);
    assert_eq!(h.version.files, vec![pdf]);
    assert_eq!(h.version.idempotency_key, None, "a blank key is no key");
}

#[tokio::test]
async fn graded_homework_takes_no_new_version() {
    let mut w = World::new(CourseStatus::Published);
    let a = w.add(w.assignment());
    let graded = submission(
        a.id,
        w.student.user_id,
        SubmissionState::Graded,
        t0(),
        false,
    );
    let mut m = Mocks::new();
    expect_history(&mut m.hw, vec![graded.clone()]);
    m.hw.expect_get_extension().returning(|_, _| Ok(None));
    let err = m
        .build(&w)
        .hand_in(&w.student, a.id, text_hand_in("<p>ещё</p>", None))
        .await
        .unwrap_err();
    assert!(matches!(err, HandInError::AlreadyGraded));
}

#[tokio::test]
async fn versions_stop_at_the_limit_before_anything_is_stored() {
    let mut w = World::new(CourseStatus::Published);
    let a = w.add(w.assignment());
    let mut full = submission(
        a.id,
        w.student.user_id,
        SubmissionState::Submitted,
        t0(),
        false,
    );
    full.versions = (1..=3)
        .map(|n| version(full.id, n, t0() - Duration::hours(i64::from(4 - n)), false))
        .collect();
    let mut m = Mocks::new();
    expect_history(&mut m.hw, vec![full.clone()]);
    m.hw.expect_get_extension().returning(|_, _| Ok(None));
    m.hw.expect_hand_in().never();
    let mut svc = m.build(&w);
    svc.set_max_versions(3);
    let err = svc
        .hand_in(&w.student, a.id, text_hand_in("<p>ещё</p>", None))
        .await
        .unwrap_err();
    assert!(
        matches!(err, HandInError::TooManyVersions { max: 3 }),
        "{err:?}"
    );
    assert_eq!(crate::error::DomainError::code(&err), "too_many_versions");
}

#[tokio::test]
async fn a_limit_reached_meanwhile_is_reported_as_the_limit() {
    let mut w = World::new(CourseStatus::Published);
    let a = w.add(w.assignment());
    let mut m = Mocks::new();
    expect_history(&mut m.hw, vec![]);
    m.hw.expect_get_extension().returning(|_, _| Ok(None));
    m.notes.expect_delivery_profiles().returning(|_| Ok(vec![]));
    m.hw.expect_hand_in().times(1).returning(|h| {
        assert_eq!(h.max_versions, DEFAULT_MAX_VERSIONS);
        Err(StorageError::Conflict(Conflict::VersionLimit))
    });
    let err = m
        .build(&w)
        .hand_in(&w.student, a.id, text_hand_in("<p>ответ</p>", None))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            HandInError::TooManyVersions {
                max: DEFAULT_MAX_VERSIONS
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn duplicates_are_reported_not_stored_twice() {
    let mut w = World::new(CourseStatus::Published);
    let a = w.add(w.assignment());
    let s = w.student.user_id;
    // The adapter saw the key (a concurrent retry won the race).
    let existing = submission(a.id, s, SubmissionState::Submitted, t0(), false);
    let mut m = Mocks::new();
    expect_history(&mut m.hw, vec![]);
    m.hw.expect_get_extension().returning(|_, _| Ok(None));
    m.notes
        .expect_delivery_profiles()
        .returning(move |_| Ok(vec![profile(s, false)]));
    let e2 = existing.clone();
    m.hw.expect_hand_in()
        .times(1)
        .returning(move |_| Ok(HandInOutcome::Duplicate(e2.clone())));
    let result = m
        .build(&w)
        .hand_in(&w.student, a.id, text_hand_in("<p>x</p>", Some("k")))
        .await
        .unwrap();
    assert_eq!(
        result,
        HandInResult {
            submission: existing,
            duplicate: true
        }
    );

    // The key is already in the history: answered without writing, even
    // after the cut-off has passed and the work was graded.
    let mut closed = w.assignment();
    closed.due_at = t0() - Duration::days(2);
    closed.cut_off_at = Some(t0() - Duration::days(1));
    let closed = w.add(closed);
    let mut done = submission(
        closed.id,
        s,
        SubmissionState::Graded,
        t0() - Duration::days(3),
        false,
    );
    done.versions[0].idempotency_key = Some("k".into());
    let mut m = Mocks::new();
    let d2 = done.clone();
    expect_history(&mut m.hw, vec![d2.clone()]);
    let result = m
        .build(&w)
        .hand_in(&w.student, closed.id, text_hand_in("<p>x</p>", Some("k")))
        .await
        .unwrap();
    assert!(result.duplicate);
    assert_eq!(result.submission, done);
}

/// A resubmission (second version) earns no hand-in badge, even one that
/// would complete a streak, and reads no hand-in history for it.
#[tokio::test]
async fn resubmissions_earn_nothing_and_read_no_history() {
    let mut w = World::new(CourseStatus::Published);
    let a = w.add(w.assignment());
    let s = w.student.user_id;
    // Four on-time first hand-ins elsewhere; this one's first was on time
    // too, so only its own first version counts towards a streak.
    let first = submission(
        a.id,
        s,
        SubmissionState::ReturnedForRework,
        t0() - Duration::hours(1),
        false,
    );
    let mut m = Mocks::new();
    let head = SubmissionHead::of(&first);
    m.hw.expect_submission_head()
        .returning(move |_, _| Ok(Some(head.clone())));
    m.hw.expect_first_hand_ins().never();
    m.hw.expect_get_extension().returning(|_, _| Ok(None));
    let seen = shared();
    let seen2 = seen.clone();
    m.hw.expect_hand_in().returning(move |h| {
        seen2.lock().unwrap().push(h.clone());
        Ok(HandInOutcome::Stored(stored(h, Some(&first))))
    });
    m.build(&w)
        .hand_in(&w.student, a.id, text_hand_in("<p>v2</p>", None))
        .await
        .unwrap();
    let h = only(&seen);
    assert_eq!(h.version.number, 2);
    assert!(h.awards.is_empty(), "{:?}", h.awards);
    assert!(h.outbox.is_empty());
}

#[tokio::test]
async fn the_fifth_on_time_hand_in_in_a_row_earns_the_streak_once() {
    let mut w = World::new(CourseStatus::Published);
    let a = w.add(w.assignment());
    let s = w.student.user_id;
    let on_time = |d: i64| {
        submission(
            AssignmentId::new(),
            s,
            SubmissionState::Graded,
            t0() - Duration::days(d),
            false,
        )
    };
    let four: Vec<_> = (1..=4).map(on_time).collect();
    let (mut m, seen) = hand_in_mocks(four.clone(), None);
    m.notes
        .expect_delivery_profiles()
        .times(1)
        .returning(move |_| Ok(vec![profile(s, true)]));
    m.build(&w)
        .hand_in(&w.student, a.id, text_hand_in("<p>5</p>", None))
        .await
        .unwrap();
    let h = only(&seen);
    assert_eq!(
        h.awards.iter().map(|x| x.badge).collect::<Vec<_>>(),
        vec![Badge::OnTimeStreak5]
    );
    let keys: Vec<_> = h.outbox.iter().map(|e| e.dedup_key.clone()).collect();
    assert_eq!(
        keys,
        vec![
            DedupKey::new(s, "achievement:on_time_streak_5", Channel::Email),
            DedupKey::new(s, "achievement:on_time_streak_5", Channel::Telegram),
            DedupKey::new(s, "achievement:on_time_streak_5", Channel::InApp),
        ]
    );

    // Already five in a row: the sixth earns nothing (no profiles asked).
    let mut five = four;
    five.push(on_time(5));
    let (m, seen) = hand_in_mocks(five, None);
    m.build(&w)
        .hand_in(&w.student, a.id, text_hand_in("<p>6</p>", None))
        .await
        .unwrap();
    let h = only(&seen);
    assert!(h.awards.is_empty());
    assert!(h.outbox.is_empty());
}

#[tokio::test]
async fn only_enrolled_students_hand_in() {
    let mut w = World::new(CourseStatus::Published);
    let a = w.add(w.assignment());
    let mut draft = w.assignment();
    draft.published = false;
    let draft = w.add(draft);
    let cases = [
        (&w.owner, &a, "forbidden"),
        (&w.assistant, &a, "forbidden"),
        (&w.admin, &a, "forbidden"),
        (&w.stranger, &a, "assignment_not_found"),
        (&w.other_teacher, &a, "assignment_not_found"),
        (&w.other_assistant, &a, "assignment_not_found"),
        (&w.student, &draft, "assignment_not_found"),
    ];
    for (who, a, code) in cases {
        let err = bare(&w)
            .hand_in(who, a.id, text_hand_in("<p>x</p>", None))
            .await
            .unwrap_err();
        assert_eq!(err.code(), code, "{:?}", who.role);
    }
    let mut archived = World::new(CourseStatus::Archived);
    let a = archived.add(archived.assignment());
    let err = bare(&archived)
        .hand_in(&archived.student, a.id, text_hand_in("<p>x</p>", None))
        .await
        .unwrap_err();
    assert!(matches!(err, HandInError::CourseArchived));
    let mut dc = World::new(CourseStatus::Draft);
    let a = dc.add(dc.assignment());
    let err = bare(&dc)
        .hand_in(&dc.student, a.id, text_hand_in("<p>x</p>", None))
        .await
        .unwrap_err();
    assert!(matches!(err, HandInError::NotFound));
}

/// The course view's `can_study` flag is set exactly when the course's
/// hand-in goes through: owner, assistant and admin are refused, and so is
/// a student once the course is archived.
#[tokio::test]
async fn the_course_view_s_can_study_agrees_with_hand_in() {
    for status in [CourseStatus::Published, CourseStatus::Archived] {
        let mut w = World::new(status);
        let a = w.add(w.assignment());
        for who in [&w.owner, &w.assistant, &w.admin, &w.student] {
            let mut courses = MockCourseStore::new();
            let world = w.clone();
            courses
                .expect_course_for()
                .returning(move |_, u| Ok(Some((world.course.clone(), world.role(u)))));
            let view = crate::course::CourseService::new(
                Arc::new(courses),
                Arc::new(crate::group::no_groups()),
                Arc::new(crate::user::MockUserStore::new()),
                Arc::new(MockFileRegistry::new()),
                Arc::new(ManualClock::new(t0())),
            )
            .get_course(who, w.course.id)
            .await
            .unwrap();

            let (mut m, _) = hand_in_mocks(vec![], None);
            m.notes
                .expect_delivery_profiles()
                .returning(|_| Ok(Vec::new()));
            let handed = m
                .build(&w)
                .hand_in(who, a.id, text_hand_in("<p>x</p>", None))
                .await;
            let what = format!("{:?} in a {status:?} course: {handed:?}", who.role);
            assert_eq!(view.can_study, handed.is_ok(), "{what}");
            if let Err(e) = handed {
                assert!(
                    matches!(e, HandInError::Forbidden | HandInError::CourseArchived),
                    "{what}"
                );
            }
        }
    }
}

/// The registry knows `files` as drafts of their uploaders, and no other.
fn registered(m: &mut Mocks, files: Vec<FileRef>) {
    m.files.expect_get().returning(move |id| {
        Ok(files
            .iter()
            .find(|f| f.id == id)
            .map(|f| (f.clone(), FileOwner::Unattached)))
    });
}
