//! Delegation token formats: one file per `api_type`, each a [`Format`] built once from the
//! target's `addons.<api_type>` settings by the constructor listed in [`FORMATS`]. Adding a
//! format is a new file and a row in that table.

use core::fmt;
use core::ops::RangeInclusive;

use rand_core::RngCore;
use serde_json::{Map, Value};

use crate::config::{Client, Tenant};
use crate::error::{quote, ConfigError, DelegationError, OAuthCode};
use crate::json::{b64url, kind};
use crate::keys::SigningKey;
use crate::request::Scope;

mod app;
mod aws;
mod azure_blob;
mod azure_sb;
mod firebase;
mod layer;
mod salesforce;
mod sap_api;
mod wams;

/// What a format needs to mint: who asks, for whom, about which user, and when.
pub(crate) struct MintContext<'a> {
    pub tenant: &'a Tenant,
    pub caller: &'a Client,
    pub target: &'a Client,
    /// The verified id_token's claims.
    pub user: &'a Map<String, Value>,
    pub scope: &'a Scope,
    /// Request parameters beyond the protocol's own.
    pub params: &'a Map<String, Value>,
    /// RFC 8693 `act` claim, when an actor token was verified.
    pub act: Option<&'a Value>,
    /// Claims the policy hook adds (empty without a hook).
    pub claims: &'a Map<String, Value>,
    /// Unix seconds.
    pub now: i64,
}

impl MintContext<'_> {
    /// The user id: the verified `sub` (checked non-empty before minting).
    pub fn user_id(&self) -> &str {
        self.user.get("sub").and_then(Value::as_str).unwrap_or_default()
    }

    /// A request parameter that must be a non-empty string.
    pub fn param(&self, name: &str, why: &str) -> Result<&str, DelegationError> {
        match self.params.get(name) {
            Some(Value::String(s)) if !s.is_empty() => Ok(s),
            None | Some(Value::Null) | Some(Value::String(_)) => {
                Err(DelegationError::new(OAuthCode::InvalidRequest, format!("parameter {name} is missing: {why}")))
            }
            Some(other) => Err(DelegationError::new(
                OAuthCode::InvalidRequest,
                format!("parameter {name} must be a string, found {}", kind(other)),
            )),
        }
    }

    /// Adds the policy's claims to `claims`, refusing names in `reserved` and names the
    /// format already set (a policy adds claims; it never rewrites the token's own).
    pub fn add_policy_claims(&self, claims: &mut Map<String, Value>, reserved: &[&str]) -> Result<(), DelegationError> {
        self.check_policy_claims(reserved, |name| claims.contains_key(name))?;
        claims.extend(self.claims.iter().map(|(k, v)| (k.clone(), v.clone())));
        Ok(())
    }

    /// Refuses the policy's claims named in `reserved` or `taken` (see [`MintContext::add_policy_claims`]).
    pub fn check_policy_claims(&self, reserved: &[&str], taken: impl Fn(&str) -> bool) -> Result<(), DelegationError> {
        match self.claims.keys().find(|k| reserved.contains(&k.as_str()) || taken(k)) {
            Some(k) => Err(server(format!(
                "the policy hook returned claim {}, which this token sets itself or reserves: rename the claim",
                quote(k)
            ))),
            None => Ok(()),
        }
    }

    /// For formats that are not JWTs: a policy that adds claims is a mistake worth reporting.
    pub fn no_policy_claims(&self, api_type: &str) -> Result<(), DelegationError> {
        if self.claims.is_empty() {
            return Ok(());
        }
        Err(server(format!(
            "the policy hook returned claims, but api_type {api_type} is not a JWT and cannot carry them: \
             return claims only for JWT formats (app, firebase, wams, layer)"
        )))
    }
}

