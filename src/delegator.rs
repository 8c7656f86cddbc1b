//! The delegation flow: check the request, verify the subject token per the caller's
//! configuration, enforce grants and allow-lists, then mint through the target's format.

use rand_core::RngCore;
use serde_json::{Map, Value};

use crate::alg::{Alg, Family};
use crate::config::{Client, Tenant, DELEGATION_GRANT};
use crate::error::{quote, ConfigError, DelegationError, OAuthCode, VerifyCode, VerifyError};
use crate::formats::{self, MintContext};
use crate::jws;
use crate::request::DelegationRequest;

/// A tenant, parsed once, that answers delegation requests.
#[derive(Debug)]
pub struct Delegator {
    tenant: Tenant,
}

fn grant(msg: impl Into<String>) -> DelegationError {
    DelegationError::new(OAuthCode::InvalidGrant, msg)
}

impl Delegator {
    /// Parses and checks a tenant configuration.
    pub fn new(tenant: &Value) -> Result<Self, ConfigError> {
        Ok(Delegator { tenant: Tenant::from_json(tenant)? })
    }

    /// A delegator over an already parsed tenant.
    pub fn from_tenant(tenant: Tenant) -> Self {
        Delegator { tenant }
    }

    /// The tenant.
    pub fn tenant(&self) -> &Tenant {
        &self.tenant
    }

    /// The public JWK Set of the tenant's signing keys.
    pub fn public_jwks(&self) -> Value {
        self.tenant.public_jwks()
    }

    /// Answers one `/delegation` request at `now` (Unix seconds), drawing `jti`s from `rng`.
    /// Returns the JSON response body.
    pub fn delegate(
        &self,
        params: &Value,
        now: i64,
        rng: &mut dyn RngCore,
    ) -> Result<Map<String, Value>, DelegationError> {
        let req = DelegationRequest::from_params(params)?;
        let caller = self.tenant.client(&req.client_id).ok_or_else(|| {
            DelegationError::new(
                OAuthCode::InvalidRequest,
                format!("client_id {} is not a client of this tenant: check the client_id", quote(&req.client_id)),
            )
        })?;
        if !caller.grant_types.iter().any(|g| g == DELEGATION_GRANT) {
            return Err(DelegationError::new(
                OAuthCode::UnauthorizedClient,
                format!(
                    "Grant type '{DELEGATION_GRANT}' not allowed for the client {}: add it to the client's grant_types",
                    quote(&caller.client_id)
                ),
            ));
        }
        let user = self.verify_subject(caller, &req.id_token, now)?;

        let target = self.tenant.client(&req.target).ok_or_else(|| {
            DelegationError::new(
                OAuthCode::InvalidTarget,
                format!("target {} is not a client of this tenant: check the target client_id", quote(&req.target)),
            )
        })?;
        if !target.allowed_clients.is_empty() && !target.allowed_clients.contains(&caller.client_id) {
            return Err(DelegationError::new(
                OAuthCode::AccessDenied,
                format!(
                    "client {} may not delegate to {}: add it to the target's allowed_clients",
                    quote(&caller.client_id),
                    quote(&target.client_id)
                ),
            ));
        }
        let format = formats::lookup(req.api_type).ok_or_else(|| {
            DelegationError::new(
                OAuthCode::InvalidTarget,
                format!(
                    "api_type {} is not available in this version of edge-delegation yet; use api_type app",
                    quote(req.api_type)
                ),
            )
        })?;
        let cx = MintContext {
            tenant: &self.tenant,
            caller,
            target,
            user: &user,
            scope: &req.scope,
            params: &req.extra,
            now,
        };
        format.mint(&cx, rng)
    }

    /// Verifies the user's id_token as the caller's configuration says and returns its claims.
    fn verify_subject(&self, caller: &Client, token: &str, now: i64) -> Result<Map<String, Value>, DelegationError> {
        let verified = caller.verifier.verify(token, now).map_err(|e| self.explain(caller, token, e))?;
        match verified.payload.get("sub") {
            Some(Value::String(s)) if !s.is_empty() => Ok(verified.payload),
            _ => Err(grant("the id_token's \"sub\" must be a non-empty string (the user id)")),
        }
    }

    fn alg_mismatch(&self, caller: &Client, alg: Alg) -> DelegationError {
        let id = quote(&caller.client_id);
        if caller.is_public && caller.alg == Alg::Hs256 && alg.family() != Family::Hmac {
            return grant(format!(
                "client {id} is a public client (SPA/native, token_endpoint_auth_method none), so its id_tokens are signed with {}, \
                 but the client is configured for HS256: set the client's jwt_configuration.alg to RS256",
                alg.name()
            ));
        }
        grant(format!(
            "the id_token is signed with {}, but client {id} is configured for {} (jwt_configuration.alg): \
             send an id_token issued to this client, or change its algorithm",
            alg.name(),
            caller.alg.name()
        ))
    }

    fn explain(&self, caller: &Client, token: &str, e: VerifyError) -> DelegationError {
        let id = quote(&caller.client_id);
        if e.code == VerifyCode::AlgNotAllowed {
            // Only on this failure path is the (unverified) header read again, to say which
            // algorithm the token has and what the client's configuration expects.
            let alg = jws::split(token)
                .ok()
                .and_then(|p| p.header.get("alg").and_then(Value::as_str).and_then(Alg::from_name));
            if let Some(alg) = alg.filter(|a| *a != caller.alg) {
                return self.alg_mismatch(caller, alg);
            }
        }
        match (e.code, e.claim.as_deref()) {
            (VerifyCode::Expired, _) => {
                grant("the id_token has expired: sign the user in again and retry with the new id_token")
            }
            (VerifyCode::ClaimValidationFailed, Some("aud")) => grant(format!(
                "the id_token was not issued to client {id} (aud): send the client_id the id_token was issued to"
            )),
            (VerifyCode::ClaimValidationFailed, Some("iss")) => grant(format!(
                "the id_token was issued by another issuer; this tenant's issuer is {}",
                quote(&self.tenant.issuer)
            )),
            (VerifyCode::SignatureVerificationFailed, _) => {
                let key = if caller.alg == Alg::Hs256 {
                    format!("client {id}'s client_secret")
                } else {
                    "the tenant's signing keys".into()
                };
                grant(format!("the id_token's signature does not verify with {key}: it was signed by another key or tenant, or altered"))
            }
            (VerifyCode::NoMatchingKey, _) => {
                grant(format!("the id_token names a signing key this tenant does not have ({})", e.message))
            }
            _ => grant(format!("the id_token is not acceptable: {}", e.message)),
        }
    }
}
