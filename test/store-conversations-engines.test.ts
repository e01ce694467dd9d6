// The chat's repository (conversations) and the guide additions, the same tests on every engine;
// on PostgreSQL also what several instances do at once: a push and its retries answered once with
// one reply whichever instance each reaches, and two messages of one user never overwriting each
// other's form.
import test, { type ExecutionContext } from 'ava';
import { Store } from '../src/store/store.js';
import { ConversationsRepo, MESSAGE_CLAIM_MS, type ConversationsRepository, type UnansweredQuestion } from '../src/store/conversations-repo.js';
import { GuideAdditionsRepo, type GuideAdditionsRepository } from '../src/store/guide-additions-repo.js';
import { ApplicationsRepo } from '../src/store/applications-repo.js';
import { Database } from '../src/store/pg/database.js';
import { migrate } from '../src/store/pg/migrate.js';
import { PgConversationsRepo } from '../src/store/pg/conversations-repo.js';
import { PgGuideAdditionsRepo } from '../src/store/pg/guide-additions-repo.js';
import { isConflictError } from '../src/store/conflict.js';
import type { Transferable, TransferRecord } from '../src/store/transfer.js';
import { ApplicationsService } from '../src/applications/service.js';
import { CalendarSource } from '../src/applications/calendar-source.js';
import { loadAgency } from '../src/agency.js';
import { loadGuideService } from '../src/guide/service.js';
import { createDialog } from '../bot/dialog.js';
import { engines, testDatabase, type EngineName } from './helpers/pg.js';
import { tempDir } from './helpers/temp.js';

const NOW = new Date('2026-03-02T02:00:00.000Z');
const later = (ms: number) => new Date(NOW.getTime() + ms);

interface Opened {
  conversations: ConversationsRepository;
  guide: GuideAdditionsRepository;
}

async function openEmbedded(t: ExecutionContext): Promise<Opened> {
  const store = await Store.open(await tempDir(t));
  t.teardown(() => store.close());
  return { conversations: await ConversationsRepo.open(store), guide: await GuideAdditionsRepo.open(store) };
}

/** A migrated throwaway database and `instances` Database objects on it (as many server instances). */
async function pgInstances(t: ExecutionContext, instances = 1): Promise<Database[]> {
  const url = await testDatabase(t);
  const dbs = Array.from({ length: instances }, () => new Database(url));
  t.teardown(() => Promise.all(dbs.map((db) => db.close())));
  await migrate(dbs[0]!);
  return dbs;
}

async function openPg(db: Database): Promise<Opened> {
  return { conversations: await PgConversationsRepo.open(db), guide: await PgGuideAdditionsRepo.open(db) };
}

async function open(t: ExecutionContext, engine: EngineName): Promise<Opened> {
  return engine === 'embedded' ? openEmbedded(t) : openPg((await pgInstances(t))[0]!);
}

const question = (id: string, fields: Partial<UnansweredQuestion> = {}): UnansweredQuestion => ({
  id,
  text: `问题${id}`,
  at: NOW.toISOString(),
  suggestions: ['entry-1'],
  status: 'open',
  openid: 'o-asker',
  ...fields,
});

async function all(records: AsyncIterable<TransferRecord>): Promise<TransferRecord[]> {
  const out: TransferRecord[] = [];
  for await (const record of records) out.push(record);
  return out;
}

/** Records in a comparable order: by kind; forms and answered messages have no order of their own. */
function comparable(records: TransferRecord[]): TransferRecord[] {
  const unordered = new Set(['form', 'answered-message']);
  const kinds = [...new Set(records.map((r) => r.kind))].sort();
  return kinds.flatMap((kind) => {
    const mine = records.filter((r) => r.kind === kind);
    return unordered.has(kind) ? mine.sort((a, b) => JSON.stringify(a.data).localeCompare(JSON.stringify(b.data))) : mine;
  });
}

async function* replay(records: TransferRecord[]): AsyncIterable<TransferRecord> {
  yield* records;
}

