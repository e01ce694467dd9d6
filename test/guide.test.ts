import test from 'ava';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Agency } from '../src/agency.js';
import { remedyFor, reviewAuthorityOf } from '../src/domain/remedies.js';
import { createGuide, MAX_ANSWER_LENGTH, type GuideInput } from '../src/guide/guide.js';
import { loadGuideData } from '../src/guide/load.js';
import type { GuideEntry } from '../src/guide/types.js';

const dataDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../data');

function agency(overrides: Partial<Agency> = {}): Agency {
  return {
    name: '黄石市人民防空办公室',
    shortName: '市人防办',
    brandName: '黄石民防',
    region: { province: '湖北省', city: '黄石市', county: null },
    portalName: '黄石民防政务公开网',
    portalUrl: 'http://rfb.huangshi.gov.cn/',
    wechatAccountName: '黄石民防',
    weiboName: '黄石民防',
    weiboPlatform: '新浪微博',
    disclosureOffice: '秘书科',
    onsiteWindow: null,
    address: null,
    postcode: null,
    phone: null,
    fax: null,
    email: null,
    officeHours: null,
    complaintAuthority: null,
    reviewAuthority: null,
    catalogCategories: [],
    contactLine: '',
    ...overrides,
  };
}

const entries: GuideEntry[] = [
  {
    id: 'fees', section: 'fees',
    questions: ['申请信息公开收费吗', '申请要交钱吗', '是免费的吗'],
    answer: '原则上不收费（第四十二条）。', keywords: ['收费', '免费'],
  },
  {
    id: 'time-limit', section: 'timeline',
    questions: ['申请后多久答复', '答复期限是几天'],
    answer: '自收到申请之日起20个工作日内答复（第三十三条）。', keywords: ['期限', '答复期限'],
  },
  {
    id: 'review', section: 'remedies',
    questions: ['怎么申请行政复议', '复议期限是多久'],
    answer: '可以自知道之日起60日内申请行政复议。', keywords: ['行政复议'],
  },
  {
    id: 'contact', section: 'contact',
    questions: ['联系电话是多少', '怎么联系你们'],
    answer: '{{agency.disclosureOffice|工作机构}}电话：{{agency.phone|请见门户网站}}。', keywords: ['电话'],
  },
  {
    id: 'weibo', section: 'proactive',
    questions: ['有官方微博吗', '微博叫什么'],
    answer: '官方微博：{{agency.weiboName|暂无}}。', keywords: ['微博'],
  },
];

const base: GuideInput = {
  entries,
  sections: [
    { id: 'fees', title: '收费' }, { id: 'timeline', title: '办理期限' }, { id: 'remedies', title: '救济途径' },
    { id: 'contact', title: '联系我们', summary: '电话、地址' }, { id: 'proactive', title: '主动公开' },
  ],
  dictionary: { groups: { 信息公开: ['行政复议', '信息处理费'] } },
  synonyms: {
    groups: [['期限', '多久', '几天', '多长时间'], ['收费', '交钱', '要钱', '免费', '收钱'], ['电话', '联系电话'], ['行政复议', '复议']],
  },
  stopwords: { words: ['的', '吗', '我', '你们', '是', '要', '请问', '怎么'] },
  agency: agency(),
};

test('ask answers a clear question with its entry, agency facts filled in', (t) => {
  const guide = createGuide(base);
  const result = guide.ask('请问电话多少');
  t.is(result.status, 'answered');
  t.is(result.entry?.id, 'contact');
  t.is(result.entry?.answer, '秘书科电话：请见门户网站。');
  t.true(result.score > 0);
  t.true(result.coverage > 0.5);
  t.false(result.alternatives.some((a) => a.id === 'contact'));
  t.true(result.alternatives.length <= 3);
});

test('ask maps colloquial variants onto the entry', (t) => {
  const guide = createGuide(base);
  t.is(guide.ask('申请公开要不要交钱啊').entry?.id, 'fees');
  t.is(guide.ask('多长时间能答复').entry?.id, 'time-limit');
});

test('ask declines a question about something else, with no answer and no topics', (t) => {
  const guide = createGuide(base);
  for (const question of ['公积金怎么提取', '今天天气怎么样', '讲个笑话']) {
    const result = guide.ask(question);
    t.is(result.status, 'out-of-scope', question);
    t.is(result.entry, undefined);
    t.deepEqual(result.alternatives, []);
  }
});

test('ask declines empty input and pure punctuation', (t) => {
  const guide = createGuide(base);
  for (const question of ['', '   ', '？？？', '，。！']) {
    t.like(guide.ask(question), { status: 'out-of-scope', score: 0, coverage: 0, alternatives: [] });
  }
});

