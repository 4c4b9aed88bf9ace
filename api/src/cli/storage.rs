//! `argus storage plan | run`: the storage lifecycle from the command line, on the same
//! configuration (environment) and database as the server.

use clap::Subcommand;

use crate::{
    auth::{principal::UserPrincipal, Principal, RequestMeta, Role},
    config::Settings,
    db::{self, PageRequest},
    domain::AuditAction,
    infra::storage::Tiers,
    services::{
        audit::{self, Actor, Change},
        paging::Page,
        storage::{
            plan::{PlanAction, PlannedAction},
            Storage, StorageReport,
        },
    },
    startup,
};

#[derive(Subcommand, Debug)]
pub enum StorageAction {
    /// Print what the next storage run would move or delete, and why (changes nothing).
    Plan {
        /// JSON (the page `GET /api/v1/storage/plan` answers) instead of a table.
        #[arg(long)]
        json: bool,
        /// Actions shown (the total counts them all).
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(i64).range(1..))]
        limit: i64,
    },
    /// Run the storage job once, as the scheduler does (under its lock, recorded in the job
    /// runs, audited as requested), and print its report.
    Run {
        #[arg(long)]
        json: bool,
    },
}

fn message(e: crate::error::AppError) -> anyhow::Error {
    anyhow::anyhow!("{}", e.message)
}

pub async fn run(action: StorageAction, settings: Settings) -> anyhow::Result<()> {
    match action {
        StorageAction::Plan { json, limit } => {
            let db = db::Db::connect(&settings.database_url, 1)
                .map_err(|e| anyhow::anyhow!("DATABASE_URL: {}", e.message))?;
            let tiers = Tiers::open(&settings.storage).map_err(message)?;
            let storage = Storage::new(db, tiers, settings.storage, settings.failpoints);
            // Argus itself: every camera.
            let everyone = Principal::User(UserPrincipal {
                id: "system".into(),
                username: "argus".into(),
                role: Role::Admin,
                session_id: String::new(),
            });
            let page =
                storage.plan(db::now(), &everyone, PageRequest { page: 1, limit }).await.map_err(message)?;
            println!("{}", if json { serde_json::to_string_pretty(&page)? } else { plan_table(&page) });
            Ok(())
        }
        StorageAction::Run { json } => {
            let state = startup::build_state(settings).await?;
            let change = Change::new(AuditAction::JobRunRequested).on("job", "storage");
            audit::record(&state, &Actor::system(), &RequestMeta::default(), change)
                .await
                .map_err(message)?;
            let (view, report) = crate::jobs::run_storage(&state).await;
            if json {
                let out = serde_json::json!({ "run": view, "report": report });
                println!("{}", serde_json::to_string_pretty(&out)?);
            } else {
                println!("{}", report_text(report.as_ref()));
            }
            match (view.outcome.as_str(), view.error) {
                ("ok", _) => Ok(()),
                ("skipped", _) => {
                    anyhow::bail!("not run: the storage job is running elsewhere (its lock is held)")
                }
                (_, error) => anyhow::bail!("storage run failed: {}", error.unwrap_or_default()),
            }
        }
    }
}

/// The plan as a table, one action a line, and a summary.
pub fn plan_table(page: &Page<PlannedAction>) -> String {
    let mut rows =
        vec![["ACTION", "FROM", "TO", "REASON", "ENDED_AT", "CAMERA", "RECORDING"].map(String::from)];
    for a in &page.items {
        rows.push([
            label(&a.action),
            label(&a.from),
            a.to.map_or("-".to_string(), |t| label(&t)),
            label(&a.reason),
            a.ended_at.format("%Y-%m-%d %H:%M:%S").to_string(),
            a.camera_id.clone(),
            a.recording_id.clone(),
        ]);
    }
    let widths: Vec<usize> = (0..7).map(|i| rows.iter().map(|r| r[i].len()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for r in &rows {
        let cells: Vec<String> = r.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    let shown = |action: PlanAction| page.items.iter().filter(|a| a.action == action).count();
    out.push_str(&format!(
        "{} action(s) planned; showing {} ({} move(s), {} delete(s))",
        page.total,
        page.items.len(),
        shown(PlanAction::Move),
        shown(PlanAction::Delete)
    ));
    out
}

/// A value's JSON spelling (`move`, `hot`, `retention`): the table reads like the API.
fn label<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        other => format!("{other:?}"),
    }
}

fn report_text(report: Option<&StorageReport>) -> String {
    match report {
        None => "nothing done".into(),
        Some(r) => {
            format!(
                "moved {}, expired {}, repaired {}, failed {}, swept {}",
                r.moved, r.expired, r.repaired, r.failed, r.swept
            )
        }
    }
}
