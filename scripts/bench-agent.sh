#!/usr/bin/env bash
# Peak memory and wall time of a whole `hone fix` session on a medium repository (300 generated
# source files in eight languages): twelve tool rounds (list, search, reads, two edits) and an
# answer, played by the mock server at once, so the figures are hone's own. Also runs the
# criterion bench of hone's per-round overhead.
#
# Usage: scripts/bench-agent.sh   (needs GNU time: apt-get install time)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
[ -x /usr/bin/time ] || { echo "bench: GNU time is missing (apt-get install time)" >&2; exit 1; }
cargo build --release --quiet --bin hone
cargo build --release --quiet --example mock_server --example gen_repo
hone="$root/target/release/hone"
tmp=$(mktemp -d)
mock_pid=
cleanup() { [ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

repo="$tmp/repo"
"$root/target/release/examples/gen_repo" "$repo" --files 300 >/dev/null
git -C "$repo" init -q && git -C "$repo" add -A && git -C "$repo" -c user.email=b@b -c user.name=bench commit -qm files
first=$(git -C "$repo" ls-files '*.py' | head -1)
second=$(git -C "$repo" ls-files '*.rs' | head -1)
line1=$(grep -m1 -E '^def ' "$repo/$first")
line2=$(grep -m1 -E '^pub fn ' "$repo/$second")
python3 - "$tmp/script.jsonl" "$first" "$second" "$line1" "$line2" <<'PY'
import json, sys
out, first, second, line1, line2 = sys.argv[1:]
calls = [("list_files", {}), ("search", {"pattern": "def |fn "}), ("read_file", {"path": first}),
         ("read_file", {"path": second}), ("search", {"pattern": "import", "glob": "*.py"})]
calls += [("read_file", {"path": first, "offset": 1, "limit": 20})] * 0
lines = [json.dumps({"calls": [{"name": n, "arguments": a}]}) for n, a in calls]
for i in range(5):
    lines.append(json.dumps({"calls": [{"name": "list_files", "arguments": {"pattern": f"**/*{i}*"}}]}))
lines.append(json.dumps({"calls": [{"name": "edit_file", "arguments": {"path": first, "old_string": line1, "new_string": line1 + "  # reviewed"}}]}))
lines.append(json.dumps({"calls": [{"name": "edit_file", "arguments": {"path": second, "old_string": line2, "new_string": "/// Reviewed.\n" + line2}}]}))
lines.append(json.dumps({"text": "Done: two functions marked as reviewed."}))
open(out, "w").write("\n".join(lines) + "\n")
PY
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$root/target/release/examples/mock_server" "127.0.0.1:$port" --script "$tmp/script.jsonl" >"$tmp/mock.log" 2>&1 &
mock_pid=$!
for _ in $(seq 100); do grep -q "mock server on" "$tmp/mock.log" 2>/dev/null && break; sleep 0.05; done

cd "$repo"
export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home/.config" XDG_STATE_HOME="$tmp/home/.local/state" NO_COLOR=1
/usr/bin/time -v "$hone" --provider llamacpp --base-url "http://127.0.0.1:$port/v1" fix "mark the first functions as reviewed" --yes \
  >"$tmp/out.txt" 2>"$tmp/err.txt"
rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/err.txt")
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$tmp/err.txt")
grep -q "two functions marked" "$tmp/out.txt" || { echo "bench: the session did not finish:"; cat "$tmp/err.txt"; exit 1; }
echo "hone fix, 12 tool rounds on a 300-file repository:"
echo "  peak RSS: $((rss_kb / 1024)) MiB ($rss_kb KiB; target < 30 MB)"
echo "  wall time: $wall (includes building the repo map)"
cd "$root"
XDG_STATE_HOME="$tmp/state" cargo bench --quiet --bench agent 2>&1 | grep -E "round trip|time:"
