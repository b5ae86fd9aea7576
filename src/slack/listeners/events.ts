import type { App } from '@slack/bolt';
import type { Services } from '../../context.ts';
import { isUserId } from '../../domain/ids.ts';
import { errorMessage } from '../../log.ts';
import { homeView } from '../../messages/home.ts';
import { home } from '../../usecases/overview.ts';
import { SeenEvents } from '../seenEvents.ts';

export function registerEvents(app: App, s: Services): void {
  // Slack re-sends an event it thinks was not received (X-Slack-Retry-Num): act on each event id once.
  const seen = new SeenEvents();
  app.use(async ({ body, next }) => {
    const b = body as { type?: unknown; event_id?: unknown };
    if (b.type === 'event_callback' && typeof b.event_id === 'string' && !seen.first(b.event_id)) {
      s.log.info('events: skipped a retry of an event already handled');
      return;
    }
    await next();
  });
  app.event('app_home_opened', async ({ event, client }) => {
    // Only a real user id reaches the database or Slack; anything else is dropped here.
    if (event.tab !== 'home' || !isUserId(event.user)) return;
    try {
      await client.views.publish({
        user_id: event.user,
        view: homeView(await home(s, event.user, new Date())),
      });
    } catch (err) {
      s.log.warn(`home tab could not be published: ${errorMessage(err)}`);
    }
  });
}
