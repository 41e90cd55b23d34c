//! Every text the model sees, compiled in from `prompts/` so that a prompt change is a reviewable
//! diff of a text file, never a string buried in code.
//!
//! Whole prompts are constants ([`SYSTEM`], [`TOOLS_JSON`], …). Short texts — tool results and
//! errors, the edit engine's messages, session notes, why a rule does not allow a command — are `key: text` lines, looked up by a typed
//! [`Text`] key: a key that does not exist does not compile, and a unit test checks that every
//! key has its line and every line its key. Texts with `{name}` holes are filled by [`fill`];
//! nothing else edits them, which keeps the system prompt and tool schemas byte-identical across
//! the requests of a session (the provider's prefix cache depends on it).

/// The agent's system prompt when the model calls tools.
pub const SYSTEM: &str = include_str!("../prompts/system.md");
/// The agent's system prompt when edits travel as text blocks (no tool calling).
pub const SYSTEM_BLOCKS: &str = include_str!("../prompts/system_blocks.md");
/// The heading of the project-context part of the system message (instructions and repo map).
pub const PROJECT_CONTEXT: &str = include_str!("../prompts/project_context.md");
/// The instruction for summarising older turns when the context window fills.
pub const COMPACT: &str = include_str!("../prompts/compact.md");
/// The instruction for writing a commit message from a diff (`/commit`, `auto_commit`).
pub const COMMIT: &str = include_str!("../prompts/commit.md");
/// `hone lint-fix`'s instruction to the model, in sections (see `lint::prompt::section`).
pub const LINT_FIX: &str = include_str!("../prompts/lint_fix.md");
/// The JSON schemas of the tools, as sent in every request.
pub const TOOLS_JSON: &str = include_str!("../prompts/tools.json");

/// Tool results and refusals: what a tool call gets back.
const TOOL_TEXTS: &str = include_str!("../prompts/tool_texts.md");
/// The edit engine's messages: why an edit could not be read, placed or written.
const EDIT_TEXTS: &str = include_str!("../prompts/edit_texts.md");
/// Notes the session adds to the conversation.
const SESSION_NOTES: &str = include_str!("../prompts/session_notes.md");
/// Why a rule does not allow a command.
const PERMISSION_TEXTS: &str = include_str!("../prompts/permission_texts.md");

macro_rules! texts {
    ($($key:ident => $file:ident, $name:literal;)*) => {
        /// A short model-facing text, by file and key.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Text {
            $($key,)*
        }

        impl Text {
            /// Every key, for the test that each one has its line.
            pub const ALL: &[Text] = &[$(Text::$key,)*];

            /// The key as written in its file.
            pub fn name(self) -> &'static str {
                match self {
                    $(Text::$key => $name,)*
                }
            }

            fn file(self) -> &'static str {
                match self {
                    $(Text::$key => $file,)*
                }
            }
        }
    };
}