/// A delegation token format, built from its settings once (keys parsed, values checked).
pub(crate) trait Format: Send + Sync {
    /// Mints the response body for one request.
    fn mint(&self, cx: &MintContext<'_>, rng: &mut dyn RngCore) -> Result<Map<String, Value>, DelegationError>;
}

/// Builds a format from a target's `addons.<api_type>` object (empty for `app`).
pub(crate) type Prepare = fn(&Settings<'_>) -> Result<Box<dyn Format>, ConfigError>;

/// A provider's answer to the token request a format built: (HTTP status, body) → the JSON the
/// edge handler returns, or (status, error). Status 0: the host could not reach the provider.
pub(crate) type Answer = fn(u16, &str) -> Result<Value, (u16, DelegationError)>;

/// One `api_type`: the Cargo feature that builds it, its constructor (`None` in a build
/// without that feature: the constant folds away, and with it the format's code), and, for
/// formats whose token request the edge handler sends itself, how to read the answer.
struct Row {
    api_type: &'static str,
    feature: &'static str,
    prepare: Option<Prepare>,
    answer: Option<Answer>,
}

macro_rules! row {
    ($api_type:literal, $feature:literal, $prepare:expr $(, $answer:expr)?) => {
        Row {
            api_type: $api_type,
            feature: $feature,
            prepare: if cfg!(feature = $feature) { Some($prepare as Prepare) } else { None },
            answer: if cfg!(feature = $feature) { row!(@answer $($answer)?) } else { None },
        }
    };
    (@answer) => { None };
    (@answer $answer:expr) => { Some($answer as Answer) };
}

/// Every name in `request::API_TYPES` but the synonym `auth0`.
const FORMATS: &[Row] = &[
    Row { api_type: "app", feature: "", prepare: Some(app::prepare), answer: None },
    row!("firebase", "firebase", firebase::prepare),
    row!("azure_blob", "azure", azure_blob::prepare),
    row!("azure_sb", "azure", azure_sb::prepare),
    row!("wams", "wams", wams::prepare),
    row!("layer", "layer", layer::prepare),
    row!("salesforce_api", "salesforce", salesforce::prepare_production),
    row!("salesforce_sandbox_api", "salesforce", salesforce::prepare_sandbox),
    row!("sap_api", "saml", sap_api::prepare, sap_api::answer),
    row!("aws", "saml", aws::prepare, aws::answer),
];

fn row(api_type: &str) -> Option<&'static Row> {
    FORMATS.iter().find(|r| r.api_type == api_type)
}

/// How to read the provider's answer, for a format the handler exchanges.
pub(crate) fn exchange(api_type: &str) -> Option<Answer> {
    row(api_type)?.answer
}

/// The Cargo feature that builds `api_type` (for the error a build without it answers).
pub(crate) fn feature(api_type: &str) -> &'static str {
    row(api_type).map_or("", |r| r.feature)
}

/// AWS STS's public endpoint (hosts may name a regional one).
pub(crate) const STS_ENDPOINT: &str = "https://sts.amazonaws.com/";

/// The constructor for a (normalized) `api_type`; `None` for names `request::API_TYPES` does
/// not list, and for add-ons whose feature this build leaves out (a test keeps the tables in step).
pub(crate) fn lookup(api_type: &str) -> Option<Prepare> {
    row(api_type)?.prepare
}

/// Builds the format of `api_type` from `settings`; errors carry paths relative to the add-on.
/// `has_rsa_key`: whether the tenant has an RSA signing key (formats signing with it check).
pub(crate) fn prepare(
    api_type: &'static str,
    settings: &Map<String, Value>,
    has_rsa_key: bool,
) -> Result<Addon, ConfigError> {
    let p =
        lookup(api_type).ok_or_else(|| ConfigError::new("", format!("api_type {} has no format", quote(api_type))))?;
    Ok(Addon { api_type, format: p(&Settings { api_type, map: settings, has_rsa_key })? })
}

/// A prepared format of one client. Debug shows only the name: formats hold keys.
pub(crate) struct Addon {
    pub api_type: &'static str,
    pub format: Box<dyn Format>,
}

impl fmt::Debug for Addon {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Addon({})", self.api_type)
    }
}

/// A fresh `jti`: 128 random bits, base64url.
pub(crate) fn jti(rng: &mut dyn RngCore) -> String {
    let mut b = [0u8; 16];
    rng.fill_bytes(&mut b);
    b64url(&b)
}

pub(crate) fn server(msg: impl Into<String>) -> DelegationError {
    DelegationError::new(OAuthCode::ServerError, msg)
}

