//! What requests cost: each priced by the band (off-peak or peak) of the moment it was sent, and
//! the session's bill as the sum of its requests, with which bands it paid.
//!
//! Pure: the send time is a value the caller stamps on the request (the agent's clock, which a
//! test may replace), never read here. Must not print or know a front end.

use std::time::SystemTime;

use crate::config::{ModelPrices, Rate};
use crate::provider::Usage;

/// What `usage` cost, in US dollars, for a request sent at `sent_at`, and the band that applied.
pub fn price(prices: &ModelPrices, usage: &Usage, sent_at: SystemTime) -> (f64, Rate) {
    let (p, rate) = prices.at(sent_at);
    (usage.cost(&p), rate)
}

/// A session's cost so far, and how many of its priced requests fell in each band.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Bill {
    pub usd: f64,
    pub off_peak: u32,
    pub peak: u32,
}

impl Bill {
    /// A bill for usage priced at once, with no band known (a resumed session's earlier
    /// requests, whose send times were not kept).
    pub fn carried(usd: f64) -> Bill {
        Bill {
            usd,
            ..Bill::default()
        }
    }

    pub fn add(&mut self, usd: f64, rate: Rate) {
        self.usd += usd;
        match rate {
            Rate::OffPeak => self.off_peak += 1,
            Rate::Peak => self.peak += 1,
        }
    }

    /// `off-peak`, `peak`, or `mixed` when the session spans both; `None` before any request.
    pub fn rate(&self) -> Option<&'static str> {
        match (self.off_peak, self.peak) {
            (0, 0) => None,
            (_, 0) => Some(Rate::OffPeak.as_str()),
            (0, _) => Some(Rate::Peak.as_str()),
            _ => Some("mixed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{PriceTable, presets};
    use std::time::{Duration, UNIX_EPOCH};

    /// Wednesday 2026-12-02 at `h`:00 UTC.
    fn wed(h: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_796_169_600 + h * 3600)
    }

    fn flash() -> ModelPrices {
        let table: PriceTable = presets::builtin()["deepseek"].prices.clone().unwrap();
        table.for_model("deepseek-flash").unwrap()
    }

    #[test]
    fn deepseek_flash_off_peak_and_peak() {
        let u = Usage {
            prompt_tokens: 3_000_000,
            completion_tokens: 1_000_000,
            cache_hit_tokens: 2_000_000,
            cache_miss_tokens: 1_000_000,
            reasoning_tokens: 0,
        };
        // 12:00 UTC is 20:00 in Beijing: off-peak. 0.003×2 + 0.15 + 0.60.
        let (usd, rate) = price(&flash(), &u, wed(12));
        assert_eq!(rate, Rate::OffPeak);
        assert!((usd - 0.756).abs() < 1e-9, "{usd}");
        // 02:00 UTC is 10:00 in Beijing: peak. 0.006×2 + 0.30 + 1.20.
        let (usd, rate) = price(&flash(), &u, wed(2));
        assert_eq!(rate, Rate::Peak);
        assert!((usd - 1.512).abs() < 1e-9, "{usd}");
    }

    #[test]
    fn v4_pro_has_its_own_prices() {
        let table = presets::builtin()["deepseek"].prices.clone().unwrap();
        let pro = table.for_model("deepseek-v4-pro").unwrap();
        let u = Usage {
            completion_tokens: 1_000_000,
            ..Usage::default()
        };
        assert!((price(&pro, &u, wed(12)).0 - 1.98).abs() < 1e-9);
        assert!((price(&pro, &u, wed(2)).0 - 3.96).abs() < 1e-9);
    }

    #[test]
    fn a_bill_names_its_bands() {
        let mut b = Bill::default();
        assert_eq!(b.rate(), None);
        b.add(1.0, Rate::OffPeak);
        assert_eq!(b.rate(), Some("off-peak"));
        b.add(2.0, Rate::Peak);
        assert_eq!((b.rate(), b.usd), (Some("mixed"), 3.0));
        let mut p = Bill::carried(0.5);
        p.add(1.0, Rate::Peak);
        assert_eq!(p.rate(), Some("peak"));
    }
}
