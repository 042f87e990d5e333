//! Tests: submitting.

use super::*;

#[tokio::test]
async fn a_perfect_submit_awards_the_badge_and_notifies_in_the_same_write() {
    let w = World::new();
    let mut attempt = w.attempt(&w.student, AttemptState::Open);
    attempt.answers = w.right.clone();
    let mut q = w.quizzes();
    stored_attempt(&mut q, &attempt);
    let finish = capture_finish(&mut q, &attempt);
    let mut earlier = finished_with_score(&w, 1, 1.0);
    earlier.id = AttemptId::new();
    let mut now_finished = attempt.clone();
    now_finished.number = 2;
    now_finished.state = AttemptState::Submitted;
    now_finished.result = Some(score_attempt(&w.questions, &w.right, &BTreeMap::new()));
    let history = vec![earlier, now_finished];
    q.expect_list_attempts()
        .returning(move |_, _| Ok(history.clone()));
    let outcome = w
        .service(q, profiles())
        .submit(&w.student, attempt.id, Some("key-1".into()))
        .await
        .unwrap();
    let f = finish.lock().unwrap().clone().unwrap();
    assert_eq!(f.attempt_id, attempt.id);
    assert_eq!(f.state, AttemptState::Submitted);
    assert_eq!(f.finished_at, t0());
    assert_eq!(f.submit_key.as_deref(), Some("key-1"));
    assert_eq!((f.result.score, f.result.max_score), (pts(4.0), pts(4.0)));
    assert_eq!(f.awards.len(), 1);
    assert_eq!(f.awards[0].badge, Badge::PerfectQuiz);
    assert_eq!(f.awards[0].user_id, w.student.user_id);
    assert_eq!(f.outbox.len(), 2, "e-mail and in-app: no Telegram linked");
    assert_eq!(f.outbox[1].channel, Channel::InApp);
    let entry = &f.outbox[0];
    assert_eq!(entry.recipient_id, w.student.user_id);
    assert_eq!(entry.channel, Channel::Email);
    assert!(
        entry
            .dedup_key
            .0
            .contains(&format!("badge:{}:perfect_quiz", w.student.user_id))
    );
    assert_eq!(
        entry.notification,
        Notification::AchievementAwarded {
            badge: Badge::PerfectQuiz,
            course_id: Some(w.course.id),
            quiz_id: Some(w.quiz.id),
        }
    );
    assert!(outcome.perfect);
    assert_eq!(outcome.attempt.state, AttemptState::Submitted);
    assert_eq!(outcome.attempt.result.as_ref().unwrap().score, pts(4.0));
    assert_eq!(outcome.quiz_score, Some(pts(4.0)), "best of 1 and 4");
    assert_eq!(outcome.attempts_left, Some(0));
}

#[tokio::test]
async fn a_partial_submit_awards_nothing() {
    let w = World::new();
    let mut attempt = w.attempt(&w.student, AttemptState::Open);
    attempt.answers = BTreeMap::from([(w.questions[1].id, Answer::TrueFalse(false))]);
    let mut q = w.quizzes();
    stored_attempt(&mut q, &attempt);
    let finish = capture_finish(&mut q, &attempt);
    q.expect_list_attempts().returning(|_, _| Ok(vec![]));
    // No delivery profiles are looked up: the notification store has no expectations.
    let outcome = w
        .service(q, MockNotificationStore::new())
        .submit(&w.student, attempt.id, None)
        .await
        .unwrap();
    let f = finish.lock().unwrap().clone().unwrap();
    assert_eq!(f.result.score, pts(1.0));
    assert!(f.awards.is_empty() && f.outbox.is_empty());
    assert!(!outcome.perfect);
    assert_eq!(outcome.attempt.result.unwrap().score, pts(1.0));
}

