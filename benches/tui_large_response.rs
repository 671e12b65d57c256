//! TUI speed figures, printed (a `harness = false` program; run with
//! `cargo bench --bench tui_large_response`):
//!
//! 1. A 50 MB JSON response: time from arrival to the first drawn screen, full index time,
//!    frame times while scrolling (PgDn, jumps, search hops), search time, memory.
//! 2. First frame with 1,000 payload files and 100,000 history rows, and the time until the
//!    payload tree and history are on screen.
//! 3. Keystroke in the editor → redrawn frame.
#![allow(
    clippy::unwrap_used,
    clippy::cast_precision_loss,
    clippy::cast_sign_loss,
    clippy::too_many_lines,
    clippy::similar_names
)]

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use apiplay::tui::app::{App, Focus, Tab};
use apiplay::tui::message::{Effect, Message};
use apiplay::tui::model::{PayloadInfo, SendOutcome};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ratatui::Terminal;

fn rss_bytes() -> usize {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<usize>().ok())
        .map_or(0, |pages| pages * 4096)
}

fn key(code: KeyCode) -> Message {
    Message::Input(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn stats(name: &str, mut v: Vec<Duration>) {
    v.sort();
    let p = |q: f64| ms(v[((v.len() - 1) as f64 * q) as usize]);
    println!(
        "  {name}: n={} median {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        v.len(),
        p(0.5),
        p(0.99),
        ms(*v.last().unwrap())
    );
}

/// A realistic API response: an array of user records with nested objects, arrays, numbers,
/// booleans, nulls, escapes and some long strings.
fn big_body(target: usize) -> Vec<u8> {
    let mut s = String::with_capacity(target + 4096);
    s.push_str("{\"op\":\"usersget\",\"result\":true,\"users\":[");
    let mut i = 0u64;
    while s.len() < target {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(
            s,
            "{{\"uid\":{i},\"address\":\"user{i}@example.com\",\"name\":\"User \\\"{i}\\\"\",\
             \"active\":{},\"score\":{}.{},\"groups\":[{},{},{}],\"profile\":{{\"bio\":\"{}\",\
             \"avatar\":null,\"tags\":[\"a\",\"b\"],\"empty\":{{}}}},\"token\":\"{:064x}\"}}",
            i % 3 == 0,
            i * 7 % 1000,
            i % 100,
            i % 10,
            i % 17,
            i % 31,
            "lorem ipsum dolor sit amet ".repeat(usize::try_from(i % 4).unwrap()),
            u128::from(i).wrapping_mul(0x9e37_79b9_7f4a_7c15)
        );
        i += 1;
    }
    s.push_str("]}");
    s.into_bytes()
}

fn draw(t: &mut Terminal<TestBackend>, app: &App) -> Duration {
    let start = Instant::now();
    t.draw(|f| f.render_widget(app, f.area())).unwrap();
    start.elapsed()
}

fn large_response() {
    println!("== 50 MB JSON response (160x48 frame on a TestBackend, release build)");
    let rss0 = rss_bytes();
    let body = big_body(50 * 1024 * 1024);
    let len = body.len();
    println!("  body: {len} bytes");
    let mut app = App::new(Rect::new(0, 0, 160, 48), 0);
    app.update(Message::PayloadLoaded {
        path: "p.json".into(),
        result: Ok(PayloadInfo {
            text: "{}".into(),
            ..PayloadInfo::default()
        }),
        replace: None,
        restored: false,
        stale_draft: None,
    });
    app.update(key(KeyCode::F(5)));
    let send_id = app.sending.unwrap().id;
    app.effects.clear();
    let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();

    // Arrival: the response message reaches the update; indexing starts on another thread.
    let arrived = Instant::now();
    app.update(Message::SendDone {
        id: send_id,
        result: Ok(SendOutcome {
            status: 200,
            headers: vec![],
            body: body.into(),
            elapsed: Duration::from_millis(1),
            request_summary: vec![],
        }),
    });
    let Some(Effect::IndexBody { id, body, mode }) = app
        .effects
        .drain(..)
        .find(|e| matches!(e, Effect::IndexBody { .. }))
    else {
        panic!("no index effect");
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let indexer_body = body.clone();
    let indexer =
        std::thread::spawn(move || apiplay::tui::driver::index(&tx, id, &indexer_body, mode));
    let first = rx.blocking_recv().unwrap();
    app.update(first);
    draw(&mut term, &app);
    let first_screen = arrived.elapsed();
    let screen = term.backend().buffer().clone();
    let shown: String = (0..160)
        .map(|x| screen[(x, 4)].symbol().to_owned())
        .collect();
    println!(
        "  first screen drawn {:.2} ms after arrival (row 4: {:?})",
        ms(first_screen),
        shown.trim()
    );
    let mut chunks = 1;
    while let Some(msg) = rx.blocking_recv() {
        app.update(msg);
        chunks += 1;
    }
    indexer.join().unwrap();
    let indexed = arrived.elapsed();
    let r = app.shown().unwrap();
    println!(
        "  fully indexed in {:.1} ms: {} pretty lines in {chunks} chunks, mode {:?}",
        ms(indexed),
        r.lines.len(),
        r.mode
    );

    // Scrolling: page down, jumps across the body, end/home.
    app.focus = Focus::Response;
    let mut frames = Vec::new();
    for _ in 0..300 {
        let t = Instant::now();
        app.update(key(KeyCode::PageDown));
        draw(&mut term, &app);
        frames.push(t.elapsed());
    }
    stats("PgDn frame (update + format visible + draw)", frames);
    let mut frames = Vec::new();
    let total = app.shown().unwrap().lines.len();
    for k in 0..300usize {
        let t = Instant::now();
        let target = (k * 7919 * 1013) % total;
        app.response.view.as_mut().unwrap().scroll_to(target);
        draw(&mut term, &app);
        frames.push(t.elapsed());
    }
    stats("random jump frame", frames);
    let mut frames = Vec::new();
    for code in [KeyCode::End, KeyCode::Home, KeyCode::End, KeyCode::Home] {
        let t = Instant::now();
        app.update(key(code));
        draw(&mut term, &app);
        frames.push(t.elapsed());
    }
    stats("End/Home frame", frames);

    // Search off the UI thread in the app; timed here directly. The term matches all over
    // the body (user77, user770…779, user7700…7799, …), so `n` really moves between lines.
    let needle = "\"user77";
    let t = Instant::now();
    let matches = apiplay::tui::response::find_all(&body, needle, 1_000_000);
    println!(
        "  search of 50 MB: {:.1} ms, {} matches for {needle:?}",
        ms(t.elapsed()),
        matches.len()
    );
    assert!(
        matches.len() > 1000,
        "the search term must match many times"
    );
    let r = app.response.view.as_mut().unwrap();
    r.begin_search(needle.into());
    r.search_results(needle, matches);
    let before = app.shown().unwrap().current_match_line();
    let mut frames = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        app.update(key(KeyCode::Char('n')));
        draw(&mut term, &app);
        frames.push(t.elapsed());
    }
    stats("n (next match) frame", frames);
    assert_ne!(
        app.shown().unwrap().current_match_line(),
        before,
        "`n` moved to other matches"
    );

    let r = app.shown().unwrap();
    let index_bytes = r.lines.capacity() * 8;
    let cache_bytes: usize = r
        .cache
        .values()
        .map(|l| l.text.len() + l.spans.len() * 24 + 64)
        .sum();
    let rss = rss_bytes().saturating_sub(rss0);
    println!(
        "  memory: body {:.1} MB + line index {:.1} MB + line cache {:.2} MB = {:.2}x body; \
         process RSS grew {:.1} MB = {:.2}x body",
        len as f64 / 1e6,
        index_bytes as f64 / 1e6,
        cache_bytes as f64 / 1e6,
        (len + index_bytes + cache_bytes) as f64 / len as f64,
        rss as f64 / 1e6,
        rss as f64 / len as f64
    );
    drop(body);
}

fn startup() {
    println!("== start with 1,000 payload files and 100,000 history rows");
    let home = tempfile::tempdir().unwrap();
    std::env::set_var("APIPLAY_HOME", home.path());
    let payloads = home.path().join("payloads");
    for v in 0..10 {
        let dir = payloads.join(format!("vendor{v}"));
        std::fs::create_dir_all(&dir).unwrap();
        for i in 0..100 {
            std::fs::write(dir.join(format!("op{i:03}.json")), r#"{"op":"useradd"}"#).unwrap();
        }
    }
    seed_history(&home.path().join("history.sqlite3"), 100_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let t0 = Instant::now();
        let link = apiplay::tui::core_link::CoreLink::new(None, payloads.clone());
        let term = Terminal::new(TestBackend::new(160, 48)).unwrap();
        let mut tui =
            apiplay::tui::driver::Tui::new(term, link, None, Box::new(std::io::sink())).unwrap();
        // As the program does: the first frame goes up before the loads start.
        tui.draw().unwrap();
        let first = t0.elapsed();
        tui.start();
        tui.app.sidebar.tab = Tab::History;
        tui.app.focus = Focus::Sidebar;
        let deadline = Instant::now() + Duration::from_secs(10);
        while (tui.app.sidebar.payloads.entries().is_empty()
            || tui.app.sidebar.history.rows().is_empty())
            && Instant::now() < deadline
        {
            tui.next_message(Duration::from_millis(50)).await;
        }
        tui.drain();
        // The first frame that has the tree and the history in it: its draw alone.
        let t = Instant::now();
        tui.draw().unwrap();
        let loaded_frame = t.elapsed();
        let full = t0.elapsed();
        let screen = tui.terminal().backend().buffer().clone();
        let row: String = (0..160).map(|x| screen[(x, 4)].symbol().to_owned()).collect();
        assert!(row.contains("payloads/vendor0/op000.json"), "history on screen: {row}");
        println!(
            "  first frame {:.2} ms after start (before the loads, as the program draws it)",
            ms(first)
        );
        println!(
            "  frame with the payload tree ({}) and history ({} newest rows): {:.2} ms to draw; on screen {:.1} ms after start",
            tui.app.sidebar.payloads.entries().len(),
            tui.app.sidebar.history.rows().len(),
            ms(loaded_frame),
            ms(full)
        );
    });
}

/// Seeds `n` exchanges: one through the real store, then doubled with SQL.
fn seed_history(path: &std::path::Path, n: usize) {
    let store = apiplay::history::Store::open(path).unwrap();
    let exchange = apiplay::http::Exchange {
        started_at_ms: 1_700_000_000_000,
        environment: "sandbox".into(),
        payload: "payloads/vendor0/op000.json".into(),
        request: apiplay::http::RenderedRequest {
            method: "POST".into(),
            url: "http://127.0.0.1:1/backend/".into(),
            headers: vec![],
            body: Some("{\"op\":\"useradd\"}".into()),
        },
        outcome: Err(apiplay::http::HttpError::Connect {
            url: "http://127.0.0.1:1/backend/".into(),
            message: "refused".into(),
        }),
    };
    let mut store = store;
    store
        .record(&exchange, &std::collections::BTreeMap::new())
        .unwrap();
    drop(store);
    let conn = rusqlite::Connection::open(path).unwrap();
    let cols: Vec<String> = conn
        .prepare("PRAGMA table_info(exchanges)")
        .unwrap()
        .query_map([], |r| r.get::<_, String>(1))
        .unwrap()
        .map(Result::unwrap)
        .filter(|c| c != "id")
        .collect();
    let list = cols.join(", ");
    loop {
        let count: i64 = conn
            .query_row("SELECT count(*) FROM exchanges", [], |r| r.get(0))
            .unwrap();
        let count = usize::try_from(count).unwrap();
        if count >= n {
            break;
        }
        let take = (n - count).min(count);
        conn.execute(
            &format!("INSERT INTO exchanges ({list}) SELECT {list} FROM exchanges LIMIT {take}"),
            [],
        )
        .unwrap();
    }
}

fn keystroke() {
    println!("== keystroke in the editor → redrawn 160x48 frame (200-line payload)");
    let mut app = App::new(Rect::new(0, 0, 160, 48), 0);
    let text = format!(
        "{{\n{}\n  \"last\": true\n}}",
        (0..200)
            .map(|i| format!("  \"field{i}\": \"{{{{var{i}}}}} value {i}\","))
            .collect::<Vec<_>>()
            .join("\n")
    );
    app.update(Message::PayloadLoaded {
        path: "p.json".into(),
        result: Ok(PayloadInfo {
            text,
            backend: "mesibo".into(),
            ..PayloadInfo::default()
        }),
        replace: None,
        restored: false,
        stale_draft: None,
    });
    app.focus = Focus::Editor;
    for _ in 0..100 {
        app.update(key(KeyCode::Down));
    }
    let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();
    let mut frames = Vec::new();
    for i in 0..500 {
        let t = Instant::now();
        app.update(key(if i % 10 == 9 {
            KeyCode::Backspace
        } else {
            KeyCode::Char('x')
        }));
        app.effects.clear();
        draw(&mut term, &app);
        frames.push(t.elapsed());
    }
    stats("keystroke (update + validate + draw)", frames);
}

/// The real binary in a pseudo-terminal: exec → first frame, first frame → payload tree
/// and history shown, and a typed character → on screen.
fn real_binary() {
    use std::io::{Read, Write};
    use std::sync::{Arc, Mutex};

    println!("== the real binary in a pty (110x30), 1,000 payloads, 100,000 history rows");
    let home = tempfile::tempdir().unwrap();
    let payloads = home.path().join("payloads");
    for v in 0..10 {
        let dir = payloads.join(format!("vendor{v}"));
        std::fs::create_dir_all(&dir).unwrap();
        for i in 0..100 {
            std::fs::write(dir.join(format!("op{i:03}.json")), r#"{"op":"useradd"}"#).unwrap();
        }
    }
    seed_history(&home.path().join("history.sqlite3"), 100_000);
    let pty = portable_pty::native_pty_system();
    let pair = pty
        .openpty(portable_pty::PtySize {
            rows: 30,
            cols: 110,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = portable_pty::CommandBuilder::new(env!("CARGO_BIN_EXE_apiplay"));
    cmd.cwd(home.path());
    cmd.env("APIPLAY_HOME", home.path());
    let parser = Arc::new(Mutex::new(vt100::Parser::new(30, 110, 0)));
    let t0 = Instant::now();
    let mut child = pair.slave.spawn_command(cmd).unwrap();
    let mut reader = pair.master.try_clone_reader().unwrap();
    let mut writer = pair.master.take_writer().unwrap();
    let p = parser.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            p.lock().unwrap().process(&buf[..n]);
        }
    });
    let wait = |text: &str| {
        let start = Instant::now();
        while !parser.lock().unwrap().screen().contents().contains(text) {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "never saw {text:?}"
            );
            std::thread::sleep(Duration::from_micros(200));
        }
        start.elapsed()
    };
    wait("Payloads History Tokens");
    let first = t0.elapsed();
    wait("vendor0/ op000.json");
    let tree = t0.elapsed();
    println!(
        "  exec → first frame {:.1} ms; → 1,000-file tree on screen {:.1} ms",
        ms(first),
        ms(tree)
    );
    writer.write_all(b"\x1b2").unwrap();
    writer.flush().unwrap();
    let t = Instant::now();
    wait("sandbox    payloads/vendor0/op000.json");
    println!(
        "  Alt+2 → 100,000-row history tab on screen {:.1} ms",
        ms(t.elapsed())
    );
    writer.write_all(b"\x1b1").unwrap();
    writer.write_all(b"op000").unwrap();
    writer.write_all(b"\r").unwrap();
    writer.flush().unwrap();
    wait("valid JSON");
    let mut frames = Vec::new();
    let mut typed = String::new();
    for c in "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrst".chars() {
        typed.push(c);
        let t = Instant::now();
        writer.write_all(c.to_string().as_bytes()).unwrap();
        writer.flush().unwrap();
        // The last characters typed: the line may be scrolled sideways in a narrow editor
        // (the docs panel takes part of the 110 columns), so its start can be out of view.
        wait(&typed[typed.len().saturating_sub(16)..]);
        frames.push(t.elapsed());
    }
    stats("keystroke → character on the pty screen", frames);
    writer.write_all(b"\x11").unwrap();
    writer.flush().unwrap();
    let _ = child.wait();
}

/// Resets the kernel's peak-RSS mark (VmHWM) to the current RSS (`/proc/self/clear_refs`,
/// value 5, Linux 4.0+), so a later VmHWM is the peak of what came after. Returns whether
/// it worked.
fn reset_hwm() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn hwm_bytes() -> usize {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
            line.split_whitespace().nth(1)?.parse::<usize>().ok()
        })
        .map_or(0, |kb| kb * 1024)
}

