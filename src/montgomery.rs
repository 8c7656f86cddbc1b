//! Montgomery arithmetic for RSA (and ES256's k⁻¹), shaped for wasm: limbs of W bits (22 or
//! 23) held in `f64`s.
//!
//! wasm multiplies 32×32→64 bits at best, one product per instruction, and has no
//! add-with-carry. Its SIMD has two-lane `f64` multiply and add that map to single x86/ARM
//! instructions, and an `f64` holds every integer below 2^53 exactly: a product of two 22-bit
//! limbs has 44 bits, so 2n ≤ 508 such products (plus carries) sum without rounding; with
//! 23-bit limbs, 2n ≤ 124 (moduli up to 1,424 bits: RSA primes up to 2,848-bit keys), which
//! needs 4% fewer limbs and so about 8% fewer products than 22 bits. The
//! multiplication is operand scanning with the reduction interleaved (CIOS) on a row of lazy
//! column sums: each step adds a_i·b and q_i·m to the row two lanes at a time, with no carry
//! until the row is normalized at the end. The products are exact integers, never subnormal,
//! so the float unit's timing does not depend on them.
//!
//! R = 2^(W·n) exceeds 4m, which keeps every result below 2m without the final conditional
//! subtraction (Walter): intermediate values are "almost reduced"; values that leave this
//! module are brought below m by a masked subtraction. Nothing here branches on, or indexes
//! memory by, a value: loop bounds and branches depend only on the limb count and on public
//! exponents ([`Modulus::pow_public`]).

use zeroize::{Zeroize, Zeroizing};

mod twin;
pub(crate) use twin::Twin;

/// The low `w` bits.
const fn mask(w: u32) -> u64 {
    (1 << w) - 1
}

/// The most limbs of `w` bits a modulus may have: a row entry sums at most 2n products below
/// 2^(2w), plus a carry, and must stay below 2^53. Limb counts are also even (two lanes).
const fn max_limbs(w: u32) -> usize {
    (1 << (52 - 2 * w)) - 2
}
/// The fixed window of [`Modulus::pow`], in exponent bits.
const WINDOW: usize = 5;
/// Entries of a window table.
const SIZE: usize = 1 << WINDOW;

/// Window w of the big-endian exponent `exp` (bits w·WINDOW and up; zero past its end): its
/// position is public, its value secret.
fn window(exp: &[u8], w: usize) -> u64 {
    let bit = |i: usize| exp.len().checked_sub(1 + i / 8).map_or(0, |at| ((exp[at] >> (i % 8)) & 1) as u64);
    (0..WINDOW).fold(0, |idx, b| idx | (bit(w * WINDOW + b) << b))
}

/// All ones when entry `i` is entry `idx`, else zeros, without a branch.
fn selects(i: usize, idx: u64) -> u32 {
    0u32.wrapping_sub(((((i as u64) ^ idx).wrapping_sub(1) >> 63) & 1) as u32)
}

/// A window table of limbs as integers (below 2^32), in groups of four: group k of entry i at
/// 4(SIZE·k + i), so that the selected entry is gathered one four-lane register at a time
/// from one run of the table, and the scan takes half the loads that `f64` limbs would.
struct Table(Zeroizing<Vec<u32>>);

impl Table {
    /// Room for entries of `groups` groups of four limbs.
    fn new(groups: usize) -> Table {
        Table(Zeroizing::new(vec![0; 4 * SIZE * groups]))
    }

    /// Sets entry `i` from its groups of four limbs.
    fn set(&mut self, i: usize, groups: impl Iterator<Item = [f64; 4]>) {
        for (k, group) in groups.enumerate() {
            for (t, l) in self.0[4 * (SIZE * k + i)..][..4].iter_mut().zip(group) {
                *t = int(l) as u32;
            }
        }
    }

    /// Writes into `entry` the entry whose `masks` (four lanes per entry, all ones or all
    /// zeros each) are set: a masked scan of every entry, so neither time nor memory access
    /// depends on which.
    fn gather(&self, masks: &[u32; 4 * SIZE], entry: &mut [f64]) {
        for (d, run) in entry.chunks_exact_mut(4).zip(self.0.chunks_exact(4 * SIZE)) {
            let mut acc = lanes::no_quad();
            for (s, m) in run.chunks_exact(4).zip(masks.chunks_exact(4)) {
                acc = lanes::or_masked4(acc, s, m);
            }
            lanes::store_quad(d, acc);
        }
    }
}

/// Little-endian 22-bit limbs, each an integer-valued `f64`.
pub(crate) type Limbs = Vec<f64>;

