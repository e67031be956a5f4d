-- 统一身份认证 (OpenID Connect single sign-on, server/src/auth/oidc-*.ts). Optional: unused unless
-- DUBAN_OIDC_ISSUER is set. Users are never created by SSO; a Duban user is linked to the provider's
-- subject at their first SSO login (matched by username), and by that link afterwards.
alter table users add column oidc_issuer text;
alter table users add column oidc_subject text;
alter table users add constraint users_oidc_link_whole
  check ((oidc_issuer is null) = (oidc_subject is null));
create unique index users_oidc_subject_idx on users (oidc_issuer, oidc_subject) where oidc_subject is not null;

-- A login in flight: kept here, not in the browser, between the redirect to the provider and its
-- callback (any API process may receive the callback). Keyed by the SHA-256 of the state; bound to
-- the browser that started it by the SHA-256 of a cookie; used once; expires after minutes.
create table oidc_logins (
  state_hash text primary key,
  browser_hash text not null,
  code_verifier text not null,
  nonce text not null,
  return_to text not null,
  created_at timestamptz not null,
  expires_at timestamptz not null
);
create index oidc_logins_expires_idx on oidc_logins (expires_at);
