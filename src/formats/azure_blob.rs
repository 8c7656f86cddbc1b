//! `api_type: azure_blob` (SPEC §4): an Azure Storage service SAS for a blob (`sr=b`) or a
//! container (`sr=c`), as `@azure/storage-blob`'s `generateBlobSASQueryParameters` makes it
//! for service version 2020-12-06 and later (16-field string-to-sign, SDK query order).

use base64ct::{Base64, Encoding};
use rand_core::RngCore;
use serde_json::{Map, Value};

use super::{iso8601, object, uri_component, Format, MintContext, Settings};
use crate::error::{ConfigError, DelegationError};
use crate::keys::Secret;

/// The service version written as `sv` when the settings name none: the one
/// `@azure/storage-blob` 12.34 signs with by default.
pub(crate) const DEFAULT_VERSION: &str = "2026-10-06";
/// The first version whose string-to-sign has the 16 fields computed here.
const FIRST_VERSION: &str = "2020-12-06";
/// Default and longest lifetime, in minutes (Auth0's default; 30 days).
const DEFAULT_MINUTES: u64 = 5;
const MAX_MINUTES: u64 = 43_200;

const SETTINGS: &[&str] = &[
    "accountName",
    "storageAccessKey",
    "containerName",
    "blobName",
    "expiration",
    "signedIdentifier",
    "blob_read",
    "blob_write",
    "blob_delete",
    "container_read",
    "container_write",
    "container_delete",
    "container_list",
    "version",
];

struct AzureBlob {
    key: Secret,
    /// `/blob/{account}/{container}[/{blob}]`.
    canonical: String,
    identifier: Option<String>,
    /// `b` or `c`.
    resource: &'static str,
    /// Letters in Azure's canonical order (`racwdxltmeiy`).
    permissions: String,
    version: String,
    minutes: u64,
}

fn valid_version(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| if i == 4 || i == 7 { *c == b'-' } else { c.is_ascii_digit() })
        && (FIRST_VERSION..=DEFAULT_VERSION).contains(&v)
}

pub(super) fn prepare(s: &Settings<'_>) -> Result<Box<dyn Format>, ConfigError> {
    s.only(SETTINGS)?;
    let account = s.required("accountName", "the storage account name")?;
    if !(3..=24).contains(&account.len()) || !account.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()) {
        return Err(ConfigError::new(
            "accountName",
            "must be a storage account name: 3 to 24 lowercase letters and digits",
        ));
    }
    let key_text = s.required("storageAccessKey", "one of the storage account's access keys (base64)")?;
    let key = Base64::decode_vec(key_text.trim()).ok().filter(|k| !k.is_empty()).ok_or_else(|| {
        ConfigError::new(
            "storageAccessKey",
            "is not base64: copy key1 or key2 from the storage account's \"Access keys\" page whole",
        )
    })?;
    let container = s.required("containerName", "the blob container the SAS is for")?;
    let container_ok = (3..=63).contains(&container.len())
        && container.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
        || container == "$root";
    if !container_ok {
        return Err(ConfigError::new(
            "containerName",
            "must be a container name: 3 to 63 lowercase letters, digits and hyphens",
        ));
    }
    let blob = s.str("blobName")?;
    if blob.is_some_and(|b| b.len() > 1024) {
        return Err(ConfigError::new("blobName", "is longer than Azure's 1024 characters"));
    }
    let identifier = s.str("signedIdentifier")?;
    if identifier.is_some_and(|i| i.len() > 64) {
        return Err(ConfigError::new("signedIdentifier", "is longer than Azure's 64 characters"));
    }
    let minutes = s.count("expiration", DEFAULT_MINUTES, 1..=MAX_MINUTES, "minutes")?;
    let version = s.str("version")?.unwrap_or(DEFAULT_VERSION);
    if !valid_version(version) {
        return Err(ConfigError::new(
            "version",
            format!("must be a storage service version from {FIRST_VERSION} to {DEFAULT_VERSION} (YYYY-MM-DD)"),
        ));
    }

    // A blob SAS takes the blob_* permissions, a container SAS the container_* ones; a flag of
    // the other kind would be silently meaningless, so it is refused.
    let (resource, own, other): (_, &[(&str, char)], &[&str]) = if blob.is_some() {
        (
            "b",
            &[("blob_read", 'r'), ("blob_write", 'w'), ("blob_delete", 'd')],
            &["container_read", "container_write", "container_delete", "container_list"],
        )
    } else {
        (
            "c",
            &[("container_read", 'r'), ("container_write", 'w'), ("container_delete", 'd'), ("container_list", 'l')],
            &["blob_read", "blob_write", "blob_delete"],
        )
    };
    for name in other {
        if s.flag(name)? {
            let why = if blob.is_some() {
                "applies to a container SAS, and blobName is set (a blob SAS): use blob_read/blob_write/blob_delete, or drop blobName"
            } else {
                "applies to a blob SAS, and blobName is not set (a container SAS): set blobName, or use the container_* permissions"
            };
            return Err(ConfigError::new(*name, why));
        }
    }
    let mut permissions = String::new();
    for (name, letter) in own {
        if s.flag(name)? {
            permissions.push(*letter);
        }
    }
    // With a stored access policy the permissions may live in the policy instead (Azure
    // refuses a SAS that repeats a field the policy sets).
    if permissions.is_empty() && identifier.is_none() {
        let names: Vec<&str> = own.iter().map(|(n, _)| *n).collect();
        return Err(ConfigError::new(
            "",
            format!(
                "grants no permission: set at least one of {} to true, or a signedIdentifier whose stored access policy grants them",
                names.join(", ")
            ),
        ));
    }
    let mut canonical = format!("/blob/{account}/{container}");
    if let Some(b) = blob {
        canonical.push('/');
        canonical.push_str(b);
    }
    Ok(Box::new(AzureBlob {
        key: Secret::new(key),
        canonical,
        identifier: identifier.map(str::to_owned),
        resource,
        permissions,
        version: version.to_owned(),
        minutes,
    }))
}

impl Format for AzureBlob {
    fn mint(&self, cx: &MintContext<'_>, _rng: &mut dyn RngCore) -> Result<Map<String, Value>, DelegationError> {
        cx.no_policy_claims("azure_blob")?;
        let expires_in = self.minutes * 60;
        let expiry = iso8601(cx.now.saturating_add(expires_in as i64));
        let identifier = self.identifier.as_deref().unwrap_or("");
        // sp, st, se, canonical name, si, sip, spr, sv, sr, snapshot, ses, rscc, rscd, rsce, rscl, rsct.
        let fields = [
            self.permissions.as_str(),
            "",
            &expiry,
            &self.canonical,
            identifier,
            "",
            "",
            &self.version,
            self.resource,
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ];
        // HMAC-SHA256 by HS256's code, the secret's pads hashed once (the secret keeps them).
        let signature = Base64::encode_string(&self.key.hs256().mac(fields.join("\n").as_bytes()));
        // The SDK's query order: sv, spr, st, se, sip, si, ses, sr, sp, rs*, sig.
        let mut query = vec![("sv", self.version.as_str()), ("se", &expiry)];
        if !identifier.is_empty() {
            query.push(("si", identifier));
        }
        query.push(("sr", self.resource));
        if !self.permissions.is_empty() {
            query.push(("sp", &self.permissions));
        }
        query.push(("sig", &signature));
        let sas: Vec<String> = query.iter().map(|(k, v)| format!("{k}={}", uri_component(v))).collect();
        Ok(object([("azure_blob_sas", sas.join("&").into()), ("expires_in", expires_in.into())]))
    }
}
