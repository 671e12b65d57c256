//! The response pane's views, end to end: the real binary in a pseudo-terminal, keys in,
//! screen text out. The jq filter prompt (a bad expression shows its column, a good one its
//! output, `f` the full body), wrapping, and the hex view of a body that is not UTF-8.
#![allow(clippy::unwrap_used)]

mod tui_support;

use std::io::{Read as _, Write as _};
use std::net::TcpListener;

use tui_support::pty::{workspace, Pty, ESC, F5};

const BACKSPACE: &str = "\x7f";

fn sent_docs_payload(s: &mut Pty) {
    s.wait_for("Payloads History Tokens", 10);
    s.open("backend-payload");
    s.wait_for("✓ valid JSON", 10);
    s.keys(F5);
    s.wait_for("\"result\": true", 20);
}

#[test]
fn the_filter_prompt_shows_a_bad_expressions_column_and_a_good_ones_output() {
    let (_tmp, cwd, home) = workspace();
    let mut s = Pty::start(&cwd, &home, &[], &[]);
    sent_docs_payload(&mut s);
    s.keys("F");
    s.wait_for("jq ▏", 5);
    // jq's own parser says where: the 7th character opens a bracket never closed.
    s.keys(".user.[");
    s.wait_for("✗ column 7: `[` is never closed", 5);
    s.keys(BACKSPACE);
    s.keys("address");
    // Live: the output replaces the body as soon as the expression is good.
    s.wait_for("\"xyz@example.com\"", 10);
    s.keys("\r");
    let screen = s.wait_for("jq .user.address  f: full body", 5);
    assert!(!screen.contains("\"result\""), "only the output: {screen}");
    // The full body is one key away, and the output one more.
    s.keys("f");
    let screen = s.wait_for("full body  f: the filter's output", 5);
    assert!(screen.contains("\"result\": true"), "{screen}");
    s.keys("f");
    s.wait_for("jq .user.address", 5);
    // An expression that fails on this body says jq's message.
    s.keys("F");
    s.keys("\x15.user.address.x");
    s.wait_for("cannot index", 10);
    s.keys(ESC);
    s.wait_gone("cannot index", 5);
    s.quit();
}

#[test]
fn w_wraps_a_line_wider_than_the_pane() {
    let (_tmp, cwd, home) = workspace();
    let mut s = Pty::start(&cwd, &home, &[], &[]);
    sent_docs_payload(&mut s);
    // One line of 289 characters: "0,1,2,…,99".
    s.keys("F");
    s.keys("[range(100)] | map(tostring) | join(\",\")\r");
    let screen = s.wait_for("\"0,1,2,3,4,5,6,7,8,9,10,", 10);
    assert!(
        !screen.contains("97,98,99\""),
        "cut, not wrapped yet: {screen}"
    );
    s.keys("W");
    let screen = s.wait_for("97,98,99\"", 5);
    assert!(screen.contains("wrap on"), "{screen}");
    s.keys("W");
    s.wait_gone("97,98,99\"", 5);
    s.quit();
}

/// A backend that answers every request with the first 22 bytes of a PNG file.
fn png_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let mut buf = vec![0u8; 65536];
            let _ = conn.read(&mut buf);
            let body: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\xff\xfe";
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = conn.write_all(head.as_bytes());
            let _ = conn.write_all(body);
        }
    });
    port
}

#[test]
fn a_body_that_is_not_utf8_opens_as_a_hex_dump_and_x_shows_it_raw() {
    let (_tmp, cwd, home) = workspace();
    let port = png_server();
    std::fs::write(
        cwd.join("apiplay.toml"),
        format!("[environments.png.backends]\nmesibo = \"http://127.0.0.1:{port}/backend/\"\n\n[environments.png.variables]\nmesibo_app_token = \"t\"\n"),
    )
    .unwrap();
    let mut s = Pty::start(&cwd, &home, &["--env", "png"], &[]);
    s.wait_for("Payloads History Tokens", 10);
    s.open("backend-payload");
    s.wait_for("✓ valid JSON", 10);
    s.keys(F5);
    // As `hexdump -C` prints these bytes.
    let screen = s.wait_for(
        "00000000  89 50 4e 47 0d 0a 1a 0a  00 00 00 0d 49 48 44 52  |.PNG........IHDR|",
        20,
    );
    assert!(screen.contains("00000010  00 00 00 10 ff fe"), "{screen}");
    assert!(screen.contains("22 B  binary · hex (x: raw)"), "{screen}");
    s.keys("x");
    let screen = s.wait_for("binary · raw (x: hex)", 5);
    assert!(screen.contains("IHDR"), "{screen}");
    assert!(!screen.contains("00000000  89"), "{screen}");
    s.quit();
}

#[test]
fn a_curl_command_pasted_into_the_empty_editor_becomes_a_payload() {
    let (_tmp, cwd, home) = workspace();
    let mut s = Pty::start(&cwd, &home, &[], &[]);
    s.wait_for("Payloads History Tokens", 10);
    // The editor, nothing open: the mesibo docs' command (seeds/000) with its app token.
    s.keys("\t");
    s.wait_for("Open a payload", 5);
    s.keys("\x1b[200~curl -X POST https://api.mesibo.com/backend \\\n  -H 'Content-Type: application/json' \\\n  -d '{\"op\":\"useradd\",\"token\":\"87pbh20pzehd9ld0o0pxqx9h80jjqfu9ipul4l00fnb55pbfx9mxyyk4uyr1iwuw\",\"user\":{\"address\":\"pasted@example.com\"}}'\n\x1b[201~");
    s.wait_for(
        "imported the curl command as payloads/imported/mesibo.useradd.json (mesibo.useradd)",
        10,
    );
    let screen = s.wait_for("\"token\": \"{{mesibo_app_token}}\"", 10);
    assert!(!screen.contains("87pbh20pzehd9ld0"), "{screen}");
    let body = std::fs::read_to_string(cwd.join("payloads/imported/mesibo.useradd.json")).unwrap();
    assert!(
        body.contains("pasted@example.com") && !body.contains("87pbh20"),
        "{body}"
    );
    let sidecar =
        std::fs::read_to_string(cwd.join("payloads/imported/mesibo.useradd.toml")).unwrap();
    assert!(
        sidecar.starts_with("op = \"mesibo.useradd\"\nbackend = \"mesibo\"\n"),
        "{sidecar}"
    );
    // It sends as it is, to the embedded sandbox.
    s.keys(F5);
    s.wait_for("\"result\": true", 20);
    s.quit();
}

#[test]
fn a_curl_command_that_cannot_be_read_is_not_imported_and_the_panel_says_why() {
    let (_tmp, cwd, home) = workspace();
    let mut s = Pty::start(&cwd, &home, &[], &[]);
    s.wait_for("Payloads History Tokens", 10);
    s.keys("\t");
    s.wait_for("Open a payload", 5);
    // The closing quote of the body was lost in the copy.
    s.keys(
        "\x1b[200~curl -X POST https://api.mesibo.com/backend -d '{\"op\":\"useradd\"}\n\x1b[201~",
    );
    let screen = s.wait_for("not imported (Esc closes the panel)", 10);
    assert!(screen.contains("unclosed quote"), "{screen}");
    assert!(
        screen.contains("paste it again"),
        "the advice, whole: {screen}"
    );
    s.keys(ESC);
    s.wait_for("Open a payload", 5);
    assert!(
        !cwd.join("payloads/imported").exists(),
        "nothing was written"
    );
    s.quit();
}
