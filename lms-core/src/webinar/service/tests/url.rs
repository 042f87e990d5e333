//! Webinar service tests: The external-link rules.

use super::*;

#[test]
fn external_url_examples() {
    for ok in [
        "https://zoom.us/j/123?pwd=abc",
        "http://videomost.school.ru:8080/room#x",
        "HTTPS://Telemost.Yandex.ru/j/1",
        "https://пример.рф/комната",
        "https://[2001:db8::1]:8443/r",
        "https://10.0.0.5",
        "https://meet.local?x=1",
    ] {
        assert_eq!(parse_external_url(ok).as_deref(), Ok(ok), "{ok}");
    }
    for (bad, why) in [
        ("", ExternalUrlError::Missing),
        ("zoom.us/j/1", ExternalUrlError::Scheme),
        ("mailto:a@b.ru", ExternalUrlError::Scheme),
        ("file:///etc/passwd", ExternalUrlError::Scheme),
        ("https://", ExternalUrlError::Host),
        ("https://:80/x", ExternalUrlError::Host),
        ("https://host:/x", ExternalUrlError::Host),
        ("https://host:0", ExternalUrlError::Host),
        ("https://host:65536", ExternalUrlError::Host),
        ("https://-bad.ru", ExternalUrlError::Host),
        ("https://a..ru", ExternalUrlError::Host),
        ("https://a_b.ru", ExternalUrlError::Host),
        ("https://[zz]/", ExternalUrlError::Host),
        ("https://[::1", ExternalUrlError::Host),
        ("https://user:pw@zoom.us/", ExternalUrlError::Malformed),
        ("https://zoom.us/\u{7}", ExternalUrlError::Malformed),
    ] {
        assert_eq!(parse_external_url(bad), Err(why), "{bad:?}");
    }
    let long = format!("https://zoom.us/{}", "a".repeat(MAX_URL_LEN));
    assert_eq!(parse_external_url(&long), Err(ExternalUrlError::Malformed));
}

fn host() -> impl Strategy<Value = String> {
    proptest::collection::vec("[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", 1..4)
        .prop_map(|labels| labels.join("."))
}

proptest! {
    #[test]
    fn well_formed_links_are_accepted_as_typed(
        scheme in prop::sample::select(vec!["http", "https", "HTTPS", "Http"]),
        host in host(),
        port in prop::option::of(1u16..=u16::MAX),
        path in "(/[a-zA-Z0-9._~%-]{0,8}){0,3}",
        query in prop::option::of("[a-z0-9=&]{0,12}"),
    ) {
        let mut url = format!("{scheme}://{host}");
        if let Some(p) = port { url.push_str(&format!(":{p}")); }
        url.push_str(&path);
        if let Some(q) = query { url.push('?'); url.push_str(&q); }
        prop_assert_eq!(parse_external_url(&format!(" {url}\t")), Ok(url));
    }

    #[test]
    fn other_schemes_are_refused(scheme in "[a-z][a-z0-9+.-]{0,8}", host in host()) {
        prop_assume!(scheme != "http" && scheme != "https");
        prop_assert_eq!(
            parse_external_url(&format!("{scheme}://{host}/")),
            Err(ExternalUrlError::Scheme)
        );
    }

    #[test]
    fn inner_whitespace_is_refused(host in host(), at in 0usize..100, ws in prop::sample::select(vec![' ', '\t', '\n', '\u{a0}'])) {
        let url = format!("https://{host}/room");
        let chars: Vec<char> = url.chars().collect();
        let at = 1 + at % (chars.len() - 1);
        let mut broken: String = chars[..at].iter().collect();
        broken.push(ws);
        broken.extend(&chars[at..]);
        prop_assert!(parse_external_url(&broken).is_err(), "{:?}", broken);
    }

    #[test]
    fn anything_accepted_is_an_http_link(s in ".{0,64}") {
        if let Ok(url) = parse_external_url(&s) {
            let lower = url.to_ascii_lowercase();
            prop_assert!(lower.starts_with("http://") || lower.starts_with("https://"));
            prop_assert!(!url.chars().any(char::is_whitespace));
        }
    }
}
