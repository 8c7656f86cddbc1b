//! Known answers from the RFCs, written into this file by hand from the RFC text: every
//! deterministic signature is re-signed byte for byte through [`alg::sign`], every token
//! verifies through the public [`Verifier`] (with the clock set before an `exp` that is in the
//! past) or, where the payload is not a JWT claims set, through the same primitive
//! [`alg::verify`] the verifier calls, with the verifier refusing the non-JSON payload.

use edge_delegation::alg::{self, Alg};
use edge_delegation::jws::{base64url_decode, base64url_encode};
use edge_delegation::keys::{signing_jwk, verifying_jwk};
use edge_delegation::Verifier;
use serde_json::{json, Value};

/// The JWS Payload of RFC 7520 §4 (Figure 7), as UTF-8.
const LOTR: &str = "It\u{2019}s a dangerous business, Frodo, going out your door. You step onto the road, \
                    and if you don't keep your feet, there\u{2019}s no knowing where you might be swept off to.";
/// RFC 7515 A.1-A.3's payload: `{"iss":"joe",\r\n "exp":1300819380,\r\n "http://example.com/is_root":true}`.
const JOE: &str = "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
/// One second before A.1-A.3's `exp`.
const JOE_VALID_AT: i64 = 1_300_819_379;

fn jwk(v: &Value) -> &serde_json::Map<String, Value> {
    v.as_object().unwrap()
}

fn split(token: &str) -> (&str, Vec<u8>) {
    let (input, sig) = token.rsplit_once('.').unwrap();
    (input, base64url_decode(sig).unwrap())
}

/// Re-signs `token`'s signing input with `private` and compares the signature byte for byte.
fn resign(token: &str, alg: Alg, private: &Value) {
    let (input, sig) = split(token);
    let (key, _, _) = signing_jwk(jwk(private)).unwrap();
    let ours = alg::sign(alg, &key, input.as_bytes()).unwrap();
    assert_eq!(base64url_encode(&ours), base64url_encode(&sig), "{} re-signed", alg.name());
}

/// The primitive verifies the signature; one flipped bit of it does not.
fn primitive(token: &str, alg: Alg, public: &Value) {
    let (input, mut sig) = split(token);
    let entry = verifying_jwk(jwk(public)).unwrap();
    assert!(alg::verify(alg, &entry.key, input.as_bytes(), &sig));
    sig[0] ^= 1;
    assert!(!alg::verify(alg, &entry.key, input.as_bytes(), &sig));
}

fn public(private: &Value) -> Value {
    let mut p = private.clone();
    for m in ["d", "p", "q", "dp", "dq", "qi"] {
        p.as_object_mut().unwrap().remove(m);
    }
    p
}

fn code(v: &Verifier, token: &str, now: i64) -> String {
    match v.verify(token, now) {
        Ok(_) => "OK".into(),
        Err(e) => e.code.as_str().into(),
    }
}

#[test]
fn rfc7515_a1_hs256() {
    // The header has CRLF whitespace: `{"typ":"JWT",\r\n "alg":"HS256"}`.
    let token = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.\
                 eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.\
                 dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let key = json!({ "kty": "oct",
        "k": "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow" });
    resign(token, Alg::Hs256, &key);
    let v = Verifier::from_json(&json!({ "key": key, "issuer": "joe" }), None).unwrap();
    let out = v.verify(token, JOE_VALID_AT).unwrap();
    assert_eq!(Value::Object(out.header), json!({ "typ": "JWT", "alg": "HS256" }));
    assert_eq!(out.payload["http://example.com/is_root"], true);
    assert_eq!(code(&v, token, JOE_VALID_AT + 1), "ERR_JWT_EXPIRED");
    // The same key as raw bytes.
    let raw = base64url_decode(key["k"].as_str().unwrap()).unwrap();
    assert_eq!(code(&Verifier::from_json(&json!({}), Some(raw)).unwrap(), token, JOE_VALID_AT), "OK");
}

