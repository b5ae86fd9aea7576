// The demo organisation: two leads, six teams, 47 people, one of them on two teams; and how each team
// answers over twelve weeks. Everything comes from one seeded generator, so every run is the same.
import { DIMENSIONS, type Dimension, NOTE_MAX_LENGTH, type Score } from '../../src/domain/dimensions.ts';
import type { Weekday } from '../../src/domain/schedule.ts';
import { mulberry32, normalFrom } from '../../tools/rng.ts';

export const WEEKS = 12;
export const MIN_RESPONSES = 5;
const SEED = 20_240_611;

export interface Person {
  id: string;
  name: string;
}

export type Persona = 'sliding' | 'recovering' | 'steady' | 'too-small' | 'ordinary';

export interface TeamSpec {
  slug: string;
  persona: Persona;
  /** One line for the organisation table. */
  story: string;
  manager: Person;
  lead: Lead;
  members: Person[];
  weekday: Weekday;
  time: string;
  timezone: string;
}

export interface Lead extends Person {
  timezone: string;
}

export type Levels = Record<Dimension, number>;

/** What one member does in one round. */
export interface Plan {
  /** Null: does not answer this week. */
  answers: Record<Dimension, Score> | null;
  /** Answers only after the reminder. */
  late: boolean;
  note: string | null;
  /** Clicks "Away this week" in the invite. */
  away: boolean;
}

const LEADS: Lead[] = [
  { id: 'U0LEAD01', name: 'Sam Okafor', timezone: 'Europe/Berlin' },
  { id: 'U0LEAD02', name: 'Rosa Lindqvist', timezone: 'Europe/London' },
];

const FIRST_NAMES = [
  'Priya',
  'Jonas',
  'Mei',
  'Tariq',
  'Elena',
  'Kofi',
  'Hannah',
  'Diego',
  'Yuki',
  'Omar',
  'Sofia',
  'Bram',
  'Amara',
  'Luca',
  'Noor',
  'Felix',
  'Ines',
  'Ravi',
  'Clara',
  'Mateo',
  'Zainab',
  'Henrik',
  'Lucia',
  'Arjun',
  'Freya',
  'Idris',
  'Nadia',
  'Oskar',
  'Leila',
  'Chen',
  'Maya',
  'Pavel',
  'Ayla',
  'Ben',
  'Keiko',
  'Samir',
  'Eva',
  'Tomas',
  'Chiara',
];

const person = (id: string, name: string): Person => ({ id, name });

function buildTeams(): TeamSpec[] {
  let next = 0;
  const members = (code: string, n: number): Person[] =>
    Array.from({ length: n }, (_, i) =>
      person(`U0${code}${String(i + 1).padStart(2, '0')}`, FIRST_NAMES[next++] ?? `Person ${next}`),
    );
  const [sam, rosa] = LEADS as [Lead, Lead];
  const shared = person('U0SHARED1', 'Alex Moreau');
  const search = members('SRC', 6);
  const data = members('DAT', 6);
  return [
    {
      slug: 'payments',
      persona: 'sliding',
      story: 'sliding into burnout: energy and boundaries fall from week 6, fewer answer',
      manager: person('U0MGR01', 'Dana Whitfield'),
      lead: sam,
      members: members('PAY', 8),
      weekday: 'mon',
      time: '11:00',
      timezone: 'Europe/Berlin',
    },
    {
      slug: 'platform',
      persona: 'recovering',
      story: 'recovering: a rough start after an incident-heavy quarter, better every week',
      manager: person('U0MGR02', 'Kenji Ito'),
      lead: sam,
      members: members('PLT', 7),
      weekday: 'mon',
      time: '10:30',
      timezone: 'Europe/London',
    },
    {
      slug: 'design-systems',
      persona: 'too-small',
      story: `too small to show: 4 people, fewer than MIN_RESPONSES (${MIN_RESPONSES}) can ever answer`,
      manager: person('U0MGR03', 'Aisha Bello'),
      lead: sam,
      members: members('DSN', 4),
      weekday: 'wed',
      time: '14:00',
      timezone: 'Europe/London',
    },
    {
      slug: 'mobile',
      persona: 'steady',
      story: 'steady: everyone answers much the same every week',
      manager: person('U0MGR04', 'Marco Rossi'),
      lead: rosa,
      members: members('MOB', 7),
      weekday: 'tue',
      time: '10:00',
      timezone: 'Europe/Berlin',
    },
    {
      slug: 'search',
      persona: 'ordinary',
      story: 'ordinary: the usual ups and downs; Alex is on search and data',
      manager: person('U0MGR05', 'Lena Fischer'),
      lead: rosa,
      members: [...search, shared],
      weekday: 'mon',
      time: '10:00',
      timezone: 'America/New_York',
    },
    {
      slug: 'data',
      persona: 'ordinary',
      story: 'ordinary: the usual ups and downs, a few late answers',
      manager: person('U0MGR06', 'Tom Brennan'),
      lead: rosa,
      members: [...data, shared],
      weekday: 'thu',
      time: '10:00',
      timezone: 'Asia/Singapore',
    },
  ];
}

