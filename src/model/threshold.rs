//! Measurable thresholds found in item text: `Response time < 200ms (p95)`.
//!
//! Inference is deliberately conservative: an operator, a number right after it, and a unit
//! from a known list (or none). Only the first few hundred characters of an item are read,
//! so a pathological line costs nothing.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::words::{ItemScan, Lexicon, OPERATOR_ENDINGS, any_ascii_word};

/// Past this many characters an item is prose, not a metric.
const MAX_SCAN_CHARS: usize = 400;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a threshold, like `{metric: Latency, op: <, value: 350, unit: ms}`"
)]
pub struct Threshold {
    /// What is measured, e.g. `Response time`.
    pub metric: String,
    pub op: Comparison,
    #[serde(serialize_with = "serialize_number")]
    pub value: f64,
    /// Canonical unit: `ms`, `s`, `min`, `h`, `%`, `RPS`, `QPS`, `TPS`, `KB`..`TB`,
    /// `bps`..`Gbps`, `dBm`, `/5`; or none.
    #[serde(default)]
    pub unit: Option<String>,
    /// A qualifier such as `p95`.
    #[serde(default)]
    pub qualifier: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, schemars::JsonSchema)]
pub enum Comparison {
    #[schemars(rename = "<")]
    Less,
    #[schemars(rename = "<=")]
    LessOrEqual,
    #[schemars(rename = ">")]
    Greater,
    #[schemars(rename = ">=")]
    GreaterOrEqual,
}

impl Comparison {
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::Less => "<",
            Comparison::LessOrEqual => "<=",
            Comparison::Greater => ">",
            Comparison::GreaterOrEqual => ">=",
        }
    }

    pub(crate) fn from_symbol(symbol: &str) -> Option<Self> {
        Some(match symbol {
            "<" => Comparison::Less,
            "<=" | "≤" => Comparison::LessOrEqual,
            ">" => Comparison::Greater,
            ">=" | "≥" => Comparison::GreaterOrEqual,
            _ => return None,
        })
    }

    /// The comparison that holds exactly when this one does not.
    pub fn negated(self) -> Self {
        match self {
            Comparison::Less => Comparison::GreaterOrEqual,
            Comparison::LessOrEqual => Comparison::Greater,
            Comparison::Greater => Comparison::LessOrEqual,
            Comparison::GreaterOrEqual => Comparison::Less,
        }
    }

    /// Whether `measured` satisfies `measured <op> limit`.
    pub fn holds(self, measured: f64, limit: f64) -> bool {
        match self {
            Comparison::Less => measured < limit,
            Comparison::LessOrEqual => measured <= limit,
            Comparison::Greater => measured > limit,
            Comparison::GreaterOrEqual => measured >= limit,
        }
    }
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

impl Serialize for Comparison {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.symbol())
    }
}

impl<'de> Deserialize<'de> for Comparison {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let symbol = String::deserialize(deserializer)?;
        Comparison::from_symbol(&symbol).ok_or_else(|| {
            serde::de::Error::invalid_value(
                serde::de::Unexpected::Str(&symbol),
                &"one of <, <=, >, >=",
            )
        })
    }
}

/// Whole numbers print as `200`, not `200.0`, so shown trees read like their source.
fn serialize_number<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        serializer.serialize_i64(*value as i64)
    } else {
        serializer.serialize_f64(*value)
    }
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}",
            self.op,
            value_with_unit(self.value, self.unit.as_deref())
        )?;
        if let Some(qualifier) = &self.qualifier {
            write!(f, " ({qualifier})")?;
        }
        Ok(())
    }
}

/// A value as people read it: `200 ms`, but `5%` and `4.5/5` with no space.
pub fn value_with_unit(value: f64, unit: Option<&str>) -> String {
    let number = format_number(value);
    match unit {
        Some(unit) if unit == "%" || unit.starts_with('/') => format!("{number}{unit}"),
        Some(unit) => format!("{number} {unit}"),
        None => number,
    }
}

/// `200` for whole numbers, `0.1` otherwise.
pub fn format_number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

/// Word operators, longest first so "less than or equal to" wins over "less than".
const WORD_OPERATORS: &[(&str, Comparison)] = &[
    ("less than or equal to", Comparison::LessOrEqual),
    ("greater than or equal to", Comparison::GreaterOrEqual),
    ("no more than", Comparison::LessOrEqual),
    ("not more than", Comparison::LessOrEqual),
    ("no less than", Comparison::GreaterOrEqual),
    ("not less than", Comparison::GreaterOrEqual),
    ("no longer than", Comparison::LessOrEqual),
    ("not longer than", Comparison::LessOrEqual),
    ("longer than", Comparison::Greater),
    ("shorter than", Comparison::Less),
    ("greater than", Comparison::Greater),
    ("higher than", Comparison::Greater),
    ("larger than", Comparison::Greater),
    ("bigger than", Comparison::Greater),
    ("smaller than", Comparison::Less),
    ("lower than", Comparison::Less),
    ("fewer than", Comparison::Less),
    ("less than", Comparison::Less),
    ("more than", Comparison::Greater),
    ("at least", Comparison::GreaterOrEqual),
    ("at most", Comparison::LessOrEqual),
    ("within", Comparison::LessOrEqual),
    ("under", Comparison::Less),
    ("below", Comparison::Less),
    ("above", Comparison::Greater),
    ("over", Comparison::Greater),
    ("exceeding", Comparison::Greater),
    ("exceeds", Comparison::Greater),
    ("exceed", Comparison::Greater),
];

/// Unit spellings and their canonical form; matched case-insensitively as a whole word.
/// Measured values take the same spellings (see `measure`).
pub(super) const UNITS: &[(&str, &str)] = &[
    // The micro sign (U+00B5) and the Greek mu (U+03BC) look alike and both are typed.
    ("microseconds", "µs"),
    ("microsecond", "µs"),
    ("µs", "µs"),
    ("μs", "µs"),
    // Only spelled out: `ns` is also a DNS record (`at least 2 NS records`).
    ("nanoseconds", "ns"),
    ("nanosecond", "ns"),
    ("milliseconds", "ms"),
    ("millisecond", "ms"),
    ("ms", "ms"),
    ("seconds", "s"),
    ("second", "s"),
    ("secs", "s"),
    ("sec", "s"),
    ("s", "s"),
    ("minutes", "min"),
    ("minute", "min"),
    ("mins", "min"),
    ("min", "min"),
    ("hours", "h"),
    ("hour", "h"),
    ("hrs", "h"),
    ("hr", "h"),
    ("h", "h"),
    ("requests/s", "RPS"),
    ("req/s", "RPS"),
    ("rps", "RPS"),
    ("qps", "QPS"),
    ("tps", "TPS"),
    // Bit rates: `1 Gbps`, `9.4 Gbit/s`. Measured values convert between them.
    ("gbps", "Gbps"),
    ("gbit/s", "Gbps"),
    ("mbps", "Mbps"),
    ("mbit/s", "Mbps"),
    ("kbps", "kbps"),
    ("kbit/s", "kbps"),
    ("bps", "bps"),
    ("bit/s", "bps"),
    // Signal power; logarithmic, so compared only with values in dBm.
    ("dbm", "dBm"),
    ("%", "%"),
    ("kb", "KB"),
    ("mb", "MB"),
    ("gb", "GB"),
    ("tb", "TB"),
    ("kib", "KiB"),
    ("mib", "MiB"),
    ("gib", "GiB"),
    ("tib", "TiB"),
    ("bits", "bits"),
    ("bit", "bits"),
    ("bytes", "bytes"),
    ("characters", "characters"),
    ("chars", "characters"),
];

impl Threshold {
    /// The threshold stated in an item's text, if it states one.
    ///
    /// Every threshold has a number right after its operator, so the scan visits only the
    /// starts of digit runs and looks back past spaces for an operator: text without
    /// digits, which is most checklist text, costs one pass over its bytes.
    pub fn infer(text: &str) -> Option<Threshold> {
        Threshold::read(text, &ItemScan::of(text), Reading::Pass)
    }

