//! `GET /api/v1/cameras/{id}/timeline`: recorded intervals (touching chunks merged) and gaps
//! with their cause, from recordings, stream sessions and deletion audit rows set up directly.

use argus::db::{
    self,
    schema::{audit_logs, footage_tombstones, recordings},
    stream_sessions::StreamSessionRow,
};
use chrono::{DateTime, Duration, NaiveDateTime, SubsecRound, Utc};
use diesel::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{error_code, TestApp};

crate::matrix!(
    chunks_merge_and_gaps_name_their_cause,
    expired_footage_shows_as_deleted,
    a_user_deletion_leaves_a_tombstone,
    deletions_audited_before_the_tombstones_are_backfilled,
    a_live_camera_trails_off_in_progress,
    bad_ranges_and_foreign_cameras_are_refused
);

fn rfc(t: NaiveDateTime) -> String {
    t.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

async fn timeline(app: &TestApp, token: &str, camera: &str, from: NaiveDateTime, to: NaiveDateTime) -> Value {
    let path = format!("/api/v1/cameras/{camera}/timeline?from={}&to={}", rfc(from), rfc(to));
    let (status, body) = app.get(&path, token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn at(v: &Value) -> NaiveDateTime {
    v.as_str().expect("timestamp").parse::<DateTime<Utc>>().expect("RFC 3339").naive_utc()
}

fn spans(body: &Value) -> Vec<(NaiveDateTime, NaiveDateTime)> {
    body["intervals"].as_array().expect("intervals").iter().map(|i| (at(&i["from"]), at(&i["to"]))).collect()
}

fn gaps(body: &Value) -> Vec<(NaiveDateTime, NaiveDateTime, String)> {
    let all = body["gaps"].as_array().expect("gaps");
    all.iter()
        .map(|g| (at(&g["from"]), at(&g["to"]), g["cause"].as_str().expect("cause").to_string()))
        .collect()
}

/// A recording of `camera` over `[from, to)`, its file on HOT.
pub(crate) async fn chunk(app: &TestApp, camera: &str, from: NaiveDateTime, to: NaiveDateTime) -> String {
    let name = uuid::Uuid::new_v4().simple().to_string();
    let id = crate::retention::recording(app, camera, &name, 0).await;
    let rid = id.clone();
    let set = move |c: &mut db::DbConn| {
        diesel::update(recordings::table.find(&rid))
            .set((recordings::started_at.eq(from), recordings::ended_at.eq(to)))
            .execute(c)?;
        Ok(())
    };
    app.state.db.run(set).await.expect("set times");
    id
}

/// A publish session of `camera`; `to: None` = still live.
pub(crate) async fn session(app: &TestApp, camera: &str, from: NaiveDateTime, to: Option<NaiveDateTime>) {
    let row = StreamSessionRow {
        id: db::new_id(),
        camera_id: camera.to_string(),
        client_id: db::new_id(),
        addr: None,
        started_at: from,
        last_update_at: to.unwrap_or(from),
        ended_at: to,
        end_reason: to.map(|_| "done".to_string()),
        node: "timeline-test".into(),
        bytes_in: None,
    };
    app.state.db.run(move |c| db::stream_sessions::insert(c, &row)).await.expect("insert session");
}

fn minutes(base: NaiveDateTime, m: i64) -> NaiveDateTime {
    base + Duration::minutes(m)
}

async fn chunks_merge_and_gaps_name_their_cause(app: TestApp) {
    let admin = app.admin().await;
    let cam = app.create_camera(&admin, "TL-1").await["id"].as_str().expect("id").to_string();
    let base = (db::now() - Duration::hours(3)).trunc_subsecs(0);
    let m = |n| minutes(base, n);
    session(&app, &cam, m(30), Some(m(120))).await;
    // Three chunks with nginx's sub-second holes between them.
    chunk(&app, &cam, m(60), m(70)).await;
    chunk(&app, &cam, m(70) + Duration::milliseconds(400), m(80)).await;
    chunk(&app, &cam, m(80) + Duration::milliseconds(300), m(90)).await;
    let gone = chunk(&app, &cam, m(30), m(40)).await;
    let (status, body) =
        app.call(Method::DELETE, &format!("/api/v1/recordings/{gone}"), Some(&admin), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

    let body = timeline(&app, &admin, &cam, m(0), m(150)).await;
    assert_eq!(
        (body["camera_id"].as_str(), at(&body["from"]), at(&body["to"])),
        (Some(cam.as_str()), m(0), m(150))
    );
    assert_eq!(spans(&body), vec![(m(60), m(90))], "one interval: {body}");
    let expected = [
        (m(0), m(30), "offline"),
        (m(30), m(40), "deleted"),
        (m(40), m(60), "recording_off"),
        (m(90), m(120), "recording_off"),
        (m(120), m(150), "offline"),
    ];
    let expected: Vec<_> = expected.iter().map(|(a, b, c)| (*a, *b, c.to_string())).collect();
    assert_eq!(gaps(&body), expected, "{body}");

    // A narrower range clips the interval to it.
    let body = timeline(&app, &admin, &cam, m(65), m(85)).await;
    assert_eq!((spans(&body), gaps(&body)), (vec![(m(65), m(85))], vec![]), "{body}");
}

async fn expired_footage_shows_as_deleted(app: TestApp) {
    let admin = app.admin().await;
    let cam = crate::retention::camera(&app, &admin, "TL-EXP", json!(1)).await;
    let base = (db::now() - Duration::days(3)).trunc_subsecs(0);
    let m = |n| minutes(base, n);
    chunk(&app, &cam, m(10), m(20)).await;
    let report = crate::retention::run(&app).await;
    assert_eq!((report.expired, report.failed), (1, 0), "{report:?}");
    let expired = app.audit(&admin, "recording.expired").await;
    assert_eq!(
        expired[0]["before"]["started_at"].as_str().map(|s| at(&json!(s))),
        Some(m(10)),
        "{expired:?}"
    );

    let body = timeline(&app, &admin, &cam, m(0), m(30)).await;
    assert_eq!(spans(&body), vec![], "{body}");
    let expected: Vec<_> = [(m(0), m(10), "offline"), (m(10), m(20), "deleted"), (m(20), m(30), "offline")]
        .iter()
        .map(|(a, b, c)| (*a, *b, c.to_string()))
        .collect();
    assert_eq!(gaps(&body), expected, "{body}");
}

/// The camera's tombstones: `(started_at, ended_at, reason)`.
async fn tombstones(app: &TestApp, camera: &str) -> Vec<(NaiveDateTime, NaiveDateTime, String)> {
    let camera = camera.to_string();
    let read = move |c: &mut db::DbConn| {
        Ok(footage_tombstones::table
            .filter(footage_tombstones::camera_id.eq(camera))
            .select((
                footage_tombstones::started_at,
                footage_tombstones::ended_at,
                footage_tombstones::reason,
            ))
            .load(c)?)
    };
    app.state.db.run(read).await.expect("tombstones")
}

async fn a_user_deletion_leaves_a_tombstone(app: TestApp) {
    let admin = app.admin().await;
    let cam = app.create_camera(&admin, "TL-DEL").await["id"].as_str().expect("id").to_string();
    let base = (db::now() - Duration::hours(5)).trunc_subsecs(0);
    let m = |n| minutes(base, n);
    let kept = chunk(&app, &cam, m(0), m(10)).await;
    let gone = chunk(&app, &cam, m(10), m(20)).await;
    let (status, body) =
        app.call(Method::DELETE, &format!("/api/v1/recordings/{gone}"), Some(&admin), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(tombstones(&app, &cam).await, vec![(m(10), m(20), "user".to_string())]);
    // A refused deletion (legal hold) leaves none.
    let (status, _) =
        app.call(Method::PUT, &format!("/api/v1/recordings/{kept}/hold"), Some(&admin), None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) =
        app.call(Method::DELETE, &format!("/api/v1/recordings/{kept}"), Some(&admin), None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(tombstones(&app, &cam).await.len(), 1);

    let body = timeline(&app, &admin, &cam, m(0), m(20)).await;
    assert_eq!(spans(&body), vec![(m(0), m(10))], "{body}");
    assert_eq!(gaps(&body), vec![(m(10), m(20), "deleted".to_string())], "{body}");
}

/// Deletions made before the tombstone table existed are only in the audit log: the table's
/// migration files them. Reverting and re-running that migration around an audit row checks it
/// on this backend's SQL (JSON functions and time formats differ).
async fn deletions_audited_before_the_tombstones_are_backfilled(app: TestApp) {
    use diesel::migration::MigrationSource;
    use diesel_migrations::MigrationHarness;

    let admin = app.admin().await;
    let cam = app.create_camera(&admin, "TL-OLD").await["id"].as_str().expect("id").to_string();
    let base = (db::now() - Duration::days(2)).trunc_subsecs(0);
    let m = |n| minutes(base, n);
    let before = json!({ "camera_id": cam, "started_at": rfc(m(5)), "ended_at": rfc(m(15)), "tier": "hot" });
    let after = json!({ "reason": "quota", "quota_bytes": 1 });
    let row = (
        audit_logs::id.eq(uuid::Uuid::new_v4().to_string()),
        audit_logs::actor_type.eq("system"),
        audit_logs::action.eq("recording.expired"),
        audit_logs::entity_type.eq("recording"),
        audit_logs::entity_id.eq(uuid::Uuid::new_v4().to_string()),
        audit_logs::before_state.eq(before.to_string()),
        audit_logs::after_state.eq(after.to_string()),
        audit_logs::created_at.eq(db::now()),
    );
    let redo = move |c: &mut db::DbConn| {
        fn tombstone_migration<DB: diesel::backend::Backend>(
            source: impl MigrationSource<DB>,
        ) -> Box<dyn diesel::migration::Migration<DB>> {
            let all = source.migrations().expect("migrations");
            all.into_iter().find(|m| m.name().to_string().contains("footage_tombstones")).expect("migration")
        }
        let failed = |e| argus::error::AppError::internal(format!("migration: {e}"));
        match c {
            db::DbConn::Sqlite(c) => {
                let migration = tombstone_migration(db::SQLITE_MIGRATIONS);
                c.revert_migration(migration.as_ref()).map_err(failed)?;
                diesel::insert_into(audit_logs::table).values(row).execute(c)?;
                c.run_migration(migration.as_ref()).map_err(failed)?;
            }
            db::DbConn::Mysql(c) => {
                let migration = tombstone_migration(db::MYSQL_MIGRATIONS);
                c.revert_migration(migration.as_ref()).map_err(failed)?;
                diesel::insert_into(audit_logs::table).values(row).execute(c)?;
                c.run_migration(migration.as_ref()).map_err(failed)?;
            }
        }
        Ok(())
    };
    app.state.db.run(redo).await.expect("redo the tombstone migration");

    assert_eq!(tombstones(&app, &cam).await, vec![(m(5), m(15), "quota".to_string())]);
    let body = timeline(&app, &admin, &cam, m(0), m(20)).await;
    assert!(gaps(&body).contains(&(m(5), m(15), "deleted".to_string())), "{body}");
}

async fn a_live_camera_trails_off_in_progress(app: TestApp) {
    let admin = app.admin().await;
    let cam = app.create_camera(&admin, "TL-LIVE").await["id"].as_str().expect("id").to_string();
    let now = db::now().trunc_subsecs(0);
    session(&app, &cam, minutes(now, -10), None).await;
    let body = timeline(&app, &admin, &cam, minutes(now, -20), minutes(now, 5)).await;
    let gaps = gaps(&body);
    assert_eq!(gaps.len(), 2, "{body}");
    assert_eq!((gaps[0].0, gaps[0].1, gaps[0].2.as_str()), (minutes(now, -20), minutes(now, -10), "offline"));
    assert_eq!((gaps[1].0, gaps[1].2.as_str()), (minutes(now, -10), "in_progress"));
    // Nothing is said about the future.
    assert!(gaps[1].1 >= now && gaps[1].1 < minutes(now, 5), "{body}");
}

async fn bad_ranges_and_foreign_cameras_are_refused(app: TestApp) {
    let admin = app.admin().await;
    let mine = app.create_camera(&admin, "TL-MINE").await["id"].as_str().expect("id").to_string();
    let other = app.create_camera(&admin, "TL-OTHER").await["id"].as_str().expect("id").to_string();
    let t0 = db::now().trunc_subsecs(0);
    let path = |cam: &str, from: NaiveDateTime, to: NaiveDateTime| {
        format!("/api/v1/cameras/{cam}/timeline?from={}&to={}", rfc(from), rfc(to))
    };
    for bad in [
        path(&mine, t0, t0),
        path(&mine, t0, t0 - Duration::hours(1)),
        path(&mine, t0 - Duration::days(32), t0),
        format!("/api/v1/cameras/{mine}/timeline?from={}", rfc(t0)),
        format!("/api/v1/cameras/{mine}/timeline?from=yesterday&to={}", rfc(t0)),
    ] {
        let (status, body) = app.get(&bad, &admin).await;
        assert_eq!((status, error_code(&body)), (StatusCode::BAD_REQUEST, "bad_request"), "{bad}: {body}");
    }
    let (status, _) = app.get(&path(&mine, t0 - Duration::days(31), t0), &admin).await;
    assert_eq!(status, StatusCode::OK, "31 days is allowed");

    let body = json!({"remark": "mine", "permissions": ["recording.read"], "camera_ids": [mine]});
    let (status, created) = app.post("/api/v1/api-tokens", &admin, body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let scoped = created["secret"].as_str().expect("secret");
    let hour_ago = t0 - Duration::hours(1);
    let (status, body) = app.get(&path(&mine, hour_ago, t0), scoped).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for cam in [other.as_str(), "no-such-camera"] {
        let (status, body) = app.get(&path(cam, hour_ago, t0), scoped).await;
        assert_eq!((status, error_code(&body)), (StatusCode::NOT_FOUND, "not_found"), "{cam}: {body}");
    }
}
