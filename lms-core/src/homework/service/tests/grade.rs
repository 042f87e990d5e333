//! Tests: grade.

use super::*;

/// A world with a late submission: due three days ago, handed in 30 h
/// after the due date, 20 % a day down to 50 %.
pub(super) fn grading_world() -> (World, Assignment, Submission) {
    let mut w = World::new(CourseStatus::Published);
    let mut a = w.assignment();
    a.due_at = t0() - Duration::days(3);
    a.late_policy = LatePolicy::PercentPerDay {
        percent_per_day: 20,
        floor_percent: 50,
    };
    let a = w.add(a);
    let sub = w.add_submission(submission(
        a.id,
        w.student.user_id,
        SubmissionState::SubmittedLate,
        a.due_at + Duration::hours(30),
        true,
    ));
    (w, a, sub)
}

pub(super) fn snapshot(
    data: Vec<StudentCourseData>,
    achievements: Vec<Achievement>,
) -> StudentSnapshot {
    StudentSnapshot {
        courses: data,
        webinars: vec![],
        achievements,
    }
}

pub(super) fn course_data(
    w: &World,
    assignments: Vec<Assignment>,
    submissions: Vec<Submission>,
) -> StudentCourseData {
    StudentCourseData {
        course: w.course.clone(),
        lessons_visible: 2,
        lessons_viewed: 2,
        assignments,
        extensions: vec![],
        submissions,
        quizzes: vec![],
        attempts: vec![],
        announcements: vec![],
        last_activity: None,
    }
}

/// Mocks for a review: no extension, the given snapshot (if expected),
/// the student's profile with Telegram, and a recording review store.
pub(super) fn review_mocks(
    w: &World,
    snapshot: Option<StudentSnapshot>,
    sub: &Submission,
) -> (Mocks, Arc<Mutex<Vec<Review>>>) {
    let mut m = Mocks::new();
    let s = w.student.user_id;
    m.hw.expect_get_extension().returning(|_, _| Ok(None));
    if let Some(snap) = snapshot {
        m.dash
            .expect_student_snapshot()
            .with(eq(s), eq(t0()))
            .times(1)
            .returning(move |_, _| Ok(snap.clone()));
    }
    m.notes
        .expect_delivery_profiles()
        .withf(move |u| u == [s])
        .returning(move |_| Ok(vec![profile(s, true)]));
    let seen = shared();
    let seen2 = seen.clone();
    let sub = sub.clone();
    m.hw.expect_review().returning(move |r| {
        seen2.lock().unwrap().push(r.clone());
        Ok(reviewed(&sub, r))
    });
    (m, seen)
}

pub(super) fn grade_input(raw: f64, version: u32) -> GradeInput {
    GradeInput {
        raw_score: pts(raw),
        feedback: RichText::sanitize("<p>Хорошо</p>"),
        expected_version: version,
    }
}

#[tokio::test]
async fn grading_applies_the_late_penalty_audits_and_notifies() {
    let (w, a, sub) = grading_world();
    let s = w.student.user_id;
    let other = w.assignment();
    let snap = snapshot(
        vec![course_data(&w, vec![a.clone(), other], vec![sub.clone()])],
        vec![],
    );
    let (m, seen) = review_mocks(&w, Some(snap), &sub);
    let result = m
        .build(&w)
        .grade(&w.assistant, sub.id, grade_input(10.0, 1))
        .await
        .unwrap();

    let r = only(&seen);
    assert_eq!(result, reviewed(&sub, &r));
    assert_eq!(r.submission_id, sub.id);
    assert_eq!(r.expected_version, 1);
    assert_eq!(r.state, SubmissionState::Graded);
    assert_eq!(
        r.grade,
        Some(Grade {
            raw_score: pts(10.0),
            kept_percent: 60,
            final_score: pts(6.0),
            feedback: RichText::sanitize("<p>Хорошо</p>"),
            graded_by: w.assistant.user_id,
            graded_at: t0(),
            version: 1,
        })
    );
    assert_eq!(r.rework_feedback, None);
    assert_eq!(r.audit.submission_id, sub.id);
    assert_eq!(r.audit.actor_id, w.assistant.user_id);
    assert_eq!(r.audit.at, t0());
    assert_eq!(
        r.audit.action,
        AuditAction::Graded {
            raw_score: pts(10.0),
            final_score: pts(6.0),
            previous_final_score: None,
        }
    );
    assert!(r.awards.is_empty(), "the other assignment is not done");
    let event = format!("graded:{}:1:{}", sub.id, r.audit.id);
    let keys: Vec<_> = r.outbox.iter().map(|e| e.dedup_key.clone()).collect();
    assert_eq!(
        keys,
        vec![
            DedupKey::new(s, &event, Channel::Email),
            DedupKey::new(s, &event, Channel::Telegram),
            DedupKey::new(s, &event, Channel::InApp),
        ]
    );
    assert_eq!(
        r.outbox[0].notification,
        Notification::HomeworkGraded {
            course_id: w.course.id,
            assignment_id: a.id,
            title: "ДЗ 1".into(),
            submission_id: sub.id,
            score: 6.0,
            max_score: 10.0,
        }
    );
}

