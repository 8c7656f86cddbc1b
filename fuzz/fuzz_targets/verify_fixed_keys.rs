//! Any bytes as a token against verifiers with fixed keys (HS256 secret, RSA, P-256, Ed25519,
//! and a JWKS of all three): nothing verifies (the seeds are signed by these keys but expired, so
//! a variant that verified would be a forgery), nothing panics.
#![no_main]

use std::sync::OnceLock;

use edge_delegation::Verifier;
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};

fn verifiers() -> &'static Vec<Verifier> {
    static V: OnceLock<Vec<Verifier>> = OnceLock::new();
    V.get_or_init(|| {
        let keys: Value = serde_json::from_str(include_str!("../../tests/fixtures/keys.json")).unwrap();
        let public = |k: &str| {
            let mut j = keys[k]["jwk"].clone();
            for m in ["d", "p", "q", "dp", "dq", "qi"] {
                j.as_object_mut().unwrap().remove(m);
            }
            j
        };
        vec![
            Verifier::from_json(&json!({}), Some(b"fuzzing-secret-of-at-least-32-bytes!".to_vec())).unwrap(),
            Verifier::from_json(&json!({ "key": keys["rsa"]["public_spki"] }), None).unwrap(),
            Verifier::from_json(&json!({ "key": keys["ec"]["public_spki"] }), None).unwrap(),
            Verifier::from_json(&json!({ "key": keys["ed"]["public_spki"] }), None).unwrap(),
            Verifier::from_json(
                &json!({ "jwks": { "keys": [public("rsa"), public("ec"), public("ed")] }, "issuer": "i", "audience": "a",
                         "requiredClaims": ["sub"], "maxTokenAge": 60, "typ": "JWT" }),
                None,
            )
            .unwrap(),
        ]
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for v in verifiers() {
        assert!(v.verify(&text, 1_800_000_000).is_err(), "a fuzzed token verified");
    }
});
