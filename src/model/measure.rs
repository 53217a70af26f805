//! Measured values (`180ms`, `0.2 s`, `99.7%`, `1,200 RPS`) and judging them against a
//! [`Threshold`], converting between units of one kind (s and ms, GB and MB).

use std::fmt;

use super::Threshold;
use super::threshold::Comparison;
use super::threshold::{UNITS, value_with_unit};

#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    pub value: f64,
    /// Canonical unit as written, or `None` for a bare number.
    pub unit: Option<String>,
}

/// Why a value cannot be judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasureError(pub String);

impl fmt::Display for MeasureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The outcome of judging a value: whether it passes, and a sentence saying so.
#[derive(Debug, Clone, PartialEq)]
pub struct Judgement {
    pub passes: bool,
    pub explanation: String,
}

impl Measurement {
    /// Parses `180ms`, `180 ms`, `0.2s`, `1,200 RPS`, `99.7%`, `4.6/5`, `4.6`.
    pub fn parse(text: &str) -> Result<Measurement, MeasureError> {
        let text = text.trim();
        let number_end = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ',' || c == '-'))
            .unwrap_or(text.len());
        let (number, rest) = text.split_at(number_end);
        let cleaned = number.replace(',', "");
        let value: f64 = cleaned
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| {
                MeasureError(format!(
                    "`{text}` is not a measured value; give a number with its unit, like 180ms"
                ))
            })?;
        let rest = rest.trim();
        let unit = if rest.is_empty() {
            None
        } else {
            Some(
                canonical_unit(rest)
                    .ok_or_else(|| MeasureError(format!("unknown unit `{rest}` in `{text}`")))?,
            )
        };
        Ok(Measurement { value, unit })
    }

    /// This value in the threshold's unit, or why it cannot be.
    pub fn in_unit_of(&self, threshold: &Threshold) -> Result<f64, MeasureError> {
        match (&self.unit, &threshold.unit) {
            (None, _) => Ok(self.value),
            (Some(unit), None) => Err(MeasureError(format!(
                "this threshold has no unit; give the bare number without `{unit}`"
            ))),
            (Some(have), Some(want)) if have == want => Ok(self.value),
            (Some(have), Some(want)) => match (scale(have), scale(want)) {
                (Some((kind_a, a)), Some((kind_b, b))) if kind_a == kind_b => {
                    Ok(self.value * a / b)
                }
                _ => Err(MeasureError(format!(
                    "`{have}` cannot be compared with `{want}`; give the value in {want}"
                ))),
            },
        }
    }

    pub fn judge(&self, threshold: &Threshold) -> Result<Judgement, MeasureError> {
        let value = self.in_unit_of(threshold)?;
        let passes = threshold.passes(value);
        let shown = format_with_unit(value, threshold.unit.as_deref());
        let limit = format_with_unit(threshold.value, threshold.unit.as_deref());
        let explanation = if passes {
            format!("{shown} is {} {limit}", threshold.op)
        } else {
            format!("{shown} is not {} {limit}", threshold.op)
        };
        Ok(Judgement {
            passes,
            explanation,
        })
    }
}

/// What a record's judgement sentence says, read back: the value in the threshold's unit,
/// the comparison and the limit. The sentence is the one [`Measurement::judge`] writes
/// (`250 ms is not < 200 ms`), so a record shows the threshold it was judged against
/// without a second field for it; histories chart values against limits from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Judged {
    pub measured: f64,
    pub op: Comparison,
    pub limit: f64,
    /// The threshold's unit, which the measured value is given in.
    pub unit: Option<String>,
    pub passes: bool,
}

impl Judged {
    /// Reads `180 ms is < 200 ms` or `250 ms is not < 200 ms`; `None` for anything else.
    pub fn parse(sentence: &str) -> Option<Judged> {
        let (measured, rest) = sentence.split_once(" is ")?;
        let (passes, rest) = match rest.strip_prefix("not ") {
            Some(rest) => (false, rest),
            None => (true, rest),
        };
        let (symbol, limit) = rest.split_once(' ')?;
        let op = Comparison::from_symbol(symbol)?;
        let (measured, measured_unit) = number_and_unit(measured)?;
        let (limit, unit) = number_and_unit(limit)?;
        (measured_unit == unit).then_some(Judged {
            measured,
            op,
            limit,
            unit: unit.map(str::to_string),
            passes,
        })
    }

