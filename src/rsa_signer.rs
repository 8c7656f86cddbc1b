//! RSASSA-PKCS1-v1_5 (RS256/RS384/RS512) for jwt-compact's `Algorithm` trait: signing in
//! constant time, and verification on the same Montgomery arithmetic (public values only). The `rsa` crate's private-key operation runs on variable-time big
//! integers (RUSTSEC-2023-0071, "Marvin"); this one does not branch on, or index memory by,
//! any secret: Montgomery multiplication over 32-bit limbs (wasm multiplies 32×32→64 natively),
//! the Chinese remainder theorem, a fixed 5-bit window whose table entry is picked by a masked
//! scan of the whole table, and masked conditional subtractions. Loop bounds depend only on
//! public sizes. Every signature is checked with the public exponent before it is released
//! (a faulty CRT half would otherwise leak a prime).

use std::borrow::Cow;

use jwt_compact::{Algorithm, AlgorithmSignature};
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use rsa::{BigUint, RsaPrivateKey, RsaPublicKey};
use sha2::{Digest, Sha256, Sha384, Sha512};
use zeroize::Zeroizing;

/// Little-endian 32-bit limbs.
type Limbs = Vec<u32>;

/// A modulus prepared for Montgomery arithmetic with R = 2^(32·len).
#[derive(Clone)]
struct Modulus {
    m: Limbs,
    /// −m⁻¹ mod 2³².
    m0inv: u32,
    /// R mod m (Montgomery one), R² mod m and R³ mod m.
    one: Limbs,
    r2: Limbs,
    r3: Limbs,
}

/// `a - b` over equal-length limbs; returns the borrow (0 or 1).
fn sub_into(out: &mut [u32], a: &[u32], b: &[u32]) -> u32 {
    let mut borrow = 0u64;
    for i in 0..out.len() {
        let d = (a[i] as u64).wrapping_sub(b[i] as u64).wrapping_sub(borrow);
        out[i] = d as u32;
        borrow = (d >> 63) & 1;
    }
    borrow as u32
}

/// `dst = src` when `choose` is 1, unchanged when 0, without a branch on `choose`.
fn cmov(dst: &mut [u32], src: &[u32], choose: u32) {
    let mask = 0u32.wrapping_sub(choose & 1);
    for i in 0..dst.len() {
        dst[i] = (dst[i] & !mask) | (src[i] & mask);
    }
}

/// −m⁻¹ mod 2³² for odd m₀: Newton's iteration, five steps double 1 correct bit to 32.
fn neg_inverse(m0: u32) -> u32 {
    let mut inv = 1u32;
    for _ in 0..5 {
        inv = inv.wrapping_mul(2u32.wrapping_sub(m0.wrapping_mul(inv)));
    }
    inv.wrapping_neg()
}

impl Modulus {
    /// `m` odd, at least two limbs. Setup is constant-time too (the primes are secret).
    fn new(m: Limbs) -> Modulus {
        let n = m.len();
        // 2^k mod m by doubling with a masked subtraction, for k up to 64·n.
        let mut x = vec![0u32; n];
        x[0] = 1;
        let mut tmp = vec![0u32; n];
        let mut doubled = vec![0u32; n];
        let mut double = |x: &mut Limbs| {
            let mut carry = 0u32;
            for i in 0..n {
                let v = x[i];
                doubled[i] = (v << 1) | carry;
                carry = v >> 31;
            }
            let borrow = sub_into(&mut tmp, &doubled, &m);
            // Subtract when the doubling overflowed or the result is still ≥ m.
            let keep = borrow & !carry & 1;
            x.copy_from_slice(&tmp);
            cmov(x, &doubled, keep);
        };
        for _ in 0..32 * n {
            double(&mut x);
        }
        let one = x.clone();
        for _ in 0..32 * n {
            double(&mut x);
        }
        let r2 = x;
        Modulus::with(m, one, r2)
    }

    /// For a public modulus (n): the constants by variable-time big-integer arithmetic,
    /// which is fine for public values and much faster than doubling.
    fn public(n: &BigUint, len: usize) -> Modulus {
        let m = limbs(n, len).to_vec();
        let one = limbs(&((BigUint::from(1u8) << (32 * len)) % n), len).to_vec();
        let r2 = limbs(&((BigUint::from(1u8) << (64 * len)) % n), len).to_vec();
        Modulus::with(m, one, r2)
    }

