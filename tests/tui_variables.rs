//! Variables in one place, end to end (the real binary in a pseudo-terminal on a copy of
//! payloads/, with the embedded sandbox): a send refused for a variable that an operation
//! captures names that operation and the payload that makes it, and opens it; the variables
//! view masks a secret and reveals it on request; a missing secret entered for the session
//! makes the refused send succeed, and is written nowhere.
#![allow(clippy::unwrap_used)]

mod tui_support;

use std::path::Path;

use tui_support::pty::{workspace, Pty, CTRL_T, ESC, F5};

/// The docs' mesibo app token, which the sandbox accepts (README, "The sandbox and its demo
/// credentials").
const MESIBO_TOKEN: &str = "87pbh20pzehd9ld0o0pxqx9h80jjqfu9ipul4l00fnb55pbfx9mxyyk4uyr1iwuw";

/// An apiplay.toml that takes the sandbox's mesibo app token from `$T11_MESIBO_TOKEN`.
fn token_from_env(cwd: &Path) {
    std::fs::write(
        cwd.join("apiplay.toml"),
        "[environments.sandbox.variables]\nmesibo_app_token = { env = \"T11_MESIBO_TOKEN\" }\n",
    )
    .unwrap();
}

/// Every file below `dir` whose bytes hold `needle`.
fn files_holding(dir: &Path, needle: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files_holding(&path, needle));
        } else if std::fs::read(&path)
            .unwrap()
            .windows(needle.len())
            .any(|w| w == needle)
        {
            found.push(path.display().to_string());
        }
    }
    found
}

#[test]
fn a_send_refused_for_a_captured_variable_names_the_op_and_opens_its_payload() {
    let (_tmp, cwd, home) = workspace();
    let mut s = Pty::start(&cwd, &home, &[], &[]);
    s.wait_for("agora/ ", 10);
    // delete-users sends `Authorization: Bearer {{agora_chat_token}}`, which nothing has
    // captured yet.
    s.open("agora/delete-users");
    s.wait_for("delete-users.json ─", 10);
    s.keys(F5);
    s.wait_for("unknown variable `agora_chat_token`", 20);
    // The foot (the selected row's source) is drawn last: the frame is whole then.
    let screen = s.wait_for("o opens payloads/agora/token-exchange.json", 10);
    assert!(
        screen.contains("the sidecar payloads/agora/delete-users.toml:"),
        "the place in the sidecar: {screen}"
    );
    let panel = screen.replace(['│', '\n'], " ");
    let panel = panel.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        panel.contains("captured from the answer of agora.chat.token.exchange"),
        "{panel}"
    );
    assert!(
        panel.contains("agora/token-exchange.json sends: o opens it"),
        "{panel}"
    );
    assert!(
        !panel.contains("--var"),
        "no CLI advice in the TUI: {panel}"
    );
    // o opens the payload that makes the exchange.
    s.keys("o");
    s.wait_for("token-exchange.json ─", 10);
    s.keys(F5);
    s.wait_for("\"access_token\"", 20);
    s.wait_for("recorded #1: token agora-chat", 10);
    // Now the refused payload goes through.
    s.keys("\x1b1");
    s.open("agora/delete-users");
    s.wait_for("delete-users.json ─", 10);
    s.keys(F5);
    s.wait_for("200 OK", 20);
    s.wait_for("\"action\": \"delete\"", 10);
    s.quit();
}

#[test]
fn the_variables_view_masks_a_secret_and_reveals_it_for_one_row() {
    let (_tmp, cwd, home) = workspace();
    token_from_env(&cwd);
    let mut s = Pty::start(&cwd, &home, &[], &[("T11_MESIBO_TOKEN", MESIBO_TOKEN)]);
    s.wait_for("agora/ ", 10);
    s.open("mesibo/useradd");
    s.wait_for("useradd.json ─", 10);
    s.keys(CTRL_T);
    // The open payload's variables come first; the secret is masked (the one mask: first and
    // last four characters).
    s.wait_for("{{mesibo_app_token}} = 87pb••••iwuw", 10);
    // The selected row's source in full at the foot (drawn last: the frame is whole).
    s.wait_for(
        "mesibo_app_token: $T11_MESIBO_TOKEN ({ env = \"T11_MESIBO_TOKEN\" } in apiplay.toml)",
        10,
    );
    assert!(!s.screen().contains(MESIBO_TOKEN), "{}", s.screen());
    // The sandbox's public demo credentials are shown as they are.
    s.wait_for(
        "{{agora_app_certificate}} = 5CFd2fd1755d40ecb72977518be15d3b  sandbox demo credential (public)",
        10,
    );
    // Auth built-ins say what they are minted from.
    s.wait_for("{{$agora_app_token}} = 007e", 10);
    s.wait_for("minted per send: Agora 007 Chat app token", 10);
    s.keys("v");
    s.wait_for(&format!("{{{{mesibo_app_token}}}} = {MESIBO_TOKEN}"), 5);
    s.keys("v");
    s.wait_for("{{mesibo_app_token}} = 87pb••••iwuw", 5);
    s.keys(ESC);
    s.quit();
}

#[test]
fn a_missing_secret_entered_for_the_session_makes_the_refused_send_succeed() {
    let (_tmp, cwd, home) = workspace();
    token_from_env(&cwd);
    let mut s = Pty::start(&cwd, &home, &[], &[]);
    s.wait_for("agora/ ", 10);
    s.open("mesibo/useradd");
    s.wait_for("useradd.json ─", 10);
    s.keys(F5);
    s.wait_for("`mesibo_app_token` reads an environment variable", 20);
    s.wait_for("{{mesibo_app_token}} = (no value)", 10);
    // The foot, drawn last, gives the selected row's source in full.
    let screen = s.wait_for(
        "mesibo_app_token: $T11_MESIBO_TOKEN ({ env = \"T11_MESIBO_TOKEN\" } in apiplay.toml) is",
        10,
    );
    assert!(
        screen.contains("payloads/mesibo/useradd.json:3:"),
        "{screen}"
    );
    s.keys("e");
    s.wait_for("value for mesibo_app_token:", 5);
    s.keys(MESIBO_TOKEN);
    let screen = s.screen();
    assert!(!screen.contains(MESIBO_TOKEN), "typed as dots: {screen}");
    s.keys("\r");
    s.wait_for("mesibo_app_token kept for this session, in memory only", 10);
    s.wait_for("entered for this session (memory only, never written)", 10);
    s.keys(ESC);
    s.keys(F5);
    let screen = s.wait_for("\"result\": true", 20);
    assert!(screen.contains("200 OK"), "{screen}");
    s.wait_for("recorded #1: token mesibo", 10);
    s.quit();
    // Nothing on disk holds it: not the history, its WAL, the drafts nor the sandbox store.
    assert_eq!(
        files_holding(&home, MESIBO_TOKEN.as_bytes()),
        Vec::<String>::new()
    );
}
