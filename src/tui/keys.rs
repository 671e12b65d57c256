//! The one key table: every binding as (where, keys, action, what it does, footer hint).
//!
//! Dispatch ([`action`]), the footer's hints ([`hints`]), the help popup ([`help_lines`]) and
//! README's key table ([`readme_table`], checked by a test) are all read from [`KEYS`], so a
//! binding changed here changes everywhere at once.

use std::fmt::Write as _;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every pane (checked before the focused pane's own keys).
    Global,
    /// The sidebar, whatever its tab.
    Sidebar,
    /// The Payloads tab.
    Payloads,
    /// The History tab.
    History,
    /// The Tokens tab.
    Tokens,
    /// The payload editor.
    Editor,
    /// The response viewer.
    Response,
    /// Any popup or panel (help, docs, errors).
    Popup,
    /// The variables view (Ctrl+T).
    Variables,
}

impl Scope {
    /// Its name in the help popup and README.
    pub fn title(self) -> &'static str {
        match self {
            Scope::Global => "everywhere",
            Scope::Sidebar => "sidebar",
            Scope::Payloads => "Payloads",
            Scope::History => "History",
            Scope::Tokens => "Tokens",
            Scope::Editor => "editor",
            Scope::Response => "response",
            Scope::Popup => "popups",
            Scope::Variables => "variables",
        }
    }
}

/// What a key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Send the editor's payload.
    Send,
    /// Cancel the running request, or close / clear what is open.
    Cancel,
    /// Focus the next pane.
    NextPane,
    /// Focus the previous pane.
    PrevPane,
    /// Show the Payloads tab.
    TabPayloads,
    /// Show the History tab.
    TabHistory,
    /// Show the Tokens tab.
    TabTokens,
    /// Pick an environment.
    Environments,
    /// Save the editor to its file.
    Save,
    /// The payload operation's docs.
    Docs,
    /// The variables and their values.
    Variables,
    /// The key list.
    Help,
    /// Quit.
    Quit,
    /// Previous sidebar tab.
    PrevTab,
    /// Next sidebar tab.
    NextTab,
    /// Move up one row / line.
    Up,
    /// Move down one row / line.
    Down,
    /// Up a page.
    PageUp,
    /// Down a page.
    PageDown,
    /// To the first row / line.
    Top,
    /// To the last row / line.
    Bottom,
    /// Scroll left.
    Left,
    /// Scroll right.
    Right,
    /// Open the selected item.
    Open,
    /// Replay the selected exchange.
    Replay,
    /// Load the selected exchange's request into the editor.
    LoadRequest,
    /// Reveal or mask the selected token.
    Reveal,
    /// Copy (a token, a body, the editor's selection).
    Copy,
    /// Insert a reference to the selected token into the editor.
    InsertToken,
    /// Open the token workbench to decode and verify a pasted token.
    DecodeToken,
    /// Open the token workbench's mint form.
    MintToken,
    /// Open a `/` prompt (filter or search).
    Find,
    /// Scroll a details panel up.
    DetailsUp,
    /// Scroll a details panel down.
    DetailsDown,
    /// Select the whole editor text.
    SelectAll,
    /// Cut the selection.
    Cut,
    /// Paste the yank buffer.
    Paste,
    /// Undo.
    Undo,
    /// Redo.
    Redo,
    /// Re-indent the editor's JSON.
    Format,
    /// Delete from the cursor to the start of the line (the prompt: clear it).
    KillLine,
    /// Next search match.
    NextMatch,
    /// Previous search match.
    PrevMatch,
    /// Show or hide the headers and the request.
    Headers,
    /// Write the body (or the open text) to a file.
    WriteFile,
    /// Open the response's jq filter prompt.
    Filter,
    /// Switch between the full body and the filter's output.
    FullBody,
    /// Wrap long lines in the response.
    Wrap,
    /// Switch between the hex dump and the text of a body.
    Hex,
    /// Copy the editor's request as a curl command.
    CopyCurl,
    /// Drop the restored draft: back to the file's text.
    Discard,
    /// Switch the editor between the body and its sidecar (the request: method, path,
    /// query, headers, encoding).
    Request,
    /// Copy the selected payload and its sidecar under a new name.
    Duplicate,
    /// Rename the selected payload and its sidecar.
    Rename,
    /// Move the selected payload and its sidecar to another folder.
    Move,
    /// Delete the selected payload and its sidecar (asks first).
    Delete,
    /// Create a folder in the collection.
    NewFolder,
    /// Read the collection folder again.
    Rescan,
    /// Open the operation picker: a new payload from a catalogue operation.
    NewFromOp,
    /// The operation picker for a new payload in the highlighted payload's folder.
    NewHere,
    /// Complete the field name or value at the editor's cursor.
    Complete,
    /// Jump to the next catalogue finding in the editor.
    NextDiagnostic,
    /// Show or hide the docs panel beside the editor.
    DocsPanel,
    /// Enter a value for the session (the variables view).
    EnterValue,
    /// Keys described but dispatched by the pane itself (typing, arrows, the mouse).
    Described,
}

