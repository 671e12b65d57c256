//! Changing the collection's files: a new payload, duplicate, rename, move, delete, a new
//! folder. A payload and its sidecar (`NAME.toml` beside `NAME.json`) always go together,
//! nothing is ever overwritten (a name that is taken is an error naming the file), and a
//! step that fails half-way puts back what it had done, so no file is lost.
//!
//! Names are checked before anything is touched: one path component (no `/`, `\`, `..`),
//! not hidden (a leading `.` would hide the file from the tree), no control characters.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::SidecarFile;
use crate::fsio::{self, NewFileMode};

/// Why a change to the collection was not made (nothing on disk changed).
#[derive(Debug, thiserror::Error)]
pub enum ManageError {
    /// The name cannot be used.
    #[error("`{name}` cannot be used: {why}")]
    BadName {
        /// The name as typed.
        name: String,
        /// What is wrong with it and what to type instead.
        why: &'static str,
    },
    /// No name was typed.
    #[error("type the new {what}'s name")]
    NoName {
        /// What was to be named (`folder`).
        what: &'static str,
    },
    /// A file or folder of that name is already there.
    #[error("{} already exists; choose another name (nothing is overwritten)", path.display())]
    Exists {
        /// What is in the way.
        path: PathBuf,
    },
    /// The file system refused.
    #[error("cannot {what} {}: {source}", path.display())]
    Io {
        /// What was being done (`create`, `rename`, `delete`, …).
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
}

fn io_err<'a>(what: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> ManageError + 'a {
    move |source| ManageError::Io {
        what,
        path: path.to_owned(),
        source,
    }
}

/// Checks one path component typed by a person (a file or folder name).
pub fn check_name(name: &str) -> Result<(), ManageError> {
    let bad = |why| {
        Err(ManageError::BadName {
            name: name.to_owned(),
            why,
        })
    };
    if name.trim().is_empty() {
        return bad("a name is needed");
    }
    if name == "." || name == ".." || name.contains("..") {
        return bad("`..` would leave the folder; type a plain name");
    }
    if name.contains('/') || name.contains('\\') {
        return bad("a name holds no `/` or `\\`; use move to change the folder");
    }
    if name.starts_with('.') {
        return bad("a name starting with `.` is hidden from the payload tree");
    }
    if name.chars().any(char::is_control) {
        return bad("control characters are not allowed in a name");
    }
    if name != name.trim() {
        return bad("leading or trailing spaces are not allowed");
    }
    Ok(())
}

/// Checks a folder path relative to the collection root (`agora/flows`; empty is the root):
/// each component as [`check_name`].
pub fn check_folder(rel: &str) -> Result<(), ManageError> {
    let rel = rel.trim_matches('/');
    if rel.is_empty() {
        return Ok(());
    }
    if rel.contains('\\') {
        return Err(ManageError::BadName {
            name: rel.to_owned(),
            why: "folders are separated by `/`",
        });
    }
    for part in rel.split('/') {
        check_name(part).map_err(|_| ManageError::BadName {
            name: rel.to_owned(),
            why: "each folder is a plain name: no `..`, no leading `.`, no empty part",
        })?;
    }
    Ok(())
}

/// A payload file name from what was typed: `create-user` becomes `create-user.json`.
pub fn payload_file_name(name: &str) -> Result<String, ManageError> {
    check_name(name)?;
    let name = name.strip_suffix(".toml").unwrap_or(name);
    let file = if Path::new(name)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        name.to_owned()
    } else {
        format!("{name}.json")
    };
    check_name(&file)?;
    Ok(file)
}

/// Fails when `body` or its sidecar path is taken.
fn ensure_free(body: &Path) -> Result<(), ManageError> {
    for path in [body.to_owned(), SidecarFile::path_for(body)] {
        if fs::symlink_metadata(&path).is_ok() {
            return Err(ManageError::Exists { path });
        }
    }
    Ok(())
}

