-- 重复督办 lookup (server/src/intake/similarity): a lookup now reads the most recent RECENT_POSTINGS
-- postings of every band key (a backward scan of the primary key) instead of skipping the keys shared by
-- 500 texts or more. Its cost is bounded by the number of keys, whatever the index holds, a case
-- reported hundreds of times is still found, and recording a text no longer counts its keys' postings.
-- The list of those keys (0033) has no reader left.
drop table similarity_band_stop;