/// One key: a code and the modifiers that must be held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chord(pub KeyCode, pub KeyModifiers);

const NONE: KeyModifiers = KeyModifiers::NONE;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;
const ALT: KeyModifiers = KeyModifiers::ALT;
const SHIFT: KeyModifiers = KeyModifiers::SHIFT;

const fn k(code: KeyCode) -> Chord {
    Chord(code, NONE)
}
const fn c(ch: char) -> Chord {
    Chord(KeyCode::Char(ch), NONE)
}
const fn ctrl(ch: char) -> Chord {
    Chord(KeyCode::Char(ch), CTRL)
}

/// A row of the key table.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    /// Where it applies.
    pub scope: Scope,
    /// The keys that trigger it (empty: described only, see [`Action::Described`]).
    pub chords: &'static [Chord],
    /// The keys as a person reads them.
    pub keys: &'static str,
    /// What happens.
    pub action: Action,
    /// What it does, for the help popup and README.
    pub help: &'static str,
    /// A short footer hint (`send`), when it earns a place there.
    pub hint: Option<&'static str>,
}

const fn b(
    scope: Scope,
    chords: &'static [Chord],
    keys: &'static str,
    action: Action,
    help: &'static str,
    hint: Option<&'static str>,
) -> Binding {
    Binding {
        scope,
        chords,
        keys,
        action,
        help,
        hint,
    }
}

use Action as A;
use Scope as S;

