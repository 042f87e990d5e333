//! Telegram against a mock Bot API (wiremock) answering as the Bot API
//! documents, and linking against PostgreSQL.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{closed_port, eventually, message, recipient};
use lms_core::Lms;
use lms_core::clock::SystemClock;
use lms_core::notification::{
    Channel, DeliveryError, DispatchConfig, Notifier, OutboxEntry, OutboxStatus,
};
use lms_core::ports::Storage;
use lms_core::testkit::conformance::fixtures;
use lms_core::user::{Locale, Role, User};
use lms_notify::telegram::{TelegramConfig, TelegramNotifier, run_bot};
use serde_json::{Value, json};
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TOKEN: &str = "123456:TEST-token";

fn config(api: &str, web: &str) -> TelegramConfig {
    let mut c = TelegramConfig::new(TOKEN, "school_lms_bot", web);
    c.api_url = Some(api.to_owned());
    c.poll_timeout_secs = 1;
    c
}

fn notifier(server: &MockServer) -> TelegramNotifier {
    TelegramNotifier::new(&config(&server.uri(), "https://school.example")).unwrap()
}

/// A `Message` as the Bot API returns it from `sendMessage`.
fn sent_message(chat: i64, text: &str) -> Value {
    json!({
        "ok": true,
        "result": {
            "message_id": 77,
            "date": 1_764_590_400,
            "chat": {"id": chat, "type": "private", "first_name": "Анна"},
            "from": {"id": 123_456, "is_bot": true, "first_name": "Школа", "username": "school_lms_bot"},
            "text": text
        }
    })
}

async fn mock_send(server: &MockServer, status: u16, body: Value) {
    Mock::given(method("POST"))
        .and(path_regex(r"(?i)^/bot.+/sendMessage$"))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .mount(server)
        .await;
}

async fn requests_to(server: &MockServer, api_method: &str) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        // Bot API method names are case-insensitive (teloxide sends
        // `SendMessage`).
        .filter(|r: &Request| {
            r.url
                .path()
                .to_lowercase()
                .ends_with(&format!("/{}", api_method.to_lowercase()))
        })
        .map(|r| serde_json::from_slice(&r.body).expect("JSON request body"))
        .collect()
}

#[tokio::test]
async fn sends_escaped_html_with_a_button_to_the_object() {
    let server = MockServer::start().await;
    mock_send(&server, 200, sent_message(4242, "ok")).await;
    let n = notifier(&server);
    assert_eq!(n.channel(), Channel::Telegram);

    let msg = message(
        common::new_assignment("Дроби <b>&</b> проценты"),
        recipient(Locale::Ru),
    );
    n.deliver(&msg).await.expect("sent");

    let lms_core::notification::Notification::NewAssignment { assignment_id, .. } =
        &msg.notification
    else {
        unreachable!()
    };
    let bodies = requests_to(&server, "sendMessage").await;
    assert_eq!(bodies.len(), 1);
    assert_eq!(
        bodies[0],
        json!({
            "chat_id": 4242,
            "text": "<b>Новое задание: Дроби &lt;b&gt;&amp;&lt;/b&gt; проценты</b>\n\n\
                     В курсе «Алгебра 9» опубликовано новое задание «Дроби &lt;b&gt;&amp;&lt;/b&gt; проценты».\n\n\
                     Срок сдачи: 01.12.2026 18:00 (MSK).",
            "parse_mode": "HTML",
            "reply_markup": {"inline_keyboard": [[{
                "text": "Открыть задание",
                "url": format!("https://school.example/assignments/{assignment_id}")
            }]]}
        })
    );
}

