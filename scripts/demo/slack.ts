// Slack's side of the demo: what Slack sends the app when people type a command, click a button or
// submit a modal, signed as Slack signs it. Everything the app sends back lands in the fake Slack.
import type { FakeSlack, RecordedCall } from '../../tools/fakeSlack.ts';
import {
  blockActionPayload,
  interactionBody,
  newTriggerId,
  postSigned,
  slashCommandBody,
  viewSubmissionPayload,
} from '../../tools/signing.ts';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits (polling often: the demo's calls take a millisecond or two) until `find` returns something. */
export async function until<T>(what: string, find: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`demo: timed out waiting for ${what}`);
    await sleep(1);
  }
}

type Obj = Record<string, unknown>;
export const obj = (v: unknown): Obj => (v && typeof v === 'object' ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/**
 * A button in a message's blocks (in an actions block or beside a section), by its action id; with
 * `near`, the one in (or beside) the block whose text contains it.
 */
export function findButton(message: Obj, actionId: string, near?: string): { value: string } | undefined {
  for (const block of arr(message.blocks)) {
    if (near !== undefined && !JSON.stringify(obj(block).text ?? '').includes(near)) continue;
    for (const el of [...arr(obj(block).elements), obj(block).accessory]) {
      const e = obj(el);
      if (e.type === 'button' && e.action_id === actionId) return { value: String(e.value ?? '') };
    }
  }
  return undefined;
}

/** The buttons that open a modal; the others (away, join, decline, leave) change the DM itself. */
const OPENS_A_MODAL = new Set(['checkin_open', 'playbook_open', 'note_reply', 'note_thread']);

/** The check-in answers as the labels of the options picked in the modal the app sent. */
export type Choices = Record<string, string>;

export class SlackSide {
  private seq = 0;

  constructor(
    private readonly fake: FakeSlack,
    private readonly url: string,
    private readonly secret: string,
  ) {}

  /** `/teamhealth <text>` typed by the user; resolves to the app's reply (its response_url post). */
  async command(userId: string, text: string): Promise<RecordedCall> {
    this.seq += 1;
    const id = `demo-${this.seq}`;
    const res = await postSigned(
      this.url,
      slashCommandBody({ text, userId, responseUrl: this.fake.responseUrl(id), channelId: `D${userId}` }),
      { secret: this.secret },
    );
    if (res.status !== 200) throw new Error(`demo: /teamhealth ${text} answered HTTP ${res.status}`);
    return until(`the reply to /teamhealth ${text}`, () =>
      this.fake.calls.find((c) => c.responseUrlId === id),
    );
  }

  /**
   * The user clicks a button in a DM the app sent them. For a button that opens a modal (the check-in,
   * a flag's "More ideas"), resolves to the `views.open` call the click made the app send (matched by
   * the click's trigger id).
   */
  async click(
    userId: string,
    message: RecordedCall,
    actionId: string,
    near?: string,
  ): Promise<RecordedCall | undefined> {
    const button = findButton(message.body, actionId, near);
    if (!button) throw new Error(`demo: no ${actionId} button in the message`);
    const triggerId = newTriggerId();
    const payload = blockActionPayload({
      userId,
      actionId,
      value: button.value,
      blockId: 'checkin_actions',
      triggerId,
      channelId: `D${userId}`,
    });
    const res = await postSigned(this.url, interactionBody(payload), { secret: this.secret });
    if (res.status !== 200) throw new Error(`demo: a button click answered HTTP ${res.status}`);
    if (!OPENS_A_MODAL.has(actionId)) return undefined;
    return until(`the modal ${actionId} opens`, () =>
      this.fake.calls.find((c) => c.method === 'views.open' && c.body.trigger_id === triggerId),
    );
  }

  /**
   * Submits the modal the app opened, picking in each radio group the option whose value is given
   * (`"1"`..`"5"`) and typing the note. Resolves when the app accepted it; throws with its error otherwise.
   */
  async submit(
    userId: string,
    view: Obj,
    values: Record<string, number>,
    note: string | null,
  ): Promise<void> {
    const state: Record<string, Record<string, object>> = {};
    for (const block of arr(view.blocks)) {
      const b = obj(block);
      const el = obj(b.element);
      if (b.type !== 'input' || typeof b.block_id !== 'string' || typeof el.action_id !== 'string') continue;
      if (el.type === 'radio_buttons') {
        const wanted = String(values[b.block_id] ?? '');
        const option = arr(el.options).find((o) => obj(o).value === wanted);
        state[b.block_id] = {
          [el.action_id]: { type: 'radio_buttons', selected_option: option ?? null },
        };
      } else if (el.type === 'plain_text_input') {
        state[b.block_id] = { [el.action_id]: { type: 'plain_text_input', value: note } };
      }
    }
    const payload = viewSubmissionPayload({
      userId,
      callbackId: String(view.callback_id ?? ''),
      privateMetadata: String(view.private_metadata ?? ''),
      values: state,
      blocks: arr(view.blocks),
    });
    const res = await postSigned(this.url, interactionBody(payload), { secret: this.secret });
    if (res.status !== 200 || res.text !== '') {
      throw new Error(`demo: the check-in was not accepted (HTTP ${res.status}): ${res.text}`);
    }
  }

  /** Types `text` into the modal's one text input and sends it; resolves to the view the app updated it to. */
  async send(userId: string, view: Obj, text: string): Promise<Obj> {
    const input = arr(view.blocks)
      .map(obj)
      .find((b) => b.type === 'input');
    const blockId = String(input?.block_id ?? '');
    const actionId = String(obj(input?.element).action_id ?? '');
    const payload = viewSubmissionPayload({
      userId,
      callbackId: String(view.callback_id ?? ''),
      privateMetadata: String(view.private_metadata ?? ''),
      values: { [blockId]: { [actionId]: { type: 'plain_text_input', value: text } } },
      blocks: arr(view.blocks),
    });
    const res = await postSigned(this.url, interactionBody(payload), { secret: this.secret });
    const answer = obj(res.text === '' ? {} : JSON.parse(res.text));
    if (res.status !== 200 || answer.response_action !== 'update') {
      throw new Error(`demo: the app did not take "${text}" (HTTP ${res.status}): ${res.text}`);
    }
    return obj(answer.view);
  }
}
