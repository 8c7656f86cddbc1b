//! ES256 with precomputed tables of multiples, behind jwt-compact's `Algorithm` trait.
//!
//! ECDSA signing spends nearly all its time in k·G. The p256 crate computes it like any
//! k·P: 256 doublings and 64 additions. G is fixed, so with k in signed radix-16 digits
//! (−8 ≤ d < 8) the multiples j·16^i·G (i < 64, 1 ≤ j ≤ 8) are computed once per instance
//! (about 500 point additions, on first use) and k·G becomes 64 additions of table entries,
//! each entry picked by a masked scan of its 8 candidates and negated by a mask: no
//! secret-dependent branch or memory index. (Unsigned digits need 16 candidates: twice the
//! table, its building and each scan.) The points and their field are ours, in 32-bit limbs
//! (src/nistp256.rs: on wasm32 each 64-bit limb product of the p256 crate's is a call to a
//! software 128-bit multiply), and so is k⁻¹, k^(n−2) in constant time ([`invert`]). The
//! p256 crate keeps the keys (import, validation), the scalar arithmetic of s = k⁻¹(z + r·d)
//! and the signature type; the RFC 6979 nonce is derived exactly as the p256 crate derives
//! it, so signatures are byte-identical to its (a test checks that over many keys and
//! messages).
//!
//! Verification computes u1·G + u2·Q, with s⁻¹ by [`invert_public`]. Q, a public key, is
//! fixed too: each [`EcPublic`] builds the same kind of table for its Q at its second
//! verification (about 500 point operations, 50 KB), after which a verification is 128 table additions. The
//! first takes 256 doublings and 128 additions over eight multiples of G and of Q
//! ([`lincomb_vartime`]), so a one-shot call builds nothing it would drop. The values are
//! public, so entries are indexed directly. The verdicts are the p256 crate's (ECDSA as in its
//! `verify_prehashed`; Wycheproof's suite runs through both paths, and a test compares both
//! with the p256 crate over many keys).

use std::borrow::Cow;
use std::sync::OnceLock;

use jwt_compact::Algorithm;
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use p256::elliptic_curve::ops::Reduce;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::elliptic_curve::{Field, PrimeField};
use p256::{AffinePoint, FieldBytes, Scalar, U256};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

use crate::nistp256::{invert_mod_n, Point};
use crate::warm::Warm;

/// The order n of P-256, big-endian (RFC 6979 takes it as bytes).
const ORDER: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa,
    0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

/// k⁻¹ mod n in constant time ([`invert_mod_n`]: k^(n−2) in 32-bit limbs): the p256 crate's
/// own inversion was about a third of a signature, because on wasm32 each 64×64-bit limb
/// product of its scalars is a call to a software 128-bit multiply. `None` for k = 0 (never
/// an RFC 6979 output).
fn invert(k: &Scalar) -> Option<Scalar> {
    let mut bytes = k.to_repr();
    let mut inv = invert_mod_n(&bytes.into());
    bytes.zeroize();
    let result = inv.and_then(|b| Option::<Scalar>::from(Scalar::from_repr(b.into())));
    inv.zeroize();
    result
}

/// 256-bit integers as little-endian 64-bit limbs, for [`invert_public`].
type Limbs4 = [u64; 4];

/// `x = (x + carry·2^256) / 2` (x even, or made even by the caller).
fn halve(x: &mut Limbs4, carry: u64) {
    for i in 0..4 {
        let above = if i < 3 { x[i + 1] } else { carry };
        x[i] = (x[i] >> 1) | (above << 63);
    }
}

/// `x += y`; returns the carry.
fn add4(x: &mut Limbs4, y: &Limbs4) -> u64 {
    let mut carry = 0;
    for (a, &b) in x.iter_mut().zip(y) {
        let (t, c1) = a.overflowing_add(b);
        let (t, c2) = t.overflowing_add(carry);
        (*a, carry) = (t, u64::from(c1 | c2));
    }
    carry
}

/// `x −= y`; returns the borrow.
fn sub4(x: &mut Limbs4, y: &Limbs4) -> bool {
    let mut borrow = false;
    for (a, &b) in x.iter_mut().zip(y) {
        let (t, b1) = a.overflowing_sub(b);
        let (t, b2) = t.overflowing_sub(u64::from(borrow));
        (*a, borrow) = (t, b1 | b2);
    }
    borrow
}

