//! The real binary in a pseudo-terminal (vt100 reads the screen), for end-to-end tests: each
//! test gets its own APIPLAY_HOME and a working directory holding a copy of the repository's
//! payloads/.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{native_pty_system, Child, CommandBuilder, MasterPty, PtySize};

pub const F5: &str = "\x1b[15~";
pub const ESC: &str = "\x1b";
pub const CTRL_Q: &str = "\x11";
pub const CTRL_T: &str = "\x14";
pub const CTRL_U: &str = "\x15";
pub const DOWN: &str = "\x1b[B";
pub const DELETE: &str = "\x1b[3~";

/// Alt+`c` as a terminal sends it (Esc, then the character).
pub fn alt(c: char) -> String {
    format!("\x1b{c}")
}

pub struct Pty {
    /// The screen as vt100 reads it (for the alternate screen and the cursor).
    pub parser: Arc<Mutex<vt100::Parser>>,
    /// Every byte the binary wrote, for escape sequences the screen does not keep.
    raw: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    /// The binary (its pid for signals).
    pub child: Box<dyn Child + Send + Sync>,
    _master: Box<dyn MasterPty + Send>,
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A working directory with a copy of payloads/ and an APIPLAY_HOME.
pub fn workspace() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path().join("work");
    let home = tmp.path().join("home");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("payloads"),
        &cwd.join("payloads"),
    );
    std::fs::create_dir_all(&home).unwrap();
    (tmp, cwd, home)
}

impl Pty {
    /// `apiplay ARGS` in `cwd` with `APIPLAY_HOME=home` and the extra environment `env`.
    pub fn start(cwd: &Path, home: &Path, args: &[&str], env: &[(&str, &str)]) -> Pty {
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_apiplay"));
        cmd.args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        Pty::launch(cwd, home, cmd)
    }

    /// The TUI started by `sh` under another umask.
    pub fn start_with_umask(cwd: &Path, home: &Path, umask: &str) -> Pty {
        let mut cmd = CommandBuilder::new("sh");
        cmd.args([
            "-c",
            &format!("umask {umask}; exec \"$0\""),
            env!("CARGO_BIN_EXE_apiplay"),
        ]);
        Pty::launch(cwd, home, cmd)
    }

    /// The binary under a file size limit of `blocks` × 512 bytes, with SIGXFSZ ignored so
    /// a write past it fails with EFBIG (File too large), as on a full disk.
    pub fn start_limited(cwd: &Path, home: &Path, blocks: u32) -> Pty {
        let mut cmd = CommandBuilder::new("sh");
        cmd.args([
            "-c",
            &format!(
                "trap '' XFSZ; ulimit -f {blocks}; exec {}",
                env!("CARGO_BIN_EXE_apiplay")
            ),
        ]);
        Pty::launch(cwd, home, cmd)
    }

    /// `cmd` in a 110x30 pseudo-terminal, in `cwd` with `APIPLAY_HOME=home`.
    fn launch(cwd: &Path, home: &Path, mut cmd: CommandBuilder) -> Pty {
        let pty = native_pty_system();
        let pair = pty
            .openpty(PtySize {
                rows: 30,
                cols: 110,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        cmd.cwd(cwd);
        cmd.env("APIPLAY_HOME", home);
        cmd.env("TERM", "xterm-256color");
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let parser = Arc::new(Mutex::new(vt100::Parser::new(30, 110, 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let (p, r) = (parser.clone(), raw.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                p.lock().unwrap().process(&buf[..n]);
                r.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Pty {
            parser,
            raw,
            writer,
            child,
            _master: pair.master,
        }
    }

    /// Whether the binary has written `seq` at any time.
    pub fn raw_contains(&self, seq: &[u8]) -> bool {
        self.raw
            .lock()
            .unwrap()
            .windows(seq.len())
            .any(|w| w == seq)
    }

    /// Waits for the binary to exit, then lets the reader drain the last bytes.
    pub fn wait_exit(&mut self, secs: u64) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                std::thread::sleep(Duration::from_millis(100));
                return status;
            }
            assert!(Instant::now() < deadline, "the TUI did not exit");
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    /// Opens `mesibo-backend-payload.json` from the Payloads tab.
    pub fn open_docs_payload(&mut self) {
        self.wait_for("Payloads History Tokens", 10);
        self.keys("backend-payload");
        self.wait_for("filter: backend-payload", 5);
        self.keys("\r");
        self.wait_for("✓ valid JSON", 10);
    }

    pub fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Waits until the screen shows `text`; returns the screen.
    pub fn wait_for(&self, text: &str, secs: u64) -> String {
        self.wait_until(text, secs, |s| s.contains(text))
    }

    /// Waits until the screen no longer shows `text`.
    pub fn wait_gone(&self, text: &str, secs: u64) -> String {
        self.wait_until(&format!("{text} to go"), secs, |s| !s.contains(text))
    }

    fn wait_until(&self, what: &str, secs: u64, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let screen = self.screen();
            if ok(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what:?}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    pub fn keys(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        // Lets crossterm tell a lone Esc from the start of a sequence.
        std::thread::sleep(Duration::from_millis(80));
    }

    /// The rows of the payload tree (the left column), top to bottom.
    pub fn tree_rows(&self) -> Vec<String> {
        self.screen()
            .lines()
            .skip(4)
            .map(|l| {
                l.chars()
                    .skip(1)
                    .take_while(|c| *c != '│')
                    .collect::<String>()
                    .trim()
                    .to_owned()
            })
            .take_while(|r| !r.is_empty())
            .collect()
    }

    /// Filters the tree by `filter` (clearing the old filter first) and opens the first row.
    pub fn open(&mut self, filter: &str) {
        self.keys(CTRL_U);
        self.keys(filter);
        self.wait_for(&format!("filter: {filter}"), 5);
        self.keys("\r");
    }

    pub fn quit(&mut self) {
        self.keys(CTRL_Q);
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.child.try_wait().unwrap().is_none() {
            assert!(Instant::now() < deadline, "the TUI did not exit");
            std::thread::sleep(Duration::from_millis(30));
        }
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}
