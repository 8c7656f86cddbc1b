//! RSA, our own code from import to signature: keys are checked once on import (p·q = n,
//! e·d ≡ 1 modulo p−1 and q−1, CRT members consistent), signing runs in constant time,
//! verification on public values; RSASSA-PKCS1-v1_5 (RS256/384/512) and RSASSA-PSS
//! (PS256/384/512, RFC 8017 §9.1 with MGF1 and a salt as long as the hash, per RFC 7518 §3.5)
//! behind jwt-compact's `Algorithm` trait.
//!
//! Signing does not branch on, or index memory by, any secret: Montgomery arithmetic from
//! `crate::montgomery`, the Chinese remainder theorem, a fixed 5-bit window whose table entry
//! is picked by a masked scan of the whole table, and masked conditional subtractions; loop
//! bounds depend only on public sizes. Every signature is checked with the public exponent
//! before it is released (a faulty CRT half would otherwise leak a prime). PSS salts are
//! derived, not drawn: HMAC of the message under a secret derived from the key (as RFC 6979
//! derives ECDSA nonces), so signing needs no platform entropy; a verifier cannot tell.

use std::borrow::Cow;

use jwt_compact::{Algorithm, AlgorithmSignature};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::bignum::Big;
use crate::montgomery::{self, Limbs, Modulus, Twin};

const INCONSISTENT: &str = "the RSA private key is inconsistent (p·q ≠ n or d·e ≢ 1): export the key again";

/// Limb width for public moduli (n up to 4096 bits needs 22: see `montgomery`).
const PUBLIC_W: u32 = 22;

/// Smallest modulus accepted, issuing and verifying (RFC 8725 §3.5, NIST SP 800-131A).
pub const MIN_BITS: usize = 2048;
/// Largest modulus accepted (as most JOSE libraries; it bounds the work per signature).
pub const MAX_BITS: usize = 4096;

/// An RSA public key, prepared once for verification.
#[derive(Clone)]
pub struct RsaPublicKey {
    n: Big,
    e: u64,
    /// Modulus size in bytes (the signature length).
    size: usize,
    modulus: Modulus<PUBLIC_W>,
}

impl core::fmt::Debug for RsaPublicKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "RsaPublicKey({} bits)", self.n.bits())
    }
}

impl RsaPublicKey {
    /// The key (n, e) from big-endian bytes, checked: 2048 to 4096 bits, n odd, e odd with
    /// 3 ≤ e < 2^33. The error names the problem and the fix.
    pub fn new(n: &[u8], e: &[u8]) -> Result<RsaPublicKey, String> {
        let n = Big::from_be(n);
        let bits = n.bits();
        if bits < MIN_BITS {
            return Err(format!(
                "the RSA key is {bits} bits; at least {MIN_BITS} bits are required (generate a 2048-bit or larger key)"
            ));
        }
        if bits > MAX_BITS {
            return Err(format!("the RSA key is {bits} bits; at most {MAX_BITS} bits are supported"));
        }
        if !n.is_odd() {
            return Err("the RSA modulus n is even, so it is not an RSA key: export the key again".into());
        }
        let e = Big::from_be(e)
            .to_u64()
            .filter(|&e| (3..1 << 33).contains(&e) && e & 1 == 1)
            .ok_or("the RSA public exponent e must be odd, at least 3 and below 2^33 (65537 is usual)")?;
        let modulus = Modulus::new(&n.to_be(), montgomery::limbs_for::<PUBLIC_W>(bits))
            .ok_or("the RSA modulus n is not usable: export the key again")?;
        Ok(RsaPublicKey { size: bits.div_ceil(8), n, e, modulus })
    }

    /// The modulus, big-endian without leading zeros.
    pub fn n(&self) -> Vec<u8> {
        self.n.to_be()
    }

    /// The public exponent, big-endian without leading zeros.
    pub fn e(&self) -> Vec<u8> {
        Big::from_u64(self.e).to_be()
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        self.n.bits()
    }

    /// The signature length in bytes.
    pub fn size(&self) -> usize {
        self.size
    }

