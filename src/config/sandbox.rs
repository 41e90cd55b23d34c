//! The `[sandbox]` settings' merge: defaults < the person's file < the project's file < the
//! `--sandbox` flag, with one rule beyond "higher wins": a repository's own `.hone/config.toml`
//! (which anyone who can push to it writes) may only tighten the sandbox — a stricter mode, the
//! network off — never loosen it. A loosening value there is ignored and kept as an [`Ignored`],
//! which `hone config` and the front ends report. The flag is the person's own and may do
//! either.
//!
//! Pure, like the rest of the merge: the home directory for `~/` paths comes from the caller.

use std::fmt;
use std::path::{Path, PathBuf};

use super::file::SandboxTable;
use super::{Setting, Source, Sources};
use crate::sandbox::{Mode, Network, Settings};

/// A value in a project's own file that would have loosened the sandbox, and was ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ignored {
    pub setting: Setting,
    /// The value as written in the file.
    pub value: String,
    pub path: PathBuf,
}

impl fmt::Display for Ignored {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ignored `{} = {}` from {}: a project's own file may only tighten the sandbox",
            self.setting,
            self.value,
            self.path.display()
        )
    }
}

/// The sandbox settings as the layers are applied, lowest first.
#[derive(Debug, Default)]
pub struct Merge {
    /// The person trusts the repository: its own file may loosen the sandbox too.
    pub trusted: bool,
    pub settings: Settings,
    pub ignored: Vec<Ignored>,
}

impl Merge {
    /// One file's `[sandbox]` table over the layers below it (`source` says whose file).
    pub fn file(
        &mut self,
        t: &SandboxTable,
        source: &Source,
        home: Option<&Path>,
        sources: &mut Sources,
    ) {
        let guarded = match source {
            Source::Project(p) if !self.trusted => Some(p.clone()),
            _ => None,
        };
        let mut ignored = Vec::new();
        let mut ignore = |setting: Setting, value: String| -> bool {
            let Some(path) = &guarded else {
                return false;
            };
            ignored.push(Ignored {
                setting,
                value,
                path: path.clone(),
            });
            true
        };
        if let Some(m) = t.mode {
            let looser = m.strictness() < self.settings.mode.strictness();
            if !(looser && ignore(Setting::SandboxMode, format!("\"{}\"", m.as_str()))) {
                self.settings.mode = m;
                sources.set(Setting::SandboxMode, source.clone());
            }
        }
        if let Some(allowed) = t.network {
            let looser = allowed && !self.settings.network.allowed();
            if !(looser && ignore(Setting::SandboxNetwork, allowed.to_string())) {
                self.settings.network = Network::from_allowed(allowed);
                sources.set(Setting::SandboxNetwork, source.clone());
            }
        }
        if let Some(paths) = &t.writable {
            let looser = !paths.is_empty();
            if !(looser && ignore(Setting::SandboxWritable, format!("{paths:?}"))) {
                self.settings.writable = paths.iter().map(|p| expand(p, home)).collect();
                sources.set(Setting::SandboxWritable, source.clone());
            }
        }
        self.ignored.append(&mut ignored);
    }

    /// The front end's `--sandbox MODE`, over everything.
    pub fn flag(&mut self, mode: Option<Mode>, label: &'static str, sources: &mut Sources) {
        if let Some(m) = mode {
            self.settings.mode = m;
            sources.set(Setting::SandboxMode, Source::Flag(label));
        }
    }
}

/// A `writable` entry as a path: `~/x` below the home directory (kept as written without one,
/// which matches nothing).
fn expand(p: &str, home: Option<&Path>) -> PathBuf {
    match (p.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(p),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(mode: Option<Mode>, network: Option<bool>, writable: &[&str]) -> SandboxTable {
        SandboxTable {
            mode,
            network,
            writable: (!writable.is_empty())
                .then(|| writable.iter().map(|s| s.to_string()).collect()),
        }
    }

    fn user() -> Source {
        Source::User(PathBuf::from("/u/config.toml"))
    }

    fn project() -> Source {
        Source::Project(PathBuf::from("/w/.hone/config.toml"))
    }

    #[test]
    fn the_persons_file_sets_anything_and_expands_home() {
        let mut m = Merge::default();
        let mut s = Sources::default();
        let t = table(
            Some(Mode::Off),
            Some(true),
            &["~/.cache/go-build", "/opt/x"],
        );
        m.file(&t, &user(), Some(Path::new("/home/u")), &mut s);
        assert_eq!(m.settings.mode, Mode::Off);
        assert_eq!(m.settings.network, Network::Allowed);
        assert_eq!(
            m.settings.writable,
            vec![
                PathBuf::from("/home/u/.cache/go-build"),
                PathBuf::from("/opt/x")
            ]
        );
        assert_eq!(s.get(Setting::SandboxMode), &user());
        assert!(m.ignored.is_empty());
    }

    #[test]
    fn a_project_file_may_tighten_but_never_loosen() {
        let mut m = Merge::default();
        let mut s = Sources::default();
        // Tighter than the default: taken.
        m.file(
            &table(Some(Mode::ReadOnly), Some(false), &[]),
            &project(),
            None,
            &mut s,
        );
        assert_eq!(m.settings.mode, Mode::ReadOnly);
        assert_eq!(s.get(Setting::SandboxMode), &project());
        // Looser than the person's file: ignored, and kept to be reported.
        let mut m = Merge::default();
        let mut s = Sources::default();
        m.file(
            &table(Some(Mode::ReadOnly), None, &[]),
            &user(),
            None,
            &mut s,
        );
        m.file(
            &table(Some(Mode::Off), Some(true), &["/etc"]),
            &project(),
            None,
            &mut s,
        );
        assert_eq!(m.settings.mode, Mode::ReadOnly);
        assert_eq!(m.settings.network, Network::Denied);
        assert!(m.settings.writable.is_empty());
        assert_eq!(s.get(Setting::SandboxMode), &user());
        let ignored: Vec<(Setting, &str)> = m
            .ignored
            .iter()
            .map(|i| (i.setting, i.value.as_str()))
            .collect();
        assert_eq!(
            ignored,
            vec![
                (Setting::SandboxMode, "\"off\""),
                (Setting::SandboxNetwork, "true"),
                (Setting::SandboxWritable, "[\"/etc\"]"),
            ]
        );
        assert_eq!(
            m.ignored[0].to_string(),
            "ignored `sandbox.mode = \"off\"` from /w/.hone/config.toml: a project's own file \
             may only tighten the sandbox"
        );
    }

    #[test]
    fn the_flag_may_loosen() {
        let mut m = Merge::default();
        let mut s = Sources::default();
        m.file(
            &table(Some(Mode::ReadOnly), None, &[]),
            &project(),
            None,
            &mut s,
        );
        m.flag(Some(Mode::Off), "flag --sandbox", &mut s);
        assert_eq!(m.settings.mode, Mode::Off);
        assert_eq!(s.get(Setting::SandboxMode), &Source::Flag("flag --sandbox"));
    }
}
