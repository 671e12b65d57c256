//! The Agora Chat tables: registered users and the exchanged (opaque) Chat app tokens.

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::{now_millis, token_digest, Store, StoreError};

/// A registered Agora Chat user, as the `entities` of the REST API show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatUser {
    /// The user's UUID.
    pub uuid: String,
    /// The username as registered (case preserved).
    pub username: String,
    /// Optional nickname.
    pub nickname: Option<String>,
    /// Creation time, Unix milliseconds.
    pub created: i64,
    /// Last change, Unix milliseconds.
    pub modified: i64,
}

/// A user to register.
#[derive(Debug, Clone)]
pub struct NewChatUser {
    /// The username (validated by the caller).
    pub username: String,
    /// Optional nickname.
    pub nickname: Option<String>,
}

/// The outcome of registering one user of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Registered {
    /// Created.
    Created(ChatUser),
    /// The name (compared without case) is taken.
    Duplicate(String),
}

const COLUMNS: &str = "uuid, username, nickname, created, modified";

fn user_row(row: &Row<'_>) -> rusqlite::Result<ChatUser> {
    Ok(ChatUser {
        uuid: row.get(0)?,
        username: row.get(1)?,
        nickname: row.get(2)?,
        created: row.get(3)?,
        modified: row.get(4)?,
    })
}

/// Usernames are unique regardless of case: the key is the lower-cased name.
fn key(username: &str) -> String {
    username.to_ascii_lowercase()
}

fn find(conn: &Connection, username: &str) -> rusqlite::Result<Option<ChatUser>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM agora_users WHERE username_key = ?1"
    ))?
    .query_row([key(username)], user_row)
    .optional()
}

/// One page of users after `after` (a rowid), in registration order, and the rowid to go on
/// from when more remain.
fn page(
    conn: &Connection,
    limit: u32,
    after: i64,
) -> rusqlite::Result<(Vec<ChatUser>, Option<i64>)> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS}, rowid FROM agora_users WHERE rowid > ?1 ORDER BY rowid LIMIT ?2"
    ))?;
    let mut users = Vec::new();
    let mut last = after;
    let mut rows = stmt.query(params![after, i64::from(limit) + 1])?;
    while let Some(row) = rows.next()? {
        if users.len() == limit as usize {
            return Ok((users, Some(last)));
        }
        users.push(user_row(row)?);
        last = row.get(5)?;
    }
    Ok((users, None))
}

impl Store {
    /// Registers users in one durable step; each is created or reported as a duplicate.
    pub async fn agora_register(
        &self,
        users: Vec<NewChatUser>,
    ) -> Result<Vec<Registered>, StoreError> {
        self.write(move |conn| {
            let now = now_millis();
            let mut stmt = conn.prepare_cached(&format!(
                "INSERT INTO agora_users (uuid, username, username_key, nickname, created, modified)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5)
                 ON CONFLICT (username_key) DO NOTHING
                 RETURNING {COLUMNS}"
            ))?;
            let mut out = Vec::with_capacity(users.len());
            for user in users {
                let uuid = uuid::Uuid::new_v4().to_string();
                let created = stmt
                    .query_row(
                        params![uuid, user.username, key(&user.username), user.nickname, now],
                        user_row,
                    )
                    .optional()?;
                out.push(match created {
                    Some(created) => Registered::Created(created),
                    None => Registered::Duplicate(user.username),
                });
            }
            Ok(out)
        })
        .await
    }

    /// Looks a user up by name (without case).
    pub async fn agora_user(&self, username: String) -> Result<Option<ChatUser>, StoreError> {
        self.read(move |conn| Ok(find(conn, &username)?)).await
    }

    /// Deletes a user by name (without case); the deleted user, if there was one.
    pub async fn agora_delete_user(
        &self,
        username: String,
    ) -> Result<Option<ChatUser>, StoreError> {
        self.write(move |conn| {
            let Some(user) = find(conn, &username)? else {
                return Ok(None);
            };
            conn.prepare_cached("DELETE FROM agora_users WHERE uuid = ?1")?
                .execute([&user.uuid])?;
            Ok(Some(user))
        })
        .await
    }

    /// Users in order of registration, `limit` of them after the cursor (a rowid); the page
    /// and the next cursor when more remain.
    pub async fn agora_list(
        &self,
        limit: u32,
        after: i64,
    ) -> Result<(Vec<ChatUser>, Option<i64>), StoreError> {
        self.read(move |conn| Ok(page(conn, limit, after)?)).await
    }

    /// Deletes the `limit` earliest-registered users after the cursor; the deleted users and
    /// the next cursor when more remain.
    pub async fn agora_delete_many(
        &self,
        limit: u32,
        after: i64,
    ) -> Result<(Vec<ChatUser>, Option<i64>), StoreError> {
        self.write(move |conn| {
            let (users, next) = page(conn, limit, after)?;
            let mut stmt = conn.prepare_cached("DELETE FROM agora_users WHERE uuid = ?1")?;
            for user in &users {
                stmt.execute([&user.uuid])?;
            }
            Ok((users, next))
        })
        .await
    }

    /// Sets a user's nickname; the changed user, if there is one.
    pub async fn agora_set_nickname(
        &self,
        username: String,
        nickname: Option<String>,
    ) -> Result<Option<ChatUser>, StoreError> {
        self.write(move |conn| {
            Ok(conn
                .prepare_cached(&format!(
                    "UPDATE agora_users SET nickname = COALESCE(?2, nickname), modified = ?3
                     WHERE username_key = ?1 RETURNING {COLUMNS}"
                ))?
                .query_row(params![key(&username), nickname, now_millis()], user_row)
                .optional()?)
        })
        .await
    }

    /// Remembers an exchanged Chat app token (by digest) until `expires_ms`.
    pub async fn agora_remember_token(
        &self,
        token: String,
        expires_ms: i64,
    ) -> Result<(), StoreError> {
        self.write(move |conn| {
            conn.prepare_cached(
                "INSERT OR REPLACE INTO agora_access_tokens (digest, expires_ms) VALUES (?1, ?2)",
            )?
            .execute(params![token_digest(&token), expires_ms])?;
            Ok(())
        })
        .await
    }

    /// When an exchanged Chat app token expires (Unix ms), if the store issued it.
    pub async fn agora_token_expiry(&self, token: String) -> Result<Option<i64>, StoreError> {
        self.read(move |conn| {
            Ok(conn
                .prepare_cached("SELECT expires_ms FROM agora_access_tokens WHERE digest = ?1")?
                .query_row([token_digest(&token)], |row| row.get(0))
                .optional()?)
        })
        .await
    }
}
