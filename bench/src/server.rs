//! A process under test (the reference server or the ceiling endpoint):
//! started on a free 127.0.0.1 port, waited for, measured through `/proc`
//! (CPU time, resident memory), and stopped with SIGTERM.

use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// A running child process serving HTTP on 127.0.0.1.
pub struct Process {
    child: Child,
    /// `http://127.0.0.1:port`.
    pub base: String,
    /// Its process id.
    pub pid: u32,
    /// SQL statements it has run, when started with [`Counting::Statements`].
    statements: Arc<AtomicU64>,
}

/// Whether the server logs (and the bench counts) every SQL statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counting {
    /// Warnings only: the timed runs.
    Off,
    /// `sqlx::query=debug`: every statement is one log line, counted.
    Statements,
}

/// A free port on 127.0.0.1 (bound, then released).
#[must_use]
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Process {
    /// Starts the reference server with these settings and waits until
    /// `/readyz` answers.
    pub async fn server(bin: &Path, env: &[(String, String)], counting: Counting) -> Self {
        let port = free_port();
        let mut cmd = Command::new(bin);
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("LMS_ADDR", format!("127.0.0.1:{port}"))
            .env("LMS_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
            .env(
                "LMS_LOG",
                match counting {
                    Counting::Off => "warn",
                    Counting::Statements => "warn,sqlx::query=debug",
                },
            );
        for (k, v) in env {
            cmd.env(k, v);
        }
        Self::spawn(cmd, port, "/readyz", counting).await
    }

    /// Starts the ceiling endpoint (this same binary) on `url`'s database.
    pub async fn ceiling(url: &str) -> Self {
        let port = free_port();
        let mut cmd = Command::new(std::env::current_exe().expect("own path"));
        cmd.arg("ceiling").arg(url).arg(port.to_string());
        Self::spawn(cmd, port, "/ready", Counting::Off).await
    }

    async fn spawn(mut cmd: Command, port: u16, ready: &str, counting: Counting) -> Self {
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .kill_on_drop(true);
        cmd.stderr(match counting {
            Counting::Off => Stdio::inherit(),
            Counting::Statements => Stdio::piped(),
        });
        let mut child = cmd.spawn().expect("start the process under test");
        let pid = child.id().expect("a pid");
        let statements = Arc::new(AtomicU64::new(0));
        if let Some(stderr) = child.stderr.take() {
            let counter = statements.clone();
            tokio::spawn(async move {
                let mut lines = BufReader::new(stderr).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    if line.contains("sqlx::query") {
                        counter.fetch_add(1, Ordering::SeqCst);
                    }
                }
            });
        }
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if let Ok(r) = client.get(format!("{base}{ready}")).send().await
                && r.status().is_success()
            {
                break;
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("the process under test exited at start: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "the process under test did not get ready in 120 s"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Self {
            child,
            base,
            pid,
            statements,
        }
    }

    /// SQL statements counted so far (zero unless counting).
    #[must_use]
    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::SeqCst)
    }

    /// CPU seconds (user + system) the process has used.
    #[must_use]
    pub fn cpu_secs(&self) -> f64 {
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{}/stat", self.pid)) else {
            return 0.0;
        };
        // Fields after the command name, which is in parentheses.
        let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
        let fields: Vec<&str> = rest.split_whitespace().collect();
        // utime and stime are fields 14 and 15 of the whole line: 12 and 13
        // after the name and state. Clock ticks are 100 per second on Linux.
        let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok());
        (ticks(11).unwrap_or(0.0) + ticks(12).unwrap_or(0.0)) / 100.0
    }

    /// Resident memory now and at its peak, in MiB.
    #[must_use]
    pub fn memory_mib(&self) -> (f64, f64) {
        let mib = |field| status_kib(self.pid, field) as f64 / 1024.0;
        (mib("VmRSS:"), mib("VmHWM:"))
    }

    /// Stops the process with SIGTERM (then SIGKILL after 10 s).
    pub async fn stop(mut self) {
        let _ = std::process::Command::new("kill")
            .arg("-TERM")
            .arg(self.pid.to_string())
            .status();
        if tokio::time::timeout(Duration::from_secs(10), self.child.wait())
            .await
            .is_err()
        {
            let _ = self.child.kill().await;
        }
    }
}

/// A `/proc/<pid>/status` field in KiB (`VmRSS:`, `VmHWM:`); 0 when the
/// process is gone.
fn status_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|kb| kb.parse().ok())
        .unwrap_or(0)
}

/// Samples a process's resident memory every 50 ms until dropped; the
/// highest sample is the peak of that window.
pub struct RssSampler {
    peak: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl RssSampler {
    /// Starts sampling `pid`.
    #[must_use]
    pub fn start(pid: u32) -> Self {
        let peak = Arc::new(AtomicU64::new(0));
        let p = peak.clone();
        let task = tokio::spawn(async move {
            loop {
                p.fetch_max(status_kib(pid, "VmRSS:"), Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        });
        Self { peak, task }
    }

    /// The peak resident memory seen, in MiB.
    #[must_use]
    pub fn finish(self) -> f64 {
        self.task.abort();
        self.peak.load(Ordering::SeqCst) as f64 / 1024.0
    }
}