/// The preview shows the penalty the grade would apply, writes nothing,
/// and follows the grading rules (staff only, score within the maximum).
#[tokio::test]
async fn the_grade_preview_shows_the_penalty_without_writing() {
    let (w, a, sub) = grading_world();
    let mut m = Mocks::new();
    m.hw.expect_get_extension().returning(|_, _| Ok(None));
    m.hw.expect_review().never();
    let svc = m.build(&w);
    let preview = svc
        .grade_preview(&w.assistant, sub.id, pts(8.0))
        .await
        .unwrap();
    assert_eq!(
        preview,
        GradePreview {
            version: 1,
            raw_score: pts(8.0),
            kept_percent: 60,
            final_score: pts(4.8),
            max_score: a.max_score,
            due_at: a.due_at,
            days_late: 2,
        }
    );
    let err = svc
        .grade_preview(&w.student, sub.id, pts(8.0))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ReviewError::Forbidden | ReviewError::NotFound),
        "{err:?}"
    );
    let err = svc
        .grade_preview(&w.owner, sub.id, pts(11.0))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "score_above_max", "{err:?}");
}

#[tokio::test]
async fn an_extension_granted_later_removes_the_penalty() {
    let (w, a, sub) = grading_world();
    let ext = Extension {
        assignment_id: a.id,
        student_id: w.student.user_id,
        due_at: t0(),
        cut_off_at: None,
        granted_by: w.owner.user_id,
        granted_at: t0(),
    };
    let mut m = Mocks::new();
    m.hw.expect_get_extension()
        .with(eq(a.id), eq(w.student.user_id))
        .returning(move |_, _| Ok(Some(ext.clone())));
    m.dash
        .expect_student_snapshot()
        .returning(|_, _| Ok(snapshot(vec![], vec![])));
    m.notes.expect_delivery_profiles().returning(|_| Ok(vec![]));
    let seen = shared();
    let seen2 = seen.clone();
    let sub2 = sub.clone();
    m.hw.expect_review().returning(move |r| {
        seen2.lock().unwrap().push(r.clone());
        Ok(reviewed(&sub2, r))
    });
    let result = m
        .build(&w)
        .grade(&w.owner, sub.id, grade_input(7.5, 1))
        .await
        .unwrap();
    let grade = result.grade.unwrap();
    assert_eq!((grade.kept_percent, grade.final_score), (100, pts(7.5)));
    assert!(only(&seen).outbox.is_empty(), "nobody to reach");
}

#[tokio::test]
async fn regrading_records_the_previous_score_and_notifies_again() {
    let (mut w, _, mut sub) = grading_world();
    sub.state = SubmissionState::Graded;
    sub.grade = Some(Grade {
        raw_score: pts(10.0),
        kept_percent: 60,
        final_score: pts(6.0),
        feedback: RichText::default(),
        graded_by: w.owner.user_id,
        graded_at: t0() - Duration::days(1),
        version: 1,
    });
    w.submissions = vec![sub.clone()];
    // No snapshot expected: a regrade cannot complete a course.
    let (m, seen) = review_mocks(&w, None, &sub);
    let svc = m.build(&w);
    svc.grade(&w.admin, sub.id, grade_input(8.0, 1))
        .await
        .unwrap();
    svc.grade(&w.admin, sub.id, grade_input(8.0, 1))
        .await
        .unwrap();
    let reviews = seen.lock().unwrap().clone();
    assert_eq!(reviews.len(), 2);
    assert_eq!(
        reviews[0].audit.action,
        AuditAction::Graded {
            raw_score: pts(8.0),
            final_score: pts(4.8),
            previous_final_score: Some(pts(6.0)),
        }
    );
    assert_ne!(
        reviews[0].outbox[0].dedup_key, reviews[1].outbox[0].dedup_key,
        "each regrade is a new event"
    );
}

