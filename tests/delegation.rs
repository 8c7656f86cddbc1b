//! `delegate` end to end in the native core: every path of SPEC §2-§4 for `app`.

mod common;

use common::*;
use edge_delegation::{OAuthCode, Verifier};
use serde_json::{json, Value};

fn ok(params: Value) -> serde_json::Map<String, Value> {
    delegator().delegate(&params, NOW, &mut rng()).unwrap_or_else(|e| panic!("delegate failed: {e}"))
}

fn fails(params: Value) -> edge_delegation::DelegationError {
    delegator().delegate(&params, NOW, &mut rng()).expect_err("delegate should fail")
}

fn verify_with_jwks(token: &str, aud: &str) -> Value {
    let d = delegator();
    let v = Verifier::from_json(&json!({ "jwks": d.public_jwks(), "issuer": ISSUER, "audience": aud }), None).unwrap();
    let out = v.verify(token, NOW).unwrap();
    json!({ "header": out.header, "payload": out.payload })
}

#[test]
fn rs256_caller_to_rs256_target() {
    let t = rs256(&claims("spa"));
    let res = ok(params("spa", &t, json!({ "target": "api-rs", "api_type": "app" })));
    assert_eq!(res["token_type"], "Bearer");
    assert_eq!(res["expires_in"], 3600);
    let v = verify_with_jwks(res["id_token"].as_str().unwrap(), "api-rs");
    assert_eq!(v["header"], json!({ "alg": "RS256", "typ": "JWT", "kid": "rsa-1" }));
    let p = &v["payload"];
    assert_eq!(p["iss"], ISSUER);
    assert_eq!(p["sub"], "auth0|user-1");
    assert_eq!(p["aud"], "api-rs");
    assert_eq!(p["azp"], "spa");
    assert_eq!(p["iat"], NOW);
    assert_eq!(p["exp"], NOW + 3600);
    assert_eq!(p["jti"].as_str().unwrap().len(), 22, "128-bit jti, base64url");
    assert!(p.get("name").is_none(), "scope openid releases no profile claims");
    let keys: Vec<&String> = p.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["iss", "sub", "aud", "iat", "exp", "azp", "jti"], "claim order is stable");
}

#[test]
fn jti_is_fresh_per_token() {
    let d = delegator();
    let t = rs256(&claims("spa"));
    let p = params("spa", &t, json!({}));
    let mut r = rng();
    let a = d.delegate(&p, NOW, &mut r).unwrap();
    let b = d.delegate(&p, NOW, &mut r).unwrap();
    let jti = |m: &serde_json::Map<String, Value>| {
        edge_delegation::jws::decode(m["id_token"].as_str().unwrap()).unwrap().payload["jti"].clone()
    };
    assert_ne!(jti(&a), jti(&b));
}

#[test]
fn hs256_target_is_signed_with_the_targets_secret() {
    let t = rs256(&claims("spa"));
    let res = ok(params("spa", &t, json!({ "target": "web-hs" })));
    assert_eq!(res["expires_in"], 600);
    let secret = client("web-hs")["client_secret"].as_str().unwrap().as_bytes().to_vec();
    let v = Verifier::from_json(&json!({ "audience": "web-hs", "issuer": ISSUER }), Some(secret)).unwrap();
    let out = v.verify(res["id_token"].as_str().unwrap(), NOW).unwrap();
    assert_eq!(out.header, json!({ "alg": "HS256", "typ": "JWT" }).as_object().unwrap().clone());
    // Not with the caller's or another client's secret.
    let other = client("spa-hs")["client_secret"].as_str().unwrap().as_bytes().to_vec();
    let v = Verifier::from_json(&json!({}), Some(other)).unwrap();
    assert_eq!(
        v.verify(res["id_token"].as_str().unwrap(), NOW).unwrap_err().code.as_str(),
        "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"
    );
}

#[test]
fn es256_and_eddsa_targets() {
    let t = rs256(&claims("spa"));
    for (target, alg, kid) in [("api-es", "ES256", "ec-1"), ("api-ed", "EdDSA", "ed-1")] {
        let res = ok(params("spa", &t, json!({ "target": target })));
        assert_eq!(res["expires_in"], 900);
        let v = verify_with_jwks(res["id_token"].as_str().unwrap(), target);
        assert_eq!(v["header"]["alg"], alg);
        assert_eq!(v["header"]["kid"], kid);
    }
}

#[test]
fn target_defaults_to_the_caller_and_auth0_is_app() {
    let t = rs256(&claims("spa"));
    for extra in [json!({}), json!({ "api_type": "auth0" }), json!({ "target": "", "api_type": "app" })] {
        let res = ok(params("spa", &t, extra));
        assert_eq!(res["expires_in"], 36000);
        let v = verify_with_jwks(res["id_token"].as_str().unwrap(), "spa");
        assert_eq!(v["payload"]["aud"], "spa");
    }
}

