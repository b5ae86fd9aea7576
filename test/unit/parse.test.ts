import { describe, expect, it } from 'vitest';
import { USAGE } from '../../src/messages/usage.ts';
import { type Command, parseCommand } from '../../src/slack/commands/parse.ts';

function ok(text: string): Command {
  const r = parseCommand(text);
  if (!r.ok) throw new Error(`expected "${text}" to parse, got: ${r.error}`);
  return r.command;
}

function bad(text: string): { error: string; usage: string | null } {
  const r = parseCommand(text);
  if (r.ok) throw new Error(`expected "${text}" to be refused, got ${JSON.stringify(r.command)}`);
  return { error: r.error, usage: r.usage };
}

describe('parseCommand: commands without arguments', () => {
  it.each<[string, Command]>([
    ['', { kind: 'overview' }],
    ['   ', { kind: 'overview' }],
    ['status', { kind: 'status' }],
    ['help', { kind: 'help' }],
    ['HELP', { kind: 'help' }],
    ['setup', { kind: 'setup' }],
    ['team list', { kind: 'list' }],
    ['digest', { kind: 'digest' }],
    ['privacy', { kind: 'privacy' }],
    ['forget-me', { kind: 'forget' }],
    ['report', { kind: 'report', team: null }],
  ])('"%s"', (text, command) => {
    expect(ok(text)).toEqual(command);
  });

  it('tolerates extra whitespace, tabs and newlines between words', () => {
    expect(ok('  team \t create\n platform  ')).toEqual({
      kind: 'create',
      team: 'platform',
      managerId: null,
    });
  });

  it.each<[string, string]>([
    ['setup now', USAGE.setup],
    ['privacy me', USAGE.privacy],
    ['forget-me now', USAGE.forget],
    ['team list all', USAGE.list],
  ])('refuses extra arguments: "%s"', (text, usage) => {
    const r = bad(text);
    expect(r.usage).toBe(usage);
    expect(r.error).toMatch(/nothing more/);
  });
});

describe('parseCommand: team create', () => {
  it('makes the caller manager when no one is named', () => {
    expect(ok('team create platform-api')).toEqual({ kind: 'create', team: 'platform-api', managerId: null });
  });

  it.each<[string, string]>([
    ['<@U123ABC>', 'U123ABC'],
    ['<@U123ABC|alice>', 'U123ABC'],
    ['<@W0ENTERPRISE>', 'W0ENTERPRISE'],
    ['<@W0ENTERPRISE|bob.smith>', 'W0ENTERPRISE'],
  ])('takes an escaped manager mention %s', (mention, id) => {
    expect(ok(`team create core ${mention}`)).toEqual({ kind: 'create', team: 'core', managerId: id });
  });

  it('refuses two managers', () => {
    const r = bad('team create core <@U1> <@U2>');
    expect(r.usage).toBe(USAGE.create);
  });

  it('refuses a missing team name with the create usage', () => {
    const r = bad('team create');
    expect(r.usage).toBe(USAGE.create);
    expect(r.error).toMatch(/team/i);
  });

  it('refuses a user group as manager', () => {
    expect(bad('team create core <!subteam^S123|@devs>').usage).toBe(USAGE.create);
  });
});

describe('parseCommand: team names', () => {
  it.each(['a', '0', 'platform-api', 'x'.repeat(40), 'team-2024', '-'])('accepts %s', (name) => {
    expect(ok(`checkin ${name}`)).toEqual({ kind: 'checkin', team: name });
  });

  it.each(['Platform', 'platform_api', 'platform.api', 'x'.repeat(41), 'équipe', '<@U123>', '#platform'])(
    'refuses %s with the usage line of the command',
    (name) => {
      const r = bad(`checkin ${name}`);
      expect(r.usage).toBe(USAGE.checkin);
      expect(r.error).toMatch(/lowercase letters, digits or dashes/);
    },
  );

  it('checks the team name in every command that takes one', () => {
    expect(bad('team add Bad <@U1>').usage).toBe(USAGE.add);
    expect(bad('team remove Bad <@U1>').usage).toBe(USAGE.remove);
    expect(bad('team lead Bad <@U1>').usage).toBe(USAGE.lead);
    expect(bad('team schedule Bad mon 10:00').usage).toBe(USAGE.schedule);
    expect(bad('close Bad').usage).toBe(USAGE.close);
    expect(bad('report Bad').usage).toBe(USAGE.report);
  });
});

