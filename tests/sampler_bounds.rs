//! Whatever the machine does, a run stays bounded and its record is whole.

use std::time::Duration;

use perfgate::sampler::fake::{FakeMachine, Step};
use perfgate::sampler::{RetakeBudget, SampleStatus, Sampler, SamplerConfig};
use proptest::prelude::*;

fn step() -> impl Strategy<Value = Step> {
    (1u64..5_000_000, 0u64..=100, 0u64..3).prop_map(|(wall, cpu_pct, switches)| Step {
        wall_ns: wall,
        cpu_ns: wall * cpu_pct / 100,
        switches,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn any_scripted_machine_gives_a_bounded_run_and_a_whole_record(
        script in prop::collection::vec(step(), 1..60),
        samples in 1u32..60,
        max_retakes in 0u32..40,
        max_time_ms in 0u64..3_000,
    ) {
        let machine = FakeMachine::cycling(script.clone());
        let config = SamplerConfig {
            budget: RetakeBudget {
                max_retakes: Some(max_retakes),
                max_time: Some(Duration::from_millis(max_time_ms)),
            },
            ..SamplerConfig::default()
        };
        let max_attempts = config.max_attempts;
        let mut batch = machine.batch();

        let rec = Sampler::new(config, machine.clone()).measure("p", 1, samples, &mut batch);

        // Bounded: retakes within the count budget; time within the time
        // budget plus one retake longer than predicted.
        prop_assert!(rec.retakes() <= max_retakes as usize);
        let longest = script.iter().map(|s| s.wall_ns).max().unwrap();
        let budget_ns = max_time_ms * 1_000_000;
        prop_assert!(rec.sampling.retake_time_ns <= budget_ns + longest);
        prop_assert!(machine.sleeps().iter().sum::<u64>() <= budget_ns);

        // Whole: each slot has attempts 0..k, all retaken but the last,
        // which is clean or flagged; no slot exceeds the attempt limit.
        for index in 0..samples {
            let slot: Vec<_> = rec.samples.iter().filter(|s| s.index == index).collect();
            prop_assert!(!slot.is_empty() && slot.len() <= max_attempts as usize);
            let (last, earlier) = slot.split_last().unwrap();
            prop_assert!(earlier.iter().all(|s| s.status == SampleStatus::Retaken));
            prop_assert!(last.status != SampleStatus::Retaken);
            let attempts: Vec<u32> = slot.iter().map(|s| s.attempt).collect();
            prop_assert_eq!(attempts, (0..slot.len() as u32).collect::<Vec<_>>());
        }
        prop_assert_eq!(rec.clean_per_iteration().len() + rec.flagged(), samples as usize);
        // Clean samples carry no reason; flagged and retaken ones do.
        for s in &rec.samples {
            prop_assert_eq!(s.reasons.is_empty(), s.status == SampleStatus::Clean);
        }
    }
}
