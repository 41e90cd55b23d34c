//! The approval policy of `lint-fix`, where nobody is there to ask: an edit is allowed only to a
//! file the linter named in this run, a path given on the command line, or a path matching an
//! `--allow-path` glob; no command ever runs (hone runs the lint command itself). With
//! `--interactive` a person then confirms each edit the policy allows; without it nothing is
//! ever asked.
//!
//! It also keeps the before-image of every file on its first approved edit, which is what the
//! final patch is computed against. Must not write files. Invariant: the set of allowed files
//! only grows during a run (a file named in round 1 stays editable in round 3).

use std::collections::{BTreeMap, BTreeSet};

use globset::{Glob, GlobSet, GlobSetBuilder};

use super::LintError;
use crate::agent::{Approver, Decision};
use crate::edit::Plan;

/// The `lint-fix` policy.
pub struct LintPolicy {
    named: BTreeSet<String>,
    /// Paths from the command line, relative, without a trailing `/`; `""` is the workspace.
    paths: Vec<String>,
    globs: GlobSet,
    glob_text: Vec<String>,
    person: Option<Box<dyn Approver>>,
    originals: BTreeMap<String, Option<Vec<u8>>>,
    declined: usize,
}

impl std::fmt::Debug for LintPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LintPolicy")
            .field("named", &self.named)
            .field("paths", &self.paths)
            .field("globs", &self.glob_text)
            .field("interactive", &self.person.is_some())
            .finish_non_exhaustive()
    }
}

impl LintPolicy {
    /// A policy over `paths` (relative to the workspace) and `--allow-path` globs.
    pub fn new(paths: &[String], allow: &[String]) -> Result<LintPolicy, LintError> {
        let mut b = GlobSetBuilder::new();
        for g in allow {
            let glob = Glob::new(g).map_err(|e| LintError::BadGlob {
                glob: g.clone(),
                why: e.kind().to_string(),
            })?;
            b.add(glob);
        }
        let globs = b.build().map_err(|e| LintError::BadGlob {
            glob: allow.join(", "),
            why: e.kind().to_string(),
        })?;
        let paths = paths
            .iter()
            .map(|p| {
                let p = p.trim_end_matches('/');
                if p == "." {
                    String::new()
                } else {
                    p.to_string()
                }
            })
            .collect();
        Ok(LintPolicy {
            named: BTreeSet::new(),
            paths,
            globs,
            glob_text: allow.to_vec(),
            person: None,
            originals: BTreeMap::new(),
            declined: 0,
        })
    }

    /// `--interactive`: `person` confirms each edit the policy allows.
    pub fn with_person(mut self, person: Box<dyn Approver>) -> LintPolicy {
        self.person = Some(person);
        self
    }

    /// Files the linter named (in any round so far) become editable.
    pub fn allow_named<'a>(&mut self, files: impl IntoIterator<Item = &'a String>) {
        self.named.extend(files.into_iter().cloned());
    }

    /// Whether an edit to `path` (relative, `/`-separated) is within the policy.
    pub fn allows(&self, path: &str) -> bool {
        self.named.contains(path)
            || self.paths.iter().any(|p| {
                p.is_empty()
                    || path == p
                    || path
                        .strip_prefix(p.as_str())
                        .is_some_and(|r| r.starts_with('/'))
            })
            || self.globs.is_match(path)
    }

    /// Edits refused so far, by the policy or the person.
    pub fn declined(&self) -> usize {
        self.declined
    }

    /// Each file's content before hone's first edit to it (`None`: it did not exist).
    pub fn originals(&self) -> &BTreeMap<String, Option<Vec<u8>>> {
        &self.originals
    }

    fn remember(&mut self, plan: &Plan) {
        for f in plan.files() {
            match f.from() {
                Some(from) => {
                    self.originals
                        .entry(from.to_string())
                        .or_insert_with(|| f.before().map(<[u8]>::to_vec));
                    self.originals.entry(f.path().to_string()).or_insert(None);
                }
                None => {
                    self.originals
                        .entry(f.path().to_string())
                        .or_insert_with(|| f.before().map(<[u8]>::to_vec));
                }
            }
        }
    }
}

impl Approver for LintPolicy {
    fn run_started(&mut self) {
        if let Some(p) = self.person.as_mut() {
            p.run_started();
        }
    }

