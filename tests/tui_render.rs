//! Rendering of every pane on a TestBackend at 80×24 and 160×48, error states included.
#![allow(clippy::unwrap_used)]

mod tui_support;

use apiplay::collection::TemplateError;
use apiplay::http::HttpError;
use apiplay::tui::app::{Focus, Tab};
use apiplay::tui::errors::SendError;
use apiplay::tui::message::Message;
use apiplay::tui::model::{HistoryRow, TokenRow, VarValue};
use crossterm::event::KeyCode;
use tui_support::*;

#[test]
fn start_screen_shows_environment_tabs_payloads_and_keys() {
    for (w, h) in SIZES {
        let app = app(w, h);
        let s = text(&app);
        assert!(s.contains("env sandbox"), "{s}");
        assert!(s.contains("Payloads History Tokens"), "{s}");
        assert!(s.contains("mesibo-backend-payload.json"), "{s}");
        assert!(s.contains("Open a payload"), "{s}");
        // Drawn on a terminal of the test's size (not the app's): the footer is on the
        // last row and ends at the last column.
        let rows = screen_at(&app, w, h);
        assert!(
            rows[usize::from(h) - 1].ends_with("F1:help ^Q:quit"),
            "{rows:#?}"
        );
        assert!(
            rows[1].ends_with('┐'),
            "the right border is at column {w}: {rows:#?}"
        );
    }
}

#[test]
fn filter_narrows_the_tree() {
    for (w, h) in SIZES {
        let mut app = app(w, h);
        typed(&mut app, "agora");
        let s = text(&app);
        assert!(s.contains("filter: agora"));
        assert!(s.contains("app-token.json"));
        assert!(!s.contains("useradd.json"));
        typed(&mut app, "zzz");
        assert!(text(&app).contains("nothing matches the filter"));
    }
}

#[test]
fn editor_shows_url_path_highlighted_json_and_unsaved_mark() {
    for (w, h) in SIZES {
        let mut app = app(w, h);
        open(&mut app, MESIBO);
        let s = text(&app);
        assert!(s.contains("POST http://127.0.0.1:9/backend/"), "{s}");
        assert!(s.contains("mesibo-backend-payload.json"), "{s}");
        if w >= 120 {
            assert!(s.contains("│ payloads/mesibo-backend-payload.json"), "{s}");
        }
        assert!(s.contains("✓ valid JSON"), "{s}");
        assert!(s.contains("   1 {\"op\""), "{s}");
        assert!(!s.contains("unsaved"));
        app.focus = Focus::Editor;
        app.update(key(KeyCode::End));
        app.update(key(KeyCode::Char(' ')));
        let s = text(&app);
        assert!(
            s.contains("mesibo-backend-payload.json ●"),
            "editor title marks it: {s}"
        );
        if w >= 120 {
            assert!(s.contains("● unsaved"), "{s}");
        }
    }
}

#[test]
fn invalid_json_is_named_with_line_and_column_and_the_send_refused() {
    for (w, h) in SIZES {
        let mut app = app(w, h);
        open(&mut app, "{\n  \"op\": \"useradd\",\n  \"user\" {}\n}");
        let s = text(&app);
        assert!(s.contains("✗ invalid JSON at 3:10"), "{s}");
        app.update(key(KeyCode::F(5)));
        assert!(app.sending.is_none());
        assert!(app.effects.is_empty(), "nothing may be sent");
        let s = text(&app);
        assert!(s.contains("not sent: invalid JSON at 3:10"), "{s}");
    }
}

#[test]
fn unknown_variable_refusal_is_shown_and_marked() {
    for (w, h) in SIZES {
        let mut app = app(w, h);
        open(&mut app, MESIBO);
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
        assert!(app.sending.is_none());
        // A variable with no value opens the variables view on it, the refusal on top.
        let s = panel(&app, "not sent");
        assert!(
            s.contains(
                "not sent: payloads/mesibo-backend-payload.json:1:26: unknown variable `app_token`"
            ),
            "{s}"
        );
        assert!(
            s.contains("e enters a value for `app_token` for this session"),
            "{s}"
        );
        assert!(!s.contains("--var"), "{s}");
        // What a user sees: the spot in the editor, line 1 column 26, marked in red.
        app.update(key(KeyCode::Esc));
        let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
        t.draw(|f| f.render_widget(&app, f.area())).unwrap();
        let buf = t.backend().buffer().clone();
        let marked: Vec<(u16, u16)> = (0..h)
            .flat_map(|y| (0..w).map(move |x| (x, y)))
            .filter(|&(x, y)| buf[(x, y)].bg == ratatui::style::Color::Red)
            .collect();
        assert_eq!(marked.len(), 1, "one spot: {marked:?}");
        let (x, y) = marked[0];
        // Column 26 of `{"op":"useradd","token":"{{app_token}}"…` is the `{{` of the variable.
        assert_eq!(buf[(x, y)].symbol(), "{");
        assert_eq!(buf[(x + 1, y)].symbol(), "{");
        assert_eq!(buf[(x + 2, y)].symbol(), "a");
    }
}

