//! The app's side of the variables view: opening it (Ctrl+T, or a send refused for a
//! variable with no value), filling in which payload of the tree captures each variable, and
//! a value entered for the session.

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::app::{App, Level};
use super::components::popup::{Popup, PopupKind};
use super::components::variables::VariablesView;
use super::errors::SendError;
use super::message::Effect;
use super::model::VarValue;
use crate::collection::TemplateError;

/// A variable a send was refused for: it has no value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    /// The variable.
    pub name: String,
    /// Where it is used, as `file:line:col`.
    pub place: String,
    /// Whether it is a secret of the environment whose process variable is unset.
    pub secret_unset: bool,
}

/// The variable a refusal is about, when it is one with no value (unknown, or a secret
/// whose `{ env = … }` is unset).
pub fn missing_variable(e: &SendError) -> Option<Missing> {
    match e {
        SendError::Refused(TemplateError::UnknownVariable {
            file,
            line,
            col,
            name,
            ..
        }) => Some(Missing {
            name: name.clone(),
            place: format!("{file}:{line}:{col}"),
            secret_unset: false,
        }),
        SendError::Refused(TemplateError::Variable {
            file,
            line,
            col,
            source: crate::config::ConfigError::MissingSecret { name, .. },
        }) => Some(Missing {
            name: name.clone(),
            place: format!("{file}:{line}:{col}"),
            secret_unset: true,
        }),
        _ => None,
    }
}
use super::theme;

impl App {
    /// Ctrl+T: the view, its rows read from the session.
    pub(super) fn open_variables(&mut self) {
        self.popup = Some(Popup::new(PopupKind::Variables(VariablesView::loading(
            Vec::new(),
            None,
        ))));
        self.resolve_vars();
    }

    fn resolve_vars(&mut self) {
        // The open payload's body and sidecar: what it uses is listed first.
        let text = if self.editor.path.is_some() {
            let side = self.editor.info.sidecar_text.as_deref().unwrap_or_default();
            format!("{}\n{side}", self.editor.text())
        } else {
            String::new()
        };
        self.effects.push(Effect::ResolveVars { text });
    }

    /// The rows arrived: each variable a payload of the tree captures gets that payload.
    pub(super) fn vars_resolved(&mut self, mut rows: Vec<VarValue>) {
        let entries = self.sidebar.payloads.entries();
        for row in &mut rows {
            let (entry, op) = super::flow::capturer(entries, &row.name);
            row.opens = entry.map(|e| e.path.clone());
            if row.value.is_none() {
                if let Some(op) = op {
                    let by = entry.map_or_else(
                        || {
                            format!(
                                "; no payload here makes it (`apiplay new {}`)",
                                op.spec().id
                            )
                        },
                        |e| format!(", made by {}", e.rel),
                    );
                    row.source = format!("captured from the answer of {}{by}", op.spec().id);
                }
            }
        }
        // A view closed before its rows came has nothing to show them in.
        if let Some(Popup {
            kind: PopupKind::Variables(v),
            ..
        }) = self.popup.as_mut()
        {
            v.set_rows(rows);
        }
    }

    /// A value was kept for the session (or not): say so and read the rows again.
    pub(super) fn session_value_set(
        &mut self,
        result: Result<String, super::errors::SessionError>,
    ) {
        match result {
            Ok(name) => {
                self.say(
                    Level::Info,
                    format!("{name} kept for this session, in memory only: F5 sends with it"),
                );
                if matches!(
                    self.popup.as_ref().map(|p| &p.kind),
                    Some(PopupKind::Variables(_))
                ) {
                    self.resolve_vars();
                }
            }
            Err(e) => self.fail(e.title(), &format!("not kept: {e}")),
        }
    }

    /// A send refused because a variable has no value: the view opens on it, saying which
    /// operation captures it and which payload makes that request (`o` opens it), or that a
    /// value can be entered for the session (`e`). Not `--var`: the TUI has no command line.
    pub(super) fn refused_for_variable(&mut self, missing: &Missing) {
        let name = missing.name.clone();
        // A place in a sidecar is named as one (the body is not where to look).
        let place = if missing.place.split(':').next().is_some_and(|f| {
            std::path::Path::new(f)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
        }) {
            format!("the sidecar {}: ", missing.place)
        } else {
            format!("{}: ", missing.place)
        };
        let bold = Style::new().add_modifier(Modifier::BOLD);
        let secret_unset = missing.secret_unset;
        let mut header = vec![Line::from(vec![
            Span::styled("not sent: ", theme::error().add_modifier(Modifier::BOLD)),
            Span::raw(if secret_unset {
                format!("{place}`{name}` reads an environment variable that is not set")
            } else {
                format!("{place}unknown variable `{name}`")
            }),
        ])];
        let entries = self.sidebar.payloads.entries();
        let (entry, op) = super::flow::capturer(entries, &name);
        let entry = entry.cloned();
        match (op, entry.as_ref()) {
            (Some(op), Some(e)) => header.push(Line::from(vec![
                Span::raw(format!("`{name}` is captured from the answer of ")),
                Span::styled(op.spec().id.clone(), bold),
                Span::raw(format!(" ({}), which ", op.spec().title)),
                Span::styled(e.rel.clone(), bold),
                Span::raw(" sends: o opens it, then F5 sends it."),
            ])),
            (Some(op), None) => header.push(Line::raw(format!(
                "`{name}` is captured from the answer of {} ({}); no payload here makes that request: `apiplay new {}` writes one.",
                op.spec().id,
                op.spec().title,
                op.spec().id
            ))),
            (None, Some(e)) => header.push(Line::raw(format!(
                "`{name}` is captured by {}: o opens it, then F5 sends it.",
                e.rel
            ))),
            (None, None) => {}
        }
        header.push(Line::styled(
            format!("Or e enters a value for `{name}` for this session (kept in memory only, never written)."),
            theme::dim(),
        ));
        let mut view = VariablesView::loading(header, Some(name.clone()));
        view.opens = entry.map(|e| e.path.clone());
        self.popup = Some(Popup::new(PopupKind::Variables(view)));
        self.say(
            Level::Error,
            format!("not sent: unknown variable `{name}` (the panel says where it comes from)"),
        );
        self.resolve_vars();
    }
}
