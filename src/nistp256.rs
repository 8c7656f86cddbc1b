//! P-256's base field and points in 32-bit limbs: the arithmetic of ES256's tables
//! (src/es256.rs).
//!
//! The p256 crate keeps field elements in four 64-bit limbs. wasm has no 64×64→128-bit
//! multiply, so each of its limb products is a call to a software one (`__multi3`): profiled
//! on ES256 verification, that call and the field multiplication around it were 71% of the
//! time. Here a field element is eight 32-bit limbs, so each limb product is one native
//! 32×32→64-bit multiply. Elements are in Montgomery form (x·2^256 mod p, fully reduced), as
//! the p256 crate keeps them; since p ≡ −1 (mod 2^96), −p⁻¹ mod 2^32 is 1 and each reduction
//! step's multiplier is the low limb itself.
//!
//! Points are projective (X:Y:Z) with the complete formulas of Renes, Costello and Batina
//! ("Complete addition formulas for prime order elliptic curves", 2016; algorithms 4 and 6,
//! a = −3): no exceptional case (doubling, the identity, P + (−P)), so no branch.
//! [`invert_mod_n`] is ECDSA's k⁻¹ in the same limbs, modulo the group order n. Every
//! operation here runs in constant time (no branch or memory index depends on a value), but
//! for the answers to validity questions (a coordinate ≥ p, the identity, k = 0).

use zeroize::{Zeroize, Zeroizing};

/// p = 2^256 − 2^224 + 2^192 + 2^96 − 1, little-endian 32-bit limbs.
const P: [u32; 8] = [0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0, 0, 0, 1, 0xffff_ffff];
/// 2^512 mod p: `from_bytes` multiplies by it to enter Montgomery form.
const R2: [u32; 8] = [3, 0, 0xffff_ffff, 0xffff_fffb, 0xffff_fffe, 0xffff_ffff, 0xffff_fffd, 4];
/// 1 in Montgomery form (2^256 mod p).
const ONE: Fe = Fe([1, 0, 0, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_fffe, 0]);
/// The curve's b (y² = x³ − 3x + b), in Montgomery form.
const B: Fe =
    Fe([0x29c4_bddf, 0xd89c_df62, 0x7884_3090, 0xacf0_05cd, 0xf721_2ed6, 0xe5a2_20ab, 0x0487_4834, 0xdc30_061d]);

/// An element of the field of p, in Montgomery form, fully reduced (< p).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Fe([u32; 8]);

/// `x − m` if that does not borrow or `carry` is set (x + carry·2^256 ≥ m), else `x`: the
/// last step of every operation, for values below 2m. Masked, no branch.
#[inline(always)]
fn reduce_once(x: [u32; 8], carry: u32, m: &[u32; 8]) -> [u32; 8] {
    let mut d = [0u32; 8];
    let mut borrow = 0u64;
    for i in 0..8 {
        let t = u64::from(x[i]).wrapping_sub(u64::from(m[i])).wrapping_sub(borrow);
        d[i] = t as u32;
        borrow = t >> 63;
    }
    // Keep d when carry = 1 or borrow = 0.
    let keep_d = carry | (borrow as u32 ^ 1);
    let mask = 0u32.wrapping_sub(keep_d);
    core::array::from_fn(|i| (d[i] & mask) | (x[i] & !mask))
}

/// a·b in unnormalized 64-bit columns: each limb product adds its low half to its column and
/// its high half to the next, so no carry chain runs through the multiplications.
#[inline(always)]
fn product(a: &[u32; 8], b: &[u32; 8]) -> [i64; 16] {
    let mut t = [0i64; 16];
    // The rows written out: as a loop over rows LLVM kept the columns in memory (and
    // vectorized half of it); unrolled, they live in locals: ES256 signing 247 → 228 µs.
    #[inline(always)]
    fn row(t: &mut [i64; 16], i: usize, ai: u32, b: &[u32; 8]) {
        for j in 0..8 {
            let p = u64::from(ai) * u64::from(b[j]);
            t[i + j] += (p & 0xffff_ffff) as i64;
            t[i + j + 1] += (p >> 32) as i64;
        }
    }
    row(&mut t, 0, a[0], b);
    row(&mut t, 1, a[1], b);
    row(&mut t, 2, a[2], b);
    row(&mut t, 3, a[3], b);
    row(&mut t, 4, a[4], b);
    row(&mut t, 5, a[5], b);
    row(&mut t, 6, a[6], b);
    row(&mut t, 7, a[7], b);
    t
}

