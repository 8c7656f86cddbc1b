//! SPEC §5, rule by rule, in the native core: each attack class fails closed with its code.

mod common;

use base64ct::{Base64UrlUnpadded, Encoding};
use common::*;
use edge_delegation::{sign_json, KeyArg, Verifier};
use serde_json::{json, Value};

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef-a-32+-byte-secret";

fn b64(s: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(s)
}

fn hmac(header: &str, payload: &str, key: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let input = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
    let mut m = Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
    m.update(input.as_bytes());
    format!("{input}.{}", b64(&m.finalize().into_bytes()))
}

fn secret_verifier(opts: Value) -> Verifier {
    Verifier::from_json(&opts, Some(SECRET.to_vec())).unwrap()
}

fn code(v: &Verifier, token: &str) -> &'static str {
    v.verify(token, NOW).map(|_| "OK").unwrap_or_else(|e| e.code.as_str())
}

fn payload() -> String {
    json!({ "sub": "u", "exp": NOW + 60 }).to_string()
}

#[test]
fn good_tokens_verify_for_every_algorithm() {
    let k = keys();
    let cases = [
        ("HS256", KeyArg::Bytes(SECRET.to_vec()), None),
        ("HS384", KeyArg::Bytes([7u8; 48].to_vec()), None),
        ("HS512", KeyArg::Bytes([7u8; 64].to_vec()), None),
        ("RS256", KeyArg::Value(k["rsa"]["jwk"].clone()), Some(k["rsa"]["public_spki"].clone())),
        ("RS384", KeyArg::Value(k["rsa"]["private_pkcs8"].clone()), Some(k["rsa"]["public_pkcs1"].clone())),
        ("RS512", KeyArg::Value(k["rsa"]["private_pkcs1"].clone()), Some(k["rsa"]["public_spki"].clone())),
        ("PS256", KeyArg::Value(k["rsa"]["jwk"].clone()), Some(k["rsa"]["public_spki"].clone())),
        ("PS512", KeyArg::Value(k["rsa"]["jwk"].clone()), Some(k["rsa"]["public_spki"].clone())),
        ("ES256", KeyArg::Value(k["ec"]["private_sec1"].clone()), Some(k["ec"]["public_spki"].clone())),
        ("ES256", KeyArg::Value(k["ec"]["jwk"].clone()), Some(k["ec"]["public_spki"].clone())),
        ("EdDSA", KeyArg::Value(k["ed"]["private_pkcs8"].clone()), Some(k["ed"]["public_spki"].clone())),
        ("EdDSA", KeyArg::Value(k["ed"]["jwk"].clone()), Some(k["ed"]["public_spki"].clone())),
    ];
    for (alg, key, public) in cases {
        let secret = match &key {
            KeyArg::Bytes(b) => Some(b.clone()),
            _ => None,
        };
        let token = sign_json(&json!({"sub": "u", "exp": NOW + 60}), key, &json!({ "alg": alg })).unwrap();
        let opts = match public {
            Some(p) => json!({ "key": p }),
            None => json!({}),
        };
        let v = Verifier::from_json(&opts, secret).unwrap();
        let out = v.verify(&token, NOW).unwrap_or_else(|e| panic!("{alg}: {e}"));
        assert_eq!(out.header["alg"], alg);
        assert_eq!(out.payload["sub"], "u");
        // One flipped signature character: refused.
        let mut bad = token.clone().into_bytes();
        let i = bad.len() - 3;
        bad[i] = if bad[i] == b'A' { b'B' } else { b'A' };
        assert_eq!(code(&v, std::str::from_utf8(&bad).unwrap()), "ERR_JWS_SIGNATURE_VERIFICATION_FAILED", "{alg}");
    }
}

