//! Fixtures for the curl tests: a standalone `apiplay sandbox` on a free loopback port, and a
//! workspace whose apiplay.toml points an environment at it with the sandbox's variables,
//! secrets read from process variables as a real environment keeps them.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use apiplay::config::{Environment, VariableSource};
use apiplay::curl::shell::variable_name;

/// A running `apiplay sandbox`; killed on drop.
pub struct Sandbox {
    child: Child,
    pub port: u16,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Sandbox {
    pub fn root(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

/// Starts `apiplay sandbox --listen 127.0.0.1:PORT --db :memory:` and waits until it listens.
pub fn standalone_sandbox() -> Sandbox {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let home = tempfile::tempdir().unwrap().into_path();
    let child = Command::new(env!("CARGO_BIN_EXE_apiplay"))
        .args([
            "sandbox",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--db",
            ":memory:",
        ])
        .env("APIPLAY_HOME", home)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the sandbox did not listen");
        std::thread::sleep(Duration::from_millis(50));
    }
    Sandbox { child, port }
}

/// A workspace: `apiplay.toml` with environment `name` on the sandbox at `root` (every
/// backend, every variable of the built-in sandbox environment; each secret as
/// `{ env = "UPPER_NAME" }`), the shipped payloads copied in, and its own APIPLAY_HOME.
pub struct Workspace {
    pub dir: tempfile::TempDir,
    pub home: tempfile::TempDir,
    pub env: String,
    /// The secrets' process variables and their (demo) values.
    pub secrets: BTreeMap<String, String>,
}

pub fn workspace(name: &str, root: &str) -> Workspace {
    let dir = tempfile::tempdir().unwrap();
    let mut sandbox = Environment::sandbox();
    sandbox.bind_sandbox(root);
    let mut toml = format!("[environments.{name}.backends]\n");
    for (backend, url) in &sandbox.backends {
        writeln!(toml, "{backend} = \"{url}\"").unwrap();
    }
    write!(toml, "\n[environments.{name}.variables]\n").unwrap();
    let mut secrets = BTreeMap::new();
    for (var, v) in &sandbox.variables {
        let VariableSource::Literal(value) = &v.source else {
            panic!("the sandbox's {var} is not a literal")
        };
        let value = value.as_str().unwrap();
        if v.secret {
            let process = variable_name(var);
            writeln!(toml, "{var} = {{ env = \"{process}\" }}").unwrap();
            secrets.insert(process, value.to_owned());
        } else {
            writeln!(toml, "{var} = {value:?}").unwrap();
        }
    }
    std::fs::write(dir.path().join("apiplay.toml"), toml).unwrap();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("payloads"),
        &dir.path().join("payloads"),
    );
    Workspace {
        dir,
        home: tempfile::tempdir().unwrap(),
        env: name.to_owned(),
        secrets,
    }
}

fn copy_dir(from: &Path, to: &Path) {
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

impl Workspace {
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The real binary in the workspace, with its secrets in the process environment.
    pub fn apiplay(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::new(env!("CARGO_BIN_EXE_apiplay"));
        cmd.current_dir(self.path())
            .env("APIPLAY_HOME", self.home.path())
            .env("NO_COLOR", "1")
            .envs(&self.secrets)
            .timeout(Duration::from_secs(60));
        cmd
    }

    /// Every shipped payload body, relative to the workspace (`payloads/mesibo/useradd.json`).
    pub fn payloads(&self) -> Vec<String> {
        let mut out = Vec::new();
        walk(&self.path().join("payloads"), &mut out);
        let mut rel: Vec<String> = out
            .iter()
            .map(|p| p.strip_prefix(self.path()).unwrap().display().to_string())
            .collect();
        rel.sort();
        rel
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

/// `apiplay send` a payload: the status from the status line and the body bytes as text.
pub fn send(ws: &Workspace, payload: &str, vars: &[(String, String)]) -> (u16, String) {
    let mut cmd = ws.apiplay();
    cmd.args(["send", payload, "--env", &ws.env, "--output", "raw"]);
    for (k, v) in vars {
        cmd.args(["--var", &format!("{k}={v}")]);
    }
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let status = stderr
        .lines()
        .find_map(|l| {
            l.split(' ')
                .next()?
                .parse::<u16>()
                .ok()
                .filter(|s| *s >= 100)
        })
        .unwrap_or_else(|| panic!("no status line from send {payload}: {stderr}"));
    (status, String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Runs a command text with `sh -c` (curl's status appended with `-w`), the given process
/// variables set: the status and the body.
pub fn run_curl(command: &str, vars: &BTreeMap<String, String>) -> (u16, String) {
    let run = Command::new("sh")
        .arg("-c")
        .arg(format!("{} -sS -w '\\n%{{http_code}}'", command.trim_end()))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(vars)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{command}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let text = String::from_utf8(run.stdout).unwrap();
    let (body, status) = text.rsplit_once('\n').unwrap();
    (status.parse().unwrap(), body.to_owned())
}

/// Every key path of a JSON value (`user.token`, `entities[].uuid`; a run of digits in a key
/// as one `#`),
/// or the start of a text.
pub fn shape(text: &str) -> String {
    fn walk(value: &serde_json::Value, prefix: &str, out: &mut std::collections::BTreeSet<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    // Keys that are generated names (`user_461961`, `user_32244`) differ
                    // between runs: each run of digits is one `#`.
                    let mut k2 = String::new();
                    for c in k.chars() {
                        if !c.is_ascii_digit() {
                            k2.push(c);
                        } else if !k2.ends_with('#') {
                            k2.push('#');
                        }
                    }
                    let k = k2;
                    let path = format!("{prefix}.{k}");
                    out.insert(path.clone());
                    walk(v, &path, out);
                }
            }
            serde_json::Value::Array(items) => {
                for v in items {
                    walk(v, &format!("{prefix}[]"), out);
                }
            }
            _ => {}
        }
    }
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v) => {
            let mut out = std::collections::BTreeSet::new();
            walk(&v, "", &mut out);
            format!("{out:?}")
        }
        Err(_) => format!("text starting {:?}", text.get(..3).unwrap_or(text)),
    }
}
