//! The collection managed from the TUI, end to end: the real binary in a pseudo-terminal on
//! a copy of payloads/, keys in, the screen and the files on disk checked.
#![allow(clippy::unwrap_used)]

mod tui_support;

use tui_support::pty::{alt, workspace, Pty, CTRL_U, DELETE, ESC};

/// The tree's rows below the filter line, as (name, flow step) (the folder prefix, which may
/// be cut to `…ra/`, dropped; the step is at the row's right edge).
fn rows(s: &Pty) -> Vec<(String, Option<u32>)> {
    s.tree_rows()
        .iter()
        .map(|r| {
            let r = r.split_once("/ ").map_or(r.as_str(), |(_, n)| n);
            match r.rsplit_once(' ') {
                Some((name, step)) if step.parse::<u32>().is_ok() => {
                    (name.trim().to_owned(), step.parse().ok())
                }
                _ => (r.to_owned(), None),
            }
        })
        .collect()
}

/// Whether a row shows `full` (a long name is cut in its middle: `token-ex…nge.json`).
fn shows(row: &str, full: &str) -> bool {
    match row.split_once('…') {
        Some((head, tail)) => {
            full.starts_with(head) && full.ends_with(tail) && tail.contains(".json")
        }
        None => row == full,
    }
}

#[test]
fn agora_payloads_are_listed_in_the_order_the_flow_runs_them() {
    let (_tmp, cwd, home) = workspace();
    let mut s = Pty::start(&cwd, &home, &[], &[]);
    s.wait_for("agora/ ", 10);
    s.keys("agora/");
    s.wait_for("filter: agora/", 5);
    // The files are listed at once, and in flow order once their sidecars are read.
    s.wait_for("app-token.json", 10);
    s.wait_for("delete-users.json 14", 10);
    // The Agora Chat flow (catalogue/agora.toml, from AgoraIO/Docs-Source): the app token from
    // the token server, its exchange for a Chat token, then users are created and used, and
    // deleted last. Alphabetically app-token, change-password, create-user, … would show.
    let flow = [
        "app-token.json",
        "token-exchange.json",
        "create-user.json",
        "create-users-batch.json",
        "get-user.json",
        "list-users.json",
        "modify-user.json",
        "change-password.json",
        "user-token.json",
        "user-status.json",
        "users-status.json",
        "disconnect-user.json",
        "delete-user.json",
        "delete-users.json",
    ];
    let shown = rows(&s);
    assert_eq!(shown.len(), flow.len(), "{shown:?}");
    for (i, ((name, step), full)) in shown.iter().zip(flow).enumerate() {
        assert_eq!(*step, Some(u32::try_from(i).unwrap() + 1), "{shown:?}");
        assert!(
            shows(name, full),
            "row {i} is {name:?}, not {full}: {shown:?}"
        );
    }
    // A file no catalogue op matches comes after them, alphabetically.
    std::fs::write(cwd.join("payloads/agora/aaa-notes.json"), "{}").unwrap();
    s.wait_for("aaa-notes.json", 10);
    let shown = rows(&s);
    assert_eq!(
        shown.last(),
        Some(&("aaa-notes.json".to_owned(), None)),
        "{shown:?}"
    );
    s.quit();
}

