//! The SAML add-ons (`sap_api`, `aws`) in the native core: document shape, the enveloped
//! signature recomputed here, settings checked at construction, bad users and values, the
//! edge handler's token exchange, and STS answers. xml-crypto, node-saml, samlify, signxml,
//! lxml and moto judge the same documents in tests/js/saml.test.mjs.

mod common;

use base64ct::{Base64, Encoding};
use common::*;
use edge_delegation::http::{Handler, HandlerOptions, Request, Response, Step};
use edge_delegation::{Alg, ConfigError, DelegationError, Delegator, OAuthCode};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

fn tenant_with(edit: impl FnOnce(&mut Value)) -> Value {
    let mut t = tenant_with_addons();
    edit(&mut t);
    t
}

fn req(api_type: &str, user: Value) -> Value {
    params("spa", &rs256(&user), json!({ "api_type": api_type, "target": "addons" }))
}

fn mint_in(t: &Value, api_type: &str, user: Value) -> Result<Map<String, Value>, DelegationError> {
    Delegator::new(t).unwrap().delegate(&req(api_type, user), NOW, &mut rng())
}

fn mint(api_type: &str) -> Map<String, Value> {
    mint_in(&tenant_with_addons(), api_type, claims("spa")).unwrap()
}

fn config_error(edit: impl FnOnce(&mut Value)) -> ConfigError {
    Delegator::new(&tenant_with(edit)).expect_err("the configuration should be refused")
}

fn b64(s: &str) -> String {
    String::from_utf8(Base64::decode_vec(s).unwrap()).unwrap()
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> &'a str {
    let a = s.find(start).unwrap_or_else(|| panic!("no {start}")) + start.len();
    &s[a..a + s[a..].find(end).unwrap()]
}

