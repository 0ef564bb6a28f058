/** `l2lab inspect`: what a λ means for a model and dataset before training — penalty vs data loss at init, decay, conventions, a starting range. */
import { InvalidOptionError } from '../../errors.js';
import { inspect, type InspectOptions } from '../../explain/inspect.js';
import type { Command, ParsedValues } from '../command.js';
import { argsTable, optionHelp, readOptions, required, type CliFlag } from '../options.js';
import { isOnnxPath } from '../../onnx-import/import-model.js';
import { inspectImported } from '../../explain/inspect-imported.js';
import { formatImportedReport } from '../inspect-imported-format.js';
import { formatReport } from '../inspect-format.js';

const FLAGS: CliFlag[] = [{ flag: 'json', doc: 'print one JSON object instead of the report' }];

const help = `Usage: l2lab inspect --model M --data D --lambda X [options]

Explains λ before any training: the penalty expected at initialization (from the initializer's
variance, E‖W‖² = Σ fan_in·fan_out·Var) next to the one measured on the seeded initialization
'l2lab train' starts from, and next to the initial data loss; each weight's penalty gradient λθ/m;
the shrink per step 1 − ηλ/m and per epoch ≈ exp(−ηλ/B); the decay timescale B/(ηλ) epochs; λ in
every convention; and a starting range for λ from the constant-timescale rule (a heuristic).
With --model path/to/net.onnx (your own network): each initializer's penalty at the file's weights
and the data loss measured by running the graph on the training rows, with their ratio.

${optionHelp('inspect', FLAGS)}

Example: l2lab inspect --data mnist-10k --model mlp:256 --lambda 5 --lr 0.05 --optimizer momentum --epochs 30`;

function optionsFrom(v: ParsedValues): InspectOptions {
  const o = readOptions('inspect', v);
  return { ...o, data: required(o.data, 'data', 'inspect', 'wine'), model: required(o.model, 'model', 'inspect', 'mlp:32'), lambda: required(o.lambda, 'lambda', 'inspect', '0.01') };
}

export const command: Command = {
  name: 'inspect',
  help,
  options: argsTable('inspect', FLAGS),
  async run(v, positionals) {
    if (positionals.length > 0) throw new InvalidOptionError(`'l2lab inspect' takes no positional arguments; got '${positionals.join(' ')}'. Run 'l2lab inspect --help' for an example.`);
    const o = optionsFrom(v);
    if (isOnnxPath(o.model)) {
      const imported = await inspectImported(o);
      console.log(v.json === true ? JSON.stringify(imported) : formatImportedReport(imported));
      return 0;
    }
    const report = await inspect(o);
    console.log(v.json === true ? JSON.stringify(report) : formatReport(report));
    return 0;
  },
};
