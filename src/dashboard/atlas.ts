/**
 * The dashboard's atlas page: an atlas stored in the study store (study `atlas:NAME`, its spec and
 * one outcome per cell and strategy as attributes) read back with `runAtlas(…, {compute: false})`
 * and shown with the HTML report's own views (cells, λ* against parameters, which strategy missed where).
 */
import { analyzeAtlas, runAtlas, type AtlasSpec } from '../atlas/index.js';
import { reportSections } from '../atlas/report/html.js';
import type { StudyStorage } from '../study/index.js';
import type { StudyDetail } from './views.js';

/** Whether a study is an atlas's record (its strategy kind is `atlas`). */
export function isAtlas(d: Pick<StudyDetail, 'strategy'>): boolean {
  return d.strategy === 'atlas';
}

/** The report sections of the atlas stored in `d` (read only: nothing is trained), or why there are none. */
export async function atlasSections(storage: StudyStorage, d: StudyDetail): Promise<{ sections: string[] } | { missing: string }> {
  const raw = d.attrs.spec;
  if (raw === undefined) return { missing: `The atlas study '${d.name}' has no stored spec yet: run 'l2lab atlas' with this store to fill it.` };
  // runAtlas stored the spec it had already checked and normalized (strategies with their options), which is not the user's input form: read it back as is.
  const spec = raw as unknown as AtlasSpec;
  const run = await runAtlas(spec, { storage, compute: false });
  return { sections: await reportSections(run, analyzeAtlas(run)) };
}
