//! Keys: import from JWK, PEM and raw secrets, checked once on import; public JWK export.
//! A key belongs to exactly one [`Family`]: an RSA, EC or OKP key can never become an HMAC
//! secret (RFC 8725 §2.1, the classic "HS256 signed with the public key" confusion).

use serde_json::{json, Map, Value};
use zeroize::Zeroizing;

use crate::alg::{Alg, Family};
use crate::error::{quote, VerifyCode, VerifyError};
use crate::json::{b64url, b64url_decode, kind};
use crate::rsa::{PrivateParts, RsaPrivateKey, RsaPublicKey};

/// Smallest RSA modulus accepted, issuing and verifying (RFC 8725 §3.5, NIST SP 800-131A).
pub const MIN_RSA_BITS: usize = crate::rsa::MIN_BITS;

/// A shared secret; zeroed on drop, as is its HMAC-SHA256 key schedule (made on first use).
#[derive(Clone)]
pub struct Secret(Zeroizing<Vec<u8>>, std::sync::OnceLock<crate::hs256::Hs256Key>);

impl Secret {
    /// Wraps raw secret bytes as given (no length check: that depends on the algorithm).
    pub fn new(bytes: Vec<u8>) -> Self {
        Secret(Zeroizing::new(bytes), std::sync::OnceLock::new())
    }
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0
    }
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }
    /// The HMAC-SHA256 pads, hashed once per secret.
    pub(crate) fn hs256(&self) -> &crate::hs256::Hs256Key {
        self.1.get_or_init(|| crate::hs256::Hs256Key::new(&self.0))
    }
}

impl core::fmt::Debug for Secret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Secret({} bytes)", self.0.len())
    }
}

/// A key that can sign.
#[derive(Debug, Clone)]
#[allow(missing_docs)]
pub enum SigningKey {
    Hmac(Secret),
    Rsa(Box<RsaPrivateKey>),
    P256(p256::ecdsa::SigningKey),
    Ed25519(ed25519_dalek::SigningKey),
}

/// A key that can verify.
#[derive(Debug, Clone)]
#[allow(missing_docs)]
pub enum VerifyingKey {
    Hmac(Secret),
    Rsa(Box<RsaPublicKey>),
    P256(Box<crate::es256::EcPublic>),
    Ed25519(ed25519_dalek::VerifyingKey),
}

impl SigningKey {
    /// The key's family.
    pub fn family(&self) -> Family {
        match self {
            Self::Hmac(_) => Family::Hmac,
            Self::Rsa(_) => Family::Rsa,
            Self::P256(_) => Family::P256,
            Self::Ed25519(_) => Family::Ed25519,
        }
    }

    /// The key that verifies this key's signatures.
    pub fn verifying_key(&self) -> VerifyingKey {
        match self {
            Self::Hmac(s) => VerifyingKey::Hmac(s.clone()),
            Self::Rsa(k) => VerifyingKey::Rsa(Box::new(k.public().clone())),
            Self::P256(k) => VerifyingKey::P256(Box::new((*k.verifying_key()).into())),
            Self::Ed25519(k) => VerifyingKey::Ed25519(k.verifying_key()),
        }
    }
}

impl VerifyingKey {
    /// The key's family.
    pub fn family(&self) -> Family {
        match self {
            Self::Hmac(_) => Family::Hmac,
            Self::Rsa(_) => Family::Rsa,
            Self::P256(_) => Family::P256,
            Self::Ed25519(_) => Family::Ed25519,
        }
    }

