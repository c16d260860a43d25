import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { appDatabase, baseUrl, call, login, type Caller } from '../helpers/api';
import { addDays, dayOf } from '../../src/lib/days';

/**
 * The problem ledger through its API: who may make which move of 销号管理, what a county
 * officer learns of another county's items (nothing, by any path), evidence, the exports.
 */
const sql = appDatabase();
const callers: Record<string, Caller> = {};
const deadline = addDays(dayOf(), 20);
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cfc0f01f0005000201e5273ea80000000049454e44ae426082', 'hex');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

async function create(who: string, region: string, extra: Record<string, unknown> = {}): Promise<number> {
	const res = await call('/api/problems', {
		...callers[who],
		method: 'POST',
		json: { region, category: 'clinic', source: 'screening', description: `台账测试 ${who}`, deadline, responsible_unit: '县卫生健康局', responsible_leader: '张局长', ...extra }
	});
	expect(res.status, res.text).toBe(201);
	return res.body.id;
}

const patch = (who: string, id: number, json: unknown) => call(`/api/problems/${id}`, { ...callers[who], method: 'PATCH', json });

async function upload(who: string, id: number, bytes: Buffer, name: string, type = 'image/png') {
	const form = new FormData();
	form.append("file", new Blob([new Uint8Array(bytes)], { type }), name);
	const res = await fetch(`${baseUrl()}/api/problems/${id}/evidence`, { method: 'POST', headers: { cookie: callers[who].cookie!, origin: baseUrl() }, body: form });
	return { status: res.status, body: (await res.json()) as any };
}

/** Drives a new item of 临邑县 to `status` by the parts the lifecycle gives each step to. */
async function problemAt(status: string, foundBy: 'dispatcher' | 'city' = 'dispatcher'): Promise<number> {
	const id = await create(foundBy, '371424');
	if (status === 'open') return id;
	expect((await patch('officer', id, { status: 'rectifying', note: '开始整改' })).status).toBe(200);
	if (status === 'rectifying') return id;
	const photo = await upload('officer', id, PNG, 'site.png');
	expect((await patch('officer', id, { status: 'submitted', note: '整改完成', evidence: [photo.body.id] })).status).toBe(200);
	if (status === 'submitted') return id;
	expect((await patch('dispatcher', id, { status: 'closed', note: '核查销号' })).status).toBe(200);
	return id;
}

beforeAll(async () => {
	for (const name of ['admin', 'leader', 'dispatcher']) callers[name] = { cookie: await login(name, undefined, '127.0.0.31') };
	callers.officer = { cookie: await login('officer-371424', undefined, '127.0.0.31') };
	// a city leader of 德州市 and the officer of a neighbouring county, made for this file
	for (const [username, role, scope] of [['ledger-city', 'leader', '371400'], ['ledger-officer-371425', 'county_officer', '371425']]) {
		const res = await call('/api/users', { ...callers.admin, method: 'POST', json: { username, password: 'long enough password', role, scope } });
		expect([201, 409]).toContain(res.status);
	}
	callers.city = { cookie: await login('ledger-city', 'long enough password', '127.0.0.31') };
	callers.neighbour = { cookie: await login('ledger-officer-371425', 'long enough password', '127.0.0.31') };
	callers.inspector = { cookie: await login('inspector-1', undefined, '127.0.0.31') };
});

afterAll(() => sql.end());

// SPEC §5, as the issue words it: the county moves its own items up to submitted; the dispatcher,
// or the city for items the city found, closes or sends back; nobody moves an item to open
const COUNTY = [['open', 'rectifying'], ['rectifying', 'submitted']];
const CHECKER = [['submitted', 'closed'], ['submitted', 'rectifying']];
const STATUSES = ['open', 'rectifying', 'submitted', 'closed'];

function expected(moves: string[][] | null, from: string, to: string): number {
	if (!moves || !moves.some(([, t]) => t === to)) return 403;
	return moves.some(([f, t]) => f === from && t === to) ? 200 : 409;
}

interface Role {
	who: string;
	foundBy?: 'dispatcher' | 'city';
	moves: string[][] | null;
	/** the answer when the item lies outside its scope */
	outside?: number;
}

const ROLES: Role[] = [
	{ who: 'officer', moves: COUNTY },
	{ who: 'dispatcher', moves: CHECKER },
	{ who: 'city', foundBy: 'city', moves: CHECKER },
	{ who: 'city', foundBy: 'dispatcher', moves: null },
	{ who: 'leader', moves: null },
	{ who: 'admin', moves: null },
	{ who: 'neighbour', moves: null, outside: 404 },
	{ who: 'inspector', moves: null, outside: 404 }
];