/// a² as [`product`] makes it: each cross product once, doubled, then the squares (36
/// products instead of 64).
#[inline(always)]
fn square_product(a: &[u32; 8]) -> [i64; 16] {
    let mut t = [0i64; 16];
    for i in 0..8 {
        for j in i + 1..8 {
            let p = u64::from(a[i]) * u64::from(a[j]);
            t[i + j] += (p & 0xffff_ffff) as i64;
            t[i + j + 1] += (p >> 32) as i64;
        }
    }
    for x in t.iter_mut() {
        *x <<= 1;
    }
    for i in 0..8 {
        let p = u64::from(a[i]) * u64::from(a[i]);
        t[2 * i] += (p & 0xffff_ffff) as i64;
        t[2 * i + 1] += (p >> 32) as i64;
    }
    t
}

/// Limbs 8..16 of `t` (signed, unnormalized) as eight limbs and the carry out of the top.
#[inline(always)]
fn normalize_high(t: &[i64; 16]) -> ([u32; 8], u32) {
    let mut out = [0u32; 8];
    let mut carry = 0i64;
    for (k, limb) in out.iter_mut().enumerate() {
        let v = t[k + 8] + carry;
        *limb = v as u32;
        // Arithmetic shift: a limb may be negative, and its carry too.
        carry = v >> 32;
    }
    (out, carry as u32)
}

/// 32 big-endian bytes as little-endian limbs, and whether the value is below `m`.
fn limbs_below(bytes: &[u8; 32], m: &[u32; 8]) -> ([u32; 8], bool) {
    let limbs: [u32; 8] = core::array::from_fn(|i| {
        u32::from_be_bytes([bytes[28 - 4 * i], bytes[29 - 4 * i], bytes[30 - 4 * i], bytes[31 - 4 * i]])
    });
    // Below m exactly when subtracting m borrows.
    let mut borrow = 0u64;
    for i in 0..8 {
        borrow = u64::from(limbs[i]).wrapping_sub(u64::from(m[i])).wrapping_sub(borrow) >> 63;
    }
    (limbs, borrow == 1)
}

/// Little-endian limbs as 32 big-endian bytes.
fn to_be_bytes(x: &[u32; 8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, limb) in x.iter().enumerate() {
        out[28 - 4 * i..32 - 4 * i].copy_from_slice(&limb.to_be_bytes());
    }
    out
}

impl Fe {
    pub(crate) const ZERO: Fe = Fe([0; 8]);

    /// t·2^−256 mod p for a product t < p² in [`product`]'s columns, by Montgomery reduction:
    /// step i clears limb i by adding m·p·2^(32i), m = limb i mod 2^32 (−p⁻¹ ≡ 1 mod 2^32),
    /// which by p's shape is +m at limbs i+3, i+6 and i+8 and −m at i+7 (limb i's own −m
    /// leaves only its carry): no multiplication. The result, (t + M·p)/2^256, is below 2p.
    #[inline(always)]
    fn mont_reduce(mut t: [i64; 16]) -> Fe {
        for i in 0..8 {
            let m = t[i] & 0xffff_ffff;
            // Arithmetic shift: a limb may be negative (limb 7 after step 0), and its carry too.
            t[i + 1] += t[i] >> 32;
            t[i + 3] += m;
            t[i + 6] += m;
            t[i + 7] -= m;
            t[i + 8] += m;
        }
        // Below 2p < 2^257: the carry out of the top limb is 0 or 1.
        let (out, carry) = normalize_high(&t);
        Fe(reduce_once(out, carry, &P))
    }

    pub(crate) fn mul(&self, other: &Fe) -> Fe {
        Fe::mont_reduce(product(&self.0, &other.0))
    }

