//! A corpus of hostile HTML (in the style of the OWASP XSS filter evasion
//! cheat sheet) and an independent check that sanitised HTML holds no
//! active content, for testing [`RichText`](crate::richtext::RichText) and
//! every rich-text field an HTTP layer stores.
//!
//! The check does not trust the sanitiser's allow-list: it tokenises the
//! output itself and accepts only the tags and attributes Quill produces,
//! and link and image targets whose scheme (after decoding entities and
//! dropping whitespace and control characters, as browsers do) is `http`,
//! `https`, `mailto` or `tel`, or that are relative.

/// Hostile inputs: script elements, event handlers, `javascript:` and
/// `data:` URLs (also entity-encoded, mixed-case, split by whitespace or
/// control characters), SVG and MathML, nested and malformed tags,
/// comments and CDATA, CSS expressions and `url()`s, forms, frames, meta
/// refresh and `<base>`.
pub const CORPUS: &[&str] = &[
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//xss.example/x.js></SCRIPT>",
    "<script/xss src=\"//xss.example/x.js\"></script>",
    "<<script>alert(1);//<</script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<p>ok</p><script>document.cookie</script><p>after</p>",
    "<img src=x onerror=alert(1)>",
    "<img src=\"x\" onerror=\"alert(1)\">",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=javascript:alert('XSS')>",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    "<IMG \"\"\"><SCRIPT>alert(\"XSS\")</SCRIPT>\">",
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>",
    "<IMG SRC=&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041>",
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>",
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
    "<IMG SRC=\"javascript:alert('XSS')\"",
    "<img src=\"data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+\">",
    "<a href=\"javascript:alert(1)\">click</a>",
    "<a href=\"JAVASCRIPT:alert(1)\">click</a>",
    "<a href=\"  javascript:alert(1)\">click</a>",
    "<a href=\"java&#115;cript:alert(1)\">click</a>",
    "<a href=\"java\0script:alert(1)\">click</a>",
    "<a href=\"vbscript:msgbox(1)\">click</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">click</a>",
    "<a href=\"data:text/html,<script>alert(1)</script>\">click</a>",
    "<a href=\"https://ok.example\" onclick=\"alert(1)\" onmouseover=alert(2)>ok</a>",
    "<a href=\"https://ok.example\" target=\"_self\" rel=\"opener\">ok</a>",
    "<a href=\"//evil.example/%0Aalert(1)\">proto-relative</a>",
    "<p onclick=alert(1) style=\"background:url(javascript:alert(1))\">text</p>",
    "<p style=\"width: expression(alert('XSS'));\">ie</p>",
    "<div style=\"background-image: url(&#1;javascript:alert('XSS'))\">x</div>",
    "<style>@import 'http://xss.example/xss.css';</style>",
    "<style>body{background:url(\"javascript:alert(1)\")}</style>",
    "<link rel=\"stylesheet\" href=\"javascript:alert('XSS');\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"javascript:alert('XSS');//\">",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
    "<iframe src=\"https://evil.example/embed/x\"></iframe>",
    "<iframe src=\"https://www.youtube.com.evil.example/embed/x\"></iframe>",
    "<iframe src=\"https://www.youtube.com/embed/x\" onload=\"alert(1)\" srcdoc=\"<script>alert(1)</script>\"></iframe>",
    "<frameset><frame src=\"javascript:alert(1)\"></frameset>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=\"data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+\">",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><a xlink:href=\"javascript:alert(1)\"><text x=\"20\" y=\"20\">XSS</text></a></svg>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<svg><foreignObject><p onclick=alert(1)>x</p></foreignObject></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<math href=\"javascript:alert(1)\">CLICKME</math>",
    "<form action=\"javascript:alert(1)\"><input type=submit></form>",
    "<button formaction=\"javascript:alert(1)\">x</button>",
    "<input onfocus=alert(1) autofocus>",
    "<details open ontoggle=alert(1)>",
    "<body onload=alert(1)>",
    "<video><source onerror=\"alert(1)\"></video>",
    "<audio src=x onerror=alert(1)>",
    "<marquee onstart=alert(1)>x</marquee>",
    "<table background=\"javascript:alert(1)\"><tr><td>x</td></tr></table>",
    "<!--<img src=\"--><img src=x onerror=alert(1)//\">",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
    "<p title=\"</p><script>alert(1)</script>\">x</p>",
    "<textarea><script>alert(1)</script></textarea>",
    "<template><script>alert(1)</script></template>",
    "<xmp><script>alert(1)</script></xmp>",
    "<plaintext><script>alert(1)</script>",
    "<h1><h1 onclick=alert(1)>nested</h1></h1>",
    "<ol><li><ul><li data-list=\"x\" onclick=alert(1)>deep</li></ul></li></ol>",
    "<pre data-language=\"js\" onmouseover=alert(1)><code>x</code></pre>",
    "<span class=\"ql-align-center evil\" id=\"x\" onclick=alert(1)>x</span>",
    "<a href=\"https://ok.example\"><img src=\"https://ok.example/i.png\" onerror=alert(1)></a>",
    "<img src=\"https://ok.example/i.png\" width=\"100\" height=\"50\" alt=\"ok\" style=\"x\">",
    "<IMG SRC=\"jav&#x0D;ascript:alert('XSS');\">",
    "<a href=\"&#x6A;avascript&#x3A;alert(1)\">entity</a>",
    "<a href=\"&#106avascript:alert(1)\">entity without semicolon</a>",
    "<a href=\"javascript&colon;alert(1)\">named colon</a>",
    "<a href=\"jav&Tab;ascript:alert(1)\">named tab</a>",
    "<isindex type=image src=1 onerror=alert(1)>",
    "<p>Безопасный <b>текст</b> и ссылка <a href=\"https://school.example\">школы</a></p>",
];

