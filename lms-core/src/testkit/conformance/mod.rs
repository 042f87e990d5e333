//! The storage conformance suite: the behaviour every storage adapter must
//! show, written once against the ports and run by each adapter against its
//! real database, so adapters cannot drift apart.
//!
//! Each case is a public `async fn case(storage: Storage)` in the module of
//! its aggregate ([`users`], [`sessions`], [`courses`], [`homework`],
//! [`groups`], [`comments`], [`announcements`], [`bank`], [`quizzes`], [`webinars`], [`outbox`], [`notifications`], [`achievements`],
//! [`read_models`], [`files`], [`idempotency`], [`onboarding`]). A case gets a **fresh, empty** [`Storage`](crate::ports::Storage),
//! creates its own data through the ports (see [`fixtures`]) and panics with
//! a message naming the broken rule. The rustdoc of each port method is the
//! contract the cases check: constraints, ordering, pagination, `NotFound`
//! on updates of missing rows, atomicity of writes that carry messages and
//! awards, and behaviour under concurrent calls.
//!
//! An adapter runs the whole suite with one line in a test file; the macro
//! expands to one `#[tokio::test]` (multi-threaded) per case, named
//! `<aggregate>::<case>`, so failures are reported by name and cases run in
//! parallel. The expression is evaluated once per case and must produce a
//! `Storage` over an empty database (the test crate needs `tokio` with the
//! `macros` and `rt-multi-thread` features):
//!
//! ```ignore
//! // lms-storage-sqlite/tests/conformance.rs
//! lms_core::storage_conformance_tests!(async {
//!     lms_storage_sqlite::SqliteStorage::open_in_memory()
//!         .await
//!         .expect("open an empty database")
//!         .storage()
//! });
//! ```
//!
//! [`CASES`] lists every case as `"<aggregate>::<case>"`.

pub mod achievements;
pub mod announcements;
pub mod bank;
pub mod comments;
pub mod courses;
pub mod files;
pub mod fixtures;
pub mod groups;
pub mod homework;
pub mod idempotency;
#[cfg(test)]
mod mutants;
pub mod notifications;
pub mod onboarding;
pub mod outbox;
pub mod quizzes;
pub mod read_models;
pub mod sessions;
pub mod users;
pub mod webinars;

/// Expands to one `#[tokio::test(flavor = "multi_thread", worker_threads = 4)]`
/// per conformance case, each running the case against a fresh storage made
/// by awaiting `$make` (an expression whose value is a future of
/// [`Storage`](crate::ports::Storage)). Tests are grouped in modules named
/// after the aggregates: `users::users_round_trip`, ...
///
/// See the [module documentation](crate::testkit::conformance) for an example.
#[macro_export]
macro_rules! storage_conformance_tests {
    ($make:expr $(,)?) => {
        $crate::__storage_conformance_cases!(@tests ($make));
    };
}