/// Checks one enveloped signature the way a verifier does: remove the Signature, digest the
/// element, compare with DigestValue, verify SignatureValue over the standalone SignedInfo.
fn check_signature(element: &str) {
    let start = element.find("<ds:Signature ").unwrap();
    let end = element[start..].find("</ds:Signature>").unwrap() + start + "</ds:Signature>".len();
    let sig = &element[start..end];
    let without = format!("{}{}", &element[..start], &element[end..]);
    let digest = Base64::encode_string(&Sha256::digest(without.as_bytes()));
    assert_eq!(between(sig, "<ds:DigestValue>", "<"), digest, "digest of the element without its signature");
    let info = format!("<ds:SignedInfo{}</ds:SignedInfo>", between(sig, "<ds:SignedInfo", "</ds:SignedInfo>"));
    let standalone =
        info.replacen("<ds:SignedInfo>", "<ds:SignedInfo xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">", 1);
    let value = Base64::decode_vec(between(sig, "<ds:SignatureValue>", "<")).unwrap();
    let key = Delegator::new(&tenant()).unwrap().public_jwks()["keys"][0].clone();
    let key = edge_delegation::keys::verifying_value(&key).unwrap().key;
    assert!(edge_delegation::alg::verify(Alg::Rs256, &key, standalone.as_bytes(), &value), "SignatureValue verifies");
    let id = between(element, " ID=\"", "\"");
    assert_eq!(between(sig, "<ds:Reference URI=\"", "\""), format!("#{id}"));
    let cert = tenant()["signing_keys"][0]["x5c"][0].as_str().unwrap().to_owned();
    assert_eq!(between(sig, "<ds:X509Certificate>", "<"), cert, "KeyInfo carries x5c[0]");
}

#[test]
fn sap_api_assertion_and_token_request() {
    let res = mint("sap_api");
    assert_eq!(res.keys().collect::<Vec<_>>(), ["assertion", "expires_in", "token_request"]);
    assert_eq!(res["expires_in"], 300);
    let xml = b64(res["assertion"].as_str().unwrap());
    assert!(xml.starts_with("<saml:Assertion xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_"), "{xml}");
    assert!(!xml.contains("<?xml"), "no declaration inside the signed part");
    for part in [
        "IssueInstant=\"2027-01-15T08:00:00.000Z\" Version=\"2.0\">",
        "<saml:Issuer>urn:tenant.test.example</saml:Issuer><ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">",
        "<saml:NameID Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress\">ada@example.com</saml:NameID>",
        "<saml:SubjectConfirmation Method=\"urn:oasis:names:tc:SAML:2.0:cm:bearer\"><saml:SubjectConfirmationData NotOnOrAfter=\"2027-01-15T08:05:00.000Z\" Recipient=\"https://sap.test.example/oauth2/api/v1/token\"></saml:SubjectConfirmationData>",
        "<saml:Conditions NotBefore=\"2027-01-15T08:00:00.000Z\" NotOnOrAfter=\"2027-01-15T08:05:00.000Z\"><saml:AudienceRestriction><saml:Audience>https://sap.test.example/oauth2/api/v1/token</saml:Audience></saml:AudienceRestriction></saml:Conditions>",
        "<saml:AuthnStatement AuthnInstant=\"2027-01-15T07:59:00.000Z\">",
        "<saml:AttributeStatement><saml:Attribute Name=\"client_id\"><saml:AttributeValue>edge-sap-client</saml:AttributeValue></saml:Attribute></saml:AttributeStatement></saml:Assertion>",
    ] {
        assert!(xml.contains(part), "{part}\nnot in\n{xml}");
    }
    check_signature(&xml);
    let r = &res["token_request"];
    assert_eq!(r["url"], "https://sap.test.example/oauth2/api/v1/token");
    assert_eq!(r["method"], "POST");
    let basic = Base64::encode_string(b"edge-sap-client:TEST-ONLY-sap-service-password");
    assert_eq!(r["headers"]["authorization"], format!("Basic {basic}"));
    let body = r["body"].as_str().unwrap();
    let enc = res["assertion"].as_str().unwrap().replace('+', "%2B").replace('/', "%2F").replace('=', "%3D");
    assert_eq!(
        body,
        format!("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Asaml2-bearer&client_id=edge-sap-client&scope=read%20write&assertion={enc}")
    );
}

#[test]
fn sap_api_base64url_option_and_default_format() {
    let t = tenant_with(|t| {
        let s = addon_settings(t, "addons", "sap_api");
        s["assertionEncoding"] = json!("base64url");
        s.as_object_mut().unwrap().remove("nameIdentifierFormat");
    });
    let res = mint_in(&t, "sap_api", claims("spa")).unwrap();
    let a = res["assertion"].as_str().unwrap();
    assert!(!a.contains(['+', '/', '=']));
    let xml = String::from_utf8(base64ct::Base64UrlUnpadded::decode_vec(a).unwrap()).unwrap();
    assert!(xml.contains("Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified\">ada@example.com<"));
    check_signature(&xml);
}

#[test]
fn aws_response_and_sts_request() {
    let res = mint("aws");
    assert_eq!(res.keys().collect::<Vec<_>>(), ["saml_response", "expires_in", "token_request"]);
    let xml = b64(res["saml_response"].as_str().unwrap());
    assert!(xml.starts_with("<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" Destination=\"https://signin.aws.amazon.com/saml\" ID=\"_"), "{xml}");
    assert!(xml.contains("<saml:Issuer xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\">urn:tenant.test.example</saml:Issuer><ds:Signature"));
    assert!(xml.contains("<samlp:Status><samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Success\"></samlp:StatusCode></samlp:Status><saml:Assertion xmlns:saml="));
    for part in [
        "<saml:NameID Format=\"urn:oasis:names:tc:SAML:2.0:nameid-format:persistent\">auth0|user-1</saml:NameID>",
        "Recipient=\"https://signin.aws.amazon.com/saml\"",
        "<saml:Audience>https://signin.aws.amazon.com/saml</saml:Audience>",
        "<saml:Attribute Name=\"https://aws.amazon.com/SAML/Attributes/Role\"><saml:AttributeValue>arn:aws:iam::123456789012:role/edge-delegation-test,arn:aws:iam::123456789012:saml-provider/edge-delegation</saml:AttributeValue></saml:Attribute>",
        "<saml:Attribute Name=\"https://aws.amazon.com/SAML/Attributes/RoleSessionName\"><saml:AttributeValue>ada@example.com</saml:AttributeValue></saml:Attribute>",
        "<saml:Attribute Name=\"https://aws.amazon.com/SAML/Attributes/SessionDuration\"><saml:AttributeValue>3600</saml:AttributeValue></saml:Attribute>",
    ] {
        assert!(xml.contains(part), "{part}\nnot in\n{xml}");
    }
    // Both signatures: the Response's covers the signed Assertion.
    check_signature(&xml);
    let a = xml.find("<saml:Assertion ").unwrap();
    let assertion = &xml[a..xml.find("</saml:Assertion>").unwrap() + "</saml:Assertion>".len()];
    check_signature(assertion);
    let r = &res["token_request"];
    assert_eq!(r["url"], "https://sts.amazonaws.com/");
    let body = r["body"].as_str().unwrap();
    assert!(body.starts_with("Action=AssumeRoleWithSAML&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fedge-delegation-test&PrincipalArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Asaml-provider%2Fedge-delegation&SAMLAssertion="), "{body}");
    assert!(body.ends_with("&DurationSeconds=3600"));
}

#[test]
fn markup_and_line_breaks_are_escaped_and_still_sign() {
    let mut user = claims("spa");
    user["email"] = json!("a<b>&\"c'\r\n\td@example.com");
    let res = mint_in(&tenant_with_addons(), "sap_api", user).unwrap();
    let xml = b64(res["assertion"].as_str().unwrap());
    assert!(xml.contains(">a&lt;b&gt;&amp;\"c'&#xD;\n\td@example.com</saml:NameID>"), "{xml}");
    check_signature(&xml);
    let t = tenant_with(|t| addon_settings(t, "addons", "sap_api")["clientid"] = json!("id <&\"\t>"));
    let xml = b64(mint_in(&t, "sap_api", claims("spa")).unwrap()["assertion"].as_str().unwrap());
    assert!(xml.contains("<saml:AttributeValue>id &lt;&amp;\"\t&gt;</saml:AttributeValue>"), "{xml}");
    check_signature(&xml);
}

#[test]
fn bad_users_are_clear_errors() {
    let e = |api: &str, edit: &dyn Fn(&mut Value)| {
        let mut user = claims("spa");
        edit(&mut user);
        mint_in(&tenant_with_addons(), api, user).expect_err("should fail")
    };
    let x = e("sap_api", &|u| {
        u.as_object_mut().unwrap().remove("email");
    });
    assert_eq!(x.code, OAuthCode::InvalidRequest);
    assert!(x.description.contains("no string claim \"email\" (addons.sap_api.usernameAttribute)"), "{x}");
    let x = e("sap_api", &|u| u["email"] = json!("bell\u{7}@example.com"));
    assert!(x.description.contains("U+0007"), "{x}");
    for bad in ["a", "x".repeat(65).as_str(), "has space@example.com", "ünïcode@example.com"] {
        let x = e("aws", &|u| u["email"] = json!(bad));
        assert_eq!(x.code, OAuthCode::InvalidRequest, "{bad}");
        assert!(x.description.contains("AWS session name is the id_token's email"), "{x}");
        assert!(x.description.contains("2 to 64"), "{x}");
    }
    // No email: the user id, whose `|` AWS refuses.
    let x = e("aws", &|u| {
        u.as_object_mut().unwrap().remove("email");
    });
    assert!(x.description.contains("session name is the id_token's sub"), "{x}");
    // 2 and 64 characters are fine.
    for ok in ["ab", &"y".repeat(64)] {
        let mut user = claims("spa");
        user["email"] = json!(ok);
        assert!(mint_in(&tenant_with_addons(), "aws", user).is_ok(), "{ok}");
    }
}

#[test]
fn settings_are_checked_at_construction() {
    let at = |api: &str, name: &str| {
        format!("clients[{}].addons.{api}.{name}", tenant()["clients"].as_array().unwrap().len())
    };
    for name in ["clientid", "usernameAttribute", "tokenEndpointUrl", "servicePassword"] {
        let e = config_error(|t| {
            addon_settings(t, "addons", "sap_api").as_object_mut().unwrap().remove(name);
        });
        assert_eq!(e.path, at("sap_api", name), "{e}");
        assert!(e.message.contains("missing: set it to"), "{e}");
    }
    for name in ["principal", "role"] {
        let e = config_error(|t| {
            addon_settings(t, "addons", "aws").as_object_mut().unwrap().remove(name);
        });
        assert_eq!(e.path, at("aws", name), "{e}");
    }
    let cases: Vec<(&str, &str, Value, &str)> = vec![
        ("sap_api", "tokenEndpointUrl", json!("http://sap.example/token"), "must be an https:// URL"),
        ("sap_api", "tokenEndpointUrl", json!("https://sap.example/token#x"), "must be an https:// URL"),
        ("sap_api", "clientid", json!("a:b"), "must not contain \":\""),
        ("sap_api", "nameIdentifierFormat", json!("email"), "NameID format URN"),
        ("sap_api", "assertionEncoding", json!("hex"), "not base64 or base64url"),
        ("sap_api", "usernameAtribute", json!("email"), "unknown setting"),
        ("aws", "principal", json!("arn:aws:iam::123456789012:role/x"), "saml-provider"),
        ("aws", "role", json!("arn:aws:iam::12345:role/x"), "arn:aws:iam::123456789012:role/Name"),
        ("aws", "role", json!("arn:aws:iam::123456789012:role/a,b"), "role/Name"),
        ("aws", "lifetime_in_seconds", json!(899), "from 900 to 43200"),
        ("aws", "lifetime_in_seconds", json!(43201), "from 900 to 43200"),
    ];
    for (api, name, value, needle) in cases {
        let e = config_error(|t| addon_settings(t, "addons", api)[name] = value.clone());
        assert_eq!(e.path, at(api, name), "{e}");
        assert!(e.message.contains(needle), "{api}.{name}={value}: {e}");
    }
    // Loopback http is allowed (local token endpoints, tests).
    let t = tenant_with(|t| {
        addon_settings(t, "addons", "sap_api")["tokenEndpointUrl"] = json!("http://127.0.0.1:8080/token")
    });
    assert!(Delegator::new(&t).is_ok());
    // A tenant without an RSA key cannot sign SAML.
    for api in ["sap_api", "aws"] {
        let e = config_error(|t| {
            let keys = t["signing_keys"].as_array_mut().unwrap();
            keys.retain(|k| k["kty"] != "RSA");
            for c in t["clients"].as_array_mut().unwrap() {
                if c["client_id"] == "addons" {
                    c["addons"] = json!({ api: c["addons"][api].clone() });
                }
                c["jwt_configuration"]["alg"] = json!("ES256");
            }
        });
        assert!(e.message.contains("signing_keys has no RSA key"), "{api}: {e}");
    }
}

#[test]
fn x5c_is_checked() {
    let e = config_error(|t| t["signing_keys"][0]["x5c"] = json!(["not base64!"]));
    assert_eq!(e.path, "signing_keys[0].x5c[0]");
    assert!(e.message.contains("not standard base64"), "{e}");
    let e = config_error(|t| t["signing_keys"][0]["x5c"] = json!(["MIIBAAAA"]));
    assert!(e.message.contains("not DER X.509"), "{e}");
    // rsa-1's certificate on rsa-2.
    let e = config_error(|t| t["signing_keys"][3]["x5c"] = t["signing_keys"][0]["x5c"].clone());
    assert_eq!(e.path, "signing_keys[3].x5c[0]");
    assert!(e.message.contains("certifies a different key"), "{e}");
    // The JWKS publishes the chain.
    let jwks = Delegator::new(&tenant()).unwrap().public_jwks();
    assert_eq!(jwks["keys"][0]["x5c"], tenant()["signing_keys"][0]["x5c"]);
    assert!(jwks["keys"][3].get("x5c").is_none());
    // Without x5c the signature has no KeyInfo.
    let t = tenant_with(|t| {
        t["signing_keys"][0].as_object_mut().unwrap().remove("x5c");
    });
    let xml = b64(mint_in(&t, "sap_api", claims("spa")).unwrap()["assertion"].as_str().unwrap());
    assert!(!xml.contains("KeyInfo"));
}

fn handler(options: Value) -> Handler {
    Handler::new(Delegator::new(&tenant_with_addons()).unwrap(), HandlerOptions::from_json(&options).unwrap())
}

fn post(h: &Handler, api_type: &str) -> Response {
    let body = serde_json::to_vec(&req(api_type, claims("spa"))).unwrap();
    let headers = vec![("content-type".to_owned(), "application/json".to_owned())];
    let r = Request { method: "POST", path: "/delegation", headers: &headers, body: &body, peer_ip: Some("192.0.2.1") };
    match h.begin(&r, NOW) {
        Step::Count { pending, .. } => {
            h.finish(&pending, 1, NOW + 60, &edge_delegation::Decision::Allow, NOW, &mut rng())
        }
        Step::Done(r) => panic!("{}", r.body),
    }
}

const STS_OK: &str = r#"<AssumeRoleWithSAMLResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithSAMLResult>
    <Issuer>urn:tenant.test.example</Issuer>
    <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/edge/ada@example.com</Arn><AssumedRoleId>AROAEXAMPLE:ada@example.com</AssumedRoleId></AssumedRoleUser>
    <Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>secret/&amp;key</SecretAccessKey><SessionToken>token</SessionToken><Expiration>2027-01-15T09:00:00Z</Expiration></Credentials>
    <Audience>https://signin.aws.amazon.com/saml</Audience>
    <SubjectType>persistent</SubjectType>
    <PackedPolicySize>6</PackedPolicySize>
    <NameQualifier>SbdGOnUkh1i4+EiX7TaV+oFZzbo=</NameQualifier>
    <Subject>auth0|user-1</Subject>
  </AssumeRoleWithSAMLResult>
  <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
</AssumeRoleWithSAMLResponse>"#;

#[test]
fn handler_exchanges_with_sts() {
    let h = handler(json!({ "stsEndpoint": "http://127.0.0.1:5000/" }));
    let r = post(&h, "aws");
    let o = r.outbound.as_ref().expect("the host must send the STS request");
    assert_eq!((o.api_type, o.url.as_str(), o.method.as_str()), ("aws", "http://127.0.0.1:5000/", "POST"));
    assert!(o.body.starts_with("Action=AssumeRoleWithSAML&"));
    assert!(r.headers.iter().any(|(k, _)| k == "x-ratelimit-limit"));
    let done = h.answer("aws", r.headers.clone(), 200, STS_OK);
    assert_eq!(done.status, 200, "{}", done.body);
    let v: Value = serde_json::from_str(&done.body).unwrap();
    assert_eq!(
        v,
        json!({
            "Credentials": { "AccessKeyId": "ASIAEXAMPLE", "SecretAccessKey": "secret/&key", "SessionToken": "token", "Expiration": "2027-01-15T09:00:00Z" },
            "AssumedRoleUser": { "AssumedRoleId": "AROAEXAMPLE:ada@example.com", "Arn": "arn:aws:sts::123456789012:assumed-role/edge/ada@example.com" },
            "Subject": "auth0|user-1", "SubjectType": "persistent", "Issuer": "urn:tenant.test.example",
            "Audience": "https://signin.aws.amazon.com/saml", "NameQualifier": "SbdGOnUkh1i4+EiX7TaV+oFZzbo=", "PackedPolicySize": 6,
        })
    );
    assert!(done.headers.iter().any(|(k, _)| k == "x-ratelimit-limit"), "the first response's headers are kept");
    // Default endpoint without the option.
    assert_eq!(post(&handler(json!({})), "aws").outbound.unwrap().url, "https://sts.amazonaws.com/");
    // Errors: STS's refusal, no answer, an answer we cannot read.
    let refusal = "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code><Message>Specified provider doesn't exist.</Message></Error><RequestId>x</RequestId></ErrorResponse>";
    let cases = [
        (400, refusal, 403, "access_denied", "AWS STS refused the request (HTTP 400): InvalidIdentityToken: Specified provider doesn't exist."),
        (0, "", 502, "server_error", "could not reach AWS STS"),
        (200, "{\"not\":\"xml\"}", 502, "server_error", "AWS STS answered HTTP 200, not a result"),
        (503, "<html>busy</html>", 502, "server_error", "AWS STS answered HTTP 503"),
        (200, "<!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;</x>", 502, "server_error", "answered HTTP 200"),
        (200, "<AssumeRoleWithSAMLResponse><AssumeRoleWithSAMLResult><Credentials></Credentials></AssumeRoleWithSAMLResult></AssumeRoleWithSAMLResponse>", 502, "server_error", "no Credentials.AccessKeyId"),
    ];
    for (status, body, want, code, needle) in cases {
        let r = h.answer("aws", vec![], status, body);
        assert_eq!(r.status, want, "{body}");
        let v: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["error"], code, "{body}");
        assert!(v["error_description"].as_str().unwrap().contains(needle), "{}", v["error_description"]);
    }
    assert_eq!(h.answer("app", vec![], 200, "{}").status, 500);
    let e = HandlerOptions::from_json(&json!({ "stsEndpoint": "http://sts.example/" })).unwrap_err();
    assert!(e.message.contains("must be an https:// URL"), "{e}");
}

