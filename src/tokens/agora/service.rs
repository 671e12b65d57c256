//! The services an AccessToken2 grants: their type ids, privilege names and the fields each
//! packs after its privilege map.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::packer::{fits_u16, Privileges, Reader, Writer};
use crate::tokens::DecodeError;

/// RTM2 permissions: resource type → permission → names (channel names, user ids …).
pub type Rtm2Permissions = BTreeMap<u16, BTreeMap<u16, Vec<String>>>;

/// One service of a token with the privileges it grants. Privilege values are relative
/// seconds from the token's issue time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Service {
    /// Type 1: real-time audio/video in one channel.
    Rtc {
        /// The channel.
        channel_name: String,
        /// The decimal uid or user account; empty for uid 0 (any user).
        uid: String,
        /// 1 joinChannel, 2 publishAudioStream, 3 publishVideoStream, 4 publishDataStream.
        privileges: Privileges,
    },
    /// Type 2: real-time messaging login.
    Rtm {
        /// The RTM user id.
        user_id: String,
        /// 1 login.
        privileges: Privileges,
    },
    /// Type 3: media streaming.
    Streaming {
        /// The channel.
        channel_name: String,
        /// The account.
        account: String,
        /// 1 publishMixStream, 2 publishRawStream.
        privileges: Privileges,
    },
    /// Type 4: Fast Packet Acceleration.
    Fpa {
        /// 1 login.
        privileges: Privileges,
    },
    /// Type 5: Agora Chat; an empty user id makes it an app token.
    Chat {
        /// The Chat user id (empty for app tokens).
        user_id: String,
        /// 1 user, 2 app.
        privileges: Privileges,
    },
    /// Type 6: Fusion CDN.
    Fcdn {
        /// The channel.
        channel_name: String,
        /// The account.
        account: String,
        /// 1 publish, 2 play.
        privileges: Privileges,
    },
    /// Type 7: Flexible Classroom (APaaS).
    Apaas {
        /// The room.
        room_uuid: String,
        /// The user.
        user_uuid: String,
        /// The role, -1 when unset.
        role: i16,
        /// 1 roomUser, 2 user, 3 app.
        privileges: Privileges,
    },
    /// Type 8: RTM 2 with per-resource permissions.
    Rtm2 {
        /// The RTM user id.
        user_id: String,
        /// 1 login.
        privileges: Privileges,
        /// Resource type → permission → names.
        permissions: Rtm2Permissions,
    },
}

/// The Chat `user` privilege id.
pub const CHAT_USER: u16 = 1;
/// The Chat `app` privilege id.
pub const CHAT_APP: u16 = 2;

impl Service {
    /// The wire type id (1..=8); services are packed in ascending order of it.
    pub fn type_id(&self) -> u16 {
        match self {
            Service::Rtc { .. } => 1,
            Service::Rtm { .. } => 2,
            Service::Streaming { .. } => 3,
            Service::Fpa { .. } => 4,
            Service::Chat { .. } => 5,
            Service::Fcdn { .. } => 6,
            Service::Apaas { .. } => 7,
            Service::Rtm2 { .. } => 8,
        }
    }

