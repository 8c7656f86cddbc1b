//! Verification (SPEC §5). jwt-compact supplies the signature primitives; every rule about
//! which algorithm, which key, which header and which claims is enforced here.

use serde_json::{Map, Value};

use crate::alg::{self, Alg};
use crate::error::{quote, ClaimReason, VerifyCode, VerifyError};
use crate::json::{check_depth, kind, TOKEN_DEPTH};
use crate::jws;
use crate::keys::{self, KeyEntry, VerifyingKey};
use crate::members::Members;

/// Largest clock tolerance accepted (seconds).
pub const MAX_CLOCK_TOLERANCE: u64 = 300;
/// Most keys one verifier holds (bounds the work per token).
pub const MAX_KEYS: usize = 100;

/// What to check besides the signature. Built from JS options by [`VerifyOptions::from_json`].
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// Allowed algorithms; `None`: each key's own family.
    pub algorithms: Option<Vec<Alg>>,
    /// Accepted `iss` values (any of them); empty: not checked.
    pub issuer: Vec<String>,
    /// Accepted audiences: `aud` must contain one of them; empty: not checked.
    pub audience: Vec<String>,
    /// Required `sub`.
    pub subject: Option<String>,
    /// Required header `typ` (compared as media types: case-insensitive, `application/` optional).
    pub typ: Option<String>,
    /// Seconds of leeway for `exp`, `nbf` and `iat` (at most 300).
    pub clock_tolerance: u64,
    /// Greatest accepted age in seconds, measured from `iat` (which then becomes required).
    pub max_token_age: Option<u64>,
    /// Claims that must be present.
    pub required_claims: Vec<String>,
}

/// A verified token.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified {
    /// The protected header.
    pub header: Map<String, Value>,
    /// The claims.
    pub payload: Map<String, Value>,
    /// Both as the token spells them (JSON text that parsed strictly to the maps above).
    json: (String, String),
}

impl Verified {
    pub(crate) fn new(
        header: Map<String, Value>,
        payload: Map<String, Value>,
        header_json: String,
        payload_json: String,
    ) -> Verified {
        Verified { header, payload, json: (header_json, payload_json) }
    }

    /// `{"header": …, "payload": …}` as JSON text, from the token's own text: parsing it gives
    /// the values of `header` and `payload` without serializing them again.
    pub fn to_json(&self) -> String {
        let (header, payload) = &self.json;
        let mut out = String::with_capacity(22 + header.len() + payload.len());
        for part in ["{\"header\":", header, ",\"payload\":", payload, "}"] {
            out.push_str(part);
        }
        out
    }
}

fn arg(msg: impl Into<String>) -> VerifyError {
    VerifyError::new(VerifyCode::InvalidArgument, msg)
}

fn string_or_list(v: &Value, name: &str) -> Result<Vec<String>, VerifyError> {
    match v {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(a) if !a.is_empty() => a
            .iter()
            .map(|x| {
                x.as_str().map(str::to_owned).ok_or_else(|| arg(format!("option `{name}` must list strings only")))
            })
            .collect(),
        other => {
            Err(arg(format!("option `{name}` must be a string or a non-empty array of strings, found {}", kind(other))))
        }
    }
}

fn seconds(v: &Value, name: &str) -> Result<u64, VerifyError> {
    v.as_f64().filter(|s| *s >= 0.0 && s.fract() == 0.0 && *s <= 1e12).map(|s| s as u64).ok_or_else(|| {
        let found = crate::json::to_string(v);
        arg(format!("option `{name}` must be a whole number of seconds ≥ 0, found {found}"))
    })
}