#[tokio::test]
async fn returned_work_can_be_graded_without_a_new_version() {
    let (mut w, a, mut sub) = grading_world();
    sub.state = SubmissionState::ReturnedForRework;
    w.submissions = vec![sub.clone()];
    let snap = snapshot(vec![course_data(&w, vec![a], vec![sub.clone()])], vec![]);
    let (m, seen) = review_mocks(&w, Some(snap), &sub);
    let result = m
        .build(&w)
        .grade(&w.owner, sub.id, grade_input(5.0, 1))
        .await
        .unwrap();
    assert_eq!(result.state, SubmissionState::Graded);
    assert_eq!(only(&seen).grade.unwrap().final_score, pts(3.0));
}

#[tokio::test]
async fn scores_above_the_maximum_and_stale_versions_are_refused() {
    let (w, _, sub) = grading_world();
    let err = bare(&w)
        .grade(&w.owner, sub.id, grade_input(10.5, 1))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "score_above_max");
    assert!(err.to_string().contains("raw_score"));

    let err = bare(&w)
        .grade(&w.owner, sub.id, grade_input(5.0, 2))
        .await
        .unwrap_err();
    assert!(matches!(err, ReviewError::ChangedMeanwhile));

    // A new version arrives between the check and the write.
    let mut m = Mocks::new();
    m.hw.expect_get_extension().returning(|_, _| Ok(None));
    m.dash
        .expect_student_snapshot()
        .returning(|_, _| Ok(snapshot(vec![], vec![])));
    m.notes.expect_delivery_profiles().returning(|_| Ok(vec![]));
    m.hw.expect_review()
        .times(1)
        .returning(|_| Err(StorageError::Conflict(Conflict::Stale)));
    let err = m
        .build(&w)
        .grade(&w.owner, sub.id, grade_input(5.0, 1))
        .await
        .unwrap_err();
    assert!(matches!(err, ReviewError::ChangedMeanwhile));
    assert_eq!(err.class(), ErrorClass::Conflict);
    assert_eq!(err.code(), "changed_meanwhile");
}

pub(super) fn quiz(w: &World) -> Quiz {
    Quiz {
        id: QuizId::new(),
        course_id: w.course.id,
        title: Title::parse("Тест").unwrap(),
        description: RichText::default(),
        settings: QuizSettings::default(),
        published: true,
        created_at: t0(),
    }
}

pub(super) fn attempt(quiz: QuizId, student: UserId, state: AttemptState) -> Attempt {
    Attempt {
        id: AttemptId::new(),
        quiz_id: quiz,
        student_id: student,
        number: 1,
        seed: 7,
        question_order: vec![],
        drawn: Vec::new(),
        started_at: t0() - Duration::days(1),
        deadline: None,
        state,
        answers: BTreeMap::new(),
        saved_at: None,
        finished_at: None,
        result: None,
        submit_key: None,
    }
}