export interface Organisation {
  leads: Lead[];
  teams: TeamSpec[];
  /** Everyone, each once. */
  people: Person[];
  /** Slack user id → display name, for rendering mentions. */
  names: Record<string, string>;
}

export function organisation(): Organisation {
  const teams = buildTeams();
  const byId = new Map<string, Person>();
  for (const l of LEADS) byId.set(l.id, l);
  for (const t of teams) {
    byId.set(t.manager.id, t.manager);
    for (const m of t.members) byId.set(m.id, m);
  }
  const people = [...byId.values()];
  return { leads: LEADS, teams, people, names: Object.fromEntries(people.map((p) => [p.id, p.name])) };
}

const lerp = (a: number, b: number, t: number) => a + (b - a) * Math.min(1, Math.max(0, t));

/** The team's typical answer per dimension in week `w` (1-based). */
export function teamLevels(persona: Persona, w: number): Levels {
  switch (persona) {
    case 'sliding': {
      const t = (w - 5) / (WEEKS - 5);
      return {
        energy: lerp(3.9, 1.9, t),
        boundaries: lerp(3.7, 1.7, t),
        ownership: lerp(3.7, 3.2, t),
        recognition: lerp(3.5, 3.1, t),
      };
    }
    case 'recovering': {
      const t = (w - 3) / 7;
      return {
        energy: lerp(2.2, 4.0, t),
        boundaries: lerp(2.0, 3.8, t),
        ownership: lerp(3.0, 3.9, t),
        recognition: lerp(2.6, 3.9, t),
      };
    }
    case 'steady':
      return { energy: 4, boundaries: 4, ownership: 4, recognition: 4 };
    case 'too-small':
      return { energy: 2.4, boundaries: 2.8, ownership: 3.5, recognition: 2.2 };
    case 'ordinary':
      return { energy: 3.7, boundaries: 3.5, ownership: 3.9, recognition: 3.4 };
  }
}

/** How many of the team answer in week `w`. */
function answering(persona: Persona, size: number, w: number): number {
  switch (persona) {
    case 'sliding':
      return [8, 8, 8, 8, 8, 7, 7, 7, 6, 6, 6, 5][w - 1] ?? size;
    case 'recovering':
      return [5, 5, 6, 6, 6, 7, 7, 7, 7, 7, 7, 7][w - 1] ?? size;
    case 'too-small':
      return w % 3 === 0 ? 3 : 4;
    case 'steady':
      return w === 4 || w === 9 ? size - 1 : size;
    case 'ordinary':
      return w % 4 === 2 ? size - 1 : size;
  }
}

