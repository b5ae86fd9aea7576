import type { Services } from '../context.ts';
import { deliveryKey } from '../domain/delivery.ts';
import {
  addedMessage,
  type ConsentRefusal,
  declinedMessage,
  joinedMessage,
  joinRequestMessage,
  leftMessage,
  optedOutMessage,
} from '../messages/consent.ts';
import type { Readers } from '../messages/readers.ts';
import type { Team } from '../store/teams.ts';
import { mayInTheApp } from './access.ts';
import { withdrawInvite } from './away.ts';

// Consent to be surveyed: nobody but an admin puts a person in a team's audience without that person
// pressing Join in a DM that says who reads the results.

/** Who reads the team's results, as the DMs that ask people to answer name them. */
/** Who reads a team's results, and from how many answers (`threshold`: a round's own, once it opened). */
export const readersOf = (s: Services, team: Team, threshold: number = s.config.minResponses): Readers => ({
  managerId: team.managerId,
  leadId: team.leadId,
  threshold,
});

export interface Admitted {
  /** Now members: added by an admin, or people who added themselves. */
  added: string[];
  /** Asked to join: pending until they press Join. */
  asked: string[];
  /** Already members. */
  already: string[];
  /** Asked before and not joined yet: not asked again. */
  alreadyAsked: string[];
}

/**
 * Puts people on a team as the caller may: at once when the caller is an admin (or adds themselves),
 * otherwise as pending, each with one DM asking them to join. Runs inside the caller's transaction.
 */
export function admit(s: Services, team: Team, caller: string, userIds: readonly string[]): Admitted {
  const atOnce = mayInTheApp(s, 'add_without_consent', caller);
  const readers = readersOf(s, team);
  const ref = { slug: team.slug, id: team.id };
  const out: Admitted = { added: [], asked: [], already: [], alreadyAsked: [] };
  for (const userId of userIds) {
    if (s.teams.isMember(team.id, userId)) {
      out.already.push(userId);
    } else if (atOnce || userId === caller) {
      withdrawRequest(s, team.id, userId);
      s.teams.addMembers(team.id, [userId]);
      out.added.push(userId);
      // Adding yourself is consent enough; anyone an admin added is told, with a way out.
      if (userId !== caller) {
        s.outbox.enqueue(deliveryKey({ kind: 'added', teamId: team.id, userId }), 'chat.postMessage', {
          channel: userId,
          ...addedMessage(ref, caller, readers),
        });
      }
    } else if (s.teams.addPending(team.id, userId, caller)) {
      out.asked.push(userId);
      s.outbox.enqueue(deliveryKey({ kind: 'join', teamId: team.id, userId }), 'chat.postMessage', {
        channel: userId,
        ...joinRequestMessage(ref, caller, readers),
      });
    } else {
      out.alreadyAsked.push(userId);
    }
  }
  return out;
}

/**
 * Takes back a request to join (the person was removed, deselected, or joined another way), with its
 * DM if that has not gone out yet. True when there was a request.
 */
export function withdrawRequest(s: Services, teamId: number, userId: string): boolean {
  s.outbox.drop(deliveryKey({ kind: 'join', teamId, userId }));
  return s.teams.removePending(teamId, userId);
}

/** The DM the button was pressed in, as Slack says; it is updated to say what the press did. */
export interface PressedIn {
  channel: string;
  ts: string;
}

export type ConsentOutcome = { ok: true } | { ok: false; refusal: ConsentRefusal };

const refused = (refusal: ConsentRefusal): ConsentOutcome => ({ ok: false, refusal });

/** Runs one consent decision in one transaction, then wakes the outbox when it queued something. */
function decide(s: Services, fn: () => ConsentOutcome): ConsentOutcome {
  const outcome = s.db.transaction(fn)();
  if (outcome.ok) s.kick();
  return outcome;
}

/** `Join`: the person becomes a member, so the next round that opens invites them. */
export function joinTeam(s: Services, teamId: number, userId: string, dm: PressedIn): ConsentOutcome {
  return decide(s, () => {
    const team = s.teams.byId(teamId);
    if (!team) return refused({ kind: 'no_team' });
    if (s.teams.pendingAddedBy(team.id, userId) === undefined) {
      return refused({
        kind: s.teams.isMember(team.id, userId) ? 'already_member' : 'not_asked',
        team: team.slug,
      });
    }
    withdrawRequest(s, team.id, userId);
    s.teams.addMembers(team.id, [userId]);
    // They just pressed a button in Slack: whatever Slack said about reaching them before is stale.
    s.teams.clearUnreachable(userId);
    s.outbox.enqueue(deliveryKey({ kind: 'joined', teamId: team.id, userId }), 'chat.update', {
      ...dm,
      ...joinedMessage({ slug: team.slug, id: team.id }, readersOf(s, team)),
    });
    return { ok: true };
  });
}

/** `Not my team`: the request goes, and whoever made it is told. */
export function declineTeam(s: Services, teamId: number, userId: string, dm: PressedIn): ConsentOutcome {
  return decide(s, () => {
    const team = s.teams.byId(teamId);
    if (!team) return refused({ kind: 'no_team' });
    const addedBy = s.teams.pendingAddedBy(team.id, userId);
    if (addedBy === undefined) {
      return refused({
        kind: s.teams.isMember(team.id, userId) ? 'already_member' : 'not_asked',
        team: team.slug,
      });
    }
    withdrawRequest(s, team.id, userId);
    s.outbox.enqueue(deliveryKey({ kind: 'optout', teamId: team.id, userId }), 'chat.update', {
      ...dm,
      ...optedOutMessage(team.slug, addedBy),
    });
    s.outbox.enqueue(deliveryKey({ kind: 'declined', teamId: team.id, userId }), 'chat.postMessage', {
      channel: addedBy,
      ...declinedMessage(team.slug, userId),
    });
    return { ok: true };
  });
}

/**
 * `Leave this team`: the person is no longer a member, and an unanswered check-in of the team's open
 * round no longer counts or reminds them.
 */
export function leaveTeam(s: Services, teamId: number, userId: string, dm: PressedIn): ConsentOutcome {
  return decide(s, () => {
    const team = s.teams.byId(teamId);
    if (!team) return refused({ kind: 'no_team' });
    if (s.teams.removeMembers(team.id, [userId]).length === 0) {
      return refused({ kind: 'not_member', team: team.slug });
    }
    const open = s.rounds.openFor(team.id);
    if (open) withdrawInvite(s, open.id, userId);
    s.outbox.enqueue(deliveryKey({ kind: 'left', teamId: team.id, userId }), 'chat.update', {
      ...dm,
      ...leftMessage(team.slug),
    });
    return { ok: true };
  });
}
