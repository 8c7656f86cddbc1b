//! One regression test per advisory that broke a JWT library, named after it: each feeds our
//! verifier the input that exploited the library and expects a typed refusal.

mod common;

use base64ct::{Base64UrlUnpadded, Encoding};
use common::*;
use edge_delegation::keys::secret_from_bytes;
use edge_delegation::{sign_json, KeyArg, Verifier};
use hmac::Mac;
use serde_json::{json, Value};

fn b64(s: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(s)
}

/// A token HMAC-signed with `key` (any bytes): what an attacker mints.
fn forge_hs256(header: &Value, payload: &Value, key: &[u8]) -> String {
    let input = format!("{}.{}", b64(header.to_string().as_bytes()), b64(payload.to_string().as_bytes()));
    let mut mac = <hmac::Hmac<sha2::Sha256>>::new_from_slice(key).unwrap();
    mac.update(input.as_bytes());
    format!("{input}.{}", b64(&mac.finalize().into_bytes()))
}

fn code(v: &Verifier, token: &str) -> String {
    match v.verify(token, NOW) {
        Ok(_) => "OK".into(),
        Err(e) => e.code.as_str().into(),
    }
}

fn claims() -> Value {
    json!({ "sub": "admin", "iat": NOW - 10, "exp": NOW + 600 })
}

fn public_spki(which: &str) -> Value {
    keys()[which]["public_spki"].clone()
}

#[test]
fn cve_2022_23539_node_jsonwebtoken_insecure_key_types() {
    // jsonwebtoken < 9 let legacy and weak key types sign and verify. We refuse RSA under 2048
    // bits, curves other than P-256, and a key used with another family's algorithm.
    // A weak RSA key is invalid; a P-384 key is of a curve not supported at all.
    for (which, alg, expected) in [("rsa1024", "RS256", "ERR_KEY_INVALID"), ("p384", "ES256", "ERR_JOSE_NOT_SUPPORTED")]
    {
        let e = Verifier::from_json(&json!({ "key": public_spki(which) }), None).unwrap_err();
        assert_eq!(e.code.as_str(), expected, "{which}: {e}");
        let e = sign_json(&claims(), KeyArg::Value(keys()[which]["jwk"].clone()), &json!({ "alg": alg })).unwrap_err();
        assert!(["ERR_KEY_INVALID", "ERR_JOSE_NOT_SUPPORTED"].contains(&e.code.as_str()), "{which}: {e}");
    }
    let es = sign_json(&claims(), KeyArg::Value(keys()["ec"]["jwk"].clone()), &json!({ "alg": "ES256" })).unwrap();
    let ed = Verifier::from_json(&json!({ "key": public_spki("ed") }), None).unwrap();
    assert_eq!(code(&ed, &es), "ERR_JOSE_ALG_NOT_ALLOWED");
    let e = sign_json(&claims(), KeyArg::Value(keys()["ed"]["jwk"].clone()), &json!({ "alg": "ES256" })).unwrap_err();
    assert_eq!(e.code.as_str(), "ERR_JOSE_ALG_NOT_ALLOWED", "{e}");
}

