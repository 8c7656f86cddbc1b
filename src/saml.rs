//! SAML 2.0 assertions and responses signed with XML-DSig (enveloped, exclusive c14n,
//! RSA-SHA256), for the `sap_api` and `aws` add-ons. The XML is written in canonical form
//! by [`crate::xml::Writer`], so the digest covers exactly the bytes sent: no XML library
//! (and no C) is needed in wasm.

use base64ct::{Base64, Encoding};
use rand_core::RngCore;
use sha2::{Digest, Sha256};

use crate::alg::Alg;
use crate::config::TenantKey;
use crate::error::DelegationError;
use crate::formats::server;
use crate::xml::Writer;

const NS_SAML: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
const NS_SAMLP: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
const NS_DS: &str = "http://www.w3.org/2000/09/xmldsig#";
const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
const BEARER: &str = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
const UNSPECIFIED_CONTEXT: &str = "urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified";
const SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";

/// What an assertion says about the user, and to whom.
pub(crate) struct Assertion<'a> {
    /// `Issuer`: `urn:<tenant host>`.
    pub issuer: &'a str,
    /// `Subject/NameID` and its `Format`.
    pub name_id: &'a str,
    pub name_id_format: &'a str,
    /// `SubjectConfirmationData/@Recipient` (where the assertion is presented).
    pub recipient: &'a str,
    /// `AudienceRestriction/Audience`.
    pub audience: &'a str,
    /// When the user authenticated (unix seconds).
    pub authn_instant: i64,
    /// `AttributeStatement`: (name, value) pairs, one value each.
    pub attributes: &'a [(&'a str, &'a str)],
    /// Unix seconds: now, and the end of validity.
    pub now: i64,
    pub not_on_or_after: i64,
}

/// `YYYY-MM-DDTHH:MM:SS.000Z`, as SAML dates are written (xs:dateTime, UTC).
pub(crate) fn saml_time(t: i64) -> String {
    let s = crate::formats::iso8601(t);
    format!("{}.000Z", s.trim_end_matches('Z'))
}

/// A fresh XML ID: `_` and 128 random bits in hex (an NCName).
fn new_id(rng: &mut dyn RngCore) -> String {
    let mut b = [0u8; 16];
    rng.fill_bytes(&mut b);
    let mut id = String::with_capacity(33);
    id.push('_');
    for x in b {
        id.push_str(&format!("{x:02x}"));
    }
    id
}

fn unwritable(what: &str, c: String) -> DelegationError {
    DelegationError::new(
        crate::error::OAuthCode::InvalidRequest,
        format!("the {what} holds {c}, a character XML cannot carry: remove control characters from it"),
    )
}

/// A signed `saml:Assertion`, as text.
pub(crate) fn assertion(a: &Assertion<'_>, key: &TenantKey, rng: &mut dyn RngCore) -> Result<String, DelegationError> {
    let id = new_id(rng);
    let (now, until) = (saml_time(a.now), saml_time(a.not_on_or_after));
    let mut head = Writer::default();
    head.open("saml:Assertion", Some(("saml", NS_SAML)), &[("ID", &id), ("IssueInstant", &now), ("Version", "2.0")]);
    head.leaf("saml:Issuer", None, &[], a.issuer);
    let mut tail = Writer::default();
    tail.open("saml:Subject", None, &[]);
    tail.leaf("saml:NameID", None, &[("Format", a.name_id_format)], a.name_id);
    tail.open("saml:SubjectConfirmation", None, &[("Method", BEARER)]);
    tail.leaf("saml:SubjectConfirmationData", None, &[("NotOnOrAfter", &until), ("Recipient", a.recipient)], "");
    tail.close("saml:SubjectConfirmation");
    tail.close("saml:Subject");
    tail.open("saml:Conditions", None, &[("NotBefore", &now), ("NotOnOrAfter", &until)]);
    tail.open("saml:AudienceRestriction", None, &[]);
    tail.leaf("saml:Audience", None, &[], a.audience);
    tail.close("saml:AudienceRestriction");
    tail.close("saml:Conditions");
    tail.open("saml:AuthnStatement", None, &[("AuthnInstant", &saml_time(a.authn_instant))]);
    tail.open("saml:AuthnContext", None, &[]);
    tail.leaf("saml:AuthnContextClassRef", None, &[], UNSPECIFIED_CONTEXT);
    tail.close("saml:AuthnContext");
    tail.close("saml:AuthnStatement");
    if !a.attributes.is_empty() {
        tail.open("saml:AttributeStatement", None, &[]);
        for (name, value) in a.attributes {
            tail.open("saml:Attribute", None, &[("Name", name)]);
            tail.leaf("saml:AttributeValue", None, &[], value);
            tail.close("saml:Attribute");
        }
        tail.close("saml:AttributeStatement");
    }
    tail.close("saml:Assertion");
    let head = head.finish().map_err(|c| unwritable("assertion's issuer", c))?;
    let tail = tail.finish().map_err(|c| unwritable("user's name or an attribute", c))?;
    sign(&head, &tail, &id, key)
}

