//! RSASSA-PKCS1-v1_5 (RS256/RS384/RS512) for jwt-compact's `Algorithm` trait: signing in
//! constant time, and verification on the same arithmetic (public values only). The `rsa`
//! crate's private-key operation runs on variable-time big integers (RUSTSEC-2023-0071,
//! "Marvin"); this one does not branch on, or index memory by, any secret: Montgomery
//! arithmetic from [`crate::montgomery`], the Chinese remainder theorem, a fixed 5-bit window
//! whose table entry is picked by a masked scan of the whole table, and masked conditional
//! subtractions. Loop bounds depend only on public sizes. Every signature is checked with the
//! public exponent before it is released (a faulty CRT half would otherwise leak a prime).

use std::borrow::Cow;

use jwt_compact::{Algorithm, AlgorithmSignature};
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use rsa::{BigUint, RsaPrivateKey, RsaPublicKey};

use crate::montgomery::{self, Limbs, Modulus};
use sha2::{Digest, Sha256, Sha384, Sha512};
use zeroize::Zeroizing;

/// A two-prime RSA key prepared once for signing: Montgomery constants for p and q.
#[derive(Clone)]
pub struct RsaSigner {
    p: Modulus,
    q: Modulus,
    public: RsaVerifier,
    /// d mod (p−1), d mod (q−1) as big-endian bytes of the primes' length (a public size).
    dp: Zeroizing<Vec<u8>>,
    dq: Zeroizing<Vec<u8>>,
    /// q⁻¹ mod p as limbs.
    qinv: Zeroizing<Limbs>,
}

impl core::fmt::Debug for RsaSigner {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "RsaSigner({} bits)", 8 * self.public.size)
    }
}

/// `b` as big-endian bytes of exactly `len` bytes (left-padded), or `None` when longer.
fn be_bytes(b: &BigUint, len: usize) -> Option<Zeroizing<Vec<u8>>> {
    let raw = Zeroizing::new(b.to_bytes_be());
    let mut out = Zeroizing::new(vec![0u8; len]);
    out.get_mut(len.checked_sub(raw.len())?..)?.copy_from_slice(&raw);
    Some(out)
}

impl RsaSigner {
    /// Prepares a validated two-prime key; `None` for other keys (multi-prime).
    pub fn new(key: &RsaPrivateKey) -> Option<RsaSigner> {
        let [p, q] = key.primes() else { return None };
        let (dp, dq, qinv) = (key.dp()?, key.dq()?, key.crt_coefficient()?);
        // Both primes get one limb count, so that c < n splits into halves below either prime.
        let bits = p.bits().max(q.bits());
        let (n, len) = (montgomery::limbs_for(bits), bits.div_ceil(8));
        let public = RsaVerifier::new(&key.to_public_key())?;
        // The message representative (as many bytes as n) must fit in 2n limbs.
        if 8 * public.size > 44 * n {
            return None;
        }
        Some(RsaSigner {
            p: Modulus::new(&be_bytes(p, len)?, n)?,
            q: Modulus::new(&be_bytes(q, len)?, n)?,
            dp: be_bytes(dp, len)?,
            dq: be_bytes(dq, len)?,
            qinv: Zeroizing::new(montgomery::from_be(&be_bytes(&qinv, len)?, n)),
            public,
        })
    }

    /// The verifier of this key's signatures.
    pub fn verifier(&self) -> &RsaVerifier {
        &self.public
    }

