//! A build with every add-on left out (`cargo test --no-default-features --test minimal_build`,
//! which `npm test` runs): `app` delegation works, a tenant with add-on settings still loads
//! (they are ignored), and each add-on's api_type is `invalid_target` naming the feature.
#![cfg(not(any(
    feature = "firebase",
    feature = "azure",
    feature = "wams",
    feature = "layer",
    feature = "salesforce",
    feature = "saml"
)))]

mod common;

use common::*;
use edge_delegation::{Delegator, OAuthCode};
use serde_json::json;

#[test]
fn app_only_build() {
    let d = Delegator::new(&tenant_with_addons()).expect("add-on settings are ignored, not refused");
    let token = rs256(&claims("spa"));
    let ok = d.delegate(&params("spa", &token, json!({ "target": "api-rs" })), NOW, &mut rng()).unwrap();
    assert_eq!(ok["token_type"], "Bearer");
    for (api_type, feature) in [
        ("firebase", "firebase"),
        ("azure_blob", "azure"),
        ("azure_sb", "azure"),
        ("wams", "wams"),
        ("layer", "layer"),
        ("salesforce_api", "salesforce"),
        ("salesforce_sandbox_api", "salesforce"),
        ("sap_api", "saml"),
        ("aws", "saml"),
    ] {
        let p = params("spa", &token, json!({ "target": "addons", "api_type": api_type }));
        let e = d.delegate(&p, NOW, &mut rng()).expect_err(api_type);
        assert_eq!(e.code, OAuthCode::InvalidTarget, "{api_type}");
        assert!(
            e.description.contains(&format!(
                "not in this build of edge-delegation: build it with the Cargo feature \"{feature}\""
            )),
            "{e}"
        );
    }
}
