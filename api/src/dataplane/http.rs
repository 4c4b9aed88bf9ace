//! A minimal HTTP/1.0 client for loopback calls to nginx (`/stat`, `/control`) and from
//! `argus transcode` to the API. HTTP/1.0 keeps answers un-chunked; no TLS is ever needed here.

use std::time::Duration;

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("timed out")]
    Timeout,
    #[error("malformed response")]
    Malformed,
    #[error("bad url {0}")]
    BadUrl(String),
}

pub struct Response {
    pub status: u16,
    pub body: String,
}

/// `http://host:port/path?query` → (`host:port`, `/path?query`).
pub fn split_url(url: &str) -> Result<(String, String), HttpError> {
    let rest = url.strip_prefix("http://").ok_or_else(|| HttpError::BadUrl(url.into()))?;
    let (host, path) = rest.split_once('/').map(|(h, p)| (h, format!("/{p}"))).unwrap_or((rest, "/".into()));
    let host = if host.contains(':') { host.to_string() } else { format!("{host}:80") };
    Ok((host, path))
}

pub async fn request(
    method: &str,
    url: &str,
    body: Option<(&str, &[u8])>,
    timeout: Duration,
) -> Result<Response, HttpError> {
    let (host, path) = split_url(url)?;
    tokio::time::timeout(timeout, async {
        let mut stream = TcpStream::connect(&host).await?;
        let mut head = format!("{method} {path} HTTP/1.0\r\nHost: {host}\r\nConnection: close\r\n");
        if let Some((content_type, bytes)) = body {
            head.push_str(&format!("Content-Type: {content_type}\r\nContent-Length: {}\r\n", bytes.len()));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).await?;
        if let Some((_, bytes)) = body {
            stream.write_all(bytes).await?;
        }
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await?;
        parse(&raw)
    })
    .await
    .map_err(|_| HttpError::Timeout)?
}

fn parse(raw: &[u8]) -> Result<Response, HttpError> {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n").ok_or(HttpError::Malformed)?;
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).ok_or(HttpError::Malformed)?;
    Ok(Response { status, body: body.to_string() })
}

pub async fn get(url: &str, timeout: Duration) -> Result<Response, HttpError> {
    request("GET", url, None, timeout).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_urls() {
        let (h, p) = split_url("http://127.0.0.1:8088/control/drop/publisher?app=live&name=x").unwrap();
        assert_eq!(h, "127.0.0.1:8088");
        assert_eq!(p, "/control/drop/publisher?app=live&name=x");
        assert_eq!(split_url("http://example").unwrap(), ("example:80".into(), "/".into()));
        assert!(split_url("https://x").is_err());
    }

    #[test]
    fn parses_status_and_body() {
        let r = parse(b"HTTP/1.1 404 Not Found\r\nServer: nginx\r\n\r\nnope").unwrap();
        assert_eq!((r.status, r.body.as_str()), (404, "nope"));
        assert!(parse(b"garbage").is_err());
    }

    #[tokio::test]
    async fn talks_to_a_real_socket() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/x", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 1024];
            let n = s.read(&mut buf).await.unwrap();
            assert!(String::from_utf8_lossy(&buf[..n]).starts_with("GET /x HTTP/1.0"));
            s.write_all(b"HTTP/1.0 200 OK\r\n\r\nhello").await.unwrap();
        });
        let r = get(&url, Duration::from_secs(2)).await.unwrap();
        assert_eq!((r.status, r.body.as_str()), (200, "hello"));
    }
}
