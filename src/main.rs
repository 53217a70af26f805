fn main() {
    tune_allocator();
    std::process::exit(deploycheck::run(std::env::args_os(), std::process::exit));
}

/// glibc hands large blocks back to the kernel when they are freed, and the next large
/// blocks arrive as fresh pages that fault in one by one. Loading a checklist frees the
/// Markdown parser's whole tree and then builds its own, so on a 100k-item file about a
/// third of the time went to page faults. Keeping freed memory in the heap for reuse
/// removes most of them (see `cargo bench --bench parse`).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_allocator() {
    // SAFETY: mallopt only sets allocator parameters; it is called once, before any
    // other thread exists, and a rejected value leaves the defaults in place.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 64 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 128 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_allocator() {}
