//! `api_type: layer` (SPEC §4): a Layer identity token: RS256 with the provider's key,
//! header `cty` `layer-eit;v=1` and `kid`, the Layer nonce in `nce`.

use rand_core::RngCore;
use serde_json::{Map, Value};

use super::{bearer, jti, object, sign_jwt, Format, MintContext, Settings};
use crate::alg::Alg;
use crate::error::{quote, ConfigError, DelegationError, OAuthCode};
use crate::keys::SigningKey;
use crate::request::RESERVED;

/// Layer nonces are short-lived; so is the token answering one.
const DEFAULT_MINUTES: u64 = 10;
const MAX_MINUTES: u64 = 1440;
const SETTINGS: &[&str] = &["providerId", "keyId", "privateKey", "principal", "expiration"];

struct Layer {
    provider: String,
    key_id: String,
    key: SigningKey,
    principal: String,
    minutes: u64,
}

pub(super) fn prepare(s: &Settings<'_>) -> Result<Box<dyn Format>, ConfigError> {
    s.only(SETTINGS)?;
    let provider = s.required("providerId", "the Layer provider id (layer:///providers/…)")?.to_owned();
    let key_id = s.required("keyId", "the id of the Layer authentication key (layer:///keys/…)")?.to_owned();
    let key = s.rsa_key("privateKey", "the Layer authentication key's private PEM")?;
    let principal = s.str("principal")?.unwrap_or("user_id").to_owned();
    let minutes = s.count("expiration", DEFAULT_MINUTES, 1..=MAX_MINUTES, "minutes")?;
    Ok(Box::new(Layer { provider, key_id, key, principal, minutes }))
}

impl Format for Layer {
    fn mint(&self, cx: &MintContext<'_>, rng: &mut dyn RngCore) -> Result<Map<String, Value>, DelegationError> {
        let nonce = cx.param("nonce", "send the nonce the Layer client SDK gave you (api_type layer)")?;
        // `principal` names a user attribute; Auth0's `user_id` is the id_token's `sub`.
        let prn = match cx.user.get(&self.principal) {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            None if self.principal == "user_id" => cx.user_id().to_owned(),
            _ => {
                return Err(DelegationError::new(
                    OAuthCode::InvalidRequest,
                    format!(
                    "the id_token has no string claim {} (addons.layer.principal): request a scope that includes it, \
                         or change principal",
                    quote(&self.principal)
                ),
                ))
            }
        };
        let expires_in = self.minutes * 60;
        let mut claims = object([
            ("iss", self.provider.clone().into()),
            ("prn", prn.into()),
            ("iat", cx.now.into()),
            ("exp", cx.now.saturating_add(expires_in as i64).into()),
            ("nce", nonce.into()),
            ("jti", jti(rng).into()),
        ]);
        cx.add_policy_claims(&mut claims, &[RESERVED, &["prn", "nce"]].concat())?;
        let header = object([
            ("typ", "JWT".into()),
            ("alg", "RS256".into()),
            ("cty", "layer-eit;v=1".into()),
            ("kid", self.key_id.clone().into()),
        ]);
        Ok(bearer(sign_jwt(&header, &claims, Alg::Rs256, &self.key)?, expires_in))
    }
}
