//! Quizzes, their questions and attempts.

use super::*;

pub(super) async fn insert_quizzes(conn: &mut PgConnection, rows: &[Quiz]) -> StorageResult<()> {
    let ids: Vec<Uuid> = rows.iter().map(|q| q.id.0).collect();
    let courses: Vec<Uuid> = rows.iter().map(|q| q.course_id.0).collect();
    let titles: Vec<String> = rows.iter().map(|q| q.title.as_str().to_owned()).collect();
    let descriptions: Vec<String> = rows
        .iter()
        .map(|q| q.description.as_html().to_owned())
        .collect();
    let settings = json_column(rows, |q| &q.settings)?;
    let published: Vec<bool> = rows.iter().map(|q| q.published).collect();
    let created: Vec<DateTime<Utc>> = rows.iter().map(|q| q.created_at).collect();
    sqlx::query!(
        "INSERT INTO quizzes (id, course_id, title, description, settings, published, created_at)
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::jsonb[], $6::boolean[],
                              $7::timestamptz[])",
        &ids,
        &courses,
        &titles,
        &descriptions,
        &settings,
        &published,
        &created,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub(super) async fn insert_questions(
    conn: &mut PgConnection,
    rows: &[Question],
) -> StorageResult<()> {
    let ids: Vec<Uuid> = rows.iter().map(|q| q.id.0).collect();
    let quizzes: Vec<Uuid> = rows.iter().map(|q| q.quiz_id.0).collect();
    let positions: Vec<i32> = rows.iter().map(|q| to_i32(q.position)).collect();
    let prompts: Vec<String> = rows.iter().map(|q| q.prompt.as_html().to_owned()).collect();
    let points: Vec<f64> = rows.iter().map(|q| q.points.value()).collect();
    let bodies = json_column(rows, |q| &q.body)?;
    let explanations: Vec<Option<String>> = rows
        .iter()
        .map(|q| q.explanation.as_ref().map(|e| e.as_html().to_owned()))
        .collect();
    sqlx::query!(
        "INSERT INTO questions (id, quiz_id, position, prompt, points, body, explanation)
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::integer[], $4::text[], $5::double precision[],
                              $6::jsonb[], $7::text[])",
        &ids,
        &quizzes,
        &positions,
        &prompts,
        &points,
        &bodies,
        &explanations[..] as &[Option<String>],
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub(super) async fn insert_attempts(
    conn: &mut PgConnection,
    rows: &[Attempt],
) -> StorageResult<()> {
    let ids: Vec<Uuid> = rows.iter().map(|a| a.id.0).collect();
    let quizzes: Vec<Uuid> = rows.iter().map(|a| a.quiz_id.0).collect();
    let students: Vec<Uuid> = rows.iter().map(|a| a.student_id.0).collect();
    let numbers: Vec<i32> = rows.iter().map(|a| to_i32(a.number)).collect();
    // The seed is stored bit for bit in a signed column.
    let seeds: Vec<i64> = rows
        .iter()
        .map(|a| i64::from_ne_bytes(a.seed.to_ne_bytes()))
        .collect();
    let orders = json_column(rows, |a| &a.question_order)?;
    let drawn = json_column(rows, |a| &a.drawn)?;
    let started: Vec<DateTime<Utc>> = rows.iter().map(|a| a.started_at).collect();
    let deadlines: Vec<Option<DateTime<Utc>>> = rows.iter().map(|a| a.deadline).collect();
    let states: Vec<String> = rows.iter().map(|a| state_str(a.state).to_owned()).collect();
    let answers = json_column(rows, |a| &a.answers)?;
    let saved: Vec<Option<DateTime<Utc>>> = rows.iter().map(|a| a.saved_at).collect();
    let finished: Vec<Option<DateTime<Utc>>> = rows.iter().map(|a| a.finished_at).collect();
    let results: Vec<Option<serde_json::Value>> = rows
        .iter()
        .map(|a| a.result.as_ref().map(to_json).transpose())
        .collect::<StorageResult<_>>()?;
    let keys: Vec<Option<String>> = rows.iter().map(|a| a.submit_key.clone()).collect();
    sqlx::query!(
        "INSERT INTO attempts (id, quiz_id, student_id, number, seed, question_order, started_at, deadline, state,
                               answers, saved_at, finished_at, result, submit_key, drawn)
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::uuid[], $4::integer[], $5::bigint[], $6::jsonb[],
                              $7::timestamptz[], $8::timestamptz[], $9::text[], $10::jsonb[], $11::timestamptz[],
                              $12::timestamptz[], $13::jsonb[], $14::text[], $15::jsonb[])",
        &ids,
        &quizzes,
        &students,
        &numbers,
        &seeds,
        &orders,
        &started,
        &deadlines[..] as &[Option<DateTime<Utc>>],
        &states,
        &answers,
        &saved[..] as &[Option<DateTime<Utc>>],
        &finished[..] as &[Option<DateTime<Utc>>],
        &results[..] as &[Option<serde_json::Value>],
        &keys[..] as &[Option<String>],
        &drawn,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}
