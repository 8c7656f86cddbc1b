//! `api_type: aws` (SPEC §4): a signed SAML 2.0 Response for AWS STS `AssumeRoleWithSAML`
//! (role, provider, session name and duration as AWS's SAML attributes), and the STS Query
//! request (unsigned: the SAML response is the credential). The edge handler sends it and
//! returns the temporary credentials as JSON, in the shape Auth0 returned.

use base64ct::{Base64, Encoding};
use rand_core::RngCore;
use serde_json::{json, Map, Value};

use super::{
    exchange_body, object, provider_failure, rsa_required, uri_component, Format, MintContext, Settings, STS_ENDPOINT,
};
use crate::alg::Family;
use crate::error::{quote, ConfigError, DelegationError, OAuthCode};
use crate::saml::{self, Assertion};
use crate::xml;

/// Where AWS's sign-in accepts SAML: the Recipient, Destination and Audience AWS requires.
const AWS_SAML: &str = "https://signin.aws.amazon.com/saml";
const PERSISTENT: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";
const ATTR: &str = "https://aws.amazon.com/SAML/Attributes/";
/// The SAML response is presented at once; five minutes covers clock skew.
const LIFETIME: i64 = 300;
/// AWS's bounds for `DurationSeconds` / `SessionDuration`, and Auth0's default.
const MIN_SESSION: u64 = 900;
const MAX_SESSION: u64 = 43_200;
const DEFAULT_SESSION: u64 = 3600;
const SETTINGS: &[&str] = &["principal", "role", "lifetime_in_seconds"];

struct Aws {
    principal: String,
    role: String,
    session: u64,
}

/// An IAM ARN of `kind` (`saml-provider`, `role`): `arn:<partition>:iam::<12 digits>:<kind>/<name>`.
fn arn(s: &Settings<'_>, name: &str, kind: &str, what: &str) -> Result<String, ConfigError> {
    let v = s.required(name, what)?;
    let p: Vec<&str> = v.split(':').collect();
    let ok = p.len() == 6
        && p[0] == "arn"
        && p[1].starts_with("aws")
        && p[2] == "iam"
        && p[3].is_empty()
        && p[4].len() == 12
        && p[4].bytes().all(|b| b.is_ascii_digit())
        && p[5].strip_prefix(kind).and_then(|r| r.strip_prefix('/')).is_some_and(|r| !r.is_empty())
        // The Role attribute joins the two ARNs with a comma.
        && !v.contains([',', '<', '&', '"', ' '])
        && xml::is_xml_text(v);
    if !ok {
        return Err(ConfigError::new(
            name,
            format!("must be {what}, like arn:aws:iam::123456789012:{kind}/Name; found {}", quote(v)),
        ));
    }
    Ok(v.to_owned())
}

pub(super) fn prepare(s: &Settings<'_>) -> Result<Box<dyn Format>, ConfigError> {
    s.only(SETTINGS)?;
    rsa_required(s, "SAML responses for AWS")?;
    let principal = arn(s, "principal", "saml-provider", "the ARN of the IAM SAML identity provider")?;
    let role = arn(s, "role", "role", "the ARN of the IAM role to assume")?;
    // AWS's limits for a role session.
    let session = s.count("lifetime_in_seconds", DEFAULT_SESSION, MIN_SESSION..=MAX_SESSION, "seconds")?;
    Ok(Box::new(Aws { principal, role, session }))
}

/// AWS's `RoleSessionName`: the user's email, else their id; 2–64 of `[A-Za-z0-9_+=,.@-]`.
fn session_name<'a>(cx: &'a MintContext<'_>) -> Result<&'a str, DelegationError> {
    let (claim, v) = match cx.user.get("email") {
        Some(Value::String(e)) if !e.is_empty() => ("email", e.as_str()),
        _ => ("sub", cx.user_id()),
    };
    let allowed = |c: char| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c);
    if (2..=64).contains(&v.chars().count()) && v.chars().all(allowed) {
        return Ok(v);
    }
    Err(DelegationError::new(
        OAuthCode::InvalidRequest,
        format!(
            "the AWS session name is the id_token's {claim}, and it is not 2 to 64 of the characters A-Z a-z 0-9 _+=,.@- \
             that AWS allows: sign the user in with the email scope, or give the user an email address AWS accepts"
        ),
    ))
}