/// s⁻¹ mod n for a public s (verification's), by the binary extended Euclidean algorithm:
/// shifts, additions and subtractions on four limbs, keeping x1·s ≡ u and x2·s ≡ v (mod n).
/// Variable-time, so never for a secret. `None` for s = 0 (n is prime, so nothing else).
fn invert_public(s: &Scalar) -> Option<Scalar> {
    let limbs = |b: &[u8]| {
        core::array::from_fn::<u64, 4, _>(|i| {
            u64::from_be_bytes(b[24 - 8 * i..32 - 8 * i].try_into().unwrap_or_default())
        })
    };
    let n = limbs(&ORDER);
    let one: Limbs4 = [1, 0, 0, 0];
    let (mut u, mut v, mut x1, mut x2) = (limbs(&s.to_repr()), n, one, [0; 4]);
    // x/2 mod n: x + n when x is odd (n is odd), then the halving takes the carry.
    let half = |x: &mut Limbs4| {
        let carry = if x[0] & 1 == 1 { add4(x, &n) } else { 0 };
        halve(x, carry);
    };
    let sub_mod = |x: &mut Limbs4, y: &Limbs4| {
        if sub4(x, y) {
            add4(x, &n);
        }
    };
    while u != one && v != one {
        if u == [0; 4] || v == [0; 4] {
            return None;
        }
        while u[0] & 1 == 0 {
            halve(&mut u, 0);
            half(&mut x1);
        }
        while v[0] & 1 == 0 {
            halve(&mut v, 0);
            half(&mut x2);
        }
        if (u[3], u[2], u[1], u[0]) >= (v[3], v[2], v[1], v[0]) {
            sub4(&mut u, &v);
            sub_mod(&mut x1, &x2);
        } else {
            sub4(&mut v, &u);
            sub_mod(&mut x2, &x1);
        }
    }
    let x = if u == one { x1 } else { x2 };
    let mut bytes = FieldBytes::default();
    for (i, limb) in x.iter().enumerate() {
        bytes[24 - 8 * i..32 - 8 * i].copy_from_slice(&limb.to_be_bytes());
    }
    Option::from(Scalar::from_repr(bytes))
}

/// Rows of the table: one per 4-bit digit of a 256-bit scalar.
const ROWS: usize = 64;

/// A scalar's 64 signed radix-16 digits, least significant first, each in [−8, 8), and the
/// carry out of the top one (0 or 1): k = Σ dᵢ·16^i + carry·16^64. Branch-free: each digit is
/// a nibble plus the carry in, less 16 when that reaches 8.
fn signed_digits(k: &Scalar) -> ([i8; ROWS], u8) {
    let mut bytes = k.to_repr();
    let mut digits = [0i8; ROWS];
    let mut carry = 0u8;
    for (i, d) in digits.iter_mut().enumerate() {
        let nibble = (bytes[31 - i / 2] >> (4 * (i % 2))) & 0xf;
        let t = nibble + carry;
        carry = (t + 8) >> 4;
        *d = (t as i8) - ((carry << 4) as i8);
    }
    bytes.zeroize();
    (digits, carry)
}

/// Multiples of a point for signed radix-16 digits: `rows[i][j]` = (j+1)·16^i·P (j < 8), and
/// `top` = 16^64·P for the last carry. Half the entries (and the building) of a table of
/// 16 multiples per digit; a negative digit negates its entry, which costs nothing.
#[derive(Clone)]
struct Table {
    rows: Vec<[Point; 8]>,
    top: Point,
}

impl Table {
    fn new(p: Point) -> Table {
        let mut rows = Vec::with_capacity(ROWS);
        let mut base = p;
        for _ in 0..ROWS {
            let mut row = [base; 8];
            for j in 1..8 {
                row[j] = row[j - 1].add(&base);
            }
            base = row[7].double(); // 16·base
            rows.push(row);
        }
        Table { rows, top: base }
    }

    /// k·P for a public k: entries indexed by k's digits.
    fn mul_vartime(&self, k: &Scalar) -> Point {
        let (digits, carry) = signed_digits(k);
        let mut acc = if carry == 1 { self.top } else { Point::IDENTITY };
        for (row, &d) in self.rows.iter().zip(&digits) {
            add_digit(&mut acc, row, d);
        }
        acc
    }

