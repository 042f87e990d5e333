//! Drafts: an upload made before its object is saved becomes the object's
//! when the text or attachment list using it is saved, and is then read by
//! whoever reads the object.

use super::*;
use crate::course::{CourseUpdate, LessonInput, Title};
use crate::file::InMemoryBody;
use crate::homework::{GradeInput, HandInInput};
use crate::quiz::{QuestionInput, QuizInput};
use crate::richtext::RichText;
use crate::testkit::conformance::fixtures::quiz;
use crate::testkit::memory::MemoryFileStore;

fn facade(s: &School) -> crate::Lms {
    crate::Lms::new(s.storage.clone(), s.clock.clone(), Vec::new())
        .with_file_store(Arc::new(MemoryFileStore::new()))
}

async fn draft(lms: &crate::Lms, by: &Actor, name: &str) -> FileRef {
    lms.files
        .upload(
            by,
            UploadTarget::Draft,
            name,
            &mut InMemoryBody::new(vec![1, 2, 3]),
        )
        .await
        .expect("draft upload")
}

fn picture(file: &FileRef) -> RichText {
    RichText::sanitize(&format!(
        r#"<p>Смотрите:</p><p><img src="/api/v1/files/{}" alt="рисунок"></p>"#,
        file.id
    ))
}

async fn owner_of(s: &School, file: &FileRef) -> FileOwner {
    s.storage
        .files
        .get(file.id)
        .await
        .unwrap()
        .expect("still stored")
        .1
}

async fn readers(lms: &crate::Lms, file: &FileRef, who: &[&Actor]) -> Vec<bool> {
    let mut out = Vec::new();
    for actor in who {
        out.push(lms.files.authorize_download(actor, file.id).await.is_ok());
    }
    out
}

#[tokio::test]
async fn a_new_lessons_picture_and_attachment_become_the_lessons() {
    let s = school().await;
    let lms = facade(&s);
    let image = draft(&lms, &s.teacher, "схема.png").await;
    let pdf = draft(&lms, &s.teacher, "конспект.pdf").await;
    assert_eq!(
        readers(&lms, &image, &[&s.teacher, &s.student]).await,
        [true, false],
        "before saving, only the uploader reads a draft"
    );
    let lesson = lms
        .courses
        .create_lesson(
            &s.teacher,
            s.course.id,
            LessonInput {
                title: Title::parse("Новый урок").unwrap(),
                body: picture(&image),
                publish_at: None,
                published: Some(true),
                attachment_ids: Some(vec![pdf.id]),
            },
        )
        .await
        .expect("create lesson");
    assert_eq!(lesson.attachments, vec![pdf.clone()]);
    for file in [&image, &pdf] {
        assert_eq!(owner_of(&s, file).await, FileOwner::Lesson(lesson.id));
        assert_eq!(
            readers(&lms, file, &[&s.teacher, &s.student, &s.stranger]).await,
            [true, true, false],
            "read by whoever reads the lesson"
        );
    }
    assert_eq!(s.service.purge_drafts().await.unwrap(), 0);
}

#[tokio::test]
async fn only_the_authors_own_drafts_are_taken_over() {
    let s = school().await;
    let lms = facade(&s);
    let theirs = draft(&lms, &s.assistant, "чужой.png").await;
    let elsewhere = lms
        .files
        .upload(
            &s.teacher,
            UploadTarget::Lesson(s.lesson.id),
            "из другого урока.png",
            &mut InMemoryBody::new(vec![1]),
        )
        .await
        .unwrap();
    let body = RichText::sanitize(&format!(
        r#"<p><img src="/api/v1/files/{}"><img src="/api/v1/files/{}"></p>"#,
        theirs.id, elsewhere.id
    ));
    let lesson = lms
        .courses
        .create_lesson(
            &s.teacher,
            s.course.id,
            LessonInput {
                title: Title::parse("Урок").unwrap(),
                body,
                publish_at: None,
                published: Some(true),
                attachment_ids: None,
            },
        )
        .await
        .expect("a text may show pictures it does not own");
    assert_eq!(owner_of(&s, &theirs).await, FileOwner::Unattached);
    assert_eq!(
        owner_of(&s, &elsewhere).await,
        FileOwner::Lesson(s.lesson.id)
    );
    assert_ne!(s.lesson.id, lesson.id);
    // Someone else's draft is no attachment either.
    let err = lms
        .courses
        .create_lesson(
            &s.teacher,
            s.course.id,
            LessonInput {
                title: Title::parse("Урок").unwrap(),
                body: RichText::default(),
                publish_at: None,
                published: Some(true),
                attachment_ids: Some(vec![theirs.id]),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), "invalid_field");
}

