#!/usr/bin/env bash
# What the OS sandbox costs one command, with the release binary: the runner starts `sh -c true`
# with the sandbox off, and `hone __hone-sandbox … -- sh -c true` under workspace-write with the
# network denied (Landlock and seccomp, then exec). hyperfine runs each 100 times (no shell in
# between); the median of each and their difference are printed. Also the enforcement this
# kernel gives (`hone config`'s sandbox line). Target: under 5 ms a command.
#
# Usage: scripts/bench-sandbox.sh   (needs hyperfine: apt-get install hyperfine; builds the
# release binary, slow on 2 cores the first time)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
command -v hyperfine >/dev/null || { echo "bench: hyperfine is missing (apt-get install hyperfine)" >&2; exit 1; }
cargo build --release --quiet --bin hone
hone="$root/target/release/hone"
ws=$(mktemp -d)
trap 'rm -rf "$ws"' EXIT
cd "$ws"

wrapper=("$hone" __hone-sandbox mode=workspace-write network=denied "write=$ws" write=/tmp
  write=/dev/shm write=/dev/null write=/dev/zero write=/dev/full write=/dev/random
  write=/dev/urandom write=/dev/tty write=/dev/ptmx write=/dev/pts --)
hyperfine -N --warmup 10 --runs 100 --export-json "$ws/times.json" \
  -n off "sh -c true" \
  -n sandboxed "${wrapper[*]} sh -c true" >&2
python3 - "$ws/times.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
off, sb = r["off"]["median"] * 1000, r["sandboxed"]["median"] * 1000
print(f"median over 100 runs: off {off:.2f} ms, sandboxed {sb:.2f} ms, cost {sb - off:.2f} ms a command")
PY
"$hone" config | grep '^sandbox  '
