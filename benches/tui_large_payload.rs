//! Typing in a 50 MB payload, figures printed (a `harness = false` program; run with
//! `cargo bench --bench tui_large_payload`):
//!
//! 1. keystroke → redrawn 160x48 frame on the UI thread (update + draw), 500 keys;
//! 2. what the UI thread pays when a draft is due (the text snapshot, into the buffer the
//!    previous draft handed back), and what the draft writer pays off it (compare with the
//!    file, validate, write, fsync);
//! 3. how many drafts 3 s of typing at 20 keys/s writes (one per key before debouncing).
#![allow(
    clippy::unwrap_used,
    clippy::cast_precision_loss,
    clippy::too_many_lines
)]

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use apiplay::tui::app::{App, Focus};
use apiplay::tui::message::{Effect, Message};
use apiplay::tui::model::PayloadInfo;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ratatui::Terminal;

fn key(code: KeyCode) -> Message {
    Message::Input(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn stats(name: &str, mut v: Vec<Duration>) {
    v.sort();
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let p = |q: f64| ms(v[((v.len() - 1) as f64 * q) as usize]);
    println!(
        "  {name}: n={} median {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        v.len(),
        p(0.5),
        p(0.99),
        ms(*v.last().unwrap())
    );
}

/// A pretty-printed payload of about `target` bytes: a mesibo request with many users.
fn payload(target: usize) -> String {
    let mut s = String::with_capacity(target + 4096);
    s.push_str(
        "{\n  \"op\": \"usersget\",\n  \"token\": \"{{mesibo_app_token}}\",\n  \"users\": [\n",
    );
    let mut i = 0u64;
    while s.len() < target {
        let _ = write!(
            s,
            "    {{\n      \"uid\": {i},\n      \"address\": \"user{i}@example.com\",\n      \
             \"name\": \"User {i}\",\n      \"active\": {}\n    }},\n",
            i % 3 == 0
        );
        i += 1;
    }
    s.push_str("    {}\n  ]\n}\n");
    s
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.json");
    let text = payload(50 * 1024 * 1024);
    std::fs::write(&path, &text).unwrap();
    let len = text.len();
    let lines = text.lines().count();
    println!("== typing in a {len}-byte payload ({lines} lines), 160x48");
    let mut app = App::new(Rect::new(0, 0, 160, 48), 0);
    let t = Instant::now();
    app.update(Message::PayloadLoaded {
        path: path.clone(),
        result: Ok(PayloadInfo {
            stamp: apiplay::fsio::FileStamp::of(&path).unwrap(),
            text,
            backend: "mesibo".into(),
            ..PayloadInfo::default()
        }),
        replace: None,
        restored: false,
        stale_draft: None,
    });
    println!(
        "  open (compare + validate once, on the UI thread): {:.1} ms",
        ms(t.elapsed())
    );
    // Opening asks the driver for the payload's URL once; that is the open's work, not a key's.
    app.effects.clear();
    app.focus = Focus::Editor;
    app.editor.jump(lines / 2, 10);
    let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();
    let mut frames = Vec::new();
    for i in 0..500 {
        let t = Instant::now();
        app.update(key(if i % 10 == 9 {
            KeyCode::Backspace
        } else {
            KeyCode::Char('x')
        }));
        term.draw(|f| f.render_widget(&app, f.area())).unwrap();
        frames.push(t.elapsed());
        assert!(app.effects.is_empty(), "no per-key work for the driver");
    }
    stats("keystroke → redrawn frame (update + draw)", frames);

    let mut snapshots = Vec::new();
    let mut writes = Vec::new();
    let drafts = dir.path().join("drafts");
    for _ in 0..10 {
        app.update(key(KeyCode::Char('y')));
        let t = Instant::now();
        app.update(Message::DraftDue);
        snapshots.push(t.elapsed());
        let Some(Effect::WriteDraft(job)) = app.effects.pop() else {
            panic!("a draft job expected");
        };
        // What the writer thread does with it (see driver::write_draft).
        let t = Instant::now();
        let saved = job.check_against.unwrap();
        let dirty = *saved != *job.text;
        let problem = apiplay::tui::editor::validate(&job.text);
        apiplay::tui::drafts::write(&drafts, &job.path, &job.text, job.base.as_ref()).unwrap();
        writes.push(t.elapsed());
        // The typed x's make the JSON invalid: the writer finds it, and where.
        assert!(dirty && problem.is_some());
        // As the driver does: the answer hands the buffer back for the next draft.
        app.update(Message::DraftWritten {
            path: job.path,
            generation: job.generation,
            result: Ok(()),
            checked: Some((dirty, problem)),
            text: job.text,
        });
    }
    stats("draft due: text snapshot on the UI thread", snapshots);
    stats(
        "draft writer thread: compare + validate + write + fsync",
        writes,
    );

    println!("== 3 s of typing at 20 keys/s in a small payload: drafts written");
    let mut app = App::new(Rect::new(0, 0, 160, 48), 0);
    app.update(Message::PayloadLoaded {
        path: path.clone(),
        result: Ok(PayloadInfo {
            text: "{}".into(),
            ..PayloadInfo::default()
        }),
        replace: None,
        restored: false,
        stale_draft: None,
    });
    app.focus = Focus::Editor;
    let (mut keys, mut written) = (0, 0);
    let end = Instant::now() + Duration::from_secs(3);
    while Instant::now() < end {
        app.update(key(KeyCode::Char(' ')));
        keys += 1;
        std::thread::sleep(Duration::from_millis(50));
        if app.draft_deadline().is_some_and(|d| Instant::now() >= d) {
            app.update(Message::DraftDue);
            written += app
                .effects
                .drain(..)
                .filter(|e| matches!(e, Effect::WriteDraft(_)))
                .count();
        }
    }
    println!("  {keys} keys → {written} draft writes (one per key before debouncing)");
}
