/** A tiny benchmark harness: warm up, then time batches and report the median cost per call. */
export interface BenchResult {
  name: string;
  nsPerOp: number;
  opsPerSec: number;
}

/** Returns the median ns per call of fn over `batches` timed batches of `perBatch` calls. */
export function bench(name: string, fn: (i: number) => unknown, perBatch = 10_000, batches = 15): BenchResult {
  let sink = 0;
  for (let i = 0; i < perBatch; i++) sink ^= fn(i) ? 1 : 0; // warm-up: let the JIT settle
  const samples: number[] = [];
  for (let b = 0; b < batches; b++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < perBatch; i++) sink ^= fn(i) ? 1 : 0;
    samples.push(Number(process.hrtime.bigint() - start) / perBatch);
  }
  if (sink === 42) console.log(''); // keep the results observable so the calls are not optimised away
  samples.sort((a, b) => a - b);
  const ns = samples[Math.floor(samples.length / 2)]!;
  return { name, nsPerOp: ns, opsPerSec: 1e9 / ns };
}

/** Prints results beside their targets (in ms) and the headroom ratio target / measured. */
export function report(rows: { result: BenchResult; targetMs: number }[]): void {
  for (const { result, targetMs } of rows) {
    const us = result.nsPerOp / 1000;
    const headroom = (targetMs * 1e6) / result.nsPerOp;
    console.log(`${result.name.padEnd(48)} ${us.toFixed(3).padStart(10)} µs/call   target < ${targetMs} ms   headroom ×${Math.round(headroom).toLocaleString('en')}`);
  }
}
