//! Prices as data: per model, per time band (DeepSeek bills more at Beijing's peak hours), and the
//! config file's two shapes for them.
//!
//! Owns the pure question "which band was this moment in", so a request is priced by when it was
//! sent, never by when it is looked at; the caller passes the moment (see `agent::cost`). Must not
//! read the clock, the environment or the network.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Deserialize;

/// US dollars per million tokens, in one band.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prices {
    /// Prompt tokens served from the provider's prefix cache.
    pub cache_hit: f64,
    /// Prompt tokens not in the cache.
    pub cache_miss: f64,
    /// Completion tokens, reasoning included.
    pub output: f64,
}

impl Prices {
    pub const FREE: Prices = Prices {
        cache_hit: 0.0,
        cache_miss: 0.0,
        output: 0.0,
    };
}

/// One model's prices: off-peak, and peak when the provider bills peak hours apart.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rates {
    pub off_peak: Prices,
    pub peak: Option<Prices>,
}

impl Rates {
    pub const fn flat(p: Prices) -> Rates {
        Rates {
            off_peak: p,
            peak: None,
        }
    }
}

/// The band a request was priced in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rate {
    OffPeak,
    Peak,
}

impl Rate {
    pub fn as_str(self) -> &'static str {
        match self {
            Rate::OffPeak => "off-peak",
            Rate::Peak => "peak",
        }
    }
}

/// When peak prices apply: hour windows `[start, end)` of local time at a fixed UTC offset, on
/// working days (Monday to Friday). Public holidays are not known to hone and count as working
/// days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeakHours {
    pub utc_offset_hours: i64,
    pub windows: &'static [(u32, u32)],
}

/// DeepSeek's peak: 09:00–12:00 and 14:00–18:00 Beijing time (UTC+8, no daylight saving).
pub const BEIJING_PEAK: PeakHours = PeakHours {
    utc_offset_hours: 8,
    windows: &[(9, 12), (14, 18)],
};

impl PeakHours {
    /// The band of the moment `at`. A moment before 1970 counts as off-peak.
    pub fn rate_at(&self, at: SystemTime) -> Rate {
        let Ok(since) = at.duration_since(UNIX_EPOCH) else {
            return Rate::OffPeak;
        };
        let local = since.as_secs() as i64 + self.utc_offset_hours * 3600;
        let days = local.div_euclid(86_400);
        let hour = (local.rem_euclid(86_400) / 3600) as u32;
        // 1970-01-01 was a Thursday: weekday 0 = Monday … 6 = Sunday.
        let weekday = (days + 3).rem_euclid(7);
        let peak = weekday < 5 && self.windows.iter().any(|&(s, e)| hour >= s && hour < e);
        if peak { Rate::Peak } else { Rate::OffPeak }
    }
}

/// What one model costs, with the schedule that decides the band.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelPrices {
    pub rates: Rates,
    pub peak_hours: Option<PeakHours>,
}

impl ModelPrices {
    pub const FREE: ModelPrices = ModelPrices {
        rates: Rates::flat(Prices::FREE),
        peak_hours: None,
    };

    /// The band of `at` and the prices that apply in it: off-peak when the model has no peak
    /// prices or the provider no peak hours.
    pub fn at(&self, at: SystemTime) -> (Prices, Rate) {
        match (self.rates.peak, self.peak_hours.map(|h| h.rate_at(at))) {
            (Some(peak), Some(Rate::Peak)) => (peak, Rate::Peak),
            _ => (self.rates.off_peak, Rate::OffPeak),
        }
    }
}

/// A provider's prices: per model, with a fallback for models not listed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PriceTable {
    pub models: BTreeMap<String, Rates>,
    pub other: Option<Rates>,
    pub peak_hours: Option<PeakHours>,
}

impl PriceTable {
    /// One price for every model.
    pub fn flat(p: Prices) -> PriceTable {
        PriceTable {
            other: Some(Rates::flat(p)),
            ..PriceTable::default()
        }
    }

    /// `model`'s prices, when known.
    pub fn for_model(&self, model: &str) -> Option<ModelPrices> {
        let rates = self.models.get(model).copied().or(self.other)?;
        Some(ModelPrices {
            rates,
            peak_hours: self.peak_hours,
        })
    }

    /// Applies a config file's `prices`: the flat shape sets one price for every model (and
    /// forgets the per-model ones), the per-model shape replaces the models it names.
    pub fn apply(&mut self, t: &PricesTable) {
        match t {
            PricesTable::All(r) => {
                self.models.clear();
                self.other = Some(r.rates());
            }
            PricesTable::PerModel(m) => {
                for (name, r) in m {
                    self.models.insert(name.clone(), r.rates());
                }
            }
        }
    }
}

/// A config file's `prices`: either one table for every model —
/// `prices = { cache_hit = 0.003, cache_miss = 0.15, output = 0.6 }` — or one per model:
/// `[providers.deepseek.prices.deepseek-flash]` with the same fields. Either may add
/// `peak = { cache_hit = …, cache_miss = …, output = … }`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum PricesTable {
    All(RatesTable),
    PerModel(BTreeMap<String, RatesTable>),
}

