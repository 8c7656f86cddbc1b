//! `sign`: mint a JWT from a payload, a key and `{alg, kid, typ}` (tests, demo, tooling), and
//! [`Signer`], which parses the key and options once for many tokens.

use serde_json::{Map, Value};

use crate::alg::Alg;
use crate::error::{quote, VerifyCode, VerifyError};
use crate::json::{check_depth, kind, TOKEN_DEPTH};
use crate::jws;
use crate::keys::{self, SigningKey};
use crate::members::Members;

/// The key argument of `sign`: raw secret bytes, or a PEM/JWK value (a string is a secret for
/// HS* and a PEM for the other algorithms).
pub enum KeyArg {
    /// Secret bytes (a JS `Uint8Array`).
    Bytes(Vec<u8>),
    /// A PEM string, a secret string, or a JWK object.
    Value(Value),
}

fn arg(msg: impl Into<String>) -> VerifyError {
    VerifyError::new(VerifyCode::InvalidArgument, msg)
}

/// A key and `{alg, kid?, typ?}` parsed once: mints any number of JWTs.
#[derive(Debug)]
pub struct Signer {
    key: SigningKey,
    alg: Alg,
    /// The protected header, encoded once ([`jws::encoded_header`]).
    header: String,
}

fn claims(payload: &Value) -> Result<&Map<String, Value>, VerifyError> {
    let claims =
        payload.as_object().ok_or_else(|| arg(format!("the payload must be an object, found {}", kind(payload))))?;
    check_depth(payload, TOKEN_DEPTH).map_err(arg)?;
    Ok(claims)
}

/// [`claims`]' checks on a payload's JSON text (also strictly valid: RFC 8259, no duplicate
/// names), without building it into a map: the token carries the text, so a map would be
/// dropped unread. The member reader gives the strict parser's verdicts (its differential
/// test); a refusal is worded by the strict parser and [`claims`], as before.
pub(crate) fn check_payload(text: &str) -> Result<(), VerifyError> {
    if Members::parse(text, TOKEN_DEPTH).is_ok() {
        return Ok(());
    }
    let payload = crate::parse_json(text).map_err(|e| arg(format!("the payload is not valid JSON: {e}")))?;
    claims(&payload)?;
    Err(arg("the payload is not strictly valid JSON"))
}

impl Signer {
    /// Parses the key and `options` (`{alg, kid?, typ?}`); the key must suit `alg`.
    pub fn new(key: KeyArg, options: &Value) -> Result<Signer, VerifyError> {
        let opts = options
            .as_object()
            .ok_or_else(|| arg(format!("sign options must be an object with `alg`, found {}", kind(options))))?;
        for name in opts.keys() {
            if !matches!(name.as_str(), "alg" | "kid" | "typ") {
                return Err(arg(format!("unknown sign option {}; known: alg, kid, typ", quote(name))));
            }
        }
        let text = |name: &str| -> Result<Option<&str>, VerifyError> {
            match opts.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s)),
                Some(other) => Err(arg(format!("sign option `{name}` must be a string, found {}", kind(other)))),
            }
        };
        let alg_name = text("alg")?.ok_or_else(|| arg("sign options need `alg` (e.g. \"RS256\" or \"HS256\")"))?;
        let alg = Alg::from_name(alg_name).ok_or_else(|| {
            VerifyError::new(
                VerifyCode::NotSupported,
                format!("algorithm {} is not supported; choose from {}", quote(alg_name), Alg::names()),
            )
        })?;
        let (key, jwk_kid) = match key {
            KeyArg::Bytes(b) => (SigningKey::Hmac(keys::secret_from_bytes(b)?), None),
            KeyArg::Value(Value::String(s)) if alg.min_secret_len() > 0 => {
                (SigningKey::Hmac(keys::secret_from_bytes(s.into_bytes())?), None)
            }
            KeyArg::Value(v) => {
                let (k, kid, jwk_alg) = keys::signing_value(&v)?;
                if let Some(a) = jwk_alg.filter(|a| *a != alg) {
                    return Err(VerifyError::new(
                        VerifyCode::AlgNotAllowed,
                        format!("the JWK is pinned to {} (\"alg\"), but {} was asked for", a.name(), alg.name()),
                    ));
                }
                (k, kid)
            }
        };
        if key.family() != alg.family() {
            return Err(VerifyError::new(
                VerifyCode::AlgNotAllowed,
                format!("{} needs {}, but the key given is {}", alg.name(), alg.family().name(), key.family().name()),
            ));
        }
        let kid = text("kid")?.map(str::to_owned).or(jwk_kid);
        let header = jws::encoded_header(&jws::header(alg, text("typ")?, kid.as_deref()));
        Ok(Signer { key, alg, header })
    }

    /// Mints a JWT over `payload` (an object, written as given).
    pub fn sign(&self, payload: &Value) -> Result<String, VerifyError> {
        self.encode(claims(payload)?)
    }

    /// The token for checked claims.
    fn encode(&self, claims: &Map<String, Value>) -> Result<String, VerifyError> {
        jws::encode_claims(&self.header, claims, self.alg, &self.key)
    }

    /// [`Signer::sign`] for a payload given as JSON text (as JavaScript's `JSON.stringify`
    /// writes it): the token carries `text` itself instead of the claims serialized again.
    /// The wasm facade's path (a test below holds it to `sign`).
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    pub(crate) fn sign_text(&self, text: &str) -> Result<String, VerifyError> {
        check_payload(text)?;
        self.encode_text(text)
    }

    /// The token for claims already checked, carried as `text`.
    fn encode_text(&self, text: &str) -> Result<String, VerifyError> {
        jws::encode_serialized(&self.header, text.as_bytes(), self.alg, &self.key)
    }
}

