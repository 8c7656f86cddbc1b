//! The delegation request (SPEC §2): the Auth0 `/delegation` wire parameters, checked.

use serde_json::{Map, Value};

use crate::error::{quote, DelegationError, OAuthCode};
use crate::json::kind;

/// The only grant type `/delegation` accepts.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// RFC 8693 token exchange, at `/oauth/token`.
pub const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
/// RFC 8693 token type of a JWT.
pub const TOKEN_TYPE_JWT: &str = "urn:ietf:params:oauth:token-type:jwt";
/// RFC 8693 token type of an OIDC id_token.
pub const TOKEN_TYPE_ID_TOKEN: &str = "urn:ietf:params:oauth:token-type:id_token";

/// Every `api_type` of the Auth0 endpoint (`auth0` is a synonym of `app`).
pub const API_TYPES: &[&str] = &[
    "app",
    "auth0",
    "firebase",
    "azure_blob",
    "azure_sb",
    "wams",
    "layer",
    "salesforce_api",
    "salesforce_sandbox_api",
    "sap_api",
    "aws",
];

/// Claims of the OIDC `profile` scope (OIDC Core §5.4).
const PROFILE: &[&str] = &[
    "name",
    "family_name",
    "given_name",
    "middle_name",
    "nickname",
    "preferred_username",
    "profile",
    "picture",
    "website",
    "gender",
    "birthdate",
    "zoneinfo",
    "locale",
    "updated_at",
];

/// Claims we set on every minted token; scopes can never copy them from the id_token.
pub(crate) const RESERVED: &[&str] = &[
    "iss",
    "sub",
    "aud",
    "iat",
    "exp",
    "nbf",
    "azp",
    "jti",
    "nonce",
    "at_hash",
    "c_hash",
    "auth_time",
    "acr",
    "amr",
    "act",
    "may_act",
    "cnf",
    "sid",
];

/// Which of the user's claims go into the delegation token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// `openid …`: the listed scopes (OIDC `profile`, `email`, `address`, `phone`) and legacy
    /// attribute names (e.g. `openid name email`).
    Openid(Vec<String>),
    /// `passthrough`: every claim of the id_token except the reserved ones.
    Passthrough,
}

impl Scope {
    fn parse(s: Option<&str>) -> Result<Scope, DelegationError> {
        let s = s.unwrap_or("openid").trim();
        if s == "passthrough" {
            return Ok(Scope::Passthrough);
        }
        let words: Vec<&str> = s.split_whitespace().collect();
        if !words.contains(&"openid") {
            return Err(bad(format!(
                "scope {} must include \"openid\" (e.g. \"openid profile email\") or be \"passthrough\"",
                quote(s)
            )));
        }
        let mut out = Vec::new();
        for w in words.into_iter().filter(|w| *w != "openid") {
            if RESERVED.contains(&w) {
                return Err(bad(format!(
                    "scope names {}, a claim the delegation token always sets itself; remove it from scope",
                    quote(w)
                )));
            }
            if !out.iter().any(|x: &String| x == w) {
                out.push(w.to_owned());
            }
        }
        Ok(Scope::Openid(out))
    }

    /// The scope as a parameter value (normalized: `openid` first, duplicates dropped).
    pub fn as_param(&self) -> String {
        match self {
            Scope::Passthrough => "passthrough".into(),
            Scope::Openid(words) => {
                std::iter::once("openid").chain(words.iter().map(String::as_str)).collect::<Vec<_>>().join(" ")
            }
        }
    }

    /// The user's claims this scope releases, in a stable order.
    pub fn project(&self, user: &Map<String, Value>) -> Map<String, Value> {
        let mut out = Map::new();
        let mut copy = |name: &str| {
            if let Some(v) = user.get(name) {
                out.insert(name.to_owned(), v.clone());
            }
        };
        match self {
            Scope::Passthrough => {
                for name in user.keys().filter(|k| !RESERVED.contains(&k.as_str())) {
                    copy(name);
                }
            }
            Scope::Openid(words) => {
                for w in words {
                    let names: &[&str] = match w.as_str() {
                        "profile" => PROFILE,
                        "email" => &["email", "email_verified"],
                        "address" => &["address"],
                        "phone" => &["phone_number", "phone_number_verified"],
                        other => &[other][..],
                    };
                    for n in names {
                        copy(n);
                    }
                }
            }
        }
        out
    }
}

/// Which protocol a request came in by; it decides the response shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// Auth0's `/delegation`.
    Delegation,
    /// RFC 8693 token exchange; the response names `issued_token_type`.
    TokenExchange {
        /// The token type issued (`…:jwt` or `…:id_token`).
        issued_token_type: &'static str,
    },
}

/// A checked delegation request.
#[derive(Debug, Clone)]
pub struct DelegationRequest {
    /// How it was asked for.
    pub protocol: Protocol,
    /// RFC 8693 `actor_token`: who acts on the user's behalf (becomes the `act` claim).
    pub actor_token: Option<String>,
    /// The calling client.
    pub client_id: String,
    /// The user's id_token (issued to `client_id`).
    pub id_token: String,
    /// The target client (default: the caller).
    pub target: String,
    /// The requested claims.
    pub scope: Scope,
    /// The add-on, normalized (`auth0` → `app`).
    pub api_type: &'static str,
    /// Every other parameter, for the add-on and the policy hook.
    pub extra: Map<String, Value>,
}

fn bad(msg: impl Into<String>) -> DelegationError {
    DelegationError::new(OAuthCode::InvalidRequest, msg)
}

fn text<'a>(p: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>, DelegationError> {
    match p.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(bad(format!("parameter {name} must be a string, found {}", kind(other)))),
    }
}