#[tokio::test]
async fn a_retried_submit_returns_the_stored_result() {
    let w = World::new();
    let mut done = w.attempt(&w.student, AttemptState::Submitted);
    done.submit_key = Some("key-1".into());
    done.result = Some(score_attempt(
        &w.questions,
        &BTreeMap::from([(w.questions[0].id, w.right[&w.questions[0].id].clone())]),
        &BTreeMap::new(),
    ));
    let mut q = w.quizzes();
    stored_attempt(&mut q, &done);
    let d = done.clone();
    q.expect_list_attempts()
        .returning(move |_, _| Ok(vec![d.clone()]));
    // No finish_attempt expectation: a replay must not write.
    let svc = w.service(q, MockNotificationStore::new());
    let outcome = svc
        .submit(&w.student, done.id, Some(" key-1 ".into()))
        .await
        .unwrap();
    assert_eq!(outcome.attempt.id, done.id);
    assert_eq!(outcome.attempt.result.unwrap().score, pts(2.0));
    assert_eq!(outcome.quiz_score, Some(pts(2.0)));
    assert_eq!(outcome.attempts_left, Some(1));
    for other in [Some("key-2".to_owned()), None, Some("  ".to_owned())] {
        let err = svc.submit(&w.student, done.id, other).await.unwrap_err();
        assert!(matches!(err, SubmitError::AlreadyFinished));
        assert_eq!(err.code(), "attempt_already_finished");
    }
    let err = svc
        .submit(&w.classmate, done.id, Some("key-1".into()))
        .await
        .unwrap_err();
    assert!(
        matches!(err, SubmitError::NotFound),
        "only the owner replays"
    );
    let err = svc
        .submit(&w.student, done.id, Some("k".repeat(201)))
        .await
        .unwrap_err();
    assert!(matches!(err, SubmitError::InvalidKey));
}

#[tokio::test]
async fn a_submit_racing_another_finish_is_resolved_by_the_key() {
    let w = World::new();
    let open = w.attempt(&w.student, AttemptState::Open);
    let mut finished = open.clone();
    finished.state = AttemptState::Submitted;
    finished.submit_key = Some("key-1".into());
    finished.result = Some(score_attempt(
        &w.questions,
        &BTreeMap::new(),
        &BTreeMap::new(),
    ));
    for (key, same) in [("key-1", true), ("key-2", false)] {
        let mut q = w.quizzes();
        let reads = Arc::new(AtomicUsize::new(0));
        let (r, o, f) = (reads.clone(), open.clone(), finished.clone());
        q.expect_get_attempt().times(2).returning(move |_| {
            Ok(Some(if r.fetch_add(1, Ordering::SeqCst) == 0 {
                o.clone()
            } else {
                f.clone()
            }))
        });
        q.expect_finish_attempt()
            .times(1)
            .returning(|_| Err(StorageError::Conflict(Conflict::AttemptClosed)));
        let h = finished.clone();
        q.expect_list_attempts()
            .returning(move |_, _| Ok(vec![h.clone()]));
        let got = w
            .service(q, MockNotificationStore::new())
            .submit(&w.student, open.id, Some(key.into()))
            .await;
        if same {
            assert_eq!(got.unwrap().attempt.state, AttemptState::Submitted);
        } else {
            assert!(matches!(got.unwrap_err(), SubmitError::AlreadyFinished));
        }
    }
}

#[tokio::test]
async fn answers_saved_while_submitting_are_scored_on_a_retry() {
    let w = World::new();
    let read = w.attempt(&w.student, AttemptState::Open);
    let mut saved = read.clone();
    saved.answers = w.right.clone();
    saved.saved_at = Some(t0() - Duration::seconds(1));
    let mut q = w.quizzes();
    let reads = Arc::new(AtomicUsize::new(0));
    let (r, first, later) = (reads.clone(), read.clone(), saved.clone());
    q.expect_get_attempt().returning(move |_| {
        Ok(Some(if r.fetch_add(1, Ordering::SeqCst) == 0 {
            first.clone()
        } else {
            later.clone()
        }))
    });
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (s, current) = (seen.clone(), saved.clone());
    q.expect_finish_attempt().times(2).returning(move |f| {
        s.lock().unwrap().push(f.clone());
        // As storage does: finish only what was scored from the latest save.
        if f.expected_saved_at == current.saved_at {
            Ok(apply(&current, f))
        } else {
            Err(StorageError::Conflict(Conflict::Stale))
        }
    });
    let done = apply(
        &saved,
        &FinishAttempt {
            attempt_id: saved.id,
            state: AttemptState::Submitted,
            finished_at: t0(),
            result: score_attempt(&w.questions, &w.right, &BTreeMap::new()),
            expected_saved_at: saved.saved_at,
            submit_key: None,
            outbox: vec![],
            awards: vec![],
        },
    );
    q.expect_list_attempts()
        .returning(move |_, _| Ok(vec![done.clone()]));
    let outcome = w
        .service(q, profiles())
        .submit(&w.student, read.id, Some("k".into()))
        .await
        .unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen[0].expected_saved_at, None,
        "the first try used the first read"
    );
    assert_eq!(seen[0].result.score, Points::ZERO);
    assert!(seen[0].awards.is_empty());
    assert_eq!(seen[1].expected_saved_at, saved.saved_at);
    assert_eq!(
        seen[1].result.score,
        pts(4.0),
        "the saved answers are scored"
    );
    assert_eq!(seen[1].awards.len(), 1, "and earn the badge");
    assert_eq!(seen[1].submit_key.as_deref(), Some("k"));
    assert!(outcome.perfect);
    assert_eq!(outcome.quiz_score, Some(pts(4.0)));
}

