-- Health facilities. A village clinic belongs to its village, a township centre to its
-- township, county hospitals to their county.
create table facility (
	id text primary key,
	name text not null,
	kind text not null check (kind in ('county_hospital', 'tcm_hospital', 'township_center', 'village_clinic')),
	region_code text not null references region (code),
	county_code text not null references region (code),
	point geometry(Point, 4326),
	-- qualified village doctors (乡村医生) on staff
	doctors integer not null default 0 check (doctors >= 0),
	-- licensed physicians and licensed assistant physicians (执业(助理)医师)
	licensed_doctors integer not null default 0 check (licensed_doctors >= 0),
	-- clinic built to the standard; for a county hospital: every department has a licensed physician
	standard_met boolean not null default false,
	departments integer check (departments >= 0),
	departments_staffed integer check (departments_staffed >= 0),
	updated_at timestamptz not null default now(),
	check (departments_staffed is null or departments_staffed <= departments)
);

create index facility_region on facility (region_code);
create index facility_county on facility (county_code, kind);
create index facility_point on facility using gist (point);
