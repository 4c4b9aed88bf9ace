//! User administration.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use validator::Validate;

use super::{
    audit::{self, Change},
    revocation::{self, Subject},
};
use crate::{
    auth::{password, Principal, RequestMeta, Role},
    db::{
        self,
        users::{UserChanges, UserFilter, UserRow},
        Page, PageRequest,
    },
    error::{AppError, AppResult},
    state::AppState,
};

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, utoipa::ToSchema)]
pub struct UserView {
    pub id: String,
    pub username: String,
    pub email: Option<String>,
    pub role: Role,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_login_at: Option<DateTime<Utc>>,
}

impl From<UserRow> for UserView {
    fn from(u: UserRow) -> Self {
        UserView {
            id: u.id,
            username: u.username,
            email: u.email,
            // Rows are only written through `Role::as_str`; fall back to the weakest role.
            role: Role::parse(&u.role).unwrap_or(Role::Viewer),
            is_active: u.is_active,
            created_at: u.created_at.and_utc(),
            updated_at: u.updated_at.and_utc(),
            last_login_at: u.last_login_at.map(|t| t.and_utc()),
        }
    }
}

fn valid_username(name: &str) -> Result<(), validator::ValidationError> {
    if name.chars().all(|c| c.is_ascii_alphanumeric() || "._-@".contains(c)) {
        Ok(())
    } else {
        Err(validator::ValidationError::new("charset")
            .with_message("may contain only letters, digits and . _ - @".into()))
    }
}

#[derive(Deserialize, Validate, Debug, utoipa::ToSchema)]
pub struct NewUser {
    #[validate(length(min = 3, max = 64), custom(function = "valid_username"))]
    #[schema(example = "alice")]
    pub username: String,
    #[schema(example = "correct horse 42")]
    pub password: String,
    #[validate(email)]
    pub email: Option<String>,
    pub role: Role,
}

#[derive(Deserialize, Validate, Debug, Default, utoipa::ToSchema)]
pub struct UserUpdate {
    /// `null` clears the e-mail address.
    #[validate(email)]
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    pub role: Option<Role>,
    pub is_active: Option<bool>,
}

/// Creates a user; the CLI and the first-admin bootstrap use this too.
pub async fn create(
    state: &AppState,
    input: NewUser,
    actor: &audit::Actor,
    meta: &RequestMeta,
) -> AppResult<UserView> {
    input.validate()?;
    password::check_strength(&input.password, &input.username)
        .map_err(|m| AppError::field("password", "weak", m))?;
    let pass = input.password.clone();
    let hash = tokio::task::spawn_blocking(move || password::hash(&pass))
        .await
        .map_err(|e| AppError::internal(e.to_string()))??;
    let now = db::now();
    let row = UserRow {
        id: db::new_id(),
        username: input.username.clone(),
        email: input.email.clone().filter(|e| !e.is_empty()),
        password_hash: hash,
        role: input.role.as_str().to_string(),
        is_active: true,
        created_at: now,
        updated_at: now,
        last_login_at: None,
    };
    let inserted = row.clone();
    state
        .db
        .transaction(move |c| {
            if db::users::find_by_username(c, &inserted.username)?.is_some() {
                return Err(AppError::conflict("username is already taken")
                    .with_details(serde_json::json!({ "field": "username" })));
            }
            db::users::insert(c, &inserted)
        })
        .await?;
    let view = UserView::from(row);
    audit::record(state, actor, meta, Change::new("user.created").on("user", &view.id).after(&view)).await?;
    Ok(view)
}

pub async fn get(state: &AppState, id: &str) -> AppResult<UserView> {
    let id = id.to_string();
    state
        .db
        .run(move |c| db::users::find(c, &id))
        .await?
        .map(UserView::from)
        .ok_or_else(|| AppError::not_found("user not found"))
}

pub async fn list(state: &AppState, filter: UserFilter, page: PageRequest) -> AppResult<Page<UserView>> {
    let (rows, total) = state.db.run(move |c| db::users::list(c, &filter, page)).await?;
    Ok(Page::new(rows, total, page).map(UserView::from))
}

pub async fn update(
    state: &AppState,
    principal: &Principal,
    id: &str,
    input: UserUpdate,
    meta: &RequestMeta,
) -> AppResult<UserView> {
    input.validate()?;
    let before = get(state, id).await?;
    if principal.actor_id() == id
        && (input.role.is_some_and(|r| r != Role::Admin) || input.is_active == Some(false))
    {
        return Err(AppError::conflict("you cannot demote or deactivate your own account"));
    }
    let changes = UserChanges {
        email: input.email.map(|e| e.filter(|s| !s.is_empty())),
        role: input.role.map(|r| r.as_str().to_string()),
        is_active: input.is_active,
        updated_at: Some(db::now()),
        ..Default::default()
    };
    let deactivating = input.is_active == Some(false) && before.is_active;
    let uid = id.to_string();
    state
        .db
        .transaction(move |c| {
            db::users::update(c, &uid, &changes)?;
            if deactivating {
                db::sessions::revoke_all_for_user(c, &uid, None, "user_deactivated", db::now())?;
            }
            Ok(())
        })
        .await?;
    let after = get(state, id).await?;
    if after.role != before.role || after.is_active != before.is_active {
        revocation::principal_changed(state, Subject::User(id.to_string())).await;
    }
    let action = if deactivating { "user.deactivated" } else { "user.updated" };
    audit::record(
        state,
        &principal.into(),
        meta,
        Change::new(action).on("user", id).before(&before).after(&after),
    )
    .await?;
    Ok(after)
}

pub async fn deactivate(
    state: &AppState,
    principal: &Principal,
    id: &str,
    meta: &RequestMeta,
) -> AppResult<UserView> {
    update(state, principal, id, UserUpdate { is_active: Some(false), ..Default::default() }, meta).await
}
