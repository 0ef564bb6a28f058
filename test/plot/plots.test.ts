/** Tests of the SVG plots: well-formed output with the expected titles, one mark per point, and the notes and errors for data that cannot be drawn. */

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { InvalidOptionError } from '../../src/errors.js';
import { lineChartSvg, scatterLogLogSvg, validationCurveSvg, type ValidationCurvePoint } from '../../src/plot/index.js';

/** The leaf elements (`<path`, `<line`, `<rect`, `<text`) inside the mark group named `name`, or -1 when there is no such group. */
function markCount(svg: string, name: string): number {
  const at = svg.indexOf(` ${name}_marks"`);
  if (at < 0) return -1;
  const open = svg.indexOf('>', at);
  if (svg[open - 1] === '/') return 0; // an empty, self-closed group
  const body = svg.slice(open + 1, svg.indexOf('</g>', open));
  return (body.match(/<(path|line|rect|text)\b/g) ?? []).length;
}

/** Minimal well-formedness: one svg root, balanced groups, no unescaped markup or unfilled values in text. */
function assertSvg(svg: string): void {
  assert.ok(svg.startsWith('<svg'), svg.slice(0, 80));
  assert.ok(svg.trimEnd().endsWith('</svg>'));
  assert.equal((svg.match(/<g\b[^>]*[^/]>|<g>/g) ?? []).length, (svg.match(/<\/g>/g) ?? []).length, 'unbalanced <g>');
  for (const bad of ['NaN', 'undefined', 'Infinity']) assert.ok(!svg.includes(bad), `SVG contains ${bad}`);
  assert.ok(/width="\d+(\.\d+)?" height="\d+(\.\d+)?"/.test(svg));
}

const curve: ValidationCurvePoint[] = [
  { lambda: 0, valMean: 0.45, valSe: 0.01, trainMean: 0.05 },
  { lambda: 0.001, valMean: 0.37, valSe: 0.012, trainMean: 0.14 },
  { lambda: 0.01, valMean: 0.32, valSe: 0.015, trainMean: 0.22 },
  { lambda: 0.1, valMean: 0.3, valSe: 0.02, trainMean: 0.3 },
  { lambda: 1, valMean: 0.317, valSe: 0.024, trainMean: 0.38 },
  { lambda: 3.16, valMean: 0.338, valSe: 0, trainMean: 0.42 },
  { lambda: 10, valMean: NaN, valSe: NaN },
];

test('validationCurveSvg: axes, title, one point and one error bar per λ, rules and labels for λ_min and λ_1se', async () => {
  const svg = await validationCurveSvg({ points: curve, lambdaMin: 0.1, lambda1se: 1, title: 'MLP <784-128-10> & friends' });
  assertSvg(svg);
  for (const text of ['λ (log scale)', 'validation loss', 'MLP &lt;784-128-10&gt; &amp; friends', 'λ_min = 0.1', 'λ_1se = 1', 'validation', 'training']) {
    assert.ok(svg.includes(text), `missing '${text}'`);
  }
  // 5 λ > 0 with a finite loss, each with a validation and a training point.
  assert.equal(markCount(svg, 'curve_points'), 10);
  // Error bars where se > 0 (λ = 3.16 has se 0), each with two caps.
  assert.equal(markCount(svg, 'val_errorbars'), 4);
  assert.equal(markCount(svg, 'val_errorbar_caps'), 8);
  assert.equal(markCount(svg, 'lambda_rule_min'), 1);
  assert.equal(markCount(svg, 'lambda_rule_1se'), 1);
  assert.equal(markCount(svg, 'lambda_label_min'), 1);
  // λ = 0 becomes a horizontal reference line; the failed λ = 10 is counted in the subtitle.
  assert.equal(markCount(svg, 'zero_baseline'), 1);
  assert.ok(svg.includes('λ = 0 (no penalty), validation loss 0.45'));
  assert.ok(svg.includes('1 failed λ not shown'));
  // The x axis is labelled at powers of 10.
  for (const tick of ['>0.001<', '>0.01<', '>0.1<', '>1<']) assert.ok(svg.includes(tick), `missing tick ${tick}`);
});

