import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextSlot } from '../../src/domain/schedule.ts';
import { PLAYBOOK_ACTION } from '../../src/messages/insights.ts';
import { blockActionPayload, interactionBody, newTriggerId, postSigned } from '../../tools/signing.ts';
import { assertWithinSlackLimits } from '../support/blockLimits.ts';
import { type AnswerValues, SECRET, startTestApp, type TestApp } from '../support/harness.ts';

/**
 * Six teams under one lead, driven through twelve rounds each with chosen answers, as a manager and a
 * lead would live them: steady, dropping, sliding, split, disengaging and too small to show.
 */
const LEAD = 'ULEAD';
const ROUNDS = 12;
const ROOT = join(import.meta.dirname, '..', '..');

const people = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `U${prefix}${i + 1}`);
const same = (v: number): AnswerValues => ({ energy: v, boundaries: v, ownership: v, recognition: v });

interface TeamPlan {
  slug: string;
  manager: string;
  members: string[];
  /** Answers of each member in round r (1-based); null for no answer. */
  answers(r: number, i: number): AnswerValues | null;
}

// Fixed per-person levels, identical every week: a team like this must raise no flag, ever.
const steadyLevels = [3, 4, 4, 5, 4, 3];
const plans: TeamPlan[] = [
  {
    slug: 'steady',
    manager: 'UM1',
    members: people('S', 6),
    answers: (_r, i) => same(steadyLevels[i] ?? 4),
  },
  {
    slug: 'dropping',
    manager: 'UM2',
    members: people('D', 6),
    // Energy falls by a point for everyone in the last round.
    answers: (r, i) => ({
      ...same(steadyLevels[i] ?? 4),
      energy: (steadyLevels[i] ?? 4) - (r === ROUNDS ? 1 : 0),
    }),
  },
  {
    slug: 'split',
    manager: 'UM3',
    members: people('P', 6),
    // Half the team is fine, half is not: the mean (3.0) hides it.
    answers: (r, i) => ({ ...same(4), recognition: r === ROUNDS ? (i < 3 ? 1 : 5) : 4 }),
  },
  {
    slug: 'fading',
    manager: 'UM4',
    members: people('F', 8),
    // Fewer and fewer answer: 8, then 3 of 8 in the last round.
    answers: (r, i) => (r === ROUNDS && i >= 3 ? null : same(4)),
  },
  {
    slug: 'tiny',
    manager: 'UM5',
    members: people('T', 4),
    answers: () => same(1),
  },
  {
    slug: 'halfshown',
    manager: 'UM6',
    members: people('H', 6),
    // Every other round only four answer: those rounds are hidden and must show as gaps.
    answers: (r, i) => (r % 2 === 0 && i >= 4 ? null : same(4)),
  },
];

let app: TestApp;

async function runRound(plan: TeamPlan, r: number): Promise<void> {
  const opened = await app.command(plan.manager, `checkin ${plan.slug}`);
  expect(opened.reply).toContain('is open');
  const team = app.runtime.services.teams.bySlug(plan.slug);
  const round = app.runtime.services.rounds.openFor(team?.id ?? -1);
  if (!round) throw new Error('no round');
  for (const [i, u] of plan.members.entries()) {
    const a = plan.answers(r, i);
    if (a) expect((await app.submit(u, round.id, a)).json).toBeNull();
  }
  expect((await app.command(plan.manager, `close ${plan.slug}`)).reply).toContain('Closed round');
}

beforeAll(async () => {
  app = await startTestApp();
  for (const plan of plans) {
    await app.command(plan.manager, `team create ${plan.slug}`);
    await app.addMembers(plan.manager, plan.slug, plan.members.map((u) => `<@${u}>`).join(' '));
    await app.command(plan.manager, `team lead ${plan.slug} <@${LEAD}>`);
  }
  for (let r = 1; r <= ROUNDS; r++) for (const plan of plans) await runRound(plan, r);
  await app.drain();
}, 120_000);

afterAll(async () => {
  await app.close();
});

/** Clicks the first button with this action id in a message's blocks; resolves to the modal it opened. */
async function clickForModal(userId: string, blocks: unknown[], actionId: string) {
  const button = (blocks as Array<{ accessory?: { action_id?: string; value?: string } }>).find(
    (b) => b.accessory?.action_id === actionId,
  )?.accessory;
  expect(button).toBeDefined();
  const triggerId = newTriggerId();
  const payload = blockActionPayload({ userId, actionId, value: button?.value ?? '', triggerId });
  expect((await postSigned(app.url, interactionBody(payload), { secret: SECRET })).status).toBe(200);
  const calls = await app.fake.waitFor((cs) =>
    cs.some((c) => c.method === 'views.open' && c.body.trigger_id === triggerId),
  );
  return calls.find((c) => c.method === 'views.open' && c.body.trigger_id === triggerId)?.body.view as {
    blocks: unknown[];
  };
}

