//! Property tests: random sequences of operations on a `WaitGroup` and on an
//! `errgroup::Group`, misuse included, checked step by step against a small
//! sequential model, panics and their exact messages too.
//!
//! Tasks started by `go` block on a gate until the program releases them, so
//! the model knows what is running. After each step the test waits (bounded)
//! until the group's `Debug` shows the model's counter, so nothing depends on
//! timing. Every failure message ends with the steps run so far.

use std::any::Any;
use std::collections::BTreeMap;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::thread;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};
use go_context::{Cause, Context, Error};
use go_waitgroup::WaitGroup;
use go_waitgroup::errgroup::Group;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::TestCaseError;

/// How long anything that must happen may take; only a failing case waits
/// this long.
const BOUND: Duration = Duration::from_secs(10);

const NEGATIVE: &str = "sync: negative WaitGroup counter";

type Checked = Result<(), TestCaseError>;

/// The text of a panic payload.
fn panic_text(payload: Box<dyn Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(text) => *text,
        Err(payload) => payload
            .downcast_ref::<&str>()
            .map_or_else(|| "<not a string>".to_owned(), |text| (*text).to_owned()),
    }
}

/// Runs `f`, returning its value or its panic's text.
fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(panic_text)
}

/// Polls `ready` until it holds, for at most [`BOUND`].
fn settle(what: &str, mut ready: impl FnMut() -> bool) -> Checked {
    let deadline = Instant::now() + BOUND;
    while !ready() {
        if Instant::now() > deadline {
            return Err(TestCaseError::fail(format!("{what}: never settled")));
        }
        thread::yield_now();
    }
    Ok(())
}

/// A task that blocks until released, then returns or panics.
fn gated(id: usize, panics: bool) -> (Sender<()>, impl FnOnce() + Send + 'static) {
    let (release, gate) = crossbeam_channel::bounded::<()>(1);
    let task = move || {
        let _ = gate.recv();
        if panics {
            panic!("task {id} failed");
        }
    };
    (release, task)
}

/// A context that is already canceled.
fn canceled() -> Context {
    let (ctx, cancel) = go_context::with_cancel(&go_context::background());
    cancel.cancel();
    ctx
}

// ---------------------------------------------------------------------------
// WaitGroup
// ---------------------------------------------------------------------------

#[derive(Clone, Debug)]
enum WgOp {
    Add(isize),
    Done,
    Go { panics: bool },
    Release(Index),
    Wait,
    WaitContextCanceled,
    SpawnWaiter,
}

fn wg_op() -> impl Strategy<Value = WgOp> {
    prop_oneof![
        3 => (-2isize..=3).prop_map(WgOp::Add),
        2 => Just(WgOp::Done),
        4 => prop::bool::weighted(0.1).prop_map(|panics| WgOp::Go { panics }),
        4 => any::<Index>().prop_map(WgOp::Release),
        2 => Just(WgOp::Wait),
        1 => Just(WgOp::WaitContextCanceled),
        2 => Just(WgOp::SpawnWaiter),
    ]
}

/// What the model expects of a group, and the real group beside it.
struct WgCase {
    wg: WaitGroup,
    /// Go's counter; left below zero by a misuse, as Go leaves it.
    counter: i64,
    /// Gates of tasks not yet released, by task id, and whether they panic.
    tasks: BTreeMap<usize, (Sender<()>, bool)>,
    next_task: usize,
    /// Waiter threads blocked in the group.
    blocked: usize,
    reports_tx: Sender<Result<bool, String>>,
    reports: Receiver<Result<bool, String>>,
    /// The text of the first task panic: every wait on a non-zero counter
    /// then panics.
    poisoned: Option<String>,
    trace: Vec<String>,
}

impl WgCase {
    fn new() -> Self {
        let (reports_tx, reports) = crossbeam_channel::unbounded();
        WgCase {
            wg: WaitGroup::new(),
            counter: 0,
            tasks: BTreeMap::new(),
            next_task: 0,
            blocked: 0,
            reports_tx,
            reports,
            poisoned: None,
            trace: Vec::new(),
        }
    }

    fn fail(&self, what: String) -> TestCaseError {
        TestCaseError::fail(format!("{what}\n  steps: {}", self.trace.join("; ")))
    }

    fn debug(&self) -> (i64, u32) {
        // "WaitGroup { count: 2, waiters: 1 }"
        let shown = format!("{:?}", self.wg);
        let number = |field: &str| {
            let start = shown.find(field).expect("a field of Debug") + field.len();
            let digits: String = shown[start..]
                .chars()
                .take_while(|c| *c == '-' || c.is_ascii_digit())
                .collect();
            digits.parse::<i64>().expect("a number")
        };
        (number("count: "), number("waiters: ") as u32)
    }

