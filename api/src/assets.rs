//! Files compiled into the binary, so one copied `argus` starts from any directory: the default
//! transcoding profiles and the built dashboard. `ARGUS_PROFILES_DIR` / `ARGUS_FRONTEND_DIR`
//! replace them with folders on disk.

use std::borrow::Cow;

/// `ffmpeg-profiles/*.toml` as they were at build time.
#[derive(rust_embed::RustEmbed)]
#[folder = "../ffmpeg-profiles/"]
#[include = "*.toml"]
pub struct BuiltinProfiles;

/// `frontend/dist` as it was at build time (`build.rs` creates the folder when the dashboard
/// was not built, and then this is empty).
#[derive(rust_embed::RustEmbed)]
#[folder = "../frontend/dist/"]
pub struct Dashboard;

/// The text of every embedded profile, by file name.
pub fn builtin_profiles() -> Vec<(String, String)> {
    BuiltinProfiles::iter()
        .filter_map(|name| {
            let file = BuiltinProfiles::get(&name)?;
            Some((name.to_string(), String::from_utf8_lossy(&file.data).into_owned()))
        })
        .collect()
}

/// One file of the embedded dashboard and its MIME type.
pub fn dashboard_file(path: &str) -> Option<(Cow<'static, [u8]>, String)> {
    let file = Dashboard::get(path)?;
    let mime = file.metadata.mimetype().to_string();
    Some((file.data, mime))
}
