//! Drafts: the unsaved text of a payload, kept in the data dir so that a crash or `kill -9`
//! loses nothing, and offered back on the next start.
//!
//! One file per payload under `<data dir>/drafts/`, named by a hash of the payload's
//! canonical path and holding that path, the text, and what the payload file was when the
//! edit began ([`FileStamp`]), so a restore can tell that the file changed since. Writes
//! replace the draft atomically ([`crate::fsio::atomic_write`]), private to the user. These
//! functions do blocking I/O; the driver calls them from its draft writer thread.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::fsio::{self, FileStamp, NewFileMode};

/// Why a draft could not be kept (or removed); the edit is still in the editor.
#[derive(Debug, thiserror::Error)]
pub enum DraftError {
    /// There is no data folder to keep drafts in.
    #[error(
        "there is no data folder to keep drafts in; set APIPLAY_HOME to a folder you can write"
    )]
    NoDataFolder,
    /// The drafts folder could not be made.
    #[error("cannot create the drafts folder {}: {source}", dir.display())]
    Folder {
        /// The folder.
        dir: PathBuf,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// The draft of a payload whose path is not UTF-8 cannot be written as JSON.
    #[error("cannot keep a draft of {}: {source}", path.display())]
    Encode {
        /// The payload.
        path: PathBuf,
        /// Why it does not encode.
        #[source]
        source: serde_json::Error,
    },
    /// The draft file could not be written; it is as it was.
    #[error(transparent)]
    Write(#[from] fsio::WriteError),
    /// The draft file could not be deleted.
    #[error("cannot delete the draft {}: {source}", file.display())]
    Delete {
        /// The draft file.
        file: PathBuf,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
}

/// A draft on disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    /// The payload file it belongs to.
    pub path: PathBuf,
    /// The unsaved text.
    pub text: String,
    /// The payload file as it was when the edit began; `None` in drafts of older versions.
    #[serde(default)]
    pub base: Option<FileStamp>,
}

impl Draft {
    /// Whether the payload file changed after the edit in this draft began (or it cannot
    /// be told, for a draft without a base). A missing file counts as changed.
    pub fn file_changed_since(&self, now: Option<&FileStamp>) -> bool {
        match (&self.base, now) {
            (Some(base), Some(now)) => base.sha256 != now.sha256,
            _ => true,
        }
    }
}

fn key(path: &Path) -> String {
    let canonical = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    // FNV-1a: stable across runs and platforms, unlike std's RandomState hasher.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in canonical.to_string_lossy().bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}.json")
}

/// Writes the draft of `path` atomically (mode 0600 on Unix, in a 0700 folder); `base` is what the payload
/// file was when the edit began.
pub fn write(
    dir: &Path,
    path: &Path,
    text: &str,
    base: Option<&FileStamp>,
) -> Result<(), DraftError> {
    let file = dir.join(key(path));
    crate::datadir::private_dir(dir).map_err(|source| DraftError::Folder {
        dir: dir.to_path_buf(),
        source,
    })?;
    let draft = Draft {
        path: fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()),
        text: text.to_owned(),
        base: base.cloned(),
    };
    let json = serde_json::to_vec(&draft).map_err(|source| DraftError::Encode {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(fsio::atomic_write(&file, &json, NewFileMode::Private)?)
}

/// Removes the draft of `path`, if any.
pub fn delete(dir: &Path, path: &Path) -> Result<(), DraftError> {
    let file = dir.join(key(path));
    match fs::remove_file(&file) {
        Err(source) if source.kind() != std::io::ErrorKind::NotFound => {
            Err(DraftError::Delete { file, source })
        }
        _ => Ok(()),
    }
}

/// The draft of `path`, if one exists and differs from the file.
pub fn read(dir: &Path, path: &Path) -> Option<Draft> {
    let bytes = fs::read(dir.join(key(path))).ok()?;
    let draft: Draft = serde_json::from_slice(&bytes).ok()?;
    let current = fs::read_to_string(path).unwrap_or_default();
    (draft.text != current).then_some(draft)
}

/// The most recently written draft that still differs from its file.
pub fn newest(dir: &Path) -> Option<Draft> {
    let mut found: Vec<(std::time::SystemTime, Draft)> = Vec::new();
    for entry in fs::read_dir(dir).ok()?.flatten() {
        let p = entry.path();
        if p.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let Ok(bytes) = fs::read(&p) else { continue };
        let Ok(draft) = serde_json::from_slice::<Draft>(&bytes) else {
            continue;
        };
        let current = fs::read_to_string(&draft.path).unwrap_or_default();
        if draft.text == current || !draft.path.exists() {
            continue;
        }
        let modified = entry
            .metadata()
            .and_then(|m| m.modified())
            .unwrap_or(std::time::UNIX_EPOCH);
        found.push((modified, draft));
    }
    found.into_iter().max_by_key(|(t, _)| *t).map(|(_, d)| d)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn drafts_round_trip_and_vanish_when_saved() {
        let tmp = tempfile::tempdir().unwrap();
        let payload = tmp.path().join("p.json");
        fs::write(&payload, "{}").unwrap();
        let dir = tmp.path().join("drafts");
        let base = FileStamp::of(&payload).unwrap();
        write(&dir, &payload, "{\"a\":1}", base.as_ref()).unwrap();
        let draft = read(&dir, &payload).unwrap();
        assert_eq!(draft.text, "{\"a\":1}");
        assert!(!draft.file_changed_since(base.as_ref()));
        assert_eq!(newest(&dir).unwrap().text, "{\"a\":1}");
        fs::write(&payload, "{\"b\":2}").unwrap();
        let now = FileStamp::of(&payload).unwrap();
        assert!(
            read(&dir, &payload)
                .unwrap()
                .file_changed_since(now.as_ref()),
            "the file changed after the draft was taken"
        );
        fs::write(&payload, "{\"a\":1}").unwrap();
        assert!(
            read(&dir, &payload).is_none(),
            "a draft equal to the file is no draft"
        );
        delete(&dir, &payload).unwrap();
        delete(&dir, &payload).unwrap();
        assert!(newest(&dir).is_none());
    }

    #[test]
    fn a_draft_of_an_older_version_without_a_base_still_reads() {
        let tmp = tempfile::tempdir().unwrap();
        let payload = tmp.path().join("p.json");
        fs::write(&payload, "{}").unwrap();
        let dir = tmp.path().join("drafts");
        fs::create_dir_all(&dir).unwrap();
        let old = serde_json::json!({"path": payload, "text": "{\"x\":1}"});
        fs::write(dir.join(key(&payload)), old.to_string()).unwrap();
        let draft = read(&dir, &payload).unwrap();
        assert_eq!(draft.text, "{\"x\":1}");
        assert!(draft.file_changed_since(FileStamp::of(&payload).unwrap().as_ref()));
    }

    #[cfg(unix)]
    #[test]
    fn drafts_are_private_whatever_the_umask() {
        use std::os::unix::fs::PermissionsExt as _;
        let tmp = tempfile::tempdir().unwrap();
        let payload = tmp.path().join("p.json");
        fs::write(&payload, "{}").unwrap();
        let dir = tmp.path().join("drafts");
        write(&dir, &payload, "[]", None).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join(key(&payload))), 0o600);
    }
}
