-- Reports and remarks written in the same instant keep the order they were written in.
alter table progress_reports add column ord bigint generated always as identity;
alter table remarks add column ord bigint generated always as identity;
create index progress_reports_order_idx on progress_reports (item_id, created_at, ord);
create index remarks_order_idx on remarks (item_id, created_at, ord);
