//! Property tests (proptest, bounded: PROPTEST_CASES, default 256 per property): tokens break
//! under any single-byte change or truncation, arbitrary claim sets round-trip, base64url has
//! one encoding per byte string, and no input makes `delegate`, `verify`, the tenant parser,
//! the policy reader or the HTTP handler panic.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::*;
use edge_delegation::http::{Handler, HandlerOptions, Request, Step};
use edge_delegation::jws::{base64url_decode, base64url_encode};
use edge_delegation::{sign_json, Decision, Delegator, KeyArg, Tenant, Verifier};
use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::{json, Map, Value};
use std::sync::OnceLock;

const SECRET: &[u8] = b"property-test-secret-of-32-bytes-or-more";

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(256);
    Config { cases, failure_persistence: None, ..Config::default() }
}

/// Arbitrary JSON: scalars, strings with any characters, nested arrays and objects.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        ".{0,24}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::btree_map(".{0,12}", inner, 0..6).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Claims without the registered names the verifier checks by type.
fn claim_set() -> impl Strategy<Value = Map<String, Value>> {
    let value = json_value().prop_map(strip_floats);
    prop::collection::btree_map("[a-z_][a-z0-9_]{0,10}", value, 0..8).prop_map(|m| {
        m.into_iter()
            .filter(|(k, _)| !matches!(k.as_str(), "exp" | "nbf" | "iat" | "iss" | "sub" | "aud" | "jti"))
            .collect()
    })
}

/// Floats print differently across JSON encoders; the round trip is about structure.
fn strip_floats(v: Value) -> Value {
    match v {
        Value::Number(n) if n.is_f64() => Value::from(n.as_f64().unwrap_or(0.0) as i64),
        Value::Array(a) => Value::Array(a.into_iter().map(strip_floats).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, strip_floats(v))).collect()),
        other => other,
    }
}

struct Fixtures {
    tokens: Vec<(String, Verifier)>,
    delegator: Delegator,
    tenant: Value,
    id_token: String,
    handler: Handler,
}

