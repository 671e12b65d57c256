//! curl in and out.
//!
//! - [`export`]: a prepared request (the one `send` makes, through
//!   [`crate::session::Session::prepare`]) as a curl command line a person can paste into a
//!   shell. Secrets and minted auth built-ins stay out of it: each is a shell variable
//!   reference (`"$MESIBO_APP_TOKEN"`), and comments above the command say what to set.
//! - [`parse`]: a curl command line (as the vendors' docs write it: line continuations,
//!   quoting, `-d @file`) read into its method, URL, headers and body. The options it knows
//!   are [`parse::SUPPORTED`]; any other is an error naming it.
//! - [`import`]: such a request turned into a payload (JSON body on disk) and its sidecar:
//!   the backend and path from the environment's backends, the op from the catalogue, the
//!   credentials replaced by `{{variables}}`.

mod credentials;
pub mod export;
pub mod import;
pub mod parse;
pub mod shell;

pub use export::{export, Export};
pub use import::{import, ImportError, Imported};
pub use parse::{parse, CurlRequest, ParseError};
