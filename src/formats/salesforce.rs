//! `api_type: salesforce_api` / `salesforce_sandbox_api` (SPEC §4): the OAuth 2.0 JWT bearer
//! assertion (RFC 7523) for Salesforce, signed RS256 with the tenant's active RSA key, and the
//! token request the host sends with it.

use rand_core::RngCore;
use serde_json::{Map, Value};

use super::{exchange_body, jti, object, server, sign_jwt, uri_component, Format, MintContext, Settings};
use crate::alg::{Alg, Family};
use crate::error::{ConfigError, DelegationError, OAuthCode};
use crate::jws;
use crate::request::JWT_BEARER;

/// Salesforce refuses assertions that expire more than 3 minutes ahead.
const LIFETIME: u64 = 180;
const SETTINGS: &[&str] = &["clientid", "principal", "communityName", "community_url_section"];

struct Salesforce {
    api_type: &'static str,
    client_id: String,
    /// A fixed Salesforce username; else the user's `email`.
    principal: Option<String>,
    /// `https://login.salesforce.com`, `https://test.salesforce.com`, or the community's URL.
    audience: String,
}

fn prepare(s: &Settings<'_>, api_type: &'static str, login: &str) -> Result<Box<dyn Format>, ConfigError> {
    s.only(SETTINGS)?;
    if !s.has_rsa_key {
        return Err(ConfigError::new(
            "",
            "Salesforce assertions are signed RS256 with the tenant's key, and signing_keys has no RSA key: add one",
        ));
    }
    let client_id = s.required("clientid", "the connected app's consumer key")?.to_owned();
    let principal = s.str("principal")?.map(str::to_owned);
    let section = s.str("community_url_section")?;
    let audience = match s.str("communityName")? {
        None if section.is_some() => {
            return Err(ConfigError::new("communityName", "missing: community_url_section needs the community's name"))
        }
        None => login.to_owned(),
        Some(name) => {
            if !name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'.') {
                return Err(ConfigError::new(
                    "communityName",
                    "must be the community's name (as in https://<name>.force.com) or its host name",
                ));
            }
            // A bare name is a force.com community; a dotted one is the site's own host.
            let host = if name.contains('.') { name.to_owned() } else { format!("{name}.force.com") };
            match section.map(|p| p.trim_matches('/')) {
                Some(p) if !p.is_empty() => {
                    if p.contains(['?', '#']) {
                        return Err(ConfigError::new("community_url_section", "must be a URL path section"));
                    }
                    format!("https://{host}/{p}")
                }
                _ => format!("https://{host}"),
            }
        }
    };
    Ok(Box::new(Salesforce { api_type, client_id, principal, audience }))
}

pub(super) fn prepare_production(s: &Settings<'_>) -> Result<Box<dyn Format>, ConfigError> {
    prepare(s, "salesforce_api", "https://login.salesforce.com")
}

pub(super) fn prepare_sandbox(s: &Settings<'_>) -> Result<Box<dyn Format>, ConfigError> {
    prepare(s, "salesforce_sandbox_api", "https://test.salesforce.com")
}

impl Format for Salesforce {
    fn mint(&self, cx: &MintContext<'_>, rng: &mut dyn RngCore) -> Result<Map<String, Value>, DelegationError> {
        cx.no_policy_claims(self.api_type)?;
        let sub = match &self.principal {
            Some(p) => p.clone(),
            None => match cx.user.get("email") {
                Some(Value::String(e)) if !e.is_empty() => e.clone(),
                _ => {
                    return Err(DelegationError::new(
                        OAuthCode::InvalidRequest,
                        format!(
                            "the Salesforce user is the id_token's email, and it has none: sign the user in with the email \
                             scope, or set addons.{}.principal to a Salesforce username",
                            self.api_type
                        ),
                    ))
                }
            },
        };
        let key = cx.tenant.active_key(Family::Rsa).ok_or_else(|| server("the tenant's RSA signing key is missing"))?;
        let claims = object([
            ("iss", self.client_id.clone().into()),
            ("sub", sub.into()),
            ("aud", self.audience.clone().into()),
            ("iat", cx.now.into()),
            ("exp", cx.now.saturating_add(LIFETIME as i64).into()),
            ("jti", jti(rng).into()),
        ]);
        let header = jws::header(Alg::Rs256, Some("JWT"), Some(&key.kid));
        let assertion = sign_jwt(&header, &claims, Alg::Rs256, &key.key)?;
        let body = format!("grant_type={}&assertion={}", uri_component(JWT_BEARER), assertion);
        let url = format!("{}/services/oauth2/token", self.audience);
        Ok(exchange_body("assertion", assertion, LIFETIME as i64, url, &[], body))
    }
}
