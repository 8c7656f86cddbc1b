//! RSA's two CRT exponentiations run side by side, one in each SIMD lane: row entry c holds
//! column c of the computation modulo p in one lane and modulo q in the other.
//!
//! The vector work is that of two separate exponentiations, but the two scalar reduction
//! chains (one per prime, independent) now run together and hide each other's latency, and
//! limb j of an operand is one aligned two-lane load (no padded and shifted copies as in
//! [`super::Chunk`]). Each lane picks its window's table entry by its own masked scan of the
//! whole table.

use zeroize::{Zeroize, Zeroizing};

use super::lanes::{self, add, double, load, mul_add, pair, store, Pair};
use super::{int, selects, settle, window, Chain, Limbs, Modulus, Table, SIZE, WINDOW};

/// Limb j of both values: the one modulo p at 2j, the one modulo q at 2j + 1.
type Pairs = Vec<f64>;

/// The operand and the modulus interleaved, so that one pointer walks both (V8 gives each
/// array a loop walks its own register and address arithmetic): quad j holds limb j of the
/// operand (both lanes) and then limb j of the moduli; quad n is zero (the passes read one
/// past the top limb).
type Ops = Vec<f64>;

/// `t += x₀·s[j] + x₁·s[j−1] + x₂·u[j] + x₃·u[j−1]` for each column of `t`, with s the
/// operand and u the moduli in `ops` from quad j − 1 of `t`'s first column: rows i and i+1 of
/// a product and of its reduction in one pass. The previous limb is carried over in a
/// register, so each is loaded once.
#[inline(always)]
fn pass4(t: &mut [f64], ops: &[f64], x: [Pair; 4]) {
    let (mut s_prev, mut u_prev) = (load(&ops[0..2]), load(&ops[2..4]));
    for (t, o) in t.chunks_exact_mut(2).zip(ops[4..].chunks_exact(4)) {
        let (s, u) = (load(&o[0..2]), load(&o[2..4]));
        let v = mul_add(mul_add(load(t), x[0], s), x[1], s_prev);
        store(t, mul_add(mul_add(v, x[2], u), x[3], u_prev));
        (s_prev, u_prev) = (s, u);
    }
}

/// `t += x·s[j] + y·s[j−1]` for each column of `t`, with s the operand (`AT` = 0) or the
/// moduli (`AT` = 2), `ops` as in [`pass4`].
#[inline(always)]
fn pass2<const AT: usize>(t: &mut [f64], ops: &[f64], x: Pair, y: Pair) {
    let mut prev = load(&ops[AT..AT + 2]);
    for (t, o) in t.chunks_exact_mut(2).zip(ops[4..].chunks_exact(4)) {
        let s = load(&o[AT..AT + 2]);
        store(t, mul_add(mul_add(load(t), x, s), y, prev));
        prev = s;
    }
}

/// Carries n pairs of column sums (below 2^53; plus a carry per lane, below 2^(55−W), into
/// the first) into the operand slots of `ops`, as limbs below 2^W + 2^(55−2W) (2^23 + 2^9 at
/// W = 23) instead of 2^W: carry-save, two rounds of splitting every entry at bit W and adding
/// its high part to the entry above, in two-lane float arithmetic (every step exact) with no
/// serial carry chain. Products of such limbs exceed 2^(2W) by a factor below 1 + 2^(57−3W),
/// which the sums' bound (`max_limbs`) absorbs with room to spare: below 2^53 − 2^(2W+2) +
/// 2^(109−3W). The table's integer copies and the chains take these limbs as they are; the
/// result of [`Twin::pow`] is normalized exactly.
#[inline(never)]
fn normalize<const W: u32>(row: &[f64], carry: [u64; 2], ops: &mut [f64]) {
    let (mut up1, mut up2) = (pair(carry[0] as f64, carry[1] as f64), pair(0.0, 0.0));
    for (o, r) in ops.chunks_exact_mut(4).zip(row.chunks_exact(2)) {
        let (lo, hi) = lanes::split::<W>(load(r));
        let (lo2, hi2) = lanes::split::<W>(add(lo, up1));
        store(&mut o[0..2], add(lo2, up2));
        (up1, up2) = (hi, hi2);
    }
}

/// `a` and `b` (n limbs each) as n pairs and a zero pair.
fn zip(a: &[f64], b: &[f64], n: usize) -> Pairs {
    let mut out: Pairs = a[..n].iter().zip(&b[..n]).flat_map(|(&x, &y)| [x, y]).collect();
    out.extend([0.0, 0.0]);
    out
}

