/** The bearer token that guards `l2lab serve`'s writes: made at start or read from a file, compared in constant time. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';

import { InvalidOptionError } from '../errors.js';

/** Fewer characters than this is guessable; a generated token has 43. */
const MIN_LENGTH = 16;

/** A fresh random token: 32 bytes (256 bits) in base64url, so it pastes into a header or a file unchanged. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Checks a token given in code (or read from a file): printable, no spaces, at least 16 characters. */
export function checkToken(token: string, source: string): string {
  if (token.length < MIN_LENGTH || !/^[\x21-\x7e]+$/.test(token)) {
    throw new InvalidOptionError(`The token ${source} must be at least ${MIN_LENGTH} printable characters without spaces (got ${token.length} characters). Write one with: node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))" > token.txt`);
  }
  return token;
}

/** The token in `file` (surrounding whitespace and a trailing newline ignored). */
export function readTokenFile(file: string): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new InvalidOptionError(`The --token-file ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). Give a file holding the token on one line.`);
  }
  return checkToken(text.trim(), `in --token-file ${file}`);
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * Whether an `Authorization` header carries `Bearer <token>`. The two are compared as SHA-256
 * digests with timingSafeEqual: equal lengths always, so neither the token's length nor how many
 * leading characters a guess got right shows in the response time.
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  return timingSafeEqual(digest(m?.[1] ?? ''), digest(token)) && m !== null;
}
