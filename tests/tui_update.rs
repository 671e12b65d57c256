//! The update function with plain messages: which state changes and which effects follow.
#![allow(clippy::unwrap_used)]

mod tui_support;

use apiplay::tui::app::{Focus, Tab};
use apiplay::tui::components::popup::PopupKind;
use apiplay::tui::message::{Effect, Message};
use apiplay::tui::model::{HistoryRow, TokenRow};
use crossterm::event::{Event, KeyCode, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use tui_support::*;

fn mouse(kind: MouseEventKind, column: u16, row: u16) -> Message {
    Message::Input(Event::Mouse(MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    }))
}

#[test]
fn enter_on_a_filtered_payload_loads_it_with_its_draft() {
    let mut app = app(80, 24);
    typed(&mut app, "useradd");
    app.update(key(KeyCode::Enter));
    assert_eq!(
        app.effects,
        vec![Effect::LoadPayload {
            path: "payloads/mesibo/useradd.json".into(),
            with_draft: true,
            replace: None
        }]
    );
    assert_eq!(app.focus, Focus::Editor);
}

#[test]
fn editing_writes_a_draft_and_undo_back_to_saved_deletes_it() {
    let mut app = app(80, 24);
    open(&mut app, "{}");
    app.focus = Focus::Editor;
    app.update(key(KeyCode::Char(' ')));
    assert!(matches!(app.effects.last(), Some(Effect::WriteDraft { text, .. }) if text == " {}"));
    app.update(ctrl('z'));
    assert!(matches!(app.effects.last(), Some(Effect::DeleteDraft(_))));
    assert!(!app.editor.is_dirty());
    app.update(ctrl('y'));
    assert_eq!(app.editor.text(), " {}");
}

#[test]
fn paste_inserts_text_and_revalidates() {
    let mut app = app(80, 24);
    open(&mut app, "{}");
    app.focus = Focus::Editor;
    app.update(key(KeyCode::Right));
    app.update(Message::Input(Event::Paste("\"a\": [1,\r\n2]".into())));
    assert_eq!(app.editor.text(), "{\"a\": [1,\n2]}");
    assert!(app.editor.problem.is_none());
    app.update(key(KeyCode::Char(',')));
    assert!(app.editor.problem.is_some());
}

#[test]
fn send_carries_the_editor_text_and_stale_answers_are_ignored() {
    let mut app = app(80, 24);
    open(&mut app, MESIBO);
    app.update(ctrl('r'));
    let Some(Effect::Send { id, text, .. }) = app.effects.pop() else {
        panic!("send effect expected");
    };
    assert_eq!(text, MESIBO);
    app.update(key(KeyCode::Esc));
    assert_eq!(app.effects.pop(), Some(Effect::CancelSend));
    app.update(Message::SendDone {
        id,
        result: Err("late".into()),
    });
    assert!(app.shown().is_none());
    assert!(!app.status.as_ref().unwrap().1.contains("late"));
}

#[test]
fn a_second_send_while_one_runs_is_refused() {
    let mut app = app(80, 24);
    open(&mut app, MESIBO);
    app.update(key(KeyCode::F(5)));
    app.effects.clear();
    app.update(key(KeyCode::F(5)));
    assert!(app.effects.is_empty());
    assert!(app.status.as_ref().unwrap().1.contains("already running"));
}

#[test]
fn save_writes_the_file_and_saved_clears_the_mark_and_draft() {
    let mut app = app(80, 24);
    open(&mut app, "{}");
    app.focus = Focus::Editor;
    app.update(key(KeyCode::Char(' ')));
    app.effects.clear();
    app.update(ctrl('s'));
    let Some(Effect::Save { path, text }) = app.effects.pop() else {
        panic!("save effect expected");
    };
    assert_eq!(text, " {}");
    app.update(Message::Saved {
        path: path.clone(),
        result: Ok(()),
    });
    assert!(!app.editor.is_dirty());
    assert_eq!(app.effects.pop(), Some(Effect::DeleteDraft(path)));
}

#[test]
fn focus_cycles_and_tabs_switch() {
    let mut app = app(80, 24);
    app.update(key(KeyCode::Tab));
    assert_eq!(app.focus, Focus::Editor);
    app.update(key(KeyCode::Tab));
    assert_eq!(app.focus, Focus::Response);
    app.update(key(KeyCode::BackTab));
    app.update(key(KeyCode::BackTab));
    assert_eq!(app.focus, Focus::Sidebar);
    app.update(key(KeyCode::Right));
    assert_eq!(app.tab(), Tab::History);
    assert_eq!(app.effects.pop(), Some(Effect::LoadHistory));
    app.update(Message::Input(Event::Key(crossterm::event::KeyEvent::new(
        KeyCode::Char('3'),
        KeyModifiers::ALT,
    ))));
    assert_eq!(app.tab(), Tab::Tokens);
}

