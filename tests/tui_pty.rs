//! End to end: the real binary in a pseudo-terminal, keys in, screen text out (vt100).
//! Each test gets its own APIPLAY_HOME and a working directory holding a copy of the
//! repository's payloads/.
#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

mod tui_support;

use tui_support::pty::{workspace, Pty, CTRL_Q, ESC, F5};

const END: &str = "\x1b[F";

#[test]
fn send_the_docs_payload_to_the_sandbox_and_find_the_token() {
    let (_tmp, cwd, home) = workspace();
    let mut s = Pty::start(&cwd, &home, &[], &[]);
    s.open_docs_payload();
    s.keys(F5);
    let screen = s.wait_for("\"result\": true", 20);
    assert!(screen.contains("200 OK"), "{screen}");
    assert!(screen.contains("\"token\": \""), "the user token: {screen}");
    // The footer says what was recorded, the expiry included (the app is on the Tokens tab).
    s.wait_for(
        "recorded #1: token mesibo for xyz@example.com, expires in 36",
        10,
    );
    // y copies the body through the terminal (OSC 52), which works over SSH too.
    s.keys("y");
    s.wait_for("body copied", 5);
    assert!(s.raw_contains(b"\x1b]52;c;"), "OSC 52 sequence written");
    // The Tokens tab lists it with its time left (mesibo expiry 525600 minutes = 365 days).
    s.keys("\x1b3");
    let screen = s.wait_for("xyz@example.com", 10);
    assert!(screen.contains("mesibo"), "{screen}");
    assert!(
        screen.contains("365d ") || screen.contains("364d 23h 59m"),
        "time left of a 525600-minute token: {screen}"
    );
    // The countdown is live: within a couple of seconds it reads below 365 days.
    s.wait_for("364d 23h 59m 5", 5);
    s.keys(CTRL_Q);
    s.wait_exit(10);
}

#[test]
fn a_mesibo_refusal_in_a_200_is_shown_as_a_failure() {
    let (_tmp, cwd, home) = workspace();
    std::fs::write(
        cwd.join("payloads/bad-token.json"),
        r#"{"op":"useradd","token":"not-the-app-token","user":{"address":"a@example.com"}}"#,
    )
    .unwrap();
    let mut s = Pty::start(&cwd, &home, &[], &[]);
    s.wait_for("Payloads History Tokens", 10);
    s.keys("bad-token");
    s.wait_for("filter: bad-token", 5);
    s.keys("\r");
    s.wait_for("✓ valid JSON", 10);
    s.keys(F5);
    s.wait_for("200 OK  ✗ AUTHFAIL", 20);
    // The footer is drawn after the response pane: wait for it rather than read a frame
    // caught half-written.
    s.wait_for("the API said no: AUTHFAIL", 10);
    s.keys(CTRL_Q);
    s.wait_exit(10);
}

