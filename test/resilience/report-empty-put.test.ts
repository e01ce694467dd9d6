// Found by the hostile-input suite (hostile.suite.ts): a PUT without a body is read as {} and
// erases what staff typed — the report's texts, or its entered figures — with a 200. The carry-
// forward route already refuses it (clearing takes an explicit null); the other two should too.
import test from 'ava';
import { startApp, staffLogin } from '../helpers/app.js';

const FILLED = {
  texts: { overview: '本年度概述', problems: '存在的问题', otherMatters: '其他事项' },
  entered: { feesCollected: 12 },
};

for (const [part, filled] of Object.entries(FILLED)) {
  test(`PUT /admin/v1/reports/annual/:year/${part} without a body is refused and erases nothing`, async (t) => {
    const app = await startApp(t);
    const auth = await staffLogin(app.url);
    const url = `${app.url}/admin/v1/reports/annual/2025/${part}`;
    const put = (body?: string) => fetch(url, { method: 'PUT', headers: { ...auth, 'Content-Type': 'application/json' }, body });
    t.is((await put(JSON.stringify(filled))).status, 200);
    const empty = await put();
    t.is(empty.status, 400, await empty.text());
    const inputs = await fetch(`${app.url}/admin/v1/reports/annual/2025/inputs`, { headers: auth }).then((r) => r.json() as Promise<Record<string, unknown>>);
    t.like(inputs[part], filled);
  });
}
