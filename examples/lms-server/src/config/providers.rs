//! The optional providers' settings: S3 files, SMTP, Telegram, TrueConf
//! and Yandex Telemost.

use super::*;

pub(super) fn s3(raw: &Raw, url: &str) -> Result<S3Config, ConfigError> {
    let rest = url.trim_start_matches("s3://");
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket.is_empty() {
        return Err(invalid(&FILES, "s3:// URL has no bucket"));
    }
    Ok(S3Config {
        bucket: bucket.to_owned(),
        prefix: prefix.trim_matches('/').to_owned(),
        endpoint: raw.parse(&S3_ENDPOINT, http_url)?,
        region: raw.string(&S3_REGION),
        access_key_id: raw.string(&S3_ACCESS_KEY_ID),
        secret_access_key: raw.secret(&S3_SECRET_ACCESS_KEY),
    })
}

pub(super) fn smtp(raw: &Raw) -> Result<Option<SmtpConfig>, ConfigError> {
    let Some(host) = raw.string(&SMTP_HOST) else {
        return Ok(None);
    };
    let security = raw
        .parse(&SMTP_SECURITY, |v| match v.to_ascii_lowercase().as_str() {
            "starttls" => Ok(SmtpSecurity::StartTls),
            "tls" => Ok(SmtpSecurity::Tls),
            "plain" => Ok(SmtpSecurity::Plain),
            _ => Err(format!("{v:?} is not one of starttls, tls, plain")),
        })?
        .unwrap_or(SmtpSecurity::StartTls);
    let port = raw
        .parse(&SMTP_PORT, |v| match v.parse::<u16>() {
            Ok(0) | Err(_) => Err(format!("{v:?} is not a port number")),
            Ok(p) => Ok(p),
        })?
        .unwrap_or(match security {
            SmtpSecurity::StartTls => 587,
            SmtpSecurity::Tls => 465,
            SmtpSecurity::Plain => 25,
        });
    Ok(Some(SmtpConfig {
        host,
        port,
        security,
        username: raw.string(&SMTP_USERNAME),
        password: raw.secret(&SMTP_PASSWORD),
        from: raw.required(&SMTP_FROM, &SMTP_HOST)?,
        reply_to: raw.string(&SMTP_REPLY_TO),
    }))
}

pub(super) fn telegram(raw: &Raw) -> Result<Option<TelegramConfig>, ConfigError> {
    let Some(bot_token) = raw.secret(&TELEGRAM_BOT_TOKEN) else {
        return Ok(None);
    };
    let bot_username = raw
        .required(&TELEGRAM_BOT_USERNAME, &TELEGRAM_BOT_TOKEN)?
        .trim_start_matches('@')
        .to_owned();
    Ok(Some(TelegramConfig {
        bot_token,
        bot_username,
        api_url: raw.parse(&TELEGRAM_API_URL, http_url)?,
    }))
}

pub(super) fn trueconf(raw: &Raw) -> Result<Option<TrueConfSettings>, ConfigError> {
    let Some(server_url) = raw.parse(&TRUECONF_SERVER_URL, http_url)? else {
        return Ok(None);
    };
    Ok(Some(TrueConfSettings {
        server_url,
        client_id: raw.required(&TRUECONF_CLIENT_ID, &TRUECONF_SERVER_URL)?,
        client_secret: Secret::new(raw.required(&TRUECONF_CLIENT_SECRET, &TRUECONF_SERVER_URL)?),
        owner: raw.required(&TRUECONF_OWNER, &TRUECONF_SERVER_URL)?,
        api_minor_version: raw.parse(&TRUECONF_API_VERSION, |v| {
            let minor = v.strip_prefix("3.").unwrap_or(v);
            minor
                .parse::<u8>()
                .map_err(|_| format!("{v:?} is not an API version such as 3.11"))
        })?,
    }))
}

pub(super) fn telemost(raw: &Raw) -> Result<Option<TelemostSettings>, ConfigError> {
    let Some(token) = raw.secret(&TELEMOST_TOKEN) else {
        return Ok(None);
    };
    Ok(Some(TelemostSettings {
        token,
        api_url: raw.parse(&TELEMOST_API_URL, http_url)?,
    }))
}
