//! The TUI bugs found by hand (issue 11), each as a test that failed before its fix: keys
//! in, the screen (or the effects a key asks for) out.
#![allow(clippy::unwrap_used)]

mod tui_support;

use apiplay::http::HttpError;
use apiplay::tui::app::{Focus, Tab};
use apiplay::tui::errors::SendError;
use apiplay::tui::message::{Effect, Message};
use apiplay::tui::model::{HistoryRow, PayloadInfo, TokenRow};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::style::Modifier;
use ratatui::Terminal;
use tui_support::*;

/// The useradd docs as the sidecar had them: longer than a 60×15 popup.
const DOCS: &str = "useradd creates a user (or updates the one with that address) and \
returns its access token. Required: op, token (the app token), user.address. \
user.token.appid names the app the token is for; user.token.expiry is in minutes \
(525600 = one year). The answer is {\"op\":\"useradd\",\"result\":true,\"user\":{...}} \
and the token is at /user/token. Errors: AUTHFAIL when the token is not the app token, \
MISSINGFIELD when user.address is absent, BADFIELD when expiry is not a positive number \
of minutes. Calling it again with the same address returns the same uid and a new token; \
the older tokens stay valid until they expire. THE-END-OF-THE-DOCS";

fn shift(code: KeyCode) -> Message {
    Message::Input(Event::Key(KeyEvent::new(code, KeyModifiers::SHIFT)))
}

fn open_with_docs(app: &mut apiplay::tui::app::App, text: &str, docs: &str) {
    app.update(Message::PayloadLoaded {
        path: "payloads/mesibo/useradd.json".into(),
        result: Ok(PayloadInfo {
            text: text.into(),
            backend: "mesibo".into(),
            method: "POST".into(),
            docs: docs.into(),
            ..PayloadInfo::default()
        }),
        replace: None,
        restored: false,
        stale_draft: None,
    });
    app.effects.clear();
}

#[test]
fn the_docs_popup_scrolls_to_its_last_word_at_60x15() {
    let mut app = app(60, 15);
    open_with_docs(&mut app, "{}", DOCS);
    app.update(ctrl('d'));
    let top = text(&app);
    assert!(top.contains("useradd creates a user"), "{top}");
    assert!(
        !top.contains("THE-END-OF-THE-DOCS"),
        "too small to show it all: {top}"
    );
    for _ in 0..10 {
        app.update(key(KeyCode::Down));
        text(&app);
    }
    let end = text(&app);
    assert!(end.contains("THE-END-OF-THE-DOCS"), "{end}");
}

#[test]
fn the_catalogue_docs_are_laid_out_for_the_popups_width() {
    let mut app = app_with_docs_op(60, 24);
    app.update(ctrl('d'));
    let mut seen = String::new();
    for _ in 0..40 {
        seen.push_str(&text(&app));
        app.update(key(KeyCode::PageDown));
    }
    seen.push_str(&text(&app));
    // One line per field, not the 92-column table wrapped into itself.
    assert!(
        seen.contains("user.address: string · required · >= 1 chars"),
        "{seen}"
    );
    assert!(!seen.contains("REQUIRED LIMITS"), "{seen}");
    assert!(!seen.contains("not shown"), "{seen}");
    assert!(seen.contains("Sources"), "scrolls to the end: {seen}");
    // A wide terminal keeps the table.
    let mut wide = app_with_docs_op(140, 40);
    wide.update(ctrl('d'));
    assert!(text(&wide).contains("REQUIRED LIMITS"));
}

/// An app at `w`×`h` with mesibo's useradd open, its docs from the catalogue.
fn app_with_docs_op(w: u16, h: u16) -> apiplay::tui::app::App {
    let mut app = app(w, h);
    app.update(Message::PayloadLoaded {
        path: "payloads/mesibo/useradd.json".into(),
        result: Ok(PayloadInfo {
            text: "{}".into(),
            backend: "mesibo".into(),
            method: "POST".into(),
            docs: "the text at 92 columns, not shown".into(),
            docs_op: Some("mesibo.useradd".into()),
            ..PayloadInfo::default()
        }),
        replace: None,
        restored: false,
        stale_draft: None,
    });
    app
}

