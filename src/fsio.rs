//! Files apiplay writes for the user (payloads, sidecars, drafts): replaced atomically, and
//! recognised again later.
//!
//! [`atomic_write`] never leaves a file half written: the bytes go to a temporary file in the
//! same folder, which is flushed to the disk and then renamed over the target, and the
//! folder is flushed so the rename itself survives a crash. Whatever fails on the way (a full
//! disk, a file size limit, a read-only folder), the original file is left as it was and the
//! temporary file is removed. [`FileStamp`] records what a file was when it was read (size,
//! modification time, SHA-256), so a later save can tell that someone else changed it.

use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

/// A write that did not happen; the file on disk is unchanged.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {}: {step}: {source}", path.display())]
pub struct WriteError {
    /// The file that was to be replaced.
    pub path: PathBuf,
    /// Which step failed, in words ("creating a temporary file", "writing", …).
    pub step: &'static str,
    /// The operating system's reason.
    #[source]
    pub source: io::Error,
}

/// Who may read a file [`atomic_write`] creates (an existing file keeps its own mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewFileMode {
    /// As any new file of the user (0666 less the umask).
    Shared,
    /// The owner only (0600), for what lives in the data dir.
    Private,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Replaces `path` with `bytes` atomically: temp file in the same folder, write, fsync,
/// rename, fsync the folder. An existing file keeps its permissions; a symbolic link keeps
/// pointing where it did and its target is replaced. On error nothing changed on disk.
pub fn atomic_write(path: &Path, bytes: &[u8], mode: NewFileMode) -> Result<(), WriteError> {
    write_via_temp(path, bytes, mode, Place::Replace)
}

/// Creates `path` with `bytes`, never over an existing file, and never as a partly written
/// file: the bytes go to a temp file in the same folder (written, fsynced) which is then
/// hard-linked to `path` (that fails if `path` exists) and removed; the folder is fsynced.
/// An existing file is an error of kind [`io::ErrorKind::AlreadyExists`].
pub fn atomic_create(path: &Path, bytes: &[u8], mode: NewFileMode) -> Result<(), WriteError> {
    write_via_temp(path, bytes, mode, Place::Create)
}

/// How the temp file takes the target's place.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Rename over it.
    Replace,
    /// Link it in only if nothing is there.
    Create,
}

fn write_via_temp(
    path: &Path,
    bytes: &[u8],
    mode: NewFileMode,
    place: Place,
) -> Result<(), WriteError> {
    let fail = |step: &'static str| {
        move |source: io::Error| WriteError {
            path: path.to_owned(),
            step,
            source,
        }
    };
    let target = match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            fs::canonicalize(path).map_err(fail("following the symbolic link"))?
        }
        _ => path.to_owned(),
    };
    let existing = match fs::metadata(&target) {
        Ok(m) => Some(m.permissions()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(fail("reading its permissions")(e)),
    };
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    let name = target
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if existing.is_some() || mode == NewFileMode::Private {
        // Never wider than the final mode while the bytes are going in.
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    }
    let mut file = options
        .open(&tmp)
        .map_err(fail("creating a temporary file beside it"))?;
    let result = (|| {
        file.write_all(bytes).map_err(fail("writing"))?;
        if let Some(perms) = existing {
            file.set_permissions(perms)
                .map_err(fail("keeping its permissions"))?;
        }
        file.sync_all().map_err(fail("flushing to the disk"))?;
        drop(file);
        match place {
            Place::Replace => fs::rename(&tmp, &target).map_err(fail("replacing it")),
            Place::Create => fs::hard_link(&tmp, &target).map_err(fail("creating it")),
        }
    })();
    if place == Place::Create || result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result?;
    sync_dir(&dir).map_err(fail("flushing its folder to the disk"))
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    fs::File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
#[allow(clippy::unnecessary_wraps)] // the same signature on every platform
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

/// What a file was when it was read: enough to tell later that it changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileStamp {
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch (0 when unknown).
    pub mtime_ns: u128,
    /// SHA-256 of the contents, lowercase hex.
    pub sha256: String,
}

impl FileStamp {
    /// The stamp of `bytes` just read from a file with metadata `meta`.
    pub fn new(bytes: &[u8], meta: &fs::Metadata) -> Self {
        Self {
            size: bytes.len() as u64,
            mtime_ns: mtime_ns(meta),
            sha256: hex::encode(Sha256::digest(bytes)),
        }
    }