    /// The comparison an item states, as written: what a rollback trigger is.
    ///
    /// `Roll back if error rate > 5%` is read `<= 5%` by [`Threshold::infer`], since a step
    /// that says when to act passes while the action is not needed; as a trigger, the same
    /// words hold when the error rate is `> 5%`.
    pub fn infer_condition(text: &str) -> Option<Threshold> {
        Threshold::read(text, &ItemScan::of(text), Reading::Condition)
    }

    /// [`Threshold::infer`] for an item already scanned (read only if it holds something
    /// every comparison holds), and a second limit the same words name in a clause of
    /// its own after it, which nothing measures: `Board p95 < 800ms, Drawer avg < 200ms`,
    /// `CPU < 80% and memory < 70%`. What only qualifies the first (`< 1% over 5 min`,
    /// `for at least 10 minutes`, `(was > 99.5%)`) is not a second limit.
    pub(crate) fn infer_scanned_and_next(
        text: &str,
        scan: &ItemScan,
    ) -> Option<(Threshold, Option<Threshold>)> {
        let (first, end) = Threshold::read_at(text, scan, Reading::Pass)?;
        // The number's run takes a `,` or `.` that may end its clause (`< 100, lag < 5s`).
        let end = text[..end].trim_end_matches([',', '.']).len();
        let rest = text.get(end..).unwrap_or_default();
        let next = another_clause(rest)
            .and_then(Threshold::infer)
            .filter(|next| !next.metric.is_empty());
        Some((first, next))
    }

    fn read(text: &str, scan: &ItemScan, reading: Reading) -> Option<Threshold> {
        Threshold::read_at(text, scan, reading).map(|(found, _)| found)
    }

    /// The threshold, and where the number it was read from ends.
    fn read_at(text: &str, scan: &ItemScan, reading: Reading) -> Option<(Threshold, usize)> {
        if !scan.comparison {
            return None;
        }
        let scan: &str = if text.len() <= MAX_SCAN_CHARS {
            text
        } else {
            match text.char_indices().nth(MAX_SCAN_CHARS) {
                Some((cut, _)) => &text[..cut],
                None => text,
            }
        };
        let bytes = scan.as_bytes();
        let mut next = 0;
        while let Some(skip) = bytes[next..].iter().position(u8::is_ascii_digit) {
            let at = next + skip;
            // The rest of this number starts nothing.
            next = at
                + bytes[at..]
                    .iter()
                    .position(|b| !matches!(b, b'0'..=b'9' | b',' | b'.'))
                    .unwrap_or(bytes.len() - at);
            // A digit after `,` or `.` continues a number rather than starting one.
            if at > 0 && matches!(bytes[at - 1], b',' | b'.') {
                continue;
            }
            let mut op_end = at;
            while op_end > 0 && bytes[op_end - 1] == b' ' {
                op_end -= 1;
            }
            if let Some((op, op_start)) = operator_before(scan, op_end) {
                // `doesn't have more than 20 cookies` is `<= 20`; the negation is not metric.
                let (op, metric_end) = match negation_before(scan, op_start) {
                    Some(start) => (op.negated(), start),
                    None => (op, op_start),
                };
                if let Some(mut found) = measure_after(scan, metric_end, op_end, op) {
                    if !measures_something(scan, op_start, at, &found) {
                        return None;
                    }
                    // `No redirect chains longer than 1 hop`: the subject is negated. A
                    // limit in brackets after the claim may instead be what it allows: `No
                    // spike in conflicts (< 30 per 5min)` passes under 30, while `No 5xx
                    // errors (> 0)` and `No drop in success rate (< 99%)` name what is
                    // ruled out. A ceiling on a claim that names no fall is an allowance.
                    let allowance = scan[..op_start].trim_end().ends_with('(')
                        && matches!(found.op, Comparison::Less | Comparison::LessOrEqual)
                        && !names_a_fall(&found.metric);
                    if let Some(metric) = strip_word(&found.metric, "no").filter(|_| !allowance) {
                        found.metric = metric.to_string();
                        found.op = found.op.negated();
                    }
                    if reading == Reading::Pass && triggers_an_action(scan, op_start, at) {
                        found.op = found.op.negated();
                    }
                    return Some((found, next));
                }
            }
        }
        None
    }

    /// A value in this threshold's unit to show as an example: the limit itself, `200ms`.
    pub fn example(&self) -> String {
        let number = format_number(self.value);
        match self.unit.as_deref() {
            Some(unit) => format!("{number}{unit}"),
            None => number,
        }
    }

    /// Whether a measured value (already in this threshold's unit) passes.
    pub fn passes(&self, measured: f64) -> bool {
        self.op.holds(measured, self.value)
    }
}

/// Which way round a comparison that triggers an action is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// What a step passes on: `Pause rollout if reviews exceed 5%` passes at `<= 5%`.
    Pass,
    /// The comparison as written, which a trigger holds on: `> 5%`.
    Condition,
}

/// Verbs that stop, undo or raise the alarm about a change. A step that does one of them
/// `if` or `when` a comparison holds names the trigger of the action, so it passes when
/// the comparison does not hold. Other actions (`Scale out if CPU > 85%`) are left as
/// written: whether they mean healthy or not is not theirs to say.
const ACTIONS: Lexicon = Lexicon::new(&[
    "pause",
    "paused",
    "pauses",
    "halt",
    "halted",
    "halts",
    "stop",
    "stopped",
    "stops",
    "abort",
    "aborted",
    "aborts",
    "rollback",
    "revert",
    "reverted",
    "reverts",
    "escalate",
    "escalated",
    "escalates",
    "page",
    "paged",
    "pages",
    "freeze",
    "frozen",
]);

/// Whether the comparison from `op_start` to the number at `number_at` is the condition of
/// a stop, undo or alarm: `Rollout halted if crash rate > 1%`, `Page on-call when errors
/// exceed 5%`, `If crash-free drops below 99.5%: halt staged rollout`.
///
/// The comparison must sit in an `if`/`when` clause, and the action outside it: before the
/// conditional word, or after the number. So `Check if page load < 3s` is no trigger.
fn triggers_an_action(text: &str, op_start: usize, number_at: usize) -> bool {
    let head = &text[..op_start];
    // The conditional word nearest before the operator, in the same clause.
    let clause_start = head.rfind(['(', ';', '.', '!', '?']).map_or(0, |at| at + 1);
    let clause = &head[clause_start..];
    // Words are runs of ASCII letters, digits and `-`, so every word starts on a char
    // boundary even where other bytes separate them.
    let bytes = clause.as_bytes();
    let mut conditional = None;
    let mut start = 0;
    for end in 0..=bytes.len() {
        if bytes
            .get(end)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'-')
        {
            continue;
        }
        let word = &bytes[start.min(end)..end];
        if word.eq_ignore_ascii_case(b"if") || word.eq_ignore_ascii_case(b"when") {
            conditional = Some(start);
        }
        start = end + 1;
    }
    let Some(conditional) = conditional else {
        return false;
    };
    // No copy of the text: this runs for every threshold found.
    let acts = |words: &str| ACTIONS.any_in(words) || says_roll_back(words);
    if acts(&clause[..conditional]) {
        return true;
    }
    // After the number: `If crash-free drops below 99.5%: halt staged rollout`, up to the
    // end of the sentence.
    let tail =
        text[number_at..].trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ',');
    let end = [tail.find(';'), tail.find(". ")]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(tail.len());
    let tail = &tail[..end];
    acts(tail)
}

/// `roll back`, `rolled back`, `roll-back`: a rollback in two words, read word by word as
/// the one-word actions are.
fn says_roll_back(text: &str) -> bool {
    let mut rolled = false;
    any_ascii_word(text, |word| {
        let back = rolled && word.eq_ignore_ascii_case(b"back");
        rolled = [&b"roll"[..], b"rolls", b"rolled", b"rolling"]
            .iter()
            .any(|r| word.eq_ignore_ascii_case(r));
        back
    })
}

