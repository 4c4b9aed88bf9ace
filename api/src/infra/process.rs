//! This process's uptime, resident memory and CPU use, from `/proc/self` (Linux). Elsewhere the
//! figures are `None`.

use std::{
    sync::Mutex,
    time::{Duration, Instant},
};

/// What the dashboard shows about the process.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ProcessFigures {
    pub uptime_secs: Option<i64>,
    pub memory_rss_bytes: Option<i64>,
    /// CPU time over wall time since the previous sample, in percent of one core (a busy
    /// multi-threaded process can exceed 100).
    pub cpu_percent: Option<f64>,
}

/// Samples closer together than this reuse the previous figure: a CPU share over a few
/// milliseconds says nothing.
const MIN_INTERVAL: Duration = Duration::from_secs(1);

/// The previous CPU sample: when, CPU seconds then, and the share computed at that time.
static LAST: Mutex<Option<(Instant, f64, f64)>> = Mutex::new(None);

/// The process's figures now.
pub fn sample() -> ProcessFigures {
    let stat = std::fs::read_to_string("/proc/self/stat").ok().and_then(|s| CpuStat::parse(&s));
    let system_uptime = std::fs::read_to_string("/proc/uptime").ok().and_then(|s| first_number(&s));
    let ticks = clock_ticks();
    let uptime = match (stat, system_uptime) {
        (Some(st), Some(up)) => Some((up - st.start_ticks / ticks).max(0.0)),
        _ => None,
    };
    ProcessFigures {
        uptime_secs: uptime.map(|u| u as i64),
        memory_rss_bytes: rss_bytes(),
        cpu_percent: stat.map(|st| cpu_share((st.utime + st.stime) / ticks, uptime.unwrap_or(0.0))),
    }
}

/// The CPU share since the previous sample (since the process started, at the first one).
fn cpu_share(cpu_secs: f64, uptime_secs: f64) -> f64 {
    let mut last = LAST.lock().unwrap_or_else(|p| p.into_inner());
    let now = Instant::now();
    let share = match *last {
        Some((at, _, share)) if now.duration_since(at) < MIN_INTERVAL => return share,
        Some((at, cpu, _)) => (cpu_secs - cpu).max(0.0) / now.duration_since(at).as_secs_f64() * 100.0,
        None if uptime_secs > 0.0 => cpu_secs / uptime_secs * 100.0,
        None => 0.0,
    };
    let share = (share * 10.0).round() / 10.0;
    *last = Some((now, cpu_secs, share));
    share
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct CpuStat {
    utime: f64,
    stime: f64,
    start_ticks: f64,
}

impl CpuStat {
    /// `/proc/self/stat`: after the command name (in parentheses, which may hold spaces), the
    /// fields from the 3rd on; utime, stime and starttime are the 14th, 15th and 22nd.
    fn parse(stat: &str) -> Option<CpuStat> {
        let rest = &stat[stat.rfind(')')? + 1..];
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let field = |n: usize| fields.get(n - 3)?.parse::<f64>().ok();
        Some(CpuStat { utime: field(14)?, stime: field(15)?, start_ticks: field(22)? })
    }
}

fn first_number(s: &str) -> Option<f64> {
    s.split_whitespace().next()?.parse().ok()
}

fn clock_ticks() -> f64 {
    // SAFETY: sysconf only reads a configuration value.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if ticks > 0 {
        ticks as f64
    } else {
        100.0
    }
}

/// Resident pages (`/proc/self/statm`, 2nd field) times the page size.
fn rss_bytes() -> Option<i64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: i64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // SAFETY: sysconf only reads a configuration value.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    let page = if page > 0 { page as i64 } else { 4096 };
    Some(pages.saturating_mul(page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stat_line_is_read_past_a_command_name_with_spaces_and_parentheses() {
        let line =
            "4242 (tokio (rt) x) S 1 4242 4242 0 -1 4194560 900 0 0 0 250 125 0 0 20 0 9 0 31337 1000 500";
        let stat = CpuStat::parse(line).expect("parsed");
        assert_eq!(stat, CpuStat { utime: 250.0, stime: 125.0, start_ticks: 31337.0 });
        assert_eq!(CpuStat::parse("garbage"), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn this_process_has_figures() {
        let f = sample();
        assert!(f.uptime_secs.is_some_and(|u| u >= 0), "{f:?}");
        assert!(f.memory_rss_bytes.is_some_and(|m| m > 1024 * 1024), "{f:?}");
        assert!(f.cpu_percent.is_some_and(|c| c >= 0.0), "{f:?}");
    }
}
