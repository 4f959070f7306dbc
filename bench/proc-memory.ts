/**
 * Memory of a process and its descendants, read from /proc (Linux only): VmRSS of each, and for a
 * family of processes sharing memory (Postgres's backends and its shared buffers) the sum of Pss too,
 * which counts a shared page once across them where a sum of RSS counts it in every process.
 */
import { readFileSync, readdirSync } from 'node:fs';

export interface ProcessMemory {
  pid: number;
  /** The kernel's name of the process (`/proc/<pid>/comm`): node, temporal, postgres, … */
  name: string;
  rssKb: number;
  /** Proportional set size; undefined where smaps_rollup cannot be read. */
  pssKb: number | undefined;
}

const read = (file: string): string | undefined => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

/** Returns the value in kB of a `Name:   123 kB` line, or undefined when the line is absent. */
export function kbField(text: string, field: string): number | undefined {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

/** Returns the process's memory, or undefined once it has gone. */
export function processMemory(pid: number): ProcessMemory | undefined {
  const status = read(`/proc/${pid}/status`);
  if (status === undefined) return undefined;
  const rollup = read(`/proc/${pid}/smaps_rollup`);
  return {
    pid,
    name: /^Name:\s+(.*)$/m.exec(status)?.[1] ?? '?',
    // A zombie has no VmRSS line: nothing resident.
    rssKb: kbField(status, 'VmRSS') ?? 0,
    pssKb: rollup === undefined ? undefined : kbField(rollup, 'Pss'),
  };
}

/** Returns the pids of every process under `pid` (children, their children, …), found by their parent. */
export function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = read(`/proc/${entry}/stat`);
    // The name in parentheses may hold spaces and parentheses itself: the fields start after the last ')'.
    const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields?.[1]) parentOf.set(Number(entry), Number(fields[1]));
  }
  const found: number[] = [];
  let frontier = [pid];
  while (frontier.length > 0) {
    const next = [...parentOf].filter(([, ppid]) => frontier.includes(ppid)).map(([child]) => child);
    found.push(...next);
    frontier = next;
  }
  return found;
}

export interface FamilyMemory {
  processes: number;
  rssKb: number;
  /** Sum of Pss: shared pages counted once; undefined when any member's could not be read. */
  pssKb: number | undefined;
}

/** Returns the memory of the processes among `all` whose name matches, added up; undefined when none does. */
export function familyMemory(all: readonly ProcessMemory[], name: RegExp): FamilyMemory | undefined {
  const members = all.filter((p) => name.test(p.name));
  if (members.length === 0) return undefined;
  const pss = members.map((p) => p.pssKb);
  return {
    processes: members.length,
    rssKb: members.reduce((n, p) => n + p.rssKb, 0),
    pssKb: pss.every((v) => v !== undefined) ? pss.reduce((n, v) => n + v!, 0) : undefined,
  };
}
