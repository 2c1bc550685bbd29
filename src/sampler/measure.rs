//! The sampler: timed batches, contention judgment, retakes with backoff.

use std::time::SystemTime;

use super::anchor::{timer_tick, AnchorRule, FastMode};
use super::config::SamplerConfig;
use super::probe::{CpuScope, MachineBusy, Probe};
use super::record::{
    BenchRecord, ContentionReason, SampleRecord, SampleStatus, SamplingInfo,
    RECORD_SCHEMA,
};
use super::time::rfc3339_utc;
use crate::baseline::Throughput;

/// One timed batch of iterations, before any judgment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    /// Calls of the routine in the batch.
    pub iterations: u64,
    /// Wall time of the batch, ns.
    pub wall_ns: u64,
    /// CPU time of the batch (thread or process), ns.
    pub cpu_ns: u64,
    /// Involuntary context switches during the batch.
    pub switches: u64,
}

impl Reading {
    /// Wall time per iteration, ns.
    pub fn per_iteration_ns(&self) -> f64 {
        self.wall_ns as f64 / self.iterations.max(1) as f64
    }
}

/// What became of one sample slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotOutcome {
    /// The duration to report for the slot, ns: the clean attempt's wall
    /// time, or for a flagged slot the fastest of its attempts (the least
    /// disturbed reading there is).
    pub wall_ns: u64,
    /// `Clean` or `Flagged`.
    pub status: SampleStatus,
    /// Attempts taken, the first included.
    pub attempts: u32,
}

/// Takes samples of one benchmark and keeps every attempt.
///
/// Use [`Sampler::measure`] for a whole run, or [`Sampler::pilot`],
/// [`Sampler::sample`] and [`Sampler::finish`] when something else (the
/// criterion glue) decides when samples are taken.
#[derive(Debug)]
pub struct Sampler<P: Probe> {
    config: SamplerConfig,
    probe: P,
    scope: CpuScope,
    fast: FastMode,
    /// Switch count and CPU time at the end of the last batch.
    carried: Option<(u64, u64)>,
    samples: Vec<SampleRecord>,
    pilot: Vec<f64>,
    slots: u32,
    retakes: u32,
    retake_ns: u64,
    budget_exhausted: bool,
    warnings: Vec<String>,
    /// The machine when the pilot began, for the neighbour load.
    load_mark: Option<LoadMark>,
}

/// Wall clock, machine busy time and this process's CPU time at one
/// moment: the start of the span whose neighbour load is measured.
#[derive(Debug, Clone, Copy)]
struct LoadMark {
    wall_ns: u64,
    machine: MachineBusy,
    own_cpu_ns: u64,
}

impl<P: Probe> Sampler<P> {
    /// A sampler for a single-threaded routine (thread CPU time).
    pub fn new(config: SamplerConfig, probe: P) -> Self {
        let fast = FastMode::new(AnchorRule {
            fast_quantile: config.fast_quantile,
            fast_window: config.fast_window,
            limit_rule: config.limit_rule,
            min_reference: config.min_reference,
        });
        Sampler {
            config,
            probe,
            scope: CpuScope::Thread,
            fast,
            carried: None,
            samples: Vec::new(),
            pilot: Vec::new(),
            slots: 0,
            retakes: 0,
            retake_ns: 0,
            budget_exhausted: false,
            warnings: Vec::new(),
            load_mark: None,
        }
    }

    /// Charges samples to `scope`: [`CpuScope::Process`] for a parallel
    /// routine.
    pub fn with_scope(mut self, scope: CpuScope) -> Self {
        self.scope = scope;
        self.carried = None;
        self
    }

    /// The settings in use.
    pub fn config(&self) -> &SamplerConfig {
        &self.config
    }

    /// The probe, for readings outside a sample (the criterion glue's
    /// phase timing).
    pub fn probe_mut(&mut self) -> &mut P {
        &mut self.probe
    }