    /// The remaining constants: −m⁻¹ mod 2³² and R³ = R²·R²·R⁻¹.
    fn with(m: Limbs, one: Limbs, r2: Limbs) -> Modulus {
        let mut md = Modulus { m0inv: neg_inverse(m[0]), m, one, r2, r3: vec![] };
        md.r3 = md.mul(&md.r2, &md.r2);
        md
    }

    fn len(&self) -> usize {
        self.m.len()
    }

    /// Montgomery product a·b·R⁻¹ mod m (CIOS), for a, b < m.
    fn mul(&self, a: &[u32], b: &[u32]) -> Limbs {
        let n = self.len();
        let (mut t, mut out) = (vec![0u32; n + 2], vec![0u32; n]);
        self.mul_to(a, b, &mut t, &mut out);
        out
    }

    /// [`Modulus::mul`] into `out`, with `t` (n + 2 limbs) as scratch: no allocation.
    fn mul_to(&self, a: &[u32], b: &[u32], t: &mut [u32], out: &mut [u32]) {
        let n = self.len();
        // Re-sliced to exactly n (n + 2) limbs so the compiler drops the bounds checks.
        let (m, a, b, t, out) = (&self.m[..n], &a[..n], &b[..n], &mut t[..n + 2], &mut out[..n]);
        t.fill(0);
        for &bi in b {
            let bi = bi as u64;
            let mut c = 0u64;
            for j in 0..n {
                let s = t[j] as u64 + a[j] as u64 * bi + c;
                t[j] = s as u32;
                c = s >> 32;
            }
            let s = t[n] as u64 + c;
            t[n] = s as u32;
            t[n + 1] = (s >> 32) as u32;
            let q = t[0].wrapping_mul(self.m0inv) as u64;
            let mut c = (t[0] as u64 + q * m[0] as u64) >> 32;
            for j in 1..n {
                let s = t[j] as u64 + q * m[j] as u64 + c;
                t[j - 1] = s as u32;
                c = s >> 32;
            }
            let s = t[n] as u64 + c;
            t[n - 1] = s as u32;
            t[n] = t[n + 1] + (s >> 32) as u32;
        }
        self.reduce_to(&t[..n], t[n], out);
    }

    /// Montgomery square a²·R⁻¹ mod m into `out`, with `t` (2n + 1 limbs) as scratch: the
    /// full square (cross products once, doubled, plus the diagonal), then a reduction.
    /// About a quarter fewer multiplications than [`Modulus::mul_to`] with a = b.
    fn sqr_to(&self, a: &[u32], t: &mut [u32], out: &mut [u32]) {
        let n = self.len();
        let (m, a, t) = (&self.m[..n], &a[..n], &mut t[..2 * n + 1]);
        t.fill(0);
        for i in 0..n {
            let ai = a[i] as u64;
            let mut c = 0u64;
            for j in i + 1..n {
                let s = t[i + j] as u64 + ai * a[j] as u64 + c;
                t[i + j] = s as u32;
                c = s >> 32;
            }
            t[i + n] = c as u32;
        }
        // The cross products sum to less than 2^(64n - 1), so doubling stays in 2n limbs.
        let mut carry = 0u32;
        for x in t[..2 * n].iter_mut() {
            let v = *x;
            *x = (v << 1) | carry;
            carry = v >> 31;
        }
        let mut c = 0u64;
        for i in 0..n {
            let sq = a[i] as u64 * a[i] as u64;
            let s = t[2 * i] as u64 + (sq & 0xffff_ffff) + c;
            t[2 * i] = s as u32;
            let s = t[2 * i + 1] as u64 + (sq >> 32) + (s >> 32);
            t[2 * i + 1] = s as u32;
            c = s >> 32;
        }
        // Montgomery reduction of the 2n-limb square; `extra` carries into the next row.
        let mut extra = 0u64;
        for i in 0..n {
            let q = t[i].wrapping_mul(self.m0inv) as u64;
            let mut c = 0u64;
            for j in 0..n {
                let s = t[i + j] as u64 + q * m[j] as u64 + c;
                t[i + j] = s as u32;
                c = s >> 32;
            }
            let s = t[i + n] as u64 + c + extra;
            t[i + n] = s as u32;
            extra = s >> 32;
        }
        self.reduce_to(&t[n..2 * n], extra as u32, &mut out[..n]);
    }

