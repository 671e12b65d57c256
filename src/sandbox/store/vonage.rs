//! The Vonage Video table: the sessions the sandbox created.

use rusqlite::{params, OptionalExtension};

use super::{now_secs, Store, StoreError};

impl Store {
    /// Records a created session.
    pub async fn vonage_add_session(&self, session_id: String) -> Result<(), StoreError> {
        self.write(move |conn| {
            conn.prepare_cached(
                "INSERT OR IGNORE INTO vonage_sessions (session_id, created) VALUES (?1, ?2)",
            )?
            .execute(params![session_id, now_secs()])?;
            Ok(())
        })
        .await
    }

    /// When a session was created (Unix seconds), if the sandbox created it.
    pub async fn vonage_session_created(
        &self,
        session_id: String,
    ) -> Result<Option<i64>, StoreError> {
        self.read(move |conn| {
            Ok(conn
                .prepare_cached("SELECT created FROM vonage_sessions WHERE session_id = ?1")?
                .query_row([session_id], |row| row.get(0))
                .optional()?)
        })
        .await
    }
}
