//! The sandbox's fixed demo credentials, printed at start and listed in README. They come from
//! the vendors' docs and official test vectors, so examples copied from the docs work as-is.

/// mesibo: the app token of the docs' `mesibo-backend-payload.json`.
pub const MESIBO_APP_TOKEN: &str =
    "87pbh20pzehd9ld0o0pxqx9h80jjqfu9ipul4l00fnb55pbfx9mxyyk4uyr1iwuw";
/// mesibo: the docs' example app id.
pub const MESIBO_APPID: &str = "com.mesibo.firstapp";
/// Agora: the app id of the official AccessToken2 vectors.
pub const AGORA_APP_ID: &str = "970CA35de60c44645bbae8a215061b33";
/// Agora: the app certificate of the official AccessToken2 vectors.
pub const AGORA_APP_CERTIFICATE: &str = "5CFd2fd1755d40ecb72977518be15d3b";
/// Agora Chat: the docs' org name.
pub const AGORA_ORG: &str = "41434878";
/// Agora Chat: the docs' app name.
pub const AGORA_APP: &str = "504205";
/// Twilio: the account SID of the SDK test vectors.
pub const TWILIO_ACCOUNT_SID: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
/// Twilio: the API key SID of the SDK test vectors.
pub const TWILIO_API_KEY_SID: &str = "SKb5aed9ca12bf5890f37930e63cad6d38";
/// Twilio: the API key secret of the SDK test vectors.
pub const TWILIO_API_KEY_SECRET: &str = "secret";
/// Twilio: the auth token paired with the account SID in twilio-python's integration tests
/// (`tests/__init__.py`); the sandbox takes it as Basic auth beside the API key.
pub const TWILIO_AUTH_TOKEN: &str = "AUTHTOKEN";
/// Twilio: the demo Conversations/Chat service SID: the account's default Conversation
/// Service, which the sandbox store creates with its schema.
pub const TWILIO_CHAT_SERVICE_SID: &str = "ISaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
/// OpenTok: the API key of the official token-encoder vector.
pub const OPENTOK_API_KEY: &str = "123456";
/// OpenTok: the API secret of the official token-encoder vector.
pub const OPENTOK_API_SECRET: &str = "1234567890abcdef1234567890abcdef1234567890";
/// Vonage: the application id of the vonage-python-sdk vector.
pub const VONAGE_APPLICATION_ID: &str = "test_application_id";
/// Vonage: the private key of the vonage-python-sdk test vectors (a published test key; its
/// public half verifies the application JWTs the sandbox accepts).
pub const VONAGE_PRIVATE_KEY: &str = include_str!("vonage-demo-private-key.pem");
/// Agora Chat: the application UUID the REST answers carry (`application`).
pub const AGORA_APPLICATION_UUID: &str = "8be024f0-e978-11e8-b697-5d598d5f8402";
