/** The text of `l2lab inspect --model net.onnx`: each initializer's penalty at the file's weights, the measured data loss, their ratio, and the λ sections. */
import { getConvention } from '../conventions/index.js';
import type { ImportedInspectReport } from '../explain/inspect-imported.js';
import { f, int, lambdaSections } from './inspect-format.js';
import { pct, table } from './format.js';

function dims(d: number[]): string {
  return `[${d.join(', ')}]`;
}

export function formatImportedReport(r: ImportedInspectReport): string {
  const conv = getConvention(r.convention);
  const seed = r.convention === 'seed';
  const rate = seed ? 'λ/m' : 'c';
  const opt = r.momentum !== null ? `${r.optimizer}, μ = ${r.momentum}` : r.optimizer;
  const weights = r.init === 'file' ? "the file's weights" : `${r.init} re-initialization, seed ${r.seed}`;
  const out: string[] = [];
  out.push(`${r.model}`);
  out.push(`on ${r.dataset}: m = ${int(r.m)} training rows, B = ${r.batch_size}, η = ${f(r.lr)} (${opt}), ${weights}`);
  out.push(
    seed
      ? `λ = ${f(r.lambda)} (seed): cost = (1/m)·Σ loss + (λ/2m)·Σθ² over the penalized initializers (${r.penalize_biases ? 'every learned one' : 'weights of rank ≥ 2 by default'})`
      : `${conv.symbol} = ${f(r.lambda)} (${r.convention}): per-weight coefficient c = ${conv.toRate ?? 'λ/m'} = ${f(r.penalty_gradient_coefficient)}; penalty (c/2)·Σθ², as seed λ = m·c = ${f(r.lambda_seed)}`,
  );
  out.push('');
  out.push(`Parameters: ${int(r.params)} (${int(r.penalized_params)} penalized, ${int(r.free_params)} free)`);
  out.push(
    table(
      ['initializer', 'role', 'shape', 'size', '‖θ‖²', 'rms θ', 'penalty', `${rate}·rms θ`],
      r.parameters.map((p) => [p.name + (p.penalized ? '' : p.kind === 'running' ? ' (running)' : ' (free)'), p.role, dims(p.dims), int(p.size), f(p.sum_sq), f(p.rms), p.penalized ? f(p.penalty) : '—', p.penalized ? f(p.penalty_gradient_rms) : '—']),
    ),
  );
  out.push('');
  out.push(`At ${weights}, the graph run on the ${int(r.m)} training rows:`);
  const score = r.accuracy !== null ? `   (accuracy ${pct(r.accuracy)})` : r.rmse !== null ? `   (rmse ${f(r.rmse)})` : '';
  const rows: [string, string][] = [
    [seed ? 'penalty (λ/2m)·Σθ²' : 'penalty (c/2)·Σθ²', f(r.penalty)],
    ['data loss', `${f(r.data_loss)}${score}`],
    ['cost', f(r.cost)],
    ['penalty / data loss', `${f(r.penalty_to_data_loss)}×`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) out.push(`  ${label.padStart(width)}  ${value}`);
  for (const n of r.notes) out.push(`  note: ${n}`);
  out.push('');
  out.push(...lambdaSections(r));
  for (const w of r.warnings) out.push(`\nwarning: ${w}`);
  return out.join('\n');
}
