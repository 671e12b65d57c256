//! The serde types of a catalogue file (`catalogue/<vendor>.toml`), exactly the format agreed in
//! CONTRACT.md. Every table denies unknown keys, so a typo in the catalogue is a load error
//! with its position rather than a rule that silently does nothing.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;

pub use crate::collection::Encoding;

/// One vendor's file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VendorFile {
    /// Which vendor the file describes.
    pub vendor: Vendor,
    /// The API's name, for listings.
    pub title: String,
    /// Its operations.
    #[serde(default)]
    pub ops: Vec<Op>,
}

/// The four vendors apiplay knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Vendor {
    /// The mesibo backend API.
    Mesibo,
    /// Agora Chat (REST and the docs' token server).
    Agora,
    /// Twilio (quickstart token server, Conversations REST).
    Twilio,
    /// Vonage Video / OpenTok.
    Vonage,
}

impl Vendor {
    /// Every vendor, in listing order.
    pub const ALL: [Vendor; 4] = [
        Vendor::Mesibo,
        Vendor::Agora,
        Vendor::Twilio,
        Vendor::Vonage,
    ];

    /// The lowercase name used in ids, files and `--json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Vendor::Mesibo => "mesibo",
            Vendor::Agora => "agora",
            Vendor::Twilio => "twilio",
            Vendor::Vonage => "vonage",
        }
    }

    /// Parses a vendor name as a user types it (case-insensitive).
    pub fn parse(name: &str) -> Option<Vendor> {
        Vendor::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for Vendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One operation: identity, wire, fields, answer and errors.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Op {
    /// Stable id, e.g. `mesibo.useradd`.
    pub id: String,
    /// One line for listings.
    pub title: String,
    /// A paragraph for a person learning the op, in our own words.
    pub summary: String,
    /// The vendor page the facts come from.
    pub docs_url: String,
    /// Every source the facts come from.
    pub sources: Vec<String>,
    /// What the sandbox chose where the docs are silent.
    #[serde(default)]
    pub sandbox_notes: Vec<String>,
    /// A backend name of `apiplay.toml`.
    pub backend: String,
    /// The HTTP method.
    pub method: String,
    /// Appended to the backend URL; may hold `{{variables}}`.
    #[serde(default)]
    pub path: String,
    /// How the JSON body on disk goes on the wire.
    #[serde(default)]
    pub encoding: Encoding,
    /// How the op authenticates.
    pub auth: Auth,
    /// Headers the op requires.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Query parameters a new payload of this op starts with.
    #[serde(default)]
    pub query: BTreeMap<String, String>,
    /// URL parameters (query string and path segments), described like fields: `path` is
    /// the parameter's name.
    #[serde(default)]
    pub params: Vec<Field>,
    /// How a payload without `op =` in its sidecar is recognised as this op.
    #[serde(rename = "match")]
    pub matcher: MatchRule,
    /// Position in the vendor's usual flow.
    #[serde(default)]
    pub flow: Option<u32>,
    /// What a flow captures from the answer: variable → JSON Pointer.
    #[serde(default)]
    pub captures: BTreeMap<String, String>,
    /// A whole request body that works (JSON text, `{{variables}}` allowed): what `explain`
    /// shows and `apiplay new` writes. Without it, one is built from the required fields.
    #[serde(default)]
    pub example_body: Option<String>,
    /// The request body's fields.
    #[serde(default)]
    pub fields: Vec<Field>,
    /// The answer's fields.
    #[serde(default)]
    pub response: Vec<ResponseField>,
    /// The errors the vendor documents for the op.
    #[serde(default)]
    pub errors: Vec<ErrorDoc>,
}

/// How an op authenticates.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Auth {
    /// The scheme.
    pub scheme: AuthScheme,
    /// The body field that carries the credential (`body`).
    #[serde(default)]
    pub field: Option<String>,
    /// The header name (`header`).
    #[serde(default)]
    pub name: Option<String>,
    /// The template variable or built-in that supplies it.
    #[serde(default)]
    pub variable: Option<String>,
}

/// Authentication schemes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthScheme {
    /// No credential.
    None,
    /// A field of the body.
    Body,
    /// `Authorization: Bearer …`.
    Bearer,
    /// `Authorization: Basic …`.
    Basic,
    /// A named header.
    Header,
}

impl AuthScheme {
    /// The name as written in the catalogue.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthScheme::None => "none",
            AuthScheme::Body => "body",
            AuthScheme::Bearer => "bearer",
            AuthScheme::Basic => "basic",
            AuthScheme::Header => "header",
        }
    }
}

/// How a payload is recognised as an op when its sidecar does not name one.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchRule {
    /// mesibo: the body's `"op"` value.
    #[serde(default)]
    pub body_op: Option<String>,
    /// The HTTP method.
    #[serde(default)]
    pub method: Option<String>,
    /// The path with `{name}` segments matching any one segment.
    #[serde(default)]
    pub path: Option<String>,
    /// The body's top-level shape.
    #[serde(default)]
    pub body: Option<BodyShape>,
}

/// The top-level shape of a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BodyShape {
    /// A JSON object.
    Object,
    /// A JSON array.
    Array,
    /// No body, or `{}`.
    None,
}

/// JSON types of a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    /// A JSON string.
    String,
    /// A whole number.
    Integer,
    /// Any JSON number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// A JSON object.
    Object,
    /// A JSON array.
    Array,
}