    /// The RSA signature of the encoded message `em` (as many bytes as the modulus), or
    /// `None` when the self-check with the public exponent fails.
    fn sign_em(&self, em: &[u8]) -> Option<Vec<u8>> {
        let n = self.p.len();
        let c = Zeroizing::new(montgomery::from_be(em, 2 * n));
        // m1 = c^dp mod p (Montgomery form), m2 = c^dq mod q.
        let m1 = Zeroizing::new(self.p.pow(&self.p.enter_mont(&c), &self.dp));
        let m2 = Zeroizing::new(self.q.leave_mont(&self.q.pow(&self.q.enter_mont(&c), &self.dq)));
        // h = qinv·(m1 − m2) mod p: the difference in p's Montgomery form, so that one
        // Montgomery product by qinv (plain) gives h in plain form.
        let mut m1 = m1;
        self.p.reduce(&mut m1);
        let diff = Zeroizing::new(self.p.sub_mod(&m1, &self.p.enter_mont(&m2)));
        let h = Zeroizing::new(self.p.mul_reduced(&diff, &self.qinv));
        // s = m2 + h·q (< n).
        let s = Zeroizing::new(montgomery::add_plain(&montgomery::mul_plain(&h, self.q.limbs()), &m2));
        let sig = montgomery::to_be(&s, self.public.size);
        // Fault check: s^e mod n must give back em before s leaves this function.
        (self.public.recover(&sig).as_deref() == Some(em)).then_some(sig)
    }
}

/// An RSA public key prepared once (Montgomery constants for n) for RS* verification.
#[derive(Clone)]
pub struct RsaVerifier {
    n: Modulus,
    e: u64,
    /// Modulus size in bytes (the signature length).
    size: usize,
}

impl core::fmt::Debug for RsaVerifier {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "RsaVerifier({} bits)", 8 * self.size)
    }
}

impl RsaVerifier {
    /// Prepares a public key the rsa crate has checked (n odd, e small); `None` otherwise.
    pub fn new(key: &RsaPublicKey) -> Option<RsaVerifier> {
        let size = key.size();
        let e_bytes = key.e().to_bytes_be();
        if e_bytes.len() > 8 {
            return None;
        }
        let e = e_bytes.iter().fold(0u64, |acc, &b| (acc << 8) | b as u64);
        let n = Modulus::new(&key.n().to_bytes_be(), montgomery::limbs_for(8 * size))?;
        Some(RsaVerifier { n, e, size })
    }

    /// s^e mod n as `size` bytes, for a signature s < n of exactly `size` bytes.
    fn recover(&self, sig: &[u8]) -> Option<Vec<u8>> {
        if sig.len() != self.size {
            return None;
        }
        let s = montgomery::from_be(sig, self.n.len());
        if !montgomery::less_than(&s, self.n.limbs()) {
            return None;
        }
        let sm = self.n.enter_mont(&s);
        Some(montgomery::to_be(&self.n.leave_mont(&self.n.pow_public(&sm, self.e)), self.size))
    }
}

/// EMSA-PKCS1-v1_5 (RFC 8017 §9.2) with the DigestInfo prefix of the hash.
fn encode(hash: Hash, msg: &[u8], size: usize) -> Option<Vec<u8>> {
    let (prefix, digest): (&[u8], Vec<u8>) = match hash {
        Hash::Sha256 => (
            &[
                0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00,
                0x04, 0x20,
            ],
            Sha256::digest(msg).to_vec(),
        ),
        Hash::Sha384 => (
            &[
                0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00,
                0x04, 0x30,
            ],
            Sha384::digest(msg).to_vec(),
        ),
        Hash::Sha512 => (
            &[
                0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00,
                0x04, 0x40,
            ],
            Sha512::digest(msg).to_vec(),
        ),
    };
    let t = prefix.len() + digest.len();
    if size < t + 11 {
        return None;
    }
    let mut em = vec![0xffu8; size];
    em[0] = 0;
    em[1] = 1;
    em[size - t - 1] = 0;
    em[size - t..size - digest.len()].copy_from_slice(prefix);
    em[size - digest.len()..].copy_from_slice(&digest);
    Some(em)
}

/// The hash of an RS* algorithm.
#[derive(Debug, Clone, Copy)]
pub enum Hash {
    /// RS256.
    Sha256,
    /// RS384.
    Sha384,
    /// RS512.
    Sha512,
}