impl Format for Aws {
    fn mint(&self, cx: &MintContext<'_>, rng: &mut dyn RngCore) -> Result<Map<String, Value>, DelegationError> {
        cx.no_policy_claims("aws")?;
        let session_name = session_name(cx)?;
        let key = cx
            .tenant
            .active_key(Family::Rsa)
            .ok_or_else(|| super::server("the tenant's RSA signing key is missing"))?;
        let issuer = saml::issuer(&cx.tenant.issuer);
        let role = format!("{},{}", self.role, self.principal);
        let session = self.session.to_string();
        let (role_attr, name_attr, duration_attr) =
            (format!("{ATTR}Role"), format!("{ATTR}RoleSessionName"), format!("{ATTR}SessionDuration"));
        let until = cx.now.saturating_add(LIFETIME);
        let assertion = saml::assertion(
            &Assertion {
                issuer: &issuer,
                name_id: cx.user_id(),
                name_id_format: PERSISTENT,
                recipient: AWS_SAML,
                audience: AWS_SAML,
                authn_instant: super::authn_instant(cx),
                attributes: &[(&role_attr, &role), (&name_attr, session_name), (&duration_attr, &session)],
                now: cx.now,
                not_on_or_after: until,
            },
            key,
            rng,
        )?;
        let response = saml::response(&issuer, AWS_SAML, &assertion, cx.now, key, rng)?;
        let encoded = Base64::encode_string(response.as_bytes());
        let body = format!(
            "Action=AssumeRoleWithSAML&Version=2011-06-15&RoleArn={}&PrincipalArn={}&SAMLAssertion={}&DurationSeconds={}",
            uri_component(&self.role),
            uri_component(&self.principal),
            uri_component(&encoded),
            self.session
        );
        Ok(exchange_body("saml_response", encoded, LIFETIME, STS_ENDPOINT.into(), &[], body))
    }
}

/// STS's XML answer → `{Credentials, AssumedRoleUser, Subject, SubjectType, Issuer, Audience,
/// NameQualifier, …}` (the AWS SDK's field names), or a clean error from STS's `ErrorResponse`.
pub(super) fn answer(status: u16, body: &str) -> Result<Value, (u16, DelegationError)> {
    const STS: &str = "AWS STS";
    let doc = xml::read(body).ok();
    if let Some(err) = doc.as_ref().filter(|d| d.name == "ErrorResponse").and_then(|d| d.child("Error")) {
        let detail = [err.child_text("Code"), err.child_text("Message")].into_iter().flatten().collect::<Vec<_>>();
        return Err(provider_failure(STS, status, Some(detail.join(": "))));
    }
    let result = doc
        .as_ref()
        .filter(|d| status == 200 && d.name == "AssumeRoleWithSAMLResponse")
        .and_then(|d| d.child("AssumeRoleWithSAMLResult"));
    let Some(r) = result else {
        return Err(provider_failure(STS, status, None));
    };
    let text = |el: Option<&xml::Element>, name: &str| el.and_then(|e| e.child_text(name)).map(str::to_owned);
    let creds = r.child("Credentials");
    let fields = ["AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"];
    let mut credentials = Map::new();
    for f in fields {
        let v = text(creds, f)
            .ok_or_else(|| provider_failure(STS, status, Some(format!("the answer has no Credentials.{f}"))))?;
        credentials.insert(f.into(), v.into());
    }
    let mut out = object([("Credentials", Value::Object(credentials))]);
    if let Some(u) = r.child("AssumedRoleUser") {
        out.insert(
            "AssumedRoleUser".into(),
            json!({ "AssumedRoleId": text(Some(u), "AssumedRoleId"), "Arn": text(Some(u), "Arn") }),
        );
    }
    for f in ["Subject", "SubjectType", "Issuer", "Audience", "NameQualifier", "SourceIdentity"] {
        if let Some(v) = r.child_text(f) {
            out.insert(f.into(), v.into());
        }
    }
    if let Some(n) = r.child_text("PackedPolicySize").and_then(|n| n.trim().parse::<u64>().ok()) {
        out.insert("PackedPolicySize".into(), n.into());
    }
    Ok(Value::Object(out))
}
