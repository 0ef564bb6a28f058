/** Learning-rate schedules: the rate at each step, and the largest one a run reaches (for the stability check). */
import type { LrSchedule } from './train-types.js';

export function lrAt(schedule: LrSchedule, base: number, epoch: number, step: number, totalSteps: number): number {
  switch (schedule.kind) {
    case 'constant':
      return base;
    case 'step':
      return base * schedule.gamma ** Math.floor(epoch / schedule.every);
    case 'cosine':
      return 0.5 * base * (1 + Math.cos((Math.PI * step) / totalSteps));
  }
}

/** The largest learning rate a schedule reaches within `epochs` (a step schedule may have gamma > 1). */
export function maxLr(schedule: LrSchedule | undefined, base: number, epochs: number): number {
  if (schedule?.kind !== 'step') return base;
  return base * Math.max(1, schedule.gamma ** Math.floor(Math.max(0, epochs - 1) / schedule.every));
}
