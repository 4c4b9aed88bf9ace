//! Signed webhook POSTs.

use std::time::Duration;

use super::payload::signature;
use crate::db::alert_deliveries::DeliveryRow;

/// A webhook must answer within this.
const TIMEOUT: Duration = Duration::from_secs(15);

/// How one send ended: `error` is `None` when it was delivered.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub status: Option<i32>,
    pub error: Option<String>,
}

pub fn client() -> reqwest13::Client {
    reqwest13::Client::builder()
        .timeout(TIMEOUT)
        .redirect(reqwest13::redirect::Policy::none())
        .user_agent(concat!("argus/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_default()
}

/// POSTs the frozen payload with the `X-Argus-*` headers; 2xx = delivered.
pub async fn send(client: &reqwest13::Client, url: &str, secret: &str, delivery: &DeliveryRow) -> Outcome {
    let timestamp = chrono::Utc::now().timestamp();
    let result = client
        .post(url)
        .header("content-type", "application/json")
        .header("x-argus-event", &delivery.event)
        .header("x-argus-delivery", &delivery.id)
        .header("x-argus-timestamp", timestamp.to_string())
        .header("x-argus-signature", signature(secret, timestamp, &delivery.payload))
        .body(delivery.payload.clone())
        .send()
        .await;
    match result {
        Ok(resp) if resp.status().is_success() => {
            Outcome { status: Some(resp.status().as_u16().into()), error: None }
        }
        Ok(resp) => {
            let status = resp.status();
            let text: String = resp.text().await.unwrap_or_default().chars().take(200).collect();
            Outcome { status: Some(status.as_u16().into()), error: Some(format!("HTTP {status}: {text}")) }
        }
        Err(e) => Outcome { status: None, error: Some(error_chain(&e)) },
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
