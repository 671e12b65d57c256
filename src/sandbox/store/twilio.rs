//! The Twilio Conversations table: services, users, conversations, participants and messages,
//! one row each in `twilio_resources`. A row knows its kind, the service it lives in, its
//! parent (the service for users and conversations, the conversation for participants and
//! messages), an optional unique key within the parent (a user's or participant's identity, a
//! conversation's unique name) and its resource fields as JSON. Rows list in creation order.

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde_json::{Map, Value};

use super::{now_secs, Store, StoreError};

/// The resource kinds, each with its SID prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A Conversation Service (`IS…`).
    Service,
    /// A User of a service (`US…`).
    User,
    /// A Conversation (`CH…`).
    Conversation,
    /// A Participant of a conversation (`MB…`).
    Participant,
    /// A Message of a conversation (`IM…`).
    Message,
}

impl Kind {
    /// The name stored in the `kind` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Service => "service",
            Kind::User => "user",
            Kind::Conversation => "conversation",
            Kind::Participant => "participant",
            Kind::Message => "message",
        }
    }

    /// The two letters every SID of this kind starts with.
    pub fn prefix(self) -> &'static str {
        match self {
            Kind::Service => "IS",
            Kind::User => "US",
            Kind::Conversation => "CH",
            Kind::Participant => "MB",
            Kind::Message => "IM",
        }
    }

    /// The kind of the parent row, if any.
    fn parent(self) -> Option<Kind> {
        match self {
            Kind::Service => None,
            Kind::User | Kind::Conversation => Some(Kind::Service),
            Kind::Participant | Kind::Message => Some(Kind::Conversation),
        }
    }
}

/// A new SID: the kind's prefix and 32 random lower-case hex digits (34 characters).
pub fn new_sid(kind: Kind) -> String {
    let bytes: [u8; 16] = rand::random();
    format!("{}{}", kind.prefix(), hex::encode(bytes))
}

/// A stored resource.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    /// Its SID.
    pub sid: String,
    /// The service it lives in (its own SID for a service).
    pub service: String,
    /// The parent's SID (empty for a service).
    pub parent: String,
    /// Its unique key within the parent, if it has one.
    pub uniq: Option<String>,
    /// A message's index in its conversation (0 for other kinds).
    pub ord: i64,
    /// Creation time, Unix seconds.
    pub created: i64,
    /// Last change, Unix seconds.
    pub updated: i64,
    /// The kind-specific fields.
    pub fields: Map<String, Value>,
}

/// A resource to create.
#[derive(Debug, Clone)]
pub struct NewResource {
    /// Its kind.
    pub kind: Kind,
    /// The service it goes in (ignored for a service).
    pub service: String,
    /// The parent's SID: the service for users and conversations, the conversation for
    /// participants and messages (ignored for a service).
    pub parent: String,
    /// Its unique key within the parent.
    pub uniq: Option<String>,
    /// The kind-specific fields.
    pub fields: Map<String, Value>,
}

/// What creating a resource did.
#[derive(Debug, Clone, PartialEq)]
pub enum Created {
    /// It was created.
    Created(Resource),
    /// Its parent does not exist (in that service).
    NoParent,
    /// Another resource of the parent has the same unique key.
    Duplicate,
}

const COLUMNS: &str = "sid, service, parent, uniq, ord, created, updated, fields";

fn row(row: &Row<'_>) -> rusqlite::Result<Resource> {
    let fields: String = row.get(7)?;
    Ok(Resource {
        sid: row.get(0)?,
        service: row.get(1)?,
        parent: row.get(2)?,
        uniq: row.get(3)?,
        ord: row.get(4)?,
        created: row.get(5)?,
        updated: row.get(6)?,
        fields: serde_json::from_str(&fields).unwrap_or_default(),
    })
}

/// Finds a resource of `kind` under `parent` by SID, or by its unique key (Twilio takes a
/// user's identity and a conversation's unique name in place of the SID).
fn find(
    conn: &Connection,
    kind: Kind,
    parent: &str,
    key: &str,
) -> rusqlite::Result<Option<Resource>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM twilio_resources
         WHERE kind = ?1 AND parent = ?2 AND (sid = ?3 OR uniq = ?3)
         ORDER BY sid = ?3 DESC LIMIT 1"
    ))?
    .query_row(params![kind.as_str(), parent, key], row)
    .optional()
}

