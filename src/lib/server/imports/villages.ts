import { countiesOf, type ImportSpec } from './kind';
import { duplicates, outsideCounty, references } from './checks';

const MB = 1024 * 1024;
// the mainland's extent, a first check before the county's outline
const LON = { min: 73, max: 136 };
const LAT = { min: 3, max: 54 };

/** 行政村: code, name, township, point, population, key flag (SPEC §5). */
export const villages: ImportSpec = {
	kind: 'villages',
	table: 'import_village',
	key: 'code',
	geojson: true,
	limit: 64 * MB,
	refColumn: 'township_code',

	read(c) {
		const code = c.code('code', /^\d{12}$/, '12位数字的行政村代码');
		const township = c.code('township_code', /^\d{9}$/, '9位数字的乡镇代码');
		if (code && township && !code.startsWith(township)) c.fail('code', `村代码 ${code} 应以其乡镇代码 ${township} 开头`);
		return {
			code,
			name: c.text('name', { required: true, max: 40 }),
			township_code: township,
			lon: c.number('lon', { required: true, ...LON }),
			lat: c.number('lat', { required: true, ...LAT }),
			population: c.number('population', { required: false, min: 0, max: 200_000, integer: true }),
			is_key: c.bool('key')
		};
	},

	stage: (db, job, rows) => db`
		insert into import_village (job, row, code, name, township_code, lon, lat, population, is_key)
		select ${job}, r.row, r.code, r.name, r.township_code, r.lon, r.lat, r.population, r.is_key
		from jsonb_to_recordset(${db.json(rows as never)}) as r(row int, code text, name text, township_code text,
			lon float8, lat float8, population int, is_key boolean)`,

	async check(db, job, scope) {
		await duplicates(db, job, 'import_village', 'code', '村代码');
		await references(db, job, scope.codes, {
			table: 'import_village',
			column: 'township_code',
			label: '乡镇代码',
			levels: ['township'],
			wrongLevel: '不是乡镇代码'
		});
		await outsideCounty(db, job, scope.codes, 'import_village', 'township_code');
	},

	async mark(db, job) {
		await db`update import_village s set change = 'insert'
			where s.job = ${job} and not exists (select 1 from region v where v.code = s.code)`;
		// a blank population or key flag keeps what is stored
		await db`update import_village s set change = 'update'
			from region v
			where s.job = ${job} and v.code = s.code
				and (v.name, v.population, v.is_key, st_x(v.point), st_y(v.point))
					is distinct from (s.name, coalesce(s.population, v.population), coalesce(s.is_key, v.is_key), s.lon, s.lat)`;
	},

	counties: (db, job) => countiesOf(db, job, 'import_village', 'township_code', null),

	// a village is its own record and unit: held with the other regions of its county
	lock: async () => {},

	async write(tx, job) {
		const [counts] = await tx`
			with written as (
				insert into region (code, name, level, parent_code, province_code, city_code, county_code, township_code,
					point, population, is_key, synthetic)
				select s.code, s.name, 'village', t.code, t.province_code, t.city_code, t.county_code, t.code,
					st_setsrid(st_makepoint(s.lon, s.lat), 4326), coalesce(s.population, v.population, 0), coalesce(s.is_key, v.is_key, false), false
				from import_village s
					join region t on t.code = s.township_code
					left join region v on v.code = s.code
				where s.job = ${job} and s.change is not null
				on conflict (code) do update set name = excluded.name, point = excluded.point, population = excluded.population,
					is_key = excluded.is_key, synthetic = false, updated_at = now()
				returning (xmax = 0) as inserted
			)
			select count(*) filter (where inserted)::int as inserted, count(*) filter (where not inserted)::int as updated from written`;
		return { inserted: counts.inserted, updated: counts.updated };
	}
};
