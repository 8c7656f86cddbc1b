//! The one table of JWS algorithms, and the thin calls into jwt-compact below it.

use jwt_compact::{Algorithm, AlgorithmSignature};

use crate::ed25519::{Ed25519, Ed25519Signature};
use crate::error::{VerifyCode, VerifyError};
use crate::es256::Es256;
use crate::keys::{SigningKey, VerifyingKey};
use crate::rsa::{Hash, Rsa};

/// A key family: which kind of key an algorithm needs. A key serves exactly one family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// A shared secret (HS*).
    Hmac,
    /// An RSA key of 2048 bits or more (RS*, PS*).
    Rsa,
    /// An EC key on P-256 (ES256).
    P256,
    /// An Ed25519 key (EdDSA).
    Ed25519,
}

impl Family {
    /// The algorithms a key of this family allows when the caller gives no allow-list.
    pub fn default_algorithms(self) -> &'static [Alg] {
        match self {
            Self::Hmac => &[Alg::Hs256, Alg::Hs384, Alg::Hs512],
            Self::Rsa => &[Alg::Rs256, Alg::Rs384, Alg::Rs512, Alg::Ps256, Alg::Ps384, Alg::Ps512],
            Self::P256 => &[Alg::Es256],
            Self::Ed25519 => &[Alg::EdDsa],
        }
    }

    /// Human name for messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::Hmac => "a shared secret",
            Self::Rsa => "an RSA key",
            Self::P256 => "an EC P-256 key",
            Self::Ed25519 => "an Ed25519 key",
        }
    }
}

/// A supported JWS algorithm. `none` is not one and never will be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum Alg {
    Hs256,
    Hs384,
    Hs512,
    Rs256,
    Rs384,
    Rs512,
    Ps256,
    Ps384,
    Ps512,
    Es256,
    EdDsa,
}

struct Descriptor {
    alg: Alg,
    name: &'static str,
    family: Family,
    /// HMAC: the hash size, the shortest secret accepted (RFC 7518 §3.2).
    min_secret: usize,
}

const ALGORITHMS: &[Descriptor] = &[
    Descriptor { alg: Alg::Hs256, name: "HS256", family: Family::Hmac, min_secret: 32 },
    Descriptor { alg: Alg::Hs384, name: "HS384", family: Family::Hmac, min_secret: 48 },
    Descriptor { alg: Alg::Hs512, name: "HS512", family: Family::Hmac, min_secret: 64 },
    Descriptor { alg: Alg::Rs256, name: "RS256", family: Family::Rsa, min_secret: 0 },
    Descriptor { alg: Alg::Rs384, name: "RS384", family: Family::Rsa, min_secret: 0 },
    Descriptor { alg: Alg::Rs512, name: "RS512", family: Family::Rsa, min_secret: 0 },
    Descriptor { alg: Alg::Ps256, name: "PS256", family: Family::Rsa, min_secret: 0 },
    Descriptor { alg: Alg::Ps384, name: "PS384", family: Family::Rsa, min_secret: 0 },
    Descriptor { alg: Alg::Ps512, name: "PS512", family: Family::Rsa, min_secret: 0 },
    Descriptor { alg: Alg::Es256, name: "ES256", family: Family::P256, min_secret: 0 },
    Descriptor { alg: Alg::EdDsa, name: "EdDSA", family: Family::Ed25519, min_secret: 0 },
];

impl Alg {
    fn descriptor(self) -> &'static Descriptor {
        // The table lists every variant once, so the lookup always succeeds.
        ALGORITHMS.iter().find(|d| d.alg == self).unwrap_or(&ALGORITHMS[0])
    }

    /// Looks an algorithm up by its JOSE name (case-sensitive, as RFC 7515 says).
    pub fn from_name(name: &str) -> Option<Alg> {
        ALGORITHMS.iter().find(|d| d.name == name).map(|d| d.alg)
    }

    /// The JOSE name, e.g. `RS256`.
    pub fn name(self) -> &'static str {
        self.descriptor().name
    }

    /// The key family this algorithm needs.
    pub fn family(self) -> Family {
        self.descriptor().family
    }

    /// For HMAC algorithms, the shortest secret accepted (bytes); 0 otherwise.
    pub fn min_secret_len(self) -> usize {
        self.descriptor().min_secret
    }

    /// All supported names, for messages.
    pub fn names() -> String {
        ALGORITHMS.iter().map(|d| d.name).collect::<Vec<_>>().join(", ")
    }
}

fn sign_with<A: Algorithm>(alg: A, key: &A::SigningKey, msg: &[u8]) -> Vec<u8> {
    alg.sign(key, msg).as_bytes().into_owned()
}

