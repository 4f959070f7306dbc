import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { familyCpuSeconds, parseStat, processCpuSeconds } from './proc-cpu';

describe('parseStat', () => {
  it('reads utime+stime and cutime+cstime after a name holding spaces and parentheses', () => {
    const line = '4242 (postgres: a (b) c) S 1 4242 4242 0 -1 4194560 900 0 0 0 150 25 7 3 20 0 1 0 100 0 0';
    assert.deepEqual(parseStat(line), { own: 175, reaped: 10 });
  });

  it('answers undefined for a truncated line', () => {
    assert.equal(parseStat('4242 (node) S 1 4242'), undefined);
  });
});

describe('processCpuSeconds', () => {
  it('grows as much as this process burns CPU', () => {
    const before = processCpuSeconds(process.pid)!;
    // Burn 200 ms of CPU as Node itself counts it (wall time would depend on what else the machine runs).
    const used = process.cpuUsage();
    let x = 0;
    while (process.cpuUsage(used).user + process.cpuUsage(used).system < 200_000) x += Math.sqrt(x + 1);
    assert.ok(x > 0);
    const grown = processCpuSeconds(process.pid)! - before;
    // /proc counts in clock ticks (10 ms at 100 Hz).
    assert.ok(grown >= 0.15 && grown < 5, `grew ${grown} s`);
    // Own time first: read after it, the family's (own and children's) can only be as large or larger.
    const own = processCpuSeconds(process.pid)!;
    assert.ok(familyCpuSeconds(process.pid)! >= own);
  });

  it('answers undefined for a process that does not exist', () => {
    assert.equal(processCpuSeconds(2 ** 22 + 1), undefined);
  });
});
