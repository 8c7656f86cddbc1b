//! `api_type: firebase` (SPEC §4): a Firebase custom token. With `client_email` and
//! `private_key` it is the SDK v3+ token, byte for byte what firebase-admin's
//! `createCustomToken` makes; with `secret` it is the legacy (SDK ≤ 2) token.

use rand_core::RngCore;
use serde_json::{Map, Value};

use super::{bearer, jti, object, sign_jwt, Format, MintContext, Settings};
use crate::alg::Alg;
use crate::error::{quote, ConfigError, DelegationError, OAuthCode};
use crate::keys::{Secret, SigningKey};

/// The audience of every custom token (firebase-admin's `FIREBASE_AUDIENCE`).
const AUDIENCE: &str = "https://identitytoolkit.googleapis.com/google.identity.identitytoolkit.v1.IdentityToolkit";
/// Developer claims firebase-admin refuses (its `BLACKLISTED_CLAIMS`).
const RESERVED: &[&str] =
    &["acr", "amr", "at_hash", "aud", "auth_time", "azp", "cnf", "c_hash", "exp", "iat", "iss", "jti", "nbf", "nonce"];
/// Custom tokens live at most an hour (Firebase refuses longer ones).
const MAX_LIFETIME: u64 = 3600;
/// Limits of the legacy token generator.
const LEGACY_MAX_UID: usize = 256;
const LEGACY_MAX_TOKEN: usize = 1024;
/// firebase-admin's uid limit, counted as it counts: UTF-16 code units.
const MAX_UID: usize = 128;

const SETTINGS: &[&str] = &["secret", "client_email", "private_key", "private_key_id", "lifetime_in_seconds"];

struct V3 {
    client_email: String,
    key: SigningKey,
    kid: Option<String>,
    lifetime: u64,
}

struct Legacy {
    secret: Secret,
    lifetime: u64,
}

pub(super) fn prepare(s: &Settings<'_>) -> Result<Box<dyn Format>, ConfigError> {
    s.only(SETTINGS)?;
    let lifetime = s.count("lifetime_in_seconds", MAX_LIFETIME, 1..=MAX_LIFETIME, "seconds")?;
    let v3 = s.str("client_email")?.is_some() || s.str("private_key")?.is_some();
    if v3 {
        if s.str("secret")?.is_some() {
            return Err(ConfigError::new(
                "secret",
                "set either secret (legacy SDK ≤ 2) or client_email and private_key (SDK v3+), not both",
            ));
        }
        let client_email =
            s.required("client_email", "the service account's client_email (from its JSON key file)")?.to_owned();
        let key = s.rsa_key("private_key", "the service account's private_key PEM (from its JSON key file)")?;
        let kid = s.str("private_key_id")?.map(str::to_owned);
        return Ok(Box::new(V3 { client_email, key, kid, lifetime }));
    }
    let secret = s.required(
        "secret",
        "the Firebase database secret (legacy SDK ≤ 2), or set client_email and private_key for SDK v3+",
    )?;
    if secret.len() < Alg::Hs256.min_secret_len() {
        return Err(ConfigError::new(
            "secret",
            format!("is {} bytes; a Firebase secret is 40 characters: copy it whole", secret.len()),
        ));
    }
    Ok(Box::new(Legacy { secret: Secret::new(secret.as_bytes().to_vec()), lifetime }))
}

fn bad(msg: String) -> DelegationError {
    DelegationError::new(OAuthCode::InvalidRequest, msg)
}

impl Format for V3 {
    fn mint(&self, cx: &MintContext<'_>, _rng: &mut dyn RngCore) -> Result<Map<String, Value>, DelegationError> {
        let uid = cx.user_id();
        if uid.encode_utf16().count() > MAX_UID {
            return Err(bad(format!(
                "the user id is {} characters; a Firebase uid is at most {MAX_UID}: map long user ids to shorter ones",
                uid.encode_utf16().count()
            )));
        }
        // Header and claims in firebase-admin's member order, so the bytes match its token.
        let mut header = object([("alg", "RS256".into()), ("typ", "JWT".into())]);
        if let Some(kid) = &self.kid {
            header.insert("kid".into(), kid.clone().into());
        }
        let mut claims = object([
            ("aud", AUDIENCE.into()),
            ("iat", cx.now.into()),
            ("exp", cx.now.saturating_add(self.lifetime as i64).into()),
            ("iss", self.client_email.clone().into()),
            ("sub", self.client_email.clone().into()),
            ("uid", uid.into()),
        ]);
        // No jti: the format is byte-defined by firebase-admin, and Firebase Auth revokes by user.
        if !cx.claims.is_empty() {
            if let Some(name) = cx.claims.keys().find(|k| RESERVED.contains(&k.as_str())) {
                return Err(super::server(format!(
                    "the policy hook returned developer claim {}, which Firebase reserves: rename it",
                    quote(name)
                )));
            }
            claims.insert("claims".into(), Value::Object(cx.claims.clone()));
        }
        let token = sign_jwt(&header, &claims, Alg::Rs256, &self.key)?;
        Ok(bearer(token, self.lifetime))
    }
}

impl Format for Legacy {
    fn mint(&self, cx: &MintContext<'_>, rng: &mut dyn RngCore) -> Result<Map<String, Value>, DelegationError> {
        let uid = cx.user_id();
        if uid.chars().count() > LEGACY_MAX_UID {
            return Err(bad(format!(
                "the user id is longer than {LEGACY_MAX_UID} characters, the legacy Firebase limit: map it to a shorter one"
            )));
        }
        let mut data = object([("uid", uid.into())]);
        cx.add_policy_claims(&mut data, &[])?;
        let claims = object([
            ("v", 0.into()),
            ("iat", cx.now.into()),
            ("d", Value::Object(data)),
            ("exp", cx.now.saturating_add(self.lifetime as i64).into()),
            ("jti", jti(rng).into()),
        ]);
        let header = object([("typ", "JWT".into()), ("alg", "HS256".into())]);
        let token = sign_jwt(&header, &claims, Alg::Hs256, &SigningKey::Hmac(self.secret.clone()))?;
        if token.len() > LEGACY_MAX_TOKEN {
            return Err(bad(format!(
                "the legacy Firebase token would be {} characters; Firebase accepts at most {LEGACY_MAX_TOKEN}: \
                 shorten the user id or the policy hook's claims",
                token.len()
            )));
        }
        Ok(bearer(token, self.lifetime))
    }
}
