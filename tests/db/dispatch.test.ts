import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../helpers/db';
import { addProblem, addTownship, addVillage, buildProvince, refusal } from '../helpers/fixtures';
import type { UserViewer } from '../../src/lib/server/events/write/planners';
import { findRegion, type Region } from '../../src/lib/server/geo/regions';
import { suggestionsFor } from '../../src/lib/server/dispatch/suggestions';
import { DEFAULT_WEIGHTS, setWeights } from '../../src/lib/server/dispatch/weights';
import type { DispatchWeights } from '../../src/lib/types/dispatch';

const user = (username: string, role: UserViewer['role'], scope: string): UserViewer => ({
	kind: 'user',
	id: 1,
	username,
	role,
	scope: { level: scope.endsWith('0000') ? 'province' : scope.endsWith('00') ? 'city' : 'county', code: scope, name: scope },
	team: null,
	sessionId: 'session'
});

const admin = user('admin-99', 'admin', '990000');
const dispatcher = user('dispatcher-99', 'dispatcher', '990000');

/** Integer weights, so that every score below can be worked out by hand. */
const PLAIN: DispatchWeights = { overdue: 3, supervised: 4, open: 1, gaps: 0, belowTarget: 0, key: 5, monthsSince: 1, maxDays: 90, recentDays: 30, quiet: null };

const square = (lon: number, lat: number, size: number) =>
	`SRID=4326;MULTIPOLYGON(((${lon} ${lat},${lon + size} ${lat},${lon + size} ${lat + size},${lon} ${lat + size},${lon} ${lat})))`;

/** Counties 990103–990106 beside the fixture's 990101 and 990102, 990105 a key county. */
async function moreCounties(db: TestDatabase) {
	for (const [code, lon] of [['990103', 100.0], ['990104', 100.5], ['990105', 100.0], ['990106', 100.5]] as const) {
		const lat = code <= '990104' ? 30.5 : 30.0;
		await db.sql`insert into region (code, name, level, parent_code, province_code, city_code, county_code, geom, is_key)
			values (${code}, ${'测试县' + code.slice(-1)}, 'county', '990100', '990000', '990100', ${code}, ${square(lon, lat, 0.4)}, ${code === '990105'})`;
	}
}

async function problems(db: TestDatabase, county: string, spec: { open?: number; overdue?: number; supervised?: number; closed?: number }) {
	let n = 0;
	const add = async (opts: { status?: string; overdue?: boolean }, supervised = false) => {
		const code = `WT-${county}-${String(++n).padStart(4, '0')}`;
		await addProblem(db.sql, code, county, opts);
		if (supervised) await db.sql`update problem set supervised = true, supervision_level = 'province' where code = ${code}`;
	};
	for (let i = 0; i < (spec.supervised ?? 0); i++) await add({ overdue: true }, true);
	for (let i = 0; i < (spec.overdue ?? 0) - (spec.supervised ?? 0); i++) await add({ overdue: true });
	for (let i = 0; i < (spec.open ?? 0) - (spec.overdue ?? 0); i++) await add({});
	for (let i = 0; i < (spec.closed ?? 0); i++) await add({ status: 'closed' });
}

