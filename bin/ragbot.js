#!/usr/bin/env node
// Entry point of the `ragbot` command: runs the compiled CLI from dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cliPath = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (!existsSync(cliPath)) {
  console.error('ragbot is not built yet: run `npm run setup` (or `npm run build`) first.');
  process.exit(1);
}
await import(cliPath);
