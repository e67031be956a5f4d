-- Evidence ledger: an RFC 6962 Merkle log whose entries are the domain events (events.canonical,
-- UTF-8), leaf index = seq - 1. Writers only append events in their own transaction (sequencing);
-- the integrator folds newly committed events into the tree afterwards and signs a checkpoint
-- (integration). See server/src/ledger/README.md.

-- Tiles of the tree (as in C2SP tlog-tiles): the tile at (level L, idx N) holds up to 256 hashes
-- of complete subtrees of height 8L, numbers 256N … 256N+255 at that height, concatenated.
-- The right-most tile of a level is partial and grows; hashes once written never change.
create table ledger_tiles (
  level smallint not null check (level >= 0),
  idx bigint not null check (idx >= 0),
  hashes bytea not null check (length(hashes) % 32 = 0 and length(hashes) between 32 and 8192),
  primary key (level, idx)
);

-- How much of the event log the tiles cover, and its root. One row, locked by the integrator.
create table ledger_state (
  id boolean primary key default true check (id),
  size bigint not null check (size >= 0),
  root bytea not null
);
insert into ledger_state (id, size, root) values (true, 0, sha256(''::bytea));

-- Every signed checkpoint (C2SP tlog-checkpoint in a C2SP signed note), kept for proofs and for
-- the public checkpoint history. The signing key lives in the data folder, not here.
create table ledger_checkpoints (
  id bigint generated always as identity primary key,
  size bigint not null check (size >= 0),
  root bytea not null,
  key_name text not null,
  key_id text not null,
  note text not null,
  created_at timestamptz not null
);
create index ledger_checkpoints_size_idx on ledger_checkpoints (size, id);
