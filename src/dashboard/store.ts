/**
 * The dashboard's hold on a study store: opened once and kept open (each read sees the latest
 * commits). A SQLite file that does not exist yet is not created — a read-only viewer leaves no
 * stray files — but opened as soon as `l2lab tune` creates it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { openStorage, type StudyStorage } from '../study/index.js';

/** Whether a `--storage` value names a SQLite file (not a URL, not `:memory:`). */
function sqlitePath(spec: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec) || spec === ':memory:') return null;
  return spec;
}

/** A URL with its password hidden, for pages and messages. */
function redact(spec: string): string {
  return spec.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
}

export class StoreHandle {
  private opening: Promise<StudyStorage | null> | null = null;
  private closed = false;

  private constructor(
    private storage: StudyStorage | null,
    private readonly spec: string,
    /** Whether this handle opened the storage (and so closes it). */
    private readonly owned: boolean,
  ) {}

  /** Opens `spec` now when it exists (so a wrong path or an unreachable server fails at start-up), or wraps an open storage, which {@link close} then leaves open. */
  static async open(spec: string | StudyStorage): Promise<StoreHandle> {
    if (typeof spec !== 'string') return new StoreHandle(spec, '', false);
    const h = new StoreHandle(null, spec, true);
    await h.get();
    return h;
  }

  /** Where the studies live, for the page header. */
  get location(): string {
    if (this.storage !== null) return this.storage.location;
    const file = sqlitePath(this.spec);
    return file !== null ? `SQLite file ${file} (not created yet)` : redact(this.spec);
  }

  /** The open storage, or `null` while its SQLite file does not exist yet. */
  async get(): Promise<StudyStorage | null> {
    if (this.storage !== null) return this.storage;
    if (this.closed) return null;
    const file = sqlitePath(this.spec);
    if (file !== null && !fs.existsSync(path.resolve(file))) return null;
    this.opening ??= openStorage(this.spec).then(
      (s) => {
        this.opening = null;
        if (this.closed) {
          void s.close();
          return null;
        }
        return (this.storage = s);
      },
      (e: unknown) => {
        this.opening = null;
        throw e;
      },
    );
    return this.opening;
  }

  /** Closes the storage when this handle opened it. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.owned && this.storage !== null) await this.storage.close();
  }
}
