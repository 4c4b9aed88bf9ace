//! The audit log's hash chain and log retention, on both backends: rows written through the
//! services and the hooks' stream writer verify; an edit made behind Argus's back is named;
//! parallel writers never fork the chain; pruning keeps what remains verifiable.

use std::time::Duration;

use argus::{
    auth::{RequestMeta, Role},
    db::{
        self,
        audit_chain::{VerifyReport, GENESIS},
        schema::{audit_chain_head, audit_logs, sessions, stream_sessions},
        sessions::SessionRow,
        stream_sessions::StreamSessionRow,
    },
    domain::AuditAction,
    services::{
        audit::{self, Actor, Change},
        retention::{prune_logs, PrunePolicy, PruneReport},
    },
};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use reqwest::StatusCode;

use crate::{
    helpers::TestApp,
    streaming::{hook, publish_form},
};

crate::matrix!(
    an_edited_row_is_named_by_verify,
    parallel_writers_keep_one_chain,
    rows_from_before_the_chain_are_backfilled,
    pruning_keeps_the_chain_verifiable,
);

async fn verify(app: &TestApp) -> VerifyReport {
    audit::verify_chain(&app.state.db).await.expect("verify")
}

/// Audit row ids in chain order.
async fn chain_ids(app: &TestApp) -> Vec<String> {
    app.state
        .db
        .run(|c| {
            Ok(audit_logs::table
                .order(audit_logs::chain_seq.asc())
                .select(audit_logs::id)
                .load::<String>(c)?)
        })
        .await
        .unwrap()
}

