//! Reading checklist files: bytes → [`Checklist`] plus warnings, or a [`LoadError`].
//!
//! The size, binary and encoding checks every input passes are in `input`; this
//! module adds the sha256 that pins a run to the exact text.

mod build;
mod check;
mod condition;
mod diagnostic;
mod directive;
mod markdown;
mod mojibake;
mod window;
pub mod yaml;

use std::path::Path;

use sha2::{Digest, Sha256};

pub(crate) use build::ascii_hyphens;
pub use build::says_optional_item;
pub use diagnostic::{Diagnostic, LoadError, Severity};

use crate::input;
use crate::model::{Checklist, Source, SourceFormat};

/// Larger files are refused before they are read: no real checklist comes near this.
pub const MAX_FILE_BYTES: u64 = input::CHECKLIST.limit;

#[derive(Debug, Clone)]
pub struct Loaded {
    pub checklist: Checklist,
    pub warnings: Vec<Diagnostic>,
}

/// `.yaml` and `.yml` are YAML; anything else is Markdown.
pub fn format_of(path: &Path) -> SourceFormat {
    match path.extension().and_then(|e| e.to_str()) {
        Some(ext) if ext.eq_ignore_ascii_case("yaml") || ext.eq_ignore_ascii_case("yml") => {
            SourceFormat::Yaml
        }
        _ => SourceFormat::Markdown,
    }
}

/// Loads the checklist at `path`; `shown` is how messages name the file.
pub fn load(path: &Path, shown: &str) -> Result<Loaded, LoadError> {
    let bytes = input::read_input(path, shown, input::CHECKLIST).map_err(LoadError::single)?;
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("checklist");
    load_bytes(&bytes, shown, format_of(path), stem)
}

/// Parses checklist bytes already in memory.
pub fn load_bytes(
    bytes: &[u8],
    shown: &str,
    format: SourceFormat,
    fallback_title: &str,
) -> Result<Loaded, LoadError> {
    let fail = |line: Option<u32>, message: String| {
        LoadError::single(Diagnostic::error(shown, line, message))
    };
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(fail(
            None,
            format!("file is larger than {} MiB", MAX_FILE_BYTES >> 20),
        ));
    }
    let text = input::text(bytes, shown, input::CHECKLIST).map_err(LoadError::single)?;
    if text.trim().is_empty() {
        return Err(fail(
            Some(1),
            "file is empty: a checklist needs at least one item such as `- [ ] Backup completed`"
                .into(),
        ));
    }
    if let Some(what) = run_file(text) {
        return Err(fail(
            Some(1),
            format!(
                "this is {what}, not a checklist: read it with `deploycheck report` or check it with `deploycheck verify`"
            ),
        ));
    }
    let source = Source {
        path: shown.to_string(),
        format,
        sha256: hex(&Sha256::digest(bytes)),
    };
    let mut diagnostics = Vec::new();
    let draft = match format {
        SourceFormat::Markdown => markdown::parse(text, shown, fallback_title, &mut diagnostics),
        SourceFormat::Yaml => {
            yaml::parse_checklist(text, shown, &mut diagnostics).map_err(LoadError::single)?
        }
    };
    let mut builder = build::Builder::new(shown, fallback_title);
    builder.diagnostics = diagnostics;
    let (checklist, diagnostics) = builder.finish(draft, source);
    match checklist {
        Some(checklist) => Ok(Loaded {
            checklist,
            warnings: diagnostics,
        }),
        None => Err(LoadError { diagnostics }),
    }
}

/// What a file deploycheck wrote into a run folder is, when it is given where a checklist
/// belongs: a record or addendum names its schema on its first line, a journal line starts
/// with its sequence number.
fn run_file(text: &str) -> Option<String> {
    let first = text
        .lines()
        .map(str::trim_end)
        .find(|l| !l.trim().is_empty())?;
    if first.starts_with("{\"seq\":") {
        return Some("a run's journal".to_string());
    }
    let schema = first
        .strip_prefix("schema:")?
        .trim()
        .trim_matches(['"', '\'']);
    let kind = schema.strip_prefix("deploycheck/")?.split('/').next()?;
    Some(match kind {
        "run-record" => "a run record".to_string(),
        other => format!("a deploycheck {} file", other.replace('-', " ")),
    })
}

pub fn hex(bytes: &[u8]) -> String {
    crate::hex(bytes)
}

/// The tree with `source` and `line` removed: the YAML checklist format, so that what
/// `show --format yaml` prints loads back as the same tree.
pub fn to_yaml_checklist(checklist: &Checklist) -> Result<String, crate::Error> {
    let mut value = serde_json::to_value(checklist)?;
    strip_derived_keys(&mut value);
    crate::yaml::to_string(&value)
}

fn strip_derived_keys(value: &mut serde_json::Value) {
    // An explicit stack: item trees may be as deep as the builder allows.
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        match value {
            serde_json::Value::Object(map) => {
                map.shift_remove("source");
                map.shift_remove("line");
                stack.extend(map.values_mut());
            }
            serde_json::Value::Array(items) => stack.extend(items.iter_mut()),
            _ => {}
        }
    }
}
