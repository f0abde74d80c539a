//! Model-based property test of the context tree.
//!
//! Random programs of operations (derive any kind of child from any live
//! context, cancel with or without a cause, drop or disarm a handle, fire a
//! deadline, register and stop `after_func` callbacks, drop a context) run
//! against the real crate and against [`Model`], a small sequential model of
//! Go's semantics written here. After every step the two must agree on every
//! live context's error, cause, done channel, waiters, values, deadline,
//! child count and `Display`, on which callbacks have run, and on how many
//! timers are armed.
//!
//! Deadlines are an hour or more away and are fired with `testing::expire`,
//! never by the clock, so the run is deterministic. No other test in this
//! binary arms a timer, so `testing::pending_timers()` counts exactly the
//! model's.
//!
//! A failing case prints its program as readable steps (`n3 = with_cancel(n1)`,
//! `cancel(n3)`, …), shrunk by proptest.

use std::collections::BTreeSet;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll, Waker};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, TryRecvError};
use go_context::{AfterFunc, CancelCauseFunc, CancelFunc, Cause, Context, Error, Key, testing};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::TestCaseError;

/// Two keys with the same name and type: only their identity tells them apart.
static KEY_A: Key<u32> = Key::new("id");
static KEY_B: Key<u32> = Key::new("id");

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);
/// How long a callback that must run may take to report; only a failing test
/// waits this long.
const CALLBACK_BOUND: Duration = Duration::from_secs(10);

// ---------------------------------------------------------------------------
// Programs
// ---------------------------------------------------------------------------

/// One generated operation. Indices pick among what is live when the
/// operation runs (see [`resolve`]), so every operation of a shrunk program
/// still means something.
#[derive(Clone, Debug)]
enum Op {
    Derive {
        parent: Index,
        how: How,
    },
    AfterFunc {
        ctx: Index,
    },
    StopAfterFunc {
        link: Index,
    },
    DropAfterFunc {
        link: Index,
    },
    /// `cause` is used only by a `CancelCauseFunc`.
    Cancel {
        handle: Index,
        cause: Option<u8>,
    },
    DropHandle {
        handle: Index,
    },
    Disarm {
        handle: Index,
    },
    Expire {
        ctx: Index,
    },
    DropContext {
        ctx: Index,
    },
}