/// RSA's primes p and q, prepared as [`Modulus`]es of one limb count n, for exponentiations
/// side by side (with the same R, so values keep their Montgomery form).
#[derive(Clone)]
pub(crate) struct Twin<const W: u32> {
    p: Modulus<W>,
    q: Modulus<W>,
    /// The moduli in the slots of the interleaved operands (operand slots zero).
    ops: Ops,
    /// R mod p and R mod q as pairs: the Montgomery one.
    one: Pairs,
}

impl<const W: u32> Drop for Twin<W> {
    fn drop(&mut self) {
        self.ops.zeroize();
        self.one.zeroize();
    }
}

/// Scratch for the products: the row of column-sum pairs (2n + 2) and the interleaved
/// operands, whose operand slots hold the accumulator. Wiped on drop.
struct Scratch {
    row: Vec<f64>,
    ops: Ops,
}

impl Drop for Scratch {
    fn drop(&mut self) {
        self.row.zeroize();
        self.ops.zeroize();
    }
}

/// Writes n limb pairs into the operand slots of `ops`.
fn set_operand(ops: &mut [f64], pairs: &[f64]) {
    for (o, p) in ops.chunks_exact_mut(4).zip(pairs.chunks_exact(2)) {
        o[..2].copy_from_slice(p);
    }
}

impl<const W: u32> Twin<W> {
    /// `None` unless both have one limb count.
    pub(crate) fn new(p: Modulus<W>, q: Modulus<W>) -> Option<Twin<W>> {
        let n = p.len();
        if q.len() != n {
            return None;
        }
        let mut ops = vec![0.0; 4 * (n + 1)];
        for (o, (&x, &y)) in ops.chunks_exact_mut(4).zip(p.m.iter().zip(&q.m)) {
            (o[2], o[3]) = (x, y);
        }
        Some(Twin { ops, one: zip(&p.one, &q.one, n), p, q })
    }

    fn len(&self) -> usize {
        self.p.len()
    }

    /// The prime p as prepared for [`Modulus`]' arithmetic.
    pub(crate) fn p(&self) -> &Modulus<W> {
        &self.p
    }

    /// The prime q likewise.
    pub(crate) fn q(&self) -> &Modulus<W> {
        &self.q
    }

    /// Both lanes' reduction chains for the step at rows i, i+1 (see [`Modulus::chain`]).
    #[inline(always)]
    fn chains(&self, row: &[f64], i: usize, prev: &[Chain; 2], a: Option<&[f64]>, b: &[[u64; 4]; 2]) -> [Chain; 2] {
        let limbs = |l: usize| a.map_or([0, 0], |a| [int(a[2 * i + l]), int(a[2 * i + 2 + l])]);
        [
            self.p.chain(row[2 * i], row[2 * i + 2], prev[0].owed, prev[0].carry, limbs(0), b[0]),
            self.q.chain(row[2 * i + 1], row[2 * i + 3], prev[1].owed, prev[1].carry, limbs(1), b[1]),
        ]
    }

    /// Adds what the last step owes rows n and n+1; returns the carries into row n.
    fn settle(&self, row: &mut [f64], last: &[Chain; 2]) -> [u64; 2] {
        let n = self.len();
        settle(&mut row[2 * n..2 * n + 2], [last[0].owed[0], last[1].owed[0]]);
        settle(&mut row[2 * n + 2..2 * n + 4], [last[0].owed[1], last[1].owed[1]]);
        [last[0].carry, last[1].carry]
    }

    /// The rows of `a·b·R⁻¹` in both lanes (a: n pairs; b in the operand slots of `ops`);
    /// returns each lane's carry into row n.
    #[inline(never)]
    fn mul_rows(&self, a: &[f64], ops: &[f64], row: &mut [f64]) -> [u64; 2] {
        let n = self.len();
        row.fill(0.0);
        let low = |l: usize| [0, 1, 2, 3].map(|j| int(ops[4 * j + l]));
        let b_low = [low(0), low(1)];
        let start = Chain { q: [0.0; 2], carry: 0, owed: [0; 2] };
        // Each step's chains are found before the previous step's pass, as in `Modulus`.
        let mut next = self.chains(row, 0, &[start; 2], Some(a), &b_low);
        for i in (0..n).step_by(2) {
            let c = next;
            if i + 2 < n {
                next = self.chains(row, i + 2, &c, Some(a), &b_low);
            }
            let x = [load(&a[2 * i..]), load(&a[2 * i + 2..]), pair(c[0].q[0], c[1].q[0]), pair(c[0].q[1], c[1].q[1])];
            // Columns i+4 ..= i+n take operand limbs 4 ..= n (and one lower).
            pass4(&mut row[2 * (i + 4)..2 * (i + n + 1)], &ops[12..], x);
        }
        self.settle(row, &next)
    }

