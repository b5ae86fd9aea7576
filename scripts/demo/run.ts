// `npm run demo`: the real app, in-process, against a local fake Slack, driven only the way Slack drives
// it (signed commands, button clicks and modal submissions over HTTP) plus the scheduler's tick with a
// simulated clock. Twelve weeks of an organisation take a few seconds; then it prints what each role saw,
// rendered from the calls the fake Slack received.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseConfig } from '../../src/config.ts';
import { QUESTIONS } from '../../src/domain/dimensions.ts';
import { describeInstant, describeSchedule, nextSlot } from '../../src/domain/schedule.ts';
import type { Logger } from '../../src/log.ts';
import { PLAYBOOK_ACTION } from '../../src/messages/insights.ts';
import { createServices, type Runtime } from '../../src/services.ts';
import { type RecordedCall, startFakeSlack, type UploadedFile } from '../../tools/fakeSlack.ts';
import { type RenderOptions, renderMessage, renderModal, renderMrkdwn } from '../../tools/render.ts';
import { MIN_RESPONSES, organisation, type Person, type Plan, plans, type TeamSpec, WEEKS } from './org.ts';
import { Progress } from './progress.ts';
import { findButton, obj, SlackSide, until } from './slack.ts';

export interface DemoOutput extends NodeJS.WritableStream {
  isTTY?: boolean;
  columns?: number;
}

export interface DemoOptions {
  /** Where the demo prints. */
  out: DemoOutput;
  /** The folder for the SQLite file; created if needed. Earlier demo databases in it are replaced. */
  dir: string;
  /** ANSI colours; by default when `out` is a terminal and NO_COLOR is not set. */
  color?: boolean;
  /** Columns to print in; by default the terminal's (at most 100), else 80. */
  width?: number;
}

export interface DemoResult {
  dbPath: string;
  seconds: number;
  /** Check-ins submitted and accepted. */
  answers: number;
  /** Every call the fake Slack received. */
  slackCalls: number;
  /** Warnings and errors the app logged (none expected). */
  problems: string[];
  /** What the fake Slack received, in order: everything the demo printed was rendered from these. */
  calls: RecordedCall[];
  /** The charts the app uploaded, written as PNG files (in the order Slack received them). */
  charts: Array<{ path: string; file: UploadedFile }>;
}

export const DB_FILE = 'teamhealth-demo.db';
/** The folder (inside the demo's) where the charts the app sent are written. */
export const CHARTS_DIR = 'charts';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The Monday (00:00 UTC) after tomorrow: every simulated week comes after the real-clock setup. */
export function simulationStart(now: Date): Date {
  const d = new Date(now.getTime() + DAY);
  d.setUTCHours(0, 0, 0, 0);
  const days = (8 - d.getUTCDay()) % 7 || 7;
  return new Date(d.getTime() + days * DAY);
}

type Kind = 'open' | 'remind' | 'close' | 'digest';
interface Event {
  at: number;
  kind: Kind;
  week: number;
  team: TeamSpec | null;
  /** For a digest: whose. */
  leadId: string | null;
}

const ORDER: Record<Kind, number> = { close: 0, digest: 1, remind: 2, open: 3 };

/** When the scheduler's tick runs: a minute after each team's slot, its reminder and its close; the digests. */
function timeline(
  org: ReturnType<typeof organisation>,
  start: Date,
  reminderHours: number,
  windowHours: number,
): Event[] {
  const events: Event[] = [];
  for (const team of org.teams) {
    let from = new Date(start.getTime() - 1);
    for (let week = 1; week <= WEEKS; week++) {
      const slot = nextSlot({ weekday: team.weekday, time: team.time, timezone: team.timezone }, from);
      const open = slot.getTime() + MINUTE;
      events.push({ at: open, kind: 'open', week, team, leadId: null });
      events.push({ at: open + reminderHours * HOUR + MINUTE, kind: 'remind', week, team, leadId: null });
      events.push({ at: open + windowHours * HOUR + MINUTE, kind: 'close', week, team, leadId: null });
      from = slot;
    }
  }
  for (const lead of org.leads) {
    let from = new Date(start.getTime() - 1);
    // One more than the rounds: the digest of the week after the last round shows all twelve.
    for (let week = 1; week <= WEEKS + 1; week++) {
      const slot = nextSlot({ weekday: 'mon', time: '09:00', timezone: lead.timezone }, from);
      events.push({ at: slot.getTime() + MINUTE, kind: 'digest', week, team: null, leadId: lead.id });
      from = slot;
    }
  }
  return events.sort((a, b) => a.at - b.at || ORDER[a.kind] - ORDER[b.kind]);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Waits until the app's outbox has sent everything due. */
async function drain(runtime: Runtime): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const c = runtime.services.outbox.counts();
    if (c.pending === 0 && c.sending === 0) return;
    if (Date.now() > deadline) throw new Error(`demo: the outbox did not drain: ${JSON.stringify(c)}`);
    runtime.worker.kick();
    await sleep(1);
  }
}

