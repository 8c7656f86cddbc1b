//! HMAC-SHA256 (RFC 2104) with the key's two pads hashed once per key: each MAC then costs
//! the message's SHA-256 blocks plus one, instead of two more. The two midstates are as
//! secret as the key and are wiped on drop, like the key.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

/// SHA-256's initial state (FIPS 180-4 §5.3.3).
const IV: [u32; 8] =
    [0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19];

/// The SHA-256 states after the key's inner and outer pad blocks.
#[derive(Clone)]
pub(crate) struct Hs256Key {
    inner: [u32; 8],
    outer: [u32; 8],
}

impl Drop for Hs256Key {
    fn drop(&mut self) {
        self.inner.zeroize();
        self.outer.zeroize();
    }
}

/// SHA-256's round constants: the first 32 bits of the fractional parts of the cube roots of
/// the first 64 primes (FIPS 180-4 §4.2.2).
#[rustfmt::skip]
const K: [u32; 64] = [
    0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
    0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
    0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
    0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
    0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
    0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
    0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
    0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
];

/// Four 32-bit lanes: wasm SIMD when the build enables it, plain arrays otherwise (the same
/// schedule either way, so native tests exercise what wasm runs).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod lanes {
    use core::arch::wasm32::*;

    #[derive(Clone, Copy)]
    pub struct V(v128);

    /// Four big-endian words: one load and one byte shuffle (wasm has no byte swap).
    #[inline(always)]
    pub fn load_be(b: &[u8; 16]) -> V {
        let v =
            u8x16(b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
        V(i8x16_shuffle::<3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12>(v, v))
    }
    #[inline(always)]
    pub fn words(w: &[u32; 4]) -> V {
        V(u32x4(w[0], w[1], w[2], w[3]))
    }
    #[inline(always)]
    pub fn words_of(v: V) -> [u32; 4] {
        [
            u32x4_extract_lane::<0>(v.0),
            u32x4_extract_lane::<1>(v.0),
            u32x4_extract_lane::<2>(v.0),
            u32x4_extract_lane::<3>(v.0),
        ]
    }
    #[inline(always)]
    pub fn add(a: V, b: V) -> V {
        V(u32x4_add(a.0, b.0))
    }
    #[inline(always)]
    pub fn xor(a: V, b: V) -> V {
        V(v128_xor(a.0, b.0))
    }
    /// Each lane rotated right by `R` (`L` = 32 − R).
    #[inline(always)]
    pub fn rotr<const R: u32, const L: u32>(a: V) -> V {
        V(v128_or(u32x4_shr(a.0, R), u32x4_shl(a.0, L)))
    }
    #[inline(always)]
    pub fn shr<const R: u32>(a: V) -> V {
        V(u32x4_shr(a.0, R))
    }
    /// [lo₁, lo₂, lo₃, hi₀]: the four words one past `lo`'s first.
    #[inline(always)]
    pub fn next(lo: V, hi: V) -> V {
        V(i32x4_shuffle::<1, 2, 3, 4>(lo.0, hi.0))
    }
    /// [a₂, a₃, a₂, a₃].
    #[inline(always)]
    pub fn top_twice(a: V) -> V {
        V(i32x4_shuffle::<2, 3, 2, 3>(a.0, a.0))
    }
    /// [a₀, a₁, a₀, a₁].
    #[inline(always)]
    pub fn bottom_twice(a: V) -> V {
        V(i32x4_shuffle::<0, 1, 0, 1>(a.0, a.0))
    }
    /// [lo₀, lo₁, hi₂, hi₃].
    #[inline(always)]
    pub fn halves(lo: V, hi: V) -> V {
        V(i32x4_shuffle::<0, 1, 6, 7>(lo.0, hi.0))
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod lanes {
    #[derive(Clone, Copy)]
    pub struct V([u32; 4]);

    pub fn load_be(b: &[u8; 16]) -> V {
        V(core::array::from_fn(|i| u32::from_be_bytes([b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]])))
    }
    pub fn words(w: &[u32; 4]) -> V {
        V(*w)
    }
    pub fn words_of(v: V) -> [u32; 4] {
        v.0
    }
    fn map(a: V, f: impl Fn(u32) -> u32) -> V {
        V(a.0.map(f))
    }
    fn zip(a: V, b: V, f: impl Fn(u32, u32) -> u32) -> V {
        V(core::array::from_fn(|i| f(a.0[i], b.0[i])))
    }
    pub fn add(a: V, b: V) -> V {
        zip(a, b, u32::wrapping_add)
    }
    pub fn xor(a: V, b: V) -> V {
        zip(a, b, |x, y| x ^ y)
    }
    pub fn rotr<const R: u32, const L: u32>(a: V) -> V {
        map(a, |x| (x >> R) | (x << L))
    }
    pub fn shr<const R: u32>(a: V) -> V {
        map(a, |x| x >> R)
    }
    pub fn next(lo: V, hi: V) -> V {
        V([lo.0[1], lo.0[2], lo.0[3], hi.0[0]])
    }
    pub fn top_twice(a: V) -> V {
        V([a.0[2], a.0[3], a.0[2], a.0[3]])
    }
    pub fn bottom_twice(a: V) -> V {
        V([a.0[0], a.0[1], a.0[0], a.0[1]])
    }
    pub fn halves(lo: V, hi: V) -> V {
        V([lo.0[0], lo.0[1], hi.0[2], hi.0[3]])
    }
}

use lanes::V;

/// σ0 of four words (FIPS 180-4 (4.6)).
#[inline(always)]
fn small_sigma0(x: V) -> V {
    lanes::xor(lanes::xor(lanes::rotr::<7, 25>(x), lanes::rotr::<18, 14>(x)), lanes::shr::<3>(x))
}

/// σ1 of four words (FIPS 180-4 (4.7)).
#[inline(always)]
fn small_sigma1(x: V) -> V {
    lanes::xor(lanes::xor(lanes::rotr::<17, 15>(x), lanes::rotr::<19, 13>(x)), lanes::shr::<10>(x))
}

/// Four SHA-256 rounds (FIPS 180-4 §6.2.2 step 3) over `s` = [a, b, …, h], with W_t + K_t
/// for each.
#[inline(always)]
fn rounds(s: &mut [u32; 8], wk: [u32; 4]) {
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *s;
    for wk in wk {
        let ch = g ^ (e & (f ^ g));
        let t1 = h
            .wrapping_add(e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25))
            .wrapping_add(ch)
            .wrapping_add(wk);
        let maj = (a & b) | (c & (a | b));
        let t2 = (a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22)).wrapping_add(maj);
        (h, g, f, e, d, c, b, a) = (g, f, e, d.wrapping_add(t1), c, b, a, t1.wrapping_add(t2));
    }
    *s = [a, b, c, d, e, f, g, h];
}

