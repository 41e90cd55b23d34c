#!/usr/bin/env bash
# Whole-process timings of hone, repeatable: `hone --version`, and `hone -p` against a local mock
# server that answers at once (so the time is start-up + building and sending the request + a
# trivial answer: an upper bound on "start to the request leaving"), both run from inside a
# generated repository of 10,000 files, so any start-up work that scales with the repository
# shows. Also the release binary's size and the peak RSS of a `-p` run.
#
# Usage: scripts/bench.sh            (needs hyperfine and GNU time: apt-get install hyperfine time)
# Builds the release binary (slow on 2 cores the first time) and the mock_server example.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
command -v hyperfine >/dev/null || { echo "bench: hyperfine is missing (apt-get install hyperfine)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench: GNU time is missing (apt-get install time)" >&2; exit 1; }

cargo build --release --quiet --bin hone
cargo build --quiet --example mock_server
hone="$root/target/release/hone"

tmp=$(mktemp -d)
mock_pid=
cleanup() { [ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

# A repository of 10,000 small source files in 100 directories.
repo="$tmp/repo"
for d in $(seq -w 0 99); do
  mkdir -p "$repo/src/mod_$d"
  for f in $(seq -w 0 99); do
    printf 'pub fn f_%s_%s() -> u32 { %d }\n' "$d" "$f" "$((10#$f))" >"$repo/src/mod_$d/file_$f.rs"
  done
done
git -C "$repo" init -q && git -C "$repo" add -A && git -C "$repo" -c user.email=b@b -c user.name=bench commit -qm files
echo "repository: $(git -C "$repo" ls-files | wc -l) files in $repo"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$root/target/debug/examples/mock_server" "127.0.0.1:$port" --instant >"$tmp/mock.log" 2>&1 &
mock_pid=$!
for _ in $(seq 100); do grep -q "mock server on" "$tmp/mock.log" 2>/dev/null && break; sleep 0.05; done
url="http://127.0.0.1:$port/v1"

cd "$repo"
export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home/.config" NO_COLOR=1
mkdir -p "$XDG_CONFIG_HOME"
p_cmd="$hone --provider llamacpp --base-url $url -p hello"

echo
hyperfine -N --warmup 20 --runs 200 "$hone --version" --export-json "$tmp/version.json"
hyperfine -N --warmup 10 --runs 100 "$p_cmd" --export-json "$tmp/print.json"

rss_kb=$(/usr/bin/time -v $p_cmd 2>&1 >/dev/null | awk -F': ' '/Maximum resident set size/ {print $2}')
size=$(stat -c %s "$hone")
median() { python3 -c "import json,sys; print('%.2f' % (json.load(open(sys.argv[1]))['results'][0]['median'] * 1000))" "$1"; }
echo
echo "summary:"
echo "  hone --version median:      $(median "$tmp/version.json") ms   (target < 5 ms)"
echo "  hone -p (mock) median:      $(median "$tmp/print.json") ms   (target < 20 ms to the request leaving)"
echo "  release binary size:        $size bytes ($(python3 -c "print('%.2f MB, %.1f MiB' % ($size / 1e6, $size / 1048576))"); target < 15 MB)"
echo "  peak RSS of a -p run:       $((rss_kb / 1024)) MiB ($rss_kb KiB; target < 20 MB)"