describe('parseCommand: team add / remove / lead', () => {
  it('adds escaped users, W-ids and user groups together', () => {
    expect(ok('team add core <@U1> <@U2|bob> <@W3> <!subteam^S123|@devs> <!subteam^S9>')).toEqual({
      kind: 'add',
      team: 'core',
      userIds: ['U1', 'U2', 'W3'],
      groupIds: ['S123', 'S9'],
    });
  });

  it('adds a user group alone', () => {
    expect(ok('team add core <!subteam^SABC123|@platform-team>')).toEqual({
      kind: 'add',
      team: 'core',
      userIds: [],
      groupIds: ['SABC123'],
    });
  });

  it('refuses add without anyone to add', () => {
    const r = bad('team add core');
    expect(r.usage).toBe(USAGE.add);
  });

  it('refuses an unescaped @name and says it was not resolved by Slack', () => {
    const r = bad('team add core <@U1> @alice');
    expect(r.usage).toBe(USAGE.add);
    expect(r.error).toContain('@alice');
    expect(r.error).toMatch(/pick/i);
  });

  it.each(['alice', 'U123', '<#C123|general>', '<@C123>', '<@>', '<!here>', '<!channel>'])(
    'refuses %s as a member',
    (arg) => {
      expect(bad(`team add core ${arg}`).usage).toBe(USAGE.add);
    },
  );

  it('removes escaped users', () => {
    expect(ok('team remove core <@U1> <@W2|x>')).toEqual({
      kind: 'remove',
      team: 'core',
      userIds: ['U1', 'W2'],
    });
  });

  it('refuses remove without anyone, with an @name, or with a group', () => {
    expect(bad('team remove core').usage).toBe(USAGE.remove);
    expect(bad('team remove core @bob').error).toContain('@bob');
    expect(bad('team remove core <!subteam^S1|@x>').usage).toBe(USAGE.remove);
  });

  it('sets exactly one lead', () => {
    expect(ok('team lead core <@U9|lee>')).toEqual({ kind: 'lead', team: 'core', userId: 'U9' });
    expect(bad('team lead core').usage).toBe(USAGE.lead);
    expect(bad('team lead core <@U1> <@U2>').usage).toBe(USAGE.lead);
    expect(bad('team lead core @lee').usage).toBe(USAGE.lead);
  });
});

describe('parseCommand: team schedule', () => {
  it.each<[string, string, string]>([
    ['mon', 'mon', '10:00'],
    ['Tue', 'tue', '9:30'],
    ['WEDNESDAY', 'wed', '23:59'],
    ['thu', 'thu', '00:00'],
    ['fri', 'fri', '07:05'],
    ['sat', 'sat', '12:00'],
    ['Sunday', 'sun', '18:45'],
  ])('reads %s %s', (day, weekday, time) => {
    const c = ok(`team schedule core ${day} ${time}`);
    expect(c).toMatchObject({ kind: 'schedule', team: 'core', weekday, timezone: null });
    expect((c as { time: string }).time).toMatch(/^\d\d:\d\d$/);
  });

  it('normalises H:MM to HH:MM', () => {
    expect(ok('team schedule core tue 9:30')).toMatchObject({ time: '09:30' });
  });

  it('passes the zone on as given', () => {
    expect(ok('team schedule core mon 10:00 Europe/Berlin')).toEqual({
      kind: 'schedule',
      team: 'core',
      weekday: 'mon',
      time: '10:00',
      timezone: 'Europe/Berlin',
    });
  });

  it.each(['monday-ish', 'mo', 'weekday', '1'])('refuses the weekday %s', (day) => {
    const r = bad(`team schedule core ${day} 10:00`);
    expect(r.usage).toBe(USAGE.schedule);
    expect(r.error).toMatch(/weekday/);
  });

  it.each(['24:00', '10:60', '10', '10:0', '1000', '10.00', '10:00am', '-1:00'])(
    'refuses the time %s',
    (t) => {
      const r = bad(`team schedule core mon ${t}`);
      expect(r.usage).toBe(USAGE.schedule);
      expect(r.error).toMatch(/HH:MM/);
    },
  );

  it('refuses a missing weekday or time', () => {
    expect(bad('team schedule core').usage).toBe(USAGE.schedule);
    expect(bad('team schedule core mon').usage).toBe(USAGE.schedule);
  });

  it('refuses anything after the zone', () => {
    expect(bad('team schedule core mon 10:00 Europe/Berlin extra').usage).toBe(USAGE.schedule);
  });
});

