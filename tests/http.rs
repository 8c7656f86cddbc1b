//! The edge handler's HTTP logic in the native core: routes, statuses, bodies, CORS, rate
//! limiting, and RFC 8693 token exchange with `act` / `may_act`.

mod common;

use std::collections::HashMap;

use common::*;
use edge_delegation::http::{Handler, HandlerOptions, Request, Response, Step};
use serde_json::{json, Value};

struct Host {
    handler: Handler,
    counts: HashMap<String, u32>,
}

impl Host {
    fn new(options: Value) -> Host {
        Host {
            handler: Handler::new(delegator(), HandlerOptions::from_json(&options).unwrap()),
            counts: HashMap::new(),
        }
    }

    fn send(&mut self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Response {
        let headers: Vec<(String, String)> = headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
        let req = Request { method, path, headers: &headers, body, peer_ip: Some("10.0.0.1") };
        match self.handler.begin(&req, NOW) {
            Step::Done(r) => r,
            Step::Count { key, pending } => {
                let c = self.counts.entry(key).or_insert(0);
                *c += 1;
                let c = *c;
                self.handler.finish(&pending, c, NOW + 60, &edge_delegation::Decision::Allow, NOW, &mut rng())
            }
        }
    }

    fn json(&mut self, path: &str, body: Value) -> (u16, Value) {
        let r = self.send("POST", path, &[("content-type", "application/json")], body.to_string().as_bytes());
        (r.status, serde_json::from_str(&r.body).unwrap())
    }
}

fn h(r: &Response, name: &str) -> Option<String> {
    r.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
}

fn form(p: &Value) -> String {
    p.as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            format!("{k}={}", v.as_str().unwrap().replace('|', "%7C").replace(':', "%3A").replace('/', "%2F"))
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[test]
fn delegation_over_json_and_form() {
    let mut host = Host::new(json!(null));
    let p = params("spa", &rs256(&claims("spa")), json!({ "target": "api-rs" }));
    let (status, body) = host.json("/delegation", p.clone());
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    let r = host.send(
        "POST",
        "/delegation",
        &[("content-type", "application/x-www-form-urlencoded; charset=utf-8")],
        form(&p).as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(h(&r, "content-type").unwrap(), "application/json; charset=utf-8");
    assert_eq!(h(&r, "cache-control").unwrap(), "no-store");
    assert_eq!(h(&r, "x-ratelimit-limit").unwrap(), "10");
    assert_eq!(h(&r, "x-ratelimit-remaining").unwrap(), "8");
    assert_eq!(h(&r, "x-ratelimit-reset").unwrap(), (NOW + 60).to_string());
}

#[test]
fn errors_are_json_with_their_status() {
    let mut host = Host::new(json!(null));
    let t = rs256(&claims("spa"));
    let cases: Vec<(u16, &str, Response)> = vec![
        (404, "not_found", host.send("GET", "/nope", &[], b"")),
        (405, "method_not_allowed", host.send("GET", "/delegation", &[], b"")),
        (405, "method_not_allowed", host.send("POST", "/.well-known/jwks.json", &[], b"")),
        (415, "invalid_request", host.send("POST", "/delegation", &[], b"{}")),
        (415, "invalid_request", host.send("POST", "/delegation", &[("content-type", "text/plain")], b"{}")),
        (
            413,
            "invalid_request",
            host.send("POST", "/delegation", &[("content-type", "application/json")], &vec![b' '; 64 * 1024 + 1]),
        ),
        (400, "invalid_request", host.send("POST", "/delegation", &[("content-type", "application/json")], b"{\"a\":")),
        (400, "invalid_request", host.send("POST", "/delegation", &[("content-type", "application/json")], b"[1]")),
        (
            400,
            "invalid_request",
            host.send("POST", "/delegation", &[("content-type", "application/json")], br#"{"a":1,"a":2}"#),
        ),
        (
            400,
            "invalid_request",
            host.send(
                "POST",
                "/delegation",
                &[("content-type", "application/x-www-form-urlencoded")],
                b"client_id=a&client_id=b",
            ),
        ),
        (
            400,
            "invalid_request",
            host.send(
                "POST",
                "/delegation",
                &[("content-type", "application/json"), ("x-evil", "a\r\nset-cookie: x")],
                b"{}",
            ),
        ),
        (
            401,
            "invalid_grant",
            host.send(
                "POST",
                "/delegation",
                &[("content-type", "application/json")],
                params("spa", "bad.token.here", json!({})).to_string().as_bytes(),
            ),
        ),
        (
            403,
            "unauthorized_client",
            host.send(
                "POST",
                "/delegation",
                &[("content-type", "application/json")],
                params("no-grant", &t, json!({})).to_string().as_bytes(),
            ),
        ),
    ];
    for (status, code, r) in cases {
        assert_eq!(r.status, status, "{}", r.body);
        let body: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(body["error"], code, "{body}");
        assert!(body["error_description"].as_str().unwrap().len() > 10);
    }
    let r = host.send("PUT", "/oauth/token", &[], b"");
    assert_eq!(h(&r, "allow").unwrap(), "POST, OPTIONS");
}

#[test]
fn jwks_is_public_and_cacheable() {
    let mut host = Host::new(json!(null));
    let r = host.send("GET", "/.well-known/jwks.json", &[], b"");
    assert_eq!(r.status, 200);
    assert_eq!(h(&r, "cache-control").unwrap(), "public, max-age=300");
    let body: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(body, delegator().public_jwks());
    assert!(!r.body.contains("\"d\""));
    assert_eq!(host.send("HEAD", "/.well-known/jwks.json", &[], b"").body, "");
}

#[test]
fn cors_allow_list() {
    let mut host = Host::new(json!({ "corsOrigins": ["https://app.example"] }));
    let pre = host.send(
        "OPTIONS",
        "/delegation",
        &[("origin", "https://app.example"), ("access-control-request-method", "POST")],
        b"",
    );
    assert_eq!(pre.status, 204);
    assert_eq!(h(&pre, "access-control-allow-origin").unwrap(), "https://app.example");
    assert_eq!(h(&pre, "access-control-allow-methods").unwrap(), "POST, OPTIONS");
    assert_eq!(host.send("OPTIONS", "/delegation", &[("origin", "https://evil.example")], b"").status, 403);
    let p = params("spa", &rs256(&claims("spa")), json!({}));
    let ok = host.send(
        "POST",
        "/delegation",
        &[("content-type", "application/json"), ("origin", "https://app.example")],
        p.to_string().as_bytes(),
    );
    assert_eq!(ok.status, 200);
    assert_eq!(h(&ok, "access-control-allow-origin").unwrap(), "https://app.example");
    assert_eq!(h(&ok, "vary").unwrap(), "Origin");
    let evil = host.send(
        "POST",
        "/delegation",
        &[("content-type", "application/json"), ("origin", "https://evil.example")],
        p.to_string().as_bytes(),
    );
    assert_eq!(evil.status, 403);
    // Without an Origin (server to server) CORS does not apply.
    assert_eq!(
        host.send("POST", "/delegation", &[("content-type", "application/json")], p.to_string().as_bytes()).status,
        200
    );
}

#[test]
fn rate_limit_per_user_and_ip() {
    let mut host = Host::new(json!({ "trustedIpHeader": "x-forwarded-for" }));
    let p = params("spa", &rs256(&claims("spa")), json!({})).to_string();
    let send = |host: &mut Host, ip: &str| {
        host.send("POST", "/delegation", &[("content-type", "application/json"), ("x-forwarded-for", ip)], p.as_bytes())
    };
    for i in 1..=10 {
        let r = send(&mut host, "203.0.113.9, 10.0.0.2");
        assert_eq!(r.status, 200);
        assert_eq!(h(&r, "x-ratelimit-remaining").unwrap(), (10 - i).to_string());
    }
    let r = send(&mut host, "203.0.113.9");
    assert_eq!(r.status, 429);
    assert_eq!(h(&r, "retry-after").unwrap(), "60");
    assert_eq!(serde_json::from_str::<Value>(&r.body).unwrap()["error"], "too_many_requests");
    assert_eq!(send(&mut host, "198.51.100.7").status, 200, "another address has its own budget");
    assert!(host.counts.contains_key("auth0|user-1|203.0.113.9"));
    // Untrusted headers are ignored: the peer address counts.
    let mut host = Host::new(json!(null));
    for _ in 0..10 {
        send(&mut host, "203.0.113.1");
    }
    assert_eq!(send(&mut host, "203.0.113.2").status, 429);
    assert!(host.counts.contains_key("auth0|user-1|10.0.0.1"));
    // Turned off: no headers, no limit.
    let mut host = Host::new(json!({ "rateLimit": false }));
    for _ in 0..12 {
        assert!(h(&send(&mut host, "x"), "x-ratelimit-limit").is_none());
    }
}

const TE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ID: &str = "urn:ietf:params:oauth:token-type:id_token";
const JWT: &str = "urn:ietf:params:oauth:token-type:jwt";

fn exchange(extra: Value) -> Value {
    let mut p = json!({ "grant_type": TE, "client_id": "spa", "subject_token": rs256(&claims("spa")), "subject_token_type": ID, "audience": "api-rs" });
    for (k, v) in extra.as_object().unwrap() {
        p[k] = v.clone();
    }
    p
}

#[test]
fn rfc8693_token_exchange() {
    let mut host = Host::new(json!(null));
    let (status, body) = host.json("/oauth/token", exchange(json!({ "scope": "openid email" })));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["issued_token_type"], JWT);
    assert_eq!(body["token_type"], "N_A");
    assert_eq!(body["expires_in"], 3600);
    let v =
        edge_delegation::Verifier::from_json(&json!({ "jwks": delegator().public_jwks(), "audience": "api-rs" }), None)
            .unwrap();
    let out = v.verify(body["access_token"].as_str().unwrap(), NOW).unwrap();
    assert_eq!(out.payload["email"], "ada@example.com");
    assert!(out.payload.get("act").is_none());
    let (_, body) = host.json("/oauth/token", exchange(json!({ "requested_token_type": ID })));
    assert_eq!(body["issued_token_type"], ID);

    // An actor: `act` names it; a prior `act` in the subject token nests inside.
    let mut actor = claims("spa");
    actor["sub"] = json!("service|reports");
    let mut subject = claims("spa");
    subject["act"] = json!({ "sub": "service|gateway" });
    subject["may_act"] = json!({ "sub": "service|reports" });
    let (status, body) = host.json(
        "/oauth/token",
        exchange(json!({ "subject_token": rs256(&subject), "actor_token": rs256(&actor), "actor_token_type": JWT })),
    );
    assert_eq!(status, 200, "{body}");
    let out = v.verify(body["access_token"].as_str().unwrap(), NOW).unwrap();
    assert_eq!(out.payload["sub"], "auth0|user-1");
    assert_eq!(out.payload["act"], json!({ "sub": "service|reports", "act": { "sub": "service|gateway" } }));

    // may_act that names someone else: refused.
    subject["may_act"] = json!({ "sub": "service|other" });
    let (status, body) = host.json(
        "/oauth/token",
        exchange(json!({ "subject_token": rs256(&subject), "actor_token": rs256(&actor), "actor_token_type": JWT })),
    );
    assert_eq!((status, body["error"].as_str().unwrap()), (400, "access_denied"));

    let bad = [
        (json!({ "grant_type": "password" }), "unsupported_grant_type"),
        (json!({ "subject_token_type": "urn:x" }), "invalid_request"),
        (json!({ "subject_token_type": null }), "invalid_request"),
        (json!({ "requested_token_type": "urn:ietf:params:oauth:token-type:saml2" }), "invalid_request"),
        (json!({ "actor_token": rs256(&actor) }), "invalid_request"),
        (json!({ "actor_token": "x.y.z", "actor_token_type": JWT }), "invalid_grant"),
        (json!({ "audience": "ghost" }), "invalid_target"),
        (json!({ "resource": "https://api.example" }), "invalid_target"),
        (json!({ "subject_token": rs256(&claims("web-hs")) }), "invalid_grant"),
    ];
    for (extra, code) in bad {
        let (status, body) = host.json("/oauth/token", exchange(extra.clone()));
        assert_eq!((status, body["error"].as_str().unwrap()), (400, code), "{extra}: {body}");
    }
}
