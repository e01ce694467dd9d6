// The deploy files under deploy/ as an operator would install them: the nginx site passes Debian's
// `nginx -t`, and, run for real in front of the server, serves it over HTTPS with the headers
// TRUST_PROXY needs; the systemd unit passes `systemd-analyze verify` and keeps its hardening.
// nginx comes from Debian's package, which `npm test` installs when missing (test/support/).
import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startApp } from './helpers/app.js';
import { tempDir } from './helpers/temp.js';

const NGINX = '/usr/sbin/nginx';
const SITE = 'deploy/nginx/gongkai.conf';
const UNIT = 'deploy/systemd/gongkai.service';

interface Ports {
  http: number;
  https: number;
  upstream: number;
}

/** A self-signed certificate and a main nginx.conf that includes the site, all inside `dir`. */
async function nginxConfig(dir: string, ports?: Ports): Promise<string> {
  const tls = path.join(dir, 'tls');
  await mkdir(tls);
  const openssl = spawnSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-keyout', path.join(tls, 'privkey.pem'), '-out', path.join(tls, 'fullchain.pem'),
  ], { encoding: 'utf8' });
  if (openssl.status !== 0) throw new Error(`openssl failed: ${openssl.stderr}`);

  let site = (await readFile(SITE, 'utf8')).replaceAll('/etc/ssl/gongkai/', `${tls}/`);
  if (ports) {
    site = site
      .replace(/listen \[::\]:\d+[^;]*;\n/g, '')
      .replace(/listen 80;/, `listen 127.0.0.1:${ports.http};`)
      .replace(/listen 443 /, `listen 127.0.0.1:${ports.https} `)
      .replace('server 127.0.0.1:3000;', `server 127.0.0.1:${ports.upstream};`);
  }
  await writeFile(path.join(dir, 'site.conf'), site);
  const temp = (name: string) => `${name}_temp_path ${path.join(dir, name)};`;
  const main = [
    `pid ${path.join(dir, 'nginx.pid')};`,
    `error_log ${path.join(dir, 'error.log')} warn;`,
    'events { worker_connections 64; }',
    'http {',
    `  access_log off;`,
    `  ${temp('client_body')} ${temp('proxy')} ${temp('fastcgi')} ${temp('uwsgi')} ${temp('scgi')}`,
    `  include ${path.join(dir, 'site.conf')};`,
    '}',
  ].join('\n');
  const conf = path.join(dir, 'nginx.conf');
  await writeFile(conf, main);
  return conf;
}

function nginxArgs(dir: string, conf: string): string[] {
  return ['-p', `${dir}/`, '-e', path.join(dir, 'error.log'), '-c', conf];
}

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** An HTTPS request that accepts the test's self-signed certificate. */
function httpsGet(port: number, pathname: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const request = https.get({ host: '127.0.0.1', port, path: pathname, rejectUnauthorized: false, headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body }));
    });
    request.once('error', reject);
  });
}

test('the nginx site passes nginx -t from Debian\'s package', async (t) => {
  const dir = await tempDir(t);
  const conf = await nginxConfig(dir);
  const result = spawnSync(NGINX, ['-t', ...nginxArgs(dir, conf)], { encoding: 'utf8' });
  t.is(result.status, 0, result.stderr);
  t.regex(result.stderr, /syntax is ok/);
  t.regex(result.stderr, /test is successful/);
});

test('the nginx site sets what the server and WeChat need', async (t) => {
  const site = await readFile(SITE, 'utf8');
  t.regex(site, /proxy_set_header X-Forwarded-Proto \$scheme;/);
  t.regex(site, /client_max_body_size \d+[km];/);
  // WeChat gives up after 5 s: the /wechat location must give up before that.
  const wechat = /location = \/wechat \{([^}]*)\}/.exec(site)?.[1] ?? '';
  const seconds = (name: string) => {
    const match = new RegExp(`${name} (\\d+)(ms|s);`).exec(wechat);
    if (!match) return Infinity;
    return Number(match[1]) / (match[2] === 'ms' ? 1000 : 1);
  };
  for (const name of ['proxy_connect_timeout', 'proxy_send_timeout', 'proxy_read_timeout']) {
    t.true(seconds(name) < 5, `${name} in location /wechat is not under 5 s`);
  }
});

