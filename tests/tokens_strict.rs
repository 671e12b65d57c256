//! Token decoders are strict: bytes after a complete structure and structures cut short are
//! malformed (exit 2, naming the byte offset); missing or unusual base64 padding is accepted
//! and said. Mutations of the real vectors (tests/data/tokens.json) never panic, and a
//! malformed one is exit 2 from the real binary.
#![allow(clippy::unwrap_used)]

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use proptest::prelude::*;

use apiplay::tokens;

fn vectors() -> serde_json::Value {
    serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/tokens.json"
        ))
        .unwrap(),
    )
    .unwrap()
}

/// Every token string of the vector file.
fn all_tokens() -> Vec<String> {
    let v = vectors();
    let mut found = Vec::new();
    for (key, list) in v.as_object().unwrap() {
        if key == "about" {
            continue;
        }
        for item in list.as_array().unwrap() {
            if let Some(token) = item["token"].as_str() {
                found.push(token.to_owned());
            }
        }
    }
    assert!(found.len() >= 15, "{} vectors", found.len());
    found
}

fn vector(group: &str, name: &str) -> String {
    let v = vectors();
    v[group]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// `apiplay token decode TOKEN`: exit code, stdout, stderr.
fn decode_cli(token: &str) -> (Option<i32>, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_apiplay"))
        .args(["token", "decode", token])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A 007 token whose zlib stream is followed by `extra` bytes.
fn with_bytes_after_zlib(token: &str, extra: &[u8]) -> (String, usize) {
    let mut compressed = STANDARD.decode(&token[3..]).unwrap();
    let end = compressed.len();
    compressed.extend_from_slice(extra);
    (format!("007{}", STANDARD.encode(&compressed)), end)
}

#[test]
fn bytes_after_the_zlib_stream_of_a_007_token_are_malformed() {
    let token = vector("agora_access_token2", "chat_user");
    assert!(tokens::decode(&token).is_ok());
    let (bad, end) = with_bytes_after_zlib(&token, b"\x00trailing");
    let (code, _, stderr) = decode_cli(&bad);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("after the zlib stream") && stderr.contains(&format!("byte {end}")),
        "names what and where: {stderr}"
    );
    // `verify` says malformed too, not valid.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_apiplay"))
        .args([
            "token",
            "verify",
            &bad,
            "--cert",
            "5CFd2fd1755d40ecb72977518be15d3b",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("malformed:"));
}

/// The official T1 vector of opentok/token-encoder, decoded, cut at `cut`, encoded again.
fn t1_cut(text_end: impl Fn(&str) -> usize) -> (String, String) {
    let token = vector("opentok_t1", "token_encoder");
    let text = String::from_utf8(STANDARD.decode(&token[4..]).unwrap()).unwrap();
    let cut = &text[..text_end(&text)];
    (format!("T1=={}", STANDARD.encode(cut)), cut.to_owned())
}

#[test]
fn truncated_t1_tokens_are_malformed_and_name_the_offset() {
    // Cut inside expire_time (`expire_time=14`): it used to decode, expiring in 1970.
    let (token, text) = t1_cut(|t| t.find("expire_time=").unwrap() + "expire_time=14".len());
    let value_at = text.find("expire_time=").unwrap() + "expire_time=".len();
    let (code, _, stderr) = decode_cli(&token);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("expire_time") && stderr.contains(&format!("byte {value_at}")),
        "{stderr}"
    );
    // Cut before expire_time: the field is missing where the content ends.
    let (token, text) = t1_cut(|t| t.find("&role=").unwrap());
    let (code, _, stderr) = decode_cli(&token);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("missing") && stderr.contains(&format!("byte {}", text.len())),
        "{stderr}"
    );
    // Cut inside a percent escape of connection_data.
    let (token, _) = t1_cut(|t| t.len() - 1);
    let (code, _, stderr) = decode_cli(&token);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("byte"), "{stderr}");
}

#[test]
fn missing_or_unusual_padding_is_accepted_and_said() {
    let token = vector("agora_access_token2", "chat_user");
    assert!(token.ends_with('='));
    let (code, stdout, stderr) = decode_cli(token.trim_end_matches('='));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("padding"), "decode says so: {stdout}");
    let (_, canonical, _) = decode_cli(&token);
    assert!(!canonical.contains("padding"), "{canonical}");

    // A JWT part padded with `=` (JWTs use unpadded base64url).
    let jwt = vector("twilio_access_token", "chat_grant");
    let parts: Vec<&str> = jwt.split('.').collect();
    let padded = parts
        .iter()
        .map(|p| {
            let pad = (4 - p.len() % 4) % 4;
            format!("{p}{}", "=".repeat(pad))
        })
        .collect::<Vec<_>>()
        .join(".");
    assert_ne!(padded, jwt, "some part needs padding");
    let (code, stdout, stderr) = decode_cli(&padded);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("padding"), "{stdout}");
}

#[test]
fn bytes_after_a_complete_006_or_jwt_are_malformed() {
    let token = vector("agora_access_token_006", "rtc_006");
    let mut content = STANDARD.decode(&token[35..]).unwrap();
    let end = content.len();
    content.extend_from_slice(b"\x01\x02");
    let bad = format!("{}{}", &token[..35], STANDARD.encode(&content));
    let (code, _, stderr) = decode_cli(&bad);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains(&format!("byte {end}")), "{stderr}");

    let jwt = vector("opentok_jwt", "python_sdk_hs256");
    let (code, _, stderr) = decode_cli(&format!("{jwt}.extra"));
    assert_eq!(code, Some(2), "{stderr}");
    // A signature cut short is malformed, not a mere mismatch.
    let cut = &jwt[..jwt.len() - 8];
    let (code, _, stderr) = decode_cli(cut);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("offset") || stderr.contains("byte"),
        "{stderr}"
    );
    // A whole signature of the wrong length (16 bytes) is named as such.
    let (head, _) = jwt.rsplit_once('.').unwrap();
    let short = format!("{head}.{}", "A".repeat(22));
    let (code, _, stderr) = decode_cli(&short);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("signature is 16 bytes"), "{stderr}");
}