#[test]
fn hs256_callers_and_encoded_secrets() {
    let res = ok(params("web-hs", &hs256(&claims("web-hs"), "web-hs"), json!({ "target": "api-es" })));
    assert_eq!(verify_with_jwks(res["id_token"].as_str().unwrap(), "api-es")["payload"]["azp"], "web-hs");
    // api-enc's secret is base64url: the HMAC key is the decoded bytes.
    let secret = client("api-enc")["client_secret"].as_str().unwrap().to_owned();
    let raw = {
        use base64ct::{Base64UrlUnpadded, Encoding};
        Base64UrlUnpadded::decode_vec(&secret).unwrap()
    };
    let t =
        edge_delegation::sign_json(&claims("api-enc"), edge_delegation::KeyArg::Bytes(raw), &json!({"alg": "HS256"}))
            .unwrap();
    let res = ok(params("api-enc", &t, json!({})));
    assert_eq!(res["expires_in"], 1200);
    // The encoded text itself as the key does not verify.
    let wrong = hs256(&claims("api-enc"), "api-enc");
    assert_eq!(fails(params("api-enc", &wrong, json!({}))).code, OAuthCode::InvalidGrant);
}

#[test]
fn scopes() {
    let t = rs256(&claims("spa"));
    let payload = |scope: &str| {
        let res = ok(params("spa", &t, json!({ "scope": scope })));
        verify_with_jwks(res["id_token"].as_str().unwrap(), "spa")["payload"].clone()
    };
    let p = payload("openid profile email");
    assert_eq!(p["name"], "Ada Lovelace");
    assert_eq!(p["nickname"], "ada");
    assert_eq!(p["picture"], "https://example.com/ada.png");
    assert_eq!(p["email"], "ada@example.com");
    assert_eq!(p["email_verified"], true);
    assert!(p.get("org").is_none());

    let p = payload("openid name email");
    assert_eq!(p["name"], "Ada Lovelace");
    assert_eq!(p["email"], "ada@example.com");
    assert!(p.get("nickname").is_none());

    let p = payload("passthrough");
    assert_eq!(p["org"], "analytical-engines");
    assert_eq!(p["nickname"], "ada");
    assert_eq!(p["aud"], "spa");
    assert_eq!(p["iat"], NOW, "reserved claims are ours, not copied");

    for bad in ["profile email", "openid exp", "openid aud"] {
        let e = fails(params("spa", &t, json!({ "scope": bad })));
        assert_eq!(e.code, OAuthCode::InvalidRequest, "{bad}");
    }
}

#[test]
fn rotated_key_still_verifies() {
    let k = keys();
    let t = edge_delegation::sign_json(
        &claims("spa"),
        edge_delegation::KeyArg::Value(k["rsa2"]["jwk"].clone()),
        &json!({"alg": "RS256"}),
    )
    .unwrap();
    ok(params("spa", &t, json!({})));
}

fn assert_err(params: Value, code: OAuthCode, status: u16, needle: &str) {
    let e = fails(params);
    assert_eq!(e.code, code, "{e}");
    assert_eq!(e.code.status(), status);
    assert!(e.description.contains(needle), "{:?} should mention {needle:?}", e.description);
    assert_eq!(e.to_json(), json!({ "error": code.as_str(), "error_description": e.description }));
}

