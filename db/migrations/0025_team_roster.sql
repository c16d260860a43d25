-- A team's roster and base (飞行检查组): the point it sets out from, its leader among its members
-- (inspector accounts, `app_user.scope_team`), and a status for writing up after the visit.
alter table team add column home_point geometry(Point, 4326);
update team set home_point = point;
alter table team add column leader_id bigint references app_user (id) on delete set null;
alter table team add column created_at timestamptz not null default now();

-- standby → dispatched → on site → reporting → standby (待命 → 在途 → 检查中 → 汇报中 → 待命)
alter table team drop constraint team_status_check;
alter table team add constraint team_status_check check (status in ('idle', 'travelling', 'inspecting', 'reporting', 'off_duty'));

-- an inspector taken off a team and not yet on another stands between teams and reads nothing;
-- only an inspector has a team
alter table app_user drop constraint app_user_check;
alter table app_user add constraint app_user_team_check check (role = 'inspector' or scope_team is null);
create index app_user_team on app_user (scope_team) where scope_team is not null;
