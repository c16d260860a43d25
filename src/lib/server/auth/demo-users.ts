import type { Db } from '../db';
import { newToken } from './tokens';
import { createUser } from './users';
import type { Role } from './viewer';

export const DEMO_PASSWORD = 'demo-password';

/** The account the demo's simulated field events are posted under (no one signs in with it). */
export const SIMULATOR = 'simulator';

const DEMO_USERS: { username: string; role: Role; scope: string; full_name: string; unit: string; phone?: string }[] = [
	{ username: 'admin', role: 'admin', scope: '370000', full_name: '演示管理员', unit: '山东省卫生健康委员会信息中心', phone: '0531-00000001' },
	{ username: 'leader', role: 'leader', scope: '370000', full_name: '演示领导', unit: '山东省卫生健康委员会', phone: '0531-00000002' },
	{ username: 'dispatcher', role: 'dispatcher', scope: '370000', full_name: '演示调度员', unit: '山东省卫生健康委员会健康扶贫办公室', phone: '0531-00000003' },
	{ username: 'officer-371424', role: 'county_officer', scope: '371424', full_name: '演示县级用户', unit: '临邑县卫生健康局', phone: '0534-00000004' },
	{ username: 'inspector-1', role: 'inspector', scope: 'team-1', full_name: '演示检查员', unit: '第一飞行检查组', phone: '0531-00000005' },
	{ username: SIMULATOR, role: 'dispatcher', scope: '370000', full_name: '演示数据模拟器', unit: '系统（演示数据）' }
];

/** The demo accounts of SPEC §7, and the simulator's; created only together with demo data. */
export async function createDemoUsers(tx: Db): Promise<void> {
	for (const user of DEMO_USERS) {
		// the simulator's password is never shown: it only posts from inside the server
		const password = user.username === SIMULATOR ? newToken() : DEMO_PASSWORD;
		await createUser(null, { ...user, password }, { demo: true }, tx);
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
