//! The WaitGroup exercise: `count_nodes` counts every node, however the tree
//! is shaped, and has waited for every thread when it returns.

use std::sync::Arc;

use book_exercises::count_nodes::{Node, count_nodes};

fn leaf() -> Arc<Node> {
    Node::with(Vec::new())
}

fn chain(depth: usize) -> Arc<Node> {
    (1..depth).fold(leaf(), |below, _| Node::with(vec![below]))
}

#[test]
fn one_node() {
    assert_eq!(count_nodes(&leaf()), 1);
}

#[test]
fn a_root_and_three_children() {
    assert_eq!(count_nodes(&Node::with(vec![leaf(), leaf(), leaf()])), 4);
}

#[test]
fn a_chain_fifty_deep() {
    assert_eq!(count_nodes(&chain(50)), 50);
}

#[test]
fn a_wide_and_deep_tree() {
    // Ten branches, each a chain of ten: 1 + 10 * 10 nodes.
    let root = Node::with((0..10).map(|_| chain(10)).collect());
    assert_eq!(count_nodes(&root), 101);
}

#[test]
fn counting_twice_gives_the_same_answer() {
    let root = Node::with((0..20).map(|_| Node::with(vec![leaf(), leaf()])).collect());
    assert_eq!(count_nodes(&root), 61);
    assert_eq!(count_nodes(&root), 61);
}