#[tokio::test]
async fn a_course_descriptions_picture_is_read_by_who_sees_the_course() {
    let s = school().await;
    let lms = facade(&s);
    let image = draft(&lms, &s.teacher, "обложка.png").await;
    lms.courses
        .update_course(
            &s.teacher,
            s.course.id,
            CourseUpdate {
                title: s.course.title.clone(),
                description: picture(&image),
            },
        )
        .await
        .expect("update course");
    assert_eq!(owner_of(&s, &image).await, FileOwner::Course(s.course.id));
    assert_eq!(
        readers(
            &lms,
            &image,
            &[&s.student, &s.assistant, &s.admin, &s.stranger]
        )
        .await,
        [true, true, true, false]
    );
}

#[tokio::test]
async fn a_quiz_questions_picture_is_read_once_the_quiz_is_published() {
    let s = school().await;
    let lms = facade(&s);
    let mut q = quiz(s.course.id, t0());
    q.published = false;
    ok(s.storage.quizzes.insert_quiz(&q).await, "quiz");
    let image = draft(&lms, &s.teacher, "график.png").await;
    let explained = draft(&lms, &s.teacher, "разбор.png").await;
    lms.quizzes
        .add_question(
            &s.teacher,
            q.id,
            QuestionInput {
                prompt: picture(&image),
                points: crate::testkit::conformance::fixtures::points(1.0),
                body: crate::quiz::QuestionBody::TrueFalse { correct: true },
                explanation: Some(picture(&explained)),
            },
        )
        .await
        .expect("add question");
    for file in [&image, &explained] {
        assert_eq!(owner_of(&s, file).await, FileOwner::Quiz(q.id));
    }
    assert_eq!(
        readers(&lms, &image, &[&s.teacher, &s.student]).await,
        [true, false],
        "an unpublished quiz's pictures stay with its staff"
    );
    lms.quizzes
        .set_published(&s.teacher, q.id, true)
        .await
        .unwrap();
    assert_eq!(
        readers(&lms, &image, &[&s.student, &s.stranger]).await,
        [true, false]
    );
    let described = draft(&lms, &s.teacher, "условие.png").await;
    lms.quizzes
        .update_quiz(
            &s.teacher,
            q.id,
            QuizInput {
                title: q.title.clone(),
                description: picture(&described),
                settings: q.settings.clone(),
            },
        )
        .await
        .unwrap();
    assert_eq!(owner_of(&s, &described).await, FileOwner::Quiz(q.id));
}

#[tokio::test]
async fn pictures_in_answers_and_feedback_belong_to_the_submission() {
    let s = school().await;
    let lms = facade(&s);
    let mut assignment = crate::testkit::conformance::fixtures::assignment(s.course.id, day(7));
    assignment.submission_kind = crate::homework::SubmissionKind::Text;
    ok(
        s.storage.homework.insert_assignment(&assignment, &[]).await,
        "text assignment",
    );
    let solution = draft(&lms, &s.student, "решение.jpg").await;
    let handed = lms
        .homework
        .hand_in(
            &s.student,
            assignment.id,
            HandInInput {
                text: Some(picture(&solution)),
                file_ids: Vec::new(),
                idempotency_key: None,
            },
        )
        .await
        .expect("hand in");
    let submission = handed.submission.id;
    assert_eq!(
        owner_of(&s, &solution).await,
        FileOwner::Submission(submission)
    );
    assert_eq!(
        readers(&lms, &solution, &[&s.teacher, &s.student, &s.classmate]).await,
        [true, true, false]
    );

    let remark = draft(&lms, &s.teacher, "пометки.png").await;
    lms.homework
        .grade(
            &s.teacher,
            submission,
            GradeInput {
                raw_score: crate::testkit::conformance::fixtures::points(8.0),
                feedback: picture(&remark),
                expected_version: 1,
            },
        )
        .await
        .expect("grade");
    assert_eq!(
        owner_of(&s, &remark).await,
        FileOwner::Submission(submission)
    );
    assert_eq!(
        readers(&lms, &remark, &[&s.student, &s.classmate]).await,
        [true, false],
        "the student reads the feedback's picture"
    );
}