/// Every binding, in the order the help popup and README list them.
#[rustfmt::skip]
pub const KEYS: &[Binding] = &[
    b(S::Global, &[k(KeyCode::F(5)), ctrl('r')], "F5 / Ctrl+R", A::Send, "send the payload in the editor", Some("F5:send")),
    b(S::Global, &[k(KeyCode::Esc)], "Esc", A::Cancel, "cancel or close", None),
    b(S::Global, &[k(KeyCode::Tab)], "Tab", A::NextPane, "next pane", None),
    b(S::Global, &[Chord(KeyCode::BackTab, NONE)], "Shift+Tab", A::PrevPane, "previous pane", None),
    b(S::Global, &[Chord(KeyCode::Char('1'), ALT)], "Alt+1", A::TabPayloads, "Payloads", None),
    b(S::Global, &[Chord(KeyCode::Char('2'), ALT)], "Alt+2", A::TabHistory, "History", None),
    b(S::Global, &[Chord(KeyCode::Char('3'), ALT)], "Alt+3", A::TabTokens, "Tokens", None),
    b(S::Global, &[ctrl('e')], "Ctrl+E", A::Environments, "environment", None),
    b(S::Global, &[ctrl('s')], "Ctrl+S", A::Save, "save", None),
    b(S::Global, &[ctrl('d')], "Ctrl+D", A::Docs, "the op's docs", None),
    b(S::Global, &[k(KeyCode::F(2))], "F2", A::Request, "edit the request: the sidecar's method, path, query, headers and encoding, with the resolved request beside it (F2 again: the body)", None),
    b(S::Global, &[ctrl('n')], "Ctrl+N", A::NewFromOp, "new payload from an operation: every op by vendor, type to filter, Enter, then its name", None),
    b(S::Global, &[ctrl('t')], "Ctrl+T", A::Variables, "every variable, capture and built-in with its value and source (secrets masked)", None),
    b(S::Global, &[k(KeyCode::F(1)), c('?')], "F1 (or `?`)", A::Help, "help", Some("F1:help")),
    b(S::Global, &[ctrl('q'), ctrl('c')], "Ctrl+Q / Ctrl+C", A::Quit, "quit (Ctrl+C copies instead when the editor has a selection)", Some("^Q:quit")),
    b(S::Global, &[], "mouse", A::Described, "click to focus and select, wheel to scroll", None),
    b(S::Sidebar, &[k(KeyCode::Left)], "←", A::PrevTab, "previous tab", None),
    b(S::Sidebar, &[k(KeyCode::Right)], "→", A::NextTab, "next tab", Some("←→:tabs")),
    b(S::Sidebar, &[k(KeyCode::Up)], "↑", A::Up, "up", None),
    b(S::Sidebar, &[k(KeyCode::Down)], "↓", A::Down, "down", Some("↑↓")),
    b(S::Sidebar, &[k(KeyCode::PageUp)], "PgUp", A::PageUp, "page up", None),
    b(S::Sidebar, &[k(KeyCode::PageDown)], "PgDn", A::PageDown, "page down", None),
    b(S::Sidebar, &[k(KeyCode::Home)], "Home", A::Top, "first", None),
    b(S::Sidebar, &[k(KeyCode::End)], "End", A::Bottom, "last", None),
    b(S::Payloads, &[], "type", A::Described, "to filter", Some("type:filter")),
    b(S::Payloads, &[k(KeyCode::Backspace)], "Backspace", A::Described, "deletes a filter character", None),
    b(S::Payloads, &[ctrl('u')], "Ctrl+U", A::KillLine, "clears the filter", None),
    b(S::Payloads, &[k(KeyCode::Esc)], "Esc", A::Cancel, "clears the filter", None),
    b(S::Payloads, &[k(KeyCode::Enter)], "Enter", A::Open, "opens", Some("Enter:open")),
    b(S::Payloads, &[Chord(KeyCode::Char('c'), ALT)], "Alt+C", A::Duplicate, "duplicates the payload and its sidecar", None),
    b(S::Payloads, &[Chord(KeyCode::Char('r'), ALT)], "Alt+R", A::Rename, "renames them", Some("M-r:rename")),
    b(S::Payloads, &[Chord(KeyCode::Char('m'), ALT)], "Alt+M", A::Move, "moves them to another folder", None),
    b(S::Payloads, &[k(KeyCode::Delete)], "Delete", A::Delete, "deletes them (asks first)", Some("Del:delete")),
    b(S::Payloads, &[Chord(KeyCode::Char('f'), ALT)], "Alt+F", A::NewFolder, "new folder", None),
    b(S::Payloads, &[Chord(KeyCode::Char('n'), ALT)], "Alt+N", A::NewHere, "new payload from an operation, in the highlighted payload's folder", None),
    b(S::Payloads, &[k(KeyCode::F(6))], "F6", A::Rescan, "reads the collection folder again (while it is watched, changes made outside apiplay show by themselves)", None),
    b(S::History, &[k(KeyCode::Enter)], "Enter", A::Open, "opens the exchange", Some("Enter:open")),
    b(S::History, &[c('r')], "`r`", A::Replay, "replays it", Some("r:replay")),
    b(S::History, &[c('l')], "`l`", A::LoadRequest, "loads its request into the editor (undoable)", Some("l:load")),
    b(S::Tokens, &[c('v'), k(KeyCode::Enter)], "`v` / Enter", A::Reveal, "reveal or mask", Some("v:reveal")),
    b(S::Tokens, &[c('c'), c('y')], "`c` / `y`", A::Copy, "copy (OSC 52)", Some("c:copy")),
    b(S::Tokens, &[c('i')], "`i`", A::InsertToken, "inserts `{{token:ID}}` into the editor", Some("i:insert")),
    b(S::Tokens, &[c('/')], "`/`", A::Find, "filters by subject or format", Some("/:filter")),
    b(S::Tokens, &[c('d')], "`d`", A::DecodeToken, "decodes and verifies a pasted token (the environment's credentials)", Some("d:decode")),
    b(S::Tokens, &[c('n')], "`n`", A::MintToken, "mints a token from a form (Tab/↑↓ fields, ←→ kind, Enter mints, Esc closes)", Some("n:mint")),
    b(S::Tokens, &[c('K'), Chord(KeyCode::Up, SHIFT)], "`K` / Shift+↑", A::DetailsUp, "scroll the claims up", None),
    b(S::Tokens, &[c('J'), Chord(KeyCode::Down, SHIFT)], "`J` / Shift+↓", A::DetailsDown, "scroll the claims down", Some("J/K:claims")),
    b(S::Editor, &[], "Shift+arrows", A::Described, "select", None),
    b(S::Editor, &[ctrl('a')], "Ctrl+A", A::SelectAll, "all", None),
    b(S::Editor, &[], "Ctrl+C", A::Described, "copy", None),
    b(S::Editor, &[ctrl('x')], "Ctrl+X", A::Cut, "cut", None),
    b(S::Editor, &[ctrl('v')], "Ctrl+V", A::Paste, "paste", None),
    b(S::Editor, &[ctrl('z')], "Ctrl+Z", A::Undo, "undo (also drops a restored draft)", Some("^Z:undo")),
    b(S::Editor, &[ctrl('y')], "Ctrl+Y", A::Redo, "redo", None),
    b(S::Editor, &[ctrl('u')], "Ctrl+U", A::KillLine, "delete to the line start", None),
    b(S::Editor, &[ctrl('f')], "Ctrl+F", A::Format, "format", Some("^F:format")),
    b(S::Editor, &[Chord(KeyCode::Char(' '), CTRL), k(KeyCode::Null)], "Ctrl+Space", A::Complete, "complete the field names the op defines here, or the field's allowed values (also offered as a key is begun; ↑↓ choose, Enter/Tab insert, Esc closes)", Some("^Space:complete")),
    b(S::Editor, &[k(KeyCode::F(8))], "F8", A::NextDiagnostic, "next finding of the catalogue's checks (as `apiplay check`)", Some("F8:next finding")),
    b(S::Editor, &[k(KeyCode::F(3))], "F3", A::DocsPanel, "show or hide the docs panel that follows the cursor (hidden when the editor is under 60 columns)", None),
    b(S::Response, &[k(KeyCode::Up), c('k')], "↑ / `k`", A::Up, "up", None),
    b(S::Response, &[k(KeyCode::Down), c('j')], "↓ / `j`", A::Down, "down", Some("↑↓")),
    b(S::Response, &[k(KeyCode::PageUp)], "PgUp", A::PageUp, "page up", None),
    b(S::Response, &[k(KeyCode::PageDown), c(' ')], "PgDn / Space", A::PageDown, "page down", None),
    b(S::Response, &[k(KeyCode::Home), c('g')], "`g` / Home", A::Top, "top", None),
    b(S::Response, &[k(KeyCode::End), c('G')], "`G` / End", A::Bottom, "bottom", Some("g/G")),
    b(S::Response, &[k(KeyCode::Left)], "←", A::Left, "left", None),
    b(S::Response, &[k(KeyCode::Right)], "→", A::Right, "right", None),
    b(S::Response, &[c('/')], "`/`", A::Find, "search", Some("/:search")),
    b(S::Response, &[c('n')], "`n`", A::NextMatch, "next match", None),
    b(S::Response, &[c('N')], "`N`", A::PrevMatch, "previous match", Some("n/N")),
    b(S::Response, &[c('h')], "`h`", A::Headers, "headers and request", Some("h:headers")),
    b(S::Response, &[c('y'), c('c')], "`y` / `c`", A::Copy, "copy the body (OSC 52)", Some("y:copy")),
    b(S::Response, &[c('w')], "`w`", A::WriteFile, "write the body to a file", Some("w:write")),
    b(S::Response, &[c('F')], "`F`", A::Filter, "jq filter (live as you type, the error's column shown; Enter keeps it, Esc cancels)", Some("F:jq")),
    b(S::Response, &[c('f')], "`f`", A::FullBody, "the full body / the filter's output", None),
    b(S::Response, &[c('W')], "`W`", A::Wrap, "wrap long lines", None),
    b(S::Response, &[c('x')], "`x`", A::Hex, "hex dump / text (a binary body starts as hex)", None),
    b(S::Response, &[c('C')], "`C`", A::CopyCurl, "copy the editor's request as a curl command (secrets as $VARIABLES)", None),
    b(S::Popup, &[k(KeyCode::Up), c('k'), k(KeyCode::Down), c('j'), k(KeyCode::PageUp), k(KeyCode::PageDown), c(' ')], "↑↓ PgUp/PgDn", A::Described, "scroll", Some("↑↓:scroll")),
    b(S::Popup, &[k(KeyCode::Esc), c('q'), k(KeyCode::Enter)], "Esc / `q`", A::Cancel, "close", Some("Esc:close")),
    b(S::Variables, &[k(KeyCode::Up), c('k')], "↑ / `k`", A::Up, "up", None),
    b(S::Variables, &[k(KeyCode::Down), c('j')], "↓ / `j`", A::Down, "down", Some("↑↓")),
    b(S::Variables, &[k(KeyCode::PageUp)], "PgUp", A::PageUp, "page up", None),
    b(S::Variables, &[k(KeyCode::PageDown)], "PgDn", A::PageDown, "page down", None),
    b(S::Variables, &[k(KeyCode::Home)], "Home", A::Top, "first", None),
    b(S::Variables, &[k(KeyCode::End)], "End", A::Bottom, "last", None),
    b(S::Variables, &[c('v')], "`v`", A::Reveal, "reveals the selected value (again: masks it)", Some("v:reveal")),
    b(S::Variables, &[c('e')], "`e`", A::EnterValue, "enters a value for this session (kept in memory only; the next send uses it)", Some("e:enter")),
    b(S::Variables, &[c('o'), k(KeyCode::Enter)], "`o` / Enter", A::Open, "opens the payload that captures it", Some("o:open")),
    b(S::Variables, &[k(KeyCode::Esc), c('q')], "Esc / `q`", A::Cancel, "close", Some("Esc:close")),
];

