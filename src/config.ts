// One typed configuration, read once from the environment at start. Every problem is collected
// and reported together, naming the variable, so an operator fixes them in one pass.
import path from 'node:path';

export type Mode = 'sandbox' | 'production';

export interface Config {
  mode: Mode;
  port: number;
  host: string;
  dataDir: string;
  /** DATABASE_URL: the PostgreSQL engine when set; the embedded store in dataDir when null. */
  databaseUrl: string | null;
  /** Folder of the office's own data (agency.json, guide/, holidays/, menu.json). */
  contentDir: string;
  demoData: boolean;
  wechat: {
    appid: string;
    secret: string | null;
    token: string;
    aesKey: string | null;
    apiBase: string;
  };
  miniProgram: { appid: string; secret: string | null };
  admin: { username: string | null; password: string | null };
  /** The portal's RSS or JSON feed of published items, polled by the feed-import job. */
  feed: { url: string | null; reviewedAtSource: boolean };
  /** Behind a reverse proxy that sets X-Forwarded-Proto/-For (TRUST_PROXY=on). */
  trustProxy: boolean;
  /** A WeCom (企业微信) group robot webhook for staff alerts, or null. */
  wecomRobotWebhook: string | null;
  /** Bearer token that opens GET /metrics to other machines; null: loopback connections only. */
  metricsToken: string | null;
  /**
   * The https address citizens reach the server at (PUBLIC_URL), for the links in their messages
   * (补正 notices, reply letters); null: in sandbox mode the server's own address, otherwise no links.
   */
  publicUrl: string | null;
  logLevel: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: Array<{ variable: string; problem: string }>) {
    super(
      'Invalid configuration:\n' +
        problems.map((p) => `  ${p.variable}: ${p.problem}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

const SANDBOX_TOKEN = 'sandbox-token';
const SANDBOX_APPID = 'wxsandbox0000000';
const SANDBOX_MP_APPID = 'wxsandboxmp00000';
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * Reads the configuration from `env`. `sandboxApiBase` is the in-process fake WeChat API's URL,
 * which only the caller knows once it has chosen the port.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const problems: Array<{ variable: string; problem: string }> = [];
  const fail = (variable: string, problem: string) => problems.push({ variable, problem });
  const text = (name: string): string | null => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? null : value.trim();
  };

  const portText = text('PORT');
  let port = 3000;
  if (portText !== null) {
    port = Number(portText);
    if (!/^\d+$/.test(portText) || port > 65535) {
      fail('PORT', `must be a whole number from 0 to 65535, got "${portText}"`);
    }
  }

  const host = text('HOST') ?? '127.0.0.1';
  if (!/^[\w.:-]+$/.test(host)) fail('HOST', `is not a host name or address: "${host}"`);

  const secret = text('WECHAT_SECRET');
  const mode: Mode = secret === null ? 'sandbox' : 'production';

  const appid = text('WECHAT_APPID') ?? (mode === 'sandbox' ? SANDBOX_APPID : null);
  if (appid === null) fail('WECHAT_APPID', 'is required when WECHAT_SECRET is set');
  else if (!/^wx[0-9a-zA-Z]{14,16}$/.test(appid)) {
    fail('WECHAT_APPID', `must look like wx followed by 16 letters or digits, got "${appid}"`);
  }

  const token = text('WECHAT_TOKEN') ?? (mode === 'sandbox' ? SANDBOX_TOKEN : null);
  if (token === null) fail('WECHAT_TOKEN', 'is required when WECHAT_SECRET is set');
  else if (!/^[A-Za-z0-9]{3,32}$/.test(token) && token !== SANDBOX_TOKEN) {
    // WeChat's console accepts 3–32 letters and digits only.
    fail('WECHAT_TOKEN', 'must be 3 to 32 letters or digits, as the WeChat console requires');
  }

  const aesKey = text('WECHAT_AES_KEY');
  if (aesKey !== null && !/^[A-Za-z0-9+/]{43}$/.test(aesKey)) {
    fail('WECHAT_AES_KEY', 'must be the 43-character EncodingAESKey from the WeChat console');
  }

  const apiBaseText = text('WECHAT_API_BASE');
  let apiBase = apiBaseText ?? (mode === 'sandbox' ? '' : 'https://api.weixin.qq.com');
  if (apiBaseText !== null) {
    try {
      const url = new URL(apiBaseText);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
      apiBase = apiBaseText.replace(/\/+$/, '');
    } catch {
      fail('WECHAT_API_BASE', `must be an http(s) URL, got "${apiBaseText}"`);
    }
  }

  const mpSecret = text('MP_SECRET');
  const mpAppid = text('MP_APPID') ?? (mode === 'sandbox' || mpSecret === null ? SANDBOX_MP_APPID : null);
  if (mpAppid === null) fail('MP_APPID', 'is required when MP_SECRET is set');
  if (mpSecret !== null && text('MP_APPID') === null) fail('MP_APPID', 'is required when MP_SECRET is set');

  const username = text('ADMIN_USERNAME');
  const password = text('ADMIN_PASSWORD');
  if ((username === null) !== (password === null)) {
    fail(username === null ? 'ADMIN_USERNAME' : 'ADMIN_PASSWORD', 'ADMIN_USERNAME and ADMIN_PASSWORD go together');
  }
  if (username !== null && !/^[A-Za-z0-9_.-]{2,32}$/.test(username)) {
    fail('ADMIN_USERNAME', 'must be 2 to 32 letters, digits, dots, dashes or underscores');
  }
  if (password !== null && password.length < 10) {
    fail('ADMIN_PASSWORD', 'must be at least 10 characters long');
  }

  const demoText = text('DEMO_DATA');
  let demoData = mode === 'sandbox';
  if (demoText !== null) {
    if (demoText !== 'on' && demoText !== 'off') fail('DEMO_DATA', `must be "on" or "off", got "${demoText}"`);
    demoData = demoText === 'on';
  }

  const wecom = text('WECOM_ROBOT_WEBHOOK');
  if (wecom !== null && !/^https:\/\/[\w.-]+\/\S+$/.test(wecom)) {
    fail('WECOM_ROBOT_WEBHOOK', 'must be the https URL of a WeCom group robot');
  }

  const feedUrl = text('FEED_URL');
  if (feedUrl !== null && !/^https?:\/\/\S+$/.test(feedUrl)) fail('FEED_URL', `must be an http(s) URL, got "${feedUrl}"`);
  const reviewedText = text('FEED_REVIEWED_AT_SOURCE');
  if (reviewedText !== null && reviewedText !== 'on' && reviewedText !== 'off') {
    fail('FEED_REVIEWED_AT_SOURCE', `must be "on" or "off", got "${reviewedText}"`);
  }

  const proxyText = text('TRUST_PROXY');
  if (proxyText !== null && proxyText !== 'on' && proxyText !== 'off') fail('TRUST_PROXY', `must be "on" or "off", got "${proxyText}"`);

  const metricsToken = text('METRICS_TOKEN');
  // A guessable token would open the metrics to anyone; the characters are those a bearer token may hold.
  if (metricsToken !== null && !/^[A-Za-z0-9._~+/=-]{16,256}$/.test(metricsToken)) {
    fail('METRICS_TOKEN', 'must be 16 to 256 letters, digits or ._~+/=- (e.g. the output of `openssl rand -hex 24`)');
  }

  const publicUrl = text('PUBLIC_URL');
  if (publicUrl !== null && !/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(publicUrl)) {
    fail('PUBLIC_URL', `must be the http(s) address the server is reached at, without query or fragment, e.g. https://gongkai.example.gov.cn, got "${publicUrl}"`);
  }

  // postgres://user[:password]@host[:port]/database[?options]: the PostgreSQL engine; unset, the
  // embedded store in DATA_DIR (src/store/repositories.ts).
  const databaseUrl = text('DATABASE_URL');
  if (databaseUrl !== null && !/^postgres(ql)?:\/\/[^\s/]*\/[^\s/?]+(\?\S*)?$/.test(databaseUrl)) {
    fail('DATABASE_URL', `must be a PostgreSQL address with its database, e.g. postgres://gongkai@127.0.0.1:5432/gongkai, got "${maskPassword(databaseUrl)}"`);
  }

  const logLevel = text('LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) fail('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);

  if (problems.length > 0) throw new ConfigError(problems);

  return {
    mode,
    port,
    host,
    dataDir: path.resolve(cwd, text('DATA_DIR') ?? 'data/runtime'),
    databaseUrl,
    contentDir: path.resolve(cwd, text('CONTENT_DIR') ?? 'data'),
    demoData,
    wechat: { appid: appid!, secret, token: token!, aesKey, apiBase },
    miniProgram: { appid: mpAppid!, secret: mpSecret },
    admin: { username, password },
    feed: { url: feedUrl, reviewedAtSource: reviewedText === 'on' },
    trustProxy: proxyText === 'on',
    wecomRobotWebhook: wecom,
    metricsToken,
    publicUrl: publicUrl === null ? null : publicUrl.replace(/\/+$/, ''),
    logLevel,
  };
}

/**
 * What an operator should hear at every start of a production server whose settings leave a door
 * open (README, "Security"). Sandbox mode says nothing here: it is not for real requests anyway.
 */
export function securityWarnings(config: Config): string[] {
  if (config.mode !== 'production') return [];
  const warnings: string[] = [];
  if (!config.wechat.aesKey) {
    warnings.push(
      'WECHAT_AES_KEY is not set: WeChat pushes arrive in plain mode, where the body is not signed. ' +
        'Switch the official account to safe mode (安全模式) and set WECHAT_AES_KEY.',
    );
  }
  if (!config.trustProxy) {
    warnings.push(
      'TRUST_PROXY is off: the console cookie is not marked Secure and every login seems to come from the proxy\'s address. ' +
        'Serve the site over HTTPS through a reverse proxy that sets X-Forwarded-Proto/-For, and set TRUST_PROXY=on.',
    );
  }
  return warnings;
}

/** A database address fit for a log line or an error: its password, if any, replaced by ***. */
export function maskPassword(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@\s]*:)[^@\s]*@/, '$1***@');
}
