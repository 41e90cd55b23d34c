//! What the scan skips, decided from a path or from a file's first bytes: secret-looking files,
//! lock files, generated and minified files, binaries.
//!
//! Pure functions, no I/O: [`crate::context::scan`] applies the path rules while walking and the
//! index applies [`content_verdict`] to the bytes it reads anyway. Invariant: a rule only ever
//! removes a file from the context; none of them decides what a file contains beyond skipping it.

use crate::context::scan::{ScanOptions, SkipReason};

/// The skip decision that needs only the path.
pub fn path_verdict(rel: &str, opts: &ScanOptions) -> Option<SkipReason> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    if is_secret_path(rel) {
        return Some(SkipReason::Secret);
    }
    if opts.skip_lock_files && is_lock_file(name) {
        return Some(SkipReason::LockFile);
    }
    if opts.skip_generated && is_generated_name(name) {
        return Some(SkipReason::Generated);
    }
    if is_binary_name(name) {
        return Some(SkipReason::Binary);
    }
    None
}

/// Whether a path looks like it holds secrets: `.env` files, private keys, credential stores.
/// Such files are never read into context unless the person adds them explicitly.
pub fn is_secret_path(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    const NAMES: [&str; 13] = [
        ".envrc",
        ".netrc",
        ".npmrc",
        ".pypirc",
        ".pgpass",
        ".htpasswd",
        "credentials",
        "credentials.json",
        "secrets.json",
        "secrets.yaml",
        "secrets.yml",
        "secrets.toml",
        "service-account.json",
    ];
    // Not `.asc`: AsciiDoc sources share it with armoured PGP keys, and documentation matters
    // more to a coding assistant than a key file anyone would keep under that name.
    const SUFFIXES: [&str; 10] = [
        ".pem",
        ".key",
        ".p12",
        ".pfx",
        ".jks",
        ".keystore",
        ".gpg",
        ".kdbx",
        ".ovpn",
        ".tfvars",
    ];
    const KEY_PREFIXES: [&str; 4] = ["id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"];
    if name == ".env" || name.starts_with(".env.") || name.ends_with(".env") {
        // `.env.example` and friends are templates meant to be read.
        return !(name.ends_with(".example")
            || name.ends_with(".sample")
            || name.ends_with(".template"));
    }
    NAMES.contains(&name.as_str())
        || SUFFIXES.iter().any(|s| name.ends_with(s))
        // `id_rsa`, `id_rsa.old`, `id_ed25519-cert`; not `id_rsa_test.go` nor a `.pub` key.
        || KEY_PREFIXES.iter().any(|p| {
            name.strip_prefix(p).is_some_and(|rest| {
                (rest.is_empty() || rest == ".old" || rest == ".bak" || rest.starts_with('-'))
                    && !name.ends_with(".pub")
            })
        })
        || rel
            .split('/')
            .any(|part| part == ".ssh" || part == ".aws" || part == ".gnupg")
}

/// Lock files: generated, long, and never what a change should touch by hand.
pub fn is_lock_file(name: &str) -> bool {
    const NAMES: [&str; 14] = [
        "Cargo.lock",
        "package-lock.json",
        "npm-shrinkwrap.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "bun.lockb",
        "poetry.lock",
        "Pipfile.lock",
        "uv.lock",
        "Gemfile.lock",
        "composer.lock",
        "go.sum",
        "flake.lock",
        "mix.lock",
    ];
    NAMES.contains(&name) || name.ends_with(".lock") || name.ends_with(".lockfile")
}

/// Generated or minified files recognisable by name.
pub fn is_generated_name(name: &str) -> bool {
    const SUFFIXES: [&str; 13] = [
        ".min.js",
        ".min.mjs",
        ".min.css",
        ".bundle.js",
        ".js.map",
        ".css.map",
        ".map",
        "_pb2.py",
        "_pb2_grpc.py",
        ".pb.go",
        ".pb.cc",
        ".pb.h",
        ".g.dart",
    ];
    SUFFIXES.iter().any(|s| name.ends_with(s))
        || name.contains(".generated.")
        || name.contains(".designer.")
}