describe('the lifecycle table, move by move', () => {
	for (const role of ROLES) {
		for (const from of STATUSES) {
			for (const to of STATUSES) {
				const answer = role.outside ?? expected(role.moves, from, to);
				it(`${role.who}${role.foundBy ? ` (found by ${role.foundBy})` : ''}: ${from} → ${to} answers ${answer}`, async () => {
					const id = await problemAt(from, role.foundBy);
					const body: Record<string, unknown> = { status: to, note: '办理说明' };
					if (from === 'submitted' && to === 'rectifying') body.reason = '佐证不足';
					if (to === 'submitted' && answer === 200) body.evidence = [(await upload(role.who, id, PNG, 'x.png')).body.id];
					const res = await patch(role.who, id, body);
					expect(res.status, res.text).toBe(answer);
					const [row] = await sql`select status from problem where id = ${id}`;
					expect(row.status).toBe(answer === 200 ? to : from);
					if (answer === 200) {
						expect(res.body.status).toBe(to);
						const [event] = await sql`select type, actor, payload from event where type = 'problem.status_changed' and (payload->>'problem')::bigint = ${id} order by seq desc limit 1`;
						expect(event.payload).toMatchObject({ status: to, from, note: '办理说明' });
						const [{ n }] = await sql`select count(*)::int as n from audit_log where entity = 'problem' and entity_id = ${String(id)} and action = 'problem.status_changed'`;
						expect(n).toBeGreaterThan(0);
					}
					if (answer === 404) expect(res.body.error.message).toBe('没有找到该问题');
				});
			}
		}
	}

	it('asks for a note on every move, a reason to send back, evidence to submit', async () => {
		const open = await problemAt('open');
		expect((await patch('officer', open, { status: 'rectifying' })).status).toBe(422);
		const rectifying = await problemAt('rectifying');
		const bare = await patch('officer', rectifying, { status: 'submitted', note: '完成' });
		expect(bare.status).toBe(422);
		expect(bare.body.error.details[0].field).toBe('evidence');
		// another problem's file proves nothing here
		const other = await problemAt('rectifying');
		const foreign = await upload('officer', other, PNG, 'other.png');
		expect((await patch('officer', rectifying, { status: 'submitted', note: '完成', evidence: [foreign.body.id] })).status).toBe(422);
		const submitted = await problemAt('submitted');
		const noReason = await patch('dispatcher', submitted, { status: 'rectifying', note: '退回' });
		expect(noReason.status).toBe(422);
		expect(noReason.body.error.details[0].field).toBe('reason');
	});

	it('lets only the dispatcher move a deadline, with a reason; the item is then neither overdue nor escalated', async () => {
		const id = await problemAt('rectifying');
		await sql`update problem set deadline = current_date - 40, found_on = current_date - 60 where id = ${id}`;
		// the watcher marks it (DEADLINE_CHECK_SECONDS=5 on the test server)
		await expect.poll(async () => (await sql`select escalation from problem where id = ${id}`)[0].escalation, { timeout: 15_000 }).toBe('province');
		const later = addDays(dayOf(), 45);
		for (const who of ['officer', 'city', 'leader', 'admin']) expect((await patch(who, id, { deadline: later, reason: '延期' })).status).toBe(403);
		expect((await patch('neighbour', id, { deadline: later, reason: '延期' })).status).toBe(404);
		expect((await patch('dispatcher', id, { deadline: later })).status).toBe(422);
		expect((await patch('dispatcher', id, { deadline: '2020-01-01', reason: '延期' })).status).toBe(422);
		const res = await patch('dispatcher', id, { deadline: later, reason: '工程量大，延期' });
		expect(res.status, res.text).toBe(200);
		expect(res.body).toMatchObject({ deadline: later, overdue: false, escalation: null });
		const types = res.body.timeline.map((e: { type: string }) => e.type);
		expect(types).toContain('problem.deadline_changed');
		expect(res.body.timeline.at(-1)).toMatchObject({ type: 'problem.escalated', level: null });
		await sql`update problem set found_on = current_date where id = ${id}`;
	});
});

