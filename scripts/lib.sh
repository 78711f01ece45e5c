# Shared by start.sh, test.sh and bench.sh: dependencies, PostgreSQL, schema.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export NEXT_TELEMETRY_DISABLED=1
export PATH="$ROOT/node_modules/.bin:$PATH"

log() { printf '\033[1m[beamline]\033[0m %s\n' "$*"; }

require_node() {
  local major
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$major" -lt 20 ]; then
    echo "Node.js 20 or newer is required (found: $(node --version 2>/dev/null || echo none))." >&2
    exit 1
  fi
}

# System packages: PyTorch for the model zoo, Chromium for browser tests, Slurm for the Slurm trainer.
ensure_apt() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ]; then
    log "installing ${missing[*]} (apt)"
    apt-get -o DPkg::Lock::Timeout=900 update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Missing system packages: ${missing[*]}" >&2
    echo "Install them with: sudo apt-get install --no-install-recommends ${missing[*]}" >&2
    return 1
  fi
}

ensure_node_modules() {
  if [ ! -d node_modules/next ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "installing npm dependencies (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

# Starts the project's own PostgreSQL under $1 on port $2 unless DATABASE_URL is set; exports DATABASE_URL.
ensure_database() {
  if [ -n "${DATABASE_URL:-}" ]; then
    OWN_DATABASE=0
  else
    log "starting PostgreSQL under $1"
    DATABASE_URL=$(tsx scripts/postgres.ts start --dir "$1" --port "$2" | tail -1)
    export DATABASE_URL
    OWN_DATABASE=1
  fi
}

migrate() {
  [ -f lib/generated/prisma/client.ts ] || prisma generate >/dev/null
  prisma migrate deploy >/dev/null
}
