-- 挂牌督办 at the provincial or the national level. `supervised` stays the flag every reader
-- filters on; a supervised problem without a level (written by the seed, an import) is listed
-- by the province: read it as coalesce(supervision_level, 'province').
alter table problem add column supervision_level text check (supervision_level in ('province', 'national'));
update problem set supervision_level = 'province' where supervised;
alter table problem add check (supervision_level is null or supervised);
alter table problem add column supervised_at timestamptz;

-- a talk (约谈) may concern one problem of the region's ledger
alter table talk add column problem_id bigint references problem (id);
create index talk_problem on talk (problem_id) where problem_id is not null;
