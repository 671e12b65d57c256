//! The editor's teaching, wired to its state: the catalogue's findings after every edit, the
//! docs panel following the cursor, the completion list and the jump to the next finding.
//! The logic lives in [`super::teach`]; this is where the editor calls it.

use tui_textarea::CursorMove;

use super::editor::{Editor, Lang, INLINE_LINT_LIMIT, LIVE_CHECK_LIMIT};
use super::teach::{self, At, Item, Place};
use crate::collection::SidecarFile;

/// The open completion list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// What is offered.
    pub items: Vec<Item>,
    /// The highlighted row.
    pub selected: usize,
    /// Where the cursor was when it was made (what an insert replaces).
    pub place: Place,
}

/// A catalogue check of one generation of the text, for the driver's lint job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintJob {
    /// The editor generation of `text`.
    pub generation: u64,
    /// The sidecar that tells the op.
    pub sidecar: SidecarFile,
    /// The body.
    pub text: String,
}

impl LintJob {
    /// Runs the check (on whatever thread calls it).
    pub fn run(&self) -> teach::Lint {
        teach::lint(&self.sidecar, &self.text)
    }
}

impl crate::tui::app::App {
    /// Checks the sidecar being edited (F2) with the body against the catalogue, as
    /// `apiplay check` does: an unknown `op` with its did-you-mean, a method or backend the
    /// op does not use. The findings are listed and underlined like a body's.
    pub(crate) fn lint_sidecar(&mut self) {
        let body = self.editor.small.then(|| self.editor.text());
        let Some(s) = self.sidecar.as_mut() else {
            return;
        };
        s.diagnostics.clear();
        let (Some(body), Some(path)) = (body, s.path.clone()) else {
            return;
        };
        let text = s.text();
        if s.problem.is_some() {
            return;
        }
        let Ok(file) = SidecarFile::parse(&text, &path) else {
            return;
        };
        let report = crate::catalogue::catalogue().check_payload(&file, &body);
        s.op = report.op;
        s.diagnostics = report
            .sidecar
            .into_iter()
            .map(|d| teach::editor_diagnostic(&text, d))
            .collect();
    }
}

impl Editor {
    /// The sidecar the catalogue reads for this body: the file's (as loaded), else the
    /// defaults a sidecar-less payload is sent with; `None` when the sidecar is invalid.
    pub(super) fn read_sidecar(&self) -> Option<SidecarFile> {
        let body = self.path.as_ref()?;
        match &self.info.sidecar_text {
            Some(text) => SidecarFile::parse(text, &SidecarFile::path_for(body)).ok(),
            None if self.info.sidecar_error.is_some() => None,
            None => Some(SidecarFile::default()),
        }
    }

    /// The sidecar was saved or read again: check the body against what it says now.
    pub fn sidecar_changed(&mut self) {
        self.catalogue_sidecar = self.read_sidecar();
        self.op = None;
        if self.small {
            let text = self.text();
            self.lint(text);
        }
        self.assisted = None;
        self.refresh_assist();
    }

    /// The catalogue's findings on `text` (the body's), kept for drawing.
    pub(super) fn lint(&mut self, text: String) {
        let sidecar = match (&self.catalogue_sidecar, self.lang) {
            (Some(s), Lang::Json) if self.path.is_some() => s,
            _ => {
                self.diagnostics.clear();
                self.lint_job = None;
                return;
            }
        };
        if text.len() > LIVE_CHECK_LIMIT {
            // Findings of a huge text would cost a check per key; `apiplay check` has them.
            self.diagnostics.clear();
            self.lint_job = None;
            return;
        }
        if text.len() > INLINE_LINT_LIMIT {
            self.lint_job = Some(LintJob {
                generation: self.generation,
                sidecar: sidecar.clone(),
                text,
            });
            return;
        }
        self.lint_job = None;
        let lint = teach::lint(sidecar, &text);
        self.take_lint(lint);
    }

    fn take_lint(&mut self, lint: teach::Lint) {
        if lint.parsed {
            self.op = lint.op;
        }
        self.diagnostics = lint.diagnostics;
    }

    /// The result of an off-thread check of generation `generation` (dropped when the text
    /// changed since).
    pub fn linted(&mut self, generation: u64, lint: teach::Lint) {
        if generation == self.generation {
            self.take_lint(lint);
            self.assisted = None;
            self.refresh_assist();
        }
    }

    /// The cursor's byte offset in the text.
    fn cursor_offset(&self) -> usize {
        let (row, col) = self.area.cursor();
        teach::offset_of(self.area.lines(), row, col)
    }

    /// Where the cursor is in the JSON.
    pub fn place(&self) -> Place {
        teach::place_at(&self.text(), self.cursor_offset())
    }

