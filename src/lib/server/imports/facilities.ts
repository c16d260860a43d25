import { FACILITY_KIND_WORDS } from '$lib/types/imports';
import { countiesOf, type ImportSpec } from './kind';
import { duplicates, outsideCounty, references } from './checks';

const MB = 1024 * 1024;
const LON = { min: 73, max: 136 };
const LAT = { min: 3, max: 54 };
// as many as a field event may set (events/types.ts)
const STAFF = { min: 0, max: 10_000, integer: true };

/** The level of region each kind of facility belongs to. */
const LEVEL_OF_KIND: Record<string, { level: string; what: string }> = {
	county_hospital: { level: 'county', what: '县医院应填6位县代码' },
	tcm_hospital: { level: 'county', what: '中医院应填6位县代码' },
	township_center: { level: 'township', what: '乡镇卫生院应填9位乡镇代码' },
	village_clinic: { level: 'village', what: '村卫生室应填12位村代码' }
};
const LENGTH_OF_LEVEL: Record<string, number> = { county: 6, township: 9, village: 12 };

/** 医疗机构: id, name, kind, the region it serves, point, staffing, standard (SPEC §5). */
export const facilities: ImportSpec = {
	kind: 'facilities',
	table: 'import_facility',
	key: 'code',
	geojson: true,
	limit: 64 * MB,
	refColumn: 'region_code',

	read(c) {
		const kind = c.word('kind', FACILITY_KIND_WORDS, true);
		const region = c.code('village_code', /^(\d{6}|\d{9}|\d{12})$/, '6、9或12位数字的地区代码');
		if (kind && region && region.length !== LENGTH_OF_LEVEL[LEVEL_OF_KIND[kind].level]) c.fail('village_code', LEVEL_OF_KIND[kind].what);
		const lon = c.number('lon', { required: false, ...LON });
		const lat = c.number('lat', { required: false, ...LAT });
		if ((c.raw('lon') === '') !== (c.raw('lat') === '')) c.fail(c.raw('lon') === '' ? 'lon' : 'lat', '经度和纬度应同时填写或同时不填');
		return {
			code: c.code('code', /^[A-Za-z0-9_-]{1,60}$/, '1–60位字母、数字、横线或下划线的机构代码'),
			name: c.text('name', { required: true, max: 60 }),
			kind,
			region_code: region,
			lon,
			lat,
			doctors: c.number('doctors', { required: false, ...STAFF }),
			licensed_doctors: c.number('licensed_doctors', { required: false, ...STAFF }),
			standard_met: c.bool('standard_met')
		};
	},

	stage: (db, job, rows) => db`
		insert into import_facility (job, row, code, name, kind, region_code, lon, lat, doctors, licensed_doctors, standard_met)
		select ${job}, r.row, r.code, r.name, r.kind, r.region_code, r.lon, r.lat, r.doctors, r.licensed_doctors, r.standard_met
		from jsonb_to_recordset(${db.json(rows as never)}) as r(row int, code text, name text, kind text, region_code text,
			lon float8, lat float8, doctors int, licensed_doctors int, standard_met boolean)`,

	async check(db, job, scope) {
		await duplicates(db, job, 'import_facility', 'code', '机构代码');
		await references(db, job, scope.codes, {
			table: 'import_facility',
			column: 'region_code',
			field: 'village_code',
			label: '所在地代码',
			levels: ['county', 'township', 'village'],
			wrongLevel: '不是县、乡镇或村的代码'
		});
		await outsideCounty(db, job, scope.codes, 'import_facility', 'region_code');
		// an id of a facility elsewhere cannot be taken over
		await db`
			insert into import_error (job, row, field, message)
			select ${job}, s.row, 'code', '机构代码 ' || s.code || ' 已被您管辖范围以外的机构使用，请换一个代码'
			from import_facility s join facility f on f.id = s.code
			where s.job = ${job} and not (f.county_code = any(${scope.codes}::text[]))
			order by s.row`;
	},

	async mark(db, job) {
		await db`update import_facility s set change = 'insert'
			where s.job = ${job} and not exists (select 1 from facility f where f.id = s.code)`;
		// blank staffing, standard or point keep what is stored
		await db`update import_facility s set change = 'update', old_region = f.region_code
			from facility f
			where s.job = ${job} and f.id = s.code
				and (f.name, f.kind, f.region_code, st_x(f.point), st_y(f.point), f.doctors, f.licensed_doctors, f.standard_met)
					is distinct from (s.name, s.kind, s.region_code, coalesce(s.lon, st_x(f.point)), coalesce(s.lat, st_y(f.point)),
						coalesce(s.doctors, f.doctors), coalesce(s.licensed_doctors, f.licensed_doctors), coalesce(s.standard_met, f.standard_met))`;
	},

	counties: (db, job) => countiesOf(db, job, 'import_facility', 'region_code', 'old_region'),

	async lock(tx, job) {
		await tx`select 1 from facility where id in (select code from import_facility where job = ${job} and change = 'update') order by id for update`;
	},

	async write(tx, job) {
		const [counts] = await tx`
			with written as (
				insert into facility (id, name, kind, region_code, county_code, point, doctors, licensed_doctors, standard_met)
				select s.code, s.name, s.kind, s.region_code, coalesce(r.county_code, r.code),
					case when s.lon is null then f.point else st_setsrid(st_makepoint(s.lon, s.lat), 4326) end,
					coalesce(s.doctors, f.doctors, 0), coalesce(s.licensed_doctors, f.licensed_doctors, 0), coalesce(s.standard_met, f.standard_met, false)
				from import_facility s
					join region r on r.code = s.region_code
					left join facility f on f.id = s.code
				where s.job = ${job} and s.change is not null
				on conflict (id) do update set name = excluded.name, kind = excluded.kind, region_code = excluded.region_code,
					county_code = excluded.county_code, point = excluded.point, doctors = excluded.doctors,
					licensed_doctors = excluded.licensed_doctors, standard_met = excluded.standard_met, updated_at = now()
				returning (xmax = 0) as inserted
			)
			select count(*) filter (where inserted)::int as inserted, count(*) filter (where not inserted)::int as updated from written`;
		return { inserted: counts.inserted, updated: counts.updated };
	}
};