    pub(crate) fn square(&self) -> Fe {
        Fe::mont_reduce(square_product(&self.0))
    }

    pub(crate) fn add(&self, other: &Fe) -> Fe {
        let mut s = [0u32; 8];
        let mut carry = 0u64;
        for (i, limb) in s.iter_mut().enumerate() {
            let t = u64::from(self.0[i]) + u64::from(other.0[i]) + carry;
            *limb = t as u32;
            carry = t >> 32;
        }
        Fe(reduce_once(s, carry as u32, &P))
    }

    pub(crate) fn sub(&self, other: &Fe) -> Fe {
        let mut d = [0u32; 8];
        let mut borrow = 0u64;
        for (i, limb) in d.iter_mut().enumerate() {
            let t = u64::from(self.0[i]).wrapping_sub(u64::from(other.0[i])).wrapping_sub(borrow);
            *limb = t as u32;
            borrow = t >> 63;
        }
        // Add p back where it borrowed (masked).
        let mask = 0u32.wrapping_sub(borrow as u32);
        let mut carry = 0u64;
        for (i, limb) in d.iter_mut().enumerate() {
            let t = u64::from(*limb) + u64::from(P[i] & mask) + carry;
            *limb = t as u32;
            carry = t >> 32;
        }
        Fe(d)
    }

    pub(crate) fn neg(&self) -> Fe {
        Fe::ZERO.sub(self)
    }

    /// `self` squared `k` times.
    fn square_times(&self, k: u32) -> Fe {
        let mut x = *self;
        for _ in 0..k {
            x = x.square();
        }
        x
    }

    /// self^(p−2) = self⁻¹ (0 for 0), by a fixed chain of 255 squarings and 12 multiplications:
    /// p − 2 = ffffffff 00000001 00000000 00000000 00000000 ffffffff ffffffff fffffffd (hex),
    /// built from x^(2^k − 1) for k = 2, 3, 6, 12, 15, 30, 32. The exponent is public.
    pub(crate) fn invert(&self) -> Fe {
        let x1 = *self;
        let x2 = x1.square().mul(&x1);
        let x3 = x2.square().mul(&x1);
        let x6 = x3.square_times(3).mul(&x3);
        let x12 = x6.square_times(6).mul(&x6);
        let x15 = x12.square_times(3).mul(&x3);
        let x30 = x15.square_times(15).mul(&x15);
        let x32 = x30.square_times(2).mul(&x2);
        let r = x32.square_times(32).mul(&x1); // ffffffff 00000001
        let r = r.square_times(128).mul(&x32); // … 00000000 ×3, ffffffff
        let r = r.square_times(32).mul(&x32); // … ffffffff
        let r = r.square_times(30).mul(&x30); // … 30 ones
        r.square_times(2).mul(&x1) // … 01: fffffffd
    }

    /// From 32 big-endian bytes; `None` unless the value is below p.
    pub(crate) fn from_bytes(bytes: &[u8; 32]) -> Option<Fe> {
        let (limbs, below) = limbs_below(bytes, &P);
        below.then(|| Fe(limbs).mul(&Fe(R2)))
    }

    /// The canonical value, 32 big-endian bytes (leaving Montgomery form: a product with 1).
    pub(crate) fn to_bytes(self) -> [u8; 32] {
        to_be_bytes(&self.mul(&Fe([1, 0, 0, 0, 0, 0, 0, 0])).0)
    }

    pub(crate) fn is_zero(&self) -> bool {
        self.0.iter().fold(0, |acc, &l| acc | l) == 0
    }

    /// `b` where `choice` is 1, else `a` (choice 0 or 1), by masks.
    fn select(a: &Fe, b: &Fe, choice: u32) -> Fe {
        let mask = 0u32.wrapping_sub(choice);
        Fe(core::array::from_fn(|i| (a.0[i] & !mask) | (b.0[i] & mask)))
    }
}