/// One mutation of a token string.
#[derive(Debug, Clone)]
enum Mutation {
    Truncate(usize),
    Delete(usize),
    Replace(usize, char),
    Insert(usize, char),
    Append(String),
}

fn apply(token: &str, m: &Mutation) -> String {
    let chars: Vec<char> = token.chars().collect();
    let at = |i: usize| i % (chars.len() + 1);
    let mut out = chars.clone();
    match m {
        Mutation::Truncate(i) => out.truncate(at(*i)),
        Mutation::Delete(i) => {
            if !out.is_empty() {
                out.remove(at(*i) % out.len());
            }
        }
        Mutation::Replace(i, c) => {
            if !out.is_empty() {
                let n = out.len();
                out[at(*i) % n] = *c;
            }
        }
        Mutation::Insert(i, c) => out.insert(at(*i), *c),
        Mutation::Append(s) => out.extend(s.chars()),
    }
    out.into_iter().collect()
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let b64 = prop_oneof![
        proptest::char::range('A', 'Z'),
        proptest::char::range('a', 'z'),
        proptest::char::range('0', '9'),
        Just('+'),
        Just('/'),
        Just('='),
        Just('-'),
        Just('_'),
        Just('.'),
        any::<char>(),
    ];
    prop_oneof![
        any::<usize>().prop_map(Mutation::Truncate),
        any::<usize>().prop_map(Mutation::Delete),
        (any::<usize>(), b64.clone()).prop_map(|(i, c)| Mutation::Replace(i, c)),
        (any::<usize>(), b64.clone()).prop_map(|(i, c)| Mutation::Insert(i, c)),
        proptest::collection::vec(b64, 1..12)
            .prop_map(|c| Mutation::Append(c.into_iter().collect())),
    ]
}

/// Runs every decoder and verifier on `token`: none may panic.
fn exercise(token: &str) -> bool {
    let decoded = tokens::decode(token).is_ok();
    let _ = tokens::agora::verify(token, "5CFd2fd1755d40ecb72977518be15d3b");
    let _ = tokens::agora::v006::verify(
        token,
        "5CFd2fd1755d40ecb72977518be15d3b",
        "7d72365eb983485397e3e3f9d460bdda",
        "2882341273",
    );
    let _ = tokens::twilio::verify(token, "secret");
    let _ = tokens::opentok::verify_t1(token, "1234567890abcdef1234567890abcdef1234567890");
    let _ = tokens::opentok::verify_jwt(token, "1234567890abcdef1234567890abcdef1234567890");
    decoded
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]

    /// Mutated real tokens never panic a decoder or a verifier.
    #[test]
    fn mutated_vectors_never_panic(index in any::<usize>(), m in mutation()) {
        let tokens = all_tokens();
        let token = &tokens[index % tokens.len()];
        exercise(&apply(token, &m));
    }

    /// A 007 or 006 token cut anywhere before its last data character is malformed
    /// (dropping only `=` padding is accepted).
    #[test]
    fn truncated_agora_tokens_are_malformed(index in any::<usize>(), cut in any::<usize>()) {
        let tokens: Vec<String> = all_tokens()
            .into_iter()
            .filter(|t| t.starts_with("007") || t.starts_with("006"))
            .collect();
        let token = &tokens[index % tokens.len()];
        let data_end = token.trim_end_matches('=').len();
        let at = 3 + cut % (data_end - 3);
        prop_assert!(tokens::decode(&token[..at]).is_err(), "{}", &token[..at]);
        prop_assert!(tokens::decode(&token[..data_end]).is_ok());
    }

    /// Any bytes after a 007 token's zlib stream make it malformed.
    #[test]
    fn bytes_after_any_007_zlib_stream_are_malformed(
        index in any::<usize>(),
        extra in proptest::collection::vec(any::<u8>(), 1..16),
    ) {
        let tokens: Vec<String> = all_tokens().into_iter().filter(|t| t.starts_with("007")).collect();
        let token = &tokens[index % tokens.len()];
        let (bad, _) = with_bytes_after_zlib(token, &extra);
        prop_assert!(tokens::decode(&bad).is_err());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Through the real binary: a mutated token decodes (exit 0) exactly when the library
    /// decodes it, and is otherwise exit 2 with an error, never a crash.
    #[test]
    fn the_binary_says_malformed_with_exit_2(index in any::<usize>(), m in mutation()) {
        let tokens = all_tokens();
        let mutated = apply(&tokens[index % tokens.len()], &m);
        // A NUL byte cannot be a command-line argument (the OS refuses it, as a shell would).
        prop_assume!(
            !mutated.trim().is_empty() && !mutated.starts_with('-') && !mutated.contains('\0')
        );
        let ok = exercise(&mutated);
        let (code, _, stderr) = decode_cli(&mutated);
        prop_assert_eq!(code, Some(if ok { 0 } else { 2 }), "{}: {}", mutated, stderr);
        if !ok {
            prop_assert!(stderr.starts_with("error: cannot decode the token"), "{}", stderr);
        }
    }
}