    /// k·P in constant time: each row's entry picked by a masked scan of all eight, negated
    /// by a mask, the top entry likewise.
    fn mul(&self, k: &Scalar) -> Point {
        let (mut digits, carry) = signed_digits(k);
        let mut acc = Point::select(&Point::IDENTITY, &self.top, u32::from(carry));
        for (row, &d) in self.rows.iter().zip(&digits) {
            // |d| as (d ^ m) − m with m all ones for a negative d (two's complement).
            let sign = (d as u8) >> 7;
            let magnitude = (d as u8 ^ 0u8.wrapping_sub(sign)).wrapping_add(sign);
            let mut entry = Point::IDENTITY;
            for (j, point) in row.iter().enumerate() {
                // 1 exactly when j + 1 = magnitude: the difference's high bits are all zero.
                let equal = ((u32::from(j as u8 + 1) ^ u32::from(magnitude)).wrapping_sub(1) >> 31) & 1;
                entry = Point::select(&entry, point, equal);
            }
            entry = Point::select(&entry, &entry.neg(), u32::from(sign));
            acc = acc.add(&entry);
        }
        digits.zeroize();
        acc
    }
}

/// `acc += d·P` for a public digit d in [−8, 8), `multiples[j]` being (j+1)·P.
fn add_digit(acc: &mut Point, multiples: &[Point; 8], d: i8) {
    match d {
        1.. => *acc = acc.add(&multiples[d as usize - 1]),
        ..=-1 => *acc = acc.sub(&multiples[d.unsigned_abs() as usize - 1]),
        0 => {}
    }
}

/// u1·G + u2·Q for public scalars, with no table kept: both in signed radix-16 digits
/// sharing one run of doublings (Straus), over eight multiples of G and of Q. A key's first
/// verification goes this way, so that a one-shot call builds nothing it would drop.
fn lincomb_vartime(u1: &Scalar, u2: &Scalar, q: Point) -> Point {
    let multiples = |p: Point| {
        let mut m = [p; 8];
        for j in 1..8 {
            m[j] = m[j - 1].add(&p);
        }
        m
    };
    let (g, q) = (multiples(generator()), multiples(q));
    let ((d1, c1), (d2, c2)) = (signed_digits(u1), signed_digits(u2));
    // Horner from the top: the carries are the 16^64 terms.
    let mut acc = Point::IDENTITY;
    add_digit(&mut acc, &g, c1 as i8);
    add_digit(&mut acc, &q, c2 as i8);
    for i in (0..ROWS).rev() {
        for _ in 0..4 {
            acc = acc.double();
        }
        add_digit(&mut acc, &g, d1[i]);
        add_digit(&mut acc, &q, d2[i]);
    }
    acc
}

/// A point of the p256 crate (a key's, or G) in our coordinates. Its points are on the curve,
/// so the check in [`Point::from_affine`] passes; were it ever to fail, the identity stands in
/// and every verification with it fails.
fn point(p: &AffinePoint) -> Point {
    let e = p.to_encoded_point(false);
    match (e.x(), e.y()) {
        (Some(x), Some(y)) => Point::from_affine(&(*x).into(), &(*y).into()).unwrap_or(Point::IDENTITY),
        _ => Point::IDENTITY,
    }
}

fn generator() -> Point {
    point(&AffinePoint::GENERATOR)
}

fn generator_table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| Table::new(generator()))
}

/// k·G in constant time.
fn mul_by_generator(k: &Scalar) -> Point {
    generator_table().mul(k)
}

/// ECDSA over P-256 with SHA-256 and the RFC 6979 nonce (the p256 crate's `sign`, with k·G
/// from the table). The nonce is the first candidate of RFC 6979's HMAC_DRBG in [1, n−1], as
/// the rfc6979 crate's `generate_k` takes it (so signatures are the p256 crate's bytes); where
/// r or s comes out zero (probability about 2^−256) the next candidate is taken, as RFC 6979
/// §3.2 step h.3 says, where the p256 crate's signing would fail.
fn sign(key: &SigningKey, msg: &[u8]) -> Signature {
    let digest = Sha256::digest(msg);
    let d = key.as_nonzero_scalar();
    let z = <Scalar as Reduce<U256>>::reduce_bytes(&digest);
    let mut drbg = rfc6979::HmacDrbg::<Sha256>::new(&d.to_repr(), &digest, &[]);
    loop {
        let mut k_bytes = FieldBytes::default();
        drbg.fill_bytes(&mut k_bytes);
        let k = Option::<Scalar>::from(Scalar::from_repr(k_bytes)).map(Zeroizing::new);
        k_bytes.zeroize();
        // Out of range (k ≥ n) or zero: the next candidate, as `generate_k` does.
        let Some(k) = k else { continue };
        let Some(k_inv) = invert(&k).map(Zeroizing::new) else { continue };
        // k·G is never the identity (0 < k < n); were it, the next candidate.
        let Some(x) = mul_by_generator(&k).affine_x() else { continue };
        let r = <Scalar as Reduce<U256>>::reduce_bytes(&x.into());
        let s = *k_inv * (z + r * d.as_ref());
        if bool::from(r.is_zero() | s.is_zero()) {
            continue;
        }
        if let Ok(signature) = Signature::from_scalars(FieldBytes::from(r.to_repr()), FieldBytes::from(s.to_repr())) {
            return signature;
        }
    }
}

