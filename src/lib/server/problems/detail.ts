import { sql as defaultSql, type Db } from '../db';
import { problemEvents, readerOf } from '../events/log';
import type { EvidenceRef } from '$lib/types/events';
import type { ProblemDetail, TimelineEntry } from '$lib/types/problems';
import type { ScopedProblem } from './access';
import { mayChangeDeadline, movesFrom, partOf } from './lifecycle';

/** The item's own events, oldest first: every move, who, when, its note and evidence. */
export async function timeline({ viewer, problem }: ScopedProblem, db: Db = defaultSql): Promise<TimelineEntry[]> {
	const rows = await problemEvents(db, problem.id, readerOf(viewer));
	return rows.map((row) => {
		// eslint-disable-next-line @typescript-eslint/no-explicit-any
		const p = row.payload as Record<string, any>;
		return {
			seq: row.seq,
			type: row.type,
			at: row.at,
			actor: row.actor,
			...(p.status ? { status: p.status } : {}),
			...(p.from && row.type === 'problem.status_changed' ? { from: p.from } : {}),
			...(p.note ? { note: p.note } : {}),
			...(p.reason ? { reason: p.reason } : {}),
			...(p.deadline && row.type !== 'problem.overdue' ? { deadline: p.deadline } : {}),
			...('level' in p ? { level: p.level } : {}),
			...(p.evidence ? { evidence: Array.isArray(p.evidence) ? p.evidence : [p.evidence] } : {})
		};
	});
}

/** The item, its timeline, what this viewer may do with it now, and its place's point. */
export async function problemDetail(scoped: ScopedProblem, db: Db = defaultSql): Promise<ProblemDetail> {
	const { viewer, problem, region } = scoped;
	const part = await partOf(viewer, { region, found_by: problem.found_by, status: problem.status });
	const [entries, pending, [place], [record]] = await Promise.all([
		timeline(scoped, db),
		db`select id, name, media_type, size from problem_evidence where problem_id = ${problem.id} and attached_at is null order by id`,
		db`select st_x(p) as lon, st_y(p) as lat from (select coalesce(point, st_pointonsurface(geom)) as p from region where code = ${problem.region.code}) x`,
		db`select created_at from problem where id = ${problem.id}`
	]);
	// an item entered before the log began (an import, the demo data) starts with its record
	if (!entries.some((e) => e.type === 'problem.created')) entries.unshift({ seq: 0, type: 'problem.created', at: new Date(record.created_at).toISOString(), actor: problem.responsible_unit });
	return {
		...problem,
		timeline: entries,
		pending_evidence: pending.map((r): EvidenceRef => ({ id: Number(r.id), name: r.name, type: r.media_type, size: r.size })),
		moves: movesFrom(part, problem.status),
		may_change_deadline: mayChangeDeadline(viewer, part, problem.status),
		may_upload: part !== null && problem.status !== 'closed',
		point: place && place.lon !== null ? [Number(place.lon), Number(place.lat)] : null
	};
}