/// The one list of conformance cases; hands it to
/// `__storage_conformance_expand!` with a mode (`@tests (make)` or `@names`).
#[doc(hidden)]
#[macro_export]
macro_rules! __storage_conformance_cases {
    ($($mode:tt)*) => {
        $crate::__storage_conformance_expand! { [$($mode)*]
            users {
                users_round_trip,
                get_users_skips_unknown_ids,
                duplicate_email_is_a_conflict,
                update_user_replaces_profile_fields,
                update_user_conflict_and_not_found,
                list_users_by_email_with_pages,
                search_users_by_prefix_role_and_state,
                credentials_follow_password_changes,
                feed_tokens_are_replaced,
                feed_links_are_kept_until_replaced,
            }
            sessions {
                sessions_round_trip_and_revoke,
                session_reads_back_with_its_user,
                expired_sessions_are_purged,
                user_sessions_are_revoked_together,
                other_sessions_end_and_the_kept_one_stays,
                login_counters_charge_refund_and_expire,
            }
            courses {
                courses_round_trip,
                invite_codes_are_unique,
                list_all_courses_newest_first,
                member_courses_carry_roles,
                membership_reflects_staff_and_enrolment,
                course_for_carries_the_users_role,
                assistants_are_unique,
                enrolment_is_unique,
                enrolments_oldest_first_with_pages,
                enrolments_are_searched_by_name_email_and_state,
                lessons_are_appended_and_updated,
                deleting_a_lesson_closes_the_gap,
                reorder_lessons_sets_positions,
                reorder_lessons_with_changed_set_is_stale,
                lesson_views_are_recorded_once,
                lesson_for_carries_course_role_and_view,
            }
            comments {
                threads_keep_messages_and_read_marks,
                reading_a_thread_reads_its_notifications,
            }
            bank {
                bank_questions_filter_and_count,
                bank_writes_are_whole_and_versioned,
                attempts_keep_their_drawn_questions,
            }
            announcements {
                announcements_reach_their_audience,
                students_standing_and_watched_groups,
            }
            groups {
                groups_round_trip_with_mentors,
                students_move_between_groups_with_history,
                enrolling_into_a_group_is_one_write,
                mentor_scope_follows_groups,
                listings_narrow_to_a_group_and_a_mentor,
            }
            homework {
                assignments_round_trip_with_outbox,
                assignments_are_listed_by_due_date,
                extensions_are_upserted_and_deleted,
                first_hand_in_creates_a_submission,
                hand_in_takes_its_files_or_writes_nothing,
                later_hand_ins_add_numbered_versions,
                repeated_idempotency_key_is_a_duplicate,
                hand_in_skips_duplicate_messages_and_awards,
                failed_hand_in_writes_nothing,
                grading_stores_grade_audit_and_messages,
                returning_for_rework_stores_feedback,
                stale_review_writes_nothing,
                graded_work_takes_no_new_version,
                hand_ins_stop_at_the_version_limit,
                review_of_unknown_submission_is_not_found,
                audit_trail_is_oldest_first,
                submissions_are_listed_by_first_hand_in,
                student_submissions_and_history,
                pending_submissions_oldest_first,
                concurrent_hand_ins_are_numbered_once,
            }
            quizzes {
                quizzes_round_trip,
                questions_are_appended_updated_and_deleted,
                reorder_questions_sets_positions,
                attempts_are_numbered_per_student,
                open_attempt_blocks_a_new_start,
                attempt_limit_is_enforced,
                concurrent_starts_respect_the_limit,
                concurrent_starts_allow_one_open_attempt,
                answers_are_merged_until_the_deadline,
                saving_into_a_closed_attempt_conflicts,
                finishing_stores_result_once,
                concurrent_finishes_succeed_once,
                finishing_after_a_newer_save_is_stale,
                a_racing_save_and_finish_never_both_succeed,
                manual_grading_replaces_the_result,
                overdue_attempts_oldest_deadline_first,
                closing_a_quiz_caps_open_attempts,
                quiz_attempts_are_listed_by_start,
                pending_essays_oldest_finished_first,
            }
            webinars {
                webinars_round_trip_with_outbox,
                course_webinars_by_start,
                webinars_starting_between_bounds,
            }
            outbox {
                enqueue_skips_duplicate_keys,
                outbox_entries_round_trip,
                claim_due_takes_due_pending_entries,
                claim_due_respects_the_limit,
                expired_leases_return_entries,
                two_concurrent_claimers_never_share,
                four_concurrent_claimers_never_share,
                mark_sent_finishes_an_entry,
                mark_retry_reschedules_an_entry,
                mark_failed_gives_up,
                marks_need_the_current_lease,
                user_outbox_newest_first,
            }
            notifications {
                preferences_round_trip,
                delivery_profiles_use_defaults,
                recipients_carry_addresses,
                telegram_tokens_work_once,
                telegram_chats_move_between_users,
                deadline_targets_apply_extensions,
                quiz_close_targets_list_students_of_open_quizzes,
                opening_targets_list_work_that_opened,
                send_slots_are_reserved_interval_apart,
                concurrent_send_slot_reservations_are_distinct,
                the_inbox_lists_in_app_entries_with_read_marks,
            }
            achievements {
                awards_are_made_once,
                per_course_badges_are_scoped_by_course,
                achievements_are_listed_oldest_first,
                concurrent_awards_are_made_once,
            }
            read_models {
                student_snapshot_counts_and_filters,
                student_snapshot_webinars_and_badges,
                staff_snapshot_courses_queue_and_webinars,
                staff_course_of_any_course,
                gradebook_course_is_the_staff_course_without_details,
                schedule_sources_for_students,
                schedule_sources_for_staff,
            }
            files {
                files_round_trip,
                files_are_listed_by_owner,
                attach_moves_unattached_files,
                attach_is_all_or_nothing,
                concurrent_attaches_to_different_owners_conflict,
                unattached_files_are_found_and_deleted,
                unattached_usage_counts_one_users_drafts,
                deleting_a_lesson_orphans_its_files,
                drafts_become_course_and_quiz_pictures,
            }
            idempotency {
                requests_start_complete_and_replay,
                expired_locks_and_records_are_taken_over,
                abandoned_requests_run_again,
                expired_records_are_purged,
                concurrent_begins_start_once,
                concurrent_take_overs_start_once,
            }
            onboarding {
                batches_round_trip,
                a_batch_with_a_taken_address_writes_nothing,
                batch_enrolments_keep_existing_ones,
                invitations_are_updated,
                acceptance_activates_and_enrols_once,
                password_resets_are_taken_once,
                concurrent_takes_of_a_reset_succeed_once,
            }
        }
    };
}