    /// The threshold as people read it: `< 200 ms`.
    pub fn threshold(&self) -> String {
        format!(
            "{} {}",
            self.op,
            value_with_unit(self.limit, self.unit.as_deref())
        )
    }
}

/// `200 ms` → (200, ms), `5%` → (5, %), `4.5/5` → (4.5, /5), `12` → (12, none): the form
/// [`value_with_unit`] writes.
fn number_and_unit(text: &str) -> Option<(f64, Option<&str>)> {
    let text = text.trim();
    let end = text
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || c == '.' || (c == '-' && i == 0)))
        .map_or(text.len(), |(i, _)| i);
    let value: f64 = text[..end].parse().ok().filter(|v: &f64| v.is_finite())?;
    let unit = text[end..].trim();
    Some((value, (!unit.is_empty()).then_some(unit)))
}

/// Rounded so that unit conversions do not show float noise (`250 ms`, not `250.00000000000003 ms`).
fn format_with_unit(value: f64, unit: Option<&str>) -> String {
    value_with_unit((value * 1e6).round() / 1e6, unit)
}

/// Spellings accepted in measured values, mapped to the canonical units thresholds use:
/// every spelling a threshold takes, and a few more that only an operator types.
fn canonical_unit(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    if let Some(&(_, canonical)) = UNITS.iter().find(|(spelling, _)| *spelling == lower) {
        return Some(canonical.to_string());
    }
    let canonical = match lower.as_str() {
        "msec" => "ms",
        "m" => "min",
        "percent" => "%",
        "byte" => "bytes",
        "char" | "character" => "characters",
        _ => {
            let digits = lower.strip_prefix('/')?;
            return digits
                .bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| lower.clone());
        }
    };
    Some(canonical.to_string())
}

