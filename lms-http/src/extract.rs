//! Extractors whose rejections are [`ApiError`]s, so a malformed body, path
//! or query gets the same JSON error shape as everything else.

use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use lms_core::page::Page;
use lms_core::user::UserFilter;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use utoipa::IntoParams;

use crate::error::ApiError;

/// A JSON body. Request types use `#[serde(deny_unknown_fields)]`, so an
/// unknown field is a 422 rather than silently ignored.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !json_content_type(req.headers()) {
            return Err(ApiError::new(
                axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "expected a request body with Content-Type: application/json",
            ));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::from_json_rejection(e.into()))?;
        match axum::Json::<T>::from_bytes(&bytes) {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection @ JsonRejection::JsonDataError(_)) => {
                // JSON Schema counts `5.0` as an integer; serde does not.
                // Retry with such numbers written as integers.
                whole_numbers_as_integers::<T>(&bytes)
                    .map(Self)
                    .ok_or_else(|| ApiError::from_json_rejection(rejection))
            }
            Err(rejection) => Err(ApiError::from_json_rejection(rejection)),
        }
    }
}

/// Whether the request says its body is JSON (`application/json` or
/// `application/*+json`, as axum's `Json` decides).
fn json_content_type(headers: &axum::http::HeaderMap) -> bool {
    let Some(value) = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let Some(subtype) = essence.strip_prefix("application/") else {
        return false;
    };
    subtype == "json" || subtype.ends_with("+json")
}

/// `body` deserialised after every whole number written with a fraction or
/// exponent (`5.0`, `1e3`) is turned into an integer; `None` when there is
/// no such number or it still does not deserialise.
fn whole_numbers_as_integers<T: DeserializeOwned>(body: &[u8]) -> Option<T> {
    fn fix(value: &mut serde_json::Value) -> bool {
        match value {
            serde_json::Value::Number(n) => {
                // Only where every integer is exact in an f64 (|x| < 2^53).
                const EXACT: f64 = 9_007_199_254_740_992.0;
                let Some(f) = n.as_f64().filter(|_| n.is_f64()) else {
                    return false;
                };
                if f.fract() != 0.0 || f.abs() >= EXACT {
                    return false;
                }
                #[allow(clippy::cast_possible_truncation)]
                let i = f as i64;
                *n = serde_json::Number::from(i);
                true
            }
            serde_json::Value::Array(items) => fix_all(items.iter_mut()),
            serde_json::Value::Object(fields) => fix_all(fields.values_mut()),
            _ => false,
        }
    }
    // Every value, not stopping at the first change.
    fn fix_all<'a>(values: impl Iterator<Item = &'a mut serde_json::Value>) -> bool {
        let mut changed = false;
        for v in values {
            changed |= fix(v);
        }
        changed
    }
    let mut value: serde_json::Value = serde_json::from_slice(body).ok()?;
    if !fix(&mut value) {
        return None;
    }
    serde_json::from_value(value).ok()
}

/// Path parameters.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(value) = axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map_err(ApiError::from_path_rejection)?;
        Ok(Self(value))
    }
}

/// Query parameters.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Query(value) =
            axum::extract::Query::<T>::from_request_parts(parts, state)
                .await
                .map_err(ApiError::from_query_rejection)?;
        Ok(Self(value))
    }
}

/// `?limit=&offset=` on every list that can grow; `limit` is capped at
/// [`Page::MAX_LIMIT`] (default [`Page::DEFAULT_LIMIT`]); an `offset` over
/// [`MAX_OFFSET`] is a 400.
#[derive(Debug, Clone, Copy, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct Pagination {
    /// At most this many items (1..=200, default 50; a larger value is
    /// capped at 200).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// Items to skip (0..=2147483647, default 0).
    #[param(minimum = 0, maximum = 2_147_483_647)]
    #[serde(default, deserialize_with = "offset")]
    pub offset: Option<u32>,
}

/// The largest `offset` a list accepts (the largest signed 32-bit integer,
/// as the document's `int32` format states).
pub const MAX_OFFSET: u32 = i32::MAX as u32;

/// Deserialises an `offset`, refusing one over [`MAX_OFFSET`].
///
/// # Errors
/// When the value is not a number or is over the maximum.
pub fn offset<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    let value = Option::<u32>::deserialize(d)?;
    match value {
        Some(v) if v > MAX_OFFSET => Err(serde::de::Error::custom(format!(
            "must be at most {MAX_OFFSET}"
        ))),
        v => Ok(v),
    }
}

