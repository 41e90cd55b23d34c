#!/usr/bin/env bash
# The REPL's measurements (issue 6, section 6), through a pseudo-terminal: time to the first
# prompt in a generated repository of 10,000 source files (cold and warm index cache), RSS idle
# at the prompt, and RSS after a scripted 50-turn session with markdown, code blocks and edits.
# The model is a tiny SSE server inside scripts/bench-repl.py, on 127.0.0.1.
#
# Usage: scripts/bench-repl.sh        (needs python3; builds the release binary, slow the first time)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

cargo build --release --quiet --bin hone
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The same generator the context benchmarks use: 10,000 files in eight languages.
cargo run --quiet --example gen_repo -- "$tmp/repo" --files 10000 >/dev/null
git -C "$tmp/repo" init -q && git -C "$tmp/repo" add -A \
  && git -C "$tmp/repo" -c user.email=b@b -c user.name=bench commit -qm files
echo "repository: $(git -C "$tmp/repo" ls-files | wc -l) files; binary: $(($(stat -c %s target/release/hone) / 1024)) KiB"

mkdir -p "$tmp/home/.config"
python3 scripts/bench-repl.py "$root/target/release/hone" "$tmp/repo" "$tmp/home"