/// Waits until `n` audit rows with `action` exist (the stream writer commits asynchronously).
async fn wait_for_action(app: &TestApp, action: &'static str, n: i64) {
    let started = std::time::Instant::now();
    loop {
        let count: i64 = app
            .state
            .db
            .run(move |c| {
                Ok(audit_logs::table.filter(audit_logs::action.eq(action)).count().get_result(c)?)
            })
            .await
            .unwrap();
        if count >= n {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "{action}: {count} of {n}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `argus audit verify` against the test's database: (success, stdout + stderr).
fn verify_cli(app: &TestApp) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_argus"))
        .args(["audit", "verify"])
        .env("DATABASE_URL", &app.state.settings.database_url)
        .env("ARGUS_DATA_DIR", &app.state.settings.data_dir)
        .env("ARGUS_LOG_FORMAT", "json")
        .env_remove("ARGUS_CONFIG")
        .output()
        .expect("run argus audit verify");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

async fn an_edited_row_is_named_by_verify(app: TestApp) {
    let admin = app.admin().await;
    let cam = app.create_camera(&admin, "CHAIN-1").await;
    let key = cam["stream_key"].as_str().unwrap();
    // Rows from the stream writer: a publish, a refused key, the end of the stream.
    assert_eq!(hook(&app, "auth", &publish_form(key, "71")).await.status(), StatusCode::FOUND);
    assert_eq!(hook(&app, "auth", &publish_form("not-a-key", "72")).await.status(), StatusCode::FORBIDDEN);
    wait_for_action(&app, "stream.published", 1).await;
    hook(&app, "publish-done", &[("app", "live"), ("name", key), ("clientid", "71")]).await;
    wait_for_action(&app, "stream.ended", 1).await;
    wait_for_action(&app, "stream.publish_refused", 1).await;

    let report = verify(&app).await;
    assert_eq!(report.broken, None, "{report:?}");
    let ids = chain_ids(&app).await;
    assert!(ids.len() >= 5, "{ids:?}");
    assert_eq!(report.rows as usize, ids.len());
    assert_eq!(report.anchor.as_deref(), Some(GENESIS));
    let (ok, out) = verify_cli(&app);
    assert!(ok, "{out}");
    assert!(out.contains(&format!("{} row(s)", ids.len())), "{out}");

    // Someone with database access rewrites what the camera was created with.
    let cam_id = cam["id"].as_str().unwrap().to_string();
    let (edited, original): (String, Option<String>) = app
        .state
        .db
        .run(move |c| {
            let (id, original) = audit_logs::table
                .filter(audit_logs::action.eq("camera.created"))
                .filter(audit_logs::entity_id.eq(&cam_id))
                .select((audit_logs::id, audit_logs::after_state))
                .first(c)?;
            diesel::update(audit_logs::table.find(&id))
                .set(audit_logs::after_state.eq(r#"{"serial_number":"FORGED"}"#))
                .execute(c)?;
            Ok((id, original))
        })
        .await
        .unwrap();
    let report = verify(&app).await;
    let broken = report.broken.expect("the edit is detected");
    assert_eq!(broken.id, edited);
    assert!(broken.reason.contains("edited"), "{}", broken.reason);
    let (ok, out) = verify_cli(&app);
    assert!(!ok, "verify must fail: {out}");
    assert!(out.contains(&format!("broken at row {edited}")), "{out}");

    // Undone, the chain verifies again; a row deleted from the middle is named by the row after it.
    let ids = chain_ids(&app).await;
    let (victim, next) = (ids[ids.len() - 2].clone(), ids[ids.len() - 1].clone());
    app.state
        .db
        .run(move |c| {
            diesel::update(audit_logs::table.find(&edited))
                .set(audit_logs::after_state.eq(original))
                .execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    assert_eq!(verify(&app).await.broken, None);
    app.state.db.run(move |c| Ok(diesel::delete(audit_logs::table.find(&victim)).execute(c)?)).await.unwrap();
    let broken = verify(&app).await.broken.expect("the deletion is detected");
    assert_eq!(broken.id, next);
    assert!(broken.reason.contains("missing"), "{}", broken.reason);
}

async fn parallel_writers_keep_one_chain(app: TestApp) {
    let admin = app.admin().await;
    let mut keys = Vec::new();
    for i in 0..10 {
        let cam = app.create_camera(&admin, &format!("PAR-{i}")).await;
        keys.push(cam["stream_key"].as_str().unwrap().to_string());
    }
    let writers = (0..6).map(|w| {
        let state = app.state.clone();
        tokio::spawn(async move {
            for i in 0..15 {
                let change = Change::new(AuditAction::CameraUpdated).on("writer", &format!("{w}-{i}"));
                if w % 2 == 0 {
                    audit::record(&state, &Actor::system(), &RequestMeta::default(), change)
                        .await
                        .expect("record");
                } else {
                    // Outside any transaction of the caller: the append opens its own.
                    let row = audit::row(&Actor::system(), &RequestMeta::default(), change);
                    state.db.run(move |c| db::audit::insert(c, &row)).await.expect("insert");
                }
            }
        })
    });
    // Meanwhile the stream writer appends its batches.
    let hooks = futures_util::future::join_all(keys.iter().enumerate().map(|(i, key)| {
        let client = (800 + i).to_string();
        let app = &app;
        async move { hook(app, "auth", &publish_form(key, &client)).await.status() }
    }));
    let (writers, replies) = tokio::join!(futures_util::future::join_all(writers), hooks);
    assert!(writers.iter().all(|r| r.is_ok()));
    assert!(replies.iter().all(|s| *s == StatusCode::FOUND), "{replies:?}");
    wait_for_action(&app, "stream.published", 10).await;

    let report = verify(&app).await;
    assert_eq!(report.broken, None, "{report:?}");
    let head: i64 = app
        .state
        .db
        .run(|c| Ok(audit_chain_head::table.select(audit_chain_head::seq).first(c)?))
        .await
        .unwrap();
    let total = chain_ids(&app).await.len() as i64;
    assert_eq!(head, total);
    assert_eq!(report.rows as i64, total);
    assert!(total >= 6 * 15 + 10 + 10, "{total}");
}

async fn rows_from_before_the_chain_are_backfilled(app: TestApp) {
    let admin = app.admin().await;
    app.create_camera(&admin, "OLD-1").await;
    // As the table was before the chain's migration.
    app.state
        .db
        .run(|c| {
            diesel::update(audit_logs::table)
                .set((
                    audit_logs::chain_seq.eq(None::<i64>),
                    audit_logs::prev_hash.eq(None::<String>),
                    audit_logs::row_hash.eq(None::<String>),
                ))
                .execute(c)?;
            Ok(diesel::update(audit_chain_head::table)
                .set((audit_chain_head::seq.eq(0), audit_chain_head::hash.eq(GENESIS)))
                .execute(c)?)
        })
        .await
        .unwrap();
    let broken = verify(&app).await.broken.expect("unchained rows are reported");
    assert_eq!(broken.reason, "not in the chain");

    app.state.db.migrate().await.unwrap();
    let report = verify(&app).await;
    assert_eq!(report.broken, None, "{report:?}");
    assert_eq!(report.rows as usize, chain_ids(&app).await.len());
    assert!(report.rows >= 2);
}

fn days_ago(now: NaiveDateTime, days: i64) -> NaiveDateTime {
    now - chrono::Duration::days(days)
}

async fn pruning_keeps_the_chain_verifiable(app: TestApp) {
    let admin = app.admin().await;
    let user_id = app.create_user("pruned-user", Role::Viewer).await;
    let cam = app.create_camera(&admin, "PRUNE-1").await;
    let cam_id = cam["id"].as_str().unwrap().to_string();
    for i in 0..5 {
        let change = Change::new(AuditAction::RecordingPlayed).on("item", &i.to_string());
        audit::record(&app.state, &Actor::system(), &RequestMeta::default(), change).await.unwrap();
    }
    let now = db::now();
    let ids = chain_ids(&app).await;
    // The oldest links become 100 days old; the rest stays recent.
    let aged: Vec<String> = ids[..4].to_vec();
    let to_age = aged.clone();
    let (uid, cid) = (user_id.clone(), cam_id.clone());
    app.state
        .db
        .run(move |c| {
            diesel::update(audit_logs::table.filter(audit_logs::id.eq_any(&to_age)))
                .set(audit_logs::created_at.eq(days_ago(now, 100)))
                .execute(c)?;
            let session = |id: &str, used: NaiveDateTime, revoked: Option<NaiveDateTime>| SessionRow {
                id: id.into(),
                user_id: uid.clone(),
                refresh_hash: db::new_id(),
                created_at: used,
                last_used_at: used,
                revoked_at: revoked,
                revoked_reason: revoked.map(|_| "logout".into()),
                ip: None,
                user_agent: None,
            };
            db::sessions::insert(c, &session("s-revoked-old", days_ago(now, 50), Some(days_ago(now, 40))))?;
            db::sessions::insert(c, &session("s-revoked-new", days_ago(now, 3), Some(days_ago(now, 2))))?;
            db::sessions::insert(c, &session("s-idle-old", days_ago(now, 45), None))?;
            db::sessions::insert(c, &session("s-live", now, None))?;
            let stream = |id: &str, ended: Option<NaiveDateTime>| StreamSessionRow {
                id: id.into(),
                camera_id: cid.clone(),
                client_id: id.into(),
                addr: None,
                started_at: days_ago(now, 200),
                last_update_at: days_ago(now, 200),
                ended_at: ended,
                end_reason: ended.map(|_| "publish_done".into()),
                node: "local".into(),
                bytes_in: None,
            };
            db::stream_sessions::insert(c, &stream("ss-old", Some(days_ago(now, 100))))?;
            db::stream_sessions::insert(c, &stream("ss-new", Some(days_ago(now, 1))))?;
            db::stream_sessions::insert(c, &stream("ss-open", None))?;
            Ok(())
        })
        .await
        .unwrap();

    let policy = PrunePolicy {
        audit_days: 90,
        session_days: 30,
        stream_session_days: 30,
        job_run_days: 30,
        session_idle_secs: 86_400,
    };
    let report = prune_logs(&app.state.db, now, &policy).await.unwrap();
    assert_eq!(report, PruneReport { audit_rows: 4, sessions: 2, stream_sessions: 1, ..Default::default() });

    let left = chain_ids(&app).await;
    assert!(aged.iter().all(|id| !left.contains(id)), "aged rows are gone");
    assert_eq!(left.len(), ids.len() - 4 + 1, "the rest stays, plus the audit.pruned row");
    let verified = verify(&app).await;
    assert_eq!(verified.broken, None, "{verified:?}");
    assert_ne!(verified.anchor.as_deref(), Some(GENESIS), "anchored at the last pruned row");
    let pruned = app.audit(&admin, "audit.pruned").await;
    assert_eq!(pruned.len(), 1);
    assert_eq!(pruned[0]["after"]["audit_rows"], 4);
    assert_eq!(pruned[0]["after"]["chain_anchor"]["prev_hash"].as_str(), verified.anchor.as_deref());
    assert!(pruned[0]["after"]["audit_cutoff"].is_string());

    let (sessions_left, streams_left) = app
        .state
        .db
        .run(|c| {
            let s: Vec<String> = sessions::table.select(sessions::id).order(sessions::id).load(c)?;
            let ss: Vec<String> =
                stream_sessions::table.select(stream_sessions::id).order(stream_sessions::id).load(c)?;
            Ok((s, ss))
        })
        .await
        .unwrap();
    assert!(
        sessions_left.contains(&"s-revoked-new".to_string()) && sessions_left.contains(&"s-live".to_string())
    );
    assert!(!sessions_left.iter().any(|s| s == "s-revoked-old" || s == "s-idle-old"), "{sessions_left:?}");
    assert_eq!(streams_left, vec!["ss-new".to_string(), "ss-open".to_string()]);

    // Nothing more to prune: no second audit.pruned row.
    let again = prune_logs(&app.state.db, now, &policy).await.unwrap();
    assert_eq!(again, PruneReport::default());
    assert_eq!(app.audit(&admin, "audit.pruned").await.len(), 1);
}
