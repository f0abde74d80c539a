//! The real crate: [`WaitGroups`] and [`ErrGroups`] over `go_waitgroup::loom`.

use ::go_context::loom::Context;
use ::go_waitgroup::loom::WaitGroup;
use ::go_waitgroup::loom::errgroup::Group;

use super::{ErrGroups, TaskError, WaitGroups};
use crate::Real;

impl WaitGroups for Real {
    type Group = WaitGroup;

    fn new() -> WaitGroup {
        WaitGroup::new()
    }

    fn add(wg: &WaitGroup, delta: isize) {
        wg.add(delta);
    }

    fn done(wg: &WaitGroup) {
        wg.done();
    }

    fn wait(wg: &WaitGroup) {
        wg.wait();
    }
}

impl ErrGroups for Real {
    type Group = Group<TaskError>;

    fn with_context(parent: &Context) -> (Group<TaskError>, Context) {
        Group::with_context(parent)
    }

    fn go(g: &Group<TaskError>, f: impl FnOnce() -> Result<(), TaskError> + Send + 'static) {
        g.go(f);
    }

    fn wait(g: &Group<TaskError>) -> Result<(), TaskError> {
        g.wait()
    }
}
