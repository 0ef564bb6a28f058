/** Opening a study by name so that a configuration that produced nothing never blocks the next one, and deleting a study by name. */
import { StorageError, StudyConfigMismatchError } from './errors.js';
import { isOwnerDeadHere } from './owner.js';
import type { Created, Study, StudyConfig, StudyStorage, Trial } from './storage.js';

/** What {@link openStudy} returns: the study, and the stored study it replaced, if any. */
export interface OpenedStudy extends Created<Study> {
  /** The study of the same name, stored under another config, that was deleted because it held no result. */
  replaced?: Study;
}

/**
 * Whether a trial holds nothing worth keeping: it FAILed, never started, or was left RUNNING by a
 * process of this host that is gone. A COMPLETE or PRUNED trial holds a result; a RUNNING trial of
 * a live (or another host's) process is someone's work in progress.
 */
function holdsNothing(t: Trial): boolean {
  return t.state === 'FAIL' || t.state === 'WAITING' || (t.state === 'RUNNING' && t.owner !== null && isOwnerDeadHere(t.owner));
}

/**
 * Creates the study `name` with `config`, or opens it when it exists with that config. The rule
 * for a name stored with another config: when none of its trials holds a result (every one FAILed,
 * never started or was abandoned on this host — a first run that failed on a bad option), it is
 * deleted and created anew with `config`; otherwise the {@link StudyConfigMismatchError} stands.
 */
export async function openStudy(storage: StudyStorage, name: string, config: StudyConfig): Promise<OpenedStudy> {
  try {
    return await storage.createStudy(name, config);
  } catch (e) {
    if (!(e instanceof StudyConfigMismatchError)) throw e;
    const stored = await storage.getStudy(name);
    if (!stored || !(await storage.listTrials(stored.id)).every(holdsNothing)) throw e;
    await storage.deleteStudy(stored.id);
    return { ...(await storage.createStudy(name, config)), replaced: stored };
  }
}

/**
 * Deletes the study `name` with its trials, epochs and attributes (`l2lab studies --delete NAME`).
 * Returns the deleted study.
 *
 * @throws StorageError when the storage has no study of that name (the message lists those it has).
 */
export async function deleteStudyNamed(storage: StudyStorage, name: string): Promise<Study> {
  const study = await storage.getStudy(name);
  if (!study) {
    const names = (await storage.listStudies()).map((s) => s.name);
    throw new StorageError(`No study '${name}' in ${storage.location}. ${names.length ? `Studies there: ${names.join(', ')}.` : 'It has no studies.'} 'l2lab studies' lists them.`);
  }
  await storage.deleteStudy(study.id);
  return study;
}