#[test]
fn rule1_alg_none_and_allow_lists() {
    let v = secret_verifier(json!({}));
    let none = format!("{}.{}.", b64(br#"{"alg":"none"}"#), b64(payload().as_bytes()));
    assert_eq!(code(&v, &none), "ERR_JOSE_ALG_NOT_ALLOWED");
    let hs512 = sign_json(&json!({}), KeyArg::Bytes(SECRET.to_vec()), &json!({"alg": "HS384"})).unwrap();
    let only256 = secret_verifier(json!({ "algorithms": ["HS256"] }));
    assert_eq!(code(&only256, &hs512), "ERR_JOSE_ALG_NOT_ALLOWED");
    // An allow-list naming an algorithm no given key can serve is a configuration mistake.
    let e = Verifier::from_json(&json!({ "algorithms": ["RS256"] }), Some(SECRET.to_vec())).unwrap_err();
    assert_eq!(e.code.as_str(), "ERR_JOSE_ALG_NOT_ALLOWED");
}

#[test]
fn rule2_public_key_is_never_an_hmac_secret() {
    let k = keys();
    let pem = k["rsa"]["public_spki"].as_str().unwrap();
    let trimmed = pem.trim_end();
    let jwk_text =
        serde_json::to_string(&json!({"kty": "RSA", "n": k["rsa"]["jwk"]["n"], "e": k["rsa"]["jwk"]["e"]})).unwrap();
    for key_bytes in [pem.as_bytes(), trimmed.as_bytes(), jwk_text.as_bytes()] {
        let forged = hmac(r#"{"alg":"HS256","typ":"JWT"}"#, &payload(), key_bytes);
        for opts in [
            json!({ "key": pem }),
            json!({ "key": trimmed }),
            json!({ "key": { "kty": "RSA", "n": k["rsa"]["jwk"]["n"], "e": k["rsa"]["jwk"]["e"] } }),
            json!({ "jwks": { "keys": [{ "kty": "RSA", "n": k["rsa"]["jwk"]["n"], "e": k["rsa"]["jwk"]["e"] }] } }),
            json!({ "key": pem, "algorithms": ["RS256"] }),
        ] {
            let v = Verifier::from_json(&opts, None).unwrap();
            assert_eq!(code(&v, &forged), "ERR_JOSE_ALG_NOT_ALLOWED", "{opts}");
        }
        // Handing the PEM or JWK text over as a secret is refused outright.
        let e = Verifier::from_json(&json!({}), Some(key_bytes.to_vec())).unwrap_err();
        assert_eq!(e.code.as_str(), "ERR_KEY_INVALID");
    }
    // Naming HS256 with an RSA key cannot be configured either.
    let e = Verifier::from_json(&json!({ "key": pem, "algorithms": ["HS256"] }), None).unwrap_err();
    assert_eq!(e.code.as_str(), "ERR_JOSE_ALG_NOT_ALLOWED");
}

#[test]
fn rule3_kid_selects_and_embedded_keys_are_ignored() {
    let k = keys();
    let jwks = json!({ "keys": [
        { "kid": "rsa-1", "kty": "RSA", "n": k["rsa"]["jwk"]["n"], "e": k["rsa"]["jwk"]["e"] },
        { "kid": "rsa-2", "kty": "RSA", "n": k["rsa2"]["jwk"]["n"], "e": k["rsa2"]["jwk"]["e"] },
    ]});
    let v = Verifier::from_json(&json!({ "jwks": jwks }), None).unwrap();
    let sign = |key: &Value, opts: Value| sign_json(&json!({"sub": "u"}), KeyArg::Value(key.clone()), &opts).unwrap();
    assert_eq!(code(&v, &sign(&k["rsa2"]["jwk"], json!({"alg": "RS256", "kid": "rsa-2"}))), "OK");
    assert_eq!(code(&v, &sign(&k["rsa2"]["jwk"], json!({"alg": "RS256"}))), "OK", "no kid: every candidate is tried");
    assert_eq!(
        code(&v, &sign(&k["rsa2"]["jwk"], json!({"alg": "RS256", "kid": "rsa-1"}))),
        "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"
    );
    assert_eq!(code(&v, &sign(&k["rsa2"]["jwk"], json!({"alg": "RS256", "kid": "other"}))), "ERR_JWKS_NO_MATCHING_KEY");
    // A token carrying its own key (jwk / jku / x5u) is still judged by our keys only.
    let attacker = &k["foreign_rsa"]["jwk"];
    let public = json!({"kty": "RSA", "n": attacker["n"], "e": attacker["e"]});
    let header =
        json!({"alg": "RS256", "jwk": public, "jku": "https://evil.example/jwks", "x5u": "https://evil.example/cert"});
    let input = format!("{}.{}", b64(header.to_string().as_bytes()), b64(payload().as_bytes()));
    let forged = sign_json(&json!({"sub": "u"}), KeyArg::Value(attacker.clone()), &json!({"alg": "RS256"})).unwrap();
    let sig = forged.rsplit('.').next().unwrap();
    assert_eq!(code(&v, &format!("{input}.{sig}")), "ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
}

#[test]
fn rule4_crit_and_b64() {
    let v = secret_verifier(json!({}));
    let t = hmac(r#"{"alg":"HS256","crit":["exp"],"exp":1}"#, &payload(), SECRET);
    assert_eq!(code(&v, &t), "ERR_JOSE_NOT_SUPPORTED");
    let t = hmac(r#"{"alg":"HS256","crit":["b64"],"b64":true}"#, &payload(), SECRET);
    assert_eq!(code(&v, &t), "ERR_JOSE_NOT_SUPPORTED");
    let t = hmac(r#"{"alg":"HS256","crit":["x"]}"#, &payload(), SECRET);
    assert_eq!(code(&v, &t), "ERR_JWS_INVALID", "crit naming an absent parameter");
    let t = hmac(r#"{"alg":"HS256","crit":[]}"#, &payload(), SECRET);
    assert_eq!(code(&v, &t), "ERR_JWS_INVALID");
    let t = hmac(r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#, &payload(), SECRET);
    assert_eq!(code(&v, &t), "ERR_JWT_INVALID");
    let t = hmac(r#"{"alg":"HS256","b64":false}"#, &payload(), SECRET);
    assert_eq!(code(&v, &t), "ERR_JWT_INVALID");
}

#[test]
fn rule5_duplicate_members() {
    let v = secret_verifier(json!({}));
    let t = hmac(r#"{"alg":"HS256","alg":"HS256"}"#, &payload(), SECRET);
    assert_eq!(code(&v, &t), "ERR_JWS_INVALID");
    let t = hmac(r#"{"alg":"HS256"}"#, r#"{"sub":"a","sub":"admin"}"#, SECRET);
    assert_eq!(code(&v, &t), "ERR_JWT_INVALID");
    let t = hmac(r#"{"alg":"HS256"}"#, r#"{"x":{"r":1,"r":2}}"#, SECRET);
    assert_eq!(code(&v, &t), "ERR_JWT_INVALID");
}

#[test]
fn rule6_time() {
    let v = secret_verifier(json!({}));
    let at = |claims: Value| hmac(r#"{"alg":"HS256"}"#, &claims.to_string(), SECRET);
    assert_eq!(code(&v, &at(json!({"exp": NOW + 1}))), "OK");
    assert_eq!(code(&v, &at(json!({"exp": NOW}))), "ERR_JWT_EXPIRED", "exp must be after now");
    assert_eq!(code(&v, &at(json!({"nbf": NOW}))), "OK");
    assert_eq!(code(&v, &at(json!({"nbf": NOW + 1}))), "ERR_JWT_CLAIM_VALIDATION_FAILED");
    assert_eq!(code(&v, &at(json!({"exp": NOW as f64 + 0.5}))), "OK", "fractional NumericDate");
    for c in ["exp", "nbf", "iat"] {
        for bad in [json!("1800000000"), Value::Null, json!(true), json!([1])] {
            let e = v.verify(&at(json!({ c: bad })), NOW).unwrap_err();
            assert_eq!(e.code.as_str(), "ERR_JWT_CLAIM_VALIDATION_FAILED", "{c}: {bad}");
            assert_eq!(e.claim.as_deref(), Some(c));
            assert_eq!(e.reason.map(|r| r.as_str()), Some("invalid"));
        }
    }
    let lenient = secret_verifier(json!({ "clockTolerance": 30 }));
    assert_eq!(code(&lenient, &at(json!({"exp": NOW - 29}))), "OK");
    assert_eq!(code(&lenient, &at(json!({"exp": NOW - 30}))), "ERR_JWT_EXPIRED");
    assert_eq!(code(&lenient, &at(json!({"nbf": NOW + 30}))), "OK");
    let e = Verifier::from_json(&json!({ "clockTolerance": 301 }), Some(SECRET.to_vec())).unwrap_err();
    assert_eq!(e.code.as_str(), "ERR_INVALID_ARGUMENT");
    let aged = secret_verifier(json!({ "maxTokenAge": 60 }));
    assert_eq!(code(&aged, &at(json!({"iat": NOW - 60}))), "OK");
    assert_eq!(code(&aged, &at(json!({"iat": NOW - 61}))), "ERR_JWT_EXPIRED");
    assert_eq!(code(&aged, &at(json!({"iat": NOW + 5}))), "ERR_JWT_CLAIM_VALIDATION_FAILED");
    assert_eq!(code(&aged, &at(json!({}))), "ERR_JWT_CLAIM_VALIDATION_FAILED", "iat required");
}

#[test]
fn rule7_claims_when_asked() {
    let at = |claims: Value| hmac(r#"{"alg":"HS256","typ":"JWT"}"#, &claims.to_string(), SECRET);
    let v = secret_verifier(
        json!({ "issuer": ["https://a/", "https://b/"], "audience": "api", "subject": "u", "typ": "jwt", "requiredClaims": ["jti"] }),
    );
    let good = json!({"iss": "https://b/", "aud": ["x", "api"], "sub": "u", "jti": "1"});
    assert_eq!(code(&v, &at(good.clone())), "OK");
    for (claim, value, reason) in [
        ("iss", json!("https://c/"), "check_failed"),
        ("aud", json!(["x"]), "check_failed"),
        ("aud", json!(5), "invalid"),
        ("sub", json!("v"), "check_failed"),
    ] {
        let mut c = good.clone();
        c[claim] = value;
        let e = v.verify(&at(c), NOW).unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.claim.as_deref(), e.reason.map(|r| r.as_str())),
            ("ERR_JWT_CLAIM_VALIDATION_FAILED", Some(claim), Some(reason))
        );
    }
    for claim in ["iss", "aud", "sub", "jti"] {
        let mut c = good.clone();
        c.as_object_mut().unwrap().remove(claim);
        let e = v.verify(&at(c), NOW).unwrap_err();
        assert_eq!((e.claim.as_deref(), e.reason.map(|r| r.as_str())), (Some(claim), Some("missing")));
    }
    let t = hmac(r#"{"alg":"HS256","typ":"application/JWT"}"#, &good.to_string(), SECRET);
    assert_eq!(code(&v, &t), "OK", "typ compares as a media type");
    let t = hmac(r#"{"alg":"HS256","typ":"at+jwt"}"#, &good.to_string(), SECRET);
    assert_eq!(v.verify(&t, NOW).unwrap_err().claim.as_deref(), Some("typ"));
}

#[test]
fn rule8_weak_keys_refused() {
    let k = keys();
    let e = Verifier::from_json(&json!({}), Some(vec![1u8; 31])).unwrap_err();
    assert_eq!(e.code.as_str(), "ERR_KEY_INVALID");
    assert!(e.message.contains("31 bytes"));
    let e = sign_json(&json!({}), KeyArg::Bytes(vec![1u8; 31]), &json!({"alg": "HS256"})).unwrap_err();
    assert_eq!(e.code.as_str(), "ERR_KEY_INVALID");
    let e = sign_json(&json!({}), KeyArg::Bytes(vec![1u8; 40]), &json!({"alg": "HS512"})).unwrap_err();
    assert_eq!(e.code.as_str(), "ERR_KEY_INVALID");
    for key in [&k["rsa1024"]["public_spki"], &k["rsa1024"]["jwk"]] {
        let mut key = key.clone();
        if let Some(o) = key.as_object_mut() {
            o.retain(|m, _| ["kty", "n", "e"].contains(&m.as_str()));
        }
        let e = Verifier::from_json(&json!({ "key": key }), None).unwrap_err();
        assert_eq!(e.code.as_str(), "ERR_KEY_INVALID");
        assert!(e.message.contains("1024 bits"), "{}", e.message);
    }
    for key in [&k["rsa1024"]["private_pkcs8"], &k["rsa1024"]["jwk"]] {
        let e = sign_json(&json!({}), KeyArg::Value(key.clone()), &json!({"alg": "RS256"})).unwrap_err();
        assert_eq!(e.code.as_str(), "ERR_KEY_INVALID");
    }
}

#[test]
fn rule9_exact_signature_shapes() {
    let k = keys();
    let v = Verifier::from_json(&json!({ "key": k["ec"]["public_spki"] }), None).unwrap();
    let input = format!("{}.{}", b64(br#"{"alg":"ES256"}"#), b64(payload().as_bytes()));
    // CVE-2022-21449: r = s = 0.
    assert_eq!(code(&v, &format!("{input}.{}", b64(&[0u8; 64]))), "ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
    // r, s = n (out of range).
    let n = hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    assert_eq!(
        code(&v, &format!("{input}.{}", b64(&[n.clone(), n].concat()))),
        "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"
    );
    // A valid signature in DER instead of r‖s.
    let good = sign_json(
        &serde_json::from_str(&payload()).unwrap(),
        KeyArg::Value(k["ec"]["jwk"].clone()),
        &json!({"alg": "ES256"}),
    )
    .unwrap();
    assert_eq!(code(&v, &good), "OK");
    let rs = Base64UrlUnpadded::decode_vec(good.rsplit('.').next().unwrap()).unwrap();
    let sig = p256::ecdsa::Signature::from_slice(&rs).unwrap();
    let der = sig.to_der();
    let head = good.rsplit_once('.').unwrap().0;
    assert_eq!(code(&v, &format!("{head}.{}", b64(der.as_bytes()))), "ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
    // Truncated and extended HMAC tags.
    let sv = secret_verifier(json!({}));
    let t = hmac(r#"{"alg":"HS256"}"#, &payload(), SECRET);
    let (head, sig) = t.rsplit_once('.').unwrap();
    let mut raw = Base64UrlUnpadded::decode_vec(sig).unwrap();
    raw.pop();
    assert_eq!(code(&sv, &format!("{head}.{}", b64(&raw))), "ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
    raw.extend([0, 0]);
    assert_eq!(code(&sv, &format!("{head}.{}", b64(&raw))), "ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
    assert_eq!(code(&sv, &format!("{head}.")), "ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
}

/// A compact token's three segments.
fn segments(token: &str) -> (&str, &str, &str) {
    let (h, rest) = token.split_once('.').unwrap();
    let (p, s) = rest.split_once('.').unwrap();
    (h, p, s)
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

#[test]
fn rule10_and_11_form() {
    let v = secret_verifier(json!({}));
    let t = hmac(r#"{"alg":"HS256"}"#, &payload(), SECRET);
    let (h, p, s) = segments(&t);
    let cases = [
        format!("{h}.{p}"),
        format!("{h}.{p}.{s}.x"),
        format!("{h}=.{p}.{s}"),
        format!("{h}.{p}.{s}="),
        format!("{}.{p}.{s}", h.replace('e', "+")),
        format!(" {t}"),
        format!("{t}\n"),
        format!("{}.{p}.{s}", b64(b"[\"alg\"]")),
        format!("{}.{p}.{s}", b64(b"{\"alg\":\"HS256\"")),
        format!("{}.{p}.{s}", b64(&[0xff, 0xfe, b'{', b'}'])),
        "x".repeat(20 * 1024),
        String::new(),
    ];
    for bad in cases {
        assert_eq!(code(&v, &bad), "ERR_JWS_INVALID", "{:.60}", bad);
    }
    // Payload problems surface after the signature, as ERR_JWT_INVALID.
    assert_eq!(code(&v, &hmac(r#"{"alg":"HS256"}"#, "[1]", SECRET)), "ERR_JWT_INVALID");
    assert_eq!(
        code(&v, &hmac(r#"{"alg":"HS256"}"#, &format!("{}1{}", "[".repeat(40), "]".repeat(40)), SECRET)),
        "ERR_JWT_INVALID"
    );
    let deep = format!("{{\"a\":{}1{}}}", "[".repeat(30), "]".repeat(30));
    assert_eq!(code(&v, &hmac(r#"{"alg":"HS256"}"#, &deep, SECRET)), "ERR_JWT_INVALID");
}

#[test]
fn rule12_signature_before_claims() {
    // A token with an invalid claims segment and a wrong signature reports the signature.
    let v = secret_verifier(json!({}));
    let t = hmac(r#"{"alg":"HS256"}"#, r#"{"a":1,"a":2}"#, b"another-secret-of-sufficient-length!!");
    assert_eq!(code(&v, &t), "ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
    let t = hmac(r#"{"alg":"HS256"}"#, r#"{"exp":1}"#, b"another-secret-of-sufficient-length!!");
    assert_eq!(code(&v, &t), "ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
}

#[test]
fn key_import_errors_are_typed() {
    let k = keys();
    let verify_key =
        |key: Value| Verifier::from_json(&json!({ "key": key }), None).map(|_| ()).map_err(|e| e.code.as_str());
    assert_eq!(verify_key(k["rsa"]["private_pkcs8"].clone()), Err("ERR_KEY_INVALID"), "private PEM to verify");
    assert_eq!(verify_key(k["rsa"]["jwk"].clone()), Err("ERR_KEY_INVALID"), "private JWK to verify");
    assert_eq!(verify_key(k["p384"]["public_spki"].clone()), Err("ERR_JOSE_NOT_SUPPORTED"));
    assert_eq!(
        verify_key(json!("-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----")),
        Err("ERR_KEY_INVALID")
    );
    assert_eq!(
        verify_key(json!("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----")),
        Err("ERR_JOSE_NOT_SUPPORTED")
    );
    assert_eq!(verify_key(json!("just text")), Err("ERR_KEY_INVALID"));
    assert_eq!(verify_key(json!(42)), Err("ERR_KEY_INVALID"));
    assert_eq!(
        verify_key(json!({"kty": "EC", "crv": "P-256", "x": k["ec"]["jwk"]["x"], "y": k["ec"]["jwk"]["x"]})),
        Err("ERR_KEY_INVALID"),
        "point off the curve"
    );
    assert_eq!(verify_key(json!({"kty": "RSA", "n": "AQAB=", "e": "AQAB"})), Err("ERR_KEY_INVALID"));
    assert_eq!(verify_key(json!({"kty": "XYZ"})), Err("ERR_JOSE_NOT_SUPPORTED"));
    assert_eq!(
        verify_key(json!({"kty": "RSA", "alg": "ES256", "n": k["rsa"]["jwk"]["n"], "e": "AQAB"})),
        Err("ERR_KEY_INVALID")
    );

    let sign_key = |key: Value| {
        sign_json(&json!({}), KeyArg::Value(key), &json!({"alg": "RS256"})).map(|_| ()).map_err(|e| e.code.as_str())
    };
    assert_eq!(sign_key(k["rsa"]["public_spki"].clone()), Err("ERR_KEY_INVALID"), "public PEM to sign");
    let mut public = k["rsa"]["jwk"].clone();
    public.as_object_mut().unwrap().retain(|m, _| ["kty", "n", "e"].contains(&m.as_str()));
    assert_eq!(sign_key(public), Err("ERR_KEY_INVALID"), "public JWK to sign");
    let mut wrong_dp = k["rsa"]["jwk"].clone();
    wrong_dp["dp"] = k["rsa"]["jwk"]["dq"].clone();
    assert_eq!(sign_key(wrong_dp), Err("ERR_KEY_INVALID"), "inconsistent CRT member");
    let mut no_crt = k["rsa"]["jwk"].clone();
    no_crt.as_object_mut().unwrap().retain(|m, _| ["kty", "n", "e", "d"].contains(&m.as_str()));
    assert_eq!(sign_key(no_crt), Ok(()), "primes are recovered from n, e, d");
    let mut wrong_d = k["rsa"]["jwk"].clone();
    wrong_d["d"] = k["rsa2"]["jwk"]["d"].clone();
    assert_eq!(sign_key(wrong_d), Err("ERR_KEY_INVALID"));
    let e = sign_json(&json!({}), KeyArg::Value(k["ec"]["jwk"].clone()), &json!({"alg": "RS256"})).unwrap_err();
    assert_eq!(e.code.as_str(), "ERR_JOSE_ALG_NOT_ALLOWED");
    let e = sign_json(&json!({}), KeyArg::Value(k["rsa"]["jwk"].clone()), &json!({"alg": "none"})).unwrap_err();
    assert_eq!(e.code.as_str(), "ERR_JOSE_NOT_SUPPORTED");
}

#[test]
fn options_are_checked() {
    for opts in [
        json!({"audiences": "x"}),
        json!({"issuer": 5}),
        json!({"algorithms": []}),
        json!({"maxTokenAge": -1}),
        json!(null),
        json!([]),
    ] {
        let e = Verifier::from_json(&opts, Some(SECRET.to_vec())).unwrap_err();
        assert_eq!(e.code.as_str(), "ERR_INVALID_ARGUMENT", "{opts}");
    }
    let e = Verifier::from_json(&json!({ "key": keys()["rsa"]["public_spki"] }), Some(SECRET.to_vec())).unwrap_err();
    assert!(e.message.contains("exactly one"));
    let e = Verifier::from_json(&json!({}), None).unwrap_err();
    assert!(e.message.contains("no key given"));
}

/// The result's JSON text is the token's own spelling, and parses to the result's maps.
#[test]
fn verified_json_is_the_tokens_text() {
    let (header, payload) = (r#"{ "alg": "HS256" }"#, r#"{"sub":"u","n":1.50,"s":"\u00e9","exp":4000000000}"#);
    let v = secret_verifier(json!({})).verify(&hmac(header, payload, SECRET), NOW).unwrap();
    let text = v.to_json();
    assert_eq!(text, format!(r#"{{"header":{header},"payload":{payload}}}"#));
    let parsed: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(parsed["header"], Value::Object(v.header.clone()));
    assert_eq!(parsed["payload"], Value::Object(v.payload.clone()));
    let d = edge_delegation::jws::decode(&hmac(header, payload, SECRET)).unwrap();
    assert_eq!(d.to_json(), text);
}

/// The token's form is reported before anything else, segment count first, then the
/// alphabet of each segment in order, and each message names what is wrong.
#[test]
fn malformed_tokens_are_named_by_segment() {
    let v = secret_verifier(json!({}));
    let good = hmac(r#"{"alg":"HS256"}"#, &payload(), SECRET);
    let (h, p, s) = segments(&good);
    let message = |token: &str| {
        let e = v.verify(token, NOW).unwrap_err();
        assert_eq!(e.code.as_str(), "ERR_JWS_INVALID", "{token}");
        e.message
    };
    let count = |n: usize| format!("a JWT in compact form has 3 dot-separated segments, this one has {n}");
    assert_eq!(message(""), count(1));
    assert_eq!(message(h), count(1));
    assert_eq!(message(&format!("{h}.{p}")), count(2));
    assert_eq!(message(&format!("{good}.")), count(4));
    assert_eq!(message("..."), count(4));
    assert_eq!(
        message(&format!("{h}.x.{p}.y.{s}")),
        count(5) + " (this looks like an encrypted JWE, which is not supported)"
    );
    // A bad count is reported even when a segment is also not base64url.
    assert_eq!(message(&format!("{h}=.{p}")), count(2));
    let alphabet = |which: &str| format!("the {which} segment is not base64url without padding");
    assert_eq!(message(&format!("{h}=.{p}.{s}")), alphabet("header"));
    assert_eq!(message(&format!("{h}.{p}+.{s}")), alphabet("payload"));
    assert_eq!(message(&format!("{h}.{p}.{s}/")), alphabet("signature"));
    assert_eq!(message(&format!("{h}.{p}é.{s}")), alphabet("payload"));
    assert_eq!(message(&format!("{h}.{p} .{s}")), alphabet("payload"));
    // The first offending segment is named.
    assert_eq!(message(&format!("{h}.{p}*.{s}*")), alphabet("payload"));
    assert_eq!(code(&v, &good), "OK");
}

/// Every segment is decoded up front, but a claims or signature segment that does not decode
/// is reported where the checks reach it: the header's checks come before the signature's
/// form, and the signature before anything about the claims.
#[test]
fn decoding_failures_keep_their_place() {
    use hmac::{Hmac, Mac};
    let v = secret_verifier(json!({ "algorithms": ["HS256"] }));
    let signed = |h: &str, p: &str, key: &[u8]| {
        let mut m = Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
        m.update(format!("{h}.{p}").as_bytes());
        format!("{h}.{p}.{}", b64(&m.finalize().into_bytes()))
    };
    let failure = |token: &str| {
        let e = v.verify(token, NOW).unwrap_err();
        (e.code.as_str(), e.message)
    };
    let h = b64(br#"{"alg":"HS256"}"#);
    let other = b"another-secret-of-sufficient-length!!";
    // Claims whose base64url has a non-zero bit past its last byte ("e30" is `{}`; "e31" is
    // the same bytes with a stray bit, which strict base64url refuses).
    let stray = "e31";
    assert_eq!(failure(&signed(&h, stray, other)).0, "ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
    assert_eq!(
        failure(&signed(&h, stray, SECRET)),
        ("ERR_JWT_INVALID", "the payload segment is not base64url without padding".into())
    );
    assert_eq!(code(&v, &signed(&h, "e30", SECRET)), "OK");
    // Claims that are not UTF-8.
    let latin1 = b64(&[b'{', b'"', b'a', b'"', b':', b'"', 0xe9, b'"', b'}']);
    assert_eq!(failure(&signed(&h, &latin1, other)).0, "ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
    assert_eq!(
        failure(&signed(&h, &latin1, SECRET)),
        ("ERR_JWT_INVALID", "the JWT Claims Set is not a valid JSON object: it is not UTF-8".into())
    );
    // A signature segment that does not decode: after the header's checks, before the claims.
    let p = b64(payload().as_bytes());
    let none = b64(br#"{"alg":"none"}"#);
    assert_eq!(failure(&format!("{none}.{p}.AB")).0, "ERR_JOSE_ALG_NOT_ALLOWED");
    assert_eq!(
        failure(&format!("{h}.{stray}.AB")),
        ("ERR_JWS_INVALID", "the signature segment is not base64url without padding".into())
    );
    assert_eq!(
        failure(&format!("{h}.{latin1}.A")),
        ("ERR_JWS_INVALID", "the signature segment is not base64url without padding".into())
    );
    // A header that is not UTF-8 is reported at once, whatever else is wrong.
    let bad_header = b64(&[0xff, b'{', b'}']);
    assert_eq!(
        failure(&format!("{bad_header}.{latin1}.AB")),
        ("ERR_JWS_INVALID", "the protected header is not a valid JSON object: it is not UTF-8".into())
    );
    // decode() (unverified) reads the same way.
    assert!(edge_delegation::jws::decode(&signed(&h, &latin1, other)).unwrap_err().message.contains("not UTF-8"));
    assert!(edge_delegation::jws::decode(&format!("{h}.{p}.AB")).unwrap_err().message.contains("signature segment"));
    let d = edge_delegation::jws::decode(&signed(&h, "e30", other)).unwrap();
    assert_eq!(d.to_json(), r#"{"header":{"alg":"HS256"},"payload":{}}"#);
}

/// The header's `crit` and `kid` faults, each with its message.
#[test]
fn header_faults_are_named() {
    let v = secret_verifier(json!({}));
    let message = |header: &str| {
        let e = v.verify(&hmac(header, &payload(), SECRET), NOW).unwrap_err();
        assert_eq!(e.code.as_str(), "ERR_JWS_INVALID", "{header}");
        e.message
    };
    let not_array = "header \"crit\" must be a non-empty array of names";
    assert_eq!(message(r#"{"alg":"HS256","crit":"x"}"#), not_array);
    assert_eq!(message(r#"{"alg":"HS256","crit":{}}"#), not_array);
    assert_eq!(message(r#"{"alg":"HS256","crit":[]}"#), not_array);
    assert_eq!(message(r#"{"alg":"HS256","crit":["x",1]}"#), "header \"crit\" must list strings");
    assert_eq!(message(r#"{"alg":"HS256","crit":["x"]}"#), "header \"crit\" names \"x\" but the header lacks it");
    assert_eq!(message(r#"{"alg":"HS256","kid":5}"#), "header \"kid\" must be a string");
    assert_eq!(message(r#"{"alg":"HS256","kid":null}"#), "header \"kid\" must be a string");
}
