//! Signing of links that work without a session (a recording's MP4, recorded playback): an
//! HMAC-SHA256 under the playback secret over a message naming what the link opens and until when.

use chrono::Utc;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::{
    auth::secure_eq,
    error::{AppError, AppResult},
};

/// HMAC-SHA256 (hex) of `message` under the playback secret: the signature of every signed
/// link. Each kind of link signs a message naming its kind, what it opens and its expiry.
pub fn sign(secret: &str, message: &str) -> AppResult<String> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .map_err(|_| AppError::internal("playback secret unusable as an HMAC key"))?;
    mac.update(message.as_bytes());
    Ok(hex::encode(mac.finalize().into_bytes()))
}

/// Whether `sig` is a valid signature now: present, unexpired, and of `message(expires)`.
pub fn verify(
    secret: &str,
    expires: Option<i64>,
    sig: Option<&str>,
    message: impl FnOnce(i64) -> String,
) -> AppResult<bool> {
    let (Some(expires), Some(sig)) = (expires, sig) else { return Ok(false) };
    if expires < Utc::now().timestamp() {
        return Ok(false);
    }
    Ok(secure_eq(&sign(secret, &message(expires))?, sig))
}
