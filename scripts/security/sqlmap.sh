#!/usr/bin/env bash
# SQL injection scan of a local Duban with Debian's sqlmap (not part of CI's required path).
# Starts Duban on a fresh embedded database with the demo (or uses DATABASE_URL), signs in, runs
# sqlmap against the endpoints that take input, writes artifacts/security/sqlmap-report.md and
# exits 1 if sqlmap finds an injectable parameter (2 if the scan could not be completed).
# Settings (environment): see scripts/security/README.md.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v sqlmap >/dev/null 2>&1; then
  echo "sqlmap 未安装 / sqlmap is not installed: apt-get install -y sqlmap   (Debian 12 has 1.7.2)" >&2
  exit 2
fi
if [ ! -d node_modules ]; then
  echo "请先 npm install / run npm install first" >&2
  exit 2
fi
exec node scripts/security/sqlmap-scan.mjs "$@"
