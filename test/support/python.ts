/** Finds Debian's python3 with torch / scikit-learn for reference checks, or says why a test skips. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PYTHON = '/usr/bin/python3';
export const REF_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../ref');

const cache = new Map<string, string | undefined>();

/** undefined when `modules` import; otherwise the reason a test that needs them is skipped. */
export function missingPython(modules: string[]): string | undefined {
  const key = modules.join(',');
  if (!cache.has(key)) {
    let reason: string | undefined;
    if (!existsSync(REF_DIR)) reason = `reference scripts not found at ${REF_DIR}`;
    else {
      const r = spawnSync(PYTHON, ['-c', `import ${key}`], { encoding: 'utf8' });
      if (r.status !== 0) reason = `${PYTHON} cannot import ${key}: apt-get install -y python3-torch python3-sklearn`;
    }
    cache.set(key, reason);
  }
  return cache.get(key);
}

export function runPython(script: string, args: string[], env: Record<string, string> = {}): string {
  const r = spawnSync(PYTHON, [path.join(REF_DIR, script), ...args], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${script} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}
