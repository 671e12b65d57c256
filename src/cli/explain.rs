//! `apiplay explain OP|FILE` (an operation's docs for a terminal, from the catalogue) and
//! `apiplay new OP [PATH]` (a ready payload and sidecar for an operation).

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;

use crate::catalogue::{catalogue, expected_phrase, num, toml_text, AuthScheme, Field, Operation};
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
    /// Where to write: `NAME.json` (its sidecar `NAME.toml` goes beside it) or a folder;
    /// default `payloads/<vendor>/<op>.json`.
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
    out.write_all(render(op).as_bytes())?;
    out.flush()?;
    Ok(Outcome::Ok)
}

const WIDTH: usize = 92;

/// Wraps `text` to `width` columns after `indent`.
fn wrap(text: &str, indent: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && indent.len() + line.len() + 1 + word.chars().count() > width {
            let _ = writeln!(out, "{indent}{line}");
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        let _ = writeln!(out, "{indent}{line}");
    }
    out
}

/// The limits of a field in a few words.
fn limits(f: &Field) -> String {
    let mut parts = Vec::new();
    let unit = f.units.map_or("", |u| u.as_str());
    match (f.min, f.max) {
        (Some(lo), Some(hi)) => parts.push(format!("{}..{} {unit}", num(lo), num(hi))),
        (Some(lo), None) => parts.push(format!(">= {} {unit}", num(lo))),
        (None, Some(hi)) => parts.push(format!("<= {} {unit}", num(hi))),
        (None, None) => {}
    }
    match (f.min_length, f.max_length) {
        (Some(lo), Some(hi)) => parts.push(format!("{lo}..{hi} chars")),
        (Some(lo), None) => parts.push(format!(">= {lo} chars")),
        (None, Some(hi)) => parts.push(format!("<= {hi} chars")),
        (None, None) => {}
    }
    if let Some(n) = f.max_items {
        parts.push(format!("<= {n} items"));
    }
    if let Some(values) = &f.values {
        let shown: Vec<_> = values.iter().map(toml_text).collect();
        parts.push(format!("one of {}", shown.join(", ")));
    }
    if let Some(p) = &f.pattern {
        parts.push(format!("matches {p}"));
    }
    if let Some(d) = &f.default {
        parts.push(format!("default {}", toml_text(d)));
    }
    parts
        .into_iter()
        .map(|p| p.trim_end().to_owned())
        .collect::<Vec<_>>()
        .join("; ")
}

fn field_rows(out: &mut String, fields: &[Field]) {
    let width = fields
        .iter()
        .map(|f| f.path.len().max(6))
        .max()
        .unwrap_or(6);
    let _ = writeln!(
        out,
        "  {:width$}  {:16} {:13} {:8} LIMITS",
        "PATH", "TYPE", "UNITS", "REQUIRED"
    );
    let _ = width;
    for f in fields {
        let path = if f.path.is_empty() { "(body)" } else { &f.path };
        let row = format!(
            "  {path:width$}  {:16} {:13} {:8} {}",
            f.ty.names(),
            f.units.map_or("", |u| u.as_str()),
            if f.required { "yes" } else { "" },
            limits(f)
        );
        let _ = writeln!(out, "{}", row.trim_end());
        let mut meaning = f.meaning.clone();
        if !f.documented {
            meaning.push_str(" [not documented: the sandbox's reading]");
        }
        if f.units.is_some() {
            let _ = write!(meaning, " ({})", expected_phrase(f));
        }
        if let Some(e) = &f.example {
            let _ = write!(meaning, "; e.g. {}", toml_text(e));
        }
        out.push_str(&wrap(&meaning, "      ", WIDTH));
    }
}