#[test]
fn rename_refuses_bad_and_taken_names_then_moves_body_and_sidecar() {
    let (_tmp, cwd, home) = workspace();
    let dir = cwd.join("payloads/agora");
    let sidecar = std::fs::read_to_string(dir.join("token-exchange.toml")).unwrap();
    let mut s = Pty::start(&cwd, &home, &[], &[]);
    s.wait_for("agora/ ", 10);
    s.keys("token-exchange");
    s.wait_for("filter: token-exchange", 5);
    s.keys(&alt('r'));
    s.wait_for("name: token-exchange.json", 5);
    s.keys(CTRL_U);
    s.keys("../escape");
    s.keys("\r");
    s.wait_for("`..` would leave the folder", 5);
    s.keys(CTRL_U);
    s.keys("sub/name");
    s.keys("\r");
    s.wait_for("a name holds no `/`", 5);
    s.keys(CTRL_U);
    s.keys("create-user");
    s.keys("\r");
    s.wait_for("create-user.json already exists; choose another name", 5);
    // Nothing moved while it was refused.
    assert!(dir.join("token-exchange.json").exists());
    assert_eq!(
        std::fs::read_to_string(dir.join("create-user.toml")).unwrap(),
        std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("payloads/agora/create-user.toml")
        )
        .unwrap()
    );
    s.keys(CTRL_U);
    s.keys("chat-token");
    s.keys("\r");
    s.wait_for(
        "renamed payloads/agora/token-exchange.json to payloads/agora/chat-token.json",
        5,
    );
    assert!(!dir.join("token-exchange.json").exists());
    assert!(!dir.join("token-exchange.toml").exists());
    assert_eq!(
        std::fs::read_to_string(dir.join("chat-token.toml")).unwrap(),
        sidecar
    );
    // The tree lists the new name (the filter gave way to show it), still second in the flow.
    s.wait_for("chat-token.json", 5);
    assert!(
        rows(&s).contains(&("chat-token.json".to_owned(), Some(2))),
        "{:?}",
        rows(&s)
    );
    s.quit();
}

#[test]
fn duplicate_then_delete_with_a_confirmation_naming_the_file() {
    let (_tmp, cwd, home) = workspace();
    let dir = cwd.join("payloads/agora");
    let mut s = Pty::start(&cwd, &home, &[], &[]);
    s.wait_for("agora/ ", 10);
    s.keys("agora/get-user");
    s.wait_for("filter: agora/get-user", 5);
    s.keys(&alt('c'));
    s.wait_for("name: get-user-copy.json", 5);
    s.keys("\r");
    s.wait_for(
        "copied payloads/agora/get-user.json to payloads/agora/get-user-copy.json",
        5,
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("get-user-copy.toml")).unwrap(),
        std::fs::read_to_string(dir.join("get-user.toml")).unwrap()
    );
    s.keys(CTRL_U);
    s.keys("get-user-copy");
    s.wait_for("filter: get-user-copy", 5);
    s.keys(DELETE);
    s.wait_for(
        "Delete payloads/agora/get-user-copy.json (and its sidecar",
        5,
    );
    // n keeps it.
    s.keys("n");
    s.wait_gone("Delete payloads/agora/get-user-copy.json", 5);
    assert!(dir.join("get-user-copy.json").exists());
    s.keys(DELETE);
    s.wait_for("y deletes", 5);
    s.keys("y");
    s.wait_for(
        "deleted payloads/agora/get-user-copy.json and its sidecar",
        5,
    );
    assert!(!dir.join("get-user-copy.json").exists());
    assert!(!dir.join("get-user-copy.toml").exists());
    assert!(dir.join("get-user.json").exists() && dir.join("get-user.toml").exists());
    s.quit();
}

#[test]
fn deleting_the_open_payload_with_unsaved_edits_says_they_go_too() {
    let (_tmp, cwd, home) = workspace();
    let mut s = Pty::start(&cwd, &home, &[], &[]);
    s.wait_for("agora/ ", 10);
    s.open("backend-payload");
    s.wait_for("✓ valid JSON", 10);
    s.keys(" ");
    s.wait_for("● unsaved", 5);
    s.keys("\x1b1"); // Alt+1: back to the tree
    s.keys(DELETE);
    let screen = s.wait_for("It is open with unsaved edits: they are lost too.", 5);
    assert!(
        screen.contains("Delete payloads/mesibo-backend-payload.json"),
        "{screen}"
    );
    s.keys(ESC);
    s.wait_gone("they are lost too", 5);
    assert!(cwd.join("payloads/mesibo-backend-payload.json").exists());
    s.keys(DELETE);
    s.wait_for("y deletes", 5);
    s.keys("y");
    s.wait_for("deleted payloads/mesibo-backend-payload.json", 5);
    // The editor closed with it: nothing claims to edit a file that is gone.
    s.wait_gone("● unsaved", 5);
    s.quit();
}