#[test]
fn the_request_view_edits_the_query_saves_the_sidecar_and_the_send_uses_it() {
    let (_tmp, cwd, home) = workspace();
    let mut s = Pty::start(&cwd, &home, &[], &[]);
    s.wait_for("Payloads History Tokens", 10);
    s.keys("agora/app-token");
    s.wait_for("filter: agora/app-token", 5);
    s.keys("\r");
    s.wait_for("app-token.json", 10);
    s.wait_for("/chat/app/token?expire=3600", 10);
    s.keys("\x1bOQ"); // F2: the request
    let screen = s.wait_for("expire = \"3600\"", 5);
    assert!(
        screen.contains("GET http://127.0.0.1:"),
        "the resolved request beside it: {screen}"
    );
    // Line 7 is `expire = "3600"`: change it to 60.
    s.keys("\x1b[B\x1b[B\x1b[B\x1b[B\x1b[B\x1b[B");
    s.keys(END);
    s.keys("\x1b[D\x7f\x7f\x7f\x7f60");
    s.wait_for("expire = \"60\"", 5);
    s.keys("\x13"); // Ctrl+S
    s.wait_for("saved", 5);
    let on_disk = std::fs::read_to_string(cwd.join("payloads/agora/app-token.toml")).unwrap();
    assert!(on_disk.contains("expire = \"60\""), "{on_disk}");
    assert!(
        on_disk.contains("agora_app_token = \"\""),
        "the rest kept: {on_disk}"
    );
    s.wait_for("/chat/app/token?expire=60 ", 5);
    s.keys("\x1bOQ"); // back to the body
    s.keys(F5);
    s.wait_for("200 OK", 20);
    // The token the sandbox minted lives 60 s, not an hour: the query went out.
    s.keys("\x1b3");
    let screen = s.wait_for("agora-007", 10);
    // The time-left column follows "N s ago": `1m`, or under a minute (`58s`).
    let row = screen.lines().find(|l| l.contains("agora-007")).unwrap();
    let words: Vec<&str> = row.split_whitespace().collect();
    let left = words[words.iter().position(|w| *w == "ago").unwrap() + 1];
    let secs = left.strip_suffix('s').and_then(|n| n.parse::<u32>().ok());
    assert!(
        left == "1m" || secs.is_some_and(|n| (40..=60).contains(&n)),
        "{row}"
    );
    s.keys(CTRL_Q);
    s.wait_exit(10);
}

#[test]
fn broken_json_is_refused_with_line_and_column() {
    let (_tmp, cwd, home) = workspace();
    let mut s = Pty::start(&cwd, &home, &[], &[]);
    s.open_docs_payload();
    // Delete the closing brace of the one-line body.
    s.keys(END);
    s.keys("\x7f");
    let screen = s.wait_for("✗ invalid JSON at ", 5);
    assert!(screen.contains('●'), "unsaved mark: {screen}");
    s.keys(F5);
    let screen = s.wait_for("not sent: invalid JSON at ", 5);
    let at = screen.split("not sent: invalid JSON at ").nth(1).unwrap();
    let place: String = at
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ':')
        .collect();
    let parts: Vec<&str> = place.split(':').collect();
    assert!(
        parts.len() >= 2 && parts[0].parse::<usize>().is_ok() && parts[1].parse::<usize>().is_ok(),
        "line:col expected, got {place:?} in {screen}"
    );
    assert!(!screen.contains("200 OK"), "{screen}");
    s.keys(CTRL_Q);
    s.wait_exit(10);
}

#[test]
fn a_slow_request_keeps_the_ui_alive_and_esc_cancels_it() {
    let (_tmp, cwd, home) = workspace();
    // A server that accepts and never answers within the test.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming() {
            held.push(conn);
        }
    });
    std::fs::write(
        cwd.join("apiplay.toml"),
        format!("[environments.slow.backends]\nmesibo = \"http://127.0.0.1:{port}/backend/\"\n"),
    )
    .unwrap();
    let mut s = Pty::start(&cwd, &home, &[], &[]);
    s.open_docs_payload();
    // The session has read apiplay.toml once the header shows the sandbox's URL (it can take
    // a while on a loaded machine); the switcher lists the environments known when it opens.
    s.wait_for("/backend/", 20);
    // The environment switcher: sandbox is first, `slow` from apiplay.toml next.
    s.keys("\x05");
    s.wait_for("Environment — Enter switches", 5);
    s.wait_for("slow", 5);
    s.keys("\x1b[B");
    s.keys("\r");
    s.wait_for("env slow", 10);
    s.wait_for(&format!("127.0.0.1:{port}"), 5);
    s.keys(F5);
    s.wait_for("sending", 5);
    // The spinner's elapsed time advances while we wait: the UI is not blocked.
    std::thread::sleep(Duration::from_millis(1200));
    let screen = s.wait_for("Esc cancels", 2);
    assert!(
        screen.contains("sending 1.") || screen.contains("sending 2."),
        "{screen}"
    );
    // Keys are still taken: help opens and closes during the request.
    s.keys("\x1bOP");
    s.wait_for("Keys — ", 5);
    s.keys(ESC);
    s.keys(ESC);
    s.wait_for("request cancelled", 5);
    s.keys(CTRL_Q);
    s.wait_exit(10);
}

