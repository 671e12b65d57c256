//! apiplay: a terminal playground for the backend APIs that issue access tokens to real-time
//! communication apps (mesibo, Agora Chat, Twilio, Vonage Video / OpenTok).
//!
//! Data flows one way: a payload file ([`collection`]) is rendered into a request, sent by the
//! one HTTP engine ([`http`]) into an [`http::Exchange`], which the [`history`] store records
//! together with the tokens the [`tokens`] extractors find in it; the [`cli`] and the [`tui`]
//! are views over that line. The [`sandbox`] emulates the four vendors' backends on loopback.

pub mod catalogue;
pub mod cli;
pub mod clock;
pub mod collection;
pub mod config;
pub mod curl;
pub mod datadir;
pub mod exit;
pub mod filter;
pub mod fsio;
pub mod highlight;
pub mod history;
pub mod http;
pub mod sandbox;
pub mod scrub;
pub mod secret;
pub mod session;
pub mod tokens;
pub mod tui;