/// [`sign_json`] for a payload given as JSON text, which the token then carries as is. `args`
/// gives the key and options (the facade reads them from JS text) once the payload is checked:
/// the payload's errors come before theirs.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub(crate) fn sign_json_text(
    text: &str,
    args: impl FnOnce() -> Result<(KeyArg, Value), VerifyError>,
) -> Result<String, VerifyError> {
    check_payload(text)?;
    let (key, options) = args()?;
    Signer::new(key, &options)?.encode_text(text)
}

/// Mints a JWT. `options` is `{alg, kid?, typ?}`; the payload is written as given.
pub fn sign_json(payload: &Value, key: KeyArg, options: &Value) -> Result<String, VerifyError> {
    let claims = claims(payload)?; // the payload's errors come before the key's
    Signer::new(key, options)?.encode(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text path gives `sign`'s token when the text is what serde writes, and carries other
    /// spellings of the same claims byte for byte; the payload checks are the same.
    #[test]
    fn text_path_matches_value_path() {
        let key = || KeyArg::Bytes(vec![7u8; 32]);
        let opts = serde_json::json!({"alg": "HS256", "kid": "k"});
        let text = r#"{"sub":"u","n":[1,{"a":null}],"e":"\u00e9"}"#;
        let value = crate::parse_json(text).unwrap();
        let signer = Signer::new(key(), &opts).unwrap();
        assert_eq!(signer.sign_text(&serde_json::to_string(&value).unwrap()).unwrap(), signer.sign(&value).unwrap());
        let token = sign_json_text(text, || Ok((key(), opts.clone()))).unwrap();
        let payload = token.split('.').nth(1).unwrap();
        assert_eq!(crate::json::b64url_decode(payload).unwrap(), text.as_bytes());
        // Refusals carry the value path's messages: not an object, too deep, not valid JSON
        // (a duplicate name, a trailing comma), and the payload's error before the key's.
        let refusal = |t: &str| sign_json_text(t, || Ok((key(), opts.clone()))).unwrap_err().message;
        let value_path = |t: &str| match crate::parse_json(t) {
            Ok(v) => sign_json(&v, key(), &opts).unwrap_err().message,
            Err(e) => format!("the payload is not valid JSON: {e}"),
        };
        let deep = format!("{}1{}", r#"{"a":"#.repeat(17), "}".repeat(17));
        let deepest = format!("{}1{}", r#"{"a":"#.repeat(40), "}".repeat(40));
        for t in ["[1]", "1", "null", &deep, &deepest, r#"{"a":1,"a":2}"#, r#"{"a":1,}"#, r#"{"a":"\ud800"}"#, ""] {
            assert_eq!(refusal(t), value_path(t), "{t}");
            assert_eq!(signer.sign_text(t).unwrap_err().message, value_path(t), "{t}");
        }
        assert!(refusal("[1]").contains("payload must be an object"));
        assert!(refusal(&deep).contains("nested deeper than 16"));
        let no_key = sign_json_text("[1]", || Ok((KeyArg::Bytes(vec![1]), opts.clone()))).unwrap_err().message;
        assert!(no_key.contains("payload must be an object"), "{no_key}");
        let sixteen = format!("{}1{}", r#"{"a":"#.repeat(16), "}".repeat(16));
        assert!(signer.sign_text(&sixteen).is_ok());
    }
}
