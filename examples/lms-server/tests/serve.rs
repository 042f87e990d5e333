//! The reference server as an operator runs it: `lms-server --demo` on an
//! empty data directory serves the API over the demo school, answers health
//! checks, and stops cleanly on SIGTERM; `lms-server worker` runs without
//! HTTP and stops the same way.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn server(data_dir: &std::path::Path, port: u16) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lms-server"));
    cmd.env("LMS_DATA_DIR", data_dir)
        .env("LMS_ADDR", format!("127.0.0.1:{port}"))
        .env_remove("LMS_CONFIG")
        .env_remove("LMS_DATABASE_URL")
        .env_remove("LMS_FILES")
        .env_remove("LMS_WEB_DIR")
        .env("LMS_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

async fn wait_ready(base: &str, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(r) = reqwest::get(format!("{base}/readyz")).await
            && r.status().is_success()
        {
            return;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("server exited early: {status}");
        }
        assert!(Instant::now() < deadline, "server not ready in time");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn terminate(child: &mut Child) -> std::process::ExitStatus {
    let pid = child.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "server did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[tokio::test]
async fn the_demo_server_serves_the_school_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = server(dir.path(), port).arg("--demo").spawn().unwrap();
    wait_ready(&base, &mut child).await;

    let client = reqwest::Client::new();
    assert_eq!(
        client
            .get(format!("{base}/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let login: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "student7@demo.school", "password": "demo12345"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(login["user"]["role"], "student", "{login}");
    let token = login["token"].as_str().unwrap();
    let me = client
        .get(format!("{base}/api/v1/auth/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let doc: serde_json::Value = client
        .get(format!("{base}/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["paths"].as_object().unwrap().len() > 5);
    let metrics = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("lms_http_requests_total"));
    the_built_in_ui_is_served(&client, &base).await;

    let status = terminate(&mut child);
    assert!(status.success(), "exit status after SIGTERM: {status}");

    // A second start finds the school and seeds nothing twice.
    let mut again = server(dir.path(), port).arg("--demo").spawn().unwrap();
    wait_ready(&base, &mut again).await;
    let users: serde_json::Value = {
        let admin: serde_json::Value = client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&serde_json::json!({"email": "admin@demo.school", "password": "demo12345"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        client
            .get(format!("{base}/api/v1/users?limit=200"))
            .bearer_auth(admin["token"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    };
    assert_eq!(users.as_array().unwrap().len(), 24);
    assert!(terminate(&mut again).success());
}

/// The binary alone (no `LMS_WEB_DIR`) serves the UI it was built with:
/// pages fall back to `index.html`, which is revalidated; hashed assets are
/// immutable, compressed, and answer 304 to their `ETag`.
async fn the_built_in_ui_is_served(client: &reqwest::Client, base: &str) {
    let page = client
        .get(format!("{base}/courses/1"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let header = |r: &reqwest::Response, name: &str| {
        r.headers()
            .get(name)
            .map_or(String::new(), |v| v.to_str().unwrap().to_owned())
    };
    assert_eq!(header(&page, "content-type"), "text/html; charset=utf-8");
    assert_eq!(header(&page, "cache-control"), "no-cache");
    let html = page.text().await.unwrap();
    let script = html
        .split('"')
        .find(|s| s.starts_with("/assets/") && s.ends_with(".js"))
        .unwrap_or_else(|| panic!("no script in {html}"))
        .to_owned();
    let asset = client
        .get(format!("{base}{script}"))
        .header("accept-encoding", "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(asset.status(), 200);
    assert_eq!(header(&asset, "content-encoding"), "br");
    assert_eq!(
        header(&asset, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    let etag = header(&asset, "etag");
    let compressed = asset.bytes().await.unwrap().len();
    let plain = client.get(format!("{base}{script}")).send().await.unwrap();
    assert_eq!(header(&plain, "content-encoding"), "");
    assert!(plain.bytes().await.unwrap().len() > compressed * 2);
    let again = client
        .get(format!("{base}{script}"))
        .header("accept-encoding", "gzip, br")
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    let missing = client
        .get(format!("{base}/assets/missing-0000.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn the_worker_runs_without_http_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = server(dir.path(), port).arg("worker").spawn().unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(child.try_wait().unwrap().is_none(), "worker exited early");
    assert!(
        reqwest::get(format!("http://127.0.0.1:{port}/healthz"))
            .await
            .is_err(),
        "a worker serves no HTTP"
    );
    assert!(terminate(&mut child).success());
}