#[test]
fn quitting_restores_the_terminal() {
    let (_tmp, cwd, home) = workspace();
    let mut s = Pty::start(&cwd, &home, &[], &[]);
    s.wait_for("Payloads History Tokens", 10);
    assert!(s.parser.lock().unwrap().screen().alternate_screen());
    s.keys(CTRL_Q);
    let status = s.wait_exit(10);
    assert!(status.success(), "{status:?}");
    let parser = s.parser.lock().unwrap();
    assert!(!parser.screen().alternate_screen(), "alternate screen left");
    assert!(!parser.screen().hide_cursor(), "cursor shown");
    drop(parser);
    assert!(s.raw_contains(b"\x1b[?1000l"), "mouse capture off");
}

#[test]
fn sigterm_and_sighup_restore_the_terminal() {
    for signal in ["-TERM", "-HUP"] {
        let (_tmp, cwd, home) = workspace();
        let mut s = Pty::start(&cwd, &home, &[], &[]);
        s.wait_for("Payloads History Tokens", 10);
        let pid = s.child.process_id().unwrap();
        std::process::Command::new("kill")
            .args([signal, &pid.to_string()])
            .status()
            .unwrap();
        s.wait_exit(10);
        let parser = s.parser.lock().unwrap();
        assert!(!parser.screen().alternate_screen(), "{signal}");
        assert!(!parser.screen().hide_cursor(), "{signal}");
    }
}

#[test]
fn an_edit_survives_kill_9_and_is_restored_with_a_notice() {
    let (_tmp, cwd, home) = workspace();
    let original =
        std::fs::read_to_string(cwd.join("payloads/mesibo-backend-payload.json")).unwrap();
    let mut s = Pty::start(&cwd, &home, &[], &[]);
    s.open_docs_payload();
    s.keys(END);
    s.keys(" ");
    s.keys("x");
    s.wait_for("invalid JSON", 5);
    // Drafts are taken when typing pauses: wait for it, then kill without any chance to
    // clean up.
    wait_for_draft(&home, "} x");
    let pid = s.child.process_id().unwrap();
    std::process::Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .unwrap();
    s.wait_exit(10);
    drop(s);
    assert_eq!(
        std::fs::read_to_string(cwd.join("payloads/mesibo-backend-payload.json")).unwrap(),
        original,
        "the payload file itself is untouched"
    );
    let s = Pty::start(&cwd, &home, &[], &[]);
    let screen = s.wait_for("restored unsaved edits", 10);
    assert!(screen.contains("mesibo-backend-payload.json"), "{screen}");
    assert!(screen.contains("} x"), "the edit is back: {screen}");
}

/// A working directory with 1,000 payloads (10 folders of 100) and an APIPLAY_HOME.
fn thousand_payloads() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path().join("work");
    let home = tmp.path().join("home");
    for v in 0..10 {
        let dir = cwd.join("payloads").join(format!("vendor{v}"));
        std::fs::create_dir_all(&dir).unwrap();
        for i in 0..100 {
            std::fs::write(dir.join(format!("op{i:03}.json")), r#"{"op":"useradd"}"#).unwrap();
        }
    }
    std::fs::create_dir_all(&home).unwrap();
    (tmp, cwd, home)
}

/// The payload list is drawn when the scan's message arrives, not at some later tick or key.
/// Deterministic: on the Payloads tab with no send in flight and no token (a fresh home), the
/// TUI arms no timer at all, so with no key sent the list can only reach the screen through
/// the redraw that follows the "payloads loaded" message; without it the test times out.
/// Several starts, since the message may land in any phase of the loop.
#[test]
fn a_thousand_payloads_are_listed_without_a_key() {
    let (_tmp, cwd, home) = thousand_payloads();
    for _ in 0..5 {
        let mut s = Pty::start(&cwd, &home, &[], &[]);
        let screen = s.wait_for("vendor0/ op000.json", 20);
        assert!(screen.contains("op001.json"), "{screen}");
        s.keys(CTRL_Q);
        assert!(s.wait_exit(10).success());
    }
}

