/**
 * What the live pages re-read: every study row and trial view is stamped with the version at
 * which its content last changed, so a page polling `?since=V` receives only what changed; and
 * the overview re-reads the trials of a study only when its counts or best value moved or a trial
 * is in flight (a finished study's trials never change).
 */
import type { StudyStorage } from '../study/index.js';
import { isActive, studyRow, type StudyRow } from './views.js';

/** Versions of keyed values: a value's stamp moves only when its JSON changes. */
export class ChangeLog {
  private version = 0;
  private readonly seen = new Map<string, { json: string; version: number }>();

  /** The latest version handed out. */
  get current(): number {
    return this.version;
  }

  /** The version at which `value` (under `key`) last changed; a new or changed value gets a new one. */
  stamp(key: string, value: unknown): number {
    const json = JSON.stringify(value);
    const old = this.seen.get(key);
    if (old !== undefined && old.json === json) return old.version;
    this.seen.set(key, { json, version: ++this.version });
    return this.version;
  }
}

/** The overview's rows, kept between requests: a study is re-read only when it may have changed. */
export class OverviewCache {
  private readonly rows = new Map<number, { fingerprint: string; row: StudyRow }>();

  async list(storage: StudyStorage, now: number): Promise<StudyRow[]> {
    const summaries = await storage.listStudies();
    const out = await Promise.all(
      summaries.map(async (s) => {
        const fingerprint = JSON.stringify([s.name, s.trialCounts, s.bestValue]);
        const hit = this.rows.get(s.id);
        if (hit !== undefined && hit.fingerprint === fingerprint && !isActive(s.trialCounts)) return hit.row;
        const row = await studyRow(storage, s, now);
        this.rows.set(s.id, { fingerprint, row });
        return row;
      }),
    );
    const ids = new Set(summaries.map((s) => s.id));
    for (const id of this.rows.keys()) if (!ids.has(id)) this.rows.delete(id);
    return out;
  }
}
