//! Short-lived HS256 access tokens. The signing secret comes from `ARGUS_JWT_SECRET` or is
//! generated once and kept in the data dir — never a built-in default.

use std::path::Path;

use chrono::Utc;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};

const ISSUER: &str = "argus";

#[derive(Debug, Serialize, Deserialize, Clone)]
pub struct Claims {
    /// User id.
    pub sub: String,
    /// Session id: logout or revocation of the session kills its access tokens too.
    pub sid: String,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
}

pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    pub ttl_secs: i64,
}

impl JwtKeys {
    pub fn new(secret: &[u8], ttl_secs: i64) -> JwtKeys {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.leeway = 5;
        JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl_secs,
        }
    }

    pub fn issue(&self, user_id: &str, session_id: &str) -> AppResult<String> {
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: user_id.to_string(),
            sid: session_id.to_string(),
            iat: now,
            exp: now + self.ttl_secs,
            iss: ISSUER.to_string(),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| AppError::internal(format!("jwt encode: {e}")))
    }

    pub fn verify(&self, token: &str) -> AppResult<Claims> {
        decode::<Claims>(token, &self.decoding, &self.validation).map(|d| d.claims).map_err(|e| {
            match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                    AppError::unauthorized("access token expired")
                }
                _ => AppError::unauthorized("invalid access token"),
            }
        })
    }
}

/// The configured secret, or the one persisted in `data_dir/<name>` (created on first use,
/// readable by the owner only). Used for the JWT, hook and playback secrets.
pub fn load_or_create_secret(configured: Option<&str>, data_dir: &Path, name: &str) -> AppResult<String> {
    if let Some(s) = configured {
        return Ok(s.to_string());
    }
    let path = data_dir.join(name);
    match std::fs::read_to_string(&path) {
        Ok(s) if s.trim().len() >= 32 => return Ok(s.trim().to_string()),
        Ok(_) => {
            return Err(AppError::internal(format!(
                "{} is shorter than 32 characters; delete it or configure the secret",
                path.display()
            )))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(AppError::internal(format!("cannot read {}: {e}", path.display()))),
    }
    std::fs::create_dir_all(data_dir)
        .map_err(|e| AppError::internal(format!("cannot create {}: {e}", data_dir.display())))?;
    let secret = super::random_secret(48);
    write_private(&path, &secret)
        .map_err(|e| AppError::internal(format!("cannot write {}: {e}", path.display())))?;
    tracing::info!(path = %path.display(), "generated a new secret");
    Ok(secret)
}

fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)?.write_all(content.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_token_verifies_and_tampering_fails() {
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef", 60);
        let token = keys.issue("u1", "s1").expect("issue");
        let claims = keys.verify(&token).expect("verify");
        assert_eq!((claims.sub.as_str(), claims.sid.as_str()), ("u1", "s1"));
        let other = JwtKeys::new(b"ffffffffffffffffffffffffffffffff", 60);
        assert!(other.verify(&token).is_err());
        assert!(keys.verify("not.a.jwt").is_err());
    }

    #[test]
    fn expired_token_is_rejected() {
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef", -60);
        let token = keys.issue("u1", "s1").expect("issue");
        assert_eq!(keys.verify(&token).unwrap_err().message, "access token expired");
    }

    #[test]
    fn secret_is_generated_once_and_reused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = load_or_create_secret(None, dir.path(), "jwt_secret").expect("create");
        let b = load_or_create_secret(None, dir.path(), "jwt_secret").expect("reuse");
        let other = load_or_create_secret(None, dir.path(), "hook_secret").expect("create");
        assert_eq!(a, b);
        assert_ne!(a, other);
        assert!(a.len() >= 32);
        let configured = "x".repeat(40);
        assert_eq!(load_or_create_secret(Some(&configured), dir.path(), "jwt_secret").unwrap(), configured);
    }
}
