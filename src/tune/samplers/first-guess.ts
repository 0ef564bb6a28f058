/** bayes's first λ: the run plan's constant-timescale rule, with τ read on a trial's training rows as the trainer reads it. */
import { firstGuessLambda, type FirstGuess } from '../../plan/first-guess.js';
import { trialRows } from '../scoring/score.js';
import type { TuneSetup } from '../setup.js';

/** The λ whose timescale τ on a trial equals the epochs each trial trains, clipped to `range`; see {@link firstGuessLambda}. */
export function timescaleFirstGuess(setup: TuneSetup, range: { lo: number; hi: number }): FirstGuess {
  return firstGuessLambda(setup.plan, range, trialRows(setup));
}