texts! {
    // Tool calls: parsing, refusals, the loop breaker.
    UnknownTool => TOOL_TEXTS, "unknown_tool";
    BadArguments => TOOL_TEXTS, "bad_arguments";
    DeclinedEdit => TOOL_TEXTS, "declined_edit";
    DeclinedCommand => TOOL_TEXTS, "declined_command";
    DeclinedEditSaid => TOOL_TEXTS, "declined_edit_said";
    DeclinedCommandSaid => TOOL_TEXTS, "declined_command_said";
    NotAllowedCommand => TOOL_TEXTS, "not_allowed_command";
    NotAllowedPath => TOOL_TEXTS, "not_allowed_path";
    OutsideWorkspace => TOOL_TEXTS, "outside_workspace";
    Loop => TOOL_TEXTS, "loop";
    Cancelled => TOOL_TEXTS, "cancelled";
    SecretFile => TOOL_TEXTS, "secret_file";
    ReadDenied => TOOL_TEXTS, "read_denied";
    // Why a rule or mode refused (inside a refusal's parentheses).
    RuleDenied => TOOL_TEXTS, "rule_denied";
    RulePlanMode => TOOL_TEXTS, "rule_plan_mode";
    RuleProtected => TOOL_TEXTS, "rule_protected";
    RuleAskNobody => TOOL_TEXTS, "rule_ask_nobody";
    RuleDenyBlind => TOOL_TEXTS, "rule_deny_blind";
    RuleReadOnly => TOOL_TEXTS, "rule_read_only";
    RuleReadOnlySession => TOOL_TEXTS, "rule_read_only_session";
    RuleOutsidePaths => TOOL_TEXTS, "rule_outside_paths";
    // Read-only tools.
    IsDirectory => TOOL_TEXTS, "is_directory";
    NotRegular => TOOL_TEXTS, "not_regular";
    TooLarge => TOOL_TEXTS, "too_large";
    BinaryFile => TOOL_TEXTS, "binary_file";
    EmptyFile => TOOL_TEXTS, "empty_file";
    PastEnd => TOOL_TEXTS, "past_end";
    LineCut => TOOL_TEXTS, "line_cut";
    Paged => TOOL_TEXTS, "paged";
    PagedMore => TOOL_TEXTS, "paged_more";
    NoFiles => TOOL_TEXTS, "no_files";
    MoreFiles => TOOL_TEXTS, "more_files";
    NoMatches => TOOL_TEXTS, "no_matches";
    MoreMatches => TOOL_TEXTS, "more_matches";
    BadRegex => TOOL_TEXTS, "bad_regex";
    BadGlob => TOOL_TEXTS, "bad_glob";
    NoSuchFile => TOOL_TEXTS, "no_such_file";
    ReadFailed => TOOL_TEXTS, "read_failed";
    // Edits and commands.
    NoChange => TOOL_TEXTS, "no_change";
    Applied => TOOL_TEXTS, "applied";
    RegionFile => TOOL_TEXTS, "region_file";
    RegionLong => TOOL_TEXTS, "region_long";
    RegionCreated => TOOL_TEXTS, "region_created";
    RegionDeleted => TOOL_TEXTS, "region_deleted";
    RegionRenamed => TOOL_TEXTS, "region_renamed";
    BlocksUnreadable => TOOL_TEXTS, "blocks_unreadable";
    BlocksFailed => TOOL_TEXTS, "blocks_failed";
    CommandExit => TOOL_TEXTS, "command_exit";
    CommandTimedOut => TOOL_TEXTS, "command_timed_out";
    CommandSignal => TOOL_TEXTS, "command_signal";
    CommandNoOutput => TOOL_TEXTS, "command_no_output";
    CommandNotStarted => TOOL_TEXTS, "command_not_started";
    OutputCut => TOOL_TEXTS, "output_cut";
    // The OS sandbox of commands.
    SandboxBlocked => TOOL_TEXTS, "sandbox_blocked";
    SandboxUnavailable => TOOL_TEXTS, "sandbox_unavailable";
    SandboxRerun => TOOL_TEXTS, "sandbox_rerun";
    BlockedWrite => TOOL_TEXTS, "blocked_write";
    BlockedReadOnly => TOOL_TEXTS, "blocked_read_only";
    BlockedNetwork => TOOL_TEXTS, "blocked_network";
    // The edit engine.
    OpOne => EDIT_TEXTS, "op_one";
    OpOfMany => EDIT_TEXTS, "op_of_many";
    JailEmpty => EDIT_TEXTS, "jail_empty";
    JailParent => EDIT_TEXTS, "jail_parent";
    JailAbsolute => EDIT_TEXTS, "jail_absolute";
    JailSymlink => EDIT_TEXTS, "jail_symlink";
    JailGit => EDIT_TEXTS, "jail_git";
    JailControl => EDIT_TEXTS, "jail_control";
    Refused => EDIT_TEXTS, "refused";
    NotFoundEmpty => EDIT_TEXTS, "not_found_empty";
    NotFoundClosest => EDIT_TEXTS, "not_found_closest";
    NotFoundNothing => EDIT_TEXTS, "not_found_nothing";
    NotFoundRetry => EDIT_TEXTS, "not_found_retry";
    Ambiguous => EDIT_TEXTS, "ambiguous";
    CountMismatch => EDIT_TEXTS, "count_mismatch";
    Overlap => EDIT_TEXTS, "overlap";
    Elision => EDIT_TEXTS, "elision";
    MissingFile => EDIT_TEXTS, "missing_file";
    AlreadyExists => EDIT_TEXTS, "already_exists";
    EditBinary => EDIT_TEXTS, "binary";
    NotUtf8 => EDIT_TEXTS, "not_utf8";
    NotAFile => EDIT_TEXTS, "not_a_file";
    ChangedSincePreview => EDIT_TEXTS, "changed_since_preview";
    Busy => EDIT_TEXTS, "busy";
    NoEdits => EDIT_TEXTS, "no_edits";
    // The edit engine's parsers: tool-call arguments and the text formats.
    ArgsNotJson => EDIT_TEXTS, "args_not_json";
    ArgsNotObject => EDIT_TEXTS, "args_not_object";
    ArgNotString => EDIT_TEXTS, "arg_not_string";
    ArgMissing => EDIT_TEXTS, "arg_missing";
    ArgPathEmpty => EDIT_TEXTS, "arg_path_empty";
    ArgReplaceAll => EDIT_TEXTS, "arg_replace_all";
    ArgExpectedReplacements => EDIT_TEXTS, "arg_expected_replacements";
    ArgsIdentical => EDIT_TEXTS, "args_identical";
    PatchUnended => EDIT_TEXTS, "patch_unended";
    PatchEmpty => EDIT_TEXTS, "patch_empty";
    PatchNeedsPath => EDIT_TEXTS, "patch_needs_path";
    PatchAddLine => EDIT_TEXTS, "patch_add_line";
    PatchUnexpected => EDIT_TEXTS, "patch_unexpected";
    PatchUpdateLine => EDIT_TEXTS, "patch_update_line";
    PatchUpdateNothing => EDIT_TEXTS, "patch_update_nothing";
    BlockNoPath => EDIT_TEXTS, "block_no_path";
    BlockNoDivider => EDIT_TEXTS, "block_no_divider";
    BlockNoReplace => EDIT_TEXTS, "block_no_replace";
    BlockUnterminated => EDIT_TEXTS, "block_unterminated";
    DiffBothNull => EDIT_TEXTS, "diff_both_null";
    DiffOnlyAdds => EDIT_TEXTS, "diff_only_adds";
    DiffNoChange => EDIT_TEXTS, "diff_no_change";
    FenceUnclosed => EDIT_TEXTS, "fence_unclosed";
    // Session notes.
    Interrupted => SESSION_NOTES, "interrupted";
    PlanModeNote => SESSION_NOTES, "plan_mode_note";
    PlanAccepted => SESSION_NOTES, "plan_accepted";
    Failed => SESSION_NOTES, "failed";
    FileAdded => SESSION_NOTES, "file_added";
    FileChanged => SESSION_NOTES, "file_changed";
    FileDeleted => SESSION_NOTES, "file_deleted";
    DirectoryNamed => SESSION_NOTES, "directory_named";
    Undone => SESSION_NOTES, "undo";
    RewoundCode => SESSION_NOTES, "rewound_code";
    RewoundConversation => SESSION_NOTES, "rewound_conversation";
    CommitDiffCut => SESSION_NOTES, "commit_diff_cut";
    MapReady => SESSION_NOTES, "map_ready";
    Map => SESSION_NOTES, "map";
    CompactSummary => SESSION_NOTES, "compact_summary";
    CompactFiles => SESSION_NOTES, "compact_files";
    CompactAck => SESSION_NOTES, "compact_ack";
    // Command rules.
    PartNotAllowed => PERMISSION_TEXTS, "part_not_allowed";
    AfterOperator => PERMISSION_TEXTS, "after_operator";
    AfterNewline => PERMISSION_TEXTS, "after_newline";
    Unjudgeable => PERMISSION_TEXTS, "unjudgeable";
    WhyEmpty => PERMISSION_TEXTS, "why_empty";
    WhySubstitution => PERMISSION_TEXTS, "why_substitution";
    WhyBacktick => PERMISSION_TEXTS, "why_backtick";
    WhyExpansion => PERMISSION_TEXTS, "why_expansion";
    WhyRedirection => PERMISSION_TEXTS, "why_redirection";
    WhyBackslash => PERMISSION_TEXTS, "why_backslash";
    WhyUnclosedQuote => PERMISSION_TEXTS, "why_unclosed_quote";
    WhyGlob => PERMISSION_TEXTS, "why_glob";
    WhyGrouping => PERMISSION_TEXTS, "why_grouping";
    WhyComment => PERMISSION_TEXTS, "why_comment";
    WhyAssignment => PERMISSION_TEXTS, "why_assignment";
    WhyKeyword => PERMISSION_TEXTS, "why_keyword";
    WhyCharacter => PERMISSION_TEXTS, "why_character";
    WhyWrapper => PERMISSION_TEXTS, "why_wrapper";
}

