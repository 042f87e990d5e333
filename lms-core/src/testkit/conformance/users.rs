//! Conformance of [`UserStore`](crate::user::UserStore): accounts,
//! credentials and calendar-feed tokens.

use super::fixtures::{
    add_user, assert_conflict, assert_not_found, ok, password_hash, sorted, t0, user,
    user_with_email,
};
use crate::error::{Conflict, StorageError};
use crate::ids::UserId;
use crate::page::Page;
use crate::ports::Storage;
use crate::user::{DisplayName, Email, FeedLink, Locale, Role, TimeZone, TokenHash, User};

/// A stored user reads back unchanged by id and by (normalised) e-mail.
pub async fn users_round_trip(storage: Storage) {
    let mut u = user(Role::Teacher);
    u.locale = Locale::En;
    u.time_zone = TimeZone::parse("Asia/Yekaterinburg").expect("valid zone");
    ok(
        storage
            .users
            .insert_user(&u, Some(password_hash("a")))
            .await,
        "insert_user",
    );
    assert_eq!(
        ok(storage.users.get_user(u.id).await, "get_user"),
        Some(u.clone()),
        "get_user must return every field as inserted"
    );
    assert_eq!(
        ok(storage.users.find_user_by_email(&u.email).await, "find"),
        Some(u.clone()),
        "find_user_by_email must find the inserted user"
    );
    let shouted = Email::parse(&u.email.as_str().to_uppercase()).expect("valid e-mail");
    assert_eq!(
        ok(storage.users.find_user_by_email(&shouted).await, "find"),
        Some(u.clone()),
        "e-mail lookup uses the normalised address"
    );
    assert_eq!(
        ok(storage.users.get_user(UserId::new()).await, "get_user"),
        None,
        "an unknown id is None"
    );
    let nobody = Email::parse("nobody@school.example").expect("valid e-mail");
    assert_eq!(
        ok(storage.users.find_user_by_email(&nobody).await, "find"),
        None,
        "an unknown address is None"
    );
}

/// `get_users` returns the known users of the list and skips unknown ids.
pub async fn get_users_skips_unknown_ids(storage: Storage) {
    let a = add_user(&storage, Role::Student).await;
    let b = add_user(&storage, Role::Assistant).await;
    let _c = add_user(&storage, Role::Student).await;
    let mut got = ok(
        storage.users.get_users(&[b.id, UserId::new(), a.id]).await,
        "get_users",
    );
    got.sort_by_key(|u| u.id);
    let mut want = vec![a, b];
    want.sort_by_key(|u| u.id);
    assert_eq!(
        got, want,
        "get_users returns exactly the known requested users"
    );
    assert!(
        ok(storage.users.get_users(&[]).await, "get_users(empty)").is_empty(),
        "no ids, no users"
    );
}

/// A second user with a taken address is refused with `Conflict(Email)` and not stored.
pub async fn duplicate_email_is_a_conflict(storage: Storage) {
    let a = add_user(&storage, Role::Teacher).await;
    let mut b = user(Role::Student);
    b.email = a.email.clone();
    assert_conflict(
        storage.users.insert_user(&b, None).await,
        Conflict::Email,
        "insert_user with a taken e-mail",
    );
    assert_eq!(
        ok(storage.users.get_user(b.id).await, "get_user"),
        None,
        "the refused user must not be stored"
    );
    assert_eq!(
        ok(storage.users.find_user_by_email(&a.email).await, "find"),
        Some(a),
        "the address still belongs to the first user"
    );
}

