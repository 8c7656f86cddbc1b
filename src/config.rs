//! The tenant configuration (SPEC §3): issuer, signing keys and Auth0-style clients, checked
//! and parsed once. Errors name the JSON path, e.g. `clients[2].jwt_configuration.alg`.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use serde_json::{Map, Value};

use crate::alg::{Alg, Family};
use crate::error::{quote, ConfigError};
use crate::formats::{self, Addon};
use crate::json::{b64url_decode, check_depth, kind, parse_strict, CONFIG_DEPTH};
use crate::keys::{self, KeyEntry, Secret, SigningKey, VerifyingKey};
use crate::request::API_TYPES;
use crate::verify::{Verifier, VerifyOptions};

/// FNV-1a, for the client index. std's keyed SipHash defends a table against keys an attacker
/// chooses to insert; this one's keys come from the tenant's configuration only (a request
/// just looks one up), and a delegation looks clients up four times.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// The grant a caller needs in `grant_types` to use delegation.
pub const DELEGATION_GRANT: &str = "http://auth0.com/oauth/legacy/grant-type/delegation/id_token";
/// Token lifetime when `jwt_configuration.lifetime_in_seconds` is absent (Auth0's default).
pub const DEFAULT_LIFETIME: u64 = 36_000;
/// Longest lifetime accepted (Auth0's limit: 30 days).
pub const MAX_LIFETIME: u64 = 2_592_000;
/// Algorithms a client's id_tokens and delegation tokens may use.
pub const CLIENT_ALGS: &[Alg] = &[Alg::Hs256, Alg::Rs256, Alg::Es256, Alg::EdDsa];

/// One of the tenant's signing keys (a private JWK).
#[derive(Debug)]
pub struct TenantKey {
    /// `kid`, written into the header of every token it signs.
    pub kid: String,
    /// The algorithm it signs with.
    pub alg: Alg,
    /// The private key.
    pub key: SigningKey,
    /// The public half, as published in the JWKS.
    pub public: VerifyingKey,
    /// The JWK's `x5c`: base64 DER certificates, the first holding this key (checked). SAML
    /// signatures name the first in `KeyInfo`; the JWKS publishes the chain.
    pub x5c: Vec<String>,
}

/// A client (application), in Auth0 Management API terms.
#[derive(Debug)]
pub struct Client {
    /// `client_id`.
    pub client_id: String,
    /// `name`, for messages.
    pub name: Option<String>,
    /// A public client (`token_endpoint_auth_method: none`, or `app_type` `spa`/`native`).
    pub is_public: bool,
    /// `jwt_configuration.alg`: how this client's id_tokens are signed, and its delegation tokens.
    pub alg: Alg,
    /// `jwt_configuration.lifetime_in_seconds`.
    pub lifetime: u64,
    /// The HMAC key from `client_secret` (decoded when `secret_encoded`), for HS256 clients.
    pub secret: Option<Secret>,
    /// `grant_types`.
    pub grant_types: Vec<String>,
    /// `allowed_clients`: who may delegate to this client (empty: every client of the tenant).
    pub allowed_clients: Vec<String>,
    /// `addons`: add-on settings as configured, by `api_type`.
    pub addons: Map<String, Value>,
    /// The formats this client can be a target of (`app`, and each add-on), built once.
    pub(crate) formats: Vec<Addon>,
    /// Verifies this client's id_tokens.
    pub(crate) verifier: Verifier,
}

impl Client {
    /// The prepared format for `api_type` when this client, as a target, has it enabled.
    pub(crate) fn format(&self, api_type: &str) -> Option<&Addon> {
        self.formats.iter().find(|a| a.api_type == api_type)
    }
}

/// A parsed, checked tenant.
#[derive(Debug)]
pub struct Tenant {
    /// `issuer`: the `iss` of every id_token and of the tokens we mint.
    pub issuer: String,
    /// `signing_keys`: the first of each family is active, the rest are published.
    pub keys: Vec<TenantKey>,
    clients: Vec<Client>,
    index: HashMap<String, usize, BuildHasherDefault<Fnv>>,
}

fn err(path: impl Into<String>, msg: impl Into<String>) -> ConfigError {
    ConfigError::new(path, msg)
}

fn opt_str<'a>(o: &'a Map<String, Value>, name: &str, path: &str) -> Result<Option<&'a str>, ConfigError> {
    match o.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(err(format!("{path}.{name}"), format!("must be a string, found {}", kind(other)))),
    }
}

