//! Strict JSON and base64url: the parsing rules every token and config goes through.
//! serde_json alone keeps the last of duplicate members; JOSE (RFC 7515 §4, RFC 8725) wants
//! them refused, so objects are built by our own visitor, which also bounds nesting depth.

use base64ct::{Base64UrlUnpadded, Encoding};
use core::fmt;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Deepest nesting accepted in token headers and claims.
pub(crate) const TOKEN_DEPTH: usize = 16;
/// Deepest nesting accepted in a tenant configuration (Auth0 client exports nest a few levels).
pub(crate) const CONFIG_DEPTH: usize = 32;

struct Strict {
    depth: usize,
    max: usize,
    /// A repeated member name keeps its first place and takes its last value (serde_json's
    /// own reading) instead of being refused; see [`parse_lenient`].
    last_wins: bool,
}

impl<'de> DeserializeSeed<'de> for Strict {
    type Value = Value;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl Strict {
    fn nested<E: de::Error>(&self) -> Result<Strict, E> {
        if self.depth >= self.max {
            return Err(E::custom(format!("JSON nested deeper than {} levels", self.max)));
        }
        Ok(Strict { depth: self.depth + 1, ..*self })
    }
}

impl<'de> Visitor<'de> for Strict {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v).map(Value::Number).ok_or_else(|| E::custom("number out of range"))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let inner = self.nested()?;
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(Strict { ..inner })? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let inner = self.nested()?;
        // Room for a typical claims set up front; one hash per member (the entry is the check).
        let mut out = Map::with_capacity(8);
        while let Some(key) = map.next_key::<String>()? {
            let v = map.next_value_seed(Strict { ..inner })?;
            match out.entry(key) {
                serde_json::map::Entry::Vacant(e) => {
                    e.insert(v);
                }
                serde_json::map::Entry::Occupied(mut e) if inner.last_wins => {
                    e.insert(v);
                }
                serde_json::map::Entry::Occupied(e) => {
                    return Err(de::Error::custom(format!("duplicate member name {}", crate::error::quote(e.key()))));
                }
            }
        }
        Ok(Value::Object(out))
    }
}

/// Parses JSON text, refusing duplicate member names and nesting past `max_depth`.
pub(crate) fn parse_strict(bytes: &[u8], max_depth: usize) -> Result<Value, String> {
    parse(bytes, Strict { depth: 0, max: max_depth, last_wins: false })
}

/// Nesting serde_json itself allows (its recursion limit), for [`parse_lenient`].
pub(crate) const LENIENT_DEPTH: usize = 128;

/// Parses JSON text as serde_json reads it (a repeated member name's last value wins), for
/// text that is neither a token nor a configuration: a provider's answer, a secret checked
/// for being a JWK, the host's header pairs. Nesting is bounded at [`LENIENT_DEPTH`].
pub(crate) fn parse_lenient(bytes: &[u8]) -> Result<Value, String> {
    parse(bytes, Strict { depth: 0, max: LENIENT_DEPTH, last_wins: true })
}

fn parse(bytes: &[u8], seed: Strict) -> Result<Value, String> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let v = seed.deserialize(&mut de).map_err(|e| e.to_string())?;
    de.end().map_err(|e| e.to_string())?;
    Ok(v)
}

/// Parses a JSON object (see [`parse_strict`]).
pub(crate) fn parse_object(bytes: &[u8], max_depth: usize) -> Result<Map<String, Value>, String> {
    match parse_strict(bytes, max_depth)? {
        Value::Object(m) => Ok(m),
        other => Err(format!("expected a JSON object, found {}", kind(&other))),
    }
}

/// Checks a JSON value that did not come from text (e.g. converted from a JS object) against
/// the same depth bound.
pub(crate) fn check_depth(v: &Value, max_depth: usize) -> Result<(), String> {
    fn walk(v: &Value, depth: usize, max: usize) -> bool {
        match v {
            Value::Array(a) => depth < max && a.iter().all(|x| walk(x, depth + 1, max)),
            Value::Object(o) => depth < max && o.values().all(|x| walk(x, depth + 1, max)),
            _ => true,
        }
    }
    if walk(v, 0, max_depth) {
        Ok(())
    } else {
        Err(format!("JSON nested deeper than {max_depth} levels"))
    }
}

