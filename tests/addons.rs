//! The add-on formats in the native core: token shapes, settings checked at construction,
//! bad requests, and the policy hook. The providers' own software judges the tokens in
//! tests/js/addons.test.mjs.

mod common;

use common::*;
use edge_delegation::{ConfigError, Decision, DelegationError, Delegator, OAuthCode, Verifier};
use serde_json::{json, Map, Value};

fn d() -> Delegator {
    Delegator::new(&tenant_with_addons()).unwrap()
}

fn req(api_type: &str, target: &str, extra: Value) -> Value {
    let mut p = params("spa", &rs256(&claims("spa")), json!({ "api_type": api_type, "target": target }));
    for (k, v) in extra.as_object().unwrap() {
        p[k] = v.clone();
    }
    p
}

fn mint(api_type: &str, target: &str, extra: Value) -> Map<String, Value> {
    d().delegate(&req(api_type, target, extra), NOW, &mut rng()).unwrap_or_else(|e| panic!("{api_type}: {e}"))
}

fn refused(api_type: &str, target: &str, extra: Value) -> DelegationError {
    d().delegate(&req(api_type, target, extra), NOW, &mut rng()).expect_err("should fail")
}

fn config_error(edit: impl FnOnce(&mut Value)) -> ConfigError {
    let mut t = tenant_with_addons();
    edit(&mut t);
    Delegator::new(&t).expect_err("the configuration should be refused")
}

fn decode(token: &str) -> (Value, Value) {
    let d = edge_delegation::jws::decode(token).unwrap();
    (Value::Object(d.header), Value::Object(d.payload))
}

fn public_rsa(which: &str) -> Value {
    let mut jwk = keys()[which]["jwk"].clone();
    for m in ["d", "p", "q", "dp", "dq", "qi"] {
        jwk.as_object_mut().unwrap().remove(m);
    }
    jwk
}

#[test]
fn firebase_v3_custom_token() {
    let res = mint("firebase", "addons", json!({}));
    assert_eq!(res["token_type"], "Bearer");
    assert_eq!(res["expires_in"], 3600);
    let token = res["id_token"].as_str().unwrap();
    let (h, p) = decode(token);
    assert_eq!(h, json!({ "alg": "RS256", "typ": "JWT" }));
    let email = "delegation@edge-test.iam.gserviceaccount.com";
    let keys: Vec<&String> = p.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["aud", "iat", "exp", "iss", "sub", "uid"], "firebase-admin's member order, no jti");
    assert_eq!(p["iss"], email);
    assert_eq!(p["sub"], email);
    assert_eq!(p["uid"], "auth0|user-1");
    assert_eq!(p["exp"], NOW + 3600);
    let v = Verifier::from_json(
        &json!({ "key": public_rsa("rsa2"), "issuer": email,
                 "audience": "https://identitytoolkit.googleapis.com/google.identity.identitytoolkit.v1.IdentityToolkit" }),
        None,
    )
    .unwrap();
    v.verify(token, NOW).unwrap();
}

#[test]
fn firebase_legacy_token() {
    let res = mint("firebase", "fb-legacy", json!({}));
    let token = res["id_token"].as_str().unwrap();
    let (h, p) = decode(token);
    assert_eq!(h, json!({ "typ": "JWT", "alg": "HS256" }));
    assert_eq!(p["v"], 0);
    assert_eq!(p["d"], json!({ "uid": "auth0|user-1" }));
    assert_eq!(p["iat"], NOW);
    assert_eq!(p["exp"], NOW + 3600);
    assert_eq!(p["jti"].as_str().unwrap().len(), 22);
    let v = Verifier::from_json(
        &json!({ "algorithms": ["HS256"] }),
        Some(b"TESTONLYfirebaseLegacySecret0123456789ab".to_vec()),
    )
    .unwrap();
    v.verify(token, NOW).unwrap();
}

