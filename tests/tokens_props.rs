//! Property tests: build → decode → verify round trips on random inputs for every format, and
//! decoders that never panic on arbitrary strings or bytes.
#![allow(clippy::unwrap_used)]

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use proptest::prelude::*;

use apiplay::tokens::agora::{self, Privileges, Service};
use apiplay::tokens::{self, opentok, twilio, TokenFormat, VerifyError};

fn hex32() -> impl Strategy<Value = String> {
    "[0-9a-fA-F]{32}"
}

fn privileges() -> impl Strategy<Value = Privileges> {
    proptest::collection::btree_map(1u16..6, any::<u32>(), 0..4)
}

fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec(any::<char>(), 0..80).prop_map(|c| c.into_iter().collect())
}

fn service() -> impl Strategy<Value = Service> {
    prop_oneof![
        (text(), text(), privileges()).prop_map(|(channel_name, uid, privileges)| Service::Rtc {
            channel_name,
            uid,
            privileges
        }),
        (text(), privileges()).prop_map(|(user_id, privileges)| Service::Rtm {
            user_id,
            privileges
        }),
        (text(), text(), privileges()).prop_map(|(channel_name, account, privileges)| {
            Service::Streaming {
                channel_name,
                account,
                privileges,
            }
        }),
        privileges().prop_map(|privileges| Service::Fpa { privileges }),
        (text(), privileges()).prop_map(|(user_id, privileges)| Service::Chat {
            user_id,
            privileges
        }),
        (text(), text(), privileges()).prop_map(|(channel_name, account, privileges)| {
            Service::Fcdn {
                channel_name,
                account,
                privileges,
            }
        }),
        (text(), text(), any::<i16>(), privileges()).prop_map(
            |(room_uuid, user_uuid, role, privileges)| Service::Apaas {
                room_uuid,
                user_uuid,
                role,
                privileges
            }
        ),
        (
            text(),
            privileges(),
            proptest::collection::btree_map(
                0u16..5,
                proptest::collection::btree_map(
                    0u16..2,
                    proptest::collection::vec(text(), 0..3),
                    0..3
                ),
                0..3
            )
        )
            .prop_map(|(user_id, privileges, permissions)| Service::Rtm2 {
                user_id,
                privileges,
                permissions
            }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn agora_round_trip(app in hex32(), cert in hex32(), issue in any::<u32>(), expire in any::<u32>(), salt in any::<u32>(),
                        services in proptest::collection::vec(service(), 1..5)) {
        let token = agora::build(&app, &cert, issue, expire, salt, &services).unwrap();
        let parsed = agora::verify(&token, &cert).unwrap();
        let mut sorted = services.clone();
        sorted.sort_by_key(Service::type_id);
        prop_assert_eq!(&parsed.services, &sorted);
        prop_assert_eq!((parsed.issue_ts, parsed.expire, parsed.salt), (issue, expire, salt));
        let decoded = tokens::decode(&token).unwrap();
        prop_assert_eq!(decoded.expires_at, Some(i64::from(issue) + i64::from(expire)));
        let mut other = cert.into_bytes();
        other[0] = if other[0] == b'0' { b'1' } else { b'0' };
        prop_assert_eq!(agora::verify(&token, &String::from_utf8(other).unwrap()).unwrap_err(), VerifyError::SignatureMismatch);
    }

    #[test]
    fn chat_user_round_trip(app in hex32(), cert in hex32(), user in text(), expire in 1u32..=86_400, issue in any::<u32>(), salt in 1u32..99_999_999) {
        let token = agora::chat_user_token(&app, &cert, &user, expire, issue, salt).unwrap();
        let parsed = agora::verify(&token, &cert).unwrap();
        prop_assert_eq!(parsed.chat_user_id(), Some(user.as_str()));
        prop_assert_eq!(parsed.services[0].privileges(), &Privileges::from([(agora::CHAT_USER, expire)]));
    }

    #[test]
    fn twilio_round_trip(identity in text(), secret in "[ -~]{1,40}", ttl in 1u32..=86_400, now in 0i64..4_000_000_000,
                         service in proptest::option::of("IS[0-9a-f]{32}"), room in proptest::option::of(text())) {
        let mut token = twilio::AccessToken::new("AC1", "SK1", &secret, &identity);
        token.ttl_secs = ttl;
        token.grants.push(twilio::Grant::Chat(twilio::ChatGrant { service_sid: service.clone(), ..twilio::ChatGrant::default() }));
        token.grants.push(twilio::Grant::Video(twilio::VideoGrant { room }));
        let jwt = token.to_jwt(now).unwrap();
        let decoded = twilio::verify(&jwt, &secret).unwrap();
        prop_assert_eq!(decoded.subject, (!identity.is_empty()).then_some(identity));
        prop_assert_eq!(decoded.expires_at, Some(now + i64::from(ttl)));
        prop_assert_eq!(decoded.claims["grants"]["chat"].get("service_sid").and_then(|v| v.as_str()), service.as_deref());
        let wrong = format!("{secret}x");
        prop_assert!(twilio::verify(&jwt, &wrong).is_err());
    }

    #[test]
    fn opentok_round_trip(key in "[0-9]{1,10}", secret in "[ -~]{1,40}", data in proptest::option::of(proptest::collection::vec(any::<char>(), 0..1000).prop_map(|c| c.into_iter().collect::<String>())),
                          layout in proptest::collection::vec("[a-z]{1,8}", 0..4), role in 0usize..4, lifetime in 1i64..=2_592_000, nonce in 0u32..1_000_000) {
        let now = 1_700_000_000;
        let opts = opentok::TokenOptions {
            session_id: opentok::new_session_id(&key, now * 1000, "rnd"),
            role: opentok::Role::ALL[role],
            expire_time: Some(now + lifetime),
            connection_data: data.clone(),
            initial_layout_class_list: layout.clone(),
        };
        let t1 = opentok::build_t1(&key, &secret, &opts, now, nonce).unwrap();
        let parsed = opentok::verify_t1(&t1, &secret).unwrap();
        prop_assert_eq!(parsed.field("connection_data"), data.as_deref());
        prop_assert_eq!(parsed.field("role"), Some(opts.role.as_str()));
        prop_assert_eq!(parsed.field("initial_layout_class_list").unwrap(), layout.join(" "));
        let jwt = opentok::build_jwt(&key, &secret, &opts, now, nonce).unwrap();
        let decoded = opentok::verify_jwt(&jwt, &secret).unwrap();
        prop_assert_eq!(decoded.format, TokenFormat::OpentokJwt);
        prop_assert_eq!(decoded.expires_at, Some(now + lifetime));
        prop_assert_eq!(decoded.claims.get("connection_data").and_then(|v| v.as_str()), data.as_deref());
    }

    #[test]
    fn decode_never_panics_on_strings(s in ".{0,300}") {
        let _ = tokens::decode(&s);
        for prefix in ["007", "006", "T1==", "eyJ"] {
            let _ = tokens::decode(&format!("{prefix}{s}"));
        }
    }

    #[test]
    fn decode_never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let b64 = STANDARD.encode(&bytes);
        let _ = tokens::decode(&format!("007{b64}"));
        let _ = tokens::decode(&format!("007{}", STANDARD.encode(agora::compress_zlib(&bytes))));
        let _ = tokens::decode(&format!("006970CA35de60c44645bbae8a215061b33{b64}"));
        let _ = tokens::decode(&format!("T1=={b64}"));
        let url = URL_SAFE_NO_PAD.encode(&bytes);
        let _ = tokens::decode(&format!("eyJ{url}.{url}.{url}"));
        let _ = tokens::decode(&format!("{}.{url}.{url}", URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256"}"#)));
        let _ = agora::verify(&format!("007{b64}"), "5CFd2fd1755d40ecb72977518be15d3b");
    }

    #[test]
    fn truncated_tokens_error_cleanly(app in hex32(), cert in hex32(), user in text(), cut in 3usize..200) {
        let token = agora::chat_user_token(&app, &cert, &user, 600, 1, 1).unwrap();
        // Dropping only `=` padding leaves a valid token (padding is optional on decode).
        let cut = cut.min(token.trim_end_matches('=').len() - 1);
        prop_assert!(tokens::decode(&token[..cut]).is_err());
    }
}