impl VerifyOptions {
    /// Reads the option members of a JS options object (camelCase, as SPEC §6 names them).
    /// Key members (`key`, `keys`, `jwks`, `secret`) and `currentDate`/`isRevoked` are the
    /// caller's to take; any other unknown member is refused, as a typo would silently
    /// disable a check.
    pub fn from_json(opts: &Map<String, Value>) -> Result<Self, VerifyError> {
        let mut o = VerifyOptions::default();
        for (name, v) in opts {
            if v.is_null() {
                continue;
            }
            match name.as_str() {
                "key" | "keys" | "jwks" | "secret" | "currentDate" | "isRevoked" => {}
                "algorithms" => {
                    let list = string_or_list(v, name)?;
                    let algs = list
                        .iter()
                        .map(|a| {
                            Alg::from_name(a).ok_or_else(|| {
                                VerifyError::new(VerifyCode::NotSupported, format!("algorithm {} is not supported; choose from {}", quote(a), Alg::names()))
                            })
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    o.algorithms = Some(algs);
                }
                "issuer" => o.issuer = string_or_list(v, name)?,
                "audience" => o.audience = string_or_list(v, name)?,
                "subject" => o.subject = Some(v.as_str().ok_or_else(|| arg("option `subject` must be a string"))?.to_owned()),
                "typ" => o.typ = Some(v.as_str().ok_or_else(|| arg("option `typ` must be a string"))?.to_owned()),
                "clockTolerance" => {
                    let t = seconds(v, name)?;
                    if t > MAX_CLOCK_TOLERANCE {
                        return Err(arg(format!("option `clockTolerance` is {t} s; at most {MAX_CLOCK_TOLERANCE} s is allowed")));
                    }
                    o.clock_tolerance = t;
                }
                "maxTokenAge" => o.max_token_age = Some(seconds(v, name)?),
                "requiredClaims" => {
                    o.required_claims = match v {
                        Value::Array(_) => string_or_list(v, name)?,
                        _ => return Err(arg("option `requiredClaims` must be an array of strings")),
                    }
                }
                other => {
                    return Err(arg(format!(
                        "unknown option {}; known: key, keys, jwks, secret, algorithms, issuer, audience, subject, typ, clockTolerance, maxTokenAge, requiredClaims, currentDate, isRevoked",
                        quote(other)
                    )))
                }
            }
        }
        Ok(o)
    }
}

/// Keys and rules, parsed once; verifies any number of tokens.
#[derive(Debug, Clone)]
pub struct Verifier {
    keys: Vec<KeyEntry>,
    /// A single key given as `key`/`secret`: `kid` does not filter it (as in jose).
    single: bool,
    allowed: Vec<Alg>,
    options: VerifyOptions,
}

impl Verifier {
    /// A verifier over `keys`. `single` marks one key given directly (not a key set).
    pub fn new(keys: Vec<KeyEntry>, single: bool, options: VerifyOptions) -> Result<Self, VerifyError> {
        if keys.is_empty() {
            return Err(arg("no key given: pass `key`, `keys`, `jwks` or `secret`"));
        }
        if keys.len() > MAX_KEYS {
            return Err(arg(format!("{} keys given; at most {MAX_KEYS} are accepted", keys.len())));
        }
        for k in &keys {
            if let VerifyingKey::Hmac(s) = &k.key {
                if s.len() < Alg::Hs256.min_secret_len() {
                    return Err(VerifyError::key(format!(
                        "the secret is {} bytes; HMAC secrets must be at least 32 bytes (use a random 32-byte or longer secret)",
                        s.len()
                    )));
                }
            }
        }
        let fits = |a: Alg| keys.iter().any(|k| k.key.family() == a.family() && k.alg.is_none_or(|x| x == a));
        let allowed: Vec<Alg> = match &options.algorithms {
            Some(list) => {
                if let Some(bad) = list.iter().find(|a| !fits(**a)) {
                    return Err(VerifyError::new(
                        VerifyCode::AlgNotAllowed,
                        format!("algorithm {} needs {}, and no such key was given", bad.name(), bad.family().name()),
                    ));
                }
                list.clone()
            }
            None => keys
                .iter()
                .flat_map(|k| match k.alg {
                    Some(a) => vec![a],
                    None => k.key.family().default_algorithms().to_vec(),
                })
                .fold(Vec::new(), |mut acc, a| {
                    if !acc.contains(&a) {
                        acc.push(a);
                    }
                    acc
                }),
        };
        Ok(Verifier { keys, single, allowed, options })
    }

    /// Builds a verifier from a JS-style options object; `secret` is the raw bytes of the
    /// `secret` option when the caller gave one (strings UTF-8 encoded).
    pub fn from_json(opts: &Value, secret: Option<Vec<u8>>) -> Result<Self, VerifyError> {
        let map =
            opts.as_object().ok_or_else(|| arg(format!("verify options must be an object, found {}", kind(opts))))?;
        check_depth(opts, TOKEN_DEPTH * 2).map_err(arg)?;
        let options = VerifyOptions::from_json(map)?;
        let given = ["key", "keys", "jwks"].iter().filter(|n| map.get(**n).is_some_and(|v| !v.is_null())).count()
            + usize::from(secret.is_some());
        if given > 1 {
            return Err(arg("give exactly one of `key`, `keys`, `jwks` and `secret`"));
        }
        if let Some(bytes) = secret {
            let key = VerifyingKey::Hmac(keys::secret_from_bytes(bytes)?);
            return Self::new(vec![KeyEntry { key, kid: None, alg: None }], true, options);
        }
        if let Some(k) = map.get("key").filter(|v| !v.is_null()) {
            return Self::new(vec![keys::verifying_value(k)?], true, options);
        }
        let list = match (map.get("keys"), map.get("jwks")) {
            (Some(Value::Array(a)), _) => a,
            (_, Some(Value::Object(j))) => match j.get("keys") {
                Some(Value::Array(a)) => a,
                _ => return Err(arg("option `jwks` must be an object with a `keys` array (a JWK Set)")),
            },
            (Some(other), _) => return Err(arg(format!("option `keys` must be an array, found {}", kind(other)))),
            (_, Some(other)) => {
                return Err(arg(format!("option `jwks` must be a JWK Set object, found {}", kind(other))))
            }
            _ => return Err(arg("no key given: pass `key`, `keys`, `jwks` or `secret`")),
        };
        let mut entries = Vec::new();
        for (i, v) in list.iter().enumerate() {
            // Keys meant for encryption are not candidates for signatures.
            if v.get("use").and_then(Value::as_str).is_some_and(|u| u != "sig") {
                continue;
            }
            let e = keys::verifying_value(v).map_err(|mut e| {
                e.message = format!("keys[{i}]: {}", e.message);
                e
            })?;
            entries.push(e);
        }
        Self::new(entries, false, options)
    }

    /// Verifies a token at `now` (Unix seconds).
    pub fn verify(&self, token: &str, now: i64) -> Result<Verified, VerifyError> {
        self.verify_with(token, now, &mut |_| Ok(false))
    }

    /// Verifies a token, then asks `is_revoked` (e.g. a `jti` deny-list).
    pub fn verify_with(
        &self,
        token: &str,
        now: i64,
        is_revoked: &mut dyn FnMut(&crate::Object) -> Result<bool, VerifyError>,
    ) -> Result<Verified, VerifyError> {
        let parts = self.check(token, now)?;
        let (header_json, payload_json) = (parts.header_json(), parts.payload_json()?);
        // Checked already: these parses agree with the checks (a differential test holds the
        // two readers together) and would refuse the token should they not.
        let header = jws::header_map(header_json)?;
        let payload = jws::claims_map(payload_json)?;
        if is_revoked(&payload)? {
            return Err(VerifyError::new(VerifyCode::Revoked, "the token has been revoked"));
        }
        Ok(Verified::new(header, payload, header_json.to_owned(), payload_json.to_owned()))
    }

    /// [`Verifier::verify`] giving the claims alone (what delegation reads).
    pub fn verify_claims(&self, token: &str, now: i64) -> Result<crate::Object, VerifyError> {
        jws::claims_map(self.check(token, now)?.payload_json()?)
    }

    /// [`Verifier::verify`] giving [`Verified::to_json`]'s text without building the maps
    /// (what the JS facade returns).
    pub fn verify_to_json(&self, token: &str, now: i64) -> Result<String, VerifyError> {
        Ok(self.check(token, now)?.into_json())
    }

    /// Every check, on the token's text: the token split and decoded, its claims checked.
    fn check<'t>(&self, token: &'t str, now: i64) -> Result<jws::Parts<'t>, VerifyError> {
        let parts = jws::split(token)?;
        let header = jws::header_members(parts.header_json())?;
        let alg = self.check_header(&header)?;
        let signature = parts.signature()?;
        let kid = header
            .get("kid")
            .map(|v| {
                v.as_str().ok_or_else(|| VerifyError::new(VerifyCode::JwsInvalid, "header \"kid\" must be a string"))
            })
            .transpose()?;
        let kid = kid.as_deref();
        let candidates = || {
            self.keys
                .iter()
                .filter(|k| k.key.family() == alg.family() && k.alg.is_none_or(|a| a == alg))
                .filter(|k| self.single || kid.is_none() || k.kid.as_deref() == kid)
        };
        let mut found = candidates();
        let (first, second) = (found.next(), found.next());
        let Some(first) = first else {
            let which = kid.map(|k| format!(" with kid {}", quote(k))).unwrap_or_default();
            return Err(VerifyError::new(
                VerifyCode::NoMatchingKey,
                format!(
                    "no {} key{which} for {} among the keys given",
                    alg.family().name().trim_start_matches("a ").trim_start_matches("an "),
                    alg.name()
                ),
            ));
        };
        if second.is_none() {
            if let VerifyingKey::Hmac(s) = &first.key {
                if s.len() < alg.min_secret_len() {
                    return Err(VerifyError::key(format!(
                        "the secret is {} bytes; {} needs at least {}",
                        s.len(),
                        alg.name(),
                        alg.min_secret_len()
                    )));
                }
            }
        }
        let msg = parts.signing_input.as_bytes();
        if !candidates().any(|k| alg::verify(alg, &k.key, msg, signature)) {
            return Err(VerifyError::new(
                VerifyCode::SignatureVerificationFailed,
                "signature verification failed: the token was not signed by the key given, or it was altered",
            ));
        }
        // Only now, with the signature checked, are the claims read.
        self.check_claims(&jws::claims_members(parts.payload_json()?)?, now)?;
        drop(header);
        Ok(parts)
    }

