//! `hone fix "instruction" [paths…]`: one request, run to completion by the agent core, its
//! diffs shown and confirmed on a terminal. `--yes` applies without asking, `--dry-run` works on
//! a scratch copy and prints the combined patch; without a person and without either flag it
//! refuses, naming the flag to add.
#![allow(clippy::print_stderr)]

use std::path::PathBuf;

use serde_json::json;

use super::common::{self, Ran};
use crate::agent::{self, Agent, Answer, Approver, Event, EventSink, Outcome};
use crate::cli::{EditFormatArg, GlobalArgs};
use crate::config::{PermissionMode, RuleEntry, RuleList, Source};
use crate::exit::{Exit, Failure};
use crate::permissions::{Gate, Permissions};
use crate::tools::{self, Effect};
use crate::ui::plan::PlanChoice;
use crate::ui::{self, Stream};

/// Output of `hone fix`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum FixFormat {
    /// The streamed answer and diffs, as a person reads them.
    #[default]
    Text,
    /// One JSON report at the end (files changed, diff stats, usage, cost).
    Json,
}

/// Make one change: the model reads the code, proposes edits, you confirm each diff.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to change, in plain words.
    pub instruction: String,

    /// Files to attach to the request (their current content is sent with it).
    pub paths: Vec<PathBuf>,

    /// Apply every edit without asking (commands still need --allow-command).
    #[arg(short, long)]
    pub yes: bool,

    /// Apply nothing: work on a scratch copy and print the combined patch to stdout.
    #[arg(long, conflicts_with = "yes")]
    pub dry_run: bool,

    /// Allow commands starting with PREFIX to run without asking (repeatable).
    #[arg(long, value_name = "PREFIX")]
    pub allow_command: Vec<String>,

    /// Stop after this many requests to the model.
    #[arg(long, value_name = "N")]
    pub max_turns: Option<u32>,

    /// How the model writes edits (tool calls, or SEARCH/REPLACE blocks for models without tools).
    #[arg(long, value_enum, default_value_t = EditFormatArg::Tools)]
    pub edit_format: EditFormatArg,

    /// Hide the model's reasoning.
    #[arg(long)]
    pub no_reasoning: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = FixFormat::Text)]
    pub output_format: FixFormat,
}

/// How many edits a run proposed, attempted and applied, and the lines they changed.
#[derive(Debug, Clone, Copy, Default)]
struct EditCounts {
    proposed: usize,
    /// Edits the model tried, whatever became of them (applied, declined, refused, failed).
    attempted: usize,
    applied: usize,
    added: usize,
    removed: usize,
}

/// Counts what happened to edits, collects the answer, and forwards every event to the
/// renderer.
struct Tally<'a> {
    inner: &'a mut dyn EventSink,
    answer: Answer,
    counts: EditCounts,
}

impl EventSink for Tally<'_> {
    fn emit(&mut self, event: Event) {
        self.answer.push(&event);
        let c = &mut self.counts;
        match &event {
            Event::EditProposed { .. } => c.proposed += 1,
            Event::EditApplied { added, removed, .. } => {
                c.attempted += 1;
                c.applied += 1;
                c.added += added;
                c.removed += removed;
            }
            Event::EditDeclined { .. } | Event::BlocksFailed { .. } => c.attempted += 1,
            // Refused by the person or a policy: counted by its `EditDeclined`.
            Event::ToolResult {
                effect: Some(Effect::Edit),
                reply,
                ..
            } if !matches!(
                reply.outcome,
                tools::Outcome::Done
                    | tools::Outcome::Refused(
                        tools::Refusal::Person { .. } | tools::Refusal::Policy { .. }
                    )
            ) =>
            {
                c.attempted += 1
            }
            _ => {}
        }
        self.inner.emit(event);
    }
}

/// What `hone fix` prepared before the run.
struct Setup {
    agent: Agent,
    /// The request: the instruction with the named files attached.
    input: String,
    /// The workspace the person named; under `--dry-run` the agent works on `scratch`.
    root: PathBuf,
    scratch: Option<common::Scratch>,
    permissions: Permissions,
}

