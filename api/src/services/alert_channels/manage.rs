//! Channel administration: create (the webhook secret shown once), list, read, change, delete,
//! "send test" and the delivery log. Every change is audited.

use std::str::FromStr;

use super::{
    insert_delivery, is_alert_type, payload,
    views::{ChannelKind, ChannelView, CreatedChannel, DeliveryView, NewChannel, UpdateChannel},
    wake, AlertEvent,
};
use crate::{
    auth::{Principal, RequestMeta},
    db::{
        self,
        alert_channels::{ChannelChanges, ChannelRow},
        DbConn,
    },
    domain::AuditAction,
    error::{AppError, AppResult},
    services::{
        audit::{self, Change},
        paging::{Page, Paging},
    },
    state::AppState,
};

const ENTITY: &str = "alert_channel";

fn check_name(name: &str) -> AppResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AppError::field("name", "length", "must be 1 to 200 characters long"));
    }
    Ok(name.to_string())
}

fn check_url(url: &str) -> AppResult<String> {
    let ok = reqwest13::Url::parse(url.trim())
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some());
    if !ok {
        return Err(AppError::field("url", "url", "must be an http:// or https:// URL"));
    }
    Ok(url.trim().to_string())
}

fn check_to(to: &[String]) -> AppResult<String> {
    let list: Vec<String> = to.iter().map(|a| a.trim().to_string()).filter(|a| !a.is_empty()).collect();
    if list.is_empty() {
        return Err(AppError::field("to", "required", "an e-mail channel needs at least one address"));
    }
    if let Some(bad) = list.iter().find(|a| a.contains(',') || lettre::Address::from_str(a).is_err()) {
        return Err(AppError::field("to", "email", &format!("{bad:?} is not an e-mail address")));
    }
    Ok(list.join(","))
}

fn check_types(types: &[String]) -> AppResult<String> {
    if let Some(bad) = types.iter().find(|t| !is_alert_type(t)) {
        return Err(AppError::field("alert_types", "unknown", &format!("{bad:?} is not an alert type")));
    }
    json_list(types)
}

/// "" for an empty list (= everything), else a sorted JSON array.
fn json_list(items: &[String]) -> AppResult<String> {
    if items.is_empty() {
        return Ok(String::new());
    }
    let mut items = items.to_vec();
    items.sort();
    items.dedup();
    serde_json::to_string(&items).map_err(|e| AppError::internal(e.to_string()))
}

fn check_cameras(c: &mut DbConn, ids: &[String]) -> AppResult<()> {
    for id in ids {
        if db::cameras::find(c, id)?.is_none() {
            return Err(AppError::field("camera_ids", "unknown", &format!("no camera {id}")));
        }
    }
    Ok(())
}

pub async fn create(
    state: &AppState,
    principal: &Principal,
    input: NewChannel,
    meta: &RequestMeta,
) -> AppResult<CreatedChannel> {
    let name = check_name(&input.name)?;
    let (url, email_to, secret) = match input.kind {
        ChannelKind::Webhook => {
            if input.to.is_some() {
                return Err(AppError::field("to", "not_allowed", "only e-mail channels have recipients"));
            }
            let url = check_url(input.url.as_deref().unwrap_or(""))?;
            (Some(url), None, Some(new_secret()))
        }
        ChannelKind::Email => {
            if input.url.is_some() {
                return Err(AppError::field("url", "not_allowed", "only webhook channels have a URL"));
            }
            (None, Some(check_to(input.to.as_deref().unwrap_or(&[]))?), None)
        }
    };
    let alert_types = check_types(input.alert_types.as_deref().unwrap_or(&[]))?;
    let camera_list = input.camera_ids.unwrap_or_default();
    let now = db::now();
    let row = ChannelRow {
        id: db::new_id(),
        name,
        kind: input.kind.as_str().into(),
        url,
        email_to,
        secret: secret.clone(),
        alert_types,
        camera_ids: json_list(&camera_list)?,
        enabled: true,
        disabled_reason: None,
        failing_since: None,
        created_by: principal.actor_name().to_string(),
        created_at: now,
        updated_at: now,
    };
    let channel = ChannelView::from(row.clone());
    let entry = audit::entry(
        &principal.into(),
        meta,
        Change::new(AuditAction::AlertChannelCreated).on(ENTITY, &row.id).after(&channel),
    );
    state
        .db
        .transaction(move |c| {
            check_cameras(c, &camera_list)?;
            db::alert_channels::insert(c, &row)?;
            audit::write(c, &entry)
        })
        .await?;
    Ok(CreatedChannel { channel, secret })
}

