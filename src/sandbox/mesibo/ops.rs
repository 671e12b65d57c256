//! The mesibo operations: each reads its fields, asks the store, and shapes the answer like
//! the docs' examples (`{"user":{"uid":..,"address":..,"token":..},"op":..,"result":true}`).

use rand::distributions::Alphanumeric;
use rand::Rng;
use serde_json::{json, Map, Value};

use super::fields::{Fail, Fields};
use crate::sandbox::store::mesibo::{
    Changes, Group, MessageRefused, NewMessage, NewToken, User, UserAdd, UserRef, ONE_YEAR_SECS,
};
use crate::sandbox::store::{now_secs, Store, StoreError};

/// A user token's default lifetime: one year, in minutes (the unit of `user.token.expiry`).
pub const DEFAULT_TOKEN_EXPIRY_MINUTES: i64 = 525_600;
/// The longest token lifetime accepted: ten years, in minutes.
const MAX_TOKEN_EXPIRY_MINUTES: i64 = 10 * DEFAULT_TOKEN_EXPIRY_MINUTES;
/// `usersget` and `groupgetmembers` return at most this many entries.
const MAX_COUNT: i64 = 20;
/// Addresses, names and app ids longer than this are refused.
const MAX_TEXT: usize = 256;
/// Message bodies longer than this are refused.
const MAX_MESSAGE: usize = 64 * 1024;

const ADDRESS: &[&str] = &["user.address", "addr", "address"];
const UID: &[&str] = &["user.uid", "uid"];
const GID: &[&str] = &["group.gid", "gid"];

type Answer = Result<Map<String, Value>, Fail>;

/// Runs a checked, authenticated operation.
pub async fn run(store: &Store, op: &str, f: &Fields<'_>) -> Answer {
    match op {
        "useradd" => useradd(store, f).await,
        "userdel" => userdel(store, f).await,
        "userset" => userset(store, f).await,
        "usersget" => usersget(store, f).await,
        "groupadd" => groupadd(store, f).await,
        "groupset" => groupset(store, f).await,
        "groupdel" => groupdel(store, f).await,
        "groupeditmembers" => groupeditmembers(store, f).await,
        "groupgetmembers" => groupgetmembers(store, f).await,
        "message" => message(store, f).await,
        other => Err(Fail::new("BADOP", format!("unknown op {other:?}"))),
    }
}

/// A random 64-character token: letters and digits, like the app tokens of the docs.
pub fn new_user_token() -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(64)
        .map(|b| char::from(b).to_ascii_lowercase())
        .collect()
}

fn internal(err: &StoreError) -> Fail {
    Fail::new("INTERNAL", format!("the sandbox store failed: {err}"))
}

fn short(value: String, field: &str) -> Result<String, Fail> {
    if value.chars().count() > MAX_TEXT {
        return Err(Fail::new(
            "BADFIELD",
            format!("{field} is longer than {MAX_TEXT} characters"),
        ));
    }
    Ok(value)
}

fn user_json(user: &User) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert("uid".into(), uid_json(user.uid));
    map.insert("address".into(), json!(user.address));
    map.insert("name".into(), json!(user.name));
    map.insert("active".into(), json!(user.active));
    map.insert("flags".into(), json!(user.flags));
    map
}

fn group_json(group: &Group) -> Value {
    json!({
        "gid": group.gid,
        "name": group.name,
        "flags": group.flags,
        "active": group.active,
        "expiry": group.expiry,
    })
}

fn one(key: &str, value: Value) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert(key.into(), value);
    map
}

/// A uid as the docs show it: a string of digits (`"uid":"5302"`).
fn uid_json(uid: i64) -> Value {
    Value::String(uid.to_string())
}

fn user_ref(f: &Fields<'_>) -> Result<UserRef, Fail> {
    if let Some(uid) = f.opt_int(UID)? {
        return Ok(UserRef::Uid(uid));
    }
    match f.opt_str(ADDRESS)? {
        Some(address) if !address.is_empty() => Ok(UserRef::Address(address)),
        _ => Err(Fail::new(
            "MISSINGFIELD",
            "user.uid or user.address (legacy: uid or addr) is required",
        )),
    }
}

fn no_user(who: &UserRef) -> Fail {
    match who {
        UserRef::Uid(uid) => Fail::new("NOUSER", format!("no user has uid {uid}")),
        UserRef::Address(a) => Fail::new("NOUSER", format!("no user has address {a:?}")),
    }
}

fn no_group(gid: i64) -> Fail {
    Fail::new("NOGROUP", format!("no group has gid {gid}"))
}