test('validationCurveSvg shades the λ range the data cannot separate from λ_min, and names its rule; one λ draws no band', async () => {
  const svg = await validationCurveSvg({ points: curve, lambdaMin: 0.1, lambda1se: 1, interval: { low: 0.01, high: 1, basis: 'within one SE of λ_min: every λ …' }, title: 'band' });
  assertSvg(svg);
  assert.equal(markCount(svg, 'lambda_interval'), 1);
  assert.ok(svg.includes('band: λ 0.01–1, within one SE of λ_min'), 'the subtitle names the range and its rule');
  const alone = await validationCurveSvg({ points: curve, lambdaMin: 0.1, interval: { low: 0.1, high: 0.1, basis: 'λ_min alone: …' }, title: 'no band' });
  assert.ok(markCount(alone, 'lambda_interval') <= 0, 'no band layer, or an empty one');
});

test('validationCurveSvg: validation only, λ_min = λ_1se, custom y label and size', async () => {
  const points = Array.from({ length: 12 }, (_, i) => ({ lambda: (i + 1) / 100, valMean: 0.3 + (i - 5) ** 2 / 500, valSe: 0.004 }));
  const svg = await validationCurveSvg({ points, lambdaMin: 0.06, lambda1se: 0.06, title: 'grid', yLabel: 'validation cross-entropy', width: 300, height: 200 });
  assertSvg(svg);
  assert.ok(svg.includes('validation cross-entropy'));
  assert.ok(svg.includes('λ_min = λ_1se = 0.06'));
  assert.equal(markCount(svg, 'curve_points'), 12);
  assert.equal(markCount(svg, 'val_errorbars'), 12);
  assert.equal(markCount(svg, 'lambda_rule_1se'), -1);
  assert.equal(markCount(svg, 'zero_baseline'), -1);
  assert.ok(!svg.includes('training'));
  // Two decades or less: ticks at 1, 2 and 5 times powers of 10.
  for (const tick of ['>0.01<', '>0.02<', '>0.05<', '>0.1<']) assert.ok(svg.includes(tick), `missing tick ${tick}`);
});

test('validationCurveSvg rejects what it cannot draw', async () => {
  await assert.rejects(validationCurveSvg({ points: [{ lambda: 0, valMean: 0.3, valSe: 0 }, { lambda: 1, valMean: NaN, valSe: 0 }], lambdaMin: 0, title: 't' }), /none of the 2 points has λ > 0 and a finite validation loss/);
  await assert.rejects(validationCurveSvg({ points: [{ lambda: -1, valMean: 0.3, valSe: 0 }], lambdaMin: 1, title: 't' }), (e: unknown) => e instanceof InvalidOptionError && /'lambda' of point 0/.test(e.message));
  await assert.rejects(validationCurveSvg({ points: curve, lambdaMin: 0.1, title: 't', width: 10 }), /'width'.*\[100, 4000\]/);
});