describe('a county officer and another county', () => {
	let theirs = 0;
	let theirFile = 0;
	beforeAll(async () => {
		theirs = await create('dispatcher', '371425', { description: '齐河县的保密问题描述' });
		theirFile = (await upload('dispatcher', theirs, PNG, 'qihe.png')).body.id;
	});

	it('cannot read it by id, and the answer is that of an id no problem has', async () => {
		const res = await call(`/api/problems/${theirs}`, callers.officer);
		const none = await call('/api/problems/999999999', callers.officer);
		expect(res.status).toBe(404);
		expect(res.text).toBe(none.text);
		expect(res.text).not.toContain('齐河');
	});

	it('cannot move, upload to or read evidence of it', async () => {
		expect((await patch('officer', theirs, { status: 'rectifying', note: 'x' })).status).toBe(404);
		expect((await upload('officer', theirs, PNG, 'x.png')).status).toBe(404);
		const file = await call(`/api/evidence/${theirFile}`, callers.officer);
		expect(file.status).toBe(404);
		expect(file.text).toBe((await call('/api/evidence/999999999', callers.officer)).text);
		expect((await call(`/api/evidence/${theirFile}`, callers.neighbour)).status).toBe(200);
	});

	it('finds none of it by filter, export, summary or free text', async () => {
		expect((await call('/api/problems?region=371425', callers.officer)).status).toBe(403);
		expect((await call('/api/problems?region=371400', callers.officer)).status).toBe(403);
		expect((await call('/api/problems?region=371425&format=csv', callers.officer)).status).toBe(403);
		expect((await call('/api/problems?region=371425&format=xlsx', callers.officer)).status).toBe(403);
		expect((await call('/api/problems/summary?region=371400', callers.officer)).status).toBe(403);
		const mine = await call(`/api/problems?q=${encodeURIComponent('齐河县的保密')}&limit=200`, callers.officer);
		expect(mine.status).toBe(200);
		expect(mine.body.total).toBe(0);
		const all = await call('/api/problems?limit=200', callers.officer);
		for (const item of all.body.items) expect(item.county.code).toBe('371424');
		const csv = await call('/api/problems?format=csv', callers.officer);
		expect(csv.text).not.toContain('齐河');
	});

	it('sees an inspection finding in its county without anything of the team', async () => {
		const id = await create('dispatcher', '371424', { source: 'inspection', description: '飞行检查发现村卫生室无人值守' });
		const res = await call(`/api/problems/${id}`, callers.officer);
		expect(res.status).toBe(200);
		expect(res.body.source).toBe('inspection');
		expect(res.text).not.toMatch(/team|检查组/);
	});
});

