//! A development server for the web UI: the real router over a fresh SQLite
//! file in a temporary directory, files in a directory beside it, with three accounts
//! (password `demo12345`): `admin@dev.test`, `teacher@dev.test`,
//! `student@dev.test`. The reference server (`lms-server`) is what schools
//! run; this is for working on `web/` without it.
//!
//! ```sh
//! cargo run -p lms-http --example dev_server -- 127.0.0.1:8099 web/dist
//! ```

use std::sync::Arc;

use lms_core::clock::SystemClock;
use lms_core::user::{DisplayName, Email, Locale, Role, TimeZone, User};
use lms_core::{Lms, UserId};
use lms_http::{AppState, HttpConfig};

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8099".to_owned());
    let web_dir = args.next().map(std::path::PathBuf::from);
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite = lms_storage_sqlite::SqliteStorage::open(
        dir.path().join("lms.db").to_str().expect("utf-8 path"),
    )
    .await
    .expect("open sqlite");
    sqlite.migrate().await.expect("migrate");
    let providers: Vec<Arc<dyn lms_core::webinar::WebinarProvider>> =
        vec![Arc::new(lms_webinar::ExternalLinkProvider::new())];
    let files = lms_files::LocalFileStore::new(dir.path().join("files")).expect("file store");
    let lms = Arc::new(
        Lms::new(sqlite.storage(), Arc::new(SystemClock), providers)
            .with_file_store(Arc::new(files)),
    );
    for (email, role, name) in [
        ("admin@dev.test", Role::Admin, "Администратор"),
        ("teacher@dev.test", Role::Teacher, "Анна Петровна"),
        ("student@dev.test", Role::Student, "Иван Иванов"),
    ] {
        let user = User {
            id: UserId::new(),
            email: Email::parse(email).expect("email"),
            display_name: DisplayName::parse(name).expect("name"),
            role,
            locale: Locale::Ru,
            time_zone: TimeZone::parse("Europe/Moscow").expect("tz"),
            active: true,
            created_at: chrono::Utc::now(),
        };
        let hash = lms_http::password::hash_password("demo12345").expect("hash");
        lms.storage()
            .users
            .insert_user(&user, Some(hash))
            .await
            .expect("insert user");
    }
    let listener = tokio::net::TcpListener::bind(&addr).await.expect("bind");
    let config = HttpConfig {
        public_url: format!("http://{addr}"),
        web_ui: web_dir.map(|dir| lms_http::ui::WebUi::from_dir(&dir).expect("a built web UI")),
        ..HttpConfig::default()
    };
    let app = lms_http::router(AppState::new(lms, config));
    println!(
        "dev server on http://{addr} (admin@dev.test / teacher@dev.test / student@dev.test, password demo12345)"
    );
    lms_http::serve(listener, app, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .expect("serve");
}
