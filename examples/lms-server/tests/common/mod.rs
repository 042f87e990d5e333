//! A real `lms-server` process for the process-level tests: started on a
//! free port with its own data directory, killed when dropped.

#![allow(dead_code)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A server process, killed when dropped.
pub struct Server {
    /// The process.
    pub child: Child,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `lms-server` on a free port with `data_dir` and `env`, and waits
/// until `/readyz` answers.
pub async fn start(data_dir: &std::path::Path, env: &[(&str, &str)]) -> Server {
    start_with_stderr(data_dir, env, Stdio::null()).await
}

/// [`start`] with the server's standard error (its log) going to `stderr`.
pub async fn start_with_stderr(
    data_dir: &std::path::Path,
    env: &[(&str, &str)],
    stderr: Stdio,
) -> Server {
    let port = free_port();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lms-server"));
    cmd.env("LMS_DATA_DIR", data_dir)
        .env("LMS_ADDR", format!("127.0.0.1:{port}"))
        .env_remove("LMS_CONFIG")
        .env_remove("LMS_DATABASE_URL")
        .env_remove("LMS_FILES")
        .env_remove("LMS_WEB_DIR")
        .env("LMS_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(stderr);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut server = Server {
        child: cmd.spawn().unwrap(),
        base: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if let Ok(r) = reqwest::get(format!("{}/readyz", server.base)).await
            && r.status().is_success()
        {
            return server;
        }
        if let Some(status) = server.child.try_wait().unwrap() {
            panic!("server exited early: {status}");
        }
        assert!(Instant::now() < deadline, "server not ready in time");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
