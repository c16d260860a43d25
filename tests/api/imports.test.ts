import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDatabase, baseUrl, call, login } from '../helpers/api';
import { csv, gbk, readXlsx, upload, utf8, utf8Bom, xlsx } from '../helpers/imports';
import { counterDrift } from '../../src/lib/server/indicators/counters';
import type { Db } from '../../src/lib/server/db';

// Counties of 青岛市 that no other test file writes to: each test works in one of them.
const PATIENTS_COUNTY = '370202';
const VILLAGES_COUNTY = '370203';
const FACILITIES_COUNTY = '370211';
const PROBLEMS_COUNTY = '370212';
const ROUND_TRIP_COUNTY = '370213';

const sql = appDatabase();
const run = Math.random().toString(36).slice(2, 7).toUpperCase();
let admin = '';

/** Everything stored about a county's records and counters, as one digest: equal digests, no row changed. */
async function dump(county: string): Promise<string> {
	const [row] = await sql`
		select md5(concat_ws('|',
			(select string_agg(r::text, ',' order by code) from region r where county_code = ${county}),
			(select string_agg(f::text, ',' order by id) from facility f where county_code = ${county}),
			(select string_agg(p::text, ',' order by id) from patient p where county_code = ${county}),
			(select string_agg(q::text, ',' order by code) from problem q where county_code = ${county}),
			(select string_agg(c::text, ',' order by code) from indicator_counter c where code = ${county}),
			(select string_agg(f::text, ',' order by day) from followup_counter f where code = ${county}),
			(select count(*) from event where county_code = ${county})::text
		)) as digest`;
	return row.digest;
}

async function villagesOf(county: string, n = 6): Promise<{ code: string; township_code: string; lon: number; lat: number }[]> {
	return (await sql`select code, township_code, st_x(point) as lon, st_y(point) as lat from region
		where county_code = ${county} and level = 'village' order by code limit ${n}`) as never;
}

const lastSeq = async () => Number((await sql`select coalesce(max(seq), 0) as seq from event`)[0].seq);

beforeAll(async () => {
	admin = await login('admin', 'demo-password', '127.0.14.2');
});

afterAll(async () => {
	await sql.end();
});