#[test]
fn handler_exchanges_with_sap() {
    let h = handler(json!({}));
    let r = post(&h, "sap_api");
    let o = r.outbound.as_ref().unwrap();
    assert_eq!(o.url, "https://sap.test.example/oauth2/api/v1/token");
    assert!(o.headers.iter().any(|(k, v)| k == "authorization" && v.starts_with("Basic ")));
    assert!(r.body.is_empty(), "the credentials never reach the caller");
    let ok = r#"{"access_token":"sap-at","token_type":"Bearer","expires_in":3600,"scope":"read write"}"#;
    let done = h.answer("sap_api", vec![], 200, ok);
    assert_eq!(
        (done.status, serde_json::from_str::<Value>(&done.body).unwrap()),
        (200, serde_json::from_str(ok).unwrap())
    );
    let r = h.answer("sap_api", vec![], 401, r#"{"error":"invalid_client","error_description":"Bad\ncredentials"}"#);
    assert_eq!(r.status, 403);
    assert!(
        r.body.contains("the SAP token endpoint refused the request (HTTP 401): invalid_client: Bad credentials"),
        "{}",
        r.body
    );
    assert_eq!(h.answer("sap_api", vec![], 200, "<html/>").status, 502);
    assert_eq!(h.answer("sap_api", vec![], 302, "").status, 502);
    // Other formats answer directly.
    assert!(post(&h, "app").outbound.is_none());
}