    /// The public JWK members (`kty`, `n`/`e`, `crv`/`x`/`y`); `None` for a secret.
    pub fn public_jwk(&self) -> Option<Map<String, Value>> {
        let v = match self {
            Self::Hmac(_) => return None,
            Self::Rsa(k) => json!({
                "kty": "RSA",
                "n": b64url(&k.n()),
                "e": b64url(&k.e()),
            }),
            Self::P256(k) => {
                let p = k.to_encoded_point(false);
                json!({
                    "kty": "EC",
                    "crv": "P-256",
                    "x": b64url(p.x().map(|x| &x[..]).unwrap_or_default()),
                    "y": b64url(p.y().map(|y| &y[..]).unwrap_or_default()),
                })
            }
            Self::Ed25519(k) => json!({ "kty": "OKP", "crv": "Ed25519", "x": b64url(k.as_bytes()) }),
        };
        match v {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }
}

/// A verification key with the JWK metadata that restricts its use.
#[derive(Debug, Clone)]
pub struct KeyEntry {
    /// The key.
    pub key: VerifyingKey,
    /// `kid`, if the JWK had one.
    pub kid: Option<String>,
    /// `alg`, if the JWK pinned one: the key then serves that algorithm only.
    pub alg: Option<Alg>,
}

fn invalid(msg: impl Into<String>) -> VerifyError {
    VerifyError::key(msg)
}

// ---------------------------------------------------------------------------------------------
// Secrets

/// Checks a secret meant for HMAC: it must not be an asymmetric key in disguise (a PEM block
/// or a JWK of another family), which is how algorithm-confusion attacks feed a public key in.
pub fn secret_from_bytes(bytes: Vec<u8>) -> Result<Secret, VerifyError> {
    if bytes.is_empty() {
        return Err(invalid("the secret is empty; pass the shared secret (string or bytes)"));
    }
    let text = core::str::from_utf8(&bytes).unwrap_or("").trim_start();
    if text.starts_with("-----BEGIN") {
        return Err(invalid(
            "the secret is a PEM key; an RSA/EC/OKP key is never used as an HMAC secret: pass it as `key` and verify with its own algorithm",
        ));
    }
    // OpenSSH public keys (PyJWT's CVE-2022-29217 fed `ssh-ed25519 AAAA…` in as a secret).
    if ["ssh-", "ecdsa-sha2-", "sk-ssh-", "sk-ecdsa-"].iter().any(|p| text.starts_with(p)) {
        return Err(invalid(
            "the secret is an OpenSSH public key; a public key is never an HMAC secret: verify with the key's own algorithm",
        ));
    }
    if text.starts_with('{') {
        if let Ok(Value::Object(m)) = serde_json::from_str::<Value>(text) {
            if m.contains_key("kty") {
                return Err(invalid("the secret is a JWK; pass JWKs as `key`, `keys` or `jwks`, never as `secret`"));
            }
        }
    }
    Ok(Secret::new(bytes))
}

// ---------------------------------------------------------------------------------------------
// JWK

fn member<'a>(jwk: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>, VerifyError> {
    match jwk.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(invalid(format!("JWK member \"{name}\" must be a string, found {}", kind(other)))),
    }
}

fn bytes_member(jwk: &Map<String, Value>, name: &str) -> Result<Option<Zeroizing<Vec<u8>>>, VerifyError> {
    match member(jwk, name)? {
        None => Ok(None),
        Some(s) => b64url_decode(s)
            .map(|b| Some(Zeroizing::new(b)))
            .ok_or_else(|| invalid(format!("JWK member \"{name}\" is not base64url without padding"))),
    }
}

fn required(jwk: &Map<String, Value>, name: &str, kty: &str) -> Result<Zeroizing<Vec<u8>>, VerifyError> {
    bytes_member(jwk, name)?.ok_or_else(|| invalid(format!("{kty} JWK is missing \"{name}\"")))
}

fn fixed<const N: usize>(b: &[u8], what: &str) -> Result<[u8; N], VerifyError> {
    b.try_into().map_err(|_| invalid(format!("{what} must be {N} bytes, found {}", b.len())))
}

fn rsa_public(n: &[u8], e: &[u8]) -> Result<RsaPublicKey, VerifyError> {
    RsaPublicKey::new(n, e).map_err(invalid)
}

