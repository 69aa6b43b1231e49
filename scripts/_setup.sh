# Shared by scripts/start and scripts/test: make this machine able to run the project.
# Installs the Debian packages it needs (as root, or through sudo), then a virtualenv with
# the pinned requirements. Each step is skipped when already done.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "Need root (or sudo) to install: $*" >&2; return 1; fi
}

need_debs() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "==> Installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# Python 3.11 with venv; WeasyPrint's Pango; sqlite3 for backups; fonts for PDFs.
PY="${PYTHON:-python3.11}"
command -v "$PY" >/dev/null || PY=python3
need_debs libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core sqlite3
if ! "$PY" -c "import venv, ensurepip" 2>/dev/null; then need_debs python3-venv; fi

if [ ! -x .venv/bin/python ]; then
  echo "==> Creating the virtualenv (.venv)"
  "$PY" -m venv .venv
fi
REQ_HASH="$(sha256sum requirements.txt | cut -d' ' -f1)"
if [ "$(cat .venv/.requirements.sha256 2>/dev/null)" != "$REQ_HASH" ]; then
  echo "==> Installing Python requirements"
  .venv/bin/pip install -q --upgrade pip >/dev/null
  .venv/bin/pip install -q -r requirements.txt
  echo "$REQ_HASH" > .venv/.requirements.sha256
fi
.venv/bin/pybabel compile -d translations >/dev/null
export FLASK_APP=app
