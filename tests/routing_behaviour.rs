//! Routing behaviour: dependency order, errors, reasons, isolation between
//! calls, and the per-type rule index under dynamic rule addition.

use perfgate::routing::{
    generate, halo_agents, halo_rules, AgentSpec, CapMode, Dag, Metadata, Plan, Reason,
    Router, RoutingError, RuleSpec, TaskStatus, Tier,
};

fn position(plan: &Plan, dag: &Dag, id: &str) -> usize {
    let task = dag.find(id).unwrap();
    plan.order().iter().position(|&t| t == task).unwrap()
}

#[test]
fn halo_tables_give_sixteen_agents_and_one_rule_per_type() {
    let router = Router::halo();
    assert_eq!(router.agents().len(), 16);
    assert_eq!(router.rules().len(), halo_rules().len());
    for rule in router.rules() {
        assert_eq!(rule.id, format!("rule_{}", rule.task_type));
    }
    let darwin = router.find_agent("darwin").unwrap();
    assert_eq!(router.agent(darwin).cap, 3);
}

#[test]
fn pipeline_routes_every_stage_after_its_parents() {
    let router = Router::halo();
    let dag = generate::pipeline();
    for mode in [CapMode::PerPlan, CapMode::Waves] {
        let plan = router.route(&dag, mode).unwrap();
        assert_eq!(plan.stats().assigned, 8);
        assert_eq!(plan.order().len(), 8);
        for edge in dag.graph().raw_edges() {
            let (parent, child) = (edge.source(), edge.target());
            let order = |t| plan.order().iter().position(|&o| o == t).unwrap();
            assert!(order(parent) < order(child));
            let wave = |t| plan.assignment(t).unwrap().wave;
            assert!(wave(parent) < wave(child));
        }
        assert_eq!(position(&plan, &dag, "design"), 0);
        assert_eq!(position(&plan, &dag, "marketing"), 7);
        assert_eq!(plan.stats().waves, 7);
    }
}

#[test]
fn pipeline_stage_without_a_rule_goes_by_capability_fallback() {
    let router = Router::halo();
    let dag = generate::pipeline();
    let plan = router.route(&dag, CapMode::PerPlan).unwrap();
    let qa = plan.assignment(dag.find("qa").unwrap()).unwrap();
    assert_eq!(qa.reason, Reason::CapabilityFallback);
    assert_eq!(router.agent(qa.agent).name, "qa");
    let frontend = plan.assignment(dag.find("frontend").unwrap()).unwrap();
    assert!(
        matches!(frontend.reason, Reason::Rule(r) if router.rule(r).id == "rule_frontend")
    );
}

#[test]
fn a_cycle_is_an_error_naming_a_task_on_it_and_leaves_the_plan_empty() {
    let mut dag = Dag::new();
    for id in ["a", "b", "c", "d"] {
        dag.add_task(id, "implement").unwrap();
    }
    dag.add_dependency("a", "b").unwrap();
    dag.add_dependency("b", "c").unwrap();
    dag.add_dependency("c", "b").unwrap();
    dag.add_dependency("c", "d").unwrap();
    let router = Router::halo();
    let mut plan = Plan::new();
    for mode in [CapMode::PerPlan, CapMode::Waves] {
        let err = router.route_into(&dag, mode, &mut plan).unwrap_err();
        let RoutingError::Cycle { task } = &err else {
            panic!("expected a cycle, got {err:?}");
        };
        assert!(task == "b" || task == "c", "{task} is not on the cycle");
        assert!(err.to_string().contains(task.as_str()));
        assert_eq!(plan.stats().assigned, 0);
        assert!(plan.order().is_empty());
    }
}

#[test]
fn a_self_dependency_is_a_cycle_through_that_task() {
    let mut dag = Dag::new();
    dag.add_task("solo", "test").unwrap();
    dag.add_dependency("solo", "solo").unwrap();
    let err = Router::halo().route(&dag, CapMode::Waves).unwrap_err();
    assert_eq!(
        err,
        RoutingError::Cycle {
            task: "solo".into()
        }
    );
}

#[test]
fn a_dependency_on_an_unknown_task_is_an_error_naming_it() {
    let mut dag = Dag::new();
    dag.add_task("known", "test").unwrap();
    let err = dag.add_dependency("known", "ghost").unwrap_err();
    assert_eq!(
        err,
        RoutingError::UnknownTask {
            parent: "known".into(),
            child: "ghost".into(),
            unknown: "ghost".into(),
        }
    );
    assert!(err.to_string().contains("ghost"));
}

