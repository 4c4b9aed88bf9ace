//! Test-only crash points: `ARGUS_FAILPOINTS=storage.copied=pause,storage.committed=error`.
//! Never set this in production. A step of the storage lifecycle named here either pauses its task
//! forever, after logging `failpoint NAME reached: pausing` (so `scripts/storage-crash-test.sh`
//! can `kill -9` the process exactly there), or fails as a crash there would leave it (the API
//! tests). Unset (the default) every check is a no-op.
//!
//! Names: `storage.copy_started` (a partial upload exists), `storage.copied` (the copy is complete
//! and verified, the row still points at the source), `storage.committed` (the row points at the
//! copy, the source is not yet deleted), `storage.expire_row_deleted` (an expired recording's row
//! is deleted and its objects queued for deletion, not yet deleted). The storage run takes each
//! step for a whole batch, so a step is reached once per batch, when all of it got there
//! (`storage.copy_started`: once per copy, the copies running concurrently).

use std::{collections::BTreeMap, sync::Arc};

use crate::error::{AppError, AppResult};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Log, then never return (the test kills the process).
    Pause,
    /// Fail the step with an error.
    Error,
}

/// The configured points; empty when `ARGUS_FAILPOINTS` is unset.
#[derive(Clone, Debug, Default)]
pub struct FailPoints(Option<Arc<BTreeMap<String, Action>>>);

impl FailPoints {
    /// `name=action` pairs, comma-separated; `action` is `pause` or `error`.
    pub fn parse(spec: &str) -> Result<FailPoints, String> {
        let mut points = BTreeMap::new();
        for pair in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, action) =
                pair.split_once('=').ok_or_else(|| format!("{pair:?} is not NAME=pause|error"))?;
            let action = match action.trim() {
                "pause" => Action::Pause,
                "error" => Action::Error,
                other => return Err(format!("{other:?} is not one of pause, error")),
            };
            points.insert(name.trim().to_string(), action);
        }
        Ok(FailPoints((!points.is_empty()).then(|| Arc::new(points))))
    }

    /// Whether point `name` is configured at all (a behaviour switched on for tests, such as
    /// `export.realtime`: the export worker reads its input at native speed, so a test can act
    /// on a running export).
    pub fn armed(&self, name: &str) -> bool {
        self.0.as_ref().is_some_and(|p| p.contains_key(name))
    }

    /// Reached step `name`: pauses forever or fails when it is configured, else returns at once.
    pub async fn reach(&self, name: &str) -> AppResult<()> {
        let Some(points) = &self.0 else { return Ok(()) };
        match points.get(name) {
            None => Ok(()),
            Some(Action::Error) => Err(AppError::internal(format!("injected failure at {name}"))),
            Some(Action::Pause) => {
                tracing::warn!("failpoint {name} reached: pausing");
                std::future::pending().await
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_pairs_and_rejects_unknown_actions() {
        let fp = FailPoints::parse(" storage.copied=pause, storage.committed=error ").expect("valid");
        let points = fp.0.expect("set");
        assert_eq!(points.get("storage.copied"), Some(&Action::Pause));
        assert_eq!(points.get("storage.committed"), Some(&Action::Error));
        assert!(FailPoints::parse("").expect("valid").0.is_none());
        assert!(FailPoints::parse("storage.copied").is_err());
        assert!(FailPoints::parse("storage.copied=panic").is_err());
    }

    #[tokio::test]
    async fn an_error_point_fails_only_its_step() {
        let fp = FailPoints::parse("storage.copied=error").expect("valid");
        assert!(fp.reach("storage.copied").await.is_err());
        assert!(fp.reach("storage.committed").await.is_ok());
        assert!(FailPoints::default().reach("storage.copied").await.is_ok());
    }
}