/// `text` without its first word if that word is `word` (any case) and more follows.
fn strip_word<'a>(text: &'a str, word: &str) -> Option<&'a str> {
    let (first, rest) = text.split_once(' ')?;
    (first.eq_ignore_ascii_case(word) && !rest.trim().is_empty()).then(|| rest.trim_start())
}

/// The operator that ends exactly at byte `end`, and where it starts.
///
/// This runs for every number in every item, so it decides from the last byte and the last
/// word before looking at any phrase: most numbers follow a word no operator ends with.
fn operator_before(text: &str, end: usize) -> Option<(Comparison, usize)> {
    let head = &text[..end];
    let bytes = head.as_bytes();
    let last = *bytes.last()?;
    if !last.is_ascii_alphabetic() {
        // `<`, `>`, `=`, and the last bytes of `≤` (E2 89 A4) and `≥` (E2 89 A5).
        return matches!(last, b'<' | b'>' | b'=' | 0xA4 | 0xA5)
            .then(|| symbol_before(head))
            .flatten();
    }
    // The longest last word of an operator has nine letters: look no further back.
    let tail = &bytes[bytes.len().saturating_sub(10)..];
    let word = tail
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_alphabetic())
        .count();
    if !OPERATOR_ENDINGS.contains(&tail[tail.len() - word..]) {
        return None;
    }
    WORD_OPERATORS.iter().find_map(|(word, op)| {
        let start = bytes.len().checked_sub(word.len())?;
        let matches = bytes[start..].eq_ignore_ascii_case(word.as_bytes())
            && text[..start]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric());
        matches.then_some((*op, start))
    })
}

/// `<`, `<=`, `≤` and their mirrors ending `head`.
fn symbol_before(head: &str) -> Option<(Comparison, usize)> {
    for symbol in ["<=", ">=", "≤", "≥", "<", ">"] {
        if let Some(rest) = head.strip_suffix(symbol) {
            // Arrows and doubled brackets are not comparisons.
            if matches!(rest.chars().next_back(), Some('-' | '=' | '<' | '>')) {
                return None;
            }
            return Some((Comparison::from_symbol(symbol)?, rest.len()));
        }
    }
    None
}

/// `No drop in success rate`: the claim rules out a fall, so a ceiling in brackets after it
/// is the fall, not what is allowed.
fn names_a_fall(metric: &str) -> bool {
    const FALLS: Lexicon = Lexicon::new(&[
        "drop",
        "drops",
        "dip",
        "dips",
        "fall",
        "falls",
        "decrease",
        "decline",
        "reduction",
    ]);
    FALLS.any_in(metric)
}

/// What follows a limit's number when it starts a clause of its own: past the number's
/// unit (`ms`, ` ms`, `%`) and a bracketed qualifier, a `,`, `;`, `&` or `and`, and not a
/// clause that only qualifies the first (`excluding ...`, `ideally ...`, `roll back if ...`).
fn another_clause(rest: &str) -> Option<&str> {
    const QUALIFYING: Lexicon = Lexicon::new(&[
        "excluding",
        "except",
        "down",
        "up",
        "was",
        "vs",
        "versus",
        "compared",
        "ideally",
        "target",
        "if",
        "when",
        "unless",
        "otherwise",
        "roll",
        "rollback",
        "alert",
        "else",
    ]);
    let rest = rest.trim_start();
    let unit_end = rest
        .find(|c: char| !(c.is_alphanumeric() || matches!(c, '%' | '/' | '.')))
        .unwrap_or(rest.len());
    // A word of more than a unit's length is the clause going on (`measured at the edge`).
    let rest = if rest[..unit_end].chars().count() <= 8 {
        rest[unit_end..].trim_start()
    } else {
        rest
    };
    let rest = match rest.strip_prefix('(') {
        Some(inside) => inside
            .split_once(')')
            .map_or("", |(_, after)| after.trim_start()),
        None => rest,
    };
    let clause = rest.strip_prefix([',', ';', '&']).or_else(|| {
        rest.get(..4)
            .filter(|and| and.eq_ignore_ascii_case("and "))
            .map(|_| &rest[4..])
    })?;
    let first_word = clause
        .split(|c: char| !c.is_ascii_alphabetic())
        .find(|w| !w.is_empty())
        .unwrap_or_default();
    (!QUALIFYING.contains(first_word.as_bytes())).then_some(clause)
}

/// Where a negation right before the operator starts: `doesn't have`, `must not`, `don't`.
fn negation_before(text: &str, op_start: usize) -> Option<usize> {
    let head = text[..op_start].trim_end();
    // Every negation has an apostrophe or `not`/`never`/`cannot`; most metrics have none.
    if !may_negate(head.as_bytes()) {
        return None;
    }
    let lower = head.to_ascii_lowercase();
    let mut end = lower.len();
    // A verb between the negation and the operator: `doesn't have more than`.
    for verb in [
        " have", " has", " be", " take", " use", " contain", " go", " grow", " reach", " consume",
        " get", " run",
    ] {
        if lower[..end].ends_with(verb) {
            end -= verb.len();
            break;
        }
    }
    let before = lower[..end].trim_end();
    for negation in [
        "doesn't",
        "does not",
        "don't",
        "do not",
        "must not",
        "mustn't",
        "should not",
        "shouldn't",
        "cannot",
        "can't",
        "will not",
        "won't",
        "never",
        "not",
        "didn't",
        "did not",
        "isn't",
        "aren't",
        "doesn’t",
        "don’t",
    ] {
        if let Some(rest) = before.strip_suffix(negation)
            && rest
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric())
        {
            return Some(rest.trim_end().len());
        }
    }
    None
}

/// Whether `head` holds an apostrophe (`'` or `’`), or `not` or `never` in any case: every
/// negation does, most metrics do not. One look at each byte, since this runs for every
/// operator found.
fn may_negate(head: &[u8]) -> bool {
    head.iter().enumerate().any(|(at, &b)| match b {
        b'\'' => true,
        // `’` is E2 80 99.
        0xE2 => head[at + 1..].starts_with(&[0x80, 0x99]),
        b'n' | b'N' => {
            let rest = &head[at + 1..];
            rest.get(..2).is_some_and(|r| r.eq_ignore_ascii_case(b"ot"))
                || rest
                    .get(..4)
                    .is_some_and(|r| r.eq_ignore_ascii_case(b"ever"))
        }
        _ => false,
    })
}

/// Words after a number that make it a headcount, not a measurement.
const PEOPLE: &[&str] = &[
    "person",
    "people",
    "team",
    "member",
    "members",
    "reviewer",
    "reviewers",
    "approver",
    "approvers",
    "approval",
    "approvals",
    "review",
    "reviews",
    "engineer",
    "engineers",
    "maintainer",
    "maintainers",
    "developer",
    "developers",
    "owner",
    "owners",
    "admin",
    "admins",
    "individual",
    "individuals",
    "human",
    "humans",
    "peer",
    "peers",
    "colleague",
    "colleagues",
    "stakeholder",
    "stakeholders",
    "signature",
    "signatures",
    "sign-off",
    "sign-offs",
    "lgtm",
    "lgtms",
    "committer",
    "committers",
    "other",
    "others",
    "approving",
    "tester",
    "testers",
    "participant",
    "participants",
];

/// Calendar units: `within 2 business days` is a deadline, never a measured value.
const CALENDAR: &[&str] = &[
    "day", "days", "business", "working", "week", "weeks", "month", "months", "year", "years",
    "sprint", "sprints", "quarter", "quarters",
];