/// Tags rich text may hold.
const TAGS: &[&str] = &[
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
];

/// The attributes a video player (`iframe`) holds besides its `src`, with
/// the only value each may have.
const PLAYER_ATTRIBUTES: &[(&str, &str)] = &[
    ("class", "ql-video"),
    ("allowfullscreen", "true"),
    ("frameborder", "0"),
    ("loading", "lazy"),
    ("referrerpolicy", "strict-origin-when-cross-origin"),
    (
        "allow",
        "autoplay; encrypted-media; fullscreen; picture-in-picture",
    ),
];

/// Attributes rich text may hold (any tag).
const ATTRIBUTES: &[&str] = &[
    "href",
    "target",
    "rel",
    "src",
    "alt",
    "width",
    "height",
    "data-list",
    "data-language",
    "data-value",
    "class",
];

/// Why `html` (sanitised output) holds active content, or `None` when it
/// holds none: a tag or attribute outside the rich-text allow-list, an
/// unclosed tag, or a link or image target with an unsafe scheme.
#[must_use]
pub fn active_content(html: &str) -> Option<String> {
    let bytes: Vec<char> = html.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != '<' {
            i += 1;
            continue;
        }
        // A tag: `<name attr="value" ...>` or `</name>`.
        let mut j = i + 1;
        let closing = bytes.get(j) == Some(&'/');
        if closing {
            j += 1;
        }
        let name_start = j;
        while j < bytes.len() && !bytes[j].is_whitespace() && bytes[j] != '>' && bytes[j] != '/' {
            j += 1;
        }
        let name: String = bytes[name_start..j]
            .iter()
            .collect::<String>()
            .to_lowercase();
        if !TAGS.contains(&name.as_str()) {
            return Some(format!("tag <{name}> at {i}"));
        }
        // Attributes until the closing `>`, values in double quotes.
        loop {
            while j < bytes.len() && (bytes[j].is_whitespace() || bytes[j] == '/') {
                j += 1;
            }
            match bytes.get(j) {
                None => return Some(format!("unclosed tag <{name}>")),
                Some('>') => {
                    j += 1;
                    break;
                }
                Some(_) => {}
            }
            let attr_start = j;
            while j < bytes.len() && bytes[j] != '=' && bytes[j] != '>' && !bytes[j].is_whitespace()
            {
                j += 1;
            }
            let attr: String = bytes[attr_start..j]
                .iter()
                .collect::<String>()
                .to_lowercase();
            let mut value = String::new();
            if bytes.get(j) == Some(&'=') {
                j += 1;
                if bytes.get(j) != Some(&'"') {
                    return Some(format!("unquoted value of {attr} in <{name}>"));
                }
                j += 1;
                while j < bytes.len() && bytes[j] != '"' {
                    value.push(bytes[j]);
                    j += 1;
                }
                j += 1;
            }
            if name == "iframe" && !closing {
                // A player: an allowed service's `src`, the fixed rest.
                let ok = if attr == "src" {
                    let url = decode_entities(&value);
                    crate::richtext::allowed_player_for_tests(&url).as_deref() == Some(url.as_str())
                } else {
                    PLAYER_ATTRIBUTES.contains(&(attr.as_str(), value.as_str()))
                };
                if !ok {
                    return Some(format!("{attr}={value:?} in <iframe>"));
                }
                continue;
            }
            if closing || !ATTRIBUTES.contains(&attr.as_str()) {
                return Some(format!("attribute {attr:?} in <{name}>"));
            }
            if (attr == "href" || attr == "src") && !safe_url(&value) {
                return Some(format!("{attr}={value:?} in <{name}>"));
            }
            if attr == "target" && value != "_blank" {
                return Some(format!("target={value:?}"));
            }
        }
        i = j;
    }
    None
}