    /// Reads `path` and stamps it; `Ok(None)` when it does not exist.
    pub fn of(path: &Path) -> io::Result<Option<Self>> {
        match fs::read(path) {
            Ok(bytes) => {
                let meta = fs::metadata(path)?;
                Ok(Some(Self::new(&bytes, &meta)))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Whether the file still holds what this stamp saw. The contents decide: a touched
    /// file with the same bytes is unchanged; size and time only save reading it again.
    pub fn still_matches(&self, path: &Path) -> io::Result<bool> {
        let meta = match fs::metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(e),
        };
        if meta.len() != self.size {
            return Ok(false);
        }
        if mtime_ns(&meta) == self.mtime_ns && self.mtime_ns != 0 {
            return Ok(true);
        }
        Ok(Self::of(path)?.is_some_and(|now| now.sha256 == self.sha256))
    }
}

fn mtime_ns(meta: &fs::Metadata) -> u128 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos())
}

/// Seconds since the Unix epoch of a stamp's modification time, for messages.
pub fn stamp_time(stamp: &FileStamp) -> SystemTime {
    let nanos = u64::try_from(stamp.mtime_ns).unwrap_or(u64::MAX);
    UNIX_EPOCH + std::time::Duration::from_nanos(nanos)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn leftovers(dir: &Path) -> Vec<String> {
        fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| Path::new(n).extension().is_some_and(|e| e == "tmp"))
            .collect()
    }

    #[test]
    fn replaces_the_contents_and_leaves_no_temporary_file() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("p.json");
        fs::write(&p, "{\"old\": true}\n").unwrap();
        atomic_write(&p, b"{\"new\": 1}\n", NewFileMode::Shared).unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "{\"new\": 1}\n");
        assert!(leftovers(tmp.path()).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn keeps_the_existing_mode_and_new_private_files_are_0600() {
        use std::os::unix::fs::PermissionsExt as _;
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("p.json");
        fs::write(&p, "{}").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o640)).unwrap();
        atomic_write(&p, b"[]", NewFileMode::Shared).unwrap();
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o640
        );
        let d = tmp.path().join("draft.json");
        atomic_write(&d, b"{}", NewFileMode::Private).unwrap();
        assert_eq!(
            fs::metadata(&d).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_keeps_pointing_at_its_replaced_target() {
        let tmp = tempfile::tempdir().unwrap();
        let real = tmp.path().join("real.json");
        let link = tmp.path().join("link.json");
        fs::write(&real, "1").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        atomic_write(&link, b"2", NewFileMode::Shared).unwrap();
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(fs::read_to_string(&real).unwrap(), "2");
    }

    #[test]
    fn a_failed_write_leaves_the_original_and_names_the_file() {
        let tmp = tempfile::tempdir().unwrap();
        // The target is a folder: the rename fails after the bytes were written.
        let p = tmp.path().join("dir.json");
        fs::create_dir(&p).unwrap();
        fs::write(p.join("inside"), "kept").unwrap();
        let e = atomic_write(&p, b"{}", NewFileMode::Shared).unwrap_err();
        assert_eq!(e.step, "replacing it");
        assert!(e
            .to_string()
            .starts_with(&format!("cannot write {}: replacing it: ", p.display())));
        assert_eq!(fs::read_to_string(p.join("inside")).unwrap(), "kept");
        assert!(leftovers(tmp.path()).is_empty(), "temporary file removed");
    }

    #[test]
    fn create_never_overwrites_and_leaves_no_temporary_file() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("new.json");
        atomic_create(&p, b"{}\n", NewFileMode::Shared).unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "{}\n");
        let e = atomic_create(&p, b"[]", NewFileMode::Shared).unwrap_err();
        assert_eq!(e.source.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(e.step, "creating it");
        assert_eq!(
            fs::read_to_string(&p).unwrap(),
            "{}\n",
            "the first one stays"
        );
        assert!(leftovers(tmp.path()).is_empty());
    }

    #[test]
    fn a_stamp_notices_other_contents_but_not_a_touch() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("p.json");
        fs::write(&p, "{\"a\": 1}").unwrap();
        let stamp = FileStamp::of(&p).unwrap().unwrap();
        // Known digest of the bytes, computed by `printf '{"a": 1}' | sha256sum`.
        assert_eq!(stamp.size, 8);
        assert_eq!(
            stamp.sha256,
            "f9d86028c6e0d64e225186f96acb69338b2c59764df79162107f5c4bb34d1310"
        );
        assert!(stamp.still_matches(&p).unwrap());
        fs::write(&p, "{\"a\": 1}").unwrap();
        assert!(stamp.still_matches(&p).unwrap(), "same bytes rewritten");
        fs::write(&p, "{\"a\": 2}").unwrap();
        assert!(!stamp.still_matches(&p).unwrap(), "same size, other bytes");
        fs::remove_file(&p).unwrap();
        assert!(!stamp.still_matches(&p).unwrap(), "gone");
    }
}
