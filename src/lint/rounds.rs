//! The loop: lint → (passes: stop) → the model fixes under the policy → lint again → compare →
//! keep, or undo the round through the journal → repeat, up to `max_rounds`.
//!
//! Each round is one `Agent::run` in the same conversation, so the model remembers what it
//! tried. A round's edits stay only if the round finished, the linter ran again, and the count
//! did not go up; in every other case (more problems, the provider failed, the linter could not
//! run again, Ctrl-C) the round's journal batches are undone, newest first, before the loop
//! returns. Timing per round separates the linter's time and the model's (from a request being
//! sent to its answer being complete) from everything else, which is hone's own overhead.

use std::time::{Duration, Instant};

use serde::Serialize;

use super::LintError;
use super::diag::Parsed;
use super::policy::LintPolicy;
use super::prompt::{self, Note, Round};
use super::runner::{LintCommand, LintRun};
use crate::agent::{Agent, AgentError, Event, EventSink, Outcome};
use crate::edit::{Journal, Workspace};

/// One lint run and what hone read from it.
#[derive(Debug, Clone)]
pub struct Lint {
    pub run: LintRun,
    pub parsed: Parsed,
}

impl Lint {
    /// Runs `cmd` in the workspace and parses its output.
    pub async fn run(cmd: &LintCommand, ws: &Workspace) -> Result<Lint, LintError> {
        let run = cmd.run(ws.root()).await?;
        let parsed = super::parse(&run.stdout, &run.stderr, ws.root());
        Ok(Lint { run, parsed })
    }

    pub fn passed(&self) -> bool {
        self.run.passed()
    }

    /// The count rounds are compared by: 0 when the linter passes.
    pub fn count(&self) -> usize {
        if self.passed() {
            0
        } else {
            self.parsed.count().max(1)
        }
    }
}

/// What one round did, for the log and the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundReport {
    pub round: u32,
    /// The count at the start of the round, and after it (before any undo).
    pub before: usize,
    pub after: usize,
    pub rolled_back: bool,
    pub edits_applied: usize,
    pub edits_declined: usize,
    /// How the model's run ended (`None`: it did not, the provider failed or Ctrl-C).
    pub outcome: Option<Outcome>,
    pub lint_ms: u64,
    pub model_ms: u64,
    /// Everything else: prompt, tools, edits, journal, parsing, undo.
    pub overhead_ms: u64,
}

/// How the loop ended.
#[derive(Debug)]
pub enum End {
    /// The linter passes.
    Clean,
    /// Diagnostics remain after the last round.
    Remaining,
    /// The model changed nothing and no edit was refused: more rounds would not help.
    GaveUp,
    /// The model's run failed (the provider, after retries); the round was undone.
    Agent(AgentError),
    /// The linter could not run again, or a round could not be undone.
    Lint(LintError),
    /// Ctrl-C; the round was undone.
    Interrupted,
}

impl End {
    /// A stable word for the report.
    pub fn label(&self) -> &'static str {
        match self {
            End::Clean => "clean",
            End::Remaining => "remaining",
            End::GaveUp => "gave_up",
            End::Agent(_) => "provider_error",
            End::Lint(_) => "lint_error",
            End::Interrupted => "interrupted",
        }
    }
}

/// The loop's result.
#[derive(Debug)]
pub struct Summary {
    pub rounds: Vec<RoundReport>,
    /// The state the workspace is left in (the first lint when nothing was kept).
    pub last: Lint,
    pub end: End,
}

/// What the loop tells the front end as it goes.
#[derive(Debug)]
pub enum Progress<'a> {
    RoundStarted {
        round: u32,
        max_rounds: u32,
        count: usize,
    },
    /// An event of the model's run.
    Agent(&'a Event),
    /// The linter ran again after the round's edits.
    Relinted {
        round: u32,
        lint: &'a Lint,
    },
    /// The round's edits were undone.
    RolledBack {
        round: u32,
        files: &'a [String],
        why: &'a str,
    },
    RoundEnded(&'a RoundReport),
}

/// Receives progress; renders it (the loop never prints).
pub trait Log: Send {
    fn progress(&mut self, p: Progress<'_>);
}

/// Whether Ctrl-C stops a round (the command line) or is not watched (benchmarks, tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interrupt {
    CtrlC,
    Never,
}

/// The loop's fixed inputs.
pub struct Fixer<'a> {
    pub lint: &'a LintCommand,
    pub ws: &'a Workspace,
    pub journal: &'a Journal,
    pub max_rounds: u32,
    /// How the edit scope was widened, for the model (`, the paths given (src/) …`).
    pub scope: String,
    pub interrupt: Interrupt,
}