/// Two `f64` lanes: wasm SIMD when the build enables it, plain arrays otherwise (the same
/// algorithm either way, so native tests exercise what wasm runs).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod lanes {
    use core::arch::wasm32::*;

    #[derive(Clone, Copy)]
    pub struct Pair(v128);

    #[inline(always)]
    pub fn splat(x: f64) -> Pair {
        Pair(f64x2_splat(x))
    }
    #[inline(always)]
    pub fn load(s: &[f64]) -> Pair {
        Pair(f64x2(s[0], s[1]))
    }
    /// The lanes (x, y).
    #[inline(always)]
    pub fn pair(x: f64, y: f64) -> Pair {
        Pair(f64x2(x, y))
    }
    /// x + x.
    #[inline(always)]
    pub fn double(x: Pair) -> Pair {
        Pair(f64x2_add(x.0, x.0))
    }
    /// x + y.
    #[inline(always)]
    pub fn add(x: Pair, y: Pair) -> Pair {
        Pair(f64x2_add(x.0, y.0))
    }
    /// (x mod 2^W, ⌊x / 2^W⌋) for integers x below 2^53, both exact.
    #[inline(always)]
    pub fn split<const W: u32>(x: Pair) -> (Pair, Pair) {
        let hi = f64x2_floor(f64x2_mul(x.0, f64x2_splat(1.0 / (1u64 << W) as f64)));
        (Pair(f64x2_sub(x.0, f64x2_mul(hi, f64x2_splat((1u64 << W) as f64)))), Pair(hi))
    }
    #[inline(always)]
    pub fn store(s: &mut [f64], p: Pair) {
        s[0] = f64x2_extract_lane::<0>(p.0);
        s[1] = f64x2_extract_lane::<1>(p.0);
    }
    /// acc + x·y.
    #[inline(always)]
    pub fn mul_add(acc: Pair, x: Pair, y: Pair) -> Pair {
        Pair(f64x2_add(acc.0, f64x2_mul(x.0, y.0)))
    }
    /// Four `u32` lanes, for masked selection of limbs stored as integers.
    #[derive(Clone, Copy)]
    pub struct Quad(v128);

    #[inline(always)]
    pub fn no_quad() -> Quad {
        Quad(u32x4_splat(0))
    }
    /// `acc | (src & mask)`, four lanes.
    #[inline(always)]
    pub fn or_masked4(acc: Quad, src: &[u32], mask: &[u32]) -> Quad {
        let (s, m) = (u32x4(src[0], src[1], src[2], src[3]), u32x4(mask[0], mask[1], mask[2], mask[3]));
        Quad(v128_or(acc.0, v128_and(s, m)))
    }
    /// The four lanes as `f64`s.
    #[inline(always)]
    pub fn store_quad(dst: &mut [f64], q: Quad) {
        store(&mut dst[0..2], Pair(f64x2_convert_low_u32x4(q.0)));
        store(&mut dst[2..4], Pair(f64x2_convert_low_u32x4(u32x4_shuffle::<2, 3, 0, 1>(q.0, q.0))));
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod lanes {
    #[derive(Clone, Copy)]
    pub struct Pair([f64; 2]);

    #[inline(always)]
    pub fn splat(x: f64) -> Pair {
        Pair([x, x])
    }
    #[inline(always)]
    pub fn load(s: &[f64]) -> Pair {
        Pair([s[0], s[1]])
    }
    #[inline(always)]
    pub fn pair(x: f64, y: f64) -> Pair {
        Pair([x, y])
    }
    #[inline(always)]
    pub fn double(x: Pair) -> Pair {
        Pair([x.0[0] + x.0[0], x.0[1] + x.0[1]])
    }
    #[inline(always)]
    pub fn add(x: Pair, y: Pair) -> Pair {
        Pair([x.0[0] + y.0[0], x.0[1] + y.0[1]])
    }
    /// In integers: a native `floor` without SSE4.1 is a library routine that branches on
    /// its argument (zero below 1, early return when already whole), which `npm run dudect`
    /// caught as a timing difference between keys.
    #[inline(always)]
    pub fn split<const W: u32>(x: Pair) -> (Pair, Pair) {
        let v = x.0.map(|v| v as u64);
        (Pair(v.map(|v| (v & ((1 << W) - 1)) as f64)), Pair(v.map(|v| (v >> W) as f64)))
    }
    #[inline(always)]
    pub fn store(s: &mut [f64], p: Pair) {
        s[0] = p.0[0];
        s[1] = p.0[1];
    }
    #[inline(always)]
    pub fn mul_add(acc: Pair, x: Pair, y: Pair) -> Pair {
        Pair([acc.0[0] + x.0[0] * y.0[0], acc.0[1] + x.0[1] * y.0[1]])
    }
    #[derive(Clone, Copy)]
    pub struct Quad([u32; 4]);

    #[inline(always)]
    pub fn no_quad() -> Quad {
        Quad([0; 4])
    }
    #[inline(always)]
    pub fn or_masked4(acc: Quad, src: &[u32], mask: &[u32]) -> Quad {
        Quad(core::array::from_fn(|l| acc.0[l] | (src[l] & mask[l])))
    }
    #[inline(always)]
    pub fn store_quad(dst: &mut [f64], q: Quad) {
        for (d, &v) in dst[..4].iter_mut().zip(&q.0) {
            *d = v as f64;
        }
    }
}

use lanes::{load, mul_add, splat, store};

/// The operands of a pass, interleaved so that one pointer walks them all (wasm engines give
/// each walked array its own register and increment; the passes are bound by instruction
/// count, not by the multiplier). Chunk k (limbs 2k, 2k+1) holds an operand x padded
/// (x_2k, x_2k+1) and shifted up one limb (x_2k−1, x_2k), then the modulus likewise; zero
/// past either end. Two rows' four products per two columns come from one chunk, and every
/// two-lane access is at an even index.
type Chunk = [f64; 8];

/// Writes `x` (n limbs) into the slots at `at` (0: the operand, 4: the modulus) of n/2 + 1 chunks.
fn interleave(x: &[f64], ops: &mut [Chunk], at: usize) {
    let n = x.len();
    let limb = |j: usize| if j < n { x[j] } else { 0.0 };
    for (k, c) in ops.iter_mut().enumerate() {
        c[at] = limb(2 * k);
        c[at + 1] = limb(2 * k + 1);
        c[at + 2] = if k == 0 { 0.0 } else { limb(2 * k - 1) };
        c[at + 3] = limb(2 * k);
    }
}

/// `t += x·a + y·a' + z·m + w·m'` two columns at a time, where a, a', m, m' are a chunk's
/// padded and shifted operand and modulus: rows i and i+1 of both the product and the
/// reduction in one pass.
#[inline(always)]
fn pass4(t: &mut [f64], ops: &[Chunk], x: [f64; 4]) {
    let x = x.map(splat);
    for (t, o) in t.chunks_exact_mut(2).zip(ops) {
        let v = mul_add(mul_add(load(t), x[0], load(&o[0..2])), x[1], load(&o[2..4]));
        store(t, mul_add(mul_add(v, x[2], load(&o[4..6])), x[3], load(&o[6..8])));
    }
}

/// `t += x·s + y·s'` with s, s' a chunk's padded and shifted slots at `AT` (0: the operand,
/// 4: the modulus).
#[inline(always)]
fn pass2<const AT: usize>(t: &mut [f64], ops: &[Chunk], x: f64, y: f64) {
    let (x, y) = (splat(x), splat(y));
    for (t, o) in t.chunks_exact_mut(2).zip(ops) {
        store(t, mul_add(mul_add(load(t), x, load(&o[AT..AT + 2])), y, load(&o[AT + 2..AT + 4])));
    }
}

/// Scratch for one multiplication: the row of column sums (2n + 2) and the interleaved
/// operands (n/2 + 1 chunks, the modulus' slots filled). Wiped on drop.
struct Scratch {
    row: Vec<f64>,
    ops: Vec<Chunk>,
}

impl Drop for Scratch {
    fn drop(&mut self) {
        self.row.zeroize();
        self.ops.zeroize();
    }
}

/// A limb as an integer (exact: limbs and row entries are integers below 2^53).
#[inline(always)]
fn int(x: f64) -> u64 {
    x as u64
}

/// Integer limbs to `f64` limbs.
fn floats(x: &[u64]) -> Limbs {
    x.iter().map(|&v| v as f64).collect()
}

/// `out = a - b` over integer limbs; returns the borrow (0 or 1).
fn sub<const W: u32>(out: &mut [u64], a: &[u64], b: &[u64]) -> u64 {
    let mut borrow = 0u64;
    for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
        let d = x.wrapping_sub(y).wrapping_sub(borrow);
        *o = d & mask(W);
        borrow = d >> 63;
    }
    borrow
}

