//! Explicit overrides written as HTML comments, invisible on GitHub:
//! `<!-- deploycheck: id=db-backup optional env=production -->`.
//!
//! A directive on its own line applies to the next heading or item; one inside an item's or
//! heading's own line applies to that item or heading. Unknown keys are errors: a typo in an
//! override must never be silently ignored on deploy night.

use crate::model::{Window, is_valid_slug};

/// What is wrong with a `<!-- deploycheck: ... -->` comment, for a diagnostic at its line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DirectiveError(pub String);

impl From<String> for DirectiveError {
    fn from(message: String) -> Self {
        DirectiveError(message)
    }
}

impl From<&str> for DirectiveError {
    fn from(message: &str) -> Self {
        DirectiveError(message.to_string())
    }
}

pub const KNOWN_KEYS: &str =
    "id, optional, required, env, kind, role, ignore, threshold=none, window, anchor";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Directive {
    pub id: Option<String>,
    pub optional: Option<bool>,
    pub environments: Option<Vec<String>>,
    /// `steps`, `rollback`, `signoff` or `triggers`; checked against where it lands.
    pub kind: Option<String>,
    pub role: Option<String>,
    pub ignore: bool,
    pub no_threshold: bool,
    /// `window=15m..60m`: `Some(Some(window))`; `window=none`: `Some(None)`, so that a
    /// title that reads like a window is not one.
    pub window: Option<Option<Window>>,
    /// `anchor`: completing this section is the deployment moment.
    pub anchor: Option<bool>,
}

impl Directive {
    /// Later keys win, so two comments before one heading combine.
    pub fn merge(&mut self, other: Directive) {
        self.id = other.id.or(self.id.take());
        self.optional = other.optional.or(self.optional);
        self.environments = other.environments.or(self.environments.take());
        self.kind = other.kind.or(self.kind.take());
        self.role = other.role.or(self.role.take());
        self.ignore |= other.ignore;
        self.no_threshold |= other.no_threshold;
        self.window = other.window.or(self.window.take());
        self.anchor = other.anchor.or(self.anchor);
    }
}

/// Every `deploycheck:` comment in a piece of HTML, in order; other comments are ignored.
pub fn find_directives(html: &str) -> Vec<Result<Directive, DirectiveError>> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find("<!--") {
        let body_start = open + 4;
        let Some(close) = rest[body_start..].find("-->") else {
            break;
        };
        let body = rest[body_start..body_start + close].trim();
        if let Some(spec) = body.strip_prefix("deploycheck:") {
            found.push(parse(spec));
        } else if body.starts_with("deploycheck") {
            found.push(Err(
                "a deploycheck comment needs a colon: `<!-- deploycheck: key=value -->`".into(),
            ));
        }
        rest = &rest[body_start + close + 3..];
    }
    found
}

fn parse(spec: &str) -> Result<Directive, DirectiveError> {
    let mut directive = Directive::default();
    let tokens = tokenize(spec)?;
    if tokens.is_empty() {
        return Err(DirectiveError(format!(
            "empty deploycheck comment; known keys: {KNOWN_KEYS}"
        )));
    }
    for (key, value) in tokens {
        let needs_value = |value: Option<String>| {
            value
                .filter(|v| !v.is_empty())
                .ok_or_else(|| DirectiveError(format!("`{key}` needs a value, like `{key}=...`")))
        };
        match key.as_str() {
            "id" => {
                let id = needs_value(value)?;
                if !is_valid_slug(&id) {
                    return Err(DirectiveError(format!(
                        "id `{id}` is not a valid ID: use lowercase letters, digits and `-`, `_` or `.`, starting with a letter or digit"
                    )));
                }
                directive.id = Some(id);
            }
            "optional" => directive.optional = Some(parse_bool(&key, value.as_deref())?),
            "required" => directive.optional = Some(!parse_bool(&key, value.as_deref())?),
            "env" | "environments" => {
                let list = needs_value(value)?;
                let mut names = Vec::new();
                for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                    if !is_valid_slug(name) {
                        return Err(DirectiveError(format!(
                            "environment `{name}` is not a valid name: use lowercase letters, digits and `-`"
                        )));
                    }
                    names.push(name.to_string());
                }
                directive.environments = Some(names);
            }
            "kind" => {
                let kind = needs_value(value)?;
                if !matches!(kind.as_str(), "steps" | "rollback" | "signoff" | "triggers") {
                    return Err(DirectiveError(format!(
                        "kind `{kind}` is not one of steps, rollback, signoff, triggers"
                    )));
                }
                directive.kind = Some(kind);
            }
            "role" => directive.role = Some(needs_value(value)?),
            "ignore" => directive.ignore = parse_bool(&key, value.as_deref())?,
            "window" => {
                let text = needs_value(value)?;
                directive.window = Some(match text.as_str() {
                    "none" => None,
                    _ => Some(Window::parse(&text).map_err(|e| DirectiveError(e.0))?),
                });
            }
            "anchor" => directive.anchor = Some(parse_bool(&key, value.as_deref())?),
            "threshold" => match value.as_deref() {
                Some("none") => directive.no_threshold = true,
                _ => {
                    return Err(
                        "only `threshold=none` is supported; write the threshold in the item text"
                            .into(),
                    );
                }
            },
            _ => {
                return Err(DirectiveError(format!(
                    "unknown key `{key}` in deploycheck comment (known keys: {KNOWN_KEYS})"
                )));
            }
        }
    }
    Ok(directive)
}