#[tokio::test]
async fn a_webinar_reminder_in_english_has_a_join_button() {
    let server = MockServer::start().await;
    mock_send(&server, 200, sent_message(4242, "ok")).await;
    notifier(&server)
        .deliver(&message(common::webinar_reminder(), recipient(Locale::En)))
        .await
        .unwrap();
    let body = &requests_to(&server, "sendMessage").await[0];
    assert_eq!(
        body["text"],
        "<b>The webinar “Разбор ОГЭ” starts in 10 minutes</b>\n\n\
         The webinar “Разбор ОГЭ” starts 1 Dec 2026, 18:00 (MSK)."
    );
    assert_eq!(
        body["reply_markup"],
        json!({"inline_keyboard": [
            [{"text": "Open the schedule", "url": "https://school.example/schedule"}],
            [{"text": "Join the webinar", "url": "https://meet.example/j/1"}]
        ]})
    );
}

#[tokio::test]
async fn links_go_into_the_text_when_telegram_would_refuse_the_button() {
    let server = MockServer::start().await;
    mock_send(&server, 200, sent_message(4242, "ok")).await;
    let n = TelegramNotifier::new(&config(&server.uri(), "http://localhost:8080")).unwrap();
    n.deliver(&message(common::returned("Эссе"), recipient(Locale::Ru)))
        .await
        .unwrap();
    let body = &requests_to(&server, "sendMessage").await[0];
    assert!(body.get("reply_markup").is_none(), "{body}");
    let text = body["text"].as_str().unwrap();
    assert!(
        text.ends_with("\n\nОткрыть задание: http://localhost:8080/assignments/")
            || text.contains("\n\nОткрыть задание: http://localhost:8080/assignments/"),
        "{text}"
    );
}

#[tokio::test]
async fn a_quiz_reminder_has_a_button_to_the_quiz() {
    let server = MockServer::start().await;
    mock_send(&server, 200, sent_message(4242, "ok")).await;
    let reminder = common::quiz_reminder(24);
    notifier(&server)
        .deliver(&message(reminder.clone(), recipient(Locale::Ru)))
        .await
        .unwrap();
    let body = &requests_to(&server, "sendMessage").await[0];
    assert_eq!(
        body["text"],
        "<b>Тест «Дроби» закрывается через 24 часа</b>\n\n\
         Тест «Дроби» (курс «Алгебра 9») закрывается 01.12.2026 18:00 (MSK). Вы ещё не начинали его."
    );
    assert_eq!(
        body["reply_markup"],
        json!({"inline_keyboard": [[{
            "text": "Открыть тест",
            "url": common::quiz_link(&reminder, "https://school.example")
        }]]})
    );
}

#[tokio::test]
async fn a_quiz_reminder_links_in_the_text_when_telegram_would_refuse_the_button() {
    let server = MockServer::start().await;
    mock_send(&server, 200, sent_message(4242, "ok")).await;
    let reminder = common::quiz_reminder(1);
    let n = TelegramNotifier::new(&config(&server.uri(), "http://localhost:8080/")).unwrap();
    n.deliver(&message(reminder.clone(), recipient(Locale::En)))
        .await
        .unwrap();
    let body = &requests_to(&server, "sendMessage").await[0];
    assert!(body.get("reply_markup").is_none(), "{body}");
    assert_eq!(
        body["text"],
        format!(
            "<b>Quiz “Дроби” closes in 1 hour</b>\n\n\
             The quiz “Дроби” (course “Алгебра 9”) closes 1 Dec 2026, 18:00 (MSK). You have not started it yet.\n\n\
             Open the quiz: {}",
            common::quiz_link(&reminder, "http://localhost:8080")
        )
    );
}