#[test]
fn rfc7515_a2_rs256() {
    let private = json!({
        "kty": "RSA",
        "n": "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ",
        "e": "AQAB",
        "d": "Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97IjlA7_GQ5sLKMgvfTeXZx9SE-7YwVol2NXOoAJe46sui395IW_GO-pWJ1O0BkTGoVEn2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzjkn439X0M_V51gfpRLI9JYanrC4D4qAdGcopV_0ZHHzQlBjudU2QvXt4ehNYTCBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_jTj3ccPDVZFD9pIuhLhBOneufuBiB4cS98l2SR_RQyGWSeWjnczT0QU91p1DhOVRuOopznQ",
        "p": "4BzEEOtIpmVdVEZNCqS7baC4crd0pqnRH_5IB3jw3bcxGn6QLvnEtfdUdiYrqBdss1l58BQ3KhooKeQTa9AB0Hw_Py5PJdTJNPY8cQn7ouZ2KKDcmnPGBY5t7yLc1QlQ5xHdwW1VhvKn-nXqhJTBgIPgtldC-KDV5z-y2XDwGUc",
        "q": "uQPEfgmVtjL0Uyyx88GZFF1fOunH3-7cepKmtH4pxhtCoHqpWmT8YAmZxaewHgHAjLYsp1ZSe7zFYHj7C6ul7TjeLQeZD_YwD66t62wDmpe_HlB-TnBA-njbglfIsRLtXlnDzQkv5dTltRJ11BKBBypeeF6689rjcJIDEz9RWdc",
        "dp": "BwKfV3Akq5_MFZDFZCnW-wzl-CCo83WoZvnLQwCTeDv8uzluRSnm71I3QCLdhrqE2e9YkxvuxdBfpT_PI7Yz-FOKnu1R6HsJeDCjn12Sk3vmAktV2zb34MCdy7cpdTh_YVr7tss2u6vneTwrA86rZtu5Mbr1C1XsmvkxHQAdYo0",
        "dq": "h_96-mK1R_7glhsum81dZxjTnYynPbZpHziZjeeHcXYsXaaMwkOlODsWa7I9xXDoRwbKgB719rrmI2oKr6N3Do9U0ajaHF-NKJnwgjMd2w9cjz3_-kyNlxAr2v4IKhGNpmM5iIgOS1VZnOZ68m6_pbLBSp3nssTdlqvd0tIiTHU",
        "qi": "IYd7DHOhrWvxkwPQsRM2tOgrjbcrfvtQJipd-DlcxyVuuM9sQLdgjVk2oy26F0EmpScGLq2MowX7fhd_QJQ3ydy5cY7YIBi87w93IKLEdfnbJtoOPLUW0ITrJReOgo1cq9SbsxYawBgfp_gh6A5603k2-ZQwVK0JKSHuLFkuQ3U",
    });
    let token = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";
    assert!(token.contains(JOE));
    resign(token, Alg::Rs256, &private);
    let v = Verifier::from_json(&json!({ "key": public(&private), "issuer": "joe" }), None).unwrap();
    assert_eq!(code(&v, token, JOE_VALID_AT), "OK");
    assert_eq!(code(&v, token, JOE_VALID_AT + 1), "ERR_JWT_EXPIRED");
}

#[test]
fn rfc7515_a3_es256() {
    // ECDSA is randomized: the RFC's signature verifies, and a fresh one differs but verifies too.
    let private = json!({
        "kty": "EC",
        "crv": "P-256",
        "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
        "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
        "d": "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI",
    });
    let token = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
    assert!(token.contains(JOE));
    let v = Verifier::from_json(&json!({ "key": public(&private) }), None).unwrap();
    assert_eq!(code(&v, token, JOE_VALID_AT), "OK");
    primitive(token, Alg::Es256, &public(&private));
    let (input, sig) = split(token);
    let (key, _, _) = signing_jwk(jwk(&private)).unwrap();
    let ours = alg::sign(Alg::Es256, &key, input.as_bytes()).unwrap();
    assert_ne!(ours, sig);
    assert_eq!(code(&v, &format!("{input}.{}", base64url_encode(&ours)), JOE_VALID_AT), "OK");
}

