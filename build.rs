//! Build script: packs the hone binary's relative relocations (`-z pack-relative-relocs`, ELF's
//! DT_RELR) when the machine building it can link and run such a binary. A position-independent
//! executable carries one 24-byte relocation per pointer in its constant data (vtables, the
//! grammars' name tables, Unicode tables); packed, they take a few kilobytes instead of half a
//! megabyte (ARCHITECTURE.md, "What the binary weighs").
//!
//! DT_RELR needs a linker that writes it (lld, which rustc uses on x86-64 Linux, or GNU ld 2.38+)
//! and a C library that loads it (glibc 2.36+): an older glibc refuses to start the binary. So
//! the script does not guess from versions; it links a trivial program with the flag, with the
//! same compiler, linker and flags as the real build, and runs it. Anything else (another OS,
//! musl, cross-compiling, a failed link or run, any message from rustc) leaves the link as it
//! was. Must not fail the build: every outcome of the probe is "use the flag" or "do not".
//!
//! A binary built this way runs on glibc 2.36 or later only, like the machine that built it;
//! one meant to be copied to older systems must be built on one.

#![allow(clippy::disallowed_macros, clippy::disallowed_methods)]
#![allow(
    clippy::print_stdout,
    reason = "a build script talks to cargo on stdout"
)]

use std::env;
use std::path::PathBuf;
use std::process::Command;

const RELR: &str = "-Wl,-z,pack-relative-relocs";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=RUSTC_LINKER");
    if relr_supported() {
        println!("cargo:rustc-link-arg-bins={RELR}");
    }
}

fn relr_supported() -> bool {
    let var = |name| env::var(name).unwrap_or_default();
    if var("CARGO_CFG_TARGET_OS") != "linux" || var("CARGO_CFG_TARGET_ENV") != "gnu" {
        return false;
    }
    // The probe must run what it links, so it can only answer for the machine it runs on.
    if var("HOST") != var("TARGET") {
        return false;
    }
    let (Some(out), Some(rustc)) = (env::var_os("OUT_DIR"), env::var_os("RUSTC")) else {
        return false;
    };
    let dir = PathBuf::from(out);
    let src = dir.join("relr_probe.rs");
    let exe = dir.join("relr_probe");
    if std::fs::write(&src, "fn main() {}\n").is_err() {
        return false;
    }
    let mut link = Command::new(rustc);
    link.arg("-Copt-level=0")
        .arg(format!("-Clink-arg={RELR}"))
        .arg("-o")
        .arg(&exe)
        .arg(&src);
    if let Some(linker) = env::var_os("RUSTC_LINKER") {
        link.arg("-C").arg({
            let mut a = std::ffi::OsString::from("linker=");
            a.push(linker);
            a
        });
    }
    for flag in var("CARGO_ENCODED_RUSTFLAGS").split('\x1f') {
        if !flag.is_empty() {
            link.arg(flag);
        }
    }
    // Any message from rustc (a warning it passes on) means no; the run below is the real test.
    let linked = link
        .output()
        .is_ok_and(|o| o.status.success() && o.stderr.is_empty() && o.stdout.is_empty());
    linked && Command::new(&exe).status().is_ok_and(|s| s.success())
}
