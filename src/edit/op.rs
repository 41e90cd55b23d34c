//! The operations every edit format is parsed into. Paths are as the model wrote them (relative
//! to the workspace); nothing here touches the disk or checks the jail — [`crate::edit::plan`]
//! does both.

/// How many places a replacement must match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReplaceMode {
    /// Exactly one place (the default): two or more is an ambiguity error.
    #[default]
    Unique,
    /// Every place the first successful matching rule finds (at least one).
    All,
    /// Exactly this many places.
    Count(usize),
}

/// One change a model asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditOp {
    /// Replace `old` with `new` in the file. An empty `old` appends `new` at the end of the file.
    /// `anchor` (the text after `@@` in a `*** Begin Patch` chunk) picks, among several matches,
    /// the first one after the first line containing it.
    Replace {
        path: String,
        old: String,
        new: String,
        mode: ReplaceMode,
        anchor: Option<String>,
    },
    /// Create a file that does not exist (or is empty).
    Create { path: String, content: String },
    /// Replace a file's whole content, creating it if needed. An existing file keeps its line
    /// endings, BOM and final-newline convention.
    Overwrite { path: String, content: String },
    /// Delete a file.
    Delete { path: String },
    /// Move a file; the destination must not exist.
    Rename { from: String, to: String },
}

impl EditOp {
    /// A unique replacement with no anchor: the common case.
    pub fn replace(
        path: impl Into<String>,
        old: impl Into<String>,
        new: impl Into<String>,
    ) -> EditOp {
        EditOp::Replace {
            path: path.into(),
            old: old.into(),
            new: new.into(),
            mode: ReplaceMode::Unique,
            anchor: None,
        }
    }

    /// The path the operation is about (the source, for a rename).
    pub fn path(&self) -> &str {
        match self {
            EditOp::Replace { path, .. }
            | EditOp::Create { path, .. }
            | EditOp::Overwrite { path, .. }
            | EditOp::Delete { path } => path,
            EditOp::Rename { from, .. } => from,
        }
    }

    /// The verb used in error messages: "replace in src/a.rs".
    pub fn action(&self) -> &'static str {
        match self {
            EditOp::Replace { .. } => "replace in",
            EditOp::Create { .. } => "create",
            EditOp::Overwrite { .. } => "overwrite",
            EditOp::Delete { .. } => "delete",
            EditOp::Rename { .. } => "rename",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_and_action() {
        let op = EditOp::Rename {
            from: "a".into(),
            to: "b".into(),
        };
        assert_eq!((op.path(), op.action()), ("a", "rename"));
        let op = EditOp::replace("x.rs", "a", "b");
        assert_eq!((op.path(), op.action()), ("x.rs", "replace in"));
    }
}
