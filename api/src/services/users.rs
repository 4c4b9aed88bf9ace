//! User administration.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use validator::Validate;

use super::{
    audit::{self, Actor, Change},
    paging::{Page, Paging},
    revocation::{self, Subject},
};
use crate::{
    auth::{password, random_secret, Principal, RequestMeta, Role},
    db::{
        self,
        users::{UserChanges, UserFilter, UserRow},
    },
    domain::AuditAction,
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

/// An e-mail address, or empty for none (both forms store no address).
fn valid_email(email: &str) -> Result<(), validator::ValidationError> {
    if email.is_empty() || validator::ValidateEmail::validate_email(&email) {
        Ok(())
    } else {
        Err(validator::ValidationError::new("email").with_message("must be a valid e-mail address".into()))
    }
}

#[derive(Deserialize, Validate, Debug, utoipa::ToSchema)]
pub struct NewUser {
    #[validate(length(min = 3, max = 64), custom(function = "valid_username"))]
    #[schema(min_length = 3, max_length = 64, pattern = r"^[A-Za-z0-9._@-]+$")]
    #[schema(example = "alice")]
    pub username: String,
    /// 10–128 characters with a letter and a digit, not the username.
    #[schema(
        example = "correct horse 42",
        min_length = 10,
        max_length = 128,
        pattern = r"[A-Za-z].*[0-9]|[0-9].*[A-Za-z]"
    )]
    pub password: String,
    /// Empty = none.
    #[validate(custom(function = "valid_email"))]
    #[schema(
        max_length = 254,
        pattern = r"^$|^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
    )]
    pub email: Option<String>,
    pub role: Role,
}

#[derive(Deserialize, Validate, Debug, Default, utoipa::ToSchema)]
pub struct UserUpdate {
    /// `null` (or empty) clears the e-mail address.
    #[validate(custom(function = "valid_email"))]
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>, max_length = 254, pattern = r"^$|^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")]
    pub email: Option<Option<String>>,
    pub role: Option<Role>,
    pub is_active: Option<bool>,
}

/// Creates a user; the CLI and the first-admin bootstrap use this too.
pub async fn create(
    state: &AppState,
    input: NewUser,
    actor: &Actor,
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
    let view = UserView::from(row);
    let entry =
        audit::entry(actor, meta, Change::new(AuditAction::UserCreated).on("user", &view.id).after(&view));
    state
        .db
        .transaction(move |c| {
            if db::users::find_by_username(c, &inserted.username)?.is_some() {
                return Err(AppError::conflict("username is already taken")
                    .with_details(serde_json::json!({ "field": "username" })));
            }
            db::users::insert(c, &inserted)?;
            audit::write(c, &entry)
        })
        .await?;
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

/// `GET /users` filters.
#[derive(Deserialize, Debug, utoipa::IntoParams)]
pub struct UserQuery {
    pub q: Option<String>,
    pub role: Option<Role>,
    pub is_active: Option<bool>,
}

pub async fn list(state: &AppState, query: UserQuery, paging: Paging) -> AppResult<Page<UserView>> {
    let filter = UserFilter {
        q: query.q,
        role: query.role.map(|r| r.as_str().to_string()),
        is_active: query.is_active,
    };
    let page = paging.request();
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
    let action = if deactivating { AuditAction::UserDeactivated } else { AuditAction::UserUpdated };
    let (actor, meta) = (Actor::from(principal), meta.clone());
    let (role_before, active_before) = (before.role, before.is_active);
    let rights_changed = |after: &UserView| after.role != role_before || after.is_active != active_before;
    let after = state
        .db
        .transaction(move |c| {
            db::users::update(c, &uid, &changes)?;
            if deactivating {
                db::sessions::revoke_all_for_user(c, &uid, None, "user_deactivated", db::now())?;
            }
            let after = db::users::find(c, &uid)?
                .map(UserView::from)
                .ok_or_else(|| AppError::not_found("user not found"))?;
            let change = Change::new(action).on("user", &uid).before(&before).after(&after);
            audit::write(c, &audit::entry(&actor, &meta, change))?;
            Ok(after)
        })
        .await?;
    if rights_changed(&after) {
        revocation::principal_changed(state, Subject::User(id.to_string())).await;
    }
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

/// On an empty database: create `admin` with `ARGUS_ADMIN_PASSWORD` or a random password, and
/// return the password so it can be shown once.
pub async fn bootstrap_admin(state: &AppState) -> anyhow::Result<Option<(String, String)>> {
    let count = state.db.run(db::users::count).await.map_err(|e| anyhow::anyhow!(e.message))?;
    if count > 0 {
        return Ok(None);
    }
    let password = std::env::var("ARGUS_ADMIN_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| format!("{}7", random_secret(12)));
    let input =
        NewUser { username: "admin".into(), password: password.clone(), email: None, role: Role::Admin };
    create(state, input, &Actor::system(), &RequestMeta::default()).await.map_err(|e| {
        anyhow::anyhow!(
            "cannot create the first admin: {}{}",
            e.message,
            e.details.map(|d| format!(" {d}")).unwrap_or_default()
        )
    })?;
    Ok(Some(("admin".into(), password)))
}
