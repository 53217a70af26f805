//! Conditions in prose: the words that make an item or a section apply only sometimes.
//!
//! `Pin the release if needed`, `(if SEV1/SEV2)`, `Skip if no schema change`, `Only for
//! v2.16: ...`, `### For patch releases only`, `- If this is a major release:`. The result
//! is the condition as the source words it, so the operator reads what the author meant.
//! A marker that qualifies a description rather than the task (`Rollback plan documented:
//! clear path to revert changes if needed`) is not a condition: the task is still required.

use crate::words::{ItemScan, RELEASE_KINDS};

/// Words after `if` that make a trailing `if ...` a hedge on the whole task.
const HEDGES: &[&str] = &[
    "needed",
    "necessary",
    "neccessary",
    "required",
    "applicable",
    "appropriate",
    "relevant",
    "possible",
    "desired",
    "warranted",
    "any",
    "time permits",
    "time allows",
    "available",
    "requested",
];

/// Phrases that hedge without `if`.
const LOOSE_HEDGES: &[&str] = &[
    "as needed",
    "as necessary",
    "as required",
    "as applicable",
    "where applicable",
    "when applicable",
    "where needed",
    "when needed",
    "where relevant",
    "when relevant",
    "where possible",
    "when possible",
    "if so",
];

/// Verbs after which `if` means "whether": `Check if the pods restarted`.
const WHETHER_VERBS: &[&str] = &[
    "check",
    "verify",
    "confirm",
    "see",
    "determine",
    "test",
    "ask",
    "decide",
    "assess",
    "evaluate",
    "review",
    "validate",
    "note",
    "document",
    "record",
    "investigate",
    "find out",
    "identify",
    "ensure",
];

/// The condition an item's own text states, if any.
pub fn of_item(text: &str) -> Option<String> {
    of_scanned_item(text, &ItemScan::of(text))
}

/// [`of_item`] for an item already scanned: read only if it has a word every condition has.
pub(crate) fn of_scanned_item(text: &str, scan: &ItemScan) -> Option<String> {
    if !scan.condition_word {
        return None;
    }
    parenthesised(text)
        // `If crash-free drops below 99.5%: halt the rollout` is a threshold, not a scope:
        // the operator measures it every time.
        // (`If the failover took longer than planned, ...` compares nothing measurable.)
        .or_else(|| {
            leading(text).filter(|clause| {
                !(ItemScan::of(clause).comparison && clause.contains(|c: char| c.is_ascii_digit()))
            })
        })
        .or_else(|| trailing(text))
        .or_else(|| skip_clause(text))
        .or_else(|| (!scan.comparison).then(|| closing_clause(text)).flatten())
}

/// `iPad — only if layout changes were made`, `Privacy labels updated, if new data types are
/// collected`, `Warm the cache only when traffic is low`: a clause that closes the item and
/// says when it applies. It follows a comma or a dash, or is `only if`/`only when`; a bare
/// `... if ...` is left alone (`Page the on-call if the deploy fails` reads either way),
/// and so is any item with a comparison, where the clause is a threshold's trigger.
fn closing_clause(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let trimmed = lower.trim_end_matches(['.', '!', ' ', '*', '_']);
    // Where the clause starts: after a comma or a dash, or at `only if` anywhere.
    let separated = ["if ", "only if ", "only when ", "unless "]
        .iter()
        .flat_map(|word| trimmed.match_indices(word))
        .map(|(at, _)| at)
        .filter(|&at| {
            let before = &trimmed[..at];
            [", ", "; ", " - ", " – ", " — "]
                .iter()
                .any(|sep| before.ends_with(sep))
        });
    let only = [" only if ", " only when "]
        .iter()
        .filter_map(|p| trimmed.find(p).map(|at| at + 1));
    let at = separated.chain(only).max()?;
    let clause = &trimmed[at..];
    let words = clause.split_whitespace().count();
    // The clause must say something, `if not` or `if so` leans on the words before it,
    // and a description does not become optional (`Plan documented - if it fails, ...`).
    let mut clause_words = clause.split_whitespace();
    let leans = clause_words.next() == Some("if")
        && clause_words
            .next()
            .map(|w| w.strip_suffix(',').unwrap_or(w))
            .is_some_and(|w| matches!(w, "not" | "so" | "any" | "yes" | "no"));
    if !(3..=14).contains(&words) || leans || clause.contains([',', ';', ':']) {
        return None;
    }
    if qualifies_a_description(lower[..at].trim_end_matches([',', ';', ' ', '-', '–', '—'])) {
        return None;
    }
    text.get(at..at + clause.len())
        .map(|c| c.trim().to_string())
}

