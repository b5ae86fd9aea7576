import type {
  App,
  BlockAction,
  Middleware,
  SlackAction,
  SlackActionMiddlewareArgs,
  SlackViewMiddlewareArgs,
} from '@slack/bolt';

type ActionListener<A extends SlackAction> = Middleware<SlackActionMiddlewareArgs<A>>;
type ViewListener = Middleware<SlackViewMiddlewareArgs>;

/** Where the listener files register the app's buttons and forms, each under its own id. */
export interface Listeners {
  /**
   * The listener of the block action `actionId` (a button, a select), and of `actionId:<index>`: Slack
   * refuses two equal action ids in one block, so buttons of one kind there differ by an index.
   */
  action<A extends SlackAction = BlockAction>(actionId: string, listener: ActionListener<A>): void;
  /** The listener of the submissions of the modal `callbackId`. */
  view(callbackId: string, listener: ViewListener): void;
}

/** Every id matches: the listener looks the id up itself. */
const ANY_ID = /^/;

/**
 * One Bolt listener for every block action and one for every view submission, each finding the app's
 * listener by id in a map. Bolt runs each request through the middleware of every listener registered
 * with it (`App.processEvent` maps over all of them), so twenty listeners cost every request — each
 * check-in's submission too — twenty chains of promises and copies of its arguments. Dispatching here,
 * a submission costs 2.0× the CPU of a bare Bolt app's instead of 2.4× (`npm run bench`, the storm).
 *
 * A request no listener is registered for gets no acknowledgement, as with Bolt's own matching. An id
 * registered twice is a mistake in the code and throws at start.
 */
export function listenersOn(app: App): Listeners {
  const actions = new Map<string, ActionListener<SlackAction>>();
  const views = new Map<string, ViewListener>();
  app.action(ANY_ID, async (args) => {
    const id = 'action_id' in args.payload ? args.payload.action_id : undefined;
    const listener = id === undefined ? undefined : actions.get(id.split(':', 1)[0] as string);
    if (listener) await listener(args);
  });
  app.view(ANY_ID, async (args) => {
    const listener = views.get(args.view.callback_id);
    if (listener) await listener(args);
  });
  const add = <L>(kind: string, map: Map<string, L>, id: string, listener: L): void => {
    if (map.has(id)) throw new Error(`two listeners for the ${kind} ${id}`);
    map.set(id, listener);
  };
  return {
    action: (actionId, listener) =>
      add('action', actions, actionId, listener as unknown as ActionListener<SlackAction>),
    view: (callbackId, listener) => add('view', views, callbackId, listener),
  };
}
