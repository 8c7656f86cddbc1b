//! Tenant configuration: every bad input gets a ConfigError naming the path and the fix.

mod common;

use common::*;
use edge_delegation::{Delegator, Tenant};
use serde_json::{json, Value};

fn error(tenant: Value) -> String {
    Delegator::new(&tenant).map(|_| ()).expect_err("config should be refused").to_string()
}

fn with_client(i: usize, f: impl FnOnce(&mut Value)) -> Value {
    let mut t = tenant();
    f(&mut t["clients"][i]);
    t
}

#[test]
fn fixture_parses_and_publishes_only_public_halves() {
    let d = delegator();
    let jwks = d.public_jwks();
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 4);
    assert_eq!(keys.iter().map(|k| k["kid"].as_str().unwrap()).collect::<Vec<_>>(), ["rsa-1", "ec-1", "ed-1", "rsa-2"]);
    for k in keys {
        for private in ["d", "p", "q", "dp", "dq", "qi", "k"] {
            assert!(k.get(private).is_none(), "{private} published");
        }
        assert_eq!(k["use"], "sig");
    }
    assert_eq!(keys[0]["n"], keys_fixture()["rsa"]["jwk"]["n"]);
    assert_eq!(keys[1]["x"], keys_fixture()["ec"]["jwk"]["x"]);
    assert_eq!(keys[2]["x"], keys_fixture()["ed"]["jwk"]["x"]);
    assert_eq!(keys[2]["alg"], "EdDSA");
}

fn keys_fixture() -> Value {
    keys()
}

#[test]
fn text_config_is_parsed_strictly() {
    assert!(Tenant::parse(include_str!("fixtures/tenant.json")).is_ok());
    assert!(Tenant::parse("{").unwrap_err().to_string().contains("not valid JSON"));
    let dup = r#"{"issuer":"https://a/","issuer":"https://b/","clients":[]}"#;
    assert!(Tenant::parse(dup).unwrap_err().to_string().contains("duplicate member name \"issuer\""));
}

#[test]
fn bad_configs_name_path_and_fix() {
    let cases: Vec<(Value, &str)> = vec![
        (json!(null), "must be a JSON object"),
        (json!([1]), "must be a JSON object"),
        (json!(7), "must be a JSON object"),
        (json!({"clients": []}), "issuer: missing"),
        (json!({"issuer": "https://a/"}), "clients: missing"),
        (json!({"issuer": "https://a/", "clients": [], "signing_key": []}), "signing_key: unknown member"),
        (
            with_client(2, |c| c["jwt_configuration"]["alg"] = json!("HS257")),
            "clients[2].jwt_configuration.alg: unknown algorithm \"HS257\"",
        ),
        (
            with_client(2, |c| c["jwt_configuration"]["alg"] = json!("HS512")),
            "clients[2].jwt_configuration.alg: algorithm \"HS512\" is not supported for clients",
        ),
        (
            with_client(2, |c| c["client_secret"] = json!("too-short-secret")),
            "clients[2].client_secret: 16 bytes; HS256 needs at least 32 bytes",
        ),
        (
            with_client(2, |c| {
                c.as_object_mut().unwrap().remove("client_secret");
            }),
            "clients[2].client_secret: missing",
        ),
        (
            with_client(3, |c| c["client_id"] = json!("spa")),
            "clients[3].client_id: duplicate client_id \"spa\" (also clients[0])",
        ),
        (
            with_client(3, |c| {
                c.as_object_mut().unwrap().remove("client_id");
            }),
            "clients[3].client_id: missing",
        ),
        (
            with_client(1, |c| c["jwt_configuration"]["lifetime_in_seconds"] = json!(0)),
            "clients[1].jwt_configuration.lifetime_in_seconds",
        ),
        (with_client(1, |c| c["jwt_configuration"]["lifetime_in_seconds"] = json!("600")), "must be a number"),
        (
            with_client(6, |c| c["client_secret"] = json!("not base64url!")),
            "clients[6].client_secret: secret_encoded is true",
        ),
        (with_client(0, |c| c["grant_types"] = json!("implicit")), "clients[0].grant_types: must be an array"),
        (with_client(0, |c| c["allowed_clients"] = json!([1])), "clients[0].allowed_clients[0]: must be a string"),
        (with_client(0, |c| c["addons"] = json!([])), "clients[0].addons: must be an object"),
        (with_client(0, |c| *c = json!("spa")), "clients[0]: must be a client object"),
    ];
    for (tenant, expected) in cases {
        let e = error(tenant);
        assert!(e.contains(expected), "{e:?} should contain {expected:?}");
    }
}

#[test]
fn bad_signing_keys() {
    let k = keys();
    let with_keys = |keys: Value| {
        let mut t = tenant();
        t["signing_keys"] = keys;
        t
    };
    let mut public = k["rsa"]["jwk"].clone();
    public.as_object_mut().unwrap().retain(|m, _| ["kid", "kty", "n", "e"].contains(&m.as_str()));
    let mut no_kid = k["rsa"]["jwk"].clone();
    no_kid.as_object_mut().unwrap().remove("kid");
    let mut dup = k["rsa2"]["jwk"].clone();
    dup["kid"] = json!("rsa-1");
    let cases = vec![
        (with_keys(json!([public])), "signing_keys[0]: this JWK is a public key"),
        (with_keys(json!([k["rsa1024"]["jwk"]])), "signing_keys[0]: the RSA key is 1024 bits"),
        (with_keys(json!([no_kid])), "signing_keys[0].kid: missing"),
        (with_keys(json!([k["rsa"]["jwk"], dup])), "signing_keys[1].kid: duplicate kid \"rsa-1\""),
        (with_keys(json!([k["rsa"]["private_pkcs8"]])), "signing_keys[0]: must be a private JWK object"),
        (with_keys(json!([k["p384"]["jwk"]])), "signing_keys[0]: EC curve \"P-384\" is not supported"),
        (with_keys(json!([{"kid": "s", "kty": "oct", "k": "AAAA"}])), "signing_keys[0].kty"),
        (with_keys(json!({})), "signing_keys: must be an array"),
        (
            with_keys(json!([k["ec"]["jwk"], k["ed"]["jwk"]])),
            "clients[0].jwt_configuration.alg: RS256 needs a RS256 key in signing_keys",
        ),
    ];
    for (tenant, expected) in cases {
        let e = error(tenant);
        assert!(e.contains(expected), "{e:?} should contain {expected:?}");
    }
}

#[test]
fn errors_never_echo_secrets() {
    let t = with_client(2, |c| c["client_secret"] = json!("short-SECRET-value"));
    assert!(!error(t).contains("short-SECRET-value"));
    let mut k = keys()["rsa"]["jwk"].clone();
    k["d"] = json!("AQAB");
    let mut t = tenant();
    t["signing_keys"] = json!([k]);
    let e = error(t);
    assert!(!e.contains("AQAB"), "{e}");
}

#[test]
fn auth0_export_fields_are_tolerated() {
    let t = with_client(0, |c| {
        c["callbacks"] = json!(["https://x/cb"]);
        c["logo_uri"] = json!("https://x/logo.png");
        c["is_first_party"] = json!(true);
        c["refresh_token"] = json!({"rotation_type": "non-rotating"});
    });
    assert!(Delegator::new(&t).is_ok());
}
