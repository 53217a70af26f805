//! Reading any input file (checklists, answers files, project settings, run records, keys,
//! allowed signers) through the same checks, so every command says the same thing, the
//! same way, about a missing file, a directory, an oversized file or text that is not UTF-8.

use std::path::Path;

use super::Diagnostic;

/// What an input is, for messages and its size cap.
#[derive(Debug, Clone, Copy)]
pub struct InputKind {
    /// `a checklist file`, as in "is a directory, not a checklist file".
    pub singular: &'static str,
    /// `checklists`, as in "checklists are limited to 64 MiB".
    pub plural: &'static str,
    pub limit: u64,
}

const MIB: u64 = 1024 * 1024;

pub const CHECKLIST: InputKind = InputKind {
    singular: "a checklist file",
    plural: "checklists",
    limit: 64 * MIB,
};
pub const ANSWERS: InputKind = InputKind {
    singular: "an answers file",
    plural: "answers files",
    limit: 64 * MIB,
};
pub const SETTINGS: InputKind = InputKind {
    singular: "a settings file",
    plural: "settings files",
    limit: MIB,
};
/// A run record lists every item with who and when: four times a checklist's cap.
pub const RECORD: InputKind = InputKind {
    singular: "a run record",
    plural: "run records",
    limit: 256 * MIB,
};
pub const ALLOWED_SIGNERS: InputKind = InputKind {
    singular: "an allowed signers file",
    plural: "allowed signers files",
    limit: 16 * MIB,
};
pub const KEY: InputKind = InputKind {
    singular: "a key file",
    plural: "key files",
    limit: MIB,
};

/// The file's bytes, after checking that it exists, is a file, and is within the cap.
pub fn read_input(path: &Path, shown: &str, kind: InputKind) -> Result<Vec<u8>, Diagnostic> {
    let fail = |message: String| Diagnostic::error(shown, None, message);
    let metadata = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => fail("no such file".into()),
        _ => fail(format!("cannot read: {e}")),
    })?;
    if metadata.is_dir() {
        return Err(fail(format!("is a directory, not {}", kind.singular)));
    }
    if metadata.len() > kind.limit {
        return Err(fail(format!(
            "file is {} MiB; {} are limited to {} MiB",
            metadata.len() / MIB,
            kind.plural,
            kind.limit / MIB
        )));
    }
    std::fs::read(path).map_err(|e| fail(format!("cannot read: {e}")))
}

/// As [`read_input`], for inputs that must be UTF-8 text.
pub fn read_input_text(path: &Path, shown: &str, kind: InputKind) -> Result<String, Diagnostic> {
    let bytes = read_input(path, shown, kind)?;
    utf8(&bytes, shown)?;
    Ok(String::from_utf8(bytes).expect("checked above"))
}

/// The bytes as text, or an error naming the line of the first byte that is not UTF-8.
pub fn utf8<'a>(bytes: &'a [u8], shown: &str) -> Result<&'a str, Diagnostic> {
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let line = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count();
        Diagnostic::error(
            shown,
            Some(u32::try_from(line).unwrap_or(u32::MAX)),
            format!("is not valid UTF-8 (byte {at}); save the file as UTF-8"),
        )
    })
}
