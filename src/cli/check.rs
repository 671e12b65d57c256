//! `apiplay check FILE…` and `apiplay ops`: payloads held to the catalogue, and the catalogue
//! listed.
//!
//! `check` prints one line per finding, `file:line:col: error|warning: message`, in the file
//! the finding is in (the body or its sidecar), and exits 0 when nothing was found, 2 when
//! anything was. A folder is checked payload by payload.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;
use serde_json::json;

use crate::catalogue::{catalogue, Diagnostic, Severity, Vendor};
use crate::collection::{Collection, SidecarFile, TemplateError};
use crate::exit::Outcome;

/// Options of `apiplay check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Payload bodies (`.json`; a sidecar `.toml` names its body) or folders of them.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Print the findings as a JSON array.
    #[arg(long)]
    pub json: bool,
}

/// Options of `apiplay ops`.
#[derive(Debug, Args)]
pub struct OpsArgs {
    /// Only this vendor's: mesibo, agora, twilio or vonage.
    pub vendor: Option<String>,
    /// Print a JSON array.
    #[arg(long)]
    pub json: bool,
}

/// One finding with its file.
struct Finding {
    file: String,
    op: Option<String>,
    diagnostic: Diagnostic,
}

/// Runs `apiplay check`.
pub fn check(args: &CheckArgs) -> anyhow::Result<Outcome> {
    let mut bodies = Vec::new();
    for path in &args.files {
        if path.is_dir() {
            let collection = Collection::discover(path)?;
            bodies.extend(collection.payloads.into_iter().map(|p| p.path));
        } else if path.extension().is_some_and(|e| e == "toml") {
            bodies.push(path.with_extension("json"));
        } else {
            bodies.push(path.clone());
        }
    }
    let mut findings = Vec::new();
    for body in &bodies {
        check_one(body, &mut findings);
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        let list: Vec<_> = findings
            .iter()
            .map(|f| {
                let d = &f.diagnostic;
                json!({
                    "file": f.file,
                    "line": d.line,
                    "col": d.col,
                    "severity": d.severity.as_str(),
                    "field": d.path,
                    "message": d.message,
                    "op": f.op,
                })
            })
            .collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&list)?)?;
    } else {
        for f in &findings {
            let d = &f.diagnostic;
            writeln!(
                out,
                "{}:{}:{}: {}: {}",
                f.file,
                d.line.max(1),
                d.col.max(1),
                d.severity.as_str(),
                d.message
            )?;
        }
    }
    out.flush()?;
    let errors = findings
        .iter()
        .filter(|f| f.diagnostic.severity == Severity::Error)
        .count();
    let warnings = findings.len() - errors;
    if !args.json {
        say!(
            "{} file{} checked: {errors} error{}, {warnings} warning{}",
            bodies.len(),
            plural(bodies.len()),
            plural(errors),
            plural(warnings)
        );
    }
    Ok(if findings.is_empty() {
        Outcome::Ok
    } else {
        Outcome::BadInput
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn check_one(body_path: &Path, findings: &mut Vec<Finding>) {
    let file = body_path.display().to_string();
    let whole = |file: String, message: String| Finding {
        file,
        op: None,
        diagnostic: Diagnostic::new(
            Severity::Error,
            crate::catalogue::Kind::InvalidJson,
            0..0,
            String::new(),
            message,
        ),
    };
    let body = match std::fs::read_to_string(body_path) {
        Ok(body) => body,
        Err(e) => {
            findings.push(whole(file, format!("cannot read the payload: {e}")));
            return;
        }
    };
    let sidecar = match SidecarFile::load_beside(body_path) {
        Ok(sidecar) => sidecar,
        Err(TemplateError::Sidecar {
            path,
            line,
            col,
            message,
        }) => {
            let mut f = whole(
                path.display().to_string(),
                format!("invalid sidecar: {message}"),
            );
            f.diagnostic.line = line;
            f.diagnostic.col = col;
            findings.push(f);
            return;
        }
        Err(e) => {
            findings.push(whole(file, e.to_string()));
            return;
        }
    };
    let report = catalogue().check_payload(&sidecar, &body);
    let op = report.op.map(|o| o.id.clone());
    let side_name = sidecar.path.as_ref().map_or_else(
        || SidecarFile::path_for(body_path).display().to_string(),
        |p| p.display().to_string(),
    );
    findings.extend(report.sidecar.into_iter().map(|diagnostic| Finding {
        file: side_name.clone(),
        op: op.clone(),
        diagnostic,
    }));
    findings.extend(report.body.into_iter().map(|diagnostic| Finding {
        file: file.clone(),
        op: op.clone(),
        diagnostic,
    }));
}

/// Runs `apiplay ops`.
pub fn ops(args: &OpsArgs) -> anyhow::Result<Outcome> {
    let vendor = match &args.vendor {
        None => None,
        Some(name) => Some(Vendor::parse(name).with_context(|| {
            format!("unknown vendor {name:?}; use one of mesibo, agora, twilio, vonage")
        })?),
    };
    let cat = catalogue();
    let ops: Vec<_> = cat
        .ops()
        .iter()
        .filter(|o| vendor.is_none_or(|v| o.vendor == v))
        .collect();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        let list: Vec<_> = ops
            .iter()
            .map(|o| {
                json!({
                    "id": o.id,
                    "vendor": o.vendor.as_str(),
                    "title": o.title,
                    "method": o.method,
                    "path": o.path,
                    "backend": o.backend,
                    "encoding": o.encoding.as_str(),
                    "flow": o.flow,
                    "docs_url": o.docs_url,
                })
            })
            .collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&list)?)?;
    } else {
        let width = ops.iter().map(|o| o.id.len()).max().unwrap_or(0);
        let mut last = None;
        for o in &ops {
            if last != Some(o.vendor) {
                if last.is_some() {
                    writeln!(out)?;
                }
                let title = cat.vendor_title(o.vendor).unwrap_or(o.vendor.as_str());
                writeln!(out, "{title} ({})", o.vendor)?;
                last = Some(o.vendor);
            }
            writeln!(
                out,
                "  {:width$}  {:6} {}",
                o.id,
                o.method,
                if o.path.is_empty() { "/" } else { &o.path },
            )?;
            writeln!(out, "  {:width$}  {}", "", o.title)?;
        }
    }
    out.flush()?;
    Ok(Outcome::Ok)
}
