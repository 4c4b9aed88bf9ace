use actix_web::{get, post, web};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{
    auth::{require, Authorized},
    error::{AppResult, ErrorBody},
    jobs::catalog::{self, JobView},
    services::{
        job_runs::JobRunView,
        paging::{Page, Paging},
    },
    state::AppState,
};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list).service(runs).service(run_now);
}

/// The scheduled jobs: schedule, last run, next run (estimate) and recent runs.
#[utoipa::path(tag = "jobs", responses((status = 200, body = Vec<JobView>)), security(("bearer" = []), ("api_key" = [])))]
#[get("/jobs")]
async fn list(
    _auth: Authorized<require::JobRead>,
    state: web::Data<AppState>,
) -> AppResult<web::Json<Vec<JobView>>> {
    Ok(web::Json(catalog::overview(&state).await?))
}

/// The recorded runs of one job, newest first.
#[utoipa::path(tag = "jobs", params(("name" = String, Path, description = "Job name"), Paging), responses((status = 200, body = Page<JobRunView>), (status = 404, body = ErrorBody)), security(("bearer" = []), ("api_key" = [])))]
#[get("/jobs/{name}/runs")]
async fn runs(
    _auth: Authorized<require::JobRead>,
    state: web::Data<AppState>,
    name: web::Path<String>,
    paging: web::Query<Paging>,
) -> AppResult<web::Json<Page<JobRunView>>> {
    Ok(web::Json(catalog::runs(&state, &name, paging.into_inner()).await?))
}

/// Run a job now, under its lock; answers when it has finished, with the run (a failed run is
/// still a 200 with `outcome: failed`). 409 while the job runs elsewhere.
#[utoipa::path(tag = "jobs", params(("name" = String, Path, description = "Job name")), responses((status = 200, body = JobRunView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)), security(("bearer" = [])))]
#[post("/jobs/{name}/run")]
async fn run_now(
    auth: Authorized<require::JobRun>,
    state: web::Data<AppState>,
    name: web::Path<String>,
) -> AppResult<web::Json<JobRunView>> {
    Ok(web::Json(catalog::run_now(&state, &name, &(&auth.principal).into(), &auth.meta).await?))
}
