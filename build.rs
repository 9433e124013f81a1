//! How the release binary is linked: a small post's run is mostly start-up, and a position-
//! independent binary has the loader relocate some 64,000 pointers of its tables at each start.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    let glibc_linux = var("CARGO_CFG_TARGET_OS") == "linux" && var("CARGO_CFG_TARGET_ENV") == "gnu";
    // Linked at a fixed address: its tables (1.6 MB of `.data.rel.ro`) are then read from the
    // file as they are, where the loader wrote every page of them at each start: a third of a
    // small post's process. The libraries, stack and heap are still placed at random; the binary's
    // own code is not. Packed relocations (`-z pack-relative-relocs`) were measured too: they
    // shrink the table the loader reads but not the pages it writes, and saved nothing seen.
    // `-no-pie` comes after rustc's `-pie`, and the C compiler that links takes the last.
    if glibc_linux && var("PROFILE") == "release" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