#[tokio::test]
async fn a_submit_gives_up_when_answers_keep_changing() {
    let w = World::new();
    let attempt = w.attempt(&w.student, AttemptState::Open);
    let mut q = w.quizzes();
    stored_attempt(&mut q, &attempt);
    q.expect_finish_attempt()
        .times(1 + FINISH_RETRIES as usize)
        .returning(|_| Err(StorageError::Conflict(Conflict::Stale)));
    let err = w
        .service(q, MockNotificationStore::new())
        .submit(&w.student, attempt.id, None)
        .await
        .unwrap_err();
    assert!(matches!(err, SubmitError::ChangedMeanwhile), "{err:?}");
    assert_eq!(err.class(), ErrorClass::Conflict);
    assert_eq!(err.code(), "attempt_changed_meanwhile");
}

#[tokio::test]
async fn a_submit_whose_retry_finds_the_attempt_finished_replays_by_key() {
    let w = World::new();
    let open = w.attempt(&w.student, AttemptState::Open);
    let mut finished = open.clone();
    finished.state = AttemptState::AutoSubmitted;
    finished.saved_at = Some(t0() - Duration::seconds(1));
    finished.submit_key = None;
    finished.result = Some(score_attempt(
        &w.questions,
        &BTreeMap::new(),
        &BTreeMap::new(),
    ));
    let mut q = w.quizzes();
    let reads = Arc::new(AtomicUsize::new(0));
    let (r, o, f) = (reads.clone(), open.clone(), finished.clone());
    q.expect_get_attempt().returning(move |_| {
        Ok(Some(if r.fetch_add(1, Ordering::SeqCst) == 0 {
            o.clone()
        } else {
            f.clone()
        }))
    });
    q.expect_finish_attempt()
        .times(1)
        .returning(|_| Err(StorageError::Conflict(Conflict::Stale)));
    let err = w
        .service(q, MockNotificationStore::new())
        .submit(&w.student, open.id, Some("k".into()))
        .await
        .unwrap_err();
    assert!(
        matches!(err, SubmitError::AlreadyFinished),
        "finished by the sweep meanwhile: {err:?}"
    );
}

#[tokio::test]
async fn finishing_the_last_item_of_a_course_awards_the_course_badge() {
    let w = World::new();
    let mut attempt = w.attempt(&w.student, AttemptState::Open);
    attempt.answers = BTreeMap::from([(w.questions[1].id, Answer::TrueFalse(false))]);
    let course_event = format!("achievement:course_completed:{}", w.course.id);
    let course_badge =
        Achievement::new(w.student.user_id, Badge::CourseCompleted, w.course.id, t0());
    // The attempt being finished is still open in the read model.
    let mut held = w.course_data(vec![attempt.clone()], Some(true));
    held.achievements = vec![course_badge.clone()];
    for (snapshot, perfect, expected) in [
        (
            w.course_data(vec![attempt.clone()], Some(true)),
            false,
            vec![Badge::CourseCompleted],
        ),
        (
            w.course_data(vec![attempt.clone()], Some(true)),
            true,
            vec![Badge::PerfectQuiz, Badge::CourseCompleted],
        ),
        (
            w.course_data(vec![attempt.clone()], Some(false)),
            false,
            vec![],
        ),
        (held.clone(), false, vec![]),
        (
            w.course_data(vec![attempt.clone()], None),
            false,
            vec![Badge::CourseCompleted],
        ),
    ] {
        let mut attempt = attempt.clone();
        if perfect {
            attempt.answers = w.right.clone();
        }
        let mut q = w.quizzes();
        stored_attempt(&mut q, &attempt);
        let finish = capture_finish(&mut q, &attempt);
        q.expect_list_attempts().returning(|_, _| Ok(vec![]));
        let mut notes = MockNotificationStore::new();
        if !expected.is_empty() {
            let student = w.student.user_id;
            notes
                .expect_delivery_profiles()
                .withf(move |u| u == [student])
                .times(1)
                .returning(move |users| {
                    Ok(vec![DeliveryProfile {
                        user_id: users[0],
                        active: true,
                        preferences: NotificationPreferences::defaults(users[0]),
                        telegram_linked: true,
                    }])
                });
        }
        w.service_with(q, notes, snapshot_of(w.student.user_id, snapshot))
            .submit(&w.student, attempt.id, None)
            .await
            .unwrap();
        let f = finish.lock().unwrap().clone().unwrap();
        let badges: Vec<Badge> = f.awards.iter().map(|a| a.badge).collect();
        assert_eq!(badges, expected);
        assert_eq!(
            f.outbox.len(),
            3 * expected.len(),
            "e-mail, Telegram and in-app per badge"
        );
        if expected.contains(&Badge::CourseCompleted) {
            assert!(f.awards.contains(&course_badge));
            let course_entries: Vec<&OutboxEntry> = f
                .outbox
                .iter()
                .filter(|e| e.dedup_key.0.contains("course_completed"))
                .collect();
            assert_eq!(course_entries.len(), 3);
            for e in course_entries {
                assert_eq!(
                    e.dedup_key,
                    DedupKey::new(w.student.user_id, &course_event, e.channel)
                );
                assert_eq!(
                    e.notification,
                    Notification::AchievementAwarded {
                        badge: Badge::CourseCompleted,
                        course_id: Some(w.course.id),
                        quiz_id: None,
                    }
                );
            }
        }
    }
}

