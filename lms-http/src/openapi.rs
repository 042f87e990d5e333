//! The OpenAPI 3.1 document (generated from the handlers' annotations) at
//! `GET /api/openapi.json`, and a browsable page at `/api/docs` rendered by
//! a small script of our own (no CDN: the CSP allows only our scripts).

use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Required, ResponseBuilder};
use utoipa::{Modify, OpenApi};

/// The document's static part; paths are added by the routers.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "LMS API",
        description = "REST API of the embeddable LMS: courses, lessons, homework, quizzes, webinars, schedules, dashboards, notifications.\n\nAuthenticate with `POST /api/v1/auth/login`; send the token as `Authorization: Bearer <token>`, or rely on the `lms_session` cookie plus the `X-CSRF-Token` header (equal to the `lms_csrf` cookie) on writes.\n\nErrors are `{\"error\": {\"code\", \"message\", \"field\"?}}`. Lists take `limit` (max 200) and `offset`.",
        version = "1"
    ),
    modifiers(&SecuritySchemes),
    components(schemas(
        crate::error::ErrorBody,
        crate::error::ErrorDetail,
        crate::routes::onboarding::ReportFormat
    )),
    tags(
        (name = "auth", description = "Login sessions, password reset, invitation links and self-registration"),
        (name = "onboarding", description = "Invitations, CSV import and reset links sent by staff"),
    )
)]
pub struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::auth::SESSION_COOKIE,
            ))),
        );
    }
}

/// Documents the error responses the HTTP layer itself gives on every
/// operation it applies to, so a generated client knows every status it can
/// get: malformed query strings and bodies (400), missing sessions (401),
/// cookie writes without the CSRF header (403), bodies over the limit (413)
/// or of the wrong type (415), JSON of the wrong shape (422) and storage
/// that is temporarily down (503). Statuses an operation already documents
/// keep their own description.
///
/// Runs on the finished document (after the routers added their paths):
/// see [`crate::openapi`].
pub struct CommonResponses;

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let ops = [
                (false, item.get.as_mut()),
                (false, item.head.as_mut()),
                (false, item.options.as_mut()),
                (true, item.put.as_mut()),
                (true, item.post.as_mut()),
                (true, item.delete.as_mut()),
                (true, item.patch.as_mut()),
            ];
            for (write, op) in ops
                .into_iter()
                .filter_map(|(write, op)| op.map(|op| (write, op)))
            {
                add_common_responses(op, write);
            }
        }
    }
}

fn add_common_responses(op: &mut Operation, write: bool) {
    let has_query = op
        .parameters
        .iter()
        .flatten()
        .any(|p| matches!(p.parameter_in, ParameterIn::Query));
    let body_types: Vec<&str> = op
        .request_body
        .iter()
        .flat_map(|b| b.content.keys())
        .map(String::as_str)
        .collect();
    let json_body = body_types.contains(&"application/json");
    // An optional body is read as raw bytes (any content type).
    let body_required = op
        .request_body
        .as_ref()
        .is_some_and(|b| matches!(b.required, Some(Required::True)));
    let multipart_body = body_types.contains(&"multipart/form-data");
    let security: Vec<String> = op
        .security
        .iter()
        .flatten()
        .filter_map(|s| serde_json::to_value(s).ok())
        .filter_map(|v| v.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>()))
        .flatten()
        .collect();
    let authenticated = !security.is_empty();
    let cookie_write = write && security.iter().any(|s| s == "cookie");

    let mut bad_request = Vec::new();
    if has_query {
        bad_request.push("a malformed or unknown query parameter (`invalid_query`)");
    }
    if json_body {
        bad_request.push("a body that is not JSON (`malformed_json`)");
    }
    if multipart_body {
        bad_request.push("a malformed multipart body (`malformed_multipart`)");
    }
    if !bad_request.is_empty() {
        let text = format!("Bad request: {}", bad_request.join(", or "));
        add(op, "400", &text);
    }
    if authenticated {
        add(op, "401", "Not logged in (`unauthenticated`)");
    }
    if cookie_write {
        add(
            op,
            "403",
            "Cookie-authenticated write without a valid `X-CSRF-Token` header (`csrf_token_invalid`)",
        );
    }
    if json_body || multipart_body {
        add(
            op,
            "413",
            "The request body is larger than allowed (`payload_too_large`)",
        );
    }
    if json_body && body_required {
        add(
            op,
            "415",
            "The request body is not `Content-Type: application/json` (`unsupported_media_type`)",
        );
        add(
            op,
            "422",
            "The JSON body does not match the request schema (`invalid_json`), or a field is invalid (`invalid_field`)",
        );
    }
    add(
        op,
        "503",
        "The storage is temporarily unavailable (`storage_unavailable`); retry later",
    );
}

