/**
 * Tunes PyTorch's weight_decay from TypeScript: l2lab's LambdaService asks, reports and tells in
 * this process; each trial trains in a child PyTorch process (examples/pytorch_weight_decay.py's
 * worker, the same train_one as the Python and shell examples), which prints one JSON line per epoch
 * and reads back `prune` or `continue`.
 *
 *   node --import tsx examples/typescript-driver.ts [STORAGE] [STUDY]
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { openLambdaService, type AskedTrial, type LambdaService, type StudyContext } from 'l2lab';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pytorch_weight_decay.py');

/** The PyTorch loop's settings (SETTINGS in pytorch_weight_decay.py), with the weight_decay interval to search. */
const CONTEXT: StudyContext = {
  convention: 'pytorch',
  m: 4000,
  batch_size: 128,
  optimizer: 'momentum',
  lr: 0.05,
  momentum: 0.9,
  epochs: 4,
  log_range: { lo: 1e-4, hi: 1e-1, n: 4 },
  strategy: 'bayes',
  trials: 5,
};

/** One epoch as the worker prints it, or its last line. */
type WorkerLine =
  | { epoch: number; val_loss: number; train_loss: number; weight_sq_norm: number }
  | { done: true; pruned: boolean; epochs: number; val_loss: number; test_loss: number | null };

/** Trains one trial in a child process, reporting each epoch; tells how it ended. */
async function runTrial(service: LambdaService, study: string, trial: AskedTrial): Promise<string> {
  const child = spawn('/usr/bin/python3', [WORKER, 'worker', '--value', String(trial.value), '--epochs', String(trial.epochs)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  let reason: string | undefined;
  for await (const text of readline.createInterface({ input: child.stdout })) {
    const line = JSON.parse(text) as WorkerLine;
    if ('done' in line) {
      await exited;
      if (line.pruned) {
        await service.tell(study, { trial: trial.trial, state: 'pruned', reason });
        return `pruned at epoch ${line.epochs} (val loss ${line.val_loss.toFixed(4)})`;
      }
      await service.tell(study, { trial: trial.trial, val_loss: line.val_loss });
      return `val loss ${line.val_loss.toFixed(4)}  test loss ${line.test_loss?.toFixed(4)}`;
    }
    const answer = await service.report(study, { trial: trial.trial, ...line });
    if (answer.warning) console.error(`  warning: ${answer.warning}`);
    reason = answer.reason ?? undefined;
    child.stdin.write(answer.prune ? 'prune\n' : 'continue\n');
  }
  const code = await exited;
  await service.tell(study, { trial: trial.trial, state: 'failed', reason: `the PyTorch process exited with code ${code} before finishing` });
  return `failed (exit code ${code})`;
}

/** Asks until the strategy is done, training each trial in its own process. */
async function tune(service: LambdaService, study: string): Promise<void> {
  for (;;) {
    const asked = await service.ask(study, { context: CONTEXT });
    if (asked.trial === null) {
      if (asked.status === 'done') break;
      await new Promise((r) => setTimeout(r, (asked.retry_after ?? 5) * 1000));
      continue;
    }
    console.log(`trial ${asked.trial}: weight_decay ${asked.value.toPrecision(4)}  ${await runTrial(service, study, asked)}`);
  }
  const best = await service.best(study);
  console.log(`best weight_decay ${best.value.toPrecision(4)} (λ = ${best.best_lambda.toPrecision(4)}), val loss ${best.val_loss.toFixed(4)}`);
}

const [storagePath = './l2lab.db', study = 'typescript-weight-decay'] = process.argv.slice(2);
const service = await openLambdaService({ storage: storagePath });
try {
  await tune(service, study);
} finally {
  await service.close();
}