#[test]
fn a_repeated_task_id_is_an_error() {
    let mut dag = Dag::new();
    dag.add_task("x", "test").unwrap();
    let err = dag.add_task("x", "deploy").unwrap_err();
    assert_eq!(err, RoutingError::DuplicateTask { task: "x".into() });
}

#[test]
fn a_task_whose_type_no_agent_supports_is_unassigned_not_an_error() {
    let mut dag = Dag::new();
    dag.add_task("odd", "teleport").unwrap();
    dag.add_task("after", "test").unwrap();
    dag.add_dependency("odd", "after").unwrap();
    let plan = Router::halo().route(&dag, CapMode::Waves).unwrap();
    assert_eq!(plan.stats().unassigned, 1);
    assert_eq!(plan.assignment(dag.find("odd").unwrap()), None);
    assert_eq!(plan.assignment(dag.find("after").unwrap()).unwrap().wave, 1);
}

#[test]
fn routing_twice_gives_the_same_plan() {
    let router = Router::halo();
    let dag = generate::layered(3_000, &generate::FLAT_TYPES, 7).unwrap();
    for mode in [CapMode::PerPlan, CapMode::Waves] {
        let mut plan = Plan::new();
        router.route_into(&dag, mode, &mut plan).unwrap();
        let first = (
            plan.assignments().to_vec(),
            plan.order().to_vec(),
            plan.stats(),
        );
        router.route_into(&dag, mode, &mut plan).unwrap();
        let second = (
            plan.assignments().to_vec(),
            plan.order().to_vec(),
            plan.stats(),
        );
        assert_eq!(first, second);
        assert_eq!(
            router.route(&dag, mode).unwrap().assignments(),
            &first.0[..]
        );
    }
}

#[test]
fn a_reused_plan_keeps_nothing_from_a_larger_dag() {
    let router = Router::halo();
    let large = generate::flat(200, &generate::FLAT_TYPES).unwrap();
    let small = generate::flat(20, &generate::FLAT_TYPES).unwrap();
    let mut plan = Plan::new();
    router
        .route_into(&large, CapMode::PerPlan, &mut plan)
        .unwrap();
    router
        .route_into(&small, CapMode::PerPlan, &mut plan)
        .unwrap();
    assert_eq!(plan.assignments().len(), 20);
    assert_eq!(plan.stats().assigned, 20);
    assert_eq!(plan.agent_totals().iter().sum::<u32>(), 20);
}

#[test]
fn conditional_rule_matches_only_with_its_metadata() {
    let router = Router::halo();
    let mut dag = Dag::new();
    let meta = Metadata::new([("target", "agent_code")]);
    dag.add_task_with("guarded", "fix_bug", meta).unwrap();
    dag.add_task("plain", "fix_bug").unwrap();
    let plan = router.route(&dag, CapMode::PerPlan).unwrap();
    let guarded = plan.assignment(dag.find("guarded").unwrap()).unwrap();
    assert!(
        matches!(guarded.reason, Reason::Rule(r) if router.rule(r).id == "rule_fix_bug")
    );
    let plain = plan.assignment(dag.find("plain").unwrap()).unwrap();
    assert_eq!(plain.reason, Reason::CapabilityFallback);
    assert_eq!(router.agent(plain.agent).name, "darwin");
}

#[test]
fn fallback_prefers_the_highest_success_rate_among_agents_with_room() {
    // architecture: rule to architect (0.88); spec (0.85) also supports it.
    let router = Router::halo();
    let dag = generate::flat(12, &["architecture"]).unwrap();
    let plan = router.route(&dag, CapMode::PerPlan).unwrap();
    let names: Vec<_> = plan
        .assignments()
        .iter()
        .map(|a| {
            let a = a.unwrap();
            (
                router.agent(a.agent).name.as_str(),
                a.reason == Reason::CapabilityFallback,
            )
        })
        .collect();
    assert_eq!(names[..10], [("architect", false); 10]);
    assert_eq!(names[10..], [("spec", true); 2]);
}

#[test]
fn done_tasks_get_no_agent_and_do_not_hold_children_back() {
    let mut dag = generate::chain(3, &["test"]).unwrap();
    dag.set_status(dag.find("task_0").unwrap(), TaskStatus::Done);
    let plan = Router::halo().route(&dag, CapMode::Waves).unwrap();
    assert_eq!(plan.stats().done, 1);
    assert_eq!(plan.assignment(dag.find("task_0").unwrap()), None);
    assert_eq!(
        plan.assignment(dag.find("task_1").unwrap()).unwrap().wave,
        0
    );
    assert_eq!(
        plan.assignment(dag.find("task_2").unwrap()).unwrap().wave,
        1
    );
}

