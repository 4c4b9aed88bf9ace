//! `TestApp::spawn`: the real application on a random port, against a fresh database (a temp
//! SQLite file, or a `t_<uuid>` database on the MariaDB at 127.0.0.1:3306 dropped afterwards),
//! optionally with Redis (127.0.0.1:6379, a key prefix per test).

use std::{collections::HashMap, time::Duration};

use argus::{
    auth::{RequestMeta, Role},
    config::Settings,
    services::{self, audit::Actor, users::NewUser},
    startup::Application,
    state::AppState,
};
use diesel::{connection::SimpleConnection, Connection, MysqlConnection};
use futures_util::StreamExt;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Mysql,
}

pub const PASSWORD: &str = "test password 42";

/// Server of the MariaDB the tests use; override with `TEST_MYSQL_URL` (no database part).
pub fn mysql_server() -> String {
    std::env::var("TEST_MYSQL_URL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".into())
}

pub fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

pub struct TestApp {
    pub address: String,
    pub state: AppState,
    pub client: reqwest::Client,
    mysql_db: Option<String>,
    _dir: tempfile::TempDir,
}

pub struct Options {
    pub backend: Backend,
    pub redis: bool,
    pub env: Vec<(&'static str, String)>,
}

impl TestApp {
    pub async fn spawn(backend: Backend, redis: bool) -> TestApp {
        Self::spawn_with(Options { backend, redis, env: vec![] }).await
    }

    pub async fn spawn_with(opts: Options) -> TestApp {
        if std::env::var("TEST_LOG").is_ok() {
            argus::telemetry::init(argus::config::LogFormat::Pretty);
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let suffix = uuid::Uuid::new_v4().simple().to_string();
        let (database_url, mysql_db) = match opts.backend {
            Backend::Sqlite => (format!("sqlite://{}/argus.db", dir.path().display()), None),
            Backend::Mysql => {
                let name = format!("t_{suffix}");
                let mut conn = MysqlConnection::establish(&mysql_server())
                    .expect("MariaDB must be running on 127.0.0.1:3306 for the MySQL tests");
                conn.batch_execute(&format!("CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
                    .expect("create test database");
                (format!("{}/{name}", mysql_server()), Some(name))
            }
        };
        let mut env: HashMap<String, String> = HashMap::from([
            ("ARGUS_BIND".into(), "127.0.0.1:0".into()),
            ("DATABASE_URL".into(), database_url),
            ("ARGUS_DATA_DIR".into(), dir.path().display().to_string()),
            ("ARGUS_PUBLIC_RTMP_URL".into(), "rtmp://cams.example.test:1935/live".into()),
            ("ARGUS_DATABASE_POOL_SIZE".into(), "4".into()),
            // Nothing listens here in the API tests: control calls fail fast and are logged.
            ("ARGUS_NGINX_HTTP_PORT".into(), "9".into()),
            // The HOT disk floor reads the real disk: off, so a full build disk changes no
            // test; the floor's tests give the storage a fake disk.
            ("ARGUS_HOT_MIN_FREE_PERCENT".into(), "0".into()),
        ]);
        if opts.redis {
            env.insert("REDIS_URL".into(), redis_url());
            env.insert("ARGUS_REDIS_PREFIX".into(), format!("argus-test-{suffix}"));
        }
        for (k, v) in opts.env {
            env.insert(k.to_string(), v);
        }
        let settings = Settings::from_map(&env).expect("test settings are valid");
        let app = Application::build(settings).await.expect("application starts");
        let address = format!("http://127.0.0.1:{}", app.port());
        let state = app.state().clone();
        tokio::spawn(app.run_until_stopped());
        let client =
            reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        TestApp { address, state, client, mysql_db, _dir: dir }
    }

    /// A second instance on the same database, data dir (secrets) and Redis prefix, as another
    /// replica behind a load balancer. Needs `self` to run with Redis.
    pub async fn replica(&self) -> TestApp {
        self.sibling(true, vec![("ARGUS_REDIS_PREFIX", self.state.settings.redis_prefix.clone())]).await
    }

    /// Another instance on the same database and data dir (secrets), with `env` on top: an
    /// Argus restarted on the same data, or another ingest node. Dropping it keeps the database.
    pub async fn sibling(&self, redis: bool, mut env: Vec<(&'static str, String)>) -> TestApp {
        env.push(("DATABASE_URL", self.state.settings.database_url.clone()));
        env.push(("ARGUS_DATA_DIR", self._dir.path().display().to_string()));
        TestApp::spawn_with(Options { backend: Backend::Sqlite, redis, env }).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// Creates a user directly through the service layer.
    pub async fn create_user(&self, username: &str, role: Role) -> String {
        let input = NewUser { username: username.into(), password: PASSWORD.into(), email: None, role };
        services::users::create(&self.state, input, &Actor::system(), &RequestMeta::default())
            .await
            .expect("create user")
            .id
    }

    pub async fn login(&self, username: &str, password: &str) -> reqwest::Response {
        self.client
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .expect("request")
    }

    /// Creates a user of `role` and returns a bearer access token for it.
    pub async fn token_for(&self, role: Role) -> String {
        let name = format!("{}-{}", role.as_str(), &uuid::Uuid::new_v4().simple().to_string()[..8]);
        self.create_user(&name, role).await;
        let body: Value = self.login(&name, PASSWORD).await.json().await.expect("json");
        body["access_token"].as_str().expect("access token").to_string()
    }

    pub async fn admin(&self) -> String {
        self.token_for(Role::Admin).await
    }

    /// Sends `body` (JSON) with a bearer token; `None` = anonymous.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status();
        let text = resp.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    /// A binary body (e.g. a recording download), asserting 200.
    pub async fn get_bytes(&self, path: &str, token: &str) -> Vec<u8> {
        let resp = self.client.get(self.url(path)).bearer_auth(token).send().await.expect("request");
        assert_eq!(resp.status(), StatusCode::OK, "GET {path}");
        resp.bytes().await.expect("body").to_vec()
    }

    pub async fn create_camera(&self, token: &str, serial: &str) -> Value {
        let (status, body) = self
            .post(
                "/api/v1/cameras",
                token,
                json!({"name": format!("Camera {serial}"), "serial_number": serial}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body
    }

    /// Audit entries with `action`, newest first.
    pub async fn audit(&self, admin: &str, action: &str) -> Vec<Value> {
        let (status, body) = self.get(&format!("/api/v1/audit-logs?action={action}&limit=100"), admin).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["items"].as_array().cloned().unwrap_or_default()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(name) = &self.mysql_db {
            if let Ok(mut conn) = MysqlConnection::establish(&mysql_server()) {
                let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS `{name}`"));
            }
        }
    }
}

pub type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub async fn connect_ws(app: &TestApp, token: &str) -> Ws {
    let url = format!("{}/api/v1/ws?access_token={token}", app.address.replace("http://", "ws://"));
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.expect("ws connect");
    let hello = next_event(&mut ws, |_| true).await;
    assert_eq!(hello["type"], "hello");
    ws
}

/// The next event matching `pred` (fails after 10 s).
pub async fn next_event(ws: &mut Ws, pred: impl Fn(&Value) -> bool) -> Value {
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(text))) => {
                    let v: Value = serde_json::from_str(&text).expect("event json");
                    if pred(&v) {
                        return v;
                    }
                }
                Some(Ok(_)) => {}
                other => panic!("websocket ended: {other:?}"),
            }
        }
    })
    .await
    .expect("event within 10 s")
}

/// The close frame the server sends next (skipping events), within 5 s.
pub async fn next_close(ws: &mut Ws) -> tokio_tungstenite::tungstenite::protocol::CloseFrame {
    tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Close(Some(frame)))) => return frame,
                Some(Ok(Message::Close(None))) | None => panic!("closed without a reason"),
                Some(Ok(_)) => {}
                Some(Err(e)) => panic!("websocket error before close: {e}"),
            }
        }
    })
    .await
    .expect("server closes the socket within 5 s")
}