/// The bit length of integer limbs (0 for zero), in time that depends only on their count:
/// each bit position in turn, the last set one kept by a mask.
fn bit_length<const W: u32>(x: &[u64]) -> usize {
    let mut top = 0;
    for at in 0..x.len() * W as usize {
        let set = (x[at / W as usize] >> (at % W as usize)) & 1;
        top ^= (top ^ (at + 1)) & 0usize.wrapping_sub(set as usize);
    }
    top
}

/// `dst = src` when `choose` is 1, unchanged when 0, without a branch on `choose`.
fn cmov(dst: &mut [u64], src: &[u64], choose: u64) {
    let mask = 0u64.wrapping_sub(choose & 1);
    for (d, &s) in dst.iter_mut().zip(src) {
        *d = (*d & !mask) | (s & mask);
    }
}

fn ints(x: &[f64]) -> Vec<u64> {
    x.iter().map(|&v| int(v)).collect()
}

/// Big-endian bytes as `len` limbs (the value must fit; higher bits are dropped).
pub(crate) fn from_be<const W: u32>(bytes: &[u8], len: usize) -> Limbs {
    let mut out = vec![0u64; len];
    for (i, &byte) in bytes.iter().rev().enumerate() {
        let bit = 8 * i;
        let (limb, shift) = (bit / W as usize, bit as u32 % W);
        if limb < len {
            out[limb] |= ((byte as u64) << shift) & mask(W);
        }
        // A byte that straddles two limbs (W is not a multiple of 8).
        if shift > W - 8 && limb + 1 < len {
            out[limb + 1] |= (byte as u64) >> (W - shift);
        }
    }
    let f = floats(&out);
    out.zeroize();
    f
}

/// The low `len` bytes of `x` (normalized limbs), big-endian.
pub(crate) fn to_be<const W: u32>(x: &[f64], len: usize) -> Vec<u8> {
    let x = Zeroizing::new(ints(x));
    let mut out = vec![0u8; len];
    for (i, o) in out.iter_mut().rev().enumerate() {
        let bit = 8 * i;
        let (limb, shift) = (bit / W as usize, bit as u32 % W);
        let lo = x.get(limb).copied().unwrap_or(0) >> shift;
        let hi = x.get(limb + 1).copied().unwrap_or(0) << (W - shift);
        *o = (lo | hi) as u8;
    }
    out
}

/// Limbs needed for an odd modulus of `bits` bits, leaving R > 4m (an even count).
pub(crate) fn limbs_for<const W: u32>(bits: usize) -> usize {
    (bits + 2).div_ceil(W as usize).next_multiple_of(2)
}

/// Carries a row of column sums (each an integer below 2^53, plus `carry` into the first)
/// into `out`'s normalized limbs; the value must fit. In integers: the carry chain is then an
/// add and a shift per limb, where floats would need a multiply, a floor and a subtract.
fn normalize<const W: u32>(row: &[f64], carry: f64, out: &mut [f64]) {
    let mut carry = int(carry);
    for (o, &v) in out.iter_mut().zip(row) {
        let t = int(v) + carry;
        *o = (t & mask(W)) as f64;
        carry = t >> W;
    }
}

/// [`normalize`] into the operand slots of the interleaved operands (see [`Chunk`]) instead of
/// a plain array: the result of one step of an exponentiation is the next step's operand,
/// so this saves rewriting it there.
fn normalize_interleaved<const W: u32>(row: &[f64], carry: f64, ops: &mut [Chunk]) {
    let mut carry = int(carry);
    for (k, pair) in row.chunks_exact(2).enumerate() {
        let t0 = int(pair[0]) + carry;
        let t1 = int(pair[1]) + (t0 >> W);
        carry = t1 >> W;
        let (lo, hi) = ((t0 & mask(W)) as f64, (t1 & mask(W)) as f64);
        // Limbs 2k and 2k+1 padded in chunk k; shifted, 2k is slot 3 of chunk k and 2k+1
        // slot 2 of chunk k+1.
        (ops[k][0], ops[k][1], ops[k][3], ops[k + 1][2]) = (lo, hi, lo, hi);
    }
}