/// How a child is derived.
#[derive(Clone, Copy, Debug, PartialEq)]
enum How {
    Cancel,
    CancelCause,
    /// `with_deadline_cause` at an exact instant.
    Deadline {
        at: At,
        cause: Option<u8>,
    },
    /// `with_timeout_cause(1h + minutes + 30s)`.
    Timeout {
        minutes: u8,
        cause: Option<u8>,
    },
    /// `with_timeout_cause(Duration::ZERO)`: born expired.
    TimeoutZero {
        cause: Option<u8>,
    },
    /// `with_timeout(Duration::MAX)`: no deadline at all.
    TimeoutMax,
    Value {
        key: KeyName,
        value: u32,
    },
    WithoutCancel,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum At {
    /// The start of the case: already passed.
    Past,
    /// An hour after the start of the case, plus this many minutes.
    Minutes(u8),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum KeyName {
    A,
    B,
}

impl KeyName {
    const ALL: [KeyName; 2] = [KeyName::A, KeyName::B];

    fn key(self) -> &'static Key<u32> {
        match self {
            KeyName::A => &KEY_A,
            KeyName::B => &KEY_B,
        }
    }
}

/// An operation with its indices resolved to node numbers. Node 0 is
/// `background()`; every derived context and every `after_func` registration
/// gets the next number. A handle is named by its context's number.
#[derive(Clone, Copy, Debug)]
enum Step {
    Derive {
        node: usize,
        parent: usize,
        how: How,
    },
    AfterFunc {
        node: usize,
        ctx: usize,
    },
    StopAfterFunc {
        node: usize,
    },
    DropAfterFunc {
        node: usize,
    },
    Cancel {
        node: usize,
    },
    CancelCause {
        node: usize,
        cause: Option<u8>,
    },
    DropHandle {
        node: usize,
    },
    Disarm {
        node: usize,
    },
    Expire {
        node: usize,
    },
    DropContext {
        node: usize,
    },
}

/// A generated program: its operations, then the order in which the
/// remaining handles are dropped at the end.
#[derive(Clone)]
struct Program {
    ops: Vec<Op>,
    reverse_teardown: bool,
}

/// Turns indices into node numbers by tracking what is live; an operation
/// with nothing to pick from is skipped.
fn resolve(ops: &[Op]) -> Vec<Step> {
    let mut contexts = vec![0];
    let mut handles: Vec<(usize, bool)> = Vec::new(); // (node, has a cause)
    let mut links = Vec::new();
    let mut next = 1;
    let mut steps = Vec::new();
    let pick = |index: &Index, from: &[usize]| (!from.is_empty()).then(|| *index.get(from));
    let take = |index: &Index, from: &mut Vec<usize>| {
        (!from.is_empty()).then(|| from.remove(index.index(from.len())))
    };
    for op in ops {
        let handle_nodes: Vec<usize> = handles.iter().map(|&(node, _)| node).collect();
        let step = match op {
            Op::Derive { parent, how } => pick(parent, &contexts).map(|parent| {
                let node = next;
                next += 1;
                contexts.push(node);
                if !matches!(how, How::Value { .. } | How::WithoutCancel) {
                    handles.push((node, *how == How::CancelCause));
                }
                Step::Derive {
                    node,
                    parent,
                    how: *how,
                }
            }),
            Op::AfterFunc { ctx } => pick(ctx, &contexts).map(|ctx| {
                let node = next;
                next += 1;
                links.push(node);
                Step::AfterFunc { node, ctx }
            }),
            Op::StopAfterFunc { link } => {
                pick(link, &links).map(|node| Step::StopAfterFunc { node })
            }
            Op::DropAfterFunc { link } => {
                take(link, &mut links).map(|node| Step::DropAfterFunc { node })
            }
            Op::Cancel { handle, cause } => (!handles.is_empty()).then(|| {
                let (node, with_cause) = *handle.get(&handles);
                if with_cause {
                    Step::CancelCause {
                        node,
                        cause: *cause,
                    }
                } else {
                    Step::Cancel { node }
                }
            }),
            Op::DropHandle { handle } => pick(handle, &handle_nodes).map(|node| {
                handles.retain(|&(n, _)| n != node);
                Step::DropHandle { node }
            }),
            Op::Disarm { handle } => pick(handle, &handle_nodes).map(|node| {
                handles.retain(|&(n, _)| n != node);
                Step::Disarm { node }
            }),
            Op::Expire { ctx } => pick(ctx, &contexts).map(|node| Step::Expire { node }),
            Op::DropContext { ctx } => {
                take(ctx, &mut contexts).map(|node| Step::DropContext { node })
            }
        };
        steps.extend(step);
    }
    steps
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Step::Derive { node, parent, how } => {
                let p = format!("n{parent}");
                match how {
                    How::Cancel => write!(f, "n{node} = with_cancel({p})"),
                    How::CancelCause => write!(f, "n{node} = with_cancel_cause({p})"),
                    How::Deadline { at, cause } => {
                        let at = match at {
                            At::Past => "start".to_owned(),
                            At::Minutes(m) => format!("start+1h{m}m"),
                        };
                        let cause = CauseArg(cause);
                        write!(f, "n{node} = with_deadline_cause({p}, {at}, {cause})")
                    }
                    How::Timeout { minutes, cause } => {
                        let cause = CauseArg(cause);
                        write!(
                            f,
                            "n{node} = with_timeout_cause({p}, 1h{minutes}m30s, {cause})"
                        )
                    }
                    How::TimeoutZero { cause } => {
                        let cause = CauseArg(cause);
                        write!(f, "n{node} = with_timeout_cause({p}, 0s, {cause})")
                    }
                    How::TimeoutMax => write!(f, "n{node} = with_timeout({p}, Duration::MAX)"),
                    How::Value { key, value } => {
                        write!(f, "n{node} = with_value({p}, &KEY_{key:?}, {value})")
                    }
                    How::WithoutCancel => write!(f, "n{node} = without_cancel({p})"),
                }
            }
            Step::AfterFunc { node, ctx } => write!(f, "n{node} = after_func(n{ctx})"),
            Step::StopAfterFunc { node } => write!(f, "stop(n{node})"),
            Step::DropAfterFunc { node } => write!(f, "drop(after_func n{node})"),
            Step::Cancel { node } => write!(f, "cancel(n{node})"),
            Step::CancelCause { node, cause } => {
                write!(f, "cancel_cause(n{node}, {})", CauseArg(cause))
            }
            Step::DropHandle { node } => write!(f, "drop(cancel n{node})"),
            Step::Disarm { node } => write!(f, "disarm(n{node})"),
            Step::Expire { node } => write!(f, "expire(n{node})"),
            Step::DropContext { node } => write!(f, "drop(ctx n{node})"),
        }
    }
}