#[test]
fn drafts_and_every_file_of_the_data_dir_are_private_whatever_the_umask() {
    use std::os::unix::fs::PermissionsExt as _;
    let (_tmp, cwd, home) = workspace();
    let mut s = Pty::start_with_umask(&cwd, &home, "000");
    s.open_docs_payload();
    s.keys(END);
    s.keys(" x");
    s.wait_for("invalid JSON", 5);
    let drafts = home.join("drafts");
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::fs::read_dir(&drafts).map_or(0, Iterator::count) == 0 {
        assert!(Instant::now() < deadline, "no draft was written");
        std::thread::sleep(Duration::from_millis(50));
    }
    // Let a draft write in flight (temp file, then rename) finish before walking the folder.
    std::thread::sleep(Duration::from_millis(300));
    let mut stack = vec![home.clone()];
    while let Some(path) = stack.pop() {
        let meta = std::fs::symlink_metadata(&path).unwrap();
        let want = if meta.is_dir() { 0o700 } else { 0o600 };
        let mode = meta.permissions().mode() & 0o777;
        assert_eq!(mode, want, "{} is {mode:o}", path.display());
        if meta.is_dir() {
            stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        }
    }
}

#[test]
fn a_form_payload_shows_the_bytes_sent_and_its_minted_auth_as_a_placeholder() {
    let (_tmp, cwd, home) = workspace();
    let mut s = Pty::start(&cwd, &home, &[], &[]);
    s.wait_for("Payloads History Tokens", 10);
    s.keys("create-session.js");
    s.wait_for("filter: create-session.js", 5);
    s.keys("\r");
    s.wait_for("✓ valid JSON", 10);
    // Ctrl+T lists the auth built-ins with what they are minted from.
    s.keys("\x14");
    let screen = s.wait_for("{{$opentok_jwt}}", 10);
    assert!(screen.contains("minted per send"), "{screen}");
    s.keys(ESC);
    s.keys(F5);
    s.wait_for("200 OK", 20);
    s.keys("h");
    let screen = s.wait_for("p2p.preference=disabled&archiveMode=manual&e2ee=false", 10);
    assert!(
        // Header names as they went on the wire: HTTP/1 from hyper writes them lower-case.
        screen.contains("x-opentok-auth: {{$opentok_jwt}}"),
        "the request view keeps the placeholder: {screen}"
    );
    assert!(
        screen.contains("application/x-www-form-urlencoded"),
        "{screen}"
    );
    s.keys(CTRL_Q);
    s.wait_exit(10);
}

/// Waits until a draft in `home/drafts` holds `text`.
fn wait_for_draft(home: &Path, text: &str) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let found = std::fs::read_dir(home.join("drafts"))
            .into_iter()
            .flatten()
            .flatten()
            // Only a renamed draft counts, not the temporary file it is written to first.
            .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
            .any(|e| {
                std::fs::read_to_string(e.path()).is_ok_and(|d| {
                    serde_json::from_str::<serde_json::Value>(&d)
                        .is_ok_and(|v| v["text"].as_str().is_some_and(|t| t.contains(text)))
                })
            });
        if found {
            return;
        }
        assert!(Instant::now() < deadline, "no draft holding {text:?}");
        std::thread::sleep(Duration::from_millis(30));
    }
}

/// A valid JSON payload of about `size` bytes, pretty-printed, ending with a newline.
fn sized_payload(size: usize) -> String {
    let mut s = String::from("{\n  \"op\": \"useradd\",\n  \"notes\": [\n");
    let mut i = 0;
    while s.len() < size {
        let _ = writeln!(s, "    \"note number {i:06} of a big payload\",");
        i += 1;
    }
    s.push_str("    \"end\"\n  ]\n}\n");
    s
}

fn tmp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| Path::new(n).extension().is_some_and(|e| e == "tmp"))
        .collect()
}

