//! The read-only tools: `read_file`, `list_files` and `search`.
//!
//! Each returns the text the model receives, already capped: a tool result is paid for on every
//! later request of the session, so nothing here returns unbounded output, and every cap says
//! what it left out and how to get more. Paths go through the workspace jail like edits do: the
//! model cannot read outside the workspace, inside `.git/`, or files that commonly hold secrets.

use std::fmt::Write as _;
use std::path::Path;

use globset::{Glob, GlobMatcher};
use ignore::WalkBuilder;
use regex::Regex;

use super::Reply;
use crate::context::is_secret_path;
use crate::edit::Workspace;
use crate::prompts::{Text, text};

/// Paths listings and searches leave out (a deny rule on reading them), judged on the
/// workspace-relative path.
#[derive(Clone)]
pub struct ReadFilter(pub std::sync::Arc<dyn Fn(&str) -> bool + Send + Sync>);

impl std::fmt::Debug for ReadFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReadFilter")
    }
}

impl ReadFilter {
    fn hides(filter: Option<&ReadFilter>, rel: &str) -> bool {
        filter.is_some_and(|f| (f.0)(rel))
    }
}

/// Caps on what the read-only tools return, and what they leave out.
#[derive(Debug, Clone)]
pub struct ReadLimits {
    /// Lines `read_file` returns when no `limit` is given.
    pub page_lines: usize,
    /// Characters after which a single line is cut.
    pub line_chars: usize,
    /// Entries `list_files` returns.
    pub list_entries: usize,
    /// Matches `search` returns.
    pub search_matches: usize,
    /// Files larger than this are not read.
    pub max_file_bytes: u64,
    /// Paths never listed or searched.
    pub hidden: Option<ReadFilter>,
}

impl Default for ReadLimits {
    fn default() -> Self {
        ReadLimits {
            page_lines: 2000,
            line_chars: 2000,
            list_entries: 500,
            search_matches: 200,
            max_file_bytes: 10 * 1024 * 1024,
            hidden: None,
        }
    }
}

/// Whether a workspace file holds secrets by the one rule of [`is_secret_path`], judged by the
/// name the model used and by where it resolves to inside the workspace (a symlink
/// `notes.txt -> .env`, or `cloud -> .aws`). A path that does not exist yet is judged by name.
pub fn secret(ws: &Workspace, rel: &str) -> bool {
    if is_secret_path(rel) {
        return true;
    }
    ws.resolved_relative(rel)
        .is_some_and(|target| is_secret_path(&target))
}

/// `read_file`: numbered lines `N\tline`, paged.
pub fn read_file(
    ws: &Workspace,
    rel: &str,
    offset: Option<usize>,
    limit: Option<usize>,
    limits: &ReadLimits,
) -> Reply {
    let path = match ws.resolve(rel) {
        Ok(p) => p,
        Err(e) => return Reply::from_edit(&e),
    };
    if secret(ws, rel) {
        return Reply::secret(rel);
    }
    let meta = match std::fs::metadata(&path) {
        Ok(m) => m,
        Err(e) => return io_reply(rel, &e),
    };
    let fail = |key, vars: &[(&str, &str)]| Reply::failed(text(key, vars));
    if meta.is_dir() {
        return fail(Text::IsDirectory, &[("path", rel)]);
    }
    // A FIFO would block the read forever, a device could be endless: only regular files are
    // read, as binary files are refused.
    if !meta.is_file() {
        return fail(Text::NotRegular, &[("path", rel)]);
    }
    if meta.len() > limits.max_file_bytes {
        let (size, limit) = (meta.len().to_string(), limits.max_file_bytes.to_string());
        return fail(
            Text::TooLarge,
            &[("path", rel), ("size", &size), ("limit", &limit)],
        );
    }
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => return io_reply(rel, &e),
    };
    if bytes.iter().take(8192).any(|&b| b == 0) {
        let size = bytes.len().to_string();
        return fail(Text::BinaryFile, &[("path", rel), ("size", &size)]);
    }
    let content = String::from_utf8_lossy(&bytes);
    Reply::done(number_lines(&content, rel, offset, limit, limits))
}

