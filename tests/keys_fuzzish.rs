//! Malformed RSA and Ed25519 private JWKs and damaged PEM keys never panic or hang: each is a
//! typed error (prime recovery, the key checks and our DER reader see attacker- or typo-shaped
//! input here).

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
        ("PRIVATE KEY", keys["ed"]["private_pkcs8"].as_str().unwrap(), true),
        ("PUBLIC KEY", keys["rsa"]["public_spki"].as_str().unwrap(), false),
        ("RSA PUBLIC KEY", keys["rsa"]["public_pkcs1"].as_str().unwrap(), false),
        ("PUBLIC KEY", keys["ec"]["public_spki"].as_str().unwrap(), false),
        ("PUBLIC KEY", keys["ed"]["public_spki"].as_str().unwrap(), false),
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

fn pem(label: &str, der: &[u8]) -> String {
    use base64ct::{Base64, Encoding};
    format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", Base64::encode_string(der))
}

fn der_of(text: &str) -> Vec<u8> {
    use base64ct::{Base64, Encoding};
    Base64::decode_vec(&text.lines().filter(|l| !l.starts_with("-----")).collect::<String>()).unwrap()
}

fn b64url(s: &Value) -> Vec<u8> {
    use base64ct::{Base64UrlUnpadded, Encoding};
    Base64UrlUnpadded::decode_vec(s.as_str().unwrap()).unwrap()
}

/// A DER element (all of these are under 256 bytes: short-form length, or 0x81 and one byte).
fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    match body.len() {
        n @ 0..=127 => [&[tag, n as u8][..], body].concat(),
        n @ 128..=255 => [&[tag, 0x81, n as u8][..], body].concat(),
        n => panic!("{n} bytes"),
    }
}