struct CauseArg(Option<u8>);

impl fmt::Display for CauseArg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(id) => write!(f, "Some(cause#{id})"),
            None => f.write_str("None"),
        }
    }
}

/// Prints the resolved program, one step a line: this is what proptest shows
/// for a failing (shrunk) case.
impl fmt::Debug for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Program [")?;
        for step in resolve(&self.ops) {
            writeln!(f, "    {step}")?;
        }
        let order = if self.reverse_teardown {
            "newest first"
        } else {
            "oldest first"
        };
        write!(f, "] then drop the remaining handles, {order}")
    }
}

fn cause() -> impl Strategy<Value = Option<u8>> {
    prop::option::of(0u8..4)
}

fn how() -> impl Strategy<Value = How> {
    let at = prop_oneof![1 => Just(At::Past), 4 => (0u8..4).prop_map(At::Minutes)];
    let key = prop_oneof![Just(KeyName::A), Just(KeyName::B)];
    prop_oneof![
        3 => Just(How::Cancel),
        2 => Just(How::CancelCause),
        2 => (at, cause()).prop_map(|(at, cause)| How::Deadline { at, cause }),
        2 => (0u8..4, cause()).prop_map(|(minutes, cause)| How::Timeout { minutes, cause }),
        1 => cause().prop_map(|cause| How::TimeoutZero { cause }),
        1 => Just(How::TimeoutMax),
        2 => (key, 0u32..8).prop_map(|(key, value)| How::Value { key, value }),
        1 => Just(How::WithoutCancel),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        10 => (any::<Index>(), how()).prop_map(|(parent, how)| Op::Derive { parent, how }),
        2 => any::<Index>().prop_map(|ctx| Op::AfterFunc { ctx }),
        1 => any::<Index>().prop_map(|link| Op::StopAfterFunc { link }),
        1 => any::<Index>().prop_map(|link| Op::DropAfterFunc { link }),
        3 => (any::<Index>(), cause()).prop_map(|(handle, cause)| Op::Cancel { handle, cause }),
        2 => any::<Index>().prop_map(|handle| Op::DropHandle { handle }),
        1 => any::<Index>().prop_map(|handle| Op::Disarm { handle }),
        2 => any::<Index>().prop_map(|ctx| Op::Expire { ctx }),
        1 => any::<Index>().prop_map(|ctx| Op::DropContext { ctx }),
    ]
}

fn program() -> impl Strategy<Value = Program> {
    (prop::collection::vec(op(), 1..48), any::<bool>()).prop_map(|(ops, reverse_teardown)| {
        Program {
            ops,
            reverse_teardown,
        }
    })
}

// ---------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------

/// A cause as the model sees it: one of the test's own, or the error itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CauseTag {
    Error(Error),
    Custom(u8),
}

#[derive(Debug)]
struct TestCause(u8);

impl fmt::Display for TestCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cause#{}", self.0)
    }
}

impl std::error::Error for TestCause {}

fn make_cause(id: Option<u8>) -> Option<Cause> {
    id.map(|id| Arc::new(TestCause(id)) as Cause)
}

fn cause_tag(cause: Option<Cause>) -> Option<CauseTag> {
    let cause = cause?;
    if let Some(TestCause(id)) = cause.downcast_ref::<TestCause>() {
        return Some(CauseTag::Custom(*id));
    }
    let err = cause.downcast_ref::<Error>();
    Some(CauseTag::Error(*err.unwrap_or_else(|| {
        panic!("a cause the test never made: {cause}")
    })))
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Background,
    /// A node of the cancel tree: `with_cancel`, `with_deadline`, `after_func`.
    Cancel,
    Value(KeyName, u32),
    WithoutCancel,
}

#[derive(Debug)]
struct Node {
    parent: Option<usize>,
    kind: Kind,
    /// This link's part of `Display`, e.g. `.WithCancel`.
    label: String,
    // The rest is for cancel nodes only.
    deadline: Option<Instant>,
    deadline_cause: Option<u8>,
    /// The error and the explicit cause of the cancel that won.
    done: Option<(Error, Option<u8>)>,
    /// The cancel node that holds this one as a child, while it does.
    registered_in: Option<usize>,
    timer_armed: bool,
    /// An `after_func` callback neither started nor stopped.
    callback_linked: bool,
    /// Freed without a cancel: nothing referred to it any more.
    freed: bool,
    /// Done as it was made (its parent was done, or its deadline had
    /// passed): its handle holds nothing, as there is nothing left to cancel,
    /// so only its contexts and descendants keep it.
    born_done: bool,
}

