//! A dudect-style timing check (Reparaz, Balasch, Verbauwhede, "Dude, is my code constant
//! time?", 2017) of the RS256 signer, run natively: `npm run dudect` (or
//! `cargo run --release --example dudect -- [samples] [algs]`; `algs` a comma-separated subset
//! of RS256,PS256,ES256,EdDSA, all by default; the control always runs).
//!
//! Two experiments, each signing two classes of input in random order: (1) the message: a
//! fixed message against a fresh random one each time (one 2048-bit key); (2) the key: two
//! different 2048-bit keys (the secret exponents differ) signing the same message. Welch's
//! t-test compares the two timing distributions, whole and cropped at several percentiles
//! (dudect's way of removing the long tail that interrupts add). |t| above 4.5 means the
//! classes are distinguishable: a leak. A positive control runs alongside: a textbook
//! square-and-multiply (a branch on each exponent bit) over the same keys' CRT exponents,
//! which must show its leak, or the harness proves nothing. PS256 (same private operation,
//! with PSS padding and a derived salt) is measured too, and so is ES256 (table-based k·G,
//! k⁻¹ as a constant-time power; the nonce differs with the message and the key by design, so
//! these lines check that the time does not), and so is EdDSA (k·B from a table by masked
//! scans, src/ed25519.rs; its nonce too depends on the message and the key by design).
//!
//! It is a measurement, not a test: timing depends on the machine, so `npm test` does not run
//! it. It exits 1 when our signer's |t| crosses the threshold.

use std::time::Instant;

use edge_delegation::keys::{signing_value, SigningKey};
use edge_delegation::Alg;
use num_bigint::BigUint;
use sha2::{Digest, Sha256};

const THRESHOLD: f64 = 4.5;
/// Crops: keep the measurements below these percentiles (1.0 = all).
const CROPS: [f64; 6] = [1.0, 0.99, 0.95, 0.9, 0.75, 0.5];

/// xorshift64*: the class sequence and the random messages (no entropy needed here).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn fill(&mut self, b: &mut [u8]) {
        for c in b.chunks_mut(8) {
            let x = self.next().to_le_bytes();
            c.copy_from_slice(&x[..c.len()]);
        }
    }
}

/// Welch's t statistic of two samples.
fn welch(a: &[f64], b: &[f64]) -> f64 {
    let stats = |x: &[f64]| {
        let n = x.len() as f64;
        let mean = x.iter().sum::<f64>() / n;
        let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
        (n, mean, var)
    };
    let ((na, ma, va), (nb, mb, vb)) = (stats(a), stats(b));
    (ma - mb) / (va / na + vb / nb).sqrt()
}

/// Times `op(class, message)` for `samples` calls of random class; returns |t| per crop.
/// `random_message`: class 1 signs a fresh random message (else both sign a fixed one).
fn measure(samples: usize, random_message: bool, mut op: impl FnMut(usize, &[u8])) -> Vec<f64> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let fixed = [0u8; 64];
    let mut msg = [0u8; 64];
    let mut times: [Vec<f64>; 2] = [Vec::with_capacity(samples), Vec::with_capacity(samples)];
    // Warm up caches and frequency scaling before measuring.
    for i in 0..samples / 20 {
        op(i & 1, &fixed);
    }
    for _ in 0..samples {
        let class = (rng.next() & 1) as usize;
        if class == 1 && random_message {
            rng.fill(&mut msg);
        } else {
            msg = fixed;
        }
        let t0 = Instant::now();
        op(class, &msg);
        times[class].push(t0.elapsed().as_nanos() as f64);
    }
    let mut all: Vec<f64> = times.iter().flatten().copied().collect();
    all.sort_by(f64::total_cmp);
    CROPS
        .iter()
        .map(|p| {
            let cut = all[((all.len() - 1) as f64 * p) as usize];
            let keep = |x: &Vec<f64>| x.iter().copied().filter(|v| *v <= cut).collect::<Vec<_>>();
            welch(&keep(&times[0]), &keep(&times[1])).abs()
        })
        .collect()
}

fn rsa_key(keys: &serde_json::Value, name: &str) -> SigningKey {
    signing_value(&keys[name]["jwk"]).expect("a fixture RSA key").0
}

/// A P-256 JWK for the private scalar `d` (big-endian), its public point computed by p256.
fn ec_key(d: [u8; 32]) -> SigningKey {
    use base64ct::{Base64UrlUnpadded, Encoding};
    use p256::elliptic_curve::sec1::ToEncodedPoint;
    let secret = p256::SecretKey::from_slice(&d).expect("a P-256 scalar");
    let point = secret.public_key().to_encoded_point(false);
    let b64 = |b: &[u8]| Base64UrlUnpadded::encode_string(b);
    let jwk = serde_json::json!({
        "kty": "EC", "crv": "P-256", "d": b64(&d),
        "x": b64(point.x().expect("x")), "y": b64(point.y().expect("y")),
    });
    signing_value(&jwk).expect("a P-256 JWK").0
}