test('the office name alone is not a topic; with a topic it does not get in the way', (t) => {
  const guide = createGuide(base);
  t.is(guide.ask('黄石市人民防空办公室').status, 'out-of-scope');
  t.is(guide.ask('黄石民防的微博叫什么').entry?.id, 'weibo');
});

test('ask is unsure when two entries fit equally: it answers one and offers the other as a choice', (t) => {
  const guide = createGuide({
    ...base,
    entries: [
      ...entries,
      { id: 'time-limit-twin', section: 'timeline', questions: ['申请后多久答复', '答复期限是几天'], answer: '同上。' },
    ],
  });
  const result = guide.ask('申请后多久答复');
  t.is(result.status, 'unsure');
  t.deepEqual([result.entry!.id, result.alternatives[0]!.id].sort(), ['time-limit', 'time-limit-twin']);
  t.is(result.alternatives[0]!.title, '申请后多久答复');
  t.true(result.alternatives.length <= 2, 'two more topics at most, so the choices fit one message');
});

test('search ranks entries with their answers and respects the limit', (t) => {
  const guide = createGuide(base);
  const hits = guide.search('复议期限', 2);
  t.true(hits.length <= 2);
  t.is(hits[0]!.id, 'review');
  t.like(hits[0], { section: 'remedies', title: '怎么申请行政复议', answer: '可以自知道之日起60日内申请行政复议。' });
  t.deepEqual(guide.search('天气预报'), []);
  t.deepEqual(guide.search('复议', 0), []);
});

test('entries(), entry() and sections() hand out rendered copies', (t) => {
  const guide = createGuide(base);
  t.is(guide.entries().length, entries.length);
  const contact = guide.entry('contact')!;
  t.is(contact.title, '联系电话是多少');
  t.is(contact.answer, '秘书科电话：请见门户网站。');
  contact.questions.push('changed');
  t.is(guide.entry('contact')!.questions.length, 2);
  t.is(guide.entry('nope'), undefined);
  const sections = guide.sections();
  t.deepEqual(sections.map((s) => s.id), ['fees', 'timeline', 'remedies', 'contact', 'proactive']);
  t.deepEqual(sections[3], { id: 'contact', title: '联系我们', summary: '电话、地址', entries: [{ id: 'contact', title: '联系电话是多少' }] });
});

test('explain shows the weighed terms and the ranking', (t) => {
  const guide = createGuide(base);
  const why = guide.explain('复议要多久', 2);
  t.deepEqual(why.terms.map((x) => x.term).sort(), ['期限', '行政复议']);
  t.true(why.terms.every((x) => x.known && x.weight > 0));
  t.is(why.ranking[0]!.id, 'review');
  t.true(why.ranking.length <= 2);
});

const invalid: Array<[string, Partial<GuideInput>, RegExp]> = [
  ['duplicate ids', { entries: [...entries, { ...entries[0]! }] }, /fees: duplicate id/],
  ['an unknown section', { entries: [{ ...entries[0]!, section: 'nowhere' }] }, /fees: unknown section "nowhere"/],
  ['a null fact without fallback', { entries: [{ ...entries[0]!, answer: '电话：{{agency.phone}}' }] }, /fees: \{\{agency\.phone\}\} has no value and no fallback/],
  ['a misspelt fact', { entries: [{ ...entries[0]!, answer: '{{agency.phon|无}}' }] }, /fees: unknown placeholder/],
  ['an answer longer than one message', { entries: [{ ...entries[0]!, answer: '很长'.repeat(301) }] }, /fees: answer is 602 characters, more than 600/],
  ['an entry without questions', { entries: [{ ...entries[0]!, questions: [] }] }, /fees: needs at least one non-empty question/],
];

for (const [title, change, message] of invalid) {
  test(`createGuide rejects guide data with ${title}`, (t) => {
    const error = t.throws(() => createGuide({ ...base, ...change }));
    t.regex(error!.message, message);
  });
}