/// Appends the JSON text of `v` as serde_json writes it (compact, members in the map's order,
/// the same escapes and number forms: tests hold the two equal), with no serializer: one
/// writer for every caller instead of serde_json's serializer code per value and writer type.
pub(crate) fn write(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        // Integers by itoa, floats by zmij (shortest round trip), as serde_json's serializer.
        Value::Number(n) => out.extend_from_slice(n.to_string().as_bytes()),
        Value::String(s) => write_str(s, out),
        Value::Array(a) => {
            out.push(b'[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(x, out);
            }
            out.push(b']');
        }
        Value::Object(m) => write_object(m, out),
    }
}

/// The JSON text of `v` (see [`write()`]).
pub(crate) fn to_string(v: &Value) -> String {
    let mut out = Vec::with_capacity(256);
    write(v, &mut out);
    text(out)
}

/// The JSON text of an object (see [`write()`]), as bytes.
pub(crate) fn object_to_vec(m: &Map<String, Value>) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    write_object(m, &mut out);
    out
}

/// The JSON text of an object (see [`write()`]), for the facade's `JSON.parse`.
#[cfg(target_arch = "wasm32")]
pub(crate) fn object_to_string(m: &Map<String, Value>) -> String {
    text(object_to_vec(m))
}

/// The writer's output as a `String`: made of `&str`s and ASCII, so always UTF-8.
fn text(out: Vec<u8>) -> String {
    String::from_utf8(out).unwrap_or_default()
}

/// Appends an object's JSON text (see [`write()`]).
pub(crate) fn write_object(m: &Map<String, Value>, out: &mut Vec<u8>) {
    out.push(b'{');
    for (i, (k, x)) in m.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_str(k, out);
        out.push(b':');
        write(x, out);
    }
    out.push(b'}');
}

/// Appends a JSON string: `"` and `\` escaped, control characters as `\b \t \n \f \r` or
/// `\u00XX` (lowercase hex), everything else as it is (serde_json's escapes).
pub(crate) fn write_str(s: &str, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let short = match b {
            b'"' => b'"',
            b'\\' => b'\\',
            0x08 => b'b',
            0x09 => b't',
            0x0a => b'n',
            0x0c => b'f',
            0x0d => b'r',
            0..=0x1f => 0,
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        start = i + 1;
        if short != 0 {
            out.extend_from_slice(&[b'\\', short]);
        } else {
            out.extend_from_slice(&[b'\\', b'u', b'0', b'0', HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xf)]]);
        }
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// The JSON type name of a value, for messages.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Strict base64url without padding (RFC 7515 §2): other alphabets, `=` and non-zero
/// trailing bits are refused, so every byte string has exactly one accepted encoding.
pub fn b64url_decode(s: &str) -> Option<Vec<u8>> {
    Base64UrlUnpadded::decode_vec(s).ok()
}

