//! Tests: attempt lists.

use super::*;

#[tokio::test]
async fn attempt_lists_for_staff_and_for_oneself() {
    let w = World::new();
    let all = [
        finished_with_score(&w, 1, 2.0),
        w.attempt(&w.classmate, AttemptState::Open),
    ];
    let mine = vec![all[0].clone()];
    let mut q = w.quizzes();
    let page = Page::new(10, 0);
    let named: Vec<crate::quiz::NamedAttempt> = all
        .iter()
        .zip(["Анна Петрова", "Иван Сидоров"])
        .map(|(a, name)| crate::quiz::NamedAttempt {
            attempt: a.clone(),
            student_name: name.into(),
        })
        .collect();
    q.expect_list_quiz_attempts()
        .withf(move |_, f, p| *p == page && f.role.is_none())
        .returning(move |_, _, _| Ok(named.clone()));
    let student = w.student.user_id;
    q.expect_list_attempts()
        .withf(move |_, s| *s == student)
        .returning(move |_, _| Ok(mine.clone()));
    let svc = w.service(q, MockNotificationStore::new());
    let listed = svc
        .list_attempts(
            &w.assistant,
            w.quiz.id,
            &crate::user::UserFilter::default(),
            page,
        )
        .await
        .unwrap();
    assert_eq!(
        listed,
        all.iter()
            .zip(["Анна Петрова", "Иван Сидоров"])
            .map(|(a, name)| StaffAttemptSummary {
                attempt: AttemptSummary::from(a),
                student_name: name.into(),
            })
            .collect::<Vec<_>>(),
        "staff get every attempt with its student's name"
    );
    let err = svc
        .list_attempts(
            &w.student,
            w.quiz.id,
            &crate::user::UserFilter::default(),
            page,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ViewQuizError::Forbidden));
    let err = svc
        .list_attempts(
            &w.stranger_teacher,
            w.quiz.id,
            &crate::user::UserFilter::default(),
            page,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ViewQuizError::NotFound));
    let own = svc.my_attempts(&w.student, w.quiz.id).await.unwrap();
    assert_eq!(own.len(), 1);
    assert_eq!(own[0].student_id, w.student.user_id);
    let err = svc.my_attempts(&w.outsider, w.quiz.id).await.unwrap_err();
    assert!(matches!(err, ViewQuizError::NotFound));
}