    /// Pilot, `sample_count` samples of `iterations` each, then the record.
    pub fn measure(
        mut self,
        id: &str,
        iterations: u64,
        sample_count: u32,
        batch: &mut dyn FnMut(u64),
    ) -> BenchRecord {
        self.pilot(iterations, batch);
        for _ in 0..sample_count {
            self.sample(iterations, batch);
        }
        self.finish(id, None)
    }

    /// Iterations for one sample to last about
    /// [`target_sample_time`](SamplerConfig::target_sample_time): doubles
    /// a trial batch until it lasts an eighth of the target, then scales.
    /// A routine slower than the target gets 1 iteration.
    pub fn iterations_for(&mut self, batch: &mut dyn FnMut(u64)) -> u64 {
        let target = self.config.target_sample_time.as_nanos() as f64;
        let mut n: u64 = 1;
        loop {
            let r = self.read(n, batch);
            if r.wall_ns as f64 >= target / 8.0 || n >= 1 << 40 {
                let per = r.per_iteration_ns().max(1e-3);
                return ((target / per).round() as u64).clamp(1, 1 << 40);
            }
            n *= 2;
        }
    }

    /// Times one batch: switch and CPU counters outside the wall-clock
    /// window, so the wall time carries as little overhead as possible.
    ///
    /// Reading CPU time and switches costs a system call each (about 1 µs
    /// apiece on these virtual machines, against 60 ns for the wall clock),
    /// so the counters read at the end of one batch also start the next.
    /// Whatever runs in between (the sampler's bookkeeping, criterion's
    /// loop) is charged to the later batch: its CPU time only widens the
    /// CPU window, and a context switch there makes the later sample
    /// contended, which costs a retake but never admits a disturbed sample.
    /// A backoff sleep drops the carried counters.
    ///
    /// Every batch first passes [`crate::interrupt::checkpoint`] (one atomic
    /// load), so Ctrl-C stops a run between batches.
    pub fn read(&mut self, iterations: u64, batch: &mut dyn FnMut(u64)) -> Reading {
        crate::interrupt::checkpoint();
        let (switches0, cpu0) = match self.carried.take() {
            Some(counters) => counters,
            None => (
                self.probe.involuntary_switches(self.scope),
                self.probe.cpu_ns(self.scope),
            ),
        };
        let t0 = self.probe.now_ns();
        batch(iterations);
        let t1 = self.probe.now_ns();
        let cpu1 = self.probe.cpu_ns(self.scope);
        let switches1 = self.probe.involuntary_switches(self.scope);
        self.carried = Some((switches1, cpu1));
        Reading {
            iterations,
            wall_ns: t1.saturating_sub(t0),
            cpu_ns: cpu1.saturating_sub(cpu0),
            switches: switches1.saturating_sub(switches0),
        }
    }

    /// Takes the pilot batch that first anchors the fast mode. Pilot
    /// readings with OS evidence of contention do not enter the anchor.
    pub fn pilot(&mut self, iterations: u64, batch: &mut dyn FnMut(u64)) {
        if self.load_mark.is_none() {
            self.load_mark = self.mark_load();
        }
        for _ in 0..self.config.pilot_samples {
            let r = self.read(iterations, batch);
            self.pilot.push(r.per_iteration_ns());
            if self.os_evidence(&r).is_empty() {
                self.fast.add(r.per_iteration_ns());
            }
        }
    }

    /// Fills the next sample slot: measures, and while the reading is
    /// contended and attempts and budget remain, sleeps the backoff and
    /// measures again.
    pub fn sample(&mut self, iterations: u64, batch: &mut dyn FnMut(u64)) -> SlotOutcome {
        let index = self.slots;
        self.slots += 1;
        let (mut attempt, mut delay_ns, mut fastest) = (0, 0, u64::MAX);
        loop {
            let r = self.read(iterations, batch);
            if attempt > 0 {
                self.retake_ns += r.wall_ns;
            }
            fastest = fastest.min(r.wall_ns);

            let mut rec = self.judge(index, attempt, delay_ns, &r);
            let next_delay = self.config.backoff.delay(attempt + 1).as_nanos() as u64;
            rec.status = if rec.reasons.is_empty() {
                SampleStatus::Clean
            } else if self.may_retake(attempt, next_delay, r.wall_ns) {
                SampleStatus::Retaken
            } else {
                SampleStatus::Flagged
            };
            let status = rec.status;
            if status == SampleStatus::Clean {
                self.fast.add(r.per_iteration_ns());
            }
            self.samples.push(rec);

            let wall_ns = match status {
                SampleStatus::Clean => r.wall_ns,
                SampleStatus::Flagged => fastest,
                SampleStatus::Retaken => {
                    self.back_off(next_delay);
                    attempt += 1;
                    delay_ns = next_delay;
                    continue;
                }
            };
            let attempts = attempt + 1;
            return SlotOutcome {
                wall_ns,
                status,
                attempts,
            };
        }
    }