fn exists(conn: &Connection, kind: Kind, parent: &str, sid: &str) -> rusqlite::Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM twilio_resources WHERE kind = ?1 AND parent = ?2 AND sid = ?3",
        )?
        .query_row(params![kind.as_str(), parent, sid], |_| Ok(()))
        .optional()?
        .is_some())
}

impl Store {
    /// Creates a resource in one durable step, checking that its parent exists and that its
    /// unique key is free.
    pub async fn twilio_create(&self, new: NewResource) -> Result<Created, StoreError> {
        self.write(move |conn| {
            let sid = new_sid(new.kind);
            let (service, parent) = match new.kind.parent() {
                None => (sid.clone(), String::new()),
                Some(parent_kind) => {
                    let grandparent = match parent_kind {
                        Kind::Service => "",
                        _ => new.service.as_str(),
                    };
                    if !exists(conn, parent_kind, grandparent, &new.parent)? {
                        return Ok(Created::NoParent);
                    }
                    (new.service.clone(), new.parent.clone())
                }
            };
            if let Some(uniq) = &new.uniq {
                if find(conn, new.kind, &parent, uniq)?
                    .is_some_and(|r| r.uniq.as_deref() == Some(uniq.as_str()))
                {
                    return Ok(Created::Duplicate);
                }
            }
            let ord: i64 = if new.kind == Kind::Message {
                conn.prepare_cached(
                    "SELECT COALESCE(MAX(ord) + 1, 0) FROM twilio_resources
                     WHERE kind = 'message' AND parent = ?1",
                )?
                .query_row([&parent], |r| r.get(0))?
            } else {
                0
            };
            let now = now_secs();
            let fields = Value::Object(new.fields).to_string();
            let created = conn
                .prepare_cached(&format!(
                    "INSERT INTO twilio_resources (sid, kind, service, parent, uniq, ord, created, updated, fields)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8)
                     RETURNING {COLUMNS}"
                ))?
                .query_row(
                    params![sid, new.kind.as_str(), service, parent, new.uniq, ord, now, fields],
                    row,
                )?;
            Ok(Created::Created(created))
        })
        .await
    }

    /// A resource of `kind` under `parent` (empty for a service), by SID or unique key.
    pub async fn twilio_get(
        &self,
        kind: Kind,
        parent: String,
        key: String,
    ) -> Result<Option<Resource>, StoreError> {
        self.read(move |conn| Ok(find(conn, kind, &parent, &key)?))
            .await
    }