fn create_file(path: &Path, bytes: &[u8]) -> Result<(), ManageError> {
    fsio::atomic_create(path, bytes, NewFileMode::Shared).map_err(|e| {
        if e.source.kind() == io::ErrorKind::AlreadyExists {
            ManageError::Exists {
                path: path.to_owned(),
            }
        } else {
            ManageError::Io {
                what: "create",
                path: path.to_owned(),
                source: e.source,
            }
        }
    })
}

/// Creates a payload (and its sidecar when `sidecar` is given), whole or not at all.
pub fn create(body_path: &Path, body: &str, sidecar: Option<&str>) -> Result<(), ManageError> {
    ensure_free(body_path)?;
    create_file(body_path, body.as_bytes())?;
    if let Some(side) = sidecar {
        if let Err(e) = create_file(&SidecarFile::path_for(body_path), side.as_bytes()) {
            let _ = fs::remove_file(body_path);
            return Err(e);
        }
    }
    Ok(())
}

/// Copies a payload and its sidecar (if it has one) to `to`.
pub fn duplicate(from: &Path, to: &Path) -> Result<(), ManageError> {
    let body = fs::read_to_string(from).map_err(io_err("read", from))?;
    let side_from = SidecarFile::path_for(from);
    let sidecar = match fs::read_to_string(&side_from) {
        Ok(t) => Some(t),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(io_err("read", &side_from)(e)),
    };
    create(to, &body, sidecar.as_deref())
}

/// Renames (or moves) one file without ever replacing another: a hard link to the new name
/// (which fails if the name is taken), then the old name goes.
fn move_file(from: &Path, to: &Path) -> Result<(), ManageError> {
    match fs::hard_link(from, to) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            return Err(ManageError::Exists {
                path: to.to_owned(),
            })
        }
        // A file system without hard links: copy to a new file instead.
        Err(_) => {
            let bytes = fs::read(from).map_err(io_err("read", from))?;
            fsio::atomic_create(to, &bytes, NewFileMode::Shared).map_err(|e| {
                if e.source.kind() == io::ErrorKind::AlreadyExists {
                    ManageError::Exists {
                        path: to.to_owned(),
                    }
                } else {
                    ManageError::Io {
                        what: "create",
                        path: to.to_owned(),
                        source: e.source,
                    }
                }
            })?;
        }
    }
    if let Err(e) = fs::remove_file(from) {
        let _ = fs::remove_file(to);
        return Err(io_err("rename", from)(e));
    }
    Ok(())
}

/// Renames or moves a payload and its sidecar together to `to` (the new body path); the
/// target folder must exist.
pub fn rename(from: &Path, to: &Path) -> Result<(), ManageError> {
    if from == to {
        return Ok(());
    }
    ensure_free(to)?;
    if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.is_dir() {
            return Err(io_err("move to", dir)(io::Error::new(
                io::ErrorKind::NotFound,
                "no such folder; create it first (new folder)",
            )));
        }
    }
    let side_from = SidecarFile::path_for(from);
    let has_sidecar = fs::symlink_metadata(&side_from).is_ok();
    move_file(from, to)?;
    if has_sidecar {
        if let Err(e) = move_file(&side_from, &SidecarFile::path_for(to)) {
            // Put the body back where it was: the pair stays together.
            let _ = move_file(to, from);
            return Err(e);
        }
    }
    Ok(())
}

/// Deletes a payload and its sidecar; says whether there was a sidecar.
pub fn delete(body: &Path) -> Result<bool, ManageError> {
    fs::remove_file(body).map_err(io_err("delete", body))?;
    let side = SidecarFile::path_for(body);
    match fs::remove_file(&side) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(io_err("delete", &side)(e)),
    }
}