#[test]
fn firebase_user_ids_too_long_are_refused() {
    let mut c = claims("spa");
    c["sub"] = json!("u".repeat(129));
    let p = params("spa", &rs256(&c), json!({ "api_type": "firebase", "target": "addons" }));
    let e = d().delegate(&p, NOW, &mut rng()).unwrap_err();
    assert_eq!(e.code, OAuthCode::InvalidRequest);
    assert!(e.description.contains("at most 128"), "{e}");
    // 128 UTF-16 units is the limit, as firebase-admin counts: 64 astral characters fit.
    c["sub"] = json!("😀".repeat(64));
    let p = params("spa", &rs256(&c), json!({ "api_type": "firebase", "target": "addons" }));
    d().delegate(&p, NOW, &mut rng()).unwrap();

    c["sub"] = json!("u".repeat(257));
    let p = params("spa", &rs256(&c), json!({ "api_type": "firebase", "target": "fb-legacy" }));
    let e = d().delegate(&p, NOW, &mut rng()).unwrap_err();
    assert!(e.description.contains("256"), "{e}");
    // Under the uid limit but over the token's 1024 characters.
    c["sub"] = json!("€".repeat(250));
    let p = params("spa", &rs256(&c), json!({ "api_type": "firebase", "target": "fb-legacy" }));
    let e = d().delegate(&p, NOW, &mut rng()).unwrap_err();
    assert!(e.description.contains("at most 1024"), "{e}");
}

#[test]
fn azure_blob_sas_shape() {
    let res = mint("azure_blob", "addons", json!({}));
    assert_eq!(res["expires_in"], 300);
    let sas = res["azure_blob_sas"].as_str().unwrap();
    // NOW + 300 s = 2027-01-15T08:05:00Z; the signature is checked against the SDK and Azurite in JS.
    assert!(sas.starts_with("sv=2026-10-06&se=2027-01-15T08%3A05%3A00Z&sr=b&sp=r&sig="), "{sas}");
    let res = mint("azure_blob", "container", json!({}));
    assert!(res["azure_blob_sas"].as_str().unwrap().contains("&sr=c&sp=rl&sig="));
    assert_eq!(res["expires_in"], 600);
}

#[test]
fn azure_blob_known_answer() {
    // Computed independently (Python hmac over the 16-field string-to-sign) for these inputs.
    let mut t = tenant_with_addons();
    *addon_settings(&mut t, "addons", "azure_blob") = json!({
        "accountName": "devstoreaccount1",
        "storageAccessKey": "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
        "containerName": "reports", "blobName": "a b/ü.txt", "signedIdentifier": "policy-1",
        "blob_read": true, "blob_write": true, "blob_delete": true, "version": "2020-12-06", "expiration": 60
    });
    let res = Delegator::new(&t).unwrap().delegate(&req("azure_blob", "addons", json!({})), NOW, &mut rng()).unwrap();
    assert_eq!(
        res["azure_blob_sas"],
        format!("sv=2020-12-06&se=2027-01-15T09%3A00%3A00Z&si=policy-1&sr=b&sp=rwd&sig={}", AZURE_KAT_SIG)
    );
}

const AZURE_KAT_SIG: &str = "Es%2FIhlnCZ5UnrHSsK5wggHcl8ypq6e2oQMTOsMSs8EQ%3D";

#[test]
fn azure_sb_token_shape() {
    let res = mint("azure_sb", "addons", json!({}));
    let se = NOW + 300;
    let t = res["azure_sb_sas"].as_str().unwrap();
    let prefix = "SharedAccessSignature sr=https%3A%2F%2Fedge-test.servicebus.windows.net%2Forders&sig=";
    assert!(t.starts_with(prefix), "{t}");
    assert!(t.ends_with(&format!("&se={se}&skn=RootManageSharedAccessKey")), "{t}");
    assert_eq!(res["expires_in"], 300);
}

#[test]
fn wams_token() {
    use sha2::{Digest, Sha256};
    let res = mint("wams", "addons", json!({}));
    let token = res["id_token"].as_str().unwrap();
    let (h, p) = decode(token);
    assert_eq!(h, json!({ "alg": "HS256", "typ": "JWT", "kid": "0" }));
    assert_eq!(p["iss"], "urn:microsoft:windows-azure:zumo");
    assert_eq!(p["ver"], 2);
    assert_eq!(p["uid"], "auth0|user-1");
    assert_eq!(p["exp"], NOW + 36000);
    let key = Sha256::digest(b"TESTONLYmasterKeyForWamsXXXXXXXXXXXXJWTSig").to_vec();
    Verifier::from_json(&json!({ "algorithms": ["HS256"] }), Some(key)).unwrap().verify(token, NOW).unwrap();
}

