/** The text of `l2lab inspect`: the initialization table, the decay by the penalty alone, λ in every convention and the starting ranges. */
import { formatNumber } from '../util/format-number.js';
import { getConvention } from '../conventions/index.js';
import type { InspectReport } from '../explain/inspect.js';
import { table } from './format.js';

/** Four significant digits; exponent form outside [0.001, 1e6). */
export function f(x: number | null | undefined): string {
  // Sums like E‖W‖² = 10,002 keep every integer digit.
  return x === null || x === undefined ? '—' : formatNumber(x, { digits: 4, expAbove: 1e9, expDigits: 3, exponent: 'short', grouped: true });
}

/** Enough digits to show 1 − 1e-7 as 0.9999999 rather than 1. */
function shrink(x: number | null): string {
  if (x === null) return '—';
  if (x >= 0.999 && x < 1) {
    const digits = Math.min(15, Math.ceil(-Math.log10(1 - x)) + 3);
    return String(Number(x.toFixed(digits)));
  }
  return f(x);
}

export function int(n: number): string {
  return n.toLocaleString('en-US');
}

/** The human-readable report. */
export function formatReport(r: InspectReport): string {
  const conv = getConvention(r.convention);
  const seed = r.convention === 'seed';
  const rate = seed ? 'λ/m' : 'c';
  const out: string[] = [];
  const opt = r.momentum !== null ? `${r.optimizer}, μ = ${r.momentum}` : r.optimizer;
  out.push(`${r.model} on ${r.dataset}: m = ${int(r.m)} training rows, B = ${r.batch_size}, η = ${f(r.lr)} (${opt}), ${r.init} init, seed ${r.seed}`);
  out.push(
    seed
      ? `λ = ${f(r.lambda)} (seed): cost = (1/m)·Σ loss + (λ/2m)·Σθ² over the ${r.penalize_biases ? 'weights and biases' : 'weights (biases not penalized)'}`
      : `${conv.symbol} = ${f(r.lambda)} (${r.convention}): per-weight coefficient c = ${conv.toRate ?? 'λ/m'} = ${f(r.penalty_gradient_coefficient)}; penalty (c/2)·Σθ², as seed λ = m·c = ${f(r.lambda_seed)}`,
  );
  out.push('');
  out.push(`Parameters: ${int(r.params)} (${int(r.weights)} weights, ${int(r.biases)} biases); units: ${int(r.units)} (${int(r.hidden_units)} hidden + ${int(r.output_units)} output)`);
  out.push(
    table(
      ['tensor', 'fan_in', 'fan_out', 'size', 'Var(θ)', 'E‖θ‖²', 'measured ‖θ‖²', `E penalty`, `${rate}·rms θ`],
      r.layers.map((l) => [l.name + (l.penalized ? '' : ' (free)'), String(l.fan_in), String(l.fan_out), int(l.size), f(l.variance), f(l.expected_sum_sq), f(l.measured_sum_sq), f(l.expected_penalty), f(l.penalty_gradient_rms)]),
    ),
  );
  out.push('');
  out.push(`At initialization (expected over seeds; measured on seed ${r.seed}, as 'l2lab train' starts):`);
  const pen = seed ? 'penalty (λ/2m)·Σθ²' : 'penalty (c/2)·Σθ²';
  out.push(
    table(
      ['', 'expected', 'measured'],
      [
        [pen, `${f(r.expected_init_penalty)} ± ${f(r.init_penalty_sd)}`, f(r.measured_init_penalty)],
        ['data loss', f(r.expected_init_data_loss), f(r.measured_init_data_loss)],
        ['penalty / data loss', `${f(r.penalty_to_data_loss)}×`, r.measured_penalty_to_data_loss === null ? '—' : `${f(r.measured_penalty_to_data_loss)}×`],
      ],
    ),
  );
  const zero = r.task === 'regression' ? '½·mean y²' : r.classes === 2 ? 'ln 2' : `ln ${r.classes}`;
  // A convolution's fan-out is its filter count (fan-in k·k·C_in), so He's 2·Σ fan_out counts the filters too.
  const fanOuts = r.layers.filter((l) => l.kind === 'weight').reduce((s, l) => s + l.fan_out, 0);
  const he = fanOuts === r.units ? ' (He: 2 × units)' : ` (He: 2 × Σ fan_out = 2 × ${int(fanOuts)}, conv filters included)`;
  out.push(`  expected penalty: E Σθ² = Σ fan_in·fan_out·Var(θ) = ${f(r.expected_sum_sq)}${r.init === 'he' ? he : ''}`);
  out.push(`  expected data loss: ${r.init_data_loss_formula}, with q_L = ${f(r.init_output_variance)} on average;`);
  out.push(`    all-zero outputs give ${zero} = ${f(r.zero_output_data_loss)}, a lower bound`);
  if (r.measured_note) out.push(`  ${r.measured_note}`);
  out.push('');
  out.push(...lambdaSections(r));
  for (const w of r.warnings) out.push(`\nwarning: ${w}`);
  return out.join('\n');
}