fn rsa_private(jwk: &Map<String, Value>) -> Result<RsaPrivateKey, VerifyError> {
    let n = required(jwk, "n", "RSA")?;
    let e = required(jwk, "e", "RSA")?;
    let d = required(jwk, "d", "RSA")?;
    let (p, q) = (bytes_member(jwk, "p")?, bytes_member(jwk, "q")?);
    let primes = match (&p, &q) {
        (Some(p), Some(q)) => Some((&p[..], &q[..])),
        (None, None) => None,
        _ => return Err(invalid("RSA JWK has only one of \"p\" and \"q\"; give both or neither")),
    };
    if jwk.contains_key("oth") {
        return Err(invalid("multi-prime RSA keys (\"oth\") are not supported"));
    }
    let (dp, dq, qi) = (bytes_member(jwk, "dp")?, bytes_member(jwk, "dq")?, bytes_member(jwk, "qi")?);
    let parts = PrivateParts {
        n: &n,
        e: &e,
        d: &d,
        primes,
        dp: dp.as_deref().map(|v| &v[..]),
        dq: dq.as_deref().map(|v| &v[..]),
        qi: qi.as_deref().map(|v| &v[..]),
    };
    RsaPrivateKey::new(&parts).map_err(invalid)
}

/// `supported` is the curve name followed by its algorithm, e.g. `P-256 (ES256)`.
fn expect_curve(jwk: &Map<String, Value>, kty: &str, supported: &str) -> Result<(), VerifyError> {
    let crv = member(jwk, "crv")?.unwrap_or("");
    if !supported.starts_with(&format!("{crv} ")) || crv.is_empty() {
        return Err(VerifyError::new(
            VerifyCode::NotSupported,
            format!("{kty} curve {} is not supported; use {supported}", quote(crv)),
        ));
    }
    Ok(())
}

fn ec_public(jwk: &Map<String, Value>) -> Result<p256::ecdsa::VerifyingKey, VerifyError> {
    expect_curve(jwk, "EC", "P-256 (ES256)")?;
    let x: [u8; 32] = fixed(&required(jwk, "x", "EC")?, "EC \"x\"")?;
    let y: [u8; 32] = fixed(&required(jwk, "y", "EC")?, "EC \"y\"")?;
    let point = p256::EncodedPoint::from_affine_coordinates(&x.into(), &y.into(), false);
    p256::ecdsa::VerifyingKey::from_encoded_point(&point).map_err(|_| invalid("the EC point (x, y) is not on P-256"))
}

fn okp_public(jwk: &Map<String, Value>) -> Result<ed25519_dalek::VerifyingKey, VerifyError> {
    expect_curve(jwk, "OKP", "Ed25519 (EdDSA)")?;
    let x: [u8; 32] = fixed(&required(jwk, "x", "OKP")?, "Ed25519 \"x\"")?;
    ed25519_dalek::VerifyingKey::from_bytes(&x).map_err(|_| invalid("the Ed25519 \"x\" is not a valid point"))
}

fn jwk_meta(jwk: &Map<String, Value>) -> Result<(Option<String>, Option<Alg>), VerifyError> {
    let kid = member(jwk, "kid")?.map(str::to_owned);
    let alg = match member(jwk, "alg")? {
        None => None,
        Some(a) => Some(Alg::from_name(a).ok_or_else(|| {
            VerifyError::new(
                VerifyCode::NotSupported,
                format!("JWK \"alg\" {} is not supported ({})", quote(a), Alg::names()),
            )
        })?),
    };
    Ok((kid, alg))
}

fn check_alg_fits(alg: Option<Alg>, family: Family) -> Result<(), VerifyError> {
    match alg {
        Some(a) if a.family() != family => {
            Err(invalid(format!("JWK \"alg\" is {} but the key is {}", a.name(), family.name())))
        }
        _ => Ok(()),
    }
}

fn unsupported_kty(kty: &str) -> VerifyError {
    VerifyError::new(
        VerifyCode::NotSupported,
        format!("JWK \"kty\" {} is not supported (RSA, EC, OKP, oct)", quote(kty)),
    )
}

fn kty(jwk: &Map<String, Value>) -> Result<&str, VerifyError> {
    member(jwk, "kty")?.ok_or_else(|| invalid("the JWK has no \"kty\""))
}

