//! Serves the built web UI at `/`: its files from memory, each with its
//! precompressed variants (brotli, gzip), a content type, an `ETag` and a
//! cache lifetime, and `index.html` for every other page path so the
//! client-side router can handle deep links.
//!
//! The files come either from the binary itself (`lms-server` embeds the
//! UI it was built with, see [`WebUi::from_files`]) or from a directory of a
//! Vite build read at start ([`WebUi::from_dir`], `LMS_WEB_DIR`, for UI
//! development).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// Vite puts every content-hashed file under `assets/`: a new build gives
/// them new names, so browsers may keep them for a year without asking.
const HASHED_DIR: &str = "assets/";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Everything else (`index.html`, the favicon) is revalidated with its
/// `ETag` on every use, so a new build is picked up at once.
const REVALIDATE: &str = "no-cache";

/// One file of the built UI.
#[derive(Clone, Debug)]
pub struct WebFile {
    /// Path relative to the build's root, `/`-separated
    /// (`assets/index-3f9a1c2b.js`).
    pub path: String,
    /// The file as built.
    pub body: Bytes,
    /// Its gzip encoding, when one was made.
    pub gzip: Option<Bytes>,
    /// Its brotli encoding, when one was made.
    pub brotli: Option<Bytes>,
}

/// Why a UI could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum WebUiError {
    /// The build has no `index.html` at its root.
    #[error("the web UI build has no index.html (build it with `npm run build` in web/)")]
    NoIndex,
    /// The directory could not be read.
    #[error("cannot read the web UI at {path}: {source}")]
    Read {
        /// The file or directory.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// A built web UI, held in memory and ready to serve.
#[derive(Clone, Debug)]
pub struct WebUi {
    files: Arc<HashMap<String, Served>>,
}

#[derive(Debug)]
struct Served {
    content_type: &'static str,
    cache_control: &'static str,
    /// The identity body and its encodings, each with its own strong ETag
    /// (a different body needs a different tag).
    identity: Variant,
    gzip: Option<Variant>,
    brotli: Option<Variant>,
}

#[derive(Debug)]
struct Variant {
    body: Bytes,
    etag: HeaderValue,
    /// Its `Content-Encoding`; `None` for the file as built.
    encoding: Option<&'static str>,
}

impl WebUi {
    /// A UI made of `files`; one of them must be `index.html`.
    ///
    /// # Errors
    /// [`WebUiError::NoIndex`] when there is no `index.html`.
    pub fn from_files(files: impl IntoIterator<Item = WebFile>) -> Result<Self, WebUiError> {
        let mut map = HashMap::new();
        for file in files {
            let digest = Sha256::digest(&file.body);
            let tag: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
            let variant = |body: Bytes, encoding: Option<&'static str>| Variant {
                body,
                etag: HeaderValue::from_str(&format!(
                    "\"{tag}{}\"",
                    encoding.map_or(String::new(), |e| format!("-{e}"))
                ))
                .expect("hex is a valid header value"),
                encoding,
            };
            let served = Served {
                content_type: content_type(&file.path),
                cache_control: if file.path.starts_with(HASHED_DIR) {
                    IMMUTABLE
                } else {
                    REVALIDATE
                },
                gzip: file.gzip.map(|b| variant(b, Some("gzip"))),
                brotli: file.brotli.map(|b| variant(b, Some("br"))),
                identity: variant(file.body, None),
            };
            map.insert(file.path, served);
        }
        if !map.contains_key("index.html") {
            return Err(WebUiError::NoIndex);
        }
        Ok(Self {
            files: Arc::new(map),
        })
    }

    /// Reads a built UI from `dir` (a Vite `dist`). A file's `.br` and
    /// `.gz` siblings, when present, become its encodings. The files are
    /// read once: restart the server to serve a new build.
    ///
    /// # Errors
    /// When `dir` cannot be read or holds no `index.html`.
    pub fn from_dir(dir: &Path) -> Result<Self, WebUiError> {
        let mut found = Vec::new();
        collect(dir, dir, &mut found)?;
        let mut by_path: HashMap<String, Bytes> = found.into_iter().collect();
        let plain: Vec<String> = by_path
            .keys()
            .filter(|p| !(p.ends_with(".gz") || p.ends_with(".br")))
            .cloned()
            .collect();
        let files: Vec<WebFile> = plain
            .into_iter()
            .map(|path| WebFile {
                body: by_path.remove(&path).unwrap_or_default(),
                gzip: by_path.remove(&format!("{path}.gz")),
                brotli: by_path.remove(&format!("{path}.br")),
                path,
            })
            .collect();
        Self::from_files(files)
    }

    /// How many files the UI has.
    #[must_use]
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether the UI has no files (never true for a loaded UI).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The response to a request that no API route took: the file at its
    /// path, `index.html` for a page path (no extension in its last
    /// segment), else 404.
    pub(crate) fn respond(&self, req: &Request) -> Response {
        let path = req.uri().path();
        if !matches!(*req.method(), Method::GET | Method::HEAD) {
            return not_found(path);
        }
        let rel = path.trim_start_matches('/');
        let served = match self.files.get(rel) {
            Some(served) => served,
            None if is_page_path(rel) => &self.files["index.html"],
            None => return not_found(path),
        };
        let variant = pick(served, req.headers());
        let mut response = if etag_matches(req.headers(), &variant.etag) {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            let mut r = Response::new(Body::from(variant.body.clone()));
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(served.content_type),
            );
            r
        };
        let h = response.headers_mut();
        h.insert(header::ETAG, variant.etag.clone());
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(served.cache_control),
        );
        if served.gzip.is_some() || served.brotli.is_some() {
            h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        }
        if let Some(encoding) = variant.encoding {
            h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
        }
        response
    }
}