#[test]
fn sending_shows_a_spinner_with_elapsed_time_and_how_to_cancel() {
    for (w, h) in SIZES {
        let mut app = app(w, h);
        open(&mut app, MESIBO);
        app.update(key(KeyCode::F(5)));
        let s = text(&app);
        assert!(s.contains("sending 0."), "{s}");
        assert!(s.contains("Esc cancels"), "{s}");
        app.update(key(KeyCode::Esc));
        assert!(app.sending.is_none());
        assert!(text(&app).contains("request cancelled"));
    }
}

#[test]
fn json_response_is_pretty_with_status_time_and_size() {
    for (w, h) in SIZES {
        let mut app = app(w, h);
        open(&mut app, MESIBO);
        app.update(key(KeyCode::F(5)));
        respond(
            &mut app,
            200,
            br#"{"op":"useradd","result":true,"user":{"uid":7,"token":"abcd1234"}}"#,
        );
        let s = text(&app);
        assert!(s.contains("200 OK  12 ms  66 B  json"), "{s}");
        assert!(s.contains("\"result\": true,"), "{s}");
        assert!(s.contains("    \"token\": \"abcd1234\""), "{s}");
        assert_eq!(app.focus, Focus::Response);
        app.update(key(KeyCode::Char('h')));
        let s = text(&app);
        assert!(s.contains("content-type: application/json"), "{s}");
        assert!(s.contains("→ POST http://127.0.0.1:9/backend/"), "{s}");
    }
}

#[test]
fn error_responses_non_json_and_invalid_utf8_are_shown_safely() {
    for (w, h) in SIZES {
        let mut app = app(w, h);
        open(&mut app, MESIBO);
        app.update(key(KeyCode::F(5)));
        respond(
            &mut app,
            502,
            b"<html>bad \xff\xfe gateway</html>\n{not json",
        );
        let s = text(&app);
        assert!(s.contains("502 Bad Gateway"), "{s}");
        // Not UTF-8: a hex dump first (`<html>` is 3c 68 74 6d 6c 3e), `x` the text.
        assert!(s.contains("binary · hex"), "{s}");
        assert!(s.contains("00000000  3c 68 74 6d 6c 3e"), "{s}");
        app.focus = Focus::Response;
        app.update(key(KeyCode::Char('x')));
        let s = text(&app);
        assert!(
            s.contains("<html>bad \u{fffd}\u{fffd} gateway</html>"),
            "{s}"
        );
        app.update(key(KeyCode::F(5)));
        respond(&mut app, 200, b"{\"a\": 1,,}");
        let s = text(&app);
        assert!(s.contains("not valid JSON"), "{s}");
        assert!(s.contains("{\"a\": 1,,}"), "{s}");
    }
}

#[test]
fn network_errors_land_in_the_status_line() {
    for (w, h) in SIZES {
        let mut app = app(w, h);
        open(&mut app, MESIBO);
        app.update(key(KeyCode::F(5)));
        let id = app.sending.unwrap().id;
        app.update(Message::SendDone {
            id,
            result: Err(SendError::Network(HttpError::Connect {
                url: "http://127.0.0.1:9/backend/".into(),
                message: "refused".into(),
            })),
        });
        // The whole text, naming the URL and what to do: in the status line where it fits
        // (160 columns), else in the error panel (80).
        let said = "cannot connect to http://127.0.0.1:9/backend/: refused; is the server running and the URL right?";
        if w < 100 {
            assert!(panel(&app, "the request failed").contains(said));
            app.update(key(KeyCode::Esc));
        } else {
            let last = screen(&app).pop().unwrap();
            assert!(last.starts_with(said), "{last}");
        }
        // The spinner gone, nothing pretending to be an answer in the response pane.
        let s = text(&app);
        assert!(!s.contains("sending"), "{s}");
        assert!(
            s.contains("F5 sends the payload; the response shows here."),
            "{s}"
        );
    }
}