fn token_with_claims(id: i64) -> TokenRow {
    let claims: serde_json::Map<String, serde_json::Value> = (0..30)
        .map(|i| (format!("claim{i:02}"), serde_json::json!(i)))
        .chain([
            ("exp".to_owned(), serde_json::json!(1_900_000_000)),
            ("zz_last".to_owned(), serde_json::json!("LAST-CLAIM")),
        ])
        .collect();
    TokenRow {
        id,
        format: "twilio-jwt".into(),
        token: "eyJhbGciOiJIUzI1NiJ9.e30.sig".into(),
        subject: Some("alice".into()),
        app: None,
        issued_at: Some(NOW),
        expires_at: Some(NOW + 3600),
        claims: serde_json::Value::Object(claims),
    }
}

#[test]
fn the_claims_panel_scrolls_with_shift_down_and_the_wheel() {
    let mut app = app(80, 24);
    app.update(Message::TokensLoaded(Ok(vec![token_with_claims(3)])));
    app.sidebar.tab = Tab::Tokens;
    let s = text(&app);
    assert!(s.contains("claim00"), "{s}");
    assert!(!s.contains("LAST-CLAIM"), "{s}");
    for _ in 0..40 {
        app.update(shift(KeyCode::Down));
        text(&app);
    }
    assert!(text(&app).contains("LAST-CLAIM"));
    app.update(key(KeyCode::Char('K')));
    for _ in 0..40 {
        app.update(key(KeyCode::Char('K')));
    }
    assert!(text(&app).contains("claim00"));
}

#[test]
fn an_inserted_token_reference_is_drawn_from_the_line_start() {
    let mut app = app(80, 24);
    open(&mut app, "{\"token\": \"\"}");
    app.update(Message::TokensLoaded(Ok(vec![token_with_claims(26)])));
    app.focus = Focus::Sidebar;
    app.sidebar.tab = Tab::Tokens;
    text(&app); // the Tokens table takes the whole middle: the editor is not drawn
    app.editor.jump(0, 11);
    app.update(key(KeyCode::Char('i')));
    assert_eq!(app.focus, Focus::Editor);
    let s = text(&app);
    assert!(s.contains("   1 {\"token\": \"{{token:26}}\"}"), "{s}");
}