/// The whole path: a loopback server sends 50 MB of JSON, the real session (engine,
/// history) receives it, the viewer shows it, the history records it.
fn end_to_end_large() {
    use std::io::{Read, Write};
    println!(
        "== 50 MB JSON through the real send path (loopback server → engine → viewer → history)"
    );
    let body = bytes::Bytes::from(big_body(50 * 1024 * 1024));
    let len = body.len();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let served = body.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let mut conn = conn.unwrap();
            let mut buf = [0u8; 8192];
            let _ = conn.read(&mut buf);
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                served.len()
            );
            conn.write_all(head.as_bytes()).unwrap();
            conn.write_all(&served).unwrap();
        }
    });
    let dir = tempfile::tempdir().unwrap();
    std::env::set_var("APIPLAY_HOME", dir.path());
    std::fs::write(
        dir.path().join("apiplay.toml"),
        format!("[environments.big.backends]\nmesibo = \"http://127.0.0.1:{port}/backend/\"\n"),
    )
    .unwrap();
    let payload = dir.path().join("usersget.json");
    std::fs::write(&payload, r#"{"op":"usersget"}"#).unwrap();
    std::env::set_current_dir(dir.path()).unwrap();
    drop(body);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let link = apiplay::tui::core_link::CoreLink::new(Some("big".into()), dir.path().into());
        let term = Terminal::new(TestBackend::new(160, 48)).unwrap();
        let mut tui =
            apiplay::tui::driver::Tui::new(term, link, None, Box::new(std::io::sink())).unwrap();
        tui.start();
        while tui.app.env.name != "big" {
            tui.next_message(Duration::from_millis(100)).await;
        }
        tui.handle(Message::PayloadLoaded {
            path: payload.clone(),
            result: apiplay::tui::core_link::load_payload(&payload),
            replace: None,
            restored: false,
            stale_draft: None,
        });
        let base = rss_bytes();
        let reset = reset_hwm();
        let t0 = Instant::now();
        tui.handle(key(KeyCode::F(5)));
        while tui.app.shown().is_none_or(|r| r.lines.is_empty()) {
            tui.next_message(Duration::from_millis(100)).await;
        }
        tui.draw().unwrap();
        let first = t0.elapsed();
        let hwm_first = hwm_bytes().saturating_sub(base);
        let r = tui.app.shown().unwrap();
        let transfer = r.elapsed;
        println!(
            "  {len} bytes: last byte after {:.1} ms; first screen {:.1} ms after the last byte (status line: {:?})",
            ms(transfer),
            ms(first.saturating_sub(transfer)),
            tui.app.status.as_ref().map(|s| s.1.clone()).unwrap_or_default()
        );
        if reset {
            println!(
                "  peak RSS (VmHWM, reset before the send) above the pre-send RSS when the first screen is up: {:.1} MB = {:.2}x body",
                hwm_first as f64 / 1e6,
                hwm_first as f64 / len as f64
            );
        } else {
            println!("  peak RSS: not measurable (cannot reset VmHWM through /proc/self/clear_refs)");
        }
        let mut recorded = false;
        while !recorded || !tui.app.shown().unwrap().indexed {
            tui.next_message(Duration::from_millis(100)).await;
            recorded |= tui.app.sidebar.history.rows().iter().any(|h| h.status == Some(200));
            if !recorded {
                tui.app.effects.push(Effect::LoadHistory);
                tui.perform_effects();
            }
        }
        let peak = hwm_bytes().saturating_sub(base);
        println!(
            "  indexed and recorded in the history after {:.1} ms; peak RSS above the pre-send RSS {} = {:.2}x body",
            ms(t0.elapsed()),
            if reset { format!("{:.1} MB", peak as f64 / 1e6) } else { "not measurable".into() },
            peak as f64 / len as f64
        );
    });
}

fn main() {
    end_to_end_large();
    large_response();
    startup();
    keystroke();
    real_binary();
}