#[test]
fn bad_id_tokens_are_invalid_grant() {
    let mut c = claims("spa");
    c["exp"] = json!(NOW - 1);
    assert_err(params("spa", &rs256(&c), json!({})), OAuthCode::InvalidGrant, 401, "expired");

    assert_err(
        params("spa", &rs256(&claims("web-hs")), json!({})),
        OAuthCode::InvalidGrant,
        401,
        "not issued to client",
    );

    let mut c = claims("spa");
    c["iss"] = json!("https://evil.example/");
    assert_err(params("spa", &rs256(&c), json!({})), OAuthCode::InvalidGrant, 401, "another issuer");

    let k = keys();
    let foreign = edge_delegation::sign_json(
        &claims("spa"),
        edge_delegation::KeyArg::Value(k["foreign_rsa"]["jwk"].clone()),
        &json!({"alg": "RS256", "kid": "rsa-1"}),
    )
    .unwrap();
    assert_err(params("spa", &foreign, json!({})), OAuthCode::InvalidGrant, 401, "signature does not verify");

    let foreign = edge_delegation::sign_json(
        &claims("spa"),
        edge_delegation::KeyArg::Value(k["foreign_rsa"]["jwk"].clone()),
        &json!({"alg": "RS256", "kid": "nope"}),
    )
    .unwrap();
    assert_err(
        params("spa", &foreign, json!({})),
        OAuthCode::InvalidGrant,
        401,
        "signing key this tenant does not have",
    );

    let mut c = claims("spa");
    c.as_object_mut().unwrap().remove("sub");
    assert_err(params("spa", &rs256(&c), json!({})), OAuthCode::InvalidGrant, 401, "sub");

    let none = format!("{}.{}.", b64(r#"{"alg":"none"}"#), b64(&claims("spa").to_string()));
    assert_err(params("spa", &none, json!({})), OAuthCode::InvalidGrant, 401, "none");
    assert_err(params("spa", "not.a.jwt", json!({})), OAuthCode::InvalidGrant, 401, "not acceptable");

    // HS256 caller, token signed with another client's secret.
    assert_err(
        params("web-hs", &hs256(&claims("web-hs"), "spa-hs"), json!({})),
        OAuthCode::InvalidGrant,
        401,
        "client_secret",
    );
    // An RS256 token to an HS256 (confidential) client.
    assert_err(
        params("web-hs", &rs256(&claims("web-hs")), json!({})),
        OAuthCode::InvalidGrant,
        401,
        "configured for HS256",
    );
}

fn b64(s: &str) -> String {
    use base64ct::{Base64UrlUnpadded, Encoding};
    Base64UrlUnpadded::encode_string(s.as_bytes())
}

#[test]
fn public_client_configured_hs256_gets_the_caveat() {
    let e = fails(params("spa-hs", &rs256(&claims("spa-hs")), json!({})));
    assert_eq!(e.code, OAuthCode::InvalidGrant);
    assert!(e.description.contains("public client"), "{}", e.description);
    assert!(e.description.contains("signed with RS256"), "{}", e.description);
    assert!(e.description.contains("set the client's jwt_configuration.alg to RS256"), "{}", e.description);
}

#[test]
fn grants_and_allow_lists() {
    let t = rs256(&claims("no-grant"));
    assert_err(params("no-grant", &t, json!({})), OAuthCode::UnauthorizedClient, 403, "not allowed for the client");
    let t = hs256(&claims("web-hs"), "web-hs");
    assert_err(params("web-hs", &t, json!({ "target": "api-rs" })), OAuthCode::AccessDenied, 403, "allowed_clients");
    // The allow-list names spa, so spa may.
    ok(params("spa", &rs256(&claims("spa")), json!({ "target": "api-rs" })));
}

#[test]
fn malformed_requests() {
    let t = rs256(&claims("spa"));
    let mut p = params("spa", &t, json!({ "refresh_token": "r" }));
    assert_err(p.clone(), OAuthCode::InvalidRequest, 400, "not both");
    p.as_object_mut().unwrap().remove("id_token");
    assert_err(p, OAuthCode::UnsupportedGrantType, 400, "not supported");
    assert_err(
        params("spa", &t, json!({ "grant_type": "password" })),
        OAuthCode::UnsupportedGrantType,
        400,
        "password",
    );
    let mut p = params("spa", &t, json!({}));
    p.as_object_mut().unwrap().remove("grant_type");
    assert_err(p, OAuthCode::InvalidRequest, 400, "grant_type is missing");
    let mut p = params("spa", &t, json!({}));
    p.as_object_mut().unwrap().remove("id_token");
    assert_err(p, OAuthCode::InvalidRequest, 400, "id_token is missing");
    assert_err(params("ghost", &t, json!({})), OAuthCode::InvalidRequest, 400, "not a client");
    assert_err(params("spa", &t, json!({ "target": "ghost" })), OAuthCode::InvalidTarget, 400, "not a client");
    assert_err(params("spa", &t, json!({ "api_type": "bogus" })), OAuthCode::InvalidRequest, 400, "unknown");
    assert_err(params("spa", &t, json!({ "api_type": "firebase" })), OAuthCode::InvalidTarget, 400, "not enabled");
    assert_err(
        params("spa", &t, json!({ "api_type": "aws" })),
        OAuthCode::InvalidTarget,
        400,
        "aws add-on is not enabled",
    );
    assert_err(params("spa", &t, json!({ "client_id": 7 })), OAuthCode::InvalidRequest, 400, "must be a string");
    for v in [Value::Null, json!(5), json!([]), json!("x")] {
        assert_err(v, OAuthCode::InvalidRequest, 400, "must be an object");
    }
}

#[test]
fn instance_keeps_working_after_errors() {
    let d = delegator();
    let good = params("spa", &rs256(&claims("spa")), json!({}));
    for bad in [Value::Null, json!({"grant_type": GRANT}), params("spa", &"x".repeat(20_000), json!({}))] {
        assert!(d.delegate(&bad, NOW, &mut rng()).is_err());
        assert!(d.delegate(&good, NOW, &mut rng()).is_ok());
    }
}