/// `update_user` replaces e-mail, name, role, locale, zone and active flag,
/// but not the creation time.
pub async fn update_user_replaces_profile_fields(storage: Storage) {
    let original = add_user(&storage, Role::Student).await;
    let mut changed = original.clone();
    changed.email = Email::parse("renamed@school.example").expect("valid e-mail");
    changed.display_name = DisplayName::parse("Мария Иванова").expect("valid name");
    changed.role = Role::Assistant;
    changed.locale = Locale::En;
    changed.time_zone = TimeZone::parse("Asia/Vladivostok").expect("valid zone");
    changed.active = false;
    let mut sent = changed.clone();
    sent.created_at = t0() + chrono::Duration::days(3);
    ok(storage.users.update_user(&sent).await, "update_user");
    assert_eq!(
        ok(storage.users.get_user(original.id).await, "get_user"),
        Some(changed.clone()),
        "profile fields are replaced and created_at is kept"
    );
    assert_eq!(
        ok(
            storage.users.find_user_by_email(&original.email).await,
            "find"
        ),
        None,
        "the old address no longer finds the user"
    );
    assert_eq!(
        ok(
            storage.users.find_user_by_email(&changed.email).await,
            "find"
        ),
        Some(changed),
        "the new address finds the user"
    );
}

/// `update_user` refuses a taken address and reports unknown ids.
pub async fn update_user_conflict_and_not_found(storage: Storage) {
    let a = add_user(&storage, Role::Teacher).await;
    let b = add_user(&storage, Role::Student).await;
    let mut stolen = b.clone();
    stolen.email = a.email.clone();
    stolen.display_name = DisplayName::parse("Другое имя").expect("valid name");
    assert_conflict(
        storage.users.update_user(&stolen).await,
        Conflict::Email,
        "update_user to a taken e-mail",
    );
    assert_eq!(
        ok(storage.users.get_user(b.id).await, "get_user"),
        Some(b),
        "a refused update changes nothing"
    );
    assert_not_found(
        storage.users.update_user(&user(Role::Student)).await,
        "update_user of an unknown id",
    );
}