const mention = (p: Person) => `<@${p.id}|${p.name.split(' ')[0]?.toLowerCase() ?? p.id}>`;
const sentTo = (c: RecordedCall, userId: string) =>
  c.body.channel === userId || c.body.channel === `D${userId}`;
const isDm = (c: RecordedCall, userId: string) =>
  c.method === 'chat.postMessage' && !c.failed && sentTo(c, userId);

interface Spotlight {
  member: Person;
  plan: Plan;
  invite?: RecordedCall;
  modal?: RecordedCall;
}

/** The week after which the recovering team's manager records an action, and what it is. */
const ACTION_WEEK = 3;
const RECOVERING_ACTION = 'no deploys or meetings after 4 pm; the on-call week is paid back with a day off';

/** What the manager answers the followed member's note, and what its author answers back. */
const NOTE_REPLY = 'Thank you for saying so. Let us look at the on-call rota together on Thursday.';
const NOTE_ANSWER = 'Thanks. Two nights in a row is what hurts; a swap rule would help.';

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const started = performance.now();
  const { out } = options;
  const tty = out.isTTY === true;
  const color = options.color ?? (tty && (process.env.NO_COLOR ?? '') === '');
  const width = options.width ?? (tty ? Math.min(100, Math.max(60, out.columns ?? 80)) : 80);
  const org = organisation();
  const render: RenderOptions = { width, color, names: org.names };
  const print = new Printer(out, render);

  const dir = resolve(options.dir);
  mkdirSync(dir, { recursive: true });
  const dbPath = join(dir, DB_FILE);
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${dbPath}${suffix}`, { force: true });
  const chartsDir = join(dir, CHARTS_DIR);
  rmSync(chartsDir, { recursive: true, force: true });
  mkdirSync(chartsDir);

  const fake = await startFakeSlack({
    userTimezones: Object.fromEntries(org.leads.map((l) => [l.id, l.timezone])),
  });
  const secret = randomBytes(16).toString('hex');
  const config = {
    ...parseConfig({
      SLACK_BOT_TOKEN: 'xoxb-demo-not-a-real-token',
      SLACK_SIGNING_SECRET: secret,
      PORT: '0',
      DATABASE_PATH: dbPath,
      SLACK_API_URL: fake.url,
      MIN_RESPONSES: String(MIN_RESPONSES),
      LOG_LEVEL: 'warn',
      // The fake Slack limits nothing and time is simulated: the outbox need not pace its sends.
      SLACK_POSTMESSAGE_PER_MINUTE: '0',
      SLACK_UPDATE_PER_MINUTE: '0',
    }),
    host: '127.0.0.1',
  };
  const problems: string[] = [];
  const keep = (level: string) => (m: string) => {
    problems.push(`${level} ${m}`);
  };
  const log: Logger = { debug: () => {}, info: () => {}, warn: keep('warn'), error: keep('error') };
  const runtime = await createServices(config, log);
  let answers = 0;
  try {
    const port = await runtime.start();
    const slack = new SlackSide(fake, `http://127.0.0.1:${port}/slack/events`, secret);
    const start = simulationStart(new Date());
    const events = timeline(org, start, config.reminderHours, config.windowHours);
    const end = new Date(events.at(-1)?.at ?? start.getTime());

    print.title('teamhealth demo: the real app, a fake Slack, twelve simulated weeks');
    print.text(
      `The real app runs in this process, built as \`npm start\` builds it (Bolt over HTTP on 127.0.0.1:${port}), ` +
        'against a fake Slack Web API on another local port. People act only as Slack would let them: signed ' +
        'slash commands, button clicks and modal submissions; the scheduler’s tick runs on a simulated clock. ' +
        'Every message below was rendered from what the fake Slack received. No workspace, no network, no `.env`.',
    );
    print.blank();
    print.text(
      `*The organisation*: ${org.leads.length} leads, ${org.teams.length} teams, ${org.people.length} people ` +
        `(MIN_RESPONSES=${MIN_RESPONSES}). Simulated weeks: ${day(start)} to ${day(end)}.`,
    );
    for (const t of org.teams) {
      print.text(
        `• *${t.slug}* · ${t.members.length} people · manager ${mention(t.manager)} · lead ${mention(t.lead)} · ` +
          `${describeSchedule(t)}\n  _${t.story}_`,
      );
    }
    print.blank();

    // Setting up, as each manager and lead would: slash commands only.
    const setupReplies: Array<{ command: string; reply: RecordedCall }> = [];
    for (const t of org.teams) {
      const commands = [
        `team create ${t.slug}`,
        // The lead first, so the DM asking each person to join names everyone who reads the results.
        `team lead ${t.slug} ${mention(t.lead)}`,
        `team add ${t.slug} ${t.members.map(mention).join(' ')}`,
        `team schedule ${t.slug} ${t.weekday} ${t.time} ${t.timezone}`,
      ];
      for (const command of commands) {
        const reply = await slack.command(t.manager.id, command);
        if (t.persona === 'sliding') setupReplies.push({ command, reply });
      }
    }
    for (const lead of org.leads) await slack.command(lead.id, `digest schedule mon 09:00 ${lead.timezone}`);
    // Added by their manager, each person is asked to join in a DM naming who reads the results; all do.
    await drain(runtime);
    let joinRequest: RecordedCall | undefined;
    for (const t of org.teams) {
      const teamId = String(runtime.services.teams.bySlug(t.slug)?.id);
      for (const member of t.members) {
        const request = fake.calls.find(
          (c) => isDm(c, member.id) && findButton(c.body, 'consent_join')?.value === teamId,
        );
        if (!request) throw new Error(`demo: ${member.name} was not asked to join ${t.slug}`);
        await slack.click(member.id, request, 'consent_join');
        if (t.persona === 'sliding' && member === t.members[0]) joinRequest = request;
      }
    }
    const teams = runtime.services.teams;
    await until(
      'everyone to have joined',
      () => org.teams.every((t) => teams.pending(teams.bySlug(t.slug)?.id ?? -1).length === 0) || undefined,
    );
    await drain(runtime);

    // When the last round's steps happened, in the words of the team's (or the lead's) zone.
    const when = (kind: Kind, team: TeamSpec): string => {
      const ev =
        kind === 'digest'
          ? events.find((e) => e.kind === kind && e.leadId === team.lead.id && e.week === WEEKS + 1)
          : events.find((e) => e.kind === kind && e.team === team && e.week === WEEKS);
      const zone = kind === 'digest' ? team.lead.timezone : team.timezone;
      return ev ? describeInstant(new Date(ev.at), zone) : '';
    };
    const allPlans = plans(org);
    const sliding = org.teams.find((t) => t.persona === 'sliding') as TeamSpec;
    const small = org.teams.find((t) => t.persona === 'too-small') as TeamSpec;
    const lastWeek = allPlans[sliding.slug]?.[WEEKS - 1] ?? [];
    // The member to follow: one who answers the last round at once (with a note, if anyone writes one).
    const pick = (...wanted: Array<(p: Plan) => boolean>): Spotlight => {
      const i = wanted.map((ok) => lastWeek.findIndex(ok)).find((x) => x >= 0);
      if (i === undefined) throw new Error('demo: nobody in the sliding team fits the spotlight');
      return { member: sliding.members[i] as Person, plan: lastWeek[i] as Plan };
    };
    const prompt = (p: Plan) => p.answers !== null && !p.late;
    const spot = pick((p) => prompt(p) && p.note !== null, prompt);
    const lateSpot = pick((p) => p.answers !== null && p.late);
    // The member whose note the manager answers (whoever wrote one in the last round).
    const author = pick((p) => p.answers !== null && p.note !== null);
    let reminder: RecordedCall | undefined;
    // The recovering team's manager acts on its low boundaries once round ACTION_WEEK closes.
    const recovering = org.teams.find((t) => t.persona === 'recovering') as TeamSpec;
    const actionCommand = `action add ${recovering.slug} boundaries ${RECOVERING_ACTION}`;
    let actionReply: RecordedCall | undefined;

    const progress = new Progress(out, tty);
    let reported = 0;
    const counts = () => `${answers} check-ins answered · ${fake.calls.length} Slack calls`;
    for (const ev of events) {
      const mark = fake.calls.length;
      runtime.tick(new Date(ev.at));
      await drain(runtime);
      const team = ev.team;
      if (team === recovering && ev.kind === 'close' && ev.week === ACTION_WEEK) {
        actionReply = await slack.command(team.manager.id, actionCommand);
      }
      if (team && (ev.kind === 'open' || ev.kind === 'remind')) {
        const plansNow = allPlans[team.slug]?.[ev.week - 1] ?? [];
        const dms = fake.calls
          .slice(mark)
          .filter((c) => c.method === 'chat.postMessage' && !c.failed && findButton(c.body, 'checkin_open'));
        await Promise.all(
          team.members.map(async (member, i) => {
            const plan = plansNow[i];
            if (!plan) return;
            const acts =
              ev.kind === 'open'
                ? plan.away || (plan.answers !== null && !plan.late)
                : plan.answers !== null && plan.late;
            if (!acts) return;
            const dm = dms.find((c) => sentTo(c, member.id) && String(c.body.text).includes(team.slug));
            if (!dm)
              throw new Error(`demo: ${member.name} got no check-in DM from ${team.slug} in week ${ev.week}`);
            if (plan.away) {
              await slack.click(member.id, dm, 'checkin_away');
              return;
            }
            const modal = await slack.click(member.id, dm, 'checkin_open');
            const view = (modal?.body.view ?? {}) as Record<string, unknown>;
            await slack.submit(member.id, view, plan.answers ?? {}, plan.note);
            answers += 1;
            if (team === sliding && ev.week === WEEKS) {
              if (member === spot.member && ev.kind === 'open') Object.assign(spot, { invite: dm, modal });
              if (member === lateSpot.member && ev.kind === 'remind') reminder = dm;
            }
          }),
        );
        await drain(runtime);
        // In place on a terminal; otherwise one line a week.
        if (ev.kind === 'open' && (tty || ev.week > reported)) {
          reported = ev.week;
          progress.update(`Week ${ev.week} of ${WEEKS} · ${day(new Date(ev.at))} · ${counts()}`);
        }
      }
    }
    progress.update(`${WEEKS} weeks simulated · ${counts()}`);
    progress.done();
    if (!tty) print.blank();

    // After the twelve weeks, on the real clock: a member asks for the report, and reads the privacy promise.
    const refused = await slack.command(spot.member.id, `report ${sliding.slug}`);
    const actionList = await slack.command(recovering.manager.id, `action list ${recovering.slug}`);
    const recoveringMember = recovering.members[0] as Person;
    const recoveringInvite = fake.calls
      .filter((c) => isDm(c, recoveringMember.id) && findButton(c.body, 'checkin_open'))
      .filter((c) => String(c.body.text).includes(recovering.slug))
      .at(-1);
    const privacy = await slack.command(spot.member.id, 'privacy');
    await drain(runtime);

    const recorded = fake.calls.filter(
      (c) => c.method === 'chat.update' && !c.failed && c.body.channel === `D${spot.member.id}`,
    );
    // The summaries of the last round, as the outbox sent them at close.
    const lastSummary = (t: TeamSpec) =>
      fake.calls
        .filter((c) => isDm(c, t.manager.id) && String(c.body.text).startsWith(`${t.slug} round ${WEEKS}:`))
        .at(-1);
    const summary = lastSummary(sliding);
    // The manager opens the full playbook of the first flag, as they would from the DM.
    const playbook =
      summary && findButton(summary.body, PLAYBOOK_ACTION)
        ? await slack.click(sliding.manager.id, summary, PLAYBOOK_ACTION)
        : undefined;
    const noteThread = async (note: string, summaryDm: RecordedCall) => {
      const manager = sliding.manager.id;
      const replyModal = await slack.click(manager, summaryDm, 'note_reply', note.slice(0, 40));
      await slack.send(manager, obj(replyModal?.body.view), NOTE_REPLY);
      await drain(runtime);
      const notice = fake.calls
        .filter((c) => isDm(c, author.member.id) && String(c.body.text).includes('were answered'))
        .at(-1);
      const ownDm = fake.calls
        .filter(
          (c) =>
            c.method === 'chat.update' && sentTo(c, author.member.id) && findButton(c.body, 'note_thread'),
        )
        .at(-1);
      if (!ownDm) throw new Error(`demo: ${author.member.name}'s recorded DM has no Replies to your note`);
      const authorModal = await slack.click(author.member.id, ownDm, 'note_thread');
      await slack.send(author.member.id, obj(authorModal?.body.view), NOTE_ANSWER);
      await drain(runtime);
      const managerView = obj(
        (await slack.click(manager, summaryDm, 'note_reply', note.slice(0, 40)))?.body.view,
      );
      const toManager = fake.calls
        .filter((c) => isDm(c, manager) && String(c.body.text).includes('answered in its thread'))
        .at(-1);
      return { replyModal, notice, authorModal, toManager, managerView };
    };
    // The manager answers a note of the last round; its author reads the reply from the button on their
    // own check-in DM, and answers back. Nobody is told who wrote the note.
    const thread = author.plan.note && summary ? await noteThread(author.plan.note, summary) : undefined;
    const smallSummary = lastSummary(small);
    const digest = fake.calls
      .filter((c) => isDm(c, sliding.lead.id) && String(c.body.text).startsWith('Team-health digest'))
      .at(-1);
    // Every chart the app uploaded, as the PNG files Slack received, numbered in the order they came.
    const charts = fake.files.map((file, i) => {
      const path = join(chartsDir, `${String(i + 1).padStart(3, '0')}-${file.filename}`);
      writeFileSync(path, file.bytes);
      return { path, file };
    });
    const lastChartTo = (userId: string) => charts.filter((c) => c.file.channelId === `D${userId}`).at(-1);

    // ---- What each role saw ----
    const first = spot.member.name;
    print.heading(
      'SET-UP',
      `${sliding.manager.name} creates ${sliding.slug}; the other managers do the same`,
    );
    print.text('Slash commands, each answered only to the person who typed it:');
    for (const { command, reply } of setupReplies) {
      print.line(`  /teamhealth ${renderMrkdwn(command, render).join(' ')}`);
      print.message(reply, 'teamhealth (only visible to you) · response_url');
    }
    const asked = sliding.members[0]?.name ?? '';
    print.text(
      `Each person added gets one DM saying who reads the results, and takes part once they press *Join*. ${asked}'s:`,
    );
    print.message(joinRequest, `teamhealth → ${asked} (DM) · chat.postMessage`);
    print.heading('MEMBER', `${first}, on ${sliding.slug} · round ${WEEKS}`);
    print.text(
      `${when('open', sliding)}: the tick opens round ${WEEKS} and the outbox sends each member a DM.`,
    );
    print.message(spot.invite, `teamhealth → ${first} (DM) · chat.postMessage`);
    print.text(`${first} clicks *Start the check-in*; the app opens the modal (views.open):`);
    print.modal(spot.modal);
    print.text(
      `${first} picks ${choices(spot.plan)}${spot.plan.note ? `, writes “${spot.plan.note}”` : ''} and sends it. ` +
        'The answer is stored without name or time; the DM is updated in place:',
    );
    print.message(recorded.at(-1), `teamhealth → ${first} (DM, updated) · chat.update`);
    print.text(
      `A day later, ${lateSpot.member.name} (who had not answered yet) gets the one gentle reminder:`,
    );
    print.message(reminder, `teamhealth → ${lateSpot.member.name} (DM) · chat.postMessage`);
    print.text(
      `${first} tries \`/teamhealth report ${sliding.slug}\`, and is told no (only the person who asked sees it):`,
    );
    print.message(refused, 'teamhealth (only visible to you) · response_url');

    print.heading('MANAGER', `${sliding.manager.name}, manager of ${sliding.slug}`);
    print.text(
      `${when('close', sliding)}: round ${WEEKS} closes and the manager gets the summary: participation, scores, ` +
        'the trend, flags, and what to try.',
    );
    print.message(summary, `teamhealth → ${sliding.manager.name} (DM) · chat.postMessage`);
    print.chart(lastChartTo(sliding.manager.id), sliding.manager.name);
    if (playbook) {
      print.text(
        `${sliding.manager.name} clicks *More ideas* beside the first flag; the whole playbook opens:`,
      );
      print.modal(playbook);
    }
    print.text(
      `Meanwhile ${small.manager.name} (${small.slug}, ${small.members.length} people) never sees a score: ` +
        `fewer than ${MIN_RESPONSES} answers can never be shown.`,
    );
    print.message(smallSummary, `teamhealth → ${small.manager.name} (DM) · chat.postMessage`);
    print.chart(lastChartTo(small.manager.id), small.manager.name);

    if (thread) {
      const writer = author.member.name.split(' ')[0];
      print.heading('NOTES', `${sliding.manager.name} answers a note; its author answers back, unnamed`);
      print.text(
        `${sliding.manager.name} presses *Reply* beside the note “${author.plan.note}” in the summary. The modal ` +
          'shows the note and its thread, with one text input:',
      );
      print.modal(thread.replyModal);
      print.text(
        `${sliding.manager.name} writes “${NOTE_REPLY}” and sends it. Everyone who answered round ${WEEKS} gets ` +
          `the same message under their own check-in DM, so it says nothing about who wrote which note. ${writer}'s:`,
      );
      print.message(
        thread.notice,
        `teamhealth → ${writer} (DM, in the thread of the check-in) · chat.postMessage`,
      );
      print.text(
        `Only ${writer}'s own check-in DM has *Replies to your note* (its token is in that button alone; the ` +
          `database keeps a hash of it beside the note, and no name). ${writer} opens it and answers:`,
      );
      print.modal(thread.authorModal);
      print.message(thread.toManager, `teamhealth → ${sliding.manager.name} (DM) · chat.postMessage`);
      print.text(`The thread as ${sliding.manager.name} now reads it, the author unnamed:`);
      print.view(thread.managerView);
    }

    print.heading('ACTION', `${recovering.manager.name}, manager of ${recovering.slug}`);
    print.text(
      `After round ${ACTION_WEEK}, with boundaries low, ${recovering.manager.name} records what the team will try:`,
    );
    print.line(`  /teamhealth ${actionCommand}`);
    print.message(actionReply, 'teamhealth (only visible to you) · response_url');
    print.text(
      `Every check-in DM of ${recovering.slug} from then on says so. ${recoveringMember.name}'s, round ${WEEKS}:`,
    );
    print.message(recoveringInvite, `teamhealth → ${recoveringMember.name} (DM) · chat.postMessage`);
    print.text('Boundaries recover; the effect is judged against the noise of a small team, like the flags:');
    print.line(`  /teamhealth action list ${recovering.slug}`);
    print.message(actionList, 'teamhealth (only visible to you) · response_url');

    print.heading(
      'LEAD',
      `${sliding.lead.name}, leads ${org.teams
        .filter((t) => t.lead === sliding.lead)
        .map((t) => t.slug)
        .join(', ')}`,
    );
    print.text(
      `${when('digest', sliding)}, the weekly digest: riskiest team first, with questions for its managers.`,
    );
    print.message(digest, `teamhealth → ${sliding.lead.name} (DM) · chat.postMessage`);
    print.chart(lastChartTo(sliding.lead.id), sliding.lead.name);

    print.heading('EVERYONE', '/teamhealth privacy');
    print.message(privacy, 'teamhealth (only visible to you) · response_url');

    const seconds = (performance.now() - started) / 1000;
    const byMethod = new Map<string, number>();
    for (const c of fake.calls) byMethod.set(c.method, (byMethod.get(c.method) ?? 0) + 1);
    print.heading('LOOK INSIDE', 'the SQLite file the app wrote');
    const shown = displayPath(dbPath);
    print.text(
      `${WEEKS} weeks simulated in ${seconds.toFixed(1)} s: ${answers} check-ins answered; the fake Slack received ` +
        `${fake.calls.length} calls (${[...byMethod].map(([m, n]) => `${m} ${n}`).join(', ')}).`,
    );
    print.text(`The database: *${shown}*`);
    print.text(
      `The ${charts.length} charts the app uploaded (every manager’s, every round; every lead’s, every week), ` +
        `as PNG files: *${displayPath(chartsDir)}*`,
    );
    const team = `(SELECT id FROM teams WHERE slug = '${sliding.slug}')`;
    print.text(
      'A closed round keeps its answers only as counts per score (when it was shown), with no user id and no time:',
    );
    print.code(
      `sqlite3 -header -column ${shown} "SELECT number AS round, tally FROM rounds WHERE team_id = ${team} ORDER BY number DESC LIMIT 4"`,
    );
    print.text(
      "Its notes sit under random keys; a note's thread names only who answered for the team (the author's lines have none):",
    );
    print.code(
      `sqlite3 -header -column ${shown} "SELECT n.note, r.seq, r.by_user, r.text FROM notes n LEFT JOIN note_replies r ON r.round_id = n.round_id AND r.note_id = n.id WHERE n.round_id = (SELECT max(id) FROM rounds WHERE team_id = ${team})"`,
    );
    print.text('Who was invited and whether they answered is kept apart, as a yes or no:');
    print.code(
      `sqlite3 -header -column ${shown} "SELECT r.number AS round, count(*) AS invited, sum(i.answered) AS answered FROM rounds r JOIN invites i ON i.round_id = r.id WHERE r.team_id = ${team} GROUP BY r.id"`,
    );
    print.text('Aggregates per round, under the same threshold as the app:');
    print.code(`DATABASE_PATH=${shown} npm run export -- --team ${sliding.slug} --format csv`);
    if (problems.length > 0) {
      print.text(`The app logged ${problems.length} warning(s):`);
      for (const p of problems.slice(0, 5)) print.line(`  ${p}`);
    }
    print.blank();
    return {
      dbPath,
      seconds,
      answers,
      slackCalls: fake.calls.length,
      problems,
      calls: [...fake.calls],
      charts,
    };
  } finally {
    await runtime.stop();
    await fake.close();
  }
}

