import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { organisation } from '../../scripts/demo/org.ts';
import { CHARTS_DIR, DB_FILE, type DemoResult, runDemo } from '../../scripts/demo/run.ts';
import { PNG_SIGNATURE } from '../../src/messages/png.ts';

/** `npm run demo`, run in-process: the real app, twelve simulated weeks, what each role saw. */
let output = '';
let result: DemoResult;
let dir: string;

const org = organisation();
const small = org.teams.find((t) => t.persona === 'too-small');
const sliding = org.teams.find((t) => t.persona === 'sliding');

/** The printed text between two markers (the first after `from`). */
const between = (from: string, to: string): string => {
  const start = output.indexOf(from);
  expect(start, `"${from}" in the output`).toBeGreaterThanOrEqual(0);
  const end = output.indexOf(to, start + from.length);
  return output.slice(start, end < 0 ? undefined : end);
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'teamhealth-demo-'));
  const out = new Writable({
    write(chunk, _encoding, done) {
      output += String(chunk);
      done();
    },
  });
  result = await runDemo({ out, dir });
}, 60_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('npm run demo', () => {
  it('finishes with no warning from the app, having driven hundreds of check-ins', () => {
    expect(result.problems).toEqual([]);
    expect(result.answers).toBeGreaterThan(400);
    expect(existsSync(join(dir, DB_FILE))).toBe(true);
    expect(output).toContain(join(dir, DB_FILE));
    expect(output).toContain('npm run export');
  });

  it('prints a section per role, in plain text when the output is not a terminal', () => {
    for (const role of [
      'SET-UP ·',
      'MEMBER ·',
      'MANAGER ·',
      'NOTES ·',
      'ACTION ·',
      'LEAD ·',
      'EVERYONE ·',
      'LOOK INSIDE ·',
    ]) {
      expect(output).toContain(`━━ ${role}`);
    }
    expect(output).not.toContain('\x1b[');
    expect(output).toMatch(/Week 12 of 12/);
  });

  it('shows how people a manager added are asked to join, naming who reads the results', () => {
    // The rendered messages wrap at the terminal width: read them as one line.
    const flat = (t: string) => t.replace(/\n[│┃]\s*/g, ' ');
    const setup = flat(between('━━ SET-UP', '━━ MEMBER'));
    expect(setup).toContain(`asked you to join the weekly team-health check-ins of ${sliding?.slug}`);
    expect(setup).toContain(
      `Who reads the results: @${sliding?.manager.name} (manager), @${sliding?.lead.name} (lead)`,
    );
    expect(setup).toContain('[ Join ]  [ Not my team ]');
    expect(flat(between('━━ MEMBER', '━━ MANAGER'))).toContain(
      `Who reads the results: @${sliding?.manager.name} (manager), @${sliding?.lead.name} (lead)`,
    );
  });

  it('shows the member’s DM, the modal with its questions, the recorded update and the refusal', () => {
    const member = between('━━ MEMBER', '━━ MANAGER');
    expect(member).toContain('[ Start the check-in ]');
    expect(member).toContain('How much energy did you have for your work this week?');
    expect(member).toContain('○ Running on empty');
    expect(member).toContain('[ Send anonymously ]');
    expect(member).toContain('was recorded anonymously');
    expect(member).toContain('gentle reminder');
    expect(member).toContain(`Only the manager of ${sliding?.slug}`);
  });

  it('gives the sliding team’s manager a flag on energy or boundaries, with a playbook', () => {
    const summary = between(`${sliding?.slug} · round 12`, 'Meanwhile');
    expect(summary).toMatch(/(Energy|Boundaries): (low|dropped|sliding)/);
    expect(summary).toContain('Try this week');
    expect(summary).toContain('Ask in your next 1:1s');
    expect(summary).toMatch(/Trend, rounds \d+–12/);
  });

  it('never shows a score of the team too small to show, in any message of any week', () => {
    const manager = small?.manager.id ?? '';
    const toManager = result.calls.filter(
      (c) =>
        c.method === 'chat.postMessage' && (c.body.channel === manager || c.body.channel === `D${manager}`),
    );
    expect(toManager.length).toBe(12);
    for (const c of toManager) {
      const text = JSON.stringify(c.body);
      expect(text).toContain('scores and notes are shown when at least 5 people answer');
      expect(text).not.toMatch(/\b[1-5]\.\d\b/);
    }
    const digests = result.calls.filter(
      (c) => c.method === 'chat.postMessage' && String(c.body.text).startsWith('Team-health digest'),
    );
    expect(digests.length).toBeGreaterThan(0);
    for (const d of digests) {
      for (const block of d.body.blocks as Array<{ text?: { text?: string } }>) {
        const text = block.text?.text ?? '';
        if (!text.startsWith(`*${small?.slug}*`) || text.includes('No closed round yet')) continue;
        expect(text).toContain('Scores hidden');
        expect(text).not.toMatch(/\d\.\d/);
      }
    }
    const printed = between(`${small?.slug} · manager`, '└─');
    expect(printed).toContain('Scores hidden');
    expect(printed.split('Riskiest')[0]).not.toMatch(/\d\.\d/);
    expect(between(`${small?.slug} · round 12`, '└─')).not.toMatch(/\d\.\d/);
  });

  it('prints the lead digest with an Org line over the shown teams only', () => {
    const lead = between('━━ LEAD', '━━ EVERYONE');
    expect(lead).toMatch(/Org \(\d+ shown teams?, \d+ answers\): Energy \d\.\d/);
    expect(lead).toContain(`Ask @${sliding?.manager.name}`);
    // Riskiest first: the sliding team leads the digest.
    expect(lead.indexOf(`${sliding?.slug} · manager`)).toBeLessThan(lead.indexOf(`${small?.slug} · manager`));
  });

  it('writes every chart the app uploaded as a PNG file in the demo folder, and prints where', () => {
    // Twelve rounds of six teams, and the weekly digests of two leads.
    expect(result.charts.filter((c) => c.file.title?.endsWith('· trend'))).toHaveLength(6 * 12);
    expect(result.charts.filter((c) => c.file.title?.startsWith('Your ')).length).toBeGreaterThanOrEqual(
      2 * 12,
    );
    for (const { path, file } of result.charts) {
      expect(path.startsWith(join(dir, CHARTS_DIR))).toBe(true);
      expect(readFileSync(path).equals(file.bytes)).toBe(true);
      expect(file.bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    }
    const manager = between('━━ MANAGER', '━━ LEAD');
    expect(manager).toContain(join(dir, CHARTS_DIR));
    expect(manager).toMatch(new RegExp(`\\d{3}-teamhealth-${sliding?.slug}-round-12\\.png`));
    expect(manager).toContain(`Alt text: Trend chart of ${sliding?.slug}, round 12:`);
    expect(between('━━ LEAD', '━━ EVERYONE')).toMatch(/\d{3}-teamhealth-digest-3-teams\.png/);
    expect(output).toContain(`as PNG files: ${join(dir, CHARTS_DIR)}`);
  });

  it('never puts a score of the team too small to show into its charts', () => {
    const manager = small?.manager.id ?? '';
    const charts = result.charts.filter((c) => c.file.channelId === `D${manager}`);
    expect(charts).toHaveLength(12);
    for (const { file } of charts) {
      expect(file.altTxt).toContain('hidden');
      expect(file.altTxt).not.toMatch(/\b[1-5]\.\d\b/);
    }
  });

  it('shows a team acting on its low boundaries: the DMs say so, and the effect reads better', () => {
    const flat = (t: string) => t.replace(/\n[│┃]\s*/g, ' ');
    const action = flat(between('━━ ACTION', '━━ LEAD'));
    expect(action).toContain('Action #1 recorded for platform');
    expect(action).toContain(
      'You told us about boundaries in round 3. Since then: no deploys or meetings after 4 pm',
    );
    expect(action).toMatch(/#1 · boundaries · no deploys[^\n]*· after round 3 · likely better/);
    expect(flat(between('━━ LEAD', '━━ EVERYONE'))).toContain('Trying #1 no deploys');
  });

  it('shows a note answered and its author answering back, unnamed', () => {
    const flat = (t: string) => t.replace(/\n[│┃]\s*/g, ' ');
    const notes = flat(between('━━ NOTES', '━━ ACTION'));
    expect(notes).toContain('Your reply');
    expect(notes).toContain(`answered notes from round 12 of ${sliding?.slug}`);
    expect(notes).toContain(`@${sliding?.manager.name}: Thank you for saying so.`);
    expect(notes).toContain("The note's author: Thanks. Two nights in a row is what hurts");
    expect(notes).toContain('answered in its thread');
    // The summary carries a Reply button beside each note.
    expect(between('━━ MANAGER', '━━ NOTES')).toMatch(/▎ [^\n]+\n│ \[ Reply \]/);
  });

  it('prints the privacy statement everyone can ask for', () => {
    const privacy = between('━━ EVERYONE', '━━ LOOK INSIDE');
    expect(privacy).toContain('What teamhealth stores, and who sees what');
    expect(privacy).toContain('at least 5');
  });
});
