import type { Services } from '../context.ts';
import { type Action, type ActionFocus, MAX_OPEN_ACTIONS } from '../domain/actions.ts';
import {
  criticalWithoutAction,
  type DigestActions,
  type JudgedAction,
  judgeEffect,
} from '../domain/effect.ts';
import type { RoundTally } from '../domain/tally.ts';
import type { Team } from '../store/teams.ts';
import { mayOnTeam, teamFor } from './access.ts';
import type { Refused } from './teams.ts';

// What a team will try, recorded by its manager, its lead or an admin, and heard by the team.

export type AddActionResult =
  | Refused
  | { ok: false; team: Team; tooMany: number }
  | { ok: true; team: Team; action: Action };

/** `action add`: numbers the action after the team's last one, in one transaction. */
export function addAction(
  s: Services,
  caller: string,
  slug: string,
  focus: ActionFocus,
  text: string,
): AddActionResult {
  const found = teamFor(s, slug, caller, 'act');
  if (!found.ok) return found;
  const team = found.team;
  return s.db.transaction((): AddActionResult => {
    if (s.actions.open(team.id).length >= MAX_OPEN_ACTIONS)
      return { ok: false, team, tooMany: MAX_OPEN_ACTIONS };
    return { ok: true, team, action: s.actions.add(team.id, focus, text) };
  })();
}

export type FinishActionResult =
  | Refused
  | { ok: false; team: Team; missing: number }
  | { ok: false; team: Team; already: Action }
  | { ok: true; team: Team; action: Action };

/** `action done` / `action drop`: an open action ends; one already ended stays as it was. */
export function finishAction(
  s: Services,
  caller: string,
  slug: string,
  number: number,
  status: 'done' | 'dropped',
): FinishActionResult {
  const found = teamFor(s, slug, caller, 'act');
  if (!found.ok) return found;
  const team = found.team;
  return s.db.transaction((): FinishActionResult => {
    const action = s.actions.byNumber(team.id, number);
    if (!action) return { ok: false, team, missing: number };
    if (!s.actions.finish(team.id, number, status)) return { ok: false, team, already: action };
    return { ok: true, team, action: { ...action, status } };
  })();
}

/** How many closed rounds the effect of an action may look back on: a year of weekly rounds. */
const EFFECT_HISTORY_ROUNDS = 60;

/** Each action with its effect so far (judged for open actions; ended ones keep no verdict). */
export function judgeActions(s: Services, team: Team, actions: readonly Action[]): JudgedAction[] {
  if (actions.length === 0) return [];
  const history = s.rounds.closedTallies(team.id, EFFECT_HISTORY_ROUNDS);
  return actions.map((a) => ({ ...a, effect: judgeEffect(a, history) }));
}

/** The team's open actions with their effect: for the report and the digest. */
export const openActions = (s: Services, team: Team): JudgedAction[] =>
  judgeActions(s, team, s.actions.open(team.id));

export interface TeamActions {
  team: Team;
  actions: JudgedAction[];
}

export type ListActionsResult = Refused | { ok: true; teams: TeamActions[] };

/** `action list [team]`: one team's actions, or those of every team the caller may act for. */
export function listActions(s: Services, caller: string, slug: string | null): ListActionsResult {
  if (slug !== null) {
    const found = teamFor(s, slug, caller, 'act');
    if (!found.ok) return found;
    const team = found.team;
    return { ok: true, teams: [{ team, actions: judgeActions(s, team, s.actions.all(team.id)) }] };
  }
  const teams = s.teams
    .forUser(caller)
    .filter((t) => mayOnTeam(s, 'act', t, caller))
    .map((team) => ({ team, actions: judgeActions(s, team, s.actions.all(team.id)) }));
  return { ok: true, teams };
}

/** A team's open actions and whether it needs one, from its history (HISTORY_ROUNDS): for the lead's digest. */
export const digestActionsOf = (s: Services, team: Team, history: readonly RoundTally[]): DigestActions => ({
  actions: openActions(s, team),
  unattended: criticalWithoutAction(history, s.actions.all(team.id)),
});