async fn useradd(store: &Store, f: &Fields<'_>) -> Answer {
    let address = short(f.req_str(ADDRESS)?, "user.address")?;
    // JSON: a token is issued only when `user.token` is present. Legacy form: when `appid` is.
    let token = match f.get(&["user.token", "appid"]) {
        None => None,
        Some(("user.token", value)) if !value.is_object() => return Err(Fail::new(
            "BADFIELD",
            "user.token must be an object like {\"appid\":\"com.example.app\",\"expiry\":525600}",
        )),
        Some(_) => {
            let appid = short(
                f.req_str(&["user.token.appid", "appid"])?,
                "user.token.appid",
            )?;
            let minutes = f.bounded(
                &["user.token.expiry", "expiry"],
                DEFAULT_TOKEN_EXPIRY_MINUTES,
                MAX_TOKEN_EXPIRY_MINUTES,
                "minutes",
            )?;
            Some(NewToken {
                token: new_user_token(),
                appid,
                expires: now_secs() + minutes * 60,
            })
        }
    };
    let add = UserAdd {
        address,
        name: f.opt_str(&["user.name", "name"])?,
        active: f.opt_bool(&["user.active", "active"])?,
        flags: f.opt_int(&["user.flags", "user.flag", "flags", "flag"])?,
        token: token.clone(),
    };
    let user = store.mesibo_useradd(add).await.map_err(|e| internal(&e))?;
    let mut body = Map::new();
    body.insert("uid".into(), uid_json(user.uid));
    body.insert("address".into(), json!(user.address));
    if let Some(token) = token {
        body.insert("token".into(), json!(token.token));
    }
    Ok(one("user", Value::Object(body)))
}

async fn userdel(store: &Store, f: &Fields<'_>) -> Answer {
    let who = user_ref(f)?;
    let (user, revoked) = store
        .mesibo_userdel(who.clone())
        .await
        .map_err(|e| internal(&e))?
        .ok_or_else(|| no_user(&who))?;
    let mut body = one(
        "user",
        json!({"uid": uid_json(user.uid), "address": user.address}),
    );
    body.insert("revoked".into(), json!(revoked));
    Ok(body)
}

async fn userset(store: &Store, f: &Fields<'_>) -> Answer {
    let who = user_ref(f)?;
    let changes = Changes {
        name: f.opt_str(&["user.name", "name"])?,
        active: f.opt_bool(&["user.active", "active"])?,
        flags: f.opt_int(&["user.flags", "user.flag", "flags", "flag"])?,
        expiry: None,
    };
    let user = store
        .mesibo_userset(who.clone(), changes)
        .await
        .map_err(|e| internal(&e))?
        .ok_or_else(|| no_user(&who))?;
    Ok(one("user", Value::Object(user_json(&user))))
}

async fn usersget(store: &Store, f: &Fields<'_>) -> Answer {
    // Checked before the store: SQLite refuses LIKE patterns over 50,000 bytes as an error.
    let pattern = short(f.req_str(ADDRESS)?, "user.address")?;
    let count = f.bounded(&["count", "user.count"], MAX_COUNT, MAX_COUNT, "users")?;
    let users = store
        .mesibo_usersget(pattern, count)
        .await
        .map_err(|e| internal(&e))?;
    let mut body = one(
        "users",
        Value::Array(users.iter().map(|u| Value::Object(user_json(u))).collect()),
    );
    body.insert("count".into(), json!(users.len()));
    Ok(body)
}

fn group_changes(f: &Fields<'_>) -> Result<Changes, Fail> {
    let expiry = match f.opt_int(&["group.expiry", "expiry"])? {
        Some(secs) if secs <= 0 => {
            return Err(Fail::new(
                "BADFIELD",
                format!("group.expiry is in seconds and must be positive, got {secs}"),
            ))
        }
        other => other,
    };
    Ok(Changes {
        name: f
            .opt_str(&["group.name", "name"])?
            .map(|n| short(n, "group.name"))
            .transpose()?,
        active: f.opt_bool(&["group.active", "active"])?,
        flags: f.opt_int(&["group.flags", "group.flag", "flags", "flag"])?,
        expiry,
    })
}

async fn groupadd(store: &Store, f: &Fields<'_>) -> Answer {
    let mut changes = group_changes(f)?;
    changes.expiry = Some(changes.expiry.unwrap_or(ONE_YEAR_SECS));
    let members = f
        .opt_list(&["group.members", "members", "m"])?
        .unwrap_or_default();
    let group = store
        .mesibo_groupadd(changes, members)
        .await
        .map_err(|e| internal(&e))?;
    Ok(one("group", group_json(&group)))
}