fn parse_bool(key: &str, value: Option<&str>) -> Result<bool, DirectiveError> {
    match value {
        None | Some("true" | "yes") => Ok(true),
        Some("false" | "no") => Ok(false),
        Some(other) => Err(DirectiveError(format!(
            "`{key}={other}`: expected true or false"
        ))),
    }
}

/// `a=1 role="Security Team" optional` → pairs; quotes keep spaces.
fn tokenize(spec: &str) -> Result<Vec<(String, Option<String>)>, DirectiveError> {
    let mut tokens = Vec::new();
    let mut chars = spec.trim().chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.peek().is_none() {
            return Ok(tokens);
        }
        let mut key = String::new();
        while let Some(c) = chars.next_if(|c| !c.is_whitespace() && *c != '=') {
            key.push(c);
        }
        if key.is_empty() {
            return Err("expected a key before `=` in deploycheck comment".into());
        }
        let value = if chars.next_if_eq(&'=').is_some() {
            let mut value = String::new();
            if chars.next_if_eq(&'"').is_some() {
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some(c) => value.push(c),
                        None => {
                            return Err(DirectiveError(format!(
                                "unclosed quote in value of `{key}`"
                            )));
                        }
                    }
                }
            } else {
                while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                    value.push(c);
                }
            }
            Some(value)
        } else {
            None
        };
        tokens.push((key, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(html: &str) -> Result<Directive, DirectiveError> {
        let mut all = find_directives(html);
        assert_eq!(all.len(), 1, "{html}");
        all.remove(0)
    }

    #[test]
    fn parses_every_key() {
        let d = one(r#"<!-- deploycheck: id=db-backup optional env=production,staging kind=signoff role="Security Team" -->"#).unwrap();
        assert_eq!(d.id.as_deref(), Some("db-backup"));
        assert_eq!(d.optional, Some(true));
        assert_eq!(
            d.environments,
            Some(vec!["production".into(), "staging".into()])
        );
        assert_eq!(d.kind.as_deref(), Some("signoff"));
        assert_eq!(d.role.as_deref(), Some("Security Team"));
        assert!(one("<!-- deploycheck: ignore -->").unwrap().ignore);
        assert!(
            one("<!-- deploycheck: threshold=none -->")
                .unwrap()
                .no_threshold
        );
        assert_eq!(
            one("<!-- deploycheck: required -->").unwrap().optional,
            Some(false)
        );
    }

    #[test]
    fn unknown_keys_and_bad_values_are_errors() {
        let err = one("<!-- deploycheck: optinal -->").unwrap_err();
        assert!(err.0.contains("unknown key `optinal`"), "{err}");
        assert!(
            one("<!-- deploycheck: id=Bad_ID -->")
                .unwrap_err()
                .0
                .contains("not a valid ID")
        );
        assert!(one("<!-- deploycheck: kind=maybe -->").is_err());
        assert!(one("<!-- deploycheck: role=\"open -->").is_err());
        assert!(one("<!-- deploycheck -->").is_err());
    }

    #[test]
    fn windows_and_the_anchor() {
        let d = one("<!-- deploycheck: window=15m..60m -->").unwrap();
        assert_eq!(d.window, Some(Some(Window::parse("15m..60m").unwrap())));
        assert_eq!(
            one("<!-- deploycheck: window=none -->").unwrap().window,
            Some(None)
        );
        assert_eq!(
            one("<!-- deploycheck: anchor -->").unwrap().anchor,
            Some(true)
        );
        let error = one("<!-- deploycheck: window=60m..15m -->").unwrap_err();
        assert!(error.0.contains("closes before it opens"), "{error}");
        assert!(one("<!-- deploycheck: window=soon -->").is_err());
        assert!(
            one("<!-- deploycheck: window -->")
                .unwrap_err()
                .0
                .contains("needs a value")
        );
    }

    #[test]
    fn other_comments_are_not_directives() {
        assert!(find_directives("<!-- TODO: tidy -->").is_empty());
        assert!(find_directives("<div>deploycheck: id=x</div>").is_empty());
    }
}