#[test]
fn slash_opens_an_empty_search_and_ctrl_u_clears_a_prompt() {
    let mut app = app(80, 24);
    open(&mut app, MESIBO);
    app.update(key(KeyCode::F(5)));
    respond(&mut app, 200, br#"{"a":"needle","b":"hay"}"#);
    app.update(key(KeyCode::Char('/')));
    typed(&mut app, "needle");
    app.update(key(KeyCode::Enter));
    app.effects.clear();
    app.update(key(KeyCode::Char('/')));
    let s = text(&app);
    assert!(s.contains(" /▏"), "a fresh prompt: {s}");
    assert!(!s.contains("/needle▏"), "{s}");
    typed(&mut app, "hay");
    app.update(ctrl('u'));
    assert!(text(&app).contains(" /▏"), "Ctrl+U clears the prompt");
    assert!(!text(&app).contains("/u"), "Ctrl+U is not typed");
}

#[test]
fn ctrl_u_in_the_filter_and_the_editor_types_nothing() {
    let mut app = app(80, 24);
    typed(&mut app, "agora");
    app.update(ctrl('u'));
    assert_eq!(app.sidebar.payloads.filter(), "");
    open(&mut app, "{\"a\": 1}");
    app.focus = Focus::Editor;
    app.update(key(KeyCode::End));
    app.update(ctrl('u'));
    assert_eq!(app.editor.text(), "", "deletes to the line start");
    app.update(ctrl('z'));
    assert_eq!(app.editor.text(), "{\"a\": 1}");
}

#[test]
fn ctrl_c_copies_a_selection_and_quits_without_one() {
    let mut app = app(80, 24);
    open(&mut app, "{\"a\": 1}");
    app.focus = Focus::Editor;
    app.update(shift(KeyCode::Right));
    app.update(ctrl('c'));
    assert_eq!(app.effects.pop(), Some(Effect::Copy("{".into())));
    assert!(!app.quit);
    app.update(key(KeyCode::Esc));
    app.update(ctrl('c'));
    assert!(app.quit, "Ctrl+C with nothing selected quits");
}

#[test]
fn every_pane_footer_shows_how_to_quit_even_with_a_long_status() {
    for (w, h) in SIZES {
        let mut app = app(w, h);
        open(&mut app, MESIBO);
        app.say(apiplay::tui::app::Level::Info, "x".repeat(200));
        for focus in [Focus::Sidebar, Focus::Editor, Focus::Response] {
            app.focus = focus;
            let s = screen_at(&app, w, h);
            let last = s.last().unwrap();
            assert!(
                last.trim_end().ends_with("F1:help ^Q:quit"),
                "{focus:?}: {last}"
            );
        }
    }
}

#[test]
fn history_columns_hold_long_values_and_say_utc() {
    let mut app = app(100, 24);
    let long_env = "a-very-long-environment-name-for-staging";
    app.update(Message::HistoryLoaded(Ok(vec![
        HistoryRow {
            id: 123_456,
            at: NOW - 86_400 * 3,
            payload: "payloads/agora/a/deeply/nested/folder/create-users-batch.json".into(),
            env: long_env.into(),
            status: Some(200),
            refused: false,
            duration_ms: 67_000,
        },
        HistoryRow {
            id: 7,
            at: NOW - 5,
            payload: "payloads/mesibo/useradd.json".into(),
            env: "sandbox".into(),
            status: None,
            refused: false,
            duration_ms: 4,
        },
    ])));
    app.sidebar.tab = Tab::History;
    // Times are shown in a zone the header names (the system's; UTC here, whatever TZ says).
    app.sidebar.history.clock = apiplay::clock::Clock::utc();
    let s = screen(&app);
    let head = s.iter().find(|l| l.contains("when (UTC)")).unwrap();
    let col = |line: &str, needle: &str| line.chars().collect::<String>().find(needle);
    let rows: Vec<&String> = s
        .iter()
        .filter(|l| l.contains("payloads/") || l.contains("…"))
        .collect();
    assert_eq!(rows.len(), 2, "{s:#?}");
    // The status column starts at the same place on both rows and under its title.
    let st = col(head, "st ").unwrap();
    assert_eq!(col(rows[0], "200").unwrap(), st, "{s:#?}");
    assert_eq!(col(rows[1], "err").unwrap(), st, "{s:#?}");
    assert!(
        rows[0].contains("01-12 08:00"),
        "older rows show the day: {}",
        rows[0]
    );
    assert!(
        !rows[0].contains(long_env),
        "clipped, not spilling: {}",
        rows[0]
    );
    assert!(
        rows[0].contains("create-users-batch.json"),
        "the file name stays whole: {}",
        rows[0]
    );
}

#[test]
fn a_body_too_large_for_osc52_is_not_claimed_copied_and_w_writes_it() {
    let mut app = app(80, 24);
    open(&mut app, MESIBO);
    app.update(key(KeyCode::F(5)));
    let big = format!("{{\"data\":\"{}\"}}", "x".repeat(80_000));
    respond(&mut app, 200, big.as_bytes());
    app.effects.clear();
    app.update(key(KeyCode::Char('y')));
    assert!(
        app.effects.is_empty(),
        "nothing sent to the terminal: {:?}",
        app.effects
    );
    let status = &app.status.as_ref().unwrap().1;
    assert!(
        status.starts_with("not copied: the body (78.1 KiB)"),
        "{status}"
    );
    assert!(status.contains("w writes it to a file"), "{status}");
    app.update(key(KeyCode::Char('w')));
    assert!(matches!(
        app.effects.pop(),
        Some(Effect::WriteBody { json: true, .. })
    ));
    // A small body still goes through OSC 52.
    app.update(key(KeyCode::F(5)));
    respond(&mut app, 200, b"{\"ok\":true}");
    app.update(key(KeyCode::Char('y')));
    assert_eq!(
        app.effects.pop(),
        Some(Effect::Copy("{\"ok\":true}".into()))
    );
}

#[test]
fn an_invalid_sidecar_opens_the_body_and_points_at_the_sidecar() {
    let dir = tempfile::tempdir().unwrap();
    let body = dir.path().join("useradd.json");
    std::fs::write(&body, "{\n  \"op\": \"useradd\"\n}\n").unwrap();
    std::fs::write(
        dir.path().join("useradd.toml"),
        "backend = \"mesibo\"\nmethod = [\n",
    )
    .unwrap();
    let info = apiplay::tui::core_link::load_payload(&body).unwrap();
    assert_eq!(info.text, "{\n  \"op\": \"useradd\"\n}\n");
    let err = info.sidecar_error.clone().unwrap();
    let toml = dir.path().join("useradd.toml").display().to_string();
    assert!(err.starts_with(&format!("{toml}:")), "{err}");
    let mut app = app(100, 30);
    app.update(Message::PayloadLoaded {
        path: body.clone(),
        result: Ok(info),
        replace: None,
        restored: false,
        stale_draft: None,
    });
    let s = text(&app);
    assert!(s.contains("\"op\": \"useradd\""), "the body is open: {s}");
    let panel = panel(&app, "the sidecar is invalid");
    assert!(panel.contains("useradd.toml:"), "{panel}");
    app.update(key(KeyCode::Esc));
    app.effects.clear();
    app.update(key(KeyCode::F(5)));
    assert!(
        app.sending.is_none() && app.effects.is_empty(),
        "nothing is sent"
    );
}

#[test]
fn a_restored_draft_is_dropped_with_ctrl_z() {
    let mut app = app(80, 24);
    app.update(Message::PayloadLoaded {
        path: "payloads/mesibo-backend-payload.json".into(),
        result: Ok(PayloadInfo {
            text: "{\"a\": 1}".into(),
            backend: "mesibo".into(),
            ..PayloadInfo::default()
        }),
        replace: Some("{\"a\": 2}".into()),
        restored: true,
        stale_draft: None,
    });
    let status = app.status.clone().unwrap().1;
    assert!(status.contains("Ctrl+Z drops them"), "{status}");
    app.focus = Focus::Editor;
    app.effects.clear();
    app.update(ctrl('z'));
    assert_eq!(app.editor.text(), "{\"a\": 1}");
    assert!(!app.editor.is_dirty());
    // Drafts follow the text when typing pauses.
    app.update(Message::DraftDue);
    assert!(
        matches!(app.effects.last(), Some(Effect::DeleteDraft(_))),
        "{:?}",
        app.effects
    );
}

fn opened(app: &mut apiplay::tui::app::App, id: i64, payload: &str, body: Option<&str>) {
    app.update(Message::ExchangeOpened {
        id,
        result: Ok(apiplay::tui::model::SendOutcome {
            status: 200,
            headers: vec![],
            body: bytes::Bytes::from_static(b"{}"),
            elapsed: std::time::Duration::from_millis(3),
            request_summary: vec![],
        }),
        request: Some((payload.into(), body.map(str::to_owned))),
    });
}

#[test]
fn history_l_keeps_unsaved_edits_one_undo_away() {
    let mut app = app(80, 24);
    open(&mut app, "{\"a\": 1}");
    app.focus = Focus::Editor;
    app.update(key(KeyCode::End));
    typed(&mut app, " ");
    let edited = app.editor.text();
    opened(
        &mut app,
        5,
        "payloads/mesibo-backend-payload.json",
        Some("{\"recorded\": true}"),
    );
    app.load_opened_request(5);
    let Some(Effect::LoadPayload {
        path,
        replace,
        with_draft,
    }) = app.effects.pop()
    else {
        panic!("load expected")
    };
    assert!(!with_draft);
    // The driver reads the file and answers; the edits are not lost.
    app.update(Message::PayloadLoaded {
        path,
        result: Ok(PayloadInfo {
            text: "{\"a\": 1}".into(),
            backend: "mesibo".into(),
            ..PayloadInfo::default()
        }),
        replace,
        restored: false,
        stale_draft: None,
    });
    assert_eq!(app.editor.text(), "{\"recorded\": true}");
    app.update(ctrl('z'));
    assert_eq!(
        app.editor.text(),
        edited,
        "Ctrl+Z brings the unsaved edits back"
    );
}

#[test]
fn history_l_opens_get_exchanges_and_stdin_ones() {
    let mut app = app(80, 24);
    opened(&mut app, 8, "payloads/agora/app-token.json", None);
    app.effects.clear();
    app.load_opened_request(8);
    assert_eq!(
        app.effects.pop(),
        Some(Effect::LoadPayload {
            path: "payloads/agora/app-token.json".into(),
            with_draft: true,
            replace: None
        }),
        "a GET exchange opens its payload"
    );
    opened(&mut app, 9, "<stdin>", Some("{\"op\":\"useradd\"}"));
    app.effects.clear();
    app.load_opened_request(9);
    let Some(Effect::LoadPayload { path, replace, .. }) = app.effects.pop() else {
        panic!("load expected")
    };
    assert_eq!(path, std::path::PathBuf::from("payloads/stdin-9.json"));
    assert_eq!(replace.as_deref(), Some("{\"op\":\"useradd\"}"));
    assert!(app.status.as_ref().unwrap().1.contains("came from stdin"));
    // The file does not exist yet: it opens empty, as a new payload, with no error.
    let dir = tempfile::tempdir().unwrap();
    let info = apiplay::tui::core_link::load_payload(&dir.path().join("stdin-9.json")).unwrap();
    assert_eq!((info.text.as_str(), info.backend.as_str()), ("", "mesibo"));
}

#[test]
fn mesibo_result_false_is_a_failure_and_a_failed_send_clears_the_last_success() {
    let mut app = app(100, 30);
    open(&mut app, MESIBO);
    app.update(key(KeyCode::F(5)));
    respond(
        &mut app,
        200,
        br#"{"op":"useradd","result":false,"error":"AUTHFAIL","errmsg":"the token is not the app token"}"#,
    );
    let s = text(&app);
    assert!(
        s.contains("200 OK  ✗ AUTHFAIL: the token is not the app token"),
        "{s}"
    );
    assert!(app.status.as_ref().unwrap().1.contains("the API said no"));
    app.update(key(KeyCode::F(5)));
    respond(&mut app, 200, br#"{"result":true}"#);
    assert!(text(&app).contains("200 OK"));
    app.update(key(KeyCode::F(5)));
    let id = app.sending.unwrap().id;
    app.update(Message::SendDone {
        id,
        result: Err(SendError::Network(HttpError::Connect {
            url: "http://127.0.0.1:9/backend/".into(),
            message: "connection refused".into(),
        })),
    });
    // The whole error is in its panel; Esc closes it.
    assert!(panel(&app, "the request failed").contains("is the server running"));
    app.update(key(KeyCode::Esc));
    let s = text(&app);
    assert!(!s.contains("200 OK"), "the previous success is gone: {s}");
    assert!(s.contains("F5 sends the payload"), "{s}");
}

#[test]
fn a_long_network_error_is_read_whole_in_a_panel() {
    let mut app = app(80, 24);
    open(&mut app, MESIBO);
    app.update(key(KeyCode::F(5)));
    let id = app.sending.unwrap().id;
    let message = "error sending request for url (http://127.0.0.1:9/backend/): client error \
                   (Connect): tcp connect error: Connection refused (os error 111)";
    app.update(Message::SendDone {
        id,
        result: Err(SendError::Network(HttpError::Connect {
            url: "http://127.0.0.1:9/backend/".into(),
            message: message.into(),
        })),
    });
    // Cut in the one-line status, the end of the message would be lost; the panel wraps it.
    let p = panel(&app, "the request failed");
    assert!(
        p.contains("is the server running and the URL right?"),
        "{p}"
    );
    assert!(app
        .status
        .as_ref()
        .unwrap()
        .1
        .contains("Esc closes the panel"));
    app.update(key(KeyCode::Esc));
    assert!(app.popup.is_none());
}

#[test]
fn opening_another_payload_does_not_show_the_last_ones_response() {
    let mut app = app(80, 24);
    open(&mut app, MESIBO);
    app.update(key(KeyCode::F(5)));
    respond(&mut app, 200, br#"{"result":true}"#);
    open_with_docs(&mut app, "{}", "");
    assert!(app.shown().is_none());
}

#[test]
fn the_cursor_and_clicks_follow_display_columns_of_wide_characters() {
    let mut app = app(80, 24);
    open(&mut app, "{\"名前\": \"🙂\", \"x\": 1}");
    app.focus = Focus::Editor;
    // After `{"名前` the cursor is on the closing quote: 1 + 1 + 2 + 2 = 6 columns in.
    app.editor.jump(0, 4);
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(|f| f.render_widget(&app, f.area())).unwrap();
    let buf = t.backend().buffer().clone();
    let cells: Vec<String> = (0..80).map(|x| buf[(x, 2)].symbol().to_owned()).collect();
    let row = cells.concat();
    let gutter = (0..75)
        .find(|&x| cells[x..x + 5].concat() == "   1 ")
        .unwrap();
    let text_x = u16::try_from(gutter + 5).unwrap();
    let cursor = (text_x..80u16)
        .find(|&x| buf[(x, 2)].modifier.contains(Modifier::REVERSED))
        .unwrap();
    assert_eq!(cursor, text_x + 6, "{row}");
    assert_eq!(buf[(cursor, 2)].symbol(), "\"");
    // A click on `x` (after `{"名前": "🙂", "`, 16 columns, 13 characters) lands on it.
    app.update(Message::Input(Event::Mouse(crossterm::event::MouseEvent {
        kind: crossterm::event::MouseEventKind::Down(crossterm::event::MouseButton::Left),
        column: text_x + 16,
        row: 2,
        modifiers: KeyModifiers::NONE,
    })));
    assert_eq!(app.editor.area.cursor(), (0, 13));
}

#[test]
fn the_recorded_line_names_the_exchange_tokens_and_captures() {
    use apiplay::history::{IssuedToken, Recorded};
    let r = Recorded {
        exchange_id: 12,
        tokens: vec![IssuedToken {
            format: apiplay::tokens::TokenFormat::Mesibo,
            token: "4zgwt9gulnaroag5".into(),
            subject: Some("xyz@example.com".into()),
            app: Some("com.mesibo.firstapp".into()),
            issued_at: NOW,
            expires_at: None,
            source: "/user/token".into(),
            claims: serde_json::Value::Null,
        }],
        captures: vec![("mesibo_user_token".into(), serde_json::json!("4zgw"))],
    };
    assert_eq!(
        apiplay::tui::core_link::recorded_summary(&r),
        "recorded #12: token mesibo for xyz@example.com, no expiry known; captured mesibo_user_token"
    );
}
