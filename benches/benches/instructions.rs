//! Instructions per operation of the hot shapes, ours beside the Rust peers',
//! counted by callgrind through gungraun: the comparison that does not
//! depend on the machine. Each benchmark runs one shape of `benches::shapes`
//! once (`Shape::ops` operations, freeing included); what a run needs
//! beforehand is made in its `setup`, outside the count.
//!
//! Run with `bash benches/counts.sh` (needs valgrind and `gungraun-runner`),
//! which divides each count by the shape's operations and checks it against
//! the committed `benches/counts/instructions.tsv`.

// gungraun's macros wrap each benchmark in a module of their own, without docs.
#![allow(missing_docs)]

use std::hint::black_box;

use benches::shapes::{self, CancellationToken, crossbeam_wg, ours, token};
use gungraun::{library_benchmark, library_benchmark_group, main};

#[library_benchmark]
#[bench::ours(setup = ours::parent)]
fn derive_cancel_drop_ours(parent: (go_context::Context, go_context::CancelFunc)) {
    ours::derive_cancel_drop(black_box(&parent.0));
}

#[library_benchmark]
#[bench::tokio_util(setup = CancellationToken::new)]
fn derive_cancel_drop_tokio_util(parent: CancellationToken) {
    token::derive_cancel_drop(black_box(&parent));
}

#[library_benchmark]
#[bench::ours(setup = ours::canceled_parent)]
fn derive_from_done_ours(parent: go_context::Context) {
    ours::derive_from_done(black_box(&parent));
}

#[library_benchmark]
#[bench::tokio_util(setup = token::cancelled_parent)]
fn derive_from_done_tokio_util(parent: CancellationToken) {
    token::derive_from_done(black_box(&parent));
}

#[library_benchmark]
fn wide_tree_ours() {
    ours::wide_tree();
}

#[library_benchmark]
fn wide_tree_tokio_util() {
    token::wide_tree();
}

#[library_benchmark]
fn wide_tree_100k_ours() {
    ours::wide_tree_100k();
}

#[library_benchmark]
fn wide_tree_100k_tokio_util() {
    token::wide_tree_100k();
}

#[library_benchmark]
fn chain_ours() {
    ours::chain();
}

#[library_benchmark]
fn chain_tokio_util() {
    token::chain();
}

#[library_benchmark]
#[bench::ours(setup = ours::parent)]
fn is_done_ours(ctx: (go_context::Context, go_context::CancelFunc)) {
    ours::is_done(black_box(&ctx.0));
}

#[library_benchmark]
#[bench::tokio_util(setup = CancellationToken::new)]
fn is_done_tokio_util(token: CancellationToken) {
    token::is_done(black_box(&token));
}

#[library_benchmark]
#[bench::ours(setup = ours::parent)]
fn done_each_call_ours(ctx: (go_context::Context, go_context::CancelFunc)) {
    ours::done_each_call(black_box(&ctx.0));
}

#[library_benchmark]
#[bench::tokio_util(setup = CancellationToken::new)]
fn done_each_call_tokio_util(token: CancellationToken) {
    token::done_each_call(black_box(&token));
}

#[library_benchmark]
#[bench::ours(setup = ours::start_timer)]
fn with_timeout_ours(_: ()) {
    ours::with_timeout();
}

#[library_benchmark]
#[bench::ours(setup = ours::parent)]
fn with_value_ours(parent: (go_context::Context, go_context::CancelFunc)) {
    ours::with_value(black_box(&parent.0));
}

#[library_benchmark]
fn wait_group_ours() {
    ours::wait_group();
}

#[library_benchmark]
fn wait_group_crossbeam() {
    crossbeam_wg::wait_group();
}

#[library_benchmark]
#[bench::ours(setup = go_waitgroup::WaitGroup::new)]
fn wait_group_add_done_ours(wg: go_waitgroup::WaitGroup) {
    ours::wait_group_add_done(black_box(&wg));
}

#[library_benchmark]
#[bench::crossbeam(setup = crossbeam::sync::WaitGroup::new)]
fn wait_group_add_done_crossbeam(wg: crossbeam::sync::WaitGroup) {
    crossbeam_wg::wait_group_add_done(black_box(&wg));
}

library_benchmark_group!(
    name = context;
    benchmarks =
        derive_cancel_drop_ours,
        derive_cancel_drop_tokio_util,
        derive_from_done_ours,
        derive_from_done_tokio_util,
        wide_tree_ours,
        wide_tree_tokio_util,
        wide_tree_100k_ours,
        wide_tree_100k_tokio_util,
        chain_ours,
        chain_tokio_util,
        is_done_ours,
        is_done_tokio_util,
        done_each_call_ours,
        done_each_call_tokio_util,
        with_timeout_ours,
        with_value_ours
);

library_benchmark_group!(
    name = wait_group;
    benchmarks =
        wait_group_ours,
        wait_group_crossbeam,
        wait_group_add_done_ours,
        wait_group_add_done_crossbeam
);

// Every shape of `benches::shapes` has a benchmark above, on every side.
const _: () = assert!(shapes::SHAPES.len() == 11);

main!(library_benchmark_groups = context, wait_group);
