//! The web UI built into the binary (the `ui` feature, on by default):
//! `build.rs` builds `web/` when its sources are newer than `web/dist`,
//! precompresses its text files with brotli and gzip, and lists them here.

#[cfg(feature = "ui")]
mod files {
    /// A file of the UI: its path, body, and gzip and brotli encodings.
    type EmbeddedFile = (
        &'static str,
        &'static [u8],
        Option<&'static [u8]>,
        Option<&'static [u8]>,
    );
    include!(concat!(env!("OUT_DIR"), "/web_ui.rs"));
}

/// The UI this binary was built with; `None` without the `ui` feature.
#[must_use]
pub fn web_ui() -> Option<lms_http::ui::WebUi> {
    #[cfg(feature = "ui")]
    {
        use bytes::Bytes;
        use lms_http::ui::{WebFile, WebUi};
        let files = files::FILES
            .iter()
            .map(|&(path, body, gzip, brotli)| WebFile {
                path: path.to_owned(),
                body: Bytes::from_static(body),
                gzip: gzip.map(Bytes::from_static),
                brotli: brotli.map(Bytes::from_static),
            });
        Some(WebUi::from_files(files).expect("build.rs embeds a UI with an index.html"))
    }
    #[cfg(not(feature = "ui"))]
    None
}
