//! `api_type: app` (and `auth0`): a JWT for another client of the tenant (SPEC §4 "app").

use rand_core::RngCore;
use serde_json::{Map, Value};

use std::sync::OnceLock;

use super::{bearer, jti, server, signing_failed, ClaimsText, Format, MintContext, Settings};
use crate::alg::Alg;
use crate::error::ConfigError;
use crate::jws;
use crate::keys::SigningKey;
use crate::request::RESERVED;

/// One per target: its tokens' header (alg, typ, the tenant's active key) is the same for each,
/// so it is encoded at the first mint and kept.
struct App {
    header: OnceLock<String>,
}

pub(super) fn prepare(settings: &Settings<'_>) -> Result<Box<dyn Format>, ConfigError> {
    // The target's own jwt_configuration says everything; there are no add-on settings.
    settings.only(&[])?;
    Ok(Box::new(App { header: OnceLock::new() }))
}

impl Format for App {
    fn mint(&self, cx: &MintContext<'_>, rng: &mut dyn RngCore) -> Result<Map<String, Value>, crate::DelegationError> {
        let target = cx.target;
        let mut claims = ClaimsText::new();
        claims
            .string("iss", &cx.tenant.issuer)
            .string("sub", cx.user_id())
            .string("aud", &target.client_id)
            .int("iat", cx.now)
            .int("exp", cx.now.saturating_add(target.lifetime as i64))
            .string("azp", &cx.caller.client_id);
        if let Some(act) = cx.act {
            claims.member("act", act);
        }
        claims.string("jti", &jti(rng));
        // Scopes never release reserved names (checked when the request is read), so the
        // projection cannot repeat a name set above.
        let projected = cx.scope.project(cx.user);
        for (k, v) in &projected {
            claims.member(k, v);
        }
        cx.check_policy_claims(RESERVED, |name| projected.contains_key(name))?;
        for (k, v) in cx.claims {
            claims.member(k, v);
        }
        let claims = claims.finish();

        // The config check guarantees an HS256 target has a secret and other targets a key.
        let missing = || server("the target's signing key is missing");
        let hmac;
        let (key, kid): (&SigningKey, Option<&str>) = if target.alg == Alg::Hs256 {
            hmac = SigningKey::Hmac(target.secret.clone().ok_or_else(missing)?);
            (&hmac, None)
        } else {
            let k = cx.tenant.active_key(target.alg.family()).ok_or_else(missing)?;
            (&k.key, Some(k.kid.as_str()))
        };
        let header = match self.header.get() {
            Some(h) => h,
            None => {
                let h = jws::encoded_header(&jws::header(target.alg, Some("JWT"), kid));
                self.header.get_or_init(|| h)
            }
        };
        let token = jws::encode_serialized(header, &claims, target.alg, key).map_err(signing_failed)?;
        Ok(bearer(token, target.lifetime))
    }
}