/// `list_users` orders by e-mail and pages with limit and offset.
pub async fn list_users_by_email_with_pages(storage: Storage) {
    let emails = [
        "dina@school.example",
        "anna@school.example",
        "egor@school.example",
        "boris@school.example",
        "clara@school.example",
    ];
    for e in emails {
        ok(
            storage
                .users
                .insert_user(&user_with_email(Role::Student, e), None)
                .await,
            "insert_user",
        );
    }
    let page = |limit, offset| {
        let storage = storage.clone();
        async move {
            ok(
                storage.users.list_users(Page::new(limit, offset)).await,
                "list_users",
            )
            .into_iter()
            .map(|u| u.email.as_str().to_owned())
            .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        page(50, 0).await,
        sorted(&emails.map(str::to_owned)),
        "every user, ordered by e-mail"
    );
    assert_eq!(
        page(2, 0).await,
        ["anna@school.example", "boris@school.example"],
        "first page"
    );
    assert_eq!(
        page(2, 2).await,
        ["clara@school.example", "dina@school.example"],
        "second page"
    );
    assert_eq!(page(2, 4).await, ["egor@school.example"], "last page");
    assert!(page(2, 6).await.is_empty(), "past the end is empty");
}

/// Credentials follow password changes; users without a password have none.
pub async fn credentials_follow_password_changes(storage: Storage) {
    let with = user(Role::Teacher);
    ok(
        storage
            .users
            .insert_user(&with, Some(password_hash("first")))
            .await,
        "insert_user",
    );
    let (u, h) = ok(
        storage.users.credentials_by_email(&with.email).await,
        "creds",
    )
    .expect("a user with a password has credentials");
    assert_eq!(u, with, "credentials carry the user");
    assert_eq!(
        h,
        password_hash("first"),
        "credentials carry the stored hash"
    );

    ok(
        storage
            .users
            .set_password_hash(with.id, &password_hash("second"))
            .await,
        "set_password_hash",
    );
    let (_, h) = ok(
        storage.users.credentials_by_email(&with.email).await,
        "creds",
    )
    .expect("still has credentials");
    assert_eq!(h, password_hash("second"), "the hash was replaced");

    let without = user(Role::Student);
    ok(
        storage.users.insert_user(&without, None).await,
        "insert_user",
    );
    assert_eq!(
        ok(
            storage.users.credentials_by_email(&without.email).await,
            "creds"
        ),
        None,
        "a user without a password cannot log in"
    );
    ok(
        storage
            .users
            .set_password_hash(without.id, &password_hash("set-later"))
            .await,
        "set_password_hash",
    );
    let (_, h) = ok(
        storage.users.credentials_by_email(&without.email).await,
        "creds",
    )
    .expect("a password set later gives credentials");
    assert_eq!(h, password_hash("set-later"));

    assert_not_found(
        storage
            .users
            .set_password_hash(UserId::new(), &password_hash("x"))
            .await,
        "set_password_hash of an unknown id",
    );
    let nobody = Email::parse("nobody@school.example").expect("valid e-mail");
    assert_eq!(
        ok(storage.users.credentials_by_email(&nobody).await, "creds"),
        None,
        "an unknown address has no credentials"
    );
}

/// A feed token finds its user; setting a new one replaces the old one.
pub async fn feed_tokens_are_replaced(storage: Storage) {
    let a = add_user(&storage, Role::Student).await;
    let b = add_user(&storage, Role::Student).await;
    let first = TokenHash::of("feed-token-1");
    let second = TokenHash::of("feed-token-2");
    let other = TokenHash::of("feed-token-b");
    ok(
        storage.users.set_feed_token(a.id, &first).await,
        "set_feed_token",
    );
    ok(
        storage.users.set_feed_token(b.id, &other).await,
        "set_feed_token",
    );
    let find = |h: TokenHash| {
        let storage = storage.clone();
        async move {
            ok(
                storage.users.user_by_feed_token(&h).await,
                "user_by_feed_token",
            )
            .map(|u: User| u.id)
        }
    };
    assert_eq!(
        find(first.clone()).await,
        Some(a.id),
        "the token finds its user"
    );
    assert_eq!(
        find(other.clone()).await,
        Some(b.id),
        "each user has their own"
    );
    ok(
        storage.users.set_feed_token(a.id, &second).await,
        "set_feed_token",
    );
    assert_eq!(
        find(first).await,
        None,
        "the replaced token no longer works"
    );
    assert_eq!(find(second).await, Some(a.id), "the new token works");
    assert_eq!(
        find(other).await,
        Some(b.id),
        "other users' tokens are untouched"
    );
    assert_eq!(
        find(TokenHash::of("never-issued")).await,
        None,
        "an unknown token finds nobody"
    );
}

/// A calendar link is shown again until it is replaced; its token finds
/// its user; revoking the feed (a bare hash) forgets the link; a token
/// another user holds is refused.
pub async fn feed_links_are_kept_until_replaced(storage: Storage) {
    let a = add_user(&storage, Role::Student).await;
    let b = add_user(&storage, Role::Student).await;
    let at = |s: &str| s.parse::<chrono::DateTime<chrono::Utc>>().unwrap();
    let link = |token: &str, when: &str| FeedLink {
        token: token.to_owned(),
        created_at: at(when),
    };
    assert_eq!(
        ok(storage.users.feed_link(a.id).await, "feed_link"),
        None,
        "a new account has no link"
    );
    let first = link("feed-link-1", "2026-12-01T10:00:00Z");
    ok(
        storage.users.set_feed_link(a.id, &first).await,
        "set_feed_link",
    );
    assert_eq!(
        ok(storage.users.feed_link(a.id).await, "feed_link"),
        Some(first.clone()),
        "the link is shown again, with when it was made"
    );
    let found = ok(
        storage
            .users
            .user_by_feed_token(&TokenHash::of(&first.token))
            .await,
        "user_by_feed_token",
    );
    assert_eq!(found.map(|u| u.id), Some(a.id), "its token finds its user");
    let second = link("feed-link-2", "2026-12-02T10:00:00Z");
    ok(
        storage.users.set_feed_link(a.id, &second).await,
        "set_feed_link",
    );
    assert_eq!(
        ok(storage.users.feed_link(a.id).await, "feed_link"),
        Some(second.clone()),
        "a new link replaces the old one"
    );
    assert!(
        ok(
            storage
                .users
                .user_by_feed_token(&TokenHash::of(&first.token))
                .await,
            "user_by_feed_token",
        )
        .is_none(),
        "the replaced link no longer works"
    );
    assert!(
        storage.users.set_feed_link(b.id, &second).await.is_err(),
        "another user's token is refused"
    );
    assert_eq!(
        ok(storage.users.feed_link(b.id).await, "feed_link"),
        None,
        "and nothing was stored for them"
    );
    ok(
        storage
            .users
            .set_feed_token(a.id, &TokenHash::of("revoked"))
            .await,
        "set_feed_token",
    );
    assert_eq!(
        ok(storage.users.feed_link(a.id).await, "feed_link"),
        None,
        "a revoked feed has no link to show"
    );
    assert!(
        matches!(
            storage.users.feed_link(UserId::new()).await,
            Err(StorageError::NotFound)
        ),
        "an unknown user is NotFound"
    );
}

/// A search finds accounts by e-mail prefix or by a word of the name
/// (Latin letters in any case, others as typed or capitalised), filters by
/// role and state, and pages by e-mail; `%` and `_` are no wildcards.
pub async fn search_users_by_prefix_role_and_state(storage: Storage) {
    let make = |email: &str, name: &str, role: Role, active: bool| {
        let mut u = user_with_email(role, email);
        u.display_name = crate::user::DisplayName::parse(name).expect("name");
        u.active = active;
        u
    };
    let anna = make("anna.p@school.example", "Анна Петрова", Role::Student, true);
    let petr = make("petr@school.example", "Пётр Аннин", Role::Student, false);
    let ivan = make("ivan@school.example", "Ivan Annenkov", Role::Teacher, true);
    let olga = make(
        "o_lga@school.example",
        "Ольга Сидорова",
        Role::Student,
        true,
    );
    for u in [&anna, &petr, &ivan, &olga] {
        ok(storage.users.insert_user(u, None).await, "insert_user");
    }
    let search = |query: Option<&str>, role: Option<Role>, active: Option<bool>, page: Page| {
        let storage = storage.clone();
        let filter = crate::user::UserFilter {
            query: query.map(str::to_owned),
            role,
            active,
            ..crate::user::UserFilter::default()
        };
        async move {
            ok(
                storage.users.search_users(&filter, page).await,
                "search_users",
            )
            .into_iter()
            .map(|u| u.email.as_str().to_owned())
            .collect::<Vec<_>>()
        }
    };
    let all = Page::max();
    assert_eq!(
        search(Some("анн"), None, None, all).await,
        ["anna.p@school.example", "petr@school.example"],
        "a name or a later word of it, typed in lower case"
    );
    assert_eq!(
        search(Some("ANNA."), None, None, all).await,
        ["anna.p@school.example"],
        "an e-mail prefix in any case"
    );
    assert_eq!(
        search(Some("annen"), None, None, all).await,
        ["ivan@school.example"],
        "a Latin word of the name in any case"
    );
    assert_eq!(
        search(Some("Петрова"), Some(Role::Student), Some(true), all).await,
        ["anna.p@school.example"]
    );
    assert!(
        search(Some("нна"), None, None, all).await.is_empty(),
        "a prefix, not any substring"
    );
    assert!(
        search(Some("o%"), None, None, all).await.is_empty(),
        "% is no wildcard"
    );
    assert_eq!(
        search(Some("o_"), None, None, all).await,
        ["o_lga@school.example"],
        "_ matches itself only"
    );
    assert_eq!(
        search(None, Some(Role::Student), Some(false), all).await,
        ["petr@school.example"]
    );
    assert_eq!(
        search(None, Some(Role::Teacher), None, all).await,
        ["ivan@school.example"],
        "only the role asked for"
    );
    assert_eq!(
        search(None, None, None, Page::new(2, 1)).await,
        ["ivan@school.example", "o_lga@school.example"],
        "ordered by e-mail, paged"
    );
}
