//! Freed memory given back to the system between phases.
//!
//! glibc keeps what a thread frees in that thread's arena for its next allocations. The workers
//! that lint files free their segments and the spilled facts there, and the site phase, on
//! another thread, then allocates afresh: on 3 million posts the resident size grew from 196 MB
//! to 238 MB in the site phase while the live heap shrank. `malloc_trim` hands the free pages of
//! every arena back. No crate wraps this one call; other allocators return memory themselves.

/// Returns the free pages of every allocator arena to the system (glibc on Linux; elsewhere
/// nothing to do).
pub fn release_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` takes no pointer and only walks glibc's own free lists, under its
    // arenas' locks: any thread may call it at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}
