//! Signed, expiring links to one recording's MP4, for `<video src>` and download links, which
//! cannot carry an `Authorization` header. A link names the recording, what it opens (play or
//! download) and until when; it is checked without a session, so an access token never ends
//! up in a URL, a log or a player's range requests, and a long recording keeps playing after
//! the dashboard's short-lived access token has been refreshed.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{
    audit::{self, Change},
    recordings,
    signed_links::{sign, verify},
};
use crate::{
    auth::{Principal, RequestMeta},
    db::{self, recordings::RecordingRow},
    domain::AuditAction,
    error::{AppError, AppResult},
    state::AppState,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    Stream,
    Download,
    /// A finished clip export's MP4 (`/exports/{id}/download`).
    ExportDownload,
}

impl LinkKind {
    fn as_str(self) -> &'static str {
        match self {
            LinkKind::Stream => "stream",
            LinkKind::Download | LinkKind::ExportDownload => "download",
        }
    }

    /// What the signed id names: a link for one kind of thing never opens another.
    fn entity(self) -> &'static str {
        match self {
            LinkKind::Stream | LinkKind::Download => "recording",
            LinkKind::ExportDownload => "export",
        }
    }
}

/// `?expires=&sig=` of a signed link.
#[derive(Deserialize, Debug, utoipa::IntoParams)]
pub struct LinkQuery {
    /// Unix seconds until which the link works.
    pub expires: Option<i64>,
    /// Signature from `GET /recordings/{id}/links`.
    pub sig: Option<String>,
}

impl LinkQuery {
    pub fn is_signed(&self) -> bool {
        self.sig.is_some()
    }
}

#[derive(Serialize, Debug, utoipa::ToSchema)]
pub struct RecordingLinks {
    /// Plays in a `<video>` element (HTTP Range supported).
    pub stream_url: String,
    /// The MP4 as an attachment.
    pub download_url: String,
    pub expires_at: DateTime<Utc>,
}

fn message(id: &str, kind: LinkKind, expires: i64) -> String {
    format!("{}:{id}:{}:{expires}", kind.entity(), kind.as_str())
}

fn signature(secret: &str, id: &str, kind: LinkKind, expires: i64) -> AppResult<String> {
    sign(secret, &message(id, kind, expires))
}

/// `/api/v1/{recordings|exports}/{id}/{stream|download}?expires=…&sig=…`, relative.
pub fn signed_path(secret: &str, id: &str, kind: LinkKind, expires: i64) -> AppResult<String> {
    let sig = signature(secret, id, kind, expires)?;
    Ok(format!("/api/v1/{}s/{id}/{}?expires={expires}&sig={sig}", kind.entity(), kind.as_str()))
}

/// Checks a signed link's expiry and signature for `id` and `kind`: 403 when it is expired,
/// tampered or for another id or purpose.
pub fn check(secret: &str, id: &str, kind: LinkKind, q: &LinkQuery) -> AppResult<()> {
    if verify(secret, q.expires, q.sig.as_deref(), |e| message(id, kind, e))? {
        Ok(())
    } else {
        Err(AppError::forbidden(format!("{} link is invalid or expired", kind.entity())))
    }
}

/// Relative links (`/api/v1/recordings/{id}/stream?expires=…&sig=…`) valid for the playback TTL;
/// each issue is audited like a live playback.
pub async fn issue(
    state: &AppState,
    principal: &Principal,
    recording_id: &str,
    meta: &RequestMeta,
) -> AppResult<RecordingLinks> {
    let row = recordings::find_visible(state, principal, recording_id).await?;
    let expires_at = Utc::now() + chrono::Duration::seconds(state.settings.media.playback_ttl_secs);
    let expires = expires_at.timestamp();
    let secret = &state.media.playback_secret;
    let link = |kind: LinkKind| signed_path(secret, &row.id, kind, expires);
    let links = RecordingLinks {
        stream_url: link(LinkKind::Stream)?,
        download_url: link(LinkKind::Download)?,
        expires_at,
    };
    let change = Change::new(AuditAction::RecordingLinkIssued)
        .on("recording", &row.id)
        .after(serde_json::json!({ "camera_id": row.camera_id, "expires_at": expires_at }));
    audit::record(state, &principal.into(), meta, change).await?;
    Ok(links)
}

/// The recording a signed link opens; 403 when the link is expired, tampered or for another
/// recording or purpose.
pub async fn open(
    state: &AppState,
    recording_id: &str,
    kind: LinkKind,
    q: &LinkQuery,
) -> AppResult<RecordingRow> {
    check(&state.media.playback_secret, recording_id, kind, q)?;
    let id = recording_id.to_string();
    state
        .db
        .run(move |c| db::recordings::find(c, &id))
        .await?
        .ok_or_else(|| AppError::not_found("recording not found"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_binds_recording_purpose_and_expiry() {
        let base = signature("secret-0123456789", "rec-1", LinkKind::Stream, 100).unwrap();
        assert_eq!(base.len(), 64);
        assert_eq!(base, signature("secret-0123456789", "rec-1", LinkKind::Stream, 100).unwrap());
        for other in [
            signature("secret-0123456789", "rec-2", LinkKind::Stream, 100).unwrap(),
            signature("secret-0123456789", "rec-1", LinkKind::Download, 100).unwrap(),
            signature("secret-0123456789", "rec-1", LinkKind::Stream, 101).unwrap(),
            signature("another-secret-01", "rec-1", LinkKind::Stream, 100).unwrap(),
            signature("secret-0123456789", "rec-1", LinkKind::ExportDownload, 100).unwrap(),
        ] {
            assert_ne!(base, other);
        }
    }
}
