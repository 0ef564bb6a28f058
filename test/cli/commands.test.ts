/** `l2lab datasets`, `l2lab demo` and the command-line surface (help, unknown commands) end to end. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';
import { l2lab, ROOT } from './helpers.js';

describe('l2lab datasets, demo, help', { concurrency: 3 }, () => {
  it('datasets --json lists the built-in sets with size, task and availability', async () => {
    const r = await l2lab('datasets', '--json');
    assert.equal(r.code, 0, r.stderr);
    const list = JSON.parse(r.stdout) as { name: string; n: number; d: number; task: string; classes: number; available: boolean; install: string }[];
    assert.deepEqual(list.map((d) => d.name), ['mnist-10k', 'fashion-mnist', 'wine', 'breast-cancer', 'diabetes']);
    const by = Object.fromEntries(list.map((d) => [d.name, d]));
    assert.deepEqual([by.wine.n, by.wine.d, by.wine.task, by.wine.classes], [178, 13, 'classification', 3]);
    assert.deepEqual([by['breast-cancer'].n, by['breast-cancer'].classes], [569, 2]);
    assert.deepEqual([by.diabetes.n, by.diabetes.task], [442, 'regression']);
    for (const name of ['mnist-10k', 'wine', 'breast-cancer', 'diabetes']) assert.equal(by[name].available, true, name);
    assert.match(by['fashion-mnist'].install, /apt-get install -y dataset-fashion-mnist/);
    const table = await l2lab('datasets');
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /name +n +d +task +available/);
    assert.match(table.stdout, /diabetes +442 +10 +regression +yes/);
  });

  it('demo trains an MLP on mnist-10k and prints data loss and penalty from initialization on', async () => {
    const r = await l2lab('demo', '--epochs', '1');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /mlp:128 on mnist-10k, cost = \(1\/m\)·Σ loss \+ \(λ\/2m\)·Σ θ² with λ = 5/);
    assert.match(r.stdout, /epoch +data loss +penalty +cost +val loss +val acc/);
    const init = r.stdout.match(/\n +init +(\d\.\d+) +(\d\.\d+) +\d\.\d+ +\d\.\d+ +\d+\.\d+%/);
    assert.ok(init, r.stdout);
    // He init of 784-128-10: E Σθ² = 2·(128 + 10) = 276, so the penalty starts near 5/(2·7000)·276 ≈ 0.099.
    assert.ok(Math.abs(Number(init[2]) - 0.0986) < 0.01, `init penalty ${init[2]}`);
    assert.match(r.stdout, /\n +1 +\d\.\d+ +\d\.\d+/);
    assert.match(r.stdout, /test: loss \d\.\d+, accuracy (8|9)\d\.\d+%/);
    // Momentum 0.9 accumulates the pull: η·λ/(m(1−μ)) = 0.05·5/(7000·0.1) ≈ 3.57e-4 per step.
    assert.match(r.stdout, /shrink by about\nη·λ\/\(m\(1−μ\)\) = 3\.57e-4 of their value per step \(factor 0\.999643\)/);
    assert.match(r.stdout, /Next: l2lab inspect .*\n +l2lab tune --data mnist-10k/);
  });

  it('train --help shows every option with its default; unknown commands exit 2', async () => {
    const [help, unknown, none] = await Promise.all([l2lab('train', '--help'), l2lab('fit'), l2lab()]);
    assert.equal(help.code, 0);
    for (const o of ['--data', '--model', '--lambda', '--convention', '--optimizer', '--lr', '--epochs', '--batch-size', '--seed', '--validation', '--patience', '--out', '--json']) assert.ok(help.stdout.includes(o), o);
    assert.match(help.stdout, /--epochs N\|auto +default 20/);
    assert.match(help.stdout, /--convention C +seed \| keras \| pytorch/);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /l2lab: unknown command 'fit'\. Commands: .*train/);
    assert.equal(none.code, 1);
    assert.match(none.stdout, /Usage: l2lab <command>/);
  });

  it('--version prints the package version', async () => {
    const r = await l2lab('--version');
    assert.equal(r.code, 0, r.stderr);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(r.stdout.trim(), pkg.version);
  });
});