fn fixtures() -> &'static Fixtures {
    static F: OnceLock<Fixtures> = OnceLock::new();
    F.get_or_init(|| {
        let c = json!({ "sub": "u", "iat": NOW - 10, "exp": NOW + 600, "n": [1, 2, { "x": "é" }] });
        let k = keys();
        let mut tokens = Vec::new();
        for (key, alg, public) in [
            (KeyArg::Bytes(SECRET.to_vec()), "HS256", None),
            (KeyArg::Value(k["rsa"]["jwk"].clone()), "RS256", Some(k["rsa"]["public_spki"].clone())),
            (KeyArg::Value(k["ec"]["jwk"].clone()), "ES256", Some(k["ec"]["public_spki"].clone())),
            (KeyArg::Value(k["ed"]["jwk"].clone()), "EdDSA", Some(k["ed"]["public_spki"].clone())),
        ] {
            let t = sign_json(&c, key, &json!({ "alg": alg })).unwrap();
            let v = match public {
                None => Verifier::from_json(&json!({}), Some(SECRET.to_vec())).unwrap(),
                Some(p) => Verifier::from_json(&json!({ "key": p }), None).unwrap(),
            };
            assert!(v.verify(&t, NOW).is_ok());
            tokens.push((t, v));
        }
        let tenant = tenant_with_addons();
        Fixtures {
            tokens,
            delegator: Delegator::new(&tenant).unwrap(),
            handler: Handler::new(Delegator::new(&tenant).unwrap(), HandlerOptions::default()),
            tenant,
            id_token: rs256(&claims("spa")),
        }
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_single_byte_change_breaks_the_token(which in 0usize..4, at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let (token, v) = &fixtures().tokens[which];
        let mut b = token.clone().into_bytes();
        let i = at.index(b.len());
        prop_assume!(b[i] != byte);
        b[i] = byte;
        let changed = String::from_utf8_lossy(&b).into_owned();
        prop_assert!(v.verify(&changed, NOW).is_err(), "accepted after changing byte {i}");
    }

    #[test]
    fn any_truncation_breaks_the_token(which in 0usize..4, at in any::<prop::sample::Index>()) {
        let (token, v) = &fixtures().tokens[which];
        let cut = &token[..at.index(token.len())];
        prop_assert!(v.verify(cut, NOW).is_err(), "accepted a prefix of {} bytes", cut.len());
    }

    #[test]
    fn claims_round_trip_through_sign_and_verify(claims in claim_set(), alg in prop::sample::select(vec!["HS256", "EdDSA"])) {
        let key = if alg == "HS256" { KeyArg::Bytes(SECRET.to_vec()) } else { KeyArg::Value(keys()["ed"]["jwk"].clone()) };
        let token = sign_json(&Value::Object(claims.clone()), key, &json!({ "alg": alg })).unwrap();
        let v = if alg == "HS256" {
            Verifier::from_json(&json!({}), Some(SECRET.to_vec())).unwrap()
        } else {
            Verifier::from_json(&json!({ "key": keys()["ed"]["public_spki"] }), None).unwrap()
        };
        match v.verify(&token, NOW) {
            Ok(out) => prop_assert_eq!(out.payload, claims),
            // Deep nesting past the token depth bound is refused, never misread.
            Err(e) => prop_assert_eq!(e.code.as_str(), "ERR_JWT_INVALID"),
        }
    }

    #[test]
    fn base64url_has_one_encoding(bytes in prop::collection::vec(any::<u8>(), 0..96), text in "[A-Za-z0-9_=+/-]{0,40}") {
        prop_assert_eq!(base64url_decode(&base64url_encode(&bytes)), Some(bytes));
        if let Some(decoded) = base64url_decode(&text) {
            prop_assert_eq!(base64url_encode(&decoded), text);
        }
    }

    #[test]
    fn verify_never_panics(token in ".{0,300}", bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        for (_, v) in &fixtures().tokens {
            let _ = v.verify(&token, NOW);
            let _ = v.verify(&String::from_utf8_lossy(&bytes), NOW);
        }
        let _ = edge_delegation::jws::decode(&token);
    }

    #[test]
    fn verify_never_panics_on_token_shaped_input(h in json_value(), p in json_value(), sig in prop::collection::vec(any::<u8>(), 0..300)) {
        let token = format!("{}.{}.{}", base64url_encode(h.to_string().as_bytes()), base64url_encode(p.to_string().as_bytes()), base64url_encode(&sig));
        for (_, v) in &fixtures().tokens {
            prop_assert!(v.verify(&token, NOW).is_err());
        }
    }

    #[test]
    fn delegate_never_panics(params in json_value(), extra in prop::collection::btree_map("[a-z_]{1,12}", json_value(), 0..5), now in any::<i64>()) {
        let f = fixtures();
        let _ = f.delegator.delegate(&params, now, &mut rng());
        let mut p = json!({ "grant_type": GRANT, "client_id": "spa", "id_token": f.id_token, "target": "addons" });
        for (k, v) in extra {
            p[k] = v;
        }
        let _ = f.delegator.delegate(&p, NOW, &mut rng());
        let _ = f.delegator.delegate_with(&p, None, NOW, &mut rng(), &mut |ctx| Decision::from_json(&ctx["params"]));
    }

    #[test]
    fn tenant_parsing_never_panics(doc in json_value(), text in ".{0,200}") {
        let _ = Tenant::from_json(&doc);
        let _ = Tenant::parse(&text);
        let _ = Decision::from_json(&doc);
    }

    #[test]
    fn a_tenant_with_any_member_replaced_never_panics(path in prop::collection::vec(any::<prop::sample::Index>(), 1..6), value in json_value()) {
        let mut t = fixtures().tenant.clone();
        // Walk down by the random indexes, collecting a JSON pointer, then replace that member.
        let mut pointer = String::new();
        let mut at = &t;
        for i in path {
            let (step, next) = match at {
                Value::Object(o) if !o.is_empty() => {
                    let (k, v) = o.iter().nth(i.index(o.len())).unwrap();
                    (k.replace('~', "~0").replace('/', "~1"), v)
                }
                Value::Array(a) if !a.is_empty() => {
                    let n = i.index(a.len());
                    (n.to_string(), &a[n])
                }
                _ => break,
            };
            pointer = format!("{pointer}/{step}");
            at = next;
        }
        *t.pointer_mut(&pointer).unwrap() = value;
        if let Ok(d) = Delegator::new(&t) {
            let p = json!({ "grant_type": GRANT, "client_id": "spa", "id_token": fixtures().id_token, "target": "addons", "api_type": "firebase" });
            let _ = d.delegate(&p, NOW, &mut rng());
        }
    }

    #[test]
    fn the_http_handler_never_panics(
        method in prop::sample::select(vec!["POST", "GET", "OPTIONS", "PUT", "post", ""]),
        path in prop::sample::select(vec!["/delegation", "/oauth/token", "/.well-known/jwks.json", "/", "/x"]),
        ctype in prop::sample::select(vec!["application/json", "application/x-www-form-urlencoded", "text/plain", "application/json; charset=utf-8", ""]),
        body in prop::collection::vec(any::<u8>(), 0..400),
        form in "[a-z_=&%0-9A-F+.]{0,200}",
    ) {
        let f = fixtures();
        for b in [body.as_slice(), form.as_bytes()] {
            let headers = vec![("content-type".to_owned(), ctype.to_owned())];
            let req = Request { method, path, headers: &headers, body: b, peer_ip: Some("192.0.2.1") };
            if let Step::Count { pending, .. } = f.handler.begin(&req, NOW) {
                let _ = f.handler.finish(&pending, 1, NOW + 60, &Decision::Allow, NOW, &mut rng());
            }
        }
    }
}
