import test from 'ava';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { createJobs, DEFAULT_SCHEDULES, type JobsDeps } from '../src/jobs/jobs.js';
import { Store } from '../src/store/store.js';
import { backupStore } from '../src/store/open-all.js';
import { tempDir } from './helpers/temp.js';

/** Job bodies that record their calls and can be held open, to see what overlaps. */
function recorder() {
  const calls: string[] = [];
  const gates = new Map<string, () => void>();
  const body = (name: string) => async () => {
    calls.push(name);
    await new Promise<void>((resolve) => (gates.has(name) ? gates.set(name, resolve) : resolve()));
    return { ran: name };
  };
  const hold = (name: string) => gates.set(name, () => {});
  const release = (name: string) => {
    const open = gates.get(name);
    gates.delete(name);
    open?.();
  };
  const notify: JobsDeps['notify'] = {
    runOutbox: body('outbox'),
    runDeadlineReminders: body('deadline-reminders'),
    runUnansweredDigest: body('unanswered-digest'),
  };
  return { calls, hold, release, notify, body };
}

test('the jobs the staff API can run, by their public names, each run on demand', async (t) => {
  const r = recorder();
  const jobs = createJobs({ notify: r.notify, store: { backup: async () => '/backups/x' }, extra: [{ name: 'push-new-items', cron: '0 9 * * *', run: r.body('push-new-items') }] });
  t.deepEqual(jobs.jobs.map((j) => j.name), ['outbox', 'deadline-reminders', 'unanswered-digest', 'backup', 'push-new-items']);
  t.deepEqual(await jobs.find('outbox')!.run(), { ran: 'outbox' });
  t.deepEqual(await jobs.find('deadline-reminders')!.run(), { ran: 'deadline-reminders' });
  t.deepEqual(await jobs.find('backup')!.run(), { folder: '/backups/x' });
  t.deepEqual(await jobs.find('push-new-items')!.run(), { ran: 'push-new-items' });
  t.deepEqual(r.calls, ['outbox', 'deadline-reminders', 'push-new-items']);
  t.is(jobs.find('feed-import'), undefined);
});

test('schedules: defaults, overrides, and refusals of bad or duplicate definitions', (t) => {
  const r = recorder();
  const store = { backup: async () => '' };
  const jobs = createJobs({ notify: r.notify, store, schedules: { outbox: '*/2 * * * *' } });
  t.deepEqual(jobs.find('outbox')!.cron, ['*/2 * * * *']);
  t.deepEqual(jobs.find('deadline-reminders')!.cron, [DEFAULT_SCHEDULES['deadline-reminders']]);
  const twice = createJobs({ notify: r.notify, store, extra: [{ name: 'push-new-items', cron: ['0 9 * * *', '0 17 * * *'], run: async () => 0 }] });
  t.deepEqual(twice.find('push-new-items')!.cron, ['0 9 * * *', '0 17 * * *']);
  t.throws(() => createJobs({ notify: r.notify, store, schedules: { backup: '61 * * * *' } }), { message: 'job backup: "61 * * * *" is not a valid cron expression' });
  t.throws(() => createJobs({ notify: r.notify, store, extra: [{ name: 'outbox', cron: '* * * * *', run: async () => 0 }] }), { message: 'job outbox is defined twice' });
});

test('the morning jobs are scheduled in China time', async (t) => {
  const r = recorder();
  const jobs = createJobs({ notify: r.notify, store: { backup: async () => '' } });
  t.is(jobs.find('deadline-reminders')!.nextRun(), null, 'not scheduled before start');
  jobs.start();
  t.teardown(() => jobs.stop());
  const reminders = jobs.find('deadline-reminders')!.nextRun()!;
  // 08:00 in Shanghai is 00:00 UTC, whatever the server's own time zone.
  t.is(reminders.toISOString().slice(11), '00:00:00.000Z');
  t.is(jobs.find('backup')!.nextRun()!.toISOString().slice(11), '18:30:00.000Z');
  t.is(jobs.find('outbox')!.nextRun()!.getUTCSeconds(), 0);
});

test('a run on demand while the same job runs joins it instead of running twice', async (t) => {
  const r = recorder();
  const jobs = createJobs({ notify: r.notify, store: { backup: async () => '' } });
  r.hold('deadline-reminders');
  const first = jobs.find('deadline-reminders')!.run();
  const second = jobs.find('deadline-reminders')!.run();
  await new Promise((resolve) => setImmediate(resolve));
  r.release('deadline-reminders');
  t.deepEqual(await Promise.all([first, second]), [{ ran: 'deadline-reminders' }, { ran: 'deadline-reminders' }]);
  t.deepEqual(r.calls, ['deadline-reminders']);
  // Other jobs are independent of it.
  await jobs.find('outbox')!.run();
  t.deepEqual(r.calls, ['deadline-reminders', 'outbox']);
});

test('stop waits for a running job to finish', async (t) => {
  const r = recorder();
  const jobs = createJobs({ notify: r.notify, store: { backup: async () => '' } });
  jobs.start();
  r.hold('outbox');
  const running = jobs.find('outbox')!.run();
  let stopped = false;
  const stopping = jobs.stop().then(() => (stopped = true));
  await new Promise((resolve) => setImmediate(resolve));
  t.false(stopped);
  r.release('outbox');
  await stopping;
  t.true(stopped);
  t.deepEqual(await running, { ran: 'outbox' });
});

test('a failing job reports its error to the caller of run', async (t) => {
  const jobs = createJobs({
    notify: { runOutbox: async () => Promise.reject(new Error('WeChat is down')), runDeadlineReminders: async () => 0, runUnansweredDigest: async () => 0 },
    store: { backup: async () => '' },
  });
  await t.throwsAsync(jobs.find('outbox')!.run(), { message: 'WeChat is down' });
});

test('the backup job writes a copy of the store', async (t) => {
  const dir = await tempDir(t);
  const store = await Store.open(dir, () => new Date('2025-09-01T18:30:00Z'));
  t.teardown(() => store.close());
  const file = await store.file<{ n: number }>({ name: 'sample', version: 1, defaults: () => ({ n: 1 }) });
  await file.update((d) => void (d.n = 2));
  const r = recorder();
  const jobs = createJobs({ notify: r.notify, store: { backup: () => backupStore(store, new Date('2025-09-01T18:30:00Z')) } });
  const { folder } = (await jobs.find('backup')!.run()) as { folder: string };
  t.is(folder, path.join(dir, 'backups', '20250901T183000'));
  await t.notThrowsAsync(access(path.join(folder, 'sample.json')));
});