/// The EC and Ed25519 DER structures our reader takes (RFC 5208/5958 PKCS#8, RFC 5915 SEC1,
/// RFC 5480/8410 SPKI) give the key the fixture's JWK holds; an embedded public key that does
/// not match, another curve, a zero scalar and one of the wrong length are refused with a
/// typed error.
#[test]
fn ec_and_ed25519_der_structures() {
    use edge_delegation::keys::{signing_pem, verifying_pem, VerifyingKey};
    let keys = common::keys();
    let public_of = |k: &VerifyingKey| Value::Object(k.public_jwk().unwrap());
    let ec_jwk = &keys["ec"]["jwk"];
    let ec_public = json!({"kty": "EC", "crv": "P-256", "x": ec_jwk["x"], "y": ec_jwk["y"]});
    let ed_public = json!({"kty": "OKP", "crv": "Ed25519", "x": keys["ed"]["jwk"]["x"]});
    for (label, field) in [("PRIVATE KEY", "private_pkcs8"), ("EC PRIVATE KEY", "private_sec1")] {
        let k = signing_pem(&pem(label, &der_of(keys["ec"][field].as_str().unwrap()))).unwrap();
        assert_eq!(public_of(&k.verifying_key()), ec_public, "{field}");
    }
    let k = signing_pem(keys["ed"]["private_pkcs8"].as_str().unwrap()).unwrap();
    assert_eq!(public_of(&k.verifying_key()), ed_public);
    assert_eq!(public_of(&verifying_pem(keys["ec"]["public_spki"].as_str().unwrap()).unwrap()), ec_public);
    assert_eq!(public_of(&verifying_pem(keys["ed"]["public_spki"].as_str().unwrap()).unwrap()), ed_public);

    // A compressed point in an SPKI (SEC1 0x02/0x03 || x) is the same key.
    let (x, y) = (b64url(&ec_jwk["x"]), b64url(&ec_jwk["y"]));
    let ec_alg = der_of(keys["ec"]["public_spki"].as_str().unwrap())[2..23].to_vec();
    assert_eq!(ec_alg[..2], [0x30, 0x13], "the fixture's AlgorithmIdentifier");
    let compressed = [&[2 + (y[31] & 1)][..], &x].concat();
    let spki = tlv(0x30, &[&ec_alg[..], &tlv(0x03, &[&[0][..], &compressed].concat())].concat());
    assert_eq!(public_of(&verifying_pem(&pem("PUBLIC KEY", &spki)).unwrap()), ec_public);

    // Ed25519 OneAsymmetricKey v2 (RFC 5958): [0] attributes ignored, [1] public key checked.
    let ed_alg = [0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70];
    let seed = b64url(&keys["ed"]["jwk"]["d"]);
    let ed_pub = b64url(&keys["ed"]["jwk"]["x"]);
    let attributes = tlv(0xa0, &tlv(0x30, &[0x06, 0x01, 0x00]));
    let v2 = |public: &[u8]| {
        let body = [
            &[0x02, 0x01, 0x01][..],
            &ed_alg,
            &tlv(0x04, &tlv(0x04, &seed)),
            &attributes,
            &tlv(0x81, &[&[0][..], public].concat()),
        ]
        .concat();
        pem("PRIVATE KEY", &tlv(0x30, &body))
    };
    assert_eq!(public_of(&signing_pem(&v2(&ed_pub)).unwrap().verifying_key()), ed_public);
    let mut wrong = ed_pub.clone();
    wrong[0] ^= 1;
    let e = signing_pem(&v2(&wrong)).expect_err("a mismatched public key");
    assert_eq!(e.code.as_str(), "ERR_KEY_INVALID");
    assert!(e.message.contains("does not match"), "{}", e.message);

    // SEC1 with P-256 parameters and a public key that is not the private key's (another
    // valid point: the Ed25519 fixture's x is not one, so use the EC key's own point negated).
    let d = b64url(&ec_jwk["d"]);
    let p256 = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
    let sec1 = |d: &[u8], params: &[u8], public: Option<&[u8]>| {
        let mut body = [&[0x02, 0x01, 0x01][..], &tlv(0x04, d), &tlv(0xa0, params)].concat();
        if let Some(p) = public {
            body.extend(tlv(0xa1, &tlv(0x03, &[&[0][..], p].concat())));
        }
        pem("EC PRIVATE KEY", &tlv(0x30, &body))
    };
    let point = |y_odd: bool| [&[2 + u8::from(y_odd)][..], &x].concat();
    let own = point(y[31] & 1 == 1);
    assert_eq!(public_of(&signing_pem(&sec1(&d, &p256, Some(&own))).unwrap().verifying_key()), ec_public);
    let negated = point(y[31] & 1 == 0);
    let e = signing_pem(&sec1(&d, &p256, Some(&negated))).expect_err("a mismatched public key");
    assert!(e.code.as_str() == "ERR_KEY_INVALID" && e.message.contains("does not match"), "{}", e.message);
    // PKCS#8 v2 around SEC1: its public key must match too, whether or not SEC1 carries one.
    let ec_v2 = |sec1_public: Option<&[u8]>, outer: &[u8]| {
        let mut sec1 = [&[0x02, 0x01, 0x01][..], &tlv(0x04, &d)].concat();
        if let Some(p) = sec1_public {
            sec1.extend(tlv(0xa1, &tlv(0x03, &[&[0][..], p].concat())));
        }
        let body =
            [&[0x02, 0x01, 0x01][..], &ec_alg, &tlv(0x04, &tlv(0x30, &sec1)), &tlv(0x81, &[&[0][..], outer].concat())]
                .concat();
        signing_pem(&pem("PRIVATE KEY", &tlv(0x30, &body)))
    };
    for sec1_public in [None, Some(&own[..])] {
        assert_eq!(public_of(&ec_v2(sec1_public, &own).unwrap().verifying_key()), ec_public);
        let e = ec_v2(sec1_public, &negated).expect_err("a mismatched PKCS#8 public key");
        assert!(e.code.as_str() == "ERR_KEY_INVALID" && e.message.contains("does not match"), "{}", e.message);
    }
    // A scalar with a leading zero byte dropped is the same key; zero is none.
    let key_of = |d: &[u8]| public_of(&signing_pem(&sec1(d, &p256, None)).unwrap().verifying_key());
    assert_eq!(key_of(&[0x11; 31]), key_of(&[&[0][..], &[0x11; 31]].concat()));
    let e = signing_pem(&sec1(&[0; 32], &p256, None)).expect_err("zero is no key");
    assert!(e.code.as_str() == "ERR_KEY_INVALID" && e.message.contains("P-256 scalar"), "{}", e.message);
    for len in [33, 23] {
        let e = signing_pem(&sec1(&vec![1; len], &p256, None)).expect_err("not 24 to 32 bytes");
        assert!(e.code.as_str() == "ERR_KEY_INVALID" && e.message.contains("32 bytes"), "{}", e.message);
    }
    // secp384r1 (1.3.132.0.34) in SEC1 parameters and in a PKCS#8 algorithm: not supported.
    let p384 = [0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22];
    let e = signing_pem(&sec1(&d, &p384, None)).expect_err("P-384 parameters");
    assert_eq!(e.code.as_str(), "ERR_JOSE_NOT_SUPPORTED", "{}", e.message);
    let e = signing_pem(keys["p384"]["private_pkcs8"].as_str().unwrap()).expect_err("a P-384 PKCS#8 key");
    assert_eq!(e.code.as_str(), "ERR_JOSE_NOT_SUPPORTED", "{}", e.message);
    // PKCS#8 v1 must not carry a public key (that member is v2's).
    let v1_with_public = [
        &[0x02, 0x01, 0x00][..],
        &ed_alg,
        &tlv(0x04, &tlv(0x04, &seed)),
        &tlv(0x81, &[&[0][..], &ed_pub[..]].concat()),
    ]
    .concat();
    let e = signing_pem(&pem("PRIVATE KEY", &tlv(0x30, &v1_with_public))).expect_err("v1 with a public key");
    assert_eq!(e.code.as_str(), "ERR_KEY_INVALID", "{}", e.message);
}

#[test]
fn ed25519_private_jwks_are_checked() {
    use base64ct::{Base64UrlUnpadded, Encoding};
    let k = common::keys()["ed"]["jwk"].clone();
    // A valid point that is another key's public half, a non-point, and wrong lengths.
    let other = ed25519_dalek::SigningKey::from_bytes(&[7; 32]).verifying_key().to_bytes();
    let cases = [
        (
            json!({"kty": "OKP", "crv": "Ed25519", "d": k["d"], "x": Base64UrlUnpadded::encode_string(&other)}),
            "does not match",
        ),
        (
            json!({"kty": "OKP", "crv": "Ed25519", "d": k["d"], "x": "AgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}),
            "not a valid point",
        ),
        (json!({"kty": "OKP", "crv": "Ed25519", "d": "AAAA", "x": k["x"]}), "32 bytes"),
        (json!({"kty": "OKP", "crv": "Ed25519", "d": k["d"], "x": "AAAA"}), "32 bytes"),
    ];
    for (key, says) in cases {
        let e = sign_json(&json!({}), KeyArg::Value(key.clone()), &json!({"alg": "EdDSA"})).expect_err("must not sign");
        assert_eq!(e.code.as_str(), "ERR_KEY_INVALID", "{key}: {e}");
        assert!(e.message.contains(says), "{key}: {e}");
    }
    assert!(sign_json(&json!({}), KeyArg::Value(k), &json!({"alg": "EdDSA"})).is_ok());
}
