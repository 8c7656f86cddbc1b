//! Errors with stable codes: OAuth codes for `delegate`, jose's codes for `verify`, and a
//! path-naming error for tenant configuration. Messages name the cause and the fix, and never
//! carry key material or secrets.

use core::fmt;

/// The jose error code of a [`VerifyError`] (the same names `panva/jose` uses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyCode {
    /// The compact JWS is malformed (segments, base64url, header JSON).
    JwsInvalid,
    /// The JWT claims set is malformed (not a JSON object, unencoded payload).
    JwtInvalid,
    /// The header's `alg` is not in the allow-list or does not fit the key.
    AlgNotAllowed,
    /// The signature does not verify with any candidate key.
    SignatureVerificationFailed,
    /// `exp` is past (or the token is older than `maxTokenAge`).
    Expired,
    /// A claim check failed (`nbf`, `iss`, `aud`, `sub`, `typ`, required claims).
    ClaimValidationFailed,
    /// No key matches the token's `kid` and algorithm.
    NoMatchingKey,
    /// An extension or format this library deliberately does not implement.
    NotSupported,
    /// A key is malformed, too weak, or of the wrong kind for the operation.
    KeyInvalid,
    /// The caller's `isRevoked` hook said the token is revoked.
    Revoked,
    /// An option or argument has the wrong shape (a programming error of the caller).
    InvalidArgument,
}

impl VerifyCode {
    /// The stable string code, e.g. `ERR_JWT_EXPIRED`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::JwsInvalid => "ERR_JWS_INVALID",
            Self::JwtInvalid => "ERR_JWT_INVALID",
            Self::AlgNotAllowed => "ERR_JOSE_ALG_NOT_ALLOWED",
            Self::SignatureVerificationFailed => "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
            Self::Expired => "ERR_JWT_EXPIRED",
            Self::ClaimValidationFailed => "ERR_JWT_CLAIM_VALIDATION_FAILED",
            Self::NoMatchingKey => "ERR_JWKS_NO_MATCHING_KEY",
            Self::NotSupported => "ERR_JOSE_NOT_SUPPORTED",
            Self::KeyInvalid => "ERR_KEY_INVALID",
            Self::Revoked => "ERR_JWT_REVOKED",
            Self::InvalidArgument => "ERR_INVALID_ARGUMENT",
        }
    }
}

/// Why a claim check failed (jose's `reason` values).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimReason {
    /// The claim is absent.
    Missing,
    /// The claim has the wrong JSON type.
    Invalid,
    /// The claim is present and well-typed but its value is not acceptable.
    CheckFailed,
}

impl ClaimReason {
    /// The stable string, e.g. `check_failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::Invalid => "invalid",
            Self::CheckFailed => "check_failed",
        }
    }
}

/// A JOSE-level failure: verifying, signing, decoding, or importing a key.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifyError {
    /// Stable code.
    pub code: VerifyCode,
    /// Human text naming the cause and the fix.
    pub message: String,
    /// The claim (for claim failures).
    pub claim: Option<String>,
    /// Why the claim failed.
    pub reason: Option<ClaimReason>,
}

impl VerifyError {
    /// A failure without a claim.
    pub fn new(code: VerifyCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), claim: None, reason: None }
    }

    /// A claim failure.
    pub fn claim(code: VerifyCode, claim: &str, reason: ClaimReason, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), claim: Some(claim.to_owned()), reason: Some(reason) }
    }

    pub(crate) fn key(message: impl Into<String>) -> Self {
        Self::new(VerifyCode::KeyInvalid, message)
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for VerifyError {}

/// The OAuth 2.0 error code of a [`DelegationError`] (RFC 6749 §5.2, RFC 8693 §2.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OAuthCode {
    /// The request is missing a parameter or has a malformed one.
    InvalidRequest,
    /// The subject token is bad, expired, or addressed to someone else.
    InvalidGrant,
    /// The caller may not use delegation.
    UnauthorizedClient,
    /// The target's allow-list (or the policy hook) refused.
    AccessDenied,
    /// The target is unknown or the add-on is not enabled/available.
    InvalidTarget,
    /// The grant type is not `jwt-bearer`, or a refresh token was sent.
    UnsupportedGrantType,
    /// Something failed on our side; the description says what, without secrets.
    ServerError,
}

impl OAuthCode {
    /// The wire string, e.g. `invalid_grant`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::AccessDenied => "access_denied",
            Self::InvalidTarget => "invalid_target",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::ServerError => "server_error",
        }
    }

    /// The HTTP status the edge handler answers with.
    pub fn status(self) -> u16 {
        match self {
            Self::InvalidGrant => 401,
            Self::UnauthorizedClient | Self::AccessDenied => 403,
            Self::ServerError => 500,
            Self::InvalidRequest | Self::InvalidTarget | Self::UnsupportedGrantType => 400,
        }
    }
}

/// Why `delegate` refused: an OAuth code and a description naming the cause and the fix.
#[derive(Debug, Clone, PartialEq)]
pub struct DelegationError {
    /// Stable OAuth code.
    pub code: OAuthCode,
    /// Human text (the Auth0 `error_description`).
    pub description: String,
}

impl DelegationError {
    /// A new error.
    pub fn new(code: OAuthCode, description: impl Into<String>) -> Self {
        Self { code, description: description.into() }
    }

    /// The Auth0 error body: `{"error": …, "error_description": …}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({ "error": self.code.as_str(), "error_description": self.description })
    }
}

impl fmt::Display for DelegationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.description)
    }
}

impl std::error::Error for DelegationError {}

/// A tenant configuration that cannot be used, with the JSON path of the offending member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// JSON path, e.g. `clients[2].jwt_configuration.alg`.
    pub path: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl ConfigError {
    pub(crate) fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self { path: path.into(), message: message.into() }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for ConfigError {}

/// Shortens attacker- or user-supplied text quoted in a message.
pub(crate) fn quote(s: &str) -> String {
    const MAX: usize = 64;
    let mut out: String = s.chars().take(MAX).collect();
    if s.chars().count() > MAX {
        out.push('…');
    }
    format!("{out:?}")
}