/// The action bound to `key` in `scope`, if any.
pub fn action(scope: Scope, key: KeyEvent) -> Option<Action> {
    // Shifted characters (`G`, `?`, `N`) arrive with SHIFT; the character already says it.
    let mods = match key.code {
        KeyCode::Char(_) | KeyCode::BackTab => key.modifiers - KeyModifiers::SHIFT,
        _ => key.modifiers,
    };
    KEYS.iter()
        .filter(|b| b.scope == scope && b.action != Action::Described)
        .find(|b| b.chords.iter().any(|c| c.0 == key.code && c.1 == mods))
        .map(|b| b.action)
}

/// The footer hints of a scope, then the global ones (`F5:send F1:help ^Q:quit`).
pub fn hints(scopes: &[Scope]) -> String {
    let mut out: Vec<&str> = Vec::new();
    for scope in scopes.iter().chain(&[Scope::Global]) {
        out.extend(
            KEYS.iter()
                .filter(|b| b.scope == *scope)
                .filter_map(|b| b.hint),
        );
    }
    out.join(" ")
}

/// (section, keys, help) for the help popup, in table order.
pub fn help_rows() -> impl Iterator<Item = (&'static str, &'static str, &'static str)> {
    KEYS.iter().map(|b| (b.scope.title(), b.keys, b.help))
}

