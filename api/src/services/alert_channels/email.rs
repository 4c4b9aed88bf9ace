//! Alert e-mail over SMTP (lettre): one message per alert, or one grouped message for several.

use std::{str::FromStr, time::Duration};

use lettre::{
    message::header::ContentType, transport::smtp::authentication::Credentials, Address, AsyncSmtpTransport,
    AsyncTransport, Message, Tokio1Executor,
};
use serde_json::Value;

use super::payload;
use crate::config::{ChannelSettings, SmtpSecurity};

const TIMEOUT: Duration = Duration::from_secs(30);

fn transport(cfg: &ChannelSettings) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let host = cfg.smtp_host.as_deref().ok_or("no SMTP server configured (ARGUS_SMTP_HOST)")?;
    let builder = match cfg.smtp_security {
        SmtpSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
        SmtpSecurity::StartTls => {
            AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host).map_err(|e| format!("SMTP: {e}"))?
        }
        SmtpSecurity::Tls => {
            AsyncSmtpTransport::<Tokio1Executor>::relay(host).map_err(|e| format!("SMTP: {e}"))?
        }
    };
    let mut builder = builder.port(cfg.smtp_port).timeout(Some(TIMEOUT));
    if let (Some(user), Some(password)) = (&cfg.smtp_username, &cfg.smtp_password) {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    Ok(builder.build())
}

/// Sends the alerts in `bodies` to `to`: one message for one alert, a grouped one for several.
pub async fn send(cfg: &ChannelSettings, to: &[String], bodies: &[Value]) -> Result<(), String> {
    let (subject, text) = match bodies {
        [one] => payload::single_email(one),
        many => payload::grouped_email(many),
    };
    let from = Address::from_str(&cfg.smtp_from).map_err(|e| format!("ARGUS_SMTP_FROM: {e}"))?;
    let mut message = Message::builder().from(from.into()).subject(subject).header(ContentType::TEXT_PLAIN);
    for addr in to {
        let addr = Address::from_str(addr).map_err(|e| format!("{addr:?}: {e}"))?;
        message = message.to(addr.into());
    }
    let message = message.body(text).map_err(|e| format!("building the message: {e}"))?;
    transport(cfg)?.send(message).await.map_err(|e| format!("SMTP: {e}"))?;
    Ok(())
}
