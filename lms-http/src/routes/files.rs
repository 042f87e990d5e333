//! Uploads and downloads. An upload's multipart part is handed to the
//! core's [`FileService::upload`](lms_core::file::FileService::upload),
//! which enforces the size and type limits while the bytes arrive (413/415
//! before the whole body is read), stores and registers the file; a
//! hand-in, a lesson or a text refers to it by id. A download is allowed to
//! exactly the users who may see the owning object (the core decides) and
//! streamed back.

use axum::Json;
use axum::body::Body;
use axum::extract::multipart::{Field, MultipartRejection};
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::StreamExt as _;
use lms_core::file::{BodyError, ByteSource, FileRef, UploadError, UploadTarget, inline_safe};
use lms_core::{AssignmentId, FileId, LessonId};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;

/// Where an upload goes.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// Attach to this lesson (its course's teacher only).
    pub lesson_id: Option<LessonId>,
    /// For a hand-in to this assignment (the assignment's file limits
    /// apply while uploading), or, for its teacher, an attachment of the
    /// assignment itself when `attach=true`.
    pub assignment_id: Option<AssignmentId>,
    /// With `assignment_id`: the file belongs to the assignment's
    /// instructions instead of a student's hand-in.
    #[serde(default)]
    pub attach: bool,
}

/// The multipart form of an upload (documentation only).
#[derive(Debug, ToSchema)]
pub struct UploadForm {
    /// The file (exactly one part named `file`).
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    pub file: Vec<u8>,
}

/// Uploads one file (multipart field `file`), streamed to storage. Without
/// `lesson_id` or `assignment_id&attach=true` the file is a draft: only its
/// uploader reads it until the lesson, assignment, course, quiz, hand-in or
/// feedback whose text shows it (or whose attachments name it) is saved;
/// then whoever reads that reads it. Drafts never used are deleted after a
/// day.
#[utoipa::path(
    post, path = "/files", tag = "files",
    params(UploadQuery),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Stored; refer to it by `id`", body = FileRef),
        (status = 400, description = "No `file` part, a malformed multipart body, or a malformed query string", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "May not attach to that object", body = ErrorBody),
        (status = 404, description = "No such lesson or assignment", body = ErrorBody),
        (status = 413, description = "Larger than allowed, or the user's unattached uploads are at their quota (`upload_quota_exceeded`)", body = ErrorBody),
        (status = 415, description = "File type not allowed, or the body is not `multipart/form-data`", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn upload(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<UploadQuery>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<(StatusCode, Json<FileRef>)> {
    let mut multipart = multipart.map_err(|e| multipart_rejection(&headers, &e))?;
    let target = match (q.lesson_id, q.assignment_id, q.attach) {
        (Some(_), Some(_), _) => {
            return Err(ApiError::bad_request(
                "invalid_query",
                "give lesson_id or assignment_id, not both",
            ));
        }
        (Some(lesson), None, _) => UploadTarget::Lesson(lesson),
        (None, Some(assignment), true) => UploadTarget::Assignment(assignment),
        (None, Some(assignment), false) => UploadTarget::HandIn(assignment),
        (None, None, _) => UploadTarget::Draft,
    };
    let field = loop {
        match multipart.next_field().await {
            Ok(Some(f)) if f.name() == Some("file") => break f,
            Ok(Some(_)) => {}
            Ok(None) => {
                return Err(ApiError::bad_request(
                    "missing_file",
                    "the form has no part named `file`",
                ));
            }
            Err(e) => return Err(multipart_error(&e)),
        }
    };
    let name = field.file_name().unwrap_or("file").to_owned();
    let file = state
        .lms
        .files
        .upload(&auth.actor, target, &name, &mut Part(field))
        .await
        .map_err(|e| match e {
            UploadError::Unreadable(reason) => ApiError::bad_request("malformed_multipart", reason),
            other => other.into(),
        })?;
    Ok((StatusCode::CREATED, Json(file)))
}

/// A multipart part as the core reads an upload.
struct Part<'a>(Field<'a>);

#[async_trait::async_trait]
impl ByteSource for Part<'_> {
    async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, BodyError> {
        match self.0.chunk().await {
            Ok(chunk) => Ok(chunk.map(|c| c.to_vec())),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(BodyError::TooLarge),
            Err(e) => Err(BodyError::Unreadable(e.body_text())),
        }
    }
}

/// The error for a body axum cannot read as multipart: 415 when it is not
/// `multipart/form-data` at all, 400 when its boundary is unusable (JSON, as
/// every other error, rather than axum's plain text).
fn multipart_rejection(headers: &HeaderMap, e: &MultipartRejection) -> ApiError {
    let is_multipart = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("multipart/form-data"))
        });
    if is_multipart {
        ApiError::bad_request("malformed_multipart", e.body_text())
    } else {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "expected a request body with Content-Type: multipart/form-data",
        )
    }
}

fn multipart_error(e: &axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "file_too_large",
            "the upload is larger than allowed",
        )
    } else {
        ApiError::bad_request("malformed_multipart", e.body_text())
    }
}

/// Downloads a file the user may see (the owning lesson, assignment or
/// submission decides).
#[utoipa::path(
    get, path = "/files/{file_id}", tag = "files",
    params(("file_id" = FileId, Path, description = "File id")),
    responses(
        (status = 200, description = "The bytes", content_type = "application/octet-stream"),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such file, or not visible to the user", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
async fn download(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(file_id): ApiPath<FileId>,
) -> ApiResult<Response> {
    let (file, reader) = state.lms.files.download(&auth.actor, file_id).await?;
    let stream = futures::stream::unfold(reader, |mut r| async move {
        match r.next_chunk().await {
            Ok(Some(chunk)) => Some((Ok::<_, std::io::Error>(bytes::Bytes::from(chunk)), r)),
            Ok(None) => None,
            Err(e) => Some((Err(std::io::Error::other(e.to_string())), r)),
        }
    })
    .boxed();
    let disposition = if inline_safe(&file.content_type) {
        "inline"
    } else {
        "attachment"
    };
    let mut response = Body::from_stream(stream).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&file.content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(file.size));
    if let Ok(v) = HeaderValue::from_str(&content_disposition(disposition, file.name.as_str())) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    // Even if a browser were to render it, nothing in it may run.
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'",
        ),
    );
    Ok(response)
}

/// `inline|attachment; filename="<ascii>"; filename*=UTF-8''<percent-encoded>`.
fn content_disposition(kind: &str, name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .filter(|c| *c != '"' && *c != '\\')
        .collect();
    let encoded = super::percent_encode(name);
    format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// The routes of this module. Uploads have no whole-body limit: the size
/// limit is enforced per file while streaming.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload))
        .layer(DefaultBodyLimit::disable())
        .merge(OpenApiRouter::new().routes(routes!(download)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disposition_keeps_unicode_names_safe() {
        let d = content_disposition("attachment", "Домашка №1.pdf");
        assert!(d.starts_with("attachment; filename=\"_______ _1.pdf\"; filename*=UTF-8''"));
        assert!(d.contains("%D0%94"));
        assert!(!content_disposition("inline", "a\"b.png").contains("a\"b"));
    }
}
