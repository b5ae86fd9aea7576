import type { Dimension } from './dimensions.ts';
import type { Flag, FlagKind } from './flags.ts';

/**
 * What to do about a flag. `thisWeek`: things a manager can try this week. `oneOnOne`: open
 * questions for the next 1:1s (never about who answered what). `forLead`: questions a lead asks the
 * team's manager, to coach them rather than step over them.
 */
export interface Playbook {
  title: string;
  thisWeek: string[];
  oneOnOne: string[];
  forLead: string[];
}

type AnswerKind = Exclude<FlagKind, 'participation'>;

/** Every playbook, as data: one per answer-based kind and dimension, and one for participation. */
export const PLAYBOOKS: { participation: Playbook } & Record<AnswerKind, Record<Dimension, Playbook>> = {
  low: {
    energy: {
      title: 'Energy is low',
      thisWeek: [
        'Drop or postpone one deliverable and say so openly, so the team sees load can go down as well as up.',
        'Look at who carried incidents, on-call or late releases lately and give them a lighter week.',
        'Cancel one recurring meeting that can go and hand the time back as focus time.',
      ],
      oneOnOne: [
        'What has been draining your energy most in the last few weeks?',
        'If you could take one thing off your plate, what would it be?',
        'When did work last give you energy, and what was different then?',
      ],
      forLead: [
        'What do you think is wearing the team out, and what have you tried so far?',
        'Which commitment would you propose to drop or move?',
        'What support do you need from me: less scope, more people or more time?',
      ],
    },
    boundaries: {
      title: 'The team cannot switch off',
      thisWeek: [
        'Agree on quiet hours with the team and keep them yourself: schedule messages instead of sending them late.',
        'Check that holidays are booked and that nobody answers messages while on leave.',
        'Give time off in lieu to whoever covered evenings or weekends recently.',
      ],
      oneOnOne: [
        'When did you last have an evening or a weekend without thinking about work?',
        'What pulls you back to work outside your hours?',
        'What would you need to feel fine being offline?',
      ],
      forLead: [
        'What pulls people into work after hours, and what have you tried to stop it?',
        'Which off-hours rule would you propose for the team, and will you keep it yourself?',
        "What do you need from me to protect the team's evenings: cover, a slower roadmap or backing with stakeholders?",
      ],
    },
    ownership: {
      title: 'Little room to own problems',
      thisWeek: [
        "Hand one real decision to the team, with clear guardrails (budget, date, what must not break), and don't overrule it.",
        'Look at what still needs your sign-off and drop one approval step.',
        'Bring the team problems rather than solutions: state the goal and let them choose the approach.',
      ],
      oneOnOne: [
        'Which decisions would you like to make yourself that you currently cannot?',
        'Where do you feel you need permission when guardrails would do?',
        'What did you last change on your own initiative, and how did it go?',
      ],
      forLead: [
        'Where are decisions made today, and what have you already handed to the team?',
        'Which decision would you propose to delegate next, and with which guardrails?',
        'What support do you need to let go: clearer decision rights with other teams, or less pressure on you?',
      ],
    },
    recognition: {
      title: 'Impact goes unnoticed',
      thisWeek: [
        'Name one concrete contribution per person, in the team meeting or channel, with the difference it made.',
        "Share a result of the team's work (a user quote, a number that moved) with the people who made it.",
        'Make sure updates to leadership credit the people who did the work, by name.',
      ],
      oneOnOne: [
        'Which recent piece of your work are you most proud of? Did anyone notice it?',
        'How would you like to hear that your work mattered?',
        'Is there work you do that nobody sees?',
      ],
      forLead: [
        'How does the team learn about the impact of its work today, and what have you tried to make it visible?',
        "What would you propose so that the team's work is seen beyond the team?",
        "Where do you need my help: mentioning the team's work in my forums, or inviting them to present it?",
      ],
    },
  },
  drop: {
    energy: {
      title: 'Energy dropped',
      thisWeek: [
        'Ask the team, together, what changed in the last weeks: a release, an incident, a reorganisation.',
        'Check the next two weeks for crunch and move at least one date or item.',
        'Make sure anyone who worked extra hours recently takes the time back now.',
      ],
      oneOnOne: [
        'How did the last couple of weeks feel compared with before?',
        'Did something recently cost you more energy than it should have?',
        'What should I stop asking of the team for a while?',
      ],
      forLead: [
        'Do you know what happened recently that could explain the drop, and what have you changed already?',
        'What do you propose for the next two weeks?',
        'Is there a deadline or commitment you need my help to push back?',
      ],
    },
    boundaries: {
      title: 'Off-hours work jumped',
      thisWeek: [
        'Find out whether an incident, launch or deadline pulled people in after hours, and give that time back.',
        'Stop non-urgent requests in the evening and at weekends, starting with your own.',
        "Check this week's on-call rota: nobody should carry two heavy shifts in a row.",
      ],
      oneOnOne: [
        'Did the last weeks spill into your evenings or weekends?',
        'What would have let you stay offline?',
        'Is there anything you would like to stop being on the hook for after hours?',
      ],
      forLead: [
        'What pulled the team into off-hours work recently, and how have you given the time back?',
        'What would you propose so that it does not happen again?',
        'Do you need my help to change an escalation path or a deadline?',
      ],
    },
    ownership: {
      title: 'Room to own things dropped',
      thisWeek: [
        'Think about what changed: a new process, a plan handed down, a reversed decision. Say openly what you noticed.',
        'If a team decision was overruled, explain why and what room remains.',
        'Give back one decision that moved up to you recently.',
      ],
      oneOnOne: [
        'Has anything recently made you feel you have less say in your work?',
        'Is there a recent decision you would have made differently?',
        'What room would you like back?',
      ],
      forLead: [
        'Did something change recently in how decisions are made for this team, and what have you done about it?',
        'What room would you propose to give back to the team?',
        'If the pressure comes from above you, what support do you need from me?',
      ],
    },
    recognition: {
      title: 'Recognition dropped',
      thisWeek: [
        'Think about what went unacknowledged lately (a launch, a fix under pressure, extra hours) and thank people for it specifically.',
        'If credit for recent work went elsewhere, put it right openly.',
        'Pass on one piece of feedback from users or stakeholders about recent work.',
      ],
      oneOnOne: [
        'Was there something recently that you felt went unnoticed?',
        'How did the last release or milestone feel to you afterwards?',
        'Who should hear about your recent work?',
      ],
      forLead: [
        'Did something recently get less recognition than it deserved, and what have you done to acknowledge it?',
        'What would you propose so that recent work gets its due?',
        "Do you need me to recognise the team's work myself, and where?",
      ],
    },
  },
  slide: {
    energy: {
      title: 'Energy has been sliding',
      thisWeek: [
        'Compare the last month with the quarter before: on-call shifts, incidents, unplanned work.',
        'Pick one recurring drain (a flaky pipeline, a noisy alert, a slow review loop) and make time to fix it.',
        'Plan a lighter sprint or a cool-down week, and protect it.',
      ],
      oneOnOne: [
        'Has work become more tiring over the past weeks? What changed?',
        'What do you keep postponing because there is no energy left for it?',
        'What would a sustainable pace look like for you?',
      ],
      forLead: [
        'Energy has slid for several rounds; what do you see as the cause, and what have you tried?',
        'What change to the pace would you propose?',
        'What support do you need: fewer commitments, more people or cover for on-call?',
      ],
    },
    boundaries: {
      title: 'Boundaries have been eroding',
      thisWeek: [
        'Count after-hours pages and messages for two weeks and share the number with the team.',
        'Move one recurring after-hours task into the day, or automate it.',
        'Set the example: log off on time and say so.',
      ],
      oneOnOne: [
        'Has it become harder to switch off over the past weeks?',
        'Which after-hours habit would you most like the team to drop?',
        'When do you find yourself checking work outside your hours, and why?',
      ],
      forLead: [
        'Off-hours work has crept up for several rounds; what is behind it, and what have you tried?',
        'Which after-hours work would you propose to stop or move?',
        'Where do you need my backing: on-call staffing, time-zone cover or saying no to stakeholders?',
      ],
    },
    ownership: {
      title: 'Ownership has been eroding',
      thisWeek: [
        "List the approvals, reviews and status checks added in recent months and remove those that don't protect anything important.",
        'Agree with the team what they decide alone, what they decide and tell you, and what needs a discussion.',
        'Let the team own one problem end to end this sprint, from approach to rollout.',
      ],
      oneOnOne: [
        'Do you have more or less say in your work than a few months ago?',
        'Which check or approval slows you down most without adding value?',
        'What would you like to own end to end?',
      ],
      forLead: [
        'Room to own problems has narrowed for several rounds; where did it go, and what have you tried to hand decisions back?',
        'Which approvals or checks would you propose to remove?',
        'What do you need from me to let go: clearer goals, or cover when something goes wrong?',
      ],
    },
    recognition: {
      title: 'Recognition has been fading',
      thisWeek: [
        'Make a standing slot, such as the first minutes of the weekly meeting, to name work that made a difference.',
        'Close the loop on shipped work: share usage numbers or feedback a few weeks after release.',
        'Thank people for maintenance, support and mentoring too, not only for features.',
      ],
      oneOnOne: [
        'Do you get to see what your work leads to after it ships?',
        'Has feedback on your work become rarer lately?',
        'What kind of recognition matters to you?',
      ],
      forLead: [
        'Recognition has faded for several rounds; what changed, and what have you tried?',
        'What would you propose to make impact visible again?',
        "How can I help the team's work get seen beyond the team?",
      ],
    },
  },
  low_share: {
    energy: {
      title: 'Part of the team is running low on energy',
      thisWeek: [
        'Look at how load is spread: on-call, support and the hardest tickets often sit with the same few people.',
        'Move one heavy duty to someone who has had a lighter stretch.',
        'Tell the whole team that asking for a lighter week is normal, and grant the next request.',
      ],
      oneOnOne: [
        'How is your load compared with a month ago?',
        'Is there anything you carry that others may not see?',
        'What would make next week lighter for you?',
      ],
      forLead: [
        'Some answers are far lower than the rest; how evenly is the load spread, and what have you tried to rebalance it?',
        'Which duty or project would you propose to move?',
        'Do you need my help to take work off the team or to bring in support?',
      ],
    },
    boundaries: {
      title: 'Part of the team cannot switch off',
      thisWeek: [
        'Check who carries on-call, time-zone overlap and escalations; they tend to land on the same few people.',
        'Spread one of those duties more evenly, or add a second person to it.',
        'Say explicitly that not answering after hours is fine, and back anyone who does not.',
      ],
      oneOnOne: [
        'Do you get pulled in outside your hours more than others on the team?',
        'What would make it easier for you to be unreachable in the evening?',
        'Which duty would you hand over if you could?',
      ],
      forLead: [
        'Some of the team cannot switch off while others can; how are off-hours duties shared, and what have you tried?',
        'How would you propose to spread them?',
        'Do you need support to staff on-call or to cover other time zones?',
      ],
    },
    ownership: {
      title: 'Part of the team has little room to own things',
      thisWeek: [
        "Check who gets the open problems and who gets the tickets; give the next open problem to someone who hasn't led one.",
        'Give a less experienced person a clear owner role with guardrails, instead of close supervision.',
        'Make sure the same decision rights hold for everyone on the team, not only for the seniors.',
      ],
      oneOnOne: [
        'How much do you get to decide about how you do your work?',
        'Which problem would you like to own next?',
        'What support would you want in order to take on more?',
      ],
      forLead: [
        'Some of the team feel they own far less than others; how is ownership shared, and what have you tried?',
        'Which open problem would you propose to hand to someone who has not led one yet?',
        'How can I help you grow more owners in the team?',
      ],
    },
    recognition: {
      title: 'Part of the team feels unseen',
      thisWeek: [
        'Look at whose work gets mentioned in updates and demos; on-call, reviews, support and mentoring are often missing.',
        'Give the next demo or update slot to someone who rarely presents.',
        'Thank some less visible work specifically this week.',
      ],
      oneOnOne: [
        "Do you feel the work you do is seen as much as others'?",
        'What have you done recently that you wish more people knew about?',
        'Where would you like more visibility?',
      ],
      forLead: [
        'Some of the team feel their work goes unseen; how is credit shared, and what have you tried?',
        'What would you propose to make less visible work count?',
        'How can I help more people in the team get seen?',
      ],
    },
  },
  participation: {
    title: 'Fewer people are answering',
    thisWeek: [
      'Tell the team what you did with the last results, however small: people answer when they see something happen.',
      'Remind everyone that answers are anonymous and that results only show when enough people answer.',
      'Ask the team in a meeting whether the check-in still works for them (day, time, questions), never who skipped it.',
    ],
    oneOnOne: [
      'Is the weekly check-in useful to you? What would make it worth a minute?',
      'Do you feel you can say openly how things are going?',
      'How do you feel about the team lately?',
    ],
    forLead: [
      'Fewer people are answering; what do you think is behind it (fatigue, doubt that it leads anywhere, trust), and what have you tried?',
      'What would you propose to show the team that their answers lead somewhere?',
      'What support do you need from me to get the team talking again?',
    ],
  },
};

/** The playbook for a flag: specific to its kind and dimension (participation has its own). */
export function playbookFor(flag: Pick<Flag, 'kind' | 'dimension'>): Playbook {
  if (flag.kind === 'participation' || flag.dimension === null) return PLAYBOOKS.participation;
  return PLAYBOOKS[flag.kind][flag.dimension];
}