/// Imports a public (or `oct`) JWK for verification. A private JWK is refused: verifiers
/// should hold only public halves.
pub fn verifying_jwk(jwk: &Map<String, Value>) -> Result<KeyEntry, VerifyError> {
    let (kid, alg) = jwk_meta(jwk)?;
    let kty = kty(jwk)?;
    if kty != "oct" && jwk.contains_key("d") {
        return Err(invalid(
            "this JWK is a private key (it has \"d\"); verification takes the public key: drop the private members",
        ));
    }
    let key = match kty {
        "RSA" => VerifyingKey::Rsa(Box::new(rsa_public(&required(jwk, "n", "RSA")?, &required(jwk, "e", "RSA")?)?)),
        "EC" => VerifyingKey::P256(Box::new(ec_public(jwk)?.into())),
        "OKP" => VerifyingKey::Ed25519(okp_public(jwk)?),
        "oct" => VerifyingKey::Hmac(Secret::new(required(jwk, "k", "oct")?.to_vec())),
        other => return Err(unsupported_kty(other)),
    };
    check_alg_fits(alg, key.family())?;
    Ok(KeyEntry { key, kid, alg })
}

/// Imports a private JWK for signing (`oct` gives a secret). Public members, when present,
/// must match the private ones.
pub fn signing_jwk(jwk: &Map<String, Value>) -> Result<(SigningKey, Option<String>, Option<Alg>), VerifyError> {
    let (kid, alg) = jwk_meta(jwk)?;
    let kty = kty(jwk)?;
    if kty != "oct" && !jwk.contains_key("d") {
        return Err(invalid("this JWK is a public key (no \"d\"); signing needs the private key"));
    }
    let key = match kty {
        "RSA" => SigningKey::Rsa(Box::new(rsa_private(jwk)?)),
        "EC" => {
            let public = ec_public(jwk)?;
            let d: [u8; 32] = fixed(&required(jwk, "d", "EC")?, "EC \"d\"")?;
            let k = p256::ecdsa::SigningKey::from_bytes(&d.into())
                .map_err(|_| invalid("the EC \"d\" is not a valid P-256 scalar"))?;
            if *k.verifying_key() != public {
                return Err(invalid("the EC JWK's \"x\"/\"y\" do not match its \"d\""));
            }
            SigningKey::P256(k)
        }
        "OKP" => {
            let public = okp_public(jwk)?;
            let d: [u8; 32] = fixed(&required(jwk, "d", "OKP")?, "Ed25519 \"d\"")?;
            let k = ed25519_dalek::SigningKey::from_bytes(&d);
            if k.verifying_key() != public {
                return Err(invalid("the Ed25519 JWK's \"x\" does not match its \"d\""));
            }
            SigningKey::Ed25519(k)
        }
        "oct" => SigningKey::Hmac(Secret::new(required(jwk, "k", "oct")?.to_vec())),
        other => return Err(unsupported_kty(other)),
    };
    check_alg_fits(alg, key.family())?;
    Ok((key, kid, alg))
}

// ---------------------------------------------------------------------------------------------
// PEM

fn pem_label(pem: &str) -> Option<&str> {
    let rest = pem.trim_start().strip_prefix("-----BEGIN ")?;
    let end = rest.find("-----")?;
    Some(&rest[..end])
}

fn not_a_key(label: &str) -> VerifyError {
    match label {
        "CERTIFICATE" => VerifyError::new(
            VerifyCode::NotSupported,
            "X.509 certificates are not supported; pass the public key (\"-----BEGIN PUBLIC KEY-----\" PEM) or its JWK",
        ),
        "ENCRYPTED PRIVATE KEY" => VerifyError::new(
            VerifyCode::NotSupported,
            "encrypted private keys are not supported; decrypt it first (e.g. openssl pkcs8 -nocrypt)",
        ),
        _ => invalid(format!("PEM block {} is not a key this library reads (PUBLIC KEY, RSA PUBLIC KEY, PRIVATE KEY, RSA PRIVATE KEY, EC PRIVATE KEY)", quote(label))),
    }
}

