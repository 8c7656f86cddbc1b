//! Plain big-integer arithmetic for importing RSA keys: products, remainders and gcds of
//! numbers given as big-endian bytes. Run once per key, never per signature; the remainder
//! (applied to the secret exponent) is constant-time, the gcd (prime recovery from n, e, d
//! only) is not, as in every RSA library that offers that recovery.

use zeroize::Zeroize;

/// A non-negative integer: little-endian 32-bit limbs, without high zero limbs except for 0.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Big(Vec<u32>);

impl Drop for Big {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl core::fmt::Debug for Big {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Big({} bits)", self.bits())
    }
}

impl Big {
    pub(crate) fn from_be(bytes: &[u8]) -> Big {
        let mut limbs = vec![0u32; bytes.len().div_ceil(4).max(1)];
        for (i, &b) in bytes.iter().rev().enumerate() {
            limbs[i / 4] |= (b as u32) << (8 * (i % 4));
        }
        Big(limbs).trimmed()
    }

    pub(crate) fn from_u64(x: u64) -> Big {
        Big(vec![x as u32, (x >> 32) as u32]).trimmed()
    }

    fn trimmed(mut self) -> Big {
        while self.0.len() > 1 && self.0.last() == Some(&0) {
            self.0.pop();
        }
        self
    }

    /// Minimal big-endian bytes (one zero byte for 0).
    pub(crate) fn to_be(&self) -> Vec<u8> {
        let mut out: Vec<u8> = self.0.iter().rev().flat_map(|l| l.to_be_bytes()).collect();
        let zeros = out.iter().take_while(|&&b| b == 0).count().min(out.len() - 1);
        out.drain(..zeros);
        out
    }

    /// Big-endian bytes left-padded to `len` (the value must fit).
    pub(crate) fn to_be_padded(&self, len: usize) -> Vec<u8> {
        let raw = self.to_be();
        let mut out = vec![0u8; len.saturating_sub(raw.len())];
        out.extend_from_slice(&raw[raw.len().saturating_sub(len)..]);
        out
    }

    pub(crate) fn bits(&self) -> usize {
        let top = *self.0.last().unwrap_or(&0);
        32 * (self.0.len() - 1) + (32 - top.leading_zeros() as usize)
    }

    pub(crate) fn is_zero(&self) -> bool {
        self.0.iter().all(|&l| l == 0)
    }

    pub(crate) fn is_odd(&self) -> bool {
        self.0[0] & 1 == 1
    }

    pub(crate) fn is_one(&self) -> bool {
        self.0[0] == 1 && self.0[1..].iter().all(|&l| l == 0)
    }

    fn bit(&self, i: usize) -> u32 {
        self.0.get(i / 32).map_or(0, |l| (l >> (i % 32)) & 1)
    }

    /// The value as a u64, when it fits.
    pub(crate) fn to_u64(&self) -> Option<u64> {
        (self.bits() <= 64).then(|| self.0.iter().rev().fold(0u64, |acc, &l| (acc << 32) | l as u64))
    }

    pub(crate) fn cmp(&self, other: &Big) -> core::cmp::Ordering {
        let n = self.0.len().max(other.0.len());
        (0..n)
            .rev()
            .map(|i| self.0.get(i).unwrap_or(&0).cmp(other.0.get(i).unwrap_or(&0)))
            .find(|o| o.is_ne())
            .unwrap_or(core::cmp::Ordering::Equal)
    }

    /// self − other, for self ≥ other.
    pub(crate) fn sub(&self, other: &Big) -> Big {
        let mut out = vec![0u32; self.0.len()];
        let mut borrow = 0u64;
        for (i, o) in out.iter_mut().enumerate() {
            let d = (self.0[i] as u64).wrapping_sub(*other.0.get(i).unwrap_or(&0) as u64).wrapping_sub(borrow);
            *o = d as u32;
            borrow = (d >> 63) & 1;
        }
        Big(out).trimmed()
    }

    pub(crate) fn add_small(&self, x: u32) -> Big {
        let mut out = self.0.clone();
        out.push(0);
        let mut carry = x as u64;
        for o in out.iter_mut() {
            let s = *o as u64 + carry;
            *o = s as u32;
            carry = s >> 32;
        }
        Big(out).trimmed()
    }

    pub(crate) fn mul(&self, other: &Big) -> Big {
        let mut out = vec![0u32; self.0.len() + other.0.len()];
        for (i, &a) in self.0.iter().enumerate() {
            let mut carry = 0u64;
            for (j, &b) in other.0.iter().enumerate() {
                let t = out[i + j] as u64 + a as u64 * b as u64 + carry;
                out[i + j] = t as u32;
                carry = t >> 32;
            }
            out[i + other.0.len()] = carry as u32;
        }
        Big(out).trimmed()
    }

