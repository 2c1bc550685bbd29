//! Parity with the original router's per-plan behaviour on flat DAGs.

use perfgate::routing::{generate, CapMode, Plan, Reason, Router};

fn route_flat(n: usize, types: usize) -> (Router, perfgate::routing::Dag, Plan) {
    let router = Router::halo();
    let dag = generate::flat(n, &generate::FLAT_TYPES[..types]).unwrap();
    let plan = router.route(&dag, CapMode::PerPlan).unwrap();
    (router, dag, plan)
}

#[test]
fn fifty_flat_tasks_of_seven_types_are_all_assigned() {
    let (_, _, plan) = route_flat(50, 7);
    assert_eq!(plan.stats().assigned, 50);
    assert_eq!(plan.stats().unassigned, 0);
}

#[test]
fn two_hundred_flat_tasks_assign_exactly_the_first_seventy_ten_per_agent() {
    let (router, dag, plan) = route_flat(200, 7);
    assert_eq!(plan.stats().assigned, 70);
    assert_eq!(plan.stats().unassigned, 130);

    for i in 0..200 {
        let task = dag.find(&format!("task_{i}")).unwrap();
        assert_eq!(plan.assignment(task).is_some(), i < 70, "task_{i}");
    }
    let expected_agents = [
        "spec",
        "builder",
        "qa",
        "deploy",
        "monitoring",
        "security",
        "analytics",
    ];
    for (agent, &total) in router.agents().iter().zip(plan.agent_totals()) {
        let used = expected_agents.contains(&agent.name.as_str());
        assert_eq!(total, if used { 10 } else { 0 }, "agent {}", agent.name);
    }
}

#[test]
fn one_hundred_flat_tasks_of_four_types_assign_forty() {
    let (_, _, plan) = route_flat(100, 4);
    assert_eq!(plan.stats().assigned, 40);
    assert_eq!(plan.stats().unassigned, 60);
}

#[test]
fn flat_assignments_name_the_rule_of_their_type() {
    let (router, dag, plan) = route_flat(14, 7);
    for i in 0..14 {
        let task = dag.find(&format!("task_{i}")).unwrap();
        let assignment = plan.assignment(task).unwrap();
        let Reason::Rule(rule) = assignment.reason else {
            panic!("task_{i} went by fallback");
        };
        let task_type = dag.type_name(dag.task(task).unwrap().task_type());
        assert_eq!(router.rule(rule).id, format!("rule_{task_type}"));
        assert_eq!(
            router.rule(rule).target,
            router.agent(assignment.agent).name
        );
    }
}
