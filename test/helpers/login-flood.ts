// A login flood from another process (so the test's own event loop stays free to measure): keeps
// `concurrency` logins in flight against `url` for `ms` milliseconds, each from its own made-up
// address (X-Forwarded-For, for a server with TRUST_PROXY=on) and name, so no per-address or
// per-name limit stops it and only the cap on password hashing is left. Prints "flooding" once the
// first wave is out, and a JSON summary of the statuses at the end.
const [url, concurrencyText, msText] = process.argv.slice(2);
const concurrency = Number(concurrencyText);
const until = Date.now() + Number(msText);
const statuses: Record<string, number> = {};
let n = 0;

async function worker(): Promise<void> {
  while (Date.now() < until) {
    const i = n++;
    const address = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    try {
      const response = await fetch(`${url}/admin/v1/session`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': address },
        body: JSON.stringify({ username: `flood-${i}`, password: `not-a-password-${i}` }),
      });
      await response.arrayBuffer();
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
    } catch {
      statuses.error = (statuses.error ?? 0) + 1;
    }
  }
}

const workers = Array.from({ length: concurrency }, () => worker());
setTimeout(() => process.stdout.write('flooding\n'), 200);
await Promise.all(workers);
process.stdout.write(`${JSON.stringify({ sent: n, statuses })}\n`);