/// README's key table, as Markdown (one row per scope).
pub fn readme_table() -> String {
    let mut out = String::from("| where | keys |\n|---|---|\n");
    let mut scopes: Vec<Scope> = Vec::new();
    for b in KEYS {
        if !scopes.contains(&b.scope) {
            scopes.push(b.scope);
        }
    }
    for scope in scopes {
        let cells: Vec<String> = KEYS
            .iter()
            .filter(|b| b.scope == scope)
            .map(|b| format!("{} {}", b.keys, b.help))
            .collect();
        let _ = writeln!(out, "| {} | {} |", scope.title(), cells.join(" · "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifted_characters_and_ctrl_chords_dispatch() {
        let key = |code, m| KeyEvent::new(code, m);
        assert_eq!(
            action(
                Scope::Response,
                key(KeyCode::Char('G'), KeyModifiers::SHIFT)
            ),
            Some(Action::Bottom)
        );
        assert_eq!(
            action(
                Scope::Global,
                key(KeyCode::Char('r'), KeyModifiers::CONTROL)
            ),
            Some(Action::Send)
        );
        assert_eq!(action(Scope::Global, key(KeyCode::Char('r'), NONE)), None);
        assert_eq!(
            action(Scope::Global, key(KeyCode::BackTab, KeyModifiers::SHIFT)),
            Some(Action::PrevPane)
        );
    }

    #[test]
    fn ctrl_space_completes_as_either_terminal_reports_it() {
        // crossterm reads NUL as Ctrl+Space on most terminals; some report `Null`.
        for key in [
            KeyEvent::new(KeyCode::Char(' '), KeyModifiers::CONTROL),
            KeyEvent::new(KeyCode::Null, NONE),
        ] {
            assert_eq!(
                action(Scope::Editor, key),
                Some(Action::Complete),
                "{key:?}"
            );
        }
        assert_eq!(
            action(Scope::Editor, KeyEvent::new(KeyCode::Char(' '), NONE)),
            None,
            "a plain space is typed"
        );
    }

    #[test]
    fn no_chord_is_bound_twice_in_one_scope() {
        for (i, a) in KEYS.iter().enumerate() {
            for b2 in &KEYS[i + 1..] {
                if a.scope == b2.scope {
                    for ch in a.chords {
                        assert!(!b2.chords.contains(ch), "{ch:?} twice in {:?}", a.scope);
                    }
                }
            }
        }
    }
}
