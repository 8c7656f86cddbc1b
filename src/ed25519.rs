//! Ed25519 (EdDSA) behind jwt-compact's `Algorithm` trait, with the signing table built at run
//! time instead of linked into the module.
//!
//! ed25519-dalek's `fast` feature links curve25519-dalek's precomputed table of multiples of
//! the basepoint B for constant-time fixed-base multiplication: 30 KB of data that gzip hardly
//! shrinks (a tenth of the module's gzipped size). ed25519-dalek's signing, and its key
//! derivation, reference it, so both are done here: the same table is built at the first
//! signature, once per instance (`EdwardsBasepointTable::create`: 2-4 ms in wasm, most of it
//! one field inversion per entry), and a key's public half is derived without it (a
//! constant-time variable-base multiplication), so keys that never sign do not pay for it. The steps are ed25519-dalek 2.2's (RFC 8032
//! §5.1.5-5.1.7: `s` must be below ℓ, R is compared as bytes, A may be any valid point, as its
//! `verify`). A key's first verification (all a one-shot `verify` makes) computes s·B − k·A by
//! curve25519-dalek's `vartime_multiscalar_mul` (Straus, small tables of both points built per
//! call); at its second, the key builds a table of −A's multiples like the signing table of B
//! (2-4 ms, 30 KB, shared by clones), and from then on s·B − k·A is two table products with no
//! doublings: 1.6x faster, the same point. ed25519-dalek's own call,
//! `vartime_double_scalar_mul_basepoint`, is 10% faster for that first verification than
//! Straus but links an 8 KB table of B's odd multiples (7.4 KB gzipped); it is no longer called. Tests hold keys and signatures to ed25519-dalek's bytes, verdicts
//! on both paths to its verdicts, and the tables' point to its call's; Wycheproof's suite runs here.

use std::borrow::Cow;
use std::sync::OnceLock;

use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsBasepointTable, EdwardsPoint};
use curve25519_dalek::scalar::{clamp_integer, Scalar};
use curve25519_dalek::traits::{BasepointTable, VartimeMultiscalarMul};
use jwt_compact::{Algorithm, AlgorithmSignature};
use zeroize::{Zeroize, Zeroizing};

use crate::sha512;
use crate::warm::Warm;

/// Multiples of B for signing (constant-time lookups).
fn signing_table() -> &'static EdwardsBasepointTable {
    static TABLE: OnceLock<EdwardsBasepointTable> = OnceLock::new();
    TABLE.get_or_init(|| EdwardsBasepointTable::create(&ED25519_BASEPOINT_POINT))
}

/// SHA-512 of the parts, as a scalar mod ℓ.
fn hash_scalar(parts: &[&[u8]]) -> Scalar {
    // A signature's nonce comes this way: the copy is wiped like the hash.
    let mut wide = Zeroizing::new([0u8; 64]);
    wide.copy_from_slice(&sha512::hash(64, parts));
    Scalar::from_bytes_mod_order_wide(&wide)
}

/// An Ed25519 public key: its encoding, the point it decodes to, and the table of −A's
/// multiples that verification builds at the key's second use.
#[derive(Clone)]
pub struct Ed25519Public {
    compressed: CompressedEdwardsY,
    point: EdwardsPoint,
    /// −A's multiples (30 KB), built at the key's second verification, shared by clones.
    table: Warm<EdwardsBasepointTable>,
}

impl PartialEq for Ed25519Public {
    fn eq(&self, other: &Self) -> bool {
        self.compressed == other.compressed && self.point == other.point
    }
}

impl Eq for Ed25519Public {}

impl core::fmt::Debug for Ed25519Public {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("Ed25519Public").field(&self.compressed).finish()
    }
}

impl Ed25519Public {
    fn new(compressed: CompressedEdwardsY, point: EdwardsPoint) -> Ed25519Public {
        Ed25519Public { compressed, point, table: Warm::new() }
    }

    /// A public key from its 32-byte encoding; `None` when the bytes are not a point.
    pub fn from_bytes(bytes: &[u8; 32]) -> Option<Ed25519Public> {
        let compressed = CompressedEdwardsY(*bytes);
        Some(Ed25519Public::new(compressed, compressed.decompress()?))
    }

    /// The 32-byte encoding.
    pub fn as_bytes(&self) -> &[u8; 32] {
        self.compressed.as_bytes()
    }
}

/// An Ed25519 private key: the seed, and what signing derives from it (RFC 8032 §5.1.5: the
/// clamped scalar a, the nonce prefix, the public key A = a·B). Wiped on drop.
#[derive(Clone)]
pub struct Ed25519Signing {
    seed: [u8; 32],
    scalar: Scalar,
    prefix: [u8; 32],
    public: Ed25519Public,
}

impl Drop for Ed25519Signing {
    fn drop(&mut self) {
        self.seed.zeroize();
        self.scalar.zeroize();
        self.prefix.zeroize();
    }
}

