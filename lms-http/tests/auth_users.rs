//! Login, sessions, CSRF, rate limits, error shapes and the users routes.

mod common;

use common::{Db, PASSWORD, TestApp, assert_error};
use lms_core::Role;
use reqwest::{Method, StatusCode, header};
use serde_json::json;

async fn login_gives_a_token_and_cookies_and_logout_revokes(db: Db) {
    let app = TestApp::spawn(db).await;
    let user = app.user(Role::Student, "s1@example.ru").await;
    let client = reqwest::Client::new();
    let resp = client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": "S1@Example.ru ", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let cookies: Vec<String> = resp
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert!(cookies.iter().any(|c| c.starts_with("lms_session=")
        && c.contains("HttpOnly")
        && c.contains("SameSite=Lax")));
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("lms_csrf=") && !c.contains("HttpOnly"))
    );
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["user"]["email"], "s1@example.ru");
    let token = body["token"].as_str().unwrap().to_owned();

    let me = client
        .get(app.url("/api/v1/auth/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let me: serde_json::Value = me.json().await.unwrap();
    assert_eq!(me["id"], user.id.0.to_string());

    let out = client
        .post(app.url("/api/v1/auth/logout"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    let me = client
        .get(app.url("/api/v1/auth/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
}

async fn wrong_password_and_unknown_account_look_the_same(db: Db) {
    let app = TestApp::spawn(db).await;
    app.user(Role::Student, "s1@example.ru").await;
    let c = app.anonymous();
    for (email, pw) in [
        ("s1@example.ru", "wrong password"),
        ("nobody@example.ru", PASSWORD),
        ("not an email", PASSWORD),
    ] {
        let r = c
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"email": email, "password": pw}))
            .send()
            .await
            .unwrap();
        let status = r.status();
        let body: serde_json::Value = r.json().await.unwrap();
        assert_error(
            &(status, body),
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
        );
    }
}

async fn login_is_rate_limited_per_account(db: Db) {
    let config = lms_http::HttpConfig {
        login: lms_core::user::LoginLimits {
            failures_per_account: 3,
            ..Default::default()
        },
        ..Default::default()
    };
    let app = TestApp::spawn_with(db, config).await;
    app.user(Role::Student, "s1@example.ru").await;
    let c = app.anonymous();
    let attempt = |pw: &'static str| {
        c.post(app.url("/api/v1/auth/login"))
            .json(&json!({"email": "s1@example.ru", "password": pw}))
            .send()
    };
    for _ in 0..3 {
        assert_eq!(
            attempt("wrong password").await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let blocked = attempt(PASSWORD).await.unwrap();
    assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(blocked.headers().get(header::RETRY_AFTER).is_some());
    let body: serde_json::Value = blocked.json().await.unwrap();
    assert_eq!(body["error"]["code"], "too_many_requests");
}

async fn cookie_writes_need_the_csrf_header(db: Db) {
    let app = TestApp::spawn(db).await;
    let admin = app.user(Role::Admin, "admin@example.ru").await;
    let jar_client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let resp = jar_client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": "admin@example.ru", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = resp.json().await.unwrap();
    let csrf = body["csrf_token"].as_str().unwrap().to_owned();
    // Reads work with the cookie alone.
    let r = jar_client
        .get(app.url("/api/v1/auth/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let new_user = json!({"email": "t@example.ru", "display_name": "Учитель", "role": "teacher"});
    // A write without the header is refused and changes nothing.
    let r = jar_client
        .post(app.url("/api/v1/users"))
        .json(&new_user)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "csrf_token_invalid");
    let r = jar_client
        .post(app.url("/api/v1/users"))
        .header("X-CSRF-Token", "forged")
        .json(&new_user)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = jar_client
        .post(app.url("/api/v1/users"))
        .header("X-CSRF-Token", &csrf)
        .json(&new_user)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let _ = admin;
}

async fn every_private_route_needs_a_session(db: Db) {
    let app = TestApp::spawn(db).await;
    let doc: serde_json::Value = reqwest::get(app.url("/api/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let c = app.anonymous();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, _) in item.as_object().unwrap() {
            // Login, the school's name for the login page, the calendar
            // feed and the one-time links (their tokens are the secret),
            // "forgot password" and self-registration need no session.
            const PUBLIC: [&str; 8] = [
                "/api/v1/auth/login",
                "/api/v1/school",
                "/ical/{file}",
                "/api/v1/auth/password-reset",
                "/api/v1/auth/password-reset/confirm",
                "/api/v1/auth/invitations/{token}",
                "/api/v1/auth/invitations/accept",
                "/api/v1/auth/register",
            ];
            if PUBLIC.contains(&path.as_str()) {
                continue;
            }
            let concrete = path
                .split('/')
                .map(|seg| {
                    if seg.starts_with('{') {
                        "00000000-0000-0000-0000-000000000000"
                    } else {
                        seg
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let r = c
                .request(m, app.url(&concrete))
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
            let body: serde_json::Value = r.json().await.unwrap();
            assert_eq!(body["error"]["code"], "unauthenticated", "{method} {path}");
            checked += 1;
        }
    }
    assert!(checked >= 8, "only {checked} routes in the document");
}

async fn admins_manage_users_and_others_may_not(db: Db) {
    let app = TestApp::spawn(db).await;
    let admin = app.login_as(Role::Admin, "admin@example.ru").await;
    let teacher = app.login_as(Role::Teacher, "teacher@example.ru").await;
    let student = app.login_as(Role::Student, "student@example.ru").await;

    let created = admin
        .post("/api/v1/users", json!({"email": "new@example.ru", "display_name": "Новый", "role": "student", "password": "long enough pw"}))
        .await;
    assert_eq!(created.0, StatusCode::CREATED, "{}", created.1);
    assert_eq!(created.1["role"], "student");
    assert_eq!(created.1["time_zone"], "Europe/Moscow");
    let new_id = created.1["id"].as_str().unwrap().to_owned();

    // Validation names the field; unknown fields and wrong types are refused.
    let bad = admin
        .post(
            "/api/v1/users",
            json!({"email": "nope", "display_name": "X", "role": "student"}),
        )
        .await;
    assert_error(&bad, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert_eq!(bad.1["error"]["field"], "email");
    let unknown = admin
        .post("/api/v1/users", json!({"email": "a@example.ru", "display_name": "X", "role": "student", "is_admin": true}))
        .await;
    assert_error(&unknown, StatusCode::UNPROCESSABLE_ENTITY, "invalid_json");
    let wrong_type = admin
        .post(
            "/api/v1/users",
            json!({"email": 5, "display_name": "X", "role": "student"}),
        )
        .await;
    assert_error(
        &wrong_type,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_json",
    );
    let short = admin
        .post("/api/v1/users", json!({"email": "b@example.ru", "display_name": "X", "role": "student", "password": "short"}))
        .await;
    assert_error(&short, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert_eq!(short.1["error"]["field"], "password");
    let dup = admin
        .post(
            "/api/v1/users",
            json!({"email": "new@example.ru", "display_name": "X", "role": "student"}),
        )
        .await;
    assert_eq!(dup.0, StatusCode::CONFLICT, "{}", dup.1);

    // Malformed JSON and a missing content type.
    let raw = admin
        .request(Method::POST, "/api/v1/users")
        .header(header::CONTENT_TYPE, "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), StatusCode::BAD_REQUEST);
    let raw = admin
        .request(Method::POST, "/api/v1/users")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    // Only admins list, create and manage.
    for s in [&teacher, &student] {
        assert_error(
            &s.get("/api/v1/users").await,
            StatusCode::FORBIDDEN,
            "forbidden",
        );
        let r = s
            .post(
                "/api/v1/users",
                json!({"email": "c@example.ru", "display_name": "X", "role": "admin"}),
            )
            .await;
        assert_eq!(r.0, StatusCode::FORBIDDEN);
        let r = s
            .put(
                &format!("/api/v1/users/{new_id}/role"),
                json!({"role": "admin"}),
            )
            .await;
        assert_eq!(r.0, StatusCode::FORBIDDEN, "{}", r.1);
    }
    // A student cannot read someone else's account.
    assert_eq!(
        student.get(&format!("/api/v1/users/{new_id}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        student
            .get(&format!("/api/v1/users/{}", student.id()))
            .await
            .0,
        StatusCode::OK
    );

    let list = admin.get("/api/v1/users?limit=2").await;
    assert_eq!(list.0, StatusCode::OK);
    assert_eq!(list.1.as_array().unwrap().len(), 2);
    let bad_page = admin.get("/api/v1/users?limit=abc").await;
    assert_error(&bad_page, StatusCode::BAD_REQUEST, "invalid_query");

    let r = admin
        .put(
            &format!("/api/v1/users/{new_id}/role"),
            json!({"role": "teacher"}),
        )
        .await;
    assert_eq!(r.1["role"], "teacher");
    // Deactivation ends the user's sessions.
    let r = admin
        .put(
            &format!("/api/v1/users/{}/active", student.id()),
            json!({"active": false}),
        )
        .await;
    assert_eq!(r.0, StatusCode::OK);
    assert_eq!(
        student.get("/api/v1/auth/me").await.0,
        StatusCode::UNAUTHORIZED
    );

    // Own profile and password.
    let p = teacher
        .put(&format!("/api/v1/users/{}/profile", teacher.id()), json!({"display_name": "Анна Петровна", "locale": "en", "time_zone": "Asia/Yekaterinburg"}))
        .await;
    assert_eq!(p.0, StatusCode::OK, "{}", p.1);
    assert_eq!(p.1["locale"], "en");
    let bad_tz = teacher
        .put(
            &format!("/api/v1/users/{}/profile", teacher.id()),
            json!({"display_name": "А", "locale": "ru", "time_zone": "Mars/Olympus"}),
        )
        .await;
    assert_eq!(bad_tz.1["error"]["field"], "time_zone");
    // Changing one's own password needs the current one: a stolen session
    // token alone cannot take the account over.
    let other_device = app.login(&teacher.user, PASSWORD).await;
    let feed = teacher.post("/api/v1/calendar-feed", json!({})).await;
    assert_eq!(feed.0, StatusCode::OK, "{}", feed.1);
    let feed_path = feed.1["url"]
        .as_str()
        .and_then(|u| u.find("/ical/").map(|i| u[i..].to_owned()))
        .expect("feed url");
    assert_eq!(
        app.anonymous()
            .get(app.url(&feed_path))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let pw_url = format!("/api/v1/users/{}/password", teacher.id());
    let without = teacher
        .put(&pw_url, json!({"password": "new password 1"}))
        .await;
    assert_error(
        &without,
        StatusCode::UNPROCESSABLE_ENTITY,
        "current_password_required",
    );
    let wrong = teacher
        .put(
            &pw_url,
            json!({"current_password": "not it at all", "password": "new password 1"}),
        )
        .await;
    assert_error(&wrong, StatusCode::FORBIDDEN, "wrong_current_password");
    let too_long = teacher
        .put(
            &pw_url,
            json!({"current_password": PASSWORD, "password": "x".repeat(1025)}),
        )
        .await;
    assert_error(&too_long, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    let pw = teacher
        .put(
            &pw_url,
            json!({"current_password": PASSWORD, "password": "new password 1"}),
        )
        .await;
    assert_eq!(pw.0, StatusCode::NO_CONTENT, "{}", pw.1);
    assert_eq!(
        teacher.get("/api/v1/auth/me").await.0,
        StatusCode::OK,
        "the changing session stays"
    );
    assert_eq!(
        other_device.get("/api/v1/auth/me").await.0,
        StatusCode::UNAUTHORIZED,
        "every other session ends"
    );
    assert_eq!(
        app.anonymous()
            .get(app.url(&feed_path))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND,
        "the old calendar-feed URL stops working"
    );
    app.login(&teacher.user, "new password 1").await;

    // An admin resets another account's password without knowing it; every
    // session of that account ends.
    let reset = admin
        .put(&pw_url, json!({"password": "reset by admin 1"}))
        .await;
    assert_eq!(reset.0, StatusCode::NO_CONTENT, "{}", reset.1);
    assert_eq!(
        teacher.get("/api/v1/auth/me").await.0,
        StatusCode::UNAUTHORIZED
    );
    app.login(&teacher.user, "reset by admin 1").await;
}

/// Label sets of the request counter.
fn series_count(metrics: &str) -> usize {
    metrics
        .lines()
        .filter(|l| l.starts_with("lms_http_requests_total{"))
        .count()
}

/// With a metrics token configured, `/metrics` needs it.
async fn metrics_can_be_protected_by_a_token(db: Db) {
    let app = TestApp::spawn_with(
        db,
        lms_http::HttpConfig {
            metrics_token: Some("operator-secret".to_owned()),
            ..lms_http::HttpConfig::default()
        },
    )
    .await;
    let c = app.anonymous();
    let open = c.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(open.status(), StatusCode::UNAUTHORIZED);
    let wrong = c
        .get(app.url("/metrics"))
        .bearer_auth("guess")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let right = c
        .get(app.url("/metrics"))
        .bearer_auth("operator-secret")
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), StatusCode::OK);
    assert!(
        right
            .text()
            .await
            .unwrap()
            .contains("lms_http_requests_total")
    );
}

async fn errors_security_headers_health_and_docs(db: Db) {
    let app = TestApp::spawn(db).await;
    let c = app.anonymous();
    let r = c
        .get(app.url("/api/v1/no-such-route"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let csp = r
        .headers()
        .get(header::CONTENT_SECURITY_POLICY)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
    // Frames only from the video services rich text may embed (#17).
    let frames = csp
        .split(';')
        .map(str::trim)
        .find_map(|d| d.strip_prefix("frame-src "))
        .unwrap_or_else(|| panic!("no frame-src in {csp}"));
    let hosts: Vec<&str> = frames.split_whitespace().collect();
    for h in [
        "https://www.youtube.com",
        "https://www.youtube-nocookie.com",
        "https://rutube.ru",
        "https://vk.com",
        "https://vkvideo.ru",
        "https://kinescope.io",
    ] {
        assert!(hosts.contains(&h), "{h} missing in {csp}");
    }
    assert!(
        hosts
            .iter()
            .all(|h| h.starts_with("https://") && !h.contains('*')),
        "{csp}"
    );
    assert_eq!(
        r.headers().get(header::X_CONTENT_TYPE_OPTIONS).unwrap(),
        "nosniff"
    );
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "route_not_found");

    assert_eq!(
        c.get(app.url("/healthz")).send().await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(
        c.get(app.url("/readyz")).send().await.unwrap().status(),
        StatusCode::OK
    );
    let metrics = c
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics
            .contains("lms_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"}"),
        "{metrics}"
    );
    // Invented methods and unknown paths add no series: 200 junk methods on
    // junk paths end up under one `other`/`unmatched` label pair.
    let before = series_count(&metrics);
    for n in 0..200 {
        let method = reqwest::Method::from_bytes(format!("JUNK{n}").as_bytes()).unwrap();
        let _ = c
            .request(method, app.url(&format!("/x{n}")))
            .send()
            .await
            .unwrap();
    }
    let after = c
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!after.contains("JUNK") && !after.contains("/x1"), "{after}");
    assert!(
        series_count(&after) <= before + 2,
        "{} series before, {} after",
        before,
        series_count(&after)
    );

    let doc: serde_json::Value = c
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(doc["paths"]["/api/v1/auth/login"]["post"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    let docs = c
        .get(app.url("/api/docs"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(docs.contains("/api/docs/docs.js"));
}

/// The login page shows the school's name and logo before anyone logs in.
async fn the_school_presents_itself_without_a_session(db: Db) {
    let app = TestApp::spawn_with(
        db,
        lms_http::HttpConfig {
            school_name: "Школа «Интеграл»".to_owned(),
            school_logo_url: Some("https://integral.ru/logo.svg".to_owned()),
            ..Default::default()
        },
    )
    .await;
    let school: serde_json::Value = app
        .anonymous()
        .get(app.url("/api/v1/school"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        school,
        json!({
            "name": "Школа «Интеграл»",
            "logo_url": "https://integral.ru/logo.svg",
            "self_registration": false
        })
    );
}

on_both!(
    the_school_presents_itself_without_a_session,
    login_gives_a_token_and_cookies_and_logout_revokes,
    wrong_password_and_unknown_account_look_the_same,
    metrics_can_be_protected_by_a_token,
    login_is_rate_limited_per_account,
    cookie_writes_need_the_csrf_header,
    every_private_route_needs_a_session,
    admins_manage_users_and_others_may_not,
    errors_security_headers_health_and_docs,
);