/// n, the order of the group, little-endian 32-bit limbs.
const N: [u32; 8] = [0xfc63_2551, 0xf3b9_cac2, 0xa717_9e84, 0xbce6_faad, 0xffff_ffff, 0xffff_ffff, 0, 0xffff_ffff];
/// −n⁻¹ mod 2^32, the multiplier of each Montgomery reduction step mod n.
const N_INV: u32 = 0xee00_bc4f;
/// 2^512 mod n.
const R2_N: [u32; 8] =
    [0xbe79_eea2, 0x8324_4c95, 0x49bd_6fa6, 0x4699_799c, 0x2b6b_ec59, 0x2845_b239, 0xf3d9_5620, 0x66e1_2d94];

/// An integer mod n in Montgomery form, fully reduced: for ECDSA's k⁻¹, in constant time.
#[derive(Clone, Copy)]
struct ScalarN([u32; 8]);

impl ScalarN {
    /// t·2^−256 mod n (t < n², [`product`]'s columns, every column non-negative), by
    /// Montgomery reduction with m = limb i · (−n⁻¹) mod 2^32 at step i; n's limbs that are
    /// all ones or zero make their products shifts or nothing.
    #[inline(always)]
    fn mont_reduce(mut t: [i64; 16]) -> ScalarN {
        #[inline(always)]
        fn step(t: &mut [i64; 16], i: usize) {
            let m = u64::from((t[i] as u32).wrapping_mul(N_INV));
            for j in 0..8 {
                let p = m * u64::from(N[j]);
                t[i + j] += (p & 0xffff_ffff) as i64;
                t[i + j + 1] += (p >> 32) as i64;
            }
            // Limb i is now a multiple of 2^32: its carry moves up.
            t[i + 1] += t[i] >> 32;
        }
        // Written out, as in `product`.
        step(&mut t, 0);
        step(&mut t, 1);
        step(&mut t, 2);
        step(&mut t, 3);
        step(&mut t, 4);
        step(&mut t, 5);
        step(&mut t, 6);
        step(&mut t, 7);
        let (out, carry) = normalize_high(&t);
        ScalarN(reduce_once(out, carry, &N))
    }

    fn mul(&self, other: &ScalarN) -> ScalarN {
        ScalarN::mont_reduce(product(&self.0, &other.0))
    }

    fn square(&self) -> ScalarN {
        ScalarN::mont_reduce(square_product(&self.0))
    }
}

impl Zeroize for ScalarN {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}

/// k⁻¹ mod n as k^(n−2) (Fermat; n is prime), for k given as 32 big-endian bytes below n, in
/// constant time: four-bit windows of the public exponent, so the 16 powers are indexed by
/// the exponent's bits, never by k's; the same squarings and multiplications for every k.
/// `None` for k = 0 or k ≥ n (neither an RFC 6979 nonce).
pub(crate) fn invert_mod_n(k: &[u8; 32]) -> Option<[u8; 32]> {
    let (mut limbs, below) = limbs_below(k, &N);
    let zero = limbs.iter().fold(0, |acc, &l| acc | l) == 0;
    if !below || zero {
        limbs.zeroize();
        return None;
    }
    let x = Zeroizing::new(ScalarN(limbs).mul(&ScalarN(R2_N)));
    limbs.zeroize();
    let mut powers = Zeroizing::new([ScalarN([0; 8]); 16]);
    // 1 in Montgomery form (2^256 mod n): R2_N times 1.
    powers[0] = ScalarN(R2_N).mul(&ScalarN([1, 0, 0, 0, 0, 0, 0, 0]));
    for i in 1..16 {
        powers[i] = powers[i - 1].mul(&x);
    }
    let exponent = {
        let mut e = N;
        e[0] -= 2;
        e
    };
    let mut acc = Zeroizing::new(powers[(exponent[7] >> 28) as usize]);
    for nibble in (0..63).rev() {
        for _ in 0..4 {
            *acc = acc.square();
        }
        let window = (exponent[nibble / 8] >> (4 * (nibble % 8))) & 0xf;
        *acc = acc.mul(&powers[window as usize]);
    }
    // Out of Montgomery form: a product with 1.
    let out = to_be_bytes(&acc.mul(&ScalarN([1, 0, 0, 0, 0, 0, 0, 0])).0);
    Some(out)
}

/// A point in projective coordinates (X:Y:Z): x = X/Z, y = Y/Z; the identity is (0:1:0).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Point {
    x: Fe,
    y: Fe,
    z: Fe,
}

