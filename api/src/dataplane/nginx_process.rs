//! The nginx process of a deployment. nginx holds the live publishers, so it must outlive a
//! crash of Argus: it is started in its own process group without a parent-death signal, and
//! an Argus that starts while the nginx of the same run folder is still running adopts it
//! instead of starting a second one (which could not see the streams the first one holds).

use std::{
    path::{Path, PathBuf},
    process::Stdio,
    time::{Duration, Instant},
};

/// nginx as Argus knows it: its own child, or one an earlier Argus started.
pub enum NginxProcess {
    Child(tokio::process::Child),
    Adopted { pid: i32 },
}

/// `kill(pid, 0)`: whether a process with this pid exists.
fn alive(pid: i32) -> bool {
    // SAFETY: signal 0 only checks for existence and permission.
    unsafe { libc::kill(pid, 0) == 0 }
}

fn signal(pid: i32, sig: libc::c_int) {
    // SAFETY: signalling an nginx master this deployment started.
    unsafe { libc::kill(pid, sig) };
}

/// The master of the nginx started with `conf` whose pid is in `pid_file`, if it still runs.
/// Its command line must name `conf`, so a recycled pid of an unrelated process is not taken.
/// (nginx rewrites its title to `nginx: master process <its command line>`, so the arguments
/// are matched as text, not one by one.)
pub fn running(pid_file: &Path, conf: &Path) -> Option<i32> {
    let pid: i32 = std::fs::read_to_string(pid_file).ok()?.trim().parse().ok()?;
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let text = String::from_utf8_lossy(&cmdline).replace('\0', " ");
    let ours = text.contains("nginx") && text.contains(&format!("-c {}", conf.display()));
    (alive(pid) && ours).then_some(pid)
}

/// Starts nginx in the foreground with `conf`, in its own process group: Ctrl-C in a terminal
/// reaches Argus only, which then stops nginx gracefully (SIGINT would drop every stream).
pub fn launch(nginx: &str, run_dir: &Path, conf: &Path) -> std::io::Result<NginxProcess> {
    let mut cmd = tokio::process::Command::new(nginx);
    cmd.arg("-p").arg(run_dir).arg("-c").arg(conf).args(["-g", "daemon off;"]).stdin(Stdio::null());
    cmd.process_group(0);
    Ok(NginxProcess::Child(cmd.spawn()?))
}

/// `nginx -t` of `conf`: `None` when nginx accepts it, else what nginx said.
pub async fn check_config(nginx: &str, run_dir: &Path, conf: &Path) -> std::io::Result<Option<String>> {
    let check = tokio::process::Command::new(nginx)
        .arg("-t")
        .arg("-p")
        .arg(run_dir)
        .arg("-c")
        .arg(conf)
        .output()
        .await?;
    Ok((!check.status.success()).then(|| String::from_utf8_lossy(&check.stderr).into_owned()))
}

/// Has an adopted nginx load a changed configuration (`nginx -s reload`).
pub fn reload(pid: i32) {
    signal(pid, libc::SIGHUP);
}

impl NginxProcess {
    pub fn pid(&self) -> Option<i32> {
        match self {
            NginxProcess::Child(child) => child.id().map(|p| p as i32),
            NginxProcess::Adopted { pid } => Some(*pid),
        }
    }

    /// Waits until nginx exits; says how.
    pub async fn exited(&mut self) -> String {
        match self {
            NginxProcess::Child(child) => format!("{:?}", child.wait().await.ok()),
            NginxProcess::Adopted { pid } => {
                // Not our child: nothing to wait on but its pid.
                while alive(*pid) {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                "the adopted nginx is gone".into()
            }
        }
    }

    fn has_exited(&mut self) -> bool {
        match self {
            NginxProcess::Child(child) => matches!(child.try_wait(), Ok(Some(_))),
            NginxProcess::Adopted { pid } => !alive(*pid),
        }
    }

    /// Graceful stop (SIGQUIT): nginx ends the transcoders and closes open recordings, then
    /// exits; killed after `timeout`. SIGKILL alone would end only the master and orphan a
    /// worker that keeps serving.
    pub fn stop(&mut self, timeout: Duration) {
        let Some(pid) = self.pid() else { return };
        signal(pid, libc::SIGQUIT);
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if self.has_exited() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        tracing::warn!(pid, "nginx did not quit in time; killing it");
        signal(pid, libc::SIGKILL);
    }
}

/// `run_dir/nginx.pid`, where the rendered config tells nginx to write its pid.
pub fn pid_file(run_dir: &Path) -> PathBuf {
    run_dir.join("nginx.pid")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pid_file_of_another_program_or_a_dead_pid_is_not_adopted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let pid_file = dir.path().join("nginx.pid");
        let conf = dir.path().join("nginx.conf");
        assert_eq!(running(&pid_file, &conf), None, "no pid file");
        // This test process is alive but is not nginx running `conf`.
        std::fs::write(&pid_file, std::process::id().to_string()).expect("write");
        assert_eq!(running(&pid_file, &conf), None, "a live pid of another program");
        std::fs::write(&pid_file, "999999999").expect("write");
        assert_eq!(running(&pid_file, &conf), None, "a dead pid");
    }
}