describe('dispatch suggestions', () => {
	let db: TestDatabase;
	let province: Region;

	beforeAll(async () => {
		db = await freshDatabase();
		await buildProvince(db.sql);
		await moreCounties(db);
		// 990101: 2 open, both overdue, one of them supervised, 1 closed; never inspected
		await problems(db, '990101', { open: 2, overdue: 2, supervised: 1, closed: 1 });
		// 990102: 4 open, inspected 60 days ago; 990106: 3 open, never inspected (they tie)
		await problems(db, '990102', { open: 4 });
		await problems(db, '990106', { open: 3 });
		// 990103: 6 open, 2 overdue, inspected 15 days ago: held back by half
		await problems(db, '990103', { open: 6, overdue: 2 });
		// 990104: 10 overdue, but a team is there now
		await problems(db, '990104', { open: 10, overdue: 10 });
		await db.sql`insert into team (id, name, status, point, home_point, home_region) values
			('t-out', '在外组', 'inspecting', 'SRID=4326;POINT(100.6 30.6)', 'SRID=4326;POINT(100.6 30.6)', '990000')`;
		await db.sql`insert into assignment (team_id, county_code, status, starts_on, ends_on, visited_on) values
			('t-out', '990102', 'done', current_date - 62, current_date - 60, current_date - 62),
			('t-out', '990103', 'done', current_date - 20, current_date - 15, current_date - 20),
			-- cancelled before anyone got there: not an inspection
			('t-out', '990106', 'cancelled', current_date - 5, null, null),
			('t-out', '990104', 'underway', current_date - 1, null, current_date)`;
		await db.sql`select recompute_counters()`;
		province = (await findRegion('990000', db.sql))!;
		await setWeights(admin, '990000', PLAIN, db.sql);
	});
	afterAll(() => db.close());

	it('ranks the counties by the documented priority, equal scores sharing a rank in county order', async () => {
		const { items, total } = await suggestionsFor(province, {}, db.sql);
		expect(total).toBe(6);
		// 990101: 2×3 overdue + 1×4 supervised + 2×1 open + 90/30 never inspected = 15
		// 990105: key county 5 + 90/30 = 8
		// 990103: (2×3 + 6×1 + 15/30) × 15/30 = 6.25
		// 990102: 4×1 + 60/30 = 6;  990106: 3×1 + 90/30 = 6 (a cancelled visit counts for nothing)
		// 990104: a team is there: 0
		expect(items.map((s) => [s.county.code, s.score, s.rank])).toEqual([
			['990101', 15, 1],
			['990105', 8, 2],
			['990103', 6.25, 3],
			['990102', 6, 4],
			['990106', 6, 4],
			['990104', 0, 6]
		]);
	});

	it('gives the reasons in Chinese, the largest part first, and what held a county back', async () => {
		const byCode = new Map((await suggestionsFor(province, {}, db.sql)).items.map((s) => [s.county.code, s]));
		expect(byCode.get('990101')!.reasons).toEqual(['逾期问题 2 项', '挂牌督办 1 项', '无检查记录', '未销号问题 2 项']);
		expect(byCode.get('990103')!.reasons).toEqual(['逾期问题 2 项', '未销号问题 6 项', '15 天未检查', '15 天前刚检查过（30 天内减负）']);
		expect(byCode.get('990102')!.reasons).toEqual(['未销号问题 4 项', '60 天未检查']);
		expect(byCode.get('990105')!.reasons).toEqual(['重点县', '无检查记录']);
		expect(byCode.get('990104')!.reasons.at(-1)).toBe('检查组正在该县');
		expect(byCode.get('990102')!.lastInspectedOn).not.toBeNull();
		expect(byCode.get('990106')!.lastInspectedOn).toBeNull();
	});

	it('pages the ranked list and ranks a city alike', async () => {
		const page = await suggestionsFor(province, { limit: 2, offset: 2 }, db.sql);
		expect(page.items.map((s) => s.county.code)).toEqual(['990103', '990102']);
		expect(page.total).toBe(6);
		const city = await suggestionsFor((await findRegion('990100', db.sql))!, {}, db.sql);
		expect(city.items.map((s) => s.county.code)).toEqual(['990101', '990105', '990103', '990102', '990106', '990104']);
	});

	it("counts gaps and indicators below target from the county's own figures", async () => {
		await addTownship(db.sql, '990106', { code: '990106001' });
		await addVillage(db.sql, '990106001', { code: '990106001001' });
		await addVillage(db.sql, '990106001', { code: '990106001002' });
		await db.sql`select recompute_counters()`;
		await setWeights(admin, '990000', { ...PLAIN, gaps: 1, belowTarget: 2 }, db.sql);
		try {
			const s = (await suggestionsFor(province, {}, db.sql)).items.find((item) => item.county.code === '990106')!;
			// two villages without a clinic, a township centre without a physician, no standard county hospital
			expect(s.factors.gaps).toBe(4);
			// clinic coverage, county hospital, rectification (nothing closed) at 0; no centre, so no township rate to miss
			expect(s.factors.belowTarget).toBe(3);
			// 3 open + 90/30 never inspected + 4 gaps + 3 × 2
			expect(s.score).toBe(16);
			expect(s.reasons).toEqual(['未达标指标 3 项', '空白点 4 个', '未销号问题 3 项', '无检查记录']);
		} finally {
			await setWeights(admin, '990000', PLAIN, db.sql);
		}
	});

	it('holds back all but the urgent during the quiet period', async () => {
		const [{ today }] = await db.sql`select to_char(current_date, 'MM-DD') as today`;
		await setWeights(admin, '990000', { ...PLAIN, quiet: { from: today, to: today, factor: 0.5 } }, db.sql);
		try {
			const quiet = await suggestionsFor(province, {}, db.sql);
			expect(quiet.quiet).toBe(true);
			const first = quiet.items.find((s) => s.county.code === '990101')!;
			// overdue and supervised count in full; open and never-inspected at half: 6 + 4 + (2 + 3) / 2
			expect(first.score).toBe(12.5);
			expect(first.reasons.at(-1)).toMatch(/^减负期（\d+月\d+日至\d+月\d+日），非紧急事项从缓$/);
			expect(quiet.items.find((s) => s.county.code === '990105')!.score).toBe(4);
		} finally {
			await setWeights(admin, '990000', PLAIN, db.sql);
		}
		expect((await suggestionsFor(province, {}, db.sql)).quiet).toBe(false);
	});

	it('lets only an admin change the weights, inside their own province, with an audit row', async () => {
		expect((await refusal(setWeights(dispatcher, '990000', PLAIN, db.sql))).status).toBe(403);
		expect((await refusal(setWeights(user('admin-88', 'admin', '880000'), '990000', PLAIN, db.sql))).status).toBe(403);
		const [row] = await db.sql`select actor, entity, entity_id, after from audit_log where action = 'dispatch.weights' order by id desc limit 1`;
		expect(row).toMatchObject({ actor: 'admin-99', entity: 'dispatch_setting', entity_id: '990000' });
		const [event] = await db.sql`select type, sealed, province_code, county_code from event where type = 'dispatch.weights_changed' order by seq desc limit 1`;
		expect(event).toEqual({ type: 'dispatch.weights_changed', sealed: true, province_code: '990000', county_code: null });
		expect(DEFAULT_WEIGHTS.quiet).toEqual({ from: '07-01', to: '09-30', factor: 0.5 });
	});
});