/// One model's prices as written: the off-peak figures at the top, peak ones in `peak`.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatesTable {
    pub cache_hit: f64,
    pub cache_miss: f64,
    pub output: f64,
    pub peak: Option<Prices>,
}

impl RatesTable {
    fn rates(&self) -> Rates {
        Rates {
            off_peak: Prices {
                cache_hit: self.cache_hit,
                cache_miss: self.cache_miss,
                output: self.output,
            },
            peak: self.peak,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// 2026-12-02 (a Wednesday) at `h:m` UTC.
    fn wed_utc(h: u64, m: u64) -> SystemTime {
        // 2026-12-02T00:00:00Z
        UNIX_EPOCH + Duration::from_secs(1_796_169_600 + h * 3600 + m * 60)
    }

    #[test]
    fn the_epoch_anchor_is_a_wednesday_midnight() {
        // 1_796_169_600 / 86_400 days after a Thursday.
        assert_eq!(1_796_169_600 % 86_400, 0);
        assert_eq!((1_796_169_600 / 86_400 + 3) % 7, 2);
    }

    #[test]
    fn beijing_peak_hours_on_a_working_day() {
        let h = BEIJING_PEAK;
        // 09:00 Beijing = 01:00 UTC.
        assert_eq!(h.rate_at(wed_utc(0, 59)), Rate::OffPeak);
        assert_eq!(h.rate_at(wed_utc(1, 0)), Rate::Peak);
        assert_eq!(h.rate_at(wed_utc(3, 59)), Rate::Peak);
        // 12:00–14:00 Beijing is the midday break.
        assert_eq!(h.rate_at(wed_utc(4, 0)), Rate::OffPeak);
        assert_eq!(h.rate_at(wed_utc(5, 59)), Rate::OffPeak);
        assert_eq!(h.rate_at(wed_utc(6, 0)), Rate::Peak);
        assert_eq!(h.rate_at(wed_utc(9, 59)), Rate::Peak);
        assert_eq!(h.rate_at(wed_utc(10, 0)), Rate::OffPeak);
        // 23:00 UTC Wednesday is Thursday 07:00 in Beijing.
        assert_eq!(h.rate_at(wed_utc(23, 0)), Rate::OffPeak);
    }

    #[test]
    fn weekends_in_beijing_are_off_peak() {
        let h = BEIJING_PEAK;
        let day = Duration::from_secs(86_400);
        // Saturday and Sunday 10:00 Beijing (02:00 UTC).
        assert_eq!(h.rate_at(wed_utc(2, 0) + day * 3), Rate::OffPeak);
        assert_eq!(h.rate_at(wed_utc(2, 0) + day * 4), Rate::OffPeak);
        assert_eq!(h.rate_at(wed_utc(2, 0) + day * 5), Rate::Peak);
        // Friday 17:00 UTC is Saturday 01:00 in Beijing; Sunday 18:00 UTC is Monday 02:00.
        assert_eq!(h.rate_at(wed_utc(17, 0) + day * 2), Rate::OffPeak);
    }

    #[test]
    fn peak_prices_apply_only_with_both_a_schedule_and_peak_figures() {
        let off = Prices {
            cache_hit: 1.0,
            cache_miss: 2.0,
            output: 3.0,
        };
        let peak = Prices {
            cache_hit: 2.0,
            cache_miss: 4.0,
            output: 6.0,
        };
        let mut m = ModelPrices {
            rates: Rates {
                off_peak: off,
                peak: Some(peak),
            },
            peak_hours: Some(BEIJING_PEAK),
        };
        assert_eq!(m.at(wed_utc(2, 0)), (peak, Rate::Peak));
        assert_eq!(m.at(wed_utc(12, 0)), (off, Rate::OffPeak));
        m.peak_hours = None;
        assert_eq!(m.at(wed_utc(2, 0)), (off, Rate::OffPeak));
    }

    #[test]
    fn both_config_shapes_read_and_apply() {
        #[derive(Deserialize)]
        struct T {
            prices: PricesTable,
        }
        let flat: T =
            toml::from_str("prices = { cache_hit = 0.1, cache_miss = 1.0, output = 2.0 }").unwrap();
        let per: T = toml::from_str(
            "[prices.m1]\ncache_hit = 0.1\ncache_miss = 1.0\noutput = 2.0\n\
             peak = { cache_hit = 0.2, cache_miss = 2.0, output = 4.0 }\n",
        )
        .unwrap();
        let mut table = PriceTable {
            models: BTreeMap::from([("m2".to_string(), Rates::flat(Prices::FREE))]),
            other: None,
            peak_hours: Some(BEIJING_PEAK),
        };
        table.apply(&per.prices);
        let m1 = table.for_model("m1").unwrap();
        assert_eq!(m1.rates.peak.map(|p| p.output), Some(4.0));
        assert_eq!(m1.peak_hours, Some(BEIJING_PEAK));
        assert!(table.for_model("m2").is_some());
        assert!(table.for_model("m3").is_none());
        table.apply(&flat.prices);
        assert_eq!(table.for_model("m3").unwrap().rates.off_peak.output, 2.0);
        assert_eq!(table.for_model("m1").unwrap().rates.peak, None);
    }
}
