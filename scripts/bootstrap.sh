#!/usr/bin/env bash
# Installs everything the project needs on a fresh machine of this kind, and nothing twice:
# Debian packages (CJK fonts, Chromium for browser tests, faketime for CI), Python 3.12 venv from uv.lock,
# npm packages copied into static files. Re-running it is quick.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
fc-list 2>/dev/null | grep -i "noto sans cjk" >/dev/null || need_apt+=(fonts-noto-cjk)  # not -q: with pipefail, grep quitting early fails the pipe
command -v chromium >/dev/null || need_apt+=(chromium)
command -v faketime >/dev/null || need_apt+=(faketime)  # CI runs the date-sensitive tests at a future date
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "==> apt-get install ${need_apt[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "warning: please install ${need_apt[*]} (apt-get) for PDFs and browser tests" >&2
  fi
fi

find_python() {
  for candidate in python3.13 python3.12; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; assert sys.version_info >= (3, 12)' 2>/dev/null; then
      command -v "$candidate"; return
    fi
  done
  if command -v pyenv >/dev/null; then
    for version in $(pyenv versions --bare | grep -E '^3\.(1[2-9])' | sort -rV); do
      echo "$(pyenv prefix "$version")/bin/python3"; return
    done
  fi
  echo "error: Python >= 3.12 not found (install it, or pyenv install 3.12)" >&2; exit 1
}

if [ ! -x .tools/bin/uv ]; then
  python=$(find_python)
  echo "==> tools venv with uv ($python)"
  "$python" -m venv .tools
  .tools/bin/pip install -q uv
fi
python=$(.tools/bin/python -c 'import sys; print(sys.executable)')
# Bytecode compiled at install: no per-run compile cost, and jieba's old regex warnings stay out of the logs.
UV_PYTHON="$python" .tools/bin/uv sync --frozen --quiet --compile-bytecode

if [ package-lock.json -nt node_modules/.package-lock.json ] || [ ! -d node_modules ]; then
  echo "==> npm ci"
  npm ci --no-audit --no-fund --silent
fi
mkdir -p tongban/static/vendor var
cp node_modules/htmx.org/dist/htmx.min.js tongban/static/vendor/htmx.min.js