#[tokio::test]
async fn too_many_requests_is_transient_with_telegrams_retry_after() {
    let server = MockServer::start().await;
    mock_send(
        &server,
        429,
        json!({"ok": false, "error_code": 429,
               "description": "Too Many Requests: retry after 5",
               "parameters": {"retry_after": 5}}),
    )
    .await;
    let err = notifier(&server)
        .deliver(&message(common::returned("Эссе"), recipient(Locale::Ru)))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            DeliveryError::Transient {
                retry_after_secs: Some(5),
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn blocked_bot_and_deactivated_user_are_unreachable() {
    for description in [
        "Forbidden: bot was blocked by the user",
        "Forbidden: user is deactivated",
    ] {
        let server = MockServer::start().await;
        mock_send(
            &server,
            403,
            json!({"ok": false, "error_code": 403, "description": description}),
        )
        .await;
        let err = notifier(&server)
            .deliver(&message(common::returned("Эссе"), recipient(Locale::Ru)))
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                DeliveryError::Permanent {
                    unreachable: true,
                    ..
                }
            ),
            "{description}: {err:?}"
        );
    }
}

#[tokio::test]
async fn other_client_errors_are_permanent() {
    let server = MockServer::start().await;
    mock_send(
        &server,
        400,
        json!({"ok": false, "error_code": 400, "description": "Bad Request: message is too long"}),
    )
    .await;
    let err = notifier(&server)
        .deliver(&message(common::returned("Эссе"), recipient(Locale::Ru)))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            DeliveryError::Permanent {
                unreachable: false,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn server_errors_and_network_failures_are_transient() {
    let server = MockServer::start().await;
    mock_send(
        &server,
        502,
        json!({"ok": false, "error_code": 502, "description": "Bad Gateway"}),
    )
    .await;
    let msg = message(common::returned("Эссе"), recipient(Locale::Ru));
    let err = notifier(&server).deliver(&msg).await.unwrap_err();
    assert!(matches!(err, DeliveryError::Transient { .. }), "{err:?}");

    let down = TelegramNotifier::new(&config(
        &format!("http://127.0.0.1:{}", closed_port()),
        "https://school.example",
    ))
    .unwrap();
    let err = down.deliver(&msg).await.unwrap_err();
    assert!(matches!(err, DeliveryError::Transient { .. }), "{err:?}");
}

// ------------------------------------------------ with the core and storage

async fn lms_with_user(locale: Locale) -> (Arc<Lms>, Storage, User) {
    let storage = lms_storage_postgres::testing::fresh_storage().await;
    let mut user = fixtures::user(Role::Student);
    user.locale = locale;
    storage.users.insert_user(&user, None).await.unwrap();
    let lms = Arc::new(Lms::new(storage.clone(), Arc::new(SystemClock), vec![]));
    (lms, storage, user)
}

#[tokio::test]
async fn a_blocked_bot_fails_the_entry_and_unlinks_the_chat() {
    let server = MockServer::start().await;
    mock_send(
        &server,
        403,
        json!({"ok": false, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}),
    )
    .await;
    let (lms, storage, user) = lms_with_user(Locale::Ru).await;
    storage
        .notifications
        .set_telegram_chat(user.id, Some(4242))
        .await
        .unwrap();
    let entry = OutboxEntry::new(
        user.id,
        Channel::Telegram,
        "test:blocked",
        common::returned("Эссе"),
        chrono::Utc::now(),
    );
    storage
        .notifications
        .enqueue(std::slice::from_ref(&entry))
        .await
        .unwrap();

    let notifiers: Vec<Arc<dyn Notifier>> = vec![Arc::new(notifier(&server))];
    let report = lms
        .dispatcher(notifiers, DispatchConfig::default())
        .run_once()
        .await
        .unwrap();
    assert_eq!(report.failed, 1);

    let stored = storage
        .notifications
        .get_outbox_entry(entry.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, OutboxStatus::Failed);
    let r = storage
        .notifications
        .recipient(user.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.telegram_chat_id, None, "the blocked chat is unlinked");
}

/// An update carrying a private-chat text message.
fn text_update(update_id: u32, chat: i64, text: &str) -> Value {
    json!({
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_764_590_400,
            "chat": {"id": chat, "type": "private", "first_name": "Анна"},
            "from": {"id": chat, "is_bot": false, "first_name": "Анна", "language_code": "ru"},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": text.split(' ').next().unwrap().len()}]
        }
    })
}

/// Serves `updates` on the first `getUpdates`, then empty long polls.
async fn mock_bot_api(server: &MockServer, updates: Vec<Value>) {
    Mock::given(method("POST"))
        .and(path_regex(r"(?i)^/bot.+/deleteWebhook$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true, "result": true})))
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path_regex(r"(?i)^/bot.+/getUpdates$"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"ok": true, "result": updates})),
        )
        .up_to_n_times(1)
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path_regex(r"(?i)^/bot.+/getUpdates$"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"ok": true, "result": []}))
                .set_delay(Duration::from_millis(200)),
        )
        .mount(server)
        .await;
    mock_send(server, 200, sent_message(4242, "ok")).await;
}