test('through nginx: HTTPS to the server, Secure cookies (X-Forwarded-Proto), HTTP redirected, /metrics hidden', async (t) => {
  const app = await startApp(t, { env: { TRUST_PROXY: 'on' } });
  const dir = await tempDir(t);
  const ports = { http: await freePort(), https: await freePort(), upstream: Number(new URL(app.url).port) };
  const conf = await nginxConfig(dir, ports);
  const nginx = spawn(NGINX, [...nginxArgs(dir, conf), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  nginx.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => nginx.once('exit', resolve));
  t.teardown(async () => {
    nginx.kill('SIGTERM');
    await exited;
  });

  let health;
  for (let i = 0; ; i++) {
    try {
      health = await httpsGet(ports.https, '/healthz');
      break;
    } catch (error) {
      if (i > 100 || nginx.exitCode !== null) throw new Error(`nginx did not answer: ${String(error)}\n${stderr}`);
      await sleep(50);
    }
  }
  t.is(health.status, 200);
  t.deepEqual(JSON.parse(health.body), { status: 'ok' });
  t.regex(String(health.headers['strict-transport-security']), /max-age=/);

  // The server marks cookies Secure only when it believes the request came over HTTPS.
  const login = await httpsGet(ports.https, '/admin/login');
  t.is(login.status, 200);
  const cookies = (login.headers['set-cookie'] as string[] | undefined) ?? [];
  t.true(cookies.length > 0);
  for (const cookie of cookies) t.regex(cookie, /;\s*secure/i);

  t.is((await httpsGet(ports.https, '/metrics')).status, 404);

  const plain = await fetch(`http://127.0.0.1:${ports.http}/healthz`, { redirect: 'manual' });
  t.is(plain.status, 301);
  t.regex(plain.headers.get('location') ?? '', /^https:\/\//);
});

test('the systemd unit passes systemd-analyze verify where available, and keeps its hardening', async (t) => {
  const unit = await readFile(UNIT, 'utf8');
  const keys = new Map<string, string>();
  let section = '';
  for (const line of unit.split('\n')) {
    const header = /^\[(\w+)\]$/.exec(line.trim());
    if (header) section = header[1]!;
    const entry = /^(\w+)=(.*)$/.exec(line);
    // Environment= may be given on several lines; systemd joins them.
    if (entry) keys.set(`${section}.${entry[1]}`, [keys.get(`${section}.${entry[1]}`), entry[2]!].filter((v) => v !== undefined).join(' '));
  }
  const expected: Record<string, RegExp> = {
    'Service.User': /^gongkai$/,
    'Service.EnvironmentFile': /^\/etc\/gongkai\/gongkai\.env$/,
    'Service.Restart': /^on-failure$/,
    'Service.ProtectSystem': /^strict$/,
    'Service.ReadWritePaths': /^\/var\/lib\/gongkai$/,
    'Service.StateDirectory': /^gongkai$/,
    'Service.NoNewPrivileges': /^yes$/,
    'Service.PrivateTmp': /^yes$/,
    'Service.ProtectHome': /^yes$/,
    'Service.CapabilityBoundingSet': /^$/,
    'Service.Environment': /DATA_DIR=\/var\/lib\/gongkai\b.*TRUST_PROXY=on|TRUST_PROXY=on.*DATA_DIR=\/var\/lib\/gongkai\b/,
    'Service.ExecStart': /^\/usr\/bin\/node /,
    'Install.WantedBy': /^multi-user\.target$/,
  };
  for (const [key, pattern] of Object.entries(expected)) {
    t.true(keys.has(key), `${key} is missing`);
    t.regex(keys.get(key) ?? '', pattern, key);
  }
  // DATA_DIR must be the one writable path, or every write would fail with EROFS.
  t.regex(keys.get('Service.Environment')!, /HOST=127\.0\.0\.1/);

  if (spawnSync('systemd-analyze', ['--version'], { stdio: 'ignore' }).status !== 0) {
    t.log('systemd-analyze is not installed: checked the unit\'s keys only');
    return;
  }
  const dir = await tempDir(t);
  await writeFile(path.join(dir, 'gongkai.service'), unit);
  const verify = spawnSync('systemd-analyze', ['verify', path.join(dir, 'gongkai.service')], { encoding: 'utf8' });
  t.is(verify.status, 0, verify.stderr);
  // An unknown or misspelt key is only a warning to systemd-analyze, and a silent gap in hardening.
  t.is(verify.stderr.trim(), '', verify.stderr);
});
