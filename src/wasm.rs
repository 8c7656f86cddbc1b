//! The JavaScript facade: converts JS values, errors, clocks and entropy; no delegation logic.
//! Errors leave as plain `{kind, code, …}` objects that `src/js/api.js` turns into the
//! `DelegationError` / `VerifyError` / `ConfigError` classes.
//!
//! Inputs cross as JSON text (`JSON.stringify` in api.js) and are read by the strict,
//! depth-bounded parser: walking a JS object graph from Rust recurses without bound, and a
//! cyclic or 10,000-deep object overflowed the wasm stack, a trap that kills the instance.
//! Outputs leave as JSON text too, parsed by `JSON.parse` (see [`to_js`]).

use rand_core::RngCore;
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;
use zeroize::Zeroize;

use std::collections::HashMap;

use crate::delegator::Authorized;
use crate::error::{ConfigError, DelegationError, OAuthCode, VerifyCode, VerifyError};
use crate::http::{Handler, HandlerOptions, Pending, Request, Response, Step};
use crate::{sign, Decision, Delegator, Signer, Tenant, Verifier};

/// An error for api.js: `{kind, code, message}` and the members that apply.
struct ErrorOut<'a> {
    kind: &'a str,
    code: &'a str,
    message: &'a str,
    status: Option<u16>,
    claim: Option<&'a str>,
    reason: Option<&'a str>,
    path: Option<&'a str>,
}

impl ErrorOut<'_> {
    fn js(&self) -> JsValue {
        let mut m = Map::new();
        for (name, v) in [("kind", Some(self.kind)), ("code", Some(self.code)), ("message", Some(self.message))] {
            m.insert(name.into(), v.into());
        }
        if let Some(s) = self.status {
            m.insert("status".into(), s.into());
        }
        for (name, v) in [("claim", self.claim), ("reason", self.reason), ("path", self.path)] {
            if let Some(v) = v {
                m.insert(name.into(), v.into());
            }
        }
        object_js(&m)
    }
}

/// A value for JS, made by `JSON.parse` of its JSON text: claims named `__proto__` stay own
/// properties (building the object member by member from Rust assigned them, which set the
/// object's prototype), and one string crossing is faster than many small ones.
fn to_js(v: &Value) -> JsValue {
    js_sys::JSON::parse(&crate::json::to_string(v)).unwrap_or(JsValue::NULL)
}

/// [`to_js`] for an object.
fn object_js(m: &Map<String, Value>) -> JsValue {
    js_sys::JSON::parse(&crate::json::object_to_string(m)).unwrap_or(JsValue::NULL)
}

/// A delegation's response for api.js. The JWT formats' `{token_type: "Bearer", expires_in,
/// id_token}` crosses as `[expires_in, id_token]`, which api.js makes that object again: one
/// string to decode, where its JSON text and `JSON.parse` were a tenth of a delegation.
/// Every other body goes through [`to_js`].
fn response(out: &Map<String, Value>) -> JsValue {
    let mut members = out.iter().map(|(k, v)| (k.as_str(), v));
    if let (
        Some(("token_type", Value::String(kind))),
        Some(("expires_in", Value::Number(secs))),
        Some(("id_token", Value::String(token))),
        None,
    ) = (members.next(), members.next(), members.next(), members.next())
    {
        if let (true, Some(secs)) = (kind == "Bearer", secs.as_u64()) {
            return js_sys::Array::of2(&JsValue::from_f64(secs as f64), &JsValue::from_str(token)).into();
        }
    }
    object_js(out)
}

/// A [`VerifyError`] for JS: `{kind: "verify", code, message, …}`, which api.js turns into its
/// `VerifyError` class.
fn verify_err(e: VerifyError) -> JsValue {
    ErrorOut {
        kind: "verify",
        code: e.code.as_str(),
        message: &e.message,
        status: None,
        claim: e.claim.as_deref(),
        reason: e.reason.map(|r| r.as_str()),
        path: None,
    }
    .js()
}

