#!/bin/sh
# A git pre-commit hook: lint the staged Python files with ruff and let hone fix what it
# reports. Install: cp examples/pre-commit-hook.sh .git/hooks/pre-commit && chmod +x it.
#
# - The linter passes and nothing changed: the commit goes ahead (no model, no key needed).
# - hone fixed something: the commit stops so you can review (`git diff`) and `git add` it.
# - Diagnostics remain, the provider failed, or the linter could not run: the commit stops.
# Skip once with `HONE_SKIP=1 git commit …`. Other linters: change LINTER (a hone preset such
# as clippy, rustfmt, eslint, flake8, mypy, shellcheck) and PATTERN.
set -u

LINTER=${HONE_LINTER:-ruff}
PATTERN=${HONE_PATTERN:-*.py}

[ "${HONE_SKIP:-0}" = 1 ] && exit 0

# Staged files (added, copied, modified, renamed), one per line; names may hold spaces.
files=$(git diff --cached --name-only --diff-filter=ACMR -- "$PATTERN")
[ -z "$files" ] && exit 0

# Unstaged changes in those files would end up in hone's fix and not in the commit: refuse.
# Split on newlines only, without globbing: the positional parameters become the file names.
old_ifs=$IFS
IFS='
'
set -f
# shellcheck disable=SC2086
set -- $files
set +f
IFS=$old_ifs
if ! git diff --quiet -- "$@"; then
  echo "pre-commit: some staged files also have unstaged changes; stage or stash them first" >&2
  exit 1
fi

hone lint-fix --cmd "$LINTER" --max-rounds 2 "$@"
code=$?

if ! git diff --quiet -- "$@"; then
  echo "pre-commit: hone changed files to fix the linter's findings; review with \`git diff\`, then \`git add\` and commit again" >&2
  exit 1
fi
case $code in
  0) exit 0 ;;
  1) echo "pre-commit: diagnostics remain (see above)" >&2 ;;
  3) echo "pre-commit: the model provider failed; nothing was changed (HONE_SKIP=1 to commit anyway)" >&2 ;;
  4) echo "pre-commit: the lint command could not run" >&2 ;;
  *) echo "pre-commit: hone lint-fix exited with $code" >&2 ;;
esac
exit 1