/// An Ed25519 JWK for the seed `d`, its public key computed by ed25519-dalek.
fn ed_key(d: [u8; 32]) -> SigningKey {
    use base64ct::{Base64UrlUnpadded, Encoding};
    let x = ed25519_dalek::SigningKey::from_bytes(&d).verifying_key().to_bytes();
    let b64 = |b: &[u8]| Base64UrlUnpadded::encode_string(b);
    let jwk = serde_json::json!({ "kty": "OKP", "crv": "Ed25519", "d": b64(&d), "x": b64(&x) });
    signing_value(&jwk).expect("an Ed25519 JWK").0
}

/// The signers measured, in this order (their keys below).
const MEASURED: [Alg; 4] = [Alg::Rs256, Alg::Ps256, Alg::Es256, Alg::EdDsa];

fn main() {
    let samples: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let only: Option<Vec<String>> = std::env::args().nth(2).map(|s| s.split(',').map(str::to_owned).collect());
    let names = MEASURED.map(Alg::name);
    if let Some(unknown) = only.iter().flatten().find(|o| !names.contains(&o.as_str())) {
        eprintln!("unknown algorithm {unknown:?}: name some of {}", names.join(","));
        std::process::exit(2);
    }
    let keys: serde_json::Value =
        serde_json::from_str(include_str!("../tests/fixtures/keys.json")).expect("tests/fixtures/keys.json");
    let ours = [rsa_key(&keys, "rsa"), rsa_key(&keys, "rsa2")];
    // p and dp of each key, for the control.
    let member = |name: &str, m: &str| {
        let b64 = keys[name]["jwk"][m].as_str().expect("a JWK member");
        BigUint::from_bytes_be(&edge_delegation::jws::base64url_decode(b64).expect("base64url"))
    };
    let crt = [("rsa", member("rsa", "p"), member("rsa", "dp")), ("rsa2", member("rsa2", "p"), member("rsa2", "dp"))];
    let sign_ours = |alg: Alg, key: &SigningKey, m: &[u8]| {
        std::hint::black_box(edge_delegation::alg::sign(alg, key, m).expect("sign"));
    };

    println!("dudect-style check, {samples} signatures per line, 2048-bit keys");
    println!("|t| per crop (percentile of all timings kept): {CROPS:?}; a leak when any |t| > {THRESHOLD}\n");
    let show = |name: &str, t: &[f64]| {
        let max = t.iter().copied().fold(0.0, f64::max);
        let cells: Vec<String> = t.iter().map(|v| format!("{v:6.2}")).collect();
        let verdict = if max > THRESHOLD { "LEAK" } else { "no leak detected" };
        println!("{name:<58} {}  max {max:6.2}  {verdict}", cells.join(" "));
        max
    };
    let mut worst: f64 = 0.0;
    // Two P-256 scalars of very different Hamming weight (48 and 208 bits set).
    let ec = [ec_key([0x01; 32]), ec_key([0x7f; 32])];
    // Two Ed25519 seeds (their clamped scalars differ throughout).
    let ed = [ed_key([0x01; 32]), ed_key([0x7f; 32])];
    for (alg, keys) in MEASURED.into_iter().zip([&ours, &ours, &ec, &ed]) {
        let name = alg.name();
        if only.as_ref().is_some_and(|only| !only.iter().any(|o| o == name)) {
            continue;
        }
        let t = measure(samples, true, |_, m| sign_ours(alg, &keys[0], m));
        worst = worst.max(show(&format!("ours, {name}, fixed vs random message"), &t));
        let t = measure(samples, false, |c, m| sign_ours(alg, &keys[c], m));
        worst = worst.max(show(&format!("ours, {name}, key A vs key B"), &t));
    }
    // The positive control: c^dp mod p by square-and-multiply, multiplying only on 1 bits.
    let textbook = |c: usize, m: &[u8]| {
        let (_, p, dp) = &crt[c];
        let base = BigUint::from_bytes_be(&Sha256::digest(m)) % p;
        let mut r = BigUint::from(1u32);
        for i in (0..dp.bits()).rev() {
            r = &r * &r % p;
            if dp.bit(i) {
                r = &r * &base % p;
            }
        }
        std::hint::black_box(r);
    };
    let control =
        show("control: square-and-multiply on dp, key A vs key B", &measure(samples, false, |c, m| textbook(c, m)));
    if control <= THRESHOLD {
        println!("\nthe positive control showed no leak: this run proves nothing; use more samples");
        std::process::exit(2);
    }
    std::process::exit(i32::from(worst > THRESHOLD));
}