    /// The message every wait panics with once a task has panicked.
    fn task_panic(&self) -> Option<String> {
        let payload = self.poisoned.as_ref()?;
        Some(format!("sync: WaitGroup task panicked: {payload}"))
    }

    fn run(&mut self, op: &WgOp) -> Checked {
        match *op {
            WgOp::Add(delta) => self.add(delta, &format!("add({delta})"), |wg| wg.add(delta)),
            WgOp::Done => self.add(-1, "done()", WaitGroup::done),
            WgOp::Go { panics } => {
                // A task on a negative counter would panic on its own thread.
                if self.counter < 0 {
                    return Ok(());
                }
                let id = self.next_task;
                self.next_task += 1;
                self.trace.push(format!(
                    "go(task {id}{})",
                    if panics { ", panics" } else { "" }
                ));
                let (release, task) = gated(id, panics);
                self.wg.go(task);
                self.tasks.insert(id, (release, panics));
                self.counter += 1;
                self.check_counter()
            }
            WgOp::Release(index) => {
                if self.tasks.is_empty() {
                    return Ok(());
                }
                let id = *self
                    .tasks
                    .keys()
                    .nth(index.index(self.tasks.len()))
                    .unwrap();
                self.release(id)
            }
            WgOp::Wait => self.wait(),
            WgOp::WaitContextCanceled => {
                self.trace.push("wait_context(canceled)".to_owned());
                let got = catch(|| self.wg.wait_context(&canceled()));
                let want = Ok(if self.counter == 0 {
                    Ok(())
                } else {
                    Err(Error::Canceled)
                });
                if got != want {
                    return Err(self.fail(format!("wait_context: {got:?}, want {want:?}")));
                }
                Ok(())
            }
            WgOp::SpawnWaiter => self.spawn_waiter(),
        }
    }

    /// `add(delta)` through `call`: Go's panic below zero, waiters released
    /// at zero.
    fn add(&mut self, delta: isize, name: &str, call: impl FnOnce(&WaitGroup)) -> Checked {
        let new = self.counter + delta as i64;
        // A negative counter with tasks still to finish would make their
        // `done` panic on their own threads, out of the test's reach.
        if new < 0 && !self.tasks.is_empty() {
            return Ok(());
        }
        self.trace.push(name.to_owned());
        let got = catch(|| call(&self.wg));
        self.counter = new;
        let want = if new < 0 {
            Err(NEGATIVE.to_owned())
        } else {
            Ok(())
        };
        if got != want {
            return Err(self.fail(format!("{name}: {got:?}, want {want:?}")));
        }
        self.check_counter()?;
        if new == 0 {
            self.collect_released(Ok(true))?;
        }
        Ok(())
    }

    fn release(&mut self, id: usize) -> Checked {
        let (gate, panics) = self.tasks.remove(&id).expect("an unreleased task");
        self.trace.push(format!("release(task {id})"));
        gate.send(()).unwrap();
        if panics {
            // Never counted done: the counter stays, every waiter panics.
            self.poisoned.get_or_insert(format!("task {id} failed"));
            let message = self.task_panic().unwrap();
            if self.counter != 0 {
                // The panic is recorded on the task's thread: let it land
                // before the next step, or a later task's panic could be
                // recorded first and the model would name the wrong one.
                let recorded = || catch(|| self.wg.wait_timeout(Duration::ZERO)).is_err();
                settle("the task's panic", recorded)?;
            }
            return self.collect_released(Err(message));
        }
        self.counter -= 1;
        self.check_counter()?;
        if self.counter == 0 {
            self.collect_released(Ok(true))?;
        }
        Ok(())
    }

    fn wait(&mut self) -> Checked {
        self.trace.push("wait()".to_owned());
        if self.counter == 0 {
            let got = catch(|| self.wg.wait_timeout(BOUND));
            if got != Ok(true) {
                return Err(self.fail(format!("wait on a zero counter: {got:?}")));
            }
            self.wg.wait();
        } else if let Some(message) = self.task_panic() {
            let got = catch(|| self.wg.wait_timeout(BOUND));
            if got != Err(message.clone()) {
                return Err(self.fail(format!("wait: {got:?}, want the panic {message:?}")));
            }
        } else {
            let got = catch(|| self.wg.wait_timeout(Duration::from_millis(1)));
            if got != Ok(false) {
                return Err(self.fail(format!("wait on counter {}: {got:?}", self.counter)));
            }
        }
        Ok(())
    }