#[test]
fn a_save_on_a_full_disk_keeps_the_file_and_the_edit_and_quitting_asks() {
    let (_tmp, cwd, home) = workspace();
    let file = cwd.join("payloads/big.json");
    let original = sized_payload(64 * 1024);
    std::fs::write(&file, &original).unwrap();
    // 32 × 512 bytes: no file apiplay writes may grow past 16 KiB, the payload is 64 KiB.
    let mut s = Pty::start_limited(&cwd, &home, 32);
    s.wait_for("Payloads History Tokens", 10);
    s.keys("big.json");
    s.wait_for("filter: big.json", 5);
    s.keys("\r");
    s.wait_for("✓ valid JSON", 10);
    s.keys("\x1b[B\x1b[F");
    s.keys(" \"mine\": 1,");
    s.wait_for("● unsaved", 5);
    // The draft cannot be written either: said once in the status line.
    s.wait_for("draft not written", 5);
    s.keys("\x13");
    let screen = s.wait_for("not saved: cannot write payloads/big.json", 5);
    assert!(screen.contains("File too large"), "why: {screen}");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        original,
        "the file on disk is intact"
    );
    assert!(
        tmp_files(&cwd.join("payloads")).is_empty(),
        "temporary file removed"
    );
    // Quitting now would lose the edit: it asks.
    s.keys(CTRL_Q);
    let screen = s.wait_for("Unsaved edit", 5);
    assert!(screen.contains("discard it and quit"), "{screen}");
    s.keys(ESC);
    let screen = s.wait_for("\"useradd\", \"mine\": 1,", 5);
    assert!(
        screen.contains("● unsaved"),
        "the edit is still there: {screen}"
    );
    s.keys(CTRL_Q);
    s.wait_for("Unsaved edit", 5);
    s.keys("d");
    s.wait_exit(10);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), original);
}

#[test]
fn with_drafts_unwritable_quitting_asks_and_save_then_quits() {
    let (_tmp, cwd, home) = workspace();
    // A file where the drafts folder should be: no draft can be written, even as root.
    std::fs::write(home.join("drafts"), "not a folder").unwrap();
    let file = cwd.join("payloads/mesibo-backend-payload.json");
    let original = std::fs::read_to_string(&file).unwrap();
    let mut s = Pty::start(&cwd, &home, &[], &[]);
    s.open_docs_payload();
    s.keys(END);
    s.keys(" ");
    let screen = s.wait_for("draft not written", 5);
    assert!(screen.contains("drafts"), "which path: {screen}");
    s.keys(CTRL_Q);
    s.wait_for("Unsaved edit", 5);
    s.keys("s");
    let status = s.wait_exit(10);
    assert!(status.success(), "{status:?}");
    // The one-line docs payload with a space after its closing brace; its newline kept.
    let saved = std::fs::read_to_string(&file).unwrap();
    assert!(original.ends_with("}}}\n"), "{original:?}");
    assert_eq!(saved, original.replace("}}}\n", "}}} \n"));
}

#[test]
fn a_save_over_an_outside_change_asks_and_can_save_mine_elsewhere() {
    let (_tmp, cwd, home) = workspace();
    let file = cwd.join("payloads/mesibo-backend-payload.json");
    let mut s = Pty::start(&cwd, &home, &[], &[]);
    s.open_docs_payload();
    s.keys(END);
    s.keys(" ");
    s.wait_for("● unsaved", 5);
    // Another editor changes the file meanwhile.
    let theirs = "{\"op\": \"changed elsewhere\"}\n";
    std::fs::write(&file, theirs).unwrap();
    s.keys("\x13");
    let screen = s.wait_for("Changed on disk", 5);
    assert!(screen.contains("reload theirs"), "{screen}");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        theirs,
        "not overwritten"
    );
    s.keys("a");
    s.wait_for("payloads/mesibo-backend-payload.mine.json", 5);
    s.keys("\r");
    s.wait_for("saved your version as", 5);
    let mine =
        std::fs::read_to_string(cwd.join("payloads/mesibo-backend-payload.mine.json")).unwrap();
    assert!(
        mine.contains("\"op\":\"useradd\"") || mine.contains("\"op\": \"useradd\""),
        "{mine}"
    );
    assert!(mine.ends_with("}}} \n"), "my edit, newline kept: {mine:?}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), theirs);
    // The editor now shows their file.
    s.wait_for("changed elsewhere", 5);
    s.keys(CTRL_Q);
    s.wait_exit(10);
}