#[test]
fn layer_token_needs_the_nonce() {
    let e = refused("layer", "addons", json!({}));
    assert_eq!(e.code, OAuthCode::InvalidRequest);
    assert!(e.description.contains("nonce"), "{e}");
    let res = mint("layer", "addons", json!({ "nonce": "n-0S6_WzA2Mj" }));
    assert_eq!(res["expires_in"], 600);
    let token = res["id_token"].as_str().unwrap();
    let (h, p) = decode(token);
    assert_eq!(
        h,
        json!({ "typ": "JWT", "alg": "RS256", "cty": "layer-eit;v=1", "kid": "layer:///keys/2b1c0c3e-0000-4000-8000-000000000002" })
    );
    assert_eq!(p["iss"], "layer:///providers/9c1c6c3e-0000-4000-8000-000000000001");
    assert_eq!(p["prn"], "auth0|user-1");
    assert_eq!(p["nce"], "n-0S6_WzA2Mj");
    assert_eq!(p["exp"], NOW + 600);
    assert!(p["jti"].is_string());
    Verifier::from_json(&json!({ "key": public_rsa("rsa") }), None).unwrap().verify(token, NOW).unwrap();
}

#[test]
fn salesforce_assertion_and_request() {
    let res = mint("salesforce_api", "addons", json!({}));
    let a = res["assertion"].as_str().unwrap();
    let (h, p) = decode(a);
    assert_eq!(h["kid"], "rsa-1");
    assert_eq!(p["iss"], "3MVG9TESTONLYconsumerKey");
    assert_eq!(p["sub"], "api-user@edge-test.example");
    assert_eq!(p["aud"], "https://login.salesforce.com");
    assert_eq!(p["exp"], NOW + 180);
    let r = &res["token_request"];
    assert_eq!(r["url"], "https://login.salesforce.com/services/oauth2/token");
    assert_eq!(r["method"], "POST");
    assert_eq!(r["headers"]["content-type"], "application/x-www-form-urlencoded");
    assert_eq!(r["body"], format!("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion={a}"));
    // The sandbox: test.salesforce.com, and the user's email as the principal.
    let res = mint("salesforce_sandbox_api", "addons", json!({}));
    let (_, p) = decode(res["assertion"].as_str().unwrap());
    assert_eq!(p["aud"], "https://test.salesforce.com");
    assert_eq!(p["sub"], "ada@example.com");
    assert_eq!(res["token_request"]["url"], "https://test.salesforce.com/services/oauth2/token");
    let mut c = claims("spa");
    c.as_object_mut().unwrap().remove("email");
    let p = params("spa", &rs256(&c), json!({ "api_type": "salesforce_sandbox_api", "target": "addons" }));
    let e = d().delegate(&p, NOW, &mut rng()).unwrap_err();
    assert_eq!(e.code, OAuthCode::InvalidRequest);
    assert!(e.description.contains("addons.salesforce_sandbox_api.principal"), "{e}");
}

#[test]
fn salesforce_community() {
    let mut t = tenant_with_addons();
    let s = addon_settings(&mut t, "addons", "salesforce_api");
    s["communityName"] = json!("acme");
    s["community_url_section"] = json!("/customers/");
    let res =
        Delegator::new(&t).unwrap().delegate(&req("salesforce_api", "addons", json!({})), NOW, &mut rng()).unwrap();
    let (_, p) = decode(res["assertion"].as_str().unwrap());
    assert_eq!(p["aud"], "https://acme.force.com/customers");
    assert_eq!(res["token_request"]["url"], "https://acme.force.com/customers/services/oauth2/token");
}

#[test]
fn addons_not_enabled() {
    let e = refused("firebase", "api-rs", json!({}));
    assert_eq!(e.code, OAuthCode::InvalidTarget);
    assert!(e.description.contains("firebase add-on is not enabled on target \"api-rs\""), "{e}");
    assert!(e.description.contains("addons.firebase"), "{e}");
    let e = refused("sap_api", "api-rs", json!({}));
    assert_eq!(e.code, OAuthCode::InvalidTarget);
    assert!(e.description.contains("sap_api add-on is not enabled on target \"api-rs\""), "{e}");
}

fn assert_config(e: ConfigError, path: &str, needle: &str) {
    assert_eq!(e.path, path, "{e}");
    assert!(e.message.contains(needle), "{e} should mention {needle:?}");
}