#[test]
fn cve_2022_23540_node_jsonwebtoken_none_when_key_is_falsy() {
    // jsonwebtoken < 9 fell back to `none` when no algorithms and a falsy key were given.
    let none = format!("{}.{}.", b64(br#"{"alg":"none"}"#), b64(claims().to_string().as_bytes()));
    for secret in [Vec::new(), vec![0u8; 0]] {
        let e = Verifier::from_json(&json!({}), Some(secret)).unwrap_err();
        assert!(e.message.contains("empty"), "{e}");
    }
    let e = Verifier::from_json(&json!({}), None).unwrap_err();
    assert!(e.message.contains("no key given"), "{e}");
    let v = Verifier::from_json(&json!({ "key": public_spki("rsa") }), None).unwrap();
    for alg in ["none", "None", "NONE", "nOnE"] {
        let t = none.replacen(&b64(br#"{"alg":"none"}"#), &b64(format!(r#"{{"alg":"{alg}"}}"#).as_bytes()), 1);
        assert_eq!(code(&v, &t), "ERR_JOSE_ALG_NOT_ALLOWED", "alg {alg}");
    }
    let e = Verifier::from_json(&json!({ "key": public_spki("rsa"), "algorithms": ["none"] }), None).unwrap_err();
    assert_eq!(e.code.as_str(), "ERR_JOSE_NOT_SUPPORTED", "{e}");
}

#[test]
fn cve_2022_23541_node_jsonwebtoken_rsa_public_key_as_hmac_secret() {
    // The attacker HMACs with the (public) RSA key's PEM text and sets alg HS256.
    let pem = public_spki("rsa").as_str().unwrap().to_owned();
    let forged = forge_hs256(&json!({ "alg": "HS256" }), &claims(), pem.as_bytes());
    let by_key = Verifier::from_json(&json!({ "key": pem }), None).unwrap();
    assert_eq!(code(&by_key, &forged), "ERR_JOSE_ALG_NOT_ALLOWED");
    let jwks = json!({ "keys": [ { "kty": "RSA", "n": keys()["rsa"]["jwk"]["n"], "e": "AQAB" } ] });
    let by_jwks = Verifier::from_json(&json!({ "jwks": jwks }), None).unwrap();
    assert_eq!(code(&by_jwks, &forged), "ERR_JOSE_ALG_NOT_ALLOWED");
    // Asking for HS256 with only an RSA key is refused when the verifier is built.
    let e = Verifier::from_json(&json!({ "jwks": jwks, "algorithms": ["RS256", "HS256"] }), None).unwrap_err();
    assert_eq!(e.code.as_str(), "ERR_JOSE_ALG_NOT_ALLOWED", "{e}");
    let e = Verifier::from_json(&json!({}), Some(pem.into_bytes())).unwrap_err();
    assert_eq!(e.code.as_str(), "ERR_KEY_INVALID", "{e}");
}

#[test]
fn cve_2017_11424_pyjwt_pkcs1_public_key_as_hmac_secret() {
    // PyJWT 1.5.0 blocked "-----BEGIN PUBLIC KEY" but not PKCS#1 "-----BEGIN RSA PUBLIC KEY".
    let pkcs1 = keys()["rsa"]["public_pkcs1"].as_str().unwrap().to_owned();
    assert!(pkcs1.starts_with("-----BEGIN RSA PUBLIC KEY"));
    for s in [pkcs1.clone(), format!("\n  {pkcs1}"), keys()["rsa"]["public_spki"].as_str().unwrap().to_owned()] {
        assert_eq!(secret_from_bytes(s.into_bytes()).unwrap_err().code.as_str(), "ERR_KEY_INVALID");
    }
    let forged = forge_hs256(&json!({ "alg": "HS256" }), &claims(), pkcs1.as_bytes());
    let v = Verifier::from_json(&json!({ "key": pkcs1 }), None).unwrap();
    assert_eq!(code(&v, &forged), "ERR_JOSE_ALG_NOT_ALLOWED");
}

#[test]
fn cve_2022_29217_pyjwt_openssh_public_key_as_hmac_secret() {
    // PyJWT < 2.4 accepted an OpenSSH public key line as an HMAC secret.
    for key in [
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOWc7RbhGDrJDL9j1hA1Uk7d6VqNyBbdYl6jSOmE9Ayz user@host",
        "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEtest user@host",
        "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCtest user@host",
        "  ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOWc7RbhGDrJDL9j1hA1Uk7d6VqNyBbdYl6jSOmE9Ayz",
    ] {
        let e = Verifier::from_json(&json!({}), Some(key.as_bytes().to_vec())).unwrap_err();
        assert_eq!(e.code.as_str(), "ERR_KEY_INVALID", "{key}: {e}");
        assert!(e.message.contains("OpenSSH public key"), "{e}");
    }
}

#[test]
fn cve_2026_25537_jsonwebtoken_string_typed_exp_and_nbf() {
    // jsonwebtoken (Rust) skipped time checks when exp/nbf were strings. They are refused as
    // invalid claims, and never read as numbers.
    let secret = b"a-secret-of-at-least-thirty-two-bytes!!";
    let v = Verifier::from_json(&json!({}), Some(secret.to_vec())).unwrap();
    for (name, value) in [("exp", json!("1")), ("exp", json!(format!("{}", NOW + 600))), ("nbf", json!("99999999999"))]
    {
        let mut c = claims();
        c[name] = value.clone();
        let t = forge_hs256(&json!({ "alg": "HS256" }), &c, secret);
        let e = v.verify(&t, NOW).unwrap_err();
        assert_eq!(e.code.as_str(), "ERR_JWT_CLAIM_VALIDATION_FAILED", "{name}={value}: {e}");
        assert_eq!((e.claim.as_deref(), e.reason.map(|r| r.as_str())), (Some(name), Some("invalid")));
    }
    let mut c = claims();
    c["iat"] = json!("0");
    assert_eq!(code(&v, &forge_hs256(&json!({ "alg": "HS256" }), &c, secret)), "ERR_JWT_CLAIM_VALIDATION_FAILED");
}

#[test]
fn cve_2022_21449_psychic_signatures_zero_ecdsa() {
    // Java 15-18 accepted r = s = 0 for any message and key.
    let v = Verifier::from_json(&json!({ "key": public_spki("ec") }), None).unwrap();
    let input = format!("{}.{}", b64(br#"{"alg":"ES256"}"#), b64(claims().to_string().as_bytes()));
    // r = s = n (the group order) is zero modulo n.
    let n = "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551";
    let n: Vec<u8> = (0..32).map(|i| u8::from_str_radix(&n[2 * i..2 * i + 2], 16).unwrap()).collect();
    for sig in [vec![0u8; 64], [n.clone(), n.clone()].concat(), [vec![0u8; 32], n].concat()] {
        assert_eq!(code(&v, &format!("{input}.{}", b64(&sig))), "ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
    }
    // DER-encoded zeros (the Java form) are not even the JWS shape.
    assert_eq!(
        code(&v, &format!("{input}.{}", b64(&[0x30, 6, 2, 1, 0, 2, 1, 0]))),
        "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"
    );
}

#[test]
fn cve_2022_39227_python_jwt_mixed_serialization() {
    // python-jwt parsed a JSON document that also contained a compact token, verified the
    // signature of one and returned the claims of the other. We take compact form only.
    let secret = b"a-secret-of-at-least-thirty-two-bytes!!";
    let good = forge_hs256(&json!({ "alg": "HS256" }), &claims(), secret);
    let v = Verifier::from_json(&json!({}), Some(secret.to_vec())).unwrap();
    assert_eq!(code(&v, &good), "OK");
    let parts: Vec<&str> = good.split('.').collect();
    let forged_payload = b64(json!({ "sub": "root", "exp": NOW + 600 }).to_string().as_bytes());
    let polyglot = format!(
        r#"{{"  {}.{forged_payload}.":"","protected":"{}","payload":"{}","signature":"{}"}}"#,
        parts[0], parts[0], parts[1], parts[2]
    );
    assert_eq!(code(&v, &polyglot), "ERR_JWS_INVALID");
    for variant in [
        format!("{}.{forged_payload}.{}", parts[0], parts[2]),
        format!(" {good}"),
        format!("{good}\n"),
        format!("{good}.{}", parts[2]),
        format!("{}.{}.{}.{forged_payload}.", parts[0], parts[1], parts[2]),
    ] {
        assert_ne!(code(&v, &variant), "OK", "{variant}");
    }
}
