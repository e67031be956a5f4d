// SQL injection scan of a local Duban with Debian's sqlmap. Run through scripts/security/sqlmap.sh;
// the settings are described in scripts/security/README.md. Exit 0: sqlmap found nothing; 1: an
// injectable parameter; 2: the scan could not be completed (setup failed, a target errored or timed
// out, or too many requests were rate-limited to tell).
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const env = process.env;

function int(value, fallback) {
  const n = Number(value);
  return value !== undefined && value !== '' && Number.isInteger(n) ? n : fallback;
}

const cfg = {
  level: int(env.SQLMAP_LEVEL, 2),
  risk: int(env.SQLMAP_RISK, 1),
  threads: int(env.SQLMAP_THREADS, 2),
  targetTimeout: int(env.SQLMAP_TARGET_TIMEOUT, 600),
  only: env.SQLMAP_ONLY ? new RegExp(env.SQLMAP_ONLY) : undefined,
  rotate: env.SQLMAP_ROTATE_XFF !== '0',
  report: resolve(ROOT, env.SQLMAP_REPORT ?? 'artifacts/security/sqlmap-report.md'),
  keep: env.SQLMAP_KEEP === '1',
  url: env.DUBAN_URL?.replace(/\/+$/, ''),
};
const logDir = join(resolve(cfg.report, '..'), 'sqlmap-logs');

// GET operations not scanned from the OpenAPI document, and why.
const SKIP_OPS = {
  '/api/v1/notifications/stream': 'Server-Sent Events stream (never ends)',
  '/api/v1/auth/oidc/login': 'OIDC is not configured on the scan instance',
  '/api/v1/auth/oidc/callback': 'OIDC is not configured on the scan instance',
  '/api/v1/files/{sha256}': 'content-addressed file download (hash checked against a pattern)',
  '/api/v1/public/satisfaction/{token}': 'one-time token (no sample without a completed evaluation)',
  '/api/v1/calendar-feed/{token}.ics': 'feed token (no sample)',
};
// Roles tried in turn for a GET until one is allowed to read it.
const ROLES = ['supervisor', 'admin', 'leader', 'auditor'];
// sqlmap refuses an argument holding a full-width comma (it takes it for text pasted from a web page).
const FULLWIDTH_COMMA = /\uff0c/g;

const started = Date.now();
let duban; // the Duban child process
let work; // temp folder
const notes = [];

function log(line) {
  process.stdout.write(`[sqlmap-scan] ${line}\n`);
}

async function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

