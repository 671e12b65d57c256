//! The update function with plain messages: which state changes and which effects follow.
#![allow(clippy::unwrap_used)]

mod tui_support;

use apiplay::tui::app::{App, Focus, Tab};
use apiplay::tui::components::popup::PopupKind;
use apiplay::tui::errors::{SendError, SessionError};
use apiplay::tui::message::{Effect, Expect, Message, SaveFailure};
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
fn editing_writes_a_draft_when_typing_pauses_and_undo_back_to_saved_deletes_it() {
    let mut app = app(80, 24);
    open(&mut app, "{}");
    app.focus = Focus::Editor;
    app.update(key(KeyCode::Char(' ')));
    assert!(app.effects.is_empty(), "no draft at the keystroke itself");
    let due = app.draft_deadline().expect("a draft is due");
    let wait = due.saturating_duration_since(std::time::Instant::now());
    assert!(
        wait <= std::time::Duration::from_millis(300),
        "due within 300 ms, got {wait:?}"
    );
    app.update(Message::DraftDue);
    assert!(
        matches!(app.effects.last(), Some(Effect::WriteDraft(job)) if job.text == " {}"),
        "{:?}",
        app.effects
    );
    assert!(app.draft_deadline().is_none());
    app.update(ctrl('z'));
    app.update(Message::DraftDue);
    assert!(matches!(app.effects.last(), Some(Effect::DeleteDraft(_))));
    assert!(!app.editor.is_dirty());
    app.update(ctrl('y'));
    assert_eq!(app.editor.text(), " {}");
}