/// The DER inside a PEM block labelled `label` (RFC 7468: base64 lines between the
/// BEGIN and END lines); `None` when it does not decode.
fn pem_der(pem: &str, label: &str) -> Option<Zeroizing<Vec<u8>>> {
    use base64ct::{Base64, Encoding};
    let mut lines = pem.lines().map(str::trim).filter(|l| !l.is_empty());
    if lines.next()? != format!("-----BEGIN {label}-----") {
        return None;
    }
    let end = format!("-----END {label}-----");
    let mut body = Zeroizing::new(String::new());
    for line in lines {
        if line == end {
            return Base64::decode_vec(&body).ok().map(Zeroizing::new);
        }
        body.push_str(line);
    }
    None
}

/// A DER INTEGER's value as big-endian bytes (positive only; leading zeros dropped), and the
/// rest.
fn der_uint(b: &[u8]) -> Option<(&[u8], &[u8])> {
    let (tag, v, rest) = der_next(b)?;
    if tag != 0x02 || v.is_empty() || v[0] & 0x80 != 0 {
        return None;
    }
    let zeros = v.iter().take_while(|&&x| x == 0).count().min(v.len() - 1);
    Some((&v[zeros..], rest))
}

/// The contents of one DER SEQUENCE that is all of `b`.
fn der_sequence(b: &[u8]) -> Option<&[u8]> {
    match der_next(b)? {
        (0x30, v, []) => Some(v),
        _ => None,
    }
}

/// rsaEncryption (1.2.840.113549.1.1.1), the algorithm of PKCS#8 and SPKI RSA keys.
const RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

/// An AlgorithmIdentifier naming rsaEncryption (parameters NULL or absent).
fn is_rsa_algorithm(alg: &[u8]) -> bool {
    matches!(der_next(alg), Some((0x06, oid, params)) if oid == RSA_ENCRYPTION && (params.is_empty() || params == [0x05, 0x00]))
}

/// PKCS#1 RSAPublicKey: SEQUENCE { n, e }.
fn rsa_public_der(der: &[u8]) -> Option<Result<RsaPublicKey, VerifyError>> {
    let body = der_sequence(der)?;
    let (n, rest) = der_uint(body)?;
    let (e, rest) = der_uint(rest)?;
    rest.is_empty().then(|| rsa_public(n, e))
}

/// PKCS#1 RSAPrivateKey: SEQUENCE { version 0, n, e, d, p, q, dp, dq, qi } (version 1 is
/// multi-prime). `None` when it is not that structure; the key's own problems are errors.
fn rsa_private_der(der: &[u8]) -> Option<Result<RsaPrivateKey, VerifyError>> {
    let body = der_sequence(der)?;
    let (version, mut rest) = der_uint(body)?;
    if version != [0] {
        return Some(Err(invalid("multi-prime RSA keys are not supported: use a two-prime key")));
    }
    let mut v = [&[][..]; 8];
    for slot in v.iter_mut() {
        let (x, r) = der_uint(rest)?;
        (*slot, rest) = (x, r);
    }
    if !rest.is_empty() {
        return None;
    }
    let parts = PrivateParts {
        n: v[0],
        e: v[1],
        d: v[2],
        primes: Some((v[3], v[4])),
        dp: Some(v[5]),
        dq: Some(v[6]),
        qi: Some(v[7]),
    };
    Some(RsaPrivateKey::new(&parts).map_err(invalid))
}

/// PKCS#8 PrivateKeyInfo holding an RSA key: `None` when the DER is not one (another key
/// type, or not PKCS#8).
fn rsa_pkcs8_der(der: &[u8]) -> Option<Result<RsaPrivateKey, VerifyError>> {
    let body = der_sequence(der)?;
    let (_version, rest) = der_uint(body)?;
    let (tag, alg, rest) = der_next(rest)?;
    if tag != 0x30 || !is_rsa_algorithm(alg) {
        return None;
    }
    match der_next(rest)? {
        (0x04, key, _attributes) => rsa_private_der(key),
        _ => None,
    }
}

