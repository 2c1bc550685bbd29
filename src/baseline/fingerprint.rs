//! The machine fingerprint stored in every baseline.
//!
//! A baseline is only a fair reference on the machine that recorded it.
//! The fingerprint keeps what decides speed and can be read without
//! privileges: the CPU model (from `/proc/cpuinfo`), logical cores, OS,
//! architecture, kernel release (`uname`), the compiler version (captured
//! by `build.rs` at build time) and the build profile.
//!
//! CPU model strings often carry a clock rate (`... CPU @ 2.20GHz`, or a
//! measured `2199.998 MHz`), which varies from boot to boot on the same
//! hardware; [`normalize_cpu_model`] removes it so such baselines count as
//! the same machine.

use super::Fingerprint;

/// Compiler version captured by `build.rs`.
const RUSTC_VERSION: &str = env!("PERFGATE_RUSTC_VERSION");

impl Fingerprint {
    /// The fingerprint of the machine running this code. Fields the OS does
    /// not reveal are `"unknown"` (or 0 cores): never an error, because a
    /// missing detail must not stop a benchmark run.
    pub fn current() -> Fingerprint {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        Fingerprint {
            cpu_model: cpu_model(&cpuinfo),
            logical_cores: logical_cores(&cpuinfo),
            os: std::env::consts::OS.to_owned(),
            arch: std::env::consts::ARCH.to_owned(),
            kernel: kernel_release().unwrap_or_else(|| "unknown".to_owned()),
            rustc: RUSTC_VERSION.to_owned(),
            profile: build_profile().to_owned(),
        }
    }

    /// Whether two fingerprints describe the same machine: CPU model (clock
    /// rate removed), logical cores, OS and architecture agree. Kernel,
    /// compiler and profile may differ; [`Fingerprint::differences`] still
    /// lists them.
    pub fn same_machine(&self, other: &Fingerprint) -> bool {
        normalize_cpu_model(&self.cpu_model) == normalize_cpu_model(&other.cpu_model)
            && self.logical_cores == other.logical_cores
            && self.os == other.os
            && self.arch == other.arch
    }

    /// Every field that differs, as `field: self → other`, for warnings.
    pub fn differences(&self, other: &Fingerprint) -> Vec<String> {
        let pairs = [
            (
                "CPU model",
                normalize_cpu_model(&self.cpu_model),
                normalize_cpu_model(&other.cpu_model),
            ),
            (
                "logical cores",
                self.logical_cores.to_string(),
                other.logical_cores.to_string(),
            ),
            ("OS", self.os.clone(), other.os.clone()),
            ("architecture", self.arch.clone(), other.arch.clone()),
            ("kernel", self.kernel.clone(), other.kernel.clone()),
            ("rustc", self.rustc.clone(), other.rustc.clone()),
            ("profile", self.profile.clone(), other.profile.clone()),
        ];
        pairs
            .into_iter()
            .filter(|(_, a, b)| a != b)
            .map(|(field, a, b)| format!("{field}: {a} → {b}"))
            .collect()
    }
}

/// Removes clock-rate text (`@ 2.20GHz`, `2199.998 MHz`, `3.5 GHz`) from a
/// CPU model name and collapses whitespace.
pub fn normalize_cpu_model(raw: &str) -> String {
    let tokens: Vec<&str> = raw.split_whitespace().collect();
    let mut kept = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let token = tokens[i];
        let next_is_unit = tokens.get(i + 1).is_some_and(|t| is_clock_unit(t));
        if token == "@" || is_clock_rate(token) {
            i += 1;
        } else if is_number(token) && next_is_unit {
            i += 2;
        } else {
            kept.push(token);
            i += 1;
        }
    }
    kept.join(" ")
}

/// `2.20GHz`, `2199.998MHz`.
fn is_clock_rate(token: &str) -> bool {
    let lower = token.to_ascii_lowercase();
    ["ghz", "mhz"].iter().any(|unit| {
        lower
            .strip_suffix(unit)
            .is_some_and(|number| !number.is_empty() && is_number(number))
    })
}

fn is_clock_unit(token: &str) -> bool {
    token.eq_ignore_ascii_case("ghz") || token.eq_ignore_ascii_case("mhz")
}

fn is_number(token: &str) -> bool {
    token.parse::<f64>().is_ok()
}

