-- The deadline sweep pages through the due items in (chase_next_on, id) order, 1,000 at a time.
-- An index on chase_next_on alone gave every page a sort of all the items due on the same day
-- (the whole backlog, with a bulk load): ~0.5 s a page at 1M items. With id in the key each page
-- is a range scan starting where the previous one stopped. It serves every query of the old one.
create index items_chase_next_idx on items (chase_next_on, id) where chase_next_on is not null;
drop index items_chase_idx;
