//! The Conversations REST API v1 over the sandbox store, at the paths twilio-python 9.11.0
//! builds (`twilio/rest/conversations/v1/service/...`):
//!
//! | path | create (POST) | list (GET) | fetch (GET) | update (POST) | delete |
//! |---|---|---|---|---|---|
//! | `/v1/Services[/{IS}]` | `FriendlyName` | yes | yes | — | yes, with all it holds |
//! | `/v1/Services/{IS}/Users[/{US or identity}]` | `Identity`, `FriendlyName`, `Attributes`, `RoleSid` | yes | yes | yes | yes |
//! | `/v1/Services/{IS}/Conversations[/{CH or unique name}]` | `FriendlyName`, `UniqueName`, `Attributes`, `State`, … | yes | yes | yes | yes, with its participants and messages |
//! | `…/Conversations/{CH}/Participants[/{MB or identity}]` | `Identity` or `MessagingBinding.Address`, `Attributes`, `RoleSid` | yes | yes | yes | yes |
//! | `…/Conversations/{CH}/Messages[/{IM}]` | `Author` (default `system`), `Body`, `Attributes` | yes | yes | yes | yes |
//!
//! `/v1/Users…` and `/v1/Conversations…` (the docs' "shortened" URLs) act on the account's
//! default service ([`demo::TWILIO_CHAT_SERVICE_SID`]). Creates answer 201, fetches, lists
//! and updates 200, deletes 204 with no body. Parameters are read from a form body only: a
//! JSON body is not read, as the API does not read one (a JSON `Identity` gets "Missing
//! required parameter Identity in the post body", 20001).

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use axum::Router;
use serde_json::{json, Map, Value};

use super::render::{self, PageAt};
use super::{authenticate, base_url, Refusal};
use crate::catalogue::{catalogue, Kind as CheckKind, Operation};
use crate::sandbox::body::{self, BodyError};
use crate::sandbox::demo;
use crate::sandbox::store::twilio::{Created, Kind, NewResource};
use crate::sandbox::store::{Store, StoreError};

/// The page size when none is asked for (twilio-python's `read_limits`: 50 when unset). Its
/// limits are the catalogue's (`PageSize` of each list op).
const DEFAULT_PAGE_SIZE: u32 = 50;

/// The Conversations routes. A path segment holds the same parameter name in every route
/// (the router requires it): `svc` a service, `conv` a conversation, `sid` the rest.
pub fn router(store: Arc<Store>) -> Router {
    let mut router = Router::new()
        .route("/v1/Services", collection(Kind::Service))
        .route("/v1/Services/:svc", instance(Kind::Service));
    // Each collection under a service, and the same under the default service.
    for prefix in ["/v1/Services/:svc", "/v1"] {
        router = router
            .route(&format!("{prefix}/Users"), collection(Kind::User))
            .route(&format!("{prefix}/Users/:sid"), instance(Kind::User))
            .route(
                &format!("{prefix}/Conversations"),
                collection(Kind::Conversation),
            )
            .route(
                &format!("{prefix}/Conversations/:conv"),
                instance(Kind::Conversation),
            );
        for (tail, kind) in [
            ("Participants", Kind::Participant),
            ("Messages", Kind::Message),
        ] {
            let path = format!("{prefix}/Conversations/:conv/{tail}");
            router = router
                .route(&path, collection(kind))
                .route(&format!("{path}/:sid"), instance(kind));
        }
    }
    router.with_state(store)
}

type Params = Option<Path<HashMap<String, String>>>;

fn collection(kind: Kind) -> MethodRouter<Arc<Store>> {
    get(
        move |State(store): State<Arc<Store>>,
              params: Params,
              RawQuery(query): RawQuery,
              headers: HeaderMap,
              uri: Uri| async move {
            list(
                kind,
                &store,
                &params_of(params),
                query.as_deref(),
                &headers,
                &uri,
            )
            .await
        },
    )
    .post(
        move |State(store): State<Arc<Store>>,
              params: Params,
              headers: HeaderMap,
              uri: Uri,
              body: Body| async move {
            create(kind, &store, &params_of(params), &headers, &uri, body).await
        },
    )
}