// The real guide, rendered for three offices: this one, one that has published nothing but its
// name, and one that has published everything. Every answer must read whole and fit one message.
test('the real guide renders for any office: no holes, one message each', async (t) => {
  const data = await loadGuideData(dataDir);
  const real = data.agency;
  const bare = { ...real } as Record<string, unknown>;
  for (const key of Object.keys(bare)) if (!['name', 'shortName', 'region', 'contactLine'].includes(key)) bare[key] = null;
  bare.catalogCategories = [];
  const full = {
    ...real, address: '湖北省黄石市下陆区某某大道一百二十三号人防指挥信息保障中心大楼', postcode: '435000', phone: '0714-6221234',
    fax: '0714-6225678', email: 'rfbgk@example.gov.cn', officeHours: '法定工作日上午8:30—12:00，下午14:30—17:30',
    onsiteWindow: '黄石市市民之家人防行政审批办事窗口', supplementPeriodWorkingDays: 10, miniProgramName: '黄石民防信息公开',
    complaintAuthority: '黄石市人民政府办公室', reviewAuthority: '黄石市人民政府',
  };
  for (const [name, office] of [['real', real], ['bare', bare], ['full', full]] as const) {
    const guide = createGuide({ ...data, agency: office as Agency });
    for (const entry of guide.entries()) {
      t.false(entry.answer.includes('{{') || entry.answer.includes('}}'), `${name}/${entry.id}`);
      t.true(Array.from(entry.answer).length <= MAX_ANSWER_LENGTH, `${name}/${entry.id}`);
    }
  }
  const withFacts = createGuide({ ...data, agency: full as Agency });
  t.regex(withFacts.entry('supplement')!.answer, /请在10个工作日内补正/);
  t.regex(withFacts.entry('contact-phone')!.answer, /电话：0714-6221234/);
  t.regex(createGuide(data).entry('supplement')!.answer, /请在告知书中载明的期限内补正/);
});

test('the real guide: 60–90 entries, each in a known section with several phrasings', async (t) => {
  const data = await loadGuideData(dataDir);
  const sectionIds = new Set(data.sections!.map((s) => s.id));
  t.true(data.entries.length >= 60 && data.entries.length <= 90, `${data.entries.length} entries`);
  for (const entry of data.entries) {
    t.true(sectionIds.has(entry.section), entry.id);
    t.true(entry.questions.length >= 3, `${entry.id} has ${entry.questions.length} phrasings`);
  }
  for (const section of createGuide(data).sections()) t.true(section.entries.length > 0, section.id);
});

// Remedies are told from the one table in src/domain/remedies.ts that the letters and the
// notifications read: the guide names the same 复议机关 and quotes the same clauses.
test('the guide tells remedies from the domain table: 复议前置 for refusals and late replies, the 复议机关 named', async (t) => {
  const data = await loadGuideData(dataDir);
  const county = { ...data.agency, reviewAuthority: null, region: { province: '湖北省', city: '黄石市', county: '阳新县' } } as Agency;
  for (const agency of [data.agency, county]) {
    const guide = createGuide({ ...data, agency });
    const authority = reviewAuthorityOf(agency);
    t.is(authority, agency === county ? '阳新县人民政府' : '黄石市人民政府');
    t.true(guide.entry('partial-disclosure')!.answer.includes(remedyFor('partial', agency).clause));
    t.true(guide.entry('overdue-no-reply')!.answer.includes(remedyFor('overdue', agency).clause));
    t.true(guide.entry('reply-not-exist')!.answer.includes(remedyFor('unavailable-not-held', agency).clause));
    for (const id of ['lawsuit', 'administrative-review', 'remedies-overview']) {
      t.true(guide.entry(id)!.answer.includes(authority), id);
      t.regex(guide.entry(id)!.answer, /复议前置|先申请行政复议/, id);
    }
    for (const entry of guide.entries()) t.notRegex(entry.answer, /不经复议[，,]?直接/, entry.id);
  }
});

test('an anchor inside a word without its sense does not count; a service applied for declines despite 申请', (t) => {
  const guide = createGuide({
    ...base,
    scope: {
      anchors: ['公开'], weakAnchors: ['申请', '材料'], business: [], offTopic: ['补贴', '护照', '报名'],
      notAnchors: ['公开课'],
    },
  });
  t.is(guide.ask('公开课怎么报名').status, 'out-of-scope');
  t.not(guide.ask('申请公开收费吗').status, 'out-of-scope');
  t.is(guide.ask('帮我申请高龄补贴要交钱吗').status, 'out-of-scope');
  t.is(guide.ask('办护照要交钱吗').status, 'out-of-scope');
  t.not(guide.ask('申请公开补贴发放名单收费吗').status, 'out-of-scope');
});

test('a service applied for declines its own application, not a request for documents in a clause of its own', (t) => {
  const guide = createGuide({
    ...base,
    scope: {
      anchors: ['公开'], weakAnchors: ['申请', '材料'], business: [], offTopic: ['低保', '公积金'],
      anchorPatterns: ['(想看|想要)\\p{Script=Han}{0,8}(材料|文件)', '申请\\p{Script=Han}{0,2}交了'],
    },
  });
  t.is(guide.ask('公积金提取申请交了多久能到账').status, 'out-of-scope', "the pattern sits in the service's own clause");
  t.is(guide.ask('申请低保要什么材料').status, 'out-of-scope');
  t.not(guide.ask('我申请低保被拒了，想看当时评审的材料，收费吗').status, 'out-of-scope', 'the documents are asked for apart from the service');
});