/// Adds what the last step of a product's rows owes rows n and n+1 (see [`Modulus::chain`]).
#[inline(always)]
fn settle(rows: &mut [f64], owed: [u64; 2]) {
    rows[0] += owed[0] as f64;
    rows[1] += owed[1] as f64;
}

/// One step of the reduction's scalar chain (see [`Modulus::chain`]).
#[derive(Clone, Copy)]
struct Chain {
    q: [f64; 2],
    carry: u64,
    owed: [u64; 2],
}

/// An odd modulus prepared for Montgomery arithmetic with W-bit limbs, R = 2^(W·n).
#[derive(Clone)]
pub(crate) struct Modulus<const W: u32> {
    m: Limbs,
    /// m in the modulus slots of the interleaved operands (see [`Chunk`]); a [`Scratch`]
    /// starts as a copy.
    m_ops: Vec<Chunk>,
    /// The four lowest limbs, as integers (for the scalar chain).
    m_low: [u64; 4],
    /// −m⁻¹ mod 2^W.
    m0inv: u64,
    /// R mod m (Montgomery one), R² mod m, R³ mod m.
    one: Limbs,
    r2: Limbs,
    r3: Limbs,
}

impl<const W: u32> Drop for Modulus<W> {
    fn drop(&mut self) {
        // RSA primes are secret; public moduli pay a few hundred stores.
        for x in [&mut self.m, &mut self.one, &mut self.r2, &mut self.r3] {
            x.zeroize();
        }
        self.m_ops.zeroize();
        self.m_low.zeroize();
    }
}

impl<const W: u32> Modulus<W> {
    /// `m` big-endian (odd) as `n ≥ limbs_for(bits)` limbs (even, 4 to `max_limbs(W)`); `None`
    /// when `m` is even, does not fit, or `n` is out of range. Constant-time: RSA primes are
    /// secret (only their size is public).
    pub(crate) fn new(bytes: &[u8], n: usize) -> Option<Modulus<W>> {
        if !(4..=max_limbs(W)).contains(&n) || n % 2 == 1 {
            return None;
        }
        let m = Zeroizing::new(ints(&from_be::<W>(bytes, n)));
        let m = &*m;
        // All of it fits (no byte was dropped), odd, and R > 4m (the top two bits free).
        let dropped = to_be::<W>(&floats(m), bytes.len()).iter().zip(bytes).fold(0, |acc, (a, b)| acc | (a ^ b));
        if dropped != 0 || m[0] & 1 == 0 || m[n - 1] >> (W - 2) != 0 {
            return None;
        }
        // −m⁻¹ mod 2^W by Newton's iteration (each step doubles the correct low bits).
        let mut inv = 1u64;
        for _ in 0..5 {
            inv = inv.wrapping_mul(2u64.wrapping_sub(m[0].wrapping_mul(inv))) & mask(W);
        }
        let m0inv = inv.wrapping_neg() & mask(W);
        // 2^j mod m by doubling, to j = Wn + k with k·2^s = Wn; then s Montgomery squarings
        // turn 2^k·R into 2^(Wn)·R = R². The doubling starts at 2^(b−1), already below m (b is
        // m's bit length: the key's size, public), not at 1: a third to a fifth of the
        // doublings, half an RSA key's import. b is found and the bit set by masks over every
        // bit position, not by branches or indexes on m's bits.
        let bits = W as usize * n;
        let s = bits.trailing_zeros();
        let k = bits >> s;
        let b = bit_length::<W>(m);
        let (mut x, mut doubled, mut less) =
            (Zeroizing::new(vec![0u64; n]), Zeroizing::new(vec![0u64; n]), Zeroizing::new(vec![0u64; n]));
        for at in 0..bits {
            x[at / W as usize] |= u64::from(at + 1 == b) << (at % W as usize);
        }
        let mut one = vec![];
        for j in b..=bits + k {
            let mut carry = 0;
            for (d, &v) in doubled.iter_mut().zip(x.iter()) {
                let t = (v << 1) | carry;
                *d = t & mask(W);
                carry = t >> W;
            }
            let borrow = sub::<W>(&mut less, &doubled, m);
            x.copy_from_slice(&less);
            cmov(&mut x, &doubled, borrow);
            if j == bits {
                one = floats(&x);
            }
        }
        let mut m_ops = vec![[0.0; 8]; n / 2 + 1];
        interleave(&floats(m), &mut m_ops, 4);
        let m_low = [m[0], m[1], m[2], m[3]];
        let mut md = Modulus { m: floats(m), m_ops, m_low, m0inv, one, r2: vec![], r3: vec![] };
        let mut scratch = md.scratch();
        let mut r2 = floats(&x);
        for _ in 0..s {
            md.sqr(&r2.clone(), &mut scratch, &mut r2);
        }
        md.reduce(&mut r2);
        let mut r3 = vec![0.0; n];
        md.mul(&r2, &r2, &mut scratch, &mut r3);
        md.reduce(&mut r3);
        (md.r2, md.r3) = (r2, r3);
        Some(md)
    }

    fn scratch(&self) -> Scratch {
        Scratch { row: vec![0.0; 2 * self.len() + 2], ops: self.m_ops.clone() }
    }

    /// The limb count n.
    pub(crate) fn len(&self) -> usize {
        self.m.len()
    }

    /// The modulus' limbs.
    pub(crate) fn limbs(&self) -> &[f64] {
        &self.m
    }