/// An op's docs as terminal text.
pub fn render(op: &Operation) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} — {}", op.id, op.title);
    let path = if op.path.is_empty() { "/" } else { &op.path };
    let _ = writeln!(
        out,
        "{} {{{}}}{path}   body: {}",
        op.method,
        op.backend,
        op.encoding.as_str()
    );
    let variable = op.auth.variable.as_deref().unwrap_or("");
    let auth = match op.auth.scheme {
        AuthScheme::None => "none".to_owned(),
        AuthScheme::Body => format!(
            "the body field {} ({{{{{variable}}}}})",
            op.auth.field.as_deref().unwrap_or("?")
        ),
        AuthScheme::Bearer => format!("Authorization: Bearer {{{{{variable}}}}}"),
        AuthScheme::Basic => format!("Authorization: {{{{{variable}}}}} (HTTP Basic)"),
        AuthScheme::Header => format!(
            "{}: {{{{{variable}}}}}",
            op.auth.name.as_deref().unwrap_or("?")
        ),
    };
    let _ = writeln!(out, "auth: {auth}");
    if !op.headers.is_empty() {
        let h: Vec<_> = op
            .headers
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        let _ = writeln!(out, "headers: {}", h.join(", "));
    }
    let _ = writeln!(out, "docs: {}\n", op.docs_url);
    out.push_str(&wrap(&op.summary, "", WIDTH));
    if !op.params.is_empty() {
        let _ = writeln!(out, "\nURL parameters");
        field_rows(&mut out, &op.params);
    }
    if op.fields.is_empty() {
        let _ = writeln!(out, "\nBody: none");
    } else {
        let _ = writeln!(out, "\nFields");
        field_rows(&mut out, &op.fields);
        let _ = writeln!(out, "\nExample body");
        for line in op.starter_body().lines() {
            let _ = writeln!(out, "  {line}");
        }
    }
    if !op.response.is_empty() {
        let _ = writeln!(out, "\nAnswer");
        let width = op
            .response
            .iter()
            .map(|r| r.path.len().max(6))
            .max()
            .unwrap_or(6);
        for r in &op.response {
            let path = if r.path.is_empty() { "(body)" } else { &r.path };
            let units = r
                .units
                .map_or_else(String::new, |u| format!(", {}", u.as_str()));
            let mut meaning = format!("{}{units}: {}", r.ty.names(), r.meaning);
            if !r.documented {
                meaning.push_str(" [not documented]");
            }
            let first = format!("  {path:width$}  ");
            let body = wrap(&meaning, &" ".repeat(first.len()), WIDTH);
            out.push_str(&first);
            out.push_str(body.trim_start());
        }
    }
    if !op.errors.is_empty() {
        let _ = writeln!(out, "\nErrors");
        for e in &op.errors {
            let status = e
                .status
                .map_or_else(String::new, |s| format!(" (HTTP {s})"));
            let note = if e.documented { "" } else { " [sandbox]" };
            let _ = writeln!(out, "  {}{status}{note}", e.code);
            out.push_str(&wrap(&e.meaning, "      ", WIDTH));
            out.push_str(&wrap(&format!("what to do: {}", e.fix), "      ", WIDTH));
        }
    }
    if !op.sandbox_notes.is_empty() {
        let _ = writeln!(out, "\nIn the sandbox");
        for n in &op.sandbox_notes {
            out.push_str(&wrap(&format!("- {n}"), "  ", WIDTH));
        }
    }
    let _ = writeln!(out, "\nSources");
    for s in &op.sources {
        out.push_str(&wrap(&format!("- {s}"), "  ", WIDTH));
    }
    out
}

/// Runs `apiplay new`.
pub fn new(args: &NewArgs) -> anyhow::Result<Outcome> {
    let op = op_by_id(&args.op)?;
    let name = op.id.rsplit('.').next().unwrap_or("payload").to_owned();
    let body_path = match &args.path {
        None => PathBuf::from("payloads")
            .join(op.vendor.as_str())
            .join(format!("{name}.json")),
        Some(p) if p.is_dir() => p.join(format!("{name}.json")),
        Some(p) if p.extension().is_some_and(|e| e == "json") => p.clone(),
        Some(p) => p.with_extension("json"),
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
    println!("{}", body_path.display());
    println!("{}", side_path.display());
    eprintln!(
        "wrote a {} payload; send it with `apiplay send {}` (`apiplay explain {}` tells its fields)",
        op.id,
        body_path.display(),
        op.id
    );
    Ok(Outcome::Ok)
}

/// Creates a file that must not exist yet.
fn write_new(path: &Path, text: &str) -> anyhow::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