/// The condition a section or group title states: everything an item can say, plus a
/// title that is itself a condition (`For patch releases only`, `If this is a major release`).
pub fn of_title(title: &str) -> Option<String> {
    if let Some(found) = of_item(title) {
        return Some(found);
    }
    let bare = strip_decoration(title);
    let lower = bare.to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    if words.len() >= 2 && words.len() <= 12 {
        if (lower.starts_with("if ") || lower.starts_with("when ") || lower.starts_with("unless "))
            && !lower.starts_with("when to ")
        {
            return Some(bare.trim_end_matches([':', '.', '?']).trim().to_string());
        }
        let clause = lower.trim_end_matches([':', '.']);
        // `Only for v1.30.0-rc.0`, `Only for RC releases`, `For patch releases only`,
        // `Major releases only`; but `Production only` is an environment, not a condition.
        let only_for = ["only for ", "only if ", "only when "]
            .iter()
            .any(|p| lower.starts_with(p));
        let for_only = lower.starts_with("for ") && clause.ends_with(" only");
        let short_only =
            clause.ends_with(" only") && words.len() <= 4 && !names_environment(clause);
        // `### For major releases`: the heading is the clause.
        if clause
            .strip_prefix("for ")
            .is_some_and(names_kind_of_release)
        {
            return Some(bare.trim_end_matches([':', '.']).trim().to_string());
        }
        if only_for || for_only || short_only {
            return Some(bare.trim_end_matches([':', '.']).trim().to_string());
        }
    }
    None
}

/// `(if needed)`, `(optional but recommended)`, `(if SEV1/SEV2)`, `(only for v2)`, and the
/// same in brackets: `[Major only]`.
fn parenthesised(text: &str) -> Option<String> {
    enclosed(text, '(', ')').or_else(|| enclosed(text, '[', ']'))
}

fn enclosed(text: &str, open_mark: char, close_mark: char) -> Option<String> {
    let mut rest = text;
    while let Some(open) = rest.find(open_mark) {
        let after = &rest[open + 1..];
        let close = after.find(close_mark)?;
        let inner = after[..close].trim();
        if condition_words(inner) {
            // `(skip if the runner is down, note it)`: the condition ends at the comma.
            let condition = inner.split([',', ';']).next().unwrap_or(inner).trim();
            return Some(condition.to_string());
        }
        rest = &after[close + 1..];
    }
    None
}

fn condition_words(inner: &str) -> bool {
    let lower = inner.to_ascii_lowercase();
    let starts = |p: &str| {
        lower.starts_with(p) && (lower.len() == p.len() || lower.as_bytes()[p.len()] == b' ')
    };
    starts("if")
        || starts("only if")
        || starts("only when")
        || starts("only for")
        || starts("when")
        || starts("unless")
        || starts("optional")
        || starts("skip if")
        || starts("skip unless")
        || starts("as needed")
        || starts("as applicable")
        || starts("as required")
        || starts("where applicable")
        || starts("when applicable")
        || starts("nice to have")
        || starts("stretch")
        || starts("not needed for")
        || starts("not needed if")
        || starts("not required for")
        || starts("not required if")
        || starts("not applicable for")
        || starts("not applicable to")
        || lower == "optional"
        || (lower.ends_with(" only")
            && lower.split_whitespace().count() <= 4
            && !lower.contains(',')
            && names_kind_of_change(&lower))
}

/// Whether an `X only` names a kind of release or change (`major releases only`, `[Major
/// only]`, `first deploy only`): the task is for some runs. Any other `X only` scopes a
/// detail of the task, which is still required: `(DE only)` on one entry of a list, `(uses
/// standard encryption only)`, `(SFP28 only)`, `(weekends only)`.
fn names_kind_of_change(lower: &str) -> bool {
    lower
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .any(|w| RELEASE_KINDS.contains(w.as_bytes()) || CHANGE_WORDS.contains(&w))
}

