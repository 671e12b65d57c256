//! Private files and folders: the data directory (`$APIPLAY_HOME`, else the platform's) and
//! everything apiplay creates in it hold tokens, captured values and request bodies, so every
//! folder is 0700 and every file 0600, whatever the umask and whatever an older apiplay left.
//!
//! The one way to make them: [`private_dir`] for a folder (the data dir itself comes from
//! [`crate::config::data_dir`], which uses it), [`subdir`] for a folder of the data dir
//! (`drafts/`), and [`private_file`] for a file apiplay creates (SQLite databases, before
//! SQLite opens them, so their `-wal` and `-shm` files, which SQLite creates with the
//! database's own mode, are private too). A umask can only take bits away from the mode a
//! file is created with, so each of these also sets the mode explicitly afterwards.

use std::io;
use std::path::{Path, PathBuf};

/// The mode of every folder apiplay creates for its data.
pub const DIR_MODE: u32 = 0o700;

/// The mode of every file apiplay creates for its data.
pub const FILE_MODE: u32 = 0o600;

/// Creates `path` (and missing parents) as a private folder, or makes an existing one
/// private: mode 0700 on Unix.
pub fn private_dir(path: &Path) -> io::Result<()> {
    let existed = path.is_dir();
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, DIR_MODE);
    builder.create(path)?;
    restrict(path, DIR_MODE, existed)
}

/// The folder `name` of the data directory, created private (0700) if needed. Whoever keeps
/// files of their own in the data dir (drafts) asks for their folder here.
pub fn subdir(name: &str) -> Result<PathBuf, crate::config::ConfigError> {
    let dir = crate::config::data_dir()?.join(name);
    private_dir(&dir).map_err(|source| crate::config::ConfigError::Read {
        path: dir.clone(),
        source,
    })?;
    Ok(dir)
}

/// Creates the file at `path` with mode 0600 if it does not exist (its folder private too),
/// and makes an existing one 0600, along with the SQLite companions beside it (`-wal`,
/// `-shm`, `-journal`) an older apiplay may have left readable. Never truncates.
pub fn private_file(path: &Path) -> io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.is_dir() {
            private_dir(dir)?;
        }
    }
    let existed = path.exists();
    if !existed {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, FILE_MODE);
        drop(options.open(path)?);
    }
    restrict(path, FILE_MODE, existed)?;
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut companion = path.as_os_str().to_owned();
        companion.push(suffix);
        match restrict(Path::new(&companion), FILE_MODE, true) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    Ok(())
}

/// Sets the permission bits of what apiplay just created to exactly `mode` (a umask may
/// have taken owner bits too); of what `existed` before, only takes the group and other
/// bits away, so an owner who made the folder read-only keeps it so, and leaves alone what
/// belongs to another user.
#[cfg(unix)]
fn restrict(path: &Path, mode: u32, existed: bool) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    let current = std::fs::metadata(path)?.permissions().mode() & 0o777;
    let wanted = if existed { current & 0o700 } else { mode };
    if current == wanted {
        return Ok(());
    }
    match std::fs::set_permissions(path, std::fs::Permissions::from_mode(wanted)) {
        // Another user's folder (a shared APIPLAY_HOME) is theirs to set; what apiplay
        // creates inside it is still private.
        Err(e) if existed && e.kind() == io::ErrorKind::PermissionDenied => Ok(()),
        other => other,
    }
}

#[cfg(not(unix))]
fn restrict(path: &Path, _mode: u32, _existed: bool) -> io::Result<()> {
    std::fs::metadata(path).map(drop)
}

#[cfg(all(test, unix))]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn folders_and_files_left_open_by_an_older_apiplay_are_made_private() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("home");
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let db = dir.join("x.sqlite3");
        let wal = dir.join("x.sqlite3-wal");
        for f in [&db, &wal] {
            std::fs::write(f, b"kept").unwrap();
            std::fs::set_permissions(f, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        private_dir(&dir).unwrap();
        private_file(&db).unwrap();
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&db), 0o600);
        assert_eq!(mode(&wal), 0o600);
        assert_eq!(std::fs::read(&db).unwrap(), b"kept", "never truncated");
    }

    #[test]
    fn a_file_in_a_missing_folder_gets_a_private_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("a/b/f.sqlite3");
        private_file(&file).unwrap();
        assert_eq!(mode(&tmp.path().join("a/b")), 0o700);
        assert_eq!(mode(&file), 0o600);
    }
}