/// Whether a URL (as serialised in an attribute) is safe to follow: its
/// scheme, read as a browser would, is `http`, `https`, `mailto` or `tel`,
/// or it has none (relative).
fn safe_url(raw: &str) -> bool {
    let decoded = decode_entities(raw);
    let cleaned: String = decoded
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_lowercase();
    // Only `[a-z][a-z0-9+.-]*` before the first colon is a scheme (RFC 3986);
    // anything else (`/a:b`, a leading backtick) is a relative reference.
    let is_scheme = |s: &str| {
        s.starts_with(|c: char| c.is_ascii_alphabetic())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'))
    };
    match cleaned.split_once(':') {
        Some((scheme, _)) if is_scheme(scheme) => {
            matches!(scheme, "http" | "https" | "mailto" | "tel")
        }
        _ => true,
    }
}

/// Decodes numeric entities and the few named ones a serialiser emits or
/// an attacker uses to hide a scheme.
fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let tail = &rest[at + 1..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '#'))
            .unwrap_or(tail.len());
        let entity = &tail[..end];
        let decoded = if let Some(num) = entity
            .strip_prefix("#x")
            .or_else(|| entity.strip_prefix("#X"))
        {
            u32::from_str_radix(num, 16).ok().and_then(char::from_u32)
        } else if let Some(num) = entity.strip_prefix('#') {
            num.parse().ok().and_then(char::from_u32)
        } else {
            match entity {
                "amp" => Some('&'),
                "quot" => Some('"'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "colon" => Some(':'),
                "Tab" | "tab" => Some('\t'),
                "NewLine" => Some('\n'),
                "nbsp" => Some('\u{a0}'),
                _ => None,
            }
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = tail[end..].strip_prefix(';').unwrap_or(&tail[end..]);
            }
            None => {
                out.push('&');
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_check_finds_what_it_must() {
        for bad in [
            "<script>x</script>",
            "<p onclick=\"x\">a</p>",
            "<a href=\"javascript:x\">a</a>",
            "<a href=\"java&#115;cript:x\">a</a>",
            "<a href=\" JAVA\tSCRIPT:x\">a</a>",
            "<img src=\"data:image/svg+xml,x\">",
            "<p style=\"x\">a</p>",
            "<svg></svg>",
            "<a href=\"x\" target=\"_self\">a</a>",
        ] {
            assert!(active_content(bad).is_some(), "{bad}");
        }
        for good in [
            "<p>a &lt;script&gt;</p>",
            "<a href=\"https://x.example/?a=1&amp;b=2\" rel=\"noopener noreferrer nofollow\" target=\"_blank\">a</a>",
            "<a href=\"/relative/path:with-colon\">a</a>",
            "<img src=\"https://x.example/i.png\" alt=\"x\">",
            "<p class=\"ql-align-center\">a<br>b</p>",
        ] {
            assert_eq!(active_content(good), None, "{good}");
        }
    }
}