    /// s^e mod n as `size` bytes, for a signature s < n of exactly `size` bytes.
    fn recover(&self, sig: &[u8]) -> Option<Vec<u8>> {
        if sig.len() != self.size {
            return None;
        }
        let md = &self.modulus;
        let s = montgomery::from_be::<PUBLIC_W>(sig, md.len());
        if !montgomery::less_than::<PUBLIC_W>(&s, md.limbs()) {
            return None;
        }
        let sm = md.enter_mont(&s);
        Some(montgomery::to_be::<PUBLIC_W>(&md.leave_mont(&md.pow_public(&sm, self.e)), self.size))
    }
}

/// The primes prepared with W-bit limbs, and q⁻¹ mod p in that form.
#[derive(Clone)]
struct Crt<const W: u32> {
    primes: Twin<W>,
    qinv: Zeroizing<Limbs>,
}

/// Primes up to 1,424 bits (keys up to 2,848 bits, so every 2048-bit key) use 23-bit limbs:
/// about 8% fewer products than 22-bit ones; larger primes need 22 (see `montgomery`).
#[derive(Clone)]
enum Primes {
    Narrow(Crt<23>),
    Wide(Crt<22>),
}

/// A two-prime RSA private key, checked on import and prepared once for signing.
#[derive(Clone)]
pub struct RsaPrivateKey {
    public: RsaPublicKey,
    primes: Primes,
    /// d mod (p−1), d mod (q−1) as big-endian bytes of the primes' length (a public size).
    dp: Zeroizing<Vec<u8>>,
    dq: Zeroizing<Vec<u8>>,
    /// The secret PSS salts are derived under.
    salt_key: Zeroizing<[u8; 32]>,
}

impl core::fmt::Debug for RsaPrivateKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "RsaPrivateKey({} bits)", self.public.bits())
    }
}

/// The members of a private key as imported (big-endian bytes); the CRT members and the
/// primes are optional (recomputed, or recovered from n, e, d).
#[derive(Default)]
pub struct PrivateParts<'a> {
    /// Modulus.
    pub n: &'a [u8],
    /// Public exponent.
    pub e: &'a [u8],
    /// Private exponent.
    pub d: &'a [u8],
    /// The primes, both or neither.
    pub primes: Option<(&'a [u8], &'a [u8])>,
    /// d mod (p−1), d mod (q−1), q⁻¹ mod p, when the key format carries them.
    pub dp: Option<&'a [u8]>,
    /// See `dp`.
    pub dq: Option<&'a [u8]>,
    /// See `dp`.
    pub qi: Option<&'a [u8]>,
}