    /// `x + hi·R` (< 2m) reduced to `< m` into `out`, with a masked subtraction.
    fn reduce_to(&self, x: &[u32], hi: u32, out: &mut [u32]) {
        let borrow = sub_into(out, x, &self.m);
        // Keep x only when it is below m (the subtraction borrowed) and hi is zero.
        let hi_zero = ((hi | hi.wrapping_neg()) >> 31) ^ 1;
        cmov(out, x, borrow & hi_zero);
    }

    /// Montgomery reduction of a double-length `t < m·R`: t·R⁻¹ mod m.
    fn redc_wide(&self, t: &[u32]) -> Limbs {
        let n = self.len();
        let mut t: Limbs = t.to_vec();
        t.resize(2 * n + 1, 0);
        for i in 0..n {
            let q = t[i].wrapping_mul(self.m0inv) as u64;
            let mut c = 0u64;
            for j in 0..n {
                let s = t[i + j] as u64 + q * self.m[j] as u64 + c;
                t[i + j] = s as u32;
                c = s >> 32;
            }
            // Propagate the carry through the upper limbs (a fixed-length loop).
            for tk in t[i + n..].iter_mut() {
                let s = *tk as u64 + c;
                *tk = s as u32;
                c = s >> 32;
            }
        }
        let mut out = vec![0u32; n];
        self.reduce_to(&t[n..2 * n], t[2 * n], &mut out);
        out
    }

    /// x (any value < m·R, as up to 2n limbs) in Montgomery form: x·R mod m.
    fn to_mont_wide(&self, x: &[u32]) -> Limbs {
        let r = self.redc_wide(x);
        self.mul(&r, &self.r3)
    }

    /// base^exp in Montgomery form, over every bit of `exp`'s limbs (a public length).
    fn pow(&self, base_m: &[u32], exp: &[u32]) -> Limbs {
        const W: usize = 5;
        let mut table = Vec::with_capacity(1 << W);
        table.push(self.one.clone());
        for i in 1..1 << W {
            let next = self.mul(&table[i - 1], base_m);
            table.push(next);
        }
        let bits = 32 * exp.len();
        let windows = bits.div_ceil(W);
        let n = self.len();
        let mut acc = self.one.clone();
        let (mut t, mut next) = (vec![0u32; n + 2], vec![0u32; n]);
        let mut wide = vec![0u32; 2 * n + 1];
        let mut entry = vec![0u32; n];
        for w in (0..windows).rev() {
            for _ in 0..W {
                self.sqr_to(&acc, &mut wide, &mut next);
                core::mem::swap(&mut acc, &mut next);
            }
            let mut idx = 0u32;
            for b in 0..W {
                let bit = w * W + b;
                if bit < bits {
                    idx |= ((exp[bit / 32] >> (bit % 32)) & 1) << b;
                }
            }
            // Read every entry; keep the one whose index matches (no secret-indexed load).
            for (i, e) in table.iter().enumerate() {
                let eq = ((i as u32 ^ idx).wrapping_sub(1) >> 31) & 1;
                cmov(&mut entry, e, eq);
            }
            self.mul_to(&acc, &entry, &mut t, &mut next);
            core::mem::swap(&mut acc, &mut next);
        }
        t.iter_mut().chain(wide.iter_mut()).chain(entry.iter_mut()).chain(next.iter_mut()).for_each(|x| *x = 0);
        acc
    }

    /// Leaves Montgomery form.
    fn leave_mont(&self, x: &[u32]) -> Limbs {
        let mut one = vec![0u32; self.len()];
        one[0] = 1;
        self.mul(x, &one)
    }
}

fn limbs(b: &BigUint, len: usize) -> Zeroizing<Limbs> {
    Zeroizing::new(limbs_from_be(&Zeroizing::new(b.to_bytes_be()), len))
}

fn limbs_from_be(bytes: &[u8], len: usize) -> Limbs {
    let mut out = vec![0u32; len];
    for (i, byte) in bytes.iter().rev().enumerate() {
        out[i / 4] |= (*byte as u32) << (8 * (i % 4));
    }
    out
}

