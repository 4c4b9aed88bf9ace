//! Faults of the services Argus depends on, simulated with a TCP proxy inside the test that can
//! be cut and restored — the shared MariaDB and Redis are never stopped.

use std::time::{Duration, Instant};

use diesel::{connection::SimpleConnection, Connection, MysqlConnection};
use reqwest::StatusCode;
use tokio::{net::TcpListener, task::JoinHandle};

use crate::helpers::{mysql_server, Backend, Options, TestApp};

/// Forwards 127.0.0.1:<port> to `target`. `cut` closes the listener and every forwarded
/// connection (a stopped server: connects are refused); `restore` listens on the same port again.
pub struct TcpProxy {
    pub port: u16,
    target: String,
    tasks: std::sync::Arc<std::sync::Mutex<Vec<JoinHandle<()>>>>,
}

impl TcpProxy {
    pub async fn start(target: &str) -> TcpProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let port = listener.local_addr().expect("proxy addr").port();
        let proxy = TcpProxy { port, target: target.to_string(), tasks: Default::default() };
        proxy.serve(listener);
        proxy
    }

    fn serve(&self, listener: TcpListener) {
        let target = self.target.clone();
        let tasks = self.tasks.clone();
        let accept = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let target = target.clone();
                let forward = tokio::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                tasks.lock().expect("tasks").push(forward);
            }
        });
        self.tasks.lock().expect("tasks").push(accept);
    }

    pub fn cut(&self) {
        for task in self.tasks.lock().expect("tasks").drain(..) {
            task.abort();
        }
    }

    pub async fn restore(&self) {
        let socket = tokio::net::TcpSocket::new_v4().expect("socket");
        socket.set_reuseaddr(true).expect("reuseaddr");
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], self.port));
        let deadline = Instant::now() + Duration::from_secs(5);
        // The aborted accept task drops its listener asynchronously: retry the bind briefly.
        loop {
            match socket.bind(addr) {
                Ok(()) => break,
                Err(e) => assert!(Instant::now() < deadline, "rebind proxy port: {e}"),
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.serve(socket.listen(128).expect("listen"));
    }
}

impl Drop for TcpProxy {
    fn drop(&mut self) {
        self.cut();
    }
}

/// A `t_<uuid>` database on the shared MariaDB, dropped with the guard.
struct MysqlDatabase(String);

impl MysqlDatabase {
    fn create() -> MysqlDatabase {
        let name = format!("t_{}", uuid::Uuid::new_v4().simple());
        let mut conn = MysqlConnection::establish(&mysql_server()).expect("MariaDB on 127.0.0.1:3306");
        conn.batch_execute(&format!("CREATE DATABASE `{name}` CHARACTER SET utf8mb4")).expect("create db");
        MysqlDatabase(name)
    }
}

impl Drop for MysqlDatabase {
    fn drop(&mut self) {
        if let Ok(mut conn) = MysqlConnection::establish(&mysql_server()) {
            let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS `{}`", self.0));
        }
    }
}

/// `(status, elapsed)` of a request.
async fn timed(req: reqwest::RequestBuilder) -> (StatusCode, Duration) {
    let started = Instant::now();
    let status = req.send().await.expect("request").status();
    (status, started.elapsed())
}