describe('parseCommand: rounds and reports', () => {
  it('reads checkin, close and report with a team', () => {
    expect(ok('checkin core')).toEqual({ kind: 'checkin', team: 'core' });
    expect(ok('close core')).toEqual({ kind: 'close', team: 'core' });
    expect(ok('report core')).toEqual({ kind: 'report', team: 'core' });
    expect(ok('CHECKIN core')).toEqual({ kind: 'checkin', team: 'core' });
  });

  it('needs a team for checkin and close', () => {
    expect(bad('checkin').usage).toBe(USAGE.checkin);
    expect(bad('close').usage).toBe(USAGE.close);
  });

  it('refuses extra arguments to checkin, close and report', () => {
    expect(bad('checkin core now').usage).toBe(USAGE.checkin);
    expect(bad('close core now').usage).toBe(USAGE.close);
    expect(bad('report core last').usage).toBe(USAGE.report);
  });
});

describe('parseCommand: digest', () => {
  it('reads the digest on its own and refuses anything but a schedule after it', () => {
    expect(ok('digest')).toEqual({ kind: 'digest' });
    expect(bad('digest please').usage).toBe(USAGE.digest);
  });

  it('reads a digest schedule with the same weekday and time rules as a team schedule', () => {
    expect(ok('digest schedule fri 16:30 Europe/Berlin')).toEqual({
      kind: 'digest_schedule',
      weekday: 'fri',
      time: '16:30',
      timezone: 'Europe/Berlin',
    });
    expect(ok('digest schedule mon 9:00')).toMatchObject({ weekday: 'mon', time: '09:00', timezone: null });
    expect(bad('digest schedule someday 09:00').usage).toBe(USAGE.digest);
    expect(bad('digest schedule mon 9').usage).toBe(USAGE.digest);
    expect(bad('digest schedule mon 09:00 UTC more').usage).toBe(USAGE.digest);
  });
});

describe('parseCommand: unknown subcommands', () => {
  it('an unknown team subcommand gets the team usage lines', () => {
    const r = bad('team rename core');
    expect(r.error).toContain('team rename');
    for (const line of [USAGE.create, USAGE.add, USAGE.remove, USAGE.lead, USAGE.schedule, USAGE.list]) {
      expect(r.usage).toContain(line);
    }
    expect(r.usage).not.toContain(USAGE.checkin);
  });

  it('"team" alone asks what to do and shows the team usage lines', () => {
    const r = bad('team');
    expect(r.usage).toContain(USAGE.create);
    expect(r.usage).toContain(USAGE.list);
  });

  it('an unknown verb is named back', () => {
    const r = bad('frobnicate core');
    expect(r.error).toContain('frobnicate');
  });
});

