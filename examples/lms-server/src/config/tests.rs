use std::collections::HashMap;

use super::*;

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |name| map.get(name).cloned()
}

fn from_env(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
    Config::from_sources(None, env(pairs))
}

#[test]
fn defaults_run_on_a_local_sqlite_file() {
    let cfg = from_env(&[]).unwrap();
    assert_eq!(cfg.addr, "127.0.0.1:8080".parse().unwrap());
    assert_eq!(cfg.data_dir, PathBuf::from("./lms-data"));
    assert_eq!(
        cfg.database,
        DatabaseUrl::Sqlite(
            PathBuf::from("./lms-data")
                .join("lms.db")
                .to_string_lossy()
                .into()
        )
    );
    assert_eq!(cfg.public_url, "http://127.0.0.1:8080");
    assert_eq!(
        cfg.files,
        FilesConfig::Dir(PathBuf::from("./lms-data/files"))
    );
    assert_eq!(cfg.max_upload_bytes, 50 * 1024 * 1024);
    assert_eq!(cfg.max_hand_in_versions, 20);
    assert_eq!(cfg.upload_quota, lms_core::file::UploadQuota::default());
    assert_eq!(cfg.worker, WorkerMode::InProcess);
    assert!(!cfg.demo);
    assert_eq!(cfg.log, "info");
    assert_eq!(cfg.log_format, LogFormat::Text);
    assert_eq!(cfg.smtp, None);
    assert_eq!(cfg.telegram, None);
    assert_eq!(cfg.trueconf, None);
    assert_eq!(cfg.telemost, None);
}

#[test]
fn environment_overrides_the_file() {
    let file = r#"
        addr = "0.0.0.0:9000"
        data_dir = "/srv/lms"
        public_url = "https://lms.school.ru/"
        demo = true
        max_upload_bytes = 1000

        [smtp]
        host = "smtp.school.ru"
        security = "tls"
        from = "Школа <lms@school.ru>"
        password = "file-password"

        [telemost]
        token = "file-token"
    "#;
    let cfg = Config::from_sources(
        Some((Path::new("lms.toml"), file)),
        env(&[
            ("LMS_ADDR", "127.0.0.1:7000"),
            ("LMS_SMTP_PASSWORD", "env-password"),
            ("LMS_DEMO", ""),
            ("LMS_DATABASE_URL", "postgres://lms:pw@db:5432/lms"),
            ("LMS_FILES", "s3://school-files/uploads/"),
            ("LMS_S3_ENDPOINT", "https://storage.yandexcloud.net"),
            ("LMS_S3_SECRET_ACCESS_KEY", "s3-secret"),
            ("LMS_WORKER", "off"),
            ("LMS_LOG_FORMAT", "json"),
        ]),
    )
    .unwrap();
    assert_eq!(cfg.addr, "127.0.0.1:7000".parse().unwrap());
    assert_eq!(cfg.data_dir, PathBuf::from("/srv/lms"));
    assert_eq!(cfg.public_url, "https://lms.school.ru");
    assert!(cfg.demo, "an empty variable leaves the file's value");
    assert_eq!(cfg.max_upload_bytes, 1000);
    assert_eq!(cfg.worker, WorkerMode::Off);
    assert_eq!(cfg.log_format, LogFormat::Json);
    assert_eq!(cfg.database.expose(), "postgres://lms:pw@db:5432/lms");
    let smtp = cfg.smtp.clone().unwrap();
    assert_eq!(smtp.host, "smtp.school.ru");
    assert_eq!(smtp.port, 465);
    assert_eq!(smtp.security, SmtpSecurity::Tls);
    assert_eq!(smtp.from, "Школа <lms@school.ru>");
    assert_eq!(smtp.password.as_ref().unwrap().expose(), "env-password");
    assert_eq!(cfg.telemost.as_ref().unwrap().token.expose(), "file-token");
    let FilesConfig::S3(s3) = &cfg.files else {
        panic!("expected S3: {:?}", cfg.files)
    };
    assert_eq!(s3.bucket, "school-files");
    assert_eq!(s3.prefix, "uploads");
    assert_eq!(
        s3.endpoint.as_deref(),
        Some("https://storage.yandexcloud.net")
    );

    let debug = format!("{cfg:?}");
    for secret in ["env-password", "file-token", "s3-secret", ":pw@"] {
        assert!(!debug.contains(secret), "{secret} leaked: {debug}");
    }
    assert!(debug.contains("postgres://lms:***@db:5432/lms"), "{debug}");
}

#[test]
fn a_wildcard_address_gives_a_localhost_link() {
    let cfg = from_env(&[("LMS_ADDR", "0.0.0.0:9000")]).unwrap();
    assert_eq!(cfg.public_url, "http://localhost:9000");
    let cfg = from_env(&[("LMS_ADDR", "[::]:80")]).unwrap();
    assert_eq!(cfg.public_url, "http://localhost:80");
}

