// The three-level review (先审后发、分级审核): the rules as a table, then the staff API over HTTP.
import test from 'ava';
import { decide, stateOf, type Actor, type ReviewCommand } from '../src/catalog/review.js';
import type { ItemEvent } from '../src/catalog/types.js';
import { DomainError } from '../src/domain/errors.js';
import { catalogApp } from './fixtures/catalog-app.js';

const people: Record<string, Actor> = {
  clerk: { username: 'clerk', roles: ['submitter'] },
  secrecy: { username: 'secrecy', roles: ['reviewer'] },
  secrecy2: { username: 'secrecy2', roles: ['reviewer'] },
  chief: { username: 'chief', roles: ['leader'] },
  both: { username: 'both', roles: ['reviewer', 'leader'] },
  // A small office: one person drafts and submits, and also holds a review role.
  clerkReviewer: { username: 'clerkReviewer', roles: ['submitter', 'reviewer'] },
  clerkLeader: { username: 'clerkLeader', roles: ['submitter', 'leader'] },
  admin: { username: 'admin', roles: ['admin'] },
};

type Step = [who: keyof typeof people, command: ReviewCommand];
const submit: ReviewCommand = { type: 'submit' };
const approve: ReviewCommand = { type: 'approve' };
const reject = (reason: string): ReviewCommand => ({ type: 'reject', reason });

/** Plays the steps on a fresh draft; the last step's outcome is a state or a DomainError code. */
function play(steps: Step[]): { state: string; published: boolean } | { error: string } {
  const events: ItemEvent[] = [{ type: 'create', at: '2026-05-11T01:00:00Z', by: 'clerk', source: 'staff' }];
  let published = false;
  for (const [i, [who, command]] of steps.entries()) {
    try {
      const decision = decide(events, command, people[who]!, `2026-05-11T0${i + 2}:00:00Z`);
      events.push(...decision.events);
      if (decision.publish) {
        events.push({ type: 'publish', at: 'x', by: who, on: '2026-05-11', seq: 1, basis: 'review' });
        published = true;
      }
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      if (i < steps.length - 1) throw new Error(`step ${i} failed early: ${error.message}`);
      return { error: error.code };
    }
  }
  return { state: stateOf(events), published };
}

const TABLE: Array<[string, Step[], string, boolean?]> = [
  ['the submitting section signs off a draft', [['clerk', submit]], 'confidentiality-review'],
  ['the confidentiality group approves', [['clerk', submit], ['secrecy', approve]], 'leader-review'],
  ['the leader in charge approves: published', [['clerk', submit], ['secrecy', approve], ['chief', approve]], 'published', true],
  ['a leader cannot stand in for the confidentiality review', [['clerk', submit], ['chief', approve]], 'forbidden'],
  ['a reviewer cannot give the leader approval', [['clerk', submit], ['secrecy', approve], ['secrecy2', approve]], 'forbidden'],
  ['the submitter cannot approve', [['clerk', submit], ['clerk', approve]], 'forbidden'],
  ['a reviewer who submitted the item cannot approve it', [['clerkReviewer', submit], ['clerkReviewer', approve]], 'forbidden'],
  ['someone else submitted: the submitting leader gives the final approval', [['clerkReviewer', submit], ['secrecy', approve], ['clerkLeader', approve]], 'published', true],
  ['a leader who submitted the item cannot give the final approval', [['clerkLeader', submit], ['secrecy', approve], ['clerkLeader', approve]], 'forbidden'],
  ['the submitter-reviewer may still return their own item', [['clerkReviewer', submit], ['clerkReviewer', reject('文号有误')]], 'returned'],
  ['another reviewer approves what the submitter-reviewer sent', [['clerkReviewer', submit], ['secrecy', approve]], 'leader-review'],
  ['the submitter-reviewer reviews what someone else submitted', [['clerk', submit], ['clerkReviewer', approve]], 'leader-review'],
  ['only the submitting section submits', [['secrecy', submit]], 'forbidden'],
  ['the admin drafts but does not sign off', [['admin', submit]], 'forbidden'],
  ['a draft cannot be approved before it is submitted', [['secrecy', approve]], 'invalid-transition'],
  ['an item under review cannot be submitted again', [['clerk', submit], ['clerk', submit]], 'invalid-transition'],
  ['one person cannot approve the same item twice', [['clerk', submit], ['both', approve], ['both', approve]], 'conflict'],
  ['someone else gives the second approval', [['clerk', submit], ['both', approve], ['chief', approve]], 'published', true],
  ['a return needs a reason', [['clerk', submit], ['secrecy', reject('  ')]], 'validation'],
  ['the confidentiality group returns it', [['clerk', submit], ['secrecy', reject('含有内部人员电话')]], 'returned'],
  ['the leader returns it', [['clerk', submit], ['secrecy', approve], ['chief', reject('数据需核实')]], 'returned'],
  ['a leader cannot return at the confidentiality stage', [['clerk', submit], ['chief', reject('不行')]], 'forbidden'],
  ['a returned item is corrected and submitted again', [['clerk', submit], ['secrecy', reject('删去电话')], ['clerk', submit]], 'confidentiality-review'],
  [
    'in a new round the same reviewer may approve again',
    [['clerk', submit], ['secrecy', approve], ['chief', reject('数据需核实')], ['clerk', submit], ['secrecy', approve], ['chief', approve]],
    'published',
    true,
  ],
  ['a returned item cannot be approved', [['clerk', submit], ['secrecy', reject('删去电话')], ['secrecy', approve]], 'invalid-transition'],
  ['a published item is not reviewed again', [['clerk', submit], ['secrecy', approve], ['chief', approve], ['chief', approve]], 'invalid-transition'],
];

