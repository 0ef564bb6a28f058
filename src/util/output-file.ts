/** Output files: checked before any work (so a long run never ends on a path it cannot write), and written atomically without leftovers. */
import fs from 'node:fs';
import path from 'node:path';
import { InvalidOptionError } from '../errors.js';

/**
 * Throws unless `file` can be written as a file: its directory exists and is writable, and `file`
 * itself is not a directory. `flag` names the user's option in the message (e.g. `--out`).
 */
export function checkOutputFile(file: string, flag: string): void {
  const target = path.resolve(file);
  const dir = path.dirname(target);
  const stat = fs.statSync(dir, { throwIfNoEntry: false });
  if (!stat) throw new InvalidOptionError(`Cannot write ${flag} ${file}: directory ${dir} does not exist. Create it first or choose another ${flag} path.`);
  if (!stat.isDirectory()) throw new InvalidOptionError(`Cannot write ${flag} ${file}: ${dir} is a file, not a directory. Choose another ${flag} path.`);
  if (fs.statSync(target, { throwIfNoEntry: false })?.isDirectory()) {
    throw new InvalidOptionError(`Cannot write ${flag} ${file}: it is a directory. Give a file path (inside it, or elsewhere) to ${flag}.`);
  }
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    throw new InvalidOptionError(`Cannot write ${flag} ${file}: directory ${dir} is not writable. Choose another ${flag} path.`);
  }
}

/**
 * Writes every `[file, content]` pair so a reader sees old files or new ones, never half of one: each
 * goes to a temporary file beside it, then all are renamed. On failure no temporary file is left.
 */
export function writeFilesAtomic(files: readonly (readonly [string, string | Uint8Array])[]): void {
  const tmps = files.map(([file]) => path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}`));
  try {
    files.forEach(([, content], i) => fs.writeFileSync(tmps[i], content));
    files.forEach(([file], i) => fs.renameSync(tmps[i], file));
  } finally {
    for (const t of tmps) fs.rmSync(t, { force: true });
  }
}

/** Throws unless `dir` is a directory, or a path where one can be created (no file in the way). */
export function checkOutputDir(dir: string, flag: string): void {
  let p = path.resolve(dir);
  for (;;) {
    const stat = fs.statSync(p, { throwIfNoEntry: false });
    if (stat && !stat.isDirectory()) throw new InvalidOptionError(`Cannot write ${flag} ${dir}: ${p} is a file, not a directory. Choose another ${flag} directory.`);
    if (stat || p === path.dirname(p)) return;
    p = path.dirname(p);
  }
}
