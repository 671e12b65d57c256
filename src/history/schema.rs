//! The history database's schema, as numbered migrations tracked by `PRAGMA user_version`.
//! A migration is never edited once released; a change is a new entry at the end.

use rusqlite::Connection;

/// Migrations in order; `user_version` is the number applied.
const MIGRATIONS: &[&str] = &[
    // 1: exchanges, issued tokens, captured values.
    "CREATE TABLE exchanges (
        id               INTEGER PRIMARY KEY,
        started_at_ms    INTEGER NOT NULL,
        environment      TEXT NOT NULL,
        payload          TEXT NOT NULL,
        method           TEXT NOT NULL,
        url              TEXT NOT NULL,
        request_headers  TEXT NOT NULL,
        request_body     TEXT,
        status           INTEGER,
        response_headers TEXT,
        response_body    BLOB,
        ttfb_ms          REAL,
        elapsed_ms       REAL,
        error            TEXT
    );
    CREATE TABLE tokens (
        id          INTEGER PRIMARY KEY,
        format      TEXT NOT NULL,
        token       TEXT NOT NULL,
        subject     TEXT,
        app         TEXT,
        issued_at   INTEGER NOT NULL,
        expires_at  INTEGER,
        exchange_id INTEGER REFERENCES exchanges(id) ON DELETE SET NULL,
        environment TEXT NOT NULL,
        source      TEXT NOT NULL,
        claims      TEXT NOT NULL
    );
    CREATE INDEX tokens_by_subject ON tokens(subject, expires_at);
    CREATE INDEX tokens_by_expiry ON tokens(expires_at);
    CREATE TABLE captures (
        environment   TEXT NOT NULL,
        name          TEXT NOT NULL,
        value         TEXT NOT NULL,
        exchange_id   INTEGER,
        updated_at_ms INTEGER NOT NULL,
        PRIMARY KEY (environment, name)
    ) WITHOUT ROWID;",
    // 2: whether the API said no (an HTTP error status, or mesibo's `"result": false` in a
    // 200), so the history shows a refusal as one. Earlier rows are classified once here.
    "ALTER TABLE exchanges ADD COLUMN refused INTEGER NOT NULL DEFAULT 0;
    UPDATE exchanges SET refused = 1
     WHERE status >= 400
        OR (response_body IS NOT NULL
            AND json_valid(CAST(response_body AS TEXT))
            AND json_type(CAST(response_body AS TEXT), '$.result') = 'false');",
    // 3: every header of the request as it went on the wire (secrets as `{{name}}`), for the
    // view of the exact request that went out.
    "ALTER TABLE exchanges ADD COLUMN sent_headers TEXT;",
];

/// Brings the database to the newest schema; each step commits with its version.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let current: usize = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // Another process may have migrated while we waited for the write lock.
        let now: usize = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if now > index {
            continue;
        }
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index + 1)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn migration_2_classifies_earlier_refusals() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        let insert = |status: Option<i64>, body: Option<&[u8]>| {
            conn.execute(
                "INSERT INTO exchanges (started_at_ms, environment, payload, method, url,
                   request_headers, status, response_body) VALUES (0, 's', 'p', 'POST', 'u', '[]', ?1, ?2)",
                rusqlite::params![status, body],
            )
            .unwrap();
        };
        insert(
            Some(200),
            Some(br#"{"op":"useradd","result":false,"error":"AUTHFAIL"}"#),
        );
        insert(Some(200), Some(br#"{"op":"useradd","result":true}"#));
        insert(Some(401), Some(b"nope"));
        insert(Some(200), Some(b"\xff not json"));
        insert(None, None);
        migrate(&mut conn).unwrap();
        let refused: Vec<bool> = conn
            .prepare("SELECT refused FROM exchanges ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(refused, [true, false, true, false, false]);
    }
}
