//! The TUI's start and its idle cost (issue 13), on the real release binary in a 110x30
//! pseudo-terminal with 1,000 payloads:
//! - 30 starts: exec → first frame, and first frame → the payload list on screen, with no key
//!   sent (target: the list within 15 ms of the first frame in every start);
//! - idle for 30 s on the Payloads tab, then on the Tokens tab with a live token (a countdown
//!   ticking once a second): CPU time from /proc/PID/stat (utime + stime, clock ticks) and
//!   /proc/PID/task/*/schedstat (nanoseconds on a CPU), and the threads' context switches
//!   (target: ≤ 20 ms CPU per 20 idle seconds).
//!
//! `cargo bench --bench tui_start_idle` (Linux; set `APIPLAY_BENCH_IDLE_SECS` to idle less).
#![allow(clippy::unwrap_used)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use portable_pty::{native_pty_system, Child, CommandBuilder, MasterPty, PtySize};

const STARTS: usize = 30;
const FIRST_FRAME: &str = "Payloads History Tokens";
const LISTED: &str = "vendor0/ op000.json";

/// When each awaited text first showed, as the reader saw the bytes arrive.
#[derive(Default)]
struct Seen {
    first_frame: Option<Instant>,
    listed: Option<Instant>,
    screen: String,
}

struct Tui {
    seen: Arc<Mutex<Seen>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    _master: Box<dyn MasterPty + Send>,
    started: Instant,
}

