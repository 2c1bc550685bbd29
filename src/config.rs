//! The committed gate configuration (`perfgate.toml`).
//!
//! Every setting has a built-in default ([`Config::default`]), used for a
//! key the file leaves out and when there is no file at all. The committed
//! `perfgate.toml` explains the values it chooses. A key perfgate does not
//! know is reported as a warning naming it, never a crash, so a typo shows
//! up without breaking a run; a known key with a wrong type or an out-of-range
//! value is an error (exit status 2).
//!
//! ```toml
//! threshold = 0.05            # default slowdown allowed, as a fraction
//! alpha = 0.01                # Mann–Whitney significance level
//! confidence = 0.99           # bootstrap interval level
//! resamples = 10000           # bootstrap resamples
//! seed = 1                    # bootstrap seed
//! min_samples = 8             # clean samples per side needed to decide
//! max_interval_width = 2.0    # widest undecided interval, in thresholds
//! max_neighbour_load = 0.3    # other CPUs' busy share that voids a regression
//! adjust_for_machine = true   # divide the machine's change of speed out
//! max_machine_change = 0.10   # largest change of speed divided out
//! machine_mismatch = "warn"   # or "fail"
//! strict = false              # missing / new benchmarks fail the gate
//! confirm_retries = 2         # re-measurements of a regressed benchmark
//! confirm_backoff_ms = 1000   # first wait before one, doubling
//! baselines_dir = "baselines"
//! reports_dir = "reports"
//!
//! [thresholds]                # per-benchmark overrides
//! "halo/rule_matching" = 0.15
//!
//! [renames]                   # old baseline id = new benchmark id
//! "chained/16" = "codeword/16"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::compare::{self, CompareOptions, Settings};
use crate::stats::{bootstrap, Location};
use crate::{Error, Result};

/// File name of the configuration, looked up in the current directory.
pub const CONFIG_FILE: &str = "perfgate.toml";

/// Largest threshold: a slowdown of 100× (10 000%). Any threshold above it
/// gates nothing, and its percentage would no longer print as a number.
pub const MAX_THRESHOLD: f64 = 100.0;

/// Most bootstrap resamples: 1 000 000. The interval's bounds stop moving
/// long before that (10 000 is the default), and every resample is kept
/// to find the bounds, so a value of billions would exhaust memory.
pub const MAX_RESAMPLES: usize = 1_000_000;

/// Most re-measurements of one benchmark: 10. With the backoff doubling to
/// its 60 s cap, more would let one benchmark hold a CI job for hours.
pub const MAX_CONFIRM_RETRIES: u32 = 10;

/// Longest first wait before a re-measurement: 10 minutes.
pub const MAX_CONFIRM_BACKOFF: Duration = Duration::from_secs(600);

/// What to do when a baseline was recorded on another machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MismatchPolicy {
    /// Warn and compare anyway.
    Warn,
    /// Warn, compare, and end with exit status 2.
    Fail,
}

