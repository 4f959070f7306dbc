import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { it } from 'node:test';
import { descendants, familyMemory, kbField, processMemory } from './proc-memory';

it('reads a kB field by its exact name', () => {
  const status = 'Name:\tpostgres\nVmRSSx:\t1 kB\nVmRSS:\t   2048 kB\nRssAnon:\t100 kB\n';
  assert.equal(kbField(status, 'VmRSS'), 2048);
  assert.equal(kbField(status, 'VmSwap'), undefined);
});

it('adds up a family by name, and gives no PSS sum when one member has none', () => {
  const procs = [
    { pid: 1, name: 'postgres', rssKb: 100, pssKb: 40 },
    { pid: 2, name: 'postgres', rssKb: 50, pssKb: 10 },
    { pid: 3, name: 'temporal', rssKb: 900, pssKb: undefined },
  ];
  assert.deepEqual(familyMemory(procs, /^postgres$/), { processes: 2, rssKb: 150, pssKb: 50 });
  assert.deepEqual(familyMemory(procs, /^temporal$/), { processes: 1, rssKb: 900, pssKb: undefined });
  assert.equal(familyMemory(procs, /^node$/), undefined);
});

it('finds a child and its child under this process, and reads their memory', async () => {
  const child = spawn('sh', ['-c', 'sleep 30 & wait'], { stdio: 'ignore' });
  try {
    let found: number[] = [];
    for (let i = 0; i < 50 && found.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 20));
      found = descendants(process.pid).filter(
        (pid) => pid === child.pid || processMemory(pid)?.name === 'sleep',
      );
    }
    assert.ok(found.includes(child.pid!));
    const sleeper = found.find((pid) => pid !== child.pid)!;
    assert.equal(processMemory(sleeper)?.name, 'sleep');
    assert.ok(processMemory(process.pid)!.rssKb > 10_000, 'node itself holds more than 10 MB');
    process.kill(sleeper, 'SIGKILL');
    child.kill('SIGKILL');
    await once(child, 'exit');
    // Gone once reaped; its parent was, so this pid's entry is no longer the shell's child.
    assert.ok(!descendants(process.pid).includes(child.pid!));
  } finally {
    child.kill('SIGKILL');
  }
});
