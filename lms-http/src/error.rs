//! [`ApiError`]: every failure of every route as
//! `{"error": {"code": "snake_case", "message": "…", "field": "…"}}` with the
//! right status. Domain errors map through their [`ErrorClass`]; a 500 never
//! shows internals (they go to the log).

use std::borrow::Cow;

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use lms_core::error::{DomainError, ErrorClass};
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong: a stable code for programs, a message for people, and
/// the offending field when one input was invalid.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case code, e.g. `not_enrolled`.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
    /// The request field that was invalid, if one was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// An error response. Build one from a domain error with `?`, or with the
/// constructors for failures found by the HTTP layer itself.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: Cow<'static, str>,
    message: String,
    field: Option<String>,
    retry_after_secs: Option<u64>,
}

impl ApiError {
    /// An error with an explicit status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code: Cow::Borrowed(code),
            message: message.into(),
            field: None,
            retry_after_secs: None,
        }
    }

    /// 422: the named field is invalid.
    pub fn invalid_field(field: &str, message: impl std::fmt::Display) -> Self {
        Self {
            field: Some(field.to_owned()),
            ..Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_field",
                format!("{field}: {message}"),
            )
        }
    }

    /// 400: the request is malformed.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 401: no valid session.
    #[must_use]
    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "log in first: no valid session cookie or bearer token",
        )
    }

    /// 403 with a code.
    pub fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, message)
    }

    /// 404 with a code.
    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }

    /// 429: try again after `secs` seconds.
    #[must_use]
    pub fn too_many_requests(secs: u64) -> Self {
        Self {
            retry_after_secs: Some(secs.max(1)),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                format!("too many attempts; try again in {} s", secs.max(1)),
            )
        }
    }

    /// 503 `login_busy`: too many password checks running or waiting; try
    /// again in a second.
    #[must_use]
    pub fn busy() -> Self {
        Self {
            retry_after_secs: Some(1),
            ..Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "login_busy",
                "слишком много входов одновременно, повторите через секунду / too many logins at once; try again in a second",
            )
        }
    }

    /// 500: logs `detail`, shows the client nothing of it.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal server error",
        )
    }

    /// Names the field this error is about.
    #[must_use]
    pub fn with_field(mut self, field: &str) -> Self {
        self.field = Some(field.to_owned());
        self
    }

    /// The status code.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The stable code.
    #[must_use]
    pub fn code(&self) -> &str {
        &self.code
    }
}

/// The status a class of domain error gets.
#[must_use]
pub fn status_of(class: ErrorClass) -> StatusCode {
    match class {
        ErrorClass::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorClass::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorClass::Forbidden => StatusCode::FORBIDDEN,
        ErrorClass::NotFound => StatusCode::NOT_FOUND,
        ErrorClass::Conflict => StatusCode::CONFLICT,
        ErrorClass::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorClass::Unsupported => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ErrorClass::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorClass::StorageFull => StatusCode::INSUFFICIENT_STORAGE,
        ErrorClass::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl<E: DomainError> From<E> for ApiError {
    fn from(e: E) -> Self {
        let class = e.class();
        match class {
            ErrorClass::Internal => Self::internal(&e),
            ErrorClass::StorageFull => {
                // The message is generic; what filled up is in the log.
                tracing::error!(error = ?e, "a store is full");
                Self {
                    status: StatusCode::INSUFFICIENT_STORAGE,
                    code: Cow::Borrowed(e.code()),
                    message: e.to_string(),
                    field: None,
                    retry_after_secs: None,
                }
            }
            ErrorClass::Unavailable => {
                // The code says which dependency (`provider_unavailable`,
                // `storage_unavailable`); the details stay in the log.
                tracing::warn!(error = %e, "dependency unavailable");
                Self {
                    status: StatusCode::SERVICE_UNAVAILABLE,
                    code: Cow::Borrowed(e.code()),
                    message: "a service the school depends on is temporarily unavailable; try again shortly"
                        .to_owned(),
                    field: None,
                    retry_after_secs: None,
                }
            }
            _ => {
                let message = e.to_string();
                // Validation messages of the core start with the field name
                // (`title: must not be empty`); expose it as `field`.
                let field = (class == ErrorClass::Invalid)
                    .then(|| field_prefix(&message))
                    .flatten();
                Self {
                    status: status_of(class),
                    code: Cow::Borrowed(e.code()),
                    message,
                    field,
                    retry_after_secs: None,
                }
            }
        }
    }
}

fn field_prefix(message: &str) -> Option<String> {
    let (head, _) = message.split_once(": ")?;
    head.chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
        .then(|| head.to_owned())
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.into_owned(),
                message: self.message,
                field: self.field,
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after_secs
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}

impl ApiError {
    /// The error for a JSON body axum could not read.
    #[must_use]
    pub fn from_json_rejection(r: JsonRejection) -> Self {
        match r {
            JsonRejection::JsonDataError(e) => {
                // "Failed to deserialize the JSON body into the target type: title: invalid type…"
                let detail = e.body_text();
                let detail = detail
                    .strip_prefix("Failed to deserialize the JSON body into the target type: ")
                    .unwrap_or(&detail)
                    .to_owned();
                let mut err = Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_json", detail);
                err.field = field_prefix(&err.message);
                err
            }
            JsonRejection::JsonSyntaxError(e) => Self::bad_request(
                "malformed_json",
                format!("malformed JSON: {}", e.body_text()),
            ),
            JsonRejection::MissingJsonContentType(_) => Self::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "expected a request body with Content-Type: application/json",
            ),
            JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Self::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    "the request body is too large",
                )
            }
            other => Self::bad_request("bad_request", other.body_text()),
        }
    }

    /// The error for path parameters that do not parse (404: no such resource).
    #[must_use]
    pub fn from_path_rejection(r: PathRejection) -> Self {
        Self::not_found("not_found", format!("no such resource: {}", r.body_text()))
    }

    /// The error for a query string that does not parse.
    #[must_use]
    pub fn from_query_rejection(r: QueryRejection) -> Self {
        let text = r.body_text();
        let detail = text
            .strip_prefix("Failed to deserialize query string: ")
            .unwrap_or(&text)
            .to_owned();
        let mut err = Self::new(StatusCode::BAD_REQUEST, "invalid_query", detail);
        err.field = field_prefix(&err.message);
        err
    }
}

/// Shorthand for handler results.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_prefix_only_takes_identifiers() {
        assert_eq!(
            field_prefix("title: must not be empty").as_deref(),
            Some("title")
        );
        assert_eq!(field_prefix("Something else: x"), None);
        assert_eq!(field_prefix("no colon"), None);
    }

    #[test]
    fn statuses_follow_the_class() {
        assert_eq!(
            status_of(ErrorClass::Invalid),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            status_of(ErrorClass::TooLarge),
            StatusCode::PAYLOAD_TOO_LARGE
        );
        assert_eq!(
            status_of(ErrorClass::Internal),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}
