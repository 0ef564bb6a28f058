/**
 * Start-up time of the CLI (issue 10): `node bin/l2lab.js --help`, `npx l2lab --help` and
 * `convert`, each run N times (default 7, `--runs N`), median and range of wall-clock seconds,
 * with the load average before and after. Needs the compiled CLI (`npm run build`).
 * Run: node --import tsx bench/startup.bench.ts [--runs 7]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 7;

if (!fs.existsSync(path.join(ROOT, 'dist/cli/main.js'))) {
  console.error('dist/cli/main.js is missing: run `npm run build` first.');
  process.exit(1);
}

const CASES: { label: string; cmd: string; args: string[] }[] = [
  { label: 'node bin/l2lab.js --help', cmd: process.execPath, args: ['bin/l2lab.js', '--help'] },
  { label: 'npx l2lab --help', cmd: 'npx', args: ['--no-install', 'l2lab', '--help'] },
  { label: 'node bin/l2lab.js convert --lambda 0.01 --m 50000', cmd: process.execPath, args: ['bin/l2lab.js', 'convert', '--lambda', '0.01', '--m', '50000'] },
  { label: 'npx l2lab convert --lambda 0.01 --m 50000', cmd: 'npx', args: ['--no-install', 'l2lab', 'convert', '--lambda', '0.01', '--m', '50000'] },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');

console.log(`${RUNS} runs each, ${os.cpus().length} cores, load average before: ${load()}`);
console.log('| command | median s | min s | max s | stderr |');
console.log('|---|---|---|---|---|');
for (const c of CASES) {
  const times: number[] = [];
  let stderr = '';
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const r = spawnSync(c.cmd, c.args, { cwd: ROOT, encoding: 'utf8' });
    times.push((performance.now() - t0) / 1000);
    if (r.status !== 0) throw new Error(`${c.label} exited ${r.status}: ${r.stderr}`);
    stderr = r.stderr.trim();
  }
  console.log(`| \`${c.label}\` | ${median(times).toFixed(3)} | ${Math.min(...times).toFixed(3)} | ${Math.max(...times).toFixed(3)} | ${stderr === '' ? 'empty' : JSON.stringify(stderr.slice(0, 80))} |`);
}
console.log(`load average after: ${load()}`);
