-- 销号管理 in four steps: 待整改 open → 整改中 rectifying → 整改完成，待核查 submitted → 已销号 closed;
-- a submitted item that does not pass the check goes back to rectifying. A submitted item is not
-- closed: the indicator rules (0008, 0014) count only status = 'closed' as rectified, and a
-- submitted item past its deadline stays overdue.
alter table problem drop constraint problem_status_check;
alter table problem add constraint problem_status_check check (status in ('open', 'rectifying', 'submitted', 'closed'));

-- who found it decides who checks it: the province (dispatcher) always may, the city for what
-- the city found. Items found before this column: a county's self-check is the county's own,
-- everything else came from the province's campaigns and inspections.
alter table problem add column found_by text not null default 'province' check (found_by in ('province', 'city', 'county'));
update problem set found_by = 'county' where source = 'self_check';

-- escalation of an overdue item: to the city past the first limit, to the province past the
-- second; cleared when the item is closed or its deadline moves ahead
alter table problem add column escalation text check (escalation in ('city', 'province'));
alter table problem add column escalated_at timestamptz;
alter table problem add check ((escalation is null) = (escalated_at is null));
alter table problem add check (status <> 'closed' or escalation is null);

create index problem_escalation_due on problem (deadline) where status <> 'closed' and is_overdue;