/// A client-side route (`/courses/3`), not a file (`/assets/x.js`) and not
/// the API (whose unknown paths answer a JSON 404 before this).
fn is_page_path(rel: &str) -> bool {
    !rel.starts_with("api/") && rel != "api" && !rel.rsplit('/').next().unwrap_or("").contains('.')
}

fn not_found(path: &str) -> Response {
    ApiError::not_found("route_not_found", format!("no route for {path}")).into_response()
}

/// The best encoding the client accepts: brotli, then gzip, then none.
fn pick<'a>(served: &'a Served, headers: &HeaderMap) -> &'a Variant {
    let accepted = headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|item| {
            let mut parts = item.split(';').map(str::trim);
            let name = parts.next()?.to_ascii_lowercase();
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            (!refused).then_some(name)
        })
        .collect::<Vec<_>>();
    let accepts = |name: &str| accepted.iter().any(|a| a == name || a == "*");
    if let Some(b) = served.brotli.as_ref().filter(|_| accepts("br")) {
        return b;
    }
    if let Some(g) = served.gzip.as_ref().filter(|_| accepts("gzip")) {
        return g;
    }
    &served.identity
}

fn etag_matches(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    let Some(tags) = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let ours = etag.to_str().unwrap_or_default();
    tags.split(',')
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == ours || t == "*")
}

fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    match ext.to_ascii_lowercase().as_str() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, Bytes)>) -> Result<(), WebUiError> {
    let read_err = |path: &Path| {
        let path = path.display().to_string();
        move |source| WebUiError::Read { path, source }
    };
    for entry in std::fs::read_dir(dir).map_err(read_err(dir))? {
        let entry = entry.map_err(read_err(dir))?;
        let path = entry.path();
        if entry.file_type().map_err(read_err(&path))?.is_dir() {
            collect(root, &path, out)?;
            continue;
        }
        let rel = path
            .strip_prefix(root)
            .expect("walked from root")
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        let body = std::fs::read(&path).map_err(read_err(&path))?;
        out.push((rel, Bytes::from(body)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ui() -> WebUi {
        WebUi::from_files([
            WebFile {
                path: "index.html".into(),
                body: Bytes::from_static(b"<!doctype html><title>LMS</title>"),
                gzip: Some(Bytes::from_static(b"gz-index")),
                brotli: Some(Bytes::from_static(b"br-index")),
            },
            WebFile {
                path: "assets/index-abc123.js".into(),
                body: Bytes::from_static(b"console.log(1)"),
                gzip: Some(Bytes::from_static(b"gz-js")),
                brotli: None,
            },
            WebFile {
                path: "favicon.svg".into(),
                body: Bytes::from_static(b"<svg/>"),
                gzip: None,
                brotli: None,
            },
        ])
        .unwrap()
    }

    fn get(path: &str, headers: &[(&str, &str)]) -> Response {
        let mut req = Request::builder().uri(path);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        ui().respond(&req.body(Body::empty()).unwrap())
    }

    fn header<'a>(r: &'a Response, name: &str) -> &'a str {
        r.headers().get(name).map_or("", |v| v.to_str().unwrap())
    }

    #[test]
    fn a_build_without_index_html_is_refused() {
        let err = WebUi::from_files([]).unwrap_err();
        assert!(matches!(err, WebUiError::NoIndex));
    }

    #[test]
    fn hashed_assets_are_immutable_and_index_html_is_revalidated() {
        let js = get("/assets/index-abc123.js", &[]);
        assert_eq!(js.status(), StatusCode::OK);
        assert_eq!(header(&js, "cache-control"), IMMUTABLE);
        assert_eq!(
            header(&js, "content-type"),
            "text/javascript; charset=utf-8"
        );
        let html = get("/", &[]);
        assert_eq!(header(&html, "cache-control"), "no-cache");
        assert_eq!(header(&html, "content-type"), "text/html; charset=utf-8");
        assert_eq!(
            header(&get("/favicon.svg", &[]), "content-type"),
            "image/svg+xml"
        );
    }

    #[test]
    fn the_best_accepted_encoding_is_sent() {
        let br = get("/", &[("accept-encoding", "gzip, deflate, br")]);
        assert_eq!(header(&br, "content-encoding"), "br");
        assert_eq!(header(&br, "vary"), "accept-encoding");
        let gz = get("/", &[("accept-encoding", "gzip;q=1.0, br;q=0")]);
        assert_eq!(header(&gz, "content-encoding"), "gzip");
        let js = get(
            "/assets/index-abc123.js",
            &[("accept-encoding", "br, gzip")],
        );
        assert_eq!(header(&js, "content-encoding"), "gzip", "no brotli variant");
        let plain = get("/", &[]);
        assert_eq!(header(&plain, "content-encoding"), "");
        assert_ne!(header(&br, "etag"), header(&plain, "etag"));
        assert_ne!(header(&br, "etag"), header(&gz, "etag"));
    }

    #[test]
    fn a_matching_etag_answers_not_modified() {
        let first = get("/assets/index-abc123.js", &[("accept-encoding", "gzip")]);
        let tag = header(&first, "etag").to_owned();
        let again = get(
            "/assets/index-abc123.js",
            &[("accept-encoding", "gzip"), ("if-none-match", &tag)],
        );
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(header(&again, "etag"), tag);
        let other = get(
            "/assets/index-abc123.js",
            &[("accept-encoding", "gzip"), ("if-none-match", "\"other\"")],
        );
        assert_eq!(other.status(), StatusCode::OK);
    }

    #[test]
    fn page_paths_fall_back_to_index_html_but_missing_files_do_not() {
        let page = get("/courses/3/lessons/7", &[]);
        assert_eq!(page.status(), StatusCode::OK);
        assert_eq!(header(&page, "content-type"), "text/html; charset=utf-8");
        assert_eq!(
            get("/assets/missing-1.js", &[]).status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(get("/robots.txt", &[]).status(), StatusCode::NOT_FOUND);
        assert_eq!(get("/api/v2/x", &[]).status(), StatusCode::NOT_FOUND);
        let post = Request::builder()
            .method(Method::POST)
            .uri("/courses")
            .body(Body::empty())
            .unwrap();
        assert_eq!(ui().respond(&post).status(), StatusCode::NOT_FOUND);
    }

    #[test]
    fn a_directory_build_is_read_with_its_precompressed_siblings() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("assets")).unwrap();
        std::fs::write(dir.path().join("index.html"), "<html>").unwrap();
        std::fs::write(dir.path().join("assets/a-1.js"), "let a").unwrap();
        std::fs::write(dir.path().join("assets/a-1.js.gz"), "gz").unwrap();
        let ui = WebUi::from_dir(dir.path()).unwrap();
        assert_eq!(ui.len(), 2);
        let req = Request::builder()
            .uri("/assets/a-1.js")
            .header("accept-encoding", "gzip")
            .body(Body::empty())
            .unwrap();
        assert_eq!(header(&ui.respond(&req), "content-encoding"), "gzip");
        let missing = WebUi::from_dir(&dir.path().join("nope")).unwrap_err();
        assert!(missing.to_string().contains("nope"), "{missing}");
    }
}
