//! `api_type: wams` (SPEC §4): an Azure Mobile Services ("zumo") authentication token: HS256
//! keyed with the raw SHA-256 digest of `masterkey + "JWTSig"`, header `kid` `"0"`.

use rand_core::RngCore;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::{bearer, jti, object, sign_jwt, Format, MintContext, Settings};
use crate::alg::Alg;
use crate::error::{ConfigError, DelegationError};
use crate::keys::{Secret, SigningKey};
use crate::request::RESERVED;

struct Wams {
    key: SigningKey,
}

pub(super) fn prepare(s: &Settings<'_>) -> Result<Box<dyn Format>, ConfigError> {
    s.only(&["masterkey"])?;
    let master = s.required("masterkey", "the mobile service's master key")?;
    let mut h = Sha256::new();
    h.update(master.as_bytes());
    h.update(b"JWTSig");
    Ok(Box::new(Wams { key: SigningKey::Hmac(Secret::new(h.finalize().to_vec())) }))
}

impl Format for Wams {
    fn mint(&self, cx: &MintContext<'_>, rng: &mut dyn RngCore) -> Result<Map<String, Value>, DelegationError> {
        // The add-on has no lifetime of its own: the target's jwt_configuration gives it.
        let lifetime = cx.target.lifetime;
        let mut claims = object([
            ("exp", cx.now.saturating_add(lifetime as i64).into()),
            ("iss", "urn:microsoft:windows-azure:zumo".into()),
            ("ver", 2.into()),
            // Mobile Services' audience for custom (non-provider) identities.
            ("aud", "Custom".into()),
            ("uid", cx.user_id().into()),
            ("jti", jti(rng).into()),
        ]);
        cx.add_policy_claims(&mut claims, RESERVED)?;
        let header = object([("alg", "HS256".into()), ("typ", "JWT".into()), ("kid", "0".into())]);
        Ok(bearer(sign_jwt(&header, &claims, Alg::Hs256, &self.key)?, lifetime))
    }
}