/// Go's context semantics, sequentially, on plain data.
#[derive(Debug)]
struct Model {
    nodes: Vec<Node>,
    /// Nodes whose `after_func` callback has been started.
    started: BTreeSet<usize>,
}

impl Model {
    fn new() -> Self {
        Model {
            nodes: vec![Node {
                parent: None,
                kind: Kind::Background,
                label: "context.Background".to_owned(),
                deadline: None,
                deadline_cause: None,
                done: None,
                registered_in: None,
                timer_armed: false,
                callback_linked: false,
                freed: false,
                born_done: false,
            }],
            started: BTreeSet::new(),
        }
    }

    /// The cancel node whose state context `i` reports.
    fn signal(&self, i: usize) -> Option<usize> {
        match self.nodes[i].kind {
            Kind::Cancel => Some(i),
            Kind::Value(..) => self.signal(self.nodes[i].parent?),
            Kind::Background | Kind::WithoutCancel => None,
        }
    }

    fn deadline(&self, i: usize) -> Option<Instant> {
        self.nodes[self.signal(i)?].deadline
    }

    fn err(&self, i: usize) -> Option<Error> {
        Some(self.nodes[self.signal(i)?].done?.0)
    }

    fn cause(&self, i: usize) -> Option<CauseTag> {
        let (err, cause) = self.nodes[self.signal(i)?].done?;
        Some(cause.map_or(CauseTag::Error(err), CauseTag::Custom))
    }

    fn value(&self, i: usize, key: KeyName) -> Option<u32> {
        let mut at = Some(i);
        while let Some(i) = at {
            if let Kind::Value(k, v) = self.nodes[i].kind
                && k == key
            {
                return Some(v);
            }
            at = self.nodes[i].parent;
        }
        None
    }

    fn child_count(&self, i: usize) -> usize {
        self.signal(i).map_or(0, |s| {
            let holds = |n: &&Node| n.registered_in == Some(s);
            self.nodes.iter().filter(holds).count()
        })
    }

    fn timers_armed(&self) -> usize {
        self.nodes.iter().filter(|n| n.timer_armed).count()
    }

    fn display(&self, i: usize) -> String {
        let node = &self.nodes[i];
        match node.parent {
            Some(parent) => self.display(parent) + &node.label,
            None => node.label.clone(),
        }
    }

    fn push(&mut self, parent: usize, kind: Kind, label: String) -> usize {
        self.nodes.push(Node {
            parent: Some(parent),
            kind,
            label,
            deadline: None,
            deadline_cause: None,
            done: None,
            registered_in: None,
            timer_armed: false,
            callback_linked: false,
            freed: false,
            born_done: false,
        });
        self.nodes.len() - 1
    }

    /// A new cancel node under `parent`: registered with the parent's signal,
    /// or born done with the signal's error and cause.
    fn derive_cancel(&mut self, parent: usize, label: &str, deadline: Option<Instant>) -> usize {
        let node = self.push(parent, Kind::Cancel, label.to_owned());
        self.nodes[node].deadline = deadline;
        if let Some(signal) = self.signal(parent) {
            match self.nodes[signal].done {
                Some((err, cause)) => self.cancel_subtree(node, err, cause),
                None => self.nodes[node].registered_in = Some(signal),
            }
        }
        node
    }

    /// `with_deadline_cause`: a plain cancel child when the parent's deadline
    /// is strictly earlier, else a timer node.
    fn with_deadline(&mut self, parent: usize, d: Instant, cause: Option<u8>, past: bool) -> usize {
        match self.deadline(parent) {
            Some(current) if current < d => {
                self.derive_cancel(parent, ".WithCancel", Some(current))
            }
            _ => self.derive_timer(parent, d, cause, past),
        }
    }

    fn derive_timer(&mut self, parent: usize, d: Instant, cause: Option<u8>, past: bool) -> usize {
        let node = self.derive_cancel(parent, ".WithDeadline(*)", Some(d));
        self.nodes[node].deadline_cause = cause;
        if past {
            self.cancel(node, Error::DeadlineExceeded, cause);
        } else if self.nodes[node].done.is_none() {
            self.nodes[node].timer_armed = true;
        }
        node
    }

    fn after_func(&mut self, ctx: usize) -> usize {
        let node = self.push(ctx, Kind::Cancel, ".AfterFunc".to_owned());
        self.nodes[node].callback_linked = true;
        if let Some(signal) = self.signal(ctx) {
            match self.nodes[signal].done {
                Some((err, cause)) => self.cancel_subtree(node, err, cause),
                None => self.nodes[node].registered_in = Some(signal),
            }
        }
        node
    }

