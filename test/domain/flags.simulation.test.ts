/**
 * The warning flags, checked against simulated teams: few false alarms on steady teams, and real
 * changes found. Deterministic (seeded), so the figures below are the same on every run.
 *
 * The model, per team: 6–8 members; per dimension a team mean drawn from 3–4.5 and a personal level
 * for every member around it (person-to-person SD 0.5–0.7, the offsets centred so the team mean is
 * the drawn one); each week every member answers with the team's response rate (80–90 %), their
 * level plus week-to-week noise (SD 0.5–0.6), rounded and clamped to 1..5. Dimensions are drawn
 * independently, which is the hard case for "any flag on any of the four dimensions".
 */
import { describe, expect, it } from 'vitest';
import { DIMENSIONS, type Dimension } from '../../src/domain/dimensions.ts';
import { computeFlags, type Flag } from '../../src/domain/flags.ts';
import { mulberry32 } from '../../tools/rng.ts';
import { makeTeam, playRound, steadyHistory } from '../support/simulatedTeams.ts';
import { type Unjudged, under } from '../support/tallies.ts';

const ANSWER_KINDS = new Set<Flag['kind']>(['low', 'drop', 'slide', 'low_share']);

interface Figures {
  teamRounds: number;
  falseAlarmRate: number;
  byKind: Record<string, number>;
  dropCases: number;
  dropPower: number;
  slideCases: number;
  slidePower: number;
  slideAsSlide: number;
}

function simulate(seed: number, minResponses: number): Figures {
  const rng = mulberry32(seed);

  // Steady teams: every shown round that has 4 shown rounds before it counts once.
  let teamRounds = 0;
  let alarms = 0;
  const byKind: Record<string, number> = {};
  for (let t = 0; t < 2500; t++) {
    const team = makeTeam(rng, 6 + Math.floor(rng() * 3));
    const history: Unjudged[] = [];
    let shownBefore = 0;
    for (let r = 1; r <= 14; r++) {
      const round = playRound(rng, team, r);
      history.push(round);
      if (round.responded < minResponses) continue;
      if (shownBefore >= 4) {
        teamRounds++;
        const kinds = new Set(computeFlags(under(minResponses, history)).map((f) => f.kind));
        const answerKinds = [...kinds].filter((k) => ANSWER_KINDS.has(k));
        if (answerKinds.length > 0) alarms++;
        for (const k of answerKinds) byKind[k] = (byKind[k] ?? 0) + 1;
      }
      shownBefore++;
    }
  }

  // A true one-point drop: a six-person team with ten ordinary weeks behind it, then a week in
  // which every member is one point lower on one dimension and all six answer.
  const cases = 4000;
  let dropFound = 0;
  for (let t = 0; t < cases; t++) {
    const team = makeTeam(rng, 6);
    const history = steadyHistory(rng, team, 10, minResponses);
    const dimension = DIMENSIONS[t % 4] as Dimension;
    history.push(playRound(rng, team, history.length + 1, { [dimension]: -1 }, true));
    const flags = computeFlags(under(minResponses, history));
    if (flags.some((f) => f.kind === 'drop' && f.dimension === dimension)) dropFound++;
  }

  // A slide of 0.3 a round: ten ordinary weeks, then three rounds 0.3, 0.6 and 0.9 below; members
  // skip as usual (the three rounds are taken among those that reach the threshold).
  let slideFound = 0;
  let slideAsSlide = 0;
  for (let t = 0; t < cases; t++) {
    const team = makeTeam(rng, 6 + Math.floor(rng() * 3));
    const history = steadyHistory(rng, team, 10, minResponses);
    const dimension = DIMENSIONS[t % 4] as Dimension;
    for (const step of [-0.3, -0.6, -0.9]) {
      let round: Unjudged;
      do round = playRound(rng, team, history.length + 1, { [dimension]: step });
      while (round.responded < minResponses);
      history.push(round);
    }
    const flags = computeFlags(under(minResponses, history)).filter((f) => f.dimension === dimension);
    if (flags.some((f) => f.kind === 'slide' || f.kind === 'drop')) slideFound++;
    if (flags.some((f) => f.kind === 'slide')) slideAsSlide++;
  }

  return {
    teamRounds,
    falseAlarmRate: alarms / teamRounds,
    byKind: Object.fromEntries(Object.entries(byKind).map(([k, v]) => [k, v / teamRounds])),
    dropCases: cases,
    dropPower: dropFound / cases,
    slideCases: cases,
    slidePower: slideFound / cases,
    slideAsSlide: slideAsSlide / cases,
  };
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

describe.each([5, 3])('warning flags on simulated teams, MIN_RESPONSES = %i', (minResponses) => {
  const figures = simulate(20250106 + minResponses, minResponses);
  const kinds = Object.entries(figures.byKind)
    .map(([k, v]) => `${k} ${pct(v)}`)
    .join(', ');
  console.log(
    [
      `MIN_RESPONSES=${minResponses}:`,
      `  steady teams: ${pct(figures.falseAlarmRate)} of ${figures.teamRounds} team-rounds raised an answer-based flag (${kinds})`,
      `  one-point drop, six answering: found as drop in ${pct(figures.dropPower)} of ${figures.dropCases}`,
      `  slide of 0.3 a round over three rounds: found in ${pct(figures.slidePower)} of ${figures.slideCases} (as slide ${pct(figures.slideAsSlide)})`,
    ].join('\n'),
  );

  it('raises an answer-based flag in at most 5 % of steady team-rounds', () => {
    expect(figures.falseAlarmRate).toBeLessThanOrEqual(0.05);
  });

  it('finds a true one-point drop of a six-person team in at least 80 % of cases', () => {
    expect(figures.dropPower).toBeGreaterThanOrEqual(0.8);
  });

  it('finds a slide of 0.3 a round over three rounds in at least 70 % of cases', () => {
    expect(figures.slidePower).toBeGreaterThanOrEqual(0.7);
  });
});
