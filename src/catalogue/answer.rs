//! Reading a vendor's answer against the catalogue: which documented error it carries, so the
//! CLI and the TUI can say what it means and what to do.

use super::schema::ErrorDoc;
use super::{Catalogue, Operation};

/// The error code an answer carries: mesibo's and Easemob's `error` string, Twilio's numeric
/// `code`, or (for answers with neither, like Vonage's `{"code": 403}`) the HTTP status.
pub fn error_code(status: u16, body: &[u8]) -> Option<String> {
    // Error bodies are small; a large answer is not parsed for one.
    if body.len() > 1 << 20 {
        return None;
    }
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let refused = status >= 400 || value.get("result") == Some(&serde_json::Value::Bool(false));
    if !refused {
        return None;
    }
    if let Some(code) = value.get("error").and_then(serde_json::Value::as_str) {
        return Some(code.to_owned());
    }
    if let Some(code) = value.get("code").and_then(serde_json::Value::as_i64) {
        return Some(code.to_string());
    }
    (status >= 400).then(|| status.to_string())
}

impl Catalogue {
    /// The documented error an answer carries: looked up in the payload's op, then in the
    /// other ops of its vendor. Without an op (a replayed exchange may not know it), a code
    /// of the vendor's own (not the bare HTTP status) that only one vendor documents. Never
    /// another vendor's: a Twilio answer with code 400 is
    /// not Vonage's 400. `None` when the answer is not a refusal or its code is not in the
    /// catalogue.
    pub fn explain_answer<'c>(
        &'c self,
        op: Option<&'c Operation>,
        status: u16,
        body: &[u8],
    ) -> Option<(String, &'c ErrorDoc, &'c Operation)> {
        let code = error_code(status, body)?;
        if let Some(op) = op {
            let status_text = status.to_string();
            let find = |op: &'c Operation| {
                op.error(&code)
                    .or_else(|| op.error(&status_text))
                    .map(|doc| (doc, op))
            };
            let (doc, op) = find(op).or_else(|| self.vendor_ops(op.vendor).find_map(find))?;
            return Some((code, doc, op));
        }
        // A code that is just the HTTP status says nothing about whose API answered.
        if code == status.to_string() {
            return None;
        }
        let mut found = self
            .ops()
            .iter()
            .filter_map(|o| o.error(&code).map(|doc| (doc, o)));
        let (doc, first) = found.next()?;
        if found.any(|(_, o)| o.vendor != first.vendor) {
            return None;
        }
        Some((code, doc, first))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::catalogue::catalogue;

    #[test]
    fn codes_come_from_each_vendors_error_body() {
        assert_eq!(
            error_code(200, br#"{"op":"userdel","result":false,"error":"NOUSER"}"#).as_deref(),
            Some("NOUSER")
        );
        assert_eq!(error_code(200, br#"{"op":"useradd","result":true}"#), None);
        assert_eq!(
            error_code(400, br#"{"error":"duplicate_unique_property_exists"}"#).as_deref(),
            Some("duplicate_unique_property_exists")
        );
        assert_eq!(
            error_code(400, br#"{"code":20157,"message":"x"}"#).as_deref(),
            Some("20157")
        );
        assert_eq!(error_code(404, b"not json"), None);
    }

    #[test]
    fn documented_errors_are_found_for_the_op_and_without_one() {
        let cat = catalogue();
        let useradd = cat.get("agora.chat.user.create");
        let body = br#"{"error":"duplicate_unique_property_exists","error_description":"x"}"#;
        let (code, doc, op) = cat.explain_answer(useradd, 400, body).unwrap();
        assert_eq!(code, "duplicate_unique_property_exists");
        assert_eq!(op.id, "agora.chat.user.create");
        assert!(doc.meaning.contains("already exists"), "{}", doc.meaning);
        let (_, doc, _) = cat
            .explain_answer(None, 200, br#"{"result":false,"error":"BADOP"}"#)
            .unwrap();
        assert!(doc.fix.contains("apiplay ops mesibo"), "{}", doc.fix);
        assert!(cat
            .explain_answer(None, 200, br#"{"result":false,"error":"NOPE"}"#)
            .is_none());
    }

    #[test]
    fn an_answer_is_never_explained_by_another_vendors_error() {
        let cat = catalogue();
        let body = br#"{"code":400,"message":"State \"open\" is not one of","status":400}"#;
        let update = cat.get("twilio.conversations.user.update");
        assert!(update.is_some());
        assert!(
            cat.explain_answer(update, 400, body).is_none(),
            "Twilio documents no 400 code; Vonage's 400 is not it"
        );
        // Without an op, a code two vendors document tells nothing.
        assert!(cat.explain_answer(None, 400, body).is_none());
        let expired = br#"{"code":20157,"message":"Expiration Time exceeds maximum"}"#;
        let (_, _, op) = cat.explain_answer(None, 400, expired).unwrap();
        assert_eq!(op.vendor, crate::catalogue::Vendor::Twilio);
        let vonage = cat.get("vonage.video.session.create");
        let (code, _, op) = cat
            .explain_answer(vonage, 403, br#"{"code":-1,"message":"x"}"#)
            .unwrap();
        assert_eq!(
            (code.as_str(), op.id.as_str()),
            ("-1", "vonage.video.session.create")
        );
    }
}