pub fn status_event<'a>(camera_id: &'a str, status: &'static str) -> impl Fn(&Value) -> bool + 'a {
    move |v| {
        v["type"] == "camera.status"
            && v["data"]["camera_id"] == camera_id
            && v["data"]["stream_status"] == status
    }
}

/// Asserts the common error shape and returns its `code`.
pub fn error_code(body: &Value) -> &str {
    let err = &body["error"];
    assert!(err["message"].is_string(), "error without message: {body}");
    assert!(err.get("details").is_some(), "error without details: {body}");
    err["code"].as_str().unwrap_or_else(|| panic!("no error code in {body}"))
}

/// One test body run on SQLite, on MariaDB, and on MariaDB with Redis.
#[macro_export]
macro_rules! matrix {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            use $crate::helpers::{Backend, TestApp};
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() { super::$name(TestApp::spawn(Backend::Sqlite, false).await).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn mysql() { super::$name(TestApp::spawn(Backend::Mysql, false).await).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn mysql_redis() { super::$name(TestApp::spawn(Backend::Mysql, true).await).await }
        }
    )*};
}

/// A HOT recording row for a file written by the test (size and checksum as given), inserted
/// directly, as the ingest would file it.
pub async fn insert_hot_recording(
    app: &TestApp,
    camera_id: String,
    file: &std::path::Path,
    size: i64,
    checksum: String,
) -> String {
    use argus::db::{self, recordings::RecordingRow};
    let now = db::now();
    let row = RecordingRow {
        id: db::new_id(),
        camera_id,
        started_at: now,
        ended_at: now,
        duration_ms: 1000,
        size_bytes: size,
        file_path: file.display().to_string(),
        source_path: file.display().to_string(),
        tier: argus::domain::StorageTier::Hot,
        checksum_sha256: checksum,
        video_codec: None,
        audio_codec: None,
        width: None,
        height: None,
        bitrate_kbps: None,
        created_at: now,
        legal_hold: false,
    };
    let id = row.id.clone();
    app.state.db.run(move |c| db::recordings::insert(c, &row)).await.expect("insert recording");
    id
}

/// Polls `probe` every 100 ms until it answers `Ok(value)`; panics after `timeout` with `what`
/// and the last `Err(state)` it answered (what the condition looked like instead).
pub async fn poll_until<T, F, Fut>(what: &str, timeout: Duration, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, String>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        match probe().await {
            Ok(value) => return value,
            Err(state) => assert!(tokio::time::Instant::now() < deadline, "{what} never happened: {state}"),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