/// Creates a folder (its parent must exist; an existing one is an error).
pub fn new_folder(path: &Path) -> Result<(), ManageError> {
    match fs::create_dir(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(ManageError::Exists {
            path: path.to_owned(),
        }),
        Err(e) => Err(io_err("create", path)(e)),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn pair(dir: &Path, name: &str, body: &str, side: Option<&str>) -> PathBuf {
        let p = dir.join(format!("{name}.json"));
        fs::write(&p, body).unwrap();
        if let Some(s) = side {
            fs::write(dir.join(format!("{name}.toml")), s).unwrap();
        }
        p
    }

    #[test]
    fn names_that_would_escape_hide_or_nest_are_refused() {
        for bad in [
            "",
            "  ",
            "..",
            "../x",
            "a/b",
            "a\\b",
            ".hidden",
            "x..y",
            "tab\there",
            " x",
        ] {
            assert!(check_name(bad).is_err(), "{bad:?} accepted");
        }
        check_name("create-users-batch.json").unwrap();
        check_name("名前").unwrap();
        assert_eq!(payload_file_name("user").unwrap(), "user.json");
        assert_eq!(payload_file_name("user.JSON").unwrap(), "user.JSON");
        assert_eq!(payload_file_name("user.toml").unwrap(), "user.json");
        check_folder("agora/flows").unwrap();
        check_folder("").unwrap();
        assert!(check_folder("agora/../..").is_err());
        assert!(check_folder("a//b").is_err());
        let msg = check_name("a/b").unwrap_err().to_string();
        assert!(
            msg.starts_with("`a/b` cannot be used: a name holds no `/`"),
            "{msg}"
        );
    }

    #[test]
    fn rename_moves_body_and_sidecar_and_never_overwrites() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        let a = pair(d, "a", "{\"a\":1}", Some("method = \"GET\"\n"));
        let taken = pair(d, "taken", "{\"keep\":true}", None);
        let err = rename(&a, &taken).unwrap_err().to_string();
        assert!(err.contains("taken.json already exists"), "{err}");
        assert_eq!(fs::read_to_string(&taken).unwrap(), "{\"keep\":true}");
        // Only the sidecar name is taken: refused too, before anything moved.
        fs::write(d.join("side.toml"), "x").unwrap();
        assert!(rename(&a, &d.join("side.json")).is_err());
        assert!(a.exists() && d.join("a.toml").exists());
        fs::create_dir(d.join("sub")).unwrap();
        rename(&a, &d.join("sub/b.json")).unwrap();
        assert!(!a.exists() && !d.join("a.toml").exists());
        assert_eq!(
            fs::read_to_string(d.join("sub/b.json")).unwrap(),
            "{\"a\":1}"
        );
        assert_eq!(
            fs::read_to_string(d.join("sub/b.toml")).unwrap(),
            "method = \"GET\"\n"
        );
        let err = rename(&d.join("sub/b.json"), &d.join("nope/b.json")).unwrap_err();
        assert!(err.to_string().contains("no such folder"), "{err}");
        assert!(d.join("sub/b.json").exists());
    }

    #[test]
    fn duplicate_and_delete_take_the_sidecar_along() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        let a = pair(d, "a", "{}", Some("backend = \"agora_chat\"\n"));
        duplicate(&a, &d.join("a-copy.json")).unwrap();
        assert_eq!(
            fs::read_to_string(d.join("a-copy.toml")).unwrap(),
            "backend = \"agora_chat\"\n"
        );
        assert!(matches!(
            duplicate(&a, &d.join("a-copy.json")),
            Err(ManageError::Exists { .. })
        ));
        assert!(delete(&a).unwrap());
        let lone = pair(d, "lone", "{}", None);
        assert!(!delete(&lone).unwrap(), "no sidecar to delete");
        assert!(!lone.exists());
        assert!(!a.exists() && !d.join("a.toml").exists());
        assert!(d.join("a-copy.json").exists());
        new_folder(&d.join("f")).unwrap();
        assert!(matches!(
            new_folder(&d.join("f")),
            Err(ManageError::Exists { .. })
        ));
        create(&d.join("f/n.json"), "{}\n", Some("op = \"x\"\n")).unwrap();
        assert!(create(&d.join("f/n.json"), "{}", None).is_err());
        assert_eq!(fs::read_to_string(d.join("f/n.json")).unwrap(), "{}\n");
    }
}