fn str_list(o: &Map<String, Value>, name: &str, path: &str) -> Result<Vec<String>, ConfigError> {
    match o.get(name) {
        None | Some(Value::Null) => Ok(vec![]),
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| err(format!("{path}.{name}[{i}]"), format!("must be a string, found {}", kind(v))))
            })
            .collect(),
        Some(other) => {
            Err(err(format!("{path}.{name}"), format!("must be an array of strings, found {}", kind(other))))
        }
    }
}

impl Tenant {
    /// Parses tenant JSON text (duplicate member names are refused).
    pub fn parse(text: &str) -> Result<Tenant, ConfigError> {
        let v = parse_strict(text.as_bytes(), CONFIG_DEPTH)
            .map_err(|e| err("", format!("the tenant configuration is not valid JSON: {e}")))?;
        Self::from_json(&v)
    }

    /// Checks and parses a tenant configuration value.
    pub fn from_json(v: &Value) -> Result<Tenant, ConfigError> {
        let root = v.as_object().ok_or_else(|| {
            err(
                "",
                format!(
                    "the tenant configuration must be a JSON object with issuer, signing_keys and clients, found {}",
                    kind(v)
                ),
            )
        })?;
        check_depth(v, CONFIG_DEPTH).map_err(|e| err("", e))?;
        for name in root.keys() {
            if !matches!(name.as_str(), "issuer" | "signing_keys" | "clients" | "$schema" | "description") {
                return Err(err(name.clone(), "unknown member; a tenant has issuer, signing_keys and clients"));
            }
        }
        let issuer = match root.get("issuer") {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            Some(other) if !other.is_string() => {
                return Err(err("issuer", format!("must be a string, found {}", kind(other))))
            }
            _ => {
                return Err(err(
                    "issuer",
                    "missing: set it to the tenant's issuer URL, e.g. \"https://example.eu.auth0.com/\"",
                ))
            }
        };
        let keys = match root.get("signing_keys") {
            None | Some(Value::Null) => vec![],
            Some(Value::Array(a)) => {
                a.iter().enumerate().map(|(i, k)| tenant_key(k, i)).collect::<Result<Vec<_>, _>>()?
            }
            Some(other) => {
                return Err(err("signing_keys", format!("must be an array of private JWKs, found {}", kind(other))))
            }
        };
        for (i, k) in keys.iter().enumerate() {
            if let Some(j) = keys[..i].iter().position(|o| o.kid == k.kid) {
                return Err(err(
                    format!("signing_keys[{i}].kid"),
                    format!("duplicate kid {} (also signing_keys[{j}])", quote(&k.kid)),
                ));
            }
        }
        let list = match root.get("clients") {
            Some(Value::Array(a)) => a,
            Some(other) => {
                return Err(err("clients", format!("must be an array of client objects, found {}", kind(other))))
            }
            None => return Err(err("clients", "missing: list the tenant's clients (Auth0 Management API objects)")),
        };
        let mut clients = Vec::with_capacity(list.len());
        let mut index = HashMap::default();
        for (i, c) in list.iter().enumerate() {
            let client = client(c, i, &issuer, &keys)?;
            if let Some(j) = index.insert(client.client_id.clone(), i) {
                return Err(err(
                    format!("clients[{i}].client_id"),
                    format!("duplicate client_id {} (also clients[{j}])", quote(&client.client_id)),
                ));
            }
            clients.push(client);
        }
        Ok(Tenant { issuer, keys, clients, index })
    }

    /// A client by `client_id`.
    pub fn client(&self, client_id: &str) -> Option<&Client> {
        self.index.get(client_id).map(|i| &self.clients[*i])
    }

    /// The active (first) signing key of a family.
    pub fn active_key(&self, family: Family) -> Option<&TenantKey> {
        self.keys.iter().find(|k| k.key.family() == family)
    }

    /// The public JWK Set (`/.well-known/jwks.json`): public members only.
    pub fn public_jwks(&self) -> Value {
        let keys: Vec<Value> = self
            .keys
            .iter()
            .filter_map(|k| {
                let mut jwk = k.public.public_jwk()?;
                jwk.insert("kid".into(), k.kid.clone().into());
                jwk.insert("use".into(), "sig".into());
                jwk.insert("alg".into(), k.alg.name().into());
                if !k.x5c.is_empty() {
                    jwk.insert("x5c".into(), k.x5c.clone().into());
                }
                Some(Value::Object(jwk))
            })
            .collect();
        serde_json::json!({ "keys": keys })
    }
}

