//! The server's log as an operator collects it: written to a file (not a
//! terminal) it is plain text without colour codes; with
//! `LMS_LOG_FORMAT=json` every line is one JSON object; and each line
//! written while a request runs names that request's id, which the response
//! carries in `X-Request-Id`.

mod common;

use std::process::Stdio;

/// Runs a server logging to a file with `env`, sends one request with
/// `X-Request-Id: <id>` and one without, stops the server and returns its
/// log and the id the second response got.
async fn log_of(env: &[(&str, &str)], id: &str) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("server.log");
    let file = std::fs::File::create(&log_path).unwrap();
    let data = dir.path().join("data");
    let mut vars = vec![("LMS_LOG", "info,tower_http=debug")];
    vars.extend_from_slice(env);
    let server = common::start_with_stderr(&data, &vars, Stdio::from(file)).await;
    let client = reqwest::Client::new();

    let echoed = client
        .get(format!("{}/api/v1/courses", server.base))
        .header("X-Request-Id", id)
        .send()
        .await
        .unwrap();
    assert_eq!(echoed.status(), 401);
    assert_eq!(echoed.headers()["x-request-id"], id, "a proxy's id is kept");

    let made = client
        .get(format!("{}/healthz", server.base))
        .header("X-Request-Id", "not a token")
        .send()
        .await
        .unwrap();
    let made_id = made.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert!(
        uuid::Uuid::parse_str(&made_id).is_ok(),
        "an unusable id is replaced by a new UUID: {made_id}"
    );
    drop(server);
    (std::fs::read_to_string(&log_path).unwrap(), made_id)
}

#[tokio::test]
async fn text_logs_to_a_file_are_plain_and_name_the_request() {
    let (log, made_id) = log_of(&[], "proxy-req-42").await;
    assert!(!log.is_empty(), "the server logged");
    assert!(
        !log.contains('\u{1b}'),
        "no ANSI escape codes in a file:\n{log}"
    );
    let request_lines: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("id=proxy-req-42"))
        .collect();
    assert!(
        !request_lines.is_empty(),
        "the request's lines carry its id:\n{log}"
    );
    assert!(
        request_lines
            .iter()
            .all(|l| l.contains("route=/api/v1/courses")),
        "and its route pattern:\n{log}"
    );
    assert!(
        log.contains(&format!("id={made_id}")),
        "a made id is logged too:\n{log}"
    );
}

#[tokio::test]
async fn json_logs_are_one_object_per_line_with_the_request_id() {
    let (log, made_id) = log_of(&[("LMS_LOG_FORMAT", "json")], "proxy-req-43").await;
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(!lines.is_empty(), "the server logged");
    for line in &lines {
        assert!(line["timestamp"].is_string(), "{line}");
        assert!(line["level"].is_string(), "{line}");
    }
    let ids: Vec<&str> = lines
        .iter()
        .filter_map(|l| l["span"]["id"].as_str())
        .collect();
    assert!(ids.contains(&"proxy-req-43"), "{log}");
    assert!(ids.contains(&made_id.as_str()), "{log}");
    assert!(
        lines
            .iter()
            .filter(|l| l["span"]["id"] == "proxy-req-43")
            .all(|l| l["span"]["route"] == "/api/v1/courses"),
        "{log}"
    );
}
