// Output of a benchmark run: the machine it ran on, one table row per figure
// (printed as text on stdout and as Markdown for the docs), and the JSON file.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import type { Summary } from './stats.js';

/** The machine and moment of a run, printed beside every figure. */
export interface MachineInfo {
  date: string;
  cores: number;
  cpuModel: string;
  memoryMB: number;
  node: string;
  platform: string;
  /** 1-minute load average when the run started. */
  loadAverageStart: number;
  /** Average cores that other processes kept busy during the run; a busy machine makes figures noisy. */
  otherProcessesCores?: number;
}

/** Describes this machine now. */
export function describeMachine(): MachineInfo {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    cores: os.availableParallelism(),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryMB: Math.round(os.totalmem() / (1024 * 1024)),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverageStart: round2(os.loadavg()[0] ?? 0),
  };
}

/** Share of the cores that other processes may use before the figures get a warning. */
const busyShare = 0.1;

/** Returns a sentence about machine load when other processes used more than a tenth of the cores during the run. */
export function loadWarning(machine: MachineInfo): string | undefined {
  const others = machine.otherProcessesCores;
  if (others === undefined || others <= machine.cores * busyShare) return undefined;
  return `Other processes kept ${others.toFixed(2)} of the ${machine.cores} cores busy on average during this run, so these figures are noisier and slower than on an idle machine.`;
}

/** One figure of the report; `met` is set when the figure has a target. */
export interface ReportRow {
  figure: string;
  value: string;
  target?: string;
  met?: boolean;
}

/** The rows of one section, or the reason it was not measured. */
export interface SectionReport {
  title: string;
  rows: ReportRow[];
  notes: string[];
  notMeasured?: string;
}

/** Formats milliseconds: two decimals below 1 ms, one below 10 ms, whole numbers up to 10 s, then seconds. */
export function formatMs(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return 'n/a';
  if (value < 1) return `${value.toFixed(2)} ms`;
  if (value < 10) return `${value.toFixed(1)} ms`;
  if (value < 10_000) return `${Math.round(value)} ms`;
  return `${(value / 1000).toFixed(1)} s`;
}

/** Formats a latency summary as `p50 / p95`. */
export function formatLatency(summary: Summary | undefined): string {
  return summary === undefined ? 'n/a' : `${formatMs(summary.p50)} / ${formatMs(summary.p95)}`;
}

/** Formats megabytes as a whole number. */
export function formatMB(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? 'n/a' : `${Math.round(value)} MB`;
}

/** Formats a ratio with two decimals, e.g. `0.82x`. */
export function formatRatio(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? 'n/a' : `${value.toFixed(2)}x`;
}

/** Formats a share from 0 to 1 as a percentage with one decimal. */
export function formatPercent(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? 'n/a' : `${(value * 100).toFixed(1)}%`;
}

/** Renders the sections as plain-text tables for a terminal. */
export function renderText(machine: MachineInfo, sections: SectionReport[]): string {
  const lines: string[] = [machineLine(machine), ''];
  for (const section of sections) {
    lines.push(section.title);
    if (section.notMeasured !== undefined) {
      lines.push(`  not measured: ${section.notMeasured}`, '');
      continue;
    }
    const width = Math.max(...section.rows.map((row) => row.figure.length), 10);
    const valueWidth = Math.max(...section.rows.map((row) => row.value.length), 5);
    for (const row of section.rows) {
      const target = row.target === undefined ? '' : `  target ${row.target}: ${row.met ? 'met' : 'MISSED'}`;
      lines.push(`  ${row.figure.padEnd(width)}  ${row.value.padEnd(valueWidth)}${target}`.trimEnd());
    }
    for (const note of section.notes) lines.push(`  - ${note}`);
    lines.push('');
  }
  const warning = loadWarning(machine);
  if (warning !== undefined) lines.push(`WARNING: ${warning}`);
  return lines.join('\n');
}

/** Renders the sections as Markdown tables for docs/benchmark.md. */
export function renderMarkdown(machine: MachineInfo, sections: SectionReport[]): string {
  const lines: string[] = [`${machineLine(machine)}`, ''];
  const warning = loadWarning(machine);
  if (warning !== undefined) lines.push(`> ${warning}`, '');
  for (const section of sections) {
    lines.push(`### ${section.title}`, '');
    if (section.notMeasured !== undefined) {
      lines.push(`Not measured: ${section.notMeasured}`, '');
      continue;
    }
    lines.push('| Figure | Value | Target |', '| --- | --- | --- |');
    for (const row of section.rows) {
      const target = row.target === undefined ? '' : `${row.target} (${row.met ? 'met' : '**missed**'})`;
      lines.push(`| ${row.figure} | ${row.value} | ${target} |`);
    }
    if (section.notes.length > 0) lines.push('', ...section.notes.map((note) => `- ${note}`));
    lines.push('');
  }
  return lines.join('\n');
}

/** Returns one line naming the machine and the date. */
export function machineLine(machine: MachineInfo): string {
  return `Run of ${machine.date.slice(0, 16).replace('T', ' ')} UTC on ${machine.cores} cores (${machine.cpuModel}), ${formatMB(machine.memoryMB)} RAM, Node ${machine.node}, ${machine.platform}.`;
}

/** Writes the JSON results; NaN figures become null. */
export function writeResults(file: string, results: unknown): void {
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
