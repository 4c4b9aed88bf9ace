//! Command-line interface: `argus serve | migrate | openapi | user create | storage plan …`.

mod storage;

use clap::{Parser, Subcommand};

use crate::{
    auth::{RequestMeta, Role},
    config::Settings,
    db,
    services::{self, audit::Actor, users::NewUser},
    startup::{self, Application},
};

#[derive(Parser, Debug)]
#[command(name = "argus", version, about = "Argus camera streaming platform: control plane")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the API server (applies migrations first).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage users.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Render nginx.conf, start nginx-rtmp, run migrations and serve the API and dashboard.
    Up,
    /// Say what the data plane needs and what is missing.
    Doctor,
    /// nginx configuration.
    Nginx {
        #[command(subcommand)]
        action: NginxAction,
    },
    /// Transcode one live stream to HLS (started by nginx for each camera).
    Transcode {
        #[arg(long)]
        stream: String,
        #[arg(long)]
        api: String,
        /// File holding the hook secret (kept off the command line, which `ps` shows to everyone).
        #[arg(long)]
        secret_file: std::path::PathBuf,
        #[arg(long, default_value_t = 1935)]
        rtmp_port: u16,
        #[arg(long)]
        hls_dir: std::path::PathBuf,
        #[arg(long)]
        log_file: Option<std::path::PathBuf>,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
    /// The storage lifecycle: its dry run, or one run now.
    Storage {
        #[command(subcommand)]
        action: storage::StorageAction,
    },
    /// Print the OpenAPI document the server serves at /api/openapi.json (no database needed).
    Openapi,
    /// Insert N synthetic cameras in one transaction (benchmarks and demos).
    #[command(hide = true)]
    SeedCameras {
        #[arg(long, default_value_t = 10_000)]
        count: u32,
        /// Also write the generated stream keys, one per line (for the hook benchmark).
        #[arg(long)]
        keys_out: Option<std::path::PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum NginxAction {
    /// Write the rendered nginx.conf (default: DATA_DIR/run/nginx.conf).
    Render {
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditAction {
    /// Walk the hash chain from the oldest remaining row; name the first broken link (exit 1).
    Verify,
}

#[derive(Subcommand, Debug)]
pub enum UserAction {
    /// Create a user.
    Create {
        #[arg(long)]
        username: String,
        #[arg(long, env = "ARGUS_NEW_USER_PASSWORD")]
        password: String,
        #[arg(long, value_parser = parse_role, default_value = "viewer")]
        role: Role,
        #[arg(long)]
        email: Option<String>,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| format!("{s:?} is not one of admin, operator, viewer, api"))
}

pub async fn run(cli: Cli, settings: Settings) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve => serve(settings).await,
        Command::Up => crate::up::up(settings).await,
        Command::Doctor => {
            let report = crate::up::doctor();
            println!("{}", report.text());
            if report.ok() {
                Ok(())
            } else {
                anyhow::bail!(
                    "missing pieces; install them with: apt-get install {}",
                    report.missing_packages().join(" ")
                )
            }
        }
        Command::Nginx { action: NginxAction::Render { out } } => {
            let state = startup::build_state(settings).await?;
            let port = state.settings.bind.port();
            let path = crate::up::render_nginx(&state, out, &std::env::current_exe()?, port)?;
            println!("wrote {}", path.display());
            Ok(())
        }
        Command::Transcode { stream, api, secret_file, rtmp_port, hls_dir, log_file } => {
            if let Some(file) = log_file {
                crate::telemetry::init_file(&file)?;
            }
            let secret = std::fs::read_to_string(&secret_file)
                .map_err(|e| anyhow::anyhow!("--secret-file {}: {e}", secret_file.display()))?
                .trim()
                .to_string();
            let job = crate::dataplane::transcode::TranscodeJob {
                stream,
                api,
                hook_secret: secret,
                rtmp_port,
                hls_dir,
            };
            crate::dataplane::transcode::run(job).await
        }
        Command::Storage { action } => storage::run(action, settings).await,
        Command::Openapi => {
            let profiles = crate::dataplane::profile_sources::load(settings.media.profiles_dir.as_deref())
                .map_err(|e| anyhow::anyhow!("ARGUS_PROFILES_DIR: {e}"))?;
            let names: Vec<String> = profiles.keys().cloned().collect();
            println!("{}", crate::openapi::document(&names).to_pretty_json()?);
            Ok(())
        }
        Command::Migrate => {
            let db = db::Db::connect(&settings.database_url, 1)
                .map_err(|e| anyhow::anyhow!("DATABASE_URL: {}", e.message))?;
            let applied = db.migrate().await.map_err(|e| anyhow::anyhow!(e.message))?;
            println!(
                "applied {} migration(s){}",
                applied.len(),
                if applied.is_empty() { String::new() } else { format!(": {}", applied.join(", ")) }
            );
            Ok(())
        }
        Command::Audit { action: AuditAction::Verify } => {
            let db = db::Db::connect(&settings.database_url, 1)
                .map_err(|e| anyhow::anyhow!("DATABASE_URL: {}", e.message))?;
            let report = services::audit::verify_chain(&db).await.map_err(|e| anyhow::anyhow!(e.message))?;
            match report.broken {
                None => {
                    let range = match (report.first_seq, report.last_seq) {
                        (Some(a), Some(b)) => format!(", links {a}..={b}"),
                        _ => String::new(),
                    };
                    let anchor = report.anchor.map(|h| format!(", anchored at {h}")).unwrap_or_default();
                    println!("audit chain intact: {} row(s){range}{anchor}", report.rows);
                    Ok(())
                }
                Some(b) => {
                    let seq = b.seq.map(|s| format!(" (link {s})")).unwrap_or_default();
                    anyhow::bail!("audit chain broken at row {}{seq}: {}", b.id, b.reason)
                }
            }
        }
        Command::SeedCameras { count, keys_out } => {
            let db = db::Db::connect(&settings.database_url, 1).map_err(|e| anyhow::anyhow!(e.message))?;
            db.migrate().await.map_err(|e| anyhow::anyhow!(e.message))?;
            let keys = db
                .transaction(move |c| {
                    let mut keys = Vec::with_capacity(count as usize);
                    for i in 0..count {
                        let camera = seed_camera(i);
                        db::cameras::insert(c, &camera)?;
                        keys.push(camera.stream_key);
                    }
                    Ok(keys)
                })
                .await
                .map_err(|e| anyhow::anyhow!(e.message))?;
            if let Some(path) = keys_out {
                std::fs::write(&path, keys.join("\n") + "\n")
                    .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
            }
            println!("inserted {count} cameras");
            Ok(())
        }
        Command::User { action: UserAction::Create { username, password, role, email } } => {
            let state = startup::build_state(settings).await?;
            let user = services::users::create(
                &state,
                NewUser { username, password, email, role },
                &Actor::system(),
                &RequestMeta::default(),
            )
            .await
            .map_err(|e| {
                anyhow::anyhow!("{}{}", e.message, e.details.map(|d| format!(": {d}")).unwrap_or_default())
            })?;
            println!("created {} ({}) with id {}", user.username, user.role.as_str(), user.id);
            Ok(())
        }
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let app = Application::build(settings).await?;
    crate::jobs::start(app.state().clone());
    let url = format!("http://{}:{}", app.state().settings.bind.ip(), app.port());
    if let Some((user, password)) = services::users::bootstrap_admin(app.state()).await? {
        println!("first start: created administrator\n  username: {user}\n  password: {password}\n(change it after logging in)");
    }
    println!("Argus API listening on {url}  (docs: {url}/api/docs/)");
    app.run_until_stopped().await?;
    Ok(())
}

fn seed_camera(i: u32) -> db::cameras::CameraRow {
    let now = db::now();
    db::cameras::CameraRow {
        id: db::new_id(),
        name: format!("Seed camera {i:05}"),
        company: Some(["Acme", "Globex", "Initech", "Umbrella"][i as usize % 4].into()),
        model: Some("BX-200".into()),
        serial_number: format!("SEED-{}-{i:05}", &uuid::Uuid::new_v4().simple().to_string()[..8]),
        location: Some(format!("Building {}", i % 50)),
        place: Some(format!("Site {}", i % 10)),
        stream_key: services::cameras::new_stream_key(),
        recording_enabled: i % 3 != 0,
        transcode_profile: "default".into(),
        is_active: true,
        stream_status: crate::domain::StreamStatus::Offline,
        last_seen_at: None,
        created_via: "api".into(),
        created_by: None,
        created_at: now,
        updated_at: now,
        deleted_at: None,
        retention_days: None,
        legal_hold: false,
        warm_after_days: None,
        cold_after_days: None,
        archive_after_days: None,
        quota_bytes: None,
    }
}