    /// The rows of `a²·R⁻¹` in both lanes (a in the operand slots of `ops`), each cross
    /// product once, as [`Modulus::sqr_rows`] does for one lane.
    #[inline(never)]
    fn sqr_rows(&self, ops: &[f64], row: &mut [f64]) -> [u64; 2] {
        let n = self.len();
        // a_i², 2a_i·a_(i+1), −a_(i+1)², 0 for even i (see `Modulus::sqr_rows`), both lanes.
        for (oct, o) in row[..4 * n].chunks_exact_mut(8).zip(ops.chunks_exact(8)) {
            let [p0, q0, p1, q1] = [o[0], o[1], o[4], o[5]];
            oct.copy_from_slice(&[p0 * p0, q0 * q0, 2.0 * p0 * p1, 2.0 * q0 * q1, -(p1 * p1), -(q1 * q1), 0.0, 0.0]);
        }
        row[4 * n..].fill(0.0);
        let start = Chain { q: [0.0; 2], carry: 0, owed: [0; 2] };
        let none = [[0; 4]; 2];
        let mut next = self.chains(row, 0, &[start; 2], None, &none);
        for i in (0..n).step_by(2) {
            let c = next;
            let (x, y) = (double(load(&ops[4 * i..])), double(load(&ops[4 * i + 4..])));
            let (q0, q1) = (pair(c[0].q[0], c[1].q[0]), pair(c[0].q[1], c[1].q[1]));
            if i == 0 {
                // Columns 2 and 3, which the next chains read.
                pass2::<0>(&mut row[4..8], &ops[4..], x, y);
            }
            if i + 2 < n {
                next = self.chains(row, i + 2, &c, None, &none);
            }
            if i == 0 {
                pass4(&mut row[8..2 * (n + 1)], &ops[12..], [x, y, q0, q1]);
            } else {
                pass2::<2>(&mut row[2 * (i + 4)..2 * (2 * i + 2)], &ops[12..], q0, q1);
                pass4(&mut row[2 * (2 * i + 2)..2 * (i + n + 1)], &ops[4 * (i + 1)..], [x, y, q0, q1]);
            }
        }
        self.settle(row, &next)
    }