/// The gate configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Default threshold: the slowdown a benchmark may show, as a fraction.
    pub threshold: f64,
    /// Per-benchmark thresholds, by benchmark id.
    pub thresholds: BTreeMap<String, f64>,
    /// Significance level of the Mann–Whitney test.
    pub alpha: f64,
    /// Confidence level of the bootstrap interval of the change.
    pub confidence: f64,
    /// Bootstrap resamples.
    pub resamples: usize,
    /// Bootstrap seed, so a comparison is reproducible.
    pub seed: u64,
    /// Clean samples each side needs for a decision; fewer is
    /// `inconclusive`.
    pub min_samples: usize,
    /// Widest bootstrap interval, in thresholds, that may straddle a
    /// threshold and still give `pass`; wider is `inconclusive`.
    pub max_interval_width: f64,
    /// Highest share of the other CPUs that other processes may keep busy
    /// while a benchmark is measured for its slowdown to be `regressed`.
    pub max_neighbour_load: f64,
    /// Whether a comparison divides the machine's change of speed (read
    /// with the canary beside both measurements) out of the change.
    pub adjust_for_machine: bool,
    /// Largest change of the machine's speed that is divided out.
    pub max_machine_change: f64,
    /// Policy for baselines recorded on another machine.
    pub machine_mismatch: MismatchPolicy,
    /// Whether `missing` and `new` benchmarks fail the gate (exit 2).
    pub strict: bool,
    /// Baseline id → benchmark id, for renamed benchmarks.
    pub renames: BTreeMap<String, String>,
    /// How many times a `regressed` or `inconclusive` benchmark is measured
    /// again before its verdict stands.
    pub confirm_retries: u32,
    /// Wait before the first re-measurement; doubles for each later one.
    pub confirm_backoff: Duration,
    /// Directory of the committed baselines.
    pub baselines_dir: PathBuf,
    /// Directory the reports are written to.
    pub reports_dir: PathBuf,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            threshold: compare::DEFAULT_THRESHOLD,
            thresholds: BTreeMap::new(),
            alpha: compare::DEFAULT_ALPHA,
            confidence: bootstrap::DEFAULT_CONFIDENCE,
            resamples: bootstrap::DEFAULT_RESAMPLES,
            seed: bootstrap::DEFAULT_SEED,
            min_samples: compare::DEFAULT_MIN_SAMPLES,
            max_interval_width: compare::DEFAULT_MAX_INTERVAL_WIDTH,
            max_neighbour_load: compare::DEFAULT_MAX_NEIGHBOUR_LOAD,
            adjust_for_machine: true,
            max_machine_change: compare::DEFAULT_MAX_MACHINE_CHANGE,
            machine_mismatch: MismatchPolicy::Warn,
            strict: false,
            renames: BTreeMap::new(),
            confirm_retries: 2,
            confirm_backoff: Duration::from_millis(1000),
            baselines_dir: PathBuf::from("baselines"),
            reports_dir: PathBuf::from("reports"),
        }
    }
}

/// The file's shape: every key optional, unknown keys collected apart.
#[derive(Deserialize)]
struct RawConfig {
    threshold: Option<f64>,
    #[serde(default)]
    thresholds: BTreeMap<String, f64>,
    alpha: Option<f64>,
    confidence: Option<f64>,
    resamples: Option<usize>,
    seed: Option<u64>,
    min_samples: Option<usize>,
    max_interval_width: Option<f64>,
    max_neighbour_load: Option<f64>,
    adjust_for_machine: Option<bool>,
    max_machine_change: Option<f64>,
    machine_mismatch: Option<MismatchPolicy>,
    strict: Option<bool>,
    #[serde(default)]
    renames: BTreeMap<String, String>,
    confirm_retries: Option<u32>,
    confirm_backoff_ms: Option<u64>,
    baselines_dir: Option<PathBuf>,
    reports_dir: Option<PathBuf>,
}

const KNOWN_KEYS: &[&str] = &[
    "threshold",
    "thresholds",
    "alpha",
    "confidence",
    "resamples",
    "seed",
    "min_samples",
    "max_interval_width",
    "max_neighbour_load",
    "adjust_for_machine",
    "max_machine_change",
    "machine_mismatch",
    "strict",
    "renames",
    "confirm_retries",
    "confirm_backoff_ms",
    "baselines_dir",
    "reports_dir",
];

/// A configuration with the warnings raised while reading it.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The configuration.
    pub config: Config,
    /// One line per unknown key (or other oddity), for stderr.
    pub warnings: Vec<String>,
}

