//! # edge-delegation
//!
//! Auth0's `POST /delegation` as portable code: verify a signed-in user's id_token and mint a
//! delegation token for another client or add-on. The core is plain Rust: the caller supplies
//! the current time and randomness, so it is deterministic in tests; the wasm facade
//! (`wasm.rs`, wasm32 only) converts JS values, errors and clocks.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod alg;
mod bignum;
pub mod config;
pub mod delegator;
mod ed25519;
pub mod error;
mod es256;
mod formats;
mod hs256;
pub mod http;
mod json;
pub mod jws;
pub mod keys;
mod members;
mod montgomery;
mod nistp256;
pub mod policy;
pub mod request;
pub mod rsa;
mod saml;
mod sha512;
pub mod sign;
pub mod verify;
mod warm;
mod xml;

#[cfg(target_arch = "wasm32")]
mod wasm;

pub use alg::{Alg, Family};
pub use config::Tenant;
pub use delegator::Delegator;
pub use error::{ClaimReason, ConfigError, DelegationError, OAuthCode, VerifyCode, VerifyError};
pub use policy::Decision;
pub use sign::{sign_json, KeyArg, Signer};
pub use verify::{Verified, Verifier, VerifyOptions};

/// A JSON object (header, claims, response body).
pub type Object = serde_json::Map<String, serde_json::Value>;

/// Parses JSON text strictly: duplicate member names and nesting deeper than 32 are refused.
pub fn parse_json(text: &str) -> Result<serde_json::Value, String> {
    json::parse_strict(text.as_bytes(), json::CONFIG_DEPTH)
}