/// Turns the case list into tests (`@tests (make)`) or names (`@names`).
#[doc(hidden)]
#[macro_export]
macro_rules! __storage_conformance_expand {
    ([@tests ($make:expr)] $($group:ident { $($case:ident),* $(,)? })*) => {
        #[allow(dead_code)]
        async fn __lms_conformance_storage() -> $crate::ports::Storage {
            $make.await
        }
        $(
            mod $group {
                $(
                    #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
                    async fn $case() {
                        let storage = super::__lms_conformance_storage().await;
                        $crate::testkit::conformance::$group::$case(storage).await;
                    }
                )*
            }
        )*
    };
    ([@names] $($group:ident { $($case:ident),* $(,)? })*) => {
        &[$($(concat!(stringify!($group), "::", stringify!($case)),)*)*]
    };
}

/// Every conformance case as `"<aggregate>::<case>"`, in suite order: the
/// tests [`storage_conformance_tests!`](crate::storage_conformance_tests)
/// generates.
pub const CASES: &[&str] = crate::__storage_conformance_cases!(@names);

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::CASES;

    /// The source of every case module, by aggregate.
    const SOURCES: &[(&str, &str)] = &[
        ("users", include_str!("users.rs")),
        ("sessions", include_str!("sessions.rs")),
        (
            "courses",
            concat!(
                include_str!("courses/catalogue.rs"),
                include_str!("courses/members.rs"),
                include_str!("courses/lessons.rs"),
            ),
        ),
        (
            "homework",
            concat!(
                include_str!("homework/assignments.rs"),
                include_str!("homework/hand_ins.rs"),
                include_str!("homework/reviews.rs"),
                include_str!("homework/reading.rs"),
            ),
        ),
        (
            "quizzes",
            concat!(
                include_str!("quizzes/questions.rs"),
                include_str!("quizzes/starting.rs"),
                include_str!("quizzes/finishing.rs"),
                include_str!("quizzes/listing.rs"),
                include_str!("quizzes/essays.rs"),
            ),
        ),
        ("groups", include_str!("groups.rs")),
        ("bank", include_str!("bank.rs")),
        ("comments", include_str!("comments.rs")),
        ("announcements", include_str!("announcements.rs")),
        ("webinars", include_str!("webinars.rs")),
        ("outbox", include_str!("outbox.rs")),
        (
            "notifications",
            concat!(
                include_str!("notifications/mod.rs"),
                include_str!("notifications/reminders.rs"),
            ),
        ),
        ("achievements", include_str!("achievements.rs")),
        (
            "read_models",
            concat!(
                include_str!("read_models/students.rs"),
                include_str!("read_models/staff.rs"),
                include_str!("read_models/schedule.rs"),
            ),
        ),
        ("files", include_str!("files.rs")),
        ("idempotency", include_str!("idempotency.rs")),
        ("onboarding", include_str!("onboarding.rs")),
    ];

    fn public_cases() -> BTreeSet<String> {
        SOURCES
            .iter()
            .flat_map(|(group, source)| {
                source.lines().filter_map(move |line| {
                    let rest = line.strip_prefix("pub async fn ")?;
                    let name = rest.split(['(', '<']).next()?.trim();
                    Some(format!("{group}::{name}"))
                })
            })
            .collect()
    }

    #[test]
    fn the_macro_runs_every_public_case_once() {
        let listed: BTreeSet<String> = CASES.iter().map(|c| (*c).to_owned()).collect();
        assert_eq!(
            listed.len(),
            CASES.len(),
            "a case is listed twice: {CASES:?}"
        );
        let public = public_cases();
        let missing: Vec<_> = public.difference(&listed).collect();
        let extra: Vec<_> = listed.difference(&public).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "the case list in storage_conformance_tests! must match the public suite \
             functions; not listed: {missing:?}; listed but not public cases: {extra:?}"
        );
        assert!(CASES.len() > 80, "the suite is not empty: {}", CASES.len());
    }

    #[test]
    fn every_case_module_is_scanned() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/testkit/conformance");
        let files: BTreeSet<String> = std::fs::read_dir(dir)
            .expect("the conformance folder is readable")
            .filter_map(|e| {
                let e = e.ok()?;
                let name = e.file_name().into_string().ok()?;
                // A module is a file, or a folder split by use case.
                if e.file_type().ok()?.is_dir() {
                    Some(name)
                } else {
                    name.strip_suffix(".rs").map(str::to_owned)
                }
            })
            .filter(|stem| !matches!(stem.as_str(), "mod" | "fixtures" | "mutants"))
            .collect();
        let scanned: BTreeSet<String> = SOURCES.iter().map(|(g, _)| (*g).to_owned()).collect();
        assert_eq!(
            files, scanned,
            "every case module must be listed in SOURCES (and in the macro)"
        );
    }
}

/// The whole suite against the in-memory reference storage.
#[cfg(test)]
mod memory {
    crate::storage_conformance_tests!(async {
        crate::ports::Storage::from_adapter(crate::testkit::memory::MemoryStorage::new())
    });
}
