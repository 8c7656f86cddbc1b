//! ES256 signing with a precomputed table of the generator, behind jwt-compact's `Algorithm`
//! trait; verification stays with the p256 crate.
//!
//! ECDSA signing spends nearly all its time in k·G. The p256 crate computes it like any
//! k·P: 256 doublings and 64 additions. G is fixed, so the multiples j·16^i·G (i < 64,
//! j < 16) are computed once per instance (about 1,000 point additions, on first use) and
//! k·G becomes 64 additions of table entries, each entry picked by a masked scan of its 16
//! candidates: no secret-dependent branch or memory index. Everything else is the p256
//! crate's own arithmetic and the RFC 6979 nonce exactly as the p256 crate derives it, so
//! signatures are byte-identical to its (a test checks that over many keys and messages).

use std::borrow::Cow;
use std::sync::OnceLock;

use jwt_compact::alg::Es256 as P256Crate;
use jwt_compact::Algorithm;
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use p256::elliptic_curve::ops::Reduce;
use p256::elliptic_curve::point::AffineCoordinates;
use p256::elliptic_curve::subtle::{ConditionallySelectable, ConstantTimeEq};
use p256::elliptic_curve::{Field, PrimeField};
use p256::{FieldBytes, ProjectivePoint, Scalar, U256};
use sha2::{Digest, Sha256};

/// The order n of P-256, big-endian (RFC 6979 takes it as bytes).
const ORDER: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa,
    0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

/// Rows of the table: one per 4-bit digit of a 256-bit scalar.
const ROWS: usize = 64;

/// table[i][j] = j·16^i·G (j = 0 is the identity).
struct Table(Vec<[ProjectivePoint; 16]>);

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut rows = Vec::with_capacity(ROWS);
        let mut base = ProjectivePoint::GENERATOR;
        for _ in 0..ROWS {
            let mut row = [ProjectivePoint::IDENTITY; 16];
            for j in 1..16 {
                row[j] = row[j - 1] + base;
            }
            base = row[15] + base; // 16·base
            rows.push(row);
        }
        Table(rows)
    })
}

/// k·G in constant time.
fn mul_by_generator(k: &Scalar) -> ProjectivePoint {
    let bytes = k.to_repr();
    let mut acc = ProjectivePoint::IDENTITY;
    for (i, row) in table().0.iter().enumerate() {
        let digit = (bytes[31 - i / 2] >> (4 * (i % 2))) & 0xf;
        let mut entry = ProjectivePoint::IDENTITY;
        for (j, point) in row.iter().enumerate() {
            entry.conditional_assign(point, (j as u8).ct_eq(&digit));
        }
        acc += entry;
    }
    acc
}

/// ECDSA over P-256 with SHA-256 and the RFC 6979 nonce (the p256 crate's `sign`, with k·G
/// from the table). `None` only for the negligible cases where r or s is zero.
fn sign(key: &SigningKey, msg: &[u8]) -> Option<Signature> {
    let digest = Sha256::digest(msg);
    let d = key.as_nonzero_scalar();
    let k = rfc6979::generate_k::<Sha256, _>(&d.to_repr(), &ORDER.into(), &digest, &[]);
    let k = Option::<Scalar>::from(Scalar::from_repr(k))?;
    let k_inv = Option::<Scalar>::from(k.invert())?;
    let z = <Scalar as Reduce<U256>>::reduce_bytes(&digest);
    let r_point = mul_by_generator(&k).to_affine();
    let r = <Scalar as Reduce<U256>>::reduce_bytes(&r_point.x());
    let s = k_inv * (z + r * d.as_ref());
    if bool::from(r.is_zero() | s.is_zero()) {
        return None;
    }
    Signature::from_scalars(FieldBytes::from(r.to_repr()), FieldBytes::from(s.to_repr())).ok()
}

/// ES256 for jwt-compact: signing as above, verifying by the p256 crate (through jwt-compact).
#[derive(Debug, Clone, Copy, Default)]
pub struct Es256;

impl Algorithm for Es256 {
    type SigningKey = SigningKey;
    type VerifyingKey = VerifyingKey;
    type Signature = Signature;

    fn name(&self) -> Cow<'static, str> {
        Cow::Borrowed("ES256")
    }

    fn sign(&self, key: &SigningKey, message: &[u8]) -> Signature {
        // The table path fails only where the p256 crate's own signing would retry too.
        sign(key, message).unwrap_or_else(|| P256Crate.sign(key, message))
    }

    fn verify_signature(&self, sig: &Signature, key: &VerifyingKey, message: &[u8]) -> bool {
        P256Crate.verify_signature(sig, key, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_multiplies_like_the_p256_crate() {
        let mut k = Scalar::from(0x1234_5678u64);
        for round in 0..40 {
            assert_eq!(mul_by_generator(&k).to_affine(), (ProjectivePoint::GENERATOR * k).to_affine(), "round {round}");
            k = k.square() + Scalar::from(round as u64 + 7);
        }
        assert_eq!(mul_by_generator(&Scalar::ZERO), ProjectivePoint::IDENTITY);
        assert_eq!(mul_by_generator(&-Scalar::ONE).to_affine(), (-ProjectivePoint::GENERATOR).to_affine());
    }

    #[test]
    fn signatures_are_the_p256_crates_bytes() {
        for seed in 1u8..=24 {
            let key = SigningKey::from_bytes(&FieldBytes::from([seed.wrapping_mul(37) | 1; 32])).unwrap();
            for msg in [&b""[..], b"abc", &[seed; 300]] {
                let ours = Es256.sign(&key, msg);
                assert_eq!(ours, P256Crate.sign(&key, msg), "seed {seed}");
                assert!(Es256.verify_signature(&ours, key.verifying_key(), msg));
            }
        }
    }
}
