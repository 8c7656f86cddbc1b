//! Malformed RSA private JWKs never panic or hang: each is a typed error (rsa's prime
//! recovery and validation see attacker- or typo-shaped numbers here).

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
