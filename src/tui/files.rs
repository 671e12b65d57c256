//! The collection on disk, for the driver: carrying out a [`FileOp`] (names checked first,
//! nothing overwritten; see [`crate::collection::manage`]) and watching `payloads/` so files
//! added, changed or removed by anything else show up without a restart.
//!
//! The watcher (`notify`: inotify on Linux) only says that something changed; a burst of
//! events (an editor's save, `cp -r`) is coalesced until the folder has been quiet for
//! [`QUIET`], then the tree is scanned once. An open file changed outside is not reloaded:
//! its next save notices the change and asks (the conflict question of `keep.rs`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use notify::{EventKind, RecursiveMode, Watcher as _};
use tokio::sync::mpsc;

use super::components::manage::{FileOp, Managed};
use crate::collection::manage::{self, ManageError};

/// How long the folder must be quiet before a rescan.
pub const QUIET: Duration = Duration::from_millis(150);

/// Carries out `op` under the collection `root`; `Err` says why nothing changed.
pub fn perform(root: &Path, op: &FileOp) -> Result<Managed, ManageError> {
    match op {
        FileOp::Duplicate { from, name } => {
            let to = sibling(from, name)?;
            manage::duplicate(from, &to)?;
            Ok(Managed {
                said: format!("copied {} to {}", from.display(), to.display()),
                now: Some(to),
            })
        }
        FileOp::Rename { from, name } => {
            let to = sibling(from, name)?;
            manage::rename(from, &to)?;
            Ok(Managed {
                said: format!("renamed {} to {}", from.display(), to.display()),
                now: Some(to),
            })
        }
        FileOp::Move { from, folder } => {
            manage::check_folder(folder)?;
            let name = from.file_name().ok_or_else(|| ManageError::BadName {
                name: from.display().to_string(),
                why: "the path names no file",
            })?;
            let to = join(root, folder).join(name);
            manage::rename(from, &to)?;
            Ok(Managed {
                said: format!("moved {} to {}", from.display(), to.display()),
                now: Some(to),
            })
        }
        FileOp::Delete { path } => {
            let sidecar = manage::delete(path)?;
            let also = if sidecar { " and its sidecar" } else { "" };
            Ok(Managed {
                said: format!("deleted {}{also}", path.display()),
                now: None,
            })
        }
        FileOp::NewFolder { rel } => {
            let rel = rel.trim_matches('/');
            if rel.is_empty() {
                return Err(ManageError::NoName { what: "folder" });
            }
            manage::check_folder(rel)?;
            let path = join(root, rel);
            manage::new_folder(&path)?;
            Ok(Managed {
                said: format!(
                    "created {} (it shows in the tree once it holds a payload)",
                    path.display()
                ),
                now: None,
            })
        }
        FileOp::Create {
            folder,
            name,
            body,
            sidecar,
        } => {
            manage::check_folder(folder)?;
            let file = manage::payload_file_name(name)?;
            let dir = join(root, folder);
            if !dir.is_dir() {
                std::fs::create_dir_all(&dir).map_err(|source| ManageError::Io {
                    what: "create",
                    path: dir.clone(),
                    source,
                })?;
            }
            let path = dir.join(file);
            manage::create(&path, body, sidecar.as_deref())?;
            Ok(Managed {
                said: format!("created {}", path.display()),
                now: Some(path),
            })
        }
    }
}

/// `name` beside `from`, checked as a payload file name.
fn sibling(from: &Path, name: &str) -> Result<PathBuf, ManageError> {
    let file = manage::payload_file_name(name)?;
    Ok(from.parent().unwrap_or(Path::new("")).join(file))
}

fn join(root: &Path, rel: &str) -> PathBuf {
    let rel = rel.trim_matches('/');
    if rel.is_empty() {
        root.to_owned()
    } else {
        root.join(rel)
    }
}

/// Watches `root` (recursively) and sends `()` on `changed` after each quiet burst of
/// changes outside hidden files. The watcher stops when the returned value is dropped.
pub fn watch(
    root: &Path,
    changed: mpsc::UnboundedSender<()>,
) -> notify::Result<notify::RecommendedWatcher> {
    let (raw_tx, mut raw_rx) = mpsc::unbounded_channel::<()>();
    // Events name absolute paths.
    let base = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_owned());
    let root_dir = base.clone();
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        let Ok(event) = res else {
            // An overflowed queue: rescan to be sure.
            let _ = raw_tx.send(());
            return;
        };
        if matches!(event.kind, EventKind::Access(_)) {
            return;
        }
        let hidden = |p: &PathBuf| super::flow::is_hidden(&base, p);
        if !event.paths.is_empty() && event.paths.iter().all(hidden) {
            return;
        }
        let _ = raw_tx.send(());
    })?;
    watcher.watch(&root_dir, RecursiveMode::Recursive)?;
    tokio::spawn(async move {
        while raw_rx.recv().await.is_some() {
            // Coalesce: wait until nothing more arrives for QUIET.
            while let Ok(Some(())) = tokio::time::timeout(QUIET, raw_rx.recv()).await {}
            if changed.send(()).is_err() {
                break;
            }
        }
    });
    Ok(watcher)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn ops_under_a_root_refuse_escapes_and_taken_names() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir(root.join("agora")).unwrap();
        let a = root.join("agora/a.json");
        std::fs::write(&a, "{}").unwrap();
        std::fs::write(root.join("agora/a.toml"), "method = \"GET\"\n").unwrap();
        let moved = perform(
            root,
            &FileOp::Move {
                from: a.clone(),
                folder: String::new(),
            },
        )
        .unwrap();
        assert_eq!(moved.now.as_deref(), Some(root.join("a.json").as_path()));
        assert!(root.join("a.toml").exists() && !a.exists());
        let err = perform(
            root,
            &FileOp::Move {
                from: root.join("a.json"),
                folder: "../x".into(),
            },
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("`..`") || err.contains("plain name"), "{err}");
        let err = perform(
            root,
            &FileOp::NewFolder {
                rel: "agora".into(),
            },
        )
        .unwrap_err();
        assert!(matches!(err, ManageError::Exists { .. }), "{err}");
        let err = err.to_string();
        assert!(
            err.ends_with("agora already exists; choose another name (nothing is overwritten)"),
            "{err}"
        );
        let err = perform(
            root,
            &FileOp::Rename {
                from: root.join("a.json"),
                name: "sub/b".into(),
            },
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("no `/`"), "{err}");
        let err = perform(root, &FileOp::NewFolder { rel: "/".into() }).unwrap_err();
        assert_eq!(err.to_string(), "type the new folder's name");
    }
}