/// The pure part of `read_file`: numbering, paging and the paging notice.
pub fn number_lines(
    content: &str,
    rel: &str,
    offset: Option<usize>,
    limit: Option<usize>,
    limits: &ReadLimits,
) -> String {
    let total = content.lines().count();
    if total == 0 {
        return text(Text::EmptyFile, &[("path", rel)]);
    }
    let first = offset.unwrap_or(1).max(1);
    if first > total {
        let (total, first) = (total.to_string(), first.to_string());
        return text(
            Text::PastEnd,
            &[("path", rel), ("total", &total), ("first", &first)],
        );
    }
    let count = limit.unwrap_or(limits.page_lines).max(1);
    let mut out = String::new();
    let mut last = first;
    for (i, line) in content.lines().enumerate().skip(first - 1).take(count) {
        last = i + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.chars().count() > limits.line_chars {
            let cut: String = line.chars().take(limits.line_chars).collect();
            let note = text(Text::LineCut, &[("limit", &limits.line_chars.to_string())]);
            let _ = writeln!(out, "{}\t{cut}{note}", i + 1);
        } else {
            let _ = writeln!(out, "{}\t{line}", i + 1);
        }
    }
    if first > 1 || last < total {
        let (f, l, t, n) = (
            first.to_string(),
            last.to_string(),
            total.to_string(),
            (last + 1).to_string(),
        );
        let vars = [
            ("first", f.as_str()),
            ("last", &l),
            ("total", &t),
            ("next", &n),
        ];
        let key = if last < total {
            Text::PagedMore
        } else {
            Text::Paged
        };
        let _ = writeln!(out, "{}", text(key, &vars));
    }
    out
}

/// `list_files`: relative paths, sorted, respecting ignore files.
pub fn list_files(
    ws: &Workspace,
    dir: Option<&str>,
    pattern: Option<&str>,
    limits: &ReadLimits,
) -> Reply {
    let (base, matcher) = match where_to_look(ws, dir, pattern) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let mut paths = Vec::new();
    for entry in walker(&base).build().flatten() {
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let rel = relative(ws.root(), entry.path());
        if matcher
            .as_ref()
            .is_none_or(|m| m.is_match(&rel) || m.is_match(file_name(&rel)))
            && !ReadFilter::hides(limits.hidden.as_ref(), &rel)
        {
            paths.push(rel);
        }
    }
    paths.sort();
    if paths.is_empty() {
        return Reply::done(text(Text::NoFiles, &[]));
    }
    let total = paths.len();
    let mut out = paths
        .iter()
        .take(limits.list_entries)
        .fold(String::new(), |mut s, p| {
            s.push_str(p);
            s.push('\n');
            s
        });
    if total > limits.list_entries {
        let count = (total - limits.list_entries).to_string();
        let _ = writeln!(out, "{}", text(Text::MoreFiles, &[("count", &count)]));
    }
    Reply::done(out)
}