impl RsaPrivateKey {
    /// Imports and checks a private key: 1 < d < n; p·q = n with p ≠ q (the primes are
    /// recovered from n, e, d when absent); e·dp ≡ 1 mod (p−1), e·dq ≡ 1 mod (q−1);
    /// q·qi ≡ 1 mod p; given CRT members equal the computed ones. Errors name the member and
    /// the fix, never a value.
    pub fn new(parts: &PrivateParts<'_>) -> Result<RsaPrivateKey, String> {
        let public = RsaPublicKey::new(parts.n, parts.e)?;
        let (n, e) = (&public.n, Big::from_u64(public.e));
        let d = Big::from_be(parts.d);
        if d.bits() < 2 || d.cmp(n).is_ge() {
            return Err(
                "the RSA private exponent \"d\" is out of range (it must lie between 1 and n): export the key again"
                    .into(),
            );
        }
        let (p, q) = match parts.primes {
            Some((p, q)) => (Big::from_be(p), Big::from_be(q)),
            None => recover_primes(&public, &d)?,
        };
        let inconsistent = || INCONSISTENT.to_string();
        if p.bits() < 2 || q.bits() < 2 || p.cmp(n).is_ge() || q.cmp(n).is_ge() {
            return Err("the RSA primes \"p\" or \"q\" are out of range: export the key again".into());
        }
        if p.mul(&q) != *n || p == q || !p.is_odd() || !q.is_odd() {
            return Err(inconsistent());
        }
        let one = Big::from_u64(1);
        let (p1, q1) = (p.sub(&one), q.sub(&one));
        let (dp, dq) = (d.rem(&p1), d.rem(&q1));
        if !e.mul(&dp).rem(&p1).is_one() || !e.mul(&dq).rem(&q1).is_one() {
            return Err(inconsistent());
        }
        let bits = p.bits().max(q.bits());
        let given_qi = parts.qi.map(Big::from_be);
        let (primes, qinv) = if bits <= 1424 {
            let (crt, qinv) = Crt::new(&p, &q, given_qi.as_ref(), bits, public.size)?;
            (Primes::Narrow(crt), qinv)
        } else {
            let (crt, qinv) = Crt::new(&p, &q, given_qi.as_ref(), bits, public.size)?;
            (Primes::Wide(crt), qinv)
        };
        for (name, given, computed) in [("dp", parts.dp, &dp), ("dq", parts.dq, &dq), ("qi", parts.qi, &qinv)] {
            if let Some(given) = given {
                if !bool::from(Big::from_be(given).to_be().ct_eq(&computed.to_be())) {
                    return Err(format!("the RSA key's \"{name}\" does not match its primes: export the key again"));
                }
            }
        }
        let len = bits.div_ceil(8);
        Ok(RsaPrivateKey {
            salt_key: Zeroizing::new(
                Sha256::new().chain_update(b"edge-delegation PSS salt\0").chain_update(d.to_be()).finalize().into(),
            ),
            dp: Zeroizing::new(dp.to_be_padded(len)),
            dq: Zeroizing::new(dq.to_be_padded(len)),
            primes,
            public,
        })
    }

    /// The public half.
    pub fn public(&self) -> &RsaPublicKey {
        &self.public
    }

    /// The RSA signature of the encoded message `em` (as many bytes as the modulus), or
    /// `None` when the self-check with the public exponent fails.
    fn sign_em(&self, em: &[u8]) -> Option<Vec<u8>> {
        let s = match &self.primes {
            Primes::Narrow(crt) => crt.power(em, &self.dp, &self.dq, self.public.size),
            Primes::Wide(crt) => crt.power(em, &self.dp, &self.dq, self.public.size),
        };
        // Fault check: s^e mod n must give back em before s leaves this function.
        (self.public.recover(&s).as_deref() == Some(em)).then_some(s)
    }

    /// The PSS salt for `msg`: HMAC under the key's salt secret, as long as the hash.
    fn salt(&self, hash: Hash, msg: &[u8]) -> Vec<u8> {
        crate::sha512::mac(64, &*self.salt_key, msg)[..hash.len()].to_vec()
    }
}

impl<const W: u32> Crt<W> {
    /// Both primes with one limb count, so that c < n splits into halves below either prime;
    /// q⁻¹ mod p is the given one when it is right, else q^(p−2) mod p (p prime, constant
    /// time), and must satisfy q·q⁻¹ ≡ 1 mod p. Returns it as a number too.
    fn new(p: &Big, q: &Big, given_qinv: Option<&Big>, bits: usize, size: usize) -> Result<(Crt<W>, Big), String> {
        let unusable = || "the RSA primes are not usable: export the key again".to_string();
        let (limbs, len) = (montgomery::limbs_for::<W>(bits), bits.div_ceil(8));
        // The message representative (as many bytes as n) must fit in 2n limbs.
        if 8 * size > 2 * limbs * W as usize {
            return Err(unusable());
        }
        let pm = Modulus::<W>::new(&Zeroizing::new(p.to_be_padded(len)), limbs).ok_or_else(unusable)?;
        let inverts = |x: &Big| x.cmp(p).is_lt() && x.mul(q).rem(p).is_one();
        let qinv = match given_qinv {
            Some(qi) if inverts(qi) => qi.clone(),
            _ => {
                let q_mod_p = pm.enter_mont(&montgomery::from_be::<W>(&q.rem(p).to_be_padded(len), 2 * limbs));
                let p2 = Zeroizing::new(p.sub(&Big::from_u64(2)).to_be_padded(len));
                let qinv = Big::from_be(&montgomery::to_be::<W>(&pm.leave_mont(&pm.pow(&q_mod_p, &p2)), len));
                if !inverts(&qinv) {
                    return Err(INCONSISTENT.into());
                }
                qinv
            }
        };
        let qm = Modulus::new(&Zeroizing::new(q.to_be_padded(len)), limbs).ok_or_else(unusable)?;
        let crt = Crt {
            primes: Twin::new(pm, qm).ok_or_else(unusable)?,
            qinv: Zeroizing::new(montgomery::from_be::<W>(&qinv.to_be_padded(len), limbs)),
        };
        Ok((crt, qinv))
    }