    fn check_header(&self, h: &Members<'_>) -> Result<Alg, VerifyError> {
        let invalid = |m: &str| VerifyError::new(VerifyCode::JwsInvalid, m);
        let name = match h.get("alg") {
            Some(v) => v.as_str().ok_or_else(|| invalid("header \"alg\" must be a string"))?,
            None => return Err(invalid("the header has no \"alg\"")),
        };
        match h.get("b64").map(|v| v.as_bool()) {
            None | Some(Some(true)) => {}
            Some(Some(false)) => {
                return Err(VerifyError::new(
                    VerifyCode::JwtInvalid,
                    "JWTs must not use an unencoded payload (\"b64\": false, RFC 7797)",
                ))
            }
            Some(None) => return Err(invalid("header \"b64\" must be a boolean")),
        }
        if let Some(crit) = h.get("crit") {
            let names = match crit.strings() {
                Some(list) if !list.is_empty() => list,
                None if crit.is_array() => return Err(invalid("header \"crit\" must list strings")),
                _ => return Err(invalid("header \"crit\" must be a non-empty array of names")),
            };
            if let Some(c) = names.iter().find(|c| !h.contains(c)) {
                return Err(invalid(&format!("header \"crit\" names {} but the header lacks it", quote(c))));
            }
            // We implement no JWS extension, so any critical one is refused.
            return Err(VerifyError::new(
                VerifyCode::NotSupported,
                format!(
                    "critical header extension {} is not understood, so the token is refused (RFC 7515 §4.1.11)",
                    quote(&names[0])
                ),
            ));
        }
        let alg = Alg::from_name(&name).filter(|a| self.allowed.contains(a)).ok_or_else(|| {
            VerifyError::new(
                VerifyCode::AlgNotAllowed,
                format!(
                    "\"alg\" {} is not allowed; allowed here: {}",
                    quote(&name),
                    self.allowed.iter().map(|a| a.name()).collect::<Vec<_>>().join(", ")
                ),
            )
        })?;
        if let Some(expected) = &self.options.typ {
            let got = match h.get("typ") {
                Some(v) => v.as_str().ok_or_else(|| invalid("header \"typ\" must be a string"))?,
                None => {
                    return Err(VerifyError::claim(
                        VerifyCode::ClaimValidationFailed,
                        "typ",
                        ClaimReason::Missing,
                        "the header has no \"typ\"",
                    ))
                }
            };
            if normalize_typ(&got) != normalize_typ(expected) {
                return Err(VerifyError::claim(
                    VerifyCode::ClaimValidationFailed,
                    "typ",
                    ClaimReason::CheckFailed,
                    format!("unexpected \"typ\" {}: expected {}", quote(&got), quote(expected)),
                ));
            }
        }
        Ok(alg)
    }