impl Fixer<'_> {
    /// Runs rounds starting from `first` (a failing lint).
    pub async fn fix(
        &self,
        agent: &mut Agent,
        policy: &mut LintPolicy,
        first: Lint,
        log: &mut dyn Log,
    ) -> Summary {
        policy.allow_named(&first.parsed.files());
        let mut state = State {
            rounds: Vec::new(),
            current: first,
            note: Note::First,
        };
        for number in 1..=self.max_rounds {
            match self.round(agent, policy, number, state, log).await {
                Flow::Continue(next) => state = next,
                Flow::Stop(summary) => return summary,
            }
        }
        Summary {
            rounds: state.rounds,
            last: state.current,
            end: End::Remaining,
        }
    }

    /// One round: the model fixes, the linter runs again, and the round's edits are kept or
    /// undone. Its report is added to the state's, and the loop goes on or stops.
    async fn round(
        &self,
        agent: &mut Agent,
        policy: &mut LintPolicy,
        number: u32,
        state: State,
        log: &mut dyn Log,
    ) -> Flow {
        let State {
            mut rounds,
            current,
            note,
        } = state;
        let started = Instant::now();
        let (ran, mut report) = self
            .ask_model(agent, policy, number, &current, note, log)
            .await;
        let after = match ran {
            // Ctrl-C at a question: as at any other moment.
            Some(Ok(Outcome::Cancelled)) | None => {
                AfterModel::Halt("interrupted", End::Interrupted)
            }
            Some(Ok(outcome)) => {
                report.outcome = Some(outcome);
                self.relint(report.edits_applied).await
            }
            Some(Err(e)) => AfterModel::Halt("the model's provider failed", End::Agent(e)),
        };
        let verdict = match after {
            AfterModel::Halt(why, end) => {
                return Flow::Stop(self.stop(rounds, report, started, current, why, end, log));
            }
            // Nothing changed and nothing was refused: more rounds would not help.
            AfterModel::NoEdits if report.edits_declined == 0 => Verdict::End {
                last: current,
                end: End::GaveUp,
            },
            AfterModel::NoEdits => Verdict::Next {
                current,
                note: Note::NoEdits,
            },
            AfterModel::Relinted(next) => self.judge(policy, current, next, &mut report, log),
        };
        match verdict {
            Verdict::Next { current, note } => {
                self.close(&mut report, started, log);
                rounds.push(report);
                Flow::Continue(State {
                    rounds,
                    current,
                    note,
                })
            }
            Verdict::End { last, end } => {
                Flow::Stop(self.finish(rounds, report, started, last, end, log))
            }
        }
    }

    /// After a model's run that applied `applied` edit batches: the linter's verdict on them,
    /// or none to ask for, or why the round stops (Ctrl-C, the linter could not run).
    async fn relint(&self, applied: usize) -> AfterModel {
        if applied == 0 {
            return AfterModel::NoEdits;
        }
        match self.unless_interrupted(Lint::run(self.lint, self.ws)).await {
            Some(Ok(l)) => AfterModel::Relinted(l),
            None => AfterModel::Halt("interrupted", End::Interrupted),
            Some(Err(e)) => AfterModel::Halt("the linter could not run again", End::Lint(e)),
        }
    }

    /// Asks the model to fix what `current` reports, under the policy: the answer (`None` on
    /// Ctrl-C) and the round's report so far (edits applied and declined, the model's time).
    async fn ask_model(
        &self,
        agent: &mut Agent,
        policy: &mut LintPolicy,
        number: u32,
        current: &Lint,
        note: Note,
        log: &mut dyn Log,
    ) -> (Option<Result<Outcome, AgentError>>, RoundReport) {
        let declined_before = policy.declined();
        log.progress(Progress::RoundStarted {
            round: number,
            max_rounds: self.max_rounds,
            count: current.count(),
        });
        let text = prompt::render(
            &Round {
                number,
                max_rounds: self.max_rounds,
                command: &self.lint.command,
                note,
                scope: &self.scope,
            },
            &current.parsed,
            self.ws,
        );
        let mut sink = RoundSink::new(log);
        let ran = self
            .unless_interrupted(agent.run(&text, &mut sink, policy))
            .await;
        let report = RoundReport {
            round: number,
            before: current.count(),
            after: current.count(),
            rolled_back: false,
            edits_applied: sink.applied,
            edits_declined: policy.declined() - declined_before,
            outcome: None,
            lint_ms: 0,
            model_ms: ms(sink.model),
            overhead_ms: 0,
        };
        (ran, report)
    }

    /// Compares the lint after the round's edits (`next`) with the one before (`current`):
    /// clean ends the loop; a higher count undoes the round; otherwise its edits stay and the
    /// files `next` names may be edited too.
    fn judge(
        &self,
        policy: &mut LintPolicy,
        current: Lint,
        next: Lint,
        report: &mut RoundReport,
        log: &mut dyn Log,
    ) -> Verdict {
        report.lint_ms = ms(next.run.elapsed);
        report.after = next.count();
        log.progress(Progress::Relinted {
            round: report.round,
            lint: &next,
        });
        if next.passed() {
            return Verdict::End {
                last: next,
                end: End::Clean,
            };
        }
        let (before, after) = (current.count(), next.count());
        if after > before {
            let why = format!("the count went up from {before} to {after}");
            if let Some(end) = self.abandon(report.edits_applied, report.round, &why, log) {
                return Verdict::End { last: current, end };
            }
            report.rolled_back = true;
            return Verdict::Next {
                current,
                note: Note::RolledBack { before, after },
            };
        }
        policy.allow_named(&next.parsed.files());
        Verdict::Next {
            current: next,
            note: Note::Progress { before, after },
        }
    }

    /// Runs `work` to its end, or to Ctrl-C (`None`) when the loop watches for it.
    async fn unless_interrupted<F: std::future::Future>(&self, work: F) -> Option<F::Output> {
        match self.interrupt {
            Interrupt::CtrlC => tokio::select! {
                r = work => Some(r),
                _ = tokio::signal::ctrl_c() => None,
            },
            Interrupt::Never => Some(work.await),
        }
    }

    /// Undoes the round's `batches`; `Some(end)` only when that failed.
    fn abandon(&self, batches: usize, round: u32, why: &str, log: &mut dyn Log) -> Option<End> {
        let mut files = Vec::new();
        for _ in 0..batches {
            match self.journal.undo(self.ws) {
                Ok(r) => {
                    files.extend(r.restored);
                    files.extend(r.removed);
                }
                Err(e) => return Some(End::Lint(LintError::Rollback(e))),
            }
        }
        if batches > 0 {
            files.sort();
            files.dedup();
            log.progress(Progress::RolledBack {
                round,
                files: &files,
                why,
            });
        }
        None
    }

    fn close(&self, report: &mut RoundReport, started: Instant, log: &mut dyn Log) {
        let total = ms(started.elapsed());
        report.overhead_ms = total.saturating_sub(report.lint_ms + report.model_ms);
        log.progress(Progress::RoundEnded(report));
    }

    /// Ends the loop in the middle of a round: the round's edits are undone (`why` says why),
    /// and the run ends with `end`, or with the rollback's failure if the undo failed.
    // The loop's state, passed through to `finish` as the call sites hold it.
    #[allow(clippy::too_many_arguments)]
    fn stop(
        &self,
        rounds: Vec<RoundReport>,
        report: RoundReport,
        started: Instant,
        last: Lint,
        why: &str,
        end: End,
        log: &mut dyn Log,
    ) -> Summary {
        let end = self
            .abandon(report.edits_applied, report.round, why, log)
            .unwrap_or(end);
        self.finish(rounds, report, started, last, end, log)
    }

    fn finish(
        &self,
        mut rounds: Vec<RoundReport>,
        mut report: RoundReport,
        started: Instant,
        last: Lint,
        end: End,
        log: &mut dyn Log,
    ) -> Summary {
        self.close(&mut report, started, log);
        rounds.push(report);
        Summary { rounds, last, end }
    }
}