/// RFC 7520 §3.4: the RSA key "bilbo.baggins@hobbiton.example".
fn bilbo() -> Value {
    json!({
        "kty": "RSA",
        "kid": "bilbo.baggins@hobbiton.example",
        "use": "sig",
        "n": "n4EPtAOCc9AlkeQHPzHStgAbgs7bTZLwUBZdR8_KuKPEHLd4rHVTeT-O-XV2jRojdNhxJWTDvNd7nqQ0VEiZQHz_AJmSCpMaJMRBSFKrKb2wqVwGU_NsYOYL-QtiWN2lbzcEe6XC0dApr5ydQLrHqkHHig3RBordaZ6Aj-oBHqFEHYpPe7Tpe-OfVfHd1E6cS6M1FZcD1NNLYD5lFHpPI9bTwJlsde3uhGqC0ZCuEHg8lhzwOHrtIQbS0FVbb9k3-tVTU4fg_3L_vniUFAKwuCLqKnS2BYwdq_mzSnbLY7h_qixoR7jig3__kRhuaxwUkRz5iaiQkqgc5gHdrNP5zw",
        "e": "AQAB",
        "d": "bWUC9B-EFRIo8kpGfh0ZuyGPvMNKvYWNtB_ikiH9k20eT-O1q_I78eiZkpXxXQ0UTEs2LsNRS-8uJbvQ-A1irkwMSMkK1J3XTGgdrhCku9gRldY7sNA_AKZGh-Q661_42rINLRCe8W-nZ34ui_qOfkLnK9QWDDqpaIsA-bMwWWSDFu2MUBYwkHTMEzLYGqOe04noqeq1hExBTHBOBdkMXiuFhUq1BU6l-DqEiWxqg82sXt2h-LMnT3046AOYJoRioz75tSUQfGCshWTBnP5uDjd18kKhyv07lhfSJdrPdM5Plyl21hsFf4L_mHCuoFau7gdsPfHPxxjVOcOpBrQzwQ",
        "p": "3Slxg_DwTXJcb6095RoXygQCAZ5RnAvZlno1yhHtnUex_fp7AZ_9nRaO7HX_-SFfGQeutao2TDjDAWU4Vupk8rw9JR0AzZ0N2fvuIAmr_WCsmGpeNqQnev1T7IyEsnh8UMt-n5CafhkikzhEsrmndH6LxOrvRJlsPp6Zv8bUq0k",
        "q": "uKE2dh-cTf6ERF4k4e_jy78GfPYUIaUyoSSJuBzp3Cubk3OCqs6grT8bR_cu0Dm1MZwWmtdqDyI95HrUeq3MP15vMMON8lHTeZu2lmKvwqW7anV5UzhM1iZ7z4yMkuUwFWoBvyY898EXvRD-hdqRxHlSqAZ192zB3pVFJ0s7pFc",
        "dp": "B8PVvXkvJrj2L-GYQ7v3y9r6Kw5g9SahXBwsWUzp19TVlgI-YV85q1NIb1rxQtD-IsXXR3-TanevuRPRt5OBOdiMGQp8pbt26gljYfKU_E9xn-RULHz0-ed9E9gXLKD4VGngpz-PfQ_q29pk5xWHoJp009Qf1HvChixRX59ehik",
        "dq": "CLDmDGduhylc9o7r84rEUVn7pzQ6PF83Y-iBZx5NT-TpnOZKF1pErAMVeKzFEl41DlHHqqBLSM0W1sOFbwTxYWZDm6sI6og5iTbwQGIC3gnJKbi_7k_vJgGHwHxgPaX2PnvP-zyEkDERuf-ry4c_Z11Cq9AqC2yeL6kdKT1cYF8",
        "qi": "3PiqvXQN0zwMeE-sBvZgi289XP9XCQF3VWqPzMKnIgQp7_Tugo6-NZBKCQsMf3HaEGBjTVJs_jcK8-TRXvaKe-7ZMaQj8VfBdYkssbu0NKDDhjJ-GtiseaDVWt7dcH0cfwxgFUHpQh7FoCrjFJ6h6ZEpMF6xmujs4qMpPz8aaI4",
    })
}

