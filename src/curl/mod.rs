//! curl in and out.
//!
//! - [`export`]: a prepared request (the one `send` makes, through
//!   [`crate::session::Session::prepare`]) as a curl command line a person can paste into a
//!   shell. Secrets and minted auth built-ins stay out of it: each is a shell variable
//!   reference (`"$MESIBO_APP_TOKEN"`), and comments above the command say what to set.
//! - [`parse`]: a curl command line (as the vendors' docs write it: line continuations,
//!   quoting, `-d @file`) read into its method, URL, headers and body. The options it knows
//!   are [`parse::SUPPORTED`]; any other is an error naming it.
//! - [`import`]: such a request turned into a payload (JSON body on disk) and its sidecar:
//!   the backend and path from the environment's backends, the op from the catalogue, the
//!   credentials replaced by `{{variables}}`.

mod credentials;
pub mod export;
pub mod import;
pub mod parse;
pub mod shell;

pub use export::{export, Export};
pub use import::{import, ImportError, Imported};
pub use parse::{parse, CurlRequest, ParseError};

use std::path::{Path, PathBuf};

use crate::collection::SidecarFile;
use crate::fsio::{atomic_create, NewFileMode, WriteError};

/// Why an import was not written.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// The file asked for is there.
    #[error("{} already exists: import-curl never overwrites; choose another --to", .0.display())]
    Exists(PathBuf),
    /// Every numbered name is taken.
    #[error("{}: no free name for the import; pass --to PATH", .0.display())]
    NoFreeName(PathBuf),
    /// The folder could not be made.
    #[error("{}: cannot create the folder: {source}", path.display())]
    Folder {
        /// The folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file could not be written.
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// Writes an import's body and sidecar, never over a file: at `to`, or at the first free
/// `imported/<stem>[-N].json` under `payloads`. A sidecar that cannot be written takes the
/// new body away again, so no body is left without it.
pub fn save(imported: &Imported, to: Option<&Path>, payloads: &Path) -> Result<PathBuf, SaveError> {
    let folder = payloads.join("imported");
    let candidates: Vec<PathBuf> = match to {
        Some(p) => vec![p.to_owned()],
        None => (1..1000)
            .map(|n| {
                let name = if n == 1 {
                    format!("{}.json", imported.stem)
                } else {
                    format!("{}-{n}.json", imported.stem)
                };
                folder.join(name)
            })
            .collect(),
    };
    for path in candidates {
        let sidecar = SidecarFile::path_for(&path);
        if path.exists() || sidecar.exists() {
            if to.is_some() {
                return Err(SaveError::Exists(if path.exists() {
                    path
                } else {
                    sidecar
                }));
            }
            continue;
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| SaveError::Folder {
                path: dir.to_owned(),
                source,
            })?;
        }
        atomic_create(&path, imported.body.as_bytes(), NewFileMode::Shared)?;
        if let Err(e) = atomic_create(&sidecar, imported.sidecar.as_bytes(), NewFileMode::Shared) {
            let _ = std::fs::remove_file(&path);
            return Err(e.into());
        }
        return Ok(path);
    }
    Err(SaveError::NoFreeName(folder))
}

/// Whether pasted text is a curl command (its first word, past `$ ` and comments).
pub fn looks_like_curl(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .is_some_and(|l| {
            let l = l.trim_start_matches("$ ");
            l == "curl" || l.starts_with("curl ")
        })
}