    /// The reduction's scalar chain for the step at rows i, i+1 (i even), in integers: the
    /// entries `row[i]`, `row[i+1]` as the vector passes of earlier steps left them (`r0`, `r1`),
    /// plus what the previous step owes them (`owed`), plus the carry into `row[i]`, plus
    /// a_i·b + a_(i+1)·b one limb higher (`a`, `b`: the two limbs of a and the four lowest of b;
    /// zeros when reducing a square). Returns q_i, q_(i+1), the carry out of row[i+1], and
    /// what this step owes rows i+2 and i+3: the vector pass covers row[i+4..] only, so the
    /// chain never waits for it and runs alongside.
    #[inline(always)]
    fn chain(&self, r0: f64, r1: f64, owed: [u64; 2], carry: u64, a: [u64; 2], b: [u64; 4]) -> Chain {
        let m = &self.m_low;
        let t0 = int(r0) + owed[0] + carry + a[0] * b[0];
        // q's low W bits depend only on t's low W bits: no mask before the (wrapping) product.
        let q0 = t0.wrapping_mul(self.m0inv) & mask(W);
        let c1 = (t0 + q0 * m[0]) >> W;
        let t1 = int(r1) + owed[1] + c1 + a[0] * b[1] + q0 * m[1] + a[1] * b[0];
        let q1 = t1.wrapping_mul(self.m0inv) & mask(W);
        Chain {
            q: [q0 as f64, q1 as f64],
            carry: (t1 + q1 * m[0]) >> W,
            owed: [
                a[0] * b[2] + q0 * m[2] + a[1] * b[1] + q1 * m[1],
                a[0] * b[3] + q0 * m[3] + a[1] * b[2] + q1 * m[2],
            ],
        }
    }

    /// `out = a·b·R⁻¹ mod m`, below 2m, for normalized a, b with a·b < R·m (so for a, b < 2m).
    ///
    /// Two rows per step: the scalar [`Modulus::chain`] finds q_i and q_(i+1), then one pass
    /// adds a_i·b + q_i·m at row[i..] and a_(i+1)·b + q_(i+1)·m one limb higher, through the
    /// shifted slots, so that every two-lane load and store is at an even index and meets
    /// earlier stores exactly (a load that straddles two recent stores stalls).
    fn mul(&self, a: &[f64], b: &[f64], scratch: &mut Scratch, out: &mut [f64]) {
        interleave(&b[..self.len()], &mut scratch.ops, 0);
        let carry = self.mul_rows(a, scratch);
        self.finish(&scratch.row, carry, out);
    }

    /// [`Modulus::mul`] with b, and then the result, in the scratch's operand slots.
    fn mul_in_place(&self, a: &[f64], scratch: &mut Scratch) {
        let carry = self.mul_rows(a, scratch);
        self.finish_in_place(scratch, carry);
    }

    /// The rows of [`Modulus::mul`], b taken from the operand slots; returns the carry into
    /// row n.
    fn mul_rows(&self, a: &[f64], scratch: &mut Scratch) -> u64 {
        let n = self.len();
        let Scratch { row, ops } = scratch;
        let (a, row) = (&a[..n], &mut row[..2 * n + 2]);
        let b_low = [int(ops[0][0]), int(ops[0][1]), int(ops[1][0]), int(ops[1][1])];
        row.fill(0.0);
        let limbs = |i: usize| [int(a[i]), int(a[i + 1])];
        // Each step's chain is found before the previous step's pass, which leaves the rows
        // it reads alone: its latency (a serial run of multiplies) then overlaps the pass.
        let mut next = self.chain(0.0, 0.0, [0, 0], 0, limbs(0), b_low);
        for i in (0..n).step_by(2) {
            let c = next;
            if i + 2 < n {
                next = self.chain(row[i + 2], row[i + 3], c.owed, c.carry, limbs(i + 2), b_low);
            }
            // Columns i+4.. take operand limbs 4.. (chunks 2..).
            pass4(&mut row[i + 4..i + n + 2], &ops[2..], [a[i], a[i + 1], c.q[0], c.q[1]]);
        }
        settle(&mut row[n..n + 2], next.owed);
        next.carry
    }

    /// The result: rows n..2n with `carry` into row n.
    fn finish(&self, row: &[f64], carry: u64, out: &mut [f64]) {
        let n = self.len();
        normalize::<W>(&row[n..2 * n], carry as f64, out);
    }

    /// [`Modulus::finish`] into the scratch's operand slots.
    fn finish_in_place(&self, scratch: &mut Scratch, carry: u64) {
        let n = self.len();
        normalize_interleaved::<W>(&scratch.row[n..2 * n], carry as f64, &mut scratch.ops);
    }

    /// The operand held in the scratch's operand slots, as plain limbs.
    fn operand(&self, scratch: &Scratch) -> Limbs {
        (0..self.len()).map(|j| scratch.ops[j / 2][j % 2]).collect()
    }

    /// `out = a²·R⁻¹ mod m`, below 2m, for normalized a < 2m: each cross product once, and
    /// the reduction, two rows per step as in [`Modulus::mul`].
    fn sqr(&self, a: &[f64], scratch: &mut Scratch, out: &mut [f64]) {
        interleave(&a[..self.len()], &mut scratch.ops, 0);
        let carry = self.sqr_rows(scratch);
        self.finish(&scratch.row, carry, out);
    }

    /// [`Modulus::sqr`] of the operand in the scratch's operand slots, into them.
    fn sqr_in_place(&self, scratch: &mut Scratch) {
        let carry = self.sqr_rows(scratch);
        self.finish_in_place(scratch, carry);
    }

