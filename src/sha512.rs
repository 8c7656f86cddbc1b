//! SHA-384 and SHA-512, and HMAC (RFC 2104) over them, all through one SHA-512 core: SHA-384 is
//! SHA-512 with its own initial values, cut to 48 bytes, and the core takes the output size at
//! run time. Every SHA-384/512 user shares this one body (Ed25519, RS384/512 and PS384/512
//! digests, HS384, HS512, the RSA-PSS salt), where the sha2, hmac and jwt-compact crates' generic
//! code linked a copy per hash type and per caller.

use sha2::digest::core_api::RtVariableCoreWrapper;
use sha2::digest::{Update, VariableOutput};
use sha2::Sha512VarCore;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// SHA-512's core with the output size chosen at run time.
type Sha512Var = RtVariableCoreWrapper<Sha512VarCore>;

/// SHA-512's block size in bytes (also SHA-384's).
const BLOCK: usize = 128;

/// The hash of `parts` in sequence, `len` bytes: 48 (SHA-384) or 64 (SHA-512), the only
/// lengths the callers pass (the core takes a few others, SHA-512/t; above 64, empty).
pub(crate) fn hash(len: usize, parts: &[&[u8]]) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(vec![0; len]);
    let Ok(mut h) = Sha512Var::new(len) else { return Zeroizing::new(Vec::new()) };
    for p in parts {
        h.update(p);
    }
    if h.finalize_variable(&mut out).is_err() {
        out.clear();
    }
    out
}

/// HMAC-SHA-384 (`len` 48) or HMAC-SHA-512 (`len` 64) of `msg` under `key`.
pub(crate) fn mac(len: usize, key: &[u8], msg: &[u8]) -> Zeroizing<Vec<u8>> {
    // A key longer than a block is hashed first (RFC 2104 §2); the rest pad with zeros.
    let mut k = Zeroizing::new([0u8; BLOCK]);
    if key.len() > BLOCK {
        let h = hash(len, &[key]);
        k[..h.len()].copy_from_slice(&h);
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let pad = |b: u8| Zeroizing::new(k.map(|x| x ^ b));
    let inner = hash(len, &[&*pad(0x36), msg]);
    hash(len, &[&*pad(0x5c), &inner])
}

/// Whether `tag` is the MAC of `msg` (all `len` bytes, compared in constant time).
pub(crate) fn verify(len: usize, key: &[u8], msg: &[u8], tag: &[u8]) -> bool {
    tag.len() == len && bool::from(mac(len, key, msg).ct_eq(tag))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::{Hmac, Mac};
    use sha2::{Sha384, Sha512};

    fn reference<D: Mac + hmac::digest::KeyInit>(key: &[u8], msg: &[u8]) -> Vec<u8> {
        let mut m = <D as hmac::digest::KeyInit>::new_from_slice(key).unwrap();
        m.update(msg);
        m.finalize().into_bytes().to_vec()
    }

    #[test]
    fn matches_rfc_4231_and_the_hmac_crate() {
        // RFC 4231 test case 2 ("Jefe").
        let t2 = mac(64, b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex(&t2),
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"
        );
        let t2 = mac(48, b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex(&t2),
            "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649"
        );
        // Keys shorter than, equal to and longer than a block, messages around block edges.
        for klen in [0, 1, 48, 64, 127, 128, 129, 300] {
            let key: Vec<u8> = (0..klen).map(|i| (i * 7 + 1) as u8).collect();
            for mlen in [0, 1, 111, 112, 127, 128, 129, 256, 1000] {
                let msg: Vec<u8> = (0..mlen).map(|i| (i * 13 + 5) as u8).collect();
                assert_eq!(*mac(48, &key, &msg), reference::<Hmac<Sha384>>(&key, &msg), "384: key {klen}, msg {mlen}");
                assert_eq!(*mac(64, &key, &msg), reference::<Hmac<Sha512>>(&key, &msg), "512: key {klen}, msg {mlen}");
                let tag = mac(64, &key, &msg);
                assert!(verify(64, &key, &msg, &tag));
                assert!(!verify(64, &key, &msg, &tag[..63]));
                assert!(!verify(48, &key, &msg, &tag[..48]));
            }
        }
        assert!(mac(65, b"k", b"m").is_empty());
    }

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }
}