#[test]
fn bad_values_name_the_variable() {
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("LMS_ADDR", "localhost")], "LMS_ADDR"),
        (&[("LMS_MAX_UPLOAD_BYTES", "10MB")], "LMS_MAX_UPLOAD_BYTES"),
        (
            &[("LMS_MAX_HAND_IN_VERSIONS", "0")],
            "LMS_MAX_HAND_IN_VERSIONS",
        ),
        (
            &[("LMS_UPLOAD_QUOTA_FILES", "-1")],
            "LMS_UPLOAD_QUOTA_FILES",
        ),
        (&[("LMS_WORKER", "maybe")], "LMS_WORKER"),
        (&[("LMS_LOG_FORMAT", "xml")], "LMS_LOG_FORMAT"),
        (&[("LMS_DEMO", "sure")], "LMS_DEMO"),
        (&[("LMS_PUBLIC_URL", "lms.school.ru")], "LMS_PUBLIC_URL"),
        (&[("LMS_DATABASE_URL", "mysql://x")], "LMS_DATABASE_URL"),
        (&[("LMS_FILES", "s3://")], "LMS_FILES"),
        (&[("LMS_SMTP_HOST", "smtp.x.ru")], "LMS_SMTP_FROM"),
        (
            &[
                ("LMS_SMTP_HOST", "h"),
                ("LMS_SMTP_FROM", "a@b.ru"),
                ("LMS_SMTP_PORT", "70000"),
            ],
            "LMS_SMTP_PORT",
        ),
        (
            &[
                ("LMS_SMTP_HOST", "h"),
                ("LMS_SMTP_FROM", "a@b.ru"),
                ("LMS_SMTP_SECURITY", "ssl"),
            ],
            "LMS_SMTP_SECURITY",
        ),
        (
            &[("LMS_TELEGRAM_BOT_TOKEN", "1:abc")],
            "LMS_TELEGRAM_BOT_USERNAME",
        ),
        (
            &[("LMS_TRUECONF_SERVER_URL", "https://video.school.ru")],
            "LMS_TRUECONF_CLIENT_ID",
        ),
        (
            &[
                ("LMS_TRUECONF_SERVER_URL", "https://video.school.ru"),
                ("LMS_TRUECONF_CLIENT_ID", "lms"),
                ("LMS_TRUECONF_CLIENT_SECRET", "s"),
                ("LMS_TRUECONF_OWNER", "lms@video.school.ru"),
                ("LMS_TRUECONF_API_VERSION", "v3"),
            ],
            "LMS_TRUECONF_API_VERSION",
        ),
        (
            &[("LMS_SCHOOL_NAME", "Ш".repeat(101).leak())],
            "LMS_SCHOOL_NAME",
        ),
    ];
    for (vars, named) in cases {
        let err = from_env(vars).expect_err(named).to_string();
        assert!(err.contains(named), "{vars:?}: {err}");
    }
}

#[test]
fn the_school_is_named_by_the_operator() {
    assert_eq!(from_env(&[]).unwrap().school_name(), "Онлайн-школа");
    assert_eq!(
        from_env(&[("LMS_DEMO", "true")]).unwrap().school_name(),
        "Демо-школа"
    );
    // `--demo` sets the flag after loading: the default follows it.
    let mut flagged = from_env(&[]).unwrap();
    flagged.demo = true;
    assert_eq!(flagged.school_name(), "Демо-школа");
    let cfg = from_env(&[
        ("LMS_SCHOOL_NAME", " Школа «Интеграл» "),
        ("LMS_SCHOOL_LOGO_URL", "https://integral.ru/logo.svg"),
    ])
    .unwrap();
    assert_eq!(cfg.school_name(), "Школа «Интеграл»");
    assert_eq!(
        cfg.school_logo_url.as_deref(),
        Some("https://integral.ru/logo.svg")
    );
}

#[test]
fn the_file_must_be_valid_and_known() {
    let err = Config::from_sources(Some((Path::new("a.toml"), "addr = ")), env(&[]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("a.toml"), "{err}");
    let err = Config::from_sources(
        Some((Path::new("a.toml"), "[smtp]\nhots = \"x\"")),
        env(&[]),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("smtp.hots"), "{err}");
    let err = Config::from_sources(Some((Path::new("a.toml"), "demo = \"maybe\"")), env(&[]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("LMS_DEMO") && err.contains("`demo`"), "{err}");
}

#[test]
fn load_reads_the_named_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lms.toml");
    std::fs::write(&path, "[trueconf]\nserver_url = \"https://v.school.ru\"\nclient_id = \"lms\"\nclient_secret = \"tc-secret\"\nowner = \"lms@v.school.ru\"\napi_version = \"3.10\"\n").unwrap();
    let cfg = Config::load(Some(&path)).unwrap();
    let tc = cfg.trueconf.clone().unwrap();
    assert_eq!(tc.server_url, "https://v.school.ru");
    assert_eq!(tc.api_minor_version, Some(10));
    assert!(!format!("{cfg:?}").contains("tc-secret"));

    let missing = Config::load(Some(&dir.path().join("nope.toml"))).unwrap_err();
    assert!(missing.to_string().contains("nope.toml"), "{missing}");
}

#[test]
fn an_operator_adds_video_hosts_checked_like_the_built_in_ones() {
    assert!(from_env(&[]).unwrap().video_hosts.is_empty());
    let cfg = from_env(&[(
        "LMS_VIDEO_HOSTS",
        "video.school.ru/embed/, player.example.org/v/",
    )])
    .unwrap();
    let hosts: Vec<(&str, &str)> = cfg
        .video_hosts
        .iter()
        .map(|h| (h.host.as_str(), h.path_prefix.as_str()))
        .collect();
    assert_eq!(
        hosts,
        [
            ("video.school.ru", "/embed/"),
            ("player.example.org", "/v/")
        ]
    );
    let err = from_env(&[("LMS_VIDEO_HOSTS", "video.school.ru/embed/,evil")])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("LMS_VIDEO_HOSTS") && err.contains("\"evil\""),
        "{err}"
    );
}