for (const engine of await engines()) {
  test(`[${engine}] a message is claimed, answered once, and its resends get the reply saved first`, async (t) => {
    const { conversations } = await open(t, engine);
    t.is(await conversations.answeredReply('o1', 'm1'), undefined);
    t.is(await conversations.claimMessage('o1', 'm1', NOW), 'claimed');
    t.is(await conversations.claimMessage('o1', 'm1', later(1000)), 'in-progress', 'a retry while it is answered waits');
    t.is(await conversations.saveTurn('o1', { messageId: 'm1', reply: '答复一' }, later(2000)), '答复一');
    t.deepEqual(await conversations.claimMessage('o1', 'm1', later(3000)), { reply: '答复一' });
    t.is(await conversations.answeredReply('o1', 'm1'), '答复一');
    // A second answer to the same message (a delivery that took over a claim) is not kept.
    t.is(await conversations.saveTurn('o1', { messageId: 'm1', reply: '答复二', form: { step: 9 } }, later(4000)), '答复一');
    t.is((await conversations.conversation('o1')).form, undefined, 'nothing of the losing turn was saved');
    // Another user's message of the same id is another message; a null reply is a reply.
    t.is(await conversations.claimMessage('o2', 'm1', NOW), 'claimed');
    t.is(await conversations.saveTurn('o2', { messageId: 'm1', reply: null }, NOW), null);
    t.deepEqual(await conversations.claimMessage('o2', 'm1', NOW), { reply: null });
  });

  test(`[${engine}] a claim left by an instance that died expires; a released claim is free at once`, async (t) => {
    const { conversations } = await open(t, engine);
    t.is(await conversations.claimMessage('o1', 'm1', NOW), 'claimed');
    t.is(await conversations.claimMessage('o1', 'm1', later(MESSAGE_CLAIM_MS - 1)), 'in-progress');
    t.is(await conversations.claimMessage('o1', 'm1', later(MESSAGE_CLAIM_MS)), 'claimed');
    await conversations.releaseMessage('o1', 'm1');
    t.is(await conversations.answeredReply('o1', 'm1'), undefined);
    t.is(await conversations.claimMessage('o1', 'm1', later(MESSAGE_CLAIM_MS + 1)), 'claimed');
    await conversations.saveTurn('o1', { messageId: 'm1', reply: '好' }, later(MESSAGE_CLAIM_MS + 2));
    await conversations.releaseMessage('o1', 'm1');
    t.is(await conversations.answeredReply('o1', 'm1'), '好', 'an answered message is not released');
  });

  test(`[${engine}] the form is saved with a version; a turn from a stale read saves nothing and conflicts`, async (t) => {
    const { conversations } = await open(t, engine);
    t.deepEqual(await conversations.conversation('o1'), { form: undefined, version: 0 });
    await conversations.saveTurn('o1', { messageId: 'm1', reply: '开始', form: { step: 1 }, version: 0 }, NOW);
    const read = await conversations.conversation('o1');
    t.deepEqual(read.form, { step: 1 });
    (read.form as { step: number }).step = 99;
    t.deepEqual((await conversations.conversation('o1')).form, { step: 1 }, 'reads hand out copies');

    await conversations.saveTurn('o1', { messageId: 'm2', reply: '二', form: { step: 2 }, version: read.version }, NOW);
    const stale = conversations.saveTurn('o1', { messageId: 'm3', reply: '三', form: { step: 7 }, version: read.version, unanswered: question('q1') }, NOW);
    const error = await t.throwsAsync(stale);
    t.true(isConflictError(error));
    t.deepEqual((await conversations.conversation('o1')).form, { step: 2 });
    t.is(await conversations.answeredReply('o1', 'm3'), undefined, 'the stale turn left no answer');
    t.is((await conversations.listUnanswered()).total, 0, 'nor a question');

    // A turn that leaves the form alone, worked out from a stale read, conflicts too (it may have
    // answered from the form as it was); from a current read it saves, and the version stays.
    const current = await conversations.conversation('o1');
    t.true(isConflictError(await t.throwsAsync(conversations.saveTurn('o1', { messageId: 'm4', reply: '问答', version: read.version }, NOW))));
    t.is(await conversations.saveTurn('o1', { messageId: 'm4', reply: '问答', version: current.version }, NOW), '问答');
    t.is((await conversations.conversation('o1')).version, current.version);
    t.is(await conversations.saveTurn('o2', { messageId: 'm1', reply: '你好', version: 0 }, NOW), '你好', 'a user with no form is at version 0');
    await conversations.saveTurn('o1', { messageId: 'm5', reply: '完成', form: null, version: current.version }, NOW);
    const ended = await conversations.conversation('o1');
    t.is(ended.form, undefined);
    t.true(ended.version > current.version);
    await t.throwsAsync(conversations.saveTurn('o1', { reply: 'x', form: { step: 1 }, version: current.version }, NOW));
  });

  test(`[${engine}] unanswered questions: by status, a page newest first, counts, a status change`, async (t) => {
    const { conversations } = await open(t, engine);
    for (let i = 1; i <= 5; i++) await conversations.recordUnanswered(question(`q${i}`, { at: later(i * 1000).toISOString() }));
    await conversations.saveTurn('o9', { messageId: 'm1', reply: '已转给工作人员', unanswered: question('q6', { at: later(6000).toISOString() }) }, NOW);
    t.deepEqual(await conversations.setUnansweredStatus('q2', 'dismissed'), { ...question('q2', { at: later(2000).toISOString() }), status: 'dismissed' });
    await conversations.setUnansweredStatus('q3', 'replied');
    t.is(await conversations.setUnansweredStatus('nope', 'dismissed'), undefined);

    const first = await conversations.listUnanswered({ status: 'open' }, { limit: 2 });
    t.deepEqual(first.questions.map((q) => q.id), ['q6', 'q5']);
    t.is(first.total, 4);
    const next = await conversations.listUnanswered({ status: 'open' }, { limit: 2, offset: 2 });
    t.deepEqual(next.questions.map((q) => q.id), ['q4', 'q1']);
    t.deepEqual((await conversations.listUnanswered({}, { order: 'oldest' })).questions.map((q) => q.id), ['q1', 'q2', 'q3', 'q4', 'q5', 'q6']);
    const since = await conversations.listUnanswered({ status: 'open', after: later(4000).toISOString() }, { order: 'oldest' });
    t.deepEqual(since.questions.map((q) => q.id), ['q5', 'q6']);
    t.deepEqual(await conversations.unansweredCounts(), { open: 4, dismissed: 1, replied: 1, 'added-to-guide': 0 });
    t.deepEqual(await conversations.unansweredQuestion('q6'), question('q6', { at: later(6000).toISOString() }));
    t.is(await conversations.unansweredQuestion('nope'), undefined);

    const read = (await conversations.unansweredQuestion('q1'))!;
    read.status = 'dismissed';
    t.is((await conversations.unansweredQuestion('q1'))!.status, 'open', 'reads hand out copies');
  });

  test(`[${engine}] guide additions: phrasings and entries in the order added`, async (t) => {
    const { guide } = await open(t, engine);
    t.deepEqual(await guide.phrasings(), []);
    const p1 = { entryId: 'e1', text: '多久答复', by: 'staff', at: NOW.toISOString() };
    const p2 = { entryId: 'e2', text: '怎么收费', by: 'staff', at: later(1).toISOString() };
    await guide.addPhrasing(p1);
    await guide.addPhrasing(p2);
    const entry = { id: 'staff-1', section: 's1', question: '能查人防工程吗', answer: '可以。', by: 'staff', at: NOW.toISOString() };
    await guide.addEntry(entry);
    t.deepEqual(await guide.phrasings(), [p1, p2]);
    t.deepEqual(await guide.entries(), [entry]);
    (await guide.entries())[0]!.answer = '改了';
    t.is((await guide.entries())[0]!.answer, '可以。', 'reads hand out copies');
    t.deepEqual(await guide.counts(), { 'guide-phrasing': 2, 'guide-entry': 1 });
  });
}