fn add(op: &mut Operation, status: &str, description: &str) {
    op.responses
        .responses
        .entry(status.to_owned())
        .or_insert_with(|| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("ErrorBody")))
                            .build(),
                    )
                    .build(),
            )
        });
}

const DOCS_HTML: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>LMS API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/api/docs/docs.css"></head>
<body><header><h1>LMS API</h1><p><a href="/api/openapi.json">openapi.json</a></p></header>
<main id="docs">Loading…</main><script src="/api/docs/docs.js"></script></body></html>"#;

const DOCS_CSS: &str = "body{font-family:system-ui,sans-serif;margin:0 auto;max-width:70rem;padding:1rem;color:#222}\
h2{border-bottom:1px solid #ccc;margin-top:2rem}details{border:1px solid #ddd;border-radius:6px;margin:.4rem 0;padding:.3rem .6rem}\
summary{cursor:pointer}.m{display:inline-block;min-width:4.5rem;font-weight:bold;font-family:monospace}\
.get{color:#0a6}.post{color:#06c}.put,.patch{color:#a60}.delete{color:#c22}code,pre{background:#f5f5f5;border-radius:4px;padding:.1rem .3rem}\
pre{padding:.5rem;overflow:auto}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left}";

const DOCS_JS: &str = r#""use strict";
(async function () {
  const root = document.getElementById("docs");
  const spec = await (await fetch("/api/openapi.json")).json();
  const el = (tag, attrs, ...kids) => {
    const e = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => e.setAttribute(k, v));
    kids.flat().forEach((k) => e.append(k instanceof Node ? k : document.createTextNode(String(k))));
    return e;
  };
  const schemaText = (s) => JSON.stringify(s, null, 2);
  const byTag = {};
  for (const [path, item] of Object.entries(spec.paths || {})) {
    for (const [method, op] of Object.entries(item)) {
      if (typeof op !== "object" || !op.responses) continue;
      const tag = (op.tags && op.tags[0]) || "other";
      (byTag[tag] = byTag[tag] || []).push({ path, method, op });
    }
  }
  root.textContent = "";
  root.append(el("p", {}, spec.info.description || ""));
  for (const tag of Object.keys(byTag).sort()) {
    root.append(el("h2", {}, tag));
    for (const { path, method, op } of byTag[tag]) {
      const d = el("details", {}, el("summary", {}, el("span", { class: "m " + method }, method.toUpperCase()), " ", el("code", {}, path), " ", op.summary || ""));
      if (op.description) d.append(el("p", {}, op.description));
      if (op.parameters && op.parameters.length) {
        const t = el("table", {}, el("tr", {}, el("th", {}, "parameter"), el("th", {}, "in"), el("th", {}, "required"), el("th", {}, "description")));
        op.parameters.forEach((p) => t.append(el("tr", {}, el("td", {}, p.name), el("td", {}, p.in), el("td", {}, p.required ? "yes" : "no"), el("td", {}, p.description || ""))));
        d.append(t);
      }
      if (op.requestBody) d.append(el("p", {}, "Request body:"), el("pre", {}, schemaText(op.requestBody.content)));
      const rt = el("table", {}, el("tr", {}, el("th", {}, "status"), el("th", {}, "description"), el("th", {}, "body")));
      for (const [code, r] of Object.entries(op.responses)) {
        const body = r.content ? Object.values(r.content).map((c) => schemaText(c.schema)).join("\n") : "";
        rt.append(el("tr", {}, el("td", {}, code), el("td", {}, r.description || ""), el("td", {}, el("pre", {}, body))));
      }
      d.append(rt);
      root.append(d);
    }
  }
  root.append(el("h2", {}, "schemas"));
  for (const [name, s] of Object.entries((spec.components && spec.components.schemas) || {})) {
    root.append(el("details", {}, el("summary", {}, name), el("pre", {}, schemaText(s))));
  }
})();
"#;