fn to_be(x: &[u32], len: usize) -> Vec<u8> {
    let mut out = vec![0u8; len];
    for i in 0..len {
        out[len - 1 - i] = (x[i / 4] >> (8 * (i % 4))) as u8;
    }
    out
}

/// A two-prime RSA key prepared once for signing: Montgomery constants for p, q and n.
#[derive(Clone)]
pub struct RsaSigner {
    p: Modulus,
    q: Modulus,
    public: RsaVerifier,
    dp: Zeroizing<Limbs>,
    dq: Zeroizing<Limbs>,
    qinv: Zeroizing<Limbs>,
    q_limbs: Zeroizing<Limbs>,
    /// Modulus size in bytes (the signature length).
    size: usize,
}

impl Drop for RsaSigner {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.p.m.zeroize();
        self.q.m.zeroize();
        for x in [&mut self.p.one, &mut self.p.r2, &mut self.p.r3, &mut self.q.one, &mut self.q.r2, &mut self.q.r3] {
            x.zeroize();
        }
    }
}

impl core::fmt::Debug for RsaSigner {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "RsaSigner({} bits)", 8 * self.size)
    }
}

impl RsaSigner {
    /// Prepares a validated two-prime key; `None` for other keys (multi-prime).
    pub fn new(key: &RsaPrivateKey) -> Option<RsaSigner> {
        let [p, q] = key.primes() else { return None };
        let (dp, dq, qinv) = (key.dp()?, key.dq()?, key.crt_coefficient()?);
        // Both primes padded to one limb count L, so c < n < p·2^(32L) for the reduction.
        let l = (p.bits().max(q.bits())).div_ceil(32);
        let size = key.size();
        if size.div_ceil(4) > 2 * l || l < 2 {
            return None;
        }
        Some(RsaSigner {
            p: Modulus::new(limbs(p, l).to_vec()),
            q: Modulus::new(limbs(q, l).to_vec()),
            public: RsaVerifier::new(&key.to_public_key()),
            dp: limbs(dp, l),
            dq: limbs(dq, l),
            qinv: limbs(&qinv, l),
            q_limbs: limbs(q, l),
            size,
        })
    }

    /// The RSA signature of the encoded message `em` (as many bytes as the modulus), or
    /// `None` when the self-check with the public exponent fails.
    fn sign_em(&self, em: &[u8]) -> Option<Vec<u8>> {
        let l = self.p.len();
        let c = limbs_from_be(em, 2 * l);
        // m1 = c^dp mod p, m2 = c^dq mod q (in Montgomery form, then out of it).
        let m1m = self.p.pow(&self.p.to_mont_wide(&c), &self.dp);
        let m2 = Zeroizing::new(self.q.leave_mont(&self.q.pow(&self.q.to_mont_wide(&c), &self.dq)));
        // h = qinv·(m1 − m2) mod p, with m2 brought into p's Montgomery form.
        let mut wide = Zeroizing::new(m2.to_vec());
        wide.resize(2 * l, 0);
        let m2m = self.p.to_mont_wide(&wide);
        let mut diff = Zeroizing::new(vec![0u32; l]);
        let borrow = sub_into(&mut diff, &m1m, &m2m);
        let mut fixed = Zeroizing::new(vec![0u32; l]);
        let mut carry = 0u64;
        for i in 0..l {
            let s = diff[i] as u64 + self.p.m[i] as u64 + carry;
            fixed[i] = s as u32;
            carry = s >> 32;
        }
        cmov(&mut diff, &fixed, borrow);
        let h = Zeroizing::new(self.p.mul(&diff, &self.qinv));
        // s = m2 + h·q (< n).
        let mut s = Zeroizing::new(vec![0u32; 2 * l + 1]);
        for i in 0..l {
            let mut c = 0u64;
            for j in 0..l {
                let t = s[i + j] as u64 + h[i] as u64 * self.q_limbs[j] as u64 + c;
                s[i + j] = t as u32;
                c = t >> 32;
            }
            s[i + l] = c as u32;
        }
        let mut c = 0u64;
        for i in 0..2 * l + 1 {
            let t = s[i] as u64 + if i < l { m2[i] as u64 } else { 0 } + c;
            s[i] = t as u32;
            c = t >> 32;
        }
        let sig = to_be(&s[..self.public.n.len()], self.size);
        // Fault check: s^e mod n must give back em before s leaves this function.
        (self.public.recover(&sig).as_deref() == Some(em)).then_some(sig)
    }
}

