/** Reads a dataset file, turning a missing or unreadable file into an InvalidDataError. */
import { readFileSync } from 'node:fs';
import { InvalidDataError } from '../errors.js';

export function readInput(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new InvalidDataError(`Cannot read dataset file ${path} (${code}). Check that the path is right and the file is readable.`);
  }
}
