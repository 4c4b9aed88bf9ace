//! Where transcoding profiles come from: a folder (`ARGUS_PROFILES_DIR`) or the profiles
//! embedded in the binary.

use std::{collections::BTreeMap, path::Path};

use super::profiles::{Profile, ProfileError};

/// The profiles of `dir`, or the embedded ones when no folder is configured.
pub fn load(dir: Option<&Path>) -> Result<BTreeMap<String, Profile>, ProfileError> {
    match dir {
        Some(dir) => load_dir(dir),
        None => parse_all("embedded profiles", crate::assets::builtin_profiles()),
    }
}

/// Every `*.toml` in `dir`, by profile name. A broken file is an error naming the file.
pub fn load_dir(dir: &Path) -> Result<BTreeMap<String, Profile>, ProfileError> {
    let dir_name = dir.display().to_string();
    let entries = std::fs::read_dir(dir).map_err(|e| invalid(&dir_name, e.to_string()))?;
    let mut files = Vec::new();
    for path in entries.flatten().map(|e| e.path()) {
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let file = path.display().to_string();
        let text = std::fs::read_to_string(&path).map_err(|e| invalid(&file, e.to_string()))?;
        files.push((file, text));
    }
    parse_all(&dir_name, files)
}

fn invalid(file: &str, message: String) -> ProfileError {
    ProfileError::Invalid { file: file.into(), message }
}

/// `(file name, text)` pairs → profiles by name, in file-name order.
fn parse_all(
    source: &str,
    mut files: Vec<(String, String)>,
) -> Result<BTreeMap<String, Profile>, ProfileError> {
    files.sort();
    let mut out = BTreeMap::new();
    for (file, text) in files {
        let profile = Profile::parse(&file, &text)?;
        if out.insert(profile.name.clone(), profile).is_some() {
            return Err(invalid(&file, "duplicate profile name".into()));
        }
    }
    if out.is_empty() {
        return Err(invalid(source, "no profiles found".into()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_profiles_match_the_shipped_folder() {
        let embedded = load(None).expect("embedded profiles parse");
        let folder = load_dir(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../ffmpeg-profiles")))
            .expect("shipped folder parses");
        assert_eq!(embedded, folder);
        assert!(embedded.contains_key("default"), "{:?}", embedded.keys());
    }

    #[test]
    fn a_folder_replaces_the_embedded_profiles() {
        let dir = tempfile::tempdir().expect("tempdir");
        let text = include_str!("../../../ffmpeg-profiles/low.toml");
        std::fs::write(dir.path().join("low.toml"), text).expect("write");
        std::fs::write(dir.path().join("README.md"), "not a profile").expect("write");
        let loaded = load(Some(dir.path())).expect("folder parses");
        assert_eq!(loaded.keys().collect::<Vec<_>>(), ["low"]);
        assert_eq!(loaded["low"].rungs.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["480p", "240p"]);
    }

    #[test]
    fn a_broken_or_missing_folder_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("broken.toml"), "name = ").expect("write");
        let err = load_dir(dir.path()).unwrap_err().to_string();
        assert!(err.contains("broken.toml"), "{err}");
        assert!(load_dir(&dir.path().join("missing")).is_err());
    }

    #[test]
    fn an_empty_folder_is_an_error_naming_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = load(Some(dir.path())).expect_err("no profiles");
        assert!(err.to_string().contains(&dir.path().display().to_string()), "{err}");
    }
}