    /// em^d mod n by CRT (`size` bytes; not yet checked).
    fn power(&self, em: &[u8], dp: &[u8], dq: &[u8], size: usize) -> Vec<u8> {
        let (p, q) = (self.primes.p(), self.primes.q());
        let c = Zeroizing::new(montgomery::from_be::<W>(em, 2 * p.len()));
        // m1 = c^dp mod p (Montgomery form), m2 = c^dq mod q, side by side.
        let (m1, m2) = self.primes.pow(&p.enter_mont(&c), &q.enter_mont(&c), dp, dq);
        let (mut m1, m2) = (Zeroizing::new(m1), Zeroizing::new(q.leave_mont(&Zeroizing::new(m2))));
        // h = qinv·(m1 − m2) mod p: the difference in p's Montgomery form, so that one
        // Montgomery product by qinv (plain) gives h in plain form.
        p.reduce(&mut m1);
        let diff = Zeroizing::new(p.sub_mod(&m1, &p.enter_mont(&m2)));
        let h = Zeroizing::new(p.mul_reduced(&diff, &self.qinv));
        // s = m2 + h·q (< n).
        let s = Zeroizing::new(montgomery::add_plain::<W>(&montgomery::mul_plain::<W>(&h, q.limbs()), &m2));
        montgomery::to_be::<W>(&s, size)
    }
}

/// Recovers p and q from n, e, d (RFC 8017 leaves it to the implementation; this is the
/// classic one): with e·d − 1 = 2^t·r, r odd, for small bases g, a nontrivial square root of
/// 1 among g^r, g^2r, … splits n. Variable time, run once per imported key.
fn recover_primes(public: &RsaPublicKey, d: &Big) -> Result<(Big, Big), String> {
    let fail = || {
        "the RSA key's \"d\" does not fit its \"n\" and \"e\" (the primes could not be recovered): export the key again"
            .to_string()
    };
    let md = &public.modulus;
    let (n, len, limbs) = (&public.n, public.size, md.len());
    let k = d.mul(&Big::from_u64(public.e)).sub(&Big::from_u64(1));
    let t = k.trailing_zeros();
    if k.is_zero() || t == 0 {
        return Err(fail());
    }
    let r = Zeroizing::new(k.shr_bits(t).to_be());
    let one = Big::from_u64(1);
    let minus_one = n.sub(&one);
    let value = |x: &[f64]| Big::from_be(&montgomery::to_be::<PUBLIC_W>(&md.leave_mont(x), len));
    for g in [2u64, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71] {
        let mut x = md.pow(&md.enter_mont(&montgomery::from_be::<PUBLIC_W>(&Big::from_u64(g).to_be(), 2 * limbs)), &r);
        let mut xv = value(&x);
        if xv == one || xv == minus_one {
            continue;
        }
        for _ in 0..t {
            let y = md.mul_reduced(&x, &x);
            let yv = value(&y);
            if yv == one {
                let p = xv.sub(&one).gcd(n);
                let q = xv.add_small(1).gcd(n);
                return if p.mul(&q) == *n { Ok((p, q)) } else { Err(fail()) };
            }
            if yv == minus_one {
                break;
            }
            (x, xv) = (y, yv);
        }
    }
    Err(fail())
}