/// `search`: `path:line: text` for each match of a regex.
pub fn search(
    ws: &Workspace,
    pattern: &str,
    dir: Option<&str>,
    glob: Option<&str>,
    limits: &ReadLimits,
) -> Reply {
    let re = match Regex::new(pattern) {
        Ok(re) => re,
        Err(e) => return Reply::invalid(text(Text::BadRegex, &[("error", &e.to_string())])),
    };
    let (base, matcher) = match where_to_look(ws, dir, glob) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let mut files: Vec<_> = walker(&base)
        .build()
        .flatten()
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .map(|e| e.into_path())
        .collect();
    files.sort();
    let mut out = String::new();
    let (mut shown, mut extra, mut extra_files) = (0usize, 0usize, 0usize);
    for path in files {
        let rel = relative(ws.root(), &path);
        if matcher
            .as_ref()
            .is_some_and(|m| !m.is_match(&rel) && !m.is_match(file_name(&rel)))
            || secret(ws, &rel)
            || ReadFilter::hides(limits.hidden.as_ref(), &rel)
        {
            continue;
        }
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        if bytes.len() as u64 > limits.max_file_bytes || bytes.iter().take(8192).any(|&b| b == 0) {
            continue;
        }
        let text = String::from_utf8_lossy(&bytes);
        let mut counted_file = false;
        for (i, line) in text.lines().enumerate() {
            if !re.is_match(line) {
                continue;
            }
            if shown < limits.search_matches {
                let line: String = line.trim_end().chars().take(300).collect();
                let _ = writeln!(out, "{rel}:{}: {line}", i + 1);
                shown += 1;
            } else {
                extra += 1;
                if !counted_file {
                    extra_files += 1;
                    counted_file = true;
                }
            }
        }
    }
    if shown == 0 {
        return Reply::done(text(Text::NoMatches, &[]));
    }
    if extra > 0 {
        let (count, files) = (extra.to_string(), extra_files.to_string());
        let more = text(Text::MoreMatches, &[("count", &count), ("files", &files)]);
        let _ = writeln!(out, "{more}");
    }
    Reply::done(out)
}

/// Where a listing or search looks: the directory it starts from (`dir` through the jail, or
/// the root) and the glob paths must match, if any.
fn where_to_look(
    ws: &Workspace,
    dir: Option<&str>,
    glob: Option<&str>,
) -> Result<(std::path::PathBuf, Option<GlobMatcher>), Reply> {
    let base = match dir {
        Some(d) if !d.is_empty() && d != "." => ws.resolve(d).map_err(|e| Reply::from_edit(&e))?,
        _ => ws.root().to_path_buf(),
    };
    Ok((base, compile_glob(glob)?))
}

fn walker(base: &Path) -> WalkBuilder {
    let mut b = WalkBuilder::new(base);
    b.hidden(false)
        .git_ignore(true)
        .git_global(true)
        .git_exclude(true)
        .require_git(false);
    b.add_custom_ignore_filename(".honeignore");
    // hone's own temporary files (a write in progress, or one a killed hone left) are not part
    // of the repository.
    b.filter_entry(|e| {
        e.file_name() != ".git"
            && !e
                .file_name()
                .to_str()
                .is_some_and(crate::edit::is_temp_name)
    });
    b
}

fn compile_glob(pattern: Option<&str>) -> Result<Option<GlobMatcher>, Reply> {
    pattern
        .filter(|p| !p.is_empty())
        .map(|p| {
            Glob::new(p).map(|g| g.compile_matcher()).map_err(|e| {
                Reply::invalid(text(
                    Text::BadGlob,
                    &[("glob", p), ("error", &e.to_string())],
                ))
            })
        })
        .transpose()
}

fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.to_string_lossy().replace('\\', "/")
}

fn file_name(rel: &str) -> &str {
    rel.rsplit('/').next().unwrap_or(rel)
}