    /// Makes the docs panel for where the cursor is now (once per text and cursor).
    pub fn refresh_assist(&mut self) {
        if self.lang != Lang::Json || self.path.is_none() {
            return;
        }
        let key = (self.generation, self.area.cursor());
        if self.assisted == Some(key) {
            return;
        }
        self.assisted = Some(key);
        if !self.show_docs {
            self.side_panel = None;
            return;
        }
        // A big text's place would cost a scan per cursor move: its overview is enough.
        let place = self.small.then(|| self.place());
        self.side_panel = Some(teach::docs_panel(self.op, place.as_ref()));
    }

    /// Shows or hides the docs panel; says which.
    pub fn toggle_docs(&mut self) -> &'static str {
        self.show_docs = !self.show_docs;
        self.assisted = None;
        self.refresh_assist();
        if self.show_docs {
            "docs panel on: it follows the cursor (hidden when the editor is narrower than 60 columns)"
        } else {
            "docs panel off"
        }
    }

    /// Opens the completion list at the cursor; `Err` says why there is nothing to offer.
    pub fn open_completion(&mut self) -> Result<(), String> {
        if self.lang != Lang::Json {
            return Err("completion works in a payload body (F2 goes back to it)".into());
        }
        if !self.small {
            return Err("no completion in texts over 1 MB".into());
        }
        let Some(op) = self.op else {
            return Err("no catalogue operation matches this payload, so there is nothing to complete (name one with op = \"…\" in its sidecar)".into());
        };
        let place = self.place();
        let items = teach::completions(op, &place);
        if items.is_empty() {
            self.completion = None;
            return Err(match place.at {
                At::Key if place.in_object => format!(
                    "{}: every field {} defines here is present already{}",
                    op.id,
                    op.id,
                    if place.prefix.is_empty() {
                        String::new()
                    } else {
                        format!(" (or none begins with \"{}\")", place.prefix)
                    }
                ),
                At::Value => "this field has no list of allowed values".into(),
                _ => "nothing to complete here: move to where a key or a value goes".into(),
            });
        }
        self.completion = Some(Completion {
            items,
            selected: 0,
            place,
        });
        Ok(())
    }

    /// After typing: offers completion when a key is being begun inside an object, and keeps
    /// an open list filtered by what is typed (closing it when nothing matches).
    pub fn offer_completion(&mut self) {
        if self.lang != Lang::Json || self.op.is_none() || !self.small {
            self.completion = None;
            return;
        }
        let place = self.place();
        let begun = place.at == At::Key && place.in_object && place.in_string;
        if self.completion.is_none() && !begun {
            return;
        }
        let still = place.in_string || place.at == At::Value || begun;
        if !still || self.open_completion().is_err() {
            self.completion = None;
        }
    }

    /// Moves the completion highlight.
    pub fn completion_move(&mut self, down: bool) {
        if let Some(c) = self.completion.as_mut() {
            let n = c.items.len().max(1);
            c.selected = if down {
                (c.selected + 1) % n
            } else {
                (c.selected + n - 1) % n
            };
        }
    }

    /// Inserts the highlighted completion (with the quotes and `: ` a key needs); returns
    /// what was inserted.
    pub fn accept_completion(&mut self) -> Option<String> {
        let c = self.completion.take()?;
        let item = c.items.get(c.selected)?.clone();
        let place = c.place;
        self.plain_edit();
        // What was typed of it goes, then the whole of it comes.
        let typed = place.prefix.chars().count();
        for _ in 0..typed {
            self.area.move_cursor(CursorMove::Back);
        }
        if typed > 0 {
            self.area.delete_str(typed);
        }
        let next = |e: &Editor| {
            let (row, col) = e.area.cursor();
            e.area.lines()[row].chars().nth(col)
        };
        let after_quote_has_colon = |e: &Editor| {
            let (row, col) = e.area.cursor();
            e.area.lines()[row]
                .chars()
                .skip(col)
                .find(|c| !c.is_whitespace())
                == Some(':')
        };
        match (place.at, place.in_string) {
            (At::Key, true) => {
                self.area.insert_str(&item.label);
                if next(self) == Some('"') {
                    self.area.move_cursor(CursorMove::Forward);
                } else {
                    self.area.insert_char('"');
                }
                if !after_quote_has_colon(self) {
                    self.area.insert_str(": ");
                }
            }
            (At::Key, false) => {
                self.area.insert_str(format!("\"{}\": ", item.label));
            }
            (_, true) => {
                self.area.insert_str(item.label.trim_matches('"'));
                if next(self) == Some('"') {
                    self.area.move_cursor(CursorMove::Forward);
                } else {
                    self.area.insert_char('"');
                }
            }
            (_, false) => {
                self.area.insert_str(&item.label);
            }
        }
        Some(item.label)
    }

    /// Moves the cursor to the next finding after it (wrapping); returns its message.
    pub fn next_diagnostic(&mut self) -> Option<String> {
        let (row, col) = self.area.cursor();
        let here = (row + 1, col + 1);
        let d = self
            .diagnostics
            .iter()
            .find(|d| (d.line, d.col) > here)
            .or_else(|| self.diagnostics.first())?
            .clone();
        self.jump(d.line - 1, d.col - 1);
        let n = self.diagnostics.len();
        let i = self
            .diagnostics
            .iter()
            .position(|x| *x == d)
            .map_or(1, |i| i + 1);
        Some(format!("{i}/{n} {}:{} {}", d.line, d.col, d.message))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::tui::model::PayloadInfo;

    fn editor(text: &str, row: usize, col: usize) -> Editor {
        let info = PayloadInfo {
            text: text.into(),
            ..PayloadInfo::default()
        };
        let mut e = Editor::new(Some("a.json".into()), info, None);
        e.jump(row, col);
        e
    }

    #[test]
    fn a_begun_key_is_completed_with_its_closing_quote_and_colon() {
        // `"na|"` inside user, the closing quote already typed.
        let mut e = editor(r#"{"op":"useradd","user":{"na"}}"#, 0, 27);
        assert_eq!(
            e.op.map(|o| o.id.as_str()),
            None,
            "not JSON: no op known yet"
        );
        // A valid text first makes the op known, as when the file was opened.
        let mut e2 = editor(r#"{"op":"useradd","user":{"address":"a"}}"#, 0, 0);
        assert_eq!(e2.op.map(|o| o.id.as_str()), Some("mesibo.useradd"));
        e2.replace_all(r#"{"op":"useradd","user":{"na"}}"#);
        e2.changed();
        e2.jump(0, 27);
        e2.open_completion().unwrap();
        assert_eq!(e2.completion.as_ref().unwrap().items[0].label, "name");
        assert_eq!(e2.accept_completion().as_deref(), Some("name"));
        assert_eq!(e2.text(), r#"{"op":"useradd","user":{"name": }}"#);
        // Without a closing quote, one is added; an allowed value goes in its string.
        e.op = catalogue_op("vonage.video.session.create");
        e.replace_all(r#"{"archiveMode": "al"#);
        e.changed();
        e.jump(0, 20);
        e.open_completion().unwrap();
        let labels: Vec<_> = e
            .completion
            .as_ref()
            .unwrap()
            .items
            .iter()
            .map(|i| i.label.clone())
            .collect();
        assert_eq!(labels, ["\"always\""]);
        e.accept_completion();
        assert_eq!(e.text(), r#"{"archiveMode": "always""#);
    }

    /// A body over 64 KiB is checked by a job off the UI thread: the keystroke only queues
    /// it, its findings arrive with their generation, and a stale answer is dropped.
    #[test]
    fn a_large_body_is_checked_off_the_ui_thread_and_stale_answers_are_dropped() {
        let pad = "x".repeat(super::INLINE_LINT_LIMIT);
        let text =
            format!("{{\"op\":\"useradd\",\"token\":\"t\",\"user\":{{\"adress\":\"{pad}\"}}}}");
        let mut e = editor(&text, 0, 0);
        let job = e.lint_job.take().expect("queued at load");
        assert!(e.diagnostics.is_empty(), "nothing until the job answers");
        e.linted(job.generation, job.run());
        assert_eq!(e.op.map(|o| o.id.as_str()), Some("mesibo.useradd"));
        assert!(
            e.diagnostics
                .iter()
                .any(|d| d.message.contains("did you mean \"address\"")),
            "{:?}",
            e.diagnostics
        );
        // An edit queues a new job; the older job's answer no longer applies.
        e.jump(0, 39);
        e.insert("d");
        e.changed();
        let newer = e.lint_job.take().expect("queued by the edit");
        assert!(newer.generation > job.generation);
        e.linted(job.generation, crate::tui::teach::Lint::default());
        assert!(!e.diagnostics.is_empty(), "a stale answer changes nothing");
        e.linted(newer.generation, newer.run());
        assert!(
            !e.diagnostics.iter().any(|d| d.message.contains("adress")),
            "the typo is fixed: {:?}",
            e.diagnostics
        );
    }

    fn catalogue_op(id: &str) -> Option<&'static crate::catalogue::Operation> {
        crate::catalogue::catalogue().get(id)
    }

    #[test]
    fn f8_walks_the_findings_and_wraps() {
        let text =
            "{\"op\":\"useradd\",\"token\":\"t\",\n\"user\":{\"adress\":\"a\",\n\"nmae\":\"b\"}}";
        let mut e = editor(text, 0, 0);
        let said: Vec<String> = (0..4).filter_map(|_| e.next_diagnostic()).collect();
        assert!(
            said[0].starts_with("1/3 2:1 missing required field"),
            "{said:?}"
        );
        assert!(
            said[1].starts_with("2/3 2:9 unknown field \"adress\""),
            "{said:?}"
        );
        assert!(
            said[2].starts_with("3/3 3:1 unknown field \"nmae\""),
            "{said:?}"
        );
        assert!(said[3].starts_with("1/3 "), "wraps: {said:?}");
        assert_eq!(e.area.cursor(), (1, 0));
    }
}
