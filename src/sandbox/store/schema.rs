//! Connection settings and the versioned schema of the sandbox store.

use rusqlite::Connection;

/// Each entry upgrades the schema by one version (`PRAGMA user_version`).
const MIGRATIONS: &[&str] = &[
    r"
CREATE TABLE mesibo_users (
    uid     INTEGER PRIMARY KEY AUTOINCREMENT,
    address TEXT NOT NULL UNIQUE,
    name    TEXT NOT NULL DEFAULT '',
    active  INTEGER NOT NULL DEFAULT 1,
    flags   INTEGER NOT NULL DEFAULT 0,
    created INTEGER NOT NULL
);
-- Keyed by (uid, digest): new tokens of new users append at the end of one b-tree instead of
-- dirtying a random page of a digest index per insert, which halves the bytes each commit
-- writes to the WAL.
CREATE TABLE mesibo_tokens (
    uid     INTEGER NOT NULL,
    digest  BLOB NOT NULL,
    appid   TEXT NOT NULL,
    issued  INTEGER NOT NULL,
    expires INTEGER NOT NULL,
    PRIMARY KEY (uid, digest)
) WITHOUT ROWID;
CREATE TABLE mesibo_groups (
    gid     INTEGER PRIMARY KEY AUTOINCREMENT,
    name    TEXT NOT NULL DEFAULT '',
    flags   INTEGER NOT NULL DEFAULT 0,
    active  INTEGER NOT NULL DEFAULT 1,
    expiry  INTEGER NOT NULL,
    created INTEGER NOT NULL
);
CREATE TABLE mesibo_members (
    gid     INTEGER NOT NULL,
    address TEXT NOT NULL,
    PRIMARY KEY (gid, address)
) WITHOUT ROWID;
CREATE TABLE mesibo_messages (
    mid       INTEGER PRIMARY KEY AUTOINCREMENT,
    sender    TEXT NOT NULL,
    recipient TEXT,
    gid       INTEGER,
    body      TEXT NOT NULL,
    kind      INTEGER NOT NULL DEFAULT 0,
    expiry    INTEGER NOT NULL,
    created   INTEGER NOT NULL
);
CREATE TABLE agora_users (
    uuid         TEXT PRIMARY KEY,
    username     TEXT NOT NULL,
    username_key TEXT NOT NULL UNIQUE,
    nickname     TEXT,
    created      INTEGER NOT NULL,
    modified     INTEGER NOT NULL
);
CREATE TABLE agora_access_tokens (
    digest     BLOB PRIMARY KEY,
    expires_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE vonage_sessions (
    session_id TEXT PRIMARY KEY,
    created    INTEGER NOT NULL
) WITHOUT ROWID;
-- The docs' examples show uids and gids in these ranges; start there so answers look familiar.
INSERT INTO sqlite_sequence (name, seq) VALUES ('mesibo_users', 5300), ('mesibo_groups', 102528);
",
    r#"
-- Twilio Conversations: services, users, conversations, participants and messages
-- (store/twilio.rs). `uniq` is an identity or a unique name, unique within the parent.
CREATE TABLE twilio_resources (
    sid     TEXT PRIMARY KEY,
    kind    TEXT NOT NULL,
    service TEXT NOT NULL,
    parent  TEXT NOT NULL,
    uniq    TEXT,
    ord     INTEGER NOT NULL DEFAULT 0,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    fields  TEXT NOT NULL
);
CREATE UNIQUE INDEX twilio_resources_uniq ON twilio_resources (kind, parent, uniq)
    WHERE uniq IS NOT NULL;
CREATE INDEX twilio_resources_parent ON twilio_resources (parent, kind);
CREATE INDEX twilio_resources_service ON twilio_resources (service);
-- The account's default Conversation Service, which the top-level /v1/Users and
-- /v1/Conversations routes and the quickstart token's chat grant name (demo.rs).
INSERT INTO twilio_resources (sid, kind, service, parent, uniq, ord, created, updated, fields)
VALUES ('ISaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'service', 'ISaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', '',
        NULL, 0, CAST(strftime('%s', 'now') AS INTEGER), CAST(strftime('%s', 'now') AS INTEGER),
        '{"friendly_name":"Default Conversations Service"}');
"#,
];

/// Pragmas of the writer connection.
pub fn configure_writer(conn: &Connection, on_disk: bool) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    if on_disk {
        // Only takes effect on a new file. Each insert into an index dirties one leaf page, and
        // a commit writes every dirty page to the WAL: small pages make commits small.
        conn.pragma_update(None, "page_size", 1024)?;
        // WAL + NORMAL: a commit is a write to the WAL (durable against a killed process);
        // fsync happens at checkpoints only.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "wal_autocheckpoint", 16_384)?;
        conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
    }
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

/// Brings the schema up to date. Several processes may open a new file at once (sixteen
/// `apiplay send` on a fresh data dir): each step takes the write lock (`BEGIN IMMEDIATE`,
/// waiting on the busy timeout) and re-reads the version under it, so a step another process
/// has applied meanwhile is skipped instead of failing with "table already exists".
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let current: usize = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let now: usize = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
        if now > index {
            continue;
        }
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index + 1)?;
        tx.commit()?;
    }
    Ok(())
}
