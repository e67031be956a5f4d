-- 重复督办 lookup at 1M texts (issue 6): the band keys shared by POSTING_CAP (500) texts or more, which a
-- lookup skips, listed once so that a lookup no longer counts up to 500 postings of each of them (about
-- 60 of a query's 128 keys at 1M texts). A hint kept by recordText (server/src/intake/similarity): a key
-- is listed only while it has at least 500 postings; a key not listed is still counted at lookup.
-- The 500 is POSTING_CAP in server/src/intake/similarity/index.ts (change both together).
create table similarity_band_stop (
  band int4 primary key
);
insert into similarity_band_stop (band)
select band from similarity_bands group by band having count(*) >= 500;
