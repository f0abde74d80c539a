//! Request-scoped values: a lookup through a context's value chain versus
//! passing the value explicitly.
//!
//! One group, `value_lookup`, over the depth of the binding: the value is
//! bound `depth` layers above the context it is read from (the other layers
//! bind other keys, as middleware adding a value each would). The
//! alternatives:
//!
//! - `context_value`: `ctx.value(&USER_ID)`, a walk up `depth` layers.
//! - `explicit_parameter`: the value passed as a function parameter (a field
//!   of a request struct), the alternative Go's documentation recommends for
//!   anything that is not request-scoped.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use go_context::{Context, Key};

static USER_ID: Key<u64> = Key::new("user_id");
/// The keys of the layers between the binding and the lookup.
static OTHER: [Key<u64>; 64] = [const { Key::new("other") }; 64];

/// A request as it would be passed explicitly.
struct Request {
    user_id: u64,
}

/// A context whose `USER_ID` binding is `depth` layers above the leaf.
fn chain(depth: usize) -> Context {
    let mut ctx = go_context::with_value(&go_context::background(), &USER_ID, 42);
    for key in OTHER.iter().take(depth - 1) {
        ctx = go_context::with_value(&ctx, key, 0);
    }
    ctx
}

fn value_lookup(c: &mut Criterion) {
    let mut group = c.benchmark_group("value_lookup");
    let request = Request { user_id: 42 };
    for depth in [1_usize, 4, 16, 64] {
        let ctx = chain(depth);
        group.bench_with_input(BenchmarkId::new("context_value", depth), &ctx, |b, ctx| {
            b.iter(|| black_box(ctx).value(&USER_ID).copied())
        });
        group.bench_with_input(
            BenchmarkId::new("explicit_parameter", depth),
            &request,
            |b, request| b.iter(|| black_box(request).user_id),
        );
    }
    group.finish();
}

criterion_group!(benches, value_lookup);
criterion_main!(benches);
