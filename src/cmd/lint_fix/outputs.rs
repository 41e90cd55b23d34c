//! What every ending of `hone lint-fix` writes: the patch (stdout under `--dry-run`,
//! `--patch-out`), the JSON report (`--report`), and under `GITHUB_ACTIONS=true` the step summary
//! and `::warning` annotations. Writes only; decides nothing about the run.

use std::io::Write as _;
use std::path::Path;
use std::time::Instant;

use anyhow::Context as _;

use super::{Args, Out};
use crate::agent::Agent;
use crate::cmd::common;
use crate::exit::{Exit, Failure};
use crate::lint::Lint;
use crate::lint::report::{self, BeforeAfter, Counts, Report};

/// The outputs every ending writes: the patch, the report, GitHub's summary and annotations.
pub(super) struct Outputs<'a> {
    pub(super) args: &'a Args,
    pub(super) command: &'a str,
    pub(super) preset: Option<&'static str>,
    pub(super) started: Instant,
}

impl Outputs<'_> {
    pub(super) fn write(
        &mut self,
        out: &mut Out,
        lints: Option<(&Lint, &Lint, &[crate::lint::RoundReport])>,
        (outcome, exit): (&str, Exit),
        changed: &[String],
        patch: &str,
        agent: Option<&Agent>,
    ) -> Result<(), Failure> {
        let empty = Counts {
            total: 0,
            by_rule: Default::default(),
        };
        let (diagnostics, remaining, rounds) = match lints {
            Some((first, last, rounds)) => (
                BeforeAfter {
                    before: Counts::of(first),
                    after: Counts::of(last),
                },
                report::remaining(last),
                rounds.to_vec(),
            ),
            None => (
                BeforeAfter {
                    before: empty.clone(),
                    after: empty,
                },
                Vec::new(),
                Vec::new(),
            ),
        };
        let r = Report {
            command: self.command.to_string(),
            preset: self.preset.map(str::to_string),
            outcome: outcome.to_string(),
            exit_code: exit.code(),
            dry_run: self.args.dry_run,
            rounds,
            diagnostics,
            remaining,
            files_changed: changed.to_vec(),
            usage: agent.map(|a| *a.usage()).unwrap_or_default(),
            cost_usd: agent.map_or(0.0, Agent::cost),
            duration_ms: self.started.elapsed().as_millis() as u64,
            model: agent.map(|a| a.model().to_string()),
            session_id: agent.map(|a| a.session_id().to_string()),
        };
        // The report and GitHub's outputs are written even when the patch could not be (a
        // reader that closed the pipe); its error then ends the run.
        let printed = if self.args.dry_run {
            common::print(patch)
        } else {
            Ok(())
        };
        if let Some(p) = &self.args.patch_out {
            write_file(p, patch).context("could not write the patch")?;
            out.line(&format!("patch written to {}", p.display()));
        }
        if let Some(p) = &self.args.report {
            let json = serde_json::to_string_pretty(&r).context("could not encode the report")?;
            write_file(p, &(json + "\n")).context("could not write the report")?;
            out.line(&format!("report written to {}", p.display()));
        }
        if std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true") {
            out.raw(&report::annotations(&r.remaining));
            if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
                append(Path::new(&path), &report::markdown(&r))
                    .context("could not append to $GITHUB_STEP_SUMMARY")?;
            }
        }
        printed?;
        Ok(())
    }
}

fn write_file(path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text).with_context(|| path.display().to_string())
}

fn append(path: &Path, text: &str) -> anyhow::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| path.display().to_string())?;
    f.write_all(text.as_bytes())
        .with_context(|| path.display().to_string())
}
