import { describe, expect, it } from 'vitest';
import { type AppAction, may, mayInApp, rolesOn, type TeamAction, whoMay } from '../../src/domain/access.ts';

const team = { managerId: 'UMGR', leadId: 'ULEAD' };

const people = {
  manager: { userId: 'UMGR', admin: false },
  lead: { userId: 'ULEAD', admin: false },
  admin: { userId: 'UADM', admin: true },
  member: { userId: 'UMEM', admin: false },
  outsider: { userId: 'UOUT', admin: false },
} as const;

type Who = keyof typeof people;

// The whole policy as a table: who may do what to a team. A change here is a change of the product.
const TEAM_TABLE: Record<TeamAction, readonly Who[]> = {
  edit: ['manager', 'lead', 'admin'],
  run_round: ['manager', 'lead', 'admin'],
  read_report: ['manager', 'lead', 'admin'],
  see_live_count: ['manager', 'lead', 'admin'],
  archive: ['manager', 'admin'],
  act: ['manager', 'lead', 'admin'],
  answer_notes: ['manager', 'lead', 'admin'],
};

const APP_TABLE: Record<AppAction, readonly Who[]> = {
  see_deliveries: ['admin'],
  name_other_manager: ['admin'],
  add_without_consent: ['admin'],
};

describe('the access policy', () => {
  const whos = Object.keys(people) as Who[];

  it.each(
    (Object.keys(TEAM_TABLE) as TeamAction[]).flatMap((action) =>
      whos.map((who) => [action, who, TEAM_TABLE[action].includes(who)] as const),
    ),
  )('%s by the %s: %s', (action, who, allowed) => {
    expect(may(action, team, people[who])).toBe(allowed);
  });

  it.each(
    (Object.keys(APP_TABLE) as AppAction[]).flatMap((action) =>
      whos.map((who) => [action, who, APP_TABLE[action].includes(who)] as const),
    ),
  )('%s by the %s: %s', (action, who, allowed) => {
    expect(mayInApp(action, people[who])).toBe(allowed);
  });

  it('gives an admin who also manages the team both roles, and a team without a lead no lead', () => {
    expect(rolesOn(team, { userId: 'UMGR', admin: true })).toEqual(['manager', 'admin']);
    expect(rolesOn({ managerId: 'UMGR', leadId: null }, people.lead)).toEqual([]);
  });

  it('says in words who may, for refusals', () => {
    expect(whoMay('edit', '*alpha*')).toBe('the manager of *alpha*, its lead or an admin');
    expect(whoMay('archive', '*alpha*')).toBe('the manager of *alpha* or an admin');
  });
});
