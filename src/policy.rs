//! The policy hook (Auth0 Rules for delegation): after the subject token is verified and
//! before anything is minted, the host may deny the request, add claims, or override the
//! target's add-on settings for this one call.

use serde_json::{Map, Value};

use crate::error::{quote, DelegationError, OAuthCode};
use crate::json::kind;

/// What a policy decided.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Decision {
    /// Go on as configured.
    #[default]
    Allow,
    /// Refuse with `access_denied` and this reason (sent to the client as the description).
    Deny(String),
    /// Go on with extra claims (JWT formats) and add-on settings overridden for this call.
    Amend {
        /// Claims added to the minted JWT; never the token's own or reserved claims.
        claims: Map<String, Value>,
        /// Members that replace the target's `addons.<api_type>` settings for this call.
        addon: Map<String, Value>,
    },
}

fn returned(msg: impl Into<String>) -> DelegationError {
    DelegationError::new(
        OAuthCode::ServerError,
        format!(
            "the policy hook returned {}: return undefined, {{ deny: \"reason\" }} or {{ claims, addon }}",
            msg.into()
        ),
    )
}

impl Decision {
    /// Reads what a hook returned: `null` (go on), `{deny: "reason"}`, or `{claims?, addon?}`.
    /// Anything else is the host's mistake, reported as `server_error`.
    pub fn from_json(v: &Value) -> Result<Decision, DelegationError> {
        let o = match v {
            Value::Null => return Ok(Decision::Allow),
            Value::Object(o) => o,
            other => return Err(returned(kind(other))),
        };
        if let Some(name) = o.keys().find(|k| !matches!(k.as_str(), "deny" | "claims" | "addon")) {
            return Err(returned(format!("an object with member {}", quote(name))));
        }
        match o.get("deny") {
            None | Some(Value::Null) => {}
            Some(Value::String(reason)) if !reason.trim().is_empty() => return Ok(Decision::Deny(reason.clone())),
            Some(_) => return Err(returned("a deny that is not a non-empty string (the reason the client sees)")),
        }
        let member = |name: &str| match o.get(name) {
            None | Some(Value::Null) => Ok(Map::new()),
            Some(Value::Object(m)) => Ok(m.clone()),
            Some(other) => Err(returned(format!("{name} as {}, not an object", kind(other)))),
        };
        let (claims, addon) = (member("claims")?, member("addon")?);
        if claims.is_empty() && addon.is_empty() {
            return Ok(Decision::Allow);
        }
        Ok(Decision::Amend { claims, addon })
    }
}