/// Extensions that are never text.
fn is_binary_name(name: &str) -> bool {
    const EXTS: [&str; 46] = [
        "png", "jpg", "jpeg", "gif", "bmp", "ico", "webp", "tiff", "psd", "pdf", "zip", "gz",
        "tgz", "bz2", "xz", "zst", "7z", "rar", "tar", "jar", "war", "class", "exe", "dll", "so",
        "dylib", "a", "o", "obj", "lib", "bin", "wasm", "pyc", "pyo", "woff", "woff2", "ttf",
        "otf", "eot", "mp3", "mp4", "wav", "ogg", "mov", "sqlite", "db",
    ];
    name.rsplit_once('.')
        .is_some_and(|(_, ext)| EXTS.iter().any(|e| ext.eq_ignore_ascii_case(e)))
}

/// The skip decision that needs the file's bytes: binary (a NUL in the first 8 KiB, as git
/// decides), generated (a marker in the first lines), minified (very long lines).
pub fn content_verdict(bytes: &[u8], opts: &ScanOptions) -> Option<SkipReason> {
    let head = &bytes[..bytes.len().min(8 * 1024)];
    if head.contains(&0) {
        return Some(SkipReason::Binary);
    }
    if !opts.skip_generated {
        return None;
    }
    let head_text = String::from_utf8_lossy(&head[..head.len().min(1024)]);
    const MARKERS: [&str; 5] = [
        "@generated",
        "DO NOT EDIT",
        "do not edit",
        "Code generated by",
        "This file is automatically generated",
    ];
    if head_text
        .lines()
        .take(5)
        .any(|l| MARKERS.iter().any(|m| l.contains(m)))
    {
        return Some(SkipReason::Generated);
    }
    let lines = bytes.split(|b| *b == b'\n');
    let (mut count, mut longest) = (0usize, 0usize);
    for line in lines {
        count += 1;
        longest = longest.max(line.len());
    }
    if longest > 4096 || (bytes.len() > 2048 && bytes.len() / count.max(1) > 300) {
        return Some(SkipReason::Minified);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        for p in [
            ".env",
            "a/.env.local",
            "prod.env",
            "id_ed25519",
            "certs/tls.key",
            "x/.ssh/config",
            ".netrc",
            "store.p12",
            ".envrc",
            "id_rsa.old",
            "id_ed25519-cert",
        ] {
            assert!(is_secret_path(p), "{p}");
        }
        for p in [
            ".env.example",
            "env.rs",
            "id_rsa.pub",
            "keyboard.rs",
            "src/keys.rs",
            "environment.ts",
            "book/ch01-getting-started.asc",
            "auth/id_rsa_test.go",
        ] {
            assert!(!is_secret_path(p), "{p}");
        }
    }

    #[test]
    fn lock_and_generated_names() {
        assert!(
            is_lock_file("Cargo.lock") && is_lock_file("go.sum") && is_lock_file("pnpm-lock.yaml")
        );
        assert!(!is_lock_file("lock.rs") && !is_lock_file("locks.go"));
        assert!(
            is_generated_name("app.min.js")
                && is_generated_name("api_pb2.py")
                && is_generated_name("x.pb.go")
        );
        assert!(!is_generated_name("main.go") && !is_generated_name("mapper.py"));
    }

    #[test]
    fn content_verdicts() {
        let opts = ScanOptions::default();
        assert_eq!(content_verdict(b"fn main() {}\n", &opts), None);
        assert_eq!(content_verdict(b"ab\0cd", &opts), Some(SkipReason::Binary));
        assert_eq!(
            content_verdict(
                b"// Code generated by protoc. DO NOT EDIT.\npackage x\n",
                &opts
            ),
            Some(SkipReason::Generated)
        );
        assert_eq!(
            content_verdict(b"# @generated by tool\nx = 1\n", &opts),
            Some(SkipReason::Generated)
        );
        let minified = format!("var a={};", "1+".repeat(5000));
        assert_eq!(
            content_verdict(minified.as_bytes(), &opts),
            Some(SkipReason::Minified)
        );
        let off = ScanOptions {
            skip_generated: false,
            ..ScanOptions::default()
        };
        assert_eq!(content_verdict(minified.as_bytes(), &off), None);
        assert_eq!(content_verdict(b"x\0", &off), Some(SkipReason::Binary));
    }
}