#[test]
fn search_marks_matches_and_reports_their_count() {
    for (w, h) in SIZES {
        let mut app = app(w, h);
        open(&mut app, MESIBO);
        app.update(key(KeyCode::F(5)));
        let body: String = format!(
            "[{}]",
            (0..200)
                .map(|i| format!(
                    "{{\"n\":{i},\"tag\":\"{}\"}}",
                    if i % 50 == 7 { "needle" } else { "hay" }
                ))
                .collect::<Vec<_>>()
                .join(",")
        );
        respond(&mut app, 200, body.as_bytes());
        app.update(key(KeyCode::Char('/')));
        typed(&mut app, "needle");
        assert!(text(&app).contains("/needle▏"));
        app.update(key(KeyCode::Enter));
        let Some(apiplay::tui::message::Effect::Search { id, body, query }) = app.effects.pop()
        else {
            panic!("search effect expected")
        };
        let matches = apiplay::tui::response::find_all(&body, &query, 100);
        app.update(Message::SearchDone { id, query, matches });
        let s = text(&app);
        assert!(s.contains("/needle 1/4"), "{s}");
        // The matches are marked: the current one yellow, the others grey, nothing else.
        let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
        t.draw(|f| f.render_widget(&app, f.area())).unwrap();
        let buf = t.backend().buffer().clone();
        let marked = |bg| -> Vec<String> {
            (0..h)
                .map(|y| {
                    (0..w)
                        .filter(|&x| buf[(x, y)].bg == bg)
                        .map(|x| buf[(x, y)].symbol().to_owned())
                        .collect::<String>()
                })
                .filter(|l| !l.is_empty())
                .collect()
        };
        assert_eq!(marked(ratatui::style::Color::Yellow), vec!["needle"], "{s}");
        for other in marked(ratatui::style::Color::DarkGray) {
            assert_eq!(other, "needle", "{s}");
        }
        app.update(key(KeyCode::Char('n')));
        assert!(text(&app).contains("/needle 2/4"));
    }
}

fn token(id: i64, subject: &str, expires_in: i64) -> TokenRow {
    TokenRow {
        id,
        format: "mesibo".into(),
        token: format!("secret-token-value-{id}"),
        subject: Some(subject.into()),
        app: Some("com.mesibo.firstapp".into()),
        issued_at: Some(NOW - 60),
        expires_at: Some(NOW + expires_in),
        claims: serde_json::json!({"uid": id, "expiry_minutes": 525_600}),
    }
}

#[test]
fn tokens_table_masks_counts_down_and_decodes() {
    for (w, h) in SIZES {
        let mut app = app(w, h);
        app.update(Message::TokensLoaded(Ok(vec![
            token(2, "xyz@example.com", 3725),
            token(1, "old@example.com", -10),
        ])));
        app.sidebar.tab = Tab::Tokens;
        let s = text(&app);
        assert!(s.contains("xyz@example.com"), "{s}");
        assert!(s.contains("1h 2m 5s"), "{s}");
        assert!(s.contains("expired"), "{s}");
        assert!(!s.contains("secret-token-value-2"), "masked until revealed");
        assert!(
            s.contains("\"uid\": 2"),
            "claims of the selected token: {s}"
        );
        app.update(key(KeyCode::Char('v')));
        assert!(text(&app).contains("secret-token-value-2"));
        app.update(Message::Tick { now: NOW + 64 });
        assert!(text(&app).contains("1h 1m 1s"), "the countdown ticks");
    }
}

#[test]
fn tokens_filter_by_subject_or_format() {
    for (w, h) in SIZES {
        let mut app = app(w, h);
        app.update(Message::TokensLoaded(Ok(vec![
            token(2, "xyz@example.com", 100),
            token(1, "old@example.com", 100),
        ])));
        app.sidebar.tab = Tab::Tokens;
        app.update(key(KeyCode::Char('/')));
        typed(&mut app, "old@");
        let s = text(&app);
        assert!(s.contains("old@example.com"));
        assert!(!s.contains("xyz@example.com"), "{s}");
        app.update(key(KeyCode::Enter));
        assert_eq!(app.sidebar.tokens.filtered().len(), 1);
    }
}