    fn spawn_waiter(&mut self) -> Checked {
        self.trace.push("spawn a waiter".to_owned());
        let (wg, reports) = (self.wg.clone(), self.reports_tx.clone());
        thread::spawn(move || {
            let _ = reports.send(catch(|| wg.wait_timeout(BOUND)));
        });
        if self.counter == 0 {
            self.blocked += 1;
            self.collect_released(Ok(true))
        } else if let Some(message) = self.task_panic() {
            self.blocked += 1;
            self.collect_released(Err(message))
        } else {
            self.blocked += 1;
            let want = self.blocked as u32;
            settle("the waiter registering", || self.debug().1 == want)
                .map_err(|err| self.fail(err.to_string()))
        }
    }

    /// Every blocked waiter is released: collect its report.
    fn collect_released(&mut self, want: Result<bool, String>) -> Checked {
        for _ in 0..std::mem::take(&mut self.blocked) {
            let got = self.reports.recv_timeout(BOUND);
            if got.as_ref() != Ok(&want) {
                return Err(self.fail(format!("a released waiter: {got:?}, want {want:?}")));
            }
        }
        Ok(())
    }

    fn check_counter(&self) -> Checked {
        let want = self.counter;
        settle("the counter", || self.debug().0 == want)
            .map_err(|_| self.fail(format!("counter {:?}, want {want}", self.debug())))
    }

    /// Releases every task and brings the counter back to zero.
    fn teardown(&mut self) -> Checked {
        let ids: Vec<usize> = self.tasks.keys().copied().collect();
        for id in ids {
            self.release(id)?;
        }
        if self.counter != 0 {
            let delta = -self.counter as isize;
            self.add(delta, &format!("add({delta})"), |wg| wg.add(delta))?;
        }
        if let Ok(report) = self.reports.try_recv() {
            return Err(self.fail(format!("a waiter reported unexpectedly: {report:?}")));
        }
        if self.debug() != (0, 0) {
            return Err(self.fail(format!("left behind: {:?}", self.wg)));
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// errgroup
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
struct TaskError(u8);

impl fmt::Display for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "task error {}", self.0)
    }
}

impl std::error::Error for TaskError {}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Ends {
    Ok,
    Err(u8),
    Panics,
}

#[derive(Clone, Debug)]
enum GroupOp {
    Go(Ends),
    TryGo(Ends),
    SetLimit(Option<u8>),
    Release(Index),
    Wait,
}

fn ends() -> impl Strategy<Value = Ends> {
    prop_oneof![
        6 => Just(Ends::Ok),
        3 => (0u8..4).prop_map(Ends::Err),
        1 => Just(Ends::Panics),
    ]
}

fn group_op() -> impl Strategy<Value = GroupOp> {
    prop_oneof![
        4 => ends().prop_map(GroupOp::Go),
        2 => ends().prop_map(GroupOp::TryGo),
        1 => prop::option::of(0u8..4).prop_map(GroupOp::SetLimit),
        5 => any::<Index>().prop_map(GroupOp::Release),
        2 => Just(GroupOp::Wait),
    ]
}

struct GroupCase {
    group: Group<TaskError>,
    ctx: Option<Context>,
    tasks: BTreeMap<usize, (Sender<()>, Ends)>,
    next_task: usize,
    limit: Option<usize>,
    first_err: Option<TaskError>,
    /// The first panicking task's text.
    panicked: Option<String>,
    /// The context's expected state: canceled, and with which cause.
    ctx_cause: Option<Result<TaskError, Error>>,
    trace: Vec<String>,
}

impl GroupCase {
    fn new(with_context: bool) -> Self {
        let (group, ctx) = if with_context {
            let (group, ctx) = Group::with_context(&go_context::background());
            (group, Some(ctx))
        } else {
            (Group::new(), None)
        };
        GroupCase {
            group,
            ctx,
            tasks: BTreeMap::new(),
            next_task: 0,
            limit: None,
            first_err: None,
            panicked: None,
            ctx_cause: None,
            trace: Vec::new(),
        }
    }

    fn fail(&self, what: String) -> TestCaseError {
        TestCaseError::fail(format!("{what}\n  steps: {}", self.trace.join("; ")))
    }

    fn full(&self) -> bool {
        self.limit.is_some_and(|limit| self.tasks.len() >= limit)
    }

