//! Sanitised rich text: the only way to make a [`RichText`] from input is to
//! pass HTML through the sanitiser, so stored and served lesson bodies,
//! instructions and feedback can never carry scripts or foreign markup.
//!
//! Storage adapters read back what they stored from a `RichText` — text the
//! sanitiser already produced — with [`RichText::from_stored`] and
//! [`decode_stored`], which take it as it is: sanitising is the costliest
//! step of reading a course (about 60 µs per KB, twice for the fixed-point
//! check), and a gradebook read re-sanitised every hand-in of the course.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

mod video;

pub use video::{VideoHost, VideoHostError, allow_video_hosts, video_hosts};

/// The player URL the sanitiser keeps for an `iframe` `src` (for the
/// test kit's XSS oracle).
#[cfg(any(test, feature = "testkit"))]
pub(crate) fn allowed_player_for_tests(src: &str) -> Option<String> {
    video::allowed_player(src)
}

/// HTML that contains only what the Quill 2 editor produces: paragraphs,
/// headings, lists, bold/italic/underline/strike, links with safe schemes,
/// images, code blocks, blockquotes, line breaks, formulas (LaTeX source
/// in `<span class="ql-formula" data-value="…">`, typeset by the UI) and
/// video players from the allowed services ([`video_hosts`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(from = "String", into = "String")]
#[cfg_attr(feature = "openapi", schema(value_type = String, content_media_type = "text/html", example = "<p>Прочитайте главу 3.</p>"))]
pub struct RichText(String);

/// URL schemes allowed in links and images.
const SAFE_SCHEMES: [&str; 4] = ["http", "https", "mailto", "tel"];

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let tags: HashSet<&'static str> = [
        "p",
        "br",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ol",
        "ul",
        "li",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "s",
        "a",
        "img",
        "pre",
        "code",
        "blockquote",
        "span",
        "iframe",
    ]
    .into_iter()
    .collect();
    let mut tag_attributes: HashMap<&'static str, HashSet<&'static str>> = HashMap::new();
    tag_attributes.insert("a", ["href", "target"].into_iter().collect());
    tag_attributes.insert(
        "img",
        ["src", "alt", "width", "height"].into_iter().collect(),
    );
    tag_attributes.insert("li", ["data-list"].into_iter().collect());
    // A formula: its LaTeX source, typeset by the UI (KaTeX).
    tag_attributes.insert("span", ["data-value"].into_iter().collect());
    // A player keeps its checked `src`; every other attribute is fixed.
    tag_attributes.insert("iframe", ["src"].into_iter().collect());
    tag_attributes.insert("pre", ["data-language"].into_iter().collect());
    let mut classes: HashMap<&'static str, HashSet<&'static str>> = HashMap::new();
    let align = ["ql-align-center", "ql-align-right", "ql-align-justify"];
    let indent = [
        "ql-indent-1",
        "ql-indent-2",
        "ql-indent-3",
        "ql-indent-4",
        "ql-indent-5",
    ];
    for tag in ["p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote"] {
        classes.insert(tag, align.iter().chain(indent.iter()).copied().collect());
    }
    classes.insert("span", ["ql-formula"].into_iter().collect());
    let mut builder = ammonia::Builder::default();
    builder
        .tags(tags)
        .generic_attributes(HashSet::new())
        .tag_attributes(tag_attributes)
        .allowed_classes(classes)
        .url_schemes(SAFE_SCHEMES.into_iter().collect())
        .url_relative(ammonia::UrlRelative::PassThrough)
        .link_rel(Some("noopener noreferrer nofollow"))
        .set_tag_attribute_value("a", "target", "_blank")
        .set_tag_attribute_value("iframe", "class", "ql-video")
        .set_tag_attribute_value("iframe", "allowfullscreen", "true")
        .set_tag_attribute_value("iframe", "frameborder", "0")
        .set_tag_attribute_value("iframe", "loading", "lazy")
        .set_tag_attribute_value(
            "iframe",
            "referrerpolicy",
            "strict-origin-when-cross-origin",
        )
        .set_tag_attribute_value(
            "iframe",
            "allow",
            "autoplay; encrypted-media; fullscreen; picture-in-picture",
        )
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            ("iframe", "src") => video::allowed_player(value).map(Into::into),
            ("img", "src") => allowed_image(value).then(|| value.into()),
            _ => Some(value.into()),
        })
        .strip_comments(true);
    builder
});