#[test]
fn history_lists_exchanges_newest_first() {
    for (w, h) in SIZES {
        let mut app = app(w, h);
        app.update(Message::HistoryLoaded(Ok(vec![
            HistoryRow {
                id: 12,
                at: NOW,
                payload: "payloads/mesibo-backend-payload.json".into(),
                env: "sandbox".into(),
                status: Some(200),
                refused: false,
                duration_ms: 4,
            },
            HistoryRow {
                id: 11,
                at: NOW - 30,
                payload: "payloads/agora/app-token.json".into(),
                env: "cloud".into(),
                status: None,
                refused: false,
                duration_ms: 0,
            },
        ])));
        app.sidebar.tab = Tab::History;
        app.sidebar.history.clock = apiplay::clock::Clock::utc();
        let s = screen(&app);
        assert!(s.iter().any(|l| l.contains("when (UTC)")), "{s:#?}");
        let row = |id: &str| {
            s.iter()
                .position(|l| l.starts_with(&format!("│{id} ")))
                .unwrap()
        };
        assert!(row("12") < row("11"), "{s:#?}");
        // 1_800_000_000 is 2027-01-15T08:00:00Z (date -u -d @1800000000).
        let cols = |r: usize| {
            s[r].split_whitespace()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            cols(row("12"))[1..4],
            ["08:00:00", "200", "4"],
            "{}",
            s[row("12")]
        );
        assert_eq!(
            cols(row("11"))[1..4],
            ["07:59:30", "err", "0"],
            "{}",
            s[row("11")]
        );
        assert!(s.last().unwrap().contains("r:replay"), "{s:#?}");
        // In India (IST, UTC+5:30, no summer time) the same instant is 13:30:00, and the
        // header says so.
        app.sidebar.history.clock =
            apiplay::clock::Clock::in_zone(jiff::tz::TimeZone::get("Asia/Kolkata").unwrap());
        let s = screen(&app);
        assert!(s.iter().any(|l| l.contains("when (IST)")), "{s:#?}");
        assert!(
            s.iter()
                .any(|l| l.starts_with("│12 ") && l.contains(" 13:30:00 ")),
            "{s:#?}"
        );
    }
}

#[test]
fn popups_help_environments_docs_and_variables() {
    for (w, h) in SIZES {
        let mut app = app(w, h);
        open(&mut app, MESIBO);
        app.update(key(KeyCode::F(1)));
        let s = text(&app);
        assert!(s.contains("Ctrl+Q"), "{s}");
        assert!(s.contains("send the payload in the editor"), "{s}");
        // The whole keymap is reachable: scroll to its end (the last row of the table).
        app.update(key(KeyCode::End));
        let s = text(&app);
        let last = apiplay::tui::keys::KEYS.last().unwrap();
        assert!(s.contains(last.keys) && s.contains(last.help), "{s}");
        app.update(key(KeyCode::Esc));
        app.update(ctrl('e'));
        let s = text(&app);
        assert!(s.contains("● sandbox") && s.contains("cloud"), "{s}");
        app.update(key(KeyCode::Esc));
        app.update(ctrl('d'));
        assert!(text(&app).contains("useradd creates a user"));
        app.update(key(KeyCode::Esc));
        // Ctrl+T opens the view at once; its rows come from the session.
        app.update(ctrl('t'));
        assert!(app
            .effects
            .iter()
            .any(|e| matches!(e, apiplay::tui::message::Effect::ResolveVars { .. })));
        assert!(text(&app).contains("reading…"));
        app.update(Message::VarsResolved(vec![
            VarValue {
                name: "app_token".into(),
                value: Some("87pb••••iwuw".into()),
                clear: Some("87pbh20uwsecret".into()),
                source: "environment".into(),
                ..VarValue::default()
            },
            VarValue {
                name: "nope".into(),
                value: None,
                clear: None,
                source: "unknown".into(),
                ..VarValue::default()
            },
        ]));
        let s = text(&app);
        assert!(s.contains("{{app_token}} = 87pb••••iwuw"), "{s}");
        assert!(!s.contains("87pbh20uwsecret"), "{s}");
        assert!(s.contains("{{nope}} = (no value)"), "{s}");
        // v shows the selected row in clear, v again masks it.
        app.update(key(KeyCode::Char('v')));
        assert!(text(&app).contains("{{app_token}} = 87pbh20uwsecret"));
        app.update(key(KeyCode::Char('v')));
        assert!(!text(&app).contains("87pbh20uwsecret"));
    }
}