fn tenant_key(v: &Value, i: usize) -> Result<TenantKey, ConfigError> {
    let path = format!("signing_keys[{i}]");
    let jwk = v.as_object().ok_or_else(|| err(&path, format!("must be a private JWK object, found {}", kind(v))))?;
    let kid = opt_str(jwk, "kid", &path)?
        .filter(|k| !k.is_empty())
        .ok_or_else(|| {
            err(
                format!("{path}.kid"),
                "missing: every signing key needs a kid, so tokens name the key that signed them",
            )
        })?
        .to_owned();
    let (key, _, alg) = keys::signing_jwk(jwk).map_err(|e| err(&path, e.message))?;
    let default = match key.family() {
        Family::Rsa => Alg::Rs256,
        Family::P256 => Alg::Es256,
        Family::Ed25519 => Alg::EdDsa,
        Family::Hmac => {
            return Err(err(
                format!("{path}.kty"),
                "an \"oct\" secret cannot be a tenant signing key; use RSA, EC P-256 or Ed25519",
            ))
        }
    };
    let alg = alg.unwrap_or(default);
    if !CLIENT_ALGS.contains(&alg) {
        return Err(err(format!("{path}.alg"), format!("{}: tenant keys sign RS256, ES256 or EdDSA", alg.name())));
    }
    let public = key.verifying_key();
    let x5c = certificates(jwk, &path, &public)?;
    Ok(TenantKey { kid, alg, key, public, x5c })
}

/// `x5c`: standard base64 DER certificates; the first must certify the key itself, or every
/// SAML verifier given that certificate would refuse our signatures.
fn certificates(jwk: &Map<String, Value>, path: &str, public: &VerifyingKey) -> Result<Vec<String>, ConfigError> {
    use base64ct::{Base64, Encoding};
    let certs = str_list(jwk, "x5c", path)?;
    for (i, c) in certs.iter().enumerate() {
        let at = format!("{path}.x5c[{i}]");
        let der = Base64::decode_vec(c).map_err(|_| {
            err(&at, "is not standard base64 (x5c holds DER certificates in base64, not PEM and not base64url)")
        })?;
        let key = keys::certificate_key(&der).map_err(|e| err(&at, e.message))?;
        if i == 0 && key.public_jwk() != public.public_jwk() {
            return Err(err(
                at,
                "certifies a different key than this JWK: x5c[0] must be the certificate of this signing key",
            ));
        }
    }
    Ok(certs)
}