/// One SHA-256 block into `state` (FIPS 180-4 §6.2.2), written for wasm: the message schedule
/// four words at a time in SIMD (wasm has no byte swap; a vector shuffle does the loads'),
/// each four words' rounds reading them straight from the vector, the rounds as plain 32-bit
/// operations on locals (the sha2 crate's portable code emulates x86's four-lane SHA
/// instructions with array shuffles: a fifth of an HS256 verification went there). No
/// schedule array: a key pad block's words (secret) stay in locals, outside linear memory.
fn compress(state: &mut [u32; 8], block: &[u8; 64]) {
    let word4 = |i: usize| -> &[u8; 16] { block[16 * i..16 * i + 16].try_into().expect("16 of 64 bytes") };
    // W[t−16..t] (t = 16 + 4j at step j), four words per vector.
    let mut x =
        [lanes::load_be(word4(0)), lanes::load_be(word4(1)), lanes::load_be(word4(2)), lanes::load_be(word4(3))];
    let mut s = *state;
    for j in 0..16 {
        let k: &[u32; 4] = K[4 * j..4 * j + 4].try_into().expect("64 constants");
        rounds(&mut s, lanes::words_of(lanes::add(x[0], lanes::words(k))));
        // Words 0 and 1 of the next four take σ1 of the two words before them, words 2 and
        // 3 σ1 of words 0 and 1 just made.
        let next = if j < 12 {
            let base = lanes::add(lanes::add(x[0], small_sigma0(lanes::next(x[0], x[1]))), lanes::next(x[2], x[3]));
            let low = lanes::add(base, small_sigma1(lanes::top_twice(x[3])));
            let high = lanes::add(base, small_sigma1(lanes::bottom_twice(low)));
            lanes::halves(low, high)
        } else {
            x[0]
        };
        x = [x[1], x[2], x[3], next];
    }
    for (t, v) in state.iter_mut().zip(s) {
        *t = t.wrapping_add(v);
    }
}

