import type { Tx } from './types';

/**
 * Empties every data table, keeping the schema, the migrations record and configuration such
 * as indicator weights. Users and sessions go too: they hang on regions and teams; `cascade`
 * also empties tables added later that refer to these (kiosk tokens, snapshots, …).
 */
export async function clearData(tx: Tx): Promise<void> {
	await tx`
		truncate user_session, app_user, audit_log, talk, assignment, event, team, followup_counter,
			indicator_counter, problem, patient, facility, region, app_meta
		restart identity cascade`;
}