impl Pagination {
    /// The core's page.
    #[must_use]
    pub fn page(&self) -> Page {
        Page::new(
            self.limit.unwrap_or(Page::DEFAULT_LIMIT),
            self.offset.unwrap_or(0),
        )
    }
}

/// Parses one field of a request into a domain value, naming the field in
/// the 422 when it is invalid.
pub fn field<T, E: std::fmt::Display>(name: &str, parsed: Result<T, E>) -> Result<T, ApiError> {
    parsed.map_err(|e| {
        // Core messages may already start with the field name.
        let msg = e.to_string();
        let msg = msg
            .strip_prefix(&format!("{name}: "))
            .map(str::to_owned)
            .unwrap_or(msg);
        ApiError::invalid_field(name, msg)
    })
}

/// The client's socket address, when the server was started with
/// [`crate::serve`] (connect info); `None` in in-process tests.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<std::net::SocketAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pagination(query: &str) -> Result<Pagination, String> {
        let uri: axum::http::Uri = format!("/x?{query}").parse().unwrap();
        axum::extract::Query::<Pagination>::try_from_uri(&uri)
            .map(|q| q.0)
            .map_err(|e| e.body_text())
    }

    #[test]
    fn offset_over_the_stated_maximum_is_refused() {
        assert_eq!(
            pagination("offset=2147483647").unwrap().offset,
            Some(MAX_OFFSET)
        );
        let err = pagination("offset=2147483648").unwrap_err();
        assert!(err.contains("must be at most 2147483647"), "{err}");
        assert!(pagination("offset=-1").is_err());
        assert_eq!(pagination("limit=500").unwrap().page().limit(), 200);
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Counts {
        n: u32,
        items: Vec<u8>,
        ratio: f64,
    }

    #[test]
    fn whole_numbers_written_as_floats_are_integers() {
        assert_eq!(
            whole_numbers_as_integers::<Counts>(br#"{"n": 5.0, "items": [1e1, 2], "ratio": 0.5}"#),
            Some(Counts {
                n: 5,
                items: vec![10, 2],
                ratio: 0.5
            })
        );
        assert_eq!(
            whole_numbers_as_integers::<Counts>(br#"{"n": 5.5, "items": [], "ratio": 1}"#),
            None
        );
        // Nothing to change: the original error stands.
        assert_eq!(
            whole_numbers_as_integers::<Counts>(br#"{"n": "5", "items": [], "ratio": 1}"#),
            None
        );
    }
}

/// Which group of a course's students a view covers (gradebook,
/// statistics).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct GroupQuery {
    /// Only the students of this group of the course.
    #[param(value_type = Option<String>, format = Uuid)]
    pub group_id: Option<lms_core::GroupId>,
}

/// Which students' entries a list shows (a course's students, an
/// assignment's submissions, a quiz's attempts), and which page.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StudentsQuery {
    /// Students whose e-mail, name or a word of the name starts with this.
    #[param(max_length = 254)]
    pub q: Option<String>,
    /// Only active (`true`) or deactivated (`false`) accounts.
    pub active: Option<bool>,
    /// Only students in this group of the course.
    #[param(value_type = Option<String>, format = Uuid)]
    pub group_id: Option<lms_core::GroupId>,
    /// At most this many (1..=200, default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// Items to skip.
    #[param(minimum = 0, maximum = 2_147_483_647)]
    #[serde(default, deserialize_with = "offset")]
    pub offset: Option<u32>,
}

impl StudentsQuery {
    /// The students' filter and the page, the search text's size checked
    /// (a `q` field error past [`UserFilter::MAX_QUERY_BYTES`]).
    pub fn parts(self) -> Result<(UserFilter, Page), ApiError> {
        let filter = student_filter(self.q, self.active, self.group_id)?;
        let page = Pagination {
            limit: self.limit,
            offset: self.offset,
        }
        .page();
        Ok((filter, page))
    }
}

/// A filter of students by search text, account state and group, the
/// text's size checked before any work.
pub fn student_filter(
    q: Option<String>,
    active: Option<bool>,
    group: Option<lms_core::GroupId>,
) -> Result<UserFilter, ApiError> {
    if q.as_ref()
        .is_some_and(|t| t.len() > UserFilter::MAX_QUERY_BYTES)
    {
        return Err(ApiError::invalid_field(
            "q",
            format!("at most {} bytes", UserFilter::MAX_QUERY_BYTES),
        ));
    }
    Ok(UserFilter {
        query: q,
        active,
        group,
        ..UserFilter::default()
    })
}
