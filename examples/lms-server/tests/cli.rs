//! What an operator sees from the `lms-server` commands that work without
//! the HTTP layer: `seed-demo` and configuration errors.

use std::process::Command;

fn server(data_dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lms-server"));
    cmd.env("LMS_DATA_DIR", data_dir)
        .env_remove("LMS_CONFIG")
        .env_remove("LMS_DATABASE_URL")
        .env_remove("LMS_FILES")
        .env("LMS_LOG", "warn");
    cmd
}

#[test]
fn seed_demo_creates_the_school_once() {
    let dir = tempfile::tempdir().unwrap();
    let first = server(dir.path()).arg("seed-demo").output().unwrap();
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(
        first.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(stdout.contains("демо-школа создана"), "{stdout}");
    assert!(stdout.contains("24 users, 2 courses"), "{stdout}");
    assert!(dir.path().join("lms.db").is_file());

    let again = server(dir.path()).arg("seed-demo").output().unwrap();
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stdout).contains("демо-школа уже есть"));
}

#[test]
fn a_bad_setting_stops_the_server_naming_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    let out = server(dir.path())
        .env("LMS_MAX_UPLOAD_BYTES", "lots")
        .arg("serve")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("LMS_MAX_UPLOAD_BYTES"));
}

#[test]
fn the_config_file_is_read_and_overridden_by_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("lms.toml");
    let data = dir.path().join("from-file");
    std::fs::write(
        &file,
        format!(
            "data_dir = {:?}\nworker = \"sometimes\"\n",
            data.to_str().unwrap()
        ),
    )
    .unwrap();
    // The file's bad worker mode is reported...
    let out = server(dir.path())
        .env_remove("LMS_DATA_DIR")
        .args(["--config", file.to_str().unwrap(), "seed-demo"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("LMS_WORKER"));
    // ...unless the environment overrides it; the file's data_dir is used.
    let out = server(dir.path())
        .env_remove("LMS_DATA_DIR")
        .env("LMS_WORKER", "off")
        .env("LMS_CONFIG", &file)
        .arg("seed-demo")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(data.join("lms.db").is_file());
}
