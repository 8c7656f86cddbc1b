//! The edge handler's HTTP logic, the same in every runtime: method, path, headers and body in;
//! status, headers and body out. Hosts (`createHandler` in JS, or a Rust server) move bytes and
//! keep the rate-limit counters; every decision is made here.
//!
//! Routes: `POST /delegation` (Auth0), `POST /oauth/token` (RFC 8693 token exchange),
//! `GET /.well-known/jwks.json`, CORS preflight `OPTIONS`. Rate limiting is Auth0's: a request
//! that passed every check is counted under `user id | client IP` before its token is minted.

use rand_core::RngCore;
use serde_json::{json, Map, Value};

use crate::delegator::{Authorized, Delegator};
use crate::error::{quote, ConfigError, DelegationError, OAuthCode};
use crate::formats;
use crate::json::{kind, parse_strict, TOKEN_DEPTH};
use crate::policy::Decision;
use crate::request::DelegationRequest;

/// Largest request body accepted (bytes); hosts should stop reading one byte past it.
pub const MAX_BODY: usize = 64 * 1024;

const DELEGATION: &str = "/delegation";
const TOKEN: &str = "/oauth/token";
const JWKS: &str = "/.well-known/jwks.json";

/// How the handler behaves; built from the JS options by [`HandlerOptions::from_json`].
#[derive(Debug, Clone)]
pub struct HandlerOptions {
    /// Origins allowed to call from a browser (exact, e.g. `https://app.example`), or `*`.
    pub cors_origins: Vec<String>,
    /// A header that carries the client IP and is set by a proxy you trust
    /// (`cf-connecting-ip` on Cloudflare, `x-forwarded-for` behind your own proxy).
    pub trusted_ip_header: Option<String>,
    /// Requests per user and IP per window; 0 turns rate limiting off.
    pub rate_limit: u32,
    /// The window in seconds.
    pub rate_window: i64,
    /// The STS endpoint for `aws` (default the global `https://sts.amazonaws.com/`).
    pub sts_endpoint: Option<String>,
}

impl Default for HandlerOptions {
    fn default() -> Self {
        // Auth0's limit for /delegation: 10 requests a minute per user id per IP.
        HandlerOptions {
            cors_origins: vec![],
            trusted_ip_header: None,
            rate_limit: 10,
            rate_window: 60,
            sts_endpoint: None,
        }
    }
}

impl HandlerOptions {
    /// Reads `{corsOrigins?, trustedIpHeader?, rateLimit?: {limit, windowSeconds} | false, stsEndpoint?}`.
    pub fn from_json(v: &Value) -> Result<Self, ConfigError> {
        let err = |path: &str, m: String| ConfigError::new(path, m);
        let mut o = HandlerOptions::default();
        let map = match v {
            Value::Null => return Ok(o),
            Value::Object(m) => m,
            other => return Err(err("", format!("handler options must be an object, found {}", kind(other)))),
        };
        for (name, v) in map {
            match (name.as_str(), v) {
                (_, Value::Null) => {}
                ("corsOrigins", Value::Array(a)) => {
                    o.cors_origins = a
                        .iter()
                        .map(|x| {
                            x.as_str().map(str::to_owned).ok_or_else(|| err("corsOrigins", "must list strings".into()))
                        })
                        .collect::<Result<_, _>>()?;
                }
                ("trustedIpHeader", Value::String(h)) => {
                    let h = h.to_ascii_lowercase();
                    if h != "cf-connecting-ip" && h != "x-forwarded-for" && h != "x-real-ip" {
                        return Err(err(
                            "trustedIpHeader",
                            format!(
                                "{} is not a client-IP header: use cf-connecting-ip, x-forwarded-for or x-real-ip",
                                quote(&h)
                            ),
                        ));
                    }
                    o.trusted_ip_header = Some(h);
                }
                ("stsEndpoint", Value::String(u)) => {
                    if !formats::is_endpoint(u) {
                        return Err(err(
                            "stsEndpoint",
                            format!(
                                "must be an https:// URL (e.g. https://sts.eu-west-1.amazonaws.com/), found {}",
                                quote(u)
                            ),
                        ));
                    }
                    o.sts_endpoint = Some(u.clone());
                }
                ("rateLimit", Value::Bool(false)) => o.rate_limit = 0,
                ("rateLimit", Value::Object(r)) => {
                    for (k, v) in r {
                        let n = v.as_u64().filter(|n| *n <= 1_000_000).ok_or_else(|| {
                            let found = crate::json::to_string(v);
                            err(
                                &format!("rateLimit.{k}"),
                                format!("must be a whole number up to 1000000, found {found}"),
                            )
                        })?;
                        match k.as_str() {
                            "limit" => o.rate_limit = n as u32,
                            "windowSeconds" if n > 0 => o.rate_window = n as i64,
                            _ => {
                                return Err(err(
                                    &format!("rateLimit.{k}"),
                                    "unknown member, or zero; known: limit, windowSeconds".into(),
                                ))
                            }
                        }
                    }
                }
                ("corsOrigins" | "trustedIpHeader" | "rateLimit" | "stsEndpoint", other) => {
                    return Err(err(name, format!("has the wrong type ({})", kind(other))))
                }
                (other, _) => {
                    return Err(err(
                        other,
                        "unknown handler option; known: corsOrigins, trustedIpHeader, rateLimit, stsEndpoint".into(),
                    ))
                }
            }
        }
        Ok(o)
    }
}

