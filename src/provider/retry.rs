//! When to try again: exponential backoff with jitter, and the server's own `Retry-After`.
//!
//! One [`RetryPolicy`] budget covers every transient failure of one request (429, 5xx, resets,
//! cuts before anything was shown, DeepSeek's `insufficient_system_resource`), and the HTTP
//! client itself never retries, so retry layers cannot multiply. Pure functions only; the
//! sleeping happens in `client`.

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;

use crate::config::RetryPolicy;

/// The wait before retry number `attempt` (1-based). `jitter` in `[0, 1)` spreads clients that
/// failed together ("equal jitter": half the delay fixed, half random). A server's `Retry-After`
/// wins over the backoff; every wait is capped at `max_delay`.
pub fn delay(
    policy: &RetryPolicy,
    attempt: u32,
    retry_after: Option<Duration>,
    jitter: f64,
) -> Duration {
    if let Some(ra) = retry_after {
        return ra.min(policy.max_delay);
    }
    let exp = policy
        .base_delay
        .saturating_mul(1u32 << attempt.saturating_sub(1).min(20))
        .min(policy.max_delay);
    exp.mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0))
}

/// The wait a response asks for: OpenAI's `retry-after-ms`, else `Retry-After` in seconds or as
/// an HTTP date (RFC 9110 §10.2.3).
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(ms) = header("retry-after-ms").and_then(|v| v.parse::<f64>().ok()) {
        return Duration::try_from_secs_f64(ms / 1000.0).ok();
    }
    let v = header("retry-after")?;
    if let Ok(secs) = v.parse::<f64>() {
        return Duration::try_from_secs_f64(secs).ok();
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use reqwest::header::HeaderValue;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_retries: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
        }
    }

    #[test]
    fn backoff_doubles_with_jitter_and_caps() {
        let p = policy();
        assert_eq!(delay(&p, 1, None, 0.0), Duration::from_millis(50));
        assert_eq!(delay(&p, 1, None, 0.999_999).as_millis(), 99);
        assert_eq!(delay(&p, 3, None, 0.0), Duration::from_millis(200));
        assert_eq!(delay(&p, 30, None, 0.0), Duration::from_secs(1));
        assert_eq!(
            delay(&p, 2, Some(Duration::from_secs(1)), 0.3),
            Duration::from_secs(1)
        );
        assert_eq!(
            delay(&p, 2, Some(Duration::from_secs(99)), 0.3),
            Duration::from_secs(2)
        );
    }

    #[test]
    fn retry_after_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h, now), None);
        h.insert("retry-after", HeaderValue::from_static("3"));
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(3)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(7));
        h.insert("retry-after", HeaderValue::from_str(&later).unwrap());
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(7)));
        h.insert("retry-after", HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h, now), None);
        h.insert("retry-after-ms", HeaderValue::from_static("250"));
        assert_eq!(retry_after(&h, now), Some(Duration::from_millis(250)));
    }

    proptest! {
        #[test]
        fn delays_stay_within_the_cap(attempt in 0u32..100, jitter in -1.0f64..2.0, ra in proptest::option::of(0u64..1_000_000)) {
            let d = delay(&policy(), attempt, ra.map(Duration::from_millis), jitter);
            prop_assert!(d <= policy().max_delay);
        }

        #[test]
        fn retry_after_never_panics(v in "\\PC{0,40}") {
            let mut h = HeaderMap::new();
            if let Ok(v) = HeaderValue::from_str(&v) {
                h.insert("retry-after", v.clone());
                h.insert("retry-after-ms", v);
            }
            let _ = retry_after(&h, SystemTime::now());
        }
    }
}
