/** `l2lab`'s dispatcher: picks the command, imports it lazily, maps errors to messages and exit codes (src/cli/main.ts runs it). */
import { readFileSync } from 'node:fs';
import { L2labError } from '../errors.js';
import { parseCommandArgs, type Command } from './command.js';

/** Each command loads only when called, so `l2lab convert` never pays for ONNX Runtime start-up. */
const COMMANDS: Record<string, () => Promise<{ command: Command }>> = {
  atlas: () => import('./commands/atlas.js'),
  convert: () => import('./commands/convert.js'),
  dashboard: () => import('./commands/dashboard.js'),
  datasets: () => import('./commands/datasets.js'),
  demo: () => import('./commands/demo.js'),
  evaluate: () => import('./commands/evaluate.js'),
  inspect: () => import('./commands/inspect.js'),
  show: () => import('./commands/show.js'),
  studies: () => import('./commands/studies.js'),
  train: () => import('./commands/train.js'),
  tune: () => import('./commands/tune.js'),
};

function mainHelp(): string {
  return [
    'l2lab — which L2 regularization constant λ should I use, and why?',
    '',
    'Usage: l2lab <command> [options]     (l2lab <command> --help for its options; l2lab --version)',
    '',
    'Commands:',
    ...Object.keys(COMMANDS).map((n) => `  ${n}`),
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
  const load = COMMANDS[name];
  if (!load) {
    console.error(`l2lab: unknown command '${name}'. Commands: ${Object.keys(COMMANDS).join(', ')}.`);
    return 2;
  }
  const { command } = await load();
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
