//! The mesibo tables: users, their tokens (stored hashed), groups, members and messages.

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::{now_secs, token_digest, Store, StoreError};

/// A mesibo user as the backend API reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// The stable numeric id; an address keeps it for life.
    pub uid: i64,
    /// The address (any unique string: phone, email, username).
    pub address: String,
    /// Display name.
    pub name: String,
    /// Whether the user may connect.
    pub active: bool,
    /// Application-defined flags.
    pub flags: i64,
}

/// A user token about to be stored with the user it belongs to.
#[derive(Debug, Clone)]
pub struct NewToken {
    /// The token itself; only its digest is stored.
    pub token: String,
    /// The app id the token is bound to.
    pub appid: String,
    /// Unix seconds at which it stops working.
    pub expires: i64,
}

/// `useradd`: creates the user or updates the given fields, and optionally issues a token.
#[derive(Debug, Clone)]
pub struct UserAdd {
    /// The address (the key).
    pub address: String,
    /// New display name, if given.
    pub name: Option<String>,
    /// New active state, if given.
    pub active: Option<bool>,
    /// New flags, if given.
    pub flags: Option<i64>,
    /// A token to issue.
    pub token: Option<NewToken>,
}

/// Names a user by uid or address.
#[derive(Debug, Clone)]
pub enum UserRef {
    /// By numeric id.
    Uid(i64),
    /// By address.
    Address(String),
}

/// Fields a `userset`/`groupset` may change; `None` keeps the stored value.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    /// Display name.
    pub name: Option<String>,
    /// Active state.
    pub active: Option<bool>,
    /// Flags.
    pub flags: Option<i64>,
    /// Group expiry in seconds (groups only).
    pub expiry: Option<i64>,
}

/// A mesibo group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The numeric group id.
    pub gid: i64,
    /// Group name.
    pub name: String,
    /// Group flags (0 normal, 1 selected senders, ...).
    pub flags: i64,
    /// Whether the group is active.
    pub active: bool,
    /// Lifetime in seconds from creation.
    pub expiry: i64,
}

/// A message to store.
#[derive(Debug, Clone)]
pub struct NewMessage {
    /// Sender address.
    pub from: String,
    /// Recipient users' addresses (the docs' comma-separated `to`).
    pub to: Vec<String>,
    /// A recipient group.
    pub gid: Option<i64>,
    /// The text.
    pub body: String,
    /// Application-defined type.
    pub kind: i64,
    /// Lifetime in seconds.
    pub expiry: i64,
}

/// Why a message could not be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageRefused {
    /// No user has the sender's address.
    NoSender,
    /// No user has this recipient's address.
    NoRecipient(String),
    /// No group has this gid.
    NoGroup(i64),
}

/// The default group lifetime: one year, in seconds.
pub const ONE_YEAR_SECS: i64 = 365 * 24 * 60 * 60;

const USER_COLUMNS: &str = "uid, address, name, active, flags";
const GROUP_COLUMNS: &str = "gid, name, flags, active, expiry";

fn user_row(row: &Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        uid: row.get(0)?,
        address: row.get(1)?,
        name: row.get(2)?,
        active: row.get(3)?,
        flags: row.get(4)?,
    })
}

fn group_row(row: &Row<'_>) -> rusqlite::Result<Group> {
    Ok(Group {
        gid: row.get(0)?,
        name: row.get(1)?,
        flags: row.get(2)?,
        active: row.get(3)?,
        expiry: row.get(4)?,
    })
}

fn find_user(conn: &Connection, who: &UserRef) -> rusqlite::Result<Option<User>> {
    match who {
        UserRef::Uid(uid) => conn
            .prepare_cached(&format!(
                "SELECT {USER_COLUMNS} FROM mesibo_users WHERE uid = ?1"
            ))?
            .query_row([uid], user_row),
        UserRef::Address(address) => conn
            .prepare_cached(&format!(
                "SELECT {USER_COLUMNS} FROM mesibo_users WHERE address = ?1"
            ))?
            .query_row([address], user_row),
    }
    .optional()
}