/// SubjectPublicKeyInfo holding an RSA key: `None` when it is not one.
fn rsa_spki_der(der: &[u8]) -> Option<Result<RsaPublicKey, VerifyError>> {
    let body = der_sequence(der)?;
    let (tag, alg, rest) = der_next(body)?;
    if tag != 0x30 || !is_rsa_algorithm(alg) {
        return None;
    }
    match der_next(rest)? {
        (0x03, [0, key @ ..], []) => rsa_public_der(key),
        _ => None,
    }
}

/// Imports a public key from PEM (SPKI `PUBLIC KEY`, or PKCS#1 `RSA PUBLIC KEY`).
pub fn verifying_pem(pem: &str) -> Result<VerifyingKey, VerifyError> {
    let pem = pem.trim();
    let label = pem_label(pem)
        .ok_or_else(|| invalid("the key is not PEM (no \"-----BEGIN …-----\" line) and not a JWK object"))?;
    let garbled = || invalid(format!("the {label} PEM does not decode: check that it was copied whole"));
    match label {
        "PUBLIC KEY" => {
            let der = pem_der(pem, label).ok_or_else(garbled)?;
            match spki_key(&der)? {
                Some(k) => Ok(k),
                // A DER SEQUENCE of some length: the key type is what we lack, not the copy.
                None if der.len() > 16 && der[0] == 0x30 => Err(VerifyError::new(
                    VerifyCode::NotSupported,
                    "the public key is of a type or curve not supported here (RSA, EC P-256, Ed25519)",
                )),
                None => Err(garbled()),
            }
        }
        "RSA PUBLIC KEY" => {
            let k = pem_der(pem, label).and_then(|d| rsa_public_der(&d)).ok_or_else(garbled)??;
            Ok(VerifyingKey::Rsa(Box::new(k)))
        }
        "PRIVATE KEY" | "RSA PRIVATE KEY" | "EC PRIVATE KEY" => Err(invalid(
            "this PEM is a private key; verification takes the public key (\"-----BEGIN PUBLIC KEY-----\")",
        )),
        other => Err(not_a_key(other)),
    }
}

/// Imports a private key from PEM (PKCS#8 `PRIVATE KEY`, PKCS#1 `RSA PRIVATE KEY`, SEC1
/// `EC PRIVATE KEY`). An RSA key is checked as [`RsaPrivateKey::new`] says.
pub fn signing_pem(pem: &str) -> Result<SigningKey, VerifyError> {
    use p256::pkcs8::DecodePrivateKey as _;
    let pem = pem.trim();
    let label = pem_label(pem)
        .ok_or_else(|| invalid("the key is not PEM (no \"-----BEGIN …-----\" line) and not a JWK object"))?;
    let garbled =
        || invalid(format!("the {label} PEM does not decode or is inconsistent: check that it was copied whole"));
    let rsa = |k: RsaPrivateKey| SigningKey::Rsa(Box::new(k));
    let der = || pem_der(pem, label).ok_or_else(garbled);
    match label {
        "PRIVATE KEY" => {
            let der = der()?;
            if let Some(k) = rsa_pkcs8_der(&der) {
                Ok(rsa(k?))
            } else if let Ok(k) = p256::SecretKey::from_pkcs8_der(&der) {
                Ok(SigningKey::P256(k.into()))
            } else if let Ok(k) = ed25519_dalek::SigningKey::from_pkcs8_der(&der) {
                Ok(SigningKey::Ed25519(k))
            } else {
                Err(garbled())
            }
        }
        "RSA PRIVATE KEY" => Ok(rsa(rsa_private_der(&der()?).ok_or_else(garbled)??)),
        "EC PRIVATE KEY" => {
            let k = p256::SecretKey::from_sec1_der(&der()?).map_err(|_| garbled())?;
            Ok(SigningKey::P256(k.into()))
        }
        "PUBLIC KEY" | "RSA PUBLIC KEY" => {
            Err(invalid("this PEM is a public key; signing needs the private key (\"-----BEGIN PRIVATE KEY-----\")"))
        }
        other => Err(not_a_key(other)),
    }
}