    /// self mod m (m > 0), by shift and masked subtraction over every bit of self: the time
    /// depends on the sizes only (self may be a secret exponent).
    pub(crate) fn rem(&self, m: &Big) -> Big {
        let n = m.0.len() + 1;
        let (mut r, mut t) = (vec![0u32; n], vec![0u32; n]);
        for i in (0..32 * self.0.len()).rev() {
            // r = 2r + bit (r < m, so 2r + 1 < 2m fits n limbs).
            let mut carry = self.bit(i);
            for x in r.iter_mut() {
                let v = *x;
                *x = (v << 1) | carry;
                carry = v >> 31;
            }
            let mut borrow = 0u64;
            for (k, o) in t.iter_mut().enumerate() {
                let d = (r[k] as u64).wrapping_sub(*m.0.get(k).unwrap_or(&0) as u64).wrapping_sub(borrow);
                *o = d as u32;
                borrow = (d >> 63) & 1;
            }
            // Keep r − m unless it borrowed.
            let mask = (borrow as u32).wrapping_sub(1);
            for (x, &y) in r.iter_mut().zip(&t) {
                *x = (*x & !mask) | (y & mask);
            }
        }
        t.zeroize();
        Big(r).trimmed()
    }

    /// self / 2^k.
    pub(crate) fn shr_bits(&self, k: usize) -> Big {
        let (limbs, bits) = (k / 32, (k % 32) as u32);
        let src = &self.0[limbs.min(self.0.len())..];
        let mut out = vec![0u32; src.len().max(1)];
        for (i, o) in out.iter_mut().enumerate().take(src.len()) {
            let hi = if bits == 0 { 0 } else { src.get(i + 1).map_or(0, |&h| h << (32 - bits)) };
            *o = (src[i] >> bits) | hi;
        }
        Big(out).trimmed()
    }

    pub(crate) fn trailing_zeros(&self) -> usize {
        (0..self.bits()).find(|&i| self.bit(i) == 1).unwrap_or(0)
    }

    /// gcd(self, other) by the binary algorithm (variable time).
    pub(crate) fn gcd(&self, other: &Big) -> Big {
        let (mut a, mut b) = (self.clone(), other.clone());
        if a.is_zero() {
            return b;
        }
        if b.is_zero() {
            return a;
        }
        let shift = a.trailing_zeros().min(b.trailing_zeros());
        a = a.shr_bits(a.trailing_zeros());
        loop {
            b = b.shr_bits(b.trailing_zeros());
            if a.cmp(&b).is_gt() {
                core::mem::swap(&mut a, &mut b);
            }
            b = b.sub(&a);
            if b.is_zero() {
                break;
            }
        }
        // a · 2^shift
        let mut out = a;
        for _ in 0..shift {
            out = out.mul(&Big::from_u64(2));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_values() {
        let b = |x: u64| Big::from_u64(x);
        assert_eq!(b(0).to_be(), vec![0]);
        assert_eq!(Big::from_be(&[0, 0, 1, 2]).to_be(), vec![1, 2]);
        assert_eq!(b(0x1_0000_0001).to_be_padded(6), vec![0, 1, 0, 0, 0, 1]);
        assert_eq!(b(1_000_003).mul(&b(999_983)).to_u64(), Some(1_000_003 * 999_983));
        assert_eq!(b(u64::MAX).rem(&b(1_000_003)).to_u64(), Some(u64::MAX % 1_000_003));
        assert_eq!(b(12).rem(&b(12)).to_u64(), Some(0));
        assert_eq!(b(5).rem(&b(12)).to_u64(), Some(5));
        assert_eq!(b(1 << 40).sub(&b(1)).to_u64(), Some((1 << 40) - 1));
        assert_eq!(b(u32::MAX as u64).add_small(1).to_u64(), Some(1 << 32));
        assert_eq!(b(48).gcd(&b(180)).to_u64(), Some(12));
        assert_eq!(b(1_000_003 * 3).gcd(&b(999_983 * 1_000_003)).to_u64(), Some(1_000_003));
        assert_eq!(b(0x30).trailing_zeros(), 4);
        assert_eq!(b(0x30).shr_bits(4).to_u64(), Some(3));
        assert_eq!(b(1 << 40).bits(), 41);
        assert!(b(7).cmp(&b(9)).is_lt());
    }
}
