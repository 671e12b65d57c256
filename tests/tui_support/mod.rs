//! Shared helpers of the TUI tests: an App fed with plain messages, drawn on a TestBackend.
#![allow(clippy::unwrap_used, dead_code)]

pub mod pty;

use std::path::PathBuf;
use std::time::Duration;

use apiplay::tui::app::App;
use apiplay::tui::message::{Effect, Message};
use apiplay::tui::model::{EnvInfo, PayloadEntry, PayloadInfo, SendOutcome};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ratatui::Terminal;

pub const NOW: i64 = 1_800_000_000;

pub const MESIBO: &str = r#"{"op":"useradd","token":"{{app_token}}","user":{"address":"xyz@example.com","token":{"appid":"com.mesibo.firstapp","expiry":525600}}}"#;

pub fn app(w: u16, h: u16) -> App {
    let mut app = App::new(Rect::new(0, 0, w, h), NOW);
    app.update(Message::EnvsLoaded {
        names: vec!["sandbox".into(), "cloud".into()],
        current: EnvInfo {
            name: "sandbox".into(),
            backends: [(
                "mesibo".to_owned(),
                "http://127.0.0.1:9/backend/".to_owned(),
            )]
            .into_iter()
            .collect(),
        },
    });
    app.update(Message::PayloadsLoaded(Ok(vec![
        PayloadEntry {
            path: "payloads/agora/app-token.json".into(),
            rel: "agora/app-token.json".into(),
            ..PayloadEntry::default()
        },
        PayloadEntry {
            path: "payloads/mesibo-backend-payload.json".into(),
            rel: "mesibo-backend-payload.json".into(),
            ..PayloadEntry::default()
        },
        PayloadEntry {
            path: "payloads/mesibo/useradd.json".into(),
            rel: "mesibo/useradd.json".into(),
            ..PayloadEntry::default()
        },
    ])));
    app
}

pub fn open(app: &mut App, text: &str) {
    app.update(Message::PayloadLoaded {
        path: PathBuf::from("payloads/mesibo-backend-payload.json"),
        result: Ok(PayloadInfo {
            text: text.to_owned(),
            backend: "mesibo".into(),
            method: "POST".into(),
            url_path: String::new(),
            docs: "useradd creates a user and returns its token; expiry is in minutes.".into(),
            ..PayloadInfo::default()
        }),
        replace: None,
        restored: false,
        stale_draft: None,
    });
    app.effects.clear();
}

pub fn key(code: KeyCode) -> Message {
    Message::Input(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

pub fn ctrl(c: char) -> Message {
    Message::Input(Event::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::CONTROL,
    )))
}

pub fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        app.update(key(KeyCode::Char(c)));
    }
}

/// Feeds a response through the real indexer, as the driver would.
pub fn respond(app: &mut App, status: u16, body: &[u8]) {
    app.update(Message::SendDone {
        id: app.sending.map_or(0, |s| s.id),
        result: Ok(SendOutcome {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_vec().into(),
            elapsed: Duration::from_millis(12),
            request_summary: vec!["POST http://127.0.0.1:9/backend/".into()],
        }),
    });
    index_pending(app);
}

/// Runs any IndexBody effects synchronously.
pub fn index_pending(app: &mut App) {
    for effect in std::mem::take(&mut app.effects) {
        if let Effect::IndexBody { id, body, mode } = effect {
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            apiplay::tui::driver::index(&tx, id, &body, mode);
            drop(tx);
            while let Ok(msg) = rx.try_recv() {
                app.update(msg);
            }
        }
    }
}

/// Draws `app` on a terminal of its size and returns the screen as lines of text.
pub fn screen(app: &App) -> Vec<String> {
    screen_at(app, app.size.width, app.size.height)
}

/// Draws `app` on a terminal of `w` × `h` (chosen by the test, not read from the app).
pub fn screen_at(app: &App, w: u16, h: u16) -> Vec<String> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| f.render_widget(app, f.area())).unwrap();
    let buf = t.backend().buffer().clone();
    (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol().to_owned())
                .collect::<String>()
        })
        .collect()
}

pub fn text(app: &App) -> String {
    screen(app).join("\n")
}

pub const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

/// The text inside the popup whose title starts with `title`, its wrapped rows joined by
/// spaces (read off the screen, so it is what a person sees).
pub fn panel(app: &App, title: &str) -> String {
    let rows = screen(app);
    let head = format!("┌ {title}");
    let (top, col) = rows
        .iter()
        .enumerate()
        .find_map(|(y, r)| {
            let chars: Vec<char> = r.chars().collect();
            let h: Vec<char> = head.chars().collect();
            chars
                .windows(h.len())
                .position(|w| w == h.as_slice())
                .map(|x| (y, x))
        })
        .unwrap_or_else(|| panic!("no panel titled {title}:\n{}", rows.join("\n")));
    let width = rows[top].chars().skip(col).position(|c| c == '┐').unwrap();
    let mut out = Vec::new();
    for r in &rows[top + 1..] {
        let inside: String = r.chars().skip(col).take(width + 1).collect();
        if inside.starts_with('└') {
            break;
        }
        out.push(
            inside
                .trim_start_matches('│')
                .trim_end_matches('│')
                .trim()
                .to_owned(),
        );
    }
    out.join(" ")
}
