//! Exercise: count a tree, one thread per node (the WaitGroup part).
//!
//! The Go program to port: every node is visited by a goroutine of its own,
//! which counts the node and starts a goroutine per child; one `WaitGroup`
//! counts the goroutines, and the count is read once it is zero.
//!
//! ```go
//! type Node struct{ Children []*Node }
//!
//! func CountNodes(root *Node) int {
//!     var wg sync.WaitGroup
//!     var n atomic.Int64
//!     var visit func(*Node)
//!     visit = func(node *Node) {
//!         defer wg.Done()
//!         n.Add(1)
//!         for _, child := range node.Children {
//!             wg.Add(1) // before the goroutine starts, never inside it
//!             go visit(child)
//!         }
//!     }
//!     wg.Add(1)
//!     go visit(root)
//!     wg.Wait()
//!     return int(n.Load())
//! }
//! ```
//!
//! Write `count_nodes` the same way, with `go_waitgroup::WaitGroup` and one
//! thread per node. Hints: a thread's closure must own what it uses (clone
//! the `Arc`s and the `WaitGroup` handle into it); `wg.go(f)` is Go 1.25's
//! `wg.Go(f)`, which adds before it starts the thread; and `Relaxed` is
//! enough for the counter, because `wait()` orders every task's writes
//! before it returns.
//!
//! Test it: `cargo test -p book-exercises --features starter --test count_nodes`.

use std::sync::Arc;

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
    // Your code here.
    let _ = root;
    0
}