#[test]
fn new_folder_and_move_take_the_sidecar_along() {
    let (_tmp, cwd, home) = workspace();
    let mut s = Pty::start(&cwd, &home, &[], &[]);
    s.wait_for("agora/ ", 10);
    s.keys("mesibo/groupdel");
    s.wait_for("filter: mesibo/groupdel", 5);
    s.keys(&alt('f'));
    s.wait_for("folder: mesibo/", 5);
    s.keys("old");
    s.keys("\r");
    s.wait_for("created payloads/mesibo/old", 5);
    assert!(cwd.join("payloads/mesibo/old").is_dir());
    s.keys(&alt('m'));
    s.wait_for("folder: mesibo", 5);
    s.keys("/nowhere");
    s.keys("\r");
    s.wait_for("no such folder", 5);
    s.keys("\x7f\x7f\x7f\x7f\x7f\x7f\x7fold");
    s.keys("\r");
    s.wait_for(
        "moved payloads/mesibo/groupdel.json to payloads/mesibo/old/groupdel.json",
        5,
    );
    assert!(cwd.join("payloads/mesibo/old/groupdel.toml").exists());
    assert!(!cwd.join("payloads/mesibo/groupdel.toml").exists());
    s.wait_for("mesibo/old/", 5);
    s.quit();
}

#[test]
fn files_dropped_into_payloads_from_outside_appear_and_removed_ones_go() {
    let (_tmp, cwd, home) = workspace();
    let mut s = Pty::start(&cwd, &home, &[], &[]);
    s.wait_for("agora/ ", 10);
    s.keys("colleague");
    s.wait_for("nothing matches the filter", 5);
    std::fs::create_dir_all(cwd.join("payloads/team")).unwrap();
    std::fs::write(
        cwd.join("payloads/team/from-a-colleague.json"),
        r#"{"op":"usersget","token":"{{mesibo_app_token}}"}"#,
    )
    .unwrap();
    // A mesibo usersget (its body's "op"): third in the mesibo flow.
    s.wait_for("from-a-colleague.json 3", 10);
    let shown = rows(&s);
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert!(shows(&shown[0].0, "from-a-colleague.json"), "{shown:?}");
    assert_eq!(shown[0].1, Some(3), "{shown:?}");
    std::fs::remove_file(cwd.join("payloads/team/from-a-colleague.json")).unwrap();
    s.wait_for("nothing matches the filter", 10);
    s.quit();
}

#[test]
fn alt_n_creates_a_payload_from_an_operation_in_the_highlighted_folder_and_it_sends() {
    let (_tmp, cwd, home) = workspace();
    let mut s = Pty::start(&cwd, &home, &[], &[]);
    s.wait_for("agora/ ", 10);
    // A folder of the user's own under mesibo/, then a payload in it highlighted.
    s.keys("mesibo/groupdel");
    s.wait_for("filter: mesibo/groupdel", 5);
    s.keys(&alt('f'));
    s.wait_for("folder: mesibo/", 5);
    s.keys("mine\r");
    s.wait_for("created payloads/mesibo/mine", 5);
    s.keys(&alt('m'));
    s.wait_for("folder: mesibo", 5);
    s.keys("/mine\r");
    s.wait_for("to payloads/mesibo/mine/groupdel.json", 5);
    s.keys(CTRL_U);
    s.keys("mine/groupdel");
    s.wait_for("filter: mine/groupdel", 5);
    // Alt+N: the picker, whose new payload goes in that folder, not in the vendor's.
    s.keys(&alt('n'));
    s.wait_for("New payload from an operation", 5);
    s.keys("useradd");
    s.wait_for("filter: useradd", 5);
    s.keys("\r");
    let screen = s.wait_for("the new payload's name", 5);
    assert!(screen.contains("payloads/mesibo/mine/"), "{screen}");
    s.keys("\r");
    s.wait_for("created payloads/mesibo/mine/useradd.json", 10);
    let sidecar = std::fs::read_to_string(cwd.join("payloads/mesibo/mine/useradd.toml")).unwrap();
    assert!(sidecar.starts_with("op = \"mesibo.useradd\""), "{sidecar}");
    s.keys("\u{1b}[15~"); // F5
    let screen = s.wait_for("\"result\": true", 20);
    assert!(screen.contains("200 OK"), "{screen}");
    s.quit();
}