/// How a finished run ends: its outcome, the exit code it means, the files it changed and
/// (under `--dry-run`) the patch.
struct Ending {
    outcome: Outcome,
    exit: Exit,
    changed: Vec<String>,
    patch: String,
}

pub async fn run(global: &GlobalArgs, args: Args) -> Result<Exit, Failure> {
    let mut setup = set_up(global, &args)?;
    let color_err = global.color.enabled(Stream::Stderr);
    let mut terminal = ui::render::Terminal::new(look(global, &args, color_err), 0.0);
    let mut quiet = agent::Collect::default();
    let renderer: &mut dyn EventSink = match args.output_format {
        FixFormat::Text => &mut terminal,
        FixFormat::Json => &mut quiet,
    };
    let mut tally = Tally {
        inner: renderer,
        answer: Answer::default(),
        counts: EditCounts::default(),
    };
    let mut ask = ui::ask::Ask::new(color_err);
    let asking = !(args.yes || args.dry_run);
    let started = std::time::Instant::now();
    let mut input = setup.input.clone();
    let ran = loop {
        let planning = setup.permissions.mode == PermissionMode::Plan;
        let person: Option<&mut dyn Approver> = if asking { Some(&mut ask) } else { None };
        let mut gate = Gate::new(&setup.permissions, person);
        let ran =
            common::run_interruptible(&mut setup.agent, &input, &mut tally, &mut gate).await?;
        match ran {
            Ran::Finished(Outcome::Done) if planning && asking => {
                match ui::plan::ask(&mut ui::ask::Stdin, color_err) {
                    PlanChoice::Accept(mode) => {
                        setup.permissions.mode = mode;
                        let how = if mode == PermissionMode::AcceptEdits {
                            "; edits are now applied without asking"
                        } else {
                            ""
                        };
                        input = crate::prompts::text(
                            crate::prompts::Text::PlanAccepted,
                            &[("how", how)],
                        );
                    }
                    PlanChoice::Revise(what) if !what.is_empty() => input = what,
                    PlanChoice::Revise(_) | PlanChoice::Reject => break ran,
                }
            }
            ran => break ran,
        }
    };
    let Tally { counts, answer, .. } = tally;
    let Some(ending) = end(&setup, ran, counts)? else {
        return Ok(Exit::Interrupted);
    };
    match args.output_format {
        FixFormat::Text => {
            if args.dry_run {
                common::print(&ending.patch)?;
            }
            if ending.exit == Exit::Failed && ending.outcome == Outcome::Done {
                eprintln!("no edit was applied (declined, refused or failed); nothing was changed");
            }
        }
        FixFormat::Json => {
            let report = json_report(&args, &setup.agent, &ending, &counts, &answer, started);
            common::print(&format!("{report}\n"))?;
        }
    }
    Ok(ending.exit)
}

/// Everything before the run: the settings, the refusal when nobody can confirm edits, the
/// scratch copy for `--dry-run`, the request with its files attached (a note for each that
/// looks like it holds secrets), and the agent with the project context.
fn set_up(global: &GlobalArgs, args: &Args) -> Result<Setup, Failure> {
    let person = ui::interactive();
    let mut config = common::load_config_trusting(&global.overrides(), person)?;
    if !person && !args.yes && !args.dry_run {
        return Err(Failure::usage(
            "hone fix needs someone to confirm each edit, and nobody is at a terminal",
        )
        .hint("add --yes to apply edits without asking, or --dry-run to print the patch instead"));
    }
    let root = config.workspace.clone();
    let scratch = if args.dry_run {
        Some(common::scratch_copy(&root)?)
    } else {
        None
    };
    if let Some(s) = &scratch {
        config.workspace = s.path().to_path_buf();
    }
    let (input, secrets) = common::attach_files(&args.instruction, &root, &args.paths)?;
    for rel in &secrets {
        eprintln!("hone: note: {}", ui::render::secret_note(rel));
    }
    let project = super::project_context(&config.workspace, &args.paths, super::MAP_WAIT);
    let opts = agent::Options {
        edit_format: args.edit_format.into(),
        max_turns: args.max_turns.unwrap_or(config.max_turns),
        instructions: project.instructions,
        map: project.map,
        kind: agent::SessionKind::Fix,
        ..agent::Options::default()
    };
    let mut agent = Agent::new(&config, opts).map_err(common::agent_failure)?;
    if let Some(line) = common::sandbox_notice(agent.sandbox(), global.verbose) {
        eprintln!("hone: {line}");
    }
    if let Some(poll) = project.late_map {
        agent.set_context_poll(poll);
    }
    for prefix in &args.allow_command {
        config.permissions.rules.push(RuleEntry {
            list: RuleList::Allow,
            rule: format!("run_command({prefix}:*)"),
            source: Source::Flag("flag --allow-command"),
            claude: false,
        });
    }
    let mut permissions = common::permissions(global, &config)?;
    if (args.yes || args.dry_run) && permissions.mode == PermissionMode::Default {
        permissions.mode = PermissionMode::AcceptEdits;
    }
    permissions.how_to_allow = "the user can allow it with --allow-command".to_string();
    Ok(Setup {
        agent,
        input,
        root,
        scratch,
        permissions,
    })
}

