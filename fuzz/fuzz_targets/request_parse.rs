//! Any bytes as a request body (JSON and form), on both routes, through the HTTP handler's
//! parsing and the delegation checks of the fixture tenant: a response, never a panic.
#![no_main]

use std::sync::OnceLock;

use edge_delegation::http::{Handler, HandlerOptions, Request, Step};
use edge_delegation::{Decision, Delegator};
use libfuzzer_sys::fuzz_target;
use rand_core::RngCore;

struct Zero;

impl RngCore for Zero {
    fn next_u32(&mut self) -> u32 {
        0
    }
    fn next_u64(&mut self) -> u64 {
        0
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        dest.fill(7);
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

fn handler() -> &'static Handler {
    static H: OnceLock<Handler> = OnceLock::new();
    H.get_or_init(|| {
        let tenant = serde_json::from_str(include_str!("../../tests/fixtures/tenant.json")).unwrap();
        Handler::new(Delegator::new(&tenant).unwrap(), HandlerOptions::default())
    })
}

fuzz_target!(|data: &[u8]| {
    let h = handler();
    for (path, ctype) in [
        ("/delegation", "application/json"),
        ("/delegation", "application/x-www-form-urlencoded"),
        ("/oauth/token", "application/x-www-form-urlencoded"),
        ("/oauth/token", "application/json"),
    ] {
        let headers = vec![("content-type".to_owned(), ctype.to_owned())];
        let req = Request { method: "POST", path, headers: &headers, body: data, peer_ip: Some("192.0.2.1") };
        if let Step::Count { pending, .. } = h.begin(&req, 1_800_000_000) {
            let _ = h.finish(&pending, 1, 1_800_000_060, &Decision::Allow, 1_800_000_000, &mut Zero);
        }
    }
    if let Ok(v) = serde_json::from_slice(data) {
        let _ = edge_delegation::request::DelegationRequest::from_params(&v);
        let _ = edge_delegation::request::DelegationRequest::from_token_exchange(&v);
    }
});
