//! Property tests at the scale Go survives: a parent with a hundred thousand
//! children, and a chain a hundred thousand links deep, each under random
//! cancels, drops and disarms, checked against a plain model of Go's
//! semantics: which contexts are done, with which error, and what each
//! parent still lists.
//!
//! The shapes are too big for proptest to shrink usefully, so the inputs are
//! a few indices and choices; each case builds its tree afresh.

use std::time::Duration;

use go_context::{CancelFunc, Context, Error, Key, testing};
use proptest::prelude::*;
use proptest::sample::Index;

const WIDE: usize = 100_000;
const DEEP: usize = 100_000;
const HOUR: Duration = Duration::from_secs(3600);

static SLOT: Key<usize> = Key::new("slot");

/// What becomes of one child of the wide parent.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fate {
    /// Left alone.
    Kept,
    /// Its handle canceled it.
    Canceled,
    /// Its deadline fired (`testing::expire`).
    Expired,
    /// Handle disarmed and every context dropped: freed, unregistered.
    Freed,
}

fn fate() -> impl Strategy<Value = Fate> {
    prop_oneof![
        4 => Just(Fate::Kept),
        2 => Just(Fate::Canceled),
        1 => Just(Fate::Expired),
        1 => Just(Fate::Freed),
    ]
}

/// A parent with `WIDE` children: cancelable, deadline and value-wrapped in
/// turn. `picks` choose the children that meet a fate other than the one
/// the pattern gives; then, if `cancel_parent`, the parent is canceled.
fn wide_case(picks: &[(Index, Fate)], cancel_parent: bool) -> Result<(), TestCaseError> {
    let (parent, cancel) = go_context::with_cancel(&go_context::background());
    let mut children: Vec<Option<(Context, CancelFunc)>> = Vec::with_capacity(WIDE);
    for slot in 0..WIDE {
        let (ctx, handle) = match slot % 3 {
            0 => go_context::with_cancel(&parent),
            1 => go_context::with_timeout(&parent, HOUR),
            _ => go_context::with_cancel(&go_context::with_value(&parent, &SLOT, slot)),
        };
        children.push(Some((ctx, handle)));
    }
    prop_assert_eq!(testing::child_count(&parent), WIDE);

    // The model: each child's fate.
    let mut fates = vec![Fate::Kept; WIDE];
    for (index, fate) in picks {
        let slot = index.index(WIDE);
        if fates[slot] != Fate::Kept {
            continue; // each child meets one fate
        }
        let (ctx, handle) = children[slot].as_ref().expect("alive");
        match fate {
            Fate::Kept => {}
            Fate::Canceled => handle.cancel(),
            Fate::Expired => {
                if !testing::expire(ctx) {
                    continue; // no timer of its own: stays kept
                }
            }
            Fate::Freed => {
                let (ctx, handle) = children[slot].take().expect("alive");
                handle.disarm();
                drop(ctx);
            }
        }
        fates[slot] = *fate;
    }
    let registered = fates.iter().filter(|f| **f == Fate::Kept).count();
    prop_assert_eq!(testing::child_count(&parent), registered);

    if cancel_parent {
        cancel.cancel();
        prop_assert_eq!(testing::child_count(&parent), 0);
    }
    for (slot, child) in children.iter().enumerate() {
        let Some((ctx, _)) = child else { continue };
        let want = match fates[slot] {
            Fate::Canceled => Some(Error::Canceled),
            Fate::Expired => Some(Error::DeadlineExceeded),
            Fate::Kept if cancel_parent => Some(Error::Canceled),
            Fate::Kept | Fate::Freed => None,
        };
        prop_assert_eq!(ctx.err(), want, "child {}", slot);
    }
    Ok(())
}

/// A chain of `DEEP` links (cancel, deadline, value in turn). The link at
/// `cut` is canceled, optionally after `freed` links below the bottom were
/// disarmed and dropped; everything at or below `cut` is done, everything
/// above is not, and `cut`'s parent no longer lists it.
fn deep_case(cut: Index, freed: usize) -> Result<(), TestCaseError> {
    let mut contexts = Vec::with_capacity(DEEP);
    let mut handles: Vec<Option<CancelFunc>> = Vec::with_capacity(DEEP);
    let mut ctx = go_context::background();
    for level in 0..DEEP {
        let (next, handle) = match level % 3 {
            0 => go_context::with_cancel(&ctx),
            1 => go_context::with_timeout(&ctx, HOUR),
            _ => go_context::with_cancel(&go_context::with_value(&ctx, &SLOT, level)),
        };
        contexts.push(next.clone());
        handles.push(Some(handle));
        ctx = next;
    }
    drop(ctx);
    // Free the bottom `freed` links: disarmed, every context dropped.
    for _ in 0..freed.min(DEEP - 1) {
        let bottom = contexts.len() - 1;
        handles[bottom].take().expect("armed").disarm();
        drop(contexts.pop());
        prop_assert_eq!(testing::child_count(&contexts[bottom - 1]), 0);
    }
    let cut = cut.index(contexts.len());
    handles[cut].as_ref().expect("armed").cancel();
    for (level, ctx) in contexts.iter().enumerate() {
        let want = (level >= cut).then_some(Error::Canceled);
        prop_assert_eq!(ctx.err(), want, "level {} (cut at {})", level, cut);
    }
    if cut > 0 {
        prop_assert_eq!(testing::child_count(&contexts[cut - 1]), 0);
    }
    // Dropping the handles now cancels the rest, leaf first: every level done.
    drop(handles);
    prop_assert!(contexts.iter().all(Context::is_done));
    Ok(())
}

proptest! {
    // Each case builds a hundred thousand contexts: a few cases suffice.
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    #[test]
    fn a_hundred_thousand_children_match_the_model(
        picks in prop::collection::vec((any::<Index>(), fate()), 0..2_000),
        cancel_parent in any::<bool>(),
    ) {
        wide_case(&picks, cancel_parent)?;
    }

    #[test]
    fn a_hundred_thousand_deep_chain_matches_the_model(
        cut in any::<Index>(),
        freed in 0usize..1_000,
    ) {
        deep_case(cut, freed)?;
    }
}