impl Tui {
    fn start(cwd: &Path, home: &Path) -> Tui {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: 30,
                cols: 110,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_apiplay"));
        cmd.cwd(cwd);
        cmd.env("APIPLAY_HOME", home);
        cmd.env("TERM", "xterm-256color");
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let seen = Arc::new(Mutex::new(Seen::default()));
        let s = seen.clone();
        std::thread::spawn(move || {
            let mut parser = vt100::Parser::new(30, 110, 0);
            let mut buf = [0u8; 16_384];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let at = Instant::now();
                parser.process(&buf[..n]);
                let screen = parser.screen().contents();
                let mut seen = s.lock().unwrap();
                if seen.first_frame.is_none() && screen.contains(FIRST_FRAME) {
                    seen.first_frame = Some(at);
                }
                if seen.listed.is_none() && screen.contains(LISTED) {
                    seen.listed = Some(at);
                }
                seen.screen = screen;
            }
        });
        let started = Instant::now();
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        Tui {
            seen,
            writer,
            child,
            _master: pair.master,
            started,
        }
    }

    /// Waits (up to 20 s) until `f` finds what it looks for on the screen.
    fn wait<T>(&self, what: &str, f: impl Fn(&Seen) -> Option<T>) -> T {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(v) = f(&self.seen.lock().unwrap()) {
                return v;
            }
            assert!(
                Instant::now() < deadline,
                "never saw {what}; screen:\n{}",
                self.seen.lock().unwrap().screen
            );
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    fn keys(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    fn quit(mut self) {
        self.keys("\x11");
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.child.try_wait().unwrap().is_none() {
            assert!(Instant::now() < deadline, "the TUI did not quit");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn pid(&self) -> u32 {
        self.child.process_id().unwrap()
    }
}

fn main() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path().join("work");
    for v in 0..10 {
        let dir = cwd.join("payloads").join(format!("vendor{v}"));
        std::fs::create_dir_all(&dir).unwrap();
        for i in 0..100 {
            std::fs::write(dir.join(format!("op{i:03}.json")), r#"{"op":"useradd"}"#).unwrap();
        }
    }
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    starts(&cwd, &home);
    idle(&cwd, &home);
}

fn starts(cwd: &Path, home: &Path) {
    println!("== {STARTS} starts of the real binary in a 110x30 pty, 1,000 payloads, no key sent");
    let (mut first, mut listed) = (Vec::new(), Vec::new());
    for _ in 0..STARTS {
        let tui = Tui::start(cwd, home);
        let (f, l) = tui.wait("the payload list", |s| s.first_frame.zip(s.listed));
        first.push(f - tui.started);
        listed.push(l.saturating_duration_since(f));
        tui.quit();
    }
    stats("exec → first frame", &mut first);
    stats("first frame → payload list on screen", &mut listed);
    let worst = listed.iter().max().copied().unwrap_or_default();
    println!(
        "  worst list start over {STARTS} starts: {:.1} ms after the first frame (target ≤ 15 ms: {})",
        ms(worst),
        if worst <= Duration::from_millis(15) {
            "met"
        } else {
            "MISSED"
        }
    );
}

fn idle(cwd: &Path, home: &Path) {
    let secs: u64 = std::env::var("APIPLAY_BENCH_IDLE_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let tick = clock_ticks_per_second();
    seed_token(&home.join(apiplay::history::FILE_NAME));
    println!("== idle for {secs} s (CPU of the whole process, all threads)");
    let mut tui = Tui::start(cwd, home);
    tui.wait("the payload list", |s| s.listed);
    for (name, keys) in [
        ("Payloads tab, nothing moving", None),
        ("Tokens tab, one countdown ticking", Some("\x1b3")),
    ] {
        if let Some(keys) = keys {
            tui.keys(keys);
            tui.wait("the Tokens tab", |s| {
                s.screen.contains("time left").then_some(())
            });
        }
        // Let start-up work (history and token loads, the sandbox) finish first.
        std::thread::sleep(Duration::from_secs(2));
        let before = usage(tui.pid(), tick);
        std::thread::sleep(Duration::from_secs(secs));
        let after = usage(tui.pid(), tick);
        let cpu = after.stat.saturating_sub(before.stat);
        let (sched, switches) = after.since(&before);
        let per_20 = cpu.as_secs_f64() * 20.0 / secs as f64;
        println!(
            "  {name}: {:.0} ms CPU by /proc/PID/stat ({:.1} ms by schedstat), {} context switches in {secs} s; {:.1} ms per 20 s (target ≤ 20 ms: {})",
            ms(cpu),
            ms(sched),
            switches,
            per_20 * 1e3,
            if per_20 <= 0.020 { "met" } else { "MISSED" }
        );
    }
    tui.quit();
}

/// CPU used by a process so far.
struct Usage {
    /// utime + stime of /proc/PID/stat (threads that exited included).
    stat: Duration,
    /// Per live thread: run time in /proc/PID/task/TID/schedstat (ns) and voluntary +
    /// involuntary context switches. Compared thread by thread, since a thread that exits
    /// between two samples (tokio's idle blocking threads do after 10 s) takes its counts away.
    threads: std::collections::HashMap<String, (u64, u64)>,
}

impl Usage {
    /// Run time and context switches of the threads between `before` and `self`: threads
    /// alive in both count their growth, threads born since count whole.
    fn since(&self, before: &Usage) -> (Duration, u64) {
        let (mut sched, mut switches) = (0u64, 0u64);
        for (tid, (ns, sw)) in &self.threads {
            let (ns0, sw0) = before.threads.get(tid).copied().unwrap_or((0, 0));
            sched += ns.saturating_sub(ns0);
            switches += sw.saturating_sub(sw0);
        }
        (Duration::from_nanos(sched), switches)
    }
}

fn usage(pid: u32, tick: u64) -> Usage {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of proc(5); `rest` starts at field 3.
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    let mut threads = std::collections::HashMap::new();
    for task in std::fs::read_dir(format!("/proc/{pid}/task")).unwrap() {
        let task: PathBuf = task.unwrap().path();
        let tid = task.file_name().unwrap().to_string_lossy().into_owned();
        let sched = std::fs::read_to_string(task.join("schedstat"))
            .ok()
            .and_then(|text| text.split_whitespace().next()?.parse::<u64>().ok())
            .unwrap_or(0);
        let switches: u64 = std::fs::read_to_string(task.join("status")).map_or(0, |text| {
            text.lines()
                .filter(|line| line.contains("ctxt_switches:"))
                .filter_map(|line| line.split_whitespace().nth(1)?.parse::<u64>().ok())
                .sum()
        });
        threads.insert(tid, (sched, switches));
    }
    Usage {
        stat: Duration::from_nanos(ticks * 1_000_000_000 / tick),
        threads,
    }
}

fn clock_ticks_per_second() -> u64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100)
}

/// One live mesibo token in the history, so the Tokens tab has a countdown.
fn seed_token(path: &Path) {
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis();
    let exchange = apiplay::http::Exchange {
        started_at_ms: i64::try_from(now_ms).unwrap(),
        environment: "sandbox".into(),
        payload: "payloads/vendor0/op000.json".into(),
        request: apiplay::http::RenderedRequest {
            method: "POST".into(),
            url: "http://127.0.0.1:1/backend/".into(),
            headers: vec![],
            body: Some(r#"{"op":"useradd","token":"t","user":{"address":"a@example.com","token":{"appid":"x","expiry":60}}}"#.into()),
        },
        outcome: Ok(apiplay::http::Response {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: br#"{"user":{"uid":"1","token":"0123456789abcdef0123456789abcdef"},"op":"useradd","result":true}"#
                .to_vec()
                .into(),
            ttfb_ms: 1.0,
            elapsed_ms: 1.0,
            sent_headers: Vec::new(),
        }),
    };
    let mut store = apiplay::history::Store::open(path).unwrap();
    let recorded = store
        .record(&exchange, &std::collections::BTreeMap::new())
        .unwrap();
    assert_eq!(
        recorded.tokens.len(),
        1,
        "the seeded response issues a token"
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn stats(name: &str, v: &mut [Duration]) {
    v.sort();
    println!(
        "  {name}: median {:.1} ms, p90 {:.1} ms, worst {:.1} ms",
        ms(v[v.len() / 2]),
        ms(v[(v.len() * 9) / 10]),
        ms(v[v.len() - 1])
    );
}
