-- A problem's timeline is its events in the log: each move, who, when, its note and evidence.
create index event_problem on event (((payload ->> 'problem')::bigint), seq) where type like 'problem.%';
-- the ledger's default order and its region filter
create index problem_county_deadline on problem (county_code, deadline, id);
