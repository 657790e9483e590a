// CPU time that other processes used while the benchmark ran: the machine's
// busy time from /proc/stat minus this process's and its children's CPU time
// from /proc/self/stat. A shared machine makes every figure slower and noisier.
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc times (USER_HZ, `getconf CLK_TCK`), which is 100 on common Linux builds. */
const ticksPerSecond = 100;

/** Busy and own CPU time at one moment, in clock ticks. */
interface CpuSnapshot {
  machineBusy: number;
  own: number;
  at: number;
}

/** Reads the current snapshot, or undefined where /proc is missing. */
function snapshot(): CpuSnapshot | undefined {
  try {
    // cpu  user nice system idle iowait irq softirq steal ...
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    // Fields 14 to 17 of /proc/self/stat: utime, stime, and the CPU time of children that were waited for.
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const own = stat.slice(stat.lastIndexOf(')') + 2).split(' ').slice(11, 15).map(Number).reduce((sum, value) => sum + value, 0);
    return { machineBusy: user + nice + system + irq + softirq + steal, own, at: performance.now() };
  } catch {
    return undefined;
  }
}

/** Starts measuring; the returned function gives the average number of cores other processes kept busy since then. */
export function startContentionMeter(): () => number | undefined {
  const start = snapshot();
  return () => {
    const end = snapshot();
    if (start === undefined || end === undefined) return undefined;
    const seconds = (end.at - start.at) / 1000;
    if (seconds <= 0) return undefined;
    const othersTicks = end.machineBusy - start.machineBusy - (end.own - start.own);
    return Math.max(0, othersTicks / ticksPerSecond / seconds);
  };
}
