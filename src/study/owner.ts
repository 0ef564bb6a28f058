/** Who runs a trial (pid + host identity) and whether that process still exists. */
import { hostname } from 'node:os';
import type { TrialOwner } from './storage.js';

/**
 * This machine's identity as a trial owner: `L2LAB_WORKER_ID` when set (so several processes on
 * one machine act as distinct hosts, as tests of several machines need), else `os.hostname()`.
 * Two machines must not share an identity: a pid is only checked against processes on the same host.
 */
export function workerHost(): string {
  const id = process.env.L2LAB_WORKER_ID?.trim();
  return id ? id : hostname();
}

/** This process as a trial owner. */
export function currentOwner(): TrialOwner {
  return { pid: process.pid, hostname: workerHost() };
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
export function isOwnerDeadHere(owner: TrialOwner, here: string = workerHost()): boolean {
  return owner.hostname === here && !isProcessAlive(owner.pid);
}