#[test]
fn a_draft_older_than_the_file_is_offered_not_restored() {
    let (_tmp, cwd, home) = workspace();
    let file = cwd.join("payloads/mesibo-backend-payload.json");
    let mut s = Pty::start(&cwd, &home, &[], &[]);
    s.open_docs_payload();
    s.keys(END);
    s.keys(" x");
    wait_for_draft(&home, "} x");
    let pid = s.child.process_id().unwrap();
    std::process::Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .unwrap();
    s.wait_exit(10);
    drop(s);
    // The file changes after the draft was taken.
    let theirs = "{\"op\": \"changed elsewhere\"}\n";
    std::fs::write(&file, theirs).unwrap();
    let mut s = Pty::start(&cwd, &home, &[], &[]);
    let screen = s.wait_for("Draft older than the file", 10);
    assert!(
        screen.contains("changed elsewhere"),
        "the file is shown: {screen}"
    );
    assert!(
        !screen.contains("{\"op\":\"useradd\""),
        "the draft did not win: {screen}"
    );
    s.keys("k");
    s.wait_for("{\"op\":\"useradd\"", 5);
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        theirs,
        "nothing saved yet"
    );
    s.keys("\x13");
    s.wait_for("saved payloads/mesibo-backend-payload.json", 5);
    assert!(std::fs::read_to_string(&file).unwrap().contains("} x"));
    s.keys(CTRL_Q);
    s.wait_exit(10);
}

