# ragbot for a Hugging Face Docker Space, or any Docker host.
# Build: docker build -t ragbot .    Run: docker run -p 7860:7860 --env-file .env ragbot
FROM node:20-bookworm-slim

WORKDIR /app
COPY . .

# Set-up as root, with the same script as the README: apt-installs FAISS, BLAS
# and a C++ toolchain, installs the npm packages, builds faiss-node against the
# system FAISS and compiles the TypeScript. Dev dependencies are dropped after
# the build; faiss-node keeps its compiled addon, which the check below loads.
RUN bash scripts/setup.sh \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
 && node -e 'require("faiss-node")' \
 && node bin/ragbot.js --help > /dev/null \
 && npm cache clean --force \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /app/var \
 && chown node:node /app/var

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=7860

# Spaces run containers as user 1000, which is `node` in this image.
USER node
EXPOSE 7860

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 7860) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# The start script chooses DATA_DIR and MODELS_CACHE_DIR, then execs `ragbot serve`.
ENTRYPOINT ["sh", "/app/scripts/docker-entrypoint.sh"]
