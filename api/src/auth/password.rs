//! argon2id password hashing and the password strength rule.

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};

use crate::error::{AppError, AppResult};

pub fn hash(password: &str) -> AppResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::internal(format!("argon2: {e}")))
}

/// False for a wrong password and for a malformed stored hash alike.
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

/// A hash of a random password: verified against when a username does not exist, so a login
/// for an unknown user costs the same time as one for a known user.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash(&crate::auth::random_secret(16)).unwrap_or_default())
}

/// At least 10 characters, with a letter and a digit, and not the username.
pub fn check_strength(password: &str, username: &str) -> Result<(), &'static str> {
    if password.chars().count() < 10 {
        return Err("must be at least 10 characters");
    }
    if password.chars().count() > 128 {
        return Err("must be at most 128 characters");
    }
    if !password.chars().any(|c| c.is_alphabetic()) || !password.chars().any(|c| c.is_numeric()) {
        return Err("must contain a letter and a digit");
    }
    if password.eq_ignore_ascii_case(username) {
        return Err("must differ from the username");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_verifies_only_the_right_password() {
        let h = hash("correct horse 1").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse 1", &h));
        assert!(!verify("wrong horse 1", &h));
        assert!(!verify("x", "not a hash"));
    }

    #[test]
    fn strength_rules() {
        assert!(check_strength("short1", "bob").is_err());
        assert!(check_strength("onlyletterslong", "bob").is_err());
        assert!(check_strength("1234567890", "bob").is_err());
        assert!(check_strength("Alice12345", "alice12345").is_err());
        assert!(check_strength("good password 7", "bob").is_ok());
    }
}