    /// The rows of [`Modulus::sqr`], a taken from the operand slots (limb i is
    /// `ops[i / 2][i % 2]`); returns the carry into row n.
    fn sqr_rows(&self, scratch: &mut Scratch) -> u64 {
        let n = self.len();
        let Scratch { row, ops } = scratch;
        let row = &mut row[..2 * n + 2];
        // The step for rows i, i+1 adds 2a_i·a_j (j ≥ i+2) and 2a_(i+1)·a_j (j ≥ i+1) from
        // row[2i+2] on. What it misses or doubles is set first: a_i² and 2a_i·a_(i+1) for even
        // i; −a_i² for odd i (the step adds 2a_i² there). Written four entries at a time (the
        // fourth is zero), which also clears the row: no separate fill.
        for (quad, c) in row[..2 * n].chunks_exact_mut(4).zip(ops.iter()) {
            let [a0, a1, ..] = *c;
            quad.copy_from_slice(&[a0 * a0, 2.0 * a0 * a1, -(a1 * a1), 0.0]);
        }
        row[2 * n..].fill(0.0);
        // The step for rows i, i+1 adds their reduction q·m at columns i+4..i+n+2 and their
        // cross products at 2i+2..i+n+2, both with operand limb c − i at column c: one pass
        // where they overlap. Every cross product into columns i, i+1 comes from an earlier
        // step, so the chain sees them.
        // As in `mul_rows`, each step's chain runs ahead of the previous step's pass; only
        // step 0 writes below column i+4 (columns 2 and 3), so that part goes first.
        let mut next = self.chain(row[0], row[1], [0, 0], 0, [0, 0], [0; 4]);
        for i in (0..n).step_by(2) {
            let c = next;
            let (x, y, [q0, q1]) = (2.0 * ops[i / 2][0], 2.0 * ops[i / 2][1], c.q);
            if i == 0 {
                pass2::<0>(&mut row[2..4], &ops[1..], x, y);
            }
            if i + 2 < n {
                next = self.chain(row[i + 2], row[i + 3], c.owed, c.carry, [0, 0], [0; 4]);
            }
            if i == 0 {
                pass4(&mut row[4..n + 2], &ops[2..], [x, y, q0, q1]);
            } else {
                pass2::<4>(&mut row[i + 4..2 * i + 2], &ops[2..], q0, q1);
                pass4(&mut row[2 * i + 2..i + n + 2], &ops[i / 2 + 1..], [x, y, q0, q1]);
            }
        }
        settle(&mut row[n..n + 2], next.owed);
        next.carry
    }

    /// x (< 2m) brought below m, by a masked subtraction.
    pub(crate) fn reduce(&self, x: &mut [f64]) {
        let (mut xi, m, mut less) = (Zeroizing::new(ints(x)), ints(&self.m), Zeroizing::new(vec![0u64; self.len()]));
        let borrow = sub::<W>(&mut less, &xi, &m);
        cmov(&mut xi, &less, borrow ^ 1);
        x.copy_from_slice(&floats(&xi));
    }

    /// `a − b mod m` for a, b < m.
    pub(crate) fn sub_mod(&self, a: &[f64], b: &[f64]) -> Limbs {
        let n = self.len();
        let (a, b, m) = (Zeroizing::new(ints(a)), Zeroizing::new(ints(b)), ints(&self.m));
        let (mut d, mut plus) = (Zeroizing::new(vec![0u64; n]), Zeroizing::new(vec![0u64; n]));
        let borrow = sub::<W>(&mut d, &a, &b);
        let mut carry = 0;
        for ((p, &x), &y) in plus.iter_mut().zip(d.iter()).zip(&m) {
            let s = x + y + carry;
            *p = s & mask(W);
            carry = s >> W;
        }
        cmov(&mut d, &plus, borrow);
        floats(&d)
    }

    /// x·R mod m, below m, for any x < m·R given as up to 2n limbs: x = h·R + l becomes
    /// l·R²·R⁻¹ + h·R³·R⁻¹.
    pub(crate) fn enter_mont(&self, x: &[f64]) -> Limbs {
        let n = self.len();
        let mut wide = Zeroizing::new(x.to_vec());
        wide.resize(2 * n, 0.0);
        let mut scratch = self.scratch();
        let (mut lo, mut hi) = (Zeroizing::new(vec![0.0; n]), Zeroizing::new(vec![0.0; n]));
        self.mul(&wide[..n], &self.r2, &mut scratch, &mut lo);
        self.mul(&wide[n..], &self.r3, &mut scratch, &mut hi);
        self.reduce(&mut lo);
        self.reduce(&mut hi);
        let mut sum = vec![0.0; n];
        for ((s, &a), &b) in sum.iter_mut().zip(lo.iter()).zip(hi.iter()) {
            *s = a + b;
        }
        let unnormalized = sum.clone();
        normalize::<W>(&unnormalized, 0.0, &mut sum);
        self.reduce(&mut sum);
        sum
    }

    /// x·R⁻¹ mod m, below m: leaves Montgomery form (or divides a plain value by R).
    pub(crate) fn leave_mont(&self, x: &[f64]) -> Limbs {
        let n = self.len();
        let mut one = vec![0.0; n];
        one[0] = 1.0;
        let mut scratch = self.scratch();
        let mut out = vec![0.0; n];
        self.mul(x, &one, &mut scratch, &mut out);
        self.reduce(&mut out);
        out
    }

    /// a·b·R⁻¹ mod m, below m, for a, b < 2m.
    pub(crate) fn mul_reduced(&self, a: &[f64], b: &[f64]) -> Limbs {
        let n = self.len();
        let mut scratch = self.scratch();
        let mut out = vec![0.0; n];
        self.mul(a, b, &mut scratch, &mut out);
        self.reduce(&mut out);
        out
    }

    /// base^exp in Montgomery form (below 2m), with `exp` as big-endian bytes of a public
    /// length: a fixed window of 5 bits, each table entry picked by a masked scan of the
    /// whole table, so neither time nor memory access depends on the exponent's value.
    pub(crate) fn pow(&self, base: &[f64], exp: &[u8]) -> Limbs {
        let n = self.len();
        let mut scratch = self.scratch();
        let mut table = Table::new(n.div_ceil(4));
        let mut prev = Zeroizing::new(self.one.clone());
        let mut next = Zeroizing::new(vec![0.0; n]);
        for i in 0..SIZE {
            if i > 0 {
                self.mul(&prev, base, &mut scratch, &mut next);
                core::mem::swap(&mut prev, &mut next);
            }
            // Four limbs a group, the last padded with zeros.
            table.set(i, prev.chunks(4).map(|g| core::array::from_fn(|l| g.get(l).copied().unwrap_or(0.0))));
        }
        // The accumulator lives in the scratch's operand slots from here on: each squaring and
        // multiplication leaves its result where the next one reads its operand.
        interleave(&self.one, &mut scratch.ops, 0);
        let mut entry = Zeroizing::new(vec![0.0; n.next_multiple_of(4)]);
        let mut masks = Zeroizing::new([0u32; 4 * SIZE]);
        for w in (0..(8 * exp.len()).div_ceil(WINDOW)).rev() {
            for _ in 0..WINDOW {
                self.sqr_in_place(&mut scratch);
            }
            let idx = window(exp, w);
            for (i, m) in masks.chunks_exact_mut(4).enumerate() {
                m.fill(selects(i, idx));
            }
            table.gather(&masks, &mut entry);
            self.mul_in_place(&entry[..n], &mut scratch);
        }
        self.operand(&scratch)
    }