/// The loop's state between rounds.
struct State {
    rounds: Vec<RoundReport>,
    /// The lint the next round starts from (the last one whose edits were kept).
    current: Lint,
    /// What the next round's prompt says of the round before.
    note: Note,
}

/// Whether the loop goes on after a round.
enum Flow {
    Continue(State),
    Stop(Summary),
}

/// Where a round stands after the model's run.
enum AfterModel {
    /// The round stops half-way (the log is told why); its edits are undone.
    Halt(&'static str, End),
    /// The model applied no edit.
    NoEdits,
    /// The linter ran again after the round's edits.
    Relinted(Lint),
}

/// What a round comes to.
enum Verdict {
    /// Another round, from `current`, telling the model `note`.
    Next { current: Lint, note: Note },
    /// The loop ends with the workspace at `last`.
    End { last: Lint, end: End },
}

fn ms(d: Duration) -> u64 {
    d.as_millis() as u64
}

/// Forwards the model's events to the log, counting applied batches and timing the model.
struct RoundSink<'a> {
    log: &'a mut dyn Log,
    applied: usize,
    model: Duration,
    waiting_since: Option<Instant>,
}

impl<'a> RoundSink<'a> {
    fn new(log: &'a mut dyn Log) -> RoundSink<'a> {
        RoundSink {
            log,
            applied: 0,
            model: Duration::ZERO,
            waiting_since: None,
        }
    }
}

impl EventSink for RoundSink<'_> {
    fn emit(&mut self, event: Event) {
        match &event {
            Event::RequestStarted { .. } => self.waiting_since = Some(Instant::now()),
            // Streamed text and retries are part of waiting for the model.
            Event::Text(_) | Event::Reasoning(_) | Event::Retrying { .. } => {}
            _ => {
                if let Some(t) = self.waiting_since.take() {
                    self.model += t.elapsed();
                }
            }
        }
        if matches!(event, Event::EditApplied { .. }) {
            self.applied += 1;
        }
        self.log.progress(Progress::Agent(&event));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Keep(Vec<String>);
    impl Log for Keep {
        fn progress(&mut self, p: Progress<'_>) {
            self.0.push(format!("{p:?}").chars().take(40).collect());
        }
    }

    #[test]
    fn the_sink_times_the_model_and_counts_batches() {
        let mut log = Keep(Vec::new());
        let mut sink = RoundSink::new(&mut log);
        sink.emit(Event::RequestStarted { turn: 1 });
        std::thread::sleep(Duration::from_millis(30));
        sink.emit(Event::Text("x".into()));
        sink.emit(Event::ToolCall {
            id: "c".into(),
            name: "edit_file".into(),
            call: None,
            description: "edit_file".into(),
            input: serde_json::Value::Null,
        });
        std::thread::sleep(Duration::from_millis(30));
        sink.emit(Event::EditApplied {
            id: "c".into(),
            files: vec!["a".into()],
            added: 1,
            removed: 1,
        });
        let (applied, model) = (sink.applied, sink.model);
        assert_eq!(applied, 1);
        assert!(
            model >= Duration::from_millis(30) && model < Duration::from_millis(60),
            "{model:?}"
        );
        assert_eq!(log.0.len(), 4);
    }

    #[test]
    fn a_passing_lint_counts_zero_and_a_failing_one_at_least_one() {
        let run = |code| LintRun {
            command: "x".into(),
            code: Some(code),
            stdout: String::new(),
            stderr: String::new(),
            elapsed: Duration::ZERO,
        };
        let pass = Lint {
            run: run(0),
            parsed: Parsed::default(),
        };
        assert_eq!(pass.count(), 0);
        let silent_fail = Lint {
            run: run(1),
            parsed: Parsed::default(),
        };
        assert_eq!(silent_fail.count(), 1);
        assert_eq!(End::GaveUp.label(), "gave_up");
    }
}
