/** Who runs a trial (pid + hostname) and whether that process still exists. */
import { hostname } from 'node:os';
import type { TrialOwner } from './storage.js';

/** This process as a trial owner. */
export function currentOwner(): TrialOwner {
  return { pid: process.pid, hostname: hostname() };
}

/**
 * Whether a process with this pid exists on this host: `process.kill(pid, 0)` sends no signal,
 * it only checks. ESRCH means gone; EPERM means it exists under another user. A pid can be reused
 * by an unrelated process, which is why stale heartbeats are also reclaimable.
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Whether a RUNNING trial's owner is certainly dead: it ran on this host and its pid no longer exists. */
export function isOwnerDeadHere(owner: TrialOwner, here: string = hostname()): boolean {
  return owner.hostname === here && !isProcessAlive(owner.pid);
}
