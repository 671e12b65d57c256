//! Drafts: the unsaved text of a payload, written as the person types so that a crash or
//! `kill -9` loses nothing, and offered back on the next start.
//!
//! One file per payload under `<data dir>/drafts/`, named by a hash of the payload's
//! canonical path and holding that path and the text as JSON. Writes go to a temporary file
//! that is renamed over the draft, so a kill mid-write leaves the previous draft intact.
//! These functions do blocking I/O; the driver calls them from blocking tasks.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// A draft on disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    /// The payload file it belongs to.
    pub path: PathBuf,
    /// The unsaved text.
    pub text: String,
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

/// Writes the draft of `path` atomically (mode 0600 on Unix).
pub fn write(dir: &Path, path: &Path, text: &str) -> std::io::Result<()> {
    crate::datadir::private_dir(dir)?;
    let file = dir.join(key(path));
    let tmp = file.with_extension("tmp");
    let draft = Draft {
        path: fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()),
        text: text.to_owned(),
    };
    let json = serde_json::to_vec(&draft).map_err(std::io::Error::other)?;
    {
        let mut options = fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut f = options.open(&tmp)?;
        f.write_all(&json)?;
        f.sync_data()?;
    }
    fs::rename(&tmp, &file)
}

/// Removes the draft of `path`, if any.
pub fn delete(dir: &Path, path: &Path) -> std::io::Result<()> {
    match fs::remove_file(dir.join(key(path))) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// The draft of `path`, if one exists and differs from the file.
pub fn read(dir: &Path, path: &Path) -> Option<String> {
    let bytes = fs::read(dir.join(key(path))).ok()?;
    let draft: Draft = serde_json::from_slice(&bytes).ok()?;
    let current = fs::read_to_string(path).unwrap_or_default();
    (draft.text != current).then_some(draft.text)
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
        write(&dir, &payload, "{\"a\":1}").unwrap();
        assert_eq!(read(&dir, &payload).as_deref(), Some("{\"a\":1}"));
        assert_eq!(newest(&dir).unwrap().text, "{\"a\":1}");
        fs::write(&payload, "{\"a\":1}").unwrap();
        assert_eq!(
            read(&dir, &payload),
            None,
            "a draft equal to the file is no draft"
        );
        delete(&dir, &payload).unwrap();
        delete(&dir, &payload).unwrap();
        assert!(newest(&dir).is_none());
    }
}