impl core::fmt::Debug for Ed25519Signing {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Ed25519Signing").field("public", &self.public).finish_non_exhaustive()
    }
}

impl Ed25519Signing {
    /// The key of a 32-byte seed (every seed is one).
    pub fn from_seed(seed: &[u8; 32]) -> Ed25519Signing {
        let h = sha512::hash(64, &[seed]);
        let mut low = Zeroizing::new([0u8; 32]);
        low.copy_from_slice(&h[..32]);
        let scalar = Scalar::from_bytes_mod_order(clamp_integer(*low));
        let mut prefix = [0u8; 32];
        prefix.copy_from_slice(&h[32..]);
        // Variable-base (constant-time) multiplication: the table is built at the first
        // signature, so a key that only publishes its public half never pays for it.
        let point = ED25519_BASEPOINT_POINT * scalar;
        let public = Ed25519Public::new(point.compress(), point);
        Ed25519Signing { seed: *seed, scalar, prefix, public }
    }

    /// The public key.
    pub fn public(&self) -> &Ed25519Public {
        &self.public
    }

    /// RFC 8032 §5.1.6: r = H(prefix ‖ M), R = r·B, k = H(R ‖ A ‖ M), s = r + k·a.
    fn sign(&self, msg: &[u8]) -> Ed25519Signature {
        let mut r = hash_scalar(&[&self.prefix, msg]);
        let big_r = (signing_table() * &r).compress();
        let k = hash_scalar(&[big_r.as_bytes(), self.public.as_bytes(), msg]);
        let s = k * self.scalar + r;
        r.zeroize();
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(big_r.as_bytes());
        out[32..].copy_from_slice(s.as_bytes());
        Ed25519Signature(out)
    }
}

/// RFC 8032 §5.1.7 as ed25519-dalek's `verify`: `s` canonical, then R must be the encoding of
/// s·B − k·A with k = H(R ‖ A ‖ M). A key's first verification (all a one-shot `verify`
/// makes) is ed25519-dalek's very call; from its second on, s·B and k·(−A) come from tables of
/// multiples of B and of −A (no doublings), built then: the same point, so the same verdicts.
fn verify(key: &Ed25519Public, msg: &[u8], sig: &Ed25519Signature) -> bool {
    let (r, s_bytes) = sig.0.split_at(32);
    let mut s = [0u8; 32];
    s.copy_from_slice(s_bytes);
    let Some(s) = Option::<Scalar>::from(Scalar::from_canonical_bytes(s)) else {
        return false;
    };
    let k = hash_scalar(&[r, key.as_bytes(), msg]);
    let expected = match key.table.get(|| EdwardsBasepointTable::create(&-key.point)) {
        Some(table) => table * &k + signing_table() * &s,
        None => EdwardsPoint::vartime_multiscalar_mul([k, s], [-key.point, ED25519_BASEPOINT_POINT]),
    }
    .compress();
    expected.as_bytes()[..] == *r
}

/// A 64-byte Ed25519 signature, R ‖ s.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Ed25519Signature([u8; 64]);

impl Ed25519Signature {
    /// The signature of 64 bytes; `None` for any other length.
    pub fn from_slice(bytes: &[u8]) -> Option<Ed25519Signature> {
        Some(Ed25519Signature(bytes.try_into().ok()?))
    }
}

impl AlgorithmSignature for Ed25519Signature {
    fn try_from_slice(slice: &[u8]) -> anyhow::Result<Self> {
        Self::from_slice(slice).ok_or_else(|| anyhow::anyhow!("an Ed25519 signature is 64 bytes"))
    }
    fn as_bytes(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(&self.0)
    }
}

/// EdDSA over Ed25519 for jwt-compact.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ed25519;

impl Algorithm for Ed25519 {
    type SigningKey = Ed25519Signing;
    type VerifyingKey = Ed25519Public;
    type Signature = Ed25519Signature;

