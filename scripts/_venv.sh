# Sourced by scripts/dev and scripts/test: makes .venv with Python 3.11 and installs
# the pinned requirements whenever they changed since the last install.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

find_python() {
  for candidate in "${PYTHON:-}" python3.11 python3 python; do
    if [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
      echo "$candidate"
      return
    fi
  done
  echo "Podio needs Python 3.11 (set PYTHON=/path/to/python3.11)." >&2
  exit 1
}

if [ ! -x .venv/bin/python ]; then
  echo "Creating .venv ..."
  "$(find_python)" -m venv .venv
fi
stamp=.venv/.requirements.sha256
wanted=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "Installing the pinned requirements (the first time takes a few minutes) ..."
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
  echo "$wanted" >"$stamp"
fi
export PATH="$PWD/.venv/bin:$PATH"
