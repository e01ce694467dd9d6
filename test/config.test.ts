import test from 'ava';
import { loadConfig, ConfigError } from '../src/config.js';

test('no WeChat secret: sandbox mode with the documented defaults', (t) => {
  const config = loadConfig({}, '/srv/gongkai');
  t.is(config.mode, 'sandbox');
  t.is(config.port, 3000);
  t.is(config.host, '127.0.0.1');
  t.is(config.dataDir, '/srv/gongkai/data/runtime');
  t.is(config.wechat.token, 'sandbox-token');
  t.is(config.wechat.appid, 'wxsandbox0000000');
  t.is(config.wechat.aesKey, null);
  t.true(config.demoData);
});

test('a secret switches to production; DEMO_DATA defaults to off there', (t) => {
  const config = loadConfig(
    { WECHAT_SECRET: 's3cret', WECHAT_APPID: 'wx1234567890abcdef', WECHAT_TOKEN: 'Tok3n', PORT: '8080', DATA_DIR: '/var/lib/gk' },
    '/srv',
  );
  t.is(config.mode, 'production');
  t.is(config.port, 8080);
  t.is(config.dataDir, '/var/lib/gk');
  t.is(config.wechat.apiBase, 'https://api.weixin.qq.com');
  t.false(config.demoData);
});

const AES = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const invalid: Array<[string, NodeJS.ProcessEnv, string, RegExp]> = [
  ['port not a number', { PORT: 'eighty' }, 'PORT', /whole number/],
  ['port too large', { PORT: '70000' }, 'PORT', /0 to 65535/],
  ['bad host', { HOST: 'local host' }, 'HOST', /not a host/],
  ['production without appid', { WECHAT_SECRET: 'x', WECHAT_TOKEN: 'abc' }, 'WECHAT_APPID', /required/],
  ['production without token', { WECHAT_SECRET: 'x', WECHAT_APPID: 'wx1234567890abcdef' }, 'WECHAT_TOKEN', /required/],
  ['malformed appid', { WECHAT_APPID: 'app1' }, 'WECHAT_APPID', /wx followed by/],
  ['token with symbols', { WECHAT_TOKEN: 'to ken!' }, 'WECHAT_TOKEN', /3 to 32 letters/],
  ['short AES key', { WECHAT_AES_KEY: AES.slice(1) }, 'WECHAT_AES_KEY', /43-character/],
  ['API base not a URL', { WECHAT_API_BASE: 'api.weixin' }, 'WECHAT_API_BASE', /http\(s\) URL/],
  ['MP secret without appid', { MP_SECRET: 'x' }, 'MP_APPID', /required/],
  ['admin user without password', { ADMIN_USERNAME: 'admin' }, 'ADMIN_PASSWORD', /go together/],
  ['short admin password', { ADMIN_USERNAME: 'admin', ADMIN_PASSWORD: 'short' }, 'ADMIN_PASSWORD', /at least 10/],
  ['DEMO_DATA not on/off', { DEMO_DATA: 'yes' }, 'DEMO_DATA', /"on" or "off"/],
];
for (const [label, env, variable, problem] of invalid) {
  test(`invalid config is refused, naming the variable: ${label}`, (t) => {
    const error = t.throws(() => loadConfig(env), { instanceOf: ConfigError })!;
    const found = error.problems.find((p) => p.variable === variable);
    t.truthy(found, `expected a problem for ${variable}, got ${JSON.stringify(error.problems)}`);
    t.regex(found!.problem, problem);
    t.true(error.message.includes(variable));
  });
}

test('several problems are reported together', (t) => {
  const error = t.throws(() => loadConfig({ PORT: 'x', DEMO_DATA: 'maybe', WECHAT_AES_KEY: 'short' }), { instanceOf: ConfigError })!;
  t.deepEqual(error.problems.map((p) => p.variable).sort(), ['DEMO_DATA', 'PORT', 'WECHAT_AES_KEY']);
});

test('a valid AES key turns on safe mode', (t) => {
  t.is(loadConfig({ WECHAT_AES_KEY: AES }).wechat.aesKey, AES);
});
