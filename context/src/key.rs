//! Typed keys for request-scoped values.

use std::fmt;
use std::marker::PhantomData;

use crate::sync::std_prims::AtomicBool;

/// A key for a value of type `T` carried by a [`Context`](crate::Context).
///
/// Go keys are values of any comparable type, and a lookup returns `any` that
/// the caller must type-assert. Here a key is a `static` item: its address is
/// its identity, so keys from different modules never collide even when they
/// share a name and a type, and its type parameter fixes the type of the value,
/// so a lookup returns `Option<&T>` and cannot fail a downcast.
///
/// Keys must be `static`s. A `const` key would be a fresh temporary at every
/// use; the key holds a private atomic precisely so that such a key is
/// rejected at compile time (`&CONST` cannot be promoted to `'static`).
///
/// # Examples
///
/// ```
/// use go_context::Key;
///
/// static TRACE_ID: Key<String> = Key::new("trace_id");
///
/// let ctx = go_context::with_value(&go_context::background(), &TRACE_ID, "123".to_string());
/// assert_eq!(ctx.value(&TRACE_ID).map(String::as_str), Some("123"));
/// ```
///
/// A `const` key does not compile:
///
/// ```compile_fail
/// use go_context::Key;
///
/// const TRACE_ID: Key<String> = Key::new("trace_id");
///
/// let ctx = go_context::with_value(&go_context::background(), &TRACE_ID, "123".to_string());
/// ```
pub struct Key<T> {
    id: KeyId,
    _value: PhantomData<fn() -> T>,
}

/// What a value link stores of its key, whatever the value's type: where the
/// key lives (its identity) and its name, in one pointer.
pub(crate) struct KeyId {
    name: &'static str,
    // Interior mutability keeps `&KEY` of a `const` from being promoted to a
    // `'static` (see above); it is never read or written.
    _not_const: AtomicBool,
}

impl KeyId {
    /// The key's name, for `Display`.
    pub(crate) fn name(&self) -> &'static str {
        self.name
    }
}

impl<T> Key<T> {
    /// Creates a key. `name` is what [`Display`](std::fmt::Display) of a
    /// context shows for it.
    ///
    /// # Examples
    ///
    /// ```
    /// static USER: go_context::Key<u64> = go_context::Key::new("user");
    /// assert_eq!(USER.name(), "user");
    /// ```
    pub const fn new(name: &'static str) -> Self {
        Self {
            id: KeyId {
                name,
                _not_const: AtomicBool::new(false),
            },
            _value: PhantomData,
        }
    }

    /// The key's name, as given to [`Key::new`].
    ///
    /// # Examples
    ///
    /// ```
    /// static LANGUAGE: go_context::Key<&str> = go_context::Key::new("language");
    /// assert_eq!(LANGUAGE.name(), "language");
    /// ```
    pub const fn name(&self) -> &'static str {
        self.id.name
    }

    /// The key's identity: its address, with its name.
    pub(crate) fn id(&'static self) -> &'static KeyId {
        &self.id
    }
}

impl<T> fmt::Debug for Key<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Key").field(&self.id.name).finish()
    }
}