fn extra(p: &Map<String, Value>, known: &[&str]) -> Map<String, Value> {
    p.iter().filter(|(k, _)| !known.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// The parameters as an object, and their `grant_type`, which must be present.
fn object_and_grant<'a>(
    params: &'a Value,
    expected: &str,
) -> Result<(&'a Map<String, Value>, &'a str), DelegationError> {
    let p = params.as_object().ok_or_else(|| {
        bad(format!("the request parameters must be an object (or URLSearchParams), found {}", kind(params)))
    })?;
    let grant =
        text(p, "grant_type")?.ok_or_else(|| bad(format!("grant_type is missing: send grant_type={expected}")))?;
    Ok((p, grant))
}

impl DelegationRequest {
    /// Checks the wire parameters (a JSON object of the form or JSON body).
    pub fn from_params(params: &Value) -> Result<Self, DelegationError> {
        let (p, grant) = object_and_grant(params, JWT_BEARER)?;
        let id_token = text(p, "id_token")?;
        let refresh = text(p, "refresh_token")?;
        if id_token.is_some() && refresh.is_some() {
            return Err(bad("send either id_token or refresh_token, not both"));
        }
        if grant != JWT_BEARER {
            return Err(DelegationError::new(
                OAuthCode::UnsupportedGrantType,
                format!("grant_type {} is not supported by /delegation: use {JWT_BEARER}", quote(grant)),
            ));
        }
        if refresh.is_some() {
            return Err(DelegationError::new(
                OAuthCode::UnsupportedGrantType,
                "refresh_token delegation is not supported by this stateless module: send the user's id_token instead",
            ));
        }
        let id_token =
            id_token.ok_or_else(|| bad("id_token is missing: send the signed-in user's id_token"))?.to_owned();
        let client_id =
            text(p, "client_id")?.ok_or_else(|| bad("client_id is missing: send the calling client's id"))?.to_owned();
        let target = text(p, "target")?.map(str::to_owned).unwrap_or_else(|| client_id.clone());
        let api_name = text(p, "api_type")?.unwrap_or("app");
        let api_type = match API_TYPES.iter().find(|a| **a == api_name) {
            Some(&"auth0") => "app",
            Some(a) => *a,
            None => {
                return Err(bad(format!(
                    "api_type {} is unknown; use one of {}",
                    quote(api_name),
                    API_TYPES.join(", ")
                )))
            }
        };
        let scope = Scope::parse(text(p, "scope")?)?;
        let extra = extra(p, &["grant_type", "id_token", "refresh_token", "client_id", "target", "api_type", "scope"]);
        Ok(DelegationRequest {
            protocol: Protocol::Delegation,
            actor_token: None,
            client_id,
            id_token,
            target,
            scope,
            api_type,
            extra,
        })
    }

    /// Checks RFC 8693 token exchange parameters (`/oauth/token`). The subject token plays the
    /// id_token's part and `audience` the target's; the issued token is an `app` JWT.
    pub fn from_token_exchange(params: &Value) -> Result<Self, DelegationError> {
        let (p, grant) = object_and_grant(params, TOKEN_EXCHANGE)?;
        if grant != TOKEN_EXCHANGE {
            return Err(DelegationError::new(
                OAuthCode::UnsupportedGrantType,
                format!("grant_type {} is not supported here: use {TOKEN_EXCHANGE}", quote(grant)),
            ));
        }
        let token_type = |name: &str| -> Result<Option<&'static str>, DelegationError> {
            match text(p, name)? {
                None => Ok(None),
                Some(TOKEN_TYPE_JWT) => Ok(Some(TOKEN_TYPE_JWT)),
                Some(TOKEN_TYPE_ID_TOKEN) => Ok(Some(TOKEN_TYPE_ID_TOKEN)),
                Some(other) => Err(bad(format!(
                    "{name} {} is not supported: use {TOKEN_TYPE_ID_TOKEN} or {TOKEN_TYPE_JWT}",
                    quote(other)
                ))),
            }
        };
        let id_token = text(p, "subject_token")?
            .ok_or_else(|| bad("subject_token is missing: send the user's id_token as subject_token"))?
            .to_owned();
        token_type("subject_token_type")?.ok_or_else(|| {
            bad(format!("subject_token_type is missing: send {TOKEN_TYPE_ID_TOKEN} (or {TOKEN_TYPE_JWT})"))
        })?;
        let issued_token_type = token_type("requested_token_type")?.unwrap_or(TOKEN_TYPE_JWT);
        let actor_token = text(p, "actor_token")?.map(str::to_owned);
        match (&actor_token, token_type("actor_token_type")?) {
            (Some(_), None) => return Err(bad("actor_token_type is missing: it is required with actor_token")),
            (None, Some(_)) => return Err(bad("actor_token_type was sent without actor_token")),
            _ => {}
        }
        if text(p, "resource")?.is_some() {
            return Err(DelegationError::new(
                OAuthCode::InvalidTarget,
                "resource is not supported: name the target client in audience",
            ));
        }
        let client_id =
            text(p, "client_id")?.ok_or_else(|| bad("client_id is missing: send the calling client's id"))?.to_owned();
        let target = text(p, "audience")?.map(str::to_owned).unwrap_or_else(|| client_id.clone());
        let scope = Scope::parse(text(p, "scope")?)?;
        let extra = extra(
            p,
            &[
                "grant_type",
                "subject_token",
                "subject_token_type",
                "requested_token_type",
                "actor_token",
                "actor_token_type",
                "client_id",
                "audience",
                "scope",
            ],
        );
        Ok(DelegationRequest {
            protocol: Protocol::TokenExchange { issued_token_type },
            actor_token,
            client_id,
            id_token,
            target,
            scope,
            api_type: "app",
            extra,
        })
    }
}
