/**
 * The effect of an action, checked against simulated teams (the flags' model, test/support/simulatedTeams.ts):
 * steady teams rarely read as changed, and a real one-point rise is found. Seeded, so the figures
 * are the same on every run.
 */
import { describe, expect, it } from 'vitest';
import type { ActionFocus } from '../../src/domain/actions.ts';
import { DIMENSIONS, type Dimension } from '../../src/domain/dimensions.ts';
import { type Effect, judgeEffect } from '../../src/domain/effect.ts';
import { mulberry32 } from '../../tools/rng.ts';
import { makeTeam, playRound, type Rng, type SimTeam, steadyHistory } from '../support/simulatedTeams.ts';
import { type Unjudged, under } from '../support/tallies.ts';

/** Plays rounds until `count` of them reach the threshold (members skip as usual). */
function shownRounds(
  rng: Rng,
  team: SimTeam,
  history: Unjudged[],
  count: number,
  minResponses: number,
  shift: Partial<Record<Dimension, number>> = {},
): void {
  for (let shown = 0; shown < count; ) {
    const round = playRound(rng, team, history.length + 1, shift);
    history.push(round);
    if (round.responded >= minResponses) shown++;
  }
}

interface Figures {
  steadyActions: number;
  steadyChanged: number;
  riseCases: number;
  riseFound: number;
  riseFoundPlayed: number;
}

function simulate(seed: number, minResponses: number): Figures {
  const rng = mulberry32(seed);
  const focuses: ActionFocus[] = [...DIMENSIONS, 'team'];

  // Steady teams: an action starts after ten ordinary weeks; it counts as a false reading if it
  // reads better or worse at any of the next four shown rounds (the second, third and fourth judged).
  const steadyActions = 3000;
  let steadyChanged = 0;
  for (let t = 0; t < steadyActions; t++) {
    const team = makeTeam(rng, 6 + Math.floor(rng() * 3));
    const history = steadyHistory(rng, team, 10, minResponses);
    const action = { focus: focuses[t % focuses.length] as ActionFocus, round: history.length };
    const readings: Effect[] = [];
    for (let k = 0; k < 4; k++) {
      shownRounds(rng, team, history, 1, minResponses);
      readings.push(judgeEffect(action, under(minResponses, history)));
    }
    expect(readings.slice(0, 1)).toEqual(['too early']);
    if (readings.some((r) => r === 'likely better' || r === 'likely worse')) steadyChanged++;
  }

  // A real rise: a six-person team, ten ordinary weeks, then every member one point higher on the
  // action's dimension (still at most 5). Judged at the third shown round since it started, and,
  // separately, after three rounds played whatever their turnout.
  const riseCases = 3000;
  let riseFound = 0;
  let riseFoundPlayed = 0;
  for (let t = 0; t < riseCases; t++) {
    const team = makeTeam(rng, 6);
    const dimension = DIMENSIONS[t % 4] as Dimension;
    const history = steadyHistory(rng, team, 10, minResponses);
    const action = { focus: dimension, round: history.length };
    const played = [...history];
    for (let k = 0; k < 3; k++) played.push(playRound(rng, team, played.length + 1, { [dimension]: 1 }));
    if (judgeEffect(action, under(minResponses, played)) === 'likely better') riseFoundPlayed++;
    shownRounds(rng, team, history, 3, minResponses, { [dimension]: 1 });
    if (judgeEffect(action, under(minResponses, history)) === 'likely better') riseFound++;
  }
  return { steadyActions, steadyChanged, riseCases, riseFound, riseFoundPlayed };
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

describe.each([5, 3])('the effect of actions on simulated teams, MIN_RESPONSES = %i', (minResponses) => {
  const f = simulate(20261201 + minResponses, minResponses);
  console.log(
    [
      `MIN_RESPONSES=${minResponses}:`,
      `  steady teams: ${pct(f.steadyChanged / f.steadyActions)} of ${f.steadyActions} actions read better or worse within four shown rounds`,
      `  one-point rise, six members: likely better at the third shown round in ${pct(f.riseFound / f.riseCases)}, after three rounds played in ${pct(f.riseFoundPlayed / f.riseCases)}`,
    ].join('\n'),
  );

  it('reads a steady team as better or worse for at most 5 % of actions', () => {
    expect(f.steadyChanged / f.steadyActions).toBeLessThanOrEqual(0.05);
  });

  it('reads a real one-point rise of a six-person team as likely better in at least 80 % of trials', () => {
    expect(f.riseFound / f.riseCases).toBeGreaterThanOrEqual(0.8);
  });
});
