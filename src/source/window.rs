//! Time windows read from section titles: `Immediate Verification (0-15 minutes)`,
//! `First 24 Hours`, `First Week`, `T+2h`, `After 30 min`, `Days 2-7`.
//!
//! A title is read into tokens (numbers, words, `+` and dashes), and the phrases are matched
//! on those, so spacing, case, parentheses and the unit's spelling do not matter. What a
//! phrase means depends on how sure it is about the deployment:
//!
//! - **Explicit** phrases name the deployment themselves (`T+2h`, `after 30 min`, `1 hour
//!   post-launch`): always a window.
//! - **Relative** phrases (`First Week`, `within 1 hour`) and **loose** ones (`(15-60
//!   minutes)`, `Day 2`) are a window only after the deployment: in a phase or section that
//!   says so (`Post-Deployment`, `Monitoring`, `Verification`), or after a section that
//!   already has one. `Database Migration (15-30 minutes)` is how long a step takes, and
//!   `Week 1 planning` is a plan; neither is a window, and `show` says why not.
//!
//! A moment (`T+2h`) opens a window whose end is settled with the sections around it
//! (see `source::build`).

use crate::model::Span;

/// What a title says about time after the deployment.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Found {
    /// Opens at `from`, closes at `to`.
    Range { from: Span, to: Span },
    /// Opens at this moment; its end is decided with the sections around it.
    Moment(Span),
    /// A time before the deployment (`T-1h`): not a window.
    Before,
    /// A range that closes before it opens, like `(60-15 minutes)`.
    Backwards { from: Span, to: Span },
    /// `T+` with no length after it.
    Unreadable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Strength {
    /// A range or an ordinal (`(15-60 minutes)`, `Day 2`): could be a duration or a plan.
    Loose,
    /// `First Week`, `within 1 hour`: counted from some start.
    Relative,
    /// Names the deployment (`T+2h`, `after 30 min`, `1 hour post-launch`).
    Explicit,
}

/// `Day N` or `Days A-B`: counted from 1 unless the checklist also has a `Day 0`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Ordinal {
    pub unit: Span,
    pub first: u64,
    pub last: u64,
}

