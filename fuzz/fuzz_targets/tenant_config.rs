//! Any bytes as tenant JSON: a parsed tenant or a path-naming ConfigError, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(t) = edge_delegation::Tenant::parse(text) {
            let _ = t.public_jwks();
        }
    }
});