fn index_is_consistent(router: &Router) {
    let mut seen = 0;
    for key in router.type_keys() {
        let ids: Vec<_> = router.rules_for(key).collect();
        seen += ids.len();
        for pair in ids.windows(2) {
            let (a, b) = (router.rule(pair[0]), router.rule(pair[1]));
            assert!(
                a.priority > b.priority
                    || (a.priority == b.priority && pair[0] < pair[1]),
                "{} before {}",
                a.id,
                b.id
            );
        }
        for id in ids {
            assert_eq!(router.rule(id).task_type, router.type_name(key));
        }
    }
    assert_eq!(seen, router.rules().len());
}

#[test]
fn the_per_type_index_stays_sorted_after_dynamic_rule_additions() {
    let mut router = Router::halo();
    let added = [
        ("rule_implement_hot", "implement", 30, "frontend"),
        ("rule_implement_low", "implement", 1, "backend"),
        ("rule_implement_tie", "implement", 10, "qa"),
        ("rule_brand_new", "quantum", 7, "research"),
        ("rule_brand_newer", "quantum", 7, "finance"),
    ];
    for (id, ty, priority, target) in added {
        router
            .add_rule(RuleSpec::new(id, ty, priority, target))
            .unwrap();
        index_is_consistent(&router);
    }
    let implement = router.type_key("implement").unwrap();
    let order: Vec<_> = router
        .rules_for(implement)
        .map(|r| router.rule(r).id.clone())
        .collect();
    assert_eq!(
        order,
        [
            "rule_implement_hot",
            "rule_implement",
            "rule_implement_tie",
            "rule_implement_low"
        ]
    );
    let dag = generate::flat(1, &["implement"]).unwrap();
    let plan = router.route(&dag, CapMode::PerPlan).unwrap();
    assert_eq!(
        router.agent(plan.assignments()[0].unwrap().agent).name,
        "frontend"
    );
}

#[test]
fn bad_rules_and_agents_are_errors_naming_them() {
    let mut router = Router::halo();
    let dup = router.add_rule(RuleSpec::new("rule_test", "test", 1, "qa"));
    assert_eq!(
        dup.unwrap_err(),
        RoutingError::DuplicateRule {
            rule: "rule_test".into()
        }
    );
    let unknown = router.add_rule(RuleSpec::new("r", "test", 1, "nobody"));
    assert!(
        matches!(unknown, Err(RoutingError::UnknownAgent { agent, .. }) if agent == "nobody")
    );

    let mut agents = halo_agents();
    agents.push(AgentSpec {
        name: "lazy".into(),
        types: vec!["nap".into()],
        tier: Tier::Cheap,
        success_rate: 0.5,
        cap: 0,
    });
    let err = Router::new(agents, halo_rules()).unwrap_err();
    assert!(matches!(err, RoutingError::InvalidAgent { agent, .. } if agent == "lazy"));
}

#[test]
fn generators_reject_an_empty_type_list() {
    assert_eq!(
        generate::flat(3, &[]).unwrap_err(),
        RoutingError::NoTaskTypes
    );
    assert_eq!(
        generate::layered(3, &[], 1).unwrap_err(),
        RoutingError::NoTaskTypes
    );
    assert!(generate::flat(0, &[]).unwrap().is_empty());
}

#[test]
fn layered_dag_has_about_three_parents_per_task() {
    let dag = generate::layered(64_000, &generate::FLAT_TYPES, 3).unwrap();
    let later_tasks = 64_000 - generate::LAYER_WIDTH;
    let mean = dag.dependency_count() as f64 / later_tasks as f64;
    assert!((2.9..3.1).contains(&mean), "mean in-degree {mean}");
}

#[test]
fn a_dag_built_children_first_routes_in_dependency_order() {
    // Tasks added last-to-first, so index order is not topological and
    // the router must order them itself.
    let mut dag = Dag::new();
    for i in (0..5).rev() {
        dag.add_task(&format!("step_{i}"), "test").unwrap();
    }
    for i in 0..4 {
        dag.add_dependency(&format!("step_{i}"), &format!("step_{}", i + 1))
            .unwrap();
    }
    assert!(!dag.index_order_is_topological());
    let plan = Router::halo().route(&dag, CapMode::Waves).unwrap();
    for i in 0..5 {
        let id = format!("step_{i}");
        assert_eq!(position(&plan, &dag, &id), i);
        assert_eq!(
            plan.assignment(dag.find(&id).unwrap()).unwrap().wave,
            i as u32
        );
    }
}
