//! Reading any input file (checklists, answers files, project settings, run records, keys,
//! allowed signers) through the same checks, so every command says the same thing, the
//! same way, about a missing file, a directory, an oversized file, a binary file or text
//! that is not UTF-8.
//!
//! The size cap is enforced while reading, not from the file's metadata: devices such as
//! `/dev/zero` and pipes such as `--answers <(yes)` report a length of 0, and would
//! otherwise be read until memory runs out. Reading also stops at the first NUL byte,
//! since no text input contains one.

use std::io::Read;
use std::path::Path;

use crate::source::Diagnostic;

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
/// A 100k-item record is about 35 MiB; four times that is room enough, and keeps a
/// pipe that never ends (`verify <(yes)`) well under 200 MB.
pub const RECORD: InputKind = InputKind {
    singular: "a run record",
    plural: "run records",
    limit: 128 * MIB,
};
pub const ALLOWED_SIGNERS: InputKind = InputKind {
    singular: "an allowed signers file",
    plural: "allowed signers files",
    limit: 16 * MIB,
};
/// A run's addendum (a later sign-off): a few statements, a name, a time.
pub const ADDENDUM: InputKind = InputKind {
    singular: "a run addendum",
    plural: "run addenda",
    limit: 16 * MIB,
};
/// A detached SSH signature (`<addendum>.sig`): a few hundred bytes, more for RSA keys.
pub const SIGNATURE: InputKind = InputKind {
    singular: "an SSH signature file",
    plural: "SSH signature files",
    limit: MIB,
};
pub const KEY: InputKind = InputKind {
    singular: "a key file",
    plural: "key files",
    limit: MIB,
};

/// Read in pieces of this size, so a binary stream is refused after its first piece. Each
/// piece is read by `read_to_end`, which starts with small reads and doubles them: a MiB
/// takes a few reads.
const CHUNK: usize = 1024 * 1024;

/// Whether `path`, links followed, is a regular file. A run folder holds nothing else:
/// a FIFO there would hang whoever opens it, and `/dev/zero` would never end.
pub fn is_regular_file(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file())
}

/// The first `limit` bytes of a regular file, as text (lossily): enough to look at the
/// first lines of a file that may be anything.
pub fn head(path: &Path, limit: u64) -> Option<String> {
    if !is_regular_file(path) {
        return None;
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(limit)
        .read_to_end(&mut bytes)
        .ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// The file's bytes, after checking that it exists, is not a directory, stays within the
/// cap and holds no NUL byte. Works the same for regular files, devices and pipes.
pub fn read_input(path: &Path, shown: &str, kind: InputKind) -> Result<Vec<u8>, Diagnostic> {
    let fail = |message: String| Diagnostic::error(shown, None, message);
    let cannot_read = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::NotFound => fail("no such file".into()),
        _ => fail(format!("cannot read: {e}")),
    };
    let metadata = std::fs::metadata(path).map_err(cannot_read)?;
    if metadata.is_dir() {
        return Err(fail(format!("is a directory, not {}", kind.singular)));
    }
    let too_large = |size: String| {
        fail(format!(
            "file is {size}; {} are limited to {} MiB",
            kind.plural,
            kind.limit / MIB
        ))
    };
    // A regular file that says it is too large is refused without reading it.
    if metadata.len() > kind.limit {
        return Err(too_large(format!("{} MiB", metadata.len() / MIB)));
    }
    let file = std::fs::File::open(path).map_err(cannot_read)?;
    let mut reader = file.take(kind.limit + 1);
    let expected = usize::try_from(metadata.len()).unwrap_or(0);
    let mut bytes = Vec::with_capacity(expected.saturating_add(1));
    let cap = usize::try_from(kind.limit + 1).unwrap_or(usize::MAX);
    while bytes.len() < cap {
        // A file whose size is known fills the room made for it (one byte over, to see
        // its end); a stream grows by doubling, but never past the cap: a stream read to
        // its cap then holds the cap's worth of memory, not twice that.
        if bytes.len() == bytes.capacity() {
            let wanted = (bytes.capacity() * 2).max(CHUNK).min(cap);
            bytes.reserve_exact(wanted - bytes.len());
        }
        // Read straight into the vector, a piece at a time (`read_to_end` retries an
        // interrupted read), and check each piece for a NUL byte once it is in.
        let before = bytes.len();
        let room = (bytes.capacity() - before).min(CHUNK);
        let read = (&mut reader)
            .take(room as u64)
            .read_to_end(&mut bytes)
            .map_err(cannot_read)?;
        if read == 0 {
            break;
        }
        if let Some(at) = memchr::memchr(0, &bytes[before..]) {
            bytes.truncate(before + at);
            return Err(nul_byte(&bytes, bytes.len(), shown, kind));
        }
    }
    if bytes.len() as u64 > kind.limit {
        return Err(too_large(format!(
            "more than {} MiB (stopped reading there)",
            kind.limit / MIB
        )));
    }
    Ok(bytes)
}

/// As [`read_input`], for inputs that must be UTF-8 text; a leading byte-order mark is
/// dropped.
pub fn read_input_text(path: &Path, shown: &str, kind: InputKind) -> Result<String, Diagnostic> {
    let bytes = read_input(path, shown, kind)?;
    let start = text(&bytes, shown, kind)?.len();
    let mut text = String::from_utf8(bytes).expect("checked by `text`");
    text.drain(..text.len() - start);
    Ok(text)
}

/// The bytes as text without a leading byte-order mark (editors on Windows add one, and
/// YAML parsers then misread the first key), or an error naming the line of a NUL byte or
/// of the first byte that is not UTF-8.
pub fn text<'a>(bytes: &'a [u8], shown: &str, kind: InputKind) -> Result<&'a str, Diagnostic> {
    if let Some(at) = memchr::memchr(0, bytes) {
        return Err(nul_byte(bytes, at, shown, kind));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        Diagnostic::error(
            shown,
            Some(line_of(bytes, at)),
            format!("is not valid UTF-8 (byte {at}); save the file as UTF-8"),
        )
    })?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

fn nul_byte(bytes: &[u8], at: usize, shown: &str, kind: InputKind) -> Diagnostic {
    Diagnostic::error(
        shown,
        Some(line_of(bytes, at)),
        format!(
            "contains a NUL byte: this is a binary file, not {}",
            kind.singular
        ),
    )
}

/// The 1-based line of byte `at`.
fn line_of(bytes: &[u8], at: usize) -> u32 {
    let line = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count();
    u32::try_from(line).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byte_order_mark_is_dropped() {
        assert_eq!(
            text(b"\xef\xbb\xbfa: 1\n", "x", SETTINGS).unwrap(),
            "a: 1\n"
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.yaml");
        std::fs::write(&path, b"\xef\xbb\xbfa: 1\n").unwrap();
        assert_eq!(read_input_text(&path, "x", SETTINGS).unwrap(), "a: 1\n");
    }

    #[test]
    fn nul_bytes_and_bad_utf8_name_their_line() {
        let error = text(b"a\nb\0", "x", CHECKLIST).unwrap_err();
        assert_eq!(error.line, Some(2));
        assert!(
            error.message.contains("not a checklist file"),
            "{}",
            error.message
        );
        let error = text(b"a\n\nb\xff", "x", CHECKLIST).unwrap_err();
        assert_eq!(error.line, Some(3));
    }

    #[test]
    #[cfg(unix)]
    fn devices_stop_at_the_first_nul_byte() {
        let error = read_input(Path::new("/dev/zero"), "/dev/zero", CHECKLIST).unwrap_err();
        assert!(error.message.contains("NUL byte"), "{}", error.message);
    }
}
