-- Administrative divisions: province → city → county (GB/T 2260, 6 digits),
-- township (9 digits) → village (12 digits). Each row carries the codes of its whole path,
-- so scope checks and roll-ups are a simple equality.
create table region (
	code text primary key check (code ~ '^(\d{6}|\d{9}|\d{12})$'),
	name text not null,
	level text not null check (level in ('province', 'city', 'county', 'township', 'village')),
	parent_code text references region (code),
	province_code text not null,
	city_code text,
	county_code text,
	township_code text,
	geom geometry(MultiPolygon, 4326),
	point geometry(Point, 4326),
	population integer not null default 0 check (population >= 0),
	is_key boolean not null default false,
	-- a village exempt from having its own clinic: the township seat, or merged with a neighbour
	exempt text check (exempt in ('township_seat', 'merged')),
	synthetic boolean not null default false,
	updated_at timestamptz not null default now(),
	check (level = 'village' or exempt is null),
	check (level in ('township', 'village') or geom is not null)
);

create index region_parent on region (parent_code);
create index region_city on region (city_code, level);
create index region_county on region (county_code, level);
create index region_township on region (township_code, level);
create index region_level on region (level);
create index region_geom on region using gist (geom);
create index region_point on region using gist (point);