    fn stop(&mut self, node: usize) -> bool {
        if !self.nodes[node].callback_linked {
            return false;
        }
        self.nodes[node].callback_linked = false;
        self.cancel(node, Error::Canceled, None);
        true
    }

    /// Cancels `node` and its subtree and detaches it; `false` if already done.
    fn cancel(&mut self, node: usize, err: Error, cause: Option<u8>) -> bool {
        if self.nodes[node].done.is_some() {
            return false;
        }
        self.cancel_subtree(node, err, cause);
        self.nodes[node].registered_in = None;
        true
    }

    fn cancel_subtree(&mut self, node: usize, err: Error, cause: Option<u8>) {
        let n = &mut self.nodes[node];
        assert!(
            n.done.is_none(),
            "model: a registered child was already done"
        );
        n.done = Some((err, cause));
        n.timer_armed = false;
        if std::mem::take(&mut n.callback_linked) {
            self.started.insert(node);
        }
        let children: Vec<usize> = (0..self.nodes.len())
            .filter(|&c| self.nodes[c].registered_in == Some(node))
            .collect();
        for child in children {
            self.nodes[child].registered_in = None;
            self.cancel_subtree(child, err, cause);
        }
    }

    /// Frees the cancel nodes that nothing refers to any more (`alive[i]` is
    /// false): such a node leaves its parent, its timer stops, and the
    /// `after_func` callbacks registered with it are dropped unrun. Parent
    /// and child never own each other, so nothing else keeps it.
    fn free_unreferenced(&mut self, alive: &[bool]) {
        for (i, &alive) in alive.iter().enumerate() {
            let n = &self.nodes[i];
            let after_func = n.label == ".AfterFunc";
            if alive || n.freed || n.kind != Kind::Cancel || after_func {
                continue;
            }
            let n = &mut self.nodes[i];
            n.freed = true;
            if n.done.is_none() {
                n.registered_in = None;
                n.timer_armed = false;
                for c in 0..self.nodes.len() {
                    if self.nodes[c].registered_in == Some(i) {
                        // Only callbacks can still be registered: a
                        // registered context would keep this one alive.
                        assert_eq!(self.nodes[c].label, ".AfterFunc", "model: a live child");
                        self.nodes[c].registered_in = None;
                        self.nodes[c].callback_linked = false;
                    }
                }
            }
        }
    }

    /// `testing::expire`: fires the timer of `i`'s signal node, if armed.
    fn expire(&mut self, i: usize) -> bool {
        match self.signal(i) {
            Some(s) if self.nodes[s].timer_armed => {
                let cause = self.nodes[s].deadline_cause;
                self.cancel(s, Error::DeadlineExceeded, cause)
            }
            _ => false,
        }
    }
}

// ---------------------------------------------------------------------------
// The system under test
// ---------------------------------------------------------------------------

enum Handle {
    Plain(CancelFunc),
    Cause(CancelCauseFunc),
}

/// The real contexts, handles and links, indexed by node number.
struct Real {
    contexts: Vec<Option<Context>>,
    handles: Vec<Option<Handle>>,
    links: Vec<Option<AfterFunc>>,
    ran_tx: Sender<usize>,
    ran_rx: Receiver<usize>,
    /// Callbacks that have reported running.
    ran: BTreeSet<usize>,
}

impl Real {
    fn new() -> Self {
        let (ran_tx, ran_rx) = crossbeam_channel::unbounded();
        Real {
            contexts: vec![Some(go_context::background())],
            handles: vec![None],
            links: vec![None],
            ran_tx,
            ran_rx,
            ran: BTreeSet::new(),
        }
    }

    fn ctx(&self, node: usize) -> &Context {
        self.contexts[node]
            .as_ref()
            .expect("resolve picks live contexts")
    }

    fn push(&mut self, ctx: Option<Context>, handle: Option<Handle>, link: Option<AfterFunc>) {
        self.contexts.push(ctx);
        self.handles.push(handle);
        self.links.push(link);
    }
}

/// One case: its program, the model, the real tree, and the clock anchors.
struct Case {
    model: Model,
    real: Real,
    start: Instant,
    timers_before: usize,
    /// The step being run, for failure messages.
    step: String,
}

type Checked = Result<(), TestCaseError>;

