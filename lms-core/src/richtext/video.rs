//! Embedded video players: which `iframe` sources rich text may keep.
//!
//! A player is kept only when its `src` is an `https` URL on a known video
//! service, with that service's embed path, plain path and query characters
//! and nothing else (no user info, port or fragment). The built-in services
//! are YouTube, Rutube, VK Video and Kinescope; an operator adds others once
//! at start with [`allow_video_hosts`] (the reference server's
//! `LMS_VIDEO_HOSTS`). The HTTP layer's Content-Security-Policy allows
//! frames from exactly [`video_hosts`].

use std::sync::OnceLock;

/// A video service whose player pages may be embedded: a host and the path
/// its embed URLs start with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VideoHost {
    /// The exact host name (`rutube.ru`), lower case.
    pub host: String,
    /// The path every embed URL starts with (`/play/embed/`).
    pub path_prefix: String,
}

/// Why an operator's video host was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VideoHostError {
    /// Not `host/path-prefix` with a plain host name and path.
    #[error("{0:?} is not a video host: expected host/path-prefix, e.g. video.example.org/embed/")]
    Invalid(String),
    /// The extra hosts were set already (they are set once, at start).
    #[error("the video hosts were set already")]
    AlreadySet,
}

impl VideoHost {
    /// Parses `host/path-prefix` (`video.example.org/embed/`).
    ///
    /// # Errors
    /// [`VideoHostError::Invalid`] unless the host is a plain DNS name and
    /// the prefix a plain path.
    pub fn parse(raw: &str) -> Result<Self, VideoHostError> {
        let invalid = || VideoHostError::Invalid(raw.to_owned());
        let raw = raw.trim().trim_start_matches("https://");
        let (host, path) = raw.split_once('/').ok_or_else(invalid)?;
        let host = host.to_ascii_lowercase();
        let host_ok = host.contains('.')
            && host.len() <= 253
            && host.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        let path = format!("/{path}");
        if !host_ok || !path.chars().all(is_path_char) || path.contains("..") {
            return Err(invalid());
        }
        Ok(Self {
            host,
            path_prefix: path,
        })
    }
}

/// The services every school may embed.
fn builtin() -> Vec<VideoHost> {
    [
        ("www.youtube.com", "/embed/"),
        ("www.youtube-nocookie.com", "/embed/"),
        ("rutube.ru", "/play/embed/"),
        ("vk.com", "/video_ext.php"),
        ("vkvideo.ru", "/video_ext.php"),
        ("kinescope.io", "/embed/"),
    ]
    .into_iter()
    .map(|(host, path)| VideoHost {
        host: host.to_owned(),
        path_prefix: path.to_owned(),
    })
    .collect()
}

static EXTRA: OnceLock<Vec<VideoHost>> = OnceLock::new();

/// Adds an operator's video services to the built-in ones, once per
/// process, before any rich text is sanitised (the server does it at
/// start). Setting the same list again is harmless.
///
/// # Errors
/// [`VideoHostError::AlreadySet`] when a different list was set before.
pub fn allow_video_hosts(extra: Vec<VideoHost>) -> Result<(), VideoHostError> {
    let set = EXTRA.get_or_init(|| extra.clone());
    if *set == extra {
        Ok(())
    } else {
        Err(VideoHostError::AlreadySet)
    }
}

/// Every video service whose players rich text may embed.
#[must_use]
pub fn video_hosts() -> Vec<VideoHost> {
    let mut all = builtin();
    all.extend(EXTRA.get().into_iter().flatten().cloned());
    all
}

fn is_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_' | '.')
}

fn is_query_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '=' | '&' | '-' | '_' | '.')
}

/// The player URL to keep for an `iframe` `src`, or `None` to drop the
/// player.
pub(crate) fn allowed_player(src: &str) -> Option<String> {
    let rest = src.trim().strip_prefix("https://")?;
    let (authority, path_and_query) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => return None,
    };
    let host = authority.to_ascii_lowercase();
    let (path, query) = match path_and_query.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path_and_query, None),
    };
    if !path.chars().all(is_path_char)
        || path.contains("..")
        || path.contains("//")
        || !query.is_none_or(|q| q.len() <= 300 && q.chars().all(is_query_char))
        || path.len() > 200
    {
        return None;
    }
    let known = video_hosts().iter().any(|h| {
        h.host == host
            // An id after a prefix that ends in `/` (`/embed/<id>`) …
            && (h.path_prefix.ends_with('/')
                && path.len() > h.path_prefix.len()
                && path.starts_with(&h.path_prefix)
                // … or a player page that takes its video in the query
                // (`/video_ext.php?oid=…&id=…`).
                || path == h.path_prefix && query.is_some_and(|q| !q.is_empty()))
    });
    known.then(|| match query {
        Some(q) => format!("https://{host}{path}?{q}"),
        None => format!("https://{host}{path}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_players_of_the_known_services_are_kept() {
        for src in [
            "https://www.youtube.com/embed/dQw4w9WgXcQ",
            "https://www.youtube.com/embed/dQw4w9WgXcQ?start=30",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
            "https://rutube.ru/play/embed/c6cc4d620b1d4338901770a44b3e82f4",
            "https://vk.com/video_ext.php?oid=-22822305&id=456241864&hash=e037414127166efe",
            "https://vkvideo.ru/video_ext.php?oid=-1&id=2&hd=2",
            "https://kinescope.io/embed/201234567",
        ] {
            assert_eq!(allowed_player(src).as_deref(), Some(src), "{src}");
        }
        assert_eq!(
            allowed_player("https://RUTUBE.ru/play/embed/abc").as_deref(),
            Some("https://rutube.ru/play/embed/abc")
        );
    }

    #[test]
    fn anything_else_is_dropped() {
        for src in [
            "http://www.youtube.com/embed/dQw4w9WgXcQ",
            "//www.youtube.com/embed/dQw4w9WgXcQ",
            "https://youtube.com.evil.org/embed/x",
            "https://evil.org/www.youtube.com/embed/x",
            "https://www.youtube.com@evil.org/embed/x",
            "https://user@www.youtube.com/embed/x",
            "https://www.youtube.com:8443/embed/x",
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            "https://www.youtube.com/embed/",
            "https://www.youtube.com/embed/../redirect?u=evil",
            "https://www.youtube.com/embed/x#frag",
            "https://www.youtube.com/embed/x?u=javascript:alert(1)",
            "https://www.youtube.com/embed/x?a=<script>",
            "https://www.youtube.com/embed/%2e%2e/x",
            "https://vk.com/video_ext.php",
            "https://vk.com/away.php?to=https://evil.org",
            "javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "https://rutube.ru/video/abc/",
            "",
        ] {
            assert_eq!(allowed_player(src), None, "{src}");
        }
    }

    #[test]
    fn an_operators_host_is_parsed_strictly() {
        assert_eq!(
            VideoHost::parse("video.school.ru/embed/"),
            Ok(VideoHost {
                host: "video.school.ru".into(),
                path_prefix: "/embed/".into()
            })
        );
        assert_eq!(
            VideoHost::parse("https://Player.Example.org/v/").map(|h| h.host),
            Ok("player.example.org".into())
        );
        for bad in [
            "video.school.ru",
            "localhost/embed/",
            "evil.org:80/embed/",
            "a@b.org/embed/",
            "b.org/embed/../x",
            "b.org/embed?x=1",
            "",
        ] {
            assert!(VideoHost::parse(bad).is_err(), "{bad}");
        }
    }
}
