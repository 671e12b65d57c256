//! The editor teaches as you type (issue 9 part 4), with the real binary in a pseudo-terminal:
//! the catalogue's findings listed at their line with a did-you-mean, the docs panel
//! following the cursor onto a field, Ctrl+Space completing a field name, and the operation
//! picker creating a payload that exists on disk and then sends to the embedded sandbox.
#![allow(clippy::unwrap_used)]

mod tui_support;

use tui_support::pty::{workspace, Pty, F5};

/// Ctrl+Space as terminals send it (NUL).
const CTRL_SPACE: &str = "\x00";
const CTRL_N: &str = "\x0e";
const F8: &str = "\x1b[19~";
const DOWN: &str = "\x1b[B";
const RIGHT: &str = "\x1b[C";
const HOME: &str = "\x1b[H";
const END: &str = "\x1b[F";
const BACKSPACE: &str = "\x7f";

/// A useradd written by hand with the typo of the issue, and no sidecar: matched by its "op".
const TYPO: &str = r#"{
  "op": "useradd",
  "token": "{{mesibo_app_token}}",
  "user": {
    "adress": "a@example.com",
    "token": { "appid": "com.mesibo.firstapp", "expiry": 525600 }
  }
}
"#;

fn open(s: &mut Pty, filter: &str, title: &str) {
    s.wait_for("Payloads History Tokens", 10);
    s.keys(filter);
    s.wait_for(&format!("filter: {filter}"), 5);
    s.keys("\r");
    s.wait_for(title, 10);
}

/// The row of the screen holding `needle`.
fn row_with(screen: &str, needle: &str) -> String {
    screen
        .lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no row with {needle:?}:\n{screen}"))
        .to_owned()
}

#[test]
fn a_typo_is_listed_at_its_line_with_a_did_you_mean_and_f8_goes_there() {
    let (_tmp, cwd, home) = workspace();
    std::fs::write(cwd.join("payloads/typo.json"), TYPO).unwrap();
    let mut s = Pty::start(&cwd, &home, &[], &[]);
    open(&mut s, "typo", "typo.json");
    // Line 5 of the file holds the typo; the finding names that line and column.
    let screen = s.wait_for(
        "5:5 warning: unknown field \"adress\" in user; did you mean \"address\"?",
        10,
    );
    assert!(
        row_with(&screen, "   5 ").contains("\"adress\""),
        "line 5 is the typo: {screen}"
    );
    // The required address is missing, said at the user object (line 4, column 3).
    assert!(
        screen.contains("4:3 error: missing required field \"user.address\""),
        "{screen}"
    );
    assert!(
        screen.contains("mesibo.useradd: 1 error, 1 warning"),
        "the frame counts them: {screen}"
    );
    // F8 from the top jumps to the first finding, then to the typo.
    s.keys(F8);
    s.wait_for("1/2 4:3 missing required field", 5);
    s.keys(F8);
    s.wait_for("2/2 5:5 unknown field \"adress\"", 5);
    // Fixing the typo (the cursor is on its opening quote) clears both findings.
    s.keys(&format!("{RIGHT}{RIGHT}{RIGHT}d"));
    let screen = s.wait_for("mesibo.useradd ✓", 10);
    assert!(
        row_with(&screen, "   5 ").contains("\"address\""),
        "{screen}"
    );
    assert!(!screen.contains("warning: unknown field"), "{screen}");
    assert!(!screen.contains("error: missing required"), "{screen}");
}

#[test]
fn the_docs_panel_follows_the_cursor_onto_expiry_in_the_docs_own_payload() {
    let (_tmp, cwd, home) = workspace();
    let mut s = Pty::start(&cwd, &home, &[], &[]);
    open(&mut s, "backend-payload", "✓ valid JSON");
    // The docs' file has no sidecar: its "op" names mesibo.useradd, whose overview shows
    // while the cursor is on no field (at the start, before the body's first key).
    let screen = s.wait_for("mesibo.useradd ✓", 10);
    assert!(screen.contains("Create a user"), "the op's title: {screen}");
    // Onto the key "expiry" (the text is one line, as the docs print it).
    let text = std::fs::read_to_string(cwd.join("payloads/mesibo-backend-payload.json")).unwrap();
    let at = text.find("\"expiry\"").unwrap() + 2;
    s.keys(&format!("{HOME}{}", RIGHT.repeat(at)));
    let screen = s.wait_for(" user.token.expiry ", 10);
    // mesibo's docs: the token's validity in minutes, a year (525600) when left out.
    assert!(screen.contains("minutes"), "{screen}");
    assert!(screen.contains("optional"), "{screen}");
    assert!(screen.contains("min 1 minute"), "{screen}");
    assert!(screen.contains("default 525600"), "{screen}");
    // Onto the address: its own docs, required.
    let at = text.find("\"address\"").unwrap() + 2;
    s.keys(&format!("{HOME}{}", RIGHT.repeat(at)));
    let screen = s.wait_for(" user.address ", 10);
    assert!(screen.contains("required"), "{screen}");
    // F3 hides the panel, F3 shows it again.
    s.keys("\x1bOR");
    s.wait_for("docs panel off", 5);
    assert!(!s.screen().contains(" user.address "), "{}", s.screen());
    s.keys("\x1bOR");
    s.wait_for(" user.address ", 5);
    s.quit();
}