const NOTES: Record<Persona, { early: string[]; late: string[] }> = {
  sliding: {
    early: [
      'Good sprint. The new review rotation helps.',
      'Pairing on the refund flow was fun.',
      'Release went smoothly for once.',
    ],
    late: [
      'Third weekend deploy this month.',
      'On call again, and the pager went off every night.',
      'Scope keeps growing on the migration but the date does not move.',
      "I can't remember my last evening without Slack.",
      'Too many parallel projects; everything is urgent.',
      'Tired. Just tired.',
    ],
  },
  recovering: {
    early: [
      'The incident backlog is crushing us.',
      'Another night of pages. We need a proper rotation.',
      'Nobody noticed we kept the lights on through all of it.',
    ],
    late: [
      'The quieter on-call rotation made a real difference.',
      'Finally shipped the thing we planned, felt great.',
      'Thanks for pushing back on the extra project.',
    ],
  },
  steady: { early: ['All good.'], late: ['All good.'] },
  'too-small': {
    early: ['Feeling stretched across too many squads.'],
    late: ['Feeling stretched across too many squads.'],
  },
  ordinary: {
    early: ['Busy week, but a good one.', 'Planning meeting ran long again.', 'Nice demo on Friday.'],
    late: ['Busy week, but a good one.', 'Could use clearer priorities.', 'Good collaboration with design.'],
  },
};

const clampScore = (x: number): Score => Math.min(5, Math.max(1, Math.round(x))) as Score;

/**
 * Every member's plan for every week: `plans[team slug][week - 1][member index]`. Seeded, so the
 * same organisation answers the same way on every run.
 */
export function plans(org: Organisation): Record<string, Plan[][]> {
  const rand = mulberry32(SEED);
  const out: Record<string, Plan[][]> = {};
  for (const team of org.teams) {
    const size = team.members.length;
    // Each person leans a little above or below the team on each question, and keeps that lean.
    const lean = team.members.map(() =>
      Object.fromEntries(DIMENSIONS.map((d) => [d, team.persona === 'steady' ? 0 : (rand() - 0.5) * 1.2])),
    ) as Levels[];
    const steadyLevels = [3, 4, 4, 5, 4, 4, 5];
    const weeks: Plan[][] = [];
    for (let w = 1; w <= WEEKS; w++) {
      const levels = teamLevels(team.persona, w);
      const n = answering(team.persona, size, w);
      // Who stays silent this week: a different few each week.
      const order = team.members.map((_, i) => ({ i, r: rand() })).sort((a, b) => a.r - b.r);
      const silent = new Set(order.slice(0, size - n).map((o) => o.i));
      const noise = team.persona === 'steady' ? 0 : team.persona === 'sliding' ? 0.4 : 0.5;
      const phase = (team.persona === 'sliding' ? w >= 7 : w >= 6) ? 'late' : 'early';
      // Each note at most once a round, in a shuffled order.
      const pool = [...NOTES[team.persona][phase]]
        .map((note) => ({ note, r: rand() }))
        .sort((a, b) => a.r - b.r)
        .map((x) => x.note);
      weeks.push(
        team.members.map((_, i): Plan => {
          const draws = DIMENSIONS.map(() => normalFrom(rand));
          const lateDraw = rand();
          const noteDraw = rand();
          // The ordinary `search` team has one person away in week 7: they say so from the invite.
          if (team.slug === 'search' && w === 7 && i === 0) {
            return { answers: null, late: false, note: null, away: true };
          }
          if (silent.has(i)) return { answers: null, late: false, note: null, away: false };
          const answers = Object.fromEntries(
            DIMENSIONS.map((d, k) => {
              const base =
                team.persona === 'steady' ? (steadyLevels[i] ?? 4) : levels[d] + (lean[i]?.[d] ?? 0);
              return [d, clampScore(base + noise * (draws[k] ?? 0))];
            }),
          ) as Record<Dimension, Score>;
          const lateShare = team.persona === 'sliding' ? 0.15 + w * 0.03 : 0.2;
          const noteShare = team.persona === 'steady' ? 0.05 : phase === 'late' ? 0.35 : 0.2;
          const note = noteDraw < noteShare ? (pool.shift() ?? null) : null;
          return {
            answers,
            late: lateDraw < lateShare,
            note: note === null ? null : note.slice(0, NOTE_MAX_LENGTH),
            away: false,
          };
        }),
      );
    }
    out[team.slug] = weeks;
  }
  return out;
}
