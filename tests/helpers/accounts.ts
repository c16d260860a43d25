import type postgres from 'postgres';
import { hashPassword } from '../../src/lib/server/auth/passwords';

export const ACCOUNT_PASSWORD = 'dispatch test password';
let hashed: Promise<string> | undefined;

/**
 * Accounts of a test's own, written straight into the app's database: the demo admin's scope
 * is 山东省, and a grant outside it is refused (as it should be), so accounts for another
 * province's dispatch are made here. Each test file picks its own names and regions.
 */
export async function createAccount(sql: postgres.Sql, username: string, role: string, scope: { region?: string; team?: string }): Promise<void> {
	hashed ??= hashPassword(ACCOUNT_PASSWORD);
	await sql`
		insert into app_user (username, password_hash, role, scope_region, scope_team)
		values (${username}, ${await hashed}, ${role}, ${scope.region ?? null}, ${scope.team ?? null})
		on conflict (username) do nothing`;
}
