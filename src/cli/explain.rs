//! `apiplay explain OP|FILE` (an operation's docs for a terminal, from the catalogue) and
//! `apiplay new OP [PATH]` (a ready payload and sidecar for an operation).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;

use crate::catalogue::{catalogue, Operation};
use crate::collection::SidecarFile;
use crate::exit::Outcome;

/// Options of `apiplay explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// An operation id (`mesibo.useradd`; see `apiplay ops`) or a payload file.
    pub target: String,
}

/// Options of `apiplay new`.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// The operation id (see `apiplay ops`).
    pub op: String,
    /// Where to write: `NAME.json` (its sidecar `NAME.toml` goes beside it), or a folder
    /// (created if needed) to write `<op>.json` in; default `payloads/<vendor>/<op>.json`.
    pub path: Option<PathBuf>,
}

/// Finds an op by id, with a did-you-mean when there is none.
fn op_by_id(id: &str) -> anyhow::Result<&'static Operation> {
    let cat = catalogue();
    cat.get(id).ok_or_else(|| {
        let hint = cat
            .suggest_id(id)
            .map_or_else(String::new, |s| format!("did you mean {s:?}? "));
        anyhow::anyhow!("unknown operation {id:?}; {hint}`apiplay ops` lists them")
    })
}

/// Runs `apiplay explain`.
pub fn explain(args: &ExplainArgs) -> anyhow::Result<Outcome> {
    let target = &args.target;
    let op = if catalogue().get(target).is_some() || !Path::new(target).exists() {
        op_by_id(target)?
    } else {
        let path = Path::new(target);
        let body_path = if path.extension().is_some_and(|e| e == "toml") {
            path.with_extension("json")
        } else {
            path.to_owned()
        };
        let body = std::fs::read_to_string(&body_path)
            .with_context(|| format!("cannot read {}", body_path.display()))?;
        let sidecar = SidecarFile::load_beside(&body_path)?;
        catalogue().check_payload(&sidecar, &body).op.with_context(|| {
            format!(
                "{}: no catalogue operation matches this payload; name one with op = \"…\" in its sidecar (`apiplay ops` lists them, `apiplay check` says why)",
                body_path.display()
            )
        })?
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    out.write_all(op.explain_text().as_bytes())?;
    out.flush()?;
    Ok(Outcome::Ok)
}

/// Runs `apiplay new`.
pub fn new(args: &NewArgs) -> anyhow::Result<Outcome> {
    let op = op_by_id(&args.op)?;
    // `mesibo.useradd` → `useradd`, `agora.chat.users.create` → `chat-users-create`.
    let name = op
        .id
        .split_once('.')
        .map_or(op.id.as_str(), |(_, rest)| rest)
        .replace('.', "-");
    let body_path = match &args.path {
        None => PathBuf::from("payloads")
            .join(op.vendor.as_str())
            .join(format!("{name}.json")),
        Some(p) if p.extension().is_some_and(|e| e == "json") => p.clone(),
        Some(p) => p.join(format!("{name}.json")),
    };
    let side_path = SidecarFile::path_for(&body_path);
    for p in [&body_path, &side_path] {
        if p.exists() {
            anyhow::bail!(
                "{} already exists; pass another PATH (apiplay new {} PATH)",
                p.display(),
                op.id
            );
        }
    }
    if let Some(dir) = body_path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    write_new(&body_path, &op.starter_body())?;
    write_new(&side_path, &op.starter_sidecar())?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    writeln!(out, "{}", body_path.display())?;
    writeln!(out, "{}", side_path.display())?;
    out.flush()?;
    say!(
        "wrote a {} payload; send it with `apiplay send {}` (`apiplay explain {}` tells its fields)",
        op.id,
        body_path.display(),
        op.id
    );
    Ok(Outcome::Ok)
}

/// Creates a file that must not exist yet, whole or not at all (a full disk leaves no
/// half-written payload).
fn write_new(path: &Path, text: &str) -> anyhow::Result<()> {
    crate::fsio::atomic_create(path, text.as_bytes(), crate::fsio::NewFileMode::Shared)?;
    Ok(())
}