for (const [title, steps, expected, published] of TABLE) {
  test(`review rule: ${title}`, (t) => {
    const outcome = play(steps);
    if ('error' in outcome) t.is(outcome.error, expected);
    else {
      t.is(outcome.state, expected);
      t.is(outcome.published, published ?? false);
    }
  });
}

test('draft → three levels → published, each step with its reviewer, role and time; only then public', async (t) => {
  const { as, anonymous } = await catalogApp(t);
  const [clerk, secrecy, chief] = await Promise.all([as('clerk'), as('secrecy'), as('chief')]);

  const draft = await clerk('POST', '/admin/v1/catalog/items', {
    title: '2026年部门预算公开',
    category: 'budgets',
    summary: '市人防办2026年部门预算及说明',
    url: 'http://rfb.huangshi.gov.cn/xxgk/2026ys.html',
    documentNumber: '黄人防〔2026〕3号',
  });
  t.is(draft.status, 201);
  t.is(draft.body.state, 'draft');
  t.regex(draft.body.indexNo, /^市人防办-\d{4}-00001$/);
  t.true(draft.body.id.length >= 16, 'ids are not guessable');
  const id = draft.body.id;

  const publicBefore = await anonymous('GET', '/mp/v1/catalog');
  t.is(publicBefore.body.total, 0, 'a draft is not public');
  t.is((await anonymous('GET', `/mp/v1/catalog/${id}`)).status, 404);

  t.is((await clerk('POST', `/admin/v1/catalog/items/${id}/events`, { type: 'submit' })).body.state, 'confidentiality-review');
  const queue = await secrecy('GET', '/admin/v1/catalog/items?state=confidentiality-review');
  t.deepEqual(queue.body.items.map((i: any) => i.id), [id]);
  t.is((await secrecy('POST', `/admin/v1/catalog/items/${id}/events`, { type: 'approve' })).body.state, 'leader-review');
  t.is((await anonymous('GET', '/mp/v1/catalog')).body.total, 0, 'not public before the leader approves');

  const done = await chief('POST', `/admin/v1/catalog/items/${id}/events`, { type: 'approve' });
  t.is(done.status, 200);
  t.is(done.body.state, 'published');
  t.regex(done.body.publishedOn, /^\d{4}-\d{2}-\d{2}$/);
  t.deepEqual(
    done.body.reviews.map((r: any) => [r.stage, r.decision, r.by, r.role]),
    [
      ['submit', 'submitted', 'clerk', 'submitter'],
      ['confidentiality', 'approved', 'secrecy', 'reviewer'],
      ['leader', 'approved', 'chief', 'leader'],
    ],
  );
  for (const review of done.body.reviews) t.false(Number.isNaN(Date.parse(review.at)));

  const publicAfter = await anonymous('GET', '/mp/v1/catalog');
  t.is(publicAfter.body.total, 1);
  t.like(publicAfter.body.items[0], { id, title: '2026年部门预算公开', category: 'budgets', categoryName: '财政预决算', documentNumber: '黄人防〔2026〕3号' });
  t.is(publicAfter.body.items[0].events, undefined, 'the public does not see the review trail');
  t.is((await anonymous('GET', `/mp/v1/catalog/${id}`)).status, 200);
});