    /// `base_p^exp_p mod p` and `base_q^exp_q mod q` in Montgomery form (each below twice its
    /// modulus), for bases in that form (below twice theirs) and exponents of one public
    /// length (a shorter one reads as zero-padded): the fixed window of [`Modulus::pow`], each lane's entry picked by its own masked
    /// scan of the whole table.
    #[inline(never)]
    pub(crate) fn pow(&self, base_p: &[f64], base_q: &[f64], exp_p: &[u8], exp_q: &[u8]) -> (Limbs, Limbs) {
        let n = self.len();
        let mut s = Scratch { row: vec![0.0; 2 * (2 * n + 2)], ops: self.ops.clone() };
        let base = Zeroizing::new(zip(base_p, base_q, n));
        // Each group of the table holds two limb pairs (limbs 2k and 2k+1 of both lanes).
        let mut table = Table::new(n / 2);
        set_operand(&mut s.ops, &self.one);
        for i in 0..SIZE {
            if i > 0 {
                let carry = self.mul_rows(&base, &s.ops, &mut s.row);
                normalize::<W>(&s.row[2 * n..4 * n], carry, &mut s.ops);
            }
            table.set(i, s.ops[..4 * n].chunks_exact(8).map(|o| [o[0], o[1], o[4], o[5]]));
        }
        // The accumulator, from one.
        set_operand(&mut s.ops, &self.one);
        let mut entry = Zeroizing::new(vec![0.0; 2 * n]);
        // Entry i's masks, one per lane (twice: two limb pairs).
        let mut masks = Zeroizing::new([0u32; 4 * SIZE]);
        for w in (0..(8 * exp_p.len().max(exp_q.len())).div_ceil(WINDOW)).rev() {
            for _ in 0..WINDOW {
                let carry = self.sqr_rows(&s.ops, &mut s.row);
                normalize::<W>(&s.row[2 * n..4 * n], carry, &mut s.ops);
            }
            let (ip, iq) = (window(exp_p, w), window(exp_q, w));
            for (i, m) in masks.chunks_exact_mut(4).enumerate() {
                m.copy_from_slice(&[selects(i, ip), selects(i, iq), selects(i, ip), selects(i, iq)]);
            }
            table.gather(&masks, &mut entry);
            let carry = self.mul_rows(&entry, &s.ops, &mut s.row);
            normalize::<W>(&s.row[2 * n..4 * n], carry, &mut s.ops);
        }
        // Normalized limbs, as `Modulus` expects them.
        let lane = |l: usize| {
            let limbs: Zeroizing<Limbs> = Zeroizing::new(s.ops[..4 * n].chunks_exact(4).map(|o| o[l]).collect());
            let mut out = vec![0.0; n];
            super::normalize::<W>(&limbs, 0.0, &mut out);
            out
        };
        (lane(0), lane(1))
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::byte_source;
    use super::super::{from_be, limbs_for, max_limbs, to_be};
    use super::*;
    use num_bigint::BigUint;

    /// Two moduli of one limb count side by side against num-bigint: random bases and
    /// exponents (a different one per lane, so the lanes pick different table entries), the
    /// table's first and last entries in every window, each lane's edge values, and a shorter
    /// exponent in one lane.
    fn random<const W: u32>(sizes: &[usize]) {
        let mut bytes = byte_source(0x2545_f491_4f6c_dd1du64 ^ W as u64);
        for &bits in sizes {
            let len = bits.div_ceil(8);
            let n = limbs_for::<W>(bits).min(max_limbs(W));
            // Odd, exactly `bits` bits, as `len` bytes.
            let mut modulus = |bits: usize| {
                let top = BigUint::from(1u8) << (bits - 1);
                let m = (BigUint::from_bytes_be(&bytes(len)) % &top) | top | BigUint::from(1u8);
                let m = m.to_bytes_be();
                [vec![0; len - m.len()], m].concat()
            };
            // q a few bits shorter than p (as RSA primes may be), with the same limb count.
            let (p, q) = (modulus(bits), modulus(bits - 3));
            let twin = Twin::new(Modulus::<W>::new(&p, n).unwrap(), Modulus::<W>::new(&q, n).unwrap()).unwrap();
            let (big_p, big_q) = (BigUint::from_bytes_be(&p), BigUint::from_bytes_be(&q));
            let value = |md: &Modulus<W>, x: &[f64]| BigUint::from_bytes_be(&to_be::<W>(&md.leave_mont(x), len));
            let enter = |md: &Modulus<W>, x: &BigUint| md.enter_mont(&from_be::<W>(&x.to_bytes_be(), 2 * n));
            let (x, y) = (BigUint::from_bytes_be(&bytes(len)) % &big_p, BigUint::from_bytes_be(&bytes(len)) % &big_q);
            let exps = [
                (bytes(len), bytes(len)),
                (vec![0xff; len], vec![0; len]),
                (vec![0; len], vec![0xff; len]),
                (bytes(len), bytes(len / 2)),
            ];
            for (bases, (ep, eq)) in [(&x, &y), (&(&big_p - 1u8), &(&big_q - 1u8))].into_iter().cycle().zip(&exps) {
                let (xp, xq) = (enter(twin.p(), bases.0), enter(twin.q(), bases.1));
                let (gp, gq) = twin.pow(&xp, &xq, ep, eq);
                let (ep, eq) = (BigUint::from_bytes_be(ep), BigUint::from_bytes_be(eq));
                assert_eq!(value(twin.p(), &gp), bases.0.modpow(&ep, &big_p), "{bits} bits ({W}): lane p");
                assert_eq!(value(twin.q(), &gq), bases.1.modpow(&eq, &big_q), "{bits} bits ({W}): lane q");
            }
        }
    }

    #[test]
    fn twin_powers_match_biguint() {
        random::<22>(&[100, 256, 1024, 1025, 1536, 2048]);
        random::<23>(&[100, 256, 1023, 1024, 1025, 1400, 1424]);
    }

    #[test]
    fn refuses_moduli_of_different_limb_counts() {
        let m = [0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
        let (short, long) = (Modulus::<23>::new(&m, 6).unwrap(), Modulus::<23>::new(&m, 8).unwrap());
        assert!(Twin::new(short.clone(), long).is_none());
        assert!(Twin::new(short.clone(), short).is_some());
    }
}
