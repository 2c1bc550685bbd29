//! The routing workload's own error type. The workload stands alone (it
//! imports no harness module), so it does not share the harness's error.

/// Everything that can go wrong while building a DAG, a rule table or a
/// plan. Each variant names the task, rule or agent concerned; the message
/// ends with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RoutingError {
    /// The dependencies form a cycle; `task` lies on it.
    #[error(
        "the task DAG has a cycle through task `{task}`; \
         remove one of the dependencies on that cycle"
    )]
    Cycle {
        /// Id of a task on the cycle.
        task: String,
    },
    /// A dependency names a task id the DAG does not hold.
    #[error(
        "dependency {parent} -> {child} names unknown task `{unknown}`; \
         add the task before its dependencies"
    )]
    UnknownTask {
        /// The parent id as given.
        parent: String,
        /// The child id as given.
        child: String,
        /// The id that was not found (one of the two).
        unknown: String,
    },
    /// Two tasks share an id.
    #[error("task id `{task}` is used twice; give every task its own id")]
    DuplicateTask {
        /// The repeated id.
        task: String,
    },
    /// Two rules share an id.
    #[error("rule id `{rule}` is used twice; give every rule its own id")]
    DuplicateRule {
        /// The repeated id.
        rule: String,
    },
    /// A rule targets an agent the registry does not hold.
    #[error(
        "rule `{rule}` targets unknown agent `{agent}`; \
         use the name of a registered agent"
    )]
    UnknownAgent {
        /// The rule's id.
        rule: String,
        /// The agent name it gave.
        agent: String,
    },
    /// An agent's specification is unusable.
    #[error("agent `{agent}`: {message}")]
    InvalidAgent {
        /// The agent's name.
        agent: String,
        /// What is wrong and what to do.
        message: String,
    },
    /// A generator was asked for tasks but given no task types.
    #[error("a generated DAG needs at least one task type; pass one or more types")]
    NoTaskTypes,
}