#[test]
fn ctrl_space_inserts_a_field_name_valid_in_that_object() {
    let (_tmp, cwd, home) = workspace();
    std::fs::write(cwd.join("payloads/typo.json"), TYPO).unwrap();
    let mut s = Pty::start(&cwd, &home, &[], &[]);
    open(&mut s, "typo", "typo.json");
    s.wait_for("did you mean", 10);
    // A new line in the user object (after line 4, `"user": {`).
    s.keys(&format!("{DOWN}{DOWN}{DOWN}{END}\r"));
    s.keys(CTRL_SPACE);
    // The list offers what useradd defines in user and is not there: address (required,
    // first), name, … but not token, which is present.
    let screen = s.wait_for(" complete ", 5);
    assert!(screen.contains("address  string, required"), "{screen}");
    assert!(screen.contains("name "), "{screen}");
    s.keys("\r");
    let screen = s.wait_for("completed address", 5);
    assert!(
        row_with(&screen, "   5 ").contains("\"address\": "),
        "inserted with quotes and a colon: {screen}"
    );
    s.keys("\"b@example.com\",");
    // The required field is there now: only the typo's warning is left.
    let screen = s.wait_for("mesibo.useradd: 1 warning", 10);
    assert!(!screen.contains("missing required"), "{screen}");
    // Begun by hand on a new line of the user object: offered without asking, filtered.
    s.keys("\r\"na");
    let screen = s.wait_for(" complete ", 5);
    assert!(screen.contains("name "), "{screen}");
    assert!(
        !screen.contains("address  "),
        "filtered by what is typed: {screen}"
    );
    s.keys("\x1b");
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(
        !s.screen().contains(" complete "),
        "Esc closes it: {}",
        s.screen()
    );
}

#[test]
fn the_picker_creates_a_payload_on_disk_never_over_a_file_and_it_sends() {
    let (_tmp, cwd, home) = workspace();
    let shipped = std::fs::read_to_string(cwd.join("payloads/mesibo/useradd.json")).unwrap();
    let mut s = Pty::start(&cwd, &home, &[], &[]);
    s.wait_for("Payloads History Tokens", 10);
    s.keys(CTRL_N);
    let screen = s.wait_for("New payload from an operation", 5);
    assert!(screen.contains("Agora Chat"), "grouped by vendor: {screen}");
    s.keys("useradd");
    let screen = s.wait_for("filter: useradd", 5);
    assert!(
        row_with(&screen, "mesibo.useradd").contains("POST"),
        "title, method and path: {screen}"
    );
    s.keys("\r");
    s.wait_for("payloads/mesibo/useradd", 5);
    // The default name is the shipped payload's: refused, nothing overwritten.
    s.keys("\r");
    s.wait_for("useradd.json already exists; choose another name", 10);
    assert_eq!(
        std::fs::read_to_string(cwd.join("payloads/mesibo/useradd.json")).unwrap(),
        shipped
    );
    // A name with a slash is refused before anything is written.
    s.keys("/x\r");
    s.wait_for("holds a path separator", 5);
    s.keys(&format!("{BACKSPACE}{BACKSPACE}-mine\r"));
    let screen = s.wait_for("created payloads/mesibo/useradd-mine.json", 10);
    assert!(screen.contains("useradd-mine.json"), "{screen}");
    let body = cwd.join("payloads/mesibo/useradd-mine.json");
    let sidecar = std::fs::read_to_string(cwd.join("payloads/mesibo/useradd-mine.toml")).unwrap();
    assert!(sidecar.starts_with("op = \"mesibo.useradd\""), "{sidecar}");
    assert!(
        std::fs::read_to_string(&body)
            .unwrap()
            .contains("\"op\": \"useradd\""),
        "the op's starter body"
    );
    s.wait_for("mesibo.useradd ✓", 10);
    s.keys(F5);
    let screen = s.wait_for("\"result\": true", 20);
    assert!(screen.contains("200 OK"), "{screen}");
    s.quit();
}

/// The request view (F2) is checked too: an unknown `op` in the sidecar gets its did-you-mean
/// at its spot, as `apiplay check` says it.
#[test]
fn the_sidecar_view_names_an_unknown_op_with_its_did_you_mean() {
    use crossterm::event::KeyCode;
    let mut app = tui_support::app(120, 32);
    tui_support::open(&mut app, tui_support::MESIBO);
    app.update(tui_support::key(KeyCode::F(2)));
    // The sidecar is new (written from the payload's facts): to its first line.
    for _ in 0..12 {
        app.update(tui_support::key(KeyCode::Up));
    }
    app.update(tui_support::key(KeyCode::Home));
    tui_support::typed(&mut app, "op = \"mesibo.useradd2\"");
    app.update(tui_support::key(KeyCode::Enter));
    let s = app.sidecar.as_ref().unwrap();
    let found: Vec<_> = s
        .diagnostics
        .iter()
        .map(|d| (d.line, d.col, d.message.as_str()))
        .collect();
    assert_eq!(
        found,
        [(
            1,
            6,
            "unknown op \"mesibo.useradd2\"; did you mean \"mesibo.useradd\"?"
        )]
    );
    let screen = tui_support::text(&app);
    assert!(screen.contains("1:6 error: unknown op"), "{screen}");
    // Fixed: nothing left.
    app.update(tui_support::key(KeyCode::Up));
    app.update(tui_support::key(KeyCode::End));
    app.update(tui_support::key(KeyCode::Left));
    app.update(tui_support::key(KeyCode::Backspace));
    assert!(app.sidecar.as_ref().unwrap().diagnostics.is_empty());
}