async fn groupset(store: &Store, f: &Fields<'_>) -> Answer {
    let gid = f.req_int(GID)?;
    let changes = group_changes(f)?;
    let group = store
        .mesibo_groupset(gid, changes)
        .await
        .map_err(|e| internal(&e))?
        .ok_or_else(|| no_group(gid))?;
    Ok(one("group", group_json(&group)))
}

async fn groupdel(store: &Store, f: &Fields<'_>) -> Answer {
    let gid = f.req_int(GID)?;
    let group = store
        .mesibo_groupdel(gid)
        .await
        .map_err(|e| internal(&e))?
        .ok_or_else(|| no_group(gid))?;
    Ok(one("group", json!({"gid": group.gid})))
}

async fn groupeditmembers(store: &Store, f: &Fields<'_>) -> Answer {
    let gid = f.req_int(GID)?;
    let members = f
        .opt_list(&["group.members.m", "group.m", "m", "members"])?
        .filter(|m| !m.is_empty())
        .ok_or_else(|| {
            Fail::new(
                "MISSINGFIELD",
                "group.members.m (legacy: m) is required: member addresses, an array or comma-separated",
            )
        })?;
    let remove = f
        .opt_bool(&[
            "group.members.delete",
            "group.members.remove",
            "group.delete",
            "delete",
            "remove",
        ])?
        .unwrap_or(false);
    let count = store
        .mesibo_groupeditmembers(gid, members, remove)
        .await
        .map_err(|e| internal(&e))?
        .ok_or_else(|| no_group(gid))?;
    Ok(one("group", json!({"gid": gid, "members": count})))
}

async fn groupgetmembers(store: &Store, f: &Fields<'_>) -> Answer {
    let gid = f.req_int(GID)?;
    let count = f.bounded(&["count", "group.count"], MAX_COUNT, MAX_COUNT, "members")?;
    let (group, members) = store
        .mesibo_groupgetmembers(gid, count)
        .await
        .map_err(|e| internal(&e))?
        .ok_or_else(|| no_group(gid))?;
    let mut body = one("group", json!({"gid": group.gid, "name": group.name}));
    let members = members
        .into_iter()
        .map(|(address, uid)| json!({"address": address, "uid": uid.map(uid_json)}))
        .collect();
    body.insert("members".into(), Value::Array(members));
    Ok(body)
}

async fn message(store: &Store, f: &Fields<'_>) -> Answer {
    let from = f.req_str(&["message.from", "from"])?;
    // The docs: `to` is comma-separated addresses, and their example sends `to` and `gid`
    // together; a gid of 0 is no group.
    let to = f.opt_list(&["message.to", "to"])?.unwrap_or_default();
    let gid = f.opt_int(&["message.gid", "gid"])?.filter(|g| *g != 0);
    if to.is_empty() && gid.is_none() {
        return Err(Fail::new(
            "MISSINGFIELD",
            "message.to (user addresses, comma-separated) or message.gid (a group) is required",
        ));
    }
    let text = f.opt_text(&["message.message", "message.msg", "msg"], MAX_MESSAGE)?;
    let url = f.opt_text(&["message.url", "url"], MAX_MESSAGE)?;
    let Some(body) = text.or(url) else {
        return Err(Fail::new(
            "MISSINGFIELD",
            "message.message (the text) or message.url (a file) is required",
        ));
    };
    let expiry = f.bounded(
        &["message.expiry", "expiry"],
        ONE_YEAR_SECS,
        10 * ONE_YEAR_SECS,
        "seconds",
    )?;
    let kind = f.opt_int(&["message.type", "type"])?.unwrap_or(0);
    let new = NewMessage {
        from: from.clone(),
        to,
        gid,
        body,
        kind,
        expiry,
    };
    let mid = store
        .mesibo_message(new)
        .await
        .map_err(|e| internal(&e))?
        .map_err(|refused| match refused {
            MessageRefused::NoSender => Fail::new(
                "NOUSER",
                format!("no user has address {from:?} (message.from must be an existing user)"),
            ),
            MessageRefused::NoRecipient(a) => {
                Fail::new("NOUSER", format!("no user has address {a:?}"))
            }
            MessageRefused::NoGroup(gid) => no_group(gid),
        })?;
    // The docs' answer: {"op":"message","mid":…,"result":true}.
    Ok(one("mid", json!(mid)))
}