/// The base64url alphabet (RFC 4648 §5).
const B64URL_ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Each byte's base64url value, or 0xff for a byte outside the alphabet.
const B64URL_VALUES: [u8; 256] = {
    let mut t = [0xff; 256];
    let mut i = 0;
    while i < 64 {
        t[B64URL_ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// Whether every byte of `s` is in the base64url alphabet (public data: table lookups, no
/// branch per byte).
pub(crate) fn is_b64url(s: &str) -> bool {
    s.bytes().fold(0, |acc, c| acc | B64URL_VALUES[c as usize]) & 0xc0 == 0
}

/// [`b64url_decode`] for public data (token segments), by table lookup: as strict (the same
/// single accepted encoding per byte string), several times faster, and not constant-time, so
/// never for secrets (keys go through [`b64url_decode`]).
pub(crate) fn b64url_decode_public(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() / 4 * 3 + 2);
    b64url_decode_public_into(s, &mut out).then_some(out)
}

/// [`b64url_decode_public`] appending to `out`; `false` (with `out` holding part of the
/// bytes) when `s` is not strict base64url.
pub(crate) fn b64url_decode_public_into(s: &str, out: &mut Vec<u8>) -> bool {
    let bytes = s.as_bytes();
    if bytes.len() % 4 == 1 {
        return false;
    }
    let mut chunks = bytes.chunks_exact(4);
    for c in &mut chunks {
        let v = [
            B64URL_VALUES[c[0] as usize],
            B64URL_VALUES[c[1] as usize],
            B64URL_VALUES[c[2] as usize],
            B64URL_VALUES[c[3] as usize],
        ];
        if (v[0] | v[1] | v[2] | v[3]) & 0xc0 != 0 {
            return false;
        }
        let n = (v[0] as u32) << 18 | (v[1] as u32) << 12 | (v[2] as u32) << 6 | v[3] as u32;
        out.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8, n as u8]);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut n = 0u32;
        for (i, &c) in rest.iter().enumerate() {
            let v = B64URL_VALUES[c as usize];
            if v & 0xc0 != 0 {
                return false;
            }
            n |= (v as u32) << (18 - 6 * i);
        }
        // 2 characters carry 1 byte, 3 carry 2; the bits beyond must be zero (canonical form).
        let keep = rest.len() - 1;
        if n & (0x00ff_ffff >> (8 * keep)) != 0 {
            return false;
        }
        out.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8][..keep]);
    }
    true
}

/// [`b64url`] for public data (token segments), by table lookup: the same output, faster, and
/// not constant-time, so never for secrets.
pub(crate) fn b64url_public(bytes: &[u8]) -> String {
    let mut out = Vec::with_capacity(bytes.len().div_ceil(3) * 4);
    let mut chunks = bytes.chunks_exact(3);
    for c in &mut chunks {
        let n = (c[0] as u32) << 16 | (c[1] as u32) << 8 | c[2] as u32;
        out.extend_from_slice(&[
            B64URL_ALPHABET[(n >> 18) as usize],
            B64URL_ALPHABET[(n >> 12 & 63) as usize],
            B64URL_ALPHABET[(n >> 6 & 63) as usize],
            B64URL_ALPHABET[(n & 63) as usize],
        ]);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let n = (rest[0] as u32) << 16 | rest.get(1).map_or(0, |&b| (b as u32) << 8);
        let chars = [
            B64URL_ALPHABET[(n >> 18) as usize],
            B64URL_ALPHABET[(n >> 12 & 63) as usize],
            B64URL_ALPHABET[(n >> 6 & 63) as usize],
        ];
        out.extend_from_slice(&chars[..rest.len() + 1]);
    }
    // Only alphabet bytes were written.
    String::from_utf8(out).unwrap_or_default()
}

