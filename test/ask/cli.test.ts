/**
 * The CLI door: a shell loop (bash, as a user's script) trains a simulated curve through
 * `l2lab ask | report | tell`, then `best` answers and `show` reads the study back; bad input
 * exits non-zero with one error line, no stack trace, and writes nothing (not even a store file).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { l2lab, l2labHere, ROOT, scratch } from '../cli/helpers.js';

const dir = scratch('ask-cli');

/** The user's script: ask until done, report each epoch of a curve whose minimum is at weight_decay 3e-3, tell the last loss. */
const LOOP = String.raw`
set -eu
L="node --import tsx src/cli/main.ts"
S="--study loop --storage $DB"
curve() { awk -v wd="$1" -v e="$2" 'BEGIN { x = log(wd) / log(10) - log(0.003) / log(10); print 0.3 + 0.05 * x * x + 0.5 * exp(-e / 3) }'; }
while T=$($L ask $S --convention pytorch --m 6400 --batch-size 128 --optimizer momentum --lr 0.1 --momentum 0.9 --epochs 2 --strategy grid --lambdas 0.0001,0.003,0.05 --json); do
  N=$(echo "$T" | sed -E 's/.*"trial":([0-9]+).*/\1/')
  V=$(echo "$T" | sed -E 's/.*"value":([0-9.eE+-]+).*/\1/')
  for E in 1 2; do
    LOSS=$(curve "$V" "$E")
    $L report $S --trial "$N" --epoch "$E" --val-loss "$LOSS" --train-loss "$LOSS" --json
  done
  $L tell $S --trial "$N" --val-loss "$(curve "$V" 2)" --json
done
$L best $S --json
`;

function bash(script: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['-c', script], { cwd: ROOT, encoding: 'utf8', timeout: 300_000, env: { ...process.env, ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

describe('l2lab ask | report | tell | best from a shell loop', () => {
  it('tunes weight_decay for a simulated curve; best answers in both units; show reads the study back with its curves', { timeout: 300_000 }, async () => {
    const db = path.join(dir, 'loop.db');
    const r = await bash(LOOP, { DB: db });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(lines.filter((l) => 'prune' in l).length, 6);
    assert.ok(lines.filter((l) => 'prune' in l).every((l) => l.prune === false && 'reason' in l));
    assert.deepEqual(lines.filter((l) => l.state === 'COMPLETE').map((l) => l.trial), [0, 1, 2]);
    const best = lines[lines.length - 1];
    assert.equal(best.value, 0.003);
    assert.equal(best.convention, 'pytorch');
    assert.ok(Math.abs((best.best_lambda as number) - 0.003 * 6400) < 1e-9, String(best.best_lambda));
    assert.ok('lambda_1se' in best && 'noise' in best);

    const plot = path.join(dir, 'loop.svg');
    const show = await l2lab('show', 'loop', '--storage', db, '--json', '--plot', plot);
    assert.equal(show.code, 0, show.stderr);
    const s = JSON.parse(show.stdout) as { best_lambda: number; trials: { state: string; intermediate: { step: number; extra: { train_loss: number } }[]; result: { folds: { curve: (number | null)[] }[] } }[] };
    assert.equal(s.best_lambda, 0.003);
    assert.deepEqual(s.trials.map((t) => t.state), ['COMPLETE', 'COMPLETE', 'COMPLETE']);
    assert.deepEqual(s.trials[0].intermediate.map((v) => v.step), [1, 2]);
    assert.ok(s.trials[0].intermediate[0].extra.train_loss > 0);
    assert.equal(s.trials[0].result.folds[0].curve.length, 3);
    assert.match(fs.readFileSync(plot, 'utf8'), /^<svg/);
    const text = await l2labHere('studies', '--storage', db);
    assert.match(text.stdout, /loop\s+grid\s+3/);
  });
});

describe('l2lab ask | report | tell | best: bad input', () => {
  const store = path.join(dir, 'bad.db');
  const context = ['--convention', 'pytorch', '--m', '6400', '--batch-size', '128', '--optimizer', 'momentum', '--lr', '0.1', '--epochs', '20'];
  const cases: [string, string[], RegExp][] = [
    ['ask without --study', ['ask', '--storage', store, ...context], /needs --study/],
    ['ask with a negative --lr', ['ask', '--study', 's', '--storage', store, ...context, '--lr', '-1'], /'lr' option of ask must be a number in \(0, ∞\)\. Got -1/],
    ['ask with half a context', ['ask', '--study', 's', '--storage', store, '--convention', 'pytorch', '--m', '6400'], /needs the context of your training loop; missing: --batch-size, --optimizer, --lr, --epochs/],
    ['ask with --momentum for adam', ['ask', '--study', 's', '--storage', store, ...context, '--optimizer', 'adam', '--momentum', '0.9'], /--momentum applies to --optimizer momentum or nesterov/],
    ['ask with --trials for grid', ['ask', '--study', 's', '--storage', store, ...context, '--strategy', 'grid', '--trials', '5'], /--trials applies to --strategy bayes, not to --strategy grid/],
    ['ask with a strategy ask does not serve', ['ask', '--study', 's', '--storage', store, ...context, '--strategy', 'ridge'], /Unknown --strategy 'ridge'\. Use one of: bayes, grid, sh/],
    ['ask with a range past the unstable λ', ['ask', '--study', 's', '--storage', store, ...context, '--log-range', '0.001:100:5'], /penalty step alone is unstable/],
    ['ask without context, no store', ['ask', '--study', 's', '--storage', store], /No study store at .*bad\.db/],
    ['report with text for a loss', ['report', '--study', 's', '--storage', store, '--trial', '0', '--epoch', '1', '--val-loss', 'abc'], /'val-loss' option of report must be a number\. Got 'abc'/],
    ['report without --epoch', ['report', '--study', 's', '--storage', store, '--trial', '0', '--val-loss', '1'], /needs --epoch/],
    ['report, no store', ['report', '--study', 's', '--storage', store, '--trial', '0', '--epoch', '1', '--val-loss', '1'], /No study store at/],
    ['tell with both --val-loss and --state', ['tell', '--study', 's', '--storage', store, '--trial', '0', '--val-loss', '1', '--state', 'failed'], /either --val-loss V .* or --state pruned\|failed, exactly one/],
    ['best, no store', ['best', '--study', 's', '--storage', store], /No study store at/],
    ['best without --study', ['best', '--storage', store], /needs --study/],
  ];
  for (const [title, args, re] of cases) {
    it(title, async () => {
      const r = await l2labHere(...args);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.equal(fs.existsSync(store), false, 'nothing written');
    });
  }
});
