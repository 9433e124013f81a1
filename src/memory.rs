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

/// Returns what a run's workers freed to the system, after they linted (see
/// [`release_freed`]), unless every post was linted on this thread: the one thread of the pool
/// this runs in. The phases that follow then allocate from the very arena the lint freed
/// into, so trimming it only has those pages faulted in again (a small post's run: about 10
/// page faults of its 380).
pub fn release_freed_by_workers() {
    if !linted_on_this_thread() {
        release_freed();
    }
}

/// Whether the work this thread hands to rayon runs on this thread itself.
fn linted_on_this_thread() -> bool {
    rayon::current_thread_index().is_some() && rayon::current_num_threads() == 1
}

/// Allocations of this size and more get pages of their own, given back when freed.
const OWN_PAGES_FROM: i32 = 1 << 20;

/// Free memory at the top of an arena kept for later allocations, up to this much.
const KEEP_AT_TOP: i32 = 64 << 20;

/// Makes every allocation of a mebibyte or more map its own pages, returned to the system as
/// soon as it is freed (glibc on Linux; elsewhere nothing to do). Call it once, at the start
/// of a one-off run: a process that lints again and again (the server, `--watch`) reuses its
/// large blocks, and mapping them anew each time made the server's re-lint of a 4 MB export
/// 1.1-1.3x slower.
///
/// glibc raises that threshold by itself each time such a block is freed, up to 32 MiB; past
/// it, a large file's windows (8 MiB pieces, read while the window before is linted) are
/// carved from a thread's arena and stay resident there after they are freed. The report
/// phase, on the main thread, then allocates beside them: the 1 GB file peaked at 155 MiB
/// against 136 MiB with the threshold held at 1 MiB. Setting it also stops glibc raising the
/// trim threshold, so that is set to the 64 MiB the raising would reach: left at 128 KiB, the
/// top of the heap was given back and faulted in again and again (system time 0.7 to 1.3 s).
pub fn give_large_blocks_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` takes no pointer; it sets a parameter of glibc's allocator under its
    // own lock, and any allocation made before it stays valid.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, OWN_PAGES_FROM);
        libc::mallopt(libc::M_TRIM_THRESHOLD, KEEP_AT_TOP);
    }
}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    use super::*;

    const ALONE: &str = "POSTLINT_MEMORY_TEST_ALONE";

    fn resident_bytes() -> usize {
        let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
        let line = status.lines().find(|l| l.starts_with("VmRSS:"));
        let kib = line.and_then(|l| l.split_whitespace().nth(1)?.parse::<usize>().ok());
        kib.expect("VmRSS") * 1024
    }

    /// Only a pool of one thread, run on, lints where the later phases allocate.
    #[test]
    fn a_run_on_one_thread_keeps_its_freed_pages() {
        let pool = |threads| rayon::ThreadPoolBuilder::new().num_threads(threads).build();
        let one = pool(1).expect("a pool of one thread");
        let two = pool(2).expect("a pool of two threads");
        assert!(one.install(linted_on_this_thread));
        assert!(!two.install(linted_on_this_thread));
        // The test's own thread is no worker of a pool: its work goes to the global pool.
        assert!(!linted_on_this_thread());
    }

    /// A block freed after a larger one was (as a window's buffer after the first window's)
    /// leaves the resident size. Run in a process of its own: other tests allocate meanwhile.
    #[test]
    fn a_freed_large_block_is_given_back() {
        if std::env::var_os(ALONE).is_none() {
            let name = "memory::tests::a_freed_large_block_is_given_back";
            let this = std::env::current_exe().expect("the test binary");
            let status = std::process::Command::new(this)
                .args(["--exact", name, "--test-threads=1", "--nocapture"])
                .env(ALONE, "1")
                .status()
                .expect("the test run alone");
            assert!(status.success());
            return;
        }
        give_large_blocks_back();
        // Freeing a mapped block of 16 MiB is what makes glibc raise its threshold.
        drop(std::hint::black_box(vec![1u8; 16 << 20]));
        let before = resident_bytes();
        let block = std::hint::black_box(vec![1u8; 8 << 20]);
        drop(block);
        let kept = resident_bytes().saturating_sub(before);
        assert!(kept < 2 << 20, "{kept} bytes stayed resident");
    }
}