    /// base^exp in Montgomery form (below 2m) by square-and-multiply: for public exponents
    /// only (e = 65537 takes 16 squarings and one multiplication).
    pub(crate) fn pow_public(&self, base: &[f64], exp: u64) -> Limbs {
        let n = self.len();
        if exp == 0 {
            return self.one.clone();
        }
        let mut scratch = self.scratch();
        // The accumulator lives in the operand slots, as in `pow`.
        interleave(&base[..n], &mut scratch.ops, 0);
        for i in (0..63 - exp.leading_zeros()).rev() {
            self.sqr_in_place(&mut scratch);
            if (exp >> i) & 1 == 1 {
                self.mul_in_place(base, &mut scratch);
            }
        }
        self.operand(&scratch)
    }
}

/// The plain product a·b (2n limbs, normalized) of two n-limb values.
pub(crate) fn mul_plain<const W: u32>(a: &[f64], b: &[f64]) -> Limbs {
    let n = a.len().max(b.len());
    let mut row = Zeroizing::new(vec![0.0; 2 * n]);
    for (i, &ai) in a.iter().enumerate() {
        for (t, &bj) in row[i..].iter_mut().zip(b) {
            *t += ai * bj;
        }
    }
    let mut out = vec![0.0; 2 * n];
    normalize::<W>(&row, 0.0, &mut out);
    out
}

/// `a + b` of normalized limb vectors (b no longer than a), with room for the carry.
pub(crate) fn add_plain<const W: u32>(a: &[f64], b: &[f64]) -> Limbs {
    let mut sum = Zeroizing::new(a.to_vec());
    sum.push(0.0);
    for (s, &y) in sum.iter_mut().zip(b) {
        *s += y;
    }
    let mut out = vec![0.0; sum.len()];
    normalize::<W>(&sum, 0.0, &mut out);
    out
}