#[test]
fn mouse_click_focuses_and_selects_and_wheel_scrolls() {
    let mut app = app(80, 24);
    open(&mut app, MESIBO);
    app.focus = Focus::Response;
    // Clicks land on what was drawn: the third row of the tree is on screen row 6
    // (header, border, tabs, filter line, then the rows).
    let s = screen(&app);
    assert!(s[6].contains("useradd.json"), "{s:?}");
    app.update(mouse(MouseEventKind::Down(MouseButton::Left), 5, 6));
    assert_eq!(app.focus, Focus::Sidebar);
    assert_eq!(
        app.sidebar.payloads.selected().unwrap().rel,
        "mesibo/useradd.json"
    );
    // Clicking the selected row again opens it.
    app.update(mouse(MouseEventKind::Down(MouseButton::Left), 5, 6));
    assert!(matches!(
        app.effects.last(),
        Some(Effect::LoadPayload { .. })
    ));
    // A click on the tab bar switches tabs: `History` starts at column 10.
    screen(&app);
    app.update(mouse(MouseEventKind::Down(MouseButton::Left), 12, 2));
    assert_eq!(app.tab(), Tab::History);
    // Wheel over the response scrolls it.
    app.sidebar.tab = Tab::Payloads;
    app.update(key(KeyCode::F(5)));
    let long: String = format!(
        "[{}]",
        (0..100)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",")
    );
    respond(&mut app, 200, long.as_bytes());
    let s = screen(&app);
    let row = s.iter().position(|l| l.contains("Response")).unwrap();
    app.update(mouse(
        MouseEventKind::ScrollDown,
        40,
        u16::try_from(row).unwrap() + 2,
    ));
    assert_eq!(app.shown().unwrap().scroll, 3);
    app.update(key(KeyCode::End));
    let resp = app.shown().unwrap();
    assert_eq!(resp.scroll, resp.max_scroll());
    app.update(key(KeyCode::Home));
    assert_eq!(app.shown().unwrap().scroll, 0);
    app.update(key(KeyCode::PageDown));
    assert!(app.shown().unwrap().scroll > 3);
}

#[test]
fn response_copy_uses_the_clipboard_effect() {
    let mut app = app(80, 24);
    open(&mut app, MESIBO);
    app.update(key(KeyCode::F(5)));
    respond(&mut app, 200, b"{\"result\":true}");
    app.update(key(KeyCode::Char('y')));
    assert_eq!(
        app.effects.pop(),
        Some(Effect::Copy("{\"result\":true}".into()))
    );
}

#[test]
fn history_open_replay_and_load() {
    let mut app = app(80, 24);
    open(&mut app, MESIBO);
    app.update(Message::HistoryLoaded(Ok(vec![HistoryRow {
        id: 9,
        at: NOW,
        payload: "payloads/mesibo-backend-payload.json".into(),
        env: "sandbox".into(),
        status: Some(200),
        refused: false,
        duration_ms: 3,
    }])));
    app.sidebar.tab = Tab::History;
    app.update(key(KeyCode::Char('r')));
    assert!(matches!(
        app.effects.pop(),
        Some(Effect::Replay { exchange: 9, .. })
    ));
    assert!(app.sending.is_some());
    app.update(key(KeyCode::Esc));
    app.effects.clear();
    app.focus = Focus::Sidebar;
    app.update(key(KeyCode::Enter));
    assert_eq!(app.effects.pop(), Some(Effect::OpenExchange(9)));
    app.update(Message::ExchangeOpened {
        id: 9,
        result: Ok(apiplay::tui::model::SendOutcome {
            status: 200,
            headers: vec![],
            body: bytes::Bytes::from_static(b"{}"),
            elapsed: std::time::Duration::from_millis(3),
            request_summary: vec!["POST x".into()],
        }),
        request: Some((
            "payloads/mesibo-backend-payload.json".into(),
            Some("{\"x\":1}".into()),
        )),
    });
    assert!(app.shown().unwrap().show_headers);
    app.focus = Focus::Sidebar;
    app.effects.clear();
    app.update(key(KeyCode::Char('l')));
    assert_eq!(
        app.effects.pop(),
        Some(Effect::LoadPayload {
            path: "payloads/mesibo-backend-payload.json".into(),
            with_draft: false,
            replace: Some("{\"x\":1}".into())
        })
    );
    // `l` on an exchange that is not open reads it first, then loads it.
    app.update(Message::HistoryLoaded(Ok(vec![HistoryRow {
        id: 10,
        at: NOW,
        payload: "payloads/other.json".into(),
        env: "sandbox".into(),
        status: Some(200),
        refused: false,
        duration_ms: 3,
    }])));
    app.focus = Focus::Sidebar;
    app.update(key(KeyCode::Char('l')));
    assert_eq!(app.effects.pop(), Some(Effect::OpenExchange(10)));
    app.update(Message::ExchangeOpened {
        id: 10,
        result: Ok(apiplay::tui::model::SendOutcome {
            status: 200,
            headers: vec![],
            body: bytes::Bytes::from_static(b"{}"),
            elapsed: std::time::Duration::from_millis(3),
            request_summary: vec![],
        }),
        request: Some(("payloads/other.json".into(), Some("{\"y\":2}".into()))),
    });
    assert!(app.effects.iter().any(|e| matches!(
        e,
        Effect::LoadPayload { replace: Some(t), .. } if t == "{\"y\":2}"
    )));
}

