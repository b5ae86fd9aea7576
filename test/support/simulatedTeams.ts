/**
 * Simulated teams for the seeded simulations of flags and action effects (see the model in
 * test/domain/flags.simulation.test.ts and docs/flags.md).
 */
import { DIMENSIONS, type Dimension, type Distribution } from '../../src/domain/dimensions.ts';
import { normalFrom } from '../../tools/rng.ts';
import type { Unjudged } from './tallies.ts';

export type Rng = () => number;

export interface SimTeam {
  members: number;
  /** levels[dimension][member] */
  levels: Record<Dimension, number[]>;
  weeklySd: number;
  responseRate: number;
}

const between = (rng: Rng, lo: number, hi: number): number => lo + (hi - lo) * rng();

export function makeTeam(rng: Rng, members: number): SimTeam {
  const personSd = between(rng, 0.5, 0.7);
  const weeklySd = between(rng, 0.5, 0.6);
  const responseRate = between(rng, 0.8, 0.9);
  const levels = {} as Record<Dimension, number[]>;
  for (const d of DIMENSIONS) {
    const teamMean = between(rng, 3, 4.5);
    const offsets = Array.from({ length: members }, () => normalFrom(rng) * personSd);
    const centre = offsets.reduce((a, b) => a + b, 0) / members;
    levels[d] = offsets.map((o) => teamMean + o - centre);
  }
  return { members, levels, weeklySd, responseRate };
}

const WEEK = 7 * 24 * 3600 * 1000;

/** One round; `shift` moves every member's level on a dimension; `everyone` makes all answer. */
export function playRound(
  rng: Rng,
  team: SimTeam,
  number: number,
  shift: Partial<Record<Dimension, number>> = {},
  everyone = false,
): Unjudged {
  const answering: number[] = [];
  for (let i = 0; i < team.members; i++) if (everyone || rng() < team.responseRate) answering.push(i);
  const distributions = {} as Record<Dimension, Distribution>;
  for (const d of DIMENSIONS) {
    const dist: Distribution = [0, 0, 0, 0, 0];
    for (const i of answering) {
      const level = (team.levels[d][i] ?? 3) + (shift[d] ?? 0);
      const score = Math.min(5, Math.max(1, Math.round(level + team.weeklySd * normalFrom(rng))));
      dist[(score - 1) as 0 | 1 | 2 | 3 | 4] += 1;
    }
    distributions[d] = dist;
  }
  const openedAt = new Date(Date.UTC(2025, 0, 6) + number * WEEK);
  return {
    roundId: number,
    number,
    openedAt,
    closedAt: new Date(openedAt.getTime() + 3 * 24 * 3600 * 1000),
    invited: team.members,
    responded: answering.length,
    distributions,
  };
}

/** A team's ordinary history: `rounds` weeks, and more until at least 4 rounds are shown. */
export function steadyHistory(rng: Rng, team: SimTeam, rounds: number, minResponses: number): Unjudged[] {
  const history: Unjudged[] = [];
  let shown = 0;
  while (history.length < rounds || shown < 4) {
    const round = playRound(rng, team, history.length + 1);
    history.push(round);
    if (round.responded >= minResponses) shown++;
  }
  return history;
}