describe('parseCommand: echoed text is escaped', () => {
  const pings = ['<!channel>', '<!here>', '<!everyone>', '<@U999>', '<!subteam^S1>'];

  it.each(pings)('an unknown verb %s never reaches the reply unescaped', (ping) => {
    const r = bad(ping);
    expect(r.error).not.toContain('<');
    expect(r.error).not.toContain('>');
    expect(r.error).toContain('&lt;');
  });

  it.each(pings)('an unknown team subcommand %s is escaped', (ping) => {
    const r = bad(`team ${ping}`);
    expect(r.error).not.toMatch(/<[!@]/);
  });

  it('a bad member argument does not echo markup', () => {
    for (const text of [
      'team add core <!channel>',
      'team add core @x<!here>',
      'team remove core @a<!channel>',
    ]) {
      const r = bad(text);
      expect(r.error, text).not.toMatch(/<[!@#]/);
    }
  });

  it('ampersands and backticks cannot break out of the quoted echo', () => {
    const r = bad('`<!channel>`&x');
    expect(r.error).not.toMatch(/<!/);
    expect(r.error).toContain('&amp;');
    // Exactly the two backticks that quote the echo.
    expect(r.error.match(/`/g)).toHaveLength(2);
  });

  it('keeps the echo short', () => {
    const r = bad('x'.repeat(5000));
    expect(r.error.length).toBeLessThan(200);
  });
});

describe('a mistyped command', () => {
  it('gets the usage line of the command it most likely meant', () => {
    const r = parseCommand('chekin core');
    expect(r).toMatchObject({ ok: false, usage: USAGE.checkin });
    expect(!r.ok && r.error).toContain('Did you mean `checkin`?');
    expect(parseCommand('raport')).toMatchObject({ ok: false, usage: USAGE.report });
  });

  it('gets the team lines for a mistyped `team`, and only help for a word far from any command', () => {
    const team = parseCommand('taem list');
    expect(!team.ok && team.usage).toContain(USAGE.list);
    expect(parseCommand('banana')).toMatchObject({ ok: false, usage: null });
  });
});

describe('parseCommand: action', () => {
  it('reads add with a dimension or `team` and keeps the text as typed, spacing inside included', () => {
    expect(ok('action add core boundaries  no meetings   on Fridays ')).toEqual({
      kind: 'action_add',
      team: 'core',
      focus: 'boundaries',
      text: 'no meetings   on Fridays',
    });
    expect(ok('action add core TEAM one thing')).toMatchObject({ focus: 'team', text: 'one thing' });
  });

  it('turns Slack’s escapes back into what the person typed, and counts 200 characters of that', () => {
    expect(ok('action add core energy a &lt;b&gt; &amp; c')).toMatchObject({ text: 'a <b> & c' });
    expect(ok(`action add core energy ${'&amp;'.repeat(200)}`)).toMatchObject({ text: '&'.repeat(200) });
    const long = bad(`action add core energy ${'x'.repeat(201)}`);
    expect(long.error).toContain('200 characters');
    expect(long.usage).toBe(USAGE.action_add);
  });

  it('refuses an unknown dimension, a missing text and a bad team name with the add usage', () => {
    expect(bad('action add core mood be nice').error).toContain('`boundaries`');
    expect(bad('action add core energy').error).toContain('what the team will try');
    expect(bad('action add core energy    ').usage).toBe(USAGE.action_add);
    expect(bad('action add Core energy x').usage).toBe(USAGE.action_add);
    expect(bad('action add').error).toContain('Which team?');
  });

  it('reads list with and without a team', () => {
    expect(ok('action list')).toEqual({ kind: 'action_list', team: null });
    expect(ok('action list core')).toEqual({ kind: 'action_list', team: 'core' });
    expect(bad('action list core more').usage).toBe(USAGE.action_list);
  });

  it('reads done and drop with a number', () => {
    expect(ok('action done core 2')).toEqual({
      kind: 'action_finish',
      team: 'core',
      number: 2,
      status: 'done',
    });
    expect(ok('action drop core #12')).toEqual({
      kind: 'action_finish',
      team: 'core',
      number: 12,
      status: 'dropped',
    });
    for (const text of [
      'action done core',
      'action done core two',
      'action done core 0',
      'action done core -1',
    ]) {
      expect(bad(text).usage, text).toBe(USAGE.action_done);
    }
    expect(bad('action drop core 1 2').usage).toBe(USAGE.action_drop);
  });

  it('an unknown or missing action subcommand gets every action usage line', () => {
    const r = bad('action finish core 1');
    expect(r.error).toContain('`action finish`');
    for (const line of [USAGE.action_add, USAGE.action_list, USAGE.action_done, USAGE.action_drop]) {
      expect(r.usage).toContain(line);
    }
    expect(bad('action').error).toContain('What should I do with actions?');
    expect(bad('actoin list').error).toContain('Did you mean `action`?');
  });
});