/// A signed `samlp:Response` carrying `assertion` (already signed), for `destination`.
pub(crate) fn response(
    issuer: &str,
    destination: &str,
    assertion: &str,
    now: i64,
    key: &TenantKey,
    rng: &mut dyn RngCore,
) -> Result<String, DelegationError> {
    let id = new_id(rng);
    let now = saml_time(now);
    let mut head = Writer::default();
    head.open(
        "samlp:Response",
        Some(("samlp", NS_SAMLP)),
        &[("Destination", destination), ("ID", &id), ("IssueInstant", &now), ("Version", "2.0")],
    );
    // Exclusive c14n declares a prefix where it is first used: here, not on the Response.
    head.leaf("saml:Issuer", Some(("saml", NS_SAML)), &[], issuer);
    let mut tail = Writer::default();
    tail.open("samlp:Status", None, &[]);
    tail.leaf("samlp:StatusCode", None, &[("Value", SUCCESS)], "");
    tail.close("samlp:Status");
    tail.raw(assertion);
    tail.close("samlp:Response");
    let head = head.finish().map_err(|c| unwritable("response's issuer or destination", c))?;
    let tail = tail.finish().map_err(|c| unwritable("response", c))?;
    sign(&head, &tail, &id, key)
}

/// Inserts an enveloped signature between `head` (start tag and Issuer) and `tail`. The
/// enveloped-signature transform removes it again, so the digest is over `head + tail`,
/// which the writer made canonical.
fn sign(head: &str, tail: &str, id: &str, key: &TenantKey) -> Result<String, DelegationError> {
    let mut h = Sha256::new();
    h.update(head.as_bytes());
    h.update(tail.as_bytes());
    let digest = Base64::encode_string(&h.finalize());
    // Canonicalized alone, SignedInfo declares xmlns:ds itself; inside Signature it inherits it.
    let signed_info = |standalone: bool| {
        let mut w = Writer::default();
        w.open("ds:SignedInfo", standalone.then_some(("ds", NS_DS)), &[]);
        w.leaf("ds:CanonicalizationMethod", None, &[("Algorithm", EXC_C14N)], "");
        w.leaf("ds:SignatureMethod", None, &[("Algorithm", RSA_SHA256)], "");
        w.open("ds:Reference", None, &[("URI", &format!("#{id}"))]);
        w.open("ds:Transforms", None, &[]);
        w.leaf("ds:Transform", None, &[("Algorithm", ENVELOPED)], "");
        w.leaf("ds:Transform", None, &[("Algorithm", EXC_C14N)], "");
        w.close("ds:Transforms");
        w.leaf("ds:DigestMethod", None, &[("Algorithm", SHA256)], "");
        w.leaf("ds:DigestValue", None, &[], &digest);
        w.close("ds:Reference");
        w.close("ds:SignedInfo");
        w.finish().map_err(|_| server("the signature's own XML was not writable"))
    };
    let signature = crate::alg::sign(Alg::Rs256, &key.key, signed_info(true)?.as_bytes())
        .map_err(|e| server(format!("signing the SAML document failed: {}", e.message)))?;
    let mut w = Writer::default();
    w.raw(head);
    w.open("ds:Signature", Some(("ds", NS_DS)), &[]);
    w.raw(&signed_info(false)?);
    w.leaf("ds:SignatureValue", None, &[], &Base64::encode_string(&signature));
    if let Some(cert) = key.x5c.first() {
        w.open("ds:KeyInfo", None, &[]);
        w.open("ds:X509Data", None, &[]);
        w.leaf("ds:X509Certificate", None, &[], cert);
        w.close("ds:X509Data");
        w.close("ds:KeyInfo");
    }
    w.close("ds:Signature");
    w.raw(tail);
    w.finish().map_err(|_| server("the signed document was not writable"))
}

/// The tenant's SAML issuer: `urn:<host of the issuer URL>` (Auth0's convention).
pub(crate) fn issuer(tenant_issuer: &str) -> String {
    let rest = tenant_issuer.split_once("://").map_or(tenant_issuer, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    format!("urn:{host}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_issuer() {
        assert_eq!(saml_time(1_800_000_000), "2027-01-15T08:00:00.000Z");
        assert_eq!(issuer("https://example.eu.auth0.com/"), "urn:example.eu.auth0.com");
        assert_eq!(issuer("https://login.example.com"), "urn:login.example.com");
    }
}
