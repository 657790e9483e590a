#!/usr/bin/env bash
# One-step set-up for a fresh Debian or Ubuntu machine with only the npm
# registry and the apt archive reachable. Safe to run again: each step
# checks what is already there first.
set -euo pipefail

cd "$(dirname "$0")/.."
root_dir=$(pwd)

step() { printf '\n==> %s\n' "$*"; }
fail() { printf '\nsetup failed: %s\n' "$*" >&2; exit 1; }

# 1. Node.js version
step "Checking Node.js"
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null) || fail "node is not installed; install Node.js 20 or later"
[ "$node_major" -ge 20 ] || fail "Node.js $node_major found; ragbot needs Node.js 20 or later"
echo "node $(node -v), npm $(npm -v)"

# 2. System packages: FAISS and BLAS for faiss-node, a C++ toolchain to build it
step "Checking system packages"
apt_packages=(libfaiss-dev libopenblas-dev cmake g++ make patchelf)
missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "all present: ${apt_packages[*]}"
else
  echo "installing: ${missing[*]}"
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || fail "missing packages ${missing[*]} and no sudo; install them as root with apt-get"
    sudo_cmd=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq || fail "apt-get update failed; check that the apt archive is reachable"
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    || fail "apt-get install ${missing[*]} failed"
fi

# 3. npm packages. Install scripts are skipped here because faiss-node's would
# download from GitHub; the packages that need theirs are rebuilt just after.
step "Installing npm packages"
lock_stamp=node_modules/.ragbot-lock-hash
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$lock_stamp" ] && [ "$(cat "$lock_stamp")" = "$lock_hash" ]; then
  echo "node_modules matches package-lock.json"
else
  npm ci --ignore-scripts --no-audit --no-fund || fail "npm ci failed"
  npm rebuild esbuild protobufjs onnxruntime-node || fail "npm rebuild of native packages failed"
  echo "$lock_hash" > "$lock_stamp"
fi

# 4. faiss-node against the system FAISS, through a shim for its deps/faiss target
step "Building faiss-node against the system FAISS"
faiss_dir=node_modules/faiss-node
if node -e 'require("faiss-node")' 2>/dev/null; then
  echo "faiss-node already built"
else
  rm -rf "$faiss_dir/deps/faiss"
  mkdir -p "$faiss_dir/deps"
  cp -r scripts/faiss-shim "$faiss_dir/deps/faiss"
  (cd "$faiss_dir" && "$root_dir/node_modules/.bin/cmake-js" compile --log-level warn) \
    || fail "faiss-node build failed; see the compiler output above"
  node -e 'const { IndexFlatIP } = require("faiss-node"); const i = new IndexFlatIP(2); i.add([1, 0]); if (i.search([1, 0], 1).labels[0] !== 0) process.exit(1)' \
    || fail "faiss-node was built but a test search failed"
  echo "faiss-node built and checked"
fi

# 5. TypeScript build for the ragbot command
step "Compiling TypeScript"
npm run --silent build || fail "TypeScript compilation failed"

step "Done. Try: npx ragbot --help"
