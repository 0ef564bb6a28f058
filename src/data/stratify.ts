/** Shared by the splitters: samples grouped by class, and proportional integer shares of a total. */
import type { Rng } from '../util/rng.js';
import type { Dataset } from './dataset.js';

/** The indices of each class, each group shuffled; a single group when not stratifying (or for regression). */
export function shuffledGroups(data: Dataset, stratify: boolean, rng: Rng): Int32Array[] {
  if (!stratify || data.task === 'regression') return [rng.permutation(data.n)];
  const members: number[][] = data.classes.map(() => []);
  data.y.forEach((c, i) => members[c].push(i));
  return members.map((m) => {
    const p = rng.permutation(m.length);
    return Int32Array.from(p, (k) => m[k]);
  });
}

/**
 * Splits `total` into one integer share per group, proportional to `sizes` and each within 1 of its
 * exact share, never above `capacity[g]` (Hamilton's largest-remainder method).
 */
export function allocate(total: number, sizes: number[], capacity: number[]): number[] {
  const all = sizes.reduce((a, b) => a + b, 0);
  const quota = sizes.map((s) => (total * s) / all);
  const share = quota.map((q, g) => Math.min(Math.floor(q), capacity[g]));
  let left = total - share.reduce((a, b) => a + b, 0);
  const order = quota.map((q, g) => g).sort((a, b) => quota[b] - Math.floor(quota[b]) - (quota[a] - Math.floor(quota[a])) || a - b);
  // A second round only runs when capacities clipped the first.
  while (left > 0) {
    for (const g of order) {
      if (left > 0 && share[g] < capacity[g]) {
        share[g]++;
        left--;
      }
    }
  }
  return share;
}

/** The groups' slices [from[g], from[g] + count[g]) concatenated, then shuffled. */
export function take(groups: Int32Array[], from: number[], count: number[], rng: Rng): Int32Array {
  const out = new Int32Array(count.reduce((a, b) => a + b, 0));
  let k = 0;
  groups.forEach((g, i) => {
    out.set(g.subarray(from[i], from[i] + count[i]), k);
    k += count[i];
  });
  const p = rng.permutation(out.length);
  return Int32Array.from(p, (j) => out[j]);
}