/// `sig` is the signature as the algorithm's type, `None` when the bytes are not one. The
/// callers decode it with the key crates' own `from_slice`: jwt-compact's `try_from_slice`
/// wraps failures in `anyhow`, whose error machinery (with std's backtrace printing and symbol
/// demangling) was 38 KB of the module for nothing here.
fn verify_with<A: Algorithm>(alg: A, key: &A::VerifyingKey, msg: &[u8], sig: Option<A::Signature>) -> bool {
    sig.is_some_and(|s| alg.verify_signature(&s, key, msg))
}

/// RS*/PS*: the hash and the padding.
fn rsa(alg: Alg) -> Rsa {
    let hash = match alg {
        Alg::Rs384 | Alg::Ps384 => Hash::Sha384,
        Alg::Rs512 | Alg::Ps512 => Hash::Sha512,
        _ => Hash::Sha256,
    };
    Rsa { hash, pss: matches!(alg, Alg::Ps256 | Alg::Ps384 | Alg::Ps512) }
}

fn short_secret(alg: Alg, len: usize) -> VerifyError {
    VerifyError::key(format!(
        "the {} secret is {len} bytes; {} needs at least {} bytes (use a random secret of that length)",
        alg.name(),
        alg.name(),
        alg.min_secret_len()
    ))
}

/// Signs a JWS signing input (`base64url(header) "." base64url(payload)`, as bytes). The key
/// must be of the algorithm's family; HMAC secrets shorter than the hash are refused.
pub fn sign(alg: Alg, key: &SigningKey, msg: &[u8]) -> Result<Vec<u8>, VerifyError> {
    Ok(match (alg, key) {
        (Alg::Hs256 | Alg::Hs384 | Alg::Hs512, SigningKey::Hmac(k)) => {
            if k.len() < alg.min_secret_len() {
                return Err(short_secret(alg, k.len()));
            }
            match alg {
                Alg::Hs256 => k.hs256().mac(msg).to_vec(),
                // HS384, HS512: the hash size is the shortest secret (RFC 7518 §3.2).
                _ => crate::sha512::mac(alg.min_secret_len(), k.bytes(), msg).to_vec(),
            }
        }
        (_, SigningKey::Rsa(k)) if alg.family() == Family::Rsa => {
            let sig = sign_with(rsa(alg), k, msg);
            if sig.is_empty() {
                return Err(VerifyError::key(
                    "the RSA signature failed its self-check (a faulty computation); nothing was released: retry, and check the key",
                ));
            }
            sig
        }
        (Alg::Es256, SigningKey::P256(k)) => sign_with(Es256, k, msg),
        (Alg::EdDsa, SigningKey::Ed25519(k)) => sign_with(Ed25519, k, msg),
        _ => {
            return Err(VerifyError::new(
                VerifyCode::AlgNotAllowed,
                format!("{} needs {}, but the key given is {}", alg.name(), alg.family().name(), key.family().name()),
            ))
        }
    })
}

/// Verifies a signature over a JWS signing input: the primitive [`crate::Verifier`] calls
/// after its checks. Any mismatch of algorithm and key, length or encoding is `false`, and so
/// is an HMAC secret shorter than the hash (RFC 7518 §3.2).
pub fn verify(alg: Alg, key: &VerifyingKey, msg: &[u8], sig: &[u8]) -> bool {
    match (alg, key) {
        (Alg::Hs256 | Alg::Hs384 | Alg::Hs512, VerifyingKey::Hmac(k)) => {
            if k.len() < alg.min_secret_len() {
                return false;
            }
            // Compared in constant time.
            match alg {
                Alg::Hs256 => k.hs256().verify(msg, sig),
                _ => crate::sha512::verify(alg.min_secret_len(), k.bytes(), msg, sig),
            }
        }
        (_, VerifyingKey::Rsa(k)) if alg.family() == Family::Rsa => {
            verify_with(rsa(alg), k, msg, Some(crate::rsa::Signature::from(sig)))
        }
        (Alg::Es256, VerifyingKey::P256(k)) => verify_with(Es256, k, msg, p256::ecdsa::Signature::from_slice(sig).ok()),
        (Alg::EdDsa, VerifyingKey::Ed25519(k)) => verify_with(Ed25519, k, msg, Ed25519Signature::from_slice(sig)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_round_trips_names() {
        for d in ALGORITHMS {
            assert_eq!(Alg::from_name(d.name), Some(d.alg));
            assert_eq!(d.alg.name(), d.name);
        }
        assert_eq!(Alg::from_name("none"), None);
        assert_eq!(Alg::from_name("hs256"), None);
    }
}