/// `apiplay token new ARGS` (sandbox demo credentials unless ARGS say otherwise), unrecorded.
fn cli_token(cwd: &Path, home: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_apiplay"))
        .current_dir(cwd)
        .env("APIPLAY_HOME", home)
        .args(["token", "new"])
        .args(args)
        .arg("--no-history")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[test]
fn token_workbench_decodes_and_verifies_a_pasted_token() {
    let (_tmp, cwd, home) = workspace();
    // Signed with the sandbox's demo API key secret, and with another one.
    let good = cli_token(&cwd, &home, &["twilio", "--user", "bob"]);
    let forged = cli_token(
        &cwd,
        &home,
        &["twilio", "--user", "bob", "--secret", "not-the-secret"],
    );
    let mut s = Pty::start(&cwd, &home, &[], &[]);
    s.wait_for("Payloads History Tokens", 10);
    s.keys("\x1b3");
    s.keys("d");
    s.wait_for("Decode and verify", 5);
    s.keys(&format!("\x1b[200~{good}\x1b[201~"));
    s.keys("\r");
    // Twilio's default lifetime: an hour.
    let screen = s.wait_for("valid: twilio-jwt signature matches; expires in ", 10);
    assert!(
        screen.contains("expires in 1h") || screen.contains("expires in 59m"),
        "{screen}"
    );
    // The header and claims as Twilio's helper libraries write them (cty twilio-fpa;v=1,
    // grants.identity).
    assert!(screen.contains("JWT header"), "{screen}");
    assert!(screen.contains("\"cty\": \"twilio-fpa;v=1\""), "{screen}");
    assert!(screen.contains("\"identity\": \"bob\""), "{screen}");
    assert!(
        !screen.contains(&good[40..80]),
        "the pasted token is masked: {screen}"
    );
    // Ctrl+U clears the input; another secret's token does not verify.
    s.keys("\x15");
    s.keys(&format!("\x1b[200~{forged}\x1b[201~"));
    s.keys("\r");
    s.wait_for("invalid: signature does not match (twilio-jwt token", 10);
    // Garbage says what went wrong and what to do.
    s.keys("\x15");
    s.keys("007eJx!!\r");
    s.wait_for("cannot decode the token:", 10);
    s.wait_for("paste the whole token", 2);
    s.keys(ESC);
    s.wait_for("time left", 5);
    s.keys(CTRL_Q);
    s.wait_exit(10);
}

#[test]
fn token_workbench_mints_a_token_the_cli_decodes() {
    let (_tmp, cwd, home) = workspace();
    let mut s = Pty::start(&cwd, &home, &[], &[]);
    s.wait_for("Payloads History Tokens", 10);
    s.keys("\x1b3");
    s.keys("n");
    // The sandbox's demo app id fills the form; its certificate stays masked.
    s.wait_for("970CA35de60c44645bbae8a215061b33", 10);
    let screen = s.wait_for("(from environment sandbox)", 5);
    assert!(
        !screen.contains("5CFd2fd1755d40ecb72977518be15d3b"),
        "{screen}"
    );
    // kind → app id → certificate → user.
    s.keys("\t");
    s.keys("\t");
    s.keys("\t");
    s.keys("alice\t");
    s.keys("ten\r");
    s.wait_for("ttl: `ten` is not a whole number of seconds", 5);
    s.keys("\x15600\r");
    let screen = s.wait_for("valid: agora-007 signature matches; expires in ", 10);
    assert!(
        screen.contains("expires in 10m") || screen.contains("expires in 9m"),
        "{screen}"
    );
    s.keys(ESC);
    s.wait_for("agora-007   alice", 10);
    s.keys(CTRL_Q);
    s.wait_exit(10);
    // The token recorded in the history is one the CLI decodes and verifies with the
    // certificate of Agora's AccessToken2 vectors.
    let db = rusqlite::Connection::open(home.join("history.sqlite3")).unwrap();
    let token: String = db
        .query_row(
            "SELECT token FROM tokens WHERE subject = 'alice'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let cli = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_apiplay"))
            .current_dir(&cwd)
            .env("APIPLAY_HOME", &home)
            .args(args)
            .output()
            .unwrap()
    };
    let decoded = cli(&["token", "decode", &token]);
    let text = String::from_utf8_lossy(&decoded.stdout);
    assert!(decoded.status.success(), "{decoded:?}");
    assert!(
        text.contains("agora-007") && text.contains("user_id=\"alice\": user for 10m"),
        "{text}"
    );
    let verified = cli(&[
        "token",
        "verify",
        &token,
        "--cert",
        "5CFd2fd1755d40ecb72977518be15d3b",
    ]);
    assert!(verified.status.success(), "{verified:?}");
}

#[test]
fn the_request_view_shows_every_header_that_went_out() {
    let (_tmp, cwd, home) = workspace();
    let mut s = Pty::start(&cwd, &home, &[], &[]);
    s.open_docs_payload();
    s.keys(F5);
    s.wait_for("\"result\": true", 20);
    // The send leaves the response pane focused; `h` shows the request as it went out.
    s.keys("h");
    let screen = s.wait_for("→ user-agent: apiplay/", 5);
    for header in [
        "→ content-type: application/json",
        "→ accept: */*",
        "→ host: 127.0.0.1:",
        "→ content-length: ",
    ] {
        assert!(screen.contains(header), "{header}: {screen}");
    }
    s.keys(CTRL_Q);
    s.wait_exit(10);
}

#[test]
fn the_header_shows_the_url_a_send_goes_to_with_its_query() {
    let (_tmp, cwd, home) = workspace();
    let mut s = Pty::start(&cwd, &home, &[], &[]);
    s.wait_for("Payloads History Tokens", 10);
    s.keys("list-users");
    s.wait_for("filter: list-users", 5);
    s.keys("\r");
    // The sidecar's `/{{agora_org}}/{{agora_app}}/users` and `limit = "10"`, resolved with
    // the sandbox's org and app (the Agora docs' 41434878 / 504205).
    let screen = s.wait_for("/41434878/504205/users?limit=10 ", 10);
    assert!(screen.contains("GET http://127.0.0.1:"), "{screen}");
    s.keys(CTRL_Q);
    s.wait_exit(10);
}