/// A P-256 public key with the table of its multiples, built at its second verification (a
/// one-shot `verify` takes [`lincomb_vartime`] and does not pay for a table it would drop).
#[derive(Clone)]
pub struct EcPublic {
    key: VerifyingKey,
    point: Point,
    /// Q's multiples (50 KB), built at the key's second verification, shared by clones.
    table: Warm<Table>,
}

impl core::fmt::Debug for EcPublic {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("EcPublic").field(&self.key).finish()
    }
}

impl PartialEq for EcPublic {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl From<VerifyingKey> for EcPublic {
    fn from(key: VerifyingKey) -> EcPublic {
        EcPublic { key, point: point(key.as_affine()), table: Warm::new() }
    }
}

impl core::ops::Deref for EcPublic {
    type Target = VerifyingKey;
    fn deref(&self) -> &VerifyingKey {
        &self.key
    }
}

/// ECDSA verification (as the p256 crate's `verify_prehashed`): u1 = z/s, u2 = r/s, and r
/// must equal the x coordinate of u1·G + u2·Q, reduced mod n.
fn verify(key: &EcPublic, msg: &[u8], sig: &Signature) -> bool {
    let (r, s) = sig.split_scalars();
    let z = <Scalar as Reduce<U256>>::reduce_bytes(&Sha256::digest(msg));
    // Public, so a variable-time inversion (several times faster than `invert`).
    let Some(s_inv) = invert_public(&s) else { return false };
    let (u1, u2) = (z * s_inv, *r * s_inv);
    let point = match key.table.get(|| Table::new(key.point)) {
        Some(q) => generator_table().mul_vartime(&u1).add(&q.mul_vartime(&u2)),
        None => lincomb_vartime(&u1, &u2, key.point),
    };
    matches_r(&point, &r)
}

/// Whether the point's x coordinate, reduced mod n, is r (never for the identity).
fn matches_r(point: &Point, r: &Scalar) -> bool {
    point.affine_x().is_some_and(|x| <Scalar as Reduce<U256>>::reduce_bytes(&x.into()) == *r)
}

/// ES256 for jwt-compact: signing and verifying as above.
#[derive(Debug, Clone, Copy, Default)]
pub struct Es256;

impl Algorithm for Es256 {
    type SigningKey = SigningKey;
    type VerifyingKey = EcPublic;
    type Signature = Signature;

    fn name(&self) -> Cow<'static, str> {
        Cow::Borrowed("ES256")
    }

    fn sign(&self, key: &SigningKey, message: &[u8]) -> Signature {
        sign(key, message)
    }

