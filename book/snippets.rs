//! The book's inline snippets, compiled and run as doctests.
//!
//! Every chapter in `src/` is attached below as the documentation of a
//! `cfg(doctest)` item, so `cargo test -p book-snippets` runs each ```rust
//! block written directly in the book. Listings included from `examples/`
//! are `rust,ignore` in the book: cargo compiles and runs them where they
//! live. A chapter added to `SUMMARY.md` belongs here too.
#![doc(test(attr(deny(warnings))))]

macro_rules! chapters {
    ($($name:ident => $path:literal,)*) => {
        $(
            #[cfg(doctest)]
            #[doc = include_str!($path)]
            pub struct $name;
        )*
    };
}

chapters! {
    Introduction => "src/introduction.md",
    ReadingGuide => "src/reading-guide.md",
    Rust => "src/rust/index.md",
    RustOwnership => "src/rust/ownership.md",
    RustDropResultTraits => "src/rust/drop-result-traits.md",
    RustThreads => "src/rust/threads.md",
    SideBySide => "src/side-by-side.md",
    WaitGroup => "src/waitgroup/index.md",
    WaitGroupGoMethod => "src/waitgroup/go-method.md",
    WaitGroupMisuse => "src/waitgroup/misuse.md",
    WaitGroupStructured => "src/waitgroup/structured.md",
    WaitGroupExercises => "src/waitgroup/exercises.md",
    WaitGroupErrgroup => "src/waitgroup/errgroup.md",
    StopChannel => "src/stop-channel/index.md",
    StopChannelTimeouts => "src/stop-channel/timeouts.md",
    StopChannelLimits => "src/stop-channel/limits.md",
    StopChannelExercises => "src/stop-channel/exercises.md",
    ContextIndex => "src/context/index.md",
    ContextRoots => "src/context/roots.md",
    ContextInterface => "src/context/interface.md",
    ContextWithCancel => "src/context/with-cancel.md",
    ContextWithDeadline => "src/context/with-deadline.md",
    ContextWithValue => "src/context/with-value.md",
    ContextCause => "src/context/cause.md",
    ContextAfterFunc => "src/context/after-func.md",
    ContextWithoutCancel => "src/context/without-cancel.md",
    ContextPropagation => "src/context/propagation.md",
    ContextCancelOnDrop => "src/context/cancel-on-drop.md",
    ContextWaitGroups => "src/context/waitgroups.md",
    ContextAsyncPrimer => "src/context/async-primer.md",
    ContextAsync => "src/context/async.md",
    ContextExercises => "src/context/exercises.md",
    Service => "src/service.md",
    RulesNotes => "src/rules/notes.md",
    RulesSummary => "src/rules/summary.md",
    LoomMemoryOrdering => "src/loom/memory-ordering.md",
    Loom => "src/loom/index.md",
    LoomModels => "src/loom/models.md",
    LoomTree => "src/loom/tree.md",
    LoomDone => "src/loom/done.md",
    LoomWakeups => "src/loom/wakeups.md",
    LoomTimersCallbacks => "src/loom/timers-callbacks.md",
    LoomPatterns => "src/loom/patterns.md",
    LoomExercises => "src/loom/exercises.md",
    Benchmarks => "src/benchmarks/index.md",
    BenchmarkResults => "src/benchmarks/results.md",
    CheatSheet => "src/cheat-sheet.md",
    GlossaryRust => "src/glossary-rust.md",
    Glossary => "src/glossary.md",
}