describe('importing a patient register', () => {
	const HEADER_ZH = ['患者编号', '村代码', '类别', '疾病', '识别日期', '救治日期', '签约日期', '随访日期', '参保'];
	let villages: Awaited<ReturnType<typeof villagesOf>>;
	const id = (n: number) => `IMP${run}${String(n).padStart(3, '0')}`;

	beforeAll(async () => {
		villages = await villagesOf(PATIENTS_COUNTY);
	});

	/** Ten patients, as an office writes them: words for categories, several date styles, full-width digits. */
	const register = () =>
		Array.from({ length: 10 }, (_, i) => [
			id(i),
			villages[i % villages.length].code,
			['大病', '慢病', '其他'][i % 3],
			['白血病', '高血压', '骨折'][i % 3],
			['2019/12/28', '2019-12-30', '２０１９年１２月３１日'][i % 3],
			i % 3 === 0 ? '2020-01-05' : '',
			i % 3 === 1 ? '20200102' : '',
			i % 3 === 1 ? '2020.1.20' : '',
			i % 2 ? '是' : '否'
		]);

	it('reads the same rows from UTF-8, UTF-8 with BOM, GBK and .xlsx, in any column order', async () => {
		const rows = register();
		const text = csv([HEADER_ZH, ...rows]);
		const first = await upload('patients', utf8(text), { cookie: admin, name: '患者名册.csv' });
		expect(first.status, first.text).toBe(200);
		expect(first.body).toMatchObject({ kind: 'patients', dry_run: false, rows: 10, inserted: 10, updated: 0, unchanged: 0 });

		const stored = await sql`select id, village_code, category, disease, identified_on::text, treated_on::text, signed_on::text,
			followed_up_on::text, insured from patient where id like ${`IMP${run}%`} order by id`;
		expect(stored).toHaveLength(10);
		expect(stored[0]).toMatchObject({ id: id(0), category: 'serious_illness', disease: '白血病', identified_on: '2019-12-28', treated_on: '2020-01-05', insured: false });
		expect(stored[1]).toMatchObject({ category: 'chronic', identified_on: '2019-12-30', signed_on: '2020-01-02', followed_up_on: '2020-01-20', insured: true });
		expect(stored[2]).toMatchObject({ category: 'other', identified_on: '2019-12-31', treated_on: null });

		// the same register in the other encodings, and as a workbook with English headers in another
		// order, date cells and numeric codes: nothing left to change
		const english = ['insured', 'id', 'disease', 'category', 'village_code', 'identified_on', 'treated_on', 'signed_on', 'followed_up_on'];
		const asDate = (text: string) => (text ? new Date(`${text}T00:00:00Z`) : null);
		const workbook = await xlsx([
			english,
			...stored.map((p) => [p.insured ? '是' : '否', p.id, p.disease, p.category, Number(p.village_code), asDate(p.identified_on), asDate(p.treated_on), asDate(p.signed_on), asDate(p.followed_up_on)])
		]);
		for (const [name, bytes, type] of [
			['UTF-8 with BOM', utf8Bom(text), 'text/csv'],
			['GBK', gbk(text), 'application/vnd.ms-excel'],
			['.xlsx', workbook, 'application/octet-stream']
		] as const) {
			const again = await upload('patients', bytes, { cookie: admin, dryRun: true, contentType: type });
			expect(again.status, `${name}: ${again.text}`).toBe(200);
			expect(again.body, name).toMatchObject({ rows: 10, inserted: 0, updated: 0, unchanged: 10 });
		}
	});

	it('reports every kind of bad row with its row and field, and changes no row', async () => {
		const [gansu] = await sql`select code from region where level = 'village' and province_code = '620000' limit 1`;
		const v = villages[0].code;
		const rows = [
			HEADER_ZH,
			[id(100), `${PATIENTS_COUNTY}999999`, '大病', '白血病', '2020-01-01', '', '', '', '是'], // 2: no such village
			[id(101), gansu.code, '慢病', '高血压', '2020-01-01', '', '', '', '是'], // 3: another province's village
			[id(102), v, '大病', '白血病', '2020-01-10', '2020-01-02', '', '', '是'], // 4: treated before identified
			[id(103), v, '慢病', '高血压', '0000-01-01', '', '', '', '是'], // 5: year 0000
			[id(104), v, '心脏病人', '高血压', '2020-01-01', '', '', '', '是'], // 6: unknown category
			[id(105), v, '慢病', '', '2020-01-01', '', '', '', '是'], // 7: no disease
			[id(106), v, '慢病', '糖尿病', '2020-02-30', '', '', '', '也许'], // 8: no such day, not a yes or no
			[id(102), v, '其他', '骨折', '2020-01-01', '', '', '', '否'], // 9: the id of row 4 again
			[id(107), v, '其他', '骨折', `${new Date().getFullYear() + 1}-01-01`, '', '', '', '否'], // 10: after today
			['x', v, '其他', '骨折', '2020-01-01', '', '', '', '否'] // 11: not an id
		];
		const before = await dump(PATIENTS_COUNTY);
		const seq = await lastSeq();
		const res = await upload('patients', gbk(csv(rows)), { cookie: admin });
		expect(res.status, res.text).toBe(422);
		expect(res.body.error.code).toBe('invalid_rows');
		const details = res.body.error.details as { row: number; field: string; message: string }[];
		const at = (row: number, field: string) => details.find((d) => d.row === row && d.field === field)?.message;
		expect(at(2, 'village_code')).toMatch(/不存在/);
		expect(at(3, 'village_code')).toMatch(/不在您的管辖范围内/);
		expect(at(4, 'treated_on')).toMatch(/早于识别日期/);
		expect(at(5, 'identified_on')).toMatch(/不是有效的日期/);
		expect(at(6, 'category')).toMatch(/无法识别/);
		expect(at(7, 'disease')).toMatch(/不能为空/);
		expect(at(8, 'identified_on')).toMatch(/不是有效的日期/);
		expect(at(8, 'insured')).toMatch(/是.*否/);
		expect(at(9, 'id')).toMatch(/与第 4 行重复/);
		expect(at(10, 'identified_on')).toMatch(/晚于今天/);
		expect(at(11, 'id')).toMatch(/患者编号/);
		// the message names nothing of the other province
		expect(res.text).not.toContain('甘肃');
		expect(details.map((d) => d.row)).toEqual([...details.map((d) => d.row)].sort((a, b) => a - b));
		expect(res.body.error.total).toBe(details.length);
		expect(await dump(PATIENTS_COUNTY)).toBe(before);
		expect(await lastSeq()).toBeGreaterThanOrEqual(seq);
		expect((await sql`select count(*)::int as n from event where seq > ${seq} and actor = 'admin' and type = 'import.applied'`)[0].n).toBe(0);

		// every error, as a CSV to download
		const errors = await fetch(`${baseUrl()}${res.body.error.errors_csv}`, { headers: { cookie: admin } });
		expect(errors.status).toBe(200);
		const lines = (await errors.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
		expect(lines[0]).toBe('行号,列,列名,说明');
		expect(lines).toHaveLength(details.length + 1);
		expect(lines[1]).toMatch(/^2,村代码,village_code,/);
	});

	it('previews without writing: the same counts, nothing changed', async () => {
		const rows = register().map((row, i) => (i === 0 ? [...row.slice(0, 8), '是'] : row));
		rows.push([id(50), villages[0].code, '慢病', '高血压', '2020-01-01', '', '', '', '是']);
		const before = await dump(PATIENTS_COUNTY);
		const res = await upload('patients', csv([HEADER_ZH, ...rows]), { cookie: admin, dryRun: true });
		expect(res.status, res.text).toBe(200);
		expect(res.body).toMatchObject({ dry_run: true, rows: 11, inserted: 1, updated: 1, unchanged: 9, samples: { inserted: [id(50)], updated: [id(0)] } });
		expect(await dump(PATIENTS_COUNTY)).toBe(before);
	});

	it('moves the counters and announces the change: import.applied, then the county’s indicators.changed', async () => {
		const seq = await lastSeq();
		const [before] = await sql`select (counts).patients, (counts).insured from indicator_counter where code = ${PATIENTS_COUNTY}`;
		const rows = register().map((row) => [...row.slice(0, 8), '是']);
		const res = await upload('patients', csv([HEADER_ZH, ...rows]), { cookie: admin });
		expect(res.status, res.text).toBe(200);
		expect(res.body).toMatchObject({ inserted: 0, updated: 5, unchanged: 5 });
		const [after] = await sql`select (counts).patients, (counts).insured from indicator_counter where code = ${PATIENTS_COUNTY}`;
		expect(after.patients).toBe(before.patients);
		expect(after.insured).toBe(before.insured + 5);

		const events = await call(`/api/events?region=370000&after=${seq}`, { cookie: admin });
		const applied = events.body.items.find((e: { type: string; payload: { job: string } }) => e.type === 'import.applied' && e.payload.job === res.body.job);
		expect(applied).toMatchObject({ actor: 'admin', payload: { kind: 'patients', rows: 10, inserted: 0, updated: 5 } });
		const county = await call(`/api/events?region=${PATIENTS_COUNTY}&after=${seq}`, { cookie: admin });
		const changed = county.body.items.find((e: { type: string; payload: { cause: number } }) => e.type === 'indicators.changed' && e.payload.cause === applied.seq);
		expect(changed.payload.regions[0]).toMatchObject({ code: PATIENTS_COUNTY, level: 'county' });
		expect(changed.payload.regions[0].indicators.insurance_coverage).toBeCloseTo(after.insured / after.patients, 3);
		expect(await counterDrift(sql as unknown as Db)).toEqual([]);

		// the history shows it, from the audit log
		const history = await call('/api/imports', { cookie: admin });
		expect(history.body.items[0]).toMatchObject({ actor: 'admin', kind: 'patients', rows: 10, updated: 5 });
	});

	it('shows its progress to its own uploader only', async () => {
		const job = `job-${run}-progress`;
		const res = await upload('patients', csv([HEADER_ZH, ...register()]), { cookie: admin, job, dryRun: true });
		expect(res.status).toBe(200);
		const progress = await call(`/api/imports/jobs/${job}`, { cookie: admin });
		expect(progress.body).toMatchObject({ job, kind: 'patients', phase: 'done', rows: 10, dry_run: true });
		const other = await call(`/api/imports/jobs/${job}`, { cookie: await login('dispatcher', 'demo-password', '127.0.14.3') });
		expect(other.status).toBe(403);
		const reused = await upload('patients', csv([HEADER_ZH, ...register()]), { cookie: admin, job, dryRun: true });
		expect(reused.status).toBe(409);
	});
});

describe('importing villages, facilities and problems', () => {
	it('takes villages as GeoJSON points, inserts new ones and refuses a point outside its county', async () => {
		const [township] = await sql`select code from region where county_code = ${VILLAGES_COUNTY} and level = 'township' order by code limit 1`;
		const [seat] = await sql`select st_x(point) as lon, st_y(point) as lat from region where code = ${township.code}`;
		const feature = (code: string, name: string, lon: number, lat: number, extra: object = {}) => ({
			type: 'Feature',
			geometry: { type: 'Point', coordinates: [lon, lat] },
			properties: { 代码: code, 名称: name, 乡镇代码: township.code, 人口: 1200, 重点村: '是', ...extra }
		});
		const collection = (features: object[]) => JSON.stringify({ type: 'FeatureCollection', features });
		const before = await dump(VILLAGES_COUNTY);
		const bad = await upload('villages', collection([
			feature(`${township.code}991`, '新建村', seat.lon, seat.lat),
			feature(`${township.code}992`, '远方村', seat.lon + 5, seat.lat),
			feature(`${township.code}993`, '大村', seat.lon, seat.lat, { 人口: 9_000_000 }),
			feature(`${township.code}994`, '错村', seat.lon, seat.lat, { 乡镇代码: `${VILLAGES_COUNTY}999` })
		]), { cookie: admin, contentType: 'application/geo+json' });
		expect(bad.status, bad.text).toBe(422);
		const fields = bad.body.error.details.map((d: { row: number; field: string }) => `${d.row}:${d.field}`);
		expect(fields).toEqual(['3:lon', '4:population', '5:code', '5:township_code']);
		expect(await dump(VILLAGES_COUNTY)).toBe(before);

		const [counter] = await sql`select (counts).villages from indicator_counter where code = ${VILLAGES_COUNTY}`;
		const good = await upload('villages', collection([feature(`${township.code}991`, '新建村', seat.lon, seat.lat)]), { cookie: admin, contentType: 'application/geo+json' });
		expect(good.status, good.text).toBe(200);
		expect(good.body).toMatchObject({ inserted: 1, updated: 0 });
		const [village] = await sql`select name, level, parent_code, county_code, population, is_key, synthetic from region where code = ${`${township.code}991`}`;
		expect(village).toMatchObject({ name: '新建村', level: 'village', parent_code: township.code, county_code: VILLAGES_COUNTY, population: 1200, is_key: true, synthetic: false });
		const [after] = await sql`select (counts).villages from indicator_counter where code = ${VILLAGES_COUNTY}`;
		expect(after.villages).toBe(counter.villages + 1);
		expect(await counterDrift(sql as unknown as Db)).toEqual([]);
	});

	it('updates staffing of facilities from an Excel workbook and checks kinds, levels and ranges', async () => {
		const clinics = await sql`select f.id, f.name, f.region_code, f.doctors, f.licensed_doctors, f.standard_met from facility f
			where f.county_code = ${FACILITIES_COUNTY} and f.kind = 'village_clinic' order by f.id limit 3`;
		const header = ['机构代码', '机构名称', '机构类型', '所在地代码', '乡村医生数', '执业（助理）医师数', '是否达标'];
		const bad = await upload('facilities', await xlsx([
			header,
			[clinics[0].id, clinics[0].name, '村卫生室', clinics[0].region_code, -1, 0, '是'],
			[clinics[1].id, clinics[1].name, '乡镇卫生院', clinics[1].region_code, 1, 0, '是'],
			[clinics[2].id, clinics[2].name, '诊所', clinics[2].region_code, 1, 0.5, '是']
		]), { cookie: admin, contentType: 'application/octet-stream' });
		expect(bad.status, bad.text).toBe(422);
		expect(bad.body.error.details.map((d: { row: number; field: string }) => `${d.row}:${d.field}`)).toEqual(['2:doctors', '3:village_code', '4:kind', '4:licensed_doctors']);

		const good = await upload('facilities', await xlsx([header, ...clinics.map((c) => [c.id, c.name, '村卫生室', c.region_code, c.doctors + 1, c.licensed_doctors, true])]), {
			cookie: admin,
			contentType: 'application/octet-stream'
		});
		expect(good.status, good.text).toBe(200);
		expect(good.body).toMatchObject({ inserted: 0, updated: 3 });
		const stored = await sql`select doctors, standard_met from facility where id = any(${clinics.map((c) => c.id)}) order by id`;
		expect(stored.map((s) => s.doctors)).toEqual(clinics.map((c) => c.doctors + 1));
		expect(await counterDrift(sql as unknown as Db)).toEqual([]);
	});

	it('numbers new problems in the county’s ledger and refuses impossible deadlines and statuses', async () => {
		const [village] = await villagesOf(PROBLEMS_COUNTY, 1);
		const header = ['问题编号', '地区代码', '问题类别', '问题来源', '问题描述', '发现日期', '整改期限', '责任单位', '责任领导', '状态'];
		const row = (extra: Partial<Record<number, string>> = {}) => {
			const base = ['', village.code, '村卫生室', '问题排查', `卫生室无村医（${run}）`, '2020-01-05', '2020-03-01', '崂山区卫生健康局', '王副区长', '待整改'];
			for (const [i, value] of Object.entries(extra)) base[Number(i)] = value!;
			return base;
		};
		const bad = await upload('problems', csv([header, row({ 6: '2019-12-01' }), row({ 9: '搁置' }), row({ 0: 'WT-371424-9999' }), row({ 1: '370000' })]), { cookie: admin });
		expect(bad.status, bad.text).toBe(422);
		expect(bad.body.error.details.map((d: { row: number; field: string }) => `${d.row}:${d.field}`)).toEqual(['2:deadline', '3:status', '4:code', '5:region_code']);

		const [counter] = await sql`select (counts).problems, (counts).problems_closed from indicator_counter where code = ${PROBLEMS_COUNTY}`;
		const [{ top }] = await sql`select max(code) as top from problem where county_code = ${PROBLEMS_COUNTY}`;
		const good = await upload('problems', csv([header, row(), row({ 9: '已销号', 4: `已整改的问题（${run}）` })]), { cookie: admin });
		expect(good.status, good.text).toBe(200);
		expect(good.body).toMatchObject({ inserted: 2, updated: 0 });
		const added = await sql`select code, status, closed_at is not null as closed from problem where county_code = ${PROBLEMS_COUNTY} and code > ${top} order by code`;
		const next = Number(top.slice(-4)) + 1;
		expect(added.map((p) => p.code)).toEqual([`WT-${PROBLEMS_COUNTY}-${String(next).padStart(4, '0')}`, `WT-${PROBLEMS_COUNTY}-${String(next + 1).padStart(4, '0')}`]);
		expect(added.map((p) => [p.status, p.closed])).toEqual([['open', false], ['closed', true]]);
		const [after] = await sql`select (counts).problems, (counts).problems_closed from indicator_counter where code = ${PROBLEMS_COUNTY}`;
		expect([after.problems, after.problems_closed]).toEqual([counter.problems + 2, counter.problems_closed + 1]);
		expect(await counterDrift(sql as unknown as Db)).toEqual([]);
	});
});

describe('exports', () => {
	it.each(['villages', 'facilities', 'patients', 'problems'])('exports %s in the import’s columns, and importing the file again changes nothing (CSV and .xlsx)', async (kind) => {
		const before = await dump(ROUND_TRIP_COUNTY);
		for (const format of ['csv', 'xlsx']) {
			const exported = await fetch(`${baseUrl()}/api/exports/${kind}?region=${ROUND_TRIP_COUNTY}&format=${format}`, { headers: { cookie: admin } });
			expect(exported.status).toBe(200);
			const bytes = new Uint8Array(await exported.arrayBuffer());
			const again = await upload(kind, bytes, { cookie: admin, contentType: format === 'csv' ? 'text/csv' : 'application/octet-stream' });
			expect(again.status, again.text).toBe(200);
			expect(again.body.rows).toBeGreaterThan(0);
			expect(again.body).toMatchObject({ inserted: 0, updated: 0 });
			expect(again.body.unchanged).toBe(again.body.rows);
		}
		// the import.applied event is placed at the province, not in the county
		expect(await dump(ROUND_TRIP_COUNTY)).toBe(before);
	});

	it('refuses a region outside the admin’s scope the same way whether or not it exists', async () => {
		const gansu = await call('/api/exports/patients?region=620102', { cookie: admin });
		const none = await call('/api/exports/patients?region=629999', { cookie: admin });
		expect([gansu.status, none.status]).toEqual([403, 403]);
		expect(gansu.text.replace(/620102/g, '')).toBe(none.text.replace(/629999/g, ''));
	});
});

describe('templates', () => {
	it('offers each kind as CSV and .xlsx with the Chinese headers the import reads', async () => {
		for (const kind of ['villages', 'facilities', 'patients', 'problems']) {
			const csvFile = await fetch(`${baseUrl()}/api/imports/templates/${kind}?format=csv`, { headers: { cookie: admin } });
			expect(csvFile.headers.get('content-disposition')).toMatch(/filename\*=UTF-8''/);
			const header = (await csvFile.text()).replace(/^\uFEFF/, '').trim();
			expect(header).toMatch(/^[\u4e00-\u9fff]/);
			const book = await fetch(`${baseUrl()}/api/imports/templates/${kind}?format=xlsx`, { headers: { cookie: admin } });
			const [first] = await readXlsx(await book.arrayBuffer());
			expect(first.join(',')).toBe(header);
			// filled in with nothing, it says there are no rows
			const empty = await upload(kind, header, { cookie: admin });
			expect(empty.status).toBe(422);
			expect(empty.body.error.message).toMatch(/没有数据行/);
		}
	});

	it('names a missing or doubled column in the header row', async () => {
		const res = await upload('villages', csv([['代码', '名称', '名称', '经度', '纬度'], ['370203001201', '村', '村', '120.3', '36.1']]), { cookie: admin });
		expect(res.status).toBe(422);
		expect(res.body.error.details.map((d: { row: number; field: string }) => `${d.row}:${d.field}`)).toEqual(['1:name', '1:township_code']);
	});
});

describe('bad files', () => {
	it('answers a file that is not a table with 415, a too large one with 413, and malformed CSV with 422', async () => {
		const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
		expect((await upload('patients', new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1]), { cookie: admin })).status).toBe(415);
		expect((await upload('patients', '{"type":"FeatureCollection","features":[]}', { cookie: admin })).status).toBe(415);
		const garbage = await upload('patients', png, { cookie: admin });
		expect(garbage.status).toBeGreaterThanOrEqual(400);
		expect(garbage.status).toBeLessThan(500);
		const quote = await upload('patients', '患者编号,村代码,类别,疾病\r\n"P1234,370202001201,慢病,高血压\r\n', { cookie: admin });
		expect(quote.status).toBe(422);
		const nul = await upload('patients', `患者编号,村代码,类别,疾病\r\nP12\u000034,370202001201,慢病,高\u0000血压\r\n`, { cookie: admin });
		expect(nul.status).toBe(422);
		// a body declared larger than the kind's limit is refused before it is read
		const huge = await new Promise<number>((resolve, reject) => {
			const req = request(`${baseUrl()}/api/imports/problems`, { method: 'POST', headers: { cookie: admin, 'content-type': 'text/csv', 'content-length': String(300 * 1024 * 1024) } }, (res) => {
				res.resume();
				resolve(res.statusCode ?? 0);
				req.destroy();
			});
			req.on('error', reject);
			req.write('患者编号\r\n');
		});
		expect(huge).toBe(413);
	});
});