/// Runs the bot until `done` holds (or 20 s pass), then stops it.
async fn run_bot_until<F, Fut>(lms: Arc<Lms>, server: &MockServer, done: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let bot = tokio::spawn(run_bot(
        lms,
        config(&server.uri(), "https://school.example"),
        async {
            let _ = stopped.await;
        },
    ));
    let ok = eventually(Duration::from_secs(20), done).await;
    let _ = stop.send(());
    bot.await.unwrap().unwrap();
    ok
}

#[tokio::test]
async fn start_with_a_link_token_links_the_chat() {
    let (lms, storage, user) = lms_with_user(Locale::Ru).await;
    let link = lms
        .notifications
        .start_telegram_link(&user.actor(), "school_lms_bot")
        .await
        .unwrap();
    assert_eq!(
        link.deep_link,
        format!("https://t.me/school_lms_bot?start={}", link.token)
    );
    let server = MockServer::start().await;
    mock_bot_api(
        &server,
        vec![text_update(1, 4242, &format!("/start {}", link.token))],
    )
    .await;

    let store = storage.notifications.clone();
    let linked = run_bot_until(lms, &server, || {
        let store = store.clone();
        async move {
            store
                .recipient(user.id)
                .await
                .unwrap()
                .unwrap()
                .telegram_chat_id
                == Some(4242)
        }
    })
    .await;
    assert!(linked, "the chat was not linked");

    // The bot answered in the chat, and confirmed the update on shutdown.
    let replies = requests_to(&server, "sendMessage").await;
    assert_eq!(replies.len(), 1);
    assert_eq!(replies[0]["chat_id"], 4242);
    let text = replies[0]["text"].as_str().unwrap();
    assert!(text.starts_with("Готово! Уведомления"), "{text}");
    assert!(text.contains("Done! "), "{text}");
    let polls = requests_to(&server, "getUpdates").await;
    assert!(polls.iter().any(|p| p["offset"] == 2), "{polls:?}");
}

#[tokio::test]
async fn a_used_token_does_not_link_and_stop_unlinks() {
    let (lms, storage, user) = lms_with_user(Locale::En).await;
    let link = lms
        .notifications
        .start_telegram_link(&user.actor(), "school_lms_bot")
        .await
        .unwrap();
    lms.notifications
        .complete_telegram_link(&link.token, 1111)
        .await
        .unwrap();
    let server = MockServer::start().await;
    mock_bot_api(
        &server,
        vec![
            // Someone else replays the used token: refused.
            text_update(5, 4242, &format!("/start {}", link.token)),
            // The linked chat says /stop.
            text_update(6, 1111, "/stop"),
        ],
    )
    .await;

    let srv = &server;
    let answered = run_bot_until(lms, &server, || async move {
        requests_to(srv, "sendMessage").await.len() == 2
    })
    .await;
    assert!(answered);

    let replies = requests_to(&server, "sendMessage").await;
    assert_eq!(replies[0]["chat_id"], 4242);
    assert!(
        replies[0]["text"]
            .as_str()
            .unwrap()
            .starts_with("Ссылка недействительна или устарела")
    );
    assert_eq!(replies[1]["chat_id"], 1111);
    assert!(
        replies[1]["text"]
            .as_str()
            .unwrap()
            .starts_with("Уведомления в этот чат отключены")
    );
    let r = storage
        .notifications
        .recipient(user.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.telegram_chat_id, None);
}

