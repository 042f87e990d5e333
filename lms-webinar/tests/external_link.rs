//! The external-link provider: the teacher's link goes to students as is.

mod common;

use common::spec;
use lms_webinar::{ExternalLinkProvider, ProviderError, ProviderKind, WebinarProvider};

#[tokio::test]
async fn the_pasted_link_is_the_join_link_through_the_whole_cycle() {
    let provider = ExternalLinkProvider::new();
    assert_eq!(provider.kind(), ProviderKind::ExternalLink);
    let mut webinar = spec();
    webinar.external_url = Some("  https://videomost.school.ru/room/42?pin=1234 ".into());

    let conference = provider.create(&webinar).await.unwrap();
    assert_eq!(
        conference.join_url,
        "https://videomost.school.ru/room/42?pin=1234"
    );
    assert_eq!(conference.conference_id, None);
    assert_eq!(conference.host_url, None);

    // Rescheduling: the service passes the stored link back.
    webinar.external_url = Some(conference.join_url.clone());
    let same = provider.update(None, &webinar).await.unwrap();
    assert_eq!(same, conference);

    // A new link replaces the old one.
    webinar.external_url = Some("https://zoom.us/j/987654321".into());
    let changed = provider.update(None, &webinar).await.unwrap();
    assert_eq!(changed.join_url, "https://zoom.us/j/987654321");

    provider.delete(None).await.unwrap();
    provider.delete(Some("anything".into())).await.unwrap();
}

#[tokio::test]
async fn bad_or_missing_links_are_refused_permanently() {
    let provider = ExternalLinkProvider::new();
    for (link, why) in [
        (None, "external_url is required"),
        (Some("zoom.us/j/1"), "http:// or https://"),
        (Some("javascript:alert(1)"), "http:// or https://"),
        (Some("https://user:pw@zoom.us/j/1"), "malformed"),
        (Some("https://-bad-.ru/"), "valid host"),
    ] {
        let mut webinar = spec();
        webinar.external_url = link.map(str::to_owned);
        for result in [
            provider.create(&webinar).await,
            provider.update(None, &webinar).await,
        ] {
            let err = result.unwrap_err();
            assert!(
                matches!(&err, ProviderError::Permanent(m) if m.contains(why)),
                "{link:?}: {err:?}"
            );
        }
    }
}