/// The text for `key`, with `{name}` holes filled from `vars`.
pub fn text(key: Text, vars: &[(&str, &str)]) -> String {
    fill(line(key).unwrap_or(key.name()), vars)
}

/// The template of `key` in its file, if the line exists (a unit test checks that it does).
fn line(key: Text) -> Option<&'static str> {
    key.file().lines().find_map(|l| {
        l.strip_prefix(key.name())
            .and_then(|r| r.strip_prefix(": "))
    })
}

/// Replaces each `{name}` in `template` with its value; unknown holes stay as they are.
pub fn fill(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (k, v) in vars {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_its_line_and_every_line_its_key() {
        for key in Text::ALL {
            assert!(line(*key).is_some(), "{key:?}: no `{}:` line", key.name());
        }
        for file in [TOOL_TEXTS, EDIT_TEXTS, SESSION_NOTES, PERMISSION_TEXTS] {
            for l in file.lines().filter(|l| !l.trim().is_empty()) {
                let (name, _) = l.split_once(": ").unwrap_or((l, ""));
                assert!(
                    Text::ALL
                        .iter()
                        .any(|k| k.name() == name && k.file() == file),
                    "the line `{name}` has no key"
                );
            }
        }
    }

    #[test]
    fn text_fills_holes() {
        let t = text(Text::UnknownTool, &[("name", "frob"), ("tools", "a, b")]);
        assert_eq!(t, "there is no tool named `frob`. The tools are: a, b.");
        assert_eq!(fill("{a} {b}", &[("a", "1")]), "1 {b}");
    }
}