/// An HTTP request as the host saw it. Header names are lowercase.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// `GET`, `POST`, …
    pub method: &'a str,
    /// The URL path, without the query.
    pub path: &'a str,
    /// Header (name, value) pairs; names lowercase.
    pub headers: &'a [(String, String)],
    /// The body as received (the host stops reading past [`MAX_BODY`]).
    pub body: &'a [u8],
    /// The peer address, when the host knows it.
    pub peer_ip: Option<&'a str>,
}

/// An HTTP response. The body is always JSON (or empty for 204).
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Header (name, value) pairs.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: String,
    /// Set when the host must first send this request (a provider's token exchange) and pass
    /// the answer to [`Handler::answer`]; `status` and `body` are then placeholders.
    pub outbound: Option<Box<Outbound>>,
}

/// A request to a provider that the handler needs sent (`sap_api`, `aws`).
#[derive(Debug, Clone, PartialEq)]
pub struct Outbound {
    /// The add-on whose answer this is (for [`Handler::answer`]).
    pub api_type: &'static str,
    /// Where and how to send it.
    pub url: String,
    /// `POST`.
    pub method: String,
    /// Header (name, value) pairs.
    pub headers: Vec<(String, String)>,
    /// The form body.
    pub body: String,
}

/// A request that passed every check and waits for its rate-limit count.
#[derive(Debug, Clone)]
pub struct Pending {
    auth: Authorized,
    exchange: bool,
    cors: Vec<(String, String)>,
    ip: String,
}

/// What [`Handler::begin`] decided.
#[derive(Debug, Clone)]
pub enum Step {
    /// The answer (an error, the JWKS, a preflight).
    Done(Response),
    /// Count one hit under `key` in the rate-limit store, then call [`Handler::finish`].
    Count {
        /// `user id | client IP`.
        key: String,
        /// The authorized request.
        pending: Box<Pending>,
    },
}

/// The delegation endpoint over one tenant.
#[derive(Debug)]
pub struct Handler {
    delegator: Delegator,
    options: HandlerOptions,
}

fn header<'a>(req: &Request<'a>, name: &str) -> Option<&'a str> {
    req.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

fn json_response(status: u16, body: &Value, extra: Vec<(String, String)>) -> Response {
    let mut headers = vec![
        ("content-type".to_owned(), "application/json; charset=utf-8".to_owned()),
        ("cache-control".to_owned(), "no-store".to_owned()),
        ("pragma".to_owned(), "no-cache".to_owned()),
    ];
    headers.extend(extra);
    Response { status, headers, body: crate::json::to_string(body), outbound: None }
}

fn error(status: u16, code: &str, description: impl Into<String>, extra: Vec<(String, String)>) -> Response {
    json_response(status, &json!({ "error": code, "error_description": description.into() }), extra)
}

