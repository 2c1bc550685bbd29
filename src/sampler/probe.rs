//! What the sampler reads from the machine: a monotonic clock, CPU time,
//! involuntary context switches, and a sleep.
//!
//! They sit behind the [`Probe`] trait so that the sampler's decisions can
//! be replayed exactly by a scripted fake ([`super::fake`]); [`OsProbe`]
//! reads the real machine through `libc`.

use serde::{Deserialize, Serialize};

/// Whose CPU time and context switches a sample is charged with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CpuScope {
    /// The calling thread only: right for a single-threaded routine, whose
    /// CPU time then grows with wall time unless something preempts it.
    #[default]
    Thread,
    /// The whole process: right for a parallel routine (rayon), whose work
    /// runs on other threads.
    Process,
}

/// The machine as the sampler sees it. Readings are monotonic counters;
/// the sampler only ever subtracts two readings of the same kind.
pub trait Probe {
    /// A monotonic wall clock, ns.
    fn now_ns(&mut self) -> u64;

    /// CPU time consumed so far by the thread or the process, ns.
    fn cpu_ns(&mut self, scope: CpuScope) -> u64;

    /// Involuntary context switches so far of the thread or the process.
    fn involuntary_switches(&mut self, scope: CpuScope) -> u64;

    /// Sleeps for `ns` nanoseconds (a retake's backoff).
    fn sleep(&mut self, ns: u64);

    /// CPU time used so far by everything on the machine, when the OS
    /// tells it (Linux: `/proc/stat`); `None` elsewhere. With the
    /// process's own CPU time it shows a neighbour busy on another core,
    /// which slows a routine through shared caches and memory without any
    /// sign in the routine's own CPU time or context switches.
    fn machine_busy(&mut self) -> Option<MachineBusy> {
        None
    }
}

/// The machine's busy CPU time so far, over all its CPUs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MachineBusy {
    /// User, nice, system, irq and softirq time of all CPUs, ns (idle,
    /// I/O wait and time stolen by the hypervisor left out).
    pub busy_ns: u64,
    /// Logical CPUs the time is spread over.
    pub cpus: u32,
}

/// The real machine: `CLOCK_MONOTONIC`, `CLOCK_THREAD_CPUTIME_ID` /
/// `CLOCK_PROCESS_CPUTIME_ID`, and `ru_nivcsw` of `getrusage`
/// (`RUSAGE_THREAD` / `RUSAGE_SELF`).
///
/// The wall clock is read in user space (vDSO, 25–50 ns here); CPU time
/// and switches are system calls (0.4–0.9 and 0.2–0.6 µs on these virtual
/// machines), which is most of the sampler's cost per sample.
//
// The two system calls cannot be merged: getrusage also reports CPU time,
// but for a running thread it advances only when the scheduler accounts
// the thread's runtime, in steps of about 4 ms here (measured with a
// getrusage loop), which would make every 10 ms sample look contended.
// TODO(#3): a sample costs 0.9 µs of sampler time on one of these VMs but
// 1.7-2.5 µs on others (`cargo bench --bench sampler_overhead`,
// sample/noop), above the 1 µs aim there, because of these two system
// calls; fixable when a cheaper source of thread CPU time exists (a vDSO
// thread clock).
#[derive(Debug, Clone, Copy, Default)]
pub struct OsProbe;

impl Probe for OsProbe {
    fn now_ns(&mut self) -> u64 {
        clock_ns(libc::CLOCK_MONOTONIC)
    }

    fn cpu_ns(&mut self, scope: CpuScope) -> u64 {
        match scope {
            CpuScope::Thread => clock_ns(libc::CLOCK_THREAD_CPUTIME_ID),
            CpuScope::Process => clock_ns(libc::CLOCK_PROCESS_CPUTIME_ID),
        }
    }

    fn involuntary_switches(&mut self, scope: CpuScope) -> u64 {
        let who = match scope {
            CpuScope::Thread => RUSAGE_THREAD,
            CpuScope::Process => libc::RUSAGE_SELF,
        };
        // SAFETY: `usage` is a plain C struct that getrusage fills in; an
        // all-zero value is a valid initial state for it.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: `who` is a valid selector and `usage` a valid pointer.
        let rc = unsafe { libc::getrusage(who, &mut usage) };
        if rc != 0 {
            // getrusage fails only for a bad selector; report no evidence
            // rather than invent some.
            return 0;
        }
        u64::try_from(usage.ru_nivcsw).unwrap_or(0)
    }

