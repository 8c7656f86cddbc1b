//! The delegation flow: check the request, verify the subject token per the caller's
//! configuration, enforce grants and allow-lists, then mint through the target's format.

use rand_core::RngCore;
use serde_json::{Map, Value};

use crate::alg::{Alg, Family};
use crate::config::{Client, Tenant, DELEGATION_GRANT};
use crate::error::{quote, ConfigError, DelegationError, OAuthCode, VerifyCode, VerifyError};
use crate::formats::{self, MintContext};
use crate::jws;
use crate::policy::Decision;
use crate::request::{DelegationRequest, Protocol, TOKEN_EXCHANGE};

/// A request that passed every check: owned, ready for [`Delegator::mint`].
#[derive(Debug, Clone)]
pub struct Authorized {
    req: DelegationRequest,
    user: Map<String, Value>,
    act: Option<Value>,
}

impl Authorized {
    /// The user id (`sub` of the verified subject token): the rate-limit key's first half.
    pub fn user_id(&self) -> &str {
        self.user.get("sub").and_then(Value::as_str).unwrap_or_default()
    }

    /// The requested `api_type` (normalized).
    pub fn api_type(&self) -> &'static str {
        self.req.api_type
    }
}

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
        let auth = self.authorize(DelegationRequest::from_params(params)?, now)?;
        self.mint(&auth, now, rng)
    }

    /// Answers one RFC 8693 token exchange (`/oauth/token`): `{access_token, issued_token_type,
    /// token_type: "N_A", expires_in}`.
    pub fn exchange(
        &self,
        params: &Value,
        now: i64,
        rng: &mut dyn RngCore,
    ) -> Result<Map<String, Value>, DelegationError> {
        let auth = self.authorize(DelegationRequest::from_token_exchange(params)?, now)?;
        self.mint(&auth, now, rng)
    }

    /// Every check before minting: the caller and its grant, the subject (and actor) token,
    /// the target and its allow-list, the format. What it returns is owned, so a host can
    /// hold it across an asynchronous step (a rate-limit store) before [`Delegator::mint`].
    pub fn authorize(&self, req: DelegationRequest, now: i64) -> Result<Authorized, DelegationError> {
        let caller = self.tenant.client(&req.client_id).ok_or_else(|| {
            DelegationError::new(
                OAuthCode::InvalidRequest,
                format!("client_id {} is not a client of this tenant: check the client_id", quote(&req.client_id)),
            )
        })?;
        let granted = |g: &str| caller.grant_types.iter().any(|x| x == g);
        let allowed = match req.protocol {
            Protocol::Delegation => granted(DELEGATION_GRANT),
            Protocol::TokenExchange { .. } => granted(DELEGATION_GRANT) || granted(TOKEN_EXCHANGE),
        };
        if !allowed {
            let grant = if req.protocol == Protocol::Delegation { DELEGATION_GRANT } else { TOKEN_EXCHANGE };
            return Err(DelegationError::new(
                OAuthCode::UnauthorizedClient,
                format!(
                    "Grant type '{grant}' not allowed for the client {}: add it to the client's grant_types",
                    quote(&caller.client_id)
                ),
            ));
        }
        let user = self.verify_subject(caller, &req.id_token, now)?;
        let act = match &req.actor_token {
            None => None,
            Some(actor) => Some(self.actor(caller, &user, actor, now)?),
        };

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
        if formats::lookup(req.api_type).is_none() {
            let feature = formats::feature(req.api_type);
            return Err(DelegationError::new(
                OAuthCode::InvalidTarget,
                format!(
                    "api_type {} is not in this build of edge-delegation: build it with the Cargo feature \"{feature}\"",
                    quote(req.api_type)
                ),
            ));
        }
        if target.format(req.api_type).is_none() {
            return Err(DelegationError::new(
                OAuthCode::InvalidTarget,
                format!(
                    "the {} add-on is not enabled on target {}: add addons.{} settings to that client",
                    req.api_type,
                    quote(&target.client_id),
                    req.api_type
                ),
            ));
        }
        Ok(Authorized { req, user, act })
    }

    /// Mints the token for an authorized request and shapes the response for its protocol.
    pub fn mint(
        &self,
        auth: &Authorized,
        now: i64,
        rng: &mut dyn RngCore,
    ) -> Result<Map<String, Value>, DelegationError> {
        self.mint_with(auth, &Decision::Allow, now, rng)
    }

    /// Like [`Delegator::delegate`], with a policy hook called between the checks and minting
    /// with [`Delegator::policy_context`]'s value; `ip` is the caller's address, if known.
    pub fn delegate_with(
        &self,
        params: &Value,
        ip: Option<&str>,
        now: i64,
        rng: &mut dyn RngCore,
        policy: &mut dyn FnMut(&Value) -> Result<Decision, DelegationError>,
    ) -> Result<Map<String, Value>, DelegationError> {
        let auth = self.authorize(DelegationRequest::from_params(params)?, now)?;
        let decision = policy(&self.policy_context(&auth, ip))?;
        self.mint_with(&auth, &decision, now, rng)
    }

    /// What a policy hook sees: `{client, target, apiType, scope, user, params, ip}`, where
    /// `client`/`target` are `{client_id, name}` (never secrets) and `user` the verified claims.
    pub fn policy_context(&self, auth: &Authorized, ip: Option<&str>) -> Value {
        let client = |id: &str| {
            let name = self.tenant.client(id).and_then(|c| c.name.clone());
            serde_json::json!({ "client_id": id, "name": name })
        };
        serde_json::json!({
            "client": client(&auth.req.client_id),
            "target": client(&auth.req.target),
            "apiType": auth.req.api_type,
            "scope": auth.req.scope.as_param(),
            "user": auth.user,
            "params": auth.req.extra,
            "ip": ip,
        })
    }

    /// [`Delegator::mint`] after a policy's decision: a denial becomes `access_denied`; an
    /// amendment adds claims and overrides add-on settings for this call only.
    pub fn mint_with(
        &self,
        auth: &Authorized,
        decision: &Decision,
        now: i64,
        rng: &mut dyn RngCore,
    ) -> Result<Map<String, Value>, DelegationError> {
        let gone = || DelegationError::new(OAuthCode::ServerError, "the request was authorized by another tenant");
        let caller = self.tenant.client(&auth.req.client_id).ok_or_else(gone)?;
        let target = self.tenant.client(&auth.req.target).ok_or_else(gone)?;
        let configured = target.format(auth.req.api_type).ok_or_else(gone)?;
        let empty = Map::new();
        let (claims, addon) = match decision {
            Decision::Allow => (&empty, &empty),
            Decision::Deny(reason) => return Err(DelegationError::new(OAuthCode::AccessDenied, reason.clone())),
            Decision::Amend { claims, addon } => (claims, addon),
        };
        // An override rebuilds the format from the merged settings, checked as the
        // configuration is; keys are parsed again only on this path.
        let overridden;
        let format = if addon.is_empty() {
            &configured.format
        } else {
            let mut merged =
                target.addons.get(auth.req.api_type).and_then(Value::as_object).cloned().unwrap_or_default();
            merged.extend(addon.iter().map(|(k, v)| (k.clone(), v.clone())));
            let has_rsa = self.tenant.active_key(Family::Rsa).is_some();
            overridden = formats::prepare(auth.req.api_type, &merged, has_rsa).map_err(|e| {
                let at = if e.path.is_empty() { String::new() } else { format!(".{}", e.path) };
                DelegationError::new(
                    OAuthCode::ServerError,
                    format!(
                        "the policy hook's addon override is not valid: addons.{}{at}: {}",
                        auth.req.api_type, e.message
                    ),
                )
            })?;
            &overridden.format
        };
        let cx = MintContext {
            tenant: &self.tenant,
            caller,
            target,
            user: &auth.user,
            scope: &auth.req.scope,
            params: &auth.req.extra,
            act: auth.act.as_ref(),
            claims,
            now,
        };
        let body = format.mint(&cx, rng)?;
        match auth.req.protocol {
            Protocol::Delegation => Ok(body),
            Protocol::TokenExchange { issued_token_type } => {
                let mut out = Map::new();
                out.insert("access_token".into(), body.get("id_token").cloned().unwrap_or(Value::Null));
                out.insert("issued_token_type".into(), issued_token_type.into());
                // Not an OAuth access token, so not a Bearer token (RFC 8693 §2.2.1).
                out.insert("token_type".into(), "N_A".into());
                out.insert("expires_in".into(), body.get("expires_in").cloned().unwrap_or(Value::Null));
                Ok(out)
            }
        }
    }

    /// The `act` claim for an actor token (RFC 8693 §4.1): the actor, verified like a subject
    /// token of the same caller; the user's `may_act`, when present, must name it; a prior
    /// `act` of the subject token nests inside.
    fn actor(
        &self,
        caller: &Client,
        user: &Map<String, Value>,
        token: &str,
        now: i64,
    ) -> Result<Value, DelegationError> {
        let actor = self
            .verify_subject(caller, token, now)
            .map_err(|e| DelegationError { description: format!("actor_token: {}", e.description), ..e })?;
        let sub = actor.get("sub").cloned().unwrap_or(Value::Null);
        if let Some(may) = user.get("may_act") {
            if may.get("sub") != Some(&sub) {
                return Err(DelegationError::new(
                    OAuthCode::AccessDenied,
                    "the subject token's may_act does not name the actor: the user has not allowed this actor",
                ));
            }
        }
        let mut act = Map::new();
        act.insert("sub".into(), sub);
        if let Some(prior) = user.get("act") {
            act.insert("act".into(), prior.clone());
        }
        Ok(Value::Object(act))
    }

    /// Verifies the user's id_token as the caller's configuration says and returns its claims.
    fn verify_subject(&self, caller: &Client, token: &str, now: i64) -> Result<Map<String, Value>, DelegationError> {
        let claims = caller.verifier.verify_claims(token, now).map_err(|e| self.explain(caller, token, e))?;
        match claims.get("sub") {
            Some(Value::String(s)) if !s.is_empty() => Ok(claims),
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
                .and_then(|p| jws::header_map(p.header_json()).ok())
                .and_then(|h| h.get("alg").and_then(Value::as_str).and_then(Alg::from_name));
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