#[test]
fn draft_restore_is_announced() {
    for (w, h) in SIZES {
        let mut app = app(w, h);
        app.update(Message::PayloadLoaded {
            path: "payloads/mesibo-backend-payload.json".into(),
            result: Ok(apiplay::tui::model::PayloadInfo {
                text: "{}".into(),
                backend: "mesibo".into(),
                ..Default::default()
            }),
            replace: Some("{\"edited\": true}".into()),
            restored: true,
            stale_draft: None,
        });
        let s = text(&app);
        assert!(s.contains("restored unsaved edits"), "{s}");
        assert!(s.contains("\"edited\": true"), "{s}");
        assert!(s.contains("mesibo-backend-payload.json ●"), "{s}");
    }
}

#[test]
fn resize_relayouts() {
    for (w, h) in SIZES {
        let mut app = app(w, h);
        open(&mut app, MESIBO);
        let (w2, h2) = if w == 80 { (160, 48) } else { (80, 24) };
        app.update(Message::Input(crossterm::event::Event::Resize(w2, h2)));
        // The new size side by side (≥ 140 columns) or stacked, drawn at the new size.
        let rows = screen_at(&app, w2, h2);
        let editor_row = rows
            .iter()
            .position(|l| l.contains("┌ mesibo-backend-payload.json"))
            .unwrap();
        let response_row = rows.iter().position(|l| l.contains("┌ Response")).unwrap();
        if w2 >= 140 {
            assert_eq!(editor_row, response_row, "side by side at {w2}: {rows:#?}");
        } else {
            assert!(editor_row < response_row, "stacked at {w2}: {rows:#?}");
        }
        // A click is hit-tested against that frame: the editor's first text cell.
        let x = rows[editor_row + 1]
            .chars()
            .collect::<Vec<_>>()
            .windows(5)
            .position(|c| c.iter().collect::<String>() == "   1 ")
            .unwrap();
        app.focus = Focus::Sidebar;
        app.update(Message::Input(crossterm::event::Event::Mouse(
            crossterm::event::MouseEvent {
                kind: crossterm::event::MouseEventKind::Down(crossterm::event::MouseButton::Left),
                column: u16::try_from(x + 7).unwrap(),
                row: u16::try_from(editor_row + 1).unwrap(),
                modifiers: crossterm::event::KeyModifiers::NONE,
            },
        )));
        assert_eq!(app.focus, Focus::Editor);
        assert_eq!(app.editor.area.cursor(), (0, 2));
    }
}

#[test]
fn a_documented_error_is_explained_under_the_status_and_another_vendors_is_not_borrowed() {
    for (w, h) in SIZES {
        let mut app = app(w, h);
        open(&mut app, MESIBO);
        app.update(key(KeyCode::F(5)));
        respond(
            &mut app,
            200,
            br#"{"op":"userdel","result":false,"error":"NOUSER","errmsg":"no such user"}"#,
        );
        let s = text(&app);
        assert!(s.contains("NOUSER (mesibo."), "the code and its op: {s}");
        // The meaning is cut to leave the body room in a small pane, never what to do.
        if w >= 160 {
            assert!(s.contains("no user has"), "what it means: {s}");
        }
        assert!(s.contains("what to do: create the user first"), "{s}");
        // The body is still there below it.
        assert!(s.contains("\"errmsg\": \"no such user\""), "{s}");

        // Twilio documents no code 400; Vonage's 400 must not explain it.
        app.update(key(KeyCode::F(5)));
        respond(
            &mut app,
            400,
            br#"{"code":400,"message":"State \"open\" is not one of \"active\", \"inactive\", \"closed\"","status":400}"#,
        );
        let s = text(&app);
        assert!(s.contains("400 Bad Request"), "{s}");
        assert!(!s.contains("what to do"), "{s}");
        assert!(!s.contains("vonage"), "{s}");
    }
}
