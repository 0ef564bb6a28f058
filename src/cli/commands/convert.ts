/** `l2lab convert`: translate an L2 constant between l2lab, Keras, PyTorch, AdamW, scikit-learn, glmnet and Bayes. */
import { formatNumber } from '../../util/format-number.js';
import { InvalidOptionError } from '../../errors.js';
import {
  CONVENTIONS,
  convert,
  convertAll,
  conversionJson,
  getConvention,
  type Conversion,
  type ConversionContext,
  type ConversionRow,
  type OptimizerKind,
} from '../../conventions/index.js';
import { NORMALIZATION_NOTE } from '../../conventions/normalization.js';
import { DEFAULTS } from '../../options/defaults.js';
import { OPTIMIZERS } from '../../options/names.js';
import { numberOption, requireOption, stringOption, type Command, type ParsedValues } from '../command.js';

const conventionList = CONVENTIONS.map((c) => `  ${c.id.padEnd(18)} ${c.symbol.padEnd(4)} ${c.parameter}`).join('\n');

const help = `Usage: l2lab convert --lambda X [--from A] [--to B|all] [--m M] [--batch-size B] [--lr η]
                     [--optimizer O] [--noise-precision β] [--json]

Translates an L2 constant between conventions, through l2lab's seed λ:
  cost = (1/m)·Σᵢ lossᵢ + (λ/2m)·Σⱼ θⱼ²   (weights only; per minibatch: gradient += (λ/m)·θ)

Example:
  l2lab convert --lambda 0.01 --from seed --to pytorch --m 50000
    → pytorch wd = 2e-7   (formula: wd = λ/m; exact)
  l2lab convert --lambda 1e-4 --from sklearn-mlp --batch-size 200 --m 60000 --optimizer adam

Options:
  --lambda X             the constant, in the --from convention's units (required)
  --from A               convention of X (default: ${DEFAULTS.convention})
  --to B                 target convention, or 'all' for a table of every convention (default: all)
  --m M                  training-set size; needed between summed and averaged objectives (default: none)
  --batch-size B         minibatch size, for sklearn-mlp (default: none; scikit-learn's 'auto' is min(200, m))
  --lr η                 learning rate, for composer's lr-free decay (default: none)
  --optimizer O          ${OPTIMIZERS.join(' | ')}: coupled L2 and decoupled decay match only
                         under sgd (default: none, so such conversions are flagged approximate)
  --noise-precision β    Gaussian noise precision, for bayes regression (default: 1)
  --json                 print one JSON object instead of text (default: false)

Conventions (id, symbol, where the value goes):
${conventionList}

See docs/conventions.md for each objective exactly as its framework writes it.`;

/** Six significant digits without trailing zeros; exponent form outside [0.001, 1e6): 2e-7, 0.01, 2.56e-5. */
function fmt(v: number): string {
  return formatNumber(v, { digits: 6, expAbove: 1e6, exponent: 'trim' });
}

function readContext(values: ParsedValues): ConversionContext {
  const optimizer = stringOption(values, 'optimizer');
  if (optimizer !== undefined && !(OPTIMIZERS as readonly string[]).includes(optimizer)) {
    throw new InvalidOptionError(`Unknown --optimizer '${optimizer}'. Known optimizers: ${OPTIMIZERS.join(', ')}.`);
  }
  return {
    m: numberOption(values, 'm', 'convert', '[1, ∞)'),
    batchSize: numberOption(values, 'batch-size', 'convert', '[1, ∞)'),
    lr: numberOption(values, 'lr', 'convert', '(0, ∞)'),
    noisePrecision: numberOption(values, 'noise-precision', 'convert', '(0, ∞)'),
    optimizer: optimizer as OptimizerKind | undefined,
  };
}

/** "m = 50000, B = 128, optimizer adam", or '' when nothing was given. */
function describeContext(ctx: ConversionContext): string {
  const parts = [
    ctx.m !== undefined ? `m = ${ctx.m}` : '',
    ctx.batchSize !== undefined ? `B = ${ctx.batchSize}` : '',
    ctx.lr !== undefined ? `lr = ${fmt(ctx.lr)}` : '',
    ctx.noisePrecision !== undefined ? `β = ${fmt(ctx.noisePrecision)}` : '',
    ctx.optimizer !== undefined ? `optimizer ${ctx.optimizer}` : '',
  ].filter((p) => p !== '');
  return parts.join(', ');
}