/// Status of an OAuth error: Auth0's for `/delegation`; RFC 6749 §5.2's 400 for token exchange.
fn status(e: &DelegationError, exchange: bool) -> u16 {
    match (exchange, e.code) {
        (_, OAuthCode::ServerError) => 500,
        (true, _) => 400,
        (false, code) => code.status(),
    }
}

impl Handler {
    /// A handler over `delegator`.
    pub fn new(delegator: Delegator, options: HandlerOptions) -> Self {
        Handler { delegator, options }
    }

    fn cors(&self, req: &Request<'_>) -> Result<Vec<(String, String)>, ()> {
        let Some(origin) = header(req, "origin") else { return Ok(vec![]) };
        if self.options.cors_origins.iter().any(|o| o == "*") {
            return Ok(vec![("access-control-allow-origin".into(), "*".into())]);
        }
        if self.options.cors_origins.iter().any(|o| o == origin) {
            return Ok(vec![
                ("access-control-allow-origin".into(), origin.to_owned()),
                ("vary".into(), "Origin".into()),
            ]);
        }
        Err(())
    }

    fn client_ip<'a>(&self, req: &Request<'a>) -> &'a str {
        let trusted = self.options.trusted_ip_header.as_deref().and_then(|h| header(req, h));
        let ip = match trusted {
            // x-forwarded-for lists client, proxy1, proxy2: the first is the client.
            Some(v) => v.split(',').next().unwrap_or("").trim(),
            None => req.peer_ip.unwrap_or(""),
        };
        if ip.is_empty() {
            "unknown"
        } else {
            ip
        }
    }

    /// Routes and checks a request; either answers it or asks for a rate-limit count.
    pub fn begin(&self, req: &Request<'_>, now: i64) -> Step {
        Step::Done(match self.route(req, now) {
            Ok(step) => return step,
            Err(response) => response,
        })
    }

    fn route(&self, req: &Request<'_>, now: i64) -> Result<Step, Response> {
        if req.headers.iter().any(|(n, v)| n.contains(['\r', '\n']) || v.contains(['\r', '\n'])) {
            return Err(error(400, "invalid_request", "a header contains CR or LF", vec![]));
        }
        let cors = self.cors(req);
        let allow: &str = match req.path {
            DELEGATION | TOKEN => "POST, OPTIONS",
            JWKS => "GET, HEAD, OPTIONS",
            _ => {
                return Err(error(
                    404,
                    "not_found",
                    format!(
                        "no route for {}: the routes are POST {DELEGATION}, POST {TOKEN} and GET {JWKS}",
                        quote(req.path)
                    ),
                    vec![],
                ))
            }
        };
        if req.method == "OPTIONS" {
            return match cors {
                Ok(mut h) if !h.is_empty() => {
                    h.push(("access-control-allow-methods".into(), allow.into()));
                    h.push(("access-control-allow-headers".into(), "content-type, authorization".into()));
                    h.push(("access-control-max-age".into(), "600".into()));
                    Ok(Step::Done(Response { status: 204, headers: h, body: String::new(), outbound: None }))
                }
                _ => Err(error(403, "access_denied", "this origin may not call the endpoint (corsOrigins)", vec![])),
            };
        }
        let Ok(cors) = cors else {
            return Err(error(
                403,
                "access_denied",
                "this origin may not call the endpoint: add it to corsOrigins",
                vec![],
            ));
        };
        if !allow.split(", ").any(|m| m == req.method) {
            let mut h = cors;
            h.push(("allow".into(), allow.into()));
            return Err(error(
                405,
                "method_not_allowed",
                format!("{} {} is not allowed; use {allow}", quote(req.method), req.path),
                h,
            ));
        }
        if req.path == JWKS {
            let mut h = vec![("content-type".to_owned(), "application/json; charset=utf-8".to_owned())];
            h.push(("cache-control".into(), "public, max-age=300".into()));
            h.extend(cors);
            let body = if req.method == "HEAD" {
                String::new()
            } else {
                crate::json::to_string(&self.delegator.public_jwks())
            };
            return Ok(Step::Done(Response { status: 200, headers: h, body, outbound: None }));
        }
        let params = parse_body(req).map_err(|(status, m)| error(status, "invalid_request", m, cors.clone()))?;
        let exchange = req.path == TOKEN;
        let request = if exchange {
            DelegationRequest::from_token_exchange(&params)
        } else {
            DelegationRequest::from_params(&params)
        };
        let auth = request
            .and_then(|r| self.delegator.authorize(r, now))
            .map_err(|e| json_response(status(&e, exchange), &e.to_json(), cors.clone()))?;
        let ip = self.client_ip(req).to_owned();
        // An empty key tells the host there is nothing to count (rate limiting is off).
        let key = if self.options.rate_limit == 0 { String::new() } else { format!("{}|{ip}", auth.user_id()) };
        Ok(Step::Count { key, pending: Box::new(Pending { auth, exchange, cors, ip }) })
    }

    /// The response headers of a counted request and, past the limit, the 429 to send.
    /// `count` is this window's hits including this one, `reset` when the window ends.
    fn rate(&self, pending: &Pending, count: u32, reset: i64, now: i64) -> Result<Vec<(String, String)>, Response> {
        let mut headers = pending.cors.clone();
        let limit = self.options.rate_limit;
        if limit > 0 {
            headers.push(("x-ratelimit-limit".into(), limit.to_string()));
            headers.push(("x-ratelimit-remaining".into(), limit.saturating_sub(count).to_string()));
            headers.push(("x-ratelimit-reset".into(), reset.to_string()));
            if count > limit {
                headers.push(("retry-after".into(), (reset - now).max(1).to_string()));
                return Err(error(
                    429,
                    "too_many_requests",
                    format!(
                        "more than {limit} requests in {} s for this user from this address: retry after the reset",
                        self.options.rate_window
                    ),
                    headers,
                ));
            }
        }
        Ok(headers)
    }

    /// Before a policy hook runs: the 429 when the request is over the rate limit, else the
    /// hook's context (the caller's IP included).
    pub fn admit(&self, pending: &Pending, count: u32, reset: i64, now: i64) -> Result<Value, Response> {
        self.rate(pending, count, reset, now)?;
        Ok(self.delegator.policy_context(&pending.auth, Some(&pending.ip)))
    }

    /// Mints the token of a counted request after the policy's `decision` (`Decision::Allow`
    /// without a hook).
    pub fn finish(
        &self,
        pending: &Pending,
        count: u32,
        reset: i64,
        decision: &Decision,
        now: i64,
        rng: &mut dyn RngCore,
    ) -> Response {
        let headers = match self.rate(pending, count, reset, now) {
            Ok(h) => h,
            Err(r) => return r,
        };
        match self.delegator.mint_with(&pending.auth, decision, now, rng) {
            Ok(body) => match self.outbound(pending.auth.api_type(), &body) {
                Some(outbound) => Response { status: 200, headers, body: String::new(), outbound: Some(outbound) },
                None => json_response(200, &Value::Object(body), headers),
            },
            Err(e) => json_response(status(&e, pending.exchange), &e.to_json(), headers),
        }
    }

    /// The provider request of a format the handler exchanges itself (from its `token_request`).
    fn outbound(&self, api_type: &'static str, body: &Map<String, Value>) -> Option<Box<Outbound>> {
        formats::exchange(api_type)?;
        let req = body.get("token_request")?;
        let text = |name: &str| req.get(name).and_then(Value::as_str).map(str::to_owned);
        let mut url = text("url")?;
        if let (Some(sts), true) = (&self.options.sts_endpoint, url == formats::STS_ENDPOINT) {
            url.clone_from(sts);
        }
        let headers = req
            .get("headers")
            .and_then(Value::as_object)?
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
            .collect();
        Some(Box::new(Outbound { api_type, url, method: text("method")?, headers, body: text("body")? }))
    }

    /// The response to a request whose [`Outbound`] the host sent: the provider's answer
    /// (`status` 0 when it could not be reached) read by the add-on. `headers` are the ones
    /// [`Handler::finish`] returned with the outbound request (CORS, rate limit).
    pub fn answer(&self, api_type: &str, headers: Vec<(String, String)>, status: u16, body: &str) -> Response {
        let Some(read) = formats::exchange(api_type) else {
            return self.internal_error("the host passed an answer for an add-on that has no token exchange");
        };
        match read(status, body) {
            Ok(v) => json_response(200, &v, headers),
            Err((code, e)) => json_response(code, &e.to_json(), headers),
        }
    }

    /// The answer for a counted request that failed outside the core (a policy hook that
    /// threw): the error as JSON, with the request's CORS headers.
    pub fn refuse(&self, pending: &Pending, e: &DelegationError) -> Response {
        json_response(status(e, pending.exchange), &e.to_json(), pending.cors.clone())
    }

    /// A 500 for a failure on the host's side; the description names it (never a secret).
    pub fn internal_error(&self, what: &str) -> Response {
        error(500, "server_error", what, vec![])
    }

    /// A 503 when too many requests wait for the rate-limit store.
    pub fn overloaded(&self) -> Response {
        error(
            503,
            "temporarily_unavailable",
            "too many requests in flight: retry shortly",
            vec![("retry-after".into(), "1".into())],
        )
    }

    /// The rate-limit window in seconds (for the host's store).
    pub fn rate_window(&self) -> i64 {
        self.options.rate_window
    }
}

