//! Compact JWS: strict splitting and decoding (SPEC §5 rules 5, 10, 11) and minting.

use serde_json::{Map, Value};

use crate::alg::{self, Alg};
use crate::error::{VerifyCode, VerifyError};
use crate::json::{b64url_decode_public, b64url_public, is_b64url, parse_object, TOKEN_DEPTH};
use crate::keys::SigningKey;

/// base64url without padding.
pub use crate::json::b64url as base64url_encode;
/// Strict base64url without padding (RFC 7515 §2): another alphabet, `=`, whitespace or
/// non-zero trailing bits are refused, so each byte string has exactly one accepted encoding.
pub use crate::json::b64url_decode as base64url_decode;

/// Tokens longer than this are refused before any decoding (bounded work).
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// A compact JWS split into its segments, with the protected header parsed.
pub(crate) struct Parts<'a> {
    pub header: Map<String, Value>,
    /// The header's JSON text, as decoded.
    pub header_json: String,
    pub signing_input: &'a str,
    pub payload_b64: &'a str,
    pub signature_b64: &'a str,
}

fn jws_invalid(msg: impl Into<String>) -> VerifyError {
    VerifyError::new(VerifyCode::JwsInvalid, msg)
}

/// The error for a token without exactly three segments, naming how many it has.
fn segment_count(token: &str) -> VerifyError {
    let segments = token.split('.').count();
    let hint = if segments == 5 { " (this looks like an encrypted JWE, which is not supported)" } else { "" };
    jws_invalid(format!("a JWT in compact form has 3 dot-separated segments, this one has {segments}{hint}"))
}

/// Splits and checks the form of a compact JWS and parses its header.
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
    // Form before anything else: every segment in the base64url alphabet, no padding.
    if let Some(i) = segments.iter().position(|s| !is_b64url(s)) {
        let which = ["header", "payload", "signature"][i];
        return Err(jws_invalid(format!("the {which} segment is not base64url without padding")));
    }
    let header_json = b64url_decode_public(segments[0])
        .ok_or_else(|| jws_invalid("the header segment is not base64url without padding"))?;
    let header_json = String::from_utf8(header_json)
        .map_err(|_| jws_invalid("the protected header is not a valid JSON object: it is not UTF-8"))?;
    let header = parse_object(header_json.as_bytes(), TOKEN_DEPTH)
        .map_err(|e| jws_invalid(format!("the protected header is not a valid JSON object: {e}")))?;
    Ok(Parts {
        header,
        header_json,
        signing_input: &token[..segments[0].len() + 1 + segments[1].len()],
        payload_b64: segments[1],
        signature_b64: segments[2],
    })
}

/// Decodes the claims segment (after the signature has been checked): the claims, and their
/// JSON text as decoded.
pub(crate) fn payload(parts: &Parts<'_>) -> Result<(Map<String, Value>, String), VerifyError> {
    let claims_invalid = |e: String| {
        VerifyError::new(VerifyCode::JwtInvalid, format!("the JWT Claims Set is not a valid JSON object: {e}"))
    };
    let bytes = b64url_decode_public(parts.payload_b64).ok_or_else(|| {
        VerifyError::new(VerifyCode::JwtInvalid, "the payload segment is not base64url without padding")
    })?;
    let text = String::from_utf8(bytes).map_err(|_| claims_invalid("it is not UTF-8".into()))?;
    let claims = parse_object(text.as_bytes(), TOKEN_DEPTH).map_err(claims_invalid)?;
    Ok((claims, text))
}

/// Reads a JWT without verifying it: for display and debugging only, never for trust
/// (the result is *not* verified, whatever the type says).
pub fn decode(token: &str) -> Result<crate::Verified, VerifyError> {
    let parts = split(token)?;
    if b64url_decode_public(parts.signature_b64).is_none() {
        return Err(jws_invalid("the signature segment is not base64url without padding"));
    }
    let (payload, payload_json) = payload(&parts)?;
    Ok(crate::Verified::new(parts.header, payload, parts.header_json, payload_json))
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
    let c = serde_json::to_vec(claims).map_err(|e| VerifyError::new(VerifyCode::InvalidArgument, e.to_string()))?;
    encode_serialized(header, &c, alg, key)
}

/// [`encode`] with the claims already serialized as JSON text (the caller vouches that it is a
/// JSON object: the token carries these very bytes).
pub(crate) fn encode_serialized(
    header: &Map<String, Value>,
    claims: &[u8],
    alg: Alg,
    key: &SigningKey,
) -> Result<String, VerifyError> {
    let h = serde_json::to_vec(header).map_err(|e| VerifyError::new(VerifyCode::InvalidArgument, e.to_string()))?;
    let mut token = b64url_public(&h);
    token.push('.');
    token.push_str(&b64url_public(claims));
    let sig = alg::sign(alg, key, token.as_bytes())?;
    token.push('.');
    token.push_str(&b64url_public(&sig));
    Ok(token)
}
