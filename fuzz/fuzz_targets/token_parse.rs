//! Any bytes as a compact JWS: decoding returns a value or a typed error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(d) = edge_delegation::jws::decode(&text) {
        // What decodes re-encodes canonically.
        let h = serde_json::to_vec(&d.header).unwrap();
        assert!(edge_delegation::jws::base64url_decode(&edge_delegation::jws::base64url_encode(&h)).is_some());
    }
    let _ = edge_delegation::jws::base64url_decode(&text);
});