/// The hash of an RS*/PS* algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hash {
    /// SHA-256 (RS256, PS256).
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl Hash {
    fn len(self) -> usize {
        match self {
            Hash::Sha256 => 32,
            Hash::Sha384 => 48,
            Hash::Sha512 => 64,
        }
    }

    fn digest(self, parts: &[&[u8]]) -> Vec<u8> {
        match self {
            Hash::Sha256 => {
                let mut h = Sha256::new();
                parts.iter().for_each(|p| h.update(p));
                h.finalize().to_vec()
            }
            _ => crate::sha512::hash(self.len(), parts).to_vec(),
        }
    }

    /// The DER DigestInfo prefix of EMSA-PKCS1-v1_5 (RFC 8017 §9.2, note 1).
    fn digest_info(self) -> &'static [u8] {
        match self {
            Hash::Sha256 => &[
                0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00,
                0x04, 0x20,
            ],
            Hash::Sha384 => &[
                0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00,
                0x04, 0x30,
            ],
            Hash::Sha512 => &[
                0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00,
                0x04, 0x40,
            ],
        }
    }

    /// MGF1 (RFC 8017 §B.2.1) of `seed`, `len` bytes.
    fn mgf1(self, seed: &[u8], len: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(len + self.len());
        for counter in 0u32.. {
            if out.len() >= len {
                break;
            }
            out.extend_from_slice(&self.digest(&[seed, &counter.to_be_bytes()]));
        }
        out.truncate(len);
        out
    }
}

