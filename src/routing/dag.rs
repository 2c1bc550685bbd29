//! The task DAG: tasks with interned types, optional metadata and a status,
//! and dependencies as `petgraph` edges parent -> child.
//!
//! Task types are interned per DAG: a task stores a [`TaskType`] (a `u32`),
//! so routing reads an integer per task and compares no strings. The router
//! binds the DAG's few distinct type names to its own keys once per routing
//! call (see [`crate::routing::Router::route_into`]).

use std::collections::HashMap;

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::Direction;

use super::RoutingError;

/// Index of a task in its [`Dag`] (a `petgraph` node index).
pub type TaskIndex = NodeIndex<u32>;

/// A task type interned in one [`Dag`]; [`Dag::type_name`] gives its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskType(pub(crate) u32);

impl TaskType {
    /// The position of this type in its DAG's type table.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Where a task stands before routing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TaskStatus {
    /// Still to run: the router plans it.
    #[default]
    Pending,
    /// Already finished: the router gives it no agent and its children do
    /// not wait for it.
    Done,
}

/// Key -> value metadata of a task. Rules with extra conditions compare
/// against it. Few tasks carry metadata and few rules have conditions, so
/// a small slice searched linearly beats a map here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata(Box<[(Box<str>, Box<str>)]>);

impl Metadata {
    /// Metadata from key/value pairs; a later duplicate key replaces an
    /// earlier one.
    pub fn new<K, V>(pairs: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<Box<str>>,
        V: Into<Box<str>>,
    {
        let mut entries: Vec<(Box<str>, Box<str>)> = Vec::new();
        for (key, value) in pairs {
            let (key, value) = (key.into(), value.into());
            match entries.iter_mut().find(|(k, _)| *k == key) {
                Some(entry) => entry.1 = value,
                None => entries.push((key, value)),
            }
        }
        Metadata(entries.into_boxed_slice())
    }

    /// The value stored under `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| &**k == key).map(|(_, v)| &**v)
    }

    /// Whether no key is set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The key/value pairs in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (&**k, &**v))
    }
}

/// One unit of work: an id, an interned type, metadata and a status.
#[derive(Debug, Clone)]
pub struct Task {
    id: Box<str>,
    task_type: TaskType,
    status: TaskStatus,
    metadata: Metadata,
}

impl Task {
    /// The task's id, unique in its DAG.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The task's interned type.
    pub fn task_type(&self) -> TaskType {
        self.task_type
    }

    /// The task's status.
    pub fn status(&self) -> TaskStatus {
        self.status
    }

    /// The task's metadata.
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }
}

/// A task DAG. Tasks are added first, then dependencies; cycles are
/// accepted here and reported by the router, which needs a topological
/// order anyway.
#[derive(Debug, Clone, Default)]
pub struct Dag {
    graph: DiGraph<Task, ()>,
    type_names: Vec<Box<str>>,
    type_index: HashMap<Box<str>, TaskType>,
    // TODO(#2): every id is stored twice (in its task and as a key here),
    // about 80 MB of the ~240 MB peak of a million-task DAG; keep ids once
    // (one string arena with a hash index over it) if larger DAGs must fit.
    ids: HashMap<Box<str>, TaskIndex>,
    /// Some dependency goes from a task to one added no later than it.
    backward: bool,
}

impl Dag {
    /// An empty DAG.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty DAG with room for `tasks` tasks and `dependencies` edges.
    pub fn with_capacity(tasks: usize, dependencies: usize) -> Self {
        Dag {
            graph: DiGraph::with_capacity(tasks, dependencies),
            ids: HashMap::with_capacity(tasks),
            ..Self::default()
        }
    }

    /// Adds a pending task without metadata.
    pub fn add_task(
        &mut self,
        id: &str,
        task_type: &str,
    ) -> Result<TaskIndex, RoutingError> {
        self.add_task_with(id, task_type, Metadata::default())
    }