/// Continues SHA-256 from `state`, which has absorbed `done` bytes (a multiple of 64), over
/// `msg`, and returns the digest.
fn finish(mut state: [u32; 8], done: usize, msg: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut blocks = msg.chunks_exact(64);
    for block in &mut blocks {
        compress(&mut state, block.try_into().expect("64-byte chunks"));
    }
    let rest = blocks.remainder();
    // The padding: 0x80, zeros, the bit length; one block or two.
    let mut tail = Zeroizing::new([0u8; 128]);
    tail[..rest.len()].copy_from_slice(rest);
    tail[rest.len()] = 0x80;
    let end = if rest.len() < 56 { 64 } else { 128 };
    let bits = ((done + msg.len()) as u64) * 8;
    tail[end - 8..end].copy_from_slice(&bits.to_be_bytes());
    for block in tail[..end].chunks_exact(64) {
        compress(&mut state, block.try_into().expect("64-byte chunks"));
    }
    let mut out = Zeroizing::new([0u8; 32]);
    for (o, w) in out.chunks_exact_mut(4).zip(state.iter()) {
        o.copy_from_slice(&w.to_be_bytes());
    }
    state.zeroize();
    out
}

impl Hs256Key {
    pub(crate) fn new(key: &[u8]) -> Hs256Key {
        // Keys longer than a block are hashed first (RFC 2104 §2).
        let mut k0 = Zeroizing::new([0u8; 64]);
        if key.len() > 64 {
            k0[..32].copy_from_slice(&Sha256::digest(key));
        } else {
            k0[..key.len()].copy_from_slice(key);
        }
        let pad = |byte: u8| {
            let mut block = Zeroizing::new([0u8; 64]);
            for (b, k) in block.iter_mut().zip(k0.iter()) {
                *b = k ^ byte;
            }
            let mut state = IV;
            compress(&mut state, &block);
            state
        };
        Hs256Key { inner: pad(0x36), outer: pad(0x5c) }
    }

    /// HMAC-SHA256 of `msg`.
    pub(crate) fn mac(&self, msg: &[u8]) -> [u8; 32] {
        let inner = finish(self.inner, 64, msg);
        *finish(self.outer, 64, &*inner)
    }

    /// Whether `tag` is the MAC of `msg` (constant-time comparison).
    pub(crate) fn verify(&self, msg: &[u8], tag: &[u8]) -> bool {
        tag.len() == 32 && bool::from(self.mac(msg).ct_eq(tag))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::{Hmac, Mac};

    fn reference(key: &[u8], msg: &[u8]) -> Vec<u8> {
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap();
        m.update(msg);
        m.finalize().into_bytes().to_vec()
    }

    /// RFC 4231 test case 2, then every key length to 130 bytes and message length to 200
    /// (each padding case: one or two final blocks, keys above a block) against the hmac crate.
    #[test]
    fn matches_rfc_4231_and_the_hmac_crate() {
        let tag = Hs256Key::new(b"Jefe").mac(b"what do ya want for nothing?");
        let want = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        assert_eq!(tag.iter().map(|b| format!("{b:02x}")).collect::<String>(), want);
        let bytes: Vec<u8> = (0..=255u8).map(|i| i.wrapping_mul(31)).collect();
        for klen in [1usize, 31, 32, 63, 64, 65, 100, 130] {
            let key = Hs256Key::new(&bytes[..klen]);
            for mlen in 0..200 {
                let msg = &bytes[..mlen];
                assert_eq!(key.mac(msg).to_vec(), reference(&bytes[..klen], msg), "key {klen}, message {mlen}");
                assert!(key.verify(msg, &reference(&bytes[..klen], msg)));
            }
        }
        let key = Hs256Key::new(b"k");
        let mut tag = key.mac(b"m");
        assert!(!key.verify(b"m", &tag[..31]));
        tag[31] ^= 1;
        assert!(!key.verify(b"m", &tag));
    }
}