if ((await engines()).includes('postgres')) {
  test('[postgres] transfer: embedded → postgres → embedded keeps every record and count', async (t) => {
    const source = await openEmbedded(t);
    await source.conversations.saveTurn('o1', { messageId: 'm1', reply: '请输入姓名', form: { step: 'name', answers: { type: '个人' } } }, NOW);
    await source.conversations.saveTurn('o1', { messageId: 'm2', reply: null }, later(1000));
    await source.conversations.saveTurn('o2', { messageId: 'm1', reply: '已转给工作人员', unanswered: question('q1') }, later(2000));
    const { openid: _none, ...unkept } = question('q2', { status: 'dismissed' });
    await source.conversations.recordUnanswered(unkept);
    await source.guide.addPhrasing({ entryId: 'e1', text: '多久答复', by: 'staff', at: NOW.toISOString() });
    await source.guide.addEntry({ id: 'staff-1', section: 's1', question: '能查吗', answer: '可以。', by: 'staff', at: NOW.toISOString() });

    const pg = await openPg((await pgInstances(t))[0]!);
    const back = await openEmbedded(t);
    for (const key of ['conversations', 'guide'] as const) {
      const from: Transferable = source[key];
      const via: Transferable = pg[key];
      const to: Transferable = back[key];
      const records = await all(from.exportRecords());
      await via.importRecords(replay(records));
      t.deepEqual(await via.counts(), await from.counts(), `${key}: counts on postgres`);
      t.deepEqual(comparable(await all(via.exportRecords())), comparable(records), `${key}: records on postgres`);
      await to.importRecords(via.exportRecords());
      t.deepEqual(await to.counts(), await from.counts(), `${key}: counts back on embedded`);
      t.deepEqual(comparable(await all(to.exportRecords())), comparable(records), `${key}: records back on embedded`);
      await t.throwsAsync(via.importRecords(replay(records)), { message: /empty/ }, `${key}: a second import is refused`);
    }
    t.deepEqual(await back.conversations.claimMessage('o1', 'm1', later(5000)), { reply: '请输入姓名' }, 'a resend after the move gets the same reply');
    t.deepEqual((await pg.conversations.conversation('o1')).form, { step: 'name', answers: { type: '个人' } });
  });

  test('[postgres] two instances claiming one message at once: one answers, the other gets its reply', async (t) => {
    const [a, b] = await pgInstances(t, 2);
    const repos = [await PgConversationsRepo.open(a!), await PgConversationsRepo.open(b!)];
    for (let round = 0; round < 20; round++) {
      const claims = await Promise.all(repos.map((repo) => repo.claimMessage('o1', `m${round}`, NOW)));
      t.deepEqual(claims.filter((c) => c === 'claimed'), ['claimed'], `round ${round}: one claim`);
      const winner = repos[claims.indexOf('claimed')]!;
      const saves = await Promise.all([winner.saveTurn('o1', { messageId: `m${round}`, reply: `第${round}条` }, NOW), ...repos.map((r) => r.saveTurn('o1', { messageId: `m${round}`, reply: '晚到的' }, NOW))]);
      t.deepEqual(new Set(saves).size, 1, `round ${round}: one reply whoever saves`);
    }
    const { rows } = await a!.query('SELECT count(*)::int AS n FROM conversation_messages WHERE office = $1', [a!.office]);
    t.is(rows[0].n, 20);
  });

  test('[postgres] two instances advancing one form at once lose no step', async (t) => {
    const [a, b] = await pgInstances(t, 2);
    const repos = [await PgConversationsRepo.open(a!), await PgConversationsRepo.open(b!)];
    await repos[0]!.saveTurn('o1', { reply: '开始', form: { steps: [] as string[] } }, NOW);
    // Each instance appends its message to the form as the dialog does: read, work out, save
    // against the version read, and on a conflict read again and work it out once more.
    const advance = async (repo: ConversationsRepository, messageId: string) => {
      for (let attempt = 1; ; attempt++) {
        const { form, version } = await repo.conversation('o1');
        const steps = [...(form as { steps: string[] }).steps, messageId];
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
        try {
          return await repo.saveTurn('o1', { messageId, reply: `第${steps.length}步`, form: { steps }, version }, NOW);
        } catch (error) {
          if (!isConflictError(error) || attempt === 2) throw error;
        }
      }
    };
    const ids = Array.from({ length: 20 }, (_, i) => `m${i}`);
    for (let i = 0; i < ids.length; i += 2) await Promise.all([advance(repos[0]!, ids[i]!), advance(repos[1]!, ids[i + 1]!)]);
    const { form } = await repos[1]!.conversation('o1');
    t.deepEqual([...(form as { steps: string[] }).steps].sort(), [...ids].sort(), 'every message is a step, none twice');
    for (const id of ids) t.truthy(await repos[0]!.answeredReply('o1', id));
  });

  test('[postgres] the dialog on two instances: two messages of one user at once both advance the form, in order', async (t) => {
    const [a, b] = await pgInstances(t, 2);
    const { dialogFor, applications } = await dialogs(t);
    const repoA = await PgConversationsRepo.open(a!);
    const repoB = await PgConversationsRepo.open(b!);
    // B reads the form, then A answers and saves, then B saves what it worked out from its read.
    let bRead!: () => void;
    const bHasRead = new Promise<void>((resolve) => (bRead = resolve));
    let aSaved!: () => void;
    const aHasSaved = new Promise<void>((resolve) => (aSaved = resolve));
    const onA = around(repoA, {
      saveTurn: async (...args: Parameters<PgConversationsRepo['saveTurn']>) => {
        await bHasRead;
        try {
          return await repoA.saveTurn(...args);
        } finally {
          aSaved();
        }
      },
    });
    let bReads = 0;
    const onB = around(repoB, {
      conversation: async (openid: string) => {
        const read = await repoB.conversation(openid);
        if (++bReads === 1) bRead();
        return read;
      },
      saveTurn: async (...args: Parameters<PgConversationsRepo['saveTurn']>) => {
        await aHasSaved;
        return repoB.saveTurn(...args);
      },
    });
    const dialogA = dialogFor(onA);
    const dialogB = dialogFor(onB);
    t.regex((await dialogFor(repoA).respond({ openid: 'o1', messageId: 'm1', kind: 'text', text: '我要申请' }))!, /个人.*单位/s);
    const [replyA, replyB] = await Promise.all([
      dialogA.respond({ openid: 'o1', messageId: 'm2', kind: 'text', text: '个人' }),
      dialogB.respond({ openid: 'o1', messageId: 'm3', kind: 'text', text: '张三' }),
    ]);
    t.regex(replyA!, /姓名/);
    t.regex(replyB!, /身份证/, 'B answered again from the form A left');
    t.is(bReads, 2);
    const { form } = await repoA.conversation('o1');
    t.like(form, { answers: { applicantType: 'person', name: '张三' } });
    t.is(await repoB.answeredReply('o1', 'm2'), replyA);
    t.is(await repoA.answeredReply('o1', 'm3'), replyB);
    t.is((await applications.listMine('o1')).length, 0);
  });

  test('[postgres] the dialog on two instances: a push and its retry at once are answered once, with one reply', async (t) => {
    const [a, b] = await pgInstances(t, 2);
    const { dialogFor } = await dialogs(t);
    const repoA = await PgConversationsRepo.open(a!);
    const dialogA = dialogFor(repoA);
    const dialogB = dialogFor(await PgConversationsRepo.open(b!));
    const push = { openid: 'o1', messageId: 'push-1', kind: 'text', text: '我要申请' } as const;
    const replies = await Promise.all([dialogA.respond(push), dialogB.respond(push)]);
    t.regex(replies[0]!, /个人.*单位/s);
    t.is(replies[1], replies[0]);
    const { version } = await repoA.conversation('o1');
    t.is(version, 1, 'the form was started once');
    // A retry that reaches an instance after a dead one's claim expired is answered there.
    await repoA.claimMessage('o1', 'push-2', new Date(Date.now() - MESSAGE_CLAIM_MS - 1000));
    t.regex((await dialogB.respond({ openid: 'o1', messageId: 'push-2', kind: 'text', text: '个人' }))!, /姓名/);
  });
}

/** The repository with some methods run around the real ones (to hold an instance at a point of its answer). */
function around(repo: ConversationsRepository, overrides: Partial<ConversationsRepository>): ConversationsRepository {
  return new Proxy(repo, {
    get: (target, key) => {
      const own = (overrides as Record<PropertyKey, unknown>)[key];
      if (own) return own;
      const value = (target as unknown as Record<PropertyKey, unknown>)[key];
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** The real dialog over a given conversations repository, with the guide and an embedded applications store. */
async function dialogs(t: ExecutionContext) {
  const dir = await tempDir(t);
  const store = await Store.open(dir);
  t.teardown(() => store.close());
  const calendar = await CalendarSource.open('data', dir);
  const applications = new ApplicationsService(await ApplicationsRepo.open(store), () => calendar.current(), () => new Date());
  const agency = await loadAgency('data');
  const guide = await loadGuideService('data', agency);
  const dialogFor = (conversations: ConversationsRepository) =>
    createDialog({ guide, applications, conversations, agency: { name: agency.name, contact: agency.contactLine } });
  return { dialogFor, applications };
}