// ---------------------------------------------------------------------------------------------
// Values as they come from JS or config: a PEM string or a JWK object.

/// Imports a verification key from a PEM string or a JWK object.
pub fn verifying_value(v: &Value) -> Result<KeyEntry, VerifyError> {
    match v {
        Value::String(s) => Ok(KeyEntry { key: verifying_pem(s)?, kid: None, alg: None }),
        Value::Object(m) => verifying_jwk(m),
        other => Err(invalid(format!("a key must be a PEM string or a JWK object, found {}", kind(other)))),
    }
}

/// Imports a signing key from a PEM string or a JWK object.
pub fn signing_value(v: &Value) -> Result<(SigningKey, Option<String>, Option<Alg>), VerifyError> {
    match v {
        Value::String(s) => Ok((signing_pem(s)?, None, None)),
        Value::Object(m) => signing_jwk(m),
        other => Err(invalid(format!("a key must be a PEM string or a JWK object, found {}", kind(other)))),
    }
}

// ---------------------------------------------------------------------------------------------
// X.509 certificates (JWK `x5c`): only the subject public key is read, to check that the
// certificate a SAML signature names is the key's own.

/// One DER element: (tag, contents, rest). Single-byte tags, definite lengths only.
fn der_next(b: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, b) = b.split_first()?;
    let (&first, b) = b.split_first()?;
    let (len, b) = if first < 0x80 {
        (usize::from(first), b)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || b.len() < n {
            return None;
        }
        (b[..n].iter().fold(0usize, |acc, x| (acc << 8) | usize::from(*x)), &b[n..])
    };
    (b.len() >= len).then(|| (tag, &b[..len], &b[len..]))
}

/// The public key of a DER X.509 certificate (its `subjectPublicKeyInfo`).
pub fn certificate_key(der: &[u8]) -> Result<VerifyingKey, VerifyError> {
    let bad = || invalid("the certificate is not DER X.509 (x5c holds standard base64 of DER certificates)");
    let (tag, cert, _) = der_next(der).ok_or_else(bad)?;
    let (tbs_tag, mut tbs, _) = der_next(cert).filter(|_| tag == 0x30).ok_or_else(bad)?;
    if tbs_tag != 0x30 {
        return Err(bad());
    }
    // version [0] (optional), serialNumber, signature, issuer, validity, subject, then the key.
    if tbs.first() == Some(&0xa0) {
        tbs = der_next(tbs).ok_or_else(bad)?.2;
    }
    for _ in 0..5 {
        tbs = der_next(tbs).ok_or_else(bad)?.2;
    }
    let (spki_tag, _, after) = der_next(tbs).ok_or_else(bad)?;
    if spki_tag != 0x30 {
        return Err(bad());
    }
    // The whole SubjectPublicKeyInfo element, header included.
    spki_key(&tbs[..tbs.len() - after.len()])?.ok_or_else(|| {
        VerifyError::new(VerifyCode::NotSupported, "the certificate's key is not RSA, EC P-256 or Ed25519")
    })
}

/// A DER SubjectPublicKeyInfo of a type we read (RSA of at least 2048 bits, EC P-256,
/// Ed25519); `None` for any other content. Shared by `PUBLIC KEY` PEM and certificates.
fn spki_key(der: &[u8]) -> Result<Option<VerifyingKey>, VerifyError> {
    use p256::pkcs8::DecodePublicKey;
    Ok(Some(if let Some(k) = rsa_spki_der(der) {
        VerifyingKey::Rsa(Box::new(k?))
    } else if let Ok(k) = p256::PublicKey::from_public_key_der(der) {
        VerifyingKey::P256(Box::new(p256::ecdsa::VerifyingKey::from(k).into()))
    } else if let Ok(k) = ed25519_dalek::VerifyingKey::from_public_key_der(der) {
        VerifyingKey::Ed25519(k)
    } else {
        return Ok(None);
    }))
}