    fn active(&self) -> usize {
        // "Group { active: 2, limit: None, failed: false }"
        let shown = format!("{:?}", self.group);
        let start = shown.find("active: ").expect("the active field") + "active: ".len();
        let digits: String = shown[start..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().expect("a number")
    }

    fn start(&mut self, ends: Ends, try_go: bool) -> Checked {
        let id = self.next_task;
        let name = if try_go { "try_go" } else { "go" };
        self.trace.push(format!("{name}(task {id} → {ends:?})"));
        let (release, gate) = crossbeam_channel::bounded::<()>(1);
        let task = move || {
            let _ = gate.recv();
            match ends {
                Ends::Ok => Ok(()),
                Ends::Err(code) => Err(TaskError(code)),
                Ends::Panics => panic!("task {id} failed"),
            }
        };
        let started = if try_go {
            self.group.try_go(task)
        } else {
            self.group.go(task);
            true
        };
        let had_a_free_slot = !self.full();
        if started != had_a_free_slot {
            return Err(self.fail(format!("{name} started: {started}")));
        }
        if started {
            self.next_task += 1;
            self.tasks.insert(id, (release, ends));
        }
        Ok(())
    }

    fn run(&mut self, op: &GroupOp) -> Checked {
        match *op {
            // `go` on a full group blocks until a slot frees: not here.
            GroupOp::Go(ends) if !self.full() => self.start(ends, false)?,
            GroupOp::Go(_) => return Ok(()),
            GroupOp::TryGo(ends) => self.start(ends, true)?,
            GroupOp::SetLimit(limit) => {
                let limit = limit.map(usize::from);
                self.trace.push(format!("set_limit({limit:?})"));
                let got = catch(|| self.group.set_limit(limit));
                let active = self.tasks.len();
                let want = if limit.is_some() && active > 0 {
                    Err(format!(
                        "errgroup: modify limit while {active} goroutines in the group are still active"
                    ))
                } else {
                    self.limit = limit;
                    Ok(())
                };
                if got != want {
                    return Err(self.fail(format!("set_limit: {got:?}, want {want:?}")));
                }
            }
            GroupOp::Release(index) => {
                if self.tasks.is_empty() {
                    return Ok(());
                }
                let id = *self
                    .tasks
                    .keys()
                    .nth(index.index(self.tasks.len()))
                    .unwrap();
                self.release(id)?;
            }
            // `wait` with tasks running blocks until they finish: not here.
            GroupOp::Wait if self.tasks.is_empty() => self.wait()?,
            GroupOp::Wait => return Ok(()),
        }
        self.check_context()
    }

    fn release(&mut self, id: usize) -> Checked {
        let (gate, ends) = self.tasks.remove(&id).expect("an unreleased task");
        self.trace.push(format!("release(task {id})"));
        gate.send(()).unwrap();
        // The task's slot is freed after its error is recorded and its
        // context canceled: once `active` shows it, the model applies.
        let want = self.tasks.len();
        settle("the task's slot", || self.active() == want)
            .map_err(|err| self.fail(err.to_string()))?;
        match ends {
            Ends::Ok => {}
            Ends::Err(code) => {
                if self.first_err.is_none() {
                    self.first_err = Some(TaskError(code));
                    self.ctx_cause.get_or_insert(Ok(TaskError(code)));
                }
            }
            Ends::Panics => {
                self.panicked.get_or_insert(format!("task {id} failed"));
                self.ctx_cause.get_or_insert(Err(Error::Canceled));
            }
        }
        Ok(())
    }

    fn wait(&mut self) -> Checked {
        self.trace.push("wait()".to_owned());
        let got = catch(|| self.group.wait());
        let want = match &self.panicked {
            Some(payload) => Err(format!("errgroup: task panicked: {payload}")),
            None => Ok(self.first_err.clone().map_or(Ok(()), Err)),
        };
        self.ctx_cause.get_or_insert(Err(Error::Canceled));
        if got != want {
            return Err(self.fail(format!("wait: {got:?}, want {want:?}")));
        }
        Ok(())
    }

    fn check_context(&self) -> Checked {
        let Some(ctx) = &self.ctx else { return Ok(()) };
        let cause = ctx.cause().map(|cause: Cause| {
            match (
                cause.downcast_ref::<TaskError>(),
                cause.downcast_ref::<Error>(),
            ) {
                (Some(err), _) => Ok(err.clone()),
                (None, Some(err)) => Err(*err),
                (None, None) => panic!("a cause the test never made: {cause}"),
            }
        });
        if cause != self.ctx_cause || ctx.err().is_some() != self.ctx_cause.is_some() {
            let err = ctx.err();
            let want = &self.ctx_cause;
            return Err(self.fail(format!("context: {err:?} / {cause:?}, want {want:?}")));
        }
        Ok(())
    }

    fn teardown(&mut self) -> Checked {
        let ids: Vec<usize> = self.tasks.keys().copied().collect();
        for id in ids {
            self.release(id)?;
        }
        self.wait()?;
        self.check_context()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn wait_group_matches_counter_model(ops in prop::collection::vec(wg_op(), 1..40)) {
        let mut case = WgCase::new();
        for op in &ops {
            case.run(op)?;
        }
        case.teardown()?;
    }

    #[test]
    fn errgroup_matches_model(
        with_context in any::<bool>(),
        ops in prop::collection::vec(group_op(), 1..40),
    ) {
        let mut case = GroupCase::new(with_context);
        for op in &ops {
            case.run(op)?;
        }
        case.teardown()?;
    }
}