impl Point {
    pub(crate) const IDENTITY: Point = Point { x: Fe::ZERO, y: ONE, z: Fe::ZERO };

    /// The affine point (x, y), given as 32-byte big-endian coordinates; `None` unless both
    /// are below p and the point is on the curve.
    pub(crate) fn from_affine(x: &[u8; 32], y: &[u8; 32]) -> Option<Point> {
        let (x, y) = (Fe::from_bytes(x)?, Fe::from_bytes(y)?);
        // y² = x³ − 3x + b
        let three_x = x.add(&x).add(&x);
        let rhs = x.square().mul(&x).sub(&three_x).add(&B);
        (y.square() == rhs).then_some(Point { x, y, z: ONE })
    }

    /// x = X/Z as 32 big-endian bytes, or `None` for the identity (Z = 0). Constant time but
    /// for that answer.
    pub(crate) fn affine_x(&self) -> Option<[u8; 32]> {
        (!self.z.is_zero()).then(|| self.x.mul(&self.z.invert()).to_bytes())
    }

    /// (x, y) as 32-byte big-endian coordinates, or `None` for the identity.
    #[cfg(test)]
    pub(crate) fn affine(&self) -> Option<([u8; 32], [u8; 32])> {
        let z_inv = self.z.invert();
        (!self.z.is_zero()).then(|| (self.x.mul(&z_inv).to_bytes(), self.y.mul(&z_inv).to_bytes()))
    }

    pub(crate) fn neg(&self) -> Point {
        Point { x: self.x, y: self.y.neg(), z: self.z }
    }

    /// `b` where `choice` is 1, else `a` (choice 0 or 1), by masks.
    pub(crate) fn select(a: &Point, b: &Point, choice: u32) -> Point {
        Point {
            x: Fe::select(&a.x, &b.x, choice),
            y: Fe::select(&a.y, &b.y, choice),
            z: Fe::select(&a.z, &b.z, choice),
        }
    }

    /// P + Q for any P, Q (RCB algorithm 4, a = −3; 12 multiplications, 2 by b).
    pub(crate) fn add(&self, q: &Point) -> Point {
        let (x1, y1, z1) = (&self.x, &self.y, &self.z);
        let (x2, y2, z2) = (&q.x, &q.y, &q.z);
        let mut t0 = x1.mul(x2);
        let mut t1 = y1.mul(y2);
        let mut t2 = z1.mul(z2);
        let mut t3 = x1.add(y1);
        let mut t4 = x2.add(y2);
        t3 = t3.mul(&t4);
        t4 = t0.add(&t1);
        t3 = t3.sub(&t4);
        t4 = y1.add(z1);
        let mut x3 = y2.add(z2);
        t4 = t4.mul(&x3);
        x3 = t1.add(&t2);
        t4 = t4.sub(&x3);
        x3 = x1.add(z1);
        let mut y3 = x2.add(z2);
        x3 = x3.mul(&y3);
        y3 = t0.add(&t2);
        y3 = x3.sub(&y3);
        let mut z3 = B.mul(&t2);
        x3 = y3.sub(&z3);
        z3 = x3.add(&x3);
        x3 = x3.add(&z3);
        z3 = t1.sub(&x3);
        x3 = t1.add(&x3);
        y3 = B.mul(&y3);
        t1 = t2.add(&t2);
        t2 = t1.add(&t2);
        y3 = y3.sub(&t2);
        y3 = y3.sub(&t0);
        t1 = y3.add(&y3);
        y3 = t1.add(&y3);
        t1 = t0.add(&t0);
        t0 = t1.add(&t0);
        t0 = t0.sub(&t2);
        t1 = t4.mul(&y3);
        t2 = t0.mul(&y3);
        y3 = x3.mul(&z3);
        y3 = y3.add(&t2);
        x3 = t3.mul(&x3);
        x3 = x3.sub(&t1);
        z3 = t4.mul(&z3);
        t1 = t3.mul(&t0);
        z3 = z3.add(&t1);
        Point { x: x3, y: y3, z: z3 }
    }

