-- Sign-in security (issue 8 §1): failed-login lockout, TOTP two-factor, session MFA state.

-- Failed sign-ins per username, shared by every web process. Keyed by the name as typed
-- (lower-cased), so an unknown name locks exactly like a known one and reveals nothing.
create table login_throttle (
  username text primary key,
  failures integer not null default 0,
  locked_until timestamptz,
  last_failed_at timestamptz not null
);

-- TOTP (RFC 6238): the confirmed secret, and a secret offered at enrolment until it is confirmed.
create table user_mfa (
  user_id uuid primary key references users (id) on delete cascade,
  secret text,
  pending_secret text,
  enabled_at timestamptz,
  updated_at timestamptz not null
);

-- One-time recovery codes, stored as SHA-256 only.
create table mfa_recovery_codes (
  user_id uuid not null references users (id) on delete cascade,
  code_hash text not null,
  used_at timestamptz,
  primary key (user_id, code_hash)
);

-- full: signed in; mfa_pending: password right, TOTP code still to give; mfa_enroll: the role
-- requires TOTP and none is enrolled yet.
alter table sessions add column mfa_state text not null default 'full'
  check (mfa_state in ('full', 'mfa_pending', 'mfa_enroll'));