pub(crate) async fn docs_page() -> Html<&'static str> {
    Html(DOCS_HTML)
}

pub(crate) async fn docs_js() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        DOCS_JS,
    )
        .into_response()
}

pub(crate) async fn docs_css() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        DOCS_CSS,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_operation_documents_the_common_errors() {
        let doc = serde_json::to_value(crate::openapi()).unwrap();
        let mut checked = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let responses = op["responses"].as_object().unwrap();
                let has = |code: &str| responses.contains_key(code);
                let what = format!("{method} {path}");
                assert!(has("503"), "{what}: 503");
                if op.get("security").is_some() {
                    assert!(has("401"), "{what}: 401");
                }
                let body = &op["requestBody"];
                if body["content"].get("application/json").is_some() {
                    for code in ["400", "413", "422"] {
                        assert!(has(code), "{what}: {code}");
                    }
                    if body["required"] == true {
                        assert!(has("415"), "{what}: 415");
                    }
                }
                for code in ["400", "401", "403", "413", "415", "422", "503"] {
                    if let Some(r) = responses.get(code) {
                        assert!(
                            r["content"]["application/json"].is_object(),
                            "{what}: {code}"
                        );
                    }
                }
                checked += 1;
            }
        }
        assert!(checked > 50);
    }

    /// Every `$ref` names a schema the document defines (a query
    /// parameter's enum is not collected from its route on its own; the
    /// UI's type generator refuses a dangling reference).
    #[test]
    fn every_reference_resolves() {
        fn walk(v: &serde_json::Value, refs: &mut Vec<String>) {
            match v {
                serde_json::Value::Object(map) => {
                    for (k, v) in map {
                        match (k.as_str(), v) {
                            ("$ref", serde_json::Value::String(r)) => refs.push(r.clone()),
                            _ => walk(v, refs),
                        }
                    }
                }
                serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, refs)),
                _ => {}
            }
        }
        let doc = serde_json::to_value(crate::openapi()).unwrap();
        let mut refs = Vec::new();
        walk(&doc, &mut refs);
        assert!(!refs.is_empty());
        for r in refs {
            let name = r
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("unexpected reference {r}"));
            assert!(
                doc["components"]["schemas"].get(name).is_some(),
                "{r} is not defined"
            );
        }
    }

    /// The web UI's API types are generated from a copy of this document
    /// (`web/src/api/openapi.json`, then `npm run gen:api`); a route or
    /// schema change must regenerate them. `LMS_UPDATE_OPENAPI=1` rewrites
    /// the copy.
    #[test]
    fn the_web_uis_copy_of_the_document_is_current() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/src/api/openapi.json");
        let current = serde_json::to_string_pretty(&crate::openapi()).unwrap() + "\n";
        if std::env::var_os("LMS_UPDATE_OPENAPI").is_some() {
            std::fs::write(&path, &current).unwrap();
            return;
        }
        let copy = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            copy == current,
            "web/src/api/openapi.json is stale against the API: run `bash scripts/gen-api-types.sh` \
             (it rewrites the copy and the UI's generated types)"
        );
    }
}