#[test]
fn bad_settings_name_the_setting() {
    let at = "clients[8].addons";
    assert_config(
        config_error(|t| {
            addon_settings(t, "addons", "azure_blob").as_object_mut().unwrap().remove("accountName");
        }),
        &format!("{at}.azure_blob.accountName"),
        "missing",
    );
    assert_config(
        config_error(|t| addon_settings(t, "addons", "azure_blob")["storageAccessKey"] = json!("not base64!")),
        &format!("{at}.azure_blob.storageAccessKey"),
        "not base64",
    );
    assert_config(
        config_error(|t| addon_settings(t, "addons", "azure_blob")["blob_read"] = json!(false)),
        &format!("{at}.azure_blob"),
        "grants no permission",
    );
    assert_config(
        config_error(|t| addon_settings(t, "addons", "azure_blob")["container_list"] = json!(true)),
        &format!("{at}.azure_blob.container_list"),
        "container SAS",
    );
    for bad in [json!(0), json!(-5), json!(1e9), json!("soon"), json!(2.5)] {
        assert_config(
            config_error(|t| addon_settings(t, "addons", "azure_blob")["expiration"] = bad.clone()),
            &format!("{at}.azure_blob.expiration"),
            "whole number of minutes",
        );
    }
    assert_config(
        config_error(|t| addon_settings(t, "addons", "azure_blob")["blobname"] = json!("x")),
        &format!("{at}.azure_blob.blobname"),
        "unknown setting",
    );
    assert_config(
        config_error(|t| addon_settings(t, "addons", "azure_sb")["sasKey"] = json!("")),
        &format!("{at}.azure_sb.sasKey"),
        "missing",
    );
    assert_config(
        config_error(|t| addon_settings(t, "addons", "firebase")["private_key"] = json!("not a key")),
        &format!("{at}.firebase.private_key"),
        "not PEM",
    );
    let ec = keys()["ec"]["private_pkcs8"].clone();
    assert_config(
        config_error(|t| addon_settings(t, "addons", "firebase")["private_key"] = ec.clone()),
        &format!("{at}.firebase.private_key"),
        "RSA private key",
    );
    assert_config(
        config_error(|t| addon_settings(t, "addons", "layer")["privateKey"] = ec.clone()),
        &format!("{at}.layer.privateKey"),
        "EC P-256",
    );
    let public = keys()["rsa"]["public_spki"].clone();
    assert_config(
        config_error(|t| addon_settings(t, "addons", "layer")["privateKey"] = public.clone()),
        &format!("{at}.layer.privateKey"),
        "public key",
    );
    assert_config(
        config_error(|t| addon_settings(t, "addons", "firebase")["lifetime_in_seconds"] = json!(7200)),
        &format!("{at}.firebase.lifetime_in_seconds"),
        "1 to 3600",
    );
    assert_config(
        config_error(|t| addon_settings(t, "fb-legacy", "firebase")["client_email"] = json!("x@y.z")),
        "clients[9].addons.firebase.secret",
        "not both",
    );
    assert_config(
        config_error(|t| addon_settings(t, "addons", "wams")["masterkey"] = json!(42)),
        &format!("{at}.wams.masterkey"),
        "must be a string",
    );
    assert_config(
        config_error(|t| *addon_settings(t, "addons", "layer") = json!("on")),
        &format!("{at}.layer"),
        "must be an object",
    );
    assert_config(
        config_error(|t| {
            addon_settings(t, "addons", "salesforce_api").as_object_mut().unwrap().remove("clientid");
        }),
        &format!("{at}.salesforce_api.clientid"),
        "consumer key",
    );
    // No secret value ever appears in a message.
    let e = config_error(|t| addon_settings(t, "addons", "azure_blob")["storageAccessKey"] = json!("s3cr3t-v@lue"));
    assert!(!e.to_string().contains("s3cr3t"), "{e}");
}

#[test]
fn escaped_newlines_in_a_pem_are_accepted() {
    let mut t = tenant_with_addons();
    let pem = keys()["rsa2"]["private_pkcs8"].as_str().unwrap().replace('\n', "\\n");
    addon_settings(&mut t, "addons", "firebase")["private_key"] = json!(pem);
    let a = Delegator::new(&t).unwrap().delegate(&req("firebase", "addons", json!({})), NOW, &mut rng()).unwrap();
    assert_eq!(a["id_token"], mint("firebase", "addons", json!({}))["id_token"]);
}

