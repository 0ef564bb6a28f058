/** `l2lab best`: a study's λ_min (and λ_1se) in the seed convention and the framework's units, with the noise reading; reads only. */
import { openLambdaService } from '../../ask/service.js';
import type { BestAnswer } from '../../ask/protocol.js';
import type { Command, ParsedValues } from '../command.js';
import type { CliFlag } from '../options.js';
import { flagsHelp, flagsTable, openStore, studyFlags, studyName } from '../ask-door.js';
import { pct, sig } from '../format.js';

const FLAGS: CliFlag[] = [...studyFlags(), { flag: 'json', doc: 'one JSON object {"best_lambda", "lambda_1se", "value", "convention", "noise", …}' }];

/** The answer as a few readable lines. */
function bestLines(b: BestAnswer): string[] {
  const t = b.trials;
  const noise = b.noise;
  return [
    `${b.study}: λ_min = ${sig(b.value)} ${b.convention} (seed λ = ${sig(b.best_lambda)}), validation loss ${sig(b.val_loss)}`,
    b.lambda_1se !== null && b.value_1se !== null ? `λ_1se = ${sig(b.value_1se)} ${b.convention} (seed λ = ${sig(b.lambda_1se)})` : 'λ_1se: none (each λ was evaluated once; ask with --strategy grid --repeats 3 for a standard error)',
    b.value_interval.high !== b.value_interval.low ? `interval: ${b.convention} from ${sig(Math.min(b.value_interval.low, b.value_interval.high))} to ${sig(Math.max(b.value_interval.low, b.value_interval.high))} (seed λ ${sig(b.lambda_interval.low)} to ${sig(b.lambda_interval.high)}) cannot be separated from λ_min (${b.lambda_interval.basis})` : `interval: λ_min alone (${b.lambda_interval.basis})`,
    ...(noise === null ? [] : noise.warning ? [`warning: ${noise.warning}`] : [`noise: validation losses scatter by about ±${pct(noise.relative_std)}; ${b.convention} from ${sig(noise.value_lo)} to ${sig(noise.value_hi)} (seed λ ${sig(noise.lambda_lo)} to ${sig(noise.lambda_hi)}) is predicted within that of the best`]),
    ...(b.warnings ?? []).map((w) => `warning: ${w}`),
    `trials: ${t.complete} complete, ${t.pruned} pruned, ${t.failed} failed, ${t.running} running or waiting`,
  ];
}

export const command: Command = {
  name: 'best',
  options: flagsTable(FLAGS),
  help: `Usage: l2lab best --study S [--storage F|URL] [--json]

The study's λ_min (and λ_1se where a λ was evaluated more than once) in the seed convention and in
the study's convention, with the noise reading. Reads only: it never creates a store.

Options:
${flagsHelp(FLAGS)}`,
  async run(v: ParsedValues) {
    const study = studyName(v, 'best');
    const service = await openLambdaService({ storage: await openStore(v.storage as string | undefined, false) });
    try {
      const b = await service.best(study);
      console.log(v.json === true ? JSON.stringify(b) : bestLines(b).join('\n'));
      return 0;
    } finally {
      await service.storage.close();
    }
  },
};