    /// Sleeps before a retake and charges the sleep to the budget.
    fn back_off(&mut self, delay_ns: u64) {
        self.probe.sleep(delay_ns);
        // The counters' carry would span the sleep; read afresh.
        self.carried = None;
        self.retakes += 1;
        self.retake_ns += delay_ns;
    }

    /// The record of one attempt with its contention reasons (status
    /// `Clean` until the caller decides otherwise).
    fn judge(
        &self,
        index: u32,
        attempt: u32,
        delay_ns: u64,
        r: &Reading,
    ) -> SampleRecord {
        let mut reasons = self.os_evidence(r);
        let per = r.per_iteration_ns();
        let limits = self.fast.limits();
        if limits.is_some_and(|l| per > l.upper) {
            reasons.push(ContentionReason::UpperOutlier);
        }
        SampleRecord {
            index,
            attempt,
            iterations: r.iterations,
            wall_ns: r.wall_ns,
            cpu_ns: r.cpu_ns,
            involuntary_switches: r.switches,
            delay_ns,
            reasons,
            status: SampleStatus::Clean,
            fast: limits.is_some_and(|l| per < l.lower),
        }
    }

    /// Contention the OS shows: context switches, or wall time well above
    /// CPU time.
    fn os_evidence(&self, r: &Reading) -> Vec<ContentionReason> {
        let mut reasons = Vec::new();
        if r.switches > self.config.max_involuntary_switches {
            reasons.push(ContentionReason::ContextSwitches);
        }
        if let Some(slack) = self.config.wall_cpu_slack {
            if r.wall_ns as f64 > r.cpu_ns as f64 * (1.0 + slack) {
                reasons.push(ContentionReason::WallExceedsCpu);
            }
        }
        reasons
    }

    /// Whether another attempt fits the attempt limit and the budget (the
    /// retake is predicted to last as long as the reading it replaces).
    fn may_retake(&mut self, attempt: u32, delay_ns: u64, expected_ns: u64) -> bool {
        if attempt + 1 >= self.config.max_attempts {
            return false;
        }
        let budget = self.config.budget;
        let count_ok = budget.max_retakes.is_none_or(|m| self.retakes < m);
        let cost = self.retake_ns + delay_ns + expected_ns;
        let time_ok = budget.max_time.is_none_or(|t| cost as u128 <= t.as_nanos());
        if !(count_ok && time_ok) {
            self.budget_exhausted = true;
            return false;
        }
        true
    }

    /// Ends the run: checks every clean sample against the final limits
    /// (flagging those an early, too-high anchor let through), adds the
    /// warnings, and returns the record.
    pub fn finish(mut self, id: &str, throughput: Option<Throughput>) -> BenchRecord {
        let late = self.recheck_clean_samples();
        self.add_warnings(late);
        let neighbour_load = self.neighbour_load();
        BenchRecord {
            schema: RECORD_SCHEMA,
            id: id.to_owned(),
            throughput,
            samples: self.samples,
            warnings: self.warnings,
            finished_at: rfc3339_utc(SystemTime::now()),
            sampling: SamplingInfo {
                cpu_scope: self.scope,
                pilot: self.pilot,
                limits: self.fast.limits(),
                retake_time_ns: self.retake_ns,
                budget_exhausted: self.budget_exhausted,
                neighbour_load,
                machine: None,
            },
        }
    }