fn with_policy(
    api_type: &str,
    target: &str,
    extra: Value,
    decision: Value,
) -> Result<Map<String, Value>, DelegationError> {
    let mut seen = Value::Null;
    let out = d().delegate_with(&req(api_type, target, extra), Some("203.0.113.9"), NOW, &mut rng(), &mut |ctx| {
        seen = ctx.clone();
        Decision::from_json(&decision)
    });
    assert_eq!(seen["client"], json!({ "client_id": "spa", "name": "Web app (SPA)" }));
    assert_eq!(seen["target"]["client_id"], target);
    assert_eq!(seen["apiType"], api_type);
    assert_eq!(seen["user"]["sub"], "auth0|user-1");
    assert_eq!(seen["ip"], "203.0.113.9");
    out
}

#[test]
fn policy_allows_denies_and_amends() {
    // undefined: go on.
    let plain = mint("app", "api-rs", json!({}));
    let res = with_policy("app", "api-rs", json!({ "scope": "openid email", "tier": "gold" }), Value::Null).unwrap();
    assert_eq!(res.len(), plain.len());
    // deny: access_denied with the policy's reason.
    let e = with_policy("app", "api-rs", json!({}), json!({ "deny": "orders are closed on Sundays" })).unwrap_err();
    assert_eq!((e.code, e.description.as_str()), (OAuthCode::AccessDenied, "orders are closed on Sundays"));
    assert_eq!(e.code.status(), 403);
    // claims: added to JWT formats.
    let res = with_policy("app", "api-rs", json!({}), json!({ "claims": { "tier": "gold" } })).unwrap();
    assert_eq!(decode(res["id_token"].as_str().unwrap()).1["tier"], "gold");
    let res = with_policy("firebase", "addons", json!({}), json!({ "claims": { "premium": true } })).unwrap();
    assert_eq!(decode(res["id_token"].as_str().unwrap()).1["claims"], json!({ "premium": true }));
    let res = with_policy("firebase", "fb-legacy", json!({}), json!({ "claims": { "premium": true } })).unwrap();
    assert_eq!(decode(res["id_token"].as_str().unwrap()).1["d"], json!({ "uid": "auth0|user-1", "premium": true }));
    // addon: overrides the target's settings for this call only.
    let res =
        with_policy("azure_blob", "addons", json!({}), json!({ "addon": { "blobName": "users/ada.txt" } })).unwrap();
    let other = mint("azure_blob", "addons", json!({}));
    assert_ne!(res["azure_blob_sas"], other["azure_blob_sas"]);
    let res = with_policy("firebase", "addons", json!({}), json!({ "addon": { "private_key_id": "kid-7" } })).unwrap();
    assert_eq!(decode(res["id_token"].as_str().unwrap()).0, json!({ "alg": "RS256", "typ": "JWT", "kid": "kid-7" }));
}

#[test]
fn policy_mistakes_are_server_errors() {
    let cases = [
        ("app", json!({ "claims": { "iss": "evil" } }), "reserves"),
        ("app", json!({ "claims": { "sub": "someone-else" } }), "reserves"),
        ("firebase", json!({ "claims": { "nonce": 1 } }), "Firebase reserves"),
        ("azure_blob", json!({ "claims": { "tier": "gold" } }), "not a JWT"),
        ("azure_blob", json!({ "addon": { "blob_read": "yes" } }), "addons.azure_blob.blob_read"),
        ("app", json!({ "addon": { "x": 1 } }), "unknown setting"),
        ("app", json!(true), "boolean"),
        ("app", json!({ "allow": true }), "member \"allow\""),
        ("app", json!({ "deny": "" }), "non-empty"),
        ("app", json!({ "claims": [1] }), "claims as an array"),
    ];
    for (api_type, decision, needle) in cases {
        let target = if api_type == "app" { "api-rs" } else { "addons" };
        let e = with_policy(api_type, target, json!({}), decision.clone()).unwrap_err();
        assert_eq!(e.code, OAuthCode::ServerError, "{decision}: {e}");
        assert!(e.description.contains(needle), "{decision}: {e} should mention {needle:?}");
    }
}