#[tokio::test]
async fn a_submit_after_the_deadline_is_an_auto_submit() {
    let w = World::new();
    let mut attempt = w.attempt(&w.student, AttemptState::Open);
    attempt.deadline = Some(t0() - Duration::minutes(2));
    let mut q = w.quizzes();
    stored_attempt(&mut q, &attempt);
    let finish = capture_finish(&mut q, &attempt);
    q.expect_list_attempts().returning(|_, _| Ok(vec![]));
    let outcome = w
        .service(q, MockNotificationStore::new())
        .submit(&w.student, attempt.id, Some("k".into()))
        .await
        .unwrap();
    let f = finish.lock().unwrap().clone().unwrap();
    assert_eq!(f.state, AttemptState::AutoSubmitted);
    assert_eq!(f.finished_at, t0() - Duration::minutes(2));
    assert_eq!(f.submit_key.as_deref(), Some("k"));
    assert_eq!(outcome.attempt.state, AttemptState::AutoSubmitted);
}

#[tokio::test]
async fn the_sweep_finishes_overdue_attempts_with_saved_answers() {
    let w = World::new();
    let mut first = w.attempt(&w.student, AttemptState::Open);
    first.deadline = Some(t0() - Duration::minutes(5));
    first.answers = w.right.clone();
    let mut raced = w.attempt(&w.classmate, AttemptState::Open);
    raced.deadline = Some(t0() - Duration::minutes(1));
    let mut orphan = w.attempt(&w.classmate, AttemptState::Open);
    orphan.quiz_id = QuizId::new();
    let mut q = w.quizzes();
    let listed = vec![first.clone(), raced.clone(), orphan];
    q.expect_overdue_attempts()
        .withf(|now, limit| *now == t0() && *limit == 10)
        .times(1)
        .returning(move |_, _| Ok(listed.clone()));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (s, raced_id) = (seen.clone(), raced.id);
    let f_first = first.clone();
    q.expect_finish_attempt().times(2).returning(move |f| {
        s.lock().unwrap().push(f.clone());
        if f.attempt_id == raced_id {
            Err(StorageError::Conflict(Conflict::AttemptClosed))
        } else {
            Ok(apply(&f_first, f))
        }
    });
    let finished = w.service(q, profiles()).finish_overdue(10).await.unwrap();
    assert_eq!(
        finished, 1,
        "the raced attempt was finished by someone else"
    );
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen[0].attempt_id, first.id);
    assert_eq!(seen[0].state, AttemptState::AutoSubmitted);
    assert_eq!(seen[0].submit_key, None);
    assert_eq!(seen[0].result.score, pts(4.0));
    assert_eq!(
        seen[0].awards.len(),
        1,
        "a perfect auto-submit still earns the badge"
    );
    assert_eq!(seen[1].attempt_id, raced.id);
}
