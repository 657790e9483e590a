#!/bin/sh
# Start script of the Docker image. Chooses writable folders for the index, the
# saved sessions and the model cache, then replaces itself with `ragbot serve`
# so that Node runs as PID 1 and receives SIGTERM directly.
set -eu

# A Space with persistent storage mounts /data, which survives restarts. Without
# it, the folder inside the container is used and is lost when it is replaced.
if [ -d /data ] && [ -w /data ]; then
  storage=/data
else
  storage=/app/var
fi

# Values set in the Space settings or with `docker run -e` win.
export DATA_DIR="${DATA_DIR:-$storage/ragbot}"
export MODELS_CACHE_DIR="${MODELS_CACHE_DIR:-$storage/models}"

# A folder that cannot be created here is reported by ragbot with the variable to change.
mkdir -p "$DATA_DIR" "$MODELS_CACHE_DIR" 2>/dev/null || true

exec node /app/bin/ragbot.js serve "$@"
