use clap::Parser;

use argus::{cli, config::Settings, telemetry};

/// glibc raises its mmap threshold each time a large mmapped block is freed, after which big
/// short-lived buffers (argon2's 19 MiB per password check) come from the heap and stay resident
/// for good: an idle API grew from 23 to 43 MiB after one login. A fixed threshold keeps large
/// blocks mmapped, so they go back to the system when freed.
fn keep_large_allocations_mmapped() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: called first thing in main, before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

#[actix_web::main]
async fn main() -> std::process::ExitCode {
    keep_large_allocations_mmapped();
    let cli = cli::Cli::parse();
    let settings = match Settings::from_env() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("configuration error: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    // The transcoder logs to its own file (see `argus transcode --log-file`); `argus openapi`
    // prints the document on stdout, where log lines would spoil it.
    // `argus storage` prints its results on stdout, its logs go to stderr.
    match cli.command {
        cli::Command::Transcode { .. } | cli::Command::Openapi => {}
        cli::Command::Storage { .. } => telemetry::init_stderr(settings.log_format),
        _ => telemetry::init(settings.log_format),
    }
    match cli::run(cli, settings).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
