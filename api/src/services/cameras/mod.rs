//! Camera registry: CRUD, activation, key rotation and stream status, with the list cache and
//! live events kept in step with every write.

use std::time::Duration;

use validator::Validate;

use super::{
    audit::{self, Actor, Change},
    paging::Page,
    storage::rules::check_camera_rules,
    streaming::key_cache_key,
};
use crate::{
    auth::{Permission, Principal, RequestMeta},
    db::{
        self,
        cameras::{CameraChanges, CameraFilter, CameraRow},
        PageRequest,
    },
    domain::AuditAction,
    error::{AppError, AppResult},
    realtime::hub::Event,
    state::AppState,
};

mod model;

pub use crate::domain::StreamStatus;
use model::{blank_to_none, check_lengths, parse_sort};
pub use model::{new_stream_key, CameraQuery, CameraUpdate, CameraView, NewCamera};

/// Cache namespace of every camera-derived answer (lists and stats).
pub const CACHE_NS: &str = "cameras";

fn view_for(state: &AppState, principal: &Principal, row: CameraRow) -> CameraView {
    CameraView::new(row, &state.settings.public_rtmp_url, principal.has(Permission::CameraKeyRead))
}

/// Invalidates cached lists/stats and tells WebSocket clients.
async fn changed(state: &AppState, event: Event) {
    state.cache.bump(CACHE_NS).await;
    state.hub.publish(event).await;
}

fn event_view(state: &AppState, row: &CameraRow) -> serde_json::Value {
    serde_json::json!({ "camera": CameraView::new(row.clone(), &state.settings.public_rtmp_url, false) })
}

pub async fn create(
    state: &AppState,
    principal: &Principal,
    input: NewCamera,
    meta: &RequestMeta,
) -> AppResult<CameraView> {
    input.validate()?;
    check_camera_rules(&state.settings.storage, &input.storage_rules())?;
    super::live::check_profile(state, input.transcode_profile.as_deref())?;
    let now = db::now();
    let row = CameraRow {
        id: db::new_id(),
        name: input.name.trim().to_string(),
        company: blank_to_none(input.company),
        model: blank_to_none(input.model),
        serial_number: input.serial_number.trim().to_string(),
        location: blank_to_none(input.location),
        place: blank_to_none(input.place),
        stream_key: new_stream_key(),
        recording_enabled: input.recording_enabled.unwrap_or(true),
        transcode_profile: input.transcode_profile.unwrap_or_else(|| "default".into()),
        is_active: true,
        stream_status: StreamStatus::Offline,
        last_seen_at: None,
        created_via: if matches!(principal, Principal::Token(_)) { "api" } else { "dashboard" }.into(),
        created_by: Some(principal.actor_id().to_string()),
        created_at: now,
        updated_at: now,
        deleted_at: None,
        retention_days: input.retention_days,
        legal_hold: false,
        warm_after_days: input.warm_after_days,
        cold_after_days: input.cold_after_days,
        archive_after_days: input.archive_after_days,
        quota_bytes: input.quota_bytes,
    };
    let inserted = row.clone();
    let redacted = CameraView::new(row.clone(), &state.settings.public_rtmp_url, false);
    let entry = audit::entry(
        &principal.into(),
        meta,
        Change::new(AuditAction::CameraCreated).on("camera", &row.id).after(&redacted),
    );
    state
        .db
        .transaction(move |c| {
            if let Some(existing) = db::cameras::find_by_serial_any(c, &inserted.serial_number)? {
                let msg = if existing.deleted_at.is_some() {
                    "a deleted camera already used this serial number"
                } else {
                    "a camera with this serial number already exists"
                };
                return Err(AppError::conflict(msg).with_details(
                    serde_json::json!({ "field": "serial_number", "camera_id": existing.id }),
                ));
            }
            db::cameras::insert(c, &inserted)?;
            audit::write(c, &entry)
        })
        .await?;
    let view = view_for(state, principal, row.clone());
    changed(state, Event::new("camera.created", Some(&row.id), event_view(state, &row))).await;
    Ok(view)
}

/// A camera the principal may see, or 404 (a token outside its scope learns nothing).
pub async fn find_visible(state: &AppState, principal: &Principal, id: &str) -> AppResult<CameraRow> {
    if !principal.can_see_camera(id) {
        return Err(AppError::not_found("camera not found"));
    }
    let id = id.to_string();
    state
        .db
        .run(move |c| db::cameras::find(c, &id))
        .await?
        .ok_or_else(|| AppError::not_found("camera not found"))
}