fn instance(kind: Kind) -> MethodRouter<Arc<Store>> {
    let router = get(
        move |State(store): State<Arc<Store>>, params: Params, headers: HeaderMap, uri: Uri| async move {
            fetch(kind, &store, &params_of(params), &headers, &uri)
                .await
        },
    )
    .delete(
        move |State(store): State<Arc<Store>>, params: Params, headers: HeaderMap, uri: Uri| async move {
            delete(kind, &store, &params_of(params), &headers, &uri)
                .await
        },
    );
    if kind == Kind::Service {
        // twilio-python has no update for a Service (its settings live in Configuration).
        return router;
    }
    router.post(
        move |State(store): State<Arc<Store>>,
              params: Params,
              headers: HeaderMap,
              uri: Uri,
              body: Body| async move {
            update(kind, &store, &params_of(params), &headers, &uri, body).await
        },
    )
}

fn params_of(params: Params) -> HashMap<String, String> {
    params.map(|Path(p)| p).unwrap_or_default()
}

type Answer = Result<Response, Refusal>;

fn store_failed(err: &StoreError) -> Refusal {
    Refusal::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        500,
        format!("the sandbox store failed: {err}"),
    )
}

fn body_failed(err: &BodyError) -> Refusal {
    match err {
        BodyError::TooLarge => Refusal::new(StatusCode::PAYLOAD_TOO_LARGE, 413, err.to_string()),
        _ => Refusal::new(StatusCode::BAD_REQUEST, 400, err.to_string()),
    }
}

/// 400 20001, Twilio's answer to a missing required parameter.
fn missing(name: &str) -> Refusal {
    Refusal::new(
        StatusCode::BAD_REQUEST,
        20_001,
        format!("Missing required parameter {name} in the post body"),
    )
}

/// 400 for a value the sandbox refuses; Twilio documents no code for these, so the code is
/// the HTTP status, as for the sandbox's other undocumented refusals.
fn invalid(message: &str) -> Refusal {
    Refusal::new(StatusCode::BAD_REQUEST, 400, message)
}

/// A request's form parameters, in the order sent.
struct Form(Vec<(String, String)>);

impl Form {
    /// The first value of `name`.
    fn get(&self, name: &str) -> Option<&String> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
}

/// The catalogue's op for `action` on `kind` (`twilio.conversations.user.create`).
fn op(kind: Kind, action: &str) -> Result<&'static Operation, Refusal> {
    let id = format!("twilio.conversations.{}.{action}", kind.as_str());
    catalogue().get(&id).ok_or_else(|| {
        Refusal::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            500,
            format!("the catalogue has no {id}"),
        )
    })
}

/// A form held to the catalogue's rules for `action` on `kind`: a missing required parameter
/// is Twilio's 20001; any other finding (a value not allowed, too long, of the wrong type) is a
/// 400 with the catalogue's sentence, a code Twilio does not document for these.
fn admit(kind: Kind, action: &str, form: &Form) -> Result<(), Refusal> {
    match op(kind, action)?.form_refusal(&form.0) {
        None => Ok(()),
        Some(d) if d.kind == CheckKind::Missing => Err(missing(&d.path)),
        Some(d) => Err(invalid(&d.message)),
    }
}

/// The parameters of a form body; none when the body is not a form (the API reads only
/// forms).
async fn form(headers: &HeaderMap, body: Body) -> Result<Form, Refusal> {
    let bytes = body::read(headers, body)
        .await
        .map_err(|e| body_failed(&e))?;
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(crate::collection::form::is_form_content_type);
    let pairs = if is_form {
        form_urlencoded::parse(&bytes).into_owned().collect()
    } else {
        Vec::new()
    };
    Ok(Form(pairs))
}

/// The service and parent SIDs a request of `kind` acts under, after checking that they
/// exist: `("", "")` for a service; `(IS, IS)` for users and conversations; `(IS, CH)` for
/// participants and messages (the conversation may be named by its unique name).
async fn scope(
    kind: Kind,
    store: &Store,
    params: &HashMap<String, String>,
    uri: &Uri,
) -> Result<(String, String), Refusal> {
    if kind == Kind::Service {
        return Ok((String::new(), String::new()));
    }
    let service_key = params
        .get("svc")
        .cloned()
        .unwrap_or_else(|| demo::TWILIO_CHAT_SERVICE_SID.to_owned());
    let service = store
        .twilio_get(Kind::Service, String::new(), service_key)
        .await
        .map_err(|e| store_failed(&e))?
        .ok_or_else(|| Refusal::not_found(uri.path()))?;
    match kind {
        Kind::User | Kind::Conversation => Ok((service.sid.clone(), service.sid)),
        _ => {
            let conv_key = params.get("conv").cloned().unwrap_or_default();
            let conversation = store
                .twilio_get(Kind::Conversation, service.sid.clone(), conv_key)
                .await
                .map_err(|e| store_failed(&e))?
                .ok_or_else(|| Refusal::not_found(uri.path()))?;
            Ok((service.sid, conversation.sid))
        }
    }
}

