//! Authentication primitives: JWTs, argon2 passwords, permissions and the request extractors.

pub mod extract;
pub mod jwt;
pub mod password;
pub mod permissions;
pub mod principal;

use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

pub use extract::Authorized;
pub use permissions::{require, Permission, Role};
pub use principal::{Principal, RequestMeta};

/// `bytes` random bytes from the OS generator, URL-safe base64 without padding.
pub fn random_secret(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

pub fn sha256_hex(input: &str) -> String {
    hex::encode(Sha256::digest(input.as_bytes()))
}

/// Constant-time comparison for secrets.
pub fn secure_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