/** The report fields {@link lambdaSections} prints: every inspect report has them, an imported graph's too. */
export type LambdaSectionFields = Pick<
  InspectReport,
  | 'convention' | 'lambda' | 'dataset' | 'm' | 'batch_size' | 'lr' | 'optimizer' | 'momentum' | 'epochs'
  | 'penalty_gradient_formula' | 'penalty_gradient_coefficient' | 'shrink_per_step' | 'shrink_per_epoch' | 'shrink_per_epoch_approx'
  | 'steps_per_epoch' | 'timescale_steps' | 'timescale_epochs' | 'decay_note' | 'conversions' | 'atlas_lambda_range' | 'suggested_lambda_range'
>;

/** The per-weight penalty gradient, the decay by the penalty alone, λ in every convention and the starting ranges. */
export function lambdaSections(r: LambdaSectionFields): string[] {
  const conv = getConvention(r.convention);
  const seed = r.convention === 'seed';
  const lam = seed ? 'λ' : conv.symbol;
  const out: string[] = [];
  out.push(
    `Each weight's penalty gradient: ${r.penalty_gradient_formula} = ${f(r.penalty_gradient_coefficient)}·θⱼ. It depends on ${lam}, m and that weight alone, ` +
      `not on the number of parameters: a larger model has a larger penalty sum, not a stronger pull on any weight.`,
  );
  out.push('');
  const eta = r.momentum !== null && conv.coupling === 'coupled' ? 'η/(1−μ)' : 'η';
  const r1 = seed ? `${eta}·λ/m` : `${eta}·c`;
  if (r.shrink_per_step === null) {
    out.push(`Decay by the penalty alone: ${r.decay_note}`);
  } else {
    out.push(`Decay by the penalty alone (${r.decay_note.replace(/\.$/, '')}): θ ← (1 − ${r1})·θ − η·∇(data loss)`);
    out.push(`  per step    1 − ${r1} = ${shrink(r.shrink_per_step)}`);
    const approx = seed && eta === 'η' ? 'exp(−ηλ/B)' : `exp(−${r1}·m/B)`;
    out.push(`  per epoch   (1 − ${r1})^${r.steps_per_epoch} = ${shrink(r.shrink_per_epoch)}   ≈ ${approx} = ${shrink(r.shrink_per_epoch_approx)}`);
    out.push(
      r.timescale_steps === null
        ? '  timescale   infinite (no decay)'
        : `  timescale   τ = 1/(${r1}) = ${f(r.timescale_steps)} steps = ${f(r.timescale_epochs)} epochs (${r.steps_per_epoch} step${r.steps_per_epoch === 1 ? '' : 's'} per epoch; = B/(${eta}·λ) when B divides m)`,
    );
  }
  out.push('');
  const ctx = `m = ${int(r.m)}, B = ${r.batch_size}, η = ${f(r.lr)}, ${r.optimizer}`;
  out.push(`${lam} = ${f(r.lambda)} in every convention (${ctx}):`);
  out.push(
    table(
      ['convention', 'symbol', 'value', 'exact', 'formula'],
      r.conversions.map((c) => [c.to, getConvention(c.to).symbol, c.value === null ? '—' : f(c.value), c.value === null ? '—' : c.exact ? 'yes' : 'no', c.formula]),
    ),
  );
  out.push('');
  const a = r.atlas_lambda_range;
  if (a) {
    const regime = a.regime === 'exact' ? 'convex models solved exactly' : 'MLPs trained until λ acted';
    out.push(`Suggested starting range for ${lam}, measured by the default atlas (${regime}):`);
    out.push(`  ${a.rule}:`);
    out.push(`  ${lam} ∈ [${f(a.low)}, ${f(a.high)}] (${a.convention})${a.seed_middle === null ? '' : `; the rule's own seed λ ${f(a.seed_middle)}`}`);
    const d = a.dataset_range;
    if (d && a.regime === 'trained' && a.seed_middle !== null) out.push(`  ${d.dataset} in the atlas: seed λ* from ${f(d.seed_low)} to ${f(d.seed_high)} over ${d.cells} cells (${d.over}).`);
  } else {
    out.push(`Suggested starting range from the default atlas: none — its rules need the decay rate, and ${r.dataset} is not one of its datasets.`);
  }
  const s = r.suggested_lambda_range;
  if (s) {
    out.push(`The constant-timescale band (τ between 1 epoch and the ${r.epochs} planned epochs; a heuristic, not fitted to the atlas):`);
    out.push(`  ${lam} ∈ [${f(s.low)}, ${f(s.high)}] (${r.convention}); middle ${f(s.middle)} (τ = √${r.epochs} epochs)${seed ? '' : `; seed λ ∈ [${f(s.seed_low)}, ${f(s.seed_high)}]`}`);
    const where = { weaker: `weaker than the band (τ longer than the ${r.epochs} planned epochs: the weights keep part of their initialization)`, stronger: 'stronger than the band (τ under one epoch)', inside: 'inside the band', unknown: '' }[s.given];
    if (r.timescale_epochs !== null) out.push(`  the given ${lam} = ${f(r.lambda)} has τ = ${f(r.timescale_epochs)} epochs: ${where}.`);
    else out.push(`  the given ${lam} = ${f(r.lambda)} has no decay (τ infinite).`);
  } else {
    out.push(`Timescale band: none — ${r.decay_note}`);
  }
  return out;
}
