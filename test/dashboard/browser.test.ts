/**
 * The dashboard in a real browser: Debian's Chromium driven by playwright-core, against a study
 * that a background `l2lab tune` fills while the page is open. Set L2LAB_SCREENSHOTS=docs/img to
 * also write the README's screenshots.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';

import { startDashboard, type Dashboard } from '../../src/dashboard/index.js';
import { openStorage } from '../../src/study/index.js';
import { CHROMIUM, missingChromium } from '../support/browser.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const skip = missingChromium();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2lab-browser-'));
const store = path.join(dir, 'studies.db');
const shots = process.env.L2LAB_SCREENSHOTS;

/** `l2lab tune` in a child process: 3 λ × 2 folds × 200 epochs of a small MLP on wine, a few seconds. */
/** A small tune that trains long enough (2,000 epochs: seconds on a quiet machine) for the page to catch it running. */
function tuneInBackground(study: string, extra: string[] = []): ChildProcess {
  const args = ['--import', 'tsx', 'src/cli/main.ts', 'tune', '--data', 'wine', '--model', 'mlp:8', '--lambdas', '0.01,0.3,10', '--folds', '2', '--epochs', '2000', '--threads', '1', '--storage', store, '--study', study, ...extra];
  return spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));
}

/** Waits until the store holds `study` with at least one epoch record (the tune is training). */
async function trainingStarted(study: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`the background tune exited (${child.exitCode}) before training started`);
    if (fs.existsSync(store)) {
      const s = await openStorage(store);
      try {
        const st = await s.getStudy(study);
        if (st !== null && (await s.listEpochs(st.id)).length > 0) return;
      } finally {
        await s.close();
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('training did not start within 60 s');
}

describe('l2lab dashboard in Chromium', { skip }, () => {
  let browser: Browser;
  let dash: Dashboard;
  const errors: string[] = [];

  async function open(url: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`${url}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`${url}: ${e.message}`));
    await page.goto(url);
    return page;
  }

  before(async () => {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM });
    dash = await startDashboard({ storage: store, port: 0, refreshSeconds: 1 });
  });

  after(async () => {
    await browser?.close();
    await dash?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a study page follows a running tune without reloading: progress, then the finished trials and charts', { timeout: 240_000 }, async () => {
    const child = tuneInBackground('live');
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    // A failed step must not leave the paused tune behind: it would keep the test process alive.
    try {
      await trainingStarted('live', child);
      // Paused while the page loads, so the page surely opens on a running pass whatever the machine's load.
      child.kill('SIGSTOP');
      const page = await open(`${dash.url}study/live`);
      await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
      await page.waitForSelector('#trials >> text=/epoch \\d+/');
      const progress = (await page.textContent('#trials tbody')) ?? '';
      assert.match((await page.textContent('#tiles .tile:nth-child(3)')) ?? '', /0 \/ 3/, 'nothing complete yet');
      child.kill('SIGCONT');
      await page.waitForFunction((old) => document.querySelector('#trials tbody')?.textContent !== old, progress, { timeout: 60_000 });
      await page.waitForFunction(() => /3 \/ 3/.test(document.querySelector('#tiles')?.textContent ?? ''), undefined, { timeout: 180_000 });
      assert.equal(await exited(child), 0, stderr);
      await page.waitForSelector('#trials .s-COMPLETE');
      assert.equal(await page.locator('#trials .s-COMPLETE').count(), 3);
      await page.waitForSelector('#learning-chart[data-drawn="true"] svg');
      await page.waitForFunction(() => document.querySelectorAll('#validation-chart .mark-line path').length > 0);
      assert.equal(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument), true, 'the page was updated in place, not reloaded');
      await page.close();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('hovering a point shows λ, fold, epoch and losses; the trial table sorts; no console errors', { timeout: 60_000 }, async () => {
    const page = await open(`${dash.url}study/live`);
    await page.waitForSelector('#validation-chart[data-drawn="true"] svg');
    // The per-fold points (the chart's fourth layer, after the two shades and the means): hovering one opens vega-tooltip's box.
    const point = page.locator('#validation-chart g.layer_3_marks path').first();
    await point.hover({ force: true });
    const tip = page.locator('#vg-tooltip-element');
    await tip.waitFor({ state: 'visible', timeout: 10_000 });
    const text = (await tip.textContent()) ?? '';
    for (const field of ['λ', 'fold', 'epoch', 'validation loss', 'training loss']) assert.ok(text.includes(field), `tooltip has ${field}: ${text}`);
    assert.match(text, /epoch\s*2000/);

    const lambdas = () => page.$$eval('#trials tbody tr', (rows) => rows.map((r) => Number((r as HTMLTableRowElement).cells[1].getAttribute('data-sort'))));
    assert.deepEqual(await lambdas(), [0.01, 0.3, 10]);
    await page.click('#trials th:nth-child(2)');
    await page.click('#trials th:nth-child(2)');
    assert.deepEqual(await lambdas(), [10, 0.3, 0.01], 'λ descending after two clicks');
    await page.click('#trials th:nth-child(3)');
    const losses = await page.$$eval('#trials tbody tr', (rows) => rows.map((r) => Number((r as HTMLTableRowElement).cells[2].getAttribute('data-sort'))));
    assert.deepEqual(losses, [...losses].sort((a, b) => a - b), 'validation loss ascending');
    await page.fill('input.filter[data-table="trials"]', '0.3');
    assert.equal(await page.locator('#trials tbody tr:visible').count(), 1);

    // The per-epoch toggle: validation accuracy is in [0, 1], so the y axis changes.
    const yLabels = () => page.$$eval('#learning-chart .role-axis-label text', (ts) => ts.map((t) => t.textContent ?? ''));
    const before = await yLabels();
    await page.selectOption('#learning-chart select', 'val_accuracy');
    await page.waitForFunction((old) => JSON.stringify([...document.querySelectorAll('#learning-chart .role-axis-label text')].map((t) => t.textContent)) !== old, JSON.stringify(before));
    if (shots !== undefined) {
      await page.fill('input.filter[data-table="trials"]', '');
      await page.screenshot({ path: path.join(shots, 'dashboard-study.png'), fullPage: true });
    }
    await page.close();
    assert.deepEqual(errors, []);
  });

  it('shades the λ that had no time to act (timescale τ above the epochs trained), with a tooltip', { timeout: 60_000 }, async () => {
    const s = await openStorage(store);
    try {
      const { value: study } = await s.createStudy('tau', { strategy: { kind: 'grid' }, data: { epochs: 20 }, model: 'mlp:8', convention: 'seed' });
      for (const [lambda, tau] of [[0.01, 500], [0.1, 50], [1, 5], [10, 0.5]]) {
        const { value: t } = await s.createTrial(study.id, { lambda, dropout: 0 });
        await s.claimTrial(study.id, { trialId: t.id });
        const folds = [0, 1].map((k) => ({ val_loss: 0.5 + k / 100 + Math.abs(Math.log10(lambda)) / 10, train_loss: 0.4, val_accuracy: 0.8, epoch: 20, curve: [] }));
        await s.finishTrial(t.id, 'COMPLETE', { value: folds[0].val_loss, result: { se: 0.01, train_mean: 0.4, folds, lambda_timescale_epochs: tau } });
      }
    } finally {
      await s.close();
    }
    const page = await open(`${dash.url}study/tau`);
    await page.waitForSelector('#validation-chart[data-drawn="true"] svg');
    const shade = page.locator('#validation-chart g.layer_0_marks path');
    assert.equal(await shade.count(), 1);
    // A live update may redraw the chart right after the first draw: wait until the shade is laid out.
    await shade.waitFor({ state: 'visible' });
    // It spans λ = 0.01 … 0.1 (τ = 500 and 50 > 20 epochs), not λ = 1 or 10.
    const box = (await shade.boundingBox())!;
    const xs = await page.$$eval('#validation-chart g.layer_3_marks path', (ps) => ps.map((p) => p.getBoundingClientRect()).map((r) => r.x + r.width / 2));
    const inside = xs.filter((x) => x >= box.x - 1 && x <= box.x + box.width + 1).length;
    assert.equal(inside, 4, 'two λ × two folds under the shade');
    await shade.hover({ position: { x: box.width / 2, y: 20 } });
    await page.locator('#vg-tooltip-element').waitFor({ state: 'visible' });
    assert.match((await page.textContent('#vg-tooltip-element')) ?? '', /no time to act/);
    if (shots !== undefined) await page.screenshot({ path: path.join(shots, 'dashboard-shade.png'), clip: { x: 0, y: 250, width: 1280, height: 460 } });
    await page.close();
    assert.deepEqual(errors, []);
  });

  it('the overview sorts and links a comparison of two studies on one chart', { timeout: 90_000 }, async () => {
    assert.equal(await exited(tuneInBackground('live-wide', ['--lambdas', '0.001,0.1,3,100'])), 0);
    const page = await open(dash.url);
    await page.waitForSelector('#studies tbody tr >> nth=1');
    await page.click('#studies th:nth-child(2)');
    await page.click('#studies th:nth-child(2)');
    assert.deepEqual(await page.$$eval('#studies td.name', (tds) => tds.map((t) => t.textContent)), ['tau', 'live-wide', 'live']);
    await page.check('#studies tr[data-name="live"] input.pick');
    await page.check('#studies tr[data-name="live-wide"] input.pick');
    if (shots !== undefined) await page.screenshot({ path: path.join(shots, 'dashboard-overview.png'), fullPage: true });
    await page.click('#compare');
    await page.waitForSelector('#validation-chart[data-drawn="true"] svg');
    const legend = await page.textContent('#validation-chart');
    assert.ok(legend?.includes('live-wide') && legend.includes('live'), 'one curve per study');
    await page.close();
    assert.deepEqual(errors, []);
  });

  it('shades the λ range the data cannot separate from λ_min (one SE here), with its rule in a tooltip', { timeout: 60_000 }, async () => {
    const s = await openStorage(store);
    try {
      const { value: study } = await s.createStudy('band', { strategy: { kind: 'grid' }, data: { epochs: 20 }, model: 'mlp:8', convention: 'seed' });
      // mean(λ_min = 1) + SE = 0.51: λ 0.1 and 10 are inside, 0.01 and 100 are not.
      for (const [lambda, mean] of [[0.01, 0.6], [0.1, 0.505], [1, 0.5], [10, 0.508], [100, 0.7]]) {
        const { value: t } = await s.createTrial(study.id, { lambda, dropout: 0 });
        await s.claimTrial(study.id, { trialId: t.id });
        const folds = [0, 1].map((k) => ({ val_loss: mean + (k - 0.5) / 100, train_loss: 0.4, val_accuracy: 0.8, epoch: 20, curve: [] }));
        await s.finishTrial(t.id, 'COMPLETE', { value: mean, result: { se: 0.01, train_mean: 0.4, folds } });
      }
    } finally {
      await s.close();
    }
    const page = await open(`${dash.url}study/band`);
    await page.waitForSelector('#validation-chart[data-drawn="true"] svg');
    const band = page.locator('#validation-chart g.layer_1_marks path');
    assert.equal(await band.count(), 1);
    await band.waitFor({ state: 'visible' });
    const box = (await band.boundingBox())!;
    const xs = await page.$$eval('#validation-chart g.layer_3_marks path', (ps) => ps.map((p) => p.getBoundingClientRect()).map((r) => r.x + r.width / 2));
    assert.equal(xs.filter((x) => x >= box.x - 1 && x <= box.x + box.width + 1).length, 6, 'λ 0.1, 1 and 10 × two folds inside the band');
    assert.match((await page.textContent('#tiles')) ?? '', /λ range0\.1(00)? – 10/);
    await band.hover({ position: { x: box.width / 2, y: 20 } });
    await page.locator('#vg-tooltip-element').waitFor({ state: 'visible' });
    assert.match((await page.textContent('#vg-tooltip-element')) ?? '', /within one SE of λ_min/);
    await page.close();
    assert.deepEqual(errors, []);
  });
});
