//! A solution: count a tree, one thread per node (the WaitGroup part).
//!
//! The exercise, and the Go program it ports, are in `src/count_nodes.rs`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use go_waitgroup::WaitGroup;

/// A node of the tree: its children, shared (`Arc`) so that a thread per
/// child can own a handle to it.
#[derive(Debug, Default)]
pub struct Node {
    /// The node's children.
    pub children: Vec<Arc<Node>>,
}

impl Node {
    /// A node with these children.
    pub fn with(children: Vec<Arc<Node>>) -> Arc<Node> {
        Arc::new(Node { children })
    }
}

/// Counts the nodes of the tree under `root`, `root` included, visiting
/// each node on a thread of its own.
pub fn count_nodes(root: &Arc<Node>) -> usize {
    let wg = WaitGroup::new();
    let count = Arc::new(AtomicUsize::new(0));
    visit(Arc::clone(root), &wg, &count);
    wg.wait(); // every visit, and every visit it started, has finished
    count.load(Ordering::Relaxed)
}

/// Go's `wg.Add(1); go visit(node)`: `go` adds one before it starts the
/// thread, so the counter can never reach zero while a child is pending.
fn visit(node: Arc<Node>, wg: &WaitGroup, count: &Arc<AtomicUsize>) {
    let (group, count) = (wg.clone(), Arc::clone(count));
    wg.go(move || {
        count.fetch_add(1, Ordering::Relaxed); // n.Add(1)
        for child in &node.children {
            visit(Arc::clone(child), &group, &count);
        }
    }); // Done() when the closure returns
}