    /// Up to `limit` resources of `kind` under `parent` from `offset` on, in creation order,
    /// and whether more follow.
    pub async fn twilio_list(
        &self,
        kind: Kind,
        parent: String,
        offset: u64,
        limit: u32,
    ) -> Result<(Vec<Resource>, bool), StoreError> {
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM twilio_resources WHERE kind = ?1 AND parent = ?2
                 ORDER BY rowid LIMIT ?3 OFFSET ?4"
            ))?;
            let offset = i64::try_from(offset).unwrap_or(i64::MAX);
            let mut out: Vec<Resource> = stmt
                .query_map(
                    params![kind.as_str(), parent, i64::from(limit) + 1, offset],
                    row,
                )?
                .collect::<rusqlite::Result<_>>()?;
            let more = out.len() > limit as usize;
            out.truncate(limit as usize);
            Ok((out, more))
        })
        .await
    }

    /// Sets `changes` over a resource's fields (a `null` removes one); the updated resource,
    /// or `None` when there is no such resource.
    pub async fn twilio_update(
        &self,
        kind: Kind,
        parent: String,
        key: String,
        changes: Map<String, Value>,
    ) -> Result<Option<Resource>, StoreError> {
        self.write(move |conn| {
            let Some(mut found) = find(conn, kind, &parent, &key)? else {
                return Ok(None);
            };
            for (name, value) in changes {
                found.fields.insert(name, value);
            }
            found.updated = now_secs();
            conn.prepare_cached(
                "UPDATE twilio_resources SET fields = ?1, updated = ?2 WHERE sid = ?3",
            )?
            .execute(params![
                Value::Object(found.fields.clone()).to_string(),
                found.updated,
                found.sid
            ])?;
            Ok(Some(found))
        })
        .await
    }

    /// Deletes a resource and what lives in it (a service's users and conversations, a
    /// conversation's participants and messages); whether it existed.
    pub async fn twilio_delete(
        &self,
        kind: Kind,
        parent: String,
        key: String,
    ) -> Result<bool, StoreError> {
        self.write(move |conn| {
            let Some(found) = find(conn, kind, &parent, &key)? else {
                return Ok(false);
            };
            match kind {
                Kind::Service => {
                    conn.prepare_cached("DELETE FROM twilio_resources WHERE service = ?1")?
                        .execute([&found.sid])?;
                }
                Kind::Conversation => {
                    conn.prepare_cached(
                        "DELETE FROM twilio_resources WHERE sid = ?1 OR parent = ?1",
                    )?
                    .execute([&found.sid])?;
                }
                Kind::User | Kind::Participant | Kind::Message => {
                    conn.prepare_cached("DELETE FROM twilio_resources WHERE sid = ?1")?
                        .execute([&found.sid])?;
                }
            }
            Ok(true)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Map<String, Value> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Value::String((*v).to_owned())))
            .collect()
    }

    async fn make(store: &Store, new: NewResource) -> Resource {
        match store.twilio_create(new).await.unwrap() {
            Created::Created(r) => r,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn sids_have_the_prefix_and_34_hex_characters() {
        for kind in [Kind::Service, Kind::User, Kind::Message] {
            let sid = new_sid(kind);
            assert_eq!(sid.len(), 34);
            assert!(sid.starts_with(kind.prefix()));
            assert!(sid[2..].chars().all(|c| c.is_ascii_hexdigit()));
        }
    }

    #[tokio::test]
    async fn identities_are_unique_per_service_and_deletes_cascade() {
        let store = Store::open(None).unwrap();
        let service = |name: &str| NewResource {
            kind: Kind::Service,
            service: String::new(),
            parent: String::new(),
            uniq: None,
            fields: fields(&[("friendly_name", name)]),
        };
        let a = make(&store, service("a")).await;
        let b = make(&store, service("b")).await;
        let user = |svc: &Resource| NewResource {
            kind: Kind::User,
            service: svc.sid.clone(),
            parent: svc.sid.clone(),
            uniq: Some("alice".into()),
            fields: Map::new(),
        };
        let alice = make(&store, user(&a)).await;
        assert_eq!(
            store.twilio_create(user(&a)).await.unwrap(),
            Created::Duplicate
        );
        make(&store, user(&b)).await;
        // By identity in place of the SID.
        let got = store
            .twilio_get(Kind::User, a.sid.clone(), "alice".into())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(got.sid, alice.sid);
        let conv = make(
            &store,
            NewResource {
                kind: Kind::Conversation,
                service: a.sid.clone(),
                parent: a.sid.clone(),
                uniq: None,
                fields: Map::new(),
            },
        )
        .await;
        let message = |conv: &Resource| NewResource {
            kind: Kind::Message,
            service: conv.service.clone(),
            parent: conv.sid.clone(),
            uniq: None,
            fields: Map::new(),
        };
        assert_eq!(make(&store, message(&conv)).await.ord, 0);
        assert_eq!(make(&store, message(&conv)).await.ord, 1);
        // A conversation of another service is no parent.
        let wrong = NewResource {
            service: b.sid.clone(),
            ..message(&conv)
        };
        assert_eq!(store.twilio_create(wrong).await.unwrap(), Created::NoParent);
        assert!(store
            .twilio_delete(Kind::Service, String::new(), a.sid.clone())
            .await
            .unwrap());
        let (left, more) = store
            .twilio_list(Kind::Message, conv.sid.clone(), 0, 50)
            .await
            .unwrap();
        assert!(left.is_empty() && !more);
        let (users_b, _) = store
            .twilio_list(Kind::User, b.sid.clone(), 0, 50)
            .await
            .unwrap();
        assert_eq!(users_b.len(), 1, "the other service keeps its user");
    }
}