/// Polls `/readyz` until it answers `want`, failing after `within`; returns how long it took.
async fn wait_ready(app: &TestApp, want: StatusCode, within: Duration) -> Duration {
    let started = Instant::now();
    loop {
        let status = app.client.get(app.url("/readyz")).send().await.expect("readyz").status();
        if status == want {
            return started.elapsed();
        }
        assert!(started.elapsed() < within, "/readyz still {status} after {within:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// An app whose MariaDB (a fresh database, dropped afterwards) is reached through a proxy the
/// test can cut and restore. Bound in this order, the app goes first and the database last.
async fn app_behind_cuttable_mariadb() -> (MysqlDatabase, TcpProxy, TestApp) {
    let db = MysqlDatabase::create();
    let server = mysql_server();
    let target = server.rsplit('@').next().unwrap_or("127.0.0.1:3306").to_string();
    let proxy = TcpProxy::start(&target).await;
    let url = format!("{}:{}/{}", server.rsplit_once(':').expect("port in url").0, proxy.port, db.0);
    let app = TestApp::spawn_with(Options {
        backend: Backend::Mysql,
        redis: false,
        env: vec![("DATABASE_URL", url)],
    })
    .await;
    (db, proxy, app)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mariadb_down_answers_503_within_2s_and_recovers_on_its_own() {
    let (_db, proxy, app) = app_behind_cuttable_mariadb().await;
    let admin = app.admin().await;
    let cam = app.create_camera(&admin, "FAULT-DB-1").await;
    let key = cam["stream_key"].as_str().expect("stream key").to_string();
    let hook_url = app.url(&format!("/api/v1/streaming/auth?secret={}", app.state.media.hook_secret));
    let publish = |key: &str| {
        app.client.post(&hook_url).form(&[
            ("app", "live"),
            ("name", key),
            ("clientid", "1"),
            ("call", "publish"),
        ])
    };
    assert_eq!(timed(app.client.get(app.url("/readyz"))).await.0, StatusCode::OK);

    proxy.cut();
    let mut slowest = Duration::ZERO;
    // Every kind of database-touching request, each answered 503 in under 2 s, repeatedly
    // (the first ones find the dead pooled connections, the later ones an open breaker).
    for round in 0..3 {
        let uncached = format!("no-such-key-{round}");
        for (what, req) in [
            ("readyz", app.client.get(app.url("/readyz"))),
            ("cameras", app.client.get(app.url("/api/v1/cameras")).bearer_auth(&admin)),
            ("publish hook, uncached key", publish(&uncached)),
        ] {
            let (status, took) = timed(req).await;
            assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{what} in round {round}");
            assert!(took < Duration::from_secs(2), "{what} took {took:?} in round {round}");
            slowest = slowest.max(took);
        }
    }

    proxy.restore().await;
    let took = wait_ready(&app, StatusCode::OK, Duration::from_secs(3)).await;
    assert!(took < Duration::from_millis(1500), "ready again only after {took:?}");
    println!("database down: slowest 503 after {slowest:?}; ready again {took:?} after it returned");
    let (status, _) = app.get("/api/v1/cameras", &admin).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(publish(&key).send().await.expect("hook").status(), StatusCode::FOUND);
}

/// MariaDB stopped while nginx and the dashboard keep calling: 240 concurrent hook and API
/// requests all answer within 2 s (nothing queues behind the dead pool), publishes of a key
/// already cached keep being accepted, and the service is whole again once MariaDB returns.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mariadb_down_under_hook_and_api_load_answers_every_request_fast() {
    let (_db, proxy, app) = app_behind_cuttable_mariadb().await;
    let admin = app.admin().await;
    let cam = app.create_camera(&admin, "FAULT-DB-LOAD").await;
    let key = cam["stream_key"].as_str().expect("stream key").to_string();
    let hook_url = app.url(&format!("/api/v1/streaming/auth?secret={}", app.state.media.hook_secret));
    let publish = |key: String, client: usize| {
        let client = client.to_string();
        app.client.post(&hook_url).form(&[
            ("app", "live"),
            ("name", key.as_str()),
            ("clientid", client.as_str()),
            ("call", "publish"),
        ])
    };
    // Looked up once while the database is up: the hook answers it from the cache from then on.
    assert_eq!(publish(key.clone(), 0).send().await.expect("hook").status(), StatusCode::FOUND);

    proxy.cut();
    let requests = (0..240).map(|i| match i % 4 {
        0 => ("cached key", StatusCode::FOUND, publish(key.clone(), i)),
        1 => ("uncached key", StatusCode::SERVICE_UNAVAILABLE, publish(format!("no-such-key-{i}"), i)),
        2 => (
            "cameras",
            StatusCode::SERVICE_UNAVAILABLE,
            app.client.get(app.url("/api/v1/cameras")).bearer_auth(&admin),
        ),
        _ => ("readyz", StatusCode::SERVICE_UNAVAILABLE, app.client.get(app.url("/readyz"))),
    });
    let started = Instant::now();
    let answers = futures_util::future::join_all(requests.map(|(what, want, req)| async move {
        let (status, took) = timed(req).await;
        (what, want, status, took)
    }))
    .await;
    let slowest = answers.iter().map(|a| a.3).max().unwrap_or_default();
    for (what, want, status, took) in &answers {
        assert_eq!(status, want, "{what}");
        assert!(*took < Duration::from_secs(2), "{what} took {took:?}");
    }
    println!(
        "240 requests with the database down: all answered in {:?}, slowest {slowest:?}",
        started.elapsed()
    );

    proxy.restore().await;
    wait_ready(&app, StatusCode::OK, Duration::from_secs(3)).await;
    let (status, _) = app.get("/api/v1/cameras", &admin).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_down_keeps_serving_and_readiness_reports_it_degraded_not_failed() {
    let redis = crate::helpers::redis_url();
    let target = redis.trim_start_matches("redis://").trim_end_matches('/').to_string();
    let proxy = TcpProxy::start(&target).await;
    let url = format!("redis://127.0.0.1:{}", proxy.port);
    let app =
        TestApp::spawn_with(Options { backend: Backend::Mysql, redis: true, env: vec![("REDIS_URL", url)] })
            .await;
    let admin = app.admin().await;
    let (status, body) = app.call(reqwest::Method::GET, "/readyz", None, None).await;
    assert_eq!(
        (status, body["status"].as_str(), body["redis"].as_str()),
        (StatusCode::OK, Some("ready"), Some("ok"))
    );

    proxy.cut();
    let (status, body) = app.call(reqwest::Method::GET, "/readyz", None, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "degraded", "{body}");
    assert!(body["redis"].as_str().is_some_and(|r| r.starts_with("degraded")), "{body}");
    // The API keeps serving reads and writes on the in-process fallbacks.
    app.create_camera(&admin, "FAULT-REDIS-1").await;
    let (status, page) = app.get("/api/v1/cameras", &admin).await;
    assert_eq!((status, page["total"].as_i64()), (StatusCode::OK, Some(1)), "{page}");

    proxy.restore().await;
    let started = Instant::now();
    loop {
        let (_, body) = app.call(reqwest::Method::GET, "/readyz", None, None).await;
        if body["status"] == "ready" && body["redis"] == "ok" {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(5), "Redis never reported back: {body}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

crate::matrix!(a_poisoned_stream_event_costs_only_itself);

/// One event the database refuses for good (here a trigger refuses its session) fails its
/// batch; the writer then applies the batch event by event and the others land.
async fn a_poisoned_stream_event_costs_only_itself(app: TestApp) {
    use argus::services::{queues::StreamEvent, stream_writer};
    use diesel::connection::SimpleConnection;
    let admin = app.admin().await;
    let mut ids = vec![];
    for i in 0..3 {
        ids.push(app.create_camera(&admin, &format!("POISON-{i}")).await["id"].as_str().unwrap().to_string());
    }
    let trigger = match app.state.db.backend() {
        argus::db::Backend::Sqlite => {
            "CREATE TRIGGER poison BEFORE INSERT ON stream_sessions WHEN NEW.client_id = 'poison' \
             BEGIN SELECT RAISE(ABORT, 'poisoned'); END;"
        }
        argus::db::Backend::Mysql => {
            "CREATE TRIGGER poison BEFORE INSERT ON stream_sessions FOR EACH ROW BEGIN \
             IF NEW.client_id = 'poison' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'poisoned'; END IF; END"
        }
    };
    app.state.db.run(move |c| c.batch_execute(trigger).map_err(Into::into)).await.expect("trigger");
    let publish = |camera: &str, client: &str| StreamEvent::Published {
        camera_id: camera.to_string(),
        client_id: client.to_string(),
        addr: None,
    };
    let batch = vec![publish(&ids[0], "11"), publish(&ids[1], "poison"), publish(&ids[2], "13")];
    let result = stream_writer::apply(&app.state, batch).await;
    assert!(result.is_err(), "the poisoned event is reported");
    for (id, want) in [(&ids[0], "online"), (&ids[1], "offline"), (&ids[2], "online")] {
        let (_, camera) = app.get(&format!("/api/v1/cameras/{id}"), &admin).await;
        assert_eq!(camera["stream_status"], want, "{camera}");
    }
    assert_eq!(app.audit(&admin, "stream.published").await.len(), 2);
}