const lastSummaryTo = (manager: string) => {
  const dms = app.fake.dmsTo(manager);
  return dms.at(-1)?.body as { text: string; blocks: unknown[] };
};

describe('reports and the manager DM at close', () => {
  it('raises no flag on a steady team, after twelve rounds', async () => {
    const dm = lastSummaryTo('UM1');
    assertWithinSlackLimits(dm.blocks, 'message');
    expect(JSON.stringify(dm.blocks)).toContain('none this round');
    const report = await app.command('UM1', 'report steady');
    expect(report.reply).toContain('6 of 6');
    expect(report.reply).toContain('no flags');
  });

  it('flags a one-point drop for everyone, with a playbook for this week', async () => {
    const dm = lastSummaryTo('UM2');
    const text = JSON.stringify(dm.blocks);
    assertWithinSlackLimits(dm.blocks, 'message');
    expect(text).toContain('Energy: dropped');
    expect(text).toContain('Try this week');
    expect(text).not.toContain('Boundaries: dropped');
    // The rest of the playbook (the questions for 1:1s too) is one click away, in a modal.
    const view = await clickForModal('UM2', dm.blocks, PLAYBOOK_ACTION);
    assertWithinSlackLimits(view.blocks as unknown[], 'modal');
    const modal = JSON.stringify(view);
    expect(modal).toContain('Energy dropped');
    expect(modal).toContain('Try this week');
    expect(modal).toContain('Ask in your next 1:1s');
  });

  it('flags a split team as many low answers even though its mean looks fine', () => {
    const text = JSON.stringify(lastSummaryTo('UM3').blocks);
    // Flags are merged per dimension: the split is also a drop on the same line, and never "low".
    expect(text).toContain('*Recognition: dropped, many low answers* (critical)');
    expect(text).not.toMatch(/Recognition: [^*]*\blow(,|\*)/);
  });

  it('flags falling participation, and shows no scores of a round below the threshold', () => {
    const text = JSON.stringify(lastSummaryTo('UM4').blocks);
    expect(text).toContain('3 of 8');
    expect(text).toContain('Participation: falling');
    expect(text).not.toContain('*Energy*');
  });

  it('shows hidden rounds as gaps in the trend, never as low bars', async () => {
    const report = await app.command('UM6', 'report halfshown');
    const trend = /```([\s\S]*?)```/.exec(report.reply)?.[1] ?? '';
    const energy = trend.split('\n').find((l) => l.startsWith('Energy')) ?? '';
    // Rounds 5..12: odd rounds shown (level 4), even rounds hidden.
    expect(energy).toMatch(/▆ ▆ ▆ ▆ /);
    expect(report.reply).toContain('Gaps are rounds with too few answers');
  });

  it('never shows the too-small team a score, and tells a member they may not see it', async () => {
    const report = await app.command('UM5', 'report tiny');
    expect(report.reply).toContain('4 of 4');
    expect(report.reply).not.toMatch(/Energy\s+1\.0/);
    expect((await app.command('UT1', 'report tiny')).reply).toContain('Only the manager');
  });
});

describe('the lead digest', () => {
  it('lists every led team riskiest first, with an Org line over the shown teams only', async () => {
    const { reply } = await app.command(LEAD, 'digest');
    for (const plan of plans) expect(reply).toContain(`*${plan.slug}*`);
    const order = plans
      .map((p) => ({ slug: p.slug, at: reply.indexOf(`*${p.slug}*`) }))
      .sort((a, b) => a.at - b.at);
    expect(order.at(-1)?.slug).not.toBe('dropping');
    expect(reply.indexOf('*dropping*')).toBeLessThan(reply.indexOf('*steady*'));
    // Shown latest rounds: steady, dropping, split, halfshown (round 12 hidden? no: even → hidden).
    // steady 6 + dropping 6 + split 6 = 18 answers; fading (3 of 8), tiny (4 of 4), halfshown (4 of 6) hidden.
    expect(reply).toContain('*Org* (3 shown teams, 18 answers)');
    // Energy pooled over the shown teams: steady 23/6, dropping 17/6, split 24/6 → 64/18 = 3.6.
    expect(reply).toMatch(/Energy 3\.6 ·/);
    expect(reply).toContain('Scores hidden');
    expect(reply).toMatch(/Ask <@UM2>/);
  });

  it('tells someone who leads no team so, with no figures', async () => {
    const { reply } = await app.command('UM1', 'digest');
    expect(reply).toContain('You lead no team');
    expect(reply).not.toMatch(/\d of \d/);
  });

  it('is sent once a week by the tick, at Monday 09:00 in the lead’s zone', async () => {
    const s = app.runtime.services;
    s.leads.ensure(LEAD, 'UTC', new Date('2026-01-01T00:00:00Z'));
    const before = app.fake.dmsTo(LEAD).length;
    // Next Monday 09:00 UTC: the default digest time for a lead in UTC.
    const slot = nextSlot({ weekday: 'mon', time: '09:00', timezone: 'UTC' }, new Date());
    app.runtime.tick(new Date(slot.getTime() + 30_000));
    app.runtime.tick(new Date(slot.getTime() + 90_000));
    await app.drain();
    const digests = app.fake.dmsTo(LEAD).slice(before);
    expect(digests).toHaveLength(1);
    assertWithinSlackLimits(digests[0]?.body.blocks as unknown[], 'message');
    expect(String(digests[0]?.body.text)).toContain('digest');
  });
});