    /// Adds a pending task with metadata. A repeated id is an error.
    pub fn add_task_with(
        &mut self,
        id: &str,
        task_type: &str,
        metadata: Metadata,
    ) -> Result<TaskIndex, RoutingError> {
        if self.ids.contains_key(id) {
            return Err(RoutingError::DuplicateTask { task: id.into() });
        }
        let task = Task {
            id: id.into(),
            task_type: self.intern(task_type),
            status: TaskStatus::Pending,
            metadata,
        };
        let index = self.graph.add_node(task);
        self.ids.insert(id.into(), index);
        Ok(index)
    }

    /// Sets a task's status; returns false when `task` is not in the DAG.
    pub fn set_status(&mut self, task: TaskIndex, status: TaskStatus) -> bool {
        match self.graph.node_weight_mut(task) {
            Some(t) => {
                t.status = status;
                true
            }
            None => false,
        }
    }

    /// Records that `child` depends on `parent`, by task id. An unknown id
    /// is an error; a repeated dependency is kept once.
    pub fn add_dependency(
        &mut self,
        parent: &str,
        child: &str,
    ) -> Result<(), RoutingError> {
        let unknown = |name: &str| RoutingError::UnknownTask {
            parent: parent.into(),
            child: child.into(),
            unknown: name.into(),
        };
        let from = *self.ids.get(parent).ok_or_else(|| unknown(parent))?;
        let to = *self.ids.get(child).ok_or_else(|| unknown(child))?;
        self.graph.update_edge(from, to, ());
        self.backward |= from >= to;
        Ok(())
    }

    /// Records that `child` depends on `parent`, by index, without checking
    /// for a repeated edge (generators know their edges are distinct).
    pub fn add_dependency_at(
        &mut self,
        parent: TaskIndex,
        child: TaskIndex,
    ) -> Result<(), RoutingError> {
        let count = self.graph.node_count();
        for index in [parent, child] {
            if index.index() >= count {
                return Err(RoutingError::UnknownTask {
                    parent: format!("#{}", parent.index()),
                    child: format!("#{}", child.index()),
                    unknown: format!("#{}", index.index()),
                });
            }
        }
        self.graph.add_edge(parent, child, ());
        self.backward |= parent >= child;
        Ok(())
    }

    /// The index of the task with id `id`.
    pub fn find(&self, id: &str) -> Option<TaskIndex> {
        self.ids.get(id).copied()
    }

    /// The task at `index`.
    pub fn task(&self, index: TaskIndex) -> Option<&Task> {
        self.graph.node_weight(index)
    }

    /// The tasks `index` depends on.
    pub fn parents(&self, index: TaskIndex) -> impl Iterator<Item = TaskIndex> + '_ {
        self.graph.neighbors_directed(index, Direction::Incoming)
    }

    /// The name of an interned type of this DAG.
    pub fn type_name(&self, task_type: TaskType) -> &str {
        &self.type_names[task_type.index()]
    }

    /// The distinct type names in interning order ([`TaskType`] index).
    pub fn type_names(&self) -> impl ExactSizeIterator<Item = &str> {
        self.type_names.iter().map(|n| &**n)
    }

    /// Number of tasks.
    pub fn len(&self) -> usize {
        self.graph.node_count()
    }

    /// Whether the DAG has no task.
    pub fn is_empty(&self) -> bool {
        self.graph.node_count() == 0
    }

    /// Number of dependencies (edges).
    pub fn dependency_count(&self) -> usize {
        self.graph.edge_count()
    }

    /// Whether every dependency goes from a task to one added after it, so
    /// that task index order is already a topological order. The generators
    /// build such DAGs; the router then walks tasks in index order, which
    /// reads nodes and edges front to back instead of chasing a queue.
    pub fn index_order_is_topological(&self) -> bool {
        !self.backward
    }

    /// The underlying graph: nodes are tasks, edges point parent -> child.
    pub fn graph(&self) -> &DiGraph<Task, ()> {
        &self.graph
    }

    fn intern(&mut self, name: &str) -> TaskType {
        if let Some(&t) = self.type_index.get(name) {
            return t;
        }
        let t = TaskType(self.type_names.len() as u32);
        self.type_names.push(name.into());
        self.type_index.insert(name.into(), t);
        t
    }
}
