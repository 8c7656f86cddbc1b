//! Shared fixtures: the TEST-ONLY tenant and keys in tests/fixtures, a fixed clock and a
//! deterministic RNG.
#![allow(dead_code)]

use edge_delegation::{sign_json, Delegator, KeyArg};
use rand_core::RngCore;
use serde_json::{json, Value};

pub const NOW: i64 = 1_800_000_000;
pub const ISSUER: &str = "https://tenant.test.example/";
pub const GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

pub fn keys() -> Value {
    serde_json::from_str(include_str!("../fixtures/keys.json")).unwrap()
}

pub fn tenant() -> Value {
    serde_json::from_str(include_str!("../fixtures/tenant.json")).unwrap()
}

pub fn delegator() -> Delegator {
    Delegator::new(&tenant()).expect("fixture tenant is valid")
}

pub fn client(id: &str) -> Value {
    tenant()["clients"].as_array().unwrap().iter().find(|c| c["client_id"] == id).unwrap().clone()
}

/// Not cryptographic: a fixed stream so tests are repeatable.
pub struct TestRng(pub u64);

impl RngCore for TestRng {
    fn next_u32(&mut self) -> u32 {
        self.next_u64() as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for b in dest {
            *b = self.next_u64() as u8;
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

pub fn rng() -> TestRng {
    TestRng(0x9E37_79B9_7F4A_7C15)
}

/// Standard id_token claims for `aud`, valid at NOW.
pub fn claims(aud: &str) -> Value {
    json!({
        "iss": ISSUER, "sub": "auth0|user-1", "aud": aud, "iat": NOW - 60, "exp": NOW + 3600,
        "name": "Ada Lovelace", "email": "ada@example.com", "email_verified": true,
        "nickname": "ada", "picture": "https://example.com/ada.png", "org": "analytical-engines",
    })
}

/// An id_token signed with the tenant's RSA key (as Auth0 issues them to RS256 clients).
pub fn rs256(claims: &Value) -> String {
    let k = keys();
    sign_json(claims, KeyArg::Value(k["rsa"]["jwk"].clone()), &json!({"alg": "RS256", "typ": "JWT"})).unwrap()
}

/// An id_token signed with a client's secret (HS256 clients).
pub fn hs256(claims: &Value, client_id: &str) -> String {
    let secret = client(client_id)["client_secret"].as_str().unwrap().to_owned();
    sign_json(claims, KeyArg::Bytes(secret.into_bytes()), &json!({"alg": "HS256", "typ": "JWT"})).unwrap()
}

pub fn params(client_id: &str, id_token: &str, extra: Value) -> Value {
    let mut p = json!({ "grant_type": GRANT, "client_id": client_id, "id_token": id_token });
    for (k, v) in extra.as_object().unwrap() {
        p[k] = v.clone();
    }
    p
}

/// The fixture tenant plus the add-on targets of `tests/fixtures/addons.json`.
pub fn tenant_with_addons() -> Value {
    let mut t = tenant();
    let extra: Value = serde_json::from_str(include_str!("../fixtures/addons.json")).unwrap();
    let clients = t["clients"].as_array_mut().unwrap();
    clients.extend(extra["clients"].as_array().unwrap().iter().cloned());
    t
}

/// The settings of `addons.<api_type>` on client `client_id` of [`tenant_with_addons`], editable.
pub fn addon_settings<'a>(tenant: &'a mut Value, client_id: &str, api_type: &str) -> &'a mut Value {
    let c = tenant["clients"].as_array_mut().unwrap().iter_mut().find(|c| c["client_id"] == client_id).unwrap();
    &mut c["addons"][api_type]
}
