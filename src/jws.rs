//! Compact JWS: strict splitting and decoding (SPEC §5 rules 5, 10, 11) and minting.

use core::ops::Range;

use serde_json::{Map, Value};

use crate::alg::{self, Alg};
use crate::error::{VerifyCode, VerifyError};
use crate::json::{
    b64url_decode_public, b64url_decode_public_into, b64url_public, is_b64url, parse_object, TOKEN_DEPTH,
};
use crate::keys::SigningKey;
use crate::members::Members;

/// base64url without padding.
pub use crate::json::b64url as base64url_encode;
/// Strict base64url without padding (RFC 7515 §2): another alphabet, `=`, whitespace or
/// non-zero trailing bits are refused, so each byte string has exactly one accepted encoding.
pub use crate::json::b64url_decode as base64url_decode;

/// Tokens longer than this are refused before any decoding (bounded work).
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// A compact JWS split and decoded. `text` is `{"header":H,"payload":P}` with H and P the
/// decoded header and claims: the JSON text a verification returns, put together as the
/// segments are decoded (no copy afterwards). The claims and the signature are decoded up
/// front; their failures are reported where the checks reach them (after the header's checks
/// and after the signature's), so every refusal keeps its place in the order of checks.
pub(crate) struct Parts<'a> {
    text: String,
    header: Range<usize>,
    payload: Claims,
    signature: Option<Vec<u8>>,
    /// `header.payload`, the bytes the signature covers.
    pub signing_input: &'a str,
}

/// Where the decoded claims are in [`Parts::text`], or why there are none.
enum Claims {
    At(Range<usize>),
    NotBase64url,
    NotUtf8,
}

const TEXT_OPEN: &str = "{\"header\":";
const TEXT_MIDDLE: &str = ",\"payload\":";

impl Parts<'_> {
    /// The header's JSON text.
    pub(crate) fn header_json(&self) -> &str {
        &self.text[self.header.clone()]
    }

    /// The decoded signature.
    pub(crate) fn signature(&self) -> Result<&[u8], VerifyError> {
        self.signature.as_deref().ok_or_else(|| jws_invalid(not_base64url("signature")))
    }

    /// The claims' JSON text (after the signature has been checked), which the caller checks
    /// with [`claims_members`] or [`claims_map`].
    pub(crate) fn payload_json(&self) -> Result<&str, VerifyError> {
        match &self.payload {
            Claims::At(r) => Ok(&self.text[r.clone()]),
            Claims::NotBase64url => Err(VerifyError::new(VerifyCode::JwtInvalid, not_base64url("payload"))),
            Claims::NotUtf8 => Err(claims_invalid("it is not UTF-8".into())),
        }
    }

    /// `{"header":…,"payload":…}` (once [`Parts::payload_json`] has succeeded).
    pub(crate) fn into_json(self) -> String {
        self.text
    }
}

fn jws_invalid(msg: impl Into<String>) -> VerifyError {
    VerifyError::new(VerifyCode::JwsInvalid, msg)
}

/// The message for a segment that is not strict base64url.
fn not_base64url(which: &str) -> String {
    format!("the {which} segment is not base64url without padding")
}

/// The error for a token without exactly three segments, naming how many it has.
fn segment_count(token: &str) -> VerifyError {
    let segments = token.split('.').count();
    let hint = if segments == 5 { " (this looks like an encrypted JWE, which is not supported)" } else { "" };
    jws_invalid(format!("a JWT in compact form has 3 dot-separated segments, this one has {segments}{hint}"))
}

/// Splits a compact JWS, checks its form and decodes its segments.
pub(crate) fn split(token: &str) -> Result<Parts<'_>, VerifyError> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(jws_invalid(format!(
            "the token is {} bytes; tokens over {MAX_TOKEN_BYTES} bytes are refused",
            token.len()
        )));
    }
    let segments = match token.split_once('.') {
        Some((header, rest)) => match rest.split_once('.') {
            Some((payload, signature)) if !signature.contains('.') => [header, payload, signature],
            _ => return Err(segment_count(token)),
        },
        None => return Err(segment_count(token)),
    };
    let [h, p, sig] = segments;
    // Exactly the decoded length: the text leaves as it is (a larger buffer would be shrunk,
    // a reallocation, on its way to JS).
    let decoded = |n: usize| n / 4 * 3 + (n % 4).saturating_sub(1);
    let mut buf = Vec::with_capacity(TEXT_OPEN.len() + decoded(h.len()) + TEXT_MIDDLE.len() + decoded(p.len()) + 1);
    buf.extend_from_slice(TEXT_OPEN.as_bytes());
    let header_ok = b64url_decode_public_into(h, &mut buf);
    let header = TEXT_OPEN.len()..buf.len();
    buf.extend_from_slice(TEXT_MIDDLE.as_bytes());
    let payload_start = buf.len();
    let payload_ok = b64url_decode_public_into(p, &mut buf);
    let payload = payload_start..buf.len();
    buf.push(b'}');
    let signature = b64url_decode_public(sig);
    // Form before anything else: every segment in the base64url alphabet, no padding (a
    // decoding failure is told apart from a wrong alphabet only on this path).
    if !(header_ok && payload_ok && signature.is_some()) {
        if let Some(i) = segments.iter().position(|s| !is_b64url(s)) {
            return Err(jws_invalid(not_base64url(["header", "payload", "signature"][i])));
        }
    }
    if !header_ok {
        return Err(jws_invalid(not_base64url("header")));
    }
    // The pieces between the decoded segments are ASCII, so the text is UTF-8 exactly when
    // both segments are.
    let (text, payload) = match String::from_utf8(buf) {
        Ok(text) => (text, if payload_ok { Claims::At(payload) } else { Claims::NotBase64url }),
        Err(e) => {
            let buf = e.into_bytes();
            if core::str::from_utf8(&buf[header.clone()]).is_err() {
                return Err(header_invalid("it is not UTF-8".into()));
            }
            let claims = if payload_ok { Claims::NotUtf8 } else { Claims::NotBase64url };
            // Only the header is read from this text.
            (String::from_utf8_lossy(&buf[..header.end]).into_owned(), claims)
        }
    };
    Ok(Parts { text, header, payload, signature, signing_input: &token[..h.len() + 1 + p.len()] })
}