impl Case {
    fn new() -> Self {
        Case {
            model: Model::new(),
            real: Real::new(),
            start: Instant::now(),
            timers_before: testing::pending_timers(),
            step: String::new(),
        }
    }

    fn run(&mut self, step: Step) -> Checked {
        self.step = step.to_string();
        match step {
            Step::Derive { node, parent, how } => self.derive(node, parent, how)?,
            Step::AfterFunc { node, ctx } => {
                let tx = self.real.ran_tx.clone();
                let link = go_context::after_func(self.real.ctx(ctx), move || {
                    let _ = tx.send(node);
                });
                self.real.push(None, None, Some(link));
                prop_assert_eq!(self.model.after_func(ctx), node);
            }
            Step::StopAfterFunc { node } => {
                let stopped = self.real.links[node].as_ref().expect("live link").stop();
                let want = self.model.stop(node);
                prop_assert_eq!(stopped, want, "{}: stop() returned {}", self.step, stopped);
            }
            Step::DropAfterFunc { node } => drop(self.real.links[node].take()),
            Step::Cancel { node } => {
                let Some(Handle::Plain(cancel)) = &self.real.handles[node] else {
                    unreachable!("resolve names a live plain handle")
                };
                cancel.cancel();
                self.model.cancel(node, Error::Canceled, None);
            }
            Step::CancelCause { node, cause } => {
                let Some(Handle::Cause(cancel)) = &self.real.handles[node] else {
                    unreachable!("resolve names a live cause handle")
                };
                cancel.cancel(make_cause(cause));
                self.model.cancel(node, Error::Canceled, cause);
            }
            Step::DropHandle { node } => self.drop_handle(node),
            Step::Disarm { node } => match self.real.handles[node].take() {
                Some(Handle::Plain(cancel)) => cancel.disarm(),
                Some(Handle::Cause(cancel)) => cancel.disarm(),
                None => unreachable!("resolve names a live handle"),
            },
            Step::Expire { node } => {
                let fired = testing::expire(self.real.ctx(node));
                let want = self.model.expire(node);
                prop_assert_eq!(fired, want, "{}: expire() returned {}", self.step, fired);
            }
            Step::DropContext { node } => drop(self.real.contexts[node].take()),
        }
        self.free_unreferenced();
        self.check()
    }

    /// Tells the model which nodes the test still refers to: through a
    /// context, a handle, an `after_func` link (which holds its context), or
    /// a live descendant (a context holds its parent).
    fn free_unreferenced(&mut self) {
        let nodes = &self.model.nodes;
        let mut alive = vec![false; nodes.len()];
        alive[0] = true; // background
        for i in (1..nodes.len()).rev() {
            let parent = nodes[i].parent.expect("only the root has none");
            let after_func = nodes[i].label == ".AfterFunc";
            let referenced = self.real.contexts.get(i).is_some_and(Option::is_some)
                || (self.real.handles.get(i).is_some_and(Option::is_some) && !nodes[i].born_done);
            alive[i] |= referenced && !after_func;
            let link = after_func && self.real.links.get(i).is_some_and(Option::is_some);
            if alive[i] || link {
                alive[parent] = true;
            }
        }
        self.model.free_unreferenced(&alive);
    }

    fn drop_handle(&mut self, node: usize) {
        drop(self.real.handles[node].take().expect("a live handle"));
        self.model.cancel(node, Error::Canceled, None);
    }