/// How the terminal renderer shows the run: the answer to stdout (stderr under `--dry-run`,
/// whose stdout is the patch), colour per stream, reasoning unless hidden.
fn look(global: &GlobalArgs, args: &Args, color_err: bool) -> ui::render::Look {
    let reasoning = if args.no_reasoning {
        ui::render::Reasoning::Hide
    } else {
        ui::render::Reasoning::Show
    };
    let color_answer = global.color.enabled(if args.dry_run {
        Stream::Stderr
    } else {
        Stream::Stdout
    });
    ui::render::Look {
        color_answer,
        color_err,
        stderr_tty: std::io::IsTerminal::is_terminal(&std::io::stderr()),
        width: None,
        dry_run: args.dry_run,
        reasoning,
        summary: ui::render::Summary::Session,
        turn_limit_hint: " (raise it with --max-turns)",
    }
}

/// How the run ended: `None` when it was interrupted (said on stderr); else its outcome, the
/// exit code (a run whose every edit failed or was declined failed too), the files changed and
/// the patch of the scratch copy.
fn end(setup: &Setup, ran: Ran, counts: EditCounts) -> Result<Option<Ending>, Failure> {
    let agent = &setup.agent;
    let changed: Vec<String> = agent.changed_files().map(str::to_string).collect();
    let patch = match &setup.scratch {
        Some(s) => crate::edit::diff_trees(&setup.root, s.path(), &changed)
            .map_err(|e| Failure::new(Exit::Failed, e))?,
        None => String::new(),
    };
    let outcome = match ran {
        Ran::Interrupted => {
            eprintln!(
                "interrupted; files are whole and the session is saved as {}",
                agent.session_id()
            );
            return Ok(None);
        }
        Ran::Finished(o) => o,
    };
    let exit = match outcome {
        Outcome::Done if counts.attempted > 0 && counts.applied == 0 => Exit::Failed,
        Outcome::Done => Exit::Success,
        Outcome::TurnLimit | Outcome::Loop => Exit::Failed,
        Outcome::Cancelled => Exit::Interrupted,
    };
    Ok(Some(Ending {
        outcome,
        exit,
        changed,
        patch,
    }))
}

/// `--output-format json`: the one object printed at the end.
fn json_report(
    args: &Args,
    agent: &Agent,
    ending: &Ending,
    counts: &EditCounts,
    answer: &Answer,
    started: std::time::Instant,
) -> serde_json::Value {
    json!({
        "outcome": ending.outcome,
        "exit_code": ending.exit.code(),
        "dry_run": args.dry_run,
        "files_changed": ending.changed,
        "diff": {
            "edits_proposed": counts.proposed,
            "edits_applied": counts.applied,
            "added": counts.added,
            "removed": counts.removed,
        },
        "patch": if args.dry_run { Some(&ending.patch) } else { None },
        "answer": answer.text(),
        "reasoning": answer.reasoning(),
        "usage": super::print::usage_json(agent.usage()),
        "total_cost_usd": agent.cost(),
        "rate": agent.bill().rate(),
        "session_id": agent.session_id(),
        "model": agent.model(),
        "duration_ms": started.elapsed().as_millis() as u64,
    })
}
