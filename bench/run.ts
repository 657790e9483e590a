// `npm run bench`: runs every benchmark section in its own child process,
// prints one table, writes bench-results.json and, with --write-docs, the
// figures in docs/benchmark.md and README.md.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../src/config.js';
import { startContentionMeter } from './lib/contention.js';
import { benchmarkMarkers, readmeMarkers, replaceBetweenMarkers } from './lib/docs.js';
import { BenchOptionError, helpText, parseBenchOptions, type BenchOptions, type SectionName } from './lib/options.js';
import { describeMachine, loadWarning, machineLine, renderMarkdown, renderText, writeResults, type MachineInfo, type SectionReport } from './lib/report.js';
import { loadQuestions } from './lib/workload.js';
import { runSizes, type BenchContext, type SectionOutcome } from './sections/context.js';
import { runDiscordSection } from './sections/discord.js';
import { headlineLines, requiredResults } from './sections/headline.js';
import { runIngestSection } from './sections/ingest.js';
import { runQuerySection, runScaleSection } from './sections/query.js';
import { runLoadSection, runMemorySection } from './sections/serving.js';

/** Sections after ingest, with the titles used when one cannot run. */
const laterSections: Array<{ name: SectionName; titles: string[]; run: (context: BenchContext) => Promise<SectionOutcome | SectionOutcome[]> }> = [
  { name: 'query', titles: ['Query before the model'], run: runQuerySection },
  { name: 'scale', titles: ['Search at the synthetic size'], run: runScaleSection },
  { name: 'memory', titles: ['Memory of the serving process', 'Answer cache'], run: runMemorySection },
  { name: 'load', titles: ['Load'], run: runLoadSection },
  { name: 'discord', titles: ['Discord overhead'], run: runDiscordSection },
];

/** Runs the selected sections and returns their reports and results. */
async function runSections(context: BenchContext): Promise<{ reports: SectionReport[]; results: Record<string, unknown> }> {
  const reports: SectionReport[] = [];
  const results = requiredResults();
  const take = (outcome: SectionOutcome): void => {
    reports.push(outcome.report);
    for (const [key, value] of Object.entries(outcome.results)) results[key] = { ...(results[key] as object), ...(value as object) };
  };
  const skip = (titles: string[], reason: string, key: string): void => {
    for (const title of titles) reports.push({ title, rows: [], notes: [], notMeasured: reason });
    (results.notMeasured as Record<string, string>)[key] = reason;
  };

  // Every other section uses the index that ingest builds.
  const { sections } = context.options;
  try {
    for (const outcome of await runIngestSection(context, sections.includes('ingest'))) take(outcome);
  } catch (error) {
    const reason = describeError(error);
    skip(['Ingest'], reason, 'ingest');
    for (const section of laterSections) if (sections.includes(section.name)) skip(section.titles, `no index, because the ingest failed: ${reason}`, section.name);
    return { reports, results };
  }

  for (const section of laterSections) {
    if (!sections.includes(section.name)) continue;
    try {
      const outcome = await section.run(context);
      for (const part of Array.isArray(outcome) ? outcome : [outcome]) take(part);
    } catch (error) {
      skip(section.titles, describeError(error), section.name);
    }
  }
  return { reports, results };
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Writes the figures into docs/benchmark.md and the README's Performance section. */
function writeDocs(machine: MachineInfo, reports: SectionReport[], results: Record<string, unknown>): void {
  const flags = process.argv.slice(2).filter((arg) => arg !== '--write-docs');
  const command = `Command: \`npm run bench${flags.length > 0 ? ` -- ${flags.join(' ')}` : ''}\`.`;
  replaceBetweenMarkers(path.join(packageRoot, 'docs', 'benchmark.md'), benchmarkMarkers.start, benchmarkMarkers.end, `${command}\n\n${renderMarkdown(machine, reports)}`);
  const warning = loadWarning(machine);
  const readme = [machineLine(machine), ...(warning === undefined ? [] : [warning]), '', ...headlineLines(results)];
  replaceBetweenMarkers(path.join(packageRoot, 'README.md'), readmeMarkers.start, readmeMarkers.end, readme.join('\n'));
}

async function main(): Promise<void> {
  let options: BenchOptions | 'help';
  try {
    options = parseBenchOptions(process.argv.slice(2));
  } catch (error) {
    // parseArgs throws a TypeError for an unknown flag or a missing value.
    if (!(error instanceof BenchOptionError) && !(error instanceof TypeError)) throw error;
    console.error(`${error.message}\nRun \`npm run bench -- --help\` for the options.`);
    process.exitCode = 2;
    return;
  }
  if (options === 'help') {
    console.log(helpText);
    return;
  }

  const machine = describeMachine();
  const contention = startContentionMeter();
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'ragbot-bench-'));
  const cacheDir = path.join(packageRoot, 'data', 'bench-cache');
  mkdirSync(cacheDir, { recursive: true });
  const started = performance.now();
  const context: BenchContext = {
    options,
    sizes: runSizes(options.quick),
    workDir,
    cacheDir,
    questions: loadQuestions(options.questionsFile),
    indexes: new Map(),
    progress: (message) => console.error(`[bench ${Math.round((performance.now() - started) / 1000)}s] ${message}`),
  };
  context.progress(`${machineLine(machine)} Sections: ${options.sections.join(', ')}${options.quick ? ' (quick)' : ''}.`);

  try {
    const { reports, results } = await runSections(context);
    const others = contention();
    if (others !== undefined) machine.otherProcessesCores = Math.round(others * 100) / 100;
    const runMs = Math.round(performance.now() - started);

    console.log(renderText(machine, reports));
    console.log(`Total run time: ${Math.round(runMs / 1000)} s. Results: ${options.outFile}`);
    writeResults(options.outFile, { machine, runMs, quick: options.quick, dtypes: options.dtypes, ...results });
    if (options.writeDocs) {
      writeDocs(machine, reports, results);
      console.log('Wrote the figures into docs/benchmark.md and README.md.');
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

await main();