const CHANGE_WORDS: &[&str] = &[
    "release",
    "releases",
    "build",
    "builds",
    "version",
    "versions",
    "deploy",
    "deploys",
    "deployment",
    "deployments",
    "upgrade",
    "upgrades",
    "migration",
    "migrations",
    "launch",
    "first",
    "initial",
    "breaking",
];

/// Whether a short phrase names an environment (`production only`), which scopes the
/// item to where it runs rather than making it optional.
fn names_environment(lower: &str) -> bool {
    lower
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .any(|w| ENVIRONMENT_WORDS.contains(&w))
}

/// `If needed, restart the workers`, `Optional: warm the cache`, `Only for v2.16: ...`.
fn leading(text: &str) -> Option<String> {
    let bare = strip_decoration(text);
    let lower = bare.to_ascii_lowercase();
    for label in ["optional", "nice to have", "stretch goal", "stretch"] {
        if let Some(rest) = lower.strip_prefix(label)
            && rest.starts_with([':', '-', '–', '—'])
        {
            return Some(bare[..label.len()].to_string());
        }
    }
    // `Optionally, publish a pre-release`.
    if let Some(rest) = lower.strip_prefix("optionally")
        && rest.starts_with([',', ' ', ':'])
    {
        return Some(bare[.."optionally".len()].to_string());
    }
    if let Some(found) = for_kind_of_release(bare, &lower) {
        return Some(found);
    }
    let clause_start = [
        "if ",
        "only if ",
        "only for ",
        "only when ",
        "when ",
        "unless ",
    ]
    .iter()
    .find(|p| lower.starts_with(*p))?;
    if lower.starts_with("when to ") {
        return None;
    }
    // `- [ ] If the MSRV changed:` over the items it governs.
    let words = bare.split_whitespace().count();
    if text.trim_end().trim_end_matches(['*', '_']).ends_with(':')
        && !bare.contains([',', ':'])
        && (2..=12).contains(&words)
    {
        return Some(bare.to_string());
    }
    // The clause ends at the first comma or colon; without one it is not a condition.
    let end = bare.find([',', ':'])?;
    let clause = bare[..end].trim();
    let words = clause.split_whitespace().count();
    ((2..=12).contains(&words) && clause.len() > clause_start.len()).then(|| clause.to_string())
}

/// `For major releases: update the migration guide`, `For RC builds: skip the blog post`:
/// a kind of release, then a colon. `For each service: restart it` is not a condition.
fn for_kind_of_release(bare: &str, lower: &str) -> Option<String> {
    let rest = lower.strip_prefix("for ")?;
    let end = rest.find(':')?;
    // `lower` is `bare` in ASCII lowercase, so its byte offsets are `bare`'s.
    names_kind_of_release(&rest[..end]).then(|| bare[.."for ".len() + end].trim().to_string())
}

/// Whether the words after `For` name a kind of release (`major releases`, `RC builds`)
/// rather than what to go through (`each service`, `the database`). The kinds are the
/// item scan's, so an item the scan passes over never needed this reading.
fn names_kind_of_release(clause: &str) -> bool {
    let words: Vec<&str> = clause.split_whitespace().collect();
    let iterates = words.first().is_some_and(|w| {
        matches!(
            *w,
            "each"
                | "every"
                | "all"
                | "the"
                | "this"
                | "that"
                | "your"
                | "our"
                | "more"
                | "example"
                | "instance"
                | "details"
                | "reference"
                | "now"
        )
    });
    let release = words.iter().any(|w| RELEASE_KINDS.contains(w.as_bytes()));
    (1..=6).contains(&words.len()) && !iterates && release
}

