import type { Services } from '../context.ts';
import type { Readers } from '../messages/readers.ts';
import type { Team } from '../store/teams.ts';

// Consent to be surveyed: nobody but an admin puts a person in a team's audience without that person
// pressing Join in a DM that says who reads the results.

/** Who reads the team's results, as the DMs that ask people to answer name them. */
export const readersOf = (s: Services, team: Team): Readers => ({
  managerId: team.managerId,
  leadId: team.leadId,
  threshold: s.config.minResponses,
});
