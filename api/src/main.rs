use clap::Parser;

use argus::{cli, config::Settings, telemetry};

#[actix_web::main]
async fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    let settings = match Settings::from_env() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("configuration error: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    // The transcoder logs to its own file (see `argus transcode --log-file`).
    if !matches!(cli.command, cli::Command::Transcode { .. }) {
        telemetry::init(settings.log_format);
    }
    match cli::run(cli, settings).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