function printOne(lambda: number, c: Conversion, ctx: ConversionContext): void {
  const a = getConvention(c.from);
  const b = getConvention(c.to);
  const given = describeContext(ctx);
  console.log(`${a.id} ${a.symbol} = ${fmt(lambda)}  →  ${b.id} ${b.symbol} = ${fmt(c.value)}`);
  console.log(`formula: ${c.formula}${given ? `   (${given})` : ''}`);
  console.log(`exact: ${c.exact ? 'yes' : 'no (approximate)'}`);
  if (c.note) console.log(`note: ${c.note}`);
}

function printAll(lambda: number, from: string, rows: ConversionRow[], ctx: ConversionContext): void {
  const a = getConvention(from);
  const given = describeContext(ctx);
  console.log(`${a.id} ${a.symbol} = ${fmt(lambda)} in every convention${given ? ` (${given})` : ''}:\n`);
  const table = rows.map((r) => {
    const b = getConvention(r.to);
    return r.ok
      ? [b.id, b.symbol, fmt(r.conversion.value), r.conversion.exact ? 'yes' : 'no', r.conversion.formula]
      : [b.id, b.symbol, '—', '—', r.formula];
  });
  const header = ['convention', 'symbol', 'value', 'exact', 'formula'];
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  console.log(line(header));
  for (const row of table) console.log(line(row));
  // Sentences shared by every computed row (e.g. the source's own caveat) are printed once, above the rest;
  // "holds for every optimizer" only restates the exact column, so the table leaves it out.
  const split = (note: string): string[] =>
    note.split(/(?<=\.) (?=\S)/).filter((x) => x !== '' && !x.endsWith('so this holds for every optimizer.'));
  const sentences = new Map(rows.map((r) => [r.to, r.ok && r.to !== a.id ? split(r.conversion.note) : []]));
  const computed = rows.filter((r) => r.ok && r.to !== a.id).map((r) => sentences.get(r.to) ?? []);
  const common = computed.length > 1 ? (computed[0] ?? []).filter((x) => computed.every((list) => list.includes(x))) : [];
  const notes = rows
    .map((r) => {
      if (!r.ok) return `  ${r.to}: not computed — ${r.error}`;
      const own = (sentences.get(r.to) ?? []).filter((x) => !common.includes(x));
      return own.length > 0 ? `  ${r.to}: ${own.join(' ')}` : '';
    })
    .filter((n) => n !== '');
  if (common.length > 0) console.log(`\nall rows: ${common.join(' ')}`);
  if (notes.length > 0) console.log(`\nnotes:\n${notes.join('\n')}`);
}

/** What the conversions above no longer say for weights that feed a normalization layer (text output only: the JSON keeps its fields). */
function printNormalizationNote(): void {
  console.log(`\nnormalization:\n${NORMALIZATION_NOTE.join('\n')}`);
}

export const command: Command = {
  name: 'convert',
  help,
  options: {
    lambda: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    m: { type: 'string' },
    'batch-size': { type: 'string' },
    lr: { type: 'string' },
    optimizer: { type: 'string' },
    'noise-precision': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(values, positionals) {
    if (positionals.length > 0) {
      throw new InvalidOptionError(`'l2lab convert' takes no positional arguments; got '${positionals.join(' ')}'. Run 'l2lab convert --help' for an example.`);
    }
    requireOption(values, 'lambda', 'convert');
    const lambda = numberOption(values, 'lambda', 'convert', '[0, ∞)') as number;
    const from = stringOption(values, 'from') ?? DEFAULTS.convention;
    const to = stringOption(values, 'to') ?? 'all';
    const ctx = readContext(values);
    const json = values.json === true;

    if (to === 'all') {
      const rows = convertAll(lambda, from, ctx);
      if (json) {
        console.log(JSON.stringify({ lambda, from: getConvention(from).id, conversions: rows.map(conversionJson) }));
      } else {
        printAll(lambda, from, rows, ctx);
        printNormalizationNote();
      }
      return 0;
    }

    const c = convert(lambda, from, to, ctx);
    if (json) {
      console.log(JSON.stringify({ lambda, from: c.from, to: c.to, value: c.value, formula: c.formula, exact: c.exact, note: c.note }));
    } else {
      printOne(lambda, c, ctx);
      printNormalizationNote();
    }
    return 0;
  },
};
