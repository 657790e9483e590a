// Resident set size of the current process, in MB (2^20 bytes). On Linux the
// peak comes from the kernel's high-water mark (VmHWM), which sees every page
// the process ever held, native allocations included. Elsewhere a sampler
// polls `process.memoryUsage().rss` and can miss short spikes.
import { readFileSync } from 'node:fs';

const bytesPerMB = 1024 * 1024;

/** Returns the current RSS in MB. */
export function rssMB(): number {
  return process.memoryUsage().rss / bytesPerMB;
}

/** Reads a `Vm*` line of /proc/self/status in MB, or undefined when the file or line is missing. */
function readProcStatusMB(field: 'VmHWM' | 'VmRSS'): number | undefined {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Tracks the peak RSS of this process from the moment it is created. */
export class PeakRssTracker {
  private sampledPeak = rssMB();
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly kernelPeakAvailable = readProcStatusMB('VmHWM') !== undefined;

  /** Starts sampling every `intervalMs` when the kernel high-water mark is unavailable. */
  constructor(intervalMs = 20) {
    if (!this.kernelPeakAvailable) {
      this.timer = setInterval(() => this.sample(), intervalMs);
      this.timer.unref();
    }
  }

  /** Records the current RSS; call it at points where a spike is likely. */
  sample(): void {
    this.sampledPeak = Math.max(this.sampledPeak, rssMB());
  }

  /** Returns the peak RSS seen so far, in MB. */
  peakMB(): number {
    this.sample();
    return this.kernelPeakAvailable ? (readProcStatusMB('VmHWM') ?? this.sampledPeak) : this.sampledPeak;
  }

  /** Names the source of `peakMB` for the report. */
  method(): string {
    return this.kernelPeakAvailable ? 'VmHWM' : 'sampled rss';
  }

  /** Stops the sampler. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

/** Runs a full garbage collection when node was started with `--expose-gc`; returns whether it did. */
export function collectGarbage(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return false;
  gc();
  return true;
}
