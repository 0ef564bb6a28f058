/** `l2lab`'s dispatcher: picks the command, imports it lazily, maps errors to messages and exit codes (src/cli/main.ts runs it). */
import { readFileSync } from 'node:fs';
import { L2labError } from '../errors.js';
import { parseCommandArgs, type Command } from './command.js';

/**
 * Each command with its one-line summary for `l2lab --help`; its module loads only when called, so
 * `l2lab convert` (and the top-level help) never pays for ONNX Runtime start-up.
 */
const COMMANDS: Record<string, { summary: string; load: () => Promise<{ command: Command }> }> = {
  ask: { summary: 'a λ to try in your own training loop (PyTorch, Keras, …): its value in your units, τ, when it may be pruned', load: () => import('./commands/ask.js') },
  atlas: { summary: 'measure the best λ over datasets × models × m × seeds, fit heuristics, compare strategies, write an HTML report', load: () => import('./commands/atlas.js') },
  best: { summary: "a study's λ_min and λ_1se in the seed convention and your framework's units, with the noise reading", load: () => import('./commands/best.js') },
  convert: { summary: 'translate an L2 constant between l2lab, Keras, PyTorch, AdamW, scikit-learn, glmnet and Bayesian conventions', load: () => import('./commands/convert.js') },
  dashboard: { summary: 'serve a read-only web dashboard of the studies (live while l2lab tune runs)', load: () => import('./commands/dashboard.js') },
  datasets: { summary: 'list the built-in datasets', load: () => import('./commands/datasets.js') },
  demo: { summary: 'train an MLP on mnist-10k and watch the data term and the L2 penalty', load: () => import('./commands/demo.js') },
  evaluate: { summary: 'score a saved model.onnx on the held-out rows of its data (or --all rows)', load: () => import('./commands/evaluate.js') },
  inspect: { summary: 'explain a λ before training: penalty vs data loss at init, shrink per step, timescale, conventions, a starting range', load: () => import('./commands/inspect.js') },
  report: { summary: 'report one epoch of a trial ask handed out; prints whether to prune it', load: () => import('./commands/report.js') },
  serve: { summary: 'the dashboard plus the ask/tell HTTP API: choose λ from your own training loop in any language', load: () => import('./commands/serve.js') },
  show: { summary: 'print one study (trials, λ_min, λ_1se) and optionally plot it', load: () => import('./commands/show.js') },
  studies: { summary: 'list the studies in a study store, with their best λ, or delete one (--delete NAME)', load: () => import('./commands/studies.js') },
  tell: { summary: 'end a trial ask handed out: its final validation loss, or pruned / failed', load: () => import('./commands/tell.js') },
  train: { summary: 'train one model with an L2 penalty; show the data term and the penalty apart', load: () => import('./commands/train.js') },
  tune: { summary: 'choose λ: grid + k-fold CV or hold-out, 1-SE rule, successive halving, Bayesian optimization, ridge, path, evidence', load: () => import('./commands/tune.js') },
};

function mainHelp(): string {
  return [
    'l2lab — which L2 regularization constant λ should I use, and why?',
    '',
    'Usage: l2lab <command> [options]     (l2lab <command> --help for its options; l2lab --version)',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(11)}${c.summary}`),
  ].join('\n');
}

/** The package's version, read from package.json (two levels up from src/cli and dist/cli alike). */
function version(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** Runs `l2lab ...argv` and returns the exit code; an error that is not an L2labError is thrown (a bug: node prints its stack). */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(mainHelp());
    return name === undefined ? 1 : 0;
  }
  if (name === '--version' || name === '-v') {
    console.log(version());
    return 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    console.error(`l2lab: unknown command '${name}'. Commands: ${Object.keys(COMMANDS).join(', ')}.`);
    return 2;
  }
  const { command } = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.help);
    return 0;
  }
  try {
    const { values, positionals } = parseCommandArgs(command, rest);
    return await command.run(values, positionals);
  } catch (e) {
    if (e instanceof L2labError) {
      console.error(`l2lab ${name}: error: ${e.message}`);
      return e.code === 'DIVERGED' || e.code === 'NOT_CONVERGED' ? 3 : 2;
    }
    throw e;
  }
}
