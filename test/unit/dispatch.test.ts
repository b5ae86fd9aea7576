import type { App } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { listenersOn } from '../../src/slack/listeners/dispatch.ts';

type Listener = (args: Record<string, unknown>) => Promise<void>;

/** Stands in for Bolt's App: keeps the one listener per kind that the dispatch registers. */
function fakeApp() {
  const bolt: { action: Listener[]; view: Listener[] } = { action: [], view: [] };
  const app = {
    action: (_constraint: unknown, listener: Listener) => bolt.action.push(listener),
    view: (_constraint: unknown, listener: Listener) => bolt.view.push(listener),
  } as unknown as App;
  return { app, bolt };
}

describe('listeners found by id', () => {
  it('registers one Bolt listener per kind, however many listeners the app has', () => {
    const { app, bolt } = fakeApp();
    const on = listenersOn(app);
    for (const id of ['a', 'b', 'c']) on.action(id, async () => {});
    for (const id of ['x', 'y']) on.view(id, async () => {});
    expect(bolt.action).toHaveLength(1);
    expect(bolt.view).toHaveLength(1);
  });

  it('hands a button to the listener of its id, with or without an index after a colon', async () => {
    const { app, bolt } = fakeApp();
    const on = listenersOn(app);
    const ran: string[] = [];
    on.action('checkin_open', async () => void ran.push('open'));
    on.action('action_propose', async () => void ran.push('propose'));
    const press = (actionId: string) => bolt.action[0]?.({ payload: { action_id: actionId } });
    await press('action_propose:3');
    await press('checkin_open');
    await press('action_propose');
    // An id nobody listens to, and one that only starts like a known one, reach no listener.
    await press('checkin_open_extra');
    await press('unknown');
    expect(ran).toEqual(['propose', 'open', 'propose']);
  });

  it('hands a submission to the listener of its modal', async () => {
    const { app, bolt } = fakeApp();
    const on = listenersOn(app);
    const ran: string[] = [];
    on.view('checkin', async () => void ran.push('checkin'));
    on.view('team_setup', async () => void ran.push('setup'));
    const submit = (callbackId: string) => bolt.view[0]?.({ view: { callback_id: callbackId } });
    await submit('team_setup');
    await submit('nobody');
    await submit('checkin');
    expect(ran).toEqual(['setup', 'checkin']);
  });

  it('refuses an id registered twice, at start', () => {
    const on = listenersOn(fakeApp().app);
    on.action('checkin_open', async () => {});
    expect(() => on.action('checkin_open', async () => {})).toThrow(
      'two listeners for the action checkin_open',
    );
    on.view('checkin', async () => {});
    expect(() => on.view('checkin', async () => {})).toThrow('two listeners for the view checkin');
  });
});