function dubanCli(args, extraEnv) {
  return execFileSync(process.execPath, [join(ROOT, 'server/bin/duban.mjs'), ...args], {
    cwd: ROOT,
    env: { ...env, ...extraEnv },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Starts Duban (embedded database in a temp folder, or DATABASE_URL) and waits until it answers. */
async function startDuban(password) {
  const port = await freePort();
  const extraEnv = { DUBAN_DEMO_PASSWORD: password, LOG_LEVEL: 'warn' };
  // Behind-a-proxy mode (a documented production setting): the client address is taken from
  // X-Forwarded-For, which sqlmap's xforwardedfor tamper varies per request.
  if (cfg.rotate) extraEnv.DUBAN_TRUST_PROXY = '127.0.0.1';
  const args = [join(ROOT, 'server/bin/duban.mjs')];
  if (env.DATABASE_URL) {
    log('DATABASE_URL: migrate, seed the demo if the database is empty');
    dubanCli(['migrate'], extraEnv);
    try {
      dubanCli(['seed', '--demo'], extraEnv);
      notes.push('the demo was seeded into the empty DATABASE_URL database');
    } catch {
      if (!env.DUBAN_DEMO_PASSWORD)
        throw new Error('DATABASE_URL is not empty: set DUBAN_DEMO_PASSWORD to the demo accounts’ password');
      notes.push('DATABASE_URL was not empty: the demo accounts are assumed to use DUBAN_DEMO_PASSWORD');
    }
  } else {
    args.push('--data', join(work, 'data'));
  }
  // The worker too: it integrates the evidence ledger (ledger and 存证包 routes need checkpoints).
  args.push('start', '--role', 'all', '--port', String(port), '--host', '127.0.0.1');
  const out = openSync(join(work, 'duban.log'), 'a');
  duban = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...env, ...extraEnv },
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  let exited;
  duban.once('exit', (code) => {
    exited = code ?? -1;
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20 * 60_000;
  while (Date.now() < deadline) {
    if (exited !== undefined)
      throw new Error(`duban start exited with ${exited}; see ${join(work, 'duban.log')}`);
    try {
      const r = await fetch(`${base}/api/health`);
      if (r.ok) return base;
    } catch {
      // not listening yet
    }
    await sleep(2000);
  }
  throw new Error('Duban did not answer /api/health within 20 minutes');
}

async function stopDuban() {
  if (!duban || duban.exitCode !== null) return;
  duban.kill('SIGTERM');
  for (let i = 0; i < 50 && duban.exitCode === null; i++) await sleep(200);
  if (duban.exitCode === null) duban.kill('SIGKILL');
}

/** One HTTP call as a session (or anonymous). */
async function call(base, session, method, path, body) {
  const headers = { accept: 'application/json' };
  if (session) {
    headers.cookie = session.cookie;
    headers['x-csrf-token'] = session.csrf;
  }
  if (body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(base + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.status, json, text };
}

async function login(base, username, password) {
  const r = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const body = await r.json();
  if (r.status !== 200 || !body.user)
    throw new Error(`login as ${username}: HTTP ${r.status} ${JSON.stringify(body).slice(0, 200)}`);
  const cookie = r.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .find((c) => c.startsWith('duban_session='));
  if (!cookie) throw new Error(`login as ${username}: no duban_session cookie`);
  return { username, cookie, csrf: body.csrfToken };
}

/** The first value of `key` found depth-first in a JSON answer. */
function pick(json, key, test = () => true) {
  if (json === null || typeof json !== 'object') return undefined;
  if (!Array.isArray(json) && key in json && json[key] !== null && test(json[key])) return json[key];
  for (const v of Object.values(json)) {
    const found = pick(v, key, test);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Real ids and codes of the demo, so that the baseline requests succeed. */
async function discoverSamples(base, s) {
  const get = async (session, path, key, test) =>
    pick((await call(base, session, 'GET', path)).json, key, test);
  const sup = s.supervisor;
  const sample = {
    itemId: await get(sup, '/api/v1/items?limit=5&status=in_progress', 'id'),
    categoryCode: await get(sup, '/api/v1/categories', 'code'),
    unitId: await get(sup, '/api/v1/org/units?limit=5', 'id'),
    userId: await get(s.admin, '/api/v1/org/users?q=handler', 'id'),
    intakeId: await get(sup, '/api/v1/intake?limit=1', 'id'),
    kpiCode: await get(sup, '/api/v1/kpis', 'code'),
    topicKey: await get(sup, '/api/v1/intake/topics', 'key', (v) => /^[0-9a-f-]{36}$/.test(v)),
    dictionaryKey: await get(sup, '/api/v1/routing/dictionaries', 'key'),
    publicItemId: await get(undefined, '/api/v1/public/items?pageSize=1', 'id'),
    bulletinId: await get(sup, '/api/v1/bulletins?limit=1', 'id'),
    admissionId: await get(sup, '/api/v1/admission/requests', 'id'),
    regionCode: '330000',
  };
  // The worker signs a ledger checkpoint within seconds of the start; its size is a valid tree size.
  for (let i = 0; i < 30 && sample.treeSize === undefined; i++) {
    const r = await call(base, sup, 'GET', '/api/v1/ledger/checkpoint');
    const size = r.status === 200 ? Number(r.text.split('\n')[1]) : Number.NaN;
    if (Number.isInteger(size) && size > 1) sample.treeSize = String(size);
    else await sleep(2000);
  }
  // One complaint from the portal gives a tracking number (1 of this address's 20 per hour).
  const complaint = await call(base, undefined, 'POST', '/api/v1/public/complaints', {
    kind: 'complaint',
    title: '小区门口路灯不亮',
    content: '小区门口的路灯已经两周不亮了, 晚上出行不便, 请尽快维修。(sqlmap 扫描样例)',
    regionCode: '330100',
  });
  sample.trackingNo = complaint.json?.trackingNo;
  const token = await call(base, sup, 'POST', '/api/v1/auth/tokens', {
    name: 'sqlmap scan',
    scopes: ['items:read', 'items:write'],
  });
  sample.apiToken = pick(token.json, 'token');
  // One Open311 request gives a service_request_id of that channel.
  const posted = await fetch(`${base}/open311/v2/requests.json`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      api_key: sample.apiToken ?? '',
      service_code: sample.categoryCode ?? '',
      address_string: '杭州市西湖区文三路 1 号',
      description: '路面塌陷, 请尽快处理。(sqlmap 扫描样例)',
    }).toString(),
  });
  sample.open311Id = pick(await posted.json().catch(() => undefined), 'service_request_id');
  return sample;
}

/** A value for a path parameter of `path`, or undefined when there is no sample. */
function pathValue(path, name, sample) {
  if (name === 'id') {
    if (path.startsWith('/api/v1/items/')) return sample.itemId;
    if (path.startsWith('/api/v1/public/items/')) return sample.publicItemId;
    if (path.startsWith('/api/v1/intake/')) return sample.intakeId;
    if (path.startsWith('/api/v1/org/users/')) return sample.userId;
    if (path.startsWith('/api/v1/bulletins/')) return sample.bulletinId;
    if (path.startsWith('/api/v1/admission/requests/')) return sample.admissionId;
    return undefined;
  }
  if (name === 'code') {
    if (path.startsWith('/api/v1/kpis/')) return sample.kpiCode;
    if (path.startsWith('/api/v1/org/regions/')) return sample.regionCode;
    return sample.categoryCode;
  }
  return {
    unitId: sample.unitId,
    topicKey: sample.topicKey,
    key: sample.dictionaryKey,
    trackingNo: sample.trackingNo,
    unitKind: 'government',
    index: '0',
    file: path.startsWith('/open311/v2/services/')
      ? `${sample.categoryCode}.json`
      : sample.open311Id && `${sample.open311Id}.json`,
  }[name];
}

/** A value for a query parameter, from its name and schema. */
function queryValue(path, p, sample) {
  const s = p.schema ?? {};
  const byName = {
    q: path.includes('/org/') ? '局' : path.includes('/intake') ? '电梯' : '道路',
    regionCode: sample.regionCode,
    region: sample.regionCode,
    parent: sample.regionCode,
    category: sample.categoryCode,
    categoryCode: sample.categoryCode,
    unitId: sample.unitId,
    unit: sample.unitId,
    itemId: sample.itemId,
    parentId: sample.itemId,
    ids: sample.itemId,
    userId: sample.userId,
    recordId: sample.intakeId,
    key: sample.unitId,
    light: 'red',
    deadlineFrom: '2026-01-01',
    deadlineTo: '2027-12-31',
    from: '2026-01',
    to: '2026-11',
    period: '2026-11',
    year: '2026',
    days: '30',
    minSize: '2',
    limit: '5',
    pageSize: '5',
    offset: '0',
    page: '1',
    returnTo: '/',
    reason: '核实投诉人信息（安全扫描）',
  };
  if (path.startsWith('/api/v1/ledger/'))
    Object.assign(byName, {
      from: '1',
      to: sample.treeSize,
      treeSize: sample.treeSize,
      before: sample.treeSize,
    });
  if (path === '/api/v1/items' || path === '/api/v1/intake') byName.status = 'in_progress';
  if (path === '/api/v1/intake') Object.assign(byName, { status: 'pending', channel: 'portal' });
  if (p.name in byName) return byName[p.name];
  if (Array.isArray(s.enum)) return String(s.enum[0]);
  if (s.default !== undefined) return String(s.default);
  if (s.type === 'integer' || s.type === 'number') return String(s.minimum ?? 1);
  return 'a';
}

/** GET operations of the OpenAPI document that take query or path input. */
function targetsFromOpenApi(doc, sample, skipped) {
  const targets = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    const op = ops.get;
    if (!op) continue;
    const params = (op.parameters ?? []).filter((p) => p.in === 'query' || p.in === 'path');
    if (params.length === 0) continue;
    if (SKIP_OPS[path]) {
      skipped.push({ name: `GET ${path}`, why: SKIP_OPS[path] });
      continue;
    }
    let concrete = path;
    let missing;
    const pathParams = params.filter((p) => p.in === 'path');
    for (const p of pathParams) {
      const v = pathValue(path, p.name, sample);
      if (v === undefined) missing = p.name;
      else concrete = concrete.replace(`{${p.name}}`, encodeURIComponent(v));
    }
    if (missing) {
      skipped.push({ name: `GET ${path}`, why: `no sample value for {${missing}} in the demo` });
      continue;
    }
    const query = {};
    const enums = {};
    for (const p of params.filter((q) => q.in === 'query')) {
      query[p.name] = queryValue(path, p, sample);
      if (Array.isArray(p.schema?.enum)) enums[p.name] = p.schema.enum.map(String);
    }
    const anonymous = path.startsWith('/api/v1/public/') || path.startsWith('/open311/');
    if (Object.keys(query).length > 0)
      targets.push({
        name: `GET ${path}`,
        method: 'GET',
        path: concrete,
        query,
        enums,
        test: Object.keys(query),
        anonymous,
      });
    if (pathParams.length > 0) {
      // The last path parameter, as a custom injection point (sqlmap's `*`).
      const last = pathParams.at(-1);
      // The payload goes at the end of the value, before a format suffix (`TS-….json`).
      const value = encodeURIComponent(pathValue(path, last.name, sample)).replace(/\.(json|xml)$/, '');
      const i = concrete.lastIndexOf(value);
      targets.push({
        name: `GET ${path} {${last.name}}`,
        method: 'GET',
        path: `${concrete.slice(0, i + value.length)}*${concrete.slice(i + value.length)}`,
        query, // the same object: the query target's baseline fixes its values first
        test: [`{${last.name}}`],
        marker: true,
        anonymous,
      });
    }
  }
  return targets;
}

/** Hand-picked bodies and the Open311 endpoints (not described parameter by parameter in OpenAPI). */
function handPicked(sample) {
  const text = {
    title: '小区电梯长期停用',
    content: '小区 3 号楼电梯停用十多天, 老人出行困难, 请督促物业尽快修复。',
  };
  return [
    {
      name: 'POST /api/v1/auth/login (username)',
      method: 'POST',
      path: '/api/v1/auth/login',
      json: { username: 'evaluator', password: sample.password },
      test: ['username'],
      anonymous: true,
      limit: { perMinute: 20 },
      ignore: '401',
      note: 'a valid sign-in (evaluator, not used otherwise by the scan), so a payload that made the name match would sign in',
    },
    {
      name: 'POST /api/v1/auth/login (password)',
      method: 'POST',
      path: '/api/v1/auth/login',
      json: { username: `sqlmap_probe_${randomBytes(4).toString('hex')}`, password: 'not-the-password-1' },
      test: ['password'],
      anonymous: true,
      limit: { perMinute: 20 },
      ignore: '401',
      note: 'an unknown user name (new each run), so no real account is locked; the name is locked after a few failures (423). The password never reaches a query (argon2 verification) and every answer is alike, so only time- and error-based payloads could tell',
    },
    {
      name: 'POST /api/v1/public/complaints',
      method: 'POST',
      path: '/api/v1/public/complaints',
      json: {
        kind: 'complaint',
        ...text,
        regionCode: '330100',
        categoryCode: sample.categoryCode,
        contactName: '张先生',
        contactPhone: '13800138000',
      },
      test: ['kind', 'title', 'content', 'regionCode', 'categoryCode', 'contactName', 'contactPhone'],
      anonymous: true,
      limit: { perMinute: 20 / 60 },
      note: 'every accepted request stores a complaint',
    },
    {
      name: 'POST /api/v1/intake',
      method: 'POST',
      path: '/api/v1/intake',
      json: {
        kind: 'complaint',
        ...text,
        regionCode: '330100',
        categoryCode: sample.categoryCode,
        address: '杭州市西湖区文三路 1 号',
        contactName: '李女士',
        contactPhone: '13900139000',
      },
      test: [
        'kind',
        'title',
        'content',
        'regionCode',
        'categoryCode',
        'address',
        'contactName',
        'contactPhone',
      ],
      role: 'supervisor',
      note: 'every accepted request stores an intake record',
    },
    {
      name: 'POST /api/v1/duplicates/check',
      method: 'POST',
      path: '/api/v1/duplicates/check',
      json: { ...text, regionCode: '330000' },
      test: ['title', 'content', 'regionCode'],
      role: 'supervisor',
    },
    {
      name: 'POST /api/v1/routing/suggest',
      method: 'POST',
      path: '/api/v1/routing/suggest',
      json: { ...text, regionCode: '330000' },
      test: ['title', 'content', 'regionCode'],
      role: 'supervisor',
    },
    {
      name: 'GET /open311/v2/requests.json (filters)',
      method: 'GET',
      path: '/open311/v2/requests.json',
      query: {
        service_code: sample.categoryCode,
        status: 'open',
        start_date: '2026-01-01T00:00:00Z',
        end_date: '2026-12-31T00:00:00Z',
      },
      test: ['service_code', 'status', 'start_date', 'end_date'],
      anonymous: true,
    },
    {
      name: 'GET /open311/v2/requests.json (ids)',
      method: 'GET',
      path: '/open311/v2/requests.json',
      query: { service_request_id: sample.open311Id ?? 'TS-2026-00000000' },
      test: ['service_request_id'],
      anonymous: true,
    },
    {
      name: 'POST /open311/v2/requests.json',
      method: 'POST',
      path: '/open311/v2/requests.json',
      form: {
        api_key: sample.apiToken ?? 'missing',
        service_code: sample.categoryCode,
        address_string: '杭州市西湖区文三路 1 号',
        description: text.content,
        first_name: '明',
        last_name: '王',
        phone: '13700137000',
      },
      test: ['api_key', 'service_code', 'address_string', 'description', 'first_name', 'last_name', 'phone'],
      anonymous: true,
      note: 'api_key is a real API token (items:write) of the supervisor',
    },
  ];
}

function urlOf(base, t) {
  const qs = new URLSearchParams(t.query ?? {}).toString();
  return `${base}${t.path}${qs ? `?${qs}` : ''}`;
}

/** A request without payload first: the role that may call it, and query values that validate. */
async function baseline(base, sessions, t) {
  if (t.json || t.form) {
    const session = t.anonymous ? undefined : sessions[t.role];
    if (t.form) {
      const r = await fetch(base + t.path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(t.form).toString(),
      });
      return { status: r.status, session };
    }
    return { status: (await call(base, session, t.method, t.path, t.json)).status, session };
  }
  const roles = t.anonymous ? [undefined] : ROLES.map((r) => sessions[r]);
  let last;
  for (const session of roles) {
    for (let attempt = 0; attempt < 20; attempt++) {
      const path = urlOf('', t).replace('*', '');
      const r = await call(base, session, 'GET', path);
      last = { status: r.status, session };
      const field = r.status === 400 ? String(r.json?.field ?? '') : '';
      const name = field.match(/^querystring\.([^.]+)/)?.[1];
      const option = String(r.json?.detail ?? '').match(/expected one of "([^"]+)"/)?.[1];
      if (name && t.query && name in t.query && option && option !== t.query[name]) {
        t.query[name] = option; // an enumeration: take its first value
        continue;
      }
      // An enumeration of the document wider than the route accepts: try its next value.
      const values = name ? (t.enums?.[name] ?? []) : [];
      const next = values[values.indexOf(String(t.query?.[name])) + 1];
      if (name && next !== undefined && values.includes(String(t.query[name]))) {
        t.query[name] = next;
        continue;
      }
      if (name && t.query && name in t.query && t.test.length > 1) {
        t.dropped = [...(t.dropped ?? []), `${name} (sample "${t.query[name]}" rejected: ${r.json?.detail})`];
        delete t.query[name];
        t.test = t.test.filter((p) => p !== name);
        continue;
      }
      break;
    }
    if (last.status < 400 || (last.status !== 401 && last.status !== 403 && last.status !== 404)) return last;
  }
  return last;
}

function parseTraffic(file) {
  const counts = {};
  let total = 0;
  let text = '';
  try {
    text = readFileSync(file, 'latin1');
  } catch {
    return { counts, total };
  }
  for (const m of text.matchAll(/^HTTP response \[#\d+\] \((\d{3})/gm)) {
    counts[m[1]] = (counts[m[1]] ?? 0) + 1;
    total++;
  }
  return { counts, total };
}

const VERDICT =
  /CRITICAL|\[ERROR\]|injectable|identified the following|^Parameter: |^\s+Type: |^\s+Title: |^\s+Payload: |heuristic|false positive|HTTP error codes detected|^\d{3} \(.*\) - \d+ times/;

async function runSqlmap(base, t, b, index) {
  const dir = join(work, `t${index}`);
  mkdirSync(dir, { recursive: true });
  const traffic = join(dir, 'traffic.txt');
  const args = [
    '-u',
    urlOf(base, t),
    '--batch',
    '--level',
    String(cfg.level),
    '--risk',
    String(cfg.risk),
    '--dbms',
    'PostgreSQL',
    '--disable-coloring',
    '--flush-session',
    '--drop-set-cookie',
    '--output-dir',
    join(dir, 'out'),
    '-t',
    traffic,
    '--timeout',
    '30',
    '--retries',
    '1',
  ];
  const headers = ['Accept: application/json'];
  if (b.session) {
    args.push('--cookie', b.session.cookie);
    headers.push(`X-CSRF-Token: ${b.session.csrf}`);
  }
  if (t.json) {
    args.push('--method', t.method, '--data', JSON.stringify(t.json).replace(FULLWIDTH_COMMA, ', '));
    headers.push('Content-Type: application/json');
  } else if (t.form) {
    args.push(
      '--method',
      'POST',
      '--data',
      new URLSearchParams(t.form).toString().replace(FULLWIDTH_COMMA, ', '),
    );
  }
  args.push('--headers', headers.join('\n'));
  if (!t.marker) args.push('-p', t.test.join(','));
  if (t.ignore) args.push('--ignore-code', t.ignore);
  let threads = cfg.threads;
  if (t.limit) {
    if (cfg.rotate) args.push('--tamper', 'xforwardedfor');
    else {
      threads = 1;
      args.push('--delay', String(Math.ceil((60 / t.limit.perMinute) * 10) / 10 + 0.1));
    }
  }
  args.push('--threads', String(threads));
  const t0 = Date.now();
  const output = await new Promise((res) => {
    const child = spawn('sqlmap', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    const timer = setTimeout(() => {
      out += `\n[sqlmap-scan] TIMEOUT after ${cfg.targetTimeout} s: sqlmap stopped\n`;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    }, cfg.targetTimeout * 1000);
    child.on('close', (code) => {
      clearTimeout(timer);
      res({ out, code });
    });
  });
  const seconds = Math.round((Date.now() - t0) / 1000);
  mkdirSync(logDir, { recursive: true });
  const logName = `${String(index).padStart(2, '0')}-${t.name.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '')}.log`;
  writeFileSync(
    join(logDir, logName),
    `$ sqlmap ${args.map((a) => JSON.stringify(a)).join(' ')}\n\n${output.out}`,
  );
  const lines = output.out.split('\n').map((l) => l.replace(/\r/g, ''));
  const verdictLines = lines.filter((l) => VERDICT.test(l) && !l.includes('do you want to'));
  const traffic_ = parseTraffic(traffic);
  const perParam = {};
  for (const l of lines) {
    const clean = l.match(
      /(?:GET|POST|URI|JSON|\(custom\) POST) parameter '([^']+)' does not seem to be injectable/,
    );
    if (clean) perParam[clean[1].replace(/^JSON /, '')] = 'not injectable';
    const hit = l.match(
      /(?:GET|POST|URI|JSON|\(custom\) POST) parameter '([^']+)' (?:appears to be|is) '?([^']*)'? ?(?:injectable|vulnerable)/,
    );
    if (hit) perParam[hit[1].replace(/^JSON /, '')] = `INJECTABLE (${hit[2]})`;
  }
  if (!t.marker) for (const p of t.test) perParam[p] ??= 'no verdict from sqlmap';
  const out = output.out;
  let verdict;
  if (/identified the following injection point|appears to be '.*' injectable|is vulnerable/.test(out))
    verdict = 'INJECTABLE';
  else if (out.includes('[sqlmap-scan] TIMEOUT')) verdict = 'timeout';
  else if (/all tested parameters do not appear to be injectable|does not seem to be injectable/.test(out))
    verdict = 'not injectable';
  else verdict = 'error';
  const limited = traffic_.counts['429'] ?? 0;
  if (verdict === 'not injectable' && limited > 0.05 * traffic_.total)
    verdict = 'inconclusive (rate-limited)';
  return {
    verdict,
    verdictLines,
    perParam,
    traffic: traffic_,
    seconds,
    log: logName,
    sqlmapExit: output.code,
  };
}

function versions() {
  const v = {};
  try {
    v.sqlmap = execFileSync('sqlmap', ['--version'], { encoding: 'utf8' }).split('\n')[0].trim();
  } catch {
    v.sqlmap = '?';
  }
  v.node = process.version;
  v.duban = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
  try {
    v.commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: ROOT,
      encoding: 'utf8',
    }).trim();
    if (dirty) v.commit += ' (with uncommitted changes)';
  } catch {
    v.commit = '?';
  }
  return v;
}