fn client(v: &Value, i: usize, issuer: &str, tenant_keys: &[TenantKey]) -> Result<Client, ConfigError> {
    let path = format!("clients[{i}]");
    let o = v.as_object().ok_or_else(|| err(&path, format!("must be a client object, found {}", kind(v))))?;
    let client_id = opt_str(o, "client_id", &path)?
        .filter(|s| !s.is_empty())
        .ok_or_else(|| err(format!("{path}.client_id"), "missing: every client needs a client_id"))?
        .to_owned();
    let name = opt_str(o, "name", &path)?.map(str::to_owned);
    let app_type = opt_str(o, "app_type", &path)?;
    let auth_method = opt_str(o, "token_endpoint_auth_method", &path)?;
    let is_public = auth_method == Some("none") || matches!(app_type, Some("spa" | "native"));

    let jc_path = format!("{path}.jwt_configuration");
    let empty = Map::new();
    let jc = match o.get("jwt_configuration") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(m)) => m,
        Some(other) => return Err(err(&jc_path, format!("must be an object, found {}", kind(other)))),
    };
    let alg = match opt_str(jc, "alg", &jc_path)? {
        None => Alg::Rs256,
        Some(name) => match Alg::from_name(name) {
            Some(a) if CLIENT_ALGS.contains(&a) => a,
            Some(_) => {
                return Err(err(
                    format!("{jc_path}.alg"),
                    format!("algorithm {} is not supported for clients; use HS256, RS256, ES256 or EdDSA", quote(name)),
                ))
            }
            None => return Err(err(format!("{jc_path}.alg"), format!("unknown algorithm {}", quote(name)))),
        },
    };
    let lifetime = match jc.get("lifetime_in_seconds") {
        None | Some(Value::Null) => DEFAULT_LIFETIME,
        Some(Value::Number(n)) => match n.as_u64().filter(|s| (1..=MAX_LIFETIME).contains(s)) {
            Some(s) => s,
            None => {
                return Err(err(
                    format!("{jc_path}.lifetime_in_seconds"),
                    format!("must be a whole number of seconds from 1 to {MAX_LIFETIME}, found {n}"),
                ))
            }
        },
        Some(other) => {
            return Err(err(
                format!("{jc_path}.lifetime_in_seconds"),
                format!("must be a number, found {}", kind(other)),
            ))
        }
    };
    let secret_encoded = match jc.get("secret_encoded") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            return Err(err(format!("{jc_path}.secret_encoded"), format!("must be a boolean, found {}", kind(other))))
        }
    };
    let secret = match opt_str(o, "client_secret", &path)? {
        None => None,
        Some(s) if secret_encoded => Some(Secret::new(b64url_decode(s.trim_end_matches('=')).ok_or_else(|| {
            err(format!("{path}.client_secret"), "secret_encoded is true but the secret is not base64url: set secret_encoded to false or encode the secret")
        })?)),
        Some(s) => Some(Secret::new(s.as_bytes().to_vec())),
    };
    let verifier_keys: Vec<KeyEntry> = if alg == Alg::Hs256 {
        let s = secret.as_ref().ok_or_else(|| {
            err(
                format!("{path}.client_secret"),
                "missing: an HS256 client needs its client_secret (or set jwt_configuration.alg to RS256)",
            )
        })?;
        if s.len() < Alg::Hs256.min_secret_len() {
            return Err(err(
                format!("{path}.client_secret"),
                format!(
                    "{} bytes; HS256 needs at least 32 bytes (Auth0 secrets are 64 characters; rotate the secret)",
                    s.len()
                ),
            ));
        }
        vec![KeyEntry { key: VerifyingKey::Hmac(s.clone()), kid: None, alg: Some(Alg::Hs256) }]
    } else {
        let ks: Vec<KeyEntry> = tenant_keys
            .iter()
            .filter(|k| k.alg == alg)
            .map(|k| KeyEntry { key: k.public.clone(), kid: Some(k.kid.clone()), alg: Some(alg) })
            .collect();
        if ks.is_empty() {
            return Err(err(
                format!("{jc_path}.alg"),
                format!(
                    "{} needs a {} key in signing_keys, and there is none: add one or change the algorithm",
                    alg.name(),
                    alg.name()
                ),
            ));
        }
        ks
    };
    let options = VerifyOptions {
        algorithms: Some(vec![alg]),
        issuer: vec![issuer.to_owned()],
        audience: vec![client_id.clone()],
        required_claims: vec!["sub".into(), "exp".into()],
        ..VerifyOptions::default()
    };
    let verifier = Verifier::new(verifier_keys, alg == Alg::Hs256, options).map_err(|e| err(&path, e.message))?;

    let addons = match o.get("addons") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(other) => return Err(err(format!("{path}.addons"), format!("must be an object, found {}", kind(other)))),
    };
    let has_rsa_key = tenant_keys.iter().any(|k| k.key.family() == Family::Rsa);
    let mut formats = vec![formats::prepare("app", &Map::new(), has_rsa_key).map_err(|e| err(&path, e.message))?];
    for (name, settings) in &addons {
        // Auth0 has add-ons that are not delegation formats (samlp, wsfed, …): exported
        // clients carry them, so they are kept but not read.
        // So are the settings of add-ons this build leaves out (their requests are refused).
        let known = API_TYPES.iter().copied().find(|a| a == name && !matches!(*a, "app" | "auth0"));
        let Some(api_type) = known.filter(|a| formats::lookup(a).is_some()) else {
            continue;
        };
        let at = format!("{path}.addons.{name}");
        let m = settings
            .as_object()
            .ok_or_else(|| err(&at, format!("must be an object of the add-on's settings, found {}", kind(settings))))?;
        let addon = formats::prepare(api_type, m, has_rsa_key).map_err(|e| {
            let p = if e.path.is_empty() { at.clone() } else { format!("{at}.{}", e.path) };
            err(p, e.message)
        })?;
        formats.push(addon);
    }
    Ok(Client {
        grant_types: str_list(o, "grant_types", &path)?,
        allowed_clients: str_list(o, "allowed_clients", &path)?,
        client_id,
        name,
        is_public,
        alg,
        lifetime,
        secret,
        addons,
        formats,
        verifier,
    })
}
