import { sql } from '../../db';
import { SIMULATOR } from '../../auth/demo-users';
import { userViewer, viewerColumns, type ViewerRow } from '../../auth/sessions';
import type { Viewer } from '../../auth/viewer';
import { CATEGORIES, DESCRIPTIONS } from '../../seed/problem-texts';
import { createHash } from 'node:crypto';
import { commitPlan, postEvent } from '../write/post';
import { eventOfType } from '../log';
import { problemEvidence } from '../write/planners/problems';
import type { UserViewer } from '../write/planners/plan';
import { addDays, dayOf } from '$lib/days';
import { teamMove } from './simulator-teams';
import type { PostedEvent } from '../types';

/**
 * The demo's field: posts a steady, plausible mix of progress events through the same code as
 * a real dispatcher's POST /api/events (validation, scope, counters, audit, event, broadcast),
 * under the demo's simulator account, so that the log never credits a person with them.
 */
const today = () => dayOf();

async function pick(province: string): Promise<PostedEvent | null> {
	// subjects inside the poster's province only: the scope check would refuse the rest
	const inside = sql`left(county_code, 2) = ${province.slice(0, 2)}`;
	const roll = Math.random();
	if (roll < 0.45) {
		const [p] = await sql`select id from patient tablesample system (1) where ${inside} and category = 'chronic' and signed_on is not null limit 1`;
		return p ? { type: 'patient.followed_up', payload: { patient: p.id, date: today() } } : null;
	}
	if (roll < 0.6) {
		const [p] = await sql`select id from patient where ${inside} and category = 'serious_illness' and identified_on is not null and treated_on is null order by random() limit 1`;
		return p ? { type: 'patient.treated', payload: { patient: p.id, date: today() } } : null;
	}
	if (roll < 0.7) {
		const [p] = await sql`select id from patient where ${inside} and category = 'chronic' and signed_on is null order by random() limit 1`;
		return p ? { type: 'patient.signed', payload: { patient: p.id, date: today() } } : null;
	}
	if (roll < 0.78) {
		// a clinic without a qualified doctor gains one
		const [f] = await sql`select id, doctors from facility where ${inside} and kind = 'village_clinic' and doctors = 0 and licensed_doctors = 0 order by random() limit 1`;
		return f ? { type: 'facility.updated', payload: { facility: f.id, doctors: f.doctors + 1 } } : null;
	}
	if (roll < 0.84) return teamMove(province);
	if (roll < 0.87) return screeningFinding(province);
	return rectification(province);
}

// a 1×1 PNG: the simulated photo of a rectified clinic
const PHOTO = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cfc0f01f0005000201e5273ea80000000049454e44ae426082', 'hex');

/**
 * One step of 销号管理 on a problem of the province: the county starts or submits its
 * rectification (with a photo), the dispatcher closes a submitted item or, now and then, sends it back.
 */
async function rectification(province: string): Promise<PostedEvent | null> {
	const [q] = await sql`
		select p.id, p.status, r.code, r.name from problem p join region r on r.code = p.county_code
		where left(p.county_code, 2) = ${province.slice(0, 2)} and p.status <> 'closed' order by random() limit 1`;
	if (!q) return null;
	const problem = Number(q.id);
	if (q.status === 'submitted') {
		return Math.random() < 0.9
			? { type: 'problem.status_changed', payload: { problem, status: 'closed', note: '核查属实，予以销号' } }
			: { type: 'problem.status_changed', payload: { problem, status: 'rectifying', note: '核查未通过', reason: '佐证材料不足，请补充整改记录' } };
	}
	// the county's own office acts on its own items: a viewer scoped to that county
	const county: UserViewer = { kind: 'user', id: 0, username: `simulator-${q.code}`, role: 'county_officer', scope: { level: 'county', code: q.code, name: q.name }, team: null, sessionId: 'simulator' };
	if (q.status === 'open') {
		await postEvent(county, { type: 'problem.status_changed', payload: { problem, status: 'rectifying', note: '已制定整改方案，正在整改' } }, null);
		return null;
	}
	const file = { name: '整改现场.png', type: 'image/png', size: PHOTO.length, sha256: createHash('sha256').update(PHOTO).digest('hex'), content: PHOTO };
	const [added] = await commitPlan(county, 'problem.evidence_added', (tx) => problemEvidence(tx, problem, file, county));
	const evidence = [eventOfType(added, 'problem.evidence_added').payload.evidence.id];
	await postEvent(county, { type: 'problem.status_changed', payload: { problem, status: 'submitted', note: '整改完成，提请核查销号', evidence } }, null);
	return null;
}

/** 排查: the screening campaign finds a new problem in a village, to rectify within 30 days. */
async function screeningFinding(province: string): Promise<PostedEvent | null> {
	const [village] = await sql`
		select v.code, t.name || v.name as place from region v tablesample system (2) join region t on t.code = v.parent_code
		where v.level = 'village' and v.province_code = ${province} limit 1`;
	if (!village) return null;
	const category = CATEGORIES[Math.floor(Math.random() * CATEGORIES.length)][0] as 'clinic';
	const texts = DESCRIPTIONS[category]?.village ?? [];
	const description = (texts[Math.floor(Math.random() * texts.length)] ?? '{place}排查发现问题').replaceAll('{place}', village.place);
	const deadline = addDays(dayOf(), 30);
	return { type: 'problem.created', payload: { region: village.code, category, source: 'screening', description, deadline } };
}

async function poster(): Promise<Viewer | null> {
	const [row] = await sql`
		select ${viewerColumns(sql)}
		from app_user u join region r on r.code = u.scope_region
		where u.username = ${SIMULATOR} and u.demo and not u.disabled
	`;
	return row ? userViewer(row as unknown as ViewerRow, 'simulator') : null;
}

/**
 * Starts posting `perMinute` events a minute on demo data; returns the function that stops it,
 * which resolves once the posts under way have finished.
 */
export async function simulate(perMinute: number): Promise<() => Promise<void>> {
	const [meta] = await sql`select (value ->> 'demo')::boolean as demo from app_meta where key = 'dataset'`;
	const viewer = meta?.demo ? await poster() : null;
	if (!viewer || viewer.kind !== 'user' || !viewer.scope || perMinute <= 0) return async () => {};
	console.log(`simulating field events: ${perMinute} a minute (--no-simulate turns it off)`);
	const underway = new Set<Promise<void>>();
	const tick = async () => {
		try {
			const event = await pick(viewer.scope!.code);
			if (event) await postEvent(viewer, event, null);
		} catch (error) {
			console.error('simulated event failed:', (error as Error).message);
		}
	};
	const timer = setInterval(() => {
		const post = tick();
		underway.add(post);
		void post.finally(() => underway.delete(post));
	}, 60_000 / perMinute);
	timer.unref();
	return async () => {
		clearInterval(timer);
		await Promise.all(underway);
	};
}