fn text(value: Option<&String>) -> Value {
    value.map_or(Value::Null, |v| Value::String(v.clone()))
}

/// The stored fields and unique key of a new resource of `kind`, from the form.
async fn new_fields(
    kind: Kind,
    store: &Store,
    parent: &str,
    form: &Form,
) -> Result<(Map<String, Value>, Option<String>), Refusal> {
    let get = |name: &str| form.get(name);
    let mut fields = Map::new();
    let mut uniq = None;
    match kind {
        Kind::Service => {
            let name = get("FriendlyName").ok_or_else(|| missing("FriendlyName"))?;
            fields.insert("friendly_name".into(), json!(name));
        }
        Kind::User => {
            let identity = get("Identity").ok_or_else(|| missing("Identity"))?;
            uniq = Some(identity.clone());
            fields.insert("friendly_name".into(), text(get("FriendlyName")));
            fields.insert("attributes".into(), text(get("Attributes")));
            fields.insert("role_sid".into(), text(get("RoleSid")));
        }
        Kind::Conversation => {
            uniq = get("UniqueName").cloned();
            fields.insert("friendly_name".into(), text(get("FriendlyName")));
            fields.insert("attributes".into(), text(get("Attributes")));
            fields.insert(
                "messaging_service_sid".into(),
                text(get("MessagingServiceSid")),
            );
            fields.insert("state".into(), text(get("State")));
            let mut timers = Map::new();
            for (param, key) in [
                ("Timers.Inactive", "date_inactive"),
                ("Timers.Closed", "date_closed"),
            ] {
                if let Some(v) = get(param) {
                    timers.insert(key.into(), json!(v));
                }
            }
            fields.insert("timers".into(), Value::Object(timers));
        }
        Kind::Participant => {
            let identity = get("Identity");
            let address = get("MessagingBinding.Address");
            if identity.is_none() && address.is_none() {
                return Err(missing("Identity"));
            }
            uniq = identity.cloned();
            fields.insert("attributes".into(), text(get("Attributes")));
            fields.insert("role_sid".into(), text(get("RoleSid")));
            fields.insert(
                "messaging_binding".into(),
                address.map_or(Value::Null, |a| {
                    json!({
                        "type": "sms",
                        "address": a,
                        "proxy_address": get("MessagingBinding.ProxyAddress"),
                    })
                }),
            );
        }
        Kind::Message => {
            let author = get("Author").cloned().unwrap_or_else(|| "system".into());
            // The author's participant, when the author is one by identity.
            let participant = store
                .twilio_get(Kind::Participant, parent.to_owned(), author.clone())
                .await
                .map_err(|e| store_failed(&e))?
                .filter(|p| p.uniq.as_deref() == Some(author.as_str()));
            fields.insert("author".into(), json!(author));
            fields.insert("body".into(), text(get("Body")));
            fields.insert("attributes".into(), text(get("Attributes")));
            fields.insert(
                "participant_sid".into(),
                participant.map_or(Value::Null, |p| json!(p.sid)),
            );
        }
    }
    Ok((fields, uniq))
}

async fn create(
    kind: Kind,
    store: &Store,
    params: &HashMap<String, String>,
    headers: &HeaderMap,
    uri: &Uri,
    body: Body,
) -> Answer {
    authenticate(headers)?;
    let (service, parent) = scope(kind, store, params, uri).await?;
    let form = form(headers, body).await?;
    admit(kind, "create", &form)?;
    let (fields, uniq) = new_fields(kind, store, &parent, &form).await?;
    let created = store
        .twilio_create(NewResource {
            kind,
            service,
            parent,
            uniq,
            fields,
        })
        .await
        .map_err(|e| store_failed(&e))?;
    match created {
        Created::Created(r) => Ok((
            StatusCode::CREATED,
            axum::Json(render::resource(kind, &r, &base_url(headers))),
        )
            .into_response()),
        // The parent went away between the check and the insert.
        Created::NoParent => Err(Refusal::not_found(uri.path())),
        Created::Duplicate => Err(Refusal::new(
            StatusCode::CONFLICT,
            409,
            match kind {
                Kind::Conversation => {
                    "A Conversation with this UniqueName already exists in the service"
                }
                Kind::Participant => {
                    "A Participant with this Identity already exists in the conversation"
                }
                _ => "A User with this Identity already exists in the service",
            },
        )),
    }
}

