-- 重复督办 lookup at scale (issue 6): the LSH band keys move from a GIN index over int4[] (0017) to a
-- posting table with a btree, so a lookup reads only the postings of the query's band keys, skips
-- keys shared by too many texts, and counts shared keys per text (server/src/intake/similarity).

-- A compact surrogate key per indexed text (postings are 128 per text: int8 instead of kind + id).
alter table similarity_index add column seq bigint generated always as identity;
create unique index similarity_index_seq on similarity_index (seq);

-- One row per (band key, text). similarity_index.bands keeps the text's keys, so its postings can be
-- found and deleted through this primary key when the text changes.
create table similarity_bands (
  band int4 not null,
  seq bigint not null,
  primary key (band, seq)
);
insert into similarity_bands (band, seq)
select distinct b.band, s.seq from similarity_index s cross join lateral unnest(s.bands) as b(band);

-- The GIN index is no longer read.
drop index similarity_index_bands;
