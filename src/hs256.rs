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

/// One SHA-256 block into `state`, through a copy that is wiped when `secret` (a key pad
/// block; message blocks are not secret).
fn compress(state: &mut [u32; 8], block: &[u8], secret: bool) {
    let mut b = [0u8; 64];
    b.copy_from_slice(block);
    sha2::compress256(state, &[b.into()]);
    if secret {
        b.zeroize();
    }
}

/// Continues SHA-256 from `state`, which has absorbed `done` bytes (a multiple of 64), over
/// `msg`, and returns the digest.
fn finish(mut state: [u32; 8], done: usize, msg: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut blocks = msg.chunks_exact(64);
    for block in &mut blocks {
        compress(&mut state, block, false);
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
        compress(&mut state, block, false);
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
            compress(&mut state, &*block, true);
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