/// Names before a version number: `Node >= 18`, `TLS >= 1.2`, `Kubernetes 1.27+`.
const VERSIONED: &[&str] = &[
    "node",
    "node.js",
    "nodejs",
    "python",
    "python3",
    "go",
    "golang",
    "java",
    "jdk",
    "jre",
    "npm",
    "yarn",
    "pnpm",
    "rust",
    "rustc",
    "cargo",
    "ruby",
    "php",
    "perl",
    "terraform",
    "kubernetes",
    "k8s",
    "kubectl",
    "helm",
    "docker",
    "postgres",
    "postgresql",
    "mysql",
    "redis",
    "openssl",
    "tls",
    "ssl",
    "gcc",
    "clang",
    "android",
    "ios",
    "macos",
    "ubuntu",
    "debian",
    "windows",
    "chrome",
    "firefox",
    "safari",
    "api",
    "sdk",
    "version",
    "v",
    "kotlin",
    "swift",
    "xcode",
    "gradle",
    "maven",
    "dotnet",
    ".net",
    "elixir",
    "erlang",
];

/// Whether a comparison read from the text measures something, rather than counting
/// people, setting a deadline, naming a version or scoping a set of findings.
fn measures_something(text: &str, op_start: usize, number_at: usize, found: &Threshold) -> bool {
    let lower = text.to_ascii_lowercase();
    let words = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty());
    let before = &lower[..op_start];
    let after_number = lower[number_at..]
        .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ',')
        .trim_start();
    let next_word: &str = after_number
        .split(|c: char| !(c.is_alphanumeric() || c == '-'))
        .next()
        .unwrap_or("");
    if found.unit.is_none() {
        if PEOPLE.contains(&next_word) || before.trim_end().ends_with(" by") {
            return false;
        }
        if CALENDAR.contains(&next_word) {
            return false;
        }
        let metric_last = found.metric.rsplit(' ').next().unwrap_or("");
        let versioned = VERSIONED
            .iter()
            .any(|v| v.eq_ignore_ascii_case(metric_last))
            || after_number.starts_with('+')
            || after_number.starts_with(".x")
            || ["installed", "or later", "or newer", "or higher", "or above"]
                .iter()
                .any(|w| after_number.starts_with(w))
            || lower.contains("version") && words.clone().any(|w| w.starts_with("version"));
        if versioned {
            return false;
        }
    }
    // The last clause before the operator: what is compared.
    let clause = before.rsplit(['(', ',', ';', ':']).next().unwrap_or(before);
    // `at least 24 hours before`, `(>= 72 h notice)`: how early to act, not a measured value.
    if matches!(found.unit.as_deref(), Some("ms" | "s" | "min" | "h"))
        && is_lead_time(clause, after_number)
    {
        return false;
    }
    let op_word = &lower[op_start..];
    let timed = || {
        [
            "time",
            "latency",
            "duration",
            "rto",
            "rpo",
            "recovery",
            "takes",
            "completes",
            "finishes",
            "uptime",
        ]
        .iter()
        .any(|w| before.contains(w))
    };
    let long_duration = matches!(found.unit.as_deref(), Some("min" | "h"));
    // `within 48 hours`: a deadline for doing the task, unless a duration is what is measured.
    if op_word.starts_with("within") && long_duration && !timed() {
        return false;
    }
    // `Memory usage stable over 24h`: how long it was watched, not a limit, unless a
    // duration is what is measured (`Job duration over 2h`).
    if starts_with_word(op_word, "over") && long_duration && !timed() {
        return false;
    }
    // `System stable under 50% production-equivalent load`: the conditions it holds in.
    if starts_with_word(op_word, "under")
        && after_number
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .take(4)
            // `under 200 ms under peak load` is a limit, in conditions of its own, and
            // `Error rate under 1% of traffic` a limit on a share of it.
            .take_while(|w| !matches!(*w, "under" | "at" | "with" | "during" | "in" | "of"))
            .any(|w| UNDER_LOAD.contains(w.as_bytes()))
    {
        return false;
    }
    // `Fix findings with CVSS v2 score > 4.0`: which findings, not a measured value.
    if lower.contains("cvss") && words.clone().any(|w| w == "cvss") {
        return false;
    }
    // `(only for databases < 50 GB)`: which cases the task covers, not a measured value.
    let mut previous = "";
    for word in clause.split_whitespace() {
        if matches!(word, "with" | "where" | "whose" | "having" | "rated")
            || (word == "for" && previous == "only")
        {
            return false;
        }
        previous = word;
    }
    true
}

/// Words after `under N` that make it the conditions something holds in, not a limit.
const UNDER_LOAD: Lexicon = Lexicon::new(&[
    "load",
    "traffic",
    "stress",
    "pressure",
    "concurrency",
    "concurrent",
    "peak",
]);

/// Words after a duration that make it a lead time: how long before something to act.
const LEAD: &[&str] = &[
    "before",
    "beforehand",
    "ahead",
    "in advance",
    "prior",
    "notice",
    "of notice",
    "advance notice",
    "earlier",
];

/// Words before an operator that make a duration the length of something the operator
/// times, even when it ends `before ...`: `Soak for at least 24 hours before promoting`.
const TIMED: Lexicon =
    Lexicon::new(&["for", "wait", "soak", "bake", "observe", "watch", "monitor"]);

/// Whether the duration compared in `clause` (lowercase, the last clause before the
/// operator) and starting `after_number` (lowercase, past the number) says how early to act: `Lower DNS TTL at least
/// 24 hours before`, `(>= 72 h notice)`, `48 hours in advance`.
fn is_lead_time(clause: &str, after_number: &str) -> bool {
    // Past the unit: `hours before`, `h notice)`.
    let after_unit = after_number
        .trim_start_matches(|c: char| c.is_ascii_alphabetic())
        .trim_start();
    LEAD.iter().any(|w| starts_with_word(after_unit, w)) && !TIMED.any_in(clause)
}

