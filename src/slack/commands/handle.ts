import type { Services } from '../../context.ts';
import { nextSlot } from '../../domain/schedule.ts';
import {
  actionAddedMessage,
  actionAlreadyEndedMessage,
  actionFinishedMessage,
  actionListMessage,
  actionMissingMessage,
  tooManyActionsMessage,
} from '../../messages/actions.ts';
import { helpMessage, privacyMessage } from '../../messages/help.ts';
import {
  archivedMessage,
  archiveUnchangedMessage,
  awayReply,
  backMessage,
  badZoneMessage,
  chooseReportMessage,
  deliveriesMessage,
  digestScheduledMessage,
  forgottenMessage,
  groupUnreadableMessage,
  leadSetMessage,
  membersAddedMessage,
  membersRemovedMessage,
  noDigestToScheduleMessage,
  noRoundOpenMessage,
  otherManagerRefusedMessage,
  overviewMessage,
  refusalMessage,
  roundClosedMessage,
  roundNotOpenedMessage,
  roundOpenedMessage,
  scheduleSetMessage,
  teamCreatedMessage,
  teamExistsMessage,
  teamListMessage,
} from '../../messages/replies.ts';
import type { Message } from '../../messages/text.ts';
import { addAction, finishAction, listActions } from '../../usecases/actions.ts';
import { comeBack, goAway } from '../../usecases/away.ts';
import { deliveryStatus } from '../../usecases/deliveries.ts';
import { leadDigestMessage, setDigestSchedule } from '../../usecases/digest.ts';
import { forgetMe } from '../../usecases/forget.ts';
import { standings } from '../../usecases/overview.ts';
import { reportFor } from '../../usecases/report.ts';
import { endRound, startRound } from '../../usecases/rounds.ts';
import {
  addMembers,
  createTeam,
  type Directory,
  listTeams,
  removeMembers,
  scheduleOf,
  setArchived,
  setLead,
  setSchedule,
} from '../../usecases/teams.ts';
import type { Command } from './parse.ts';

/** Runs one parsed command for the caller: the use case decides, a message builder answers. */
export async function handleCommand(
  s: Services,
  directory: Directory,
  command: Command,
  caller: string,
  now: Date,
): Promise<Message> {
  switch (command.kind) {
    case 'overview':
      return overviewMessage(standings(s, caller, now));
    case 'help':
    case 'setup':
      // `setup` opens its modal in the listener; answering help here covers a request without a trigger.
      return helpMessage();
    case 'privacy':
      return privacyMessage(s.config.minResponses);
    case 'create': {
      const r = createTeam(s, caller, command.team, command.managerId, now);
      if (r.ok) return teamCreatedMessage(r.team.slug, r.team.managerId, scheduleOf(r.team));
      return 'exists' in r
        ? teamExistsMessage(command.team, r.exists.archived)
        : otherManagerRefusedMessage(command.team);
    }
    case 'add': {
      const r = await addMembers(s, directory, caller, command.team, command.userIds, command.groupIds);
      if (!r.ok) return 'refusal' in r ? refusalMessage(r.refusal) : groupUnreadableMessage();
      return membersAddedMessage({ slug: r.team.slug, ...r });
    }
    case 'remove': {
      const r = removeMembers(s, caller, command.team, command.userIds);
      return r.ok ? membersRemovedMessage(r.team.slug, r.removed) : refusalMessage(r.refusal);
    }
    case 'lead': {
      const r = setLead(s, caller, command.team, command.userId);
      return r.ok ? leadSetMessage(r.team.slug, command.userId) : refusalMessage(r.refusal);
    }
    case 'schedule': {
      const r = setSchedule(s, caller, command.team, command, now);
      if (!r.ok) return 'refusal' in r ? refusalMessage(r.refusal) : badZoneMessage(r.badZone);
      return scheduleSetMessage(r.team.slug, r.schedule, nextSlot(r.schedule, now));
    }
    case 'list': {
      const { active, archived } = listTeams(s, caller);
      return teamListMessage(
        active.map((l) => ({ ...l.team, ...l, schedule: scheduleOf(l.team) })),
        archived.map((t) => t.slug),
      );
    }
    case 'archive': {
      const r = setArchived(s, caller, command.team, command.archived, now);
      if (!r.ok) {
        return 'refusal' in r
          ? refusalMessage(r.refusal)
          : archiveUnchangedMessage(r.team.slug, r.team.archived);
      }
      return archivedMessage(r.team.slug, command.archived, r.closedRound, r.team.managerId);
    }
    case 'checkin': {
      const r = startRound(s, caller, command.team, now);
      if (!r.ok)
        return 'refusal' in r ? refusalMessage(r.refusal) : roundNotOpenedMessage(r.team.slug, r.reason);
      return roundOpenedMessage({ slug: r.team.slug, timezone: r.team.timezone, ...r.round, ...r });
    }
    case 'close': {
      const r = endRound(s, caller, command.team, now);
      if (!r.ok) return 'refusal' in r ? refusalMessage(r.refusal) : noRoundOpenMessage(r.team.slug);
      return roundClosedMessage(r.team.slug, r.round.number, r.team.managerId);
    }
    case 'report': {
      const r = reportFor(s, caller, command.team);
      if (!r.ok) return 'refusal' in r ? refusalMessage(r.refusal) : chooseReportMessage(r.choose);
      return r.message;
    }
    case 'digest':
      return leadDigestMessage(s, caller);
    case 'digest_schedule': {
      const r = setDigestSchedule(s, caller, command, now);
      if (!r.ok) return 'badZone' in r ? badZoneMessage(r.badZone) : noDigestToScheduleMessage();
      return digestScheduledMessage(r.schedule, nextSlot(r.schedule, now));
    }
    case 'away': {
      const r = goAway(s, caller, command.weeks, now);
      return awayReply(r.until, r.skipped, r.onATeam);
    }
    case 'back':
      return backMessage(comeBack(s, caller));
    case 'status': {
      const r = deliveryStatus(s, caller);
      return deliveriesMessage(r.ok ? r : null);
    }
    case 'forget': {
      const r = forgetMe(s, caller);
      return forgottenMessage(r.memberships, r.stillRuns);
    }
    case 'action_add': {
      const r = addAction(s, caller, command.team, command.focus, command.text);
      if (r.ok) return actionAddedMessage(r.team.slug, r.action);
      return 'refusal' in r ? refusalMessage(r.refusal) : tooManyActionsMessage(r.team.slug, r.tooMany);
    }
    case 'action_list': {
      const r = listActions(s, caller, command.team);
      if (!r.ok) return refusalMessage(r.refusal);
      return actionListMessage(r.teams.map((t) => ({ slug: t.team.slug, actions: t.actions })));
    }
    case 'action_finish': {
      const r = finishAction(s, caller, command.team, command.number, command.status);
      if (r.ok) return actionFinishedMessage(r.team.slug, r.action);
      if ('refusal' in r) return refusalMessage(r.refusal);
      return 'missing' in r
        ? actionMissingMessage(r.team.slug, r.missing)
        : actionAlreadyEndedMessage(r.team.slug, r.already);
    }
  }
}
