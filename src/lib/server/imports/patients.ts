import { PATIENT_CATEGORY_WORDS } from '$lib/types/imports';
import { countiesOf, type ImportSpec } from './kind';
import { duplicates, notAfterToday, references } from './checks';

const MB = 1024 * 1024;
const DATES = [
	['identified_on', '识别日期'],
	['treated_on', '救治日期'],
	['signed_on', '签约日期'],
	['followed_up_on', '随访日期']
] as const;

/** 患病贫困人口: a pseudonymous id, the village, category, disease, dates of care and insurance (SPEC §5). */
export const patients: ImportSpec = {
	kind: 'patients',
	table: 'import_patient',
	key: 'id',
	geojson: false,
	// the full register of a province (605,000 rows) is about 70 MB as CSV
	limit: 200 * MB,
	refColumn: 'village_code',

	read(c) {
		const identified = c.date('identified_on', false);
		const treated = c.date('treated_on', false);
		const signed = c.date('signed_on', false);
		const followed = c.date('followed_up_on', false);
		if (treated && !identified && c.raw('identified_on') === '') c.fail('identified_on', '已填救治日期，但缺少识别日期');
		if (treated && identified && treated < identified) c.fail('treated_on', `救治日期 ${treated} 早于识别日期 ${identified}`);
		if (followed && !signed && c.raw('signed_on') === '') c.fail('signed_on', '已填随访日期，但缺少签约日期');
		if (followed && signed && followed < signed) c.fail('followed_up_on', `随访日期 ${followed} 早于签约日期 ${signed}`);
		return {
			id: c.code('id', /^[A-Za-z0-9_-]{4,40}$/, '4–40位字母、数字、横线或下划线的患者编号'),
			village_code: c.code('village_code', /^\d{12}$/, '12位数字的行政村代码'),
			category: c.word('category', PATIENT_CATEGORY_WORDS, true),
			disease: c.text('disease', { required: true, max: 60 }),
			identified_on: identified,
			treated_on: treated,
			signed_on: signed,
			followed_up_on: followed,
			insured: c.bool('insured')
		};
	},

	stage: (db, job, rows) => db`
		insert into import_patient (job, row, id, village_code, category, disease, identified_on, treated_on, signed_on, followed_up_on, insured)
		select ${job}, r.row, r.id, r.village_code, r.category, r.disease, r.identified_on, r.treated_on, r.signed_on, r.followed_up_on, r.insured
		from jsonb_to_recordset(${db.json(rows as never)}) as r(row int, id text, village_code text, category text, disease text,
			identified_on date, treated_on date, signed_on date, followed_up_on date, insured boolean)`,

	async check(db, job, scope) {
		await duplicates(db, job, 'import_patient', 'id', '患者编号');
		await references(db, job, scope.codes, {
			table: 'import_patient',
			column: 'village_code',
			label: '村代码',
			levels: ['village'],
			wrongLevel: '不是行政村代码'
		});
		for (const [column, label] of DATES) await notAfterToday(db, job, 'import_patient', column, label);
		await db`
			insert into import_error (job, row, field, message)
			select ${job}, s.row, 'id', '患者编号 ' || s.id || ' 已被您管辖范围以外的登记使用，请核对编号'
			from import_patient s join patient p on p.id = s.id
			where s.job = ${job} and not (p.county_code = any(${scope.codes}::text[]))
			order by s.row`;
	},

	async mark(db, job) {
		await db`update import_patient s set change = 'insert'
			where s.job = ${job} and not exists (select 1 from patient p where p.id = s.id)`;
		// a blank insurance cell keeps what is stored; blank dates mean none
		await db`update import_patient s set change = 'update', old_village = p.village_code
			from patient p
			where s.job = ${job} and p.id = s.id
				and (p.village_code, p.category, p.disease, p.identified_on, p.treated_on, p.signed_on, p.followed_up_on, p.insured)
					is distinct from (s.village_code, s.category, s.disease, s.identified_on, s.treated_on, s.signed_on, s.followed_up_on,
						coalesce(s.insured, p.insured))`;
	},

	counties: (db, job) => countiesOf(db, job, 'import_patient', 'village_code', 'old_village'),

	async lock(tx, job) {
		await tx`select 1 from patient where id in (select id from import_patient where job = ${job} and change = 'update') order by id for update`;
	},

	async write(tx, job) {
		const [counts] = await tx`
			with written as (
				insert into patient (id, village_code, county_code, category, disease, identified_on, treated_on, signed_on,
					followed_up_on, insured)
				select s.id, s.village_code, v.county_code, s.category, s.disease, s.identified_on, s.treated_on, s.signed_on,
					s.followed_up_on, coalesce(s.insured, p.insured, false)
				from import_patient s
					join region v on v.code = s.village_code
					left join patient p on p.id = s.id
				where s.job = ${job} and s.change is not null
				on conflict (id) do update set village_code = excluded.village_code, county_code = excluded.county_code,
					category = excluded.category, disease = excluded.disease, identified_on = excluded.identified_on,
					treated_on = excluded.treated_on, signed_on = excluded.signed_on, followed_up_on = excluded.followed_up_on,
					insured = excluded.insured, updated_at = now()
				returning (xmax = 0) as inserted
			)
			select count(*) filter (where inserted)::int as inserted, count(*) filter (where not inserted)::int as updated from written`;
		return { inserted: counts.inserted, updated: counts.updated };
	}
};
