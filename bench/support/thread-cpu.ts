/**
 * CPU time of one thread (this process's main thread) or of a whole process, from /proc (Linux).
 * Event-loop utilization would overstate it here: with three busy threads on two cores, a thread
 * that is runnable but descheduled still looks "active". /proc counts only time actually on a CPU.
 * Resolution is one clock tick (10 ms), so legs of a few seconds measure within ~1 %.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const ticksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** user + system CPU in µs, or undefined where /proc is not available. */
function cpuFromStat(path: string): number | undefined {
  try {
    const stat = readFileSync(path, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15 of stat(5).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) / ticksPerSecond) * 1e6;
  } catch {
    return undefined;
  }
}

export const mainThreadCpuUs = (): number | undefined => cpuFromStat(`/proc/self/task/${process.pid}/stat`);

export const processCpuUs = (pid: number): number | undefined => cpuFromStat(`/proc/${pid}/stat`);
