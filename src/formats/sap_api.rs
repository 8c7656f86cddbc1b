//! `api_type: sap_api` (SPEC §4): a signed SAML 2.0 bearer assertion for SAP's OAuth token
//! endpoint (RFC 7522), and the exact token request (`saml2-bearer` grant, Basic client
//! authentication). The edge handler sends it and returns SAP's token response.

use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use rand_core::RngCore;
use serde_json::{Map, Value};

use super::{
    endpoint_url, exchange_body, provider_failure, rsa_required, uri_component, Format, MintContext, Settings,
};
use crate::alg::Family;
use crate::error::{quote, ConfigError, DelegationError, OAuthCode};
use crate::saml::{self, Assertion};

/// RFC 7522 §2.1's grant type.
pub(crate) const SAML2_BEARER: &str = "urn:ietf:params:oauth:grant-type:saml2-bearer";
const UNSPECIFIED: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified";
/// Bearer assertions are presented at once; five minutes covers clock skew.
pub(crate) const LIFETIME: i64 = 300;
const SETTINGS: &[&str] = &[
    "clientid",
    "usernameAttribute",
    "tokenEndpointUrl",
    "scope",
    "servicePassword",
    "nameIdentifierFormat",
    "assertionEncoding",
];

struct SapApi {
    client_id: String,
    username_attribute: String,
    token_endpoint: String,
    scope: Option<String>,
    /// `Basic base64(clientid:servicePassword)`, built once.
    authorization: String,
    name_id_format: String,
    /// RFC 7522 says base64url; SAP's samples send standard base64 (the default).
    base64url: bool,
}

pub(super) fn prepare(s: &Settings<'_>) -> Result<Box<dyn Format>, ConfigError> {
    s.only(SETTINGS)?;
    rsa_required(s, "SAML assertions for SAP")?;
    let client_id = s.required("clientid", "the OAuth client id SAP issued for this application")?;
    if client_id.contains(':') || !crate::xml::is_xml_text(client_id) {
        return Err(ConfigError::new(
            "clientid",
            "must not contain \":\" or control characters (HTTP Basic forbids them)",
        ));
    }
    let username_attribute =
        s.required("usernameAttribute", "the id_token claim that holds the SAP user name, e.g. \"email\"")?;
    let token_endpoint = endpoint_url(s, "tokenEndpointUrl", "SAP's OAuth token endpoint (…/oauth2/api/v1/token)")?;
    let password = s.required("servicePassword", "the password of the SAP OAuth client")?;
    let name_id_format = s.str("nameIdentifierFormat")?.unwrap_or(UNSPECIFIED);
    if !name_id_format.starts_with("urn:") || !crate::xml::is_xml_text(name_id_format) {
        return Err(ConfigError::new(
            "nameIdentifierFormat",
            "must be a SAML NameID format URN (urn:oasis:names:tc:SAML:…)",
        ));
    }
    let base64url = match s.str("assertionEncoding")? {
        None | Some("base64") => false,
        Some("base64url") => true,
        Some(other) => {
            return Err(ConfigError::new("assertionEncoding", format!("{} is not base64 or base64url", quote(other))))
        }
    };
    let scope = s.str("scope")?.map(str::to_owned);
    let authorization = format!("Basic {}", Base64::encode_string(format!("{client_id}:{password}").as_bytes()));
    Ok(Box::new(SapApi {
        client_id: client_id.to_owned(),
        username_attribute: username_attribute.to_owned(),
        token_endpoint,
        scope,
        authorization,
        name_id_format: name_id_format.to_owned(),
        base64url,
    }))
}

impl Format for SapApi {
    fn mint(&self, cx: &MintContext<'_>, rng: &mut dyn RngCore) -> Result<Map<String, Value>, DelegationError> {
        cx.no_policy_claims("sap_api")?;
        let name = match cx.user.get(&self.username_attribute) {
            Some(Value::String(v)) if !v.is_empty() => v,
            _ => {
                return Err(DelegationError::new(
                    OAuthCode::InvalidRequest,
                    format!(
                        "the id_token has no string claim {} (addons.sap_api.usernameAttribute), so the SAP user is \
                         unknown: sign the user in with a scope that includes it, or change usernameAttribute",
                        quote(&self.username_attribute)
                    ),
                ))
            }
        };
        let key = cx
            .tenant
            .active_key(Family::Rsa)
            .ok_or_else(|| super::server("the tenant's RSA signing key is missing"))?;
        let issuer = saml::issuer(&cx.tenant.issuer);
        let xml = saml::assertion(
            &Assertion {
                issuer: &issuer,
                name_id: name,
                name_id_format: &self.name_id_format,
                recipient: &self.token_endpoint,
                audience: &self.token_endpoint,
                authn_instant: super::authn_instant(cx),
                attributes: &[("client_id", &self.client_id)],
                now: cx.now,
                not_on_or_after: cx.now.saturating_add(LIFETIME),
            },
            key,
            rng,
        )?;
        let assertion = if self.base64url {
            Base64UrlUnpadded::encode_string(xml.as_bytes())
        } else {
            Base64::encode_string(xml.as_bytes())
        };
        let mut body =
            format!("grant_type={}&client_id={}", uri_component(SAML2_BEARER), uri_component(&self.client_id));
        if let Some(scope) = &self.scope {
            body.push_str(&format!("&scope={}", uri_component(scope)));
        }
        body.push_str(&format!("&assertion={}", uri_component(&assertion)));
        let headers = [("authorization", self.authorization.as_str()), ("accept", "application/json")];
        Ok(exchange_body("assertion", assertion, LIFETIME, self.token_endpoint.clone(), &headers, body))
    }
}

/// SAP's answer to the token request: its OAuth token response as is, or a clean error.
pub(super) fn answer(status: u16, body: &str) -> Result<Value, (u16, DelegationError)> {
    let json = crate::json::parse_lenient(body.as_bytes()).ok().filter(Value::is_object);
    match (status, json) {
        (200..=299, Some(v)) if v.get("access_token").is_some() => Ok(v),
        (400..=499, Some(v)) if v.get("error").is_some() => {
            let detail = [v.get("error"), v.get("error_description")]
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(": ");
            Err(provider_failure("the SAP token endpoint", status, Some(detail)))
        }
        _ => Err(provider_failure("the SAP token endpoint", status, None)),
    }
}