/// Signs a JWT a format built; a failure here is ours, not the caller's.
pub(crate) fn sign_jwt(
    header: &Map<String, Value>,
    claims: &Map<String, Value>,
    alg: crate::alg::Alg,
    key: &SigningKey,
) -> Result<String, DelegationError> {
    crate::jws::encode(header, claims, alg, key).map_err(signing_failed)
}

/// A signing failure, as [`sign_jwt`] reports it.
pub(crate) fn signing_failed(e: crate::VerifyError) -> DelegationError {
    server(format!("signing the token failed: {}", e.message))
}

/// A JWT's claims written as JSON text member by member, in order, for a format's hot path:
/// a `serde_json::Map` hashes and allocates every name only for the map to be serialized and
/// dropped. Names and values go through the one JSON writer ([`crate::json::write`]), so the
/// text is the one the map would have made.
pub(crate) struct ClaimsText {
    text: Vec<u8>,
}

impl ClaimsText {
    pub fn new() -> Self {
        ClaimsText { text: Vec::with_capacity(256) }
    }

    /// Starts the member `name` (names are the caller's to keep unique).
    fn name(&mut self, name: &str) -> &mut Vec<u8> {
        self.text.push(if self.text.is_empty() { b'{' } else { b',' });
        crate::json::write_str(name, &mut self.text);
        self.text.push(b':');
        &mut self.text
    }

    /// Adds `name: value`.
    pub fn member(&mut self, name: &str, value: &Value) -> &mut Self {
        crate::json::write(value, self.name(name));
        self
    }

    /// Adds `name: "value"`.
    pub fn string(&mut self, name: &str, value: &str) -> &mut Self {
        crate::json::write_str(value, self.name(name));
        self
    }

    /// Adds `name: value` for an integer.
    pub fn int(&mut self, name: &str, value: i64) -> &mut Self {
        let text = self.name(name);
        text.extend_from_slice(value.to_string().as_bytes());
        self
    }

    /// The object's JSON text.
    pub fn finish(mut self) -> Vec<u8> {
        if self.text.is_empty() {
            self.text.push(b'{');
        }
        self.text.push(b'}');
        self.text
    }
}

/// The `{token_type, expires_in, id_token}` body of the JWT formats (SPEC §2).
pub(crate) fn bearer(token: String, expires_in: u64) -> Map<String, Value> {
    let mut out = Map::with_capacity(3);
    out.insert("token_type".into(), "Bearer".into());
    out.insert("expires_in".into(), expires_in.into());
    out.insert("id_token".into(), token.into());
    out
}

/// The body of the formats whose credential the host exchanges at a token endpoint:
/// `{<name>: credential, expires_in, token_request: {url, method: POST, headers, body}}`, the
/// body a form. `headers` come before the form's content type.
pub(crate) fn exchange_body(
    name: &str,
    credential: String,
    expires_in: i64,
    url: String,
    headers: &[(&str, &str)],
    form: String,
) -> Map<String, Value> {
    let mut h: Map<String, Value> = headers.iter().map(|(k, v)| ((*k).to_owned(), (*v).into())).collect();
    h.insert("content-type".into(), "application/x-www-form-urlencoded".into());
    let request =
        object([("url", url.into()), ("method", "POST".into()), ("headers", Value::Object(h)), ("body", form.into())]);
    object([(name, credential.into()), ("expires_in", expires_in.into()), ("token_request", Value::Object(request))])
}

/// A JSON object literal from (name, value) pairs, in order.
pub(crate) fn object<const N: usize>(pairs: [(&str, Value); N]) -> Map<String, Value> {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// An add-on's settings object with typed, path-naming accessors. Unknown members are
/// refused so a misspelled setting (`blobname`) is an error, not a silently default token.
pub(crate) struct Settings<'a> {
    api_type: &'static str,
    map: &'a Map<String, Value>,
    /// Whether the tenant has an RSA signing key.
    pub has_rsa_key: bool,
}

impl<'a> Settings<'a> {
    /// Refuses members outside `known`.
    pub fn only(&self, known: &[&str]) -> Result<(), ConfigError> {
        for name in self.map.keys() {
            if !known.contains(&name.as_str()) {
                return Err(ConfigError::new(
                    name.clone(),
                    format!("unknown setting of the {} add-on; its settings are {}", self.api_type, known.join(", ")),
                ));
            }
        }
        Ok(())
    }

