//! The JSON of each Conversations resource, with the fields twilio-python 9.11.0 reads from the
//! answer (`ServiceInstance`, `UserInstance`, `ConversationInstance`, `ParticipantInstance`,
//! `MessageInstance`, in that order of keys), and of a list page with its `meta`.

use serde_json::{json, Map, Value};

use crate::sandbox::demo;
use crate::sandbox::store::twilio::{Kind, Resource};

/// Twilio's date format: ISO 8601 in UTC, whole seconds (`2015-12-16T22:18:37Z`), which
/// twilio-python parses with `%Y-%m-%dT%H:%M:%SZ`.
pub fn date(unix: i64) -> String {
    crate::clock::rfc3339(unix)
}

/// The path of a resource under `/v1` (`/Services/IS…/Users/US…`).
pub fn path_of(kind: Kind, r: &Resource) -> String {
    match kind {
        Kind::Service => format!("/v1/Services/{}", r.sid),
        Kind::User => format!("/v1/Services/{}/Users/{}", r.service, r.sid),
        Kind::Conversation => format!("/v1/Services/{}/Conversations/{}", r.service, r.sid),
        Kind::Participant => format!(
            "/v1/Services/{}/Conversations/{}/Participants/{}",
            r.service, r.parent, r.sid
        ),
        Kind::Message => format!(
            "/v1/Services/{}/Conversations/{}/Messages/{}",
            r.service, r.parent, r.sid
        ),
    }
}

fn field(r: &Resource, name: &str) -> Value {
    r.fields.get(name).cloned().unwrap_or(Value::Null)
}

fn text_or(r: &Resource, name: &str, default: &str) -> Value {
    match r.fields.get(name) {
        Some(Value::Null) | None => Value::String(default.to_owned()),
        Some(v) => v.clone(),
    }
}

/// The resource as the API answers it.
pub fn resource(kind: Kind, r: &Resource, base: &str) -> Value {
    let url = format!("{base}{}", path_of(kind, r));
    let account = demo::TWILIO_ACCOUNT_SID;
    match kind {
        Kind::Service => json!({
            "account_sid": account,
            "sid": r.sid,
            "friendly_name": field(r, "friendly_name"),
            "date_created": date(r.created),
            "date_updated": date(r.updated),
            "url": url,
            "links": {
                "conversations": format!("{url}/Conversations"),
                "users": format!("{url}/Users"),
                "roles": format!("{url}/Roles"),
                "bindings": format!("{url}/Bindings"),
                "configuration": format!("{url}/Configuration"),
                "participant_conversations": format!("{url}/ParticipantConversations"),
            },
        }),
        Kind::User => json!({
            "sid": r.sid,
            "account_sid": account,
            "chat_service_sid": r.service,
            "role_sid": field(r, "role_sid"),
            "identity": r.uniq,
            "friendly_name": field(r, "friendly_name"),
            "attributes": text_or(r, "attributes", "{}"),
            "is_online": Value::Null,
            "is_notifiable": Value::Null,
            "date_created": date(r.created),
            "date_updated": date(r.updated),
            "url": url,
            "links": {
                "user_conversations": format!("{url}/Conversations"),
            },
        }),
        Kind::Conversation => json!({
            "account_sid": account,
            "chat_service_sid": r.service,
            "messaging_service_sid": field(r, "messaging_service_sid"),
            "sid": r.sid,
            "friendly_name": field(r, "friendly_name"),
            "unique_name": r.uniq,
            "attributes": text_or(r, "attributes", "{}"),
            "state": text_or(r, "state", "active"),
            "date_created": date(r.created),
            "date_updated": date(r.updated),
            "timers": r.fields.get("timers").cloned().unwrap_or_else(|| json!({})),
            "url": url,
            "links": {
                "participants": format!("{url}/Participants"),
                "messages": format!("{url}/Messages"),
                "webhooks": format!("{url}/Webhooks"),
            },
            "bindings": Value::Null,
        }),
        Kind::Participant => json!({
            "account_sid": account,
            "chat_service_sid": r.service,
            "conversation_sid": r.parent,
            "sid": r.sid,
            "identity": r.uniq,
            "attributes": text_or(r, "attributes", "{}"),
            "messaging_binding": field(r, "messaging_binding"),
            "role_sid": field(r, "role_sid"),
            "date_created": date(r.created),
            "date_updated": date(r.updated),
            "url": url,
            "last_read_message_index": field(r, "last_read_message_index"),
            "last_read_timestamp": field(r, "last_read_timestamp"),
        }),
        Kind::Message => json!({
            "account_sid": account,
            "chat_service_sid": r.service,
            "conversation_sid": r.parent,
            "sid": r.sid,
            "index": r.ord,
            "author": text_or(r, "author", "system"),
            "body": field(r, "body"),
            "media": Value::Null,
            "attributes": text_or(r, "attributes", "{}"),
            "participant_sid": field(r, "participant_sid"),
            "date_created": date(r.created),
            // "`null` if the message has not been edited" (twilio-python's docstring).
            "date_updated": if r.updated == r.created && !r.fields.contains_key("edited") {
                Value::Null
            } else {
                Value::String(date(r.updated))
            },
            "delivery": Value::Null,
            "url": url,
            "links": {
                "delivery_receipts": format!("{url}/Receipts"),
                "channel_metadata": format!("{url}/ChannelMetadata"),
            },
            "content_sid": Value::Null,
        }),
    }
}

/// The key a list answer holds its items under (`meta.key`).
pub fn list_key(kind: Kind) -> &'static str {
    match kind {
        Kind::Service => "services",
        Kind::User => "users",
        Kind::Conversation => "conversations",
        Kind::Participant => "participants",
        Kind::Message => "messages",
    }
}

/// Where a list page is: its collection URL, page number and size, and whether more follow.
pub struct PageAt<'a> {
    /// `http://host/v1/...` without a query.
    pub collection_url: &'a str,
    /// The page number, from 0.
    pub page: u64,
    /// Items per page.
    pub page_size: u32,
    /// The offset of the first item of this page.
    pub offset: u64,
    /// Whether a next page exists.
    pub more: bool,
}

/// A list answer: the items under their key, and `meta` with the page URLs twilio-python
/// follows (`next_page_url`) and the key it reads the items from.
pub fn page(kind: Kind, items: Vec<Value>, at: &PageAt<'_>) -> Value {
    let url_for = |page: u64, offset: u64| {
        let mut url = format!(
            "{}?PageSize={}&Page={page}",
            at.collection_url, at.page_size
        );
        if offset > 0 {
            url.push_str("&PageToken=PT");
            url.push_str(&offset.to_string());
        }
        url
    };
    let size = u64::from(at.page_size);
    let mut meta = Map::new();
    meta.insert("page".into(), json!(at.page));
    meta.insert("page_size".into(), json!(at.page_size));
    meta.insert("first_page_url".into(), json!(url_for(0, 0)));
    meta.insert(
        "previous_page_url".into(),
        if at.page == 0 {
            Value::Null
        } else {
            json!(url_for(at.page - 1, at.offset.saturating_sub(size)))
        },
    );
    meta.insert("url".into(), json!(url_for(at.page, at.offset)));
    meta.insert(
        "next_page_url".into(),
        if at.more {
            json!(url_for(at.page + 1, at.offset + size))
        } else {
            Value::Null
        },
    );
    meta.insert("key".into(), json!(list_key(kind)));
    let mut out = Map::new();
    out.insert(list_key(kind).into(), Value::Array(items));
    out.insert("meta".into(), Value::Object(meta));
    Value::Object(out)
}