/// The short noun phrase a threshold measures, from everything before its operator:
/// `Load test passed (100 concurrent users, p95` → `p95`; `Verify response time` →
/// `response time`.
fn short_metric(before: &str) -> String {
    let trimmed = before
        .trim_end()
        .trim_end_matches(['(', ':', '-', '–', '—', '='])
        .trim_end();
    let mut clause = trimmed;
    // One search for the punctuation, and the dashes only where there is a dash at all.
    // `Wait for the job (should take < 2h)`: a clause of nothing but hedges names no
    // metric; what it hedges, before the bracket, does.
    const HEDGING: Lexicon = Lexicon::new(&[
        "should",
        "must",
        "take",
        "takes",
        "expected",
        "expect",
        "target",
        "goal",
        "ideally",
        "typically",
        "usually",
        "normally",
        "approximately",
        "approx",
        "about",
        "around",
        "be",
    ]);
    if let Some(at) = clause.rfind(['(', ',', ':', ';', '[', '|'])
        && !clause[at + 1..].trim().is_empty()
    {
        let after = &clause[at + 1..];
        let hedging = after
            .split_whitespace()
            .all(|w| HEDGING.contains(w.as_bytes()));
        if !hedging || clause[..at].trim().is_empty() {
            clause = after;
        } else {
            clause = clause[..at].trim_end();
        }
    }
    // `Roll back if error rate > 5%`, `Check if p95 latency < 200ms`: what follows `if` is
    // what is measured.
    // Word by word: this runs for every threshold found, and most clauses are short.
    let mut after_if = None;
    let mut words = clause.split(' ').peekable();
    let mut at = 0;
    while let Some(word) = words.next() {
        at += word.len() + 1;
        let conditional = match word.len() {
            2 => word.eq_ignore_ascii_case("if"),
            4 => word.eq_ignore_ascii_case("when"),
            6 => word.eq_ignore_ascii_case("unless"),
            _ => false,
        };
        // `If crash-free drops below 99.5%` too: a leading `If` names no metric.
        if conditional && words.peek().is_some() {
            after_if = Some(at);
        }
    }
    if let Some(at) = after_if
        && !clause[at..].trim().is_empty()
    {
        clause = &clause[at..];
    }
    if clause.contains(['-', '–', '—']) {
        for separator in [" - ", " – ", " — "] {
            if let Some((_, after)) = clause.rsplit_once(separator)
                && !after.trim().is_empty()
            {
                clause = after;
            }
        }
    }
    const LEADING: Lexicon = Lexicon::new(&[
        "verify", "check", "ensure", "confirm", "validate", "make", "sure", "that", "monitor",
        "measure", "test", "assert", "the", "and", "or", "is", "are",
    ]);
    const TRAILING: Lexicon = Lexicon::new(&[
        "is", "are", "be", "should", "must", "stays", "remains", "stay", "remain", "of", "at",
        "was", "were", "kept", "held", "still", "drops", "falls", "rises", "grows", "climbs",
        "reaches", "goes", "hits", "exceeds", "for",
    ]);
    const PREPOSITIONS: Lexicon = Lexicon::new(&[
        "on", "in", "for", "at", "of", "during", "after", "before", "from", "across", "per",
    ]);
    // The clause's words, counted rather than gathered: at most six are kept.
    let words = || clause.split_whitespace();
    let total = words().count();
    // `3.1 At least 3 replicas running`: a label alone names nothing.
    if total == 1 && is_step_label(clause.trim()) {
        return String::new();
    }
    let leading = words()
        .take(total.saturating_sub(1))
        .take_while(|w| LEADING.contains(w.as_bytes()) || is_step_label(w))
        .count();
    let mut kept = total - leading;
    kept -= words()
        .rev()
        .take(kept.saturating_sub(1))
        .take_while(|w| TRAILING.contains(w.as_bytes()))
        .count();
    // A long clause names its subject first: `Migration dry run on a production copy`.
    if kept > 5
        && let Some(at) = words()
            .skip(leading + 1)
            .take(kept - 1)
            .position(|w| PREPOSITIONS.contains(w.as_bytes()))
    {
        kept = at + 1;
    }
    let kept = kept.min(6);
    let len = words()
        .skip(leading)
        .take(kept)
        .map(|w| w.len() + 1)
        .sum::<usize>();
    let mut metric = String::with_capacity(len.saturating_sub(1));
    for word in words().skip(leading).take(kept) {
        if !metric.is_empty() {
            metric.push(' ');
        }
        metric.push_str(word);
    }
    metric
}

/// A step's label before its words: `A4.`, `B2)`, `3.`, `3.1`, `3.1.2`; never a word that
/// names a metric, such as `p95` or `5xx`.
fn is_step_label(word: &str) -> bool {
    let (body, closed) = match word.strip_suffix(['.', ')']) {
        Some(body) => (body, true),
        None => (word, false),
    };
    // One letter may lead, but only on a closed label: `A4.`, not `p95`.
    let numbers = match body.as_bytes().first() {
        Some(b) if b.is_ascii_alphabetic() && closed => &body[1..],
        _ => body,
    };
    let mut parts = numbers.split('.');
    let all_digits = numbers.split('.').all(|part| {
        !part.is_empty() && part.len() <= 3 && part.bytes().all(|b| b.is_ascii_digit())
    });
    // Unclosed, only a dotted number is a label: `3.1 Error rate`, not `100 users`.
    all_digits && (closed || parts.nth(1).is_some())
}

/// `text` starts with the ASCII `word` in any case, and no letter or digit follows it.
fn starts_with_word(text: &str, word: &str) -> bool {
    let bytes = text.as_bytes();
    // Only after the match is `word.len()` known to be a char boundary of `text`.
    bytes.len() >= word.len()
        && bytes[..word.len()].eq_ignore_ascii_case(word.as_bytes())
        && text[word.len()..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric())
}

/// How a value moved: `dropped below`, `rose above`.
const MOVED: Lexicon = Lexicon::new(&[
    "dropped", "fell", "rose", "climbed", "grew", "stayed", "remained", "dipped", "spiked", "went",
]);

/// Reads `200ms (p95)` after an operator; `None` unless a number follows at once.
fn measure_after(text: &str, op_start: usize, op_end: usize, op: Comparison) -> Option<Threshold> {
    let bytes = text.as_bytes();
    let mut i = op_end;
    while i < bytes.len() && bytes[i] == b' ' {
        i += 1;
    }
    let number_start = i;
    while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b',' || bytes[i] == b'.') {
        i += 1;
    }
    // Trailing punctuation belongs to the sentence, not the number.
    while i > number_start && matches!(bytes[i - 1], b',' | b'.') {
        i -= 1;
    }
    let number = &text[number_start..i];
    let value = parse_number(number)?;

    let mut j = i;
    while j < bytes.len() && bytes[j] == b' ' {
        j += 1;
    }
    let (unit, after_unit) = unit_at(text, j)
        .map(|(unit, len)| (Some(unit.to_string()), j + len))
        .unwrap_or((None, i));

    let mut k = after_unit;
    while k < bytes.len() && bytes[k] == b' ' {
        k += 1;
    }
    let qualifier = text[k..].strip_prefix('(').and_then(|inner| {
        let close = inner.find(')')?;
        let word = inner[..close].trim();
        let simple = !word.is_empty()
            && word.len() <= 16
            && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '.');
        simple.then(|| word.to_string())
    });

    let mut metric = short_metric(&text[..op_start]);
    // `traffic on uplinks dropped below 1 Gbps`: a verb of motion before a word operator
    // says how the value moved, not what it is. Before a symbol it may be the metric:
    // `Packets dropped < 100`.
    if text[..op_end].ends_with(|c: char| c.is_ascii_alphabetic())
        && let Some((subject, verb)) = metric.rsplit_once(' ')
        && MOVED.contains(verb.as_bytes())
    {
        metric.truncate(subject.trim_end().len());
    }
    let metric = if metric.is_empty() {
        // "At least 3 replicas running": the metric is what follows.
        text[after_unit..].trim().trim_end_matches('.').to_string()
    } else {
        metric
    };
    let is_percentile = |m: &str| {
        m.len() <= 4
            && m.starts_with(['p', 'P'])
            && m.len() > 1
            && m[1..].bytes().all(|b| b.is_ascii_digit())
    };
    let qualifier = qualifier.or_else(|| is_percentile(&metric).then(|| metric.to_lowercase()));
    Some(Threshold {
        metric,
        op,
        value,
        unit,
        qualifier,
    })
}

fn parse_number(text: &str) -> Option<f64> {
    if !text.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text, None),
    };
    if let Some(fraction) = fraction
        && (fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    if !whole.contains(',') {
        // Digits and at most one point: the text is the number as written. A whole number
        // of up to fifteen digits is exact as an f64, and cheaper read as an integer.
        if fraction.is_none() && whole.len() <= 15 {
            return whole.parse::<u64>().ok().map(|n| n as f64);
        }
        return text.parse().ok().filter(|v: &f64| v.is_finite());
    }
    let mut groups = whole.split(',');
    let first = groups.next()?;
    if first.is_empty() || first.len() > 3 {
        return None;
    }
    // `1,000`: a whole number of up to fifteen digits is exact as an f64, and read as an
    // integer with no copy of its digits.
    if fraction.is_none() && whole.len() <= 19 {
        let mut value = 0u64;
        for (index, group) in whole.split(',').enumerate() {
            if index > 0 && group.len() != 3 {
                return None;
            }
            value = group
                .bytes()
                .fold(value, |v, b| v * 10 + u64::from(b - b'0'));
        }
        return Some(value as f64);
    }
    let mut digits = first.to_string();
    for group in groups {
        if group.len() != 3 {
            return None;
        }
        digits.push_str(group);
    }
    if let Some(fraction) = fraction {
        digits.push('.');
        digits.push_str(fraction);
    }
    digits.parse().ok().filter(|v: &f64| v.is_finite())
}

