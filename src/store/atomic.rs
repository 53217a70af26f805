//! Writing a file so that readers see the old content or the new, never a torn mix.

use std::path::Path;

use super::fault;

/// Temp file in the same folder, write, fsync, rename over the target, fsync the folder.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    fault::point(&format!("{name}: create the temporary file"))?;
    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)?;
    fault::write_all(
        &format!("{name}: write the temporary file"),
        temp.as_file_mut(),
        bytes,
    )?;
    // Temp files are created private; a record is for reading and committing, so it keeps
    // the permissions of the file it replaces, or the usual ones.
    // Never the permissions of what a symlink points at; the rename replaces the link.
    let permissions = match std::fs::symlink_metadata(path) {
        Ok(existing) if existing.is_file() => existing.permissions(),
        _ => default_permissions(),
    };
    temp.as_file().set_permissions(permissions)?;
    fault::point(&format!("{name}: fsync the temporary file"))?;
    temp.as_file().sync_all()?;
    fault::point(&format!("{name}: rename the temporary file over it"))?;
    temp.persist(path).map_err(|e| e.error)?;
    fault::point(&format!("{name}: fsync its folder"))?;
    sync_dir(dir)
}

/// Temporary files are `.deploycheck-XXXXXX.tmp`: a crash can leave one behind, and the
/// records folder's `.gitignore` keeps it out of commits.
pub(crate) const TEMP_PREFIX: &str = ".deploycheck-";
pub(crate) const TEMP_SUFFIX: &str = ".tmp";

#[cfg(unix)]
fn default_permissions() -> std::fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    std::fs::Permissions::from_mode(0o644)
}

#[cfg(not(unix))]
fn default_permissions() -> std::fs::Permissions {
    std::fs::metadata(".")
        .map(|m| m.permissions())
        .unwrap_or_else(|_| unreachable!())
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_whole_file_and_leaves_no_temp_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("record.yaml");
        write_atomically(&path, b"first").unwrap();
        write_atomically(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["record.yaml"]);
    }
}
