//! `api_type: azure_sb` (SPEC §4): an Azure Service Bus (and Event Hubs) SAS token, as
//! `@azure/core-amqp`'s SAS token provider makes it: string-to-sign `urlenc(uri) + "\n" + se`,
//! HMAC-SHA256 keyed with the UTF-8 bytes of the key (not its base64 decoding).

use base64ct::{Base64, Encoding};
use rand_core::RngCore;
use serde_json::{Map, Value};

use super::{object, uri_component, Format, MintContext, Settings};
use crate::error::{ConfigError, DelegationError};
use crate::keys::Secret;

const DEFAULT_MINUTES: u64 = 5;
const MAX_MINUTES: u64 = 43_200;
const SETTINGS: &[&str] = &["namespace", "sasKeyName", "sasKey", "entityPath", "expiration"];

struct AzureSb {
    /// `urlenc(https://{namespace}.servicebus.windows.net/{entityPath})`.
    resource: String,
    key_name: String,
    key: Secret,
    minutes: u64,
}

pub(super) fn prepare(s: &Settings<'_>) -> Result<Box<dyn Format>, ConfigError> {
    s.only(SETTINGS)?;
    let namespace = s.required("namespace", "the Service Bus namespace (the part before .servicebus.windows.net)")?;
    let host_ok = namespace.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'.');
    if !host_ok || namespace.starts_with('-') || namespace.starts_with('.') {
        return Err(ConfigError::new(
            "namespace",
            "must be a namespace name (letters, digits, hyphens), or a full host name for other clouds",
        ));
    }
    // A bare namespace lives in the public cloud; a dotted one is already a host name.
    let host =
        if namespace.contains('.') { namespace.to_owned() } else { format!("{namespace}.servicebus.windows.net") };
    let key_name = s.required("sasKeyName", "the shared access policy's name, e.g. RootManageSharedAccessKey")?;
    let key = s.required("sasKey", "the shared access policy's primary or secondary key")?;
    let entity = s.str("entityPath")?.unwrap_or("");
    if entity.starts_with('/') || entity.contains(['?', '#']) {
        return Err(ConfigError::new("entityPath", "must be a queue or topic path, without a leading / or a query"));
    }
    let minutes = s.count("expiration", DEFAULT_MINUTES, 1..=MAX_MINUTES, "minutes")?;
    Ok(Box::new(AzureSb {
        resource: uri_component(&format!("https://{host}/{entity}")),
        key_name: key_name.to_owned(),
        key: Secret::new(key.as_bytes().to_vec()),
        minutes,
    }))
}

impl Format for AzureSb {
    fn mint(&self, cx: &MintContext<'_>, _rng: &mut dyn RngCore) -> Result<Map<String, Value>, DelegationError> {
        cx.no_policy_claims("azure_sb")?;
        let expires_in = self.minutes * 60;
        let se = cx.now.saturating_add(expires_in as i64);
        let signed = format!("{}\n{se}", self.resource);
        // HMAC-SHA256 by HS256's code, the secret's pads hashed once (the secret keeps them).
        let sig = Base64::encode_string(&self.key.hs256().mac(signed.as_bytes()));
        let token = format!(
            "SharedAccessSignature sr={}&sig={}&se={se}&skn={}",
            self.resource,
            uri_component(&sig),
            uri_component(&self.key_name)
        );
        Ok(object([("azure_sb_sas", token.into()), ("expires_in", expires_in.into())]))
    }
}