    fn derive(&mut self, node: usize, parent: usize, how: How) -> Checked {
        let p = self.real.ctx(parent).clone();
        let (ctx, handle) = match how {
            How::Cancel => {
                let (ctx, cancel) = go_context::with_cancel(&p);
                self.model
                    .derive_cancel(parent, ".WithCancel", self.model.deadline(parent));
                (ctx, Some(Handle::Plain(cancel)))
            }
            How::CancelCause => {
                let (ctx, cancel) = go_context::with_cancel_cause(&p);
                self.model
                    .derive_cancel(parent, ".WithCancel", self.model.deadline(parent));
                (ctx, Some(Handle::Cause(cancel)))
            }
            How::Deadline { at, cause } => {
                let (d, past) = match at {
                    At::Past => (self.start, true),
                    At::Minutes(m) => (self.start + HOUR + MINUTE * u32::from(m), false),
                };
                let (ctx, cancel) = go_context::with_deadline_cause(&p, d, make_cause(cause));
                self.model.with_deadline(parent, d, cause, past);
                (ctx, Some(Handle::Plain(cancel)))
            }
            How::Timeout { minutes, cause } => {
                let timeout = HOUR + MINUTE * u32::from(minutes) + MINUTE / 2;
                self.timeout(parent, &p, timeout, cause)?
            }
            How::TimeoutZero { cause } => self.timeout(parent, &p, Duration::ZERO, cause)?,
            How::TimeoutMax => {
                let (ctx, cancel) = go_context::with_timeout(&p, Duration::MAX);
                self.model
                    .derive_cancel(parent, ".WithCancel", self.model.deadline(parent));
                (ctx, Some(Handle::Plain(cancel)))
            }
            How::Value { key, value } => {
                let ctx = go_context::with_value(&p, key.key(), value);
                let label = format!(".WithValue(id, {value})");
                self.model.push(parent, Kind::Value(key, value), label);
                (ctx, None)
            }
            How::WithoutCancel => {
                let ctx = go_context::without_cancel(&p);
                let label = ".WithoutCancel".to_owned();
                self.model.push(parent, Kind::WithoutCancel, label);
                (ctx, None)
            }
        };
        self.model.nodes[node].born_done = self.model.nodes[node].done.is_some();
        self.real.push(Some(ctx), handle, None);
        prop_assert_eq!(self.model.nodes.len(), node + 1, "node numbering");
        Ok(())
    }

    /// `with_timeout_cause`: the deadline is read from the clock inside the
    /// call, so the model learns it from the real context, after checking it
    /// lies within the call. Only when the parent's deadline falls inside
    /// that window is the kind of child (plain or timer) read from `Display`.
    fn timeout(
        &mut self,
        parent: usize,
        p: &Context,
        timeout: Duration,
        cause: Option<u8>,
    ) -> Result<(Context, Option<Handle>), TestCaseError> {
        let before = Instant::now();
        let (ctx, cancel) = go_context::with_timeout_cause(p, timeout, make_cause(cause));
        let after = Instant::now();
        let (low, high) = (before + timeout, after + timeout);
        let current = self.model.deadline(parent);
        let plain = match current {
            Some(current) if current < low => true,
            Some(current) if current <= high => ctx.to_string().ends_with(".WithCancel"),
            _ => false,
        };
        if plain {
            self.model.derive_cancel(parent, ".WithCancel", current);
        } else {
            let d = ctx.deadline();
            prop_assert!(
                d.is_some_and(|d| low <= d && d <= high),
                "{}: deadline {:?} outside the call's window",
                self.step,
                d.map(|d| d - before)
            );
            let past = timeout.is_zero();
            self.model.derive_timer(parent, d.unwrap(), cause, past);
        }
        Ok((ctx, Some(Handle::Plain(cancel))))
    }

    /// Every live context agrees with the model, and so do callbacks and timers.
    fn check(&mut self) -> Checked {
        for (i, ctx) in self.real.contexts.iter().enumerate() {
            let Some(ctx) = ctx else { continue };
            self.check_context(i, ctx)?;
        }
        self.check_callbacks()?;
        let timers = testing::pending_timers() - self.timers_before;
        let want = self.model.timers_armed();
        prop_assert_eq!(timers, want, "after {}: armed timers", self.step);
        Ok(())
    }

    fn check_context(&self, i: usize, ctx: &Context) -> Checked {
        let m = &self.model;
        let at = format!("after {}: n{i} = {ctx}", self.step);
        let err = m.err(i);
        prop_assert_eq!(ctx.err(), err, "{}: err", at);
        prop_assert_eq!(ctx.is_done(), err.is_some(), "{}: is_done", at);
        prop_assert_eq!(cause_tag(ctx.cause()), m.cause(i), "{}: cause", at);
        prop_assert_eq!(ctx.deadline(), m.deadline(i), "{}: deadline", at);
        for key in KeyName::ALL {
            let value = ctx.value(key.key()).copied();
            prop_assert_eq!(value, m.value(i, key), "{}: value of KEY_{:?}", at, key);
        }
        let children = testing::child_count(ctx);
        prop_assert_eq!(children, m.child_count(i), "{}: child_count", at);
        let closed = matches!(ctx.done().try_recv(), Err(TryRecvError::Disconnected));
        prop_assert_eq!(closed, err.is_some(), "{}: done channel closed", at);
        prop_assert_eq!(
            ctx.wait_timeout(Duration::ZERO),
            err,
            "{}: wait_timeout",
            at
        );
        let polled = poll_once(ctx);
        prop_assert_eq!(
            polled,
            err.map_or(Poll::Pending, Poll::Ready),
            "{}: wait_async",
            at
        );
        let shown = normalize(&ctx.to_string());
        prop_assert_eq!(&shown, &m.display(i), "{}: Display", at);
        Ok(())
    }

