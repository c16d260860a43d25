import type { Db } from '../db';
import { createUser } from './users';
import type { Role } from './viewer';

export const DEMO_PASSWORD = 'demo-password';

const DEMO_USERS: { username: string; role: Role; scope: string }[] = [
	{ username: 'admin', role: 'admin', scope: '370000' },
	{ username: 'leader', role: 'leader', scope: '370000' },
	{ username: 'dispatcher', role: 'dispatcher', scope: '370000' },
	{ username: 'officer-371424', role: 'county_officer', scope: '371424' },
	{ username: 'inspector-1', role: 'inspector', scope: 'team-1' }
];

/** The demo accounts of SPEC §7; created only together with demo data. */
export async function createDemoUsers(tx: Db): Promise<void> {
	for (const user of DEMO_USERS) {
		await createUser(null, { ...user, password: DEMO_PASSWORD }, { demo: true }, tx);
	}
}

/** A database that holds demo accounts but not demo data must not serve: refuse to start. */
export async function assertNoStrayDemoUsers(db: Db): Promise<void> {
	const [row] = await db`
		select exists (select 1 from app_user where demo) as has_demo_users,
			coalesce((select (value ->> 'demo')::boolean from app_meta where key = 'dataset'), false) as demo_data
	`;
	if (row.has_demo_users && !row.demo_data) {
		throw new Error(
			'this database holds demo accounts (password "demo-password") but is not a demo database: ' +
				'delete them (delete from app_user where demo) before starting'
		);
	}
}
