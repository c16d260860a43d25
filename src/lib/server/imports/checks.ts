import type { Db } from '../db';

/**
 * Checks of a staged file that need the database or the whole file, each inserting its errors
 * into import_error. Table and column names come from the kinds' own definitions, never from
 * a file.
 */

/** Rows whose `column` repeats one of an earlier row: each later one is an error. */
export async function duplicates(db: Db, job: string, table: string, column: string, label: string): Promise<void> {
	await db`
		insert into import_error (job, row, field, message)
		select ${job}, d.row, ${column}, ${label} || '「' || d.value || '」与第 ' || d.first || ' 行重复'
		from (
			select row, ${db(column)} as value, min(row) over (partition by ${db(column)}) as first
			from ${db(table)} where job = ${job} and ${db(column)} is not null
		) d
		where d.row > d.first
		order by d.row`;
}

/** Six-digit counties that a stage column's codes imply and that are not regions: `coverage` asks about them. */
export async function impliedCounties(db: Db, job: string, table: string, column: string): Promise<string[]> {
	const rows = await db`
		select distinct left(s.${db(column)}, 6) as code from ${db(table)} s
		where s.job = ${job} and s.${db(column)} is not null
			and not exists (select 1 from region r where r.code = left(s.${db(column)}, 6))
		limit 10001`;
	return rows.map((row) => row.code as string);
}

interface Reference {
	table: string;
	column: string;
	/** the file's column, when it is named otherwise than the stage's */
	field?: string;
	/** the column's Chinese name, in the messages */
	label: string;
	/** the levels the code may be of, and what to say otherwise */
	levels: string[];
	wrongLevel: string;
}

/**
 * Rows whose `column` names a region that does not exist, lies outside the importer's scope
 * (`covered`: see Coverage), or is of the wrong level. A code outside the scope is reported as
 * such whether or not it exists, so a file learns nothing about other regions.
 */
export async function references(db: Db, job: string, covered: string[], ref: Reference): Promise<void> {
	await db`
		insert into import_error (job, row, field, message)
		select ${job}, s.row, ${ref.field ?? ref.column},
			case
				when not (coalesce(r.county_code, r.code, left(s.${db(ref.column)}, 6)) = any(${covered}::text[]))
					then ${ref.label} || ' ' || s.${db(ref.column)} || ' 不在您的管辖范围内'
				when r.code is null then ${ref.label} || ' ' || s.${db(ref.column)} || ' 不存在，请核对代码'
				else ${ref.label} || ' ' || s.${db(ref.column)} || ' ' || ${ref.wrongLevel}
			end
		from ${db(ref.table)} s left join region r on r.code = s.${db(ref.column)}
		where s.job = ${job} and s.${db(ref.column)} is not null
			and (r.code is null or not (coalesce(r.county_code, r.code) = any(${covered}::text[])) or r.level <> all(${ref.levels}::text[]))
		order by s.row`;
}

/** Rows whose point lies outside the county of `column`'s region (only where that region is in scope). */
export async function outsideCounty(db: Db, job: string, covered: string[], table: string, column: string): Promise<void> {
	await db`
		insert into import_error (job, row, field, message)
		select ${job}, s.row, 'lon', '坐标（' || s.lon || ', ' || s.lat || '）不在' || c.name || '境内：请核对经纬度是否填反或有误'
		from ${db(table)} s
			join region r on r.code = s.${db(column)}
			join region c on c.code = coalesce(r.county_code, r.code)
		where s.job = ${job} and s.lon is not null and s.lat is not null
			and c.code = any(${covered}::text[]) and c.geom is not null
			and not st_covers(c.geom, st_setsrid(st_makepoint(s.lon, s.lat), 4326))
		order by s.row`;
}

/** Rows whose `column` (a day) lies after today. */
export async function notAfterToday(db: Db, job: string, table: string, column: string, label: string): Promise<void> {
	await db`
		insert into import_error (job, row, field, message)
		select ${job}, row, ${column}, ${label} || ' ' || ${db(column)}::text || ' 晚于今天'
		from ${db(table)} where job = ${job} and ${db(column)} > current_date
		order by row`;
}