/// The body as request parameters: a JSON object, or an `application/x-www-form-urlencoded`
/// form whose parameters each appear once.
fn parse_body(req: &Request<'_>) -> Result<Value, (u16, String)> {
    if req.body.len() > MAX_BODY {
        return Err((413, format!("the body is over {MAX_BODY} bytes")));
    }
    let media = header(req, "content-type").unwrap_or("").split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    match media.as_str() {
        "application/json" => match parse_strict(req.body, TOKEN_DEPTH) {
            Ok(v @ Value::Object(_)) => Ok(v),
            Ok(other) => Err((400, format!("the JSON body must be an object, found {}", kind(&other)))),
            Err(e) => Err((400, format!("the body is not valid JSON: {e}"))),
        },
        "application/x-www-form-urlencoded" => parse_form(req.body).map_err(|m| (400, m)),
        "" => Err((415, "Content-Type is missing: send application/json or application/x-www-form-urlencoded".into())),
        other => Err((
            415,
            format!(
                "Content-Type {} is not accepted: send application/json or application/x-www-form-urlencoded",
                quote(other)
            ),
        )),
    }
}

fn parse_form(body: &[u8]) -> Result<Value, String> {
    let mut out = Map::new();
    for pair in body.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
        let (k, v) = match pair.iter().position(|b| *b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &b""[..]),
        };
        let k = percent_decode(k).ok_or("the form body is not valid percent-encoded UTF-8")?;
        let v = percent_decode(v).ok_or("the form body is not valid percent-encoded UTF-8")?;
        if out.contains_key(&k) {
            return Err(format!("parameter {} is repeated: send it once", quote(&k)));
        }
        out.insert(k, Value::String(v));
    }
    Ok(Value::Object(out))
}

