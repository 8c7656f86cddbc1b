//! Delegation token formats: one file per `api_type`, all behind [`Format`], listed in one
//! table. Adding a format is a new file and a row in [`FORMATS`].

use rand_core::RngCore;
use serde_json::{Map, Value};

use crate::config::{Client, Tenant};
use crate::error::DelegationError;
use crate::json::b64url;
use crate::request::Scope;

mod app;

/// What a format needs to mint: who asks, for whom, about which user, and when.
pub(crate) struct MintContext<'a> {
    pub tenant: &'a Tenant,
    pub caller: &'a Client,
    pub target: &'a Client,
    /// The verified id_token's claims.
    pub user: &'a Map<String, Value>,
    pub scope: &'a Scope,
    /// Request parameters beyond the protocol's own.
    #[allow(dead_code)] // read by the add-on formats
    pub params: &'a Map<String, Value>,
    /// RFC 8693 `act` claim, when an actor token was verified.
    pub act: Option<&'a Value>,
    /// Unix seconds.
    pub now: i64,
}

/// A delegation token format: mints the response body for one `api_type`.
pub(crate) trait Format: Sync {
    fn mint(&self, cx: &MintContext<'_>, rng: &mut dyn RngCore) -> Result<Map<String, Value>, DelegationError>;
}

/// `api_type` → format; `None`: a known add-on this version does not mint yet.
const FORMATS: &[(&str, Option<&dyn Format>)] = &[
    ("app", Some(&app::App)),
    ("firebase", None),
    ("azure_blob", None),
    ("azure_sb", None),
    ("wams", None),
    ("layer", None),
    ("salesforce_api", None),
    ("salesforce_sandbox_api", None),
    ("sap_api", None),
    ("aws", None),
];

/// The format for a (normalized) `api_type`.
pub(crate) fn lookup(api_type: &str) -> Option<&'static dyn Format> {
    FORMATS.iter().find(|(name, _)| *name == api_type).and_then(|(_, f)| *f)
}

/// A fresh `jti`: 128 random bits, base64url.
pub(crate) fn jti(rng: &mut dyn RngCore) -> String {
    let mut b = [0u8; 16];
    rng.fill_bytes(&mut b);
    b64url(&b)
}
