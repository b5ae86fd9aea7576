import { randomBytes } from 'node:crypto';
import type { Services } from '../context.ts';
import { deliveryKey } from '../domain/delivery.ts';
import { describeSchedule, nextSlot, type Weekday } from '../domain/schedule.ts';
import { type SetupModalInput, type SetupTeam, setupConfirmation } from '../messages/setup.ts';
import { localDate } from '../messages/text.ts';
import type { Team } from '../store/teams.ts';
import { mayOnTeam, viewer } from './access.ts';
import { admit, withdrawRequest } from './consent.ts';
import { scheduleOf } from './teams.ts';

// The `/teamhealth setup` form: which teams it offers, and saving it.

/** The teams the caller may edit: all active teams for an admin, else those they manage or lead. */
function editableTeams(s: Services, userId: string): Team[] {
  const teams = viewer(s, userId).admin ? s.teams.active() : s.teams.forUser(userId);
  const editable = teams.filter((t) => !t.archived && mayOnTeam(s, 'edit', t, userId));
  // The caller's own teams first, so an admin with many teams still sees theirs in the picker.
  const own = (t: Team) => (t.managerId === userId || t.leadId === userId ? 0 : 1);
  return editable.sort((a, b) => own(a) - own(b) || a.slug.localeCompare(b.slug));
}

const toSetupTeam = (s: Services, t: Team, withMembers: boolean): SetupTeam => ({
  slug: t.slug,
  managerId: t.managerId,
  leadId: t.leadId,
  memberIds: withMembers ? s.teams.members(t.id) : [],
  pendingIds: withMembers ? s.teams.pending(t.id).map((p) => p.userId) : [],
  ...scheduleOf(t),
});

/**
 * What the form shows the caller, filled in for `selected` when they may edit it. Local SQLite reads
 * only: this runs before views.open, whose trigger id lives 3 s.
 */
export function setupForm(s: Services, userId: string, selected?: string): SetupModalInput {
  // Only the team shown needs its members read.
  const teams = editableTeams(s, userId).map((t) => toSetupTeam(s, t, t.slug === selected));
  return { teams, selected, defaultTimezone: s.config.defaultTimezone };
}

export interface SetupInput {
  team: string;
  memberIds: string[];
  leadId: string | null;
  weekday: Weekday;
  time: string;
  timezone: string;
}

/** A refusal is one sentence, shown on the form's team name. */
export type SaveOutcome =
  | { ok: true; team: Team; created: boolean; memberCount: number; pendingCount: number }
  | { ok: false; error: string };

/**
 * Creates or edits the team in one transaction: members (and people asked to join) become exactly
 * `input.memberIds`, those new to the team joining as `admit` allows; the lead and schedule are set
 * with them. `editing` is the team the form was filled in for (null: new). Nothing is written when the
 * caller may not do it.
 */
export function saveSetup(
  s: Services,
  callerId: string,
  editing: string | null,
  input: SetupInput,
  now: Date,
): SaveOutcome {
  return s.db.transaction((): SaveOutcome => {
    if (editing !== null && input.team !== editing) {
      return {
        ok: false,
        error: `A team cannot be renamed here: keep the name ${editing} to save it, or pick “A new team” above to create another.`,
      };
    }
    const existing = s.teams.bySlug(input.team);
    if (existing && !mayOnTeam(s, 'edit', existing, callerId)) {
      return {
        ok: false,
        error:
          editing !== null
            ? `Sorry, only the manager of ${input.team}, its lead or an admin can change it. Nothing was changed.`
            : `Sorry, the name ${input.team} is taken by a team you do not manage. Please choose another name.`,
      };
    }
    if (existing?.archived) {
      return {
        ok: false,
        error: `The name ${input.team} belongs to an archived team. Please choose another name.`,
      };
    }
    if (editing !== null && !existing) {
      return {
        ok: false,
        error: `The team ${editing} no longer exists. Close this form and run /teamhealth setup again.`,
      };
    }

    const team = existing ?? s.teams.create(input.team, callerId, input.timezone, now);
    if (team.leadId !== input.leadId) s.teams.setLead(team.id, input.leadId);
    // Only a real change restarts the schedule: re-saving must not skip a check-in that is due.
    if (team.weekday !== input.weekday || team.time !== input.time || team.timezone !== input.timezone) {
      s.teams.setSchedule(team.id, input.weekday, input.time, input.timezone, now);
    }
    // Read again: the DMs to people asked to join name the lead just set.
    const saved = s.teams.byId(team.id) ?? team;
    const wanted = new Set(input.memberIds);
    s.teams.removeMembers(
      team.id,
      s.teams.members(team.id).filter((u) => !wanted.has(u)),
    );
    for (const { userId } of s.teams.pending(team.id)) {
      if (!wanted.has(userId)) withdrawRequest(s, team.id, userId);
    }
    admit(s, saved, callerId, input.memberIds);
    return {
      ok: true,
      team: saved,
      created: !existing,
      memberCount: s.teams.members(team.id).length,
      pendingCount: s.teams.pending(team.id).length,
    };
  })();
}

/** Queues the DM confirming a saved form to the caller and wakes the outbox worker. */
export function confirmSetup(
  s: Services,
  callerId: string,
  saved: Extract<SaveOutcome, { ok: true }>,
  now: Date,
): void {
  const { team } = saved;
  const schedule = scheduleOf(team);
  const message = setupConfirmation({
    created: saved.created,
    slug: team.slug,
    memberCount: saved.memberCount,
    pendingCount: saved.pendingCount,
    leadId: team.leadId,
    schedule: describeSchedule(schedule),
    next: localDate(nextSlot(schedule, now), team.timezone),
  });
  const nonce = randomBytes(8).toString('hex');
  s.outbox.enqueue(deliveryKey({ kind: 'setup', teamId: team.id, nonce }), 'chat.postMessage', {
    channel: callerId,
    ...message,
  });
  s.kick();
}