pub async fn get(state: &AppState, principal: &Principal, id: &str) -> AppResult<CameraView> {
    let mut view = view_for(state, principal, find_visible(state, principal, id).await?);
    if view.stream_status == StreamStatus::Online {
        view.quality = super::live::quality(state, id).await;
    }
    Ok(view)
}

/// The camera list as JSON, served from the cache while no camera changed.
pub async fn list_json(state: &AppState, principal: &Principal, query: CameraQuery) -> AppResult<String> {
    let sort = parse_sort(query.sort.as_deref())?;
    let page = PageRequest::new(query.page, query.limit);
    let with_key = principal.has(Permission::CameraKeyRead);
    let scope = principal.camera_scope().map(|ids| ids.to_vec());
    let generation = state.cache.generation(CACHE_NS).await;
    let key = format!(
        "cameras:list:{generation}:{}:{with_key}:{}:{}:{}",
        scope.as_ref().map(|ids| crate::auth::sha256_hex(&ids.join(","))).unwrap_or_else(|| "all".into()),
        serde_json::to_string(&query).unwrap_or_default(),
        page.page,
        page.limit
    );
    if let Some(hit) = state.cache.get(&key).await {
        return Ok(hit);
    }
    let filter = CameraFilter {
        q: query.q,
        is_active: query.is_active,
        stream_status: query.stream_status,
        company: query.company,
        place: query.place,
        only_ids: scope,
        sort,
    };
    let (rows, total) = state.db.run(move |c| db::cameras::list(c, &filter, page)).await?;
    let url = state.settings.public_rtmp_url.clone();
    let body = Page::new(rows, total, page).map(|r| CameraView::new(r, &url, with_key));
    let json = serde_json::to_string(&body).map_err(|e| AppError::internal(e.to_string()))?;
    state.cache.set(&key, &json, Duration::from_secs(state.settings.camera_cache_ttl_secs)).await;
    Ok(json)
}

/// Applies `changes` (plus `updated_at`), audits `action` and announces `camera.updated`.
async fn apply(
    state: &AppState,
    principal: &Principal,
    id: &str,
    mut changes: CameraChanges,
    action: AuditAction,
    meta: &RequestMeta,
) -> AppResult<CameraView> {
    let before = find_visible(state, principal, id).await?;
    changes.updated_at = Some(db::now());
    let cid = id.to_string();
    let url = state.settings.public_rtmp_url.clone();
    let (actor, meta_) = (Actor::from(principal), meta.clone());
    let before_view = CameraView::new(before.clone(), &url, false);
    let after = state
        .db
        .transaction(move |c| {
            db::cameras::update(c, &cid, &changes)?;
            let after = db::cameras::find(c, &cid)?.ok_or_else(|| AppError::not_found("camera not found"))?;
            let change = Change::new(action).on("camera", &cid).before(&before_view).after(CameraView::new(
                after.clone(),
                &url,
                false,
            ));
            audit::write(c, &audit::entry(&actor, &meta_, change))?;
            Ok(after)
        })
        .await?;
    after_config_change(state, &before, Some(&after)).await;
    changed(state, Event::new("camera.updated", Some(id), event_view(state, &after))).await;
    Ok(view_for(state, principal, after))
}

/// Hub event kind: a camera's publisher must go (internal; every replica acts on it).
pub const STREAM_REVOKED: &str = "internal.stream_revoked";

/// The one owner of "a camera's key or publisher is revoked", called by edit, (de)activation,
/// key rotation and delete: cached key lookups are forgotten, so the hooks refuse the old key
/// from the next call on; a publisher that may no longer stream is dropped at once by the nginx
/// of every replica (`spawn_stream_revocation_listener`); recording of a live camera follows the
/// edit.
async fn after_config_change(state: &AppState, before: &CameraRow, after: Option<&CameraRow>) {
    state.cache.delete(&key_cache_key(&before.stream_key)).await;
    if let Some(after) = after {
        state.cache.delete(&key_cache_key(&after.stream_key)).await;
    }
    match after {
        Some(a) if a.is_active && a.stream_key == before.stream_key => {
            let live = before.stream_status == StreamStatus::Online;
            if live && a.recording_enabled != before.recording_enabled {
                state.recorders().set(&a.id, a.recording_enabled).await;
            }
        }
        // Whatever the recorded status says: it trails the publish hook by a writer batch, and
        // dropping a stream that is not there is a harmless 204 from nginx.
        _ => {
            let data = serde_json::json!({ "camera_id": before.id });
            state.hub.publish(Event::new(STREAM_REVOKED, Some(&before.id), data)).await;
        }
    }
}