impl Ordinal {
    pub fn range(&self, zero_based: bool) -> (Span, Span) {
        let seconds = self.unit.seconds();
        let (from, to) = if zero_based {
            (self.first, self.last + 1)
        } else {
            (self.first.saturating_sub(1), self.last)
        };
        let span = |n: u64| Span::from_seconds(n.saturating_mul(seconds)).with_unit_of(self.unit);
        (span(from), span(to.max(from + 1)))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reading {
    pub found: Found,
    pub strength: Strength,
    /// The words it was read from, as the title has them.
    pub phrase: String,
    pub ordinal: Option<Ordinal>,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Number(f64),
    Word(String),
    Plus,
    Minus,
    Tilde,
}

/// Tokens with the byte range each came from.
fn tokenize(text: &str) -> Vec<(Token, usize, usize)> {
    let mut tokens: Vec<(Token, usize, usize)> = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c.is_ascii_digit() {
            let mut end = start + 1;
            while let Some(&(i, d)) = chars.peek() {
                let decimal_point =
                    d == '.' && text[i + 1..].starts_with(|n: char| n.is_ascii_digit());
                if d.is_ascii_digit() || decimal_point {
                    end = i + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            // `T+01:30`: after `T+` or `T-`, hours and minutes on a clock are a length of
            // time (elsewhere `22:00` is a time of day, and stays two numbers).
            let after_t = matches!(
                tokens.as_slice(),
                [.., (Token::Word(t), ..), (Token::Plus | Token::Minus, ..)] if t == "t"
            );
            let minutes = text[end..]
                .strip_prefix(':')
                .filter(|m| m.len() >= 2 && m.as_bytes()[..2].iter().all(u8::is_ascii_digit))
                .filter(|m| !m.as_bytes().get(2).is_some_and(u8::is_ascii_digit))
                .and_then(|m| m[..2].parse::<f64>().ok());
            if after_t
                && let Some(minutes) = minutes
                && let Ok(hours) = text[start..end].parse::<f64>()
            {
                while chars.peek().is_some_and(|&(i, _)| i < end + 3) {
                    chars.next();
                }
                tokens.push((Token::Number(hours * 60.0 + minutes), start, end + 3));
                tokens.push((Token::Word("min".to_string()), end + 3, end + 3));
                continue;
            }
            // `T0`, the deployment moment itself, as in `(T0 → T+00:45)`.
            let t_zero = &text[start..end] == "0"
                && matches!(tokens.last(), Some((Token::Word(t), _, t_end)) if t == "t" && *t_end == start);
            if t_zero {
                tokens.push((Token::Plus, start, start));
            }
            if let Ok(n) = text[start..end].parse() {
                tokens.push((Token::Number(n), start, end));
            }
        } else if c.is_alphabetic() {
            let mut end = start + c.len_utf8();
            while let Some(&(i, d)) = chars.peek() {
                if d.is_alphabetic() {
                    end = i + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            tokens.push((Token::Word(text[start..end].to_lowercase()), start, end));
        } else {
            let token = match c {
                '+' => Token::Plus,
                '-' | '–' | '—' | '‒' | '−' | '→' => Token::Minus,
                '~' | '≈' => Token::Tilde,
                _ => continue,
            };
            tokens.push((token, start, start + c.len_utf8()));
        }
    }
    tokens
}

fn number_word(word: &str) -> Option<f64> {
    Some(match word {
        "a" | "an" | "one" => 1.0,
        "two" => 2.0,
        "three" => 3.0,
        "four" => 4.0,
        "five" => 5.0,
        "six" => 6.0,
        "seven" => 7.0,
        "eight" => 8.0,
        "nine" => 9.0,
        "ten" => 10.0,
        "twelve" => 12.0,
        "fifteen" => 15.0,
        "thirty" => 30.0,
        "ninety" => 90.0,
        _ => return None,
    })
}

struct Reader<'a> {
    text: &'a str,
    tokens: Vec<(Token, usize, usize)>,
}

impl Reader<'_> {
    fn word(&self, i: usize) -> Option<&str> {
        match self.tokens.get(i) {
            Some((Token::Word(w), ..)) => Some(w),
            _ => None,
        }
    }

    fn is_word(&self, i: usize, words: &[&str]) -> bool {
        self.word(i).is_some_and(|w| words.contains(&w))
    }

    fn is(&self, i: usize, token: &Token) -> bool {
        self.tokens.get(i).is_some_and(|(t, ..)| t == token)
    }

    fn number(&self, i: usize) -> Option<f64> {
        match self.tokens.get(i) {
            Some((Token::Number(n), ..)) => Some(*n),
            _ => None,
        }
    }

    /// `15 minutes`, `2h`, `1h 30m`, `an hour`, `24-hour`: the span and the index after it.
    fn span(&self, i: usize) -> Option<(Span, usize)> {
        let (mut total, mut next) = self.one_span(i)?;
        while let Some((more, after)) = self.one_span(next) {
            if more >= total {
                break;
            }
            total = Span::from_seconds(total.seconds() + more.seconds()).with_unit_of(more);
            next = after;
        }
        Some((total, next))
    }

    fn one_span(&self, i: usize) -> Option<(Span, usize)> {
        let count = match self.tokens.get(i)? {
            (Token::Number(n), ..) => *n,
            (Token::Word(w), ..) => number_word(w)?,
            _ => return None,
        };
        // `24-hour`, as in `24-hour window`.
        let unit_at = if self.is(i + 1, &Token::Minus) && self.word(i + 2).is_some() {
            i + 2
        } else {
            i + 1
        };
        let span = Span::of(count, self.word(unit_at)?)?;
        Some((span, unit_at + 1))
    }

    /// A number with no unit after it (the start of `15-60 minutes`).
    fn bare_number(&self, i: usize) -> Option<(f64, usize)> {
        let n = self.number(i)?;
        (self.one_span(i).is_none()).then_some((n, i + 1))
    }

    fn is_range_dash(&self, i: usize) -> bool {
        self.is(i, &Token::Minus) || self.is_word(i, &["to", "until", "till", "through", "thru"])
    }

    fn phrase(&self, from: usize, to: usize) -> String {
        let start = self.tokens[from].1;
        let end = self.tokens[to.saturating_sub(1).max(from)].2;
        self.text[start..end].to_string()
    }

    fn read(&self) -> Option<Reading> {
        (0..self.tokens.len()).find_map(|i| self.read_at(i))
    }

    fn reading(&self, found: Found, strength: Strength, from: usize, to: usize) -> Reading {
        Reading {
            found,
            strength,
            phrase: self.phrase(from, to),
            ordinal: None,
        }
    }

    fn read_at(&self, i: usize) -> Option<Reading> {
        // `T+2h`, `T+15m to T+1h`, `T-1h`; `D+1` for the day after.
        if self.is_word(i, &["t", "d"]) {
            let day = self.is_word(i, &["d"]);
            if self.is(i + 1, &Token::Minus)
                && (self.span(i + 2).is_some() || self.number(i + 2).is_some())
            {
                let end = self.span(i + 2).map_or(i + 3, |(_, e)| e);
                return Some(self.reading(Found::Before, Strength::Explicit, i, end));
            }
            if self.is(i + 1, &Token::Plus) {
                if day {
                    let (n, end) = self.bare_number(i + 2)?;
                    let unit = Span::of(1.0, "d")?;
                    let ordinal = Ordinal {
                        unit,
                        first: n as u64,
                        last: n as u64,
                    };
                    let (from, to) = ordinal.range(true);
                    return Some(self.reading(
                        Found::Range { from, to },
                        Strength::Explicit,
                        i,
                        end,
                    ));
                }
                let Some((from, end)) = self
                    .span(i + 2)
                    .or_else(|| (self.number(i + 2) == Some(0.0)).then_some((Span::ZERO, i + 3)))
                else {
                    return Some(self.reading(Found::Unreadable, Strength::Explicit, i, i + 2));
                };
                if self.is_range_dash(end) {
                    let after = if self.is_word(end + 1, &["t"]) && self.is(end + 2, &Token::Plus) {
                        end + 3
                    } else {
                        end + 1
                    };
                    if let Some((to, last)) = self.span(after) {
                        let from = if from.is_zero() {
                            Span::ZERO.with_unit_of(to)
                        } else {
                            from
                        };
                        return Some(self.reading(range(from, to), Strength::Explicit, i, last));
                    }
                }
                return Some(self.reading(Found::Moment(from), Strength::Explicit, i, end));
            }
        }
        // `(+30 min)`.
        if self.is(i, &Token::Plus)
            && (i == 0 || !self.is_word(i - 1, &["t", "d"]))
            && let Some((at, end)) = self.span(i + 1)
        {
            return Some(self.reading(Found::Moment(at), Strength::Explicit, i, end));
        }
        // `15-60 minutes`, `15m-1h`, `between 15 and 60 minutes`, `0 to 15 min`.
        if let Some(reading) = self.range_at(i) {
            return Some(reading);
        }
        // `after 30 min`, `after the first hour`.
        if self.is_word(i, &["after", "post", "past", "following"]) {
            let mut j = i + 1;
            while self.is_word(j, &["the", "first", "initial"]) {
                j += 1;
            }
            if let Some((at, end)) = self.span(j).or_else(|| self.unit_alone(j)) {
                return Some(self.reading(Found::Moment(at), Strength::Explicit, i, end));
            }
        }
        // `30 minutes after deploy`, `1 hour post-launch`.
        if let Some((at, end)) = self.span(i)
            && self.is_word(
                end,
                &["after", "post", "past", "following", "since", "into"],
            )
        {
            return Some(self.reading(Found::Moment(at), Strength::Explicit, i, end + 1));
        }
        // `First 24 Hours`, `First Week`, `within 1 hour`, `in the first hour`, `next 2 days`.
        if self.is_word(i, &["first", "initial", "next", "within", "opening"]) {
            let mut j = i + 1;
            while self.is_word(j, &["the", "first", "initial"]) {
                j += 1;
            }
            // `next week` is the week after this one; `next 7 days` counts from now.
            let next = self.is_word(i, &["next"]);
            let span = self
                .span(j)
                .or_else(|| self.unit_alone(j).filter(|_| !next));
            if let Some((to, end)) = span {
                let found = range(Span::ZERO.with_unit_of(to), to);
                return Some(self.reading(found, Strength::Relative, i, end));
            }
        }
        // `Day 1`, `Days 2-7`, `Week 2`, `Hour 1`.
        if let Some(word) = self.word(i)
            && matches!(
                word,
                "hour" | "hours" | "day" | "days" | "week" | "weeks" | "month" | "months"
            )
            && let Some(unit) = Span::of(1.0, word)
            && let Some((first, mut end)) = self.bare_number(i + 1)
            && first.fract() == 0.0
        {
            let mut last = first;
            if self.is_range_dash(end)
                && let Some((n, after)) = self.bare_number(end + 1)
                && n.fract() == 0.0
                && n >= first
            {
                last = n;
                end = after;
            }
            let ordinal = Ordinal {
                unit,
                first: first as u64,
                last: last as u64,
            };
            let (from, to) = ordinal.range(first == 0.0);
            let mut reading = self.reading(Found::Range { from, to }, Strength::Loose, i, end);
            reading.ordinal = Some(ordinal);
            return Some(reading);
        }
        None
    }

    /// `hour` in `first hour`: one of the unit.
    fn unit_alone(&self, i: usize) -> Option<(Span, usize)> {
        Some((Span::of(1.0, self.word(i)?)?, i + 1))
    }

    fn range_at(&self, i: usize) -> Option<Reading> {
        let between = self.is_word(i, &["between", "from"]);
        let start = if between { i + 1 } else { i };
        // The start: a span, or a bare number that takes the end's unit.
        let (from, bare, after_from) = match self.span(start) {
            Some((span, end)) => (Some(span), None, end),
            None => {
                let (n, end) = self.bare_number(start)?;
                (None, Some(n), end)
            }
        };
        let joined = if between {
            self.is_word(after_from, &["and", "to"])
        } else {
            self.is_range_dash(after_from)
        };
        if !joined {
            return None;
        }
        let (to, end) = self.span(after_from + 1)?;
        let from = match (from, bare) {
            (Some(from), _) => from,
            (None, Some(n)) => Span::of(n, &to_unit_word(to))?.with_unit_of(to),
            (None, None) => return None,
        };
        // A number before the dash of `Day 2-7` belongs to the ordinal, read elsewhere.
        if i > 0 && self.word(i - 1).and_then(|w| Span::of(1.0, w)).is_some() && bare.is_some() {
            return None;
        }
        let strength =
            if self.is_word(
                end,
                &["after", "post", "past", "following", "since", "into"],
            ) || (i >= 2 && self.is(i - 1, &Token::Plus) && self.is_word(i - 2, &["t"]))
            {
                Strength::Explicit
            } else if from.is_zero() {
                Strength::Relative
            } else {
                Strength::Loose
            };
        let estimated = i > 0 && self.is(i - 1, &Token::Tilde);
        if estimated {
            return None;
        }
        let from = if from.is_zero() {
            Span::ZERO.with_unit_of(to)
        } else {
            from
        };
        Some(self.reading(range(from, to), strength, i, end))
    }
}

/// The unit word of a span's own unit, so a bare start takes the end's unit.
fn to_unit_word(span: Span) -> String {
    span.to_string()
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .to_string()
}

fn range(from: Span, to: Span) -> Found {
    if to > from {
        Found::Range { from, to }
    } else {
        Found::Backwards { from, to }
    }
}

/// The time phrase in a title, if it has one.
pub(crate) fn read_title(title: &str) -> Option<Reading> {
    let reader = Reader {
        text: title,
        tokens: tokenize(title),
    };
    reader.read()
}

/// Whether the words around a section say it comes after the deployment.
pub(crate) fn says_after_deploy(words: &[String]) -> bool {
    words.iter().any(|w| {
        matches!(
            w.as_str(),
            "post"
                | "postdeploy"
                | "postdeployment"
                | "postlaunch"
                | "after"
                | "afterwards"
                | "monitoring"
                | "monitor"
                | "hypercare"
                | "aftercare"
                | "verification"
                | "verify"
                | "validation"
                | "observation"
                | "soak"
                | "bake"
                | "stabilization"
                | "stabilisation"
                | "followup"
                | "follow"
                | "watch"
                | "live"
        )
    })
}

/// Whether they say it comes before, or that a time is an estimate or a plan.
pub(crate) fn says_before_or_estimate(words: &[String]) -> bool {
    words.iter().any(|w| {
        matches!(
            w.as_str(),
            "pre"
                | "predeploy"
                | "predeployment"
                | "prelaunch"
                | "before"
                | "prior"
                | "planning"
                | "plan"
                | "preparation"
                | "prep"
                | "rehearsal"
                | "estimate"
                | "estimated"
                | "est"
                | "approx"
                | "approximately"
                | "about"
                | "around"
                | "roughly"
                | "duration"
                | "takes"
                | "eta"
                | "budget"
                | "timebox"
                | "allow"
                | "expected"
                | "maintenance"
                | "downtime"
                | "freeze"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(title: &str) -> Option<(String, Strength, String)> {
        let reading = read_title(title)?;
        let found = match reading.found {
            Found::Range { from, to } => format!("{from}..{to}"),
            Found::Moment(at) => format!("at {at}"),
            Found::Before => "before".into(),
            Found::Backwards { from, to } => format!("backwards {from}..{to}"),
            Found::Unreadable => "unreadable".into(),
        };
        Some((found, reading.strength, reading.phrase))
    }

    fn window(title: &str) -> String {
        read(title).map_or_else(|| "none".into(), |(found, ..)| found)
    }

    #[test]
    fn the_seed_titles() {
        assert_eq!(
            read("Immediate Verification (0-15 minutes)"),
            Some(("0m..15m".into(), Strength::Relative, "0-15 minutes".into()))
        );
        assert_eq!(
            read("Extended Verification (15-60 minutes)"),
            Some(("15m..60m".into(), Strength::Loose, "15-60 minutes".into()))
        );
        assert_eq!(
            read("📈 First 24 Hours"),
            Some((
                "0h..24h".into(),
                Strength::Relative,
                "First 24 Hours".into()
            ))
        );
        assert_eq!(
            read("📊 First Week"),
            Some(("0d..7d".into(), Strength::Relative, "First Week".into()))
        );
    }

    #[test]
    fn ranges_in_any_spelling() {
        assert_eq!(window("Checks (0–15 min)"), "0m..15m");
        assert_eq!(window("Checks 15 to 60 minutes"), "15m..60m");
        assert_eq!(window("Checks (15m-1h)"), "15m..1h");
        assert_eq!(window("Checks between 1 and 4 hours"), "1h..4h");
        assert_eq!(window("Watch 24-48h"), "24h..48h");
        assert_eq!(window("T+15m to T+1h"), "15m..1h");
        assert_eq!(window("T+0 – T+15m"), "0m..15m");
        assert_eq!(window("Drain side A (T0 → T+00:45)"), "0m..45m");
        assert_eq!(window("Drain side B (T+00:45 → T+01:30)"), "45m..90m");
        assert_eq!(window("Validation (T+01:30 → T+02:30)"), "90m..150m");
        assert_eq!(window("Checks (60-15 minutes)"), "backwards 60m..15m");
    }

    #[test]
    fn moments_after_the_deployment() {
        assert_eq!(read("T+2h checks").map(|r| r.1), Some(Strength::Explicit));
        assert_eq!(window("T+2h checks"), "at 2h");
        assert_eq!(window("T + 30m"), "at 30m");
        assert_eq!(window("Checks after 30 min"), "at 30m");
        assert_eq!(window("After the first hour"), "at 1h");
        assert_eq!(window("30 minutes after deploy"), "at 30m");
        assert_eq!(window("1 hour post-launch"), "at 1h");
        assert_eq!(window("Soak (+90 min)"), "at 90m");
        assert_eq!(window("D+1 review"), "1d..2d");
        assert_eq!(window("T-1h go/no-go"), "before");
        assert_eq!(window("T+ soon"), "unreadable");
    }

    #[test]
    fn relative_and_ordinal_phrases() {
        assert_eq!(window("Within 1 hour"), "0h..1h");
        assert_eq!(window("Within an hour"), "0h..1h");
        assert_eq!(window("In the first 30 minutes"), "0m..30m");
        assert_eq!(window("Next 2 days"), "0d..2d");
        assert_eq!(window("Notes for next week"), "none");
        assert_eq!(window("First Month"), "0d..30d");
        assert_eq!(window("First Hour"), "0h..1h");
        assert_eq!(window("Day 1"), "0d..1d");
        assert_eq!(window("Days 2-7"), "1d..7d");
        assert_eq!(window("Week 2"), "7d..14d");
        assert_eq!(window("Day 0"), "0d..1d");
        assert_eq!(read("Week 1 planning").map(|r| r.1), Some(Strength::Loose));
    }

    #[test]
    fn titles_without_a_time_after_the_deployment() {
        for title in [
            "Verification Steps",
            "First Responders",
            "Tier 2 Support",
            "Node 18 upgrade",
            "Deployment Window 22:00-23:00",
            "Release 1.4-2 notes",
            "Check 3 of 5",
            "Backup (~30 minutes)",
            "First-time setup",
            "Phase 2: Rollout",
        ] {
            assert_eq!(window(title), "none", "{title}");
        }
    }

    #[test]
    fn context_words() {
        let words = |t: &str| crate::source::build::lower_words(t);
        assert!(says_after_deploy(&words("Post-Deployment")));
        assert!(says_after_deploy(&words("📊 Post-Launch Monitoring")));
        assert!(!says_after_deploy(&words("Deployment Process")));
        assert!(says_before_or_estimate(&words("Pre-Deployment")));
        assert!(says_before_or_estimate(&words("Week 1 planning")));
        assert!(!says_before_or_estimate(&words("Extended Verification")));
    }

    mod properties {
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn any_title_reads_without_panicking(title in "\\PC{0,60}") {
                let _ = super::read_title(&title);
            }

            #[test]
            fn number_soup_reads_without_panicking(title in "[0-9tdT+ .–-]{0,30}(m|h|d|w|min)?") {
                let _ = super::read_title(&title);
            }
        }
    }
}