/// `Pin the release if needed`, `Restart the pods as needed.`, `Notify the list - security
/// releases only`.
fn trailing(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    if let Some(found) = trailing_only(text, &lower) {
        return Some(found);
    }
    let trimmed = lower.trim_end_matches(['.', '!', ' ', ')', '*', '_']);
    // `... if needed` at the end: where ` if ` starts.
    let ends_with_hedge = |text: &str| {
        HEDGES.iter().find_map(|hedge| {
            let head = text.strip_suffix(hedge)?.strip_suffix(" if ")?;
            Some(head.len() + 1)
        })
    };
    let mut found = ends_with_hedge(trimmed);
    if found.is_none() {
        found = LOOSE_HEDGES.iter().find_map(|hedge| {
            let head = trimmed.strip_suffix(hedge)?.strip_suffix(' ')?;
            Some(head.len() + 1)
        });
    }
    if found.is_none() {
        // A hedge closing a clause: `Pin the release if needed, then tag it`.
        for (at, _) in lower.match_indices(" if ") {
            let after = &lower[at + 4..];
            let closes = HEDGES.iter().any(|hedge| {
                after.strip_prefix(hedge).is_some_and(|rest| {
                    rest.starts_with([',', ';', '—', '–']) || rest.starts_with(" -")
                })
            });
            if closes {
                found = Some(at + 1);
                break;
            }
        }
    }
    let at = found?;
    let before = &lower[..at];
    if qualifies_a_description(before) {
        return None;
    }
    let end = (at + trimmed.len().saturating_sub(at))
        .min(text.len())
        .max(at);
    let phrase = text
        .get(at..end)?
        .trim_end_matches([',', ';', '—', '–', ' ', '-']);
    let phrase = phrase.split([',', ';', '—', '–']).next()?.trim();
    (!phrase.is_empty()).then(|| phrase.to_string())
}

/// A short `X only` after a dash closing the text: `Notify the list - security releases only`.
fn trailing_only(text: &str, lower: &str) -> Option<String> {
    let clause = lower.trim_end_matches(['.', ' ']);
    if !clause.ends_with(" only") {
        return None;
    }
    let at = [" - ", " – ", " — "]
        .iter()
        .filter_map(|dash| clause.rfind(dash).map(|at| at + dash.len()))
        .max()?;
    let phrase = &clause[at..];
    let words = phrase.split_whitespace().count();
    ((2..=4).contains(&words) && !names_environment(phrase))
        .then(|| text[at..at + phrase.len()].trim().to_string())
}

/// `Skip if the schema did not change`, `... — skip unless on Postgres`.
fn skip_clause(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let at = ["skip if ", "skip unless ", "skip this if ", "skip for "]
        .iter()
        .filter_map(|p| lower.find(p))
        .min()?;
    let word_start = at == 0 || !lower.as_bytes()[at - 1].is_ascii_alphanumeric();
    if !word_start {
        return None;
    }
    let clause = text[at..]
        .split(['.', ';', ')', ':', ',', '\n'])
        .next()?
        .trim()
        .trim_end_matches([',', ':']);
    Some(clause.to_string())
}

/// `... documented: clear path to revert changes if needed` hedges the description; so
/// does `ability to roll back if needed` and `Check if ...` (which asks "whether").
fn qualifies_a_description(before: &str) -> bool {
    if before.contains(':') || before.contains(" - ") || before.contains(" — ") {
        return true;
    }
    // `... pointed at the API (temporary CORS entry for the origin if needed)`: inside
    // a bracket that says something first, the hedge is on that detail, not the task.
    if let Some(open) = before.rfind('(')
        && !before[open..].contains(')')
        && !before[open + 1..].trim().is_empty()
    {
        return true;
    }
    let infinitive = [
        "able to ",
        "ability to ",
        "path to ",
        "way to ",
        "plan to ",
        "how to ",
        "ready to ",
        "option to ",
        "means to ",
        "in order to ",
        "procedure to ",
        "steps to ",
    ];
    if infinitive.iter().any(|p| before.contains(p)) {
        return true;
    }
    let first = before.split_whitespace().next().unwrap_or("");
    WHETHER_VERBS.contains(&first) && before.split_whitespace().count() <= 1
}

const ENVIRONMENT_WORDS: &[&str] = &[
    "production",
    "prod",
    "staging",
    "stage",
    "dev",
    "development",
    "qa",
    "uat",
    "test",
    "sandbox",
    "preprod",
    "pre-prod",
    "canary",
    "demo",
    "local",
];