#[test]
fn while_typing_goes_on_a_draft_is_due_within_a_second_of_the_first_key() {
    let mut app = app(80, 24);
    open(&mut app, "{}");
    app.focus = Focus::Editor;
    app.update(key(KeyCode::Char(' ')));
    let start = std::time::Instant::now();
    // Keys keep coming every 100 ms for 1.5 s: the pause never comes, the 1 s cap does.
    for _ in 0..15 {
        std::thread::sleep(std::time::Duration::from_millis(100));
        app.update(key(KeyCode::Char(' ')));
        let due = app.draft_deadline().unwrap();
        assert!(
            due <= start + std::time::Duration::from_secs(1),
            "the draft waits for the pause past the 1 s cap"
        );
        if std::time::Instant::now() >= due {
            break;
        }
    }
    assert!(std::time::Instant::now() >= app.draft_deadline().unwrap());
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
        result: Err(SendError::Session(SessionError::Start(anyhow::anyhow!(
            "late"
        )))),
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
    let Some(Effect::Save { path, text, .. }) = app.effects.pop() else {
        panic!("save effect expected");
    };
    assert_eq!(text, " {}");
    app.update(Message::Saved {
        path: path.clone(),
        text,
        result: Ok(None),
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

fn first_draft_job(app: &mut App) -> apiplay::tui::message::DraftJob {
    app.update(Message::DraftDue);
    match app.effects.pop() {
        Some(Effect::WriteDraft(job)) => job,
        other => panic!("a draft job expected, got {other:?}"),
    }
}

fn draft_failed(app: &mut App, job: &apiplay::tui::message::DraftJob) {
    app.update(Message::DraftWritten {
        path: job.path.clone(),
        generation: job.generation,
        result: Err(apiplay::tui::drafts::DraftError::Write(
            apiplay::fsio::WriteError {
                path: "/home/drafts/1.json".into(),
                step: "writing",
                source: std::io::Error::from_raw_os_error(27),
            },
        )),
        checked: None,
        text: String::new(),
    });
}

#[test]
fn a_failed_draft_is_said_once_and_quitting_asks_save_discard_or_cancel() {
    let mut app = app(80, 24);
    open(&mut app, "{}");
    app.focus = Focus::Editor;
    app.update(key(KeyCode::Char(' ')));
    let job = first_draft_job(&mut app);
    draft_failed(&mut app, &job);
    let status = &app.status.as_ref().unwrap().1;
    assert!(
        status.starts_with("draft not written: cannot write /home/drafts/1.json"),
        "{status}"
    );
    assert!(status.contains("only in memory"), "{status}");
    // The next failure of the same streak does not take the status line again.
    app.update(Message::Error(apiplay::tui::errors::JobError::Session(
        SessionError::Start(anyhow::anyhow!("something else")),
    )));
    app.update(key(KeyCode::Char(' ')));
    let job = first_draft_job(&mut app);
    draft_failed(&mut app, &job);
    assert_eq!(app.status.as_ref().unwrap().1, "something else");

    app.update(ctrl('q'));
    assert!(
        !app.quit,
        "an edit that is nowhere safe is not dropped unasked"
    );
    assert!(matches!(kind(&app), Some(PopupKind::Unsaved { .. })));
    let s = text_of(&app);
    assert!(s.contains("save it, then quit"), "{s}");
    assert!(s.contains("discard it and quit"), "{s}");
    app.update(key(KeyCode::Esc));
    assert!(app.popup.is_none() && !app.quit, "cancel stays");
    assert_eq!(app.editor.text(), "  {}", "with the edit");

    app.update(ctrl('q'));
    app.update(key(KeyCode::Char('s')));
    let Some(Effect::Save { path, text, .. }) = app.effects.pop() else {
        panic!("save expected");
    };
    assert!(!app.quit, "quits only once saved");
    app.update(Message::Saved {
        path,
        text,
        result: Ok(None),
    });
    assert!(app.quit);
}

#[test]
fn discard_quits_and_a_pending_draft_is_written_before_quitting() {
    let mut app = app(80, 24);
    open(&mut app, "{}");
    app.focus = Focus::Editor;
    app.update(key(KeyCode::Char(' ')));
    let job = first_draft_job(&mut app);
    draft_failed(&mut app, &job);
    app.update(ctrl('q'));
    app.effects.clear();
    app.update(key(KeyCode::Char('d')));
    assert!(app.quit);
    assert!(app.drafts.discarded, "no last draft of a discarded edit");
    assert!(
        matches!(app.effects.last(), Some(Effect::DeleteDraft(_))),
        "an older draft of it goes too: {:?}",
        app.effects
    );

    let mut app = tui_support::app(80, 24);
    open(&mut app, "{}");
    app.focus = Focus::Editor;
    app.update(key(KeyCode::Char(' ')));
    app.update(ctrl('q'));
    assert!(!app.quit, "the draft is not written yet");
    let Some(Effect::WriteDraft(job)) = app.effects.pop() else {
        panic!("the draft is flushed at once");
    };
    app.update(Message::DraftWritten {
        path: job.path,
        generation: job.generation,
        result: Ok(()),
        checked: None,
        text: String::new(),
    });
    assert!(app.quit, "quits once the edit is safe in its draft");
}

fn stamp(text: &str) -> apiplay::fsio::FileStamp {
    apiplay::fsio::FileStamp {
        size: text.len() as u64,
        mtime_ns: 1,
        sha256: "hash of the file as opened".into(),
    }
}

#[test]
fn a_save_over_an_outside_change_asks_reload_keep_or_elsewhere() {
    let mut app = app(160, 48);
    open(&mut app, "{}");
    app.editor.stamp = Some(stamp("{}"));
    app.focus = Focus::Editor;
    app.update(key(KeyCode::Char(' ')));
    app.update(ctrl('s'));
    let Some(Effect::Save {
        path, text, expect, ..
    }) = app.effects.pop()
    else {
        panic!("save expected");
    };
    assert_eq!(
        expect,
        Expect::Unchanged(Some(stamp("{}"))),
        "the save checks first"
    );
    app.update(Message::Saved {
        path: path.clone(),
        text,
        result: Err(SaveFailure::ChangedOnDisk),
    });
    assert!(matches!(kind(&app), Some(PopupKind::Conflict { .. })));
    let s = text_of(&app);
    assert!(s.contains("changed on disk since you opened it"), "{s}");
    assert!(s.contains("reload theirs"), "{s}");

    // keep mine: overwrite knowingly.
    app.update(key(KeyCode::Char('k')));
    assert!(matches!(
        app.effects.pop(),
        Some(Effect::Save { expect: Expect::Anything, ref text, .. }) if text == " {}"
    ));

    // save mine elsewhere: a new file beside it, never over an existing one.
    app.popup = Some(conflict(&path));
    app.update(key(KeyCode::Char('a')));
    let Some(PopupKind::SaveAs { input, .. }) = kind(&app) else {
        panic!("save-as prompt expected");
    };
    assert_eq!(input, "payloads/mesibo-backend-payload.mine.json");
    app.update(key(KeyCode::Enter));
    let Some(Effect::Save {
        path: other,
        text,
        expect,
    }) = app.effects.pop()
    else {
        panic!("save expected");
    };
    assert_eq!(
        other.to_str(),
        Some("payloads/mesibo-backend-payload.mine.json")
    );
    assert_eq!((text.as_str(), expect), (" {}", Expect::Absent));
    app.update(Message::Saved {
        path: other,
        text,
        result: Ok(None),
    });
    assert!(
        app.effects.contains(&Effect::LoadPayload {
            path: path.clone(),
            with_draft: false,
            replace: None
        }),
        "the editor shows their file again: {:?}",
        app.effects
    );

    // reload theirs.
    app.effects.clear();
    app.popup = Some(conflict(&path));
    app.update(key(KeyCode::Char('r')));
    assert_eq!(
        app.effects,
        vec![
            Effect::DeleteDraft(path.clone()),
            Effect::LoadPayload {
                path,
                with_draft: false,
                replace: None
            }
        ]
    );
}

#[test]
fn a_stale_draft_is_offered_not_restored() {
    let mut app = app(160, 48);
    app.update(Message::PayloadLoaded {
        path: "payloads/mesibo-backend-payload.json".into(),
        result: Ok(apiplay::tui::model::PayloadInfo {
            text: "{\"theirs\": 1}".into(),
            ..Default::default()
        }),
        replace: None,
        restored: false,
        stale_draft: Some("{\"mine\": 2}".into()),
    });
    assert_eq!(
        app.editor.text(),
        "{\"theirs\": 1}",
        "the file wins until asked"
    );
    assert!(!app.editor.is_dirty());
    let s = text_of(&app);
    assert!(
        s.contains("changed on disk after the draft was taken"),
        "{s}"
    );
    app.update(key(KeyCode::Char('k')));
    assert_eq!(app.editor.text(), "{\"mine\": 2}");
    assert!(app.editor.is_dirty());
    assert!(app.edit_is_safe(), "that text is in the draft already");
}

fn text_of(app: &App) -> String {
    tui_support::text(app)
}

#[test]
fn opening_another_payload_first_writes_the_pending_draft() {
    let mut app = app(80, 24);
    open(&mut app, "{}");
    app.focus = Focus::Editor;
    app.update(key(KeyCode::Char(' ')));
    app.update(key(KeyCode::Tab));
    app.update(key(KeyCode::Tab));
    assert_eq!(app.focus, Focus::Sidebar);
    typed(&mut app, "useradd");
    app.update(key(KeyCode::Enter));
    let Some(Effect::WriteDraft(job)) = app.effects.pop() else {
        panic!("the draft first: {:?}", app.effects);
    };
    assert_eq!(job.text, " {}");
    assert!(app.effects.is_empty(), "nothing opened yet");
    app.update(Message::DraftWritten {
        path: job.path,
        generation: job.generation,
        result: Ok(()),
        checked: None,
        text: String::new(),
    });
    assert_eq!(
        app.effects,
        vec![Effect::LoadPayload {
            path: "payloads/mesibo/useradd.json".into(),
            with_draft: true,
            replace: None
        }]
    );
}

fn kind(app: &App) -> Option<PopupKind> {
    app.popup.as_ref().map(|p| p.kind.clone())
}

fn conflict(path: &std::path::Path) -> apiplay::tui::components::popup::Popup {
    apiplay::tui::components::popup::Popup::new(PopupKind::Conflict {
        path: path.to_owned(),
    })
}

#[test]
fn an_unsaved_sidecar_edit_makes_quitting_ask_and_save_writes_it() {
    let mut app = app(160, 48);
    open(&mut app, MESIBO);
    app.update(key(KeyCode::F(2)));
    assert!(app.editing_sidecar);
    // The sidecar apiplay writes out for a body without one is not an edit to ask about.
    app.update(ctrl('q'));
    assert!(
        app.quit,
        "an untouched generated sidecar does not hold the quit"
    );
    app.quit = false;
    app.focus = Focus::Editor;
    typed(&mut app, "# mine\n");
    app.update(ctrl('q'));
    assert!(!app.quit);
    let Some(PopupKind::Unsaved { path, why, .. }) = kind(&app) else {
        panic!("the quit asks: {:?}", kind(&app));
    };
    assert_eq!(path.to_str(), Some("payloads/mesibo-backend-payload.toml"));
    assert!(why.contains("sidecar"), "{why}");
    app.update(key(KeyCode::Char('s')));
    let Some(Effect::Save { path, text, expect }) = app.effects.pop() else {
        panic!("the sidecar is saved: {:?}", app.effects);
    };
    assert_eq!(path.to_str(), Some("payloads/mesibo-backend-payload.toml"));
    assert!(text.contains("# mine\n"), "{text}");
    assert_eq!(
        expect,
        Expect::Unchanged(None),
        "created, never over another file"
    );
    app.update(Message::Saved {
        path,
        text,
        result: Ok(None),
    });
    assert!(app.quit);
}

#[test]
fn a_refusal_in_the_sidecar_names_the_sidecar_and_leaves_the_body_unmarked() {
    use apiplay::collection::TemplateError;
    let mut app = app(160, 48);
    open(&mut app, MESIBO);
    app.update(key(KeyCode::F(5)));
    let id = app.sending.unwrap().id;
    // `{{agora_chat_token}}` in the sidecar's Authorization header, line 7 column 18.
    app.update(Message::SendDone {
        id,
        result: Err(SendError::Refused(TemplateError::UnknownVariable {
            file: "payloads/agora/get-user.toml".into(),
            line: 7,
            col: 18,
            name: "agora_chat_token".into(),
            environment: "sandbox".into(),
        })),
    });
    assert_eq!(
        app.editor.refused_at, None,
        "line 7 of the body is not the place"
    );
    let said = panel(&app, "not sent");
    assert!(
        said.contains("not sent: the sidecar payloads/agora/get-user.toml:7:18: unknown variable `agora_chat_token`"),
        "{said}"
    );
    assert!(!said.contains("--var"), "a flag of the CLI: {said}");
    // The same variable in the body marks its spot there.
    app.update(key(KeyCode::Esc));
    app.update(key(KeyCode::F(5)));
    let id = app.sending.unwrap().id;
    app.update(Message::SendDone {
        id,
        result: Err(SendError::Refused(TemplateError::UnknownVariable {
            file: "payloads/mesibo-backend-payload.json".into(),
            line: 1,
            col: 26,
            name: "app_token".into(),
            environment: "sandbox".into(),
        })),
    });
    assert_eq!(app.editor.refused_at, Some((1, 26)));
}

#[test]
fn an_unusable_history_is_read_whole_with_what_to_do() {
    use apiplay::history::HistoryError;
    use apiplay::tui::errors::ListError;
    let mut app = app(80, 24);
    app.update(Message::HistoryLoaded(Err(ListError::History(
        HistoryError::Open {
            path: "/home/ann/.local/share/apiplay/history.sqlite3".into(),
            message: "file is not a database".into(),
        },
    ))));
    // The advice is at the end of a long text: the panel shows it whole, not a cut status.
    let p = panel(&app, "cannot read the history");
    assert!(
        p.contains("mv /home/ann/.local/share/apiplay/history.sqlite3 /home/ann/.local/share/apiplay/history.sqlite3.bak"),
        "{p}"
    );
    assert!(app
        .status
        .as_ref()
        .unwrap()
        .1
        .contains("Esc closes the panel"));
}

#[test]
fn a_history_write_that_failed_is_a_warning_and_a_body_not_written_opens_the_panel() {
    let mut app = app(80, 24);
    app.update(Message::Recorded {
        summary: Err(apiplay::history::HistoryError::Query {
            path: "/home/history.db".into(),
            message: "database or disk is full".into(),
        }),
        warning: Some("history file cannot be used; continuing without history".into()),
    });
    let (level, text) = app.status.clone().unwrap();
    assert_eq!(level, apiplay::tui::app::Level::Warn);
    assert_eq!(
        text,
        "not recorded in the history: history file /home/history.db: database or disk is full",
        "the failed write, before the session's standing warning"
    );
    app.update(Message::Written(Err(
        apiplay::tui::errors::ExportError::Folder {
            path: "/home/apiplay/exports".into(),
            source: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
        },
    )));
    assert!(matches!(
        kind(&app),
        Some(PopupKind::Text { error: true, .. })
    ));
    let s = text_of(&app);
    assert!(
        s.contains("not written: cannot create /home/apiplay/exports"),
        "{s}"
    );
}

#[test]
fn f6_on_the_payloads_tab_reads_the_collection_again() {
    let mut app = app(80, 24);
    app.focus = Focus::Sidebar;
    app.sidebar.tab = Tab::Payloads;
    app.effects.clear();
    app.update(key(KeyCode::F(6)));
    assert_eq!(app.effects, vec![Effect::Rescan]);
    assert!(
        app.status.as_ref().unwrap().1.contains("read again"),
        "{:?}",
        app.status
    );
    // Elsewhere F6 is not bound: the History tab leaves the collection alone.
    app.sidebar.tab = Tab::History;
    app.effects.clear();
    app.update(key(KeyCode::F(6)));
    assert!(!app.effects.contains(&Effect::Rescan), "{:?}", app.effects);
}