/// EMSA-PKCS1-v1_5 (RFC 8017 §9.2): `size` bytes.
fn pkcs1_encode(hash: Hash, msg: &[u8], size: usize) -> Option<Vec<u8>> {
    let (prefix, digest) = (hash.digest_info(), hash.digest(&[msg]));
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

/// EMSA-PSS-ENCODE (RFC 8017 §9.1.1) for a modulus of `bits` bits, left-padded to `size`
/// bytes (the RSA input).
fn pss_encode(hash: Hash, msg: &[u8], salt: &[u8], bits: usize, size: usize) -> Option<Vec<u8>> {
    let (h_len, em_bits) = (hash.len(), bits - 1);
    let em_len = em_bits.div_ceil(8);
    if em_len < 2 * h_len + 2 {
        return None;
    }
    let m_hash = hash.digest(&[msg]);
    let h = hash.digest(&[&[0u8; 8], &m_hash, salt]);
    // DB = PS ‖ 0x01 ‖ salt, masked.
    let db_len = em_len - h_len - 1;
    let mut db = hash.mgf1(&h, db_len);
    db[db_len - salt.len() - 1] ^= 0x01;
    for (x, s) in db[db_len - salt.len()..].iter_mut().zip(salt) {
        *x ^= s;
    }
    db[0] &= 0xff >> (8 * em_len - em_bits);
    let mut em = vec![0u8; size - em_len];
    em.extend_from_slice(&db);
    em.extend_from_slice(&h);
    em.push(0xbc);
    Some(em)
}

/// EMSA-PSS-VERIFY (RFC 8017 §9.1.2) with a salt as long as the hash; `em` is the RSA output
/// (`size` bytes). Public values only.
fn pss_verify(hash: Hash, msg: &[u8], em: &[u8], bits: usize) -> bool {
    let (h_len, em_bits) = (hash.len(), bits - 1);
    let em_len = em_bits.div_ceil(8);
    let (pad, em) = em.split_at(em.len() - em_len);
    if pad.iter().any(|&b| b != 0) || em_len < 2 * h_len + 2 || em[em_len - 1] != 0xbc {
        return false;
    }
    let (masked, h) = em[..em_len - 1].split_at(em_len - h_len - 1);
    let top = 0xffu8.checked_shl((8 - (8 * em_len - em_bits)) as u32).unwrap_or(0);
    if masked[0] & top != 0 {
        return false;
    }
    let mut db = hash.mgf1(h, masked.len());
    db.iter_mut().zip(masked).for_each(|(x, m)| *x ^= m);
    db[0] &= !top;
    let salt_at = db.len() - h_len;
    if db[..salt_at - 1].iter().any(|&b| b != 0) || db[salt_at - 1] != 0x01 {
        return false;
    }
    hash.digest(&[&[0u8; 8], &hash.digest(&[msg]), &db[salt_at..]]) == h
}

/// RS256/384/512 (`pss: false`) or PS256/384/512 (`pss: true`) for jwt-compact.
#[derive(Debug, Clone, Copy)]
pub struct Rsa {
    /// The hash.
    pub hash: Hash,
    /// PSS padding instead of PKCS#1 v1.5.
    pub pss: bool,
}

/// A signature; empty when signing failed its self-check (the caller turns that into an error).
#[derive(Debug)]
pub struct Signature(Vec<u8>);

impl From<&[u8]> for Signature {
    fn from(bytes: &[u8]) -> Self {
        Signature(bytes.to_vec())
    }
}

impl AlgorithmSignature for Signature {
    fn try_from_slice(slice: &[u8]) -> anyhow::Result<Self> {
        Ok(Signature(slice.to_vec()))
    }
    fn as_bytes(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(&self.0)
    }
}

impl Algorithm for Rsa {
    type SigningKey = RsaPrivateKey;
    type VerifyingKey = RsaPublicKey;
    type Signature = Signature;

    fn name(&self) -> Cow<'static, str> {
        Cow::Borrowed(match (self.pss, self.hash) {
            (false, Hash::Sha256) => "RS256",
            (false, Hash::Sha384) => "RS384",
            (false, Hash::Sha512) => "RS512",
            (true, Hash::Sha256) => "PS256",
            (true, Hash::Sha384) => "PS384",
            (true, Hash::Sha512) => "PS512",
        })
    }

    fn sign(&self, key: &RsaPrivateKey, message: &[u8]) -> Signature {
        let public = &key.public;
        let em = if self.pss {
            pss_encode(self.hash, message, &key.salt(self.hash, message), public.bits(), public.size)
        } else {
            pkcs1_encode(self.hash, message, public.size)
        };
        Signature(em.and_then(|em| key.sign_em(&em)).unwrap_or_default())
    }

    fn verify_signature(&self, sig: &Signature, key: &RsaPublicKey, message: &[u8]) -> bool {
        // Public values only: plain comparisons are fine.
        let Some(em) = key.recover(&sig.0) else { return false };
        if self.pss {
            pss_verify(self.hash, message, &em, key.bits())
        } else {
            pkcs1_encode(self.hash, message, key.size) == Some(em)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(which: &str) -> RsaPrivateKey {
        let keys: serde_json::Value = serde_json::from_str(include_str!("../tests/fixtures/keys.json")).unwrap();
        match crate::keys::signing_jwk(keys[which]["jwk"].as_object().unwrap()).unwrap().0 {
            crate::keys::SigningKey::Rsa(k) => *k,
            _ => unreachable!(),
        }
    }

    #[test]
    fn signs_and_verifies_every_variant() {
        for which in ["rsa", "rsa2", "foreign_rsa"] {
            let key = fixture(which);
            for hash in [Hash::Sha256, Hash::Sha384, Hash::Sha512] {
                for pss in [false, true] {
                    let alg = Rsa { hash, pss };
                    for (i, msg) in [&b""[..], b"abc", &[7u8; 1000]].iter().enumerate() {
                        let sig = alg.sign(&key, msg).0;
                        assert_eq!(sig.len(), key.public.size);
                        assert!(
                            alg.verify_signature(&Signature(sig.clone()), &key.public, msg),
                            "{which} {hash:?} {pss}"
                        );
                        let mut bad = sig.clone();
                        bad[i] ^= 1;
                        assert!(!alg.verify_signature(&Signature(bad), &key.public, msg));
                        let other = Rsa { hash, pss: !pss };
                        assert!(!other.verify_signature(&Signature(sig), &key.public, msg), "padding mix-up");
                    }
                }
            }
        }
    }

    #[test]
    fn a_faulty_half_is_never_released() {
        let mut key = fixture("rsa");
        let last = key.dq.len() - 1;
        key.dq[last] ^= 1; // a fault in one CRT half
        assert!(Rsa { hash: Hash::Sha256, pss: false }.sign(&key, b"abc").0.is_empty());
    }
}