/// The page size, page number and offset a list asks for; `PageSize` and `Page` are held to
/// the list op's parameters in the catalogue. `PageToken` is the sandbox's own (`PT` and the
/// offset), as the API's is its own.
fn page_params(list: &Operation, query: Option<&str>) -> Result<(u32, u64, u64), Refusal> {
    let mut size = DEFAULT_PAGE_SIZE;
    let mut page = 0_u64;
    let mut token = None;
    for (k, v) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        if let Some(wrong) = list.check_param(&k, &v) {
            return Err(invalid(&wrong));
        }
        let whole = || invalid(&format!("{k} must be a whole number, not {v:?}"));
        match k.as_ref() {
            "PageSize" => size = v.parse().map_err(|_| whole())?,
            "Page" => page = v.parse().map_err(|_| whole())?,
            "PageToken" => {
                token = Some(
                    v.strip_prefix("PT")
                        .and_then(|n| n.parse::<u64>().ok())
                        .ok_or_else(|| {
                            invalid(&format!("PageToken {v:?} is not one this API gave"))
                        })?,
                );
            }
            _ => {}
        }
    }
    let offset = token.unwrap_or_else(|| page.saturating_mul(u64::from(size)));
    Ok((size, page, offset))
}

async fn list(
    kind: Kind,
    store: &Store,
    params: &HashMap<String, String>,
    query: Option<&str>,
    headers: &HeaderMap,
    uri: &Uri,
) -> Answer {
    authenticate(headers)?;
    let (_, parent) = scope(kind, store, params, uri).await?;
    let (size, page, offset) = page_params(op(kind, "list")?, query)?;
    let (rows, more) = store
        .twilio_list(kind, parent, offset, size)
        .await
        .map_err(|e| store_failed(&e))?;
    let base = base_url(headers);
    let items = rows
        .iter()
        .map(|r| render::resource(kind, r, &base))
        .collect();
    let collection_url = format!("{base}{}", uri.path());
    Ok(axum::Json(render::page(
        kind,
        items,
        &PageAt {
            collection_url: &collection_url,
            page,
            page_size: size,
            offset,
            more,
        },
    ))
    .into_response())
}

async fn fetch(
    kind: Kind,
    store: &Store,
    params: &HashMap<String, String>,
    headers: &HeaderMap,
    uri: &Uri,
) -> Answer {
    authenticate(headers)?;
    let key = params_key(kind, params);
    let (_, parent) = scope(kind, store, params, uri).await?;
    let found = store
        .twilio_get(kind, parent, key)
        .await
        .map_err(|e| store_failed(&e))?
        .ok_or_else(|| Refusal::not_found(uri.path()))?;
    Ok(axum::Json(render::resource(kind, &found, &base_url(headers))).into_response())
}

/// The instance's key in the path: `svc` for a service, `conv` for a conversation, `sid`
/// otherwise.
fn params_key(kind: Kind, params: &HashMap<String, String>) -> String {
    let name = match kind {
        Kind::Service => "svc",
        Kind::Conversation => "conv",
        _ => "sid",
    };
    params.get(name).cloned().unwrap_or_default()
}

async fn update(
    kind: Kind,
    store: &Store,
    params: &HashMap<String, String>,
    headers: &HeaderMap,
    uri: &Uri,
    body: Body,
) -> Answer {
    authenticate(headers)?;
    let key = params_key(kind, params);
    let (_, parent) = scope(kind, store, params, uri).await?;
    let form = form(headers, body).await?;
    let allowed: &[(&str, &str)] = match kind {
        Kind::Service => &[],
        Kind::User => &[
            ("FriendlyName", "friendly_name"),
            ("Attributes", "attributes"),
            ("RoleSid", "role_sid"),
        ],
        Kind::Conversation => &[
            ("FriendlyName", "friendly_name"),
            ("Attributes", "attributes"),
            ("MessagingServiceSid", "messaging_service_sid"),
            ("State", "state"),
        ],
        Kind::Participant => &[
            ("Attributes", "attributes"),
            ("RoleSid", "role_sid"),
            ("LastReadMessageIndex", "last_read_message_index"),
            ("LastReadTimestamp", "last_read_timestamp"),
        ],
        Kind::Message => &[
            ("Author", "author"),
            ("Body", "body"),
            ("Attributes", "attributes"),
        ],
    };
    admit(kind, "update", &form)?;
    let mut changes = Map::new();
    for (param, field) in allowed {
        if let Some(value) = form.get(param) {
            let value = if *field == "last_read_message_index" {
                value.parse::<i64>().map(Value::from).map_err(|_| {
                    invalid(&format!(
                        "LastReadMessageIndex must be a whole number, not {value:?}"
                    ))
                })?
            } else {
                json!(value)
            };
            changes.insert((*field).to_owned(), value);
        }
    }
    if kind == Kind::Message {
        changes.insert("edited".into(), json!(true));
    }
    let updated = store
        .twilio_update(kind, parent, key, changes)
        .await
        .map_err(|e| store_failed(&e))?
        .ok_or_else(|| Refusal::not_found(uri.path()))?;
    Ok(axum::Json(render::resource(kind, &updated, &base_url(headers))).into_response())
}