    /// The service's name as Agora's `parse.py` prints it.
    pub fn name(&self) -> &'static str {
        match self {
            Service::Rtc { .. } => "rtc",
            Service::Rtm { .. } => "rtm",
            Service::Streaming { .. } => "streaming",
            Service::Fpa { .. } => "fpa",
            Service::Chat { .. } => "chat",
            Service::Fcdn { .. } => "fcdn",
            Service::Apaas { .. } => "apaas",
            Service::Rtm2 { .. } => "rtm2",
        }
    }

    /// The privileges this service grants.
    pub fn privileges(&self) -> &Privileges {
        match self {
            Service::Rtc { privileges, .. }
            | Service::Rtm { privileges, .. }
            | Service::Streaming { privileges, .. }
            | Service::Fpa { privileges }
            | Service::Chat { privileges, .. }
            | Service::Fcdn { privileges, .. }
            | Service::Apaas { privileges, .. }
            | Service::Rtm2 { privileges, .. } => privileges,
        }
    }

    /// Mutable access to the privileges, for builders.
    pub fn privileges_mut(&mut self) -> &mut Privileges {
        match self {
            Service::Rtc { privileges, .. }
            | Service::Rtm { privileges, .. }
            | Service::Streaming { privileges, .. }
            | Service::Fpa { privileges }
            | Service::Chat { privileges, .. }
            | Service::Fcdn { privileges, .. }
            | Service::Apaas { privileges, .. }
            | Service::Rtm2 { privileges, .. } => privileges,
        }
    }

    /// The name of privilege `id` in this service, if Agora defines one.
    pub fn privilege_name(&self, id: u16) -> Option<&'static str> {
        let names: &[&str] = match self {
            Service::Rtc { .. } => &[
                "joinChannel",
                "publishAudioStream",
                "publishVideoStream",
                "publishDataStream",
            ],
            Service::Rtm { .. } | Service::Fpa { .. } | Service::Rtm2 { .. } => &["login"],
            Service::Streaming { .. } => &["publishMixStream", "publishRawStream"],
            Service::Chat { .. } => &["user", "app"],
            Service::Fcdn { .. } => &["publish", "play"],
            Service::Apaas { .. } => &["roomUser", "user", "app"],
        };
        names.get(usize::from(id).checked_sub(1)?).copied()
    }

    /// The string fields, for the length check before packing.
    fn strings(&self) -> Vec<&str> {
        match self {
            Service::Rtc {
                channel_name, uid, ..
            } => vec![channel_name, uid],
            Service::Rtm { user_id, .. } | Service::Chat { user_id, .. } => vec![user_id],
            Service::Streaming {
                channel_name,
                account,
                ..
            }
            | Service::Fcdn {
                channel_name,
                account,
                ..
            } => vec![channel_name, account],
            Service::Fpa { .. } => vec![],
            Service::Apaas {
                room_uuid,
                user_uuid,
                ..
            } => vec![room_uuid, user_uuid],
            Service::Rtm2 {
                user_id,
                permissions,
                ..
            } => {
                let mut all: Vec<&str> = vec![user_id];
                all.extend(
                    permissions
                        .values()
                        .flat_map(|p| p.values().flatten().map(String::as_str)),
                );
                all
            }
        }
    }

    /// The first string field too long for a `uint16` prefix, if any.
    pub(crate) fn oversized_field(&self) -> Option<usize> {
        // Only RTM2 has an unbounded number of strings; the others are checked without
        // collecting them.
        match self {
            Service::Chat { user_id, .. } | Service::Rtm { user_id, .. } => {
                Some(user_id.len()).filter(|len| !fits_u16(*len))
            }
            _ => self
                .strings()
                .into_iter()
                .map(str::len)
                .find(|len| !fits_u16(*len)),
        }
    }

    pub(crate) fn pack(&self, w: &mut Writer) {
        w.u16(self.type_id());
        w.privileges(self.privileges());
        match self {
            Service::Rtc {
                channel_name, uid, ..
            } => {
                w.bytes(channel_name.as_bytes());
                w.bytes(uid.as_bytes());
            }
            Service::Rtm { user_id, .. } | Service::Chat { user_id, .. } => {
                w.bytes(user_id.as_bytes());
            }
            Service::Streaming {
                channel_name,
                account,
                ..
            }
            | Service::Fcdn {
                channel_name,
                account,
                ..
            } => {
                w.bytes(channel_name.as_bytes());
                w.bytes(account.as_bytes());
            }
            Service::Fpa { .. } => {}
            Service::Apaas {
                room_uuid,
                user_uuid,
                role,
                ..
            } => {
                w.bytes(room_uuid.as_bytes());
                w.bytes(user_uuid.as_bytes());
                w.i16(*role);
            }
            Service::Rtm2 {
                user_id,
                permissions,
                ..
            } => {
                w.bytes(user_id.as_bytes());
                w.u16(permissions.len() as u16);
                for (resource, perms) in permissions {
                    w.u16(*resource);
                    w.u16(perms.len() as u16);
                    for (perm, names) in perms {
                        w.u16(*perm);
                        w.u16(names.len() as u16);
                        for name in names {
                            w.bytes(name.as_bytes());
                        }
                    }
                }
            }
        }
    }

    /// Reads the service whose type id has just been read; `None` for an unknown type,
    /// whose layout cannot be known (the caller stops parsing there).
    pub(crate) fn unpack(type_id: u16, r: &mut Reader<'_>) -> Result<Option<Service>, DecodeError> {
        if !(1..=8).contains(&type_id) {
            return Ok(None);
        }
        let privileges = r.privileges()?;
        let service = match type_id {
            1 => Service::Rtc {
                channel_name: r.string("rtc channel_name")?,
                uid: r.string("rtc uid")?,
                privileges,
            },
            2 => Service::Rtm {
                user_id: r.string("rtm user_id")?,
                privileges,
            },
            3 => Service::Streaming {
                channel_name: r.string("streaming channel_name")?,
                account: r.string("streaming account")?,
                privileges,
            },
            4 => Service::Fpa { privileges },
            5 => Service::Chat {
                user_id: r.string("chat user_id")?,
                privileges,
            },
            6 => Service::Fcdn {
                channel_name: r.string("fcdn channel_name")?,
                account: r.string("fcdn account")?,
                privileges,
            },
            7 => Service::Apaas {
                room_uuid: r.string("apaas room_uuid")?,
                user_uuid: r.string("apaas user_uuid")?,
                role: r.i16("apaas role")?,
                privileges,
            },
            _ => {
                let user_id = r.string("rtm2 user_id")?;
                let mut permissions = Rtm2Permissions::new();
                for _ in 0..r.u16("rtm2 resource count")? {
                    let resource = r.u16("rtm2 resource type")?;
                    let perms = permissions.entry(resource).or_default();
                    for _ in 0..r.u16("rtm2 permission count")? {
                        let perm = r.u16("rtm2 permission")?;
                        let names = perms.entry(perm).or_default();
                        for _ in 0..r.u16("rtm2 name count")? {
                            names.push(r.string("rtm2 name")?);
                        }
                    }
                }
                Service::Rtm2 {
                    user_id,
                    privileges,
                    permissions,
                }
            }
        };
        Ok(Some(service))
    }

    /// The service as JSON for `DecodedToken::claims`: type, name, fields, and privileges
    /// keyed by name (or by number when Agora defines no name).
    pub fn to_json(&self) -> Value {
        let mut obj = Map::new();
        obj.insert("type".into(), json!(self.type_id()));
        obj.insert("name".into(), json!(self.name()));
        match self {
            Service::Rtc {
                channel_name, uid, ..
            } => {
                obj.insert("channel_name".into(), json!(channel_name));
                obj.insert("uid".into(), json!(uid));
            }
            Service::Rtm { user_id, .. } | Service::Chat { user_id, .. } => {
                obj.insert("user_id".into(), json!(user_id));
            }
            Service::Streaming {
                channel_name,
                account,
                ..
            }
            | Service::Fcdn {
                channel_name,
                account,
                ..
            } => {
                obj.insert("channel_name".into(), json!(channel_name));
                obj.insert("account".into(), json!(account));
            }
            Service::Fpa { .. } => {}
            Service::Apaas {
                room_uuid,
                user_uuid,
                role,
                ..
            } => {
                obj.insert("room_uuid".into(), json!(room_uuid));
                obj.insert("user_uuid".into(), json!(user_uuid));
                obj.insert("role".into(), json!(role));
            }
            Service::Rtm2 {
                user_id,
                permissions,
                ..
            } => {
                obj.insert("user_id".into(), json!(user_id));
                obj.insert("permissions".into(), json!(permissions));
            }
        }
        let privileges: Map<String, Value> = self
            .privileges()
            .iter()
            .map(|(id, secs)| {
                let key = self
                    .privilege_name(*id)
                    .map_or_else(|| id.to_string(), str::to_owned);
                (key, json!(secs))
            })
            .collect();
        obj.insert("privileges".into(), Value::Object(privileges));
        Value::Object(obj)
    }
}
