//! What people do with alerts: list them, count them (the bell), acknowledge and resolve them.
//! A camera-scoped caller (an API token limited to some cameras) sees only its cameras' alerts;
//! alerts about no camera (a disk, a job, logins) only unscoped callers see.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{announce, transition_row, view_on, AlertView, Outcome};
use crate::{
    auth::{Principal, RequestMeta},
    db::{self, alerts::AlertFilter},
    domain::{AlertKind, AlertSeverity, AlertState},
    error::{AppError, AppResult, ErrorCode},
    services::{
        audit::Actor,
        paging::{Page, Paging},
    },
    state::AppState,
};

/// `?state=` of the list: a state, or `active` (open or acknowledged).
#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum StateFilter {
    Open,
    Acknowledged,
    Resolved,
    Active,
}

impl StateFilter {
    fn states(self) -> Vec<AlertState> {
        match self {
            StateFilter::Open => vec![AlertState::Open],
            StateFilter::Acknowledged => vec![AlertState::Acknowledged],
            StateFilter::Resolved => vec![AlertState::Resolved],
            StateFilter::Active => vec![AlertState::Open, AlertState::Acknowledged],
        }
    }
}

#[derive(Deserialize, Debug, Default, utoipa::IntoParams)]
pub struct AlertQuery {
    /// `open`, `acknowledged`, `resolved` or `active` (open + acknowledged); all when absent.
    /// Inlined: no response carries the filter, so nothing else registers its schema.
    #[param(inline)]
    pub state: Option<StateFilter>,
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub kind: Option<AlertKind>,
    pub camera_id: Option<String>,
    pub severity: Option<AlertSeverity>,
}

/// The bell: how many alerts are open and acknowledged, and the not-resolved ones by type.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Default, utoipa::ToSchema)]
pub struct AlertSummary {
    pub open: i64,
    pub acknowledged: i64,
    pub by_type: BTreeMap<String, i64>,
}

pub async fn list(
    state: &AppState,
    principal: &Principal,
    q: AlertQuery,
    paging: Paging,
) -> AppResult<Page<AlertView>> {
    let page = paging.request();
    if q.camera_id.as_deref().is_some_and(|id| !principal.can_see_camera(id)) {
        return Ok(Page::new(vec![], 0, page));
    }
    let filter = AlertFilter {
        states: q.state.map(StateFilter::states),
        kind: q.kind,
        severity: q.severity,
        camera_id: q.camera_id,
        only_camera_ids: principal.camera_scope().map(|ids| ids.to_vec()),
    };
    let (rows, total) = state
        .db
        .run(move |c| {
            let (rows, total) = db::alerts::list(c, &filter, page)?;
            let ids: Vec<String> = rows.iter().filter_map(|r| r.camera_id.clone()).collect();
            let names: BTreeMap<String, String> = db::cameras::names(c, &ids)?.into_iter().collect();
            let views = rows
                .into_iter()
                .map(|r| {
                    let name = r.camera_id.as_ref().and_then(|id| names.get(id).cloned());
                    AlertView::new(r, name)
                })
                .collect::<Vec<_>>();
            Ok((views, total))
        })
        .await?;
    Ok(Page::new(rows, total, page))
}

pub async fn summary(state: &AppState, principal: &Principal) -> AppResult<AlertSummary> {
    let scope = principal.camera_scope().map(|ids| ids.to_vec());
    let counts = state.db.run(move |c| db::alerts::count_active(c, scope.as_deref())).await?;
    let mut out = AlertSummary::default();
    for (s, kind, n) in counts {
        match s {
            AlertState::Open => out.open += n,
            AlertState::Acknowledged => out.acknowledged += n,
            AlertState::Resolved => continue,
        }
        *out.by_type.entry(kind.as_str().to_string()).or_default() += n;
    }
    Ok(out)
}

/// An alert the principal may see, or 404.
pub async fn find_visible(state: &AppState, principal: &Principal, id: &str) -> AppResult<AlertView> {
    let aid = id.to_string();
    let row = state.db.run(move |c| db::alerts::find(c, &aid)?.map(|r| view_on(c, r)).transpose()).await?;
    row.filter(|v| visible(principal, v)).ok_or_else(|| AppError::not_found("alert not found"))
}

fn visible(principal: &Principal, view: &AlertView) -> bool {
    match (&view.camera_id, principal.camera_scope()) {
        (_, None) => true,
        (Some(id), Some(_)) => principal.can_see_camera(id),
        (None, Some(_)) => false,
    }
}

fn already_resolved() -> AppError {
    AppError::new(ErrorCode::Conflict, "the alert is already resolved")
}

/// What a person does to an alert: ack or resolve.
#[derive(Clone, Copy)]
enum Action {
    Acknowledge,
    Resolve,
}

/// Acknowledges an open alert (someone is on it): 409 when resolved; acknowledging an
/// acknowledged alert changes nothing.
pub async fn acknowledge(
    state: &AppState,
    principal: &Principal,
    id: &str,
    meta: &RequestMeta,
) -> AppResult<AlertView> {
    act(state, principal, id, meta, Action::Acknowledge).await
}

/// Resolves an open or acknowledged alert by hand: 409 when already resolved. If the
/// condition persists, its source opens a new alert.
pub async fn resolve(
    state: &AppState,
    principal: &Principal,
    id: &str,
    meta: &RequestMeta,
) -> AppResult<AlertView> {
    act(state, principal, id, meta, Action::Resolve).await
}

/// Applies `action` to a visible alert in one transaction (audited as the principal), then
/// announces the change.
async fn act(
    state: &AppState,
    principal: &Principal,
    id: &str,
    meta: &RequestMeta,
    action: Action,
) -> AppResult<AlertView> {
    find_visible(state, principal, id).await?;
    let (aid, actor, meta) = (id.to_string(), Actor::from(principal), meta.clone());
    let by = principal.actor_name().to_string();
    let (view, outcome) = state
        .db
        .transaction(move |c| {
            let row = db::alerts::find(c, &aid)?.ok_or_else(|| AppError::not_found("alert not found"))?;
            match (row.state, action) {
                (AlertState::Resolved, _) => Err(already_resolved()),
                (_, Action::Resolve) => {
                    Ok((transition_row(c, row, AlertState::Resolved, &by, &actor, &meta)?, Outcome::Resolved))
                }
                (AlertState::Acknowledged, Action::Acknowledge) => Ok((view_on(c, row)?, Outcome::Unchanged)),
                (AlertState::Open, Action::Acknowledge) => Ok((
                    transition_row(c, row, AlertState::Acknowledged, &by, &actor, &meta)?,
                    Outcome::Updated,
                )),
            }
        })
        .await?;
    announce(state, &view, outcome).await;
    Ok(view)
}
