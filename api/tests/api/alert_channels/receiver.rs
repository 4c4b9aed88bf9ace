//! A real HTTP webhook receiver for the tests: an actix server on a random port that checks
//! each delivery's signature with the channel's secret and answers the scripted statuses.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::helpers::poll_until;

#[derive(Clone, Debug)]
pub struct Received {
    pub delivery: String,
    pub event: String,
    pub signature_ok: bool,
    pub body: serde_json::Value,
    /// What the receiver answered.
    pub status: u16,
}

#[derive(Default)]
struct Inner {
    secret: String,
    /// Statuses to answer, in order; 200 once they run out.
    script: Vec<u16>,
    received: Vec<Received>,
}

#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    inner: Arc<Mutex<Inner>>,
}

impl Receiver {
    pub async fn start(script: Vec<u16>) -> Receiver {
        let inner = Arc::new(Mutex::new(Inner { script, ..Default::default() }));
        let data = web::Data::new(inner.clone());
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let server =
            HttpServer::new(move || App::new().app_data(data.clone()).default_service(web::to(hook)))
                .workers(1)
                .listen(listener)
                .expect("listen")
                .run();
        tokio::spawn(server);
        Receiver { url: format!("http://127.0.0.1:{port}/hook"), inner }
    }

    pub fn set_secret(&self, secret: &str) {
        self.inner.lock().unwrap().secret = secret.to_string();
    }

    /// From now on answer `status` to everything.
    pub fn answer(&self, status: u16) {
        let mut inner = self.inner.lock().unwrap();
        inner.script = vec![status; 1000];
    }

    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().unwrap().received.clone()
    }
}

/// `sha256=` + hex HMAC-SHA256(secret, "<timestamp>.<body>"), computed here independently.
pub fn expected_signature(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

async fn hook(req: HttpRequest, body: web::Bytes, inner: web::Data<Arc<Mutex<Inner>>>) -> HttpResponse {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let mut inner = inner.lock().unwrap();
    let expected = expected_signature(&inner.secret, &header("x-argus-timestamp"), &body);
    let status = if inner.script.is_empty() { 200 } else { inner.script.remove(0) };
    inner.received.push(Received {
        delivery: header("x-argus-delivery"),
        event: header("x-argus-event"),
        signature_ok: header("x-argus-signature") == expected,
        body: serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
        status,
    });
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap()).body("")
}

/// The test SMTP server (aiosmtpd, started by scripts/test.sh): its port and Maildir. Unset
/// outside the test script: the caller is skipped with a note, but under CI it must be there.
pub fn smtp_server() -> Option<(String, String)> {
    match (std::env::var("TEST_SMTP_PORT"), std::env::var("TEST_SMTP_DIR")) {
        (Ok(port), Ok(dir)) => Some((port, dir)),
        _ => {
            let hint = "scripts/test.sh starts aiosmtpd: eval \"$(bash scripts/smtp-test-server.sh)\"";
            assert!(
                std::env::var_os("CI").is_none(),
                "TEST_SMTP_PORT / TEST_SMTP_DIR unset under CI ({hint})"
            );
            eprintln!("SKIPPED: TEST_SMTP_PORT / TEST_SMTP_DIR unset ({hint})");
            None
        }
    }
}

/// The messages in the aiosmtpd Maildir that contain `marker` (soft line breaks undone).
pub fn mails_with(dir: &str, marker: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(format!("{dir}/new")) else { return vec![] };
    entries
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .map(|m| m.replace("=\r\n", "").replace("=\n", ""))
        .filter(|m| m.contains(marker))
        .collect()
}

pub async fn wait_mails(dir: &str, marker: &str, n: usize) -> Vec<String> {
    poll_until(&format!("{n} mail(s) with {marker}"), Duration::from_secs(30), || async {
        let mails = mails_with(dir, marker);
        if mails.len() >= n {
            Ok(mails)
        } else {
            Err(format!("{} arrived", mails.len()))
        }
    })
    .await
}