fn io_reply(rel: &str, e: &std::io::Error) -> Reply {
    Reply::failed(match e.kind() {
        std::io::ErrorKind::NotFound => text(Text::NoSuchFile, &[("path", rel)]),
        _ => text(
            Text::ReadFailed,
            &[("path", rel), ("error", &e.to_string())],
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reply read as the old `Result` of text.
    trait Plain {
        fn unwrap(self) -> String;
        fn unwrap_err(self) -> String;
    }

    impl Plain for Reply {
        fn unwrap(self) -> String {
            assert!(!self.is_error(), "{self:?}");
            self.text
        }
        fn unwrap_err(self) -> String {
            assert!(self.is_error(), "{self:?}");
            self.text
        }
    }

    fn ws_with(files: &[(&str, &str)]) -> (tempfile::TempDir, Workspace) {
        let dir = tempfile::tempdir().unwrap();
        for (p, c) in files {
            let path = dir.path().join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, c).unwrap();
        }
        let ws = Workspace::new(dir.path()).unwrap();
        (dir, ws)
    }

    #[test]
    fn numbers_and_pages() {
        let l = ReadLimits {
            page_lines: 2,
            ..ReadLimits::default()
        };
        let out = number_lines("a\nb\nc\n", "f", None, None, &l);
        assert_eq!(
            out,
            "1\ta\n2\tb\n[lines 1-2 of 3; call read_file with offset=3 to continue]\n"
        );
        let out = number_lines("a\nb\nc\n", "f", Some(3), None, &l);
        assert_eq!(out, "3\tc\n[lines 3-3 of 3]\n");
        assert!(number_lines("a\n", "f", Some(9), None, &l).contains("past the end"));
        assert_eq!(number_lines("", "f", None, None, &l), "`f` is empty.");
        assert_eq!(
            number_lines("x\r\ny\r\n", "f", None, None, &l),
            "1\tx\n2\ty\n"
        );
    }

    #[test]
    fn cuts_long_lines() {
        let l = ReadLimits {
            line_chars: 3,
            ..ReadLimits::default()
        };
        assert_eq!(
            number_lines("abcdef", "f", None, None, &l),
            "1\tabc… [line cut at 3 characters]\n"
        );
    }

    #[test]
    fn secrets_by_name() {
        // One rule for the scan, the tools and `hone fix`'s attachments: `context::filter`.
        for p in [
            ".env",
            ".env.local",
            "id_rsa",
            "server.pem",
            "a/b/tls.key",
            ".netrc",
        ] {
            assert!(is_secret_path(p), "{p}");
        }
        for p in [".env.example", "env.rs", "keys.rs", "README.md"] {
            assert!(!is_secret_path(p), "{p}");
        }
    }

    #[test]
    fn read_refuses_binary_secret_and_missing() {
        let (_d, ws) = ws_with(&[("bin.dat", "ab\0cd"), (".env", "KEY=1"), ("ok.txt", "hi\n")]);
        let l = ReadLimits::default();
        assert!(
            read_file(&ws, "bin.dat", None, None, &l)
                .unwrap_err()
                .contains("binary")
        );
        assert!(
            read_file(&ws, ".env", None, None, &l)
                .unwrap_err()
                .contains("secrets")
        );
        assert!(
            read_file(&ws, "nope.txt", None, None, &l)
                .unwrap_err()
                .contains("does not exist")
        );
        assert_eq!(read_file(&ws, "ok.txt", None, None, &l).unwrap(), "1\thi\n");
    }

    #[test]
    fn list_respects_gitignore_and_globs() {
        let (_d, ws) = ws_with(&[
            (".gitignore", "target/\n"),
            ("src/a.rs", ""),
            ("src/b.py", ""),
            ("target/x.rs", ""),
        ]);
        let l = ReadLimits::default();
        assert_eq!(
            list_files(&ws, None, Some("**/*.rs"), &l).unwrap(),
            "src/a.rs\n"
        );
        assert_eq!(
            list_files(&ws, Some("src"), None, &l).unwrap(),
            "src/a.rs\nsrc/b.py\n"
        );
        assert!(
            list_files(&ws, None, Some("[bad"), &l)
                .unwrap_err()
                .contains("not valid")
        );
    }

    #[test]
    fn search_caps_and_counts() {
        let (_d, ws) = ws_with(&[
            ("a.txt", "foo 1\nfoo 2\nbar\n"),
            ("b.txt", "foo 3\n"),
            (".env", "foo=secret\n"),
        ]);
        let l = ReadLimits {
            search_matches: 2,
            ..ReadLimits::default()
        };
        let out = search(&ws, "foo", None, None, &l).unwrap();
        assert_eq!(
            out,
            "a.txt:1: foo 1\na.txt:2: foo 2\n[1 more matches in 1 files not shown; narrow with path or glob]\n"
        );
        assert_eq!(search(&ws, "zzz", None, None, &l).unwrap(), "no matches.");
        assert!(
            search(&ws, "(", None, None, &l)
                .unwrap_err()
                .contains("not a valid regular expression")
        );
    }
}
