//! Reads an HTTP error answer (status, headers, body) into a [`ProviderError`] kind.
//!
//! Servers agree on little beyond the status code: the body is usually OpenAI's
//! `{"error": {"message", "type", "code"}}`, sometimes plain text. The kinds that matter are
//! recognised from the status plus the code or message (context length, a model that does not
//! exist, an exhausted quota sent as 429). Pure; the key is scrubbed from every message.

use std::time::Duration;

use super::error::ProviderError;
use super::stream::clip;
use crate::config::Secret;

/// What the request was, for messages that name it.
pub struct Ctx<'a> {
    pub url: &'a str,
    pub model: &'a str,
    pub key_env: Option<&'a str>,
    pub key: Option<&'a Secret>,
}

/// The message and the code (or type) of an error body.
pub fn error_body(body: &str) -> (String, Option<String>) {
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or(serde_json::Value::Null);
    let err = if v["error"].is_null() {
        &v
    } else {
        &v["error"]
    };
    let message = err["message"]
        .as_str()
        .or_else(|| err.as_str())
        .or_else(|| v["detail"].as_str())
        .map(str::to_string)
        .unwrap_or_else(|| clip(body.trim()));
    let code = [&err["code"], &err["type"]]
        .into_iter()
        .find_map(|c| match c {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        });
    (message, code)
}

/// Whether an error is about the prompt being too long for the model.
pub fn is_context_length(message: &str, code: Option<&str>) -> bool {
    let m = message.to_ascii_lowercase();
    let c = code.unwrap_or("").to_ascii_lowercase();
    c.contains("context_length")
        || c.contains("exceed_context")
        || m.contains("maximum context length")
        || m.contains("context length")
        || m.contains("context window")
        || m.contains("exceeds the available context")
}

/// Whether an error says the model does not exist (DeepSeek: 400 "Model Not Exist").
pub fn is_missing_model(message: &str, code: Option<&str>) -> bool {
    let m = message.to_ascii_lowercase();
    code == Some("model_not_found")
        || m.contains("model not exist")
        || m.contains("model_not_found")
        || (m.contains("model") && m.contains("does not exist"))
}

/// The kind of a non-2xx answer.
pub fn classify(
    status: u16,
    body: &str,
    retry_after: Option<Duration>,
    ctx: &Ctx<'_>,
) -> ProviderError {
    let (message, code) = error_body(body);
    let message = match ctx.key {
        Some(k) => k.scrub(&message),
        None => message,
    };
    let code = code.as_deref();
    let url = ctx.url.to_string();
    let model = ctx.model.to_string();
    if (400..500).contains(&status) && is_context_length(&message, code) {
        return ProviderError::ContextLength { message };
    }
    if matches!(status, 400 | 404) && is_missing_model(&message, code) {
        return ProviderError::ModelNotFound {
            model,
            url,
            message,
            available: Vec::new(),
        };
    }
    match status {
        400 => ProviderError::BadRequest { url, message },
        401 | 403 => ProviderError::Auth {
            status,
            message,
            key_env: ctx.key_env.map(str::to_string),
        },
        402 => ProviderError::Balance { message },
        404 => ProviderError::NotFound {
            url,
            model,
            message,
        },
        422 => ProviderError::Unprocessable { message },
        // OpenAI reports an exhausted quota as 429; waiting does not help.
        429 if code == Some("insufficient_quota") => ProviderError::Balance { message },
        429 => ProviderError::RateLimited {
            message,
            retry_after,
        },
        500..=599 => ProviderError::Server {
            status,
            message,
            retry_after,
        },
        _ => ProviderError::Status { status, message },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ctx(key: Option<&Secret>) -> Ctx<'_> {
        Ctx {
            url: "http://h/v1/chat/completions",
            model: "m",
            key_env: Some("DEEPSEEK_API_KEY"),
            key,
        }
    }

    fn kind(status: u16, body: &str) -> ProviderError {
        classify(status, body, None, &ctx(None))
    }

    #[test]
    fn recognises_the_kinds() {
        let ds = r#"{"error":{"message":"Model Not Exist","type":"invalid_request_error","param":null,"code":"invalid_request_error"}}"#;
        assert!(matches!(kind(400, ds), ProviderError::ModelNotFound { .. }));
        let cl = r#"{"error":{"message":"This model's maximum context length is 131072 tokens. However, you requested 200000 tokens","code":"invalid_request_error"}}"#;
        assert!(matches!(kind(400, cl), ProviderError::ContextLength { .. }));
        let llama = r#"{"error":{"code":400,"message":"the request exceeds the available context size","type":"exceed_context_size_error"}}"#;
        assert!(matches!(
            kind(400, llama),
            ProviderError::ContextLength { .. }
        ));
        assert!(
            matches!(kind(400, "{\"error\":{\"message\":\"bad\"}}"), ProviderError::BadRequest { message, .. } if message == "bad")
        );
        assert!(matches!(
            kind(401, "{}"),
            ProviderError::Auth { status: 401, .. }
        ));
        assert!(
            matches!(kind(402, "Insufficient Balance"), ProviderError::Balance { message } if message == "Insufficient Balance")
        );
        assert!(matches!(
            kind(404, "not found"),
            ProviderError::NotFound { .. }
        ));
        assert!(
            matches!(kind(422, "{\"detail\":\"bad field\"}"), ProviderError::Unprocessable { message } if message == "bad field")
        );
        assert!(matches!(
            kind(
                429,
                r#"{"error":{"message":"q","code":"insufficient_quota"}}"#
            ),
            ProviderError::Balance { .. }
        ));
        let rl = classify(429, "slow down", Some(Duration::from_secs(2)), &ctx(None));
        assert_eq!(rl.retry_after(), Some(Duration::from_secs(2)));
        assert!(matches!(
            kind(503, ""),
            ProviderError::Server { status: 503, .. }
        ));
        assert!(matches!(
            kind(418, ""),
            ProviderError::Status { status: 418, .. }
        ));
    }

    #[test]
    fn the_key_is_scrubbed_from_server_text() {
        let key = Secret::new("sk-live-0123456789abcdef");
        let e = classify(
            401,
            r#"{"error":{"message":"Incorrect API key provided: sk-live-0123456789abcdef"}}"#,
            None,
            &ctx(Some(&key)),
        );
        assert!(!e.to_string().contains("0123456789"), "{e}");
    }

    proptest! {
        #[test]
        fn classify_never_panics(status in 100u16..600, body in "\\PC{0,200}") {
            let _ = classify(status, &body, None, &ctx(None)).to_string();
        }
    }
}
