/**
 * The entry of a worker process that startLocalWorkers starts: tune() with the options its parent
 * passed (WORKER_OPTIONS_ENV), on the parent's study. It prints nothing (the parent reports the run;
 * a failure goes to the parent as `{ failed: message }`) and ends when its tune() does or when the parent goes.
 */
import { WORKER_OPTIONS_ENV } from './local-workers.js';
import { tune } from './tune.js';

process.once('disconnect', () => process.exit(0));
try {
  await tune(JSON.parse(process.env[WORKER_OPTIONS_ENV]!));
  process.exit(0);
} catch (e) {
  // The parent carries on without this worker (the trials it held return to the pool) and says why.
  const failed = e instanceof Error ? e.message : String(e);
  if (process.connected) process.send!({ failed }, () => process.exit(1));
  else process.exit(1);
}