/// `a < b` for equal-length limb vectors (public values only: used on signatures).
pub(crate) fn less_than<const W: u32>(a: &[f64], b: &[f64]) -> bool {
    let mut d = vec![0u64; a.len()];
    sub::<W>(&mut d, &ints(a), &ints(b)) == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value<const W: u32>(x: &[f64]) -> u128 {
        x.iter().rev().fold(0u128, |acc, &l| (acc << W) | int(l) as u128)
    }

    fn round_trip<const W: u32>() {
        let bytes: Vec<u8> = (0..=255u8).collect();
        for len in [1usize, 7, 31, 32, 33, 256] {
            let b = &bytes[..len];
            let limbs = from_be::<W>(b, (8 * len).div_ceil(W as usize) + 1);
            assert!(limbs.iter().all(|&l| int(l) <= mask(W) && l == l.trunc()));
            assert_eq!(to_be::<W>(&limbs, len), b, "{len} bytes, {W}-bit limbs");
        }
    }

    #[test]
    fn byte_conversions_round_trip() {
        round_trip::<22>();
        round_trip::<23>();
    }

    /// Four limbs (88 or 92 bits), checked against u128 arithmetic.
    fn small<const W: u32>() {
        for m in [0x3f_ffff_ffff_ffff_ffff_fffbu128, 0x1f_1234_5678_9abc_def0_1235, 1_000_003] {
            let bytes = m.to_be_bytes();
            let md = Modulus::<W>::new(&bytes, 4).unwrap();
            let r = 1u128 << (4 * W);
            let mulmod = |a: u128, b: u128| -> u128 {
                // Double-and-add: a·b mod m without overflow (m < 2^86).
                let (mut acc, mut a, mut b) = (0u128, a % m, b);
                while b > 0 {
                    if b & 1 == 1 {
                        acc = (acc + a) % m;
                    }
                    a = (a << 1) % m;
                    b >>= 1;
                }
                acc
            };
            assert_eq!(value::<W>(&md.one), r % m);
            assert_eq!(value::<W>(&md.r2), mulmod(r % m, r % m));
            let xs = [0u128, 1, 2, m - 1, m / 3, 0x1234_5678_9abc_def0 % m];
            for &x in &xs {
                let xm = md.enter_mont(&from_be::<W>(&x.to_be_bytes(), 8));
                assert_eq!(value::<W>(&xm), mulmod(x, r % m));
                assert_eq!(value::<W>(&md.leave_mont(&xm)), x);
                for &y in &xs {
                    let ym = md.enter_mont(&from_be::<W>(&y.to_be_bytes(), 8));
                    assert_eq!(value::<W>(&md.leave_mont(&md.mul_reduced(&xm, &ym))), mulmod(x, y), "{x}·{y} mod {m}");
                    let (mut scratch, mut sq) = (md.scratch(), vec![0.0; 4]);
                    md.sqr(&xm, &mut scratch, &mut sq);
                    md.reduce(&mut sq);
                    assert_eq!(value::<W>(&md.leave_mont(&sq)), mulmod(x, x));
                }
                let mut want = 1u128;
                for _ in 0..65537 {
                    want = mulmod(want, x);
                }
                assert_eq!(value::<W>(&md.leave_mont(&md.pow(&xm, &[0x01, 0x00, 0x01]))), want);
                assert_eq!(value::<W>(&md.leave_mont(&md.pow_public(&xm, 65537))), want);
            }
        }
    }

    #[test]
    fn small_moduli_match_u128_arithmetic() {
        small::<22>();
        small::<23>();
    }

    /// A deterministic source of test bytes (xorshift64 from `seed`).
    pub(super) fn byte_source(seed: u64) -> impl FnMut(usize) -> Vec<u8> {
        let mut state = seed;
        move |len| {
            (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state as u8
                })
                .collect()
        }
    }

    /// Random moduli of many sizes against a general big-integer library: products, squares,
    /// secret-exponent and public-exponent powers, conversions in and out.
    fn random<const W: u32>(sizes: &[usize]) {
        use num_bigint::BigUint;
        let mut bytes = byte_source(0x9e37_79b9_7f4a_7c15u64 ^ W as u64);
        for &bits in sizes {
            for round in 0..3 {
                let len = bits.div_ceil(8);
                let mut m = bytes(len);
                m[0] &= 0xffu8 >> (8 * len - bits);
                m[0] |= 0x80u8 >> (8 * len - bits); // exactly `bits` bits
                m[len - 1] |= 1;
                // Rounds 1 and 2 give the modulus spare limbs (as an RSA prime shorter than its
                // partner has), so R is far above m.
                let n = (limbs_for::<W>(bits) + 2 * round).min(max_limbs(W));
                let md = Modulus::<W>::new(&m, n).unwrap();
                let big_m = BigUint::from_bytes_be(&m);
                let below = |b: Vec<u8>| BigUint::from_bytes_be(&b) % &big_m;
                let (x, y) = (below(bytes(len)), below(bytes(len)));
                let edge = &big_m - 1u8;
                for (x, y) in [(x.clone(), y.clone()), (edge.clone(), edge.clone()), (x.clone(), BigUint::from(0u8))] {
                    let xm = md.enter_mont(&from_be::<W>(&x.to_bytes_be(), 2 * n));
                    let ym = md.enter_mont(&from_be::<W>(&y.to_bytes_be(), 2 * n));
                    let got = BigUint::from_bytes_be(&to_be::<W>(&md.leave_mont(&md.mul_reduced(&xm, &ym)), len));
                    assert_eq!(got, &x * &y % &big_m, "{bits} bits ({W}), round {round}: product");
                    let (mut scratch, mut sq) = (md.scratch(), vec![0.0; n]);
                    md.sqr(&xm, &mut scratch, &mut sq);
                    md.reduce(&mut sq);
                    let got = BigUint::from_bytes_be(&to_be::<W>(&md.leave_mont(&sq), len));
                    assert_eq!(got, &x * &x % &big_m, "{bits} bits ({W}), round {round}: square");
                }
                let x = below(bytes(len));
                let xm = md.enter_mont(&from_be::<W>(&x.to_bytes_be(), 2 * n));
                // A random exponent, and the table's first and last entries in every window.
                for e in [bytes(len), vec![0xff; len], vec![0; len]] {
                    let got = BigUint::from_bytes_be(&to_be::<W>(&md.leave_mont(&md.pow(&xm, &e)), len));
                    assert_eq!(got, x.modpow(&BigUint::from_bytes_be(&e), &big_m), "{bits} bits ({W}): pow");
                }
                let got = BigUint::from_bytes_be(&to_be::<W>(&md.leave_mont(&md.pow_public(&xm, 65537)), len));
                assert_eq!(got, x.modpow(&BigUint::from(65537u32), &big_m), "{bits} bits ({W}): public pow");
            }
        }
    }

    #[test]
    fn random_moduli_match_biguint() {
        random::<22>(&[88, 100, 255, 256, 512, 1023, 1024, 1025, 1536, 2048, 2050, 3072, 4096]);
        random::<23>(&[88, 100, 255, 256, 512, 1023, 1024, 1025, 1400, 1424]);
    }

    #[test]
    fn bit_length_counts_to_the_top_set_bit() {
        assert_eq!(bit_length::<22>(&[0, 0, 0, 0]), 0);
        assert_eq!(bit_length::<22>(&[1, 0, 0, 0]), 1);
        assert_eq!(bit_length::<22>(&[0, 1, 0, 0]), 23);
        assert_eq!(bit_length::<23>(&[5, 0, 1 << 22, 0]), 69);
        for (i, bits) in [1usize, 21, 22, 23, 100, 1023, 1024, 1058].into_iter().enumerate() {
            let mut bytes = vec![0u8; bits.div_ceil(8)];
            bytes[0] = 0x80u8 >> (8 * bytes.len() - bits);
            let last = bytes.len() - 1;
            bytes[last] |= i as u8 & 1;
            let limbs = ints(&from_be::<23>(&bytes, 48));
            assert_eq!(bit_length::<23>(&limbs), bits, "{bits} bits");
        }
    }

    #[test]
    fn refuses_unusable_moduli() {
        assert!(Modulus::<22>::new(&[0x10, 0x00], 4).is_none(), "even");
        assert!(Modulus::<22>::new(&[0xff; 11], 4).is_none(), "R ≤ 4m");
        assert!(Modulus::<22>::new(&[0x0f; 4], 3).is_none(), "odd limb count");
        assert!(Modulus::<22>::new(&[0x0f; 4], 2).is_none(), "two limbs");
        assert!(Modulus::<22>::new(&[0x0f; 4], 256).is_none(), "too many limbs");
        assert!(Modulus::<23>::new(&[0x0f; 4], 64).is_none(), "too many 23-bit limbs");
        assert!(Modulus::<23>::new(&[0x0f; 4], 62).is_some());
        assert_eq!((max_limbs(22), max_limbs(23)), (254, 62));
    }
}
