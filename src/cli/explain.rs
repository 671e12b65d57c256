//! `apiplay explain OP|FILE` (an operation's docs for a terminal, from the catalogue) and
//! `apiplay new OP [PATH]` (a ready payload and sidecar for an operation).

use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;

use crate::catalogue::{catalogue, create_from_op, CreateError, Operation};
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
    // A terminal narrower than the table gets the one-line-per-field layout; a pipe gets
    // the full width.
    let cols = stdout
        .is_terminal()
        .then(crossterm::terminal::size)
        .and_then(Result::ok);
    let text = match cols {
        Some((cols, _)) => op.explain_text_for(usize::from(cols)),
        None => op.explain_text(),
    };
    let mut out = stdout.lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(Outcome::Ok)
}

/// Runs `apiplay new`.
pub fn new(args: &NewArgs) -> anyhow::Result<Outcome> {
    let op = op_by_id(&args.op)?;
    let (dir, name) = match &args.path {
        None => (
            PathBuf::from("payloads").join(op.vendor.as_str()),
            op.default_name(),
        ),
        Some(p) if p.extension().is_some_and(|e| e == "json") => (
            p.parent().map(Path::to_path_buf).unwrap_or_default(),
            p.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        ),
        Some(p) => (p.clone(), op.default_name()),
    };
    let made = match create_from_op(op, &dir, &name) {
        Ok(made) => made,
        Err(CreateError::Exists { path }) => anyhow::bail!(
            "{} already exists; pass another PATH (apiplay new {} PATH)",
            path.display(),
            op.id
        ),
        Err(e) => return Err(e.into()),
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    writeln!(out, "{}", made.body.display())?;
    writeln!(out, "{}", made.sidecar.display())?;
    out.flush()?;
    say!(
        "wrote a {} payload; send it with `apiplay send {}` (`apiplay explain {}` tells its fields)",
        op.id,
        made.body.display(),
        op.id
    );
    Ok(Outcome::Ok)
}