test('a return sends the item back with the reason; it is corrected and goes round again', async (t) => {
  const { as, anonymous } = await catalogApp(t);
  const [clerk, secrecy, chief] = await Promise.all([as('clerk'), as('secrecy'), as('chief')]);
  const { body: draft } = await clerk('POST', '/admin/v1/catalog/items', { title: '人防工程审批结果', category: 'licensing', summary: '联系人 张三 13800138000' });
  const events = (type: string, who = clerk, reason?: string) => who('POST', `/admin/v1/catalog/items/${draft.id}/events`, { type, reason });

  await events('submit');
  const noReason = await events('reject', secrecy);
  t.is(noReason.status, 400);
  t.truthy(noReason.body.error.fields.reason);

  const returned = await events('reject', secrecy, '摘要含个人电话，请删除');
  t.is(returned.body.state, 'returned');
  t.is(returned.body.returnedReason, '摘要含个人电话，请删除');
  t.like(returned.body.reviews.at(-1), { stage: 'confidentiality', decision: 'rejected', by: 'secrecy', reason: '摘要含个人电话，请删除' });
  t.deepEqual((await clerk('GET', '/admin/v1/catalog/items?state=returned')).body.items.map((i: any) => i.id), [draft.id]);

  const edited = await clerk('PATCH', `/admin/v1/catalog/items/${draft.id}`, { summary: '2026年第一季度人防工程审批结果' });
  t.is(edited.status, 200);
  t.is(edited.body.summary, '2026年第一季度人防工程审批结果');

  await events('submit');
  t.is((await clerk('PATCH', `/admin/v1/catalog/items/${draft.id}`, { title: '改标题' })).status, 409, 'no edits while under review');
  await events('approve', secrecy);
  const leaderReturn = await events('reject', chief, '请补充文号');
  t.is(leaderReturn.body.state, 'returned');
  t.is(leaderReturn.body.reviews.at(-1).stage, 'leader');
  t.is((await anonymous('GET', '/mp/v1/catalog')).body.total, 0, 'returned items are not public');
});

test('the staff API refuses the wrong role (403), a second approval by the same person (409) and the wrong state (409)', async (t) => {
  const { as } = await catalogApp(t);
  const [clerk, secrecy, chief, both, registrar] = await Promise.all([as('clerk'), as('secrecy'), as('chief'), as('both'), as('registrar')]);
  t.is((await registrar('POST', '/admin/v1/catalog/items', { title: '某文件', category: 'policies' })).status, 403);

  const { body: item } = await clerk('POST', '/admin/v1/catalog/items', { title: '关于印发人防工程管理办法的通知', category: 'policies' });
  const event = (who: typeof clerk, type: string) => who('POST', `/admin/v1/catalog/items/${item.id}/events`, { type });

  const early = await event(secrecy, 'approve');
  t.is(early.status, 409);
  t.is(early.body.error.code, 'invalid-transition');
  t.is((await event(secrecy, 'submit')).status, 403);
  await event(clerk, 'submit');
  const wrongRole = await event(chief, 'approve');
  t.is(wrongRole.status, 403);
  t.regex(wrongRole.body.error.message, /保密审查/);
  t.is((await event(both, 'approve')).status, 200);
  const twice = await event(both, 'approve');
  t.is(twice.status, 409);
  t.regex(twice.body.error.message, /同一人不能/);
  const bad = await clerk('POST', `/admin/v1/catalog/items/${item.id}/events`, { type: 'publish' });
  t.is(bad.status, 400);
  t.is((await event(chief, 'approve')).body.state, 'published');
});

test('drafts are checked field by field; a given 索引号 must be unique; login is required', async (t) => {
  const { as, anonymous } = await catalogApp(t);
  const clerk = await as('clerk');
  const bad = await clerk('POST', '/admin/v1/catalog/items', { title: '', category: 'no-such', url: 'ftp://x' });
  t.is(bad.status, 400);
  t.deepEqual(Object.keys(bad.body.error.fields).sort(), ['category', 'title', 'url']);

  const byName = await clerk('POST', '/admin/v1/catalog/items', { title: '2025年度信息公开工作年度报告', category: '信息公开年报', indexNo: 'HSRFB-2026-0001' });
  t.is(byName.status, 201);
  t.is(byName.body.category, 'annual-reports');
  t.is(byName.body.indexNo, 'HSRFB-2026-0001');
  const again = await clerk('POST', '/admin/v1/catalog/items', { title: '另一条', category: 'news', indexNo: 'HSRFB-2026-0001' });
  t.is(again.status, 409);

  const second = await clerk('POST', '/admin/v1/catalog/items', { title: '第二条', category: 'news' });
  const third = await clerk('POST', '/admin/v1/catalog/items', { title: '第三条', category: 'news' });
  t.regex(second.body.indexNo, /-00001$/, 'a given 索引号 does not use up a number');
  t.regex(third.body.indexNo, /-00002$/);
  t.not(second.body.id, third.body.id);

  t.is((await anonymous('POST', '/admin/v1/catalog/items', { title: 'x', category: 'news' })).status, 401);
  t.is((await anonymous('GET', '/admin/v1/catalog/items')).status, 401);
  t.is((await clerk('GET', '/admin/v1/catalog/items/nope')).status, 404);
  t.is((await clerk('GET', '/admin/v1/catalog/items?state=limbo')).status, 400);
});
