//! Keys: import from JWK, PEM and raw secrets, checked once on import; public JWK export.
//! A key belongs to exactly one [`Family`]: an RSA, EC or OKP key can never become an HMAC
//! secret (RFC 8725 §2.1, the classic "HS256 signed with the public key" confusion).

use serde_json::{json, Map, Value};
use zeroize::Zeroizing;

use crate::alg::{Alg, Family};
use crate::ed25519::{Ed25519Public, Ed25519Signing};
use crate::error::{quote, VerifyCode, VerifyError};
use crate::json::{b64url, b64url_decode, kind};
use crate::rsa::{PrivateParts, RsaPrivateKey, RsaPublicKey};

/// Smallest RSA modulus accepted, issuing and verifying (RFC 8725 §3.5, NIST SP 800-131A).
pub const MIN_RSA_BITS: usize = crate::rsa::MIN_BITS;

/// A shared secret; zeroed on drop, as is its HMAC-SHA256 key schedule (made on first use).
/// Clones share both (a minted token signs with a clone of its target's secret: the pads are
/// hashed once per secret, not once per token).
#[derive(Clone)]
pub struct Secret(std::sync::Arc<SecretBytes>);

struct SecretBytes {
    bytes: Zeroizing<Vec<u8>>,
    hs256: std::sync::OnceLock<crate::hs256::Hs256Key>,
}

impl Secret {
    /// Wraps raw secret bytes as given (no length check: that depends on the algorithm).
    pub fn new(bytes: Vec<u8>) -> Self {
        Secret(std::sync::Arc::new(SecretBytes { bytes: Zeroizing::new(bytes), hs256: std::sync::OnceLock::new() }))
    }
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0.bytes
    }
    pub(crate) fn len(&self) -> usize {
        self.0.bytes.len()
    }
    /// The HMAC-SHA256 pads, hashed once per secret.
    pub(crate) fn hs256(&self) -> &crate::hs256::Hs256Key {
        self.0.hs256.get_or_init(|| crate::hs256::Hs256Key::new(&self.0.bytes))
    }
}

impl core::fmt::Debug for Secret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Secret({} bytes)", self.len())
    }
}

/// A key that can sign.
#[derive(Debug, Clone)]
#[allow(missing_docs)]
pub enum SigningKey {
    Hmac(Secret),
    Rsa(Box<RsaPrivateKey>),
    P256(p256::ecdsa::SigningKey),
    Ed25519(Box<crate::ed25519::Ed25519Signing>),
}