#[test]
fn tokens_copy_and_insert_a_reference() {
    let mut app = app(80, 24);
    open(&mut app, "{\"token\": \"\"}");
    app.update(Message::TokensLoaded(Ok(vec![TokenRow {
        id: 4,
        format: "mesibo".into(),
        token: "tok-value".into(),
        subject: Some("xyz@example.com".into()),
        app: None,
        issued_at: Some(NOW),
        expires_at: None,
        claims: serde_json::Value::Null,
    }])));
    app.sidebar.tab = Tab::Tokens;
    app.update(key(KeyCode::Char('c')));
    assert_eq!(app.effects.pop(), Some(Effect::Copy("tok-value".into())));
    app.editor.jump(0, 11);
    app.update(key(KeyCode::Char('i')));
    assert_eq!(app.editor.text(), "{\"token\": \"{{token:4}}\"}");
    assert_eq!(app.focus, Focus::Editor);
}

#[test]
fn environment_switch_and_help_popups() {
    let mut app = app(80, 24);
    app.update(ctrl('e'));
    assert!(matches!(
        app.popup.as_ref().map(|p| &p.kind),
        Some(PopupKind::Environments { .. })
    ));
    app.update(key(KeyCode::Down));
    app.update(key(KeyCode::Enter));
    assert!(app.effects.contains(&Effect::SwitchEnv("cloud".into())));
    assert!(app.popup.is_none());
    // In the payload tree `?` is filter text; elsewhere it opens the help.
    app.update(key(KeyCode::Char('?')));
    assert!(app.popup.is_none());
    assert_eq!(app.sidebar.payloads.filter(), "?");
    app.focus = Focus::Response;
    app.update(key(KeyCode::Char('?')));
    assert!(matches!(
        app.popup.as_ref().map(|p| &p.kind),
        Some(PopupKind::Help)
    ));
    screen(&app);
    app.update(key(KeyCode::Down));
    assert_eq!(
        app.popup.as_ref().unwrap().scroll(),
        1,
        "arrows scroll the help"
    );
    app.update(key(KeyCode::Esc));
    assert!(app.popup.is_none());
    app.update(ctrl('q'));
    assert!(app.quit);
}

#[test]
fn shift_selection_copies_and_format_is_one_undoable_edit() {
    let mut app = app(80, 24);
    open(&mut app, r#"{"op":"useradd","n":1}"#);
    app.focus = Focus::Editor;
    for _ in 0..5 {
        app.update(Message::Input(Event::Key(crossterm::event::KeyEvent::new(
            KeyCode::Right,
            KeyModifiers::SHIFT,
        ))));
    }
    app.update(ctrl('c'));
    assert_eq!(app.effects.pop(), Some(Effect::Copy("{\"op\"".into())));
    app.update(ctrl('f'));
    assert_eq!(
        app.editor.text(),
        "{\n  \"op\": \"useradd\",\n  \"n\": 1\n}"
    );
    assert!(app.editor.is_dirty());
    app.update(ctrl('z'));
    assert_eq!(app.editor.text(), r#"{"op":"useradd","n":1}"#);
    app.update(key(KeyCode::End));
    app.update(key(KeyCode::Char(',')));
    app.update(ctrl('f'));
    assert!(app
        .status
        .as_ref()
        .unwrap()
        .1
        .starts_with("cannot format: invalid JSON at 1:"));
}