    /// An optional string; empty counts as absent (Auth0 exports empty strings for unset fields).
    pub fn str(&self, name: &str) -> Result<Option<&'a str>, ConfigError> {
        match self.map.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(ConfigError::new(name, format!("must be a string, found {}", kind(other)))),
        }
    }

    /// A string that must be set; `what` says what it is and where to find it.
    pub fn required(&self, name: &str, what: &str) -> Result<&'a str, ConfigError> {
        self.str(name)?.ok_or_else(|| ConfigError::new(name, format!("missing: set it to {what}")))
    }

    /// An optional boolean (default false).
    pub fn flag(&self, name: &str) -> Result<bool, ConfigError> {
        match self.map.get(name) {
            None | Some(Value::Null) => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(other) => Err(ConfigError::new(name, format!("must be true or false, found {}", kind(other)))),
        }
    }

    /// An optional whole number in `range` (`unit` names it in messages), else `default`.
    /// Numeric strings are accepted: Auth0's dashboard stores some of these as strings.
    pub fn count(&self, name: &str, default: u64, range: RangeInclusive<u64>, unit: &str) -> Result<u64, ConfigError> {
        let bad = |found: &str| {
            ConfigError::new(
                name,
                format!("must be a whole number of {unit} from {} to {}, found {found}", range.start(), range.end()),
            )
        };
        let n = match self.map.get(name) {
            None | Some(Value::Null) => return Ok(default),
            Some(Value::String(s)) if s.is_empty() => return Ok(default),
            Some(Value::Number(n)) => n.as_u64().ok_or_else(|| bad(&n.to_string()))?,
            Some(Value::String(s)) => s.trim().parse::<u64>().map_err(|_| bad(&quote(s)))?,
            Some(other) => return Err(bad(kind(other))),
        };
        if !range.contains(&n) {
            return Err(bad(&n.to_string()));
        }
        Ok(n)
    }

    /// A private key from PEM, parsed once. Escaped `\n` (service-account JSON pasted into an
    /// environment variable) is accepted.
    pub fn private_key(&self, name: &str, what: &str) -> Result<SigningKey, ConfigError> {
        let pem = self.required(name, what)?;
        let unescaped;
        let pem = if !pem.contains('\n') && pem.contains("\\n") {
            unescaped = pem.replace("\\n", "\n");
            &unescaped
        } else {
            pem
        };
        crate::keys::signing_pem(pem).map_err(|e| ConfigError::new(name, e.message))
    }

    /// An RSA private key from PEM (the formats that sign RS256).
    pub fn rsa_key(&self, name: &str, what: &str) -> Result<SigningKey, ConfigError> {
        let key = self.private_key(name, what)?;
        if !matches!(key, SigningKey::Rsa(_)) {
            return Err(ConfigError::new(
                name,
                format!(
                    "is {}, but the {} add-on signs RS256: use an RSA private key (\"-----BEGIN PRIVATE KEY-----\")",
                    key.family().name(),
                    self.api_type
                ),
            ));
        }
        Ok(key)
    }
}

/// Formats that sign with the tenant's RSA key refuse a tenant without one, at construction.
pub(crate) fn rsa_required(s: &Settings<'_>, what: &str) -> Result<(), ConfigError> {
    if s.has_rsa_key {
        return Ok(());
    }
    Err(ConfigError::new(
        "",
        format!("{what} are signed RSA-SHA256 with the tenant's key, and signing_keys has no RSA key: add one"),
    ))
}

/// An endpoint URL setting: `https://`, or `http://` on loopback only (tests, local proxies),
/// since the request carries credentials.
pub(crate) fn endpoint_url(s: &Settings<'_>, name: &str, what: &str) -> Result<String, ConfigError> {
    let url = s.required(name, what)?;
    if !is_endpoint(url) {
        return Err(ConfigError::new(
            name,
            format!("must be an https:// URL without a fragment ({}), found {}", what, quote(url)),
        ));
    }
    Ok(url.to_owned())
}

