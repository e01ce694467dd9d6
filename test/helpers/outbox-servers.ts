// Several server instances' notifications (their outboxes) on one PostgreSQL, for the tests of what
// instances share: each instance is a createNotify over its own Database, all sending to one fake
// WeChat API. The requests they notify about are on one embedded store that all of them read: the
// applications' own engine is not at issue in these tests.
import type { ExecutionContext } from 'ava';
import path from 'node:path';
import { Store } from '../../src/store/store.js';
import { ApplicationsRepo } from '../../src/store/applications-repo.js';
import { AccountsRepo } from '../../src/store/accounts-repo.js';
import { ApplicationsService } from '../../src/applications/service.js';
import { CalendarSource } from '../../src/applications/calendar-source.js';
import { StaffAccounts } from '../../src/accounts/staff-accounts.js';
import { WechatApiClient } from '../../src/wechat/api-client.js';
import { createNotify, loadNotifyTemplates } from '../../src/notify/index.js';
import type { NotifyRepository } from '../../src/store/notify-repo.js';
import type { Database } from '../../src/store/pg/database.js';
import { PgNotifyRepo } from '../../src/store/pg/notify-repo.js';
import { tempDir } from './temp.js';
import { CREDENTIALS, serveFakeWechat } from './fake-wechat-server.js';
import { idNumber } from './id-number.js';

export async function outboxServers(t: ExecutionContext, startsAt: string) {
  const content = path.resolve(import.meta.dirname, '..', '..', 'data');
  const dir = await tempDir(t);
  const clock = { now: Date.parse(startsAt) };
  const now = () => new Date(clock.now);
  const { fake, baseUrl } = await serveFakeWechat(t, { clock: () => clock.now, prefix: '' });
  const store = await Store.open(dir, now);
  t.teardown(() => store.close());
  const [appsRepo, accountsRepo] = await Promise.all([ApplicationsRepo.open(store), AccountsRepo.open(store)]);
  const calendar = await CalendarSource.open(content, dir);
  const applications = new ApplicationsService(appsRepo, () => calendar.current(), now);
  const accounts = new StaffAccounts(accountsRepo, now);
  const templates = await loadNotifyTemplates(content);
  /** One instance's notifications on `db`; `fetchWith` and `repo` stand in for its network and store. */
  const server = async (db: Database, fetchWith: typeof fetch = fetch, repo?: NotifyRepository) =>
    createNotify({
      repo: repo ?? (await PgNotifyRepo.open(db)),
      applications,
      intents: { pending: (n) => appsRepo.pendingIntents(n), markPlanned: (keys) => appsRepo.markIntentsPlanned(keys) },
      accounts,
      unanswered: async () => [],
      wechat: new WechatApiClient({ baseUrl, ...CREDENTIALS, now: () => clock.now, sleep: async () => {}, retry: { attempts: 1 }, fetch: fetchWith }),
      templates,
      office: { name: '黄石市人民防空办公室', contact: '电话 0714-1234567', supplementPeriodWorkingDays: 15 },
      calendar: () => calendar.current(),
      clock: now,
    });
  /** A request by this WeChat user (a receipt for them and a new-request notice for staff follow). */
  const submit = async (openid: string) =>
    (
      await applications.submit(
        {
          applicant: { type: 'person', name: '张小明', idNumber: idNumber('42010219900101123'), phone: '13812345678', email: 'zhang@example.com' },
          request: { description: '请公开2024年人防工程易地建设费的收取和使用情况' },
          delivery: { form: 'electronic', method: 'email' },
        },
        { channel: 'wechat', openid, by: 'applicant' },
      )
    ).application;
  return { fake, clock, server, submit };
}