/// RFC 7520 §3.5: the HMAC key "018c0ae5-4d9b-471b-bfd6-eef314bc7037".
fn hmac_key() -> Value {
    json!({ "kty": "oct", "kid": "018c0ae5-4d9b-471b-bfd6-eef314bc7037", "use": "sig", "alg": "HS256",
             "k": "hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg" })
}

/// RFC 7520 §4's payloads are text, not claims: the signature verifies through the primitive
/// and re-signs byte for byte; the JWT verifier, after the signature, refuses the payload.
fn rfc7520(token: &str, alg: Alg, private: &Value, public: &Value) {
    let (input, _) = split(token);
    let payload = base64url_decode(input.split('.').nth(1).unwrap()).unwrap();
    assert_eq!(String::from_utf8(payload).unwrap(), LOTR);
    resign(token, alg, private);
    primitive(token, alg, public);
    let v = Verifier::from_json(&json!({ "key": public }), None).unwrap();
    assert_eq!(code(&v, token, 0), "ERR_JWT_INVALID");
}

#[test]
fn rfc7520_4_1_rs256() {
    let token = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9.SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4.MRjdkly7_-oTPTS3AXP41iQIGKa80A0ZmTuV5MEaHoxnW2e5CZ5NlKtainoFmKZopdHM1O2U4mwzJdQx996ivp83xuglII7PNDi84wnB-BDkoBwA78185hX-Es4JIwmDLJK3lfWRa-XtL0RnltuYv746iYTh_qHRD68BNt1uSNCrUCTJDt5aAE6x8wW1Kt9eRo4QPocSadnHXFxnt8Is9UzpERV0ePPQdLuW3IS_de3xyIrDaLGdjluPxUAhb6L2aXic1U12podGU0KLUQSE_oI-ZnmKJ3F4uOZDnd6QZWJushZ41Axf_fcIe8u9ipH84ogoree7vjbU5y18kDquDg";
    rfc7520(token, Alg::Rs256, &bilbo(), &public(&bilbo()));
}

#[test]
fn rfc7520_4_4_hs256() {
    let token = "eyJhbGciOiJIUzI1NiIsImtpZCI6IjAxOGMwYWU1LTRkOWItNDcxYi1iZmQ2LWVlZjMxNGJjNzAzNyJ9.SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4.s0h6KThzkfBBBkLspW1h84VsJZFTsPPqMDA7g1Md7p0";
    rfc7520(token, Alg::Hs256, &hmac_key(), &hmac_key());
}

#[test]
fn rfc7520_4_6_hs256_protected_header_only() {
    // §4.6 is JSON serialization with "kid" unprotected; its protected part is this compact form.
    let token = "eyJhbGciOiJIUzI1NiJ9.SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4.bWUSVaxorn7bEF1djytBd0kHv70Ly5pvbomzMWSOr20";
    rfc7520(token, Alg::Hs256, &hmac_key(), &hmac_key());
}

#[test]
fn rfc8037_a4_ed25519() {
    let private = json!({ "kty": "OKP", "crv": "Ed25519", "d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
                          "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo" });
    // The payload "Example of Ed25519 signing" (A.4), not a JSON object.
    let token = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.\
                 hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
    resign(token, Alg::EdDsa, &private);
    primitive(token, Alg::EdDsa, &public(&private));
    let v = Verifier::from_json(&json!({ "key": public(&private) }), None).unwrap();
    assert_eq!(code(&v, token, 0), "ERR_JWT_INVALID");
    assert_eq!(code(&v, &token.replacen("hgyY", "hgyZ", 1), 0), "ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
}