fn find_group(conn: &Connection, gid: i64) -> rusqlite::Result<Option<Group>> {
    conn.prepare_cached(&format!(
        "SELECT {GROUP_COLUMNS} FROM mesibo_groups WHERE gid = ?1"
    ))?
    .query_row([gid], group_row)
    .optional()
}

/// Turns a `*` wildcard pattern into a `LIKE` pattern with `\` as the escape.
fn like_pattern(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 2);
    for c in pattern.chars() {
        match c {
            '*' => out.push('%'),
            '%' | '_' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

impl Store {
    /// Creates or updates a user and issues its token, in one durable step.
    pub async fn mesibo_useradd(&self, add: UserAdd) -> Result<User, StoreError> {
        self.write(move |conn| {
            let now = now_secs();
            // Update first: an upsert would burn an AUTOINCREMENT value on every repeat, and
            // uids should read as a dense sequence.
            let existing = conn
                .prepare_cached(&format!(
                    "UPDATE mesibo_users SET name = COALESCE(?2, name),
                        active = COALESCE(?3, active), flags = COALESCE(?4, flags)
                     WHERE address = ?1 RETURNING {USER_COLUMNS}"
                ))?
                .query_row(
                    params![add.address, add.name, add.active, add.flags],
                    user_row,
                )
                .optional()?;
            let user = match existing {
                Some(user) => user,
                None => conn
                    .prepare_cached(&format!(
                        "INSERT INTO mesibo_users (address, name, active, flags, created)
                         VALUES (?1, COALESCE(?2, ''), COALESCE(?3, 1), COALESCE(?4, 0), ?5)
                         RETURNING {USER_COLUMNS}"
                    ))?
                    .query_row(
                        params![add.address, add.name, add.active, add.flags, now],
                        user_row,
                    )?,
            };
            if let Some(token) = &add.token {
                conn.prepare_cached(
                    "INSERT INTO mesibo_tokens (uid, digest, appid, issued, expires)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![
                    user.uid,
                    token_digest(&token.token),
                    token.appid,
                    now,
                    token.expires
                ])?;
            }
            Ok(user)
        })
        .await
    }

    /// Deletes a user and revokes all its tokens; `None` if there is no such user. Returns the
    /// user and how many tokens were revoked.
    pub async fn mesibo_userdel(&self, who: UserRef) -> Result<Option<(User, usize)>, StoreError> {
        self.write(move |conn| {
            let Some(user) = find_user(conn, &who)? else {
                return Ok(None);
            };
            let revoked = conn
                .prepare_cached("DELETE FROM mesibo_tokens WHERE uid = ?1")?
                .execute([user.uid])?;
            conn.prepare_cached("DELETE FROM mesibo_users WHERE uid = ?1")?
                .execute([user.uid])?;
            Ok(Some((user, revoked)))
        })
        .await
    }

    /// Changes a user's fields; `None` if there is no such user.
    pub async fn mesibo_userset(
        &self,
        who: UserRef,
        changes: Changes,
    ) -> Result<Option<User>, StoreError> {
        self.write(move |conn| {
            let Some(user) = find_user(conn, &who)? else {
                return Ok(None);
            };
            let user = conn
                .prepare_cached(&format!(
                    "UPDATE mesibo_users SET name = COALESCE(?2, name),
                        active = COALESCE(?3, active), flags = COALESCE(?4, flags)
                     WHERE uid = ?1 RETURNING {USER_COLUMNS}"
                ))?
                .query_row(
                    params![user.uid, changes.name, changes.active, changes.flags],
                    user_row,
                )?;
            Ok(Some(user))
        })
        .await
    }

    /// Users whose address matches `pattern` (`*` is a wildcard), at most `count`, by uid.
    pub async fn mesibo_usersget(
        &self,
        pattern: String,
        count: i64,
    ) -> Result<Vec<User>, StoreError> {
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {USER_COLUMNS} FROM mesibo_users WHERE address LIKE ?1 ESCAPE '\\'
                 ORDER BY uid LIMIT ?2"
            ))?;
            let users = stmt
                .query_map(params![like_pattern(&pattern), count], user_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(users)
        })
        .await
    }

    /// How many tokens a user holds that have not expired.
    pub async fn mesibo_active_tokens(&self, uid: i64) -> Result<i64, StoreError> {
        self.read(move |conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT COUNT(*) FROM mesibo_tokens WHERE uid = ?1 AND expires > ?2",
                )?
                .query_row(params![uid, now_secs()], |row| row.get(0))?)
        })
        .await
    }

    /// The app id a user's token is bound to, if the user holds it, it is not revoked and it
    /// has not expired.
    pub async fn mesibo_token_appid(
        &self,
        uid: i64,
        token: String,
    ) -> Result<Option<String>, StoreError> {
        self.read(move |conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT appid FROM mesibo_tokens WHERE uid = ?1 AND digest = ?2 AND expires > ?3",
                )?
                .query_row(params![uid, token_digest(&token), now_secs()], |row| row.get(0))
                .optional()?)
        })
        .await
    }

    /// Creates a group with its initial members.
    pub async fn mesibo_groupadd(
        &self,
        fields: Changes,
        members: Vec<String>,
    ) -> Result<Group, StoreError> {
        self.write(move |conn| {
            let group = conn
                .prepare_cached(&format!(
                    "INSERT INTO mesibo_groups (name, flags, active, expiry, created)
                     VALUES (COALESCE(?1, ''), COALESCE(?2, 0), COALESCE(?3, 1), ?4, ?5)
                     RETURNING {GROUP_COLUMNS}"
                ))?
                .query_row(
                    params![
                        fields.name,
                        fields.flags,
                        fields.active,
                        fields.expiry.unwrap_or(ONE_YEAR_SECS),
                        now_secs()
                    ],
                    group_row,
                )?;
            add_members(conn, group.gid, &members)?;
            Ok(group)
        })
        .await
    }

    /// Changes a group's fields; `None` if there is no such group.
    pub async fn mesibo_groupset(
        &self,
        gid: i64,
        changes: Changes,
    ) -> Result<Option<Group>, StoreError> {
        self.write(move |conn| {
            Ok(conn
                .prepare_cached(&format!(
                    "UPDATE mesibo_groups SET name = COALESCE(?2, name),
                        flags = COALESCE(?3, flags), active = COALESCE(?4, active),
                        expiry = COALESCE(?5, expiry)
                     WHERE gid = ?1 RETURNING {GROUP_COLUMNS}"
                ))?
                .query_row(
                    params![
                        gid,
                        changes.name,
                        changes.flags,
                        changes.active,
                        changes.expiry
                    ],
                    group_row,
                )
                .optional()?)
        })
        .await
    }

    /// Deletes a group and its members; `None` if there is no such group.
    pub async fn mesibo_groupdel(&self, gid: i64) -> Result<Option<Group>, StoreError> {
        self.write(move |conn| {
            let Some(group) = find_group(conn, gid)? else {
                return Ok(None);
            };
            conn.prepare_cached("DELETE FROM mesibo_members WHERE gid = ?1")?
                .execute([gid])?;
            conn.prepare_cached("DELETE FROM mesibo_groups WHERE gid = ?1")?
                .execute([gid])?;
            Ok(Some(group))
        })
        .await
    }

    /// Adds or removes members; `None` if there is no such group, else the member count.
    pub async fn mesibo_groupeditmembers(
        &self,
        gid: i64,
        members: Vec<String>,
        remove: bool,
    ) -> Result<Option<i64>, StoreError> {
        self.write(move |conn| {
            if find_group(conn, gid)?.is_none() {
                return Ok(None);
            }
            if remove {
                let mut stmt = conn
                    .prepare_cached("DELETE FROM mesibo_members WHERE gid = ?1 AND address = ?2")?;
                for member in &members {
                    stmt.execute(params![gid, member])?;
                }
            } else {
                add_members(conn, gid, &members)?;
            }
            Ok(Some(member_count(conn, gid)?))
        })
        .await
    }

    /// A group's members (addresses with the uid of the user holding each, if any), at most
    /// `count`; `None` if there is no such group.
    pub async fn mesibo_groupgetmembers(
        &self,
        gid: i64,
        count: i64,
    ) -> Result<Option<(Group, Vec<(String, Option<i64>)>)>, StoreError> {
        self.read(move |conn| {
            let Some(group) = find_group(conn, gid)? else {
                return Ok(None);
            };
            let mut stmt = conn.prepare_cached(
                "SELECT m.address, u.uid FROM mesibo_members m
                 LEFT JOIN mesibo_users u ON u.address = m.address
                 WHERE m.gid = ?1 ORDER BY m.address LIMIT ?2",
            )?;
            let members = stmt
                .query_map(params![gid, count], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(Some((group, members)))
        })
        .await
    }

    /// Stores a message, one row per recipient user and one for the group, in one step; the
    /// first row's id (the message id the answer gives), or why it was refused.
    pub async fn mesibo_message(
        &self,
        message: NewMessage,
    ) -> Result<Result<i64, MessageRefused>, StoreError> {
        self.write(move |conn| {
            if find_user(conn, &UserRef::Address(message.from.clone()))?.is_none() {
                return Ok(Err(MessageRefused::NoSender));
            }
            for address in &message.to {
                if find_user(conn, &UserRef::Address(address.clone()))?.is_none() {
                    return Ok(Err(MessageRefused::NoRecipient(address.clone())));
                }
            }
            if let Some(gid) = message.gid {
                if find_group(conn, gid)?.is_none() {
                    return Ok(Err(MessageRefused::NoGroup(gid)));
                }
            }
            let destinations = message
                .to
                .iter()
                .map(|a| (Some(a.as_str()), None))
                .chain(message.gid.map(|g| (None, Some(g))));
            let mut stmt = conn.prepare_cached(
                "INSERT INTO mesibo_messages (sender, recipient, gid, body, kind, expiry, created)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING mid",
            )?;
            let mut first = None;
            for (recipient, gid) in destinations {
                let mid: i64 = stmt.query_row(
                    params![
                        message.from,
                        recipient,
                        gid,
                        message.body,
                        message.kind,
                        message.expiry,
                        now_secs()
                    ],
                    |row| row.get(0),
                )?;
                first.get_or_insert(mid);
            }
            Ok(Ok(first.unwrap_or_default()))
        })
        .await
    }

    /// How many users exist (tests and the banner use it).
    pub async fn mesibo_user_count(&self) -> Result<i64, StoreError> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached("SELECT COUNT(*) FROM mesibo_users")?
                .query_row([], |row| row.get(0))?)
        })
        .await
    }
}

fn add_members(conn: &Connection, gid: i64, members: &[String]) -> rusqlite::Result<()> {
    let mut stmt =
        conn.prepare_cached("INSERT OR IGNORE INTO mesibo_members (gid, address) VALUES (?1, ?2)")?;
    for member in members {
        stmt.execute(params![gid, member])?;
    }
    Ok(())
}

fn member_count(conn: &Connection, gid: i64) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT COUNT(*) FROM mesibo_members WHERE gid = ?1")?
        .query_row([gid], |row| row.get(0))
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn wildcard_becomes_like_with_escapes() {
        assert_eq!(like_pattern("a*@x_y%.com"), "a%@x\\_y\\%.com");
    }
}
