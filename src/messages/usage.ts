/** Every subcommand's usage line; a mistake gets the line of the command it meant. */
export const USAGE = {
  help: '/teamhealth help',
  setup: '/teamhealth setup',
  create: '/teamhealth team create <team> [@manager]',
  add: '/teamhealth team add <team> @user… | @group',
  remove: '/teamhealth team remove <team> @user…',
  lead: '/teamhealth team lead <team> @user',
  schedule: '/teamhealth team schedule <team> <mon..sun> <HH:MM> [Area/City]',
  list: '/teamhealth team list',
  archive: '/teamhealth team archive <team>',
  unarchive: '/teamhealth team unarchive <team>',
  checkin: '/teamhealth checkin <team>',
  close: '/teamhealth close <team>',
  report: '/teamhealth report [<team>]',
  digest: '/teamhealth digest [schedule <mon..sun> <HH:MM> [Area/City]]',
  privacy: '/teamhealth privacy',
  forget: '/teamhealth forget-me',
  away: '/teamhealth away [weeks] | away off',
  status: '/teamhealth status',
  action_add: '/teamhealth action add <team> <energy|boundaries|ownership|recognition|team> <text…>',
  action_list: '/teamhealth action list [<team>]',
  action_done: '/teamhealth action done <team> <number>',
  action_drop: '/teamhealth action drop <team> <number>',
} as const;

export type UsageKey = keyof typeof USAGE;