    fn cancelled(&self) -> bool {
        self.person.as_ref().is_some_and(|p| p.cancelled())
    }

    fn approve_edit(&mut self, plan: &Plan) -> Decision {
        let paths = crate::agent::touched_paths(plan);
        if let Some(p) = plan.read_only().first() {
            self.declined += 1;
            return Decision::denied_by_policy(format!(
                " (`{p}` is read-only: lint-fix never writes through that; fix the diagnostics \
                 in other files, or say in your answer that it must change)"
            ));
        }
        if let Some(p) = paths.iter().find(|p| !self.allows(p)) {
            let widen = if self.glob_text.is_empty() {
                String::new()
            } else {
                format!(", {}", self.glob_text.join(", "))
            };
            self.declined += 1;
            return Decision::denied_by_policy(format!(
                " (lint-fix edits only the files the linter named, the paths given on its \
                 command line{widen}; `{p}` is none of them — fix the diagnostics in the files \
                 listed, or say in your answer why another file must change)"
            ));
        }
        let decision = match self.person.as_mut() {
            Some(person) => person.approve_edit(plan),
            None => Decision::Yes,
        };
        if decision == Decision::Yes {
            self.remember(plan);
        } else {
            self.declined += 1;
        }
        decision
    }

    fn approve_command(&mut self, _command: &str) -> Decision {
        Decision::denied_by_policy(
            " (lint-fix runs no commands: hone runs the lint command itself after your edits \
             and tells you what remains)",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::{EditOp, Workspace};

    fn plan_for(ws: &Workspace, path: &str) -> Plan {
        let ops: Vec<EditOp> = crate::edit::parse_tool_call(
            crate::edit::EditTool::WriteFile,
            &serde_json::json!({"path": path, "content": "new\n"}),
        )
        .unwrap();
        crate::edit::plan(ws, &ops).unwrap()
    }

    #[test]
    fn named_files_paths_and_globs_are_the_scope() {
        let mut p = LintPolicy::new(&["lib/".into()], &["docs/**/*.md".into()]).unwrap();
        p.allow_named(&["src/a.py".to_string()]);
        assert!(p.allows("src/a.py"));
        assert!(!p.allows("src/b.py"));
        assert!(p.allows("lib/x/y.py"));
        assert!(!p.allows("library.py"));
        assert!(p.allows("docs/a/b.md"));
        assert!(!p.allows("README.md"));
        let everything = LintPolicy::new(&[".".into()], &[]).unwrap();
        assert!(everything.allows("any/where.txt"));
        assert!(LintPolicy::new(&[], &["a[".into()]).is_err());
    }

    #[test]
    fn edits_outside_are_denied_with_a_reason_and_commands_always() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("a.py"), "old\n").unwrap();
        let ws = Workspace::new(d.path()).unwrap();
        let mut p = LintPolicy::new(&[], &[]).unwrap();
        p.allow_named(&["a.py".to_string()]);
        assert_eq!(p.approve_edit(&plan_for(&ws, "a.py")), Decision::Yes);
        let Decision::No { reason, by_policy } = p.approve_edit(&plan_for(&ws, "other.py")) else {
            panic!("allowed")
        };
        assert!(by_policy);
        assert!(reason.contains("`other.py` is none of them"), "{reason}");
        assert!(matches!(
            p.approve_command("ruff check ."),
            Decision::No {
                by_policy: true,
                ..
            }
        ));
        // The before-image of the first approved edit is kept, and only it.
        assert_eq!(p.originals().get("a.py"), Some(&Some(b"old\n".to_vec())));
        assert!(!p.originals().contains_key("other.py"));
        assert_eq!(p.declined(), 1);
    }

    struct No;
    impl Approver for No {
        fn approve_edit(&mut self, _: &Plan) -> Decision {
            Decision::declined_by_person()
        }
        fn approve_command(&mut self, _: &str) -> Decision {
            Decision::declined_by_person()
        }
    }

    #[test]
    fn interactive_asks_the_person_after_the_policy() {
        let d = tempfile::tempdir().unwrap();
        let ws = Workspace::new(d.path()).unwrap();
        let mut p = LintPolicy::new(&[".".into()], &[])
            .unwrap()
            .with_person(Box::new(No));
        assert_eq!(
            p.approve_edit(&plan_for(&ws, "a.py")),
            Decision::declined_by_person()
        );
        assert!(p.originals().is_empty());
    }
}
