/**
 * CPU time of a process, read from /proc/<pid>/stat (Linux only): user plus system time, and for a
 * process whose children come and go (Postgres's backends) the time of the children it has reaped too,
 * so a backend that ended between two readings is still counted.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { descendants } from './proc-memory';

export interface CpuTicks {
  /** utime + stime of the process itself. */
  own: number;
  /** cutime + cstime: children it has waited for. */
  reaped: number;
}

/** Returns the CPU fields of a /proc/<pid>/stat line, or undefined when it cannot be parsed. */
export function parseStat(text: string): CpuTicks | undefined {
  // The name in parentheses may hold spaces and parentheses: the fields start after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // Field 3 (state) is fields[0]; utime, stime, cutime, cstime are fields 14-17.
  const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
  if ([utime, stime, cutime, cstime].some((v) => v === undefined || !Number.isFinite(v))) return undefined;
  return { own: utime! + stime!, reaped: cutime! + cstime! };
}

let ticksPerSecond: number | undefined;
const clockTicks = (): number => {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
};

const ticksOf = (pid: number): CpuTicks | undefined => {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
};

/** Returns the CPU seconds the process has used, or undefined once it has gone. */
export function processCpuSeconds(pid: number): number | undefined {
  const t = ticksOf(pid);
  return t === undefined ? undefined : t.own / clockTicks();
}

/**
 * Returns the CPU seconds of a process and everything under it: its own, its reaped children's and its
 * live descendants'. Undefined once the process has gone.
 */
export function familyCpuSeconds(pid: number): number | undefined {
  const root = ticksOf(pid);
  if (root === undefined) return undefined;
  const live = descendants(pid).reduce((n, child) => n + (ticksOf(child)?.own ?? 0), 0);
  return (root.own + root.reaped + live) / clockTicks();
}