describe('npm run export', () => {
  const exportJson = (...args: string[]) => {
    const res = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/export.ts', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', DATABASE_PATH: app.dbPath, MIN_RESPONSES: '5' },
      encoding: 'utf8',
    });
    return { status: res.status, out: res.stdout, err: res.stderr };
  };

  it('prints every round of a team, oldest first, with means only when shown', () => {
    const res = exportJson('--team', 'halfshown');
    expect(res.status).toBe(0);
    const rounds = JSON.parse(res.out) as Array<Record<string, unknown>>;
    expect(rounds.map((r) => r.round)).toEqual(Array.from({ length: ROUNDS }, (_, i) => i + 1));
    expect(rounds[0]).toMatchObject({ team: 'halfshown', invited: 6, responded: 6, shown: true });
    expect(rounds[0]?.means).toEqual({ energy: 4, boundaries: 4, ownership: 4, recognition: 4 });
    expect(rounds[1]).toMatchObject({ responded: 4, shown: false, means: null });
    expect(Date.parse(String(rounds[0]?.openedAt))).not.toBeNaN();
    expect(Date.parse(String(rounds[0]?.closedAt))).not.toBeNaN();
    const dropping = JSON.parse(exportJson('--team', 'dropping').out) as Array<{ flags: unknown[] }>;
    expect(dropping.at(-1)?.flags).toContainEqual({
      kind: 'drop',
      dimension: 'energy',
      severity: 'critical',
    });
    expect(dropping.slice(0, -1).every((r) => r.flags.length === 0)).toBe(true);
  });

  it('prints a lead export whose org line counts only shown teams', () => {
    const res = exportJson('--lead', LEAD);
    expect(res.status).toBe(0);
    const e = JSON.parse(res.out) as {
      lead: string;
      org: { teams: number; responded: number; means: Record<string, number> };
      teams: Array<{ team: string; shown: boolean; responded: number; means: unknown }>;
    };
    expect(e.lead).toBe(LEAD);
    expect(e.teams).toHaveLength(plans.length);
    const shown = e.teams.filter((t) => t.shown);
    expect(e.org.teams).toBe(shown.length);
    expect(e.org.responded).toBe(shown.reduce((n, t) => n + t.responded, 0));
    expect(e.org.means.energy).toBeCloseTo(64 / 18, 10);
    for (const t of e.teams.filter((x) => !x.shown)) expect(t.means).toBeNull();
  });

  it('prints CSV, and refuses bad arguments with the usage line', () => {
    const csv = exportJson('--team', 'steady', '--format', 'csv');
    expect(csv.status).toBe(0);
    expect(csv.out.split('\n')[0]).toBe(
      'team,round,openedAt,closedAt,invited,responded,shown,energy,boundaries,ownership,recognition,flags,actions',
    );
    // Means in CSV are rounded to 2 decimals; the JSON keeps them whole (above: 64/18 to 10 places).
    const leadCsv = exportJson('--lead', LEAD, '--format', 'csv');
    expect(leadCsv.status).toBe(0);
    const rows = leadCsv.out.trim().split('\n').slice(1);
    const org = rows.at(-1)?.split(',') ?? [];
    expect(org[0]).toBe('Org');
    expect(org[7]).toBe('3.56');
    for (const row of rows) {
      for (const mean of row.split(',').slice(7, 11)) expect(mean).toMatch(/^(\d(\.\d{1,2})?)?$/);
    }
    const bad = exportJson('--team', 'Not A Team');
    expect(bad.status).toBe(2);
    expect(bad.err).toContain('Usage: npm run export');
    expect(exportJson('--team', 'nosuchteam').err).toContain('no team called nosuchteam');
  });
});
