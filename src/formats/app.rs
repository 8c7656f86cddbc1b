//! `api_type: app` (and `auth0`): a JWT for another client of the tenant (SPEC §4 "app").

use rand_core::RngCore;
use serde_json::{Map, Value};

use super::{jti, Format, MintContext};
use crate::alg::Alg;
use crate::error::{DelegationError, OAuthCode};
use crate::jws;
use crate::keys::SigningKey;

pub(crate) struct App;

impl Format for App {
    fn mint(&self, cx: &MintContext<'_>, rng: &mut dyn RngCore) -> Result<Map<String, Value>, DelegationError> {
        let target = cx.target;
        let mut claims = Map::new();
        claims.insert("iss".into(), cx.tenant.issuer.clone().into());
        claims.insert("sub".into(), cx.user.get("sub").cloned().unwrap_or(Value::Null));
        claims.insert("aud".into(), target.client_id.clone().into());
        claims.insert("iat".into(), cx.now.into());
        claims.insert("exp".into(), cx.now.saturating_add(target.lifetime as i64).into());
        claims.insert("azp".into(), cx.caller.client_id.clone().into());
        if let Some(act) = cx.act {
            claims.insert("act".into(), act.clone());
        }
        claims.insert("jti".into(), jti(rng).into());
        for (k, v) in cx.scope.project(cx.user) {
            claims.insert(k, v);
        }

        // The config check guarantees an HS256 target has a secret and other targets a key.
        let missing = || DelegationError::new(OAuthCode::ServerError, "the target's signing key is missing");
        let hmac;
        let (key, kid): (&SigningKey, Option<&str>) = if target.alg == Alg::Hs256 {
            hmac = SigningKey::Hmac(target.secret.clone().ok_or_else(missing)?);
            (&hmac, None)
        } else {
            let k = cx.tenant.active_key(target.alg.family()).ok_or_else(missing)?;
            (&k.key, Some(k.kid.as_str()))
        };
        let header = jws::header(target.alg, Some("JWT"), kid);
        let token = jws::encode(&header, &claims, target.alg, key).map_err(|e| {
            DelegationError::new(OAuthCode::ServerError, format!("signing the token failed: {}", e.message))
        })?;

        let mut out = Map::new();
        out.insert("token_type".into(), "Bearer".into());
        out.insert("expires_in".into(), target.lifetime.into());
        out.insert("id_token".into(), token.into());
        Ok(out)
    }
}
