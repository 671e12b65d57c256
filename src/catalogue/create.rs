//! A new payload for an operation, on disk: the op's starter body and sidecar written into a
//! folder under a name, never over an existing file and never half written
//! ([`crate::fsio::atomic_create`]). `apiplay new`, the TUI's op picker and the collection
//! manager all call [`create_from_op`], so they write the same pair.

use std::io;
use std::path::{Path, PathBuf};

use super::Operation;
use crate::collection::SidecarFile;
use crate::fsio::{atomic_create, NewFileMode, WriteError};

/// The two files a new payload is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPayload {
    /// The body, `<dir>/<name>.json`.
    pub body: PathBuf,
    /// Its sidecar, `<dir>/<name>.toml`.
    pub sidecar: PathBuf,
}

/// Why no payload was created; nothing was left on disk.
#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    /// The name cannot be a payload's file name.
    #[error("{name:?} cannot name a payload: {why}")]
    BadName {
        /// The name as given.
        name: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// A file of that name is there already.
    #[error("{} already exists; choose another name", path.display())]
    Exists {
        /// The file in the way.
        path: PathBuf,
    },
    /// The folder could not be made.
    #[error("cannot create the folder {}: {source}", path.display())]
    Folder {
        /// The folder.
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: io::Error,
    },
    /// A file could not be written.
    #[error(transparent)]
    Write(#[from] WriteError),
    /// No operation of the catalogue has this id.
    #[error("unknown operation {id:?}; `apiplay ops` lists them")]
    UnknownOp {
        /// The id asked for.
        id: String,
    },
}

impl Operation {
    /// The file name (without `.json`) a new payload of this op gets by default: the id
    /// without its vendor, dots as dashes (`mesibo.useradd` → `useradd`,
    /// `agora.chat.users.create` → `chat-users-create`).
    pub fn default_name(&self) -> String {
        self.id
            .split_once('.')
            .map_or(self.id.as_str(), |(_, rest)| rest)
            .replace('.', "-")
    }
}

/// Checks a payload name typed by a person; `.json` at its end is dropped.
pub fn payload_name(name: &str) -> Result<&str, CreateError> {
    let trimmed = name.trim();
    let stem = trimmed.strip_suffix(".json").unwrap_or(trimmed);
    let bad = |why| {
        Err(CreateError::BadName {
            name: name.to_owned(),
            why,
        })
    };
    if stem.is_empty() {
        return bad("it is empty");
    }
    if stem.contains(['/', '\\']) {
        return bad("it holds a path separator; a name is one file name");
    }
    if stem.starts_with('.') {
        return bad("it starts with a dot (hidden files are not listed)");
    }
    if stem.chars().any(char::is_control) {
        return bad("it holds a control character");
    }
    Ok(stem)
}

/// Writes `op`'s starter body and sidecar as `<dir>/<name>.json` and `<dir>/<name>.toml`
/// (the folder is created when missing). Refuses when either file exists; if the sidecar
/// cannot be written after the body was, the body is removed again.
pub fn create_from_op(op: &Operation, dir: &Path, name: &str) -> Result<NewPayload, CreateError> {
    let stem = payload_name(name)?;
    let body = dir.join(format!("{stem}.json"));
    let sidecar = SidecarFile::path_for(&body);
    for p in [&body, &sidecar] {
        // A dangling symbolic link is in the way too.
        if p.symlink_metadata().is_ok() {
            return Err(CreateError::Exists { path: p.clone() });
        }
    }
    if !dir.as_os_str().is_empty() {
        std::fs::create_dir_all(dir).map_err(|source| CreateError::Folder {
            path: dir.to_owned(),
            source,
        })?;
    }
    let written = |path: &Path, e: WriteError| {
        if e.source.kind() == io::ErrorKind::AlreadyExists {
            CreateError::Exists {
                path: path.to_owned(),
            }
        } else {
            CreateError::Write(e)
        }
    };
    atomic_create(&body, op.starter_body().as_bytes(), NewFileMode::Shared)
        .map_err(|e| written(&body, e))?;
    if let Err(e) = atomic_create(
        &sidecar,
        op.starter_sidecar().as_bytes(),
        NewFileMode::Shared,
    ) {
        // Whole or not at all: a body without its sidecar would be another op's payload.
        let _ = std::fs::remove_file(&body);
        return Err(written(&sidecar, e));
    }
    Ok(NewPayload { body, sidecar })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::catalogue::catalogue;

    #[test]
    fn writes_the_pair_and_never_over_a_file() {
        let tmp = tempfile::tempdir().unwrap();
        let op = catalogue().get("mesibo.useradd").unwrap();
        assert_eq!(op.default_name(), "useradd");
        let dir = tmp.path().join("new/folder");
        let made = create_from_op(op, &dir, "alice.json").unwrap();
        assert_eq!(made.body, dir.join("alice.json"));
        assert_eq!(made.sidecar, dir.join("alice.toml"));
        let side = std::fs::read_to_string(&made.sidecar).unwrap();
        assert!(side.starts_with("op = \"mesibo.useradd\"\n"), "{side}");
        let body = std::fs::read_to_string(&made.body).unwrap();
        assert!(body.contains("\"op\": \"useradd\""), "{body}");
        // Again: refused, and the first pair is untouched.
        std::fs::write(&made.body, "{\"mine\": 1}").unwrap();
        let e = create_from_op(op, &dir, "alice").unwrap_err();
        assert!(
            matches!(&e, CreateError::Exists { path } if *path == made.body),
            "{e}"
        );
        assert_eq!(
            std::fs::read_to_string(&made.body).unwrap(),
            "{\"mine\": 1}"
        );
    }

    #[test]
    fn a_sidecar_in_the_way_leaves_no_body() {
        let tmp = tempfile::tempdir().unwrap();
        let op = catalogue().get("agora.chat.users.create").unwrap();
        assert_eq!(op.default_name(), "chat-users-create");
        std::fs::write(tmp.path().join("x.toml"), "backend = \"agora_chat\"\n").unwrap();
        let e = create_from_op(op, tmp.path(), "x").unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "{} already exists; choose another name",
                tmp.path().join("x.toml").display()
            )
        );
        assert!(!tmp.path().join("x.json").exists());
    }

    #[test]
    fn names_are_one_plain_file_name() {
        for (name, why) in [
            ("", "it is empty"),
            (" .json", "it is empty"),
            ("a/b", "it holds a path separator; a name is one file name"),
            ("..", "it starts with a dot (hidden files are not listed)"),
            ("a\u{7}", "it holds a control character"),
        ] {
            match payload_name(name) {
                Err(CreateError::BadName { why: w, .. }) => assert_eq!(w, why, "{name:?}"),
                other => panic!("{name:?}: {other:?}"),
            }
        }
        assert_eq!(payload_name(" my-user.json ").unwrap(), "my-user");
    }
}
