import { sql } from '../../db';
import { DESCRIPTIONS } from '../../seed/problem-texts';
import type { PostedEvent } from '../types';

/**
 * The demo's inspection teams: an idle team is sent, unannounced, to one of the counties with
 * the most open problems; it travels there in steps, inspects, reports findings, writes up, comes back.
 */
const STEP = 0.35;
const ARRIVED_KM = 5;

const anyOf = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)];

const description = (category: string, place: string) =>
	anyOf(DESCRIPTIONS[category]?.village ?? ['{place}存在问题待核实']).replaceAll('{place}', place);

export async function teamMove(province: string): Promise<PostedEvent | null> {
	const [team] = await sql`
		select t.id, t.status, st_x(t.point) as lon, st_y(t.point) as lat, a.county_code,
			st_x(c.point) as to_lon, st_y(c.point) as to_lat, st_distance(t.point::geography, c.point::geography) / 1000 as km
		from team t
			left join assignment a on a.team_id = t.id and a.status in ('assigned', 'underway')
			left join region c on c.code = a.county_code
		where t.home_region = ${province} and t.status <> 'off_duty'
		order by random() limit 1`;
	if (!team) return null;
	if (!team.county_code) return team.status === 'idle' ? assign(team.id, province) : team.status === 'reporting' ? back(team.id) : null;
	if (team.status === 'reporting') return back(team.id);
	if (team.status === 'travelling') {
		if (team.km <= ARRIVED_KM) return { type: 'team.status', payload: { team: team.id, status: 'inspecting' } };
		const lon = team.lon + (team.to_lon - team.lon) * STEP;
		const lat = team.lat + (team.to_lat - team.lat) * STEP;
		return { type: 'team.location', payload: { team: team.id, lon: Math.round(lon * 1e5) / 1e5, lat: Math.round(lat * 1e5) / 1e5 } };
	}
	if (team.status !== 'inspecting') return null;
	if (Math.random() < 0.7) return finding(team.id, team.county_code);
	// done on site: the write-up, then back to standby (the assignment completes)
	return { type: 'team.status', payload: { team: team.id, status: 'reporting' } };
}

const back = (team: string): PostedEvent => ({ type: 'team.status', payload: { team, status: 'idle' } });

async function assign(team: string, province: string): Promise<PostedEvent | null> {
	const counties = await sql`
		select p.county_code, count(*) as open
		from problem p
		where left(p.county_code, 2) = ${province.slice(0, 2)} and p.status <> 'closed'
			and not exists (select 1 from assignment a where a.county_code = p.county_code and a.status in ('assigned', 'underway'))
		group by p.county_code order by open desc limit 10`;
	if (!counties.length) return null;
	const county = anyOf(counties).county_code as string;
	return { type: 'team.assigned', payload: { team, county, unannounced: true, reason: '问题数量居前，飞行检查' } };
}

async function finding(team: string, county: string): Promise<PostedEvent | null> {
	const [village] = await sql`
		select v.code, t.name || v.name as place from region v join region t on t.code = v.parent_code
		where v.county_code = ${county} and v.level = 'village' order by random() limit 1`;
	if (!village) return null;
	const category = anyOf(['clinic', 'doctor', 'followup', 'chronic', 'data']) as 'clinic';
	return { type: 'team.finding', payload: { team, region: village.code, category, description: description(category, village.place) } };
}
