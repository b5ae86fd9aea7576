import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { Services } from '../../context.ts';
import { USER_ID } from '../../domain/ids.ts';
import { errorMessage } from '../../log.ts';
import { inParts, reply } from '../../messages/text.ts';
import { handleCommand } from '../commands/handle.ts';
import { parseCommand } from '../commands/parse.ts';
import { openSetup } from './setup.ts';

const SlashCommand = z.object({
  user_id: z.string().regex(USER_ID),
  text: z.string().max(4000).default(''),
});

export function registerCommands(app: App, s: Services): void {
  app.command('/teamhealth', async ({ command, ack, respond, client }) => {
    // Ack first: Slack shows a timeout after 3 s, whatever the work still to do.
    const input = SlashCommand.safeParse(command);
    if (!input.success) {
      const tooLong = typeof command.text === 'string' && command.text.length > 4000;
      await ack({
        response_type: 'ephemeral',
        text: tooLong
          ? 'That command is too long (over 4000 characters). Add people in a few smaller batches.'
          : 'That command did not come through as expected. Try again.',
      });
      return;
    }
    await ack();
    const parsed = parseCommand(input.data.text);
    if (parsed.ok && parsed.command.kind === 'setup') {
      // The trigger id lives 3 s: the modal opens before anything else.
      await openSetup(client, command.trigger_id, s, input.data.user_id);
      return;
    }
    const message = parsed.ok
      ? await handleCommand(
          s,
          {
            usergroupMembers: async (usergroup) => {
              const res = await client.usergroups.users.list({ usergroup });
              return res.users ?? [];
            },
          },
          parsed.command,
          input.data.user_id,
          new Date(),
        )
      : (() => {
          const usage = parsed.usage
            ?.split('\n')
            .map((u) => `\`${u}\``)
            .join('\n');
          const text = usage
            ? `${parsed.error}\nUsage:\n${usage}`
            : `${parsed.error} Try \`/teamhealth help\`.`;
          return reply(text);
        })();
    try {
      // A long report goes in parts, in order (a response_url takes five posts).
      for (const part of inParts(message)) {
        await respond({ response_type: 'ephemeral', replace_original: false, ...part });
      }
    } catch (err) {
      s.log.warn(`command reply could not be delivered: ${errorMessage(err)}`);
    }
  });
}