impl Config {
    /// Reads `path`, or the built-in defaults when `path` does not exist
    /// and `required` is false.
    pub fn load(path: &Path, required: bool) -> Result<Loaded> {
        let hint = "fix or delete the file; each key is explained in the committed \
                    perfgate.toml";
        match crate::files::read_text(path, hint) {
            Ok(text) => Config::parse(&text, path),
            Err(Error::Io { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound && !required =>
            {
                log::info!("{}: not found, using built-in defaults", path.display());
                Ok(Loaded {
                    config: Config::default(),
                    warnings: Vec::new(),
                })
            }
            Err(e) => Err(e),
        }
    }

    /// Parses a configuration's text; `path` only names it in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Loaded> {
        let table: toml::Table =
            toml::from_str(text).map_err(|e| toml_error(path, &e))?;
        let warnings = table
            .keys()
            .filter(|key| !KNOWN_KEYS.contains(&key.as_str()))
            .map(|key| {
                format!(
                    "{}: unknown key `{key}` ignored (known keys: {})",
                    path.display(),
                    KNOWN_KEYS.join(", ")
                )
            })
            .collect();
        let raw: RawConfig = toml::from_str(text).map_err(|e| toml_error(path, &e))?;
        let config = Config::from_raw(raw);
        config.check(path)?;
        Ok(Loaded { config, warnings })
    }

    fn from_raw(raw: RawConfig) -> Config {
        let d = Config::default();
        Config {
            threshold: raw.threshold.unwrap_or(d.threshold),
            thresholds: raw.thresholds,
            alpha: raw.alpha.unwrap_or(d.alpha),
            confidence: raw.confidence.unwrap_or(d.confidence),
            resamples: raw.resamples.unwrap_or(d.resamples),
            seed: raw.seed.unwrap_or(d.seed),
            min_samples: raw.min_samples.unwrap_or(d.min_samples),
            max_interval_width: raw.max_interval_width.unwrap_or(d.max_interval_width),
            max_neighbour_load: raw.max_neighbour_load.unwrap_or(d.max_neighbour_load),
            adjust_for_machine: raw.adjust_for_machine.unwrap_or(d.adjust_for_machine),
            max_machine_change: raw.max_machine_change.unwrap_or(d.max_machine_change),
            machine_mismatch: raw.machine_mismatch.unwrap_or(d.machine_mismatch),
            strict: raw.strict.unwrap_or(d.strict),
            renames: raw.renames,
            confirm_retries: raw.confirm_retries.unwrap_or(d.confirm_retries),
            confirm_backoff: raw
                .confirm_backoff_ms
                .map_or(d.confirm_backoff, Duration::from_millis),
            baselines_dir: raw.baselines_dir.unwrap_or(d.baselines_dir),
            reports_dir: raw.reports_dir.unwrap_or(d.reports_dir),
        }
    }

    /// Rejects values no comparison can use.
    fn check(&self, path: &Path) -> Result<()> {
        let bad = |key: &str, message: String| Error::Parse {
            path: path.to_owned(),
            message: format!("`{key}`: {message}"),
            hint: "fix the value; each key is explained in the committed perfgate.toml"
                .to_owned(),
        };
        let thresholds = std::iter::once(("threshold".to_owned(), self.threshold)).chain(
            self.thresholds
                .iter()
                .map(|(id, t)| (format!("thresholds.\"{id}\""), *t)),
        );
        for (key, t) in thresholds {
            if !(t.is_finite() && t > 0.0 && t <= MAX_THRESHOLD) {
                return Err(bad(
                    &key,
                    format!(
                        "{t} is not a positive fraction of at most {MAX_THRESHOLD} \
                         (e.g. 0.05 for 5%)"
                    ),
                ));
            }
        }
        for (key, p) in [("alpha", self.alpha), ("confidence", self.confidence)] {
            if !(p > 0.0 && p < 1.0) {
                return Err(bad(key, format!("{p} is not strictly between 0 and 1")));
            }
        }
        if !(1..=MAX_RESAMPLES).contains(&self.resamples) {
            return Err(bad(
                "resamples",
                format!("{} is not between 1 and {MAX_RESAMPLES}", self.resamples),
            ));
        }
        if self.confirm_retries > MAX_CONFIRM_RETRIES {
            return Err(bad(
                "confirm_retries",
                format!("{} is above {MAX_CONFIRM_RETRIES}", self.confirm_retries),
            ));
        }
        if self.confirm_backoff > MAX_CONFIRM_BACKOFF {
            return Err(bad(
                "confirm_backoff_ms",
                format!(
                    "{} ms is above {} ms",
                    self.confirm_backoff.as_millis(),
                    MAX_CONFIRM_BACKOFF.as_millis()
                ),
            ));
        }
        if self.min_samples < 2 {
            return Err(bad("min_samples", "must be at least 2".to_owned()));
        }
        let width = self.max_interval_width;
        if !(width.is_finite() && width > 0.0) {
            return Err(bad(
                "max_interval_width",
                format!("{width} is not positive"),
            ));
        }
        let load = self.max_neighbour_load;
        if !(0.0..=1.0).contains(&load) {
            return Err(bad(
                "max_neighbour_load",
                format!("{load} is not a share between 0 and 1"),
            ));
        }
        let change = self.max_machine_change;
        if !(change.is_finite() && (0.0..=1.0).contains(&change)) {
            return Err(bad(
                "max_machine_change",
                format!("{change} is not a fraction between 0 and 1"),
            ));
        }
        self.check_renames(path)
    }

    /// Two baseline ids renamed to one benchmark would compare twice.
    fn check_renames(&self, path: &Path) -> Result<()> {
        let mut targets = BTreeMap::new();
        for (old, new) in &self.renames {
            if let Some(other) = targets.insert(new, old) {
                return Err(Error::Parse {
                    path: path.to_owned(),
                    message: format!(
                        "`renames`: both `{other}` and `{old}` are renamed to `{new}`"
                    ),
                    hint: "keep one rename per benchmark".to_owned(),
                });
            }
        }
        Ok(())
    }

    /// The threshold of `id`: its override, else the default.
    pub fn threshold_for(&self, id: &str) -> f64 {
        self.thresholds.get(id).copied().unwrap_or(self.threshold)
    }

    /// How `id` is compared: its threshold and the shared settings.
    pub fn compare_options(&self, id: &str) -> CompareOptions {
        CompareOptions {
            threshold: self.threshold_for(id),
            alpha: self.alpha,
            confidence: self.confidence,
            resamples: self.resamples,
            seed: self.seed,
            min_samples: self.min_samples,
            max_interval_width: self.max_interval_width,
            location: Location::Median,
            max_neighbour_load: self.max_neighbour_load,
            machine_adjust: self.adjust_for_machine,
            max_machine_change: self.max_machine_change,
        }
    }

    /// The settings shown in report headers (with the default threshold).
    pub fn settings(&self) -> Settings {
        let mut opts = self.compare_options("");
        opts.threshold = self.threshold;
        opts.settings()
    }
}

fn toml_error(path: &Path, e: &toml::de::Error) -> Error {
    Error::Parse {
        path: path.to_owned(),
        message: format!(
            "not a valid configuration: {}",
            crate::files::clip_lines(e.to_string().trim_end())
        ),
        hint: "fix the value shown; each key is explained in the committed \
               perfgate.toml"
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Loaded> {
        Config::parse(text, Path::new("perfgate.toml"))
    }

    #[test]
    fn an_empty_file_gives_the_defaults() {
        let loaded = parse("").unwrap();
        assert_eq!(loaded.config, Config::default());
        assert!(loaded.warnings.is_empty());
    }

    #[test]
    fn unknown_keys_are_a_warning_naming_the_key() {
        let loaded = parse("treshold = 0.1\nalpha = 0.05\n").unwrap();
        assert_eq!(loaded.config.alpha, 0.05);
        assert_eq!(loaded.config.threshold, Config::default().threshold);
        assert_eq!(loaded.warnings.len(), 1);
        assert!(loaded.warnings[0].contains("unknown key `treshold`"));
    }

    #[test]
    fn per_benchmark_thresholds_override_the_default() {
        let text = "threshold = 0.05\n[thresholds]\n\"halo/rule_matching\" = 0.15\n";
        let config = parse(text).unwrap().config;
        assert_eq!(config.threshold_for("halo/rule_matching"), 0.15);
        assert_eq!(config.threshold_for("halo/large_dag"), 0.05);
    }

    #[test]
    fn out_of_range_values_are_errors_naming_the_key() {
        for (text, key) in [
            ("threshold = -0.1", "`threshold`"),
            ("alpha = 1.5", "`alpha`"),
            ("min_samples = 1", "`min_samples`"),
            ("resamples = 10000000000", "`resamples`"),
            ("confirm_retries = 4000000000", "`confirm_retries`"),
            (
                "confirm_backoff_ms = 9223372036854775807",
                "`confirm_backoff_ms`",
            ),
            ("[thresholds]\n\"x\" = 0.0", "thresholds.\"x\""),
            ("machine_mismatch = \"explode\"", "machine_mismatch"),
        ] {
            let err = parse(text).unwrap_err().to_string();
            assert!(err.contains(key), "{text}: {err}");
        }
    }

    #[test]
    fn two_renames_to_one_benchmark_are_an_error() {
        let err = parse("[renames]\na = \"c\"\nb = \"c\"\n").unwrap_err();
        assert!(err.to_string().contains("both `a` and `b`"), "{err}");
    }

    #[test]
    fn the_committed_configuration_parses_without_warnings() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(CONFIG_FILE);
        let loaded = Config::load(&path, true).unwrap();
        assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
        let thresholds = &loaded.config.thresholds;
        assert_eq!(thresholds.get("halo/rule_matching"), Some(&0.15));
        assert!(
            loaded.config.renames.is_empty(),
            "the suite renamed nothing"
        );
    }
}
