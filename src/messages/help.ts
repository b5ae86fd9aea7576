import { type Message, section } from './text.ts';
import { USAGE } from './usage.ts';

export function helpMessage(): Message {
  const lines = [
    '*teamhealth* runs a weekly, anonymous four-question check-in and shows managers team trends.',
    '',
    '`/teamhealth` · your status',
    `\`${USAGE.setup}\` · create or edit a team in a form`,
    `\`${USAGE.create}\` · you manage it; only an admin can name someone else`,
    `\`${USAGE.add}\` · each person joins when they press Join (an admin's additions count at once)`,
    `\`${USAGE.remove}\``,
    `\`${USAGE.lead}\``,
    `\`${USAGE.schedule}\``,
    `\`${USAGE.list}\``,
    `\`${USAGE.archive}\` · no more check-ins; reports stay readable (\`unarchive\` brings it back)`,
    `\`${USAGE.checkin}\` · open a round now`,
    `\`${USAGE.close}\` · close the open round and send its summary`,
    `\`${USAGE.report}\` · latest round, trend, flags and what to try`,
    `\`${USAGE.digest}\` · the digest of the teams you lead`,
    `\`${USAGE.privacy}\` · what is stored and who sees what`,
    `\`${USAGE.forget}\` · remove your memberships and invites`,
    `\`${USAGE.away}\` · skip check-ins while you are away (1–8 weeks, default 1)`,
    `\`${USAGE.action_add}\` · what the team will try; every check-in tells the team`,
    `\`${USAGE.action_list}\` · actions and whether they seem to help`,
    `\`${USAGE.action_done}\` · it worked or is finished; \`action drop\` gives it up`,
    `\`${USAGE.status}\` · admins: pending and failed deliveries`,
  ];
  return { text: lines.join('\n'), blocks: [section(lines.join('\n'))] };
}

export function privacyMessage(minResponses: number): Message {
  const lines = [
    '*What teamhealth stores, and who sees what*',
    '• *Your answers* are stored without your name, without your Slack id and without a time: only which ' +
      'round they belong to, under a random key. Not even someone holding the database file can tell which ' +
      'answers are yours.',
    '• *Separately*, for each round, whether you were invited and whether you answered (yes or no, no time), ' +
      'so that you get one reminder at most and participation can be counted.',
    `• *Managers* see a round's scores, distributions and notes only when at least ${minResponses} people ` +
      'answered; below that, only how many answered. Notes are shown without names, in shuffled order.',
    '• *A reply to your note* reaches you through a button only your own check-in DM has; everyone who ' +
      'answered that round is told that notes were answered, so nobody learns whose note it was. Your ' +
      'answers in the thread are shown without your name.',
    "• *A team's report* is visible to its manager, its lead and the app's admins. Members see only their own " +
      'participation and this statement.',
    '• *Leads* see each team they lead at the same threshold; totals across teams include only teams that are ' +
      'shown, so no hidden figure can be worked out by subtraction.',
    '• *Nobody but an admin can put you on a team without you agreeing*: when anyone else adds you, you get ' +
      'a DM saying who reads the results, and you take part only once you press Join. Every check-in names ' +
      'who reads its results.',
    '• *Nobody* — not your manager, not an admin, not us — can see what you answered.',
    '• `/teamhealth forget-me` removes your memberships and invites; your past anonymous answers stay, ' +
      'because nothing links them to you.',
  ];
  return { text: lines.join('\n'), blocks: [section(lines.join('\n'))] };
}