fn delegation_err(e: DelegationError) -> JsValue {
    ErrorOut {
        kind: "delegation",
        code: e.code.as_str(),
        message: &e.description,
        status: Some(e.code.status()),
        claim: None,
        reason: None,
        path: None,
    }
    .js()
}

fn config_err(e: ConfigError) -> JsValue {
    let message = e.to_string();
    ErrorOut {
        kind: "config",
        code: "ERR_CONFIG_INVALID",
        message: &message,
        status: None,
        claim: None,
        reason: None,
        path: Some(&e.path),
    }
    .js()
}

/// The module's memory, where api.js writes inputs in place (see [`InputRoom`]).
#[wasm_bindgen]
pub fn module_memory() -> JsValue {
    wasm_bindgen::memory()
}

/// Room in wasm memory where api.js writes an input (a token, a payload's JSON text) with
/// `TextEncoder.encodeInto`: native UTF-8 encoding into place, where a `&str` argument is
/// copied in by wasm-bindgen's JS loop per character (most of the cost of crossing for a few
/// hundred bytes). One per verifier or signer; wiped after each use. A `Cell`, so that its
/// owner's methods take `&self`: an `isRevoked` hook may verify with the same verifier again
/// (the inner call gets fresh room while the outer one holds its bytes).
#[derive(Default)]
struct InputRoom(core::cell::Cell<Vec<u8>>);

impl InputRoom {
    /// The address of room for `len` bytes.
    fn at(&self, len: usize) -> usize {
        let mut room = self.0.take();
        if room.len() < len {
            room.resize(len, 0);
        }
        let at = room.as_ptr() as usize;
        self.0.set(room);
        at
    }

    /// `f` of the `len` bytes api.js wrote (UTF-8: `encodeInto` writes nothing else), which
    /// are wiped afterwards; `torn(message)` the error when they are not there whole.
    fn read<T>(
        &self,
        len: usize,
        torn: fn(String) -> JsValue,
        f: impl FnOnce(&str) -> Result<T, JsValue>,
    ) -> Result<T, JsValue> {
        let mut room = self.0.take();
        let result = match room.get(..len).map(core::str::from_utf8) {
            Some(Ok(text)) => f(text),
            _ => Err(torn("the input did not cross into wasm whole".into())),
        };
        let used = len.min(room.len());
        room[..used].fill(0);
        self.0.set(room);
        result
    }
}

/// JSON text from api.js → JSON value (duplicate members and deep nesting refused).
fn json(text: &str, what: &str) -> Result<Value, String> {
    crate::parse_json(text).map_err(|e| format!("{what} is not valid JSON: {e}"))
}

