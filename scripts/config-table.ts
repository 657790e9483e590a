// Prints the README's configuration table, generated from
// src/service/config-reference.ts. With --write, replaces the table between the
// config-table markers in README.md instead.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../src/config.js';
import { configTableMarkdown } from '../src/service/config-reference.js';

const table = configTableMarkdown();

if (process.argv.includes('--write')) {
  const readmePath = path.join(packageRoot, 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const pattern = /(<!-- config-table:start -->\n)[\s\S]*?(<!-- config-table:end -->)/;
  if (!pattern.test(readme)) {
    console.error('README.md has no config-table markers; add <!-- config-table:start --> and <!-- config-table:end --> where the table goes.');
    process.exit(1);
  }
  writeFileSync(readmePath, readme.replace(pattern, `$1${table}\n$2`));
  console.log('Updated the configuration table in README.md.');
} else {
  console.log(table);
}
