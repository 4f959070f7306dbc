/** Number formats the benchmark reports share. */

/** Returns n with thousands separators: 10,000. */
export const count = (n: number): string => n.toLocaleString('en');

/** Returns milliseconds as seconds: two decimals under 10 s, one above. */
export const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;

/** Returns a share as a whole percentage: 20%. */
export const percent = (x: number): string => `${(x * 100).toFixed(0)}%`;