describe('the nearest free team', () => {
	let db: TestDatabase;
	beforeAll(async () => {
		db = await freshDatabase();
		await buildProvince(db.sql);
		await moreCounties(db);
		await db.sql`insert into region (code, name, level, province_code, geom) values ('980000', '邻省', 'province', '980000', ${square(101, 30, 1)})`;
		// a county with a point of its own: the distance is taken to it, not to a point inside the outline
		await db.sql`update region set point = 'SRID=4326;POINT(100.15 30.25)' where code = '990101'`;
		await db.sql`insert into team (id, name, status, point, home_point, home_region) values
			('t-west', '西组', 'idle', 'SRID=4326;POINT(99.9 30.1)', 'SRID=4326;POINT(99.9 30.1)', '990000'),
			('t-north', '北组', 'idle', null, 'SRID=4326;POINT(100.7 31.2)', '990000'),
			('t-busy', '忙组', 'idle', 'SRID=4326;POINT(100.2 30.2)', 'SRID=4326;POINT(100.2 30.2)', '990000'),
			('t-rest', '休组', 'off_duty', 'SRID=4326;POINT(100.21 30.21)', 'SRID=4326;POINT(100.21 30.21)', '990000'),
			('t-away', '邻省组', 'idle', 'SRID=4326;POINT(100.3 30.3)', 'SRID=4326;POINT(100.3 30.3)', '980000')`;
		// standing by, but with an assignment it has not set out on: not free
		await db.sql`insert into assignment (team_id, county_code, starts_on) values ('t-busy', '990102', current_date)`;
	});
	afterAll(() => db.close());

	it("is the free team of the county's province at the least ST_Distance on geography, to the metre", async () => {
		const province = (await findRegion('990000', db.sql))!;
		const { items } = await suggestionsFor(province, {}, db.sql);
		const expected = await db.sql`
			select c.code, t.id, st_distance(coalesce(t.point, t.home_point)::geography, coalesce(c.point, st_pointonsurface(c.geom))::geography) as meters
			from region c, team t
			where c.level = 'county' and t.id in ('t-west', 't-north')`;
		for (const item of items) {
			const candidates = expected.filter((row) => row.code === item.county.code).sort((a, b) => a.meters - b.meters);
			expect(item.nearestTeam, item.county.code).toEqual({
				id: candidates[0].id,
				name: candidates[0].id === 't-west' ? '西组' : '北组',
				distanceKm: Math.round(candidates[0].meters) / 1000
			});
		}
		// both free teams are nearest to some county; on the sphere, not the plane (a degree of longitude is ~96 km here, of latitude ~111)
		expect(new Set(items.map((s) => s.nearestTeam!.id))).toEqual(new Set(['t-west', 't-north']));
		const west = items.find((s) => s.county.code === '990101')!;
		const [{ planar }] = await db.sql`select st_distance('SRID=4326;POINT(99.9 30.1)'::geometry, 'SRID=4326;POINT(100.15 30.25)'::geometry) * 111.32 as planar`;
		expect(Math.abs(west.nearestTeam!.distanceKm - planar)).toBeGreaterThan(0.5);
	});

	it('has no nearest team when none is free', async () => {
		await db.sql`update team set status = 'off_duty' where id in ('t-west', 't-north')`;
		const { items } = await suggestionsFor((await findRegion('990000', db.sql))!, {}, db.sql);
		expect(items.every((s) => s.nearestTeam === null)).toBe(true);
	});
});