fn unit_at(text: &str, at: usize) -> Option<(&'static str, usize)> {
    let rest = &text[at..];
    // "4.5/5": a score out of N.
    if let Some(denominator) = rest.strip_prefix('/') {
        let digits = denominator.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && digits <= 3 {
            return Some((out_of(&denominator[..digits])?, digits + 1));
        }
    }
    let first = rest.as_bytes().first()?.to_ascii_lowercase();
    UNITS
        .iter()
        .filter(|(spelling, _)| spelling.as_bytes()[0] == first)
        .find(|(spelling, _)| starts_with_word(rest, spelling))
        .map(|(spelling, canonical)| (*canonical, spelling.len()))
}

/// Canonical `/N` units; a static table keeps `Threshold` free of leaked allocations.
fn out_of(denominator: &str) -> Option<&'static str> {
    Some(match denominator {
        "5" => "/5",
        "10" => "/10",
        "100" => "/100",
        "3" => "/3",
        "4" => "/4",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> Threshold {
        Threshold::infer(text).unwrap_or_else(|| panic!("no threshold in {text:?}"))
    }

    #[test]
    fn under_load_and_over_a_watch_are_conditions_not_limits() {
        for text in [
            "System stable under 50% production-equivalent load",
            "No errors under 1,000 RPS peak traffic",
            "Memory usage stable over 24h",
            "No restarts over 48 hours",
        ] {
            assert_eq!(Threshold::infer(text), None, "{text}");
        }
        for (text, op) in [
            ("CPU under 80%", Comparison::Less),
            ("p95 latency under 200 ms under peak load", Comparison::Less),
            ("Error rate under 1% of traffic", Comparison::Less),
            ("Job duration over 2h", Comparison::Greater),
            ("Response time over 200ms", Comparison::Greater),
            ("Throughput over 1,000 RPS", Comparison::Greater),
        ] {
            assert_eq!(t(text).op, op, "{text}");
        }
    }

    #[test]
    fn microseconds_are_a_unit_and_ns_records_are_not_nanoseconds() {
        let wait = t("Lock wait p99 < 500µs");
        assert_eq!((wait.value, wait.unit.as_deref()), (500.0, Some("µs")));
        assert_eq!(t("Lock wait < 500 μs").unit.as_deref(), Some("µs"));
        assert_eq!(t("At least 2 NS records").unit, None);
    }

    #[test]
    fn a_comparison_that_scopes_the_task_is_not_a_threshold() {
        assert_eq!(
            Threshold::infer("Dump and restore (only for databases < 50 GB)"),
            None
        );
        assert_eq!(t("Roll back only if error rate > 5%").metric, "error rate");
        let bundle = t("Bundle is not larger than 250 KB");
        assert_eq!(
            (bundle.op, bundle.value, bundle.unit.as_deref()),
            (Comparison::LessOrEqual, 250.0, Some("KB"))
        );
        assert_eq!(t("Image smaller than 1 GB").op, Comparison::Less);
        assert_eq!(
            t("Database size recorded (expected < 500 GB)").metric,
            "Database size recorded"
        );
        assert_eq!(
            t("Load test passed (100 concurrent users, p95 < 300ms)").metric,
            "p95"
        );
        for text in [
            "Roll back only if error rate > 5%",
            "Rollback if error rate > 5%",
            "Error budget at least 99.9%",
            "Response time < 200ms (p95)",
        ] {
            assert!(Threshold::infer(text).is_some(), "{text}");
        }
    }

    #[test]
    fn symbol_operator_with_unit_and_qualifier() {
        let th = t("Response time < 200ms (p95)");
        assert_eq!(th.metric, "Response time");
        assert_eq!(th.op, Comparison::Less);
        assert_eq!(th.value, 200.0);
        assert_eq!(th.unit.as_deref(), Some("ms"));
        assert_eq!(th.qualifier.as_deref(), Some("p95"));
        assert_eq!(th.to_string(), "< 200 ms (p95)");
    }

    #[test]
    fn thresholds_from_the_seeds() {
        assert_eq!(t("Throughput > 1000 RPS").unit.as_deref(), Some("RPS"));
        let er = t("Error rate < 0.1%");
        assert_eq!((er.value, er.unit.as_deref()), (0.1, Some("%")));
        let hi = t("High error rates (>5%)");
        assert_eq!(hi.metric, "High error rates");
        assert_eq!((hi.op, hi.value), (Comparison::Greater, 5.0));
        let sat = t("User satisfaction > 4.5/5");
        assert_eq!((sat.value, sat.unit.as_deref()), (4.5, Some("/5")));
        assert_eq!(sat.to_string(), "> 4.5/5");
        assert_eq!(t("Response time > 5s").unit.as_deref(), Some("s"));
        assert_eq!(t("Page load < 3s").value, 3.0);
    }

    #[test]
    fn unicode_and_word_operators() {
        assert_eq!(t("Latency ≤ 2 seconds").op, Comparison::LessOrEqual);
        assert_eq!(t("Free disk ≥ 20 GB").unit.as_deref(), Some("GB"));
        let below = t("Queue depth below 1,000");
        assert_eq!(
            (below.op, below.value, below.unit.as_deref()),
            (Comparison::Less, 1000.0, None)
        );
        let least = t("At least 3 replicas running");
        assert_eq!(least.op, Comparison::GreaterOrEqual);
        assert_eq!(least.metric, "replicas running");
        assert_eq!(
            t("Rollout finishes under 15 minutes").unit.as_deref(),
            Some("min")
        );
        assert_eq!(t("Cache hit rate above 80 %").unit.as_deref(), Some("%"));
    }

    #[test]
    fn prose_is_not_a_threshold() {
        for text in [
            "Response times within SLA",
            "Error rates below threshold",
            "Data masking applied (non-prod)",
            "No high/critical CVEs",
            "Traffic routed -> new pool 2",
            "Compare a <b> tag",
            "Hover over the dashboard",
        ] {
            assert_eq!(Threshold::infer(text), None, "{text}");
        }
    }

    #[test]
    fn multibyte_text_after_an_operator_does_not_panic() {
        assert_eq!(
            Threshold::infer("run against staging — p95 under 300ms")
                .unwrap()
                .value,
            300.0
        );
        assert_eq!(
            Threshold::infer("Latency < 5ms — très bien")
                .unwrap()
                .unit
                .as_deref(),
            Some("ms")
        );
        assert_eq!(Threshold::infer("under—"), None);
        assert_eq!(
            Threshold::infer("x < 5µs"),
            Some(Threshold {
                metric: "x".into(),
                op: Comparison::Less,
                value: 5.0,
                unit: Some("µs".into()),
                qualifier: None,
            })
        );
    }

    #[test]
    fn headcounts_deadlines_versions_and_scopes_are_not_measurements() {
        for text in [
            "Code reviewed by at least 1 team member",
            "At least 2 approvals on the pull request",
            "Schedule post-mortem (within 48 hours)",
            "Customers notified within 2 business days",
            "Fix vulnerabilities with CVSS v2 score > 4.0",
            "CVSS v2 score > 4.0",
            "Node >= 18 installed",
            "Python 3.10 or later on the build hosts: python >= 3",
            "TLS >= 1.2 enforced",
        ] {
            assert_eq!(Threshold::infer(text), None, "{text}");
        }
    }

    #[test]
    fn negations_read_the_right_way_round() {
        let th = t("Description doesn't have more than 150 characters");
        assert_eq!(th.to_string(), "<= 150 characters");
        assert_eq!(th.metric, "Description");
        let th = t("Uploaded images don't exceed 2 MB");
        assert_eq!(
            (th.op, th.unit.as_deref()),
            (Comparison::LessOrEqual, Some("MB"))
        );
        assert_eq!(t("Docker image under 100 MB").to_string(), "< 100 MB");
        assert_eq!(
            t("RSA keys of at least 2048 bits").to_string(),
            ">= 2048 bits"
        );
        assert_eq!(
            t("Page weight must not exceed 500 KB").op,
            Comparison::LessOrEqual
        );
    }

    #[test]
    fn the_metric_is_a_short_noun_phrase() {
        let th = t("Load test passed (100 concurrent users, p95 < 500ms)");
        assert_eq!(
            (th.metric.as_str(), th.qualifier.as_deref()),
            ("p95", Some("p95"))
        );
        assert_eq!(t("Verify response time < 200ms").metric, "response time");
        assert_eq!(t("Error budget at least 99.9%").to_string(), ">= 99.9%");
        assert_eq!(t("Throughput > 1000 RPS").metric, "Throughput");
        assert_eq!(
            t("Deploy completes within 10 minutes").unit.as_deref(),
            Some("min")
        );
    }

    #[test]
    fn every_word_operator_is_found_by_its_last_word() {
        for (word, _) in WORD_OPERATORS {
            let last = word.rsplit(' ').next().unwrap();
            assert!(OPERATOR_ENDINGS.contains(last.as_bytes()), "{word}");
            assert!(
                OPERATOR_ENDINGS.contains(last.to_uppercase().as_bytes()),
                "{word}"
            );
        }
        assert!(!OPERATOR_ENDINGS.contains(b"component"));
        assert!(!OPERATOR_ENDINGS.contains(b"exceedings"));
    }

    #[test]
    fn malformed_numbers_are_rejected() {
        assert_eq!(Threshold::infer("Rows < 1,00,000"), None);
        assert_eq!(Threshold::infer("Rows < ,5"), None);
        assert_eq!(t("Rows < 12.").value, 12.0);
    }

    /// Numbers as first read: the digits gathered into a string and parsed.
    fn number_through_a_string(text: &str) -> Option<f64> {
        if !text.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        let (whole, fraction) = match text.split_once('.') {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (text, None),
        };
        if let Some(fraction) = fraction
            && (fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()))
        {
            return None;
        }
        let mut groups = whole.split(',');
        let first = groups.next()?;
        if whole.contains(',') && (first.is_empty() || first.len() > 3) {
            return None;
        }
        let mut digits = first.to_string();
        for group in groups {
            if group.len() != 3 {
                return None;
            }
            digits.push_str(group);
        }
        if let Some(fraction) = fraction {
            digits.push('.');
            digits.push_str(fraction);
        }
        digits.parse().ok().filter(|v: &f64| v.is_finite())
    }

    proptest::proptest! {
        /// The one-pass look for a negation sees exactly what searching for each of its
        /// signs sees.
        #[test]
        fn a_negation_is_looked_for_exactly_where_a_search_finds_its_signs(
            head in proptest::prop_oneof![
                "(not|NoT|never|NEVER|nev|no|n|'|’|x| ){0,12}",
                proptest::prelude::any::<String>(),
            ]
        ) {
            let bytes = head.as_bytes();
            let searched = head.contains(['\'', '’'])
                || bytes.windows(3).any(|w| w.eq_ignore_ascii_case(b"not"))
                || bytes.windows(5).any(|w| w.eq_ignore_ascii_case(b"never"));
            proptest::prop_assert_eq!(may_negate(bytes), searched);
        }

        /// A step's reading and a trigger's differ at most in the direction of the
        /// comparison, and only where a stop, undo or alarm is named.
        #[test]
        fn the_pass_and_condition_readings_differ_only_in_direction(
            text in proptest::prop_oneof![
                "(If |Pause |halt |roll back |page |check |when |error rate |p95 |: |, |— |no |>|< |5% |200 ms |at least |exceeds |1 ){1,10}",
                proptest::prelude::any::<String>(),
            ]
        ) {
            let pass = Threshold::infer(&text);
            let condition = Threshold::infer_condition(&text);
            proptest::prop_assert_eq!(pass.is_some(), condition.is_some());
            if let (Some(pass), Some(condition)) = (pass, condition) {
                proptest::prop_assert!(pass.op == condition.op || pass.op == condition.op.negated());
                proptest::prop_assert_eq!(
                    (pass.metric, pass.value, pass.unit),
                    (condition.metric, condition.value, condition.unit)
                );
            }
        }

        /// Grouped numbers read as integers have the value their digits parse to.
        #[test]
        fn grouped_numbers_read_as_their_digits_parse(
            text in "[0-9]{1,4}(,[0-9]{2,4}){0,6}(\\.[0-9]{0,3})?"
        ) {
            proptest::prop_assert_eq!(parse_number(&text), number_through_a_string(&text));
        }
    }

    #[test]
    fn a_comparison_that_triggers_a_stop_passes_when_it_does_not_hold() {
        let reviews = t("Pause rollout if 1-star reviews exceed 5% of new reviews");
        assert_eq!(reviews.metric, "1-star reviews");
        assert_eq!(reviews.to_string(), "<= 5%");
        assert!(reviews.passes(2.0) && !reviews.passes(6.0));
        let crash_free = t("If crash-free drops below 99.5%: halt staged rollout");
        assert_eq!(crash_free.metric, "crash-free");
        assert_eq!(crash_free.to_string(), ">= 99.5%");
        for (text, expected) in [
            ("Rollout halted if crash rate > 1%", "<= 1%"),
            ("Roll back only if error rate > 5%", "<= 5%"),
            ("Roll-back if error rate > 5%", "<= 5%"),
            ("Rollback if error rate > 5%", "<= 5%"),
            (
                "Page the on-call when p99 latency exceeds 800 ms",
                "<= 800 ms",
            ),
            ("Abort the migration if replication lag > 30 s", "<= 30 s"),
            ("When disk usage is above 90%, stop the import", "<= 90%"),
            ("Rollout — halt if crash rate > 1%", "<= 1%"),
            ("Déploiement: stop when crash rate > 1%", "<= 1%"),
        ] {
            assert_eq!(t(text).to_string(), expected, "{text}");
        }
        // Negatives: no stop, or the action word is inside the condition, or no condition.
        for (text, expected) in [
            ("Check if page load < 3s", "< 3 s"),
            ("Page load < 3s", "< 3 s"),
            ("Scale out if CPU > 85%", "> 85%"),
            ("Stop words filtered: recall > 90%", "> 90%"),
            ("Halt time < 5 min", "< 5 min"),
            ("Error rate < 1% before rollback", "< 1%"),
            ("Deploys rolled badly if error rate > 5%", "> 5%"),
        ] {
            assert_eq!(t(text).to_string(), expected, "{text}");
        }
    }

    #[test]
    fn a_trigger_reads_its_comparison_as_written() {
        for (text, expected) in [
            (
                "Pause rollout if 1-star reviews exceed 5% of new reviews",
                "> 5%",
            ),
            (
                "If crash-free drops below 99.5%: halt staged rollout",
                "< 99.5%",
            ),
            ("Roll back only if error rate > 5%", "> 5%"),
            // Negative: with no action the two readings agree.
            ("Error rate > 5%", "> 5%"),
        ] {
            let condition = Threshold::infer_condition(text).unwrap();
            assert_eq!(condition.to_string(), expected, "{text}");
            assert_eq!(condition.metric, t(text).metric, "{text}");
        }
    }

    #[test]
    fn a_second_limit_in_a_clause_of_its_own_is_found_and_a_qualifier_is_not() {
        let next = |text: &str| {
            Threshold::infer_scanned_and_next(text, &ItemScan::of(text))
                .and_then(|(_, next)| next)
                .map(|next| next.to_string())
        };
        assert_eq!(
            next("Board p95 < 800ms, Drawer avg < 200ms").as_deref(),
            Some("< 200 ms")
        );
        assert_eq!(next("CPU < 80% and memory < 70%").as_deref(), Some("< 70%"));
        assert_eq!(
            next("p95 < 200ms (p95); p99 < 500ms").as_deref(),
            Some("< 500 ms (p99)")
        );
        assert_eq!(
            next("p95 < 200 ms, p99 < 500 ms").as_deref(),
            Some("< 500 ms (p99)")
        );
        assert_eq!(
            next("Queue depth < 100, lag < 5s").as_deref(),
            Some("< 5 s")
        );
        assert_eq!(next("CPU < 80% AND memory < 70%").as_deref(), Some("< 70%"));
        for text in [
            "Latency < 300ms, excluding uploads > 5 MB",
            "Error rate < 1%, down from > 3% last release",
            "Response time < 200ms, ideally < 100ms",
            "Error rate < 1%; roll back if > 5%",
            "Latency < 200ms, measured at the edge",
            "Error rate < 1% over 5 min",
            "p95 < 200ms for at least 10 minutes",
            "Latency under 300ms across more than 3 regions",
            "Success rate > 99.9% (was > 99.5% last week)",
            "Response time < 200ms with >= 3 replicas",
            "Error rate < 1%",
        ] {
            assert_eq!(next(text), None, "{text}");
        }
    }

    #[test]
    fn a_negated_subject_caps_what_follows() {
        let hops = t("No redirect chains longer than 1 hop");
        assert_eq!(
            (hops.metric.as_str(), hops.to_string().as_str()),
            ("redirect chains", "<= 1")
        );
        assert_eq!(t("Ensure no queue deeper than 50 > 3").to_string(), "<= 3");
        for (text, expected) in [
            ("No more than 3 retries configured", "<= 3"),
            ("Payload not longer than 512 bytes", "<= 512 bytes"),
            ("Payload no longer than 512 bytes", "<= 512 bytes"),
            ("Retries never more than 3", "<= 3"),
            ("Lock wait never longer than 2 s", "<= 2 s"),
        ] {
            assert_eq!(t(text).to_string(), expected, "{text}");
        }
        // A ceiling in brackets is what the claim before it allows; what the claim rules
        // out (a floor, or the size of a fall) is negated as the claim is.
        for (text, expected) in [
            ("No spike in OCC conflicts (< 30 per 5min)", "< 30"),
            ("No errors in logs (<= 5 per hour)", "<= 5"),
            ("No slow queries (p95 < 200ms)", "< 200 ms"),
            ("No packet loss (< 1%)", "< 1%"),
            ("No 5xx errors (> 0)", "<= 0"),
            ("No error spike (> 2x baseline)", "<= 2"),
            ("No spike in errors (above 5%)", "<= 5%"),
            ("No drop in success rate (< 99%)", ">= 99%"),
            ("No drop in throughput (> 10%)", "<= 10%"),
        ] {
            assert!(
                t(text).to_string().starts_with(expected),
                "{text}: {}",
                t(text)
            );
        }
        // Negatives: `no` that is not the first word of the subject, or a subject of one word.
        assert_eq!(t("Node count longer than 3").to_string(), "> 3");
        assert_eq!(t("Known issues > 3").to_string(), "> 3");
        assert_eq!(t("Canary on node 4, errors > 3").to_string(), "> 3");
        let count = t("No. of open incidents < 3");
        assert_eq!(
            (count.metric.as_str(), count.op),
            ("No. of open incidents", Comparison::Less)
        );
    }

    #[test]
    fn bit_rates_and_signal_power_are_units() {
        let uplinks = t("Traffic on uplinks < 1 Gbps");
        assert_eq!(
            (uplinks.metric.as_str(), uplinks.to_string().as_str()),
            ("Traffic on uplinks", "< 1 Gbps")
        );
        let iperf = t("iperf3 between hosts: expect ≥ 9.4 Gbit/s");
        assert_eq!(
            (iperf.metric.as_str(), iperf.to_string().as_str()),
            ("iperf3 between hosts", ">= 9.4 Gbps")
        );
        for (text, expected) in [
            ("Backup link > 500 Mbit/s", "> 500 Mbps"),
            ("VoIP stream >= 64 kbps", ">= 64 kbps"),
            ("Telemetry at most 100 kbit/s", "<= 100 kbps"),
            ("Modem uplink > 9600 bps", "> 9600 bps"),
            ("Transmit power at most 20 dBm", "<= 20 dBm"),
        ] {
            assert_eq!(t(text).to_string(), expected, "{text}");
        }
        // Negatives: a size is still a size, and a word that only starts like a unit is none.
        assert_eq!(t("Free disk ≥ 20 GB").unit.as_deref(), Some("GB"));
        assert_eq!(t("Upload < 5 MB").unit.as_deref(), Some("MB"));
        assert_eq!(t("Links < 4 Gbpsx").unit, None);
    }

    #[test]
    fn a_step_label_is_not_part_of_the_metric() {
        for (text, metric) in [
            (
                "A4. Verify traffic on uplinks dropped below 1 Gbps",
                "traffic on uplinks",
            ),
            (
                "B2. Traffic on core-02 uplinks < 1 Gbps",
                "Traffic on core-02 uplinks",
            ),
            ("3.1 Error rate < 1%", "Error rate"),
            ("3. Error rate < 1%", "Error rate"),
            ("2) Error rate < 1%", "Error rate"),
            ("4.2.1 Verify queue depth below 1,000", "queue depth"),
            ("3.1 At least 3 replicas running", "replicas running"),
        ] {
            assert_eq!(t(text).metric, metric, "{text}");
        }
        // Negatives: words that name what is measured keep their digits.
        for (text, metric) in [
            ("p95 latency < 200ms", "p95 latency"),
            ("5xx rate < 1%", "5xx rate"),
            ("100 concurrent users < 5s", "100 concurrent users"),
            ("IPv4 traffic < 1 Gbps", "IPv4 traffic"),
            ("Packets dropped < 100", "Packets dropped"),
        ] {
            assert_eq!(t(text).metric, metric, "{text}");
        }
    }

    #[test]
    fn a_lead_time_is_not_a_measurement() {
        for text in [
            "Confirm CHG approved by CAB and customer notifications sent (≥ 72 h notice)",
            "Lower DNS TTL to 300 seconds at least 24 hours before",
            "Lower DNS TTL to 300 seconds at least 24 hours in advance",
            "Lower DNS TTL to 300 seconds at least 24 hours ahead of the window",
            "Announce the freeze no less than 48 hours prior to the release",
        ] {
            assert_eq!(Threshold::infer(text), None, "{text}");
        }
        // Negatives: a duration the operator times, and an age measured against a limit.
        let soak = t("Soak for at least 24 hours before promoting");
        assert_eq!(
            (soak.metric.as_str(), soak.to_string().as_str()),
            ("Soak", ">= 24 h")
        );
        assert_eq!(
            t("Wait at least 10 minutes before checking dashboards").to_string(),
            ">= 10 min"
        );
        assert_eq!(t("Backup age < 24 h").to_string(), "< 24 h");
        assert_eq!(
            t("Restore completes in under 30 min, before the window closes").to_string(),
            "< 30 min"
        );
    }

    #[test]
    fn a_count_of_testers_is_a_headcount() {
        for text in [
            "TestFlight build distributed to internal + external testers (≥ 200 testers)",
            "Beta open to at least 50 participants",
        ] {
            assert_eq!(Threshold::infer(text), None, "{text}");
        }
        // Negative: a count of something else, or testers with a unit of their own.
        assert_eq!(t("Crash reports from testers < 5").to_string(), "< 5");
        assert_eq!(t("Tester sessions ≥ 200").to_string(), ">= 200");
    }

    #[test]
    fn passes_compares_in_the_stated_direction() {
        let th = t("Response time < 200ms");
        assert!(th.passes(180.0));
        assert!(!th.passes(200.0));
        assert!(t("Throughput >= 1000 RPS").passes(1000.0));
    }

    #[test]
    fn whole_values_serialize_as_integers() {
        let json = serde_json::to_string(&t("Response time < 200ms (p95)")).unwrap();
        assert_eq!(
            json,
            r#"{"metric":"Response time","op":"<","value":200,"unit":"ms","qualifier":"p95"}"#
        );
    }
}
