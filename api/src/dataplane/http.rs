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

/// Idle keep-alive connections kept per host by [`get_keepalive`].
const IDLE_PER_HOST: usize = 8;

/// Idle HTTP/1.1 connections by `host:port`. A reconnect storm starts one recorder per camera:
/// a fresh TCP connection (and nginx accept) per call cost more than the publish hook itself.
static IDLE: std::sync::Mutex<Vec<(String, TcpStream)>> = std::sync::Mutex::new(Vec::new());

/// Calls in flight at once, over all hosts (in practice one: this node's nginx).
static IN_FLIGHT: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(IDLE_PER_HOST);

fn take_idle(host: &str) -> Option<TcpStream> {
    let mut idle = IDLE.lock().unwrap_or_else(|e| e.into_inner());
    let i = idle.iter().rposition(|(h, _)| h == host)?;
    Some(idle.swap_remove(i).1)
}

fn put_idle(host: String, stream: TcpStream) {
    let mut idle = IDLE.lock().unwrap_or_else(|e| e.into_inner());
    if idle.iter().filter(|(h, _)| *h == host).count() < IDLE_PER_HOST {
        idle.push((host, stream));
    }
}

/// A GET over a reused HTTP/1.1 keep-alive connection (for nginx's `/control`). A pooled
/// connection the server closed meanwhile (nothing read back) is replaced by a fresh one, once.
pub async fn get_keepalive(url: &str, timeout: Duration) -> Result<Response, HttpError> {
    let (host, path) = split_url(url)?;
    let head = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n");
    tokio::time::timeout(timeout, async {
        // At most as many calls in flight as connections kept, so a storm reuses them all.
        let _permit = IN_FLIGHT.acquire().await.map_err(|_| HttpError::Timeout)?;
        if let Some(mut stream) = take_idle(&host) {
            if let Ok((resp, reusable)) = exchange(&mut stream, head.as_bytes()).await {
                if reusable {
                    put_idle(host, stream);
                }
                return Ok(resp);
            }
        }
        let mut stream = TcpStream::connect(&host).await?;
        stream.set_nodelay(true)?;
        let (resp, reusable) =
            exchange(&mut stream, head.as_bytes()).await.map_err(|Stale| HttpError::Malformed)?;
        if reusable {
            put_idle(host, stream);
        }
        Ok(resp)
    })
    .await
    .map_err(|_| HttpError::Timeout)?
}

/// The connection failed before a complete answer was read.
struct Stale;

/// One request and its answer on `stream`; `true` when the connection may be reused.
async fn exchange(stream: &mut TcpStream, request: &[u8]) -> Result<(Response, bool), Stale> {
    stream.write_all(request).await.map_err(|_| Stale)?;
    let mut raw = Vec::with_capacity(512);
    let head_end = loop {
        if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        read_more(stream, &mut raw).await?;
    };
    let head = String::from_utf8_lossy(&raw[..head_end]).to_ascii_lowercase();
    let status: u16 = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).ok_or(Stale)?;
    let header = |name: &str| {
        head.lines().find_map(|l| l.strip_prefix(name).and_then(|v| v.strip_prefix(':')).map(str::trim))
    };
    let length = match (status, header("content-length").and_then(|v| v.parse::<usize>().ok())) {
        (204 | 304, _) => Some(0),
        (_, length) => length,
    };
    if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        while !raw[head_end..].ends_with(b"0\r\n\r\n") {
            read_more(stream, &mut raw).await?;
        }
        let body = dechunk(&raw[head_end..]).ok_or(Stale)?;
        return Ok((Response { status, body }, header("connection") != Some("close")));
    }
    // Without a length the answer ends when the server closes the connection.
    let Some(length) = length else {
        let _ = stream.read_to_end(&mut raw).await;
        let body = String::from_utf8_lossy(&raw[head_end..]).to_string();
        return Ok((Response { status, body }, false));
    };
    while raw.len() < head_end + length {
        read_more(stream, &mut raw).await?;
    }
    let reusable = header("connection") != Some("close");
    let body = String::from_utf8_lossy(&raw[head_end..head_end + length]).to_string();
    Ok((Response { status, body }, reusable))
}

/// Appends what `stream` has next to `raw`; a closed or failed connection is [`Stale`].
async fn read_more(stream: &mut TcpStream, raw: &mut Vec<u8>) -> Result<(), Stale> {
    let mut chunk = [0u8; 4096];
    match stream.read(&mut chunk).await {
        Ok(0) | Err(_) => Err(Stale),
        Ok(n) => {
            raw.extend_from_slice(&chunk[..n]);
            Ok(())
        }
    }
}

/// A chunked body (`SIZE\r\nDATA\r\n … 0\r\n\r\n`) as text.
fn dechunk(mut raw: &[u8]) -> Option<String> {
    let mut body = Vec::new();
    loop {
        let line_end = raw.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&raw[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        if size == 0 {
            return Some(String::from_utf8_lossy(&body).to_string());
        }
        let data = raw.get(line_end + 2..line_end + 2 + size)?;
        body.extend_from_slice(data);
        raw = raw.get(line_end + 4 + size..)?;
    }
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

    #[test]
    fn decodes_chunked_bodies() {
        assert_eq!(dechunk(b"5\r\nhello\r\n1\r\n!\r\n0\r\n\r\n").as_deref(), Some("hello!"));
        assert_eq!(dechunk(b"zz\r\n"), None);
    }

    #[tokio::test]
    async fn reuses_a_keep_alive_connection() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/control/x", listener.local_addr().unwrap());
        let server = tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            for body in ["one", "two"] {
                let mut buf = [0u8; 1024];
                let n = s.read(&mut buf).await.unwrap();
                assert!(String::from_utf8_lossy(&buf[..n]).starts_with("GET /control/x HTTP/1.1"));
                let answer = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}", body.len());
                s.write_all(answer.as_bytes()).await.unwrap();
            }
        });
        for expected in ["one", "two"] {
            let r = get_keepalive(&url, Duration::from_secs(2)).await.unwrap();
            assert_eq!((r.status, r.body.as_str()), (200, expected));
        }
        server.await.unwrap();
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