/// Units of one kind and their size in that kind's base unit.
fn scale(unit: &str) -> Option<(&'static str, f64)> {
    Some(match unit {
        "ns" => ("time", 1e-9),
        "µs" => ("time", 1e-6),
        "ms" => ("time", 1e-3),
        "s" => ("time", 1.0),
        "min" => ("time", 60.0),
        "h" => ("time", 3600.0),
        "KB" => ("size", 1e3),
        "MB" => ("size", 1e6),
        "GB" => ("size", 1e9),
        "TB" => ("size", 1e12),
        "KiB" => ("size", 1024.0),
        "MiB" => ("size", 1024.0 * 1024.0),
        "GiB" => ("size", 1024.0 * 1024.0 * 1024.0),
        "TiB" => ("size", 1024.0 * 1024.0 * 1024.0 * 1024.0),
        "bytes" => ("size", 1.0),
        "bps" => ("bit rate", 1.0),
        "kbps" => ("bit rate", 1e3),
        "Mbps" => ("bit rate", 1e6),
        "Gbps" => ("bit rate", 1e9),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_takes_every_unit_a_threshold_takes() {
        for &(spelling, canonical) in UNITS {
            assert_eq!(
                canonical_unit(spelling).as_deref(),
                Some(canonical),
                "{spelling}"
            );
            let upper = spelling.to_ascii_uppercase();
            assert_eq!(
                canonical_unit(&upper).as_deref(),
                Some(canonical),
                "{upper}"
            );
        }
    }

    fn threshold(text: &str) -> Threshold {
        Threshold::infer(text).unwrap()
    }

    #[test]
    fn values_pass_and_fail_with_an_explanation() {
        let th = threshold("Response time < 200ms (p95)");
        let ok = Measurement::parse("180ms").unwrap().judge(&th).unwrap();
        assert!(ok.passes);
        assert_eq!(ok.explanation, "180 ms is < 200 ms");
        let bad = Measurement::parse("250 ms").unwrap().judge(&th).unwrap();
        assert!(!bad.passes);
        assert_eq!(bad.explanation, "250 ms is not < 200 ms");
    }

    #[test]
    fn units_of_one_kind_convert() {
        let th = threshold("Response time < 200ms");
        assert!(
            !Measurement::parse("0.25s")
                .unwrap()
                .judge(&th)
                .unwrap()
                .passes
        );
        assert_eq!(
            Measurement::parse("0.25s")
                .unwrap()
                .judge(&th)
                .unwrap()
                .explanation,
            "250 ms is not < 200 ms"
        );
        assert!(
            Measurement::parse("150")
                .unwrap()
                .judge(&th)
                .unwrap()
                .passes
        );
        assert!(
            Measurement::parse("1,200 RPS")
                .unwrap()
                .judge(&threshold("Throughput > 1000 RPS"))
                .unwrap()
                .passes
        );
        assert!(
            Measurement::parse("4.6/5")
                .unwrap()
                .judge(&threshold("Satisfaction > 4.5/5"))
                .unwrap()
                .passes
        );
    }

    #[test]
    fn microseconds_in_either_spelling_convert_with_milliseconds() {
        let lock_wait = threshold("Lock wait p99 < 500µs");
        let judge = |value: &str| Measurement::parse(value)?.judge(&lock_wait);
        assert_eq!(judge("0.3ms").unwrap().explanation, "300 µs is < 500 µs");
        assert!(!judge("2 ms").unwrap().passes);
        assert!(judge("450 μs").unwrap().passes, "the Greek mu");
        assert!(judge("450 microseconds").unwrap().passes);
        let spin = threshold("Spin time < 2 microseconds");
        assert_eq!(spin.unit.as_deref(), Some("µs"));
        assert!(
            Measurement::parse("800 nanoseconds")
                .unwrap()
                .judge(&spin)
                .unwrap()
                .passes
        );
    }

    #[test]
    fn bit_rates_convert_and_decibels_compare_only_with_decibels() {
        let uplinks = threshold("Traffic on uplinks < 1 Gbps");
        let judge = |value: &str, th: &Threshold| Measurement::parse(value)?.judge(th);
        assert!(judge("900 Mbps", &uplinks).unwrap().passes);
        assert!(!judge("1.2 Gbit/s", &uplinks).unwrap().passes);
        assert!(!judge("1000000 kbps", &uplinks).unwrap().passes);
        assert_eq!(
            judge("900 Mbps", &uplinks).unwrap().explanation,
            "0.9 Gbps is < 1 Gbps"
        );
        // A rate is not a size: `MB` is megabytes, which no bit rate converts to.
        assert!(judge("900 MB", &uplinks).is_err());
        let power = threshold("Transmit power at most 20 dBm");
        assert!(judge("18 dBm", &power).unwrap().passes);
        assert!(!judge("23 dbm", &power).unwrap().passes);
        assert!(judge("18 mW", &power).is_err());
        assert!(judge("18 Mbps", &power).is_err());
    }

    #[test]
    fn a_judgement_reads_back_as_the_value_limit_and_comparison() {
        for (threshold_text, value) in [
            ("Response time < 200ms (p95)", "0.25s"),
            ("Response time < 200ms (p95)", "180ms"),
            ("Error rate < 0.1%", "0.05%"),
            ("Throughput > 1000 RPS", "1,200 RPS"),
            ("Satisfaction > 4.5/5", "4.6/5"),
            ("Queue depth <= 20", "-3"),
        ] {
            let th = threshold(threshold_text);
            let judgement = Measurement::parse(value).unwrap().judge(&th).unwrap();
            let judged = Judged::parse(&judgement.explanation)
                .unwrap_or_else(|| panic!("{}", judgement.explanation));
            assert_eq!(judged.passes, judgement.passes, "{}", judgement.explanation);
            assert_eq!(judged.op, th.op);
            assert_eq!(judged.limit, th.value);
            assert_eq!(judged.unit, th.unit);
            assert_eq!(
                judged.measured,
                Measurement::parse(value).unwrap().in_unit_of(&th).unwrap()
            );
        }
        let judged = Judged::parse("250 ms is not < 200 ms").unwrap();
        assert_eq!(judged.threshold(), "< 200 ms");
        assert_eq!(judged.measured, 250.0);
        for not_a_judgement in ["", "fast", "250 ms is not ≈ 200 ms", "250 ms is < 2 s"] {
            assert_eq!(Judged::parse(not_a_judgement), None, "{not_a_judgement}");
        }
    }

    #[test]
    fn wrong_units_and_garbage_are_errors() {
        let th = threshold("Response time < 200ms");
        assert!(Measurement::parse("5%").unwrap().judge(&th).is_err());
        assert!(Measurement::parse("fast").is_err());
        assert!(Measurement::parse("12 parsecs").is_err());
    }
}