    fn verify_signature(&self, sig: &Signature, key: &EcPublic, message: &[u8]) -> bool {
        verify(key, message, sig)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nistp256::{from_p256, same};
    use jwt_compact::alg::Es256 as P256Crate;
    use p256::ProjectivePoint;

    #[test]
    fn inversion_matches_the_p256_crate() {
        let mut k = Scalar::from(0x9e37_79b9u64);
        let edges = [Scalar::ONE, Scalar::from(2u64), -Scalar::ONE, -Scalar::from(2u64)];
        for (round, k) in edges
            .into_iter()
            .chain((0..60).map(|i| {
                k = k.square() + Scalar::from(i as u64 + 3);
                k
            }))
            .enumerate()
        {
            let inv = invert(&k).expect("nonzero");
            assert_eq!(inv, k.invert().unwrap(), "round {round}");
            assert_eq!(inv * k, Scalar::ONE);
        }
        assert!(invert(&Scalar::ZERO).is_none());
    }

    #[test]
    fn public_inversion_matches_the_p256_crate() {
        let mut k = Scalar::from(0x2545_f491u64);
        let edges = [Scalar::ONE, Scalar::from(2u64), Scalar::from(3u64), -Scalar::ONE, -Scalar::from(2u64)];
        let mut top = FieldBytes::default();
        top[0] = 0x80;
        let top = Option::<Scalar>::from(Scalar::from_repr(top)).unwrap();
        for (round, k) in edges
            .into_iter()
            .chain([top, top + Scalar::ONE])
            .chain((0..200).map(|i| {
                k = k.square() + Scalar::from(i as u64 + 5);
                k
            }))
            .enumerate()
        {
            let inv = invert_public(&k).expect("nonzero");
            assert_eq!(inv, k.invert().unwrap(), "round {round}");
        }
        assert!(invert_public(&Scalar::ZERO).is_none());
    }

    #[test]
    fn the_table_multiplies_like_the_p256_crate() {
        let mut k = Scalar::from(0x1234_5678u64);
        for round in 0..40 {
            assert!(same(&mul_by_generator(&k), &(ProjectivePoint::GENERATOR * k)), "round {round}");
            k = k.square() + Scalar::from(round as u64 + 7);
        }
        assert!(same(&mul_by_generator(&Scalar::ZERO), &ProjectivePoint::IDENTITY));
        assert!(same(&mul_by_generator(&-Scalar::ONE), &-ProjectivePoint::GENERATOR));
    }

    #[test]
    fn signed_digits_rebuild_the_scalar_and_tables_and_lincomb_multiply_like_the_p256_crate() {
        let from_bytes = |b: [u8; 32]| <Scalar as Reduce<U256>>::reduce_bytes(&FieldBytes::from(b));
        // Digit patterns at the recoding's edges: every nibble 8 (each digit carries), 7 (none
        // does), f (the top carry), alternating; n − 1, n − 2, 16^63 and small values.
        let mut scalars = vec![
            from_bytes([0x88; 32]),
            from_bytes([0x77; 32]),
            from_bytes([0xff; 32]),
            from_bytes([0x8f; 32]),
            from_bytes([0xf8; 32]),
            -Scalar::ONE,
            -Scalar::from(2u64),
            Scalar::from(8u64),
            Scalar::from(7u64),
            Scalar::ZERO,
        ];
        let mut top = [0u8; 32];
        top[0] = 0x10;
        scalars.push(from_bytes(top));
        let mut k = Scalar::from(0x5eed_u64);
        for i in 0..30 {
            k = k.square() + Scalar::from(i as u64 + 11);
            scalars.push(k);
        }
        let sixteen = Scalar::from(16u64);
        let q = ProjectivePoint::GENERATOR * Scalar::from(0xc0ffee_u64);
        let q_table = Table::new(from_p256(&q));
        for (i, k) in scalars.iter().enumerate() {
            let (digits, carry) = signed_digits(k);
            assert!(digits.iter().all(|d| (-8..8).contains(d)), "scalar {i}");
            let mut rebuilt = Scalar::from(u64::from(carry));
            for d in digits.iter().rev() {
                let term = if *d < 0 { -Scalar::from(d.unsigned_abs() as u64) } else { Scalar::from(*d as u64) };
                rebuilt = rebuilt * sixteen + term;
            }
            assert_eq!(rebuilt, *k, "scalar {i}");
            let expected = ProjectivePoint::GENERATOR * k;
            assert!(same(&mul_by_generator(k), &expected), "scalar {i}");
            assert!(same(&generator_table().mul_vartime(k), &expected), "scalar {i}");
            assert!(same(&q_table.mul_vartime(k), &(q * k)), "scalar {i}");
            assert!(same(&q_table.mul(k), &(q * k)), "scalar {i}");
            // With each other scalar of the list as u2 (carries in either, both or neither).
            let other = &scalars[(7 * i + 3) % scalars.len()];
            let sum = ProjectivePoint::GENERATOR * k + q * other;
            assert!(
                same(&lincomb_vartime(k, other, from_p256(&q)), &sum),
                "scalars {i}, {}",
                (7 * i + 3) % scalars.len()
            );
        }
        assert!(scalars.iter().any(|k| signed_digits(k).1 == 1), "some scalar carries out of the top digit");
    }

    #[test]
    fn signatures_are_the_p256_crates_bytes() {
        for seed in 1u8..=24 {
            let key = SigningKey::from_bytes(&FieldBytes::from([seed.wrapping_mul(37) | 1; 32])).unwrap();
            for msg in [&b""[..], b"abc", &[seed; 300]] {
                let ours = Es256.sign(&key, msg);
                assert_eq!(ours, P256Crate.sign(&key, msg), "seed {seed}");
                let public = EcPublic::from(*key.verifying_key());
                // The first use goes through `lincomb_vartime`, the next ones through the table.
                assert!(Es256.verify_signature(&ours, &public, msg));
                assert!(Es256.verify_signature(&ours, &public, msg));
                assert!(public.table.is_built());
                assert!(P256Crate.verify_signature(&ours, key.verifying_key(), msg));
                let other = Es256.sign(&key, b"another message");
                assert!(!Es256.verify_signature(&other, &public, msg));
                assert!(!Es256.verify_signature(&other, &EcPublic::from(*key.verifying_key()), msg), "first use");
            }
        }
    }
}