/// RS256/RS384/RS512 for jwt-compact, signing with [`RsaSigner`] and verifying with
/// [`RsaVerifier`].
#[derive(Debug, Clone, Copy)]
pub struct Pkcs1(pub Hash);

/// A signature; empty when signing failed its self-check (the caller turns that into an error).
#[derive(Debug)]
pub struct Signature(Vec<u8>);

impl AlgorithmSignature for Signature {
    fn try_from_slice(slice: &[u8]) -> anyhow::Result<Self> {
        Ok(Signature(slice.to_vec()))
    }
    fn as_bytes(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(&self.0)
    }
}

impl Algorithm for Pkcs1 {
    type SigningKey = RsaSigner;
    type VerifyingKey = RsaVerifier;
    type Signature = Signature;

    fn name(&self) -> Cow<'static, str> {
        Cow::Borrowed(match self.0 {
            Hash::Sha256 => "RS256",
            Hash::Sha384 => "RS384",
            Hash::Sha512 => "RS512",
        })
    }

    fn sign(&self, key: &RsaSigner, message: &[u8]) -> Signature {
        Signature(encode(self.0, message, key.public.size).and_then(|em| key.sign_em(&em)).unwrap_or_default())
    }

    fn verify_signature(&self, sig: &Signature, key: &RsaVerifier, message: &[u8]) -> bool {
        // Public values only: a plain comparison is fine.
        match (key.recover(&sig.0), encode(self.0, message, key.size)) {
            (Some(m), Some(em)) => m == em,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::traits::SignatureScheme;

    fn fixture(which: &str) -> RsaPrivateKey {
        let keys: serde_json::Value = serde_json::from_str(include_str!("../tests/fixtures/keys.json")).unwrap();
        match crate::keys::signing_jwk(keys[which]["jwk"].as_object().unwrap()).unwrap().0 {
            crate::keys::SigningKey::Rsa(k) => k.key.clone(),
            _ => unreachable!(),
        }
    }

    /// The rsa crate as the reference: PKCS#1 v1.5 is deterministic, so the bytes must match.
    #[test]
    fn matches_the_rsa_crate() {
        for which in ["rsa", "rsa2", "foreign_rsa"] {
            let key = fixture(which);
            let signer = RsaSigner::new(&key).unwrap();
            for (i, msg) in [&b""[..], b"abc", &[7u8; 1000]].iter().enumerate() {
                for (hash, scheme, digest) in [
                    (Hash::Sha256, rsa::Pkcs1v15Sign::new::<Sha256>(), Sha256::digest(msg).to_vec()),
                    (Hash::Sha384, rsa::Pkcs1v15Sign::new::<Sha384>(), Sha384::digest(msg).to_vec()),
                    (Hash::Sha512, rsa::Pkcs1v15Sign::new::<Sha512>(), Sha512::digest(msg).to_vec()),
                ] {
                    let ours = Pkcs1(hash).sign(&signer, msg).0;
                    let theirs = scheme.sign(None::<&mut rand_core::OsRng>, &key, &digest).unwrap();
                    assert_eq!(ours, theirs, "{which}, message {i}, {hash:?}");
                    let v = RsaVerifier::new(&key.to_public_key()).unwrap();
                    let mut bad = ours.clone();
                    assert!(Pkcs1(hash).verify_signature(&Signature(ours), &v, msg));
                    bad[i] ^= 1;
                    assert!(!Pkcs1(hash).verify_signature(&Signature(bad), &v, msg));
                }
            }
        }
    }

    #[test]
    fn a_faulty_half_is_never_released() {
        let key = fixture("rsa");
        let mut signer = RsaSigner::new(&key).unwrap();
        let last = signer.dq.len() - 1;
        signer.dq[last] ^= 1; // a fault in one CRT half
        assert!(Pkcs1(Hash::Sha256).sign(&signer, b"abc").0.is_empty());
    }
}