#[tokio::test]
async fn webhook_mode_registers_the_webhook_and_handles_posted_updates() {
    let (lms, storage, user) = lms_with_user(Locale::Ru).await;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path_regex(r"(?i)^/bot.+/setWebhook$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true, "result": true})))
        .mount(&server)
        .await;
    mock_send(&server, 200, sent_message(4242, "ok")).await;
    let mut cfg = config(&server.uri(), "https://school.example");
    cfg.webhook = Some(lms_notify::telegram::WebhookConfig {
        url: "https://school.example/telegram/webhook".to_owned(),
        secret_token: Some("s3cret".to_owned()),
    });

    // The bot registers the webhook and waits for shutdown.
    run_bot(lms.clone(), cfg.clone(), async {}).await.unwrap();
    // setWebhook goes as multipart/form-data (it may carry a certificate).
    let set: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path().to_lowercase().ends_with("/setwebhook"))
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .collect();
    assert_eq!(set.len(), 1);
    for (field, value) in [
        ("url", "https://school.example/telegram/webhook"),
        ("secret_token", "s3cret"),
    ] {
        assert!(
            set[0].contains(&format!("name=\"{field}\"\r\n\r\n{value}\r\n")),
            "{field} missing in {}",
            set[0]
        );
    }
    assert_eq!(requests_to(&server, "getUpdates").await.len(), 0);

    // The HTTP layer hands a posted update to `handle_update`.
    let link = lms
        .notifications
        .start_telegram_link(&user.actor(), "school_lms_bot")
        .await
        .unwrap();
    let body =
        serde_json::to_vec(&text_update(9, 4242, &format!("/start {}", link.token))).unwrap();
    let update = lms_notify::telegram::parse_update(&body).unwrap();
    let bot = lms_notify::telegram::bot(&cfg).unwrap();
    lms_notify::telegram::handle_update(&lms, &bot, &update)
        .await
        .unwrap();
    let r = storage
        .notifications
        .recipient(user.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.telegram_chat_id, Some(4242));
    let replies = requests_to(&server, "sendMessage").await;
    assert_eq!(replies.len(), 1);
    assert!(replies[0]["text"].as_str().unwrap().starts_with("Готово!"));
}

/// Two sending processes on one PostgreSQL share Telegram's per-chat
/// budget: three messages to one chat, sent at once through two notifiers
/// with shared limits, go out one interval apart (with separate in-process
/// limiters the second notifier's message went out at once, beside the
/// first).
#[tokio::test]
async fn notifiers_on_one_database_share_the_chat_budget() {
    let server = MockServer::start().await;
    mock_send(&server, 200, sent_message(4242, "ok")).await;
    let storage = lms_storage_postgres::testing::fresh_storage().await;
    let interval = Duration::from_millis(400);
    let shared = |server: &MockServer| {
        let mut c = config(&server.uri(), "https://school.example");
        c.per_chat_interval_ms = 400;
        TelegramNotifier::new(&c)
            .unwrap()
            .with_shared_limits(storage.notifications.clone())
    };
    let (a, b) = (shared(&server), shared(&server));
    let msg = message(common::returned("Эссе"), recipient(Locale::Ru));

    let started = std::time::Instant::now();
    let (r1, r2, r3) = tokio::join!(a.deliver(&msg), b.deliver(&msg), a.deliver(&msg));
    let elapsed = started.elapsed();
    for r in [r1, r2, r3] {
        r.expect("sent");
    }
    assert_eq!(requests_to(&server, "sendMessage").await.len(), 3);
    assert!(
        elapsed >= interval * 2,
        "three messages to one chat took {elapsed:?}; they must be {interval:?} apart"
    );
}