/// base64url without padding.
pub fn b64url(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
            // Every escape class: controls, quote, backslash, DEL, non-ASCII, U+2028.
            "[\\x00-\\x1f\"\\\\a-z\\x7fé🦀\u{2028} ]{0,12}".prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 40, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::vec(("[\\x00-\\x1f\"a-c\\\\é]{0,3}", inner), 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2048, failure_persistence: None, ..ProptestConfig::default() })]

        /// The writer is serde_json's text, byte for byte.
        #[test]
        fn writes_what_serde_json_writes(v in value()) {
            let mut ours = Vec::new();
            write(&v, &mut ours);
            prop_assert_eq!(String::from_utf8(ours).unwrap(), serde_json::to_string(&v).unwrap());
        }
    }

    #[test]
    fn writes_the_edges_as_serde_json_does() {
        let edges = serde_json::json!([
            0, -0.0, 1.0, 1.5, 1e21, 1e-7, 5e-324, 1.7976931348623157e308, -9_223_372_036_854_775_808_i64,
            18_446_744_073_709_551_615_u64, "", "\u{0}\u{8}\t\n\u{b}\u{c}\r\u{1f}\"\\/\u{7f}",
            {}, [], { "": { "a": [null, true, false] } }
        ]);
        let mut ours = Vec::new();
        write(&edges, &mut ours);
        assert_eq!(String::from_utf8(ours).unwrap(), serde_json::to_string(&edges).unwrap());
    }

    #[test]
    fn public_encoder_matches_the_constant_time_one() {
        let bytes: Vec<u8> = (0..300u32).map(|i| (i * 167 % 256) as u8).collect();
        for n in 0..bytes.len() {
            assert_eq!(b64url_public(&bytes[..n]), b64url(&bytes[..n]), "{n} bytes");
        }
    }

    /// The table decoder agrees with base64ct's on every verdict and every byte.
    #[test]
    fn public_decoder_matches_the_constant_time_one() {
        let mut inputs: Vec<String> =
            (0..=64usize).map(|n| b64url(&(0..n as u8).map(|i| i.wrapping_mul(97)).collect::<Vec<_>>())).collect();
        for bad in ["A", "AB=", "AB==", "A+B/", "AB C", "AB\n", "Ag", "AQ", "AAB", "AAE", "AAA", "AB", "_-", "é", ""] {
            inputs.push(bad.into());
        }
        for s in inputs.iter().chain(["QUJD", "QUJ", "QU", "Qg", "Qh", "QUI", "QUJ"].map(String::from).iter()) {
            assert_eq!(b64url_decode_public(s), b64url_decode(s), "{s:?}");
        }
        for n in 0..4096u32 {
            let s: String =
                (0..(n % 7) as usize).map(|i| b"AZaz09-_+/=.QgE"[((n >> (i * 2)) as usize + i) % 15] as char).collect();
            assert_eq!(b64url_decode_public(&s), b64url_decode(&s), "{s:?}");
        }
    }

    #[test]
    fn refuses_duplicates_at_any_depth() {
        assert!(parse_strict(br#"{"a":1,"a":2}"#, 8).unwrap_err().contains("duplicate member name \"a\""));
        assert!(parse_strict(br#"{"x":{"b":1,"b":1}}"#, 8).is_err());
        assert!(parse_strict(br#"[{"b":1},{"b":1}]"#, 8).is_ok());
    }

    #[test]
    fn lenient_reads_as_serde_json_does() {
        for text in [r#"{"a":1,"b":2,"a":3}"#, r#"{"x":{"k":"v","k":[1,{"k":2,"k":3}]},"y":null}"#, "[1,2.5,\"s\"]"] {
            let ours = parse_lenient(text.as_bytes()).unwrap();
            let theirs: Value = serde_json::from_str(text).unwrap();
            assert_eq!(to_string(&ours), to_string(&theirs), "{text}");
        }
        assert!(parse_lenient(br#"{"a":1,}"#).is_err());
        // Nesting stops at serde_json's own limit, which is LENIENT_DEPTH.
        let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(parse_lenient(nested(LENIENT_DEPTH - 1).as_bytes()).is_ok());
        assert!(parse_lenient(nested(LENIENT_DEPTH + 1).as_bytes()).is_err());
    }

    #[test]
    fn bounds_depth() {
        assert!(parse_strict(b"[[[[1]]]]", 4).is_ok());
        assert!(parse_strict(b"[[[[[1]]]]]", 4).unwrap_err().contains("deeper"));
        let deep = "[".repeat(100_000);
        assert!(parse_strict(deep.as_bytes(), 16).is_err());
        assert!(check_depth(&serde_json::json!({"a":{"b":{"c":1}}}), 2).is_err());
        assert!(check_depth(&serde_json::json!({"a":{"b":1}}), 2).is_ok());
    }

    #[test]
    fn rejects_trailing_data_and_non_objects() {
        assert!(parse_object(b"{} x", 4).is_err());
        assert!(parse_object(b"[]", 4).unwrap_err().contains("an array"));
    }

    #[test]
    fn base64url_is_canonical() {
        assert_eq!(b64url_decode("AQAB").unwrap(), vec![1, 0, 1]);
        assert!(b64url_decode("AQAB=").is_none());
        assert!(b64url_decode("AQ+/").is_none());
        assert!(b64url_decode("AR").is_none(), "non-zero trailing bits");
        assert_eq!(b64url_decode("AQ").unwrap(), vec![1]);
        assert!(b64url_decode("A").is_none());
        assert!(b64url_decode("AQ\n").is_none());
    }
}