fn percent_decode(s: &[u8]) -> Option<String> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(core::str::from_utf8(hex).ok()?, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_decode_strictly() {
        assert_eq!(parse_form(b"a=1&b=x+y%21&c=").unwrap(), json!({"a": "1", "b": "x y!", "c": ""}));
        assert_eq!(parse_form(b"").unwrap(), json!({}));
        assert!(parse_form(b"a=1&a=2").unwrap_err().contains("repeated"));
        assert!(parse_form(b"a=%zz").is_err());
        assert!(parse_form(b"a=%e9").is_err(), "not UTF-8");
        assert!(parse_form(b"a=%4").is_err());
    }

    #[test]
    fn options_are_checked() {
        assert!(HandlerOptions::from_json(
            &json!({"corsOrigins": ["https://a"], "rateLimit": {"limit": 5, "windowSeconds": 10}})
        )
        .is_ok());
        assert_eq!(HandlerOptions::from_json(&json!({"rateLimit": false})).unwrap().rate_limit, 0);
        for bad in [
            json!({"cors": []}),
            json!({"trustedIpHeader": "host"}),
            json!({"rateLimit": {"limit": -1}}),
            json!({"rateLimit": {"windowSeconds": 0}}),
            json!(5),
        ] {
            assert!(HandlerOptions::from_json(&bad).is_err(), "{bad}");
        }
    }
}
