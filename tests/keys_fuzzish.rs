//! Malformed RSA private JWKs and damaged PEM keys never panic or hang: each is a typed error
//! (prime recovery, the key checks and our DER reader see attacker- or typo-shaped input here).

mod common;

use edge_delegation::{sign_json, KeyArg};
use serde_json::{json, Value};

#[test]
fn garbage_rsa_members_are_typed_errors() {
    let k = common::keys()["rsa"]["jwk"].clone();
    let n = k["n"].clone();
    let cases: Vec<Value> = vec![
        json!({"kty": "RSA", "n": n, "e": "AQAB", "d": "AA"}),
        json!({"kty": "RSA", "n": n, "e": "AQAB", "d": "AQ"}),
        json!({"kty": "RSA", "n": n, "e": "AQ", "d": k["d"]}),
        json!({"kty": "RSA", "n": n, "e": "Ag", "d": k["d"]}),
        json!({"kty": "RSA", "n": n, "e": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAEAAg", "d": k["d"]}),
        json!({"kty": "RSA", "n": n, "e": "AQAB", "d": n}),
        json!({"kty": "RSA", "n": n, "e": "AQAB", "d": k["d"], "p": "AQ", "q": n}),
        json!({"kty": "RSA", "n": n, "e": "AQAB", "d": k["d"], "p": "AA", "q": "AA"}),
        json!({"kty": "RSA", "n": n, "e": "AQAB", "d": k["d"], "p": k["q"], "q": k["p"], "qi": "AA"}),
        json!({"kty": "RSA", "n": "AA", "e": "AA", "d": "AA"}),
        json!({"kty": "RSA", "n": "_".repeat(2000), "e": "AQAB", "d": "AQ"}),
    ];
    for key in cases {
        let r = sign_json(&json!({}), KeyArg::Value(key.clone()), &json!({"alg": "RS256"}));
        let e = r.expect_err("a malformed key must not sign");
        assert_eq!(e.code.as_str(), "ERR_KEY_INVALID", "{key}: {e}");
    }
}

/// Damaged PEM keys (our DER reader sees them first: PKCS#1, PKCS#8, SPKI, SEC1): the DER cut
/// short at every length and one byte changed at many places. Each is a typed key error (or,
/// for a change the key survives, a key); none panics.
#[test]
fn damaged_pem_keys_are_typed_errors() {
    use base64ct::{Base64, Encoding};
    use edge_delegation::keys::{signing_pem, verifying_pem};
    let keys = common::keys();
    let pem = |label: &str, der: &[u8]| {
        let body = Base64::encode_string(der);
        let lines: Vec<&str> = body.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).unwrap()).collect();
        format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", lines.join("\n"))
    };
    let der = |text: &str| {
        let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
        Base64::decode_vec(&body).unwrap()
    };
    let cases = [
        ("PRIVATE KEY", keys["rsa"]["private_pkcs8"].as_str().unwrap(), true),
        ("RSA PRIVATE KEY", keys["rsa"]["private_pkcs1"].as_str().unwrap(), true),
        ("PRIVATE KEY", keys["ec"]["private_pkcs8"].as_str().unwrap(), true),
        ("EC PRIVATE KEY", keys["ec"]["private_sec1"].as_str().unwrap(), true),
        ("PUBLIC KEY", keys["rsa"]["public_spki"].as_str().unwrap(), false),
        ("RSA PUBLIC KEY", keys["rsa"]["public_pkcs1"].as_str().unwrap(), false),
    ];
    let mut refused = 0;
    for (label, text, private) in cases {
        let good = der(text);
        let import = |d: &[u8]| {
            let p = pem(label, d);
            if private {
                signing_pem(&p).map(|_| ())
            } else {
                verifying_pem(&p).map(|_| ())
            }
        };
        assert!(import(&good).is_ok(), "{label}: the undamaged key");
        let mut damaged: Vec<Vec<u8>> = (0..good.len()).step_by(3).map(|n| good[..n].to_vec()).collect();
        for i in (0..good.len()).step_by(11) {
            let mut d = good.clone();
            d[i] ^= 0x41;
            damaged.push(d);
        }
        for d in damaged {
            if let Err(e) = import(&d) {
                assert!(
                    matches!(e.code.as_str(), "ERR_KEY_INVALID" | "ERR_JOSE_NOT_SUPPORTED"),
                    "{label}: {} {}",
                    e.code.as_str(),
                    e.message
                );
                refused += 1;
            }
        }
    }
    assert!(refused > 1000, "{refused}");
}