describe('evidence', () => {
	let id = 0;
	beforeAll(async () => {
		id = await problemAt('rectifying');
	});

	it('takes an image or a PDF and serves it to those who may see the problem', async () => {
		const png = await upload('officer', id, PNG, '../../etc/现场.png');
		expect(png.status).toBe(201);
		expect(png.body).toMatchObject({ type: 'image/png', size: PNG.length, name: '现场.png' });
		// the name says nothing of what it is: the content does
		const pdf = await upload('officer', id, PDF, 'scan.jpg', 'image/jpeg');
		expect(pdf.status).toBe(201);
		expect(pdf.body.type).toBe('application/pdf');
		for (const who of ['officer', 'dispatcher', 'leader', 'city']) {
			const res = await fetch(`${baseUrl()}/api/evidence/${png.body.id}`, { headers: { cookie: callers[who].cookie! } });
			expect(res.status).toBe(200);
			expect(res.headers.get('content-type')).toBe('image/png');
			expect(res.headers.get('x-content-type-options')).toBe('nosniff');
			expect(Buffer.from(await res.arrayBuffer()).equals(PNG)).toBe(true);
		}
		expect((await call(`/api/evidence/${png.body.id}`, callers.neighbour)).status).toBe(404);
		expect((await call(`/api/evidence/${png.body.id}`)).status).toBe(401);
	});

	it('refuses content that is not an image or a PDF, whatever its name', async () => {
		const cases: [Buffer, string, string][] = [
			[Buffer.from('<html><script>alert(1)</script></html>'), 'photo.png', 'image/png'],
			[Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'photo.svg', 'image/svg+xml'],
			[Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff'), 'scan.pdf', 'application/pdf'],
			[Buffer.from('PK\x03\x04 a zip file, not a photo'), 'photo.jpg', 'image/jpeg'],
			[Buffer.from('just text'), 'notes.txt', 'text/plain']
		];
		const [{ n: before }] = await sql`select count(*)::int as n from problem_evidence where problem_id = ${id}`;
		for (const [bytes, name, type] of cases) {
			const res = await upload('officer', id, bytes, name, type);
			expect(res.status, name).toBe(415);
			expect(res.body.error.code).toBe('unsupported_media_type');
		}
		const [{ n: after }] = await sql`select count(*)::int as n from problem_evidence where problem_id = ${id}`;
		expect(after).toBe(before);
	});

	it('refuses a file past the limit with 413, and a body of no file or two with 400', async () => {
		const big = Buffer.concat([PNG, Buffer.alloc(11 * 1024 * 1024)]);
		// the server answers 413 and closes the connection: a client still sending may see only the close
		const answer = await upload('officer', id, big, 'big.png').catch((error: Error) => error);
		if (answer instanceof Error) expect(String((answer.cause as NodeJS.ErrnoException)?.code)).toMatch(/ECONNRESET|EPIPE/);
		else expect(answer.status).toBe(413);
		const [{ n }] = await sql`select count(*)::int as n from problem_evidence where problem_id = ${id} and size > 1000000`;
		expect(n).toBe(0);
		const two = new FormData();
		two.append("file", new Blob([new Uint8Array(PNG)]), "a.png");
		two.append("other", new Blob([new Uint8Array(PNG)]), "b.png");
		const res = await fetch(`${baseUrl()}/api/problems/${id}/evidence`, { method: 'POST', headers: { cookie: callers.officer.cookie!, origin: baseUrl() }, body: two });
		expect(res.status).toBe(400);
		const json = await call(`/api/problems/${id}/evidence`, { ...callers.officer, method: 'POST', json: { file: 'x' } });
		expect(json.status).toBe(415);
		// a reader may not add files
		expect((await upload('leader', id, PNG, 'x.png')).status).toBe(403);
	});
});

describe('the ledger list and its exports', () => {
	const filters = ['region=371400&status=open,rectifying,submitted&sort=deadline', 'region=370000&overdue=true&sort=-days_overdue', 'region=371424&category=clinic&q=%E6%9D%91'];

	/** The JSON pages, the CSV and the xlsx of `filter`, read while no other file's writes changed its rows. */
	async function readAll(filter: string) {
		for (let attempt = 0; ; attempt++) {
			const items: any[] = [];
			for (let offset = 0; ; offset += 200) {
				const page = await call(`/api/problems?${filter}&limit=200&offset=${offset}`, callers.dispatcher);
				expect(page.status).toBe(200);
				items.push(...page.body.items);
				if (items.length >= page.body.total) break;
			}
			const csvRes = await fetch(`${baseUrl()}/api/problems?${filter}&format=csv`, { headers: { cookie: callers.dispatcher.cookie! } });
			expect(csvRes.headers.get('content-type')).toContain('text/csv');
			const bytes = Buffer.from(await csvRes.arrayBuffer());
			const xlsxRes = await fetch(`${baseUrl()}/api/problems?${filter}&format=xlsx`, { headers: { cookie: callers.dispatcher.cookie! } });
			const xlsx = (await xlsxRes.arrayBuffer()) as ArrayBuffer;
			// other test files write problems in the same province meanwhile: read again if they moved these rows
			const after = await call(`/api/problems?${filter}&limit=200`, callers.dispatcher);
			const unchanged = after.body.total === items.length && JSON.stringify(after.body.items) === JSON.stringify(items.slice(0, 200));
			if (unchanged || attempt === 4) return { items, bytes, xlsx };
		}
	}

	it.each(filters)('CSV and xlsx of %s hold exactly the rows of the JSON pages, in order', async (filter) => {
		const { items, bytes, xlsx } = await readAll(filter);
		expect(items.length).toBeGreaterThan(0);
		expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
		const rows: string[][] = parse(bytes, { bom: true });
		expect(rows[0].slice(0, 3)).toEqual(['问题编号', '所在市', '所在县（市、区）']);
		const book = new ExcelJS.Workbook();
		await book.xlsx.load(xlsx);
		const sheet = book.worksheets[0];
		const sheetRows: unknown[][] = [];
		sheet.eachRow((row) => sheetRows.push((row.values as unknown[]).slice(1)));
		expect(sheetRows[0]).toEqual(rows[0]);
		const header = rows[0];
		const col = (name: string) => header.indexOf(name);
		expect(rows.length - 1).toBe(items.length);
		expect(sheetRows.length - 1).toBe(items.length);
		const status: Record<string, string> = { open: '待整改', rectifying: '整改中', submitted: '待核查', closed: '已销号' };
		items.forEach((item, i) => {
			for (const row of [rows[i + 1], sheetRows[i + 1].map((v) => (v === undefined || v === null ? '' : String(v)))]) {
				expect(row[col('问题编号')]).toBe(item.code);
				expect(row[col('所在县（市、区）')]).toBe(item.county.name);
				expect(row[col('地区代码')]).toBe(item.region.code);
				expect(row[col('问题描述')]).toBe(item.description);
				expect(row[col('整改期限')]).toBe(item.deadline);
				expect(row[col('责任单位')]).toBe(item.responsible_unit);
				expect(row[col('整改状态')]).toBe(status[item.status]);
				expect(row[col('是否逾期')]).toBe(item.overdue ? '是' : '否');
				expect(Number(row[col('逾期天数')])).toBe(item.days_overdue);
			}
		});
	});

	it('applies every filter as the contract names it', async () => {
		const all = (await call('/api/problems?region=370000&limit=200', callers.dispatcher)).body;
		expect(all.total).toBeGreaterThan(200);
		const check = async (query: string, holds: (item: any) => boolean) => {
			const res = await call(`/api/problems?region=370000&limit=200&${query}`, callers.dispatcher);
			expect(res.status, query).toBe(200);
			expect(res.body.items.length, query).toBeGreaterThan(0);
			for (const item of res.body.items) expect(holds(item), `${query} ${item.code}`).toBe(true);
			return res.body;
		};
		await check('status=closed', (p) => p.status === 'closed');
		await check('overdue=true', (p) => p.overdue && p.status !== 'closed' && p.deadline < dayOf());
		await check('overdue=false', (p) => !p.overdue);
		await check('source=self_check,audit', (p) => ['self_check', 'audit'].includes(p.source));
		await check('category=hospital', (p) => p.category === 'hospital');
		await check('escalated=true', (p) => p.escalation !== null);
		await check('escalated=province', (p) => p.escalation === 'province');
		await check('deadline_from=2026-01-01&deadline_to=2027-12-31', (p) => p.deadline >= '2026-01-01' && p.deadline <= '2027-12-31');
		await check('region=371424', (p) => p.county.code === '371424');
		await check('q=WT-371424', (p) => p.code.startsWith('WT-371424'));
		const supervised = await call('/api/problems?region=370000&supervised=true&limit=200', callers.dispatcher);
		for (const item of supervised.body.items) expect(item.supervised).toBe(true);
		// overdue first, then the nearest deadline
		const first = (await call('/api/problems?region=371424&limit=200', callers.officer)).body.items;
		const firstOpen = first.findIndex((p: any) => !p.overdue);
		expect(first.slice(firstOpen).some((p: any) => p.overdue)).toBe(false);
		const sorted = (await call('/api/problems?region=370000&sort=-deadline&limit=50', callers.dispatcher)).body.items.map((p: any) => p.deadline);
		expect(sorted).toEqual([...sorted].sort().reverse());
		const second = (await call('/api/problems?region=370000&sort=-deadline&limit=50&offset=50', callers.dispatcher)).body.items;
		expect(second[0].deadline <= sorted.at(-1)).toBe(true);
	});

	it('answers bad filters with 400 and the field', async () => {
		for (const query of ['status=done', 'overdue=maybe', 'deadline_from=2020-02-30', 'deadline_to=0000-01-01', 'sort=password', 'limit=100000', 'q=%00', 'region=abc', 'format=pdf']) {
			const res = await call(`/api/problems?${query}`, callers.dispatcher);
			expect(res.status, query).toBe(400);
			expect(res.body.error.code).toBeTruthy();
		}
	});

	it('rolls the ledger up by city and county (总账/分账), and the parts add up to the whole', async () => {
		const res = await call('/api/problems/summary?region=370000&level=city', callers.dispatcher);
		expect(res.status).toBe(200);
		expect(res.body.items).toHaveLength(17);
		for (const key of ['total', 'open', 'rectifying', 'submitted', 'closed', 'overdue', 'supervised', 'escalated']) {
			expect(res.body.items.reduce((s: number, r: any) => s + r[key], 0), key).toBe(res.body.region[key]);
		}
		const whole = res.body.region;
		expect(whole.open + whole.rectifying + whole.submitted + whole.closed).toBe(whole.total);
		const list = await call('/api/problems?region=370000&limit=1', callers.dispatcher);
		expect(list.body.total).toBe(whole.total);
		const counties = await call('/api/problems/summary?region=371400', callers.city);
		expect(counties.body.items.map((r: any) => r.code)).toContain('371424');
		const dezhou = res.body.items.find((r: any) => r.code === '371400');
		expect(counties.body.region.total).toBe(dezhou.total);
	});
});