function codes(counts) {
  return (
    Object.entries(counts)
      .sort()
      .map(([c, n]) => `${c}×${n}`)
      .join(' ') || '—'
  );
}

function writeReport({ results, skipped, v, database, error }) {
  const injectable = results.filter((r) => r.verdict === 'INJECTABLE');
  const incomplete = results.filter((r) => r.verdict !== 'INJECTABLE' && r.verdict !== 'not injectable');
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  const md = [];
  md.push('# sqlmap report — Duban', '');
  md.push(`- date: ${new Date(started).toISOString()} · duration: ${minutes} min`);
  md.push(
    `- sqlmap ${v.sqlmap} · Node ${v.node} · Duban ${v.duban} (commit ${v.commit}) · database: ${database}`,
  );
  md.push(
    `- sqlmap options: --level ${cfg.level} --risk ${cfg.risk} --threads ${cfg.threads} --dbms PostgreSQL --batch` +
      (cfg.only ? ` · targets filtered by SQLMAP_ONLY=${cfg.only.source}` : ''),
  );
  md.push(
    cfg.rotate
      ? '- rate limits: the scan instance runs with DUBAN_TRUST_PROXY=127.0.0.1 (the documented behind-a-proxy setting) and sqlmap’s `xforwardedfor` tamper gives each payload request of the rate-limited routes (login 20/min, complaints 20/h per address) its own client address; no production code is changed. 429 answers are counted per target; a target with more than 5 % 429s is reported inconclusive.'
      : '- rate limits: SQLMAP_ROTATE_XFF=0 — the rate-limited routes are scanned with `--delay` and one thread; the complaint route (20/h) will mostly answer 429 and is then reported inconclusive.',
  );
  for (const n of notes) md.push(`- note: ${n}`);
  md.push('');
  if (error) md.push(`**The scan did not complete: ${error}**`, '');
  md.push(
    `**Result: ${injectable.length === 0 ? 'sqlmap found no injectable parameter' : `${injectable.length} target(s) with an INJECTABLE parameter`}` +
      ` in ${results.length} targets` +
      (incomplete.length
        ? `; ${incomplete.length} target(s) not completed (${incomplete.map((r) => r.name).join(', ')})`
        : '') +
      '.**',
    '',
  );
  md.push('| # | endpoint | as | parameters tested | baseline | sqlmap requests (answers) | verdict | s |');
  md.push('| - | - | - | - | - | - | - | - |');
  results.forEach((r, i) => {
    md.push(
      `| ${i + 1} | \`${r.name}\` | ${r.as} | ${r.test.map((p) => `\`${p}\``).join(', ')} | ${r.baseline} | ${r.traffic.total} (${codes(r.traffic.counts)}) | ${r.verdict === 'INJECTABLE' ? '**INJECTABLE**' : r.verdict} | ${r.seconds} |`,
    );
  });
  md.push('');
  md.push(
    'Answers: 2xx means the payload reached the handler and its queries; 400 means request validation (zod) refused the payload before any query ran; 401/403/404 are authorization answers.',
    '',
  );
  if (skipped.length) {
    md.push('## Not scanned', '');
    for (const s of skipped) md.push(`- \`${s.name}\`: ${s.why}`);
    md.push('');
  }
  md.push('## sqlmap verdicts per target', '');
  results.forEach((r, i) => {
    md.push(`### ${i + 1}. ${r.name}`, '');
    md.push(`URL: \`${r.url}\`${r.body ? ` · body: \`${r.body}\`` : ''}`, '');
    if (r.note) md.push(`Note: ${r.note}`, '');
    if (r.dropped)
      md.push(`Parameters left out (the sample value did not validate): ${r.dropped.join('; ')}`, '');
    const pp = Object.entries(r.perParam);
    if (pp.length) md.push(`Per parameter: ${pp.map(([p, s]) => `\`${p}\` ${s}`).join(' · ')}`, '');
    md.push('```', ...r.verdictLines.slice(0, 60), '```', `Full log: sqlmap-logs/${r.log}`, '');
  });
  mkdirSync(resolve(cfg.report, '..'), { recursive: true });
  writeFileSync(cfg.report, `${md.join('\n')}\n`);
  return { injectable, incomplete };
}

async function main() {
  work = mkdtempSync(join(tmpdir(), 'duban-sqlmap-'));
  rmSync(logDir, { recursive: true, force: true });
  const v = versions();
  const password = env.DUBAN_DEMO_PASSWORD ?? `Scan-${randomBytes(9).toString('base64url')}`;
  let base = cfg.url;
  let database = 'PGlite (embedded, fresh temp folder, demo data)';
  if (base) {
    database = `running instance ${base}`;
    if (!env.DUBAN_DEMO_PASSWORD)
      throw new Error('DUBAN_URL needs DUBAN_DEMO_PASSWORD (the demo accounts’ password)');
    notes.push('scanned a running instance (DUBAN_URL): its rate limits apply as configured there');
  } else {
    if (env.DATABASE_URL)
      database = `PostgreSQL server (DATABASE_URL ${env.DATABASE_URL.replace(/\/\/[^@]*@/, '//…@')})`;
    log(`starting Duban (${database}); the demo seeding takes a minute or more…`);
    base = await startDuban(password);
  }
  log(`Duban answers at ${base}; signing in`);
  const sessions = {};
  for (const r of ROLES) sessions[r] = await login(base, r, password);
  const sample = await discoverSamples(base, sessions);
  sample.password = password;
  const doc = (await call(base, sessions.supervisor, 'GET', '/api/v1/openapi.json')).json;
  if (!doc?.paths) throw new Error('could not read /api/v1/openapi.json');
  const skipped = [];
  let targets = [...targetsFromOpenApi(doc, sample, skipped), ...handPicked(sample)];
  if (cfg.only) targets = targets.filter((t) => cfg.only.test(t.name));
  log(`${targets.length} targets; sqlmap level ${cfg.level}, risk ${cfg.risk}, threads ${cfg.threads}`);
  const results = [];
  for (const [i, t] of targets.entries()) {
    const b = await baseline(base, sessions, t);
    // sqlmap compares payload answers with this one: on an error answer its verdict means nothing.
    const res =
      b.status < 400 || String(b.status) === t.ignore
        ? await runSqlmap(base, t, b, i + 1)
        : {
            verdict: `not run: baseline HTTP ${b.status}`,
            verdictLines: [],
            perParam: {},
            traffic: { counts: {}, total: 0 },
            seconds: 0,
            log: '—',
          };
    const r = {
      ...t,
      ...res,
      as: b.session?.username ?? 'anonymous',
      baseline: String(b.status),
      url: urlOf(base, t).replace(base, ''),
      body: t.json ? JSON.stringify(t.json) : t.form ? new URLSearchParams(t.form).toString() : undefined,
    };
    results.push(r);
    log(`${i + 1}/${targets.length} ${t.name}: ${r.verdict} (${r.traffic.total} requests, ${r.seconds} s)`);
  }
  return { results, skipped, v, database };
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    log(`${signal}: stopping Duban and cleaning up`);
    await stopDuban();
    if (work && !cfg.keep) rmSync(work, { recursive: true, force: true });
    process.exit(130);
  });
}

let exitCode = 2;
let outcome;
try {
  outcome = await main();
  const { injectable, incomplete } = writeReport(outcome);
  exitCode = injectable.length > 0 ? 1 : incomplete.length > 0 ? 2 : 0;
  log(
    injectable.length > 0
      ? `INJECTABLE: ${injectable.map((r) => r.name).join(', ')}`
      : `no injectable parameter found${incomplete.length ? `; ${incomplete.length} target(s) incomplete` : ''}`,
  );
  log(`report: ${cfg.report}`);
} catch (err) {
  const message = err instanceof Error ? err.message : String(err);
  log(`scan failed: ${message}`);
  try {
    writeReport({ results: [], skipped: [], v: versions(), database: '?', error: message });
  } catch {
    // the error is already printed
  }
} finally {
  await stopDuban();
  if (work && !cfg.keep) rmSync(work, { recursive: true, force: true });
  else if (work) log(`kept ${work}`);
}
process.exit(exitCode);
