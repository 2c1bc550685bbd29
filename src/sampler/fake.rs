//! A scripted machine for exact, real-time-free tests of the sampler.
//!
//! A [`FakeMachine`] is a [`Probe`] whose clocks move only when the
//! routine's batch runs or the sampler sleeps. Each batch consumes the next
//! [`Step`] of a script: the step says what one iteration costs in wall and
//! CPU time and how many involuntary context switches the batch suffers.
//! Sleeps advance the clock by exactly the requested delay and are logged,
//! so a test can check the backoff sequence to the nanosecond.
//!
//! ```
//! use perfgate::sampler::fake::{FakeMachine, Step};
//! use perfgate::sampler::Probe;
//! let machine = FakeMachine::new([Step::quiet(100), Step::quiet(120)]);
//! let mut probe = machine.clone();
//! let mut batch = machine.batch();
//! batch(10);
//! assert_eq!(probe.now_ns(), 1_000);
//! batch(1);
//! batch(1); // the script is over: the last step repeats
//! assert_eq!(probe.now_ns(), 1_240);
//! ```

use std::cell::RefCell;
use std::rc::Rc;

use super::probe::{CpuScope, MachineBusy, Probe};

/// What one scripted batch costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// Wall time of one iteration, ns.
    pub wall_ns: u64,
    /// CPU time of one iteration, ns.
    pub cpu_ns: u64,
    /// Involuntary context switches during the whole batch.
    pub switches: u64,
}

impl Step {
    /// A batch on a quiet machine: CPU time equals wall time, no switches.
    pub fn quiet(ns_per_iteration: u64) -> Self {
        Step {
            wall_ns: ns_per_iteration,
            cpu_ns: ns_per_iteration,
            switches: 0,
        }
    }

    /// A batch whose wall time exceeds its CPU time (another process ran
    /// in between).
    pub fn waiting(wall_ns: u64, cpu_ns: u64) -> Self {
        Step {
            wall_ns,
            cpu_ns,
            switches: 0,
        }
    }

    /// The same step with `n` involuntary context switches.
    pub fn with_switches(self, n: u64) -> Self {
        Step {
            switches: n,
            ..self
        }
    }
}

/// What happens once the script is used up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AfterScript {
    RepeatLast,
    StartOver,
}

#[derive(Debug)]
struct State {
    now: u64,
    cpu: u64,
    switches: u64,
    script: Vec<Step>,
    next: usize,
    after: AfterScript,
    sleeps: Vec<u64>,
    batches: Vec<(u64, Step)>,
    counter_reads: usize,
    /// Share of a second CPU a neighbour keeps busy, when scripted.
    neighbour: Option<f64>,
    /// Busy time of the whole (two-CPU) machine, ns.
    machine_busy: f64,
}

/// A scripted machine; clones share one state, so a test can keep a handle
/// while the sampler owns another.
#[derive(Debug, Clone)]
pub struct FakeMachine {
    state: Rc<RefCell<State>>,
}

impl FakeMachine {
    /// A machine that plays `steps` in order, then repeats the last one
    /// (a quiet 1 ns step if the script is empty).
    pub fn new(steps: impl IntoIterator<Item = Step>) -> Self {
        Self::build(steps, AfterScript::RepeatLast)
    }

    /// A machine that plays `steps` in order and then starts over.
    pub fn cycling(steps: impl IntoIterator<Item = Step>) -> Self {
        Self::build(steps, AfterScript::StartOver)
    }

    fn build(steps: impl IntoIterator<Item = Step>, after: AfterScript) -> Self {
        let mut script: Vec<Step> = steps.into_iter().collect();
        if script.is_empty() {
            script.push(Step::quiet(1));
        }
        let state = State {
            now: 0,
            cpu: 0,
            switches: 0,
            script,
            next: 0,
            after,
            sleeps: Vec::new(),
            batches: Vec::new(),
            counter_reads: 0,
            neighbour: None,
            machine_busy: 0.0,
        };
        FakeMachine {
            state: Rc::new(RefCell::new(state)),
        }
    }

    /// The same machine as a two-CPU one on which a neighbour keeps
    /// `load` (0–1) of the other CPU busy throughout, so that
    /// [`Probe::machine_busy`] tells it.
    pub fn with_neighbour(self, load: f64) -> Self {
        self.state.borrow_mut().neighbour = Some(load);
        self
    }

    /// The routine's batch: `batch(iterations)` plays the next step.
    pub fn batch(&self) -> impl FnMut(u64) + 'static {
        let state = Rc::clone(&self.state);
        move |iterations| state.borrow_mut().play(iterations)
    }

    /// Every sleep so far, ns, in order.
    pub fn sleeps(&self) -> Vec<u64> {
        self.state.borrow().sleeps.clone()
    }

    /// Counts `n` involuntary context switches outside any batch (another
    /// process ran between two samples).
    pub fn add_switches(&self, n: u64) {
        self.state.borrow_mut().switches += n;
    }

    /// How many times CPU time and switch counters were read so far.
    pub fn counter_reads(&self) -> usize {
        self.state.borrow().counter_reads
    }

    /// Every batch so far: its iterations and the step it played.
    pub fn batches(&self) -> Vec<(u64, Step)> {
        self.state.borrow().batches.clone()
    }
}

impl State {
    fn play(&mut self, iterations: u64) {
        let step = self.script[self.next];
        self.next += 1;
        if self.next == self.script.len() {
            self.next = match self.after {
                AfterScript::RepeatLast => self.script.len() - 1,
                AfterScript::StartOver => 0,
            };
        }
        self.now += step.wall_ns * iterations;
        self.cpu += step.cpu_ns * iterations;
        let neighbour =
            self.neighbour.unwrap_or(0.0) * (step.wall_ns * iterations) as f64;
        self.machine_busy += (step.cpu_ns * iterations) as f64 + neighbour;
        self.switches += step.switches;
        self.batches.push((iterations, step));
    }
}

impl Probe for FakeMachine {
    fn now_ns(&mut self) -> u64 {
        self.state.borrow().now
    }

    fn cpu_ns(&mut self, _scope: CpuScope) -> u64 {
        let mut s = self.state.borrow_mut();
        s.counter_reads += 1;
        s.cpu
    }

    fn involuntary_switches(&mut self, _scope: CpuScope) -> u64 {
        let mut s = self.state.borrow_mut();
        s.counter_reads += 1;
        s.switches
    }

    fn sleep(&mut self, ns: u64) {
        let mut s = self.state.borrow_mut();
        s.now += ns;
        s.machine_busy += s.neighbour.unwrap_or(0.0) * ns as f64;
        s.sleeps.push(ns);
    }

    fn machine_busy(&mut self) -> Option<MachineBusy> {
        let s = self.state.borrow();
        s.neighbour.map(|_| MachineBusy {
            busy_ns: s.machine_busy as u64,
            cpus: 2,
        })
    }
}
