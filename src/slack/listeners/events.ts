import type { App } from '@slack/bolt';
import type { Services } from '../../context.ts';
import { homeView } from '../home.ts';

export function registerEvents(app: App, s: Services): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    // Publishing the same view again is harmless, so Slack's retries need no special care here.
    try {
      await client.views.publish({ user_id: event.user, view: homeView(s, event.user, new Date()) as never });
    } catch (err) {
      s.log.warn(`home tab could not be published: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
}