test('scatterLogLogSvg: one mark per positive point, fit lines, notes for points off the log axes', async () => {
  const mlp = [1e3, 1e4, 1e5, 1e6].map((x) => ({ x, y: 0.1 * x ** -0.5 }));
  const cnn = [3e3, 3e4, 3e5].map((x) => ({ x, y: x ** -0.7 }));
  const svg = await scatterLogLogSvg({
    series: [{ name: 'MLP', points: [...mlp, { x: 5e4, y: 0 }] }, { name: 'CNN', points: cnn }],
    fitLines: [{ series: 'MLP', slope: -0.5, intercept: -1 }, { slope: -0.6, intercept: -0.5, label: 'all models' }],
    xLabel: 'parameters', yLabel: 'best λ', title: 'Best λ vs parameter count',
  });
  assertSvg(svg);
  for (const text of ['parameters', 'best λ', 'Best λ vs parameter count', 'MLP', 'CNN', 'MLP: slope -0.5', 'all models', '1 point with x ≤ 0 or y ≤ 0 not shown']) {
    assert.ok(svg.includes(text), `missing '${text}'`);
  }
  assert.equal(markCount(svg, 'scatter_points'), 7);
  assert.equal(markCount(svg, 'fit_line_0'), 1);
  assert.equal(markCount(svg, 'fit_line_1'), 1);
  for (const tick of ['>1000<', '>1e4<', '>1e5<', '>1e6<']) assert.ok(svg.includes(tick), `missing tick ${tick}`);

  await assert.rejects(scatterLogLogSvg({ series: [{ name: 'a', points: [{ x: 1, y: 1 }] }], fitLines: [{ series: 'b', slope: 1, intercept: 0 }], xLabel: 'x', yLabel: 'y', title: 't' }), /names series 'b', which is not among \['a'\]/);
  await assert.rejects(scatterLogLogSvg({ series: [{ name: 'a', points: [] }, { name: 'a', points: [] }], xLabel: 'x', yLabel: 'y', title: 't' }), /both named 'a'/);
  await assert.rejects(scatterLogLogSvg({ series: [{ name: 'a', points: [{ x: 0, y: 1 }] }], xLabel: 'x', yLabel: 'y', title: 't' }), /none of the points can be drawn/);
  await assert.rejects(scatterLogLogSvg({ series: [], xLabel: 'x', yLabel: 'y', title: 't' }), /'series'.*non-empty/);
});

test('scatterLogLogSvg: points with a mark take their shape from it, their color from the series', async () => {
  const points = (depth: number) => [1e4, 1e5].flatMap((x) => [0, 1].map((seed) => ({ x, y: depth + seed, mark: `seed ${seed}` })));
  const svg = await scatterLogLogSvg({ series: [{ name: 'depth 1', points: points(1) }, { name: 'depth 2', points: points(2) }], markTitle: 'seed', xLabel: 'P', yLabel: 'λ*', title: 't' });
  assertSvg(svg);
  assert.equal(markCount(svg, 'scatter_points'), 8);
  const shapes = [...svg.matchAll(/seed: seed (\d)" role="graphics-symbol"[^>]*d="([^"]+)" fill="([^"]+)"/g)];
  assert.equal(shapes.length, 8);
  const by = (i: number) => new Set(shapes.map((m) => m[i]));
  assert.equal(by(2).size, 2, 'one shape per seed');
  assert.equal(by(3).size, 2, 'one color per series');
  for (const [, seed, d] of shapes) assert.equal(d, shapes.find((m) => m[1] === seed)![2], 'a seed keeps its shape across series');
  assert.ok(svg.includes('>seed<'), 'the shape legend has its title');
});

test('lineChartSvg: one line per series against epoch, points while short, log y drops values ≤ 0', async () => {
  const epochs = Array.from({ length: 20 }, (_, i) => i + 1);
  const series = [
    { name: 'data loss', points: epochs.map((e) => ({ x: e, y: 2 * Math.exp(-e / 5) + 0.2 })) },
    { name: 'L2 penalty', points: epochs.map((e) => ({ x: e, y: e === 1 ? 0 : 0.1 * (1 - Math.exp(-e / 4)) })) },
  ];
  const svg = await lineChartSvg({ series, yLabel: 'loss', title: 'Training, λ = 0.1', logY: true });
  assertSvg(svg);
  for (const text of ['epoch', 'loss', 'Training, λ = 0.1', 'data loss', 'L2 penalty', '1 point not shown']) assert.ok(svg.includes(text), `missing '${text}'`);
  assert.equal(svg.split(' series_lines_marks"').length - 1, 2);
  assert.equal(markCount(svg, 'series_points'), 39);

  const plain = await lineChartSvg({ series: [{ name: 'val', points: [{ x: 0, y: 1 }, { x: 1, y: NaN }, { x: 2, y: 0.5 }] }], xLabel: 'step', yLabel: 'loss', title: 'one', showPoints: false });
  assertSvg(plain);
  assert.ok(plain.includes('step'));
  assert.equal(markCount(plain, 'series_points'), -1);
  assert.ok(plain.includes('1 point not shown (non-finite)'));
  await assert.rejects(lineChartSvg({ series, yLabel: 'y', title: 't', logY: 'yes' as unknown as boolean }), /'logY'.*boolean/);
});
