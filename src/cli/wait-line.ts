/** The stderr line a worker prints while it waits on trials (or atlas cells) that other workers run. */
import type { Trial, WaitEvent } from '../study/index.js';

/** What a held trial is, for people: an atlas task names its cell and strategy, a tuning trial its λ. */
function what(t: Trial): string {
  const p = t.params;
  if (typeof p.task === 'string') return p.task;
  return `trial #${t.number} (λ=${p.lambda}${p.dropout ? `, dropout ${p.dropout}` : ''}${typeof p.rung === 'number' ? `, rung ${p.rung}` : ''})`;
}

/**
 * One line naming each held trial (or the study-wide task), its owner and how long ago it last sent a heartbeat, e.g.
 * `waiting for another worker: trial #3 (λ=0.1) on w2 pid 4711 (heartbeat 1.2 s ago); run here if it is silent for 60 s`.
 */
export function waitLine(e: WaitEvent, now: number = Date.now()): string {
  if (e.task) return `waiting for another worker: ${e.task.name} on ${e.task.owner.hostname} pid ${e.task.owner.pid}; run here if silent for ${e.timeoutMs / 1000} s`;
  const shown = e.held.slice(0, 3).map((t) => {
    const owner = t.owner ? ` on ${t.owner.hostname} pid ${t.owner.pid}` : '';
    const beat = t.heartbeatAt === null ? '' : ` (heartbeat ${(Math.max(0, now - t.heartbeatAt) / 1000).toFixed(1)} s ago)`;
    return `${what(t)}${owner}${beat}`;
  });
  const more = e.held.length > shown.length ? ` and ${e.held.length - shown.length} more` : '';
  return `waiting for another worker: ${shown.join('; ')}${more}; run here if silent for ${e.timeoutMs / 1000} s`;
}