/// An RSA public key prepared once (Montgomery constants for n) for RS* verification.
#[derive(Clone)]
pub struct RsaVerifier {
    n: Modulus,
    e: Limbs,
    size: usize,
}

impl core::fmt::Debug for RsaVerifier {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "RsaVerifier({} bits)", 8 * self.size)
    }
}

impl RsaVerifier {
    /// Prepares a public key (the rsa crate has checked n and e).
    pub fn new(key: &RsaPublicKey) -> RsaVerifier {
        let size = key.size();
        RsaVerifier { n: Modulus::public(key.n(), size.div_ceil(4)), e: limbs(key.e(), 2).to_vec(), size }
    }

    /// s^e mod n as `size` bytes, for a signature s < n of exactly `size` bytes.
    fn recover(&self, sig: &[u8]) -> Option<Vec<u8>> {
        if sig.len() != self.size {
            return None;
        }
        let nl = self.n.len();
        let s = limbs_from_be(sig, nl);
        let mut tmp = vec![0u32; nl];
        if sub_into(&mut tmp, &s, &self.n.m) == 0 {
            return None; // s ≥ n
        }
        let sm = self.n.mul(&s, &self.n.r2);
        Some(to_be(&self.n.leave_mont(&self.n.pow_public(&sm, &self.e)), self.size))
    }
}

impl Modulus {
    /// base^exp in Montgomery form by square-and-multiply from the top set bit: for public
    /// exponents only (e = 65537 takes 16 squarings and 1 multiplication).
    fn pow_public(&self, base_m: &[u32], exp: &[u32]) -> Limbs {
        let n = self.len();
        let (mut wide, mut next) = (vec![0u32; 2 * n + 1], vec![0u32; n]);
        let mut acc = self.one.clone();
        let bit = |i: usize| (exp[i / 32] >> (i % 32)) & 1 == 1;
        let Some(top) = (0..32 * exp.len()).rev().find(|&i| bit(i)) else { return acc };
        acc.copy_from_slice(base_m);
        for i in (0..top).rev() {
            self.sqr_to(&acc, &mut wide, &mut next);
            core::mem::swap(&mut acc, &mut next);
            if bit(i) {
                acc = self.mul(&acc, base_m);
            }
        }
        acc
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
        Signature(encode(self.0, message, key.size).and_then(|em| key.sign_em(&em)).unwrap_or_default())
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
                    let v = RsaVerifier::new(&key.to_public_key());
                    let mut bad = ours.clone();
                    assert!(Pkcs1(hash).verify_signature(&Signature(ours), &v, msg));
                    bad[i] ^= 1;
                    assert!(!Pkcs1(hash).verify_signature(&Signature(bad), &v, msg));
                }
            }
        }
    }

    #[test]
    fn squaring_equals_multiplying_by_itself() {
        let key = fixture("rsa");
        let [p, _] = key.primes() else { unreachable!() };
        let md = Modulus::new(limbs(p, 32).to_vec());
        let n = md.len();
        let mut m_minus_1 = md.m.clone();
        m_minus_1[0] -= 1;
        let mut x = vec![0x9e37_79b9u32; n];
        x[n - 1] = 0;
        let (mut t, mut wide, mut a, mut b) = (vec![0; n + 2], vec![0; 2 * n + 1], vec![0; n], vec![0; n]);
        for v in [vec![0u32; n], md.one.clone(), m_minus_1, x] {
            let mut v = v;
            for _ in 0..50 {
                md.mul_to(&v, &v, &mut t, &mut a);
                md.sqr_to(&v, &mut wide, &mut b);
                assert_eq!(a, b);
                v = a.clone();
            }
        }
    }

    #[test]
    fn a_faulty_half_is_never_released() {
        let key = fixture("rsa");
        let mut signer = RsaSigner::new(&key).unwrap();
        signer.dq[0] ^= 1; // a fault in one CRT half
        assert!(Pkcs1(Hash::Sha256).sign(&signer, b"abc").0.is_empty());
    }
}
