//! Every key binding, as text: the help popup lists them all and the footer shows the
//! focused pane's. The bindings themselves live in `input.rs`; this table is what a person
//! reads, so it is kept next to nothing else.

use super::app::{Focus, Tab};

/// (section, key, what it does) for the help popup.
pub const KEYMAP: &[(&str, &str, &str)] = &[
    ("Everywhere", "F5  Ctrl+R", "send the payload in the editor"),
    (
        "Everywhere",
        "Esc",
        "cancel the running request / close popup",
    ),
    ("Everywhere", "Tab  Shift+Tab", "next / previous pane"),
    (
        "Everywhere",
        "Alt+1 Alt+2 Alt+3",
        "Payloads / History / Tokens tab",
    ),
    ("Everywhere", "Ctrl+E", "switch environment"),
    ("Everywhere", "Ctrl+S", "save the editor to its file"),
    ("Everywhere", "Ctrl+D", "docs of the payload's operation"),
    (
        "Everywhere",
        "Ctrl+T",
        "variables and their resolved values",
    ),
    ("Everywhere", "F1  ?", "this help (? outside the editor)"),
    ("Everywhere", "Ctrl+Q", "quit"),
    (
        "Everywhere",
        "mouse",
        "click focuses/selects, wheel scrolls",
    ),
    ("Sidebar", "← →", "previous / next tab"),
    ("Sidebar", "↑ ↓ PgUp PgDn Home End", "move the selection"),
    (
        "Payloads",
        "type  Backspace  Esc",
        "filter the tree / clear it",
    ),
    ("Payloads", "Enter  (click twice)", "open in the editor"),
    ("History", "Enter", "open the exchange (request + response)"),
    ("History", "r", "replay it in the current environment"),
    ("History", "l", "load its request into the editor"),
    ("Tokens", "v  Enter", "reveal / mask the token"),
    ("Tokens", "c  y", "copy the token (OSC 52)"),
    ("Tokens", "i", "insert a reference to it into the editor"),
    ("Tokens", "/", "filter by subject or format"),
    ("Editor", "arrows Home End PgUp PgDn", "move"),
    ("Editor", "Shift+arrows  Ctrl+A", "select / select all"),
    ("Editor", "Ctrl+C Ctrl+X Ctrl+V", "copy / cut / paste"),
    ("Editor", "Ctrl+Z  Ctrl+Y", "undo / redo"),
    ("Response", "↑ ↓ j k  PgUp PgDn Space", "scroll"),
    ("Response", "g Home  G End  ← →", "top / bottom / sideways"),
    ("Response", "/  n  N", "search, next, previous match"),
    ("Response", "h", "show / hide headers and the request"),
    ("Response", "y  c", "copy the body (OSC 52)"),
];

/// The footer's hints for the focused pane (short enough for 80 columns).
pub fn hints(focus: Focus, tab: Tab) -> &'static str {
    match (focus, tab) {
        (Focus::Sidebar, Tab::Payloads) => {
            "type:filter ↑↓ Enter:open ←→:tabs Tab:pane F5:send F1:help ^Q:quit"
        }
        (Focus::Sidebar, Tab::History) => {
            "↑↓ Enter:open r:replay l:load ←→:tabs Tab:pane F1:help ^Q:quit"
        }
        (Focus::Sidebar, Tab::Tokens) => {
            "↑↓ v:reveal c:copy i:insert /:filter ←→:tabs F1:help ^Q:quit"
        }
        (Focus::Editor, _) => "F5:send ^S:save ^Z/^Y:undo/redo ^D:docs ^T:vars ^E:env F1:help",
        (Focus::Response, _) => "↑↓ PgUp/PgDn g/G:scroll /:search n/N h:headers y:copy F1:help",
    }
}