/// The JSON text api.js makes of a request's headers, `[[name, value], …]` → pairs; `None`
/// for anything else. (Read through `Value`, not a typed serde target: that would link
/// Rust's float formatting, 14 KB, for its error messages alone.)
fn header_pairs(text: &str) -> Option<Vec<(String, String)>> {
    let Ok(Value::Array(items)) = crate::json::parse_lenient(text.as_bytes()) else { return None };
    items
        .into_iter()
        .map(|pair| match pair {
            Value::Array(p) => match <[Value; 2]>::try_from(p) {
                Ok([Value::String(name), Value::String(value)]) => Some((name, value)),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// A JS clock value (seconds) → whole Unix seconds.
fn seconds(now: f64) -> Option<i64> {
    (now.is_finite() && now.abs() < 1e13).then(|| now.floor() as i64)
}

const NO_ENTROPY: &str = "crypto.getRandomValues is not available in this runtime";

/// Bytes of entropy fetched per `crypto.getRandomValues` call.
const POOL: usize = 512;

/// Entropy from `crypto.getRandomValues`, fetched [`POOL`] bytes at a time when a call first
/// needs some (never at module init, which workerd forbids) and handed out once each, wiped
/// from the pool as it goes: Node's `getRandomValues` costs about 1.7 µs per call whatever the
/// size (OpenSSL's DRBG), a tenth of a delegation, which draws 16 bytes (a `jti`); Node's own
/// `crypto.randomUUID` keeps such a cache. Only identifiers draw from it (`jti`, SAML IDs): no
/// signature does. A failed fetch is recorded and turns the call's result into an error; none
/// of its bytes are handed out.
struct WebRng {
    failed: bool,
}

/// Fetched entropy not yet handed out: `bytes[next..]`.
struct Pool {
    bytes: [u8; POOL],
    next: usize,
}

thread_local! {
    static ENTROPY: core::cell::RefCell<Pool> = const { core::cell::RefCell::new(Pool { bytes: [0; POOL], next: POOL }) };
}

impl RngCore for WebRng {
    fn next_u32(&mut self) -> u32 {
        let mut b = [0u8; 4];
        self.fill_bytes(&mut b);
        u32::from_le_bytes(b)
    }
    fn next_u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        self.fill_bytes(&mut b);
        u64::from_le_bytes(b)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        ENTROPY.with_borrow_mut(|pool| {
            let mut at = 0;
            while at < dest.len() {
                if pool.next == POOL {
                    if getrandom::getrandom(&mut pool.bytes).is_err() {
                        self.failed = true;
                        return;
                    }
                    pool.next = 0;
                }
                let n = (dest.len() - at).min(POOL - pool.next);
                let served = &mut pool.bytes[pool.next..pool.next + n];
                dest[at..at + n].copy_from_slice(served);
                served.zeroize();
                (pool.next, at) = (pool.next + n, at + n);
            }
        });
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

/// The delegation engine over one parsed tenant.
#[wasm_bindgen]
pub struct WasmDelegator {
    inner: Delegator,
    /// Requests authorized and waiting for the host's policy hook.
    pending: HashMap<u32, Authorized>,
    next: u32,
    input: InputRoom,
}

/// A policy hook's outcome as api.js reports it: JSON text of what the hook returned, or a
/// failure the hook itself caused (its exception stays in JS, as the error's `cause`).
fn decision(text: Option<String>) -> Result<Decision, DelegationError> {
    let failed = |m: &str| DelegationError::new(OAuthCode::ServerError, m);
    match text {
        Some(t) => {
            let v = json(&t, "what the policy hook returned").map_err(|m| failed(&m))?;
            Decision::from_json(&v)
        }
        None => Err(failed(
            "the policy hook threw an exception; it is this error's cause on the server and was not sent to the client",
        )),
    }
}

fn with_rng<T>(f: impl FnOnce(&mut WebRng) -> Result<T, DelegationError>) -> Result<T, DelegationError> {
    let mut rng = WebRng { failed: false };
    let out = f(&mut rng);
    if rng.failed {
        // Whatever was minted used bytes that are not random: it is discarded.
        return Err(DelegationError::new(OAuthCode::ServerError, NO_ENTROPY));
    }
    out
}

/// The request parameters (written in `form`) and the clock of a delegation call.
fn request_args(params: &str, form: Form, now: f64) -> Result<(Value, i64), JsValue> {
    let params = match form {
        Form::Json => json(params, "the request parameters"),
        Form::Pairs => pairs(params),
    }
    .map_err(invalid_request)?;
    let now = seconds(now)
        .ok_or_else(|| invalid_request("`now` must be a finite number of Unix seconds or a Date".into()))?;
    Ok((params, now))
}

/// How api.js wrote a request's parameters.
#[derive(Clone, Copy)]
enum Form {
    /// JSON text (any JSON value; wasm checks it is an object).
    Json,
    /// `name\0value\0…`: an object whose values are all strings, none holding a NUL (api.js
    /// checks), which needs neither escaping in JS nor a JSON parser here.
    Pairs,
}

/// Parameters written as [`Form::Pairs`] → the object they stand for.
fn pairs(text: &str) -> Result<Value, String> {
    let mut out = Map::new();
    let mut parts = text.split_terminator('\0');
    while let Some(name) = parts.next() {
        let value = parts.next().ok_or("the request parameters did not cross into wasm whole")?;
        if out.insert(name.to_owned(), value.into()).is_some() {
            return Err(format!("parameter {} is repeated: send it once", crate::error::quote(name)));
        }
    }
    Ok(Value::Object(out))
}

impl WasmDelegator {
    /// Answers one request written in `form`.
    fn answer(&self, params: &str, form: Form, now: f64) -> Result<JsValue, JsValue> {
        let (params, now) = request_args(params, form, now)?;
        let out = with_rng(|rng| self.inner.delegate(&params, now, rng)).map_err(delegation_err)?;
        Ok(response(&out))
    }

    /// Checks one request written in `form` for the policy hook and holds it.
    fn check(&mut self, params: &str, form: Form, now: f64, ip: Option<String>) -> Result<JsValue, JsValue> {
        let (params, now) = request_args(params, form, now)?;
        let req = crate::request::DelegationRequest::from_params(&params).map_err(delegation_err)?;
        let auth = self.inner.authorize(req, now).map_err(delegation_err)?;
        if self.pending.len() >= MAX_PENDING {
            let e = DelegationError::new(OAuthCode::ServerError, "too many requests wait for their policy hook");
            return Err(delegation_err(e));
        }
        let context = self.inner.policy_context(&auth, ip.as_deref());
        self.next = self.next.wrapping_add(1);
        self.pending.insert(self.next, auth);
        Ok(to_js(&serde_json::json!({ "id": self.next, "context": context })))
    }
}

impl From<bool> for Form {
    fn from(pairs: bool) -> Form {
        if pairs {
            Form::Pairs
        } else {
            Form::Json
        }
    }
}

#[wasm_bindgen]
impl WasmDelegator {
    /// Parses a tenant (JSON text) once; throws a config error.
    #[wasm_bindgen(constructor)]
    pub fn new(tenant: &str) -> Result<WasmDelegator, JsValue> {
        let inner = Delegator::from_tenant(Tenant::parse(tenant).map_err(config_err)?);
        Ok(WasmDelegator { inner, pending: HashMap::new(), next: 0, input: InputRoom::default() })
    }

    /// The address of room for request parameters of `len` bytes (see [`InputRoom`]).
    pub fn input(&self, len: usize) -> usize {
        self.input.at(len)
    }

    /// [`WasmDelegator::delegate`] of the `len` bytes api.js wrote at [`WasmDelegator::input`]:
    /// JSON text, or `name\0value\0…` when `pairs` (see [`Form::Pairs`]).
    pub fn delegate_input(&self, len: usize, now: f64, pairs: bool) -> Result<JsValue, JsValue> {
        self.input.read(len, invalid_request, |params| self.answer(params, Form::from(pairs), now))
    }

    /// [`WasmDelegator::authorize`] of the `len` bytes api.js wrote at [`WasmDelegator::input`],
    /// as [`WasmDelegator::delegate_input`] reads them.
    pub fn authorize_input(
        &mut self,
        len: usize,
        now: f64,
        ip: Option<String>,
        pairs: bool,
    ) -> Result<JsValue, JsValue> {
        let room = core::mem::take(&mut self.input);
        let out = room.read(len, invalid_request, |params| self.check(params, Form::from(pairs), now, ip));
        self.input = room;
        out
    }

    /// Answers one request (parameters as JSON text) at `now` (Unix seconds).
    pub fn delegate(&self, params: &str, now: f64) -> Result<JsValue, JsValue> {
        self.answer(params, Form::Json, now)
    }

    /// Checks a request for a policy hook: returns `{id, context}`; then `finish(id, …)` or
    /// `release(id)`.
    pub fn authorize(&mut self, params: &str, now: f64, ip: Option<String>) -> Result<JsValue, JsValue> {
        self.check(params, Form::Json, now, ip)
    }

    /// Mints request `id` after its policy hook: `decision` is the JSON text of what the hook
    /// returned, or absent when the hook threw.
    pub fn finish(&mut self, id: u32, decision_text: Option<String>, now: f64) -> Result<JsValue, JsValue> {
        let auth = self.pending.remove(&id).ok_or_else(|| {
            delegation_err(DelegationError::new(OAuthCode::ServerError, "the request was already finished"))
        })?;
        let now = seconds(now).ok_or_else(|| {
            delegation_err(DelegationError::new(OAuthCode::InvalidRequest, "`now` must be Unix seconds"))
        })?;
        let decision = decision(decision_text).map_err(delegation_err)?;
        let out = with_rng(|rng| self.inner.mint_with(&auth, &decision, now, rng)).map_err(delegation_err)?;
        Ok(response(&out))
    }

    /// Drops request `id` without minting.
    pub fn release(&mut self, id: u32) {
        self.pending.remove(&id);
    }

    /// The tenant's public JWK Set.
    #[wasm_bindgen(js_name = publicJwks)]
    pub fn public_jwks(&self) -> JsValue {
        to_js(&self.inner.public_jwks())
    }
}

/// A verifier with its keys parsed once.
#[wasm_bindgen]
pub struct WasmVerifier {
    inner: Verifier,
    input: InputRoom,
}

#[wasm_bindgen]
impl WasmVerifier {
    /// `options` (JSON text) without `secret`; `secret` as bytes (strings UTF-8 encoded by api.js).
    #[wasm_bindgen(constructor)]
    pub fn new(options: &str, secret: Option<Vec<u8>>) -> Result<WasmVerifier, JsValue> {
        let opts = json(options, "the verify options").map_err(invalid_arg)?;
        Ok(WasmVerifier { inner: Verifier::from_json(&opts, secret).map_err(verify_err)?, input: InputRoom::default() })
    }

    /// The address of room for a token of `len` bytes (see [`InputRoom`]).
    pub fn input(&self, len: usize) -> usize {
        self.input.at(len)
    }

    /// [`WasmVerifier::verify`] of the `len` bytes api.js wrote at [`WasmVerifier::input`].
    pub fn verify_input(&self, len: usize, now: f64, is_revoked: Option<js_sys::Function>) -> Result<String, JsValue> {
        self.input.read(len, invalid_arg, |token| self.verify(token, now, is_revoked))
    }

    /// Verifies `token` at `now` (Unix seconds), then asks `is_revoked(payload)` when given;
    /// returns `{header, payload}` as JSON text (the JS side parses it: a string crosses the
    /// boundary more cheaply than a value built here). An exception the hook throws reaches
    /// the caller unchanged. The JS side checks that `token` is a string.
    pub fn verify(&self, token: &str, now: f64, is_revoked: Option<js_sys::Function>) -> Result<String, JsValue> {
        let now = seconds(now).ok_or_else(|| invalid_arg("`currentDate` must be a valid Date".into()))?;
        let mut thrown = None;
        let result = match &is_revoked {
            // Without a hook no map is needed: the text goes back as it is.
            None => return self.inner.verify_to_json(token, now).map_err(verify_err),
            Some(hook) => self.inner.verify_with(token, now, &mut |payload| match hook
                .call1(&JsValue::NULL, &object_js(payload))
            {
                Ok(answer) => Ok(answer.as_bool() == Some(true)),
                Err(e) => {
                    thrown = Some(e);
                    Err(VerifyError::new(VerifyCode::InvalidArgument, "isRevoked threw"))
                }
            }),
        };
        if let Some(e) = thrown {
            return Err(e);
        }
        let v = result.map_err(verify_err)?;
        Ok(v.to_json())
    }
}

/// Mints a JWT; `payload` (carried as given), `key` and `options` are JSON text, `secret`
/// carries a `Uint8Array` key.
#[wasm_bindgen]
pub fn sign(payload: &str, key: &str, secret: Option<Vec<u8>>, options: &str) -> Result<String, JsValue> {
    sign::sign_json_text(payload, || signer_args(key, secret, options)).map_err(verify_err)
}

fn invalid_arg(message: String) -> JsValue {
    verify_err(VerifyError::new(VerifyCode::InvalidArgument, message))
}

fn invalid_request(message: String) -> JsValue {
    delegation_err(DelegationError::new(OAuthCode::InvalidRequest, message))
}

/// A signing key and sign options as api.js passes them: the options' JSON text; the bytes of a
/// `Uint8Array` secret, else the key's JSON text. The options are read first.
fn signer_args(key: &str, secret: Option<Vec<u8>>, options: &str) -> Result<(sign::KeyArg, Value), VerifyError> {
    let argument = |m: String| VerifyError::new(VerifyCode::InvalidArgument, m);
    let options = json(options, "the sign options").map_err(argument)?;
    let key = match secret {
        Some(bytes) => sign::KeyArg::Bytes(bytes),
        None => sign::KeyArg::Value(json(key, "the key").map_err(argument)?),
    };
    Ok((key, options))
}

/// A key and sign options parsed once (`key` and `options` JSON text, `secret` a `Uint8Array`).
#[wasm_bindgen]
pub struct WasmSigner {
    inner: Signer,
    input: InputRoom,
}

#[wasm_bindgen]
impl WasmSigner {
    /// Parses the key and options; throws VerifyError.
    #[wasm_bindgen(constructor)]
    pub fn new(key: &str, secret: Option<Vec<u8>>, options: &str) -> Result<WasmSigner, JsValue> {
        let (key, options) = signer_args(key, secret, options).map_err(verify_err)?;
        Ok(WasmSigner { inner: Signer::new(key, &options).map_err(verify_err)?, input: InputRoom::default() })
    }

    /// The address of room for a payload's JSON text of `len` bytes (see [`InputRoom`]).
    pub fn input(&self, len: usize) -> usize {
        self.input.at(len)
    }

    /// [`WasmSigner::sign`] of the `len` bytes api.js wrote at [`WasmSigner::input`].
    pub fn sign_input(&self, len: usize) -> Result<String, JsValue> {
        self.input.read(len, invalid_arg, |payload| self.sign(payload))
    }

    /// Mints a JWT over `payload` (JSON text, which the token carries as given).
    pub fn sign(&self, payload: &str) -> Result<String, JsValue> {
        self.inner.sign_text(payload).map_err(verify_err)
    }
}

/// Reads a JWT without verifying it; `{header, payload}` as JSON text. The JS side checks that
/// `token` is a string.
#[wasm_bindgen]
pub fn decode(token: &str) -> Result<String, JsValue> {
    Ok(crate::jws::decode(token).map_err(verify_err)?.to_json())
}

fn response_js(r: &Response) -> JsValue {
    let mut out = serde_json::json!({ "status": r.status, "headers": r.headers, "body": r.body });
    if let Some(o) = &r.outbound {
        out["outbound"] = serde_json::json!({
            "apiType": o.api_type, "url": o.url, "method": o.method, "headers": o.headers, "body": o.body,
        });
    }
    to_js(&out)
}

/// `{response}`: a step that ends the request.
fn response_step(r: &Response) -> JsValue {
    to_js(&serde_json::json!({ "response": { "status": r.status, "headers": r.headers, "body": r.body } }))
}

/// Requests waiting for the host's rate-limit store; beyond this many the handler sheds load.
const MAX_PENDING: usize = 10_000;

/// The HTTP endpoint over one tenant: `begin` routes and checks, the host counts the hit in
/// its store (possibly asynchronously), `finish` mints.
#[wasm_bindgen]
pub struct WasmHandler {
    inner: Handler,
    pending: HashMap<u32, Pending>,
    next: u32,
}

#[wasm_bindgen]
impl WasmHandler {
    /// Parses the tenant and the handler options (both JSON text) once.
    #[wasm_bindgen(constructor)]
    pub fn new(tenant: &str, options: &str) -> Result<WasmHandler, JsValue> {
        let tenant = Tenant::parse(tenant).map_err(config_err)?;
        let options = json(options, "the handler options")
            .map_err(|m| config_err(ConfigError { path: String::new(), message: m }))
            .and_then(|v| HandlerOptions::from_json(&v).map_err(config_err))?;
        Ok(WasmHandler {
            inner: Handler::new(Delegator::from_tenant(tenant), options),
            pending: HashMap::new(),
            next: 0,
        })
    }

    /// Returns `{response}` or `{key, id}`: count a hit under `key`, then `finish(id, …)`.
    pub fn begin(
        &mut self,
        method: &str,
        path: &str,
        headers: &str,
        body: &[u8],
        peer_ip: Option<String>,
        now: f64,
    ) -> JsValue {
        let Some(headers) = header_pairs(headers) else {
            return response_js(&self.inner.internal_error("the host passed malformed headers"));
        };
        let Some(now) = seconds(now) else {
            return response_js(&self.inner.internal_error("the host clock is not a number"));
        };
        let req = Request { method, path, headers: &headers, body, peer_ip: peer_ip.as_deref() };
        match self.inner.begin(&req, now) {
            Step::Done(r) => response_step(&r),
            Step::Count { key, pending } => {
                if self.pending.len() >= MAX_PENDING {
                    return response_js(&self.inner.overloaded());
                }
                self.next = self.next.wrapping_add(1);
                self.pending.insert(self.next, *pending);
                to_js(&serde_json::json!({ "key": key, "id": self.next }))
            }
        }
    }

    /// Before the policy hook of request `id` (the `count`th hit of the window ending at
    /// `reset`): `{response}` (429; the request is dropped) or `{context}` for the hook.
    pub fn admit(&mut self, id: u32, count: u32, reset: f64, now: f64) -> JsValue {
        let Some(pending) = self.pending.get(&id) else {
            return response_step(&self.inner.internal_error("the request was already finished"));
        };
        let (Some(now), Some(reset)) = (seconds(now), seconds(reset)) else {
            self.pending.remove(&id);
            return response_step(&self.inner.internal_error("the host clock is not a number"));
        };
        match self.inner.admit(pending, count, reset, now) {
            Ok(context) => to_js(&serde_json::json!({ "context": context })),
            Err(r) => {
                self.pending.remove(&id);
                response_step(&r)
            }
        }
    }

    /// Mints the token of request `id`, whose hit is the `count`th of the window ending at
    /// `reset`; `decision` is the JSON text of the policy hook's answer (`null` without one),
    /// or absent when the hook threw.
    pub fn finish(&mut self, id: u32, count: u32, reset: f64, decision_text: Option<String>, now: f64) -> JsValue {
        let Some(pending) = self.pending.remove(&id) else {
            return response_js(&self.inner.internal_error("the request was already finished"));
        };
        let (Some(now), Some(reset)) = (seconds(now), seconds(reset)) else {
            return response_js(&self.inner.internal_error("the host clock is not a number"));
        };
        let decision = match decision(decision_text) {
            Ok(d) => d,
            Err(e) => return response_js(&self.inner.refuse(&pending, &e)),
        };
        match with_rng(|rng| Ok(self.inner.finish(&pending, count, reset, &decision, now, rng))) {
            Ok(r) => response_js(&r),
            Err(e) => response_js(&self.inner.internal_error(&e.description)),
        }
    }

    /// The response to a request `finish` returned with `outbound`, from the provider's answer
    /// (`status` 0: not reached); `headers` is the JSON text of the headers `finish` returned.
    pub fn answer(&self, api_type: &str, headers: &str, status: u16, body: &str) -> JsValue {
        match header_pairs(headers) {
            Some(h) => response_js(&self.inner.answer(api_type, h, status, body)),
            None => response_js(&self.inner.internal_error("the host passed malformed headers")),
        }
    }

    /// Drops request `id` (its rate-limit store failed) and returns the 500 to send.
    pub fn abort(&mut self, id: u32) -> JsValue {
        self.pending.remove(&id);
        response_js(&self.inner.internal_error("the rate-limit store failed"))
    }

    /// The rate-limit window in seconds.
    #[wasm_bindgen(getter, js_name = rateWindow)]
    pub fn rate_window(&self) -> f64 {
        self.inner.rate_window() as f64
    }
}
