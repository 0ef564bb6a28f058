/** docs/conventions.md stays in step with the table: every id, objective and mapping appears in it. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CONVENTIONS, penaltyCoefficients } from '../../src/conventions/index.js';
import { NORMALIZATION_NOTE } from '../../src/conventions/normalization.js';

const doc = readFileSync(resolve(dirname(fileURLToPath(import.meta.url)), '../../docs/conventions.md'), 'utf8');

describe('docs/conventions.md', () => {
  for (const c of CONVENTIONS) {
    it(`documents ${c.id} with its objective and both mappings`, () => {
      const row = doc.split('\n').find((l) => l.startsWith(`| \`${c.id}\` — `));
      assert.ok(row, `a table row for ${c.id}`);
      assert.ok(row.includes(c.objective.replace(/\|/g, '\\|')), `${c.id}: objective "${c.objective}"`);
      assert.ok(row.includes(`\`${c.fromSeed}\``), `${c.id}: ${c.fromSeed}`);
      assert.ok(row.includes(`\`${c.toSeed}\``), `${c.id}: ${c.toSeed}`);
    });
  }

  it("quotes convert's normalization note line for line", () => {
    const lines = doc.split('\n').map((l) => l.replace(/^ {2}/, ''));
    for (const line of NORMALIZATION_NOTE) assert.ok(lines.includes(line), `docs/conventions.md lacks: ${line}`);
  });

  it('lists the worked example values that convert() gives', () => {
    // λ = 0.01, m = 50,000, B = 100, lr = 1e-3: spot-check three rows against the coefficients.
    assert.match(doc, /\| `keras` \| l = 1e-7 \|/);
    assert.match(doc, /\| `sklearn-mlp` \| α = 2e-5 \|/);
    assert.match(doc, /\| `composer` \| wd = 2e-10 \|/);
    assert.equal(penaltyCoefficients('composer', 2e-10, { lr: 1e-3 }).decoupled.toPrecision(6), (0.01 / 50_000).toPrecision(6));
  });
});