/// The first `model name` (x86) or `Processor`/`CPU part` line (ARM).
fn cpu_model(cpuinfo: &str) -> String {
    ["model name", "Processor", "CPU part"]
        .iter()
        .find_map(|key| cpuinfo_field(cpuinfo, key))
        .map(normalize_cpu_model)
        .unwrap_or_else(|| "unknown".to_owned())
}

fn cpuinfo_field<'a>(cpuinfo: &'a str, key: &str) -> Option<&'a str> {
    cpuinfo.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        (name.trim() == key).then(|| value.trim())
    })
}

/// `processor` entries in `/proc/cpuinfo`: all logical cores of the
/// machine, unlike `available_parallelism`, which shrinks under an
/// affinity mask or a cgroup quota.
fn logical_cores(cpuinfo: &str) -> usize {
    let listed = cpuinfo
        .lines()
        .filter(|line| line.split(':').next().map(str::trim) == Some("processor"))
        .count();
    if listed > 0 {
        return listed;
    }
    std::thread::available_parallelism().map_or(0, usize::from)
}

/// Kernel release from `uname(2)`.
fn kernel_release() -> Option<String> {
    // SAFETY: `utsname` is plain old data; `uname` fills it and returns 0
    // on success, and its fields are NUL-terminated C strings.
    unsafe {
        let mut name: libc::utsname = std::mem::zeroed();
        if libc::uname(&mut name) != 0 {
            return None;
        }
        let release = std::ffi::CStr::from_ptr(name.release.as_ptr());
        Some(release.to_string_lossy().into_owned())
    }
}

/// The profile this code was compiled with: benches build with
/// optimisations and without debug assertions.
fn build_profile() -> &'static str {
    if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn machine(cpu: &str) -> Fingerprint {
        Fingerprint {
            cpu_model: cpu.to_owned(),
            logical_cores: 2,
            os: "linux".to_owned(),
            arch: "x86_64".to_owned(),
            kernel: "6.1.0".to_owned(),
            rustc: "rustc 1.89.0".to_owned(),
            profile: "release".to_owned(),
        }
    }

    #[test]
    fn clock_rate_text_is_removed_from_cpu_models() {
        let cases = [
            ("Intel(R) Xeon(R) CPU @ 2.20GHz", "Intel(R) Xeon(R) CPU"),
            ("Intel(R) Xeon(R) CPU @ 2.199GHz", "Intel(R) Xeon(R) CPU"),
            ("AMD EPYC 7B12 2199.998 MHz", "AMD EPYC 7B12"),
            ("AMD  EPYC   7B12", "AMD EPYC 7B12"),
            ("Apple M2 3.5 GHz", "Apple M2"),
        ];
        for (raw, want) in cases {
            assert_eq!(normalize_cpu_model(raw), want, "{raw}");
        }
    }

    #[test]
    fn fingerprints_differing_only_in_clock_rate_are_the_same_machine() {
        let a = machine("Intel(R) Xeon(R) CPU @ 2.20GHz");
        let b = machine("Intel(R) Xeon(R) CPU @ 2.199GHz");
        assert!(a.same_machine(&b));
        assert!(a.differences(&b).is_empty());
    }

    #[test]
    fn a_different_cpu_model_is_another_machine() {
        let a = machine("Intel(R) Xeon(R) CPU @ 2.20GHz");
        let b = machine("AMD EPYC 7B12");
        assert!(!a.same_machine(&b));
        assert_eq!(
            a.differences(&b),
            ["CPU model: Intel(R) Xeon(R) CPU → AMD EPYC 7B12"]
        );
    }

    #[test]
    fn kernel_or_compiler_changes_keep_the_same_machine() {
        let a = machine("AMD EPYC");
        let mut b = a.clone();
        b.kernel = "6.8.0".to_owned();
        b.rustc = "rustc 1.90.0".to_owned();
        assert!(a.same_machine(&b));
        assert_eq!(a.differences(&b).len(), 2);
    }

    #[test]
    fn current_fingerprint_names_os_and_architecture() {
        let here = Fingerprint::current();
        assert_eq!(here.os, std::env::consts::OS);
        assert_eq!(here.arch, std::env::consts::ARCH);
        assert!(here.rustc.starts_with("rustc") || here.rustc == "unknown");
    }
}
