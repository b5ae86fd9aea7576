import type { Services } from '../context.ts';
import { buildDigest, type Digest } from '../domain/digest.ts';
import { assessTeam, HISTORY_ROUNDS, type TeamHealth } from '../domain/health.ts';
import type { Team } from '../store/teams.ts';
import { digestMessage as renderDigest } from './blocks/digest.ts';
import type { Message } from './blocks/text.ts';

/** One team's standing from its closed rounds (one query for the rounds, one per round for tallies). */
export const healthOf = (s: Services, team: Team): TeamHealth =>
  assessTeam(team, s.rounds.closedTallies(team.id, HISTORY_ROUNDS), s.config.minResponses);

export const leadDigest = (s: Services, leadId: string): Digest =>
  buildDigest(
    leadId,
    s.teams.ledBy(leadId).map((t) => healthOf(s, t)),
    s.config.minResponses,
  );

/** The caller's lead digest, now. */
export function digestMessage(s: Services, leadId: string): Message {
  return renderDigest(leadDigest(s, leadId), s.config.minResponses);
}