async fn delete(
    kind: Kind,
    store: &Store,
    params: &HashMap<String, String>,
    headers: &HeaderMap,
    uri: &Uri,
) -> Answer {
    authenticate(headers)?;
    let key = params_key(kind, params);
    let (_, parent) = scope(kind, store, params, uri).await?;
    if store
        .twilio_delete(kind, parent, key)
        .await
        .map_err(|e| store_failed(&e))?
    {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(Refusal::not_found(uri.path()))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::{admit, op, page_params, Form, Kind};

    fn form(pairs: &[(&str, &str)]) -> Form {
        Form(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn page_params_read_size_page_and_token_within_the_catalogue_limits() {
        let list = op(Kind::User, "list").unwrap();
        assert_eq!(page_params(list, None).unwrap(), (50, 0, 0));
        assert_eq!(
            page_params(list, Some("PageSize=2&Page=3")).unwrap(),
            (2, 3, 6)
        );
        assert_eq!(
            page_params(list, Some("PageSize=2&Page=1&PageToken=PT7")).unwrap(),
            (2, 1, 7)
        );
        let over = page_params(list, Some("PageSize=1001")).unwrap_err();
        assert!(over.message.contains("1000"), "{}", over.message);
        assert!(page_params(list, Some("PageSize=0")).is_err());
        assert!(page_params(list, Some("Page=-1")).is_err());
        assert!(page_params(list, Some("PageSize=ten")).is_err());
        assert!(page_params(list, Some("PageToken=abc")).is_err());
    }

    #[test]
    fn a_missing_required_parameter_is_twilio_20001() {
        let refused = admit(Kind::User, "create", &form(&[("FriendlyName", "A")])).unwrap_err();
        assert_eq!((refused.status.as_u16(), refused.code), (400, 20_001));
        assert_eq!(
            refused.message,
            "Missing required parameter Identity in the post body"
        );
        assert!(admit(Kind::User, "create", &form(&[("Identity", "alice")])).is_ok());
    }

    #[test]
    fn values_are_held_to_the_catalogue_on_create_and_update() {
        let state = admit(Kind::Conversation, "update", &form(&[("State", "open")])).unwrap_err();
        assert_eq!((state.status.as_u16(), state.code), (400, 400));
        assert!(state.message.contains("closed"), "{}", state.message);
        let long = "x".repeat(1601);
        assert!(admit(Kind::Message, "create", &form(&[("Body", &long)])).is_err());
        assert!(admit(Kind::Message, "update", &form(&[("Body", &long)])).is_err());
        assert!(admit(Kind::Message, "update", &form(&[("Body", &long[..1600])])).is_ok());
        let index = admit(
            Kind::Participant,
            "update",
            &form(&[("LastReadMessageIndex", "three")]),
        )
        .unwrap_err();
        assert!(index.message.contains("integer"), "{}", index.message);
        assert!(admit(
            Kind::Participant,
            "update",
            &form(&[
                ("LastReadMessageIndex", "3"),
                ("MessagingBinding.ProxyAddress", "+1")
            ])
        )
        .is_ok());
        let nested = admit(
            Kind::Participant,
            "create",
            &form(&[("MessagingBinding.Address", "+1"), ("RoleSid", "RL1")]),
        )
        .unwrap_err();
        assert!(nested.message.contains("RoleSid"), "{}", nested.message);
        // The API ignores names it does not know, and so does the sandbox.
        assert!(admit(Kind::User, "update", &form(&[("Nmae", "x")])).is_ok());
    }
}