    fn sleep(&mut self, ns: u64) {
        // In slices, so Ctrl-C ends a backoff of seconds at once.
        crate::interrupt::sleep(std::time::Duration::from_nanos(ns));
    }

    fn machine_busy(&mut self) -> Option<MachineBusy> {
        let text = std::fs::read_to_string("/proc/stat").ok()?;
        // SAFETY: sysconf only reads a system constant.
        let ticks_per_s = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
        parse_proc_stat(&text, u64::try_from(ticks_per_s).ok()?)
    }
}

/// The machine's busy time from the text of `/proc/stat`, whose first
/// line sums every CPU in clock ticks (`cpu user nice system idle iowait
/// irq softirq steal ...`) and whose `cpuN` lines count the CPUs.
pub fn parse_proc_stat(text: &str, ticks_per_s: u64) -> Option<MachineBusy> {
    let mut lines = text.lines();
    let fields: Vec<u64> = lines
        .next()?
        .strip_prefix("cpu ")?
        .split_whitespace()
        .map(|f| f.parse().ok())
        .collect::<Option<_>>()?;
    let busy_ticks: u64 = [0, 1, 2, 5, 6].iter().filter_map(|&i| fields.get(i)).sum();
    let cpus = lines
        .filter(|l| {
            l.starts_with("cpu") && l[3..].starts_with(|c: char| c.is_ascii_digit())
        })
        .count();
    if ticks_per_s == 0 || fields.len() < 7 || cpus == 0 {
        return None;
    }
    Some(MachineBusy {
        busy_ns: busy_ticks.saturating_mul(1_000_000_000 / ticks_per_s),
        cpus: u32::try_from(cpus).ok()?,
    })
}

/// `RUSAGE_THREAD` exists on Linux only; elsewhere the process counter is
/// the closest reading.
#[cfg(target_os = "linux")]
const RUSAGE_THREAD: libc::c_int = libc::RUSAGE_THREAD;
// TODO(#3): thread-scoped switch counts are Linux-only, so a single-threaded
// benchmark elsewhere is charged with the whole process's switches; fixable
// per OS (thread_info on macOS) when perfgate runs there.
#[cfg(not(target_os = "linux"))]
const RUSAGE_THREAD: libc::c_int = libc::RUSAGE_SELF;

/// Reads a POSIX clock in nanoseconds (0 if the clock is unavailable,
/// which never happens for the clocks above on Linux).
fn clock_ns(clock: libc::clockid_t) -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec.
    let rc = unsafe { libc::clock_gettime(clock, &mut ts) };
    if rc != 0 {
        return 0;
    }
    let secs = u64::try_from(ts.tv_sec).unwrap_or(0);
    let nanos = u64::try_from(ts.tv_nsec).unwrap_or(0);
    secs.saturating_mul(1_000_000_000).saturating_add(nanos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_clocks_advance_while_the_thread_works() {
        let mut p = OsProbe;
        let (t0, c0) = (p.now_ns(), p.cpu_ns(CpuScope::Thread));
        let mut x = 0u64;
        for i in 0..2_000_000u64 {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(i));
        }
        let (t1, c1) = (p.now_ns(), p.cpu_ns(CpuScope::Thread));
        assert!(t1 > t0 && c1 > c0, "{x}");
        assert!(p.cpu_ns(CpuScope::Process) >= c1 - c0);
    }

    #[test]
    fn proc_stat_busy_time_leaves_out_idle_iowait_and_steal() {
        let text = "cpu  100 2 30 5000 7 1 4 9 0 0\ncpu0 50 1 15 2500 3 1 2 4 0 0\n\
                    cpu1 50 1 15 2500 4 0 2 5 0 0\nintr 12345\n";
        let busy = parse_proc_stat(text, 100).unwrap();
        assert_eq!(busy.busy_ns, (100 + 2 + 30 + 1 + 4) * 10_000_000);
        assert_eq!(busy.cpus, 2);
        assert_eq!(parse_proc_stat("garbage", 100), None);
        assert_eq!(parse_proc_stat("cpu  1 2\ncpu0 1 2\n", 100), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_machine_busy_time_is_read_on_linux() {
        let busy = OsProbe.machine_busy().expect("/proc/stat is readable");
        assert!(busy.cpus >= 1);
    }

    #[test]
    fn involuntary_switch_counters_never_go_backwards() {
        let mut p = OsProbe;
        for scope in [CpuScope::Thread, CpuScope::Process] {
            let a = p.involuntary_switches(scope);
            p.sleep(1_000);
            assert!(p.involuntary_switches(scope) >= a);
        }
    }
}
