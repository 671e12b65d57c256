//! An operation's docs as plain text for a terminal: overview, URL parameters, fields (type,
//! units, limits, required), an example body, the answer, the errors, the sandbox's choices
//! and the sources.

use std::fmt::Write as _;

use super::check::{expected_phrase, num, toml_text};
use super::schema::{AuthScheme, Field};
use super::Operation;

/// The width `apiplay explain` writes to.
const WIDTH: usize = 92;

/// Below this width the field table becomes one line per field (`path  type · required ·
/// limits`) with its meaning under it: the columns would wrap into each other.
const TABLE_WIDTH: usize = 80;

/// Wraps `text` to `width` columns after `indent`.
fn wrap(text: &str, indent: &str, width: usize) -> String {
    hang(text, indent, indent, width)
}

/// Wraps `text` to `width` columns: the first line after `first`, the others after `rest`
/// (a list item's text lines up after its `- `).
fn hang(text: &str, first: &str, rest: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthStr as _;
    let mut out = String::new();
    let mut line = String::new();
    let mut indent = first;
    // Columns, not bytes: `·` and `—` are one column each.
    let mut used = 0;
    for word in text.split_whitespace() {
        let w = word.width();
        if !line.is_empty() && indent.width() + used + 1 + w > width {
            let _ = writeln!(out, "{indent}{line}");
            line.clear();
            used = 0;
            indent = rest;
        }
        if !line.is_empty() {
            line.push(' ');
            used += 1;
        }
        line.push_str(word);
        used += w;
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

fn field_rows(out: &mut String, fields: &[Field], width: usize) {
    let table = width >= TABLE_WIDTH;
    let path_w = fields
        .iter()
        .map(|f| f.path.len().max(6))
        .max()
        .unwrap_or(6);
    if table {
        let _ = writeln!(
            out,
            "  {:path_w$}  {:16} {:13} {:8} LIMITS",
            "PATH", "TYPE", "UNITS", "REQUIRED"
        );
    }
    for f in fields {
        let path = if f.path.is_empty() { "(body)" } else { &f.path };
        let units = f.units.map_or("", |u| u.as_str());
        let required = if f.required { "yes" } else { "" };
        if table {
            let row = format!(
                "  {path:path_w$}  {:16} {units:13} {required:8} {}",
                f.ty.names(),
                limits(f)
            );
            let _ = writeln!(out, "{}", row.trim_end());
        } else {
            let mut facts = vec![f.ty.names()];
            facts.extend([units, if f.required { "required" } else { "" }].map(str::to_owned));
            facts.push(limits(f));
            facts.retain(|p| !p.is_empty());
            let row = format!("{path}: {}", facts.join(" · "));
            out.push_str(&hang(&row, "  ", "    ", width));
        }
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
        out.push_str(&wrap(&meaning, "      ", width));
    }
}

impl Operation {
    /// The op's docs as terminal text: what `apiplay explain` prints and the TUI's docs
    /// popup shows.
    pub fn explain_text(&self) -> String {
        render(self, WIDTH)
    }

    /// [`Operation::explain_text`] wrapped to `width` columns (the TUI's docs popup): under
    /// 80 the field table is one line per field.
    pub fn explain_text_for(&self, width: usize) -> String {
        render(self, width.min(WIDTH))
    }
}

fn render(op: &Operation, width: usize) -> String {
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
    out.push_str(&wrap(&op.summary, "", width));
    if !op.params.is_empty() {
        let _ = writeln!(out, "\nURL parameters");
        field_rows(&mut out, &op.params, width);
    }
    if op.fields.is_empty() {
        let _ = writeln!(out, "\nBody: none");
    } else {
        let _ = writeln!(out, "\nFields");
        field_rows(&mut out, &op.fields, width);
        let _ = writeln!(out, "\nExample body");
        for line in op.starter_body().lines() {
            let _ = writeln!(out, "  {line}");
        }
    }
    if !op.response.is_empty() {
        let _ = writeln!(out, "\nAnswer");
        let path_w = op
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
            if width >= TABLE_WIDTH {
                let first = format!("  {path:path_w$}  ");
                let body = wrap(&meaning, &" ".repeat(first.len()), width);
                out.push_str(&first);
                out.push_str(body.trim_start());
            } else {
                let _ = writeln!(out, "  {path}");
                out.push_str(&wrap(&meaning, "      ", width));
            }
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
            out.push_str(&wrap(&e.meaning, "      ", width));
            out.push_str(&wrap(&format!("what to do: {}", e.fix), "      ", width));
        }
    }
    if !op.sandbox_notes.is_empty() {
        let _ = writeln!(out, "\nIn the sandbox");
        for n in &op.sandbox_notes {
            out.push_str(&hang(&format!("- {n}"), "  ", "    ", width));
        }
    }
    let _ = writeln!(out, "\nSources");
    for s in &op.sources {
        out.push_str(&hang(&format!("- {s}"), "  ", "    ", width));
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_list_item_hangs_after_its_dash_and_widths_count_columns() {
        let text = hang("- one two three four · five", "  ", "    ", 16);
        // `    three four ·` is 16 columns (17 bytes): it fits.
        assert_eq!(text, "  - one two\n    three four ·\n    five\n");
        assert_eq!(wrap("ab · cd · ef", "", 12), "ab · cd · ef\n");
    }

    #[test]
    fn under_80_columns_each_field_is_one_line_and_fits() {
        let op = crate::catalogue::catalogue().get("mesibo.useradd").unwrap();
        let narrow = op.explain_text_for(60);
        assert!(!narrow.contains("REQUIRED"), "no table: {narrow}");
        assert!(
            narrow.contains(
                "\n  user.token.expiry: integer · minutes · >= 1 minutes;\n    default 525600\n"
            ),
            "{narrow}"
        );
        let fields =
            &narrow[narrow.find("\nFields\n").unwrap()..narrow.find("\nExample body").unwrap()];
        for line in fields.lines() {
            assert!(unicode_width::UnicodeWidthStr::width(line) <= 60, "{line}");
        }
        assert!(op.explain_text_for(120).contains("REQUIRED LIMITS"));
        assert_eq!(
            op.explain_text_for(120),
            op.explain_text(),
            "92 columns at most"
        );
    }
}
