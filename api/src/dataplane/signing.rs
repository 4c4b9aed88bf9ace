//! Signed HLS URLs, checked by nginx's `secure_link` without asking Argus. The token sits in
//! the path (`/hls/<token>/<expires>/<stream>/…`) so relative segment URIs inherit it and every
//! HLS player works without custom headers. It covers one camera's folder until `expires`.

use base64::Engine;
use md5::{Digest, Md5};

/// What `secure_link_md5 "$secure_link_expires$stream $secret"` computes, base64url without
/// padding.
pub fn token(secret: &str, stream: &str, expires: i64) -> String {
    let digest = Md5::digest(format!("{expires}{stream} {secret}").as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
}

/// `{base}/hls/{token}/{expires}/{stream}/{file}`.
pub fn hls_url(base: &str, secret: &str, stream: &str, file: &str, expires: i64) -> String {
    format!("{base}/hls/{}/{expires}/{stream}/{file}", token(secret, stream, expires))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_matches_nginx_secure_link_md5() {
        // echo -n '1700000000cam-1 s3cret' | openssl md5 -binary | base64 | tr '+/' '-_' | tr -d '='
        assert_eq!(token("s3cret", "cam-1", 1_700_000_000), "KZuPAUPLMn0e-6i057-lHg");
        assert_ne!(token("s3cret", "cam-2", 1_700_000_000), token("s3cret", "cam-1", 1_700_000_000));
    }

    #[test]
    fn url_puts_the_token_in_the_path() {
        let url = hls_url("http://h:8088", "s", "cam", "index.m3u8", 42);
        assert!(url.starts_with("http://h:8088/hls/") && url.ends_with("/42/cam/index.m3u8"), "{url}");
    }
}