    pub(crate) fn sub(&self, q: &Point) -> Point {
        self.add(&q.neg())
    }

    /// 2P for any P (RCB algorithm 6, a = −3; 8 multiplications, 3 squarings, 2 by b).
    pub(crate) fn double(&self) -> Point {
        let (x, y, z) = (&self.x, &self.y, &self.z);
        let mut t0 = x.square();
        let t1 = y.square();
        let mut t2 = z.square();
        let mut t3 = x.mul(y);
        t3 = t3.add(&t3);
        let mut z3 = x.mul(z);
        z3 = z3.add(&z3);
        let mut y3 = B.mul(&t2);
        y3 = y3.sub(&z3);
        let mut x3 = y3.add(&y3);
        y3 = x3.add(&y3);
        x3 = t1.sub(&y3);
        y3 = t1.add(&y3);
        y3 = x3.mul(&y3);
        x3 = x3.mul(&t3);
        t3 = t2.add(&t2);
        t2 = t2.add(&t3);
        z3 = B.mul(&z3);
        z3 = z3.sub(&t2);
        z3 = z3.sub(&t0);
        t3 = z3.add(&z3);
        z3 = z3.add(&t3);
        t3 = t0.add(&t0);
        t0 = t3.add(&t0);
        t0 = t0.sub(&t2);
        t0 = t0.mul(&z3);
        y3 = y3.add(&t0);
        t0 = y.mul(z);
        t0 = t0.add(&t0);
        z3 = t0.mul(&z3);
        x3 = x3.sub(&z3);
        z3 = t0.mul(&t1);
        z3 = z3.add(&z3);
        z3 = z3.add(&z3);
        Point { x: x3, y: y3, z: z3 }
    }
}

/// The p256 crate's point as ours (tests compare the two).
#[cfg(test)]
pub(crate) fn from_p256(q: &p256::ProjectivePoint) -> Point {
    use p256::elliptic_curve::group::Group;
    use p256::elliptic_curve::sec1::ToEncodedPoint;
    if bool::from(q.is_identity()) {
        return Point::IDENTITY;
    }
    let e = q.to_affine().to_encoded_point(false);
    let coordinate = |c: Option<&p256::FieldBytes>| <[u8; 32]>::from(*c.expect("affine"));
    Point::from_affine(&coordinate(e.x()), &coordinate(e.y())).expect("on the curve")
}

