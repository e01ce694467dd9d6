import test, { type ExecutionContext } from 'ava';
import { Store } from '../src/store/store.js';
import { AccountsRepo } from '../src/store/accounts-repo.js';
import { NotifyRepo } from '../src/store/notify-repo.js';
import { StaffAccounts } from '../src/accounts/staff-accounts.js';
import { StaffBinding } from '../src/notify/staff-binding.js';
import { tempDir } from './helpers/temp.js';

async function setup(t: ExecutionContext) {
  const dir = await tempDir(t);
  const clock = { now: Date.parse('2025-09-01T01:00:00Z') };
  const now = () => new Date(clock.now);
  const store = await Store.open(dir, now);
  t.teardown(() => store.close());
  const accounts = new StaffAccounts(await AccountsRepo.open(store), now);
  for (const username of ['handler1', 'handler2']) await accounts.createUser('system', { username, password: 'a-long-password', roles: ['handler'] });
  const repo = await NotifyRepo.open(store);
  const binding = new StaffBinding(repo, accounts, now);
  const boundTo = async (openid: string) => (await accounts.staffWithWechat()).find((s) => s.openid === openid)?.username ?? null;
  return { clock, accounts, repo, binding, boundTo, dir };
}

test('a staff member binds their WeChat by sending the code the console showed', async (t) => {
  const h = await setup(t);
  const { code, expiresAt } = await h.binding.issueCode('handler1');
  t.regex(code, /^\d{6}$/);
  t.is(expiresAt, '2025-09-01T01:10:00.000Z');
  const answer = await h.binding.handleBindingMessage('o_staff1', `绑定 ${code}`);
  t.regex(answer!, /^绑定成功：工作账号 handler1 将通过本公众号接收/);
  t.is(await h.boundTo('o_staff1'), 'handler1');
  // The code is single use.
  t.is(await h.binding.handleBindingMessage('o_other', `绑定 ${code}`), '绑定码不正确或已过期，请在工作台重新获取');
  t.is(await h.boundTo('o_other'), null);
});

for (const text of ['绑定123456', '绑定：123456', ' 绑定 １２３４５６ ', '绑定:123456']) {
  test(`"${text}" is understood as a binding message`, async (t) => {
    const h = await setup(t);
    await h.repo.putBindingCode({ code: '123456', username: 'handler2', expiresAt: '2025-09-01T01:10:00.000Z' }, '2025-09-01T01:00:00.000Z');
    t.regex((await h.binding.handleBindingMessage('o_x', text))!, /^绑定成功/);
    t.is(await h.boundTo('o_x'), 'handler2');
  });
}

test('other messages are not binding messages, and a malformed attempt gets the instructions', async (t) => {
  const h = await setup(t);
  for (const text of ['我要申请', '绑定手机号', '123456', '查询进度 2025-000001']) t.is(await h.binding.handleBindingMessage('o_x', text), null, text);
  t.is(await h.binding.handleBindingMessage('o_x', '绑定 12345'), '请发送“绑定”加工作台显示的 6 位数字，例如：绑定 123456');
});

test('an expired code is refused', async (t) => {
  const h = await setup(t);
  const { code } = await h.binding.issueCode('handler1');
  h.clock.now += 10 * 60_000;
  t.is(await h.binding.handleBindingMessage('o_staff1', `绑定 ${code}`), '绑定码不正确或已过期，请在工作台重新获取');
  t.is(await h.boundTo('o_staff1'), null);
});

test('a new code replaces the earlier one of the same staff member', async (t) => {
  const h = await setup(t);
  const first = await h.binding.issueCode('handler1');
  const second = await h.binding.issueCode('handler1');
  const other = await h.binding.issueCode('handler2');
  t.not(first.code, second.code);
  t.is(await h.repo.bindingCode(first.code), undefined);
  t.like(await h.repo.bindingCode(second.code), { username: 'handler1' });
  t.like(await h.repo.bindingCode(other.code), { username: 'handler2' });
});

test('five wrong codes in an hour lock the sender out for the rest of the hour', async (t) => {
  const h = await setup(t);
  const { code } = await h.binding.issueCode('handler1');
  const wrong = code === '000000' ? '000001' : '000000';
  for (let i = 0; i < 5; i++) await h.binding.handleBindingMessage('o_guesser', `绑定 ${wrong}`);
  t.is(await h.binding.handleBindingMessage('o_guesser', `绑定 ${code}`), '绑定码错误次数过多，请一小时后再试');
  t.is(await h.boundTo('o_guesser'), null);
  // Someone else is not affected, and after the hour the guesser may try again.
  h.clock.now += 3_600_000;
  const fresh = await h.binding.issueCode('handler1');
  t.regex((await h.binding.handleBindingMessage('o_guesser', `绑定 ${fresh.code}`))!, /^绑定成功/);
  t.is(await h.repo.bindingFailures('o_guesser'), undefined);
});

test('one WeChat per staff member: binding another account moves it; 解除绑定 removes it', async (t) => {
  const h = await setup(t);
  await h.binding.handleBindingMessage('o_shared', `绑定 ${(await h.binding.issueCode('handler1')).code}`);
  await h.binding.handleBindingMessage('o_shared', `绑定 ${(await h.binding.issueCode('handler2')).code}`);
  t.deepEqual((await h.accounts.staffWithWechat()).map((s) => [s.username, s.openid]), [['handler2', 'o_shared']]);
  t.is(await h.binding.handleBindingMessage('o_shared', '解除绑定'), '已解除绑定：工作账号 handler2 不再通过本微信接收工作提醒。');
  t.deepEqual(await h.accounts.staffWithWechat(), []);
  t.is(await h.binding.handleBindingMessage('o_shared', '解绑'), '您的微信没有绑定工作账号，无需解除。');
});

test('codes survive a restart (they are in the notify file)', async (t) => {
  const h = await setup(t);
  const { code } = await h.binding.issueCode('handler1');
  const reopened = await Store.open(h.dir);
  t.teardown(() => reopened.close());
  const repo = await NotifyRepo.open(reopened);
  t.like(await repo.bindingCode(code), { username: 'handler1' });
});
