/** `l2lab atlas SPEC.json`: tune every cell of an atlas spec (resuming what the store holds), then write the report. */
import { analyzeAtlas, loadAtlasSpec, nominalGridCost, planAtlas, runAtlas, writeAtlasReport, type AtlasAnalysis, type CellEvent, type ReportFiles, type StrategyOutcomeRecord } from '../../atlas/index.js';
import { InvalidOptionError } from '../../errors.js';
import { numberOption, stringOption, type Command } from '../command.js';
import { fmt, table } from '../format.js';
import { ProgressLine } from '../progress-line.js';
import { waitLine } from '../wait-line.js';
import { checkValue, optionOf } from '../../options/index.js';
import { checkOutputDir } from '../../util/output-file.js';

const OPTIONS = {
  storage: { type: 'string' },
  out: { type: 'string' },
  plan: { type: 'boolean' },
  'report-only': { type: 'boolean' },
  'retry-failed': { type: 'boolean' },
  cells: { type: 'string' },
  threads: { type: 'string' },
  'heartbeat-timeout': { type: 'string' },
  quiet: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

function short(r: StrategyOutcomeRecord | undefined): string {
  if (!r) return '';
  if (r.status === 'done') return `${r.strategy} λ=${fmt(r.best_lambda ?? NaN, 3)} test ${fmt(r.test_loss ?? NaN, 4)}`;
  return `${r.strategy} ${r.status}`;
}

function progressLine(e: CellEvent): string {
  const sources = Object.values(e.sources);
  const src = sources.every((s) => s === 'store') ? ' (from the store)' : sources.every((s) => s === 'store' || s === 'results') ? ' (from the results file)' : sources.includes('elsewhere') ? ' (by another worker)' : '';
  return `[${e.index + 1}/${e.total}] ${e.cell.id} (P=${e.cell.params.toLocaleString('en-US')})  ${Object.values(e.results).map(short).join(' · ')}  ${e.seconds.toFixed(1)} s${src}`;
}

/** The --cells filter: a regular expression on the cell id, checked before anything runs. */
function cellFilter(pattern: string | undefined): ((cell: { id: string }) => boolean) | undefined {
  if (pattern === undefined) return undefined;
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch (e) {
    throw new InvalidOptionError(`The '--cells' option of atlas must be a regular expression on cell ids such as 'mlp:16/m=1000/seed=0'. Got '${pattern}' instead: ${(e as Error).message}.`);
  }
  return (cell) => re.test(cell.id);
}

export const command: Command = {
  name: 'atlas',
  options: OPTIONS,
  help: `Usage: l2lab atlas SPEC.json [options]

Tunes every cell (dataset × model × training-set size m × seed) of the spec by each of its
strategies (grid-CV is the reference; evidence and sh are compared against it), keeping every trial
and each cell's summary in the study store, then writes index.html, CSVs and atlas.json to the
output directory. Re-running the same command resumes: finished cells are read back, not retrained.
The same command started on several machines with one postgres:// --storage shares the cells;
one of them writes the report. Specs: atlas/smoke.json (seconds), atlas/default.json (about an hour on 2 cores),
atlas/scale.json (10⁴ to 10⁷ parameters, ≤ 14 CPU-hours; its results file travels with the
repository), atlas/large.json.
See docs/atlas.md for the spec format.

Options:
  --storage PATH     study store (SQLite path or postgres:// URL)   default: the spec's "storage"
  --out DIR          report directory                                default: the spec's "out"
  --plan             list the cells (parameters, nominal grid cost) and exit without training
  --report-only      write the report from what the store holds; train nothing
  --retry-failed     re-run (cell, strategy) pairs stored as failed
  --cells REGEX      compute only the cells whose id (dataset/model/m=…/seed=…) matches; the others
                     are read from the store or results file, or reported missing   default: all
  --threads N        engine threads per training run                 default: the spec's, else ONNX Runtime's
  --heartbeat-timeout S  seconds a worker's cell may go without a heartbeat before another
                     worker runs it                                  default: 60
  --quiet            no per-cell progress lines
  --json             print the analysis summary as JSON at the end`,
  async run(values, positionals) {
    if (positionals.length !== 1) throw new InvalidOptionError(`'l2lab atlas' takes one spec file, e.g. 'l2lab atlas atlas/smoke.json'. Got ${positionals.length === 0 ? 'none' : positionals.join(' ')}.`);
    const spec = loadAtlasSpec(positionals[0]);
    const storage = stringOption(values, 'storage') ?? spec.storage;
    const out = stringOption(values, 'out') ?? spec.out;
    const threads = numberOption(values, 'threads', 'atlas', 'integers [1, cores]'); // a number at all; its range is checked below
    if (threads !== undefined) checkValue(optionOf('tune', 'threads')!, threads, 'atlas');
    const heartbeatTimeout = numberOption(values, 'heartbeat-timeout', 'atlas', '(0, ∞) seconds');
    const select = cellFilter(stringOption(values, 'cells'));
    if (values.plan === true) {
      const cells = planAtlas(spec).cells.filter((c) => select?.(c) ?? true);
      const rows = cells.map((c) => [c.id, c.params.toLocaleString('en-US'), String(c.units), String(c.testRows), 'folds' in c.validation ? `${c.validation.folds}-fold` : `holdout ${c.validation.holdout}`, nominalGridCost(c).toLocaleString('en-US')]);
      console.log(table(['cell', 'params', 'units', 'test rows', 'scheme', 'grid sample grads'], rows));
      const total = cells.reduce((s, c) => s + nominalGridCost(c), 0);
      const work = cells.reduce((s, c) => s + nominalGridCost(c) * c.params, 0);
      console.log(`\n${cells.length} cells × ${spec.strategies.length} strategies (${spec.strategies.map((s) => s.name).join(', ')}); grid-CV alone: ${total.toLocaleString('en-US')} sample gradients, ${work.toExponential(2)} sample-gradient × parameter.`);
      return 0;
    }
    checkOutputDir(out, '--out');
    const quiet = values.quiet === true;
    let files: ReportFiles | undefined;
    let analysis: AtlasAnalysis | undefined;
    const progress = new ProgressLine();
    const run = await runAtlas(spec, {
      storage,
      threads,
      heartbeatTimeout,
      compute: values['report-only'] !== true,
      retryFailed: values['retry-failed'] === true,
      select,
      onStrategyStart: quiet
        ? undefined
        : (e) => {
            progress.end();
            process.stderr.write(`[${e.index + 1}/${e.total}] ${e.cell.id}: ${e.strategy}…\n`);
          },
      onProgress: quiet ? undefined : progress.onProgress,
      onCell: quiet
        ? undefined
        : (e) => {
            progress.end();
            console.log(progressLine(e));
          },
      onWarning: (message) => {
        progress.end();
        process.stderr.write(`warning: ${message}\n`);
      },
      onWait: (e) => {
        progress.end();
        process.stderr.write(`${waitLine(e)}\n`);
      },
      report: async (r) => {
        analysis = analyzeAtlas(r);
        files = await writeAtlasReport(r, analysis, out);
      },
    });
    progress.end();
    analysis ??= analyzeAtlas(run);
    const missing = run.cells.flatMap((c) => Object.values(c.results)).filter((r) => r && r.status === 'missing');
    if (values.json === true) {
      console.log(
        JSON.stringify(
          {
            report: files?.html ?? null,
            report_written_by: run.reportWrittenBy,
            complete: run.complete,
            cells: run.cells.length,
            heuristics: analysis.heuristics.map((h) => ({ id: h.heuristic.id, reading: h.reading, loso_within2: h.bySetting.within2, lodo_within2: h.byDataset.within2 })),
            comparisons: analysis.comparisons.map((c) => ({ strategy: c.candidate, compared: c.compared, both_ok: c.bothOk, failures: c.failures.map((f) => ({ cell: f.cell, reasons: f.reasons })) })),
          },
          null,
          2,
        ),
      );
    } else {
      const best = analysis.heuristics[0];
      if (files) console.log(`\nreport: ${files.html} (CSV and atlas.json beside it)`);
      else console.log(`\nreport: written by the worker ${run.reportWrittenBy} to its --out ${out}`);
      if (best) console.log(`best heuristic on held-out settings: ${best.heuristic.name}: ${best.reading}, ${best.bySetting.within2 === null ? 'not testable' : `${(100 * best.bySetting.within2).toFixed(0)}% within ×2`}`);
      for (const c of analysis.comparisons) console.log(`${c.candidate} vs ${c.reference}: both targets met on ${c.bothOk} of ${c.rows.length} cells`);
      if (missing.length) console.log(`incomplete: ${missing.length} (cell, strategy) outcomes missing or unavailable (${[...new Set(missing.map((r) => r!.strategy))].join(', ')}); re-run to fill them in.`);
    }
    return 0;
  },
};
