//! What a channel receives: the alert as JSON plus the event, frozen when enqueued; the webhook
//! signature over it; and the text of an alert e-mail.

use chrono::Utc;
use hmac::{Hmac, Mac};
use serde::Serialize;
use serde_json::{json, Value};
use sha2::Sha256;

use super::AlertEvent;

pub use crate::services::alerts::view::AlertView;

/// The webhook body: the alert's JSON with `"event"` added.
pub fn body(alert: &impl Serialize, event: AlertEvent) -> Value {
    let mut v = serde_json::to_value(alert).unwrap_or_else(|_| json!({}));
    if let Some(map) = v.as_object_mut() {
        map.insert("event".into(), json!(event.as_str()));
    }
    v
}

/// The body of a "send test" delivery: shaped like an alert, of type `test`.
pub fn test_body(channel_name: &str) -> Value {
    let now = Utc::now();
    json!({
        "id": crate::db::new_id(),
        "type": "test",
        "severity": "info",
        "state": "open",
        "camera_id": null,
        "camera_name": null,
        "count": 1,
        "first_seen": now,
        "last_seen": now,
        "message": format!("Test delivery to the alert channel {channel_name:?}"),
        "acknowledged_at": null,
        "acknowledged_by": null,
        "resolved_at": null,
        "resolved_by": null,
        "event": AlertEvent::Test.as_str(),
    })
}

/// `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`.
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

fn field<'a>(v: &'a Value, name: &str) -> &'a str {
    v.get(name).and_then(Value::as_str).unwrap_or("")
}

/// One line per alert, for a grouped e-mail and a subject.
pub fn headline(v: &Value) -> String {
    let camera = match field(v, "camera_name") {
        "" => String::new(),
        name => format!(" [{name}]"),
    };
    format!(
        "{} {} ({}){camera}: {}",
        field(v, "event"),
        field(v, "type"),
        field(v, "severity"),
        field(v, "message")
    )
}

/// The plain-text body of one alert's e-mail.
pub fn email_text(v: &Value) -> String {
    let mut text = format!("{}\n\n", headline(v));
    for name in ["id", "type", "severity", "state", "camera_id", "camera_name", "first_seen", "last_seen"] {
        match v.get(name) {
            Some(Value::String(s)) => text.push_str(&format!("{name}: {s}\n")),
            Some(Value::Number(n)) => text.push_str(&format!("{name}: {n}\n")),
            _ => {}
        }
    }
    if let Some(n) = v.get("count") {
        text.push_str(&format!("count: {n}\n"));
    }
    text
}

/// One e-mail for several alerts due at once.
pub fn grouped_email(bodies: &[Value]) -> (String, String) {
    let subject = format!("[Argus] {} alerts", bodies.len());
    let mut text = format!("{} alert notifications:\n\n", bodies.len());
    for v in bodies {
        text.push_str(&format!("- {}\n", headline(v)));
    }
    text.push_str("\nDetails:\n");
    for v in bodies {
        text.push_str(&format!("\n{}", email_text(v)));
    }
    (subject, text)
}

pub fn single_email(v: &Value) -> (String, String) {
    (format!("[Argus] {}", headline(v)), email_text(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_hmac_sha256_of_timestamp_dot_body() {
        // echo -n '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret
        assert_eq!(
            signature("secret", 1_700_000_000, r#"{"a":1}"#),
            "sha256=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686"
        );
        assert_ne!(signature("secret", 1, "x"), signature("secret", 2, "x"));
        assert_ne!(signature("a", 1, "x"), signature("b", 1, "x"));
    }

    #[test]
    fn body_adds_the_event() {
        let v = body(&json!({"id": "a", "type": "camera.offline"}), AlertEvent::Resolved);
        assert_eq!(v["event"], "resolved");
        assert_eq!(v["type"], "camera.offline");
    }

    #[test]
    fn grouped_email_lists_every_alert() {
        let a = json!({"event": "opened", "type": "camera.offline", "severity": "critical", "message": "cam A gone"});
        let b = json!({"event": "opened", "type": "storage.low", "severity": "warning", "message": "disk"});
        let (subject, text) = grouped_email(&[a, b]);
        assert_eq!(subject, "[Argus] 2 alerts");
        assert!(text.contains("cam A gone") && text.contains("storage.low"), "{text}");
    }
}