/// 32 random bytes, hex.
fn new_secret() -> String {
    use rand::RngCore;
    let mut buf = [0u8; 32];
    rand::rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

async fn find(state: &AppState, id: &str) -> AppResult<ChannelRow> {
    let id = id.to_string();
    state
        .db
        .run(move |c| db::alert_channels::find(c, &id))
        .await?
        .ok_or_else(|| AppError::not_found("alert channel not found"))
}

pub async fn get(state: &AppState, id: &str) -> AppResult<ChannelView> {
    find(state, id).await.map(ChannelView::from)
}

pub async fn list(state: &AppState) -> AppResult<Vec<ChannelView>> {
    let rows = state.db.run(db::alert_channels::all).await?;
    Ok(rows.into_iter().map(ChannelView::from).collect())
}

pub async fn update(
    state: &AppState,
    principal: &Principal,
    id: &str,
    input: UpdateChannel,
    meta: &RequestMeta,
) -> AppResult<ChannelView> {
    let before = find(state, id).await?;
    let webhook = before.kind == ChannelKind::Webhook.as_str();
    let mut changes = ChannelChanges { updated_at: Some(db::now()), ..Default::default() };
    if let Some(name) = &input.name {
        changes.name = Some(check_name(name)?);
    }
    match (&input.url, &input.to, webhook) {
        (Some(_), _, false) => {
            return Err(AppError::field("url", "not_allowed", "only webhook channels have a URL"))
        }
        (_, Some(_), true) => {
            return Err(AppError::field("to", "not_allowed", "only e-mail channels have recipients"))
        }
        (Some(url), _, true) => changes.url = Some(Some(check_url(url)?)),
        (_, Some(to), false) => changes.email_to = Some(Some(check_to(to)?)),
        _ => {}
    }
    if let Some(types) = &input.alert_types {
        changes.alert_types = Some(check_types(types)?);
    }
    if let Some(ids) = &input.camera_ids {
        changes.camera_ids = Some(json_list(ids)?);
    }
    if let Some(enabled) = input.enabled {
        changes.enabled = Some(enabled);
        if enabled {
            changes.failing_since = Some(None);
            changes.disabled_reason = Some(None);
        } else {
            changes.disabled_reason = Some(Some(format!("disabled by {}", principal.actor_name())));
        }
    }
    let (cid, cameras) = (id.to_string(), input.camera_ids.clone().unwrap_or_default());
    let actor = audit::Actor::from(principal);
    let meta = meta.clone();
    let old = ChannelView::from(before);
    let after = state
        .db
        .transaction(move |c| {
            check_cameras(c, &cameras)?;
            db::alert_channels::update(c, &cid, &changes)?;
            let row = db::alert_channels::find(c, &cid)?
                .ok_or_else(|| AppError::not_found("alert channel not found"))?;
            let view = ChannelView::from(row);
            let change =
                Change::new(AuditAction::AlertChannelUpdated).on(ENTITY, &cid).before(&old).after(&view);
            audit::write(c, &audit::entry(&actor, &meta, change))?;
            Ok(view)
        })
        .await?;
    Ok(after)
}

pub async fn delete(state: &AppState, principal: &Principal, id: &str, meta: &RequestMeta) -> AppResult<()> {
    let before = get(state, id).await?;
    let entry = audit::entry(
        &principal.into(),
        meta,
        Change::new(AuditAction::AlertChannelDeleted).on(ENTITY, id).before(&before),
    );
    let cid = id.to_string();
    state
        .db
        .transaction(move |c| {
            db::alert_channels::delete(c, &cid)?;
            audit::write(c, &entry)
        })
        .await
}

/// Enqueues a `test` delivery to the channel (sent even when it is disabled, to check a fix).
pub async fn send_test(
    state: &AppState,
    principal: &Principal,
    id: &str,
    meta: &RequestMeta,
) -> AppResult<DeliveryView> {
    let channel = find(state, id).await?;
    let body = payload::test_body(&channel.name);
    let actor = audit::Actor::from(principal);
    let meta = meta.clone();
    let view = state
        .db
        .transaction(move |c| {
            let did = insert_delivery(c, &channel.id, None, AlertEvent::Test, &body)?;
            let change = Change::new(AuditAction::AlertChannelTested)
                .on(ENTITY, &channel.id)
                .after(serde_json::json!({ "delivery_id": did }));
            audit::write(c, &audit::entry(&actor, &meta, change))?;
            let row = db::alert_deliveries::find(c, &did)?
                .ok_or_else(|| AppError::internal("delivery vanished"))?;
            Ok(DeliveryView::from(row))
        })
        .await?;
    wake(state);
    Ok(view)
}

/// A channel's delivery log, newest first.
pub async fn deliveries(state: &AppState, id: &str, paging: Paging) -> AppResult<Page<DeliveryView>> {
    find(state, id).await?;
    let (cid, page) = (id.to_string(), paging.request());
    let (rows, total) = state.db.run(move |c| db::alert_deliveries::list(c, &cid, page)).await?;
    Ok(Page::new(rows.into_iter().map(DeliveryView::from).collect(), total, page))
}

#[cfg(test)]
mod tests {
    use super::{super::views::split_addresses, *};

    #[test]
    fn urls_must_be_http_or_https() {
        assert!(check_url("https://hooks.example.com/x").is_ok());
        assert!(check_url("http://127.0.0.1:9000/").is_ok());
        assert!(check_url("ftp://example.com").is_err());
        assert!(check_url("not a url").is_err());
        assert!(check_url("").is_err());
    }

    #[test]
    fn addresses_are_checked_and_joined() {
        assert_eq!(
            check_to(&["a@example.com".into(), " b@example.org ".into()]).unwrap(),
            "a@example.com,b@example.org"
        );
        assert!(check_to(&[]).is_err());
        assert!(check_to(&["nobody".into()]).is_err());
        assert!(check_to(&["a@example.com,b@example.com".into()]).is_err());
        assert_eq!(split_addresses("a@x.io,b@y.io"), vec!["a@x.io", "b@y.io"]);
    }

    #[test]
    fn alert_types_must_be_known() {
        assert_eq!(check_types(&[]).unwrap(), "");
        assert_eq!(
            check_types(&["storage.low".into(), "camera.offline".into()]).unwrap(),
            r#"["camera.offline","storage.low"]"#
        );
        assert!(check_types(&["camera.exploded".into()]).is_err());
    }

    #[test]
    fn secrets_are_32_bytes_of_hex() {
        let (a, b) = (new_secret(), new_secret());
        assert_eq!(a.len(), 64);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