fn header_invalid(e: String) -> VerifyError {
    jws_invalid(format!("the protected header is not a valid JSON object: {e}"))
}

fn claims_invalid(e: String) -> VerifyError {
    VerifyError::new(VerifyCode::JwtInvalid, format!("the JWT Claims Set is not a valid JSON object: {e}"))
}

/// The protected header's members, its JSON text checked strictly.
pub(crate) fn header_members(text: &str) -> Result<Members<'_>, VerifyError> {
    Members::parse(text, TOKEN_DEPTH).map_err(header_invalid)
}

/// The protected header's JSON text as a map.
pub(crate) fn header_map(text: &str) -> Result<Map<String, Value>, VerifyError> {
    parse_object(text.as_bytes(), TOKEN_DEPTH).map_err(header_invalid)
}

/// The claims' members, their JSON text checked strictly.
pub(crate) fn claims_members(text: &str) -> Result<Members<'_>, VerifyError> {
    Members::parse(text, TOKEN_DEPTH).map_err(claims_invalid)
}

/// The claims' JSON text as a map.
pub(crate) fn claims_map(text: &str) -> Result<Map<String, Value>, VerifyError> {
    parse_object(text.as_bytes(), TOKEN_DEPTH).map_err(claims_invalid)
}

/// Reads a JWT without verifying it: for display and debugging only, never for trust
/// (the result is *not* verified, whatever the type says).
pub fn decode(token: &str) -> Result<crate::Verified, VerifyError> {
    let parts = split(token)?;
    let header = header_map(parts.header_json())?;
    parts.signature()?;
    let payload_json = parts.payload_json()?;
    let payload = claims_map(payload_json)?;
    Ok(crate::Verified::new(header, payload, parts.header_json().to_owned(), payload_json.to_owned()))
}

/// The protected header we write: `alg`, then `typ` and `kid` when given.
pub fn header(alg: Alg, typ: Option<&str>, kid: Option<&str>) -> Map<String, Value> {
    let mut h = Map::new();
    h.insert("alg".into(), alg.name().into());
    if let Some(t) = typ {
        h.insert("typ".into(), t.into());
    }
    if let Some(k) = kid {
        h.insert("kid".into(), k.into());
    }
    h
}

/// Mints a compact JWS over `header` and `claims`, serialized in their member order.
pub fn encode(
    header: &Map<String, Value>,
    claims: &Map<String, Value>,
    alg: Alg,
    key: &SigningKey,
) -> Result<String, VerifyError> {
    encode_claims(&encoded_header(header), claims, alg, key)
}

/// A protected header as a token carries it: the base64url of its JSON. Constant for a signer
/// or a target, so it is made once there, not once per token.
pub(crate) fn encoded_header(header: &Map<String, Value>) -> String {
    b64url_public(&crate::json::object_to_vec(header))
}

/// [`encode`] with the header already encoded ([`encoded_header`]).
pub(crate) fn encode_claims(
    header: &str,
    claims: &Map<String, Value>,
    alg: Alg,
    key: &SigningKey,
) -> Result<String, VerifyError> {
    encode_serialized(header, &crate::json::object_to_vec(claims), alg, key)
}

/// [`encode_claims`] with the claims already serialized as JSON text (the caller vouches that
/// it is a JSON object: the token carries these very bytes).
pub(crate) fn encode_serialized(
    header: &str,
    claims: &[u8],
    alg: Alg,
    key: &SigningKey,
) -> Result<String, VerifyError> {
    // Room for signatures up to 64 bytes (HMAC's, ECDSA's); longer ones grow it once.
    let mut token = String::with_capacity(header.len() + 1 + claims.len().div_ceil(3) * 4 + 1 + 86);
    token.push_str(header);
    token.push('.');
    token.push_str(&b64url_public(claims));
    let sig = alg::sign(alg, key, token.as_bytes())?;
    token.push('.');
    token.push_str(&b64url_public(&sig));
    Ok(token)
}