/// An `https://` URL (or `http://` on loopback) without a fragment, spaces or markup.
pub(crate) fn is_endpoint(url: &str) -> bool {
    let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
        .iter()
        .any(|p| url.strip_prefix(p).is_some_and(|r| r.is_empty() || r.starts_with([':', '/'])));
    let https = url.strip_prefix("https://").is_some_and(|r| !r.is_empty() && !r.starts_with('/'));
    (https || loopback) && !url.contains(['#', ' ', '"', '<', '>', '\\']) && url.chars().all(|c| !c.is_control())
}

/// When the user signed in: the id_token's `auth_time`, else its `iat`, else now.
pub(crate) fn authn_instant(cx: &MintContext<'_>) -> i64 {
    ["auth_time", "iat"].iter().find_map(|c| cx.user.get(*c).and_then(Value::as_i64)).unwrap_or(cx.now)
}

/// A provider's refusal (4xx: `access_denied`, 403) or failure (no answer, 5xx, an answer we
/// cannot read: `server_error`, 502). Its text is shortened and stripped of control characters.
pub(crate) fn provider_failure(provider: &str, status: u16, detail: Option<String>) -> (u16, DelegationError) {
    let detail = detail
        .map(|d| {
            let clean: String = d.chars().map(|c| if c.is_control() { ' ' } else { c }).take(300).collect();
            format!(": {clean}")
        })
        .unwrap_or_default();
    match status {
        0 => (502, server(format!("could not reach {provider}: check its URL and that this host may connect to it"))),
        400..=499 => (
            403,
            DelegationError::new(
                OAuthCode::AccessDenied,
                format!("{provider} refused the request (HTTP {status}){detail}"),
            ),
        ),
        _ => (502, server(format!("{provider} answered HTTP {status}, not a result this module can read{detail}"))),
    }
}

/// JavaScript's `encodeURIComponent` (RFC 3986 percent-encoding, keeping `-_.!~*'()`).
pub(crate) fn uri_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Unix seconds → `YYYY-MM-DDTHH:MM:SSZ` (UTC), as Azure SAS dates are written.
pub(crate) fn iso8601(t: i64) -> String {
    let (days, secs) = (t.div_euclid(86_400), t.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (H. Hinnant's days_from_civil, inverted).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", secs / 3600, secs % 3600 / 60, secs % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso8601_matches_known_dates() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(iso8601(1_800_000_000), "2027-01-15T08:00:00Z");
        assert_eq!(iso8601(4_102_444_799), "2099-12-31T23:59:59Z");
        assert_eq!(iso8601(-1), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn every_api_type_has_a_row_that_names_its_feature() {
        for name in crate::request::API_TYPES.iter().filter(|a| **a != "auth0") {
            assert!(row(name).is_some(), "{name}");
            assert!(*name == "app" || !feature(name).is_empty(), "{name} names its Cargo feature");
        }
        assert_eq!(FORMATS.len(), crate::request::API_TYPES.len() - 1);
    }

    #[test]
    fn claims_text_is_the_maps_json() {
        let members = serde_json::json!({
            "iss": "https://t.example/", "quote\"back\\slash": "tab\t nl\n nul\u{0} del\u{7f} é 𝄞 \u{2028}",
            "": "", "n": -9_007_199_254_740_993_i64, "f": 1.5, "t": true, "z": null,
            "nested": { "a": [1, "x", { "b": [] }], "c": {} },
        });
        let map = members.as_object().unwrap();
        let mut text = ClaimsText::new();
        for (k, v) in map {
            text.member(k, v);
        }
        assert_eq!(String::from_utf8(text.finish()).unwrap(), serde_json::to_string(map).unwrap());
        let mut mixed = ClaimsText::new();
        mixed.string("s", "x\u{1}").int("i", -7).int("j", i64::MIN).member("v", &Value::Bool(false));
        assert_eq!(mixed.finish(), br#"{"s":"x\u0001","i":-7,"j":-9223372036854775808,"v":false}"#);
        assert_eq!(ClaimsText::new().finish(), b"{}");
    }

    #[test]
    fn uri_component_is_encode_uri_component() {
        assert_eq!(uri_component("a+b/c=d:é ~*'()!"), "a%2Bb%2Fc%3Dd%3A%C3%A9%20~*'()!");
    }
}