    /// Exactly the callbacks the model started have run, each once. Waits
    /// (bounded) for those still on their way; an extra one is caught here
    /// or at a later step.
    fn check_callbacks(&mut self) -> Checked {
        loop {
            let received = match self.real.ran_rx.try_recv() {
                Ok(node) => node,
                Err(_) if self.real.ran == self.model.started => return Ok(()),
                Err(_) => match self.real.ran_rx.recv_timeout(CALLBACK_BOUND) {
                    Ok(node) => node,
                    Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {
                        let missing: Vec<_> =
                            self.model.started.difference(&self.real.ran).collect();
                        let message =
                            format!("after {}: callbacks {missing:?} never ran", self.step);
                        return Err(TestCaseError::fail(message));
                    }
                },
            };
            prop_assert!(
                self.model.started.contains(&received),
                "after {}: callback n{} ran, but the model never started it",
                self.step,
                received
            );
            prop_assert!(
                self.real.ran.insert(received),
                "after {}: callback n{} ran twice",
                self.step,
                received
            );
        }
    }

    /// Drops every remaining handle, stops every remaining link, and expires
    /// the timers still reachable, checking the model all along.
    fn teardown(&mut self, reverse: bool) -> Checked {
        let mut order: Vec<usize> = (0..self.real.handles.len()).collect();
        if reverse {
            order.reverse();
        }
        for node in order {
            if self.real.handles[node].is_some() {
                self.step = format!("teardown: drop(cancel n{node})");
                self.drop_handle(node);
                self.free_unreferenced();
                self.check()?;
            }
        }
        for node in 0..self.real.links.len() {
            if let Some(link) = self.real.links[node].take() {
                self.step = format!("teardown: stop(n{node})");
                let (stopped, want) = (link.stop(), self.model.stop(node));
                prop_assert_eq!(stopped, want, "{}", self.step);
                drop(link);
                self.free_unreferenced();
                self.check()?;
            }
        }
        // Deadline nodes whose handles were disarmed under a never-canceled
        // parent keep their timers while a context refers to them (Go's cost
        // of never calling cancel); fire them so that the next case starts
        // clean.
        for node in 0..self.real.contexts.len() {
            if let Some(ctx) = &self.real.contexts[node]
                && self.model.nodes[node].timer_armed
            {
                self.step = format!("teardown: expire(n{node})");
                prop_assert!(testing::expire(ctx), "{}", self.step);
                self.model.expire(node);
                self.check()?;
            }
        }
        Ok(())
    }
}

/// Polls a fresh `wait_async` future once, then drops it (withdrawing its
/// registration).
fn poll_once(ctx: &Context) -> Poll<Error> {
    let mut future = ctx.wait_async();
    let mut cx = TaskContext::from_waker(Waker::noop());
    Pin::new(&mut future).poll(&mut cx)
}

/// Replaces the time in `WithDeadline(in 1h0m30s)` by `*`.
fn normalize(shown: &str) -> String {
    const OPEN: &str = "WithDeadline(";
    let mut out = String::new();
    let mut rest = shown;
    while let Some(at) = rest.find(OPEN) {
        out.push_str(&rest[..at + OPEN.len()]);
        out.push('*');
        rest = &rest[at + OPEN.len()..];
        rest = &rest[rest.find(')').map_or(rest.len(), |close| close)..];
    }
    out.push_str(rest);
    out
}

fn run_program(program: &Program) -> Checked {
    let mut case = Case::new();
    case.check()?;
    for step in resolve(&program.ops) {
        case.run(step)?;
    }
    case.teardown(program.reverse_teardown)?;
    prop_assert!(
        case.start.elapsed() < MINUTE / 4,
        "the case ran so long that timeouts may have reordered against deadlines"
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn real_tree_matches_model(program in program()) {
        run_program(&program)?;
    }
}

#[test]
fn steps_read_like_code() {
    let steps = [
        Step::Derive {
            node: 1,
            parent: 0,
            how: How::CancelCause,
        },
        Step::AfterFunc { node: 2, ctx: 1 },
        Step::CancelCause {
            node: 1,
            cause: Some(2),
        },
    ];
    let lines: Vec<String> = steps.iter().map(Step::to_string).collect();
    assert_eq!(
        lines,
        [
            "n1 = with_cancel_cause(n0)",
            "n2 = after_func(n1)",
            "cancel_cause(n1, Some(cause#2))"
        ]
    );
}