/// A key that can verify.
#[derive(Debug, Clone)]
#[allow(missing_docs)]
pub enum VerifyingKey {
    Hmac(Secret),
    Rsa(Box<RsaPublicKey>),
    P256(Box<crate::es256::EcPublic>),
    Ed25519(Box<crate::ed25519::Ed25519Public>),
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
            Self::Ed25519(k) => VerifyingKey::Ed25519(Box::new(k.public().clone())),
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
        if let Ok(Value::Object(m)) = crate::json::parse_lenient(text.as_bytes()) {
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

fn okp_public(jwk: &Map<String, Value>) -> Result<Ed25519Public, VerifyError> {
    expect_curve(jwk, "OKP", "Ed25519 (EdDSA)")?;
    let x: [u8; 32] = fixed(&required(jwk, "x", "OKP")?, "Ed25519 \"x\"")?;
    Ed25519Public::from_bytes(&x).ok_or_else(|| invalid("the Ed25519 \"x\" is not a valid point"))
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
        "OKP" => VerifyingKey::Ed25519(Box::new(okp_public(jwk)?)),
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
            let d: Zeroizing<[u8; 32]> = Zeroizing::new(fixed(&required(jwk, "d", "OKP")?, "Ed25519 \"d\"")?);
            let k = Box::new(Ed25519Signing::from_seed(&d));
            if *k.public() != public {
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
/// id-ecPublicKey (1.2.840.10045.2.1) and its curve prime256v1 (1.2.840.10045.3.1.7), RFC 5480.
const EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const PRIME256V1: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
/// id-Ed25519 (1.3.101.112), RFC 8410: no parameters.
const ID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];

/// The key types a PKCS#8 or SPKI AlgorithmIdentifier may name here.
#[derive(Clone, Copy, PartialEq, Debug)]
enum KeyType {
    Rsa,
    P256,
    Ed25519,
    /// id-ecPublicKey on a curve other than P-256.
    OtherCurve,
}

/// The contents of an AlgorithmIdentifier: rsaEncryption (parameters NULL or absent),
/// id-ecPublicKey with a named curve, or id-Ed25519 (parameters absent); `None` for anything else.
fn key_type(alg: &[u8]) -> Option<KeyType> {
    match der_next(alg)? {
        (0x06, RSA_ENCRYPTION, []) | (0x06, RSA_ENCRYPTION, [0x05, 0x00]) => Some(KeyType::Rsa),
        (0x06, EC_PUBLIC_KEY, params) => match der_next(params)? {
            (0x06, PRIME256V1, []) => Some(KeyType::P256),
            (0x06, _, []) => Some(KeyType::OtherCurve),
            _ => None,
        },
        (0x06, ID_ED25519, []) => Some(KeyType::Ed25519),
        _ => None,
    }
}

fn other_curve() -> VerifyError {
    VerifyError::new(
        VerifyCode::NotSupported,
        "EC keys on curves other than P-256 are not supported; use P-256 (ES256)",
    )
}

/// The bytes of a BIT STRING's contents with no unused bits.
fn bit_string(v: &[u8]) -> Option<&[u8]> {
    match v {
        [0, bits @ ..] => Some(bits),
        _ => None,
    }
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

/// A P-256 signing key from its scalar (big-endian: SEC1 writes 32 bytes; as the p256 crate
/// does, 24 to 31 are taken as leading zeros dropped) and the public points the encoding
/// carries (PKCS#8 v2's and SEC1's own), each of which must match it.
fn p256_signing(d: &[u8], publics: [Option<&[u8]>; 2]) -> Result<SigningKey, VerifyError> {
    if !(24..=32).contains(&d.len()) {
        return Err(invalid(format!("the EC private key must be 32 bytes, found {}", d.len())));
    }
    let mut bytes = Zeroizing::new([0u8; 32]);
    bytes[32 - d.len()..].copy_from_slice(d);
    let k = p256::ecdsa::SigningKey::from_bytes(&(*bytes).into())
        .map_err(|_| invalid("the EC private key is not a valid P-256 scalar (zero, or not below the group order)"))?;
    for p in publics.into_iter().flatten() {
        if p256::ecdsa::VerifyingKey::from_sec1_bytes(p).ok().as_ref() != Some(k.verifying_key()) {
            return Err(invalid("the EC private key's embedded public key does not match it: the key is corrupt"));
        }
    }
    Ok(SigningKey::P256(k))
}

/// SEC1 ECPrivateKey (RFC 5915): SEQUENCE { version 1, privateKey OCTET STRING,
/// \[0\] parameters OPTIONAL, \[1\] publicKey OPTIONAL }. `outer_public` is a PKCS#8 v2 public
/// key. `None` when it is not that structure.
fn ec_private_der(der: &[u8], outer_public: Option<&[u8]>) -> Option<Result<SigningKey, VerifyError>> {
    let body = der_sequence(der)?;
    let (version, rest) = der_uint(body)?;
    let (0x04, d, mut rest) = der_next(rest)? else { return None };
    if version != [1] {
        return None;
    }
    if let Some((0xa0, params, r)) = der_next(rest) {
        match der_next(params)? {
            (0x06, PRIME256V1, []) => {}
            (0x06, _, []) => return Some(Err(other_curve())),
            _ => return None,
        }
        rest = r;
    }
    let mut public = None;
    if let Some((0xa1, pk, r)) = der_next(rest) {
        match der_next(pk)? {
            (0x03, bits, []) => public = Some(bit_string(bits)?),
            _ => return None,
        }
        rest = r;
    }
    rest.is_empty().then(|| p256_signing(d, [outer_public, public]))
}

/// An Ed25519 signing key from its 32-byte seed, checked against the public key when the
/// encoding carries one.
fn ed25519_signing(seed: &[u8], public: Option<&[u8]>) -> Result<SigningKey, VerifyError> {
    let seed: Zeroizing<[u8; 32]> = Zeroizing::new(fixed(seed, "the Ed25519 private key")?);
    let k = Box::new(Ed25519Signing::from_seed(&seed));
    if public.is_some_and(|p| p != k.public().as_bytes()) {
        return Err(invalid("the Ed25519 private key's embedded public key does not match it: the key is corrupt"));
    }
    Ok(SigningKey::Ed25519(k))
}

/// PKCS#8 PrivateKeyInfo (RFC 5208, version 0), or OneAsymmetricKey (RFC 5958 v2, version 1)
/// whose `[1] publicKey` must match the private key; `[0] attributes` are ignored. `None` when the
/// DER is not PKCS#8 of a key type read here; the key's own problems are errors.
fn pkcs8_der(der: &[u8]) -> Option<Result<SigningKey, VerifyError>> {
    let body = der_sequence(der)?;
    let (version, rest) = der_uint(body)?;
    let (0x30, alg, rest) = der_next(rest)? else { return None };
    let (0x04, key, mut rest) = der_next(rest)? else { return None };
    if version != [0] && version != [1] {
        return None;
    }
    if let Some((0xa0, _attributes, r)) = der_next(rest) {
        rest = r;
    }
    let public = match der_next(rest) {
        None if rest.is_empty() => None,
        Some((0x81, bits, [])) if version == [1] => Some(bit_string(bits)?),
        _ => return None,
    };
    match key_type(alg)? {
        KeyType::Rsa => Some(rsa_private_der(key)?.map(|k| SigningKey::Rsa(Box::new(k)))),
        KeyType::P256 => ec_private_der(key, public),
        // RFC 8410: the private key is an OCTET STRING holding the 32-byte seed.
        KeyType::Ed25519 => match der_next(key)? {
            (0x04, seed, []) => Some(ed25519_signing(seed, public)),
            _ => None,
        },
        KeyType::OtherCurve => Some(Err(other_curve())),
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
    let pem = pem.trim();
    let label = pem_label(pem)
        .ok_or_else(|| invalid("the key is not PEM (no \"-----BEGIN …-----\" line) and not a JWK object"))?;
    let garbled =
        || invalid(format!("the {label} PEM does not decode or is inconsistent: check that it was copied whole"));
    let der = || pem_der(pem, label).ok_or_else(garbled);
    match label {
        "PRIVATE KEY" => pkcs8_der(&der()?).ok_or_else(garbled)?,
        "RSA PRIVATE KEY" => Ok(SigningKey::Rsa(Box::new(rsa_private_der(&der()?).ok_or_else(garbled)??))),
        "EC PRIVATE KEY" => ec_private_der(&der()?, None).ok_or_else(garbled)?,
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
    // SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING } (RFC 5280 §4.1).
    let parts = der_sequence(der).and_then(der_next).and_then(|(tag, alg, rest)| match der_next(rest) {
        Some((0x03, bits, [])) if tag == 0x30 => Some((key_type(alg)?, bit_string(bits)?)),
        _ => None,
    });
    let Some((kind, key)) = parts else { return Ok(None) };
    Ok(Some(match kind {
        KeyType::Rsa => match rsa_public_der(key) {
            Some(k) => VerifyingKey::Rsa(Box::new(k?)),
            None => return Ok(None),
        },
        // SEC1 point encoding: uncompressed or compressed; the identity and points off the
        // curve are refused.
        KeyType::P256 => VerifyingKey::P256(Box::new(
            p256::ecdsa::VerifyingKey::from_sec1_bytes(key)
                .map_err(|_| invalid("the EC public key is not a point on P-256: check that it was copied whole"))?
                .into(),
        )),
        KeyType::Ed25519 => {
            let x: [u8; 32] = fixed(key, "the Ed25519 public key")?;
            VerifyingKey::Ed25519(Box::new(
                Ed25519Public::from_bytes(&x).ok_or_else(|| invalid("the Ed25519 public key is not a valid point"))?,
            ))
        }
        KeyType::OtherCurve => return Ok(None),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A JWK passed as a secret is refused, also with a repeated member (read as serde_json
    /// reads it: the last value wins); other JSON-looking secrets are bytes like any others.
    #[test]
    fn a_jwk_is_never_a_secret() {
        let k = "a".repeat(64);
        for text in [
            format!(r#"{{"kty":"oct","k":"{k}"}}"#),
            format!(r#"{{"kty":"oct","kty":"oct","k":"{k}"}}"#),
            format!(r#"  {{"k":"{k}","kty":"RSA","k":"x"}}"#),
        ] {
            let e = secret_from_bytes(text.clone().into_bytes()).unwrap_err();
            assert!(e.message.contains("is a JWK"), "{text}: {e:?}");
        }
        assert!(secret_from_bytes(format!(r#"{{"k":"{k}","k":"x"}}"#).into_bytes()).is_ok());
        assert!(secret_from_bytes(format!(r#"{{"kty":"oct" {k}"#).into_bytes()).is_ok());
    }

    /// A clone shares the secret's HMAC pads: hashed once, on first use by either copy.
    #[test]
    fn secret_clones_share_the_hmac_schedule() {
        let secret = Secret::new(vec![7; 32]);
        let copy = secret.clone();
        assert!(std::ptr::eq(copy.hs256(), secret.hs256()));
        assert_eq!(copy.bytes(), secret.bytes());
        assert_eq!(copy.hs256().mac(b"m"), Secret::new(vec![7; 32]).hs256().mac(b"m"));
    }
}
