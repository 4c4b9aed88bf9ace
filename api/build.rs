//! The dashboard is embedded from `frontend/dist` (rust-embed needs the folder to exist at
//! compile time); an API-only build without a built dashboard embeds an empty folder.

fn main() {
    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../frontend/dist");
    if let Err(e) = std::fs::create_dir_all(&dist) {
        println!("cargo:warning=cannot create {}: {e}", dist.display());
    }
    // Rebuild when the dashboard or the default profiles change (cargo scans folders recursively).
    println!("cargo:rerun-if-changed=../frontend/dist");
    println!("cargo:rerun-if-changed=../ffmpeg-profiles");
    // embed_migrations! reads these at compile time.
    println!("cargo:rerun-if-changed=../migrations");
}