    fn check_claims(&self, p: &Members<'_>, now: i64) -> Result<(), VerifyError> {
        let o = &self.options;
        let failed = |claim: &str, reason, msg: String| {
            VerifyError::claim(VerifyCode::ClaimValidationFailed, claim, reason, msg)
        };
        let mut required: Vec<&str> = o.required_claims.iter().map(String::as_str).collect();
        if !o.issuer.is_empty() {
            required.push("iss");
        }
        if o.subject.is_some() {
            required.push("sub");
        }
        if !o.audience.is_empty() {
            required.push("aud");
        }
        if o.max_token_age.is_some() {
            required.push("iat");
        }
        for c in required {
            if !p.contains(c) {
                return Err(failed(c, ClaimReason::Missing, format!("missing required {} claim", quote(c))));
            }
        }
        if !o.issuer.is_empty() {
            match p.get("iss").and_then(|v| v.as_str()) {
                Some(s) if o.issuer.iter().any(|i| *i == s) => {}
                Some(s) => {
                    return Err(failed(
                        "iss",
                        ClaimReason::CheckFailed,
                        format!("unexpected \"iss\" {}: the token was issued by someone else", quote(&s)),
                    ))
                }
                None => return Err(failed("iss", ClaimReason::Invalid, "\"iss\" must be a string".into())),
            }
        }
        if let Some(sub) = &o.subject {
            match p.get("sub").and_then(|v| v.as_str()) {
                Some(s) if s == sub.as_str() => {}
                Some(_) => {
                    return Err(failed("sub", ClaimReason::CheckFailed, "unexpected \"sub\" claim value".into()))
                }
                None => return Err(failed("sub", ClaimReason::Invalid, "\"sub\" must be a string".into())),
            }
        }
        if !o.audience.is_empty() {
            let aud = p.get("aud");
            let ok = match (aud.and_then(|v| v.as_str()), aud.and_then(|v| v.strings())) {
                (Some(s), _) => o.audience.iter().any(|a| *a == s),
                (_, Some(list)) => list.iter().any(|s| o.audience.iter().any(|x| x == s)),
                _ => {
                    return Err(failed(
                        "aud",
                        ClaimReason::Invalid,
                        "\"aud\" must be a string or an array of strings".into(),
                    ))
                }
            };
            if !ok {
                return Err(failed(
                    "aud",
                    ClaimReason::CheckFailed,
                    format!(
                        "the token is not addressed to {}",
                        o.audience.iter().map(|a| quote(a)).collect::<Vec<_>>().join(" or ")
                    ),
                ));
            }
        }
        let tol = o.clock_tolerance as f64;
        let now_f = now as f64;
        let date = |c: &str| -> Result<Option<f64>, VerifyError> {
            match p.get(c) {
                None => Ok(None),
                Some(v) => v.as_f64().map(Some).ok_or_else(|| {
                    failed(
                        c,
                        ClaimReason::Invalid,
                        format!("{} must be a NumericDate (a JSON number of seconds), found {}", quote(c), v.kind()),
                    )
                }),
            }
        };
        let iat = date("iat")?;
        if let Some(nbf) = date("nbf")? {
            if nbf > now_f + tol {
                return Err(failed(
                    "nbf",
                    ClaimReason::CheckFailed,
                    "the token is not valid yet (\"nbf\" is in the future): check the clocks".into(),
                ));
            }
        }
        if let Some(exp) = date("exp")? {
            if exp <= now_f - tol {
                return Err(VerifyError::claim(
                    VerifyCode::Expired,
                    "exp",
                    ClaimReason::CheckFailed,
                    "the token has expired (\"exp\" is past): get a fresh one",
                ));
            }
        }
        if let (Some(max), Some(iat)) = (o.max_token_age, iat) {
            let age = now_f - iat;
            if age - tol > max as f64 {
                return Err(VerifyError::claim(
                    VerifyCode::Expired,
                    "iat",
                    ClaimReason::CheckFailed,
                    format!("the token is older than maxTokenAge ({max} s)"),
                ));
            }
            if age < -tol {
                return Err(failed(
                    "iat",
                    ClaimReason::CheckFailed,
                    "\"iat\" is in the future: check the clocks".into(),
                ));
            }
        }
        Ok(())
    }

    /// The algorithms this verifier accepts.
    pub fn algorithms(&self) -> &[Alg] {
        &self.allowed
    }
}

/// `typ` values compare as media types: case-insensitive, with `application/` optional (RFC 7515 §4.1.9).
fn normalize_typ(t: &str) -> String {
    let t = t.to_ascii_lowercase();
    t.strip_prefix("application/").map(str::to_owned).unwrap_or(t)
}
