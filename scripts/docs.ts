/**
 * `npm run docs [-- PAGE…] [--only REGEX] [--check]`: re-runs the marked commands of README.md and docs/*.md (or of
 * the PAGEs; with --only, the blocks whose command matches) on the current code and rewrites their output;
 * --check writes nothing and exits 1 when a page would change.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { capturedValue, fillPlaceholders, replaceBodies, runBlocks, setupScripts, shownOutput, type RunBlock } from './docs-blocks.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Repository folders the shown commands name by relative path (atlas specs, data files, the example training loops and the Python client they import). */
const LINKED = ['atlas', 'data', 'clients', 'examples'];

/** The pages that may hold docs:run markers. */
export function pages(): string[] {
  // docs/errors.md shows bad inputs on purpose; test/cli/error-table.test.ts generates and checks it.
  const docs = fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md') && f !== 'errors.md').map((f) => path.join('docs', f));
  return ['README.md', ...docs.sort()];
}

/** A folder holding an `l2lab` executable that runs this checkout's source (made once per process, removed at exit). */
let launchers: string | undefined;
function launcherDir(): string {
  if (launchers === undefined) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2lab-docs-bin-'));
    const tsx = import.meta.resolve('tsx');
    // exec: `l2lab serve &` is then the node process itself, so `kill $!` stops it (a shell function would leave node orphaned).
    fs.writeFileSync(path.join(dir, 'l2lab'), `#!/bin/sh\nexec node --import '${tsx}' '${path.join(ROOT, 'src/cli/main.ts')}' "$@"\n`, { mode: 0o755 });
    process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    launchers = dir;
  }
  return launchers;
}

/**
 * A bash preamble in which `l2lab` and `npx l2lab` run this checkout's source (src/cli/main.ts through tsx),
 * so the outputs are the current code's, with no build step; scripts the commands start find the same `l2lab`.
 */
function preamble(): string {
  return [
    'set -eo pipefail',
    `export PATH='${launcherDir()}':"$PATH"`,
    'npx() { if [ "$1" = l2lab ]; then shift; l2lab "$@"; else command npx "$@"; fi; }',
  ].join('\n');
}

/** Runs one script in the page's scratch directory; returns its stdout (stderr passes through to ours). */
export function runScript(script: string, cwd: string): string {
  return execFileSync('bash', ['-c', `${preamble()}\n${script}`], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
}

/** A fresh directory for one page's runs (its own ./l2lab.db, so no trial is resumed), with the repo's folders linked in. */
function scratchDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2lab-docs-'));
  for (const name of LINKED) fs.symlinkSync(path.join(ROOT, name), path.join(dir, name));
  return dir;
}

/** The block's new body and the values its captures found. */
function regenerate(block: RunBlock, cwd: string, values: Map<string, string>, write: boolean): string {
  const parts: string[] = [];
  const printedAll: string[] = [];
  for (const cmd of block.commands) {
    const printed = runScript(cmd, cwd);
    printedAll.push(printed);
    const shown = shownOutput(printed, block.keep, block.elide);
    if (shown === '' && block.keep) throw new Error(`keep: /${block.keep.source}/ matched no line of the output of: ${cmd}`);
    parts.push(block.prompts ? [`$ ${cmd}`, shown].filter(Boolean).join('\n') : shown);
  }
  for (const c of block.captures) {
    const m = c.pattern.exec(printedAll.join('\n'));
    if (!m?.[1]) throw new Error(`capture ${c.name} /${c.pattern.source}/ found nothing in the output of: ${block.commands.join(' ; ')}`);
    values.set(c.name, capturedValue(m[1], c.digits));
  }
  if (write) for (const c of block.copies) fs.copyFileSync(path.join(cwd, c.from), path.join(ROOT, c.to));
  return parts.join('\n');
}

/** Regenerates one page in place (or, with check, reports whether it would change). Returns whether it changed. */
export function regeneratePage(page: string, opts: { check?: boolean; only?: RegExp } = {}): boolean {
  const file = path.join(ROOT, page);
  const md = fs.readFileSync(file, 'utf8');
  const blocks = runBlocks(md);
  const wanted = blocks.filter((b) => !opts.only || b.commands.some((c) => opts.only!.test(c)));
  if (wanted.length === 0) return false;
  const cwd = scratchDir();
  try {
    for (const script of setupScripts(md)) runScript(script, cwd);
    const values = new Map<string, string>();
    const bodies = blocks.map((b) => {
      if (!wanted.includes(b)) return b.body.replace(/\n$/, '');
      process.stderr.write(`${page}: ${b.commands.map((c) => c.split('\n')[0]).join(' ; ')}\n`);
      return regenerate(b, cwd, values, !opts.check);
    });
    // A partial run (--only) refills only the placeholders its blocks capture.
    const next = fillPlaceholders(replaceBodies(md, blocks, bodies), values, wanted.length === blocks.length);
    if (next === md) return false;
    if (!opts.check) fs.writeFileSync(file, next);
    return true;
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
}

function cli(argv: string[]): number {
  const check = argv.includes('--check');
  const onlyAt = argv.indexOf('--only');
  const only = onlyAt >= 0 ? new RegExp(argv[onlyAt + 1]) : undefined;
  const named = argv.filter((a, i) => !a.startsWith('--') && argv[i - 1] !== '--only');
  const changed = (named.length > 0 ? named : pages()).filter((p) => regeneratePage(p, { check, only }));
  for (const p of changed) console.log(`${check ? 'out of date' : 'rewritten'}: ${p}`);
  return check && changed.length > 0 ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = cli(process.argv.slice(2));
