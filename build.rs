//! How the release binary is linked. By default as the toolchain links it (position-
//! independent); the `fixed-address` feature links it without PIE for the fastest start.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    let glibc_linux = var("CARGO_CFG_TARGET_OS") == "linux" && var("CARGO_CFG_TARGET_ENV") == "gnu";
    // A position-independent binary has the loader write some 64,000 relocated pointers into
    // 1.6 MB of `.data.rel.ro` at each start: a third of a small post's process. Without PIE the
    // tables are read from the file as they are, but the binary's own code sits at a fixed
    // address, which takes address-space randomisation away from a tool that reads hostile
    // files and talks to servers; so it is a choice the builder makes, not the default.
    // Packed relocations (`-z pack-relative-relocs`) were measured too: they shrink the table
    // the loader reads but not the pages it writes, and saved nothing seen.
    // `-no-pie` comes after rustc's `-pie`, and the C compiler that links takes the last.
    let fixed_address = std::env::var_os("CARGO_FEATURE_FIXED_ADDRESS").is_some();
    if fixed_address && glibc_linux && var("PROFILE") == "release" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
