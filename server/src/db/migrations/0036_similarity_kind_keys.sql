-- 重复督办 index (server/src/intake/similarity): an item's posting keys are its band keys xor'd with
-- 0x5bd1e995 (1540483477; KIND_SALT in index.ts), so the item lookup at registration reads item postings
-- only (the 64 most recent postings of a key, 0035, were mostly intake records). Intake records keep theirs.
-- The item rows' postings are replaced through their old keys (the primary key), then re-added.
delete from similarity_bands p using similarity_index s
where s.kind = 'item' and p.seq = s.seq and p.band = any(s.bands);
update similarity_index
set bands = (select array_agg(b # 1540483477 order by o) from unnest(bands) with ordinality t(b, o))
where kind = 'item';
insert into similarity_bands (band, seq)
select distinct b, s.seq from similarity_index s cross join lateral unnest(s.bands) b
where s.kind = 'item'
on conflict do nothing;