/// Drops, from this replica's nginx, the publisher of every camera revoked on any replica.
pub fn spawn_stream_revocation_listener(state: AppState) -> tokio::task::JoinHandle<()> {
    let mut events = state.hub.subscribe();
    tokio::spawn(async move {
        loop {
            match events.recv().await {
                Ok(event) if event.kind == STREAM_REVOKED => {
                    if let Some(id) = &event.camera_id {
                        state.nginx_control().drop_publisher(id).await;
                    }
                }
                Ok(_) => {}
                // Missed ones are still refused by the next on_update (the key cache is gone).
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                    tracing::warn!(missed = n, "stream revocation listener fell behind")
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            }
        }
    })
}

pub async fn update(
    state: &AppState,
    principal: &Principal,
    id: &str,
    mut input: CameraUpdate,
    meta: &RequestMeta,
) -> AppResult<CameraView> {
    input.validate()?;
    let hold = input.legal_hold.take();
    if hold.is_some() && !principal.has(Permission::RecordingHold) {
        return Err(AppError::forbidden("a legal hold needs the recording.hold permission"));
    }
    check_lengths(&input)?;
    // The thresholds are checked merged with the camera's others (racing edits of two of them
    // could still cross; a run then takes the deepest tier each recording is past).
    if let Some(rules) = input.storage_rules(&find_visible(state, principal, id).await?) {
        check_camera_rules(&state.settings.storage, &rules)?;
    }
    super::live::check_profile(state, input.transcode_profile.as_deref())?;
    let trim = |v: Option<Option<String>>| v.map(blank_to_none);
    let changes = CameraChanges {
        name: input.name.map(|n| n.trim().to_string()),
        company: trim(input.company),
        model: trim(input.model),
        location: trim(input.location),
        place: trim(input.place),
        recording_enabled: input.recording_enabled,
        transcode_profile: input.transcode_profile,
        is_active: input.is_active,
        retention_days: input.retention_days,
        warm_after_days: input.warm_after_days,
        cold_after_days: input.cold_after_days,
        archive_after_days: input.archive_after_days,
        quota_bytes: input.quota_bytes,
        ..Default::default()
    };
    let Some(hold) = hold else {
        return apply(state, principal, id, changes, AuditAction::CameraUpdated, meta).await;
    };
    if changes != CameraChanges::default() {
        apply(state, principal, id, changes, AuditAction::CameraUpdated, meta).await?;
    }
    // The hold is audited on its own (camera.hold_set / camera.hold_lifted).
    let action = if hold { AuditAction::CameraHoldSet } else { AuditAction::CameraHoldLifted };
    let changes = CameraChanges { legal_hold: Some(hold), ..Default::default() };
    apply(state, principal, id, changes, action, meta).await
}

pub async fn set_active(
    state: &AppState,
    principal: &Principal,
    id: &str,
    active: bool,
    meta: &RequestMeta,
) -> AppResult<CameraView> {
    let action = if active { AuditAction::CameraActivated } else { AuditAction::CameraDeactivated };
    apply(state, principal, id, CameraChanges { is_active: Some(active), ..Default::default() }, action, meta)
        .await
}

/// A new key; the old one stops working at once (a live publisher is dropped at its next update).
pub async fn rotate_key(
    state: &AppState,
    principal: &Principal,
    id: &str,
    meta: &RequestMeta,
) -> AppResult<CameraView> {
    apply(
        state,
        principal,
        id,
        CameraChanges { stream_key: Some(new_stream_key()), ..Default::default() },
        AuditAction::CameraKeyRotated,
        meta,
    )
    .await
}

pub async fn delete(state: &AppState, principal: &Principal, id: &str, meta: &RequestMeta) -> AppResult<()> {
    let before = find_visible(state, principal, id).await?;
    let cid = id.to_string();
    let now = db::now();
    let change = Change::new(AuditAction::CameraDeleted).on("camera", id).before(CameraView::new(
        before.clone(),
        &state.settings.public_rtmp_url,
        false,
    ));
    let entry = audit::entry(&principal.into(), meta, change);
    state
        .db
        .transaction(move |c| {
            db::cameras::update(
                c,
                &cid,
                &CameraChanges {
                    deleted_at: Some(Some(now)),
                    is_active: Some(false),
                    updated_at: Some(now),
                    ..Default::default()
                },
            )?;
            audit::write(c, &entry)
        })
        .await?;
    after_config_change(state, &before, None).await;
    changed(state, Event::new("camera.deleted", Some(id), serde_json::json!({ "camera_id": id }))).await;
    Ok(())
}