#[tokio::test]
async fn the_grade_that_completes_a_course_earns_the_course_badge() {
    let (w, a, sub) = grading_world();
    let s = w.student.user_id;
    let b = w.assignment();
    let b_done = submission(b.id, s, SubmissionState::Graded, t0(), false);
    let q = quiz(&w);
    let mut data = course_data(&w, vec![a.clone(), b.clone()], vec![sub.clone(), b_done]);
    data.quizzes = vec![q.clone()];
    data.attempts = vec![attempt(q.id, s, AttemptState::AutoSubmitted)];

    let (m, seen) = review_mocks(&w, Some(snapshot(vec![data.clone()], vec![])), &sub);
    m.build(&w)
        .grade(&w.owner, sub.id, grade_input(9.0, 1))
        .await
        .unwrap();
    let r = only(&seen);
    assert_eq!(
        r.awards,
        vec![Achievement {
            user_id: s,
            badge: Badge::CourseCompleted,
            course_id: Some(w.course.id),
            awarded_at: t0(),
        }]
    );
    let event = format!("achievement:course_completed:{}", w.course.id);
    let badge_entries: Vec<_> = r
        .outbox
        .iter()
        .filter(|e| matches!(e.notification, Notification::AchievementAwarded { .. }))
        .collect();
    assert_eq!(badge_entries.len(), 3, "email, telegram and in-app");
    for e in badge_entries {
        assert_eq!(e.dedup_key, DedupKey::new(s, &event, e.channel));
        assert_eq!(
            e.notification,
            Notification::AchievementAwarded {
                badge: Badge::CourseCompleted,
                course_id: Some(w.course.id),
                quiz_id: None,
            }
        );
    }

    // An open quiz attempt is not a finished quiz; a badge already held
    // is not awarded again.
    let mut open = data.clone();
    open.attempts = vec![attempt(q.id, s, AttemptState::Open)];
    let held = Achievement::new(s, Badge::CourseCompleted, w.course.id, t0());
    for snap in [
        snapshot(vec![open], vec![]),
        snapshot(vec![data], vec![held]),
    ] {
        let (m, seen) = review_mocks(&w, Some(snap), &sub);
        m.build(&w)
            .grade(&w.owner, sub.id, grade_input(9.0, 1))
            .await
            .unwrap();
        let r = only(&seen);
        assert!(r.awards.is_empty());
        assert!(
            r.outbox
                .iter()
                .all(|e| matches!(e.notification, Notification::HomeworkGraded { .. }))
        );
    }
}

#[tokio::test]
async fn staff_whose_school_role_changed_lose_the_course() {
    let (mut w, a, sub) = grading_world();
    let owner_as_assistant = Actor {
        role: Role::Assistant,
        ..w.owner
    };
    let owner_as_student = Actor {
        role: Role::Student,
        ..w.owner
    };
    let assistant_as_student = Actor {
        role: Role::Student,
        ..w.assistant
    };
    let input = input_from(&a);
    for who in [
        &owner_as_assistant,
        &owner_as_student,
        &assistant_as_student,
    ] {
        let err = bare(&w)
            .grade(who, sub.id, grade_input(5.0, 1))
            .await
            .unwrap_err();
        assert_eq!(err.code(), "submission_not_found", "{:?}", who.role);
        let err = bare(&w)
            .list_submissions(who, a.id, &SubmissionFilter::default(), Page::first())
            .await
            .unwrap_err();
        assert_eq!(err.code(), "assignment_not_found", "{:?}", who.role);
        let err = bare(&w)
            .create_assignment(who, w.course.id, input.clone())
            .await
            .unwrap_err();
        assert_eq!(err.code(), "course_not_found", "{:?}", who.role);
    }
    // A teacher who assists keeps checking homework there.
    w.assistant.role = Role::Teacher;
    let mut m = Mocks::new();
    m.hw.expect_list_submissions()
        .returning(|_, _, _| Ok(vec![]));
    let listed = m
        .build(&w)
        .list_submissions(
            &w.assistant,
            a.id,
            &SubmissionFilter::default(),
            Page::first(),
        )
        .await
        .unwrap();
    assert!(listed.is_empty());
}

#[tokio::test]
async fn only_the_course_staff_and_admins_grade() {
    let (w, _, sub) = grading_world();
    let cases = [
        (&w.student, "forbidden"),
        (&w.classmate, "submission_not_found"),
        (&w.stranger, "submission_not_found"),
        (&w.other_assistant, "submission_not_found"),
        (&w.other_teacher, "submission_not_found"),
    ];
    for (who, code) in cases {
        let err = bare(&w)
            .grade(who, sub.id, grade_input(5.0, 1))
            .await
            .unwrap_err();
        assert_eq!(err.code(), code, "grade by {:?}", who.role);
        let err = bare(&w)
            .return_for_rework(who, sub.id, RichText::sanitize("<p>ещё раз</p>"), 1)
            .await
            .unwrap_err();
        assert_eq!(err.code(), code, "return by {:?}", who.role);
    }
    let err = bare(&w)
        .grade(&w.owner, SubmissionId::new(), grade_input(5.0, 1))
        .await
        .unwrap_err();
    assert!(matches!(err, ReviewError::NotFound));
}