    fn name(&self) -> Cow<'static, str> {
        Cow::Borrowed("EdDSA")
    }

    fn sign(&self, key: &Ed25519Signing, message: &[u8]) -> Ed25519Signature {
        key.sign(message)
    }

    fn verify_signature(&self, sig: &Ed25519Signature, key: &Ed25519Public, message: &[u8]) -> bool {
        verify(key, message, sig)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, Verifier};
    use sha2::{Digest, Sha512};

    /// Seeds and messages from a simple generator (SHA-512 chained).
    fn stream(label: &[u8], n: usize) -> Vec<Vec<u8>> {
        let mut state = Sha512::digest(label).to_vec();
        (0..n)
            .map(|i| {
                state = Sha512::digest(&state).to_vec();
                state.iter().cycle().take(i * 7 % 200).copied().collect()
            })
            .collect()
    }

    #[test]
    fn keys_and_signatures_are_ed25519_dalek_bytes() {
        let msgs = stream(b"messages", 12);
        for (i, seed) in stream(b"seeds", 40).iter().enumerate() {
            let mut seed32 = [0u8; 32];
            for (j, b) in seed.iter().enumerate() {
                seed32[j % 32] ^= b;
            }
            seed32[0] ^= i as u8;
            let ours = Ed25519Signing::from_seed(&seed32);
            let theirs = ed25519_dalek::SigningKey::from_bytes(&seed32);
            assert_eq!(ours.public().as_bytes(), theirs.verifying_key().as_bytes(), "key {i}");
            let public = Ed25519Public::from_bytes(ours.public().as_bytes()).unwrap();
            for msg in &msgs {
                let sig = Ed25519.sign(&ours, msg);
                assert_eq!(sig.0, theirs.sign(msg).to_bytes(), "key {i}");
                assert!(Ed25519.verify_signature(&sig, &public, msg));
            }
        }
    }

    #[test]
    fn verdicts_are_ed25519_dalek_verdicts() {
        let key = Ed25519Signing::from_seed(&[7; 32]);
        let theirs = ed25519_dalek::VerifyingKey::from_bytes(key.public().as_bytes()).unwrap();
        let msg = b"eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0";
        let good = Ed25519.sign(&key, msg);
        let l = [
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ];
        let mut cases = vec![good.0];
        // Every single-bit flip, s + ℓ (malleable, not canonical), s = ℓ, R of small order.
        for bit in (0..512).step_by(5) {
            let mut s = good.0;
            s[bit / 8] ^= 1 << (bit % 8);
            cases.push(s);
        }
        let mut plus_l = good.0;
        let mut carry = 0u16;
        for i in 0..32 {
            let t = plus_l[32 + i] as u16 + l[i] as u16 + carry;
            plus_l[32 + i] = t as u8;
            carry = t >> 8;
        }
        cases.push(plus_l);
        let mut s_is_l = good.0;
        s_is_l[32..].copy_from_slice(&l);
        cases.push(s_is_l);
        let mut small_r = good.0;
        small_r[..32].copy_from_slice(&[
            1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ]);
        cases.push(small_r);
        // Each case through a key's first verification (ed25519-dalek's call) and through the
        // tables (a key verified twice before).
        let warm = key.public().clone();
        Ed25519.verify_signature(&good, &warm, msg);
        Ed25519.verify_signature(&good, &warm, msg);
        assert!(warm.table.is_built());
        for (i, case) in cases.iter().enumerate() {
            let dalek = theirs.verify(msg, &ed25519_dalek::Signature::from_bytes(case)).is_ok();
            let fresh = Ed25519Public::from_bytes(key.public().as_bytes()).unwrap();
            assert_eq!(Ed25519.verify_signature(&Ed25519Signature(*case), &fresh, msg), dalek, "case {i}, first use");
            assert_eq!(Ed25519.verify_signature(&Ed25519Signature(*case), &warm, msg), dalek, "case {i}, tables");
            assert_eq!(i == 0, dalek, "case {i}");
        }
        assert!(!Ed25519.verify_signature(&good, key.public(), b"another message"));
    }

    #[test]
    fn public_keys_decode_as_ed25519_dalek_decodes_them() {
        for bytes in stream(b"points", 64) {
            let mut x = [0u8; 32];
            for (j, b) in bytes.iter().enumerate() {
                x[j % 32] ^= b;
            }
            let ours = Ed25519Public::from_bytes(&x).map(|k| *k.as_bytes());
            let theirs = ed25519_dalek::VerifyingKey::from_bytes(&x).ok().map(|k| k.to_bytes());
            assert_eq!(ours, theirs);
        }
    }
    #[test]
    fn the_tables_compute_the_point_the_double_scalar_call_does() {
        use curve25519_dalek::constants::EIGHT_TORSION;
        let scalars: Vec<Scalar> = stream(b"scalars", 24).iter().map(|b| hash_scalar(&[b])).collect();
        // Keys with and without a small-order component (ed25519-dalek's `verify` accepts
        // both), and the small-order points themselves.
        let mut points: Vec<EdwardsPoint> =
            (1u8..5).map(|i| Ed25519Signing::from_seed(&[i; 32]).public.point).collect();
        points.push(points[0] + EIGHT_TORSION[1]);
        points.push(points[1] + EIGHT_TORSION[4]);
        points.extend(EIGHT_TORSION.iter().copied());
        let l_minus_1 = -Scalar::ONE;
        for (i, a) in points.iter().enumerate() {
            let table = EdwardsBasepointTable::create(&-a);
            for (j, (k, s)) in scalars
                .iter()
                .zip(scalars.iter().rev())
                .chain([(&l_minus_1, &Scalar::ZERO), (&Scalar::ZERO, &l_minus_1)])
                .enumerate()
            {
                let ours = &table * k + signing_table() * s;
                assert_eq!(
                    ours,
                    EdwardsPoint::vartime_double_scalar_mul_basepoint(k, &-a, s),
                    "point {i}, scalars {j}"
                );
            }
        }
    }
}
