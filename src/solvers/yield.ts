/**
 * The longest stretch of solver work between two yields to the event loop: one solve on image rows
 * can take minutes, and a worker's heartbeats (keep-alive.ts) must keep going meanwhile, or another
 * worker takes its trial over and computes it again.
 */
const YIELD_EVERY_MS = 100;

/** A function to call between iterations: it yields to the event loop once YIELD_EVERY_MS have passed since the last yield. */
export function yielder(): () => Promise<void> {
  let yielded = performance.now();
  return async () => {
    if (performance.now() - yielded <= YIELD_EVERY_MS) return;
    await new Promise((resolve) => setImmediate(resolve));
    yielded = performance.now();
  };
}