    fn mark_load(&mut self) -> Option<LoadMark> {
        let machine = self.probe.machine_busy()?;
        Some(LoadMark {
            wall_ns: self.probe.now_ns(),
            machine,
            own_cpu_ns: self.probe.cpu_ns(CpuScope::Process),
        })
    }

    /// The share of the other CPUs that other processes kept busy from the
    /// pilot to now: (machine busy time − this process's CPU time) over
    /// the wall time times the other CPUs. `None` on one CPU, without the
    /// machine's busy time, or before any pilot.
    fn neighbour_load(&mut self) -> Option<f64> {
        let start = self.load_mark?;
        let end = self.mark_load()?;
        let others = end.machine.cpus.checked_sub(1).filter(|&n| n > 0)?;
        let wall = end.wall_ns.checked_sub(start.wall_ns).filter(|&w| w > 0)?;
        let busy = end.machine.busy_ns.saturating_sub(start.machine.busy_ns);
        let own = end.own_cpu_ns.saturating_sub(start.own_cpu_ns);
        let load = busy.saturating_sub(own) as f64 / (wall as f64 * f64::from(others));
        Some(load.clamp(0.0, 1.0))
    }

    /// Flags clean samples above the final upper limit; returns how many.
    fn recheck_clean_samples(&mut self) -> usize {
        self.fast.refresh();
        let Some(limits) = self.fast.limits() else {
            return 0;
        };
        let mut late = 0;
        for s in &mut self.samples {
            if s.status == SampleStatus::Clean && s.per_iteration_ns() > limits.upper {
                s.status = SampleStatus::Flagged;
                s.reasons.push(ContentionReason::UpperOutlier);
                late += 1;
            }
            s.fast =
                s.status == SampleStatus::Clean && s.per_iteration_ns() < limits.lower;
        }
        late
    }

    fn add_warnings(&mut self, late: usize) {
        if let Some(w) = self.resolution_warning() {
            self.warnings.push(w);
        }
        if late > 0 {
            self.warnings.push(format!(
                "{late} sample(s) accepted before the fast mode was known lie above \
                 the final upper limit; flagged and excluded from the comparison"
            ));
        }
        if self.budget_exhausted {
            self.warnings.push(format!(
                "retake budget exhausted ({} retakes, {:.1} s): later contended \
                 samples were flagged without a retake; the machine was busy",
                self.retakes,
                self.retake_ns as f64 / 1e9
            ));
        }
        let flagged = self
            .samples
            .iter()
            .filter(|s| s.status == SampleStatus::Flagged);
        let flagged = flagged.count();
        if flagged > 0 {
            self.warnings.push(format!(
                "{flagged} of {} samples flagged as contended and excluded from \
                 the comparison",
                self.slots
            ));
        }
    }

    /// A warning when the clean samples differ by at most two timer ticks
    /// or not at all: their spread is then the timer's, not the routine's.
    fn resolution_warning(&self) -> Option<String> {
        let mut clean: Vec<f64> = self.clean_per_iteration();
        clean.sort_unstable_by(f64::total_cmp);
        let (&lo, &hi) = (clean.first()?, clean.last()?);
        if clean.len() >= 4 && lo == hi {
            return Some(format!(
                "all {} clean samples are identical ({lo} ns per iteration): the \
                 spread is below the timer's resolution; raise the iterations per \
                 sample",
                clean.len()
            ));
        }
        // The tick shows in every reading, retaken ones included.
        let mut all: Vec<f64> = self
            .samples
            .iter()
            .map(SampleRecord::per_iteration_ns)
            .collect();
        all.sort_unstable_by(f64::total_cmp);
        let tick = timer_tick(&all)?;
        (hi - lo <= 2.0 * tick + tick * 1e-9).then(|| {
            format!(
                "clean samples lie within two timer ticks ({tick} ns per iteration \
                 apart): the spread is at the timer's resolution; raise the \
                 iterations per sample"
            )
        })
    }

    fn clean_per_iteration(&self) -> Vec<f64> {
        let clean = self
            .samples
            .iter()
            .filter(|s| s.status == SampleStatus::Clean);
        clean.map(SampleRecord::per_iteration_ns).collect()
    }
}