impl FieldType {
    /// The name as written in the catalogue.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::String => "string",
            FieldType::Integer => "integer",
            FieldType::Number => "number",
            FieldType::Boolean => "boolean",
            FieldType::Object => "object",
            FieldType::Array => "array",
        }
    }

    /// The noun with its article, for messages ("an integer", "a string").
    pub fn with_article(self) -> &'static str {
        match self {
            FieldType::String => "a string",
            FieldType::Integer => "an integer",
            FieldType::Number => "a number",
            FieldType::Boolean => "a boolean",
            FieldType::Object => "an object",
            FieldType::Array => "an array",
        }
    }
}

/// Units of a numeric field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Units {
    /// Minutes.
    Minutes,
    /// Seconds.
    Seconds,
    /// Milliseconds.
    Milliseconds,
}

impl Units {
    /// The plural noun.
    pub fn as_str(self) -> &'static str {
        match self {
            Units::Minutes => "minutes",
            Units::Seconds => "seconds",
            Units::Milliseconds => "milliseconds",
        }
    }

    /// The singular noun, for "the 86400-second limit".
    pub fn singular(self) -> &'static str {
        match self {
            Units::Minutes => "minute",
            Units::Seconds => "second",
            Units::Milliseconds => "millisecond",
        }
    }

    /// A human reading of an amount in these units ("24 h", "1 year"), when it is round.
    pub fn human(self, amount: f64) -> Option<String> {
        let seconds = match self {
            Units::Minutes => amount * 60.0,
            Units::Seconds => amount,
            Units::Milliseconds => amount / 1000.0,
        };
        let round = |n: f64| (n.fract() == 0.0).then_some(n);
        [
            (31_536_000.0, "year", "years"),
            (86_400.0, "day", "days"),
            (3600.0, "h", "h"),
            (60.0, "min", "min"),
        ]
        .into_iter()
        .find_map(|(size, one, many)| {
            let n = round(seconds / size)?;
            (n >= 1.0).then(|| format!("{n} {}", if n < 1.5 { one } else { many }))
        })
        .filter(|_| seconds >= 60.0)
    }
}

/// A field's type: one JSON type, or a list where the vendor takes several (mesibo takes a
/// uid as a number or a string, members as an array or a comma-separated string).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum TypeSpec {
    /// One type.
    One(FieldType),
    /// Any of these; the first is the one `apiplay new` writes.
    Any(Vec<FieldType>),
}

impl TypeSpec {
    /// The accepted types, first the preferred one.
    pub fn all(&self) -> &[FieldType] {
        match self {
            TypeSpec::One(t) => std::slice::from_ref(t),
            TypeSpec::Any(list) => list,
        }
    }

    /// The preferred type.
    pub fn primary(&self) -> FieldType {
        self.all().first().copied().unwrap_or(FieldType::String)
    }

    /// Whether `ty` is accepted.
    pub fn accepts(&self, ty: FieldType) -> bool {
        self.all().contains(&ty)
    }

    /// "integer", "integer or string".
    pub fn names(&self) -> String {
        self.all()
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(" or ")
    }
}

/// One request field.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// Dotted path over the JSON on disk; `[]` for array items (`[].username`); `""` for the
    /// body itself (a batch's item count).
    pub path: String,
    /// Its JSON type (or types).
    #[serde(rename = "type")]
    pub ty: TypeSpec,
    /// For a URL parameter: `query` or `path`.
    #[serde(default, rename = "in")]
    pub location: Option<ParamLocation>,
    /// Whether the op refuses a body without it.
    #[serde(default)]
    pub required: bool,
    /// One line: what it is.
    pub meaning: String,
    /// A value that works.
    #[serde(default)]
    pub example: Option<toml::Value>,
    /// The value the vendor assumes when the field is left out.
    #[serde(default)]
    pub default: Option<toml::Value>,
    /// Units of a numeric field.
    #[serde(default)]
    pub units: Option<Units>,
    /// Smallest allowed value.
    #[serde(default)]
    pub min: Option<f64>,
    /// Largest allowed value.
    #[serde(default)]
    pub max: Option<f64>,
    /// Shortest allowed string, in characters.
    #[serde(default)]
    pub min_length: Option<usize>,
    /// Longest allowed string, in characters.
    #[serde(default)]
    pub max_length: Option<usize>,
    /// Most items of an array.
    #[serde(default)]
    pub max_items: Option<usize>,
    /// The allowed values.
    #[serde(default)]
    pub values: Option<Vec<toml::Value>>,
    /// A regular expression a string value must match as a whole.
    #[serde(default)]
    pub pattern: Option<String>,
    /// False where the vendor's docs are silent about the field's rules.
    #[serde(default = "yes")]
    pub documented: bool,
}

fn yes() -> bool {
    true
}

/// Where a URL parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamLocation {
    /// In the query string.
    Query,
    /// A segment of the path.
    Path,
}

/// One field of the answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseField {
    /// JSON path in the answer, dotted, `[]` for array items.
    pub path: String,
    /// Its JSON type (or types).
    #[serde(rename = "type")]
    pub ty: TypeSpec,
    /// What it means.
    pub meaning: String,
    /// Units of a numeric field.
    #[serde(default)]
    pub units: Option<Units>,
    /// False where the docs do not describe it.
    #[serde(default = "yes")]
    pub documented: bool,
}

/// A documented error.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorDoc {
    /// False for a code the sandbox answers where the vendor's docs name none.
    #[serde(default = "yes")]
    pub documented: bool,
    /// mesibo error code, Easemob `error`, Twilio numeric code, or HTTP status.
    pub code: String,
    /// The HTTP status it comes with.
    #[serde(default)]
    pub status: Option<u16>,
    /// What it means.
    pub meaning: String,
    /// What to do.
    pub fix: String,
}