/// The most files one text takes over when it is saved; later references
/// still show for their uploader but stay drafts.
pub const MAX_FILE_REFERENCES: usize = 64;

/// Where an image may come from: this server's files
/// (`/api/v1/files/<id>`, readable by whoever may read what they belong to)
/// or an `https` address. Not `data:` or `http:` URLs, nor other paths of
/// this server.
fn allowed_image(src: &str) -> bool {
    let src = src.trim();
    if let Some(id) = src.strip_prefix("/api/v1/files/") {
        return id.len() == 36 && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    }
    src.get(..8)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
        && src.len() > 8
}

/// Removes the `<name …>` elements whose `src` the sanitiser dropped (an
/// image with nothing to show, a player not from an allowed service), and
/// whatever a removed or kept `iframe` held (a player holds nothing).
/// `html` is the sanitiser's output: attributes are quoted and escaped, and
/// a non-void element has its end tag.
fn drop_without_source(html: String, name: &str, void: bool) -> String {
    let open = format!("<{name}");
    if !html.contains(&open) {
        return html;
    }
    let close = format!("</{name}>");
    let mut out = String::with_capacity(html.len());
    let mut rest = html.as_str();
    while let Some(start) = rest.find(&open) {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let start_tag = &tail[..tail.find('>').map_or(tail.len(), |i| i + 1)];
        let end = if void {
            start_tag.len()
        } else {
            tail.find(&close).map_or(tail.len(), |e| e + close.len())
        };
        if start_tag.contains(" src=\"") {
            out.push_str(start_tag);
            if !void {
                out.push_str(&close);
            }
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

thread_local! {
    /// Set while [`decode_stored`] runs on this thread.
    static DECODING_STORED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `decode` — a synchronous deserialisation of values a storage
/// adapter wrote itself (a JSON document of a row) — taking every
/// [`RichText`] in it as stored, like [`RichText::from_stored`], instead of
/// sanitising it again. Input from clients is never decoded through this.
pub fn decode_stored<T>(decode: impl FnOnce() -> T) -> T {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            DECODING_STORED.with(|d| d.set(self.0));
        }
    }
    let _restore = Restore(DECODING_STORED.with(|d| d.replace(true)));
    decode()
}

impl RichText {
    /// Rich text read back from storage, which only ever holds what
    /// [`Self::as_html`] of a sanitised value gave: taken as it is, not
    /// sanitised again. For storage adapters reading their own columns;
    /// never for input.
    #[must_use]
    pub fn from_stored(html: String) -> Self {
        Self(html)
    }

    /// Sanitises untrusted HTML into rich text. Everything outside the
    /// allow-list is removed (scripts and styles with their content, other
    /// tags keeping their text).
    #[must_use]
    pub fn sanitize(html: &str) -> Self {
        // Misnested input (a heading inside a heading) serialises to markup
        // that parses differently again; cleaning to a fixed point makes
        // sanitising idempotent, so stored text never changes on re-save.
        let clean = |html: &str| {
            let html = SANITIZER.clean(html).to_string();
            drop_without_source(drop_without_source(html, "iframe", false), "img", true)
        };
        let mut current = clean(html);
        for _ in 0..4 {
            let next = clean(&current);
            if next == current {
                break;
            }
            current = next;
        }
        Self(current)
    }

    /// Rich text holding `text` as one escaped paragraph per line.
    #[must_use]
    pub fn from_plain_text(text: &str) -> Self {
        let html: String = text
            .lines()
            .map(|line| format!("<p>{}</p>", ammonia::clean_text(line)))
            .collect();
        Self::sanitize(&html)
    }

    /// The sanitised HTML.
    #[must_use]
    pub fn as_html(&self) -> &str {
        &self.0
    }

    /// The ids of this server's files the text shows or links to
    /// (`/api/v1/files/<id>`), each once, in order of appearance; at most
    /// [`MAX_FILE_REFERENCES`]. Saving the text makes them the saved
    /// object's (see [`FileOwner`](crate::file::FileOwner)).
    #[must_use]
    pub fn file_ids(&self) -> Vec<crate::ids::FileId> {
        const PREFIX: &str = "/api/v1/files/";
        let mut ids: Vec<crate::ids::FileId> = Vec::new();
        let mut rest = self.0.as_str();
        while let Some(at) = rest.find(PREFIX) {
            rest = &rest[at + PREFIX.len()..];
            let Some(candidate) = rest.get(..36) else {
                break;
            };
            if let Ok(uuid) = uuid::Uuid::parse_str(candidate) {
                let id = crate::ids::FileId(uuid);
                if !ids.contains(&id) {
                    ids.push(id);
                    if ids.len() == MAX_FILE_REFERENCES {
                        break;
                    }
                }
            }
        }
        ids
    }

    /// Whether there is no visible text, no image and no video.
    #[must_use]
    pub fn is_blank(&self) -> bool {
        !self.0.contains("<img")
            && !self.0.contains("<iframe")
            && self.plain_text().trim().is_empty()
    }

    /// The text without markup (entities decoded for the common cases),
    /// block elements separated by newlines: for e-mail and Telegram previews.
    #[must_use]
    pub fn plain_text(&self) -> String {
        let mut out = String::with_capacity(self.0.len());
        let mut in_tag = false;
        let mut tag = String::new();
        for c in self.0.chars() {
            match (in_tag, c) {
                (false, '<') => {
                    in_tag = true;
                    tag.clear();
                }
                (true, '>') => {
                    in_tag = false;
                    let name = tag
                        .trim_start_matches('/')
                        .split_whitespace()
                        .next()
                        .unwrap_or("");
                    if tag.starts_with('/')
                        && matches!(
                            name,
                            "p" | "li"
                                | "h1"
                                | "h2"
                                | "h3"
                                | "h4"
                                | "h5"
                                | "h6"
                                | "pre"
                                | "blockquote"
                        )
                        || name == "br"
                    {
                        out.push('\n');
                    }
                }
                (true, c) => tag.push(c),
                (false, c) => out.push(c),
            }
        }
        out.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&nbsp;", "\u{a0}")
            .replace("&amp;", "&")
            .trim_end()
            .to_owned()
    }
}

impl From<String> for RichText {
    /// Deserialised or converted HTML is sanitised too, except inside
    /// [`decode_stored`] (a storage adapter reading back its own rows).
    fn from(html: String) -> Self {
        if DECODING_STORED.with(std::cell::Cell::get) {
            Self(html)
        } else {
            Self::sanitize(&html)
        }
    }
}

impl From<RichText> for String {
    fn from(text: RichText) -> Self {
        text.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn keeps_what_quill_produces() {
        let html = r#"<h2>Тема</h2><p><strong>жирный</strong> <em>курсив</em> <u>подчёркнутый</u></p><ol><li data-list="bullet">пункт</li></ol><blockquote>цитата</blockquote><pre data-language="plain">let x = 1;</pre><p><img src="https://example.org/a.png"></p>"#;
        let clean = RichText::sanitize(html);
        for fragment in [
            "<h2>",
            "<strong>",
            "<em>",
            "<u>",
            "data-list=\"bullet\"",
            "<blockquote>",
            "<pre data-language=\"plain\">",
            "<img src=\"https://example.org/a.png\">",
        ] {
            assert!(
                clean.as_html().contains(fragment),
                "{fragment} lost in {}",
                clean.as_html()
            );
        }
    }

    const PLAYER_ATTRS: &str = "class=\"ql-video\" allowfullscreen=\"true\" frameborder=\"0\" loading=\"lazy\" referrerpolicy=\"strict-origin-when-cross-origin\" allow=\"autoplay; encrypted-media; fullscreen; picture-in-picture\"";

    #[test]
    fn keeps_a_video_player_with_fixed_attributes() {
        // What Quill's video format writes.
        let html = r#"<p>Смотрите:</p><iframe class="ql-video" frameborder="0" allowfullscreen="true" src="https://rutube.ru/play/embed/c6cc4d620b1d4338901770a44b3e82f4"></iframe><p>и отвечайте.</p>"#;
        let clean = RichText::sanitize(html);
        let iframe = clean
            .as_html()
            .split("<iframe")
            .nth(1)
            .and_then(|t| t.split('>').next())
            .unwrap_or_else(|| panic!("the player is lost: {}", clean.as_html()));
        assert!(
            iframe
                .contains("src=\"https://rutube.ru/play/embed/c6cc4d620b1d4338901770a44b3e82f4\""),
            "{iframe}"
        );
        for attr in PLAYER_ATTRS.split("\" ") {
            assert!(
                iframe.contains(attr.trim_end_matches('"')),
                "{attr} missing in {iframe}"
            );
        }
        assert!(clean.as_html().contains("и отвечайте."));
        assert!(!RichText::sanitize(html).is_blank());
        assert_eq!(RichText::sanitize(clean.as_html()), clean, "idempotent");
        let vk = RichText::sanitize(
            r#"<iframe src="https://vk.com/video_ext.php?oid=-1&amp;id=2&amp;hash=ab"></iframe>"#,
        );
        assert!(
            vk.as_html()
                .contains("src=\"https://vk.com/video_ext.php?oid=-1&amp;id=2&amp;hash=ab\""),
            "{}",
            vk.as_html()
        );
    }

    #[test]
    fn images_come_only_from_our_files_or_https() {
        let ours = "/api/v1/files/0b5f7c7e-8a7e-4b8e-9d7a-1c2b3c4d5e6f";
        for src in [
            ours,
            "https://example.org/a.png",
            "HTTPS://example.org/a.png",
        ] {
            let html = format!("<p><img src=\"{src}\" alt=\"график\"></p>");
            assert_eq!(RichText::sanitize(&html).as_html(), html, "{src}");
        }
        for src in [
            "http://example.org/a.png",
            "data:image/png;base64,iVBORw0KGgo=",
            "data:image/svg+xml,<svg onload=alert(1)>",
            "/api/v1/users",
            "/api/v1/files/../users",
            "/api/v1/files/0b5f7c7e-8a7e-4b8e-9d7a-1c2b3c4d5e6f/../../users",
            "x",
            "javascript:alert(1)",
            "https://",
        ] {
            let html = format!("<p>до<img src=\"{src}\">после</p>");
            assert_eq!(
                RichText::sanitize(&html).as_html(),
                "<p>допосле</p>",
                "{src}"
            );
        }
    }

    #[test]
    fn keeps_a_formula_as_its_source() {
        let html = r#"<p>Корни: <span class="ql-formula" data-value="x_{1,2} = \frac{-b \pm \sqrt{D}}{2a}">x_{1,2} = \frac{-b \pm \sqrt{D}}{2a}</span>.</p>"#;
        let clean = RichText::sanitize(html);
        assert_eq!(clean.as_html(), html);
        assert_eq!(RichText::sanitize(clean.as_html()), clean);
        assert!(
            clean.plain_text().contains("\\frac{-b"),
            "{}",
            clean.plain_text()
        );
        // Markup inside the source is text; other attributes and classes go.
        let hostile = RichText::sanitize(
            r#"<span class="ql-formula katex x" data-value="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" onclick="alert(1)" style="color:red"><img src=x onerror=alert(1)></span>"#,
        );
        let out = hostile.as_html();
        assert_eq!(crate::testkit::xss::active_content(out), None, "{out}");
        assert!(
            !out.contains("onerror=") || out.contains("data-value=\"&quot;&gt;&lt;img"),
            "{out}"
        );
        assert!(
            !out.contains("onclick") && !out.contains("style") && !out.contains("katex"),
            "{out}"
        );
    }

    #[test]
    fn hostile_players_are_removed_with_their_content() {
        for hostile in [
            r#"<iframe src="https://evil.org/embed/x"></iframe>"#,
            r#"<iframe src="javascript:alert(1)"></iframe>"#,
            r#"<iframe src="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>"#,
            r#"<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>"#,
            r#"<iframe src="https://www.youtube.com.evil.org/embed/x"></iframe>"#,
            r#"<iframe src="https://www.youtube.com@evil.org/embed/x"></iframe>"#,
            r#"<iframe src="http://www.youtube.com/embed/x"></iframe>"#,
            r#"<iframe src="//www.youtube.com/embed/x"></iframe>"#,
            r#"<iframe src="/api/v1/users"></iframe>"#,
            r#"<iframe src="https://www.youtube.com/embed/../../redirect?q=https://evil.org"></iframe>"#,
            r#"<iframe SRC="https://evil.org/x" src="https://www.youtube.com/embed/x"></iframe>"#,
            r#"<iframe src="https://evil.org/x"><p>inner</p><script>alert(1)</script></iframe>"#,
            r#"<iframe><iframe src="https://evil.org/x"></iframe></iframe>"#,
            r#"<iframe src="https://vk.com/away.php?to=https://evil.org"></iframe>"#,
        ] {
            let clean = RichText::sanitize(hostile);
            let html = clean.as_html();
            assert!(!html.contains("evil"), "{hostile} → {html}");
            assert!(!html.contains("script"), "{hostile} → {html}");
            assert!(!html.contains("srcdoc"), "{hostile} → {html}");
            if html.contains("<iframe") {
                assert!(
                    html.contains("src=\"https://www.youtube.com/embed/"),
                    "{hostile} → {html}"
                );
            }
        }
        // Attributes a client adds are replaced by the fixed set.
        let clean = RichText::sanitize(
            r#"<iframe src="https://www.youtube.com/embed/x" onload="alert(1)" sandbox="" allow="camera; microphone" style="position:fixed" name="x"></iframe>"#,
        );
        let html = clean.as_html();
        for bad in ["onload", "sandbox", "camera", "style", "name="] {
            assert!(!html.contains(bad), "{bad} kept: {html}");
        }
    }

    #[test]
    fn removes_scripts_handlers_and_unsafe_links() {
        let clean = RichText::sanitize(
            r#"<p onclick="steal()">hi<script>alert(1)</script></p><a href="javascript:alert(1)">x</a><img src="x" onerror="alert(1)"><iframe src="https://evil"></iframe><style>p{}</style>"#,
        );
        let html = clean.as_html();
        for bad in [
            "script",
            "onclick",
            "javascript:",
            "onerror",
            "iframe",
            "style",
            "alert",
        ] {
            assert!(!html.contains(bad), "{bad} survived in {html}");
        }
        assert!(html.contains("hi"));
    }

    #[test]
    fn links_open_safely() {
        let clean = RichText::sanitize(r#"<a href="https://ya.ru">ya</a>"#);
        assert!(
            clean
                .as_html()
                .contains(r#"rel="noopener noreferrer nofollow""#)
        );
        assert!(clean.as_html().contains(r#"target="_blank""#));
    }

    #[test]
    fn deserialising_sanitises() {
        let text: RichText = serde_json::from_str(r#""<p>ok</p><script>x()</script>""#).unwrap();
        assert_eq!(text.as_html(), "<p>ok</p>");
    }

    #[test]
    fn plain_text_strips_markup() {
        let text = RichText::sanitize("<h1>Заголовок</h1><p>a &amp; b</p><p>c</p>");
        assert_eq!(text.plain_text(), "Заголовок\na & b\nc");
        assert!(RichText::sanitize("<p> </p>").is_blank());
        assert!(!RichText::sanitize("<p><img src=\"https://x.org/a.png\"></p>").is_blank());
    }

    #[test]
    fn plain_text_is_escaped() {
        let text = RichText::from_plain_text("<b>не тег</b>\nвторая");
        assert_eq!(
            text.as_html(),
            "<p>&lt;b&gt;не тег&lt;/b&gt;</p><p>вторая</p>"
        );
    }

    #[test]
    fn the_hostile_corpus_leaves_no_active_content() {
        use crate::testkit::xss::{CORPUS, active_content};
        for (n, input) in CORPUS.iter().enumerate() {
            let once = RichText::sanitize(input);
            if let Some(why) = active_content(once.as_html()) {
                panic!("corpus #{n} {input:?} left {why}: {:?}", once.as_html());
            }
            assert_eq!(
                RichText::sanitize(once.as_html()),
                once,
                "corpus #{n} is not stable on a second pass"
            );
        }
        // The safe one keeps its text and link.
        let safe = RichText::sanitize(CORPUS[CORPUS.len() - 1]);
        assert!(safe.as_html().contains("href=\"https://school.example\""));
        assert!(safe.plain_text().contains("Безопасный текст"));
    }

    /// Pieces of hostile markup, combined at random by the property test.
    const PIECES: &[&str] = &[
        "<script>",
        "</script>",
        "<img src=x onerror=alert(1)>",
        "<a href=\"javascript:x\">",
        "<a href=\"https://ok.example\">",
        "</a>",
        "<svg onload=x>",
        "<style>",
        "</style>",
        "<p style=\"x:expression(1)\">",
        "</p>",
        "<h1>",
        "</h1>",
        "<li>",
        "<ol>",
        "<!--",
        "-->",
        "<![CDATA[",
        "]]>",
        "&#106;",
        "avascript:",
        "\"",
        "'",
        "<",
        ">",
        "=",
        " on",
        "load=",
        "<iframe src=",
        "<iframe src=\"https://www.youtube.com/embed/x\">",
        "<iframe src=\"https://rutube.ru/play/embed/a?p=1\" onload=x>",
        "</iframe>",
        "<span class=\"ql-formula\" data-value=\"",
        "\\href{javascript:alert(1)}{x}",
        "x^2\" onmouseover=\"x",
        "</span>",
        "https://evil.org/",
        "<math>",
        "<textarea>",
        "<noscript>",
        "<base href=",
        "текст",
        "x",
    ];

    /// Pieces of hostile and harmless image markup.
    const IMAGE_PIECES: &[&str] = &[
        "<img src=\"",
        "<img alt=\"x\" src=",
        "<img src='",
        "/api/v1/files/0b5f7c7e-8a7e-4b8e-9d7a-1c2b3c4d5e6f",
        "/api/v1/files/",
        "/api/v1/users",
        "../",
        "%2e%2e/",
        "data:image/png;base64,iVBORw0KGgo=",
        "data:image/svg+xml,<svg onload=x>",
        "http://cdn.example/i.png",
        "https://cdn.example/i.png",
        "javascript:alert(1)",
        "//evil.example/i.png",
        "\"",
        "'",
        "\">",
        ">",
        " onerror=alert(1)",
        " srcset=\"https://evil.example/x 2x\"",
        "<p>",
        "</p>",
        " ",
        "x",
    ];

    /// The `src` of every `<img>` in sanitised output (attributes quoted).
    fn image_sources(html: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut rest = html;
        while let Some(at) = rest.find("<img") {
            rest = &rest[at + 4..];
            let tag = &rest[..rest.find('>').unwrap_or(rest.len())];
            if let Some(src) = tag.find(" src=\"") {
                let value = &tag[src + 6..];
                out.push(value[..value.find('"').unwrap_or(value.len())].replace("&amp;", "&"));
            }
        }
        out
    }

    proptest! {
        #[test]
        fn sanitised_output_never_holds_active_content(
            parts in proptest::collection::vec(0..PIECES.len(), 0..30),
        ) {
            let html: String = parts.iter().map(|i| PIECES[*i]).collect();
            let once = RichText::sanitize(&html);
            prop_assert_eq!(crate::testkit::xss::active_content(once.as_html()), None, "{:?} -> {:?}", html, once.as_html());
            prop_assert_eq!(RichText::sanitize(once.as_html()), once);
        }

        #[test]
        fn images_show_only_this_servers_files_or_https(
            parts in proptest::collection::vec(0..IMAGE_PIECES.len(), 0..24),
        ) {
            let html: String = parts.iter().map(|i| IMAGE_PIECES[*i]).collect();
            let text = RichText::sanitize(&html);
            let out = text.as_html();
            for src in image_sources(out) {
                // Browsers strip spaces around a URL attribute, and so
                // does the check.
                let src = src.trim();
                let ours = src
                    .strip_prefix("/api/v1/files/")
                    .is_some_and(|id| uuid::Uuid::parse_str(id).is_ok() && id.len() == 36);
                prop_assert!(ours || src.starts_with("https://"), "{:?} -> {:?}", html, out);
            }
            // Only this server's files are taken over when the text is saved.
            for id in text.file_ids() {
                let path = format!("/api/v1/files/{id}");
                prop_assert!(out.contains(&path));
            }
        }

        #[test]
        fn sanitising_is_idempotent(html in "(<(p|b|a href=\"javascript:x\"|img src=x|script|h1|ol|li|pre)>|</(p|b|a|script|h1|ol|li|pre)>|[a-zа-я &<>\"'=]){0,40}") {
            let once = RichText::sanitize(&html);
            let twice = RichText::sanitize(once.as_html());
            prop_assert_eq!(once, twice);
        }
    }

    #[test]
    fn stored_text_is_taken_as_it_is_only_when_decoding_stored_rows() {
        let hostile = "<p>hi</p><script>alert(1)</script>".to_owned();
        let json = serde_json::json!(hostile);
        // Input is always sanitised.
        let input: RichText = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(input.as_html(), "<p>hi</p>");
        // A storage adapter's own rows are taken as stored…
        let stored: RichText = decode_stored(|| serde_json::from_value(json.clone()).unwrap());
        assert_eq!(stored.as_html(), hostile);
        assert_eq!(RichText::from_stored(hostile.clone()).as_html(), hostile);
        // …and only inside `decode_stored`, even when it panicked.
        let _ = std::panic::catch_unwind(|| decode_stored(|| panic!("decoding failed")));
        let after: RichText = serde_json::from_value(json).unwrap();
        assert_eq!(after.as_html(), "<p>hi</p>");
    }
}