/// Whether ours and the p256 crate's are the same point.
#[cfg(test)]
pub(crate) fn same(a: &Point, b: &p256::ProjectivePoint) -> bool {
    use p256::elliptic_curve::group::Group;
    use p256::elliptic_curve::sec1::ToEncodedPoint;
    match (a.affine(), bool::from(b.is_identity())) {
        (None, true) => true,
        (Some((x, y)), false) => {
            let e = b.to_affine().to_encoded_point(false);
            e.x().is_some_and(|ex| x[..] == ex[..]) && e.y().is_some_and(|ey| y[..] == ey[..])
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_bigint::BigUint;
    use p256::elliptic_curve::group::Group;
    use p256::elliptic_curve::sec1::ToEncodedPoint;
    use p256::{ProjectivePoint, Scalar};

    fn p() -> BigUint {
        BigUint::from_bytes_le(&P.iter().flat_map(|l| l.to_le_bytes()).collect::<Vec<_>>())
    }

    fn big(x: &Fe) -> BigUint {
        BigUint::from_bytes_be(&x.to_bytes())
    }

    fn fe(x: &BigUint) -> Fe {
        let mut bytes = [0u8; 32];
        let b = x.to_bytes_be();
        bytes[32 - b.len()..].copy_from_slice(&b);
        Fe::from_bytes(&bytes).expect("below p")
    }

    /// Values at the edges (0, 1, 2, p − 1, p − 2, limbs all ones, 2^255, 2^224 …) and a
    /// deterministic spread.
    fn values() -> Vec<BigUint> {
        let p = p();
        let one = BigUint::from(1u32);
        let mut v = vec![
            BigUint::from(0u32),
            one.clone(),
            BigUint::from(2u32),
            &p - 1u32,
            &p - 2u32,
            (&one << 255u32),
            (&one << 224u32),
            (&one << 224u32) - 1u32,
            (&one << 96u32) - 1u32,
            (&one << 192u32),
            (&one << 256u32) - &p - 1u32,
            &p - (&one << 224u32),
        ];
        let mut x = BigUint::from(0x9e37_79b9_7f4a_7c15u64);
        for i in 0..150u32 {
            x = (&x * &x + i + 3u32) % &p;
            v.push(x.clone());
        }
        v
    }

    #[test]
    fn field_operations_match_big_integers() {
        let p = p();
        let vs = values();
        for (i, a) in vs.iter().enumerate() {
            let fa = fe(a);
            assert_eq!(&big(&fa), a, "round trip {i}");
            assert_eq!(big(&fa.neg()), (&p - a) % &p, "neg {i}");
            assert_eq!(big(&fa.square()), a * a % &p, "square {i}");
            if a != &BigUint::from(0u32) {
                assert_eq!(big(&fa.invert()) * a % &p, BigUint::from(1u32), "invert {i}");
            }
            for j in [(i * 7 + 1) % vs.len(), (i * 13 + 5) % vs.len(), i] {
                let (b, fb) = (&vs[j], fe(&vs[j]));
                assert_eq!(big(&fa.mul(&fb)), a * b % &p, "mul {i} {j}");
                assert_eq!(big(&fa.add(&fb)), (a + b) % &p, "add {i} {j}");
                assert_eq!(big(&fa.sub(&fb)), (a + &p - b) % &p, "sub {i} {j}");
            }
        }
        assert!(Fe::ZERO.invert().is_zero());
        // p and above are refused.
        let mut bytes = [0u8; 32];
        bytes.copy_from_slice(&p.to_bytes_be());
        assert!(Fe::from_bytes(&bytes).is_none());
        assert!(Fe::from_bytes(&[0xff; 32]).is_none());
        bytes[31] -= 1;
        assert!(Fe::from_bytes(&bytes).is_some());
    }

    #[test]
    fn points_add_and_double_as_the_p256_crate_does() {
        let g = ProjectivePoint::GENERATOR;
        let mut k = Scalar::from(0x5eed_u64);
        let mut points = vec![ProjectivePoint::IDENTITY, g, -g, g.double(), g * -Scalar::ONE.double()];
        for i in 0..25u64 {
            k = k.square() + Scalar::from(i + 1);
            points.push(g * k);
        }
        for (i, a) in points.iter().enumerate() {
            let oa = from_p256(a);
            assert!(same(&oa.double(), &a.double()), "double {i}");
            assert!(same(&oa.neg(), &-*a), "neg {i}");
            for (j, b) in points.iter().enumerate() {
                let ob = from_p256(b);
                assert!(same(&oa.add(&ob), &(*a + b)), "add {i} {j}");
                assert!(same(&oa.sub(&ob), &(*a - b)), "sub {i} {j}");
                // Operands in other projective representations of the same points.
                let scaled =
                    Point { x: ob.x.mul(&ob.z.add(&ONE)), y: ob.y.mul(&ob.z.add(&ONE)), z: ob.z.mul(&ob.z.add(&ONE)) };
                assert!(same(&oa.add(&scaled), &(*a + b)), "add scaled {i} {j}");
            }
            assert!(same(&Point::select(&oa, &Point::IDENTITY, 1), &ProjectivePoint::IDENTITY));
            assert!(same(&Point::select(&oa, &Point::IDENTITY, 0), a));
        }
        // Points off the curve and coordinates ≥ p are refused.
        let e = g.to_affine().to_encoded_point(false);
        let (x, mut y) =
            (<[u8; 32]>::try_from(&e.x().unwrap()[..]).unwrap(), <[u8; 32]>::try_from(&e.y().unwrap()[..]).unwrap());
        assert!(Point::from_affine(&x, &y).is_some());
        y[31] ^= 1;
        assert!(Point::from_affine(&x, &y).is_none());
        assert!(Point::from_affine(&[0xff; 32], &y).is_none());
        assert!(Point::IDENTITY.affine_x().is_none());
    }
}