const day = (d: Date): string => d.toISOString().slice(0, 10);

/** The answers of a plan in the words of the modal's options, e.g. `Low (energy)`. */
function choices(plan: Plan): string {
  if (!plan.answers) return 'nothing';
  return Object.entries(plan.answers)
    .map(([d, v]) => {
      const q = QUESTIONS[d as keyof typeof QUESTIONS];
      return `“${q.options[v - 1]}” for ${q.label.toLowerCase()}`;
    })
    .join(', ');
}

/** The path as the reader would type it: relative to where they are when it is inside, else absolute. */
function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') || rel === '' ? path : rel;
}

/** Writes the demo's sections, rendering the recorded Slack calls. */
class Printer {
  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly r: RenderOptions,
  ) {}

  private get color(): boolean {
    return this.r.color === true;
  }

  line(s: string): void {
    this.out.write(`${s}\n`);
  }

  blank(): void {
    this.line('');
  }

  title(s: string): void {
    this.line(this.color ? `\x1b[1m${s}\x1b[0m` : s);
    this.line('═'.repeat(Math.min(this.r.width ?? 80, s.length)));
  }

  heading(role: string, who: string): void {
    const width = this.r.width ?? 80;
    const label = ` ${role} · ${who} `;
    const rest = '━'.repeat(Math.max(3, width - label.length - 3));
    this.blank();
    this.line(this.color ? `\x1b[1;35m━━${label}${rest}\x1b[0m` : `━━${label}${rest}`);
    this.blank();
  }

  text(s: string): void {
    for (const l of renderMrkdwn(s, this.r)) this.line(l);
  }

  code(s: string): void {
    this.line(this.color ? `  \x1b[36m${s}\x1b[0m` : `  ${s}`);
  }

  message(call: RecordedCall | undefined, title: string): void {
    if (!call) throw new Error(`demo: the fake Slack received no message for “${title}”`);
    this.line(renderMessage(call.body, title, this.r));
    this.blank();
  }

  /** A chart the app uploaded into a DM: where the demo wrote it, and its alt text. */
  chart(chart: { path: string; file: UploadedFile } | undefined, to: string): void {
    if (!chart) throw new Error(`demo: the fake Slack received no chart for ${to}`);
    this.text(
      `A moment later the chart follows in the same DM (files.completeUploadExternal, “${chart.file.title}”):`,
    );
    this.line(this.color ? `  \x1b[1m${displayPath(chart.path)}\x1b[0m` : `  ${displayPath(chart.path)}`);
    for (const l of renderMrkdwn(`_Alt text: ${chart.file.altTxt ?? ''}_`, this.r)) this.line(`  ${l}`);
    this.blank();
  }

  modal(call: RecordedCall | undefined): void {
    if (!call) throw new Error('demo: the fake Slack received no modal');
    this.view(call.body.view);
  }

  /** A modal as the app showed or updated it. */
  view(view: unknown): void {
    this.line(renderModal(view, this.r));
    this.blank();
  }
}
