// Found by the hostile-input suite (hostile.suite.ts): a signature parameter given twice reaches the
// signature check as an array, and the check throws (500) instead of refusing the request.
import test from 'ava';
import { createHash } from 'node:crypto';
import { startApp } from '../helpers/app.js';
import { TOKEN, textXml } from '../helpers/wechat-client.js';

function signedQuery(): URLSearchParams {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = 'n0nce42';
  const signature = createHash('sha1').update([TOKEN, timestamp, nonce].sort().join('')).digest('hex');
  return new URLSearchParams({ signature, timestamp, nonce });
}

for (const method of ['GET', 'POST'] as const) {
  for (const name of ['signature', 'timestamp', 'nonce']) {
    test(`${method} /wechat with "${name}" given twice is refused with a 4xx`, async (t) => {
      const app = await startApp(t);
      const query = signedQuery();
      query.append(name, query.get(name)!);
      query.set('echostr', 'echo');
      const response = await fetch(`${app.url}/wechat?${query}`, {
        method,
        ...(method === 'POST' ? { headers: { 'Content-Type': 'text/xml' }, body: textXml('o-twice', '帮助', '7500000000000000001') } : {}),
      });
      t.true(response.status >= 400 && response.status < 500, `answered ${response.status}: ${await response.text()}`);
    });
  }
}