/// Bold, emphasis and a trailing colon around a title or a label.
fn strip_decoration(text: &str) -> &str {
    text.trim()
        .trim_matches(['*', '_'])
        .trim()
        .trim_end_matches(':')
        .trim_matches(['*', '_'])
        .trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_in_item_text() {
        let cases = [
            ("Pin the release if needed", Some("if needed")),
            ("Notify legal if necessary.", Some("if necessary")),
            ("Page the IC (if SEV1/SEV2)", Some("if SEV1/SEV2")),
            (
                "Write a blog post (if time permits)",
                Some("if time permits"),
            ),
            (
                "Enable profiling (optional but recommended)",
                Some("optional but recommended"),
            ),
            (
                "Skip if no schema changes",
                Some("Skip if no schema changes"),
            ),
            ("Only for v2.16: backport the fix", Some("Only for v2.16")),
            ("If needed, restart the workers", Some("If needed")),
            ("Optional: warm the cache", Some("Optional")),
            (
                "Schedule maintenance window (if required)",
                Some("if required"),
            ),
            ("Scale the workers as needed", Some("as needed")),
            ("Pin the release if needed, then tag it", Some("if needed")),
            (
                "Update CHANGELOG (not needed for hotfixes)",
                Some("not needed for hotfixes"),
            ),
            (
                "Notify the security list - security releases only",
                Some("security releases only"),
            ),
            ("[Major only] Announce deprecations", Some("Major only")),
            ("Optionally, publish a pre-release", Some("Optionally")),
            (
                "For major releases: update the migration guide",
                Some("For major releases"),
            ),
            ("For RC builds: skip the blog post", Some("For RC builds")),
            (
                "iPad — only if layout changes were made",
                Some("only if layout changes were made"),
            ),
            (
                "Privacy nutrition labels updated, if new data types are collected",
                Some("if new data types are collected"),
            ),
            (
                "Videos have captions - if the page has video",
                Some("if the page has video"),
            ),
            (
                "Warm the cache only when traffic is low",
                Some("only when traffic is low"),
            ),
            (
                "Rotate the keys, unless they were rotated this quarter",
                Some("unless they were rotated this quarter"),
            ),
            (
                "Announce deprecations (first release only)",
                Some("first release only"),
            ),
            (
                "If the failover took longer than planned, open an incident review",
                Some("If the failover took longer than planned"),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(of_item(text).as_deref(), expected, "{text}");
        }
    }

    #[test]
    fn hedges_on_a_description_are_not_conditions() {
        for text in [
            "Rollback plan documented: clear path to revert changes if needed",
            "Preview build pointed at the production API (temporary CORS entry for the preview origin if needed)",
            "Ability to roll back if needed",
            "Check if the pods restarted",
            "Verify if needed",
            "Error rates within normal range",
            "Configure the Notifications",
            "When to escalate is documented",
            "Document the steps to scale out as needed",
            "Smoke test the canary - production only",
            "Run the tests, optionally with coverage",
            "Tick [x] when done",
            "For each release: tag the commit",
            "For the database: take a snapshot",
            "Page the on-call if the deploy fails",
            "Pause rollout, if crash rate > 1%",
            "Re-run the job; if not, escalate to the owner",
            "Rollback plan documented - if the deploy fails, revert",
            "Legal pages present: Privacy, Terms, Imprint (DE only), Cookie policy",
            "Export compliance answered (uses standard encryption only)",
            "Day 1: crash-free sessions above 99.8% (Crashlytics, X.Y.Z only)",
            "Tag the release, when CI is green",
            "Spare optics on site (SFP28 only)",
            "If crash-free drops below 99.5%: halt staged rollout",
            "Screenshots updated (iPad only)",
        ] {
            assert_eq!(of_item(text), None, "{text}");
        }
    }

    #[test]
    fn conditions_in_titles() {
        assert_eq!(
            of_title("For patch releases only").as_deref(),
            Some("For patch releases only")
        );
        assert_eq!(
            of_title("**If this is a major release:**").as_deref(),
            Some("If this is a major release")
        );
        assert_eq!(of_title("When to roll back"), None);
        assert_eq!(of_title("Release steps"), None);
        assert_eq!(of_title("Production only").as_deref(), None);
        assert_eq!(
            of_title("Only for v1.30.0-rc.0").as_deref(),
            Some("Only for v1.30.0-rc.0")
        );
        assert_eq!(
            of_title("Major releases only").as_deref(),
            Some("Major releases only")
        );
        assert_eq!(of_title("Staging and production only"), None);
        assert_eq!(
            of_title("For major releases").as_deref(),
            Some("For major releases")
        );
        assert_eq!(of_title("For each region"), None);
        assert_eq!(of_title("Only the essentials remain in this list"), None);
    }
}
