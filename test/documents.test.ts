import test from 'ava';
import JSZip from 'jszip';
import { fileURLToPath } from 'node:url';
import { loadAgency, type Agency } from '../src/agency.js';
import { toView } from '../src/applications/view.js';
import { applyEvent, createApplication, stampEvent, validateEvent } from '../src/domain/applications/index.js';
import { createCalendar, type Calendar } from '../src/domain/calendar.js';
import { DomainError } from '../src/domain/errors.js';
import { OUTCOMES, type Outcome, type OutcomeId } from '../src/domain/outcomes.js';
import { remedyClause } from '../src/domain/remedies.js';
import {
  BLANK,
  documentDocx,
  documentHtml,
  documentKindsFor,
  documentNumber,
  formalDate,
  loadDocumentTemplates,
  renderDocument,
  type DocumentTemplates,
  type FormalDocument,
} from '../src/documents/index.js';
import type { StoredApplication } from '../src/store/applications-repo.js';
import { readHolidayFiles } from '../src/store/holiday-files.js';

const DATA = fileURLToPath(new URL('../data', import.meta.url));
const TODAY = '2026-12-31';

let calendar: Calendar;
let templates: DocumentTemplates;
let shippedAgency: Agency;
/** Every fact an office can give, so that nothing in a document is left blank for want of it. */
let fullAgency: Agency;

test.before(async () => {
  calendar = createCalendar(await readHolidayFiles(`${DATA}/holidays`));
  templates = await loadDocumentTemplates(DATA);
  shippedAgency = await loadAgency(DATA);
  fullAgency = {
    ...shippedAgency,
    address: '黄石市下陆区团城山街道某路1号',
    postcode: '435000',
    phone: '0714-0000000',
    reviewAuthority: '黄石市人民政府',
    court: '黄石市西塞山区人民法院',
    supplementPeriodWorkingDays: 15,
  };
});

type Step = Record<string, unknown>;

function application(steps: Step[], overrides: Partial<StoredApplication> = {}): StoredApplication {
  let app: StoredApplication = {
    ...createApplication(
      {
        id: 'app-1',
        trackingNo: '2026-000123',
        createdAt: '2026-09-01T01:00:00.000Z',
        applicant: { type: 'person', name: '张三', idNumber: '11010519491231002X', phone: '13800138000', address: '黄石市某路8号' },
        request: { description: '2025年度人防工程竣工验收备案清单' },
        delivery: { form: 'electronic', method: 'email' },
      },
      { at: '2026-09-01T01:00:00.000Z', by: 'applicant' },
    ),
    channel: 'miniprogram',
    openid: null,
    possibleDuplicateOf: [],
    ...overrides,
  } as StoredApplication;
  for (const step of steps) {
    const checked = validateEvent(step);
    if (!checked.ok) throw new Error(`${JSON.stringify(step)}: ${checked.message}`);
    app = applyEvent(app, stampEvent(checked.event, 'handler1', '2026-09-01T08:00:00.000Z'), TODAY);
  }
  return app;
}

const view = (app: StoredApplication) => toView(app, calendar, TODAY, 'staff-full');
const wholeText = (doc: FormalDocument) =>
  [doc.title, doc.reference, doc.salutation, ...doc.paragraphs, doc.signature, doc.date, ...doc.footer].join('\n');
const lastParagraph = (doc: FormalDocument) => doc.paragraphs[doc.paragraphs.length - 1];

const RECEIVE = { type: 'receive', on: '2026-09-01' };

/** The reply's template uses {{reason}}: then the staff's reason must appear in it. */
const usesReason = (outcome: Outcome) =>
  templates.replies[outcome.id as keyof DocumentTemplates['replies']].paragraphs.some((p) =>
    p.some((s) => typeof s !== 'string' && s.name === 'reason'),
  );

/** The events that end a request with each outcome. */
function stepsTo(outcome: Outcome, reason: string): Step[] {
  switch (outcome.id) {
    case 'other-no-supplement':
      return [RECEIVE, { type: 'request-supplement', on: '2026-09-02', items: ['信息的名称或文号'] }, { type: 'supplement-expired', on: '2026-10-20' }];
    case 'other-fee-unpaid':
      return [RECEIVE, { type: 'fee-notice', on: '2026-09-03', amount: 1200 }, { type: 'fee-expired', on: '2026-10-20' }];
    case 'unavailable-unclear':
      return [
        RECEIVE,
        { type: 'request-supplement', on: '2026-09-02', items: ['信息的名称或文号'] },
        { type: 'supplement-received', on: '2026-09-08' },
        { type: 'decide', on: '2026-09-25', outcome: outcome.id, reason },
      ];
    case 'partial':
      return [RECEIVE, { type: 'decide', on: '2026-09-25', outcome: outcome.id, reason, ground: 'withheld-third-party' }];
    default:
      return [RECEIVE, { type: 'decide', on: '2026-09-25', outcome: outcome.id, reason }];
  }
}

for (const outcome of OUTCOMES) {
  test(`reply for ${outcome.id} cites ${outcome.article ?? 'no single article'} and ends with the remedy clause`, (t) => {
    const reason = `理由之${outcome.id}`;
    const v = view(application(stepsTo(outcome, reason)));
    const listed = documentKindsFor(templates, v).filter((d) => d.kind === 'reply');
    t.is(listed.length, 1);
    const doc = renderDocument(templates, 'reply', { view: v, agency: fullAgency, calendar, eventIndex: listed[0].eventIndex });

    t.is(doc.outcome as string | null, outcome.id);
    t.is(doc.title, listed[0].title);
    const text = wholeText(doc);
    if (outcome.article) t.true(text.includes(outcome.article), `${outcome.article} missing`);
    // No other outcome's ground creeps in (the withheld letters share 第三十六条第（三）项, which is no outcome's own).
    // A 部分公开 also cites the ground of its withheld part (here 第十五条, third-party rights).
    const own = outcome.id === 'partial' ? [outcome.article, '第十五条'] : [outcome.article];
    for (const article of new Set(OUTCOMES.map((o) => o.article))) {
      if (article && !own.includes(article)) t.false(text.includes(article), `${outcome.id} also cites ${article}`);
    }
    if (usesReason(outcome)) t.true(text.includes(reason), 'the decision reason is printed');
    // The remedy depends on the outcome (行政复议法 2023 第二十三条): the letter ends with the domain table's clause.
    t.is(lastParagraph(doc), remedyClause(outcome.id as OutcomeId, fullAgency));
    t.true(lastParagraph(doc).includes('黄石市人民政府申请行政复议'));
    t.true(lastParagraph(doc).includes('黄石市西塞山区人民法院'));
    t.deepEqual(doc.blanks, [], 'an office with every fact and a decision with a reason leave nothing blank');
    t.false(text.includes(BLANK));
    t.false(/undefined|null|NaN|\{\{/.test(text));
    t.is(doc.salutation, '张三：');
    t.is(doc.reference, '〔2026〕第000123号');
    t.is(doc.signature, '黄石市人民防空办公室');
  });
}

test('a 部分公开 letter names the ground of its withheld part (第三十七条 with 第十四/十五/十六条 or 第三十六条第（七）项)', (t) => {
  const cases: [string, string][] = [
    ['withheld-third-party', '第三十六条第（三）项和第十五条'],
    ['withheld-process-info', '第三十六条第（三）项和第十六条第二款'],
    ['withheld-administrative-query', '第三十六条第（七）项'],
  ];
  for (const [ground, articles] of cases) {
    const v = view(application([RECEIVE, { type: 'decide', on: '2026-09-25', outcome: 'partial', reason: '第三页含个人住址', ground }]));
    const doc = renderDocument(templates, 'reply', { view: v, agency: fullAgency, calendar });
    t.true(doc.paragraphs.includes(`对不予公开的内容，根据《中华人民共和国政府信息公开条例》${articles}的规定不予公开，理由如下：第三页含个人住址。`), ground);
    t.deepEqual(doc.blanks, []);
  }
  // A ledger import without the ground prints the blank line for the clerk to fill in.
  const old = renderDocument(templates, 'reply', { view: view(application([RECEIVE, { type: 'decide', on: '2026-09-25', outcome: 'partial', reason: 'x' }])), agency: fullAgency, calendar });
  t.deepEqual(old.blanks, ['withheld.articles']);
});

test('every reason-bearing withholding cites 第三十六条第（三）项 with its own article', (t) => {
  for (const outcome of OUTCOMES.filter((o) => o.id.startsWith('withheld-') && o.id !== 'withheld-administrative-query')) {
    const v = view(application(stepsTo(outcome, '该信息属于依法不予公开的情形')));
    const text = wholeText(renderDocument(templates, 'reply', { view: v, agency: fullAgency, calendar }));
    t.true(text.includes(`第三十六条第（三）项和${outcome.article}`), outcome.id);
  }
});

test('the closing replies state the earlier notice: 补正 date, fee notice date and amount', (t) => {
  const noSupplement = OUTCOMES.find((o) => o.id === 'other-no-supplement')!;
  const feeUnpaid = OUTCOMES.find((o) => o.id === 'other-fee-unpaid')!;
  const a = wholeText(renderDocument(templates, 'reply', { view: view(application(stepsTo(noSupplement, ''))), agency: fullAgency, calendar }));
  t.true(a.includes('本机关已于二〇二六年九月二日向您发出补正申请告知书'));
  t.true(a.includes('视为放弃申请'));
  const b = wholeText(renderDocument(templates, 'reply', { view: view(application(stepsTo(feeUnpaid, ''))), agency: fullAgency, calendar }));
  t.true(b.includes('本机关已于二〇二六年九月三日向您发出收费通知书，信息处理费金额为人民币1200元'));
  t.true(b.includes('国办函〔2020〕109号'));
});

// ---------------------------------------------------------------------------------------------
// The steps

interface StepCase {
  kind: string;
  steps: Step[];
  articles: string[];
  expect: string[];
  toApplicant: boolean;
}

const STEP_CASES: StepCase[] = [
  {
    kind: 'receipt',
    steps: [RECEIVE],
    articles: ['第三十一条', '第三十三条'],
    // 20 working days after Tue 2026-09-01: Sun 09-20 is a make-up working day, Fri 09-25 is 中秋.
    expect: ['本机关于二〇二六年九月一日收到您提出的政府信息公开申请（受理编号：2026-000123）', '即最迟于二〇二六年九月二十九日（含当日）作出答复'],
    toApplicant: true,
  },
  {
    kind: 'supplement-notice',
    steps: [RECEIVE, { type: 'request-supplement', on: '2026-09-02', items: ['所需信息的名称或者文号', '信息所属年份'] }],
    articles: ['第三十条'],
    expect: ['（一）所需信息的名称或者文号', '（二）信息所属年份', '自收到本告知书之日起15个工作日内', '答复期限自本机关收到补正的申请之日起重新计算', '视为放弃申请'],
    toApplicant: true,
  },
  {
    kind: 'extension-notice',
    steps: [RECEIVE, { type: 'extend', on: '2026-09-20', days: 10 }],
    articles: ['第三十三条第二款'],
    expect: ['原定答复期限（二〇二六年九月二十九日）内', '答复期限延长10个工作日', '本机关将最迟于二〇二六年十月十九日（含当日）作出答复'],
    toApplicant: true,
  },
  {
    kind: 'consultation-letter',
    steps: [RECEIVE, { type: 'consult-start', on: '2026-09-10', party: '黄石某某建设有限公司' }],
    articles: ['第三十二条'],
    expect: ['15个工作日内', '逾期未提出意见的，由本机关依照《中华人民共和国政府信息公开条例》的规定决定是否公开', '2025年度人防工程竣工验收备案清单'],
    toApplicant: false,
  },
  {
    kind: 'fee-notice',
    steps: [RECEIVE, { type: 'fee-notice', on: '2026-09-03', amount: 1250 }],
    articles: ['第四十二条', '国办函〔2020〕109号'],
    expect: ['金额为人民币1250元', '收到本通知书次日起20个工作日内缴纳', '逾期未缴纳的，视为放弃申请'],
    toApplicant: true,
  },
];

for (const c of STEP_CASES) {
  test(`${c.kind}: cites ${c.articles.join('、')} and is filled from the request`, (t) => {
    const v = view(application(c.steps));
    const listed = documentKindsFor(templates, v).find((d) => d.kind === c.kind);
    t.truthy(listed, `${c.kind} is offered`);
    const doc = renderDocument(templates, c.kind, { view: v, agency: fullAgency, calendar, eventIndex: listed!.eventIndex });
    const text = wholeText(doc);
    for (const article of c.articles) t.true(text.includes(article), `${article} missing`);
    for (const phrase of c.expect) t.true(text.includes(phrase), `missing: ${phrase}`);
    t.deepEqual(doc.blanks, []);
    t.is(doc.date, formalDate(c.steps[c.steps.length - 1].on as string));
    if (c.toApplicant) t.is(doc.salutation, '张三：');
    // Only a decision can be challenged: receipts and 补正/延期/收费 notices carry no remedy clause.
    t.false(/如对本答复不服|行政复议|行政诉讼/.test(text), 'no remedy clause outside a decision');
  });
}

test('the consultation letter is addressed to the third party and keeps the applicant out of it', (t) => {
  const v = view(application(STEP_CASES[3].steps));
  const doc = renderDocument(templates, 'consultation-letter', { view: v, agency: fullAgency, calendar });
  t.is(doc.salutation, '黄石某某建设有限公司：');
  const text = wholeText(doc);
  for (const personal of ['张三', '11010519491231002X', '13800138000', '黄石市某路8号']) t.false(text.includes(personal), personal);
});

test('an extension notice keeps the due date it announced after a later consultation pauses the clock', (t) => {
  // Seen within the consultation's 15 working days (第三十二条), while it still pauses the clock.
  const v = toView(
    application([RECEIVE, { type: 'extend', on: '2026-09-20', days: 10 }, { type: 'consult-start', on: '2026-09-21', party: '某公司' }]),
    calendar,
    '2026-09-30',
    'staff-full',
  );
  t.is(v.dueDate, null, 'the clock is paused now');
  const doc = renderDocument(templates, 'extension-notice', { view: v, agency: fullAgency, calendar });
  const expected = calendar.addWorkingDays('2026-09-01', 30).date;
  // "于X前" would exclude the due day itself: the notice says 最迟于X（含当日）.
  t.true(wholeText(doc).includes(`本机关将最迟于${formalDate(expected)}（含当日）作出答复`));
  t.false(wholeText(doc).includes('前作出答复'));
  t.deepEqual(doc.blanks, []);
});

test('a corrected receipt date replaces the earlier receipt', (t) => {
  const v = view(application([RECEIVE, { type: 'receive', on: '2026-09-02' }]));
  const receipts = documentKindsFor(templates, v).filter((d) => d.kind === 'receipt');
  t.deepEqual(receipts.map((d) => d.eventIndex), [2], 'only the corrected receipt is offered');
  const doc = renderDocument(templates, 'receipt', { view: v, agency: fullAgency, calendar });
  t.true(wholeText(doc).includes('本机关于二〇二六年九月二日收到'));
});

// ---------------------------------------------------------------------------------------------
// What the timeline offers, and what it refuses

test('documentKindsFor lists each step document in timeline order, and no reply for a withdrawal', (t) => {
  const full = view(
    application([
      RECEIVE,
      { type: 'request-supplement', on: '2026-09-02', items: ['文号'] },
      { type: 'supplement-received', on: '2026-09-07' },
      { type: 'extend', on: '2026-09-20', days: 5 },
      { type: 'consult-start', on: '2026-09-21', party: '某公司' },
      { type: 'consult-end', on: '2026-10-12' },
      { type: 'fee-notice', on: '2026-10-13', amount: 100 },
      { type: 'fee-paid', on: '2026-10-14' },
      { type: 'decide', on: '2026-10-20', outcome: 'granted' },
      { type: 'deliver', on: '2026-10-21', method: 'email' },
    ]),
  );
  t.deepEqual(
    documentKindsFor(templates, full).map((d) => [d.kind, d.eventIndex, d.on, d.title]),
    [
      ['receipt', 1, '2026-09-01', '政府信息公开申请接收回执'],
      ['supplement-notice', 2, '2026-09-02', '补正申请告知书'],
      ['extension-notice', 4, '2026-09-20', '延期答复告知书'],
      ['consultation-letter', 5, '2026-09-21', '征求第三方意见书'],
      ['fee-notice', 7, '2026-10-13', '收费通知书'],
      ['reply', 9, '2026-10-20', '政府信息予以公开告知书'],
    ],
  );
  t.deepEqual(documentKindsFor(templates, view(application([]))), []);
  t.deepEqual(documentKindsFor(templates, view(application([RECEIVE, { type: 'withdraw', on: '2026-09-03' }]))).map((d) => d.kind), ['receipt']);
});

test('renderDocument refuses a kind, an event or a step the application does not have', (t) => {
  const v = view(application([RECEIVE]));
  const ctx = { view: v, agency: fullAgency, calendar };
  for (const [kind, eventIndex] of [['letter-of-thanks', undefined], ['reply', undefined], ['reply', 1], ['receipt', 0], ['receipt', 7]] as const) {
    const error = t.throws(() => renderDocument(templates, kind, { ...ctx, eventIndex }), { instanceOf: DomainError });
    t.is(error?.code, 'not-found', `${kind}@${eventIndex}`);
    t.regex(error!.message, /[\u4e00-\u9fff]/, 'the message is Chinese');
  }
});

// ---------------------------------------------------------------------------------------------
// Facts the office has not given, and values staff left out

test('with the shipped agency (no review authority, no court) the remedy clause names 本级人民政府 from the region', (t) => {
  // 行政复议法 第二十四条第一款第（一）项: a city department's 复议机关 is the city government. A letter that
  // names no body extends the applicant's time to a year (第二十条第三款), so never "依法有管辖权的" or "一般为".
  const v = view(application([RECEIVE, { type: 'decide', on: '2026-09-25', outcome: 'withheld-third-party', reason: '涉及个人隐私' }]));
  const doc = renderDocument(templates, 'reply', { view: v, agency: shippedAgency, calendar });
  t.is(
    lastParagraph(doc),
    '如对本答复不服，您应当先向黄石市人民政府申请行政复议，申请期限为自收到本答复之日起六十日内；对行政复议决定不服的，可以自收到行政复议决定书之日起十五日内依法向人民法院提起行政诉讼。（依据：《中华人民共和国行政复议法》第二十条、第二十三条第一款第（四）项；《中华人民共和国行政诉讼法》第四十五条）',
  );
  const text = wholeText(doc);
  t.false(/依法有管辖权|一般为/.test(text));
  t.false(/undefined|null/.test(text));
  t.true(doc.footer.join('').includes(`联系电话：${BLANK}`), 'an unknown phone is a blank line to fill in');
  t.true(doc.blanks.includes('agency.phone'));
});

test('missing values print as the blank line and are listed: reason, 补正 period', (t) => {
  const withheld = view(application([RECEIVE, { type: 'decide', on: '2026-09-25', outcome: 'withheld-third-party' }]));
  const reply = renderDocument(templates, 'reply', { view: withheld, agency: fullAgency, calendar });
  t.true(reply.paragraphs.includes(`理由：${BLANK}。`));
  t.deepEqual(reply.blanks, ['reason']);

  const supplement = view(application([RECEIVE, { type: 'request-supplement', on: '2026-09-02', items: ['文号'] }]));
  const notice = renderDocument(templates, 'supplement-notice', { view: supplement, agency: { ...fullAgency, supplementPeriodWorkingDays: null }, calendar });
  t.true(wholeText(notice).includes(`自收到本告知书之日起${BLANK}个工作日内`));
  t.deepEqual(notice.blanks, ['supplementPeriod']);
});

// ---------------------------------------------------------------------------------------------
// Output

const HOSTILE = '<script>alert("x")</script> 关于A&B公司的“备案”<img src=x onerror=alert(1)>';

test('HTML escapes what the applicant and staff typed', (t) => {
  const app = application(
    [RECEIVE, { type: 'consult-start', on: '2026-09-03', party: '<b>某&公司</b>' }, { type: 'consult-end', on: '2026-09-10' },
      { type: 'decide', on: '2026-09-25', outcome: 'partial', reason: '第三页含<i>个人隐私</i> & 住址' }],
    { applicant: { type: 'person', name: '李<四>', idNumber: '11010519491231002X', phone: '13800138000' } } as Partial<StoredApplication>,
  );
  app.request = { description: HOSTILE };
  const v = view(app);
  for (const kind of ['receipt', 'consultation-letter', 'reply']) {
    const html = documentHtml(renderDocument(templates, kind, { view: v, agency: fullAgency, calendar }));
    t.false(html.includes('<script>alert'), kind);
    t.false(html.includes('<img'), kind);
    t.true(html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'), kind);
    t.true(html.includes('A&amp;B公司'), kind);
    t.is((html.match(/<script/g) ?? []).length, 0);
  }
  const reply = documentHtml(renderDocument(templates, 'reply', { view: v, agency: fullAgency, calendar }));
  t.true(reply.includes('李&lt;四&gt;：'));
  t.true(reply.includes('含&lt;i&gt;个人隐私&lt;/i&gt; &amp; 住址'));
  const letter = documentHtml(renderDocument(templates, 'consultation-letter', { view: v, agency: fullAgency, calendar }));
  t.true(letter.includes('&lt;b&gt;某&amp;公司&lt;/b&gt;：'));
});

test('HTML is a printable A4 page with title, 文号, seal line and Chinese date', (t) => {
  const v = view(application([RECEIVE, { type: 'decide', on: '2026-11-30', outcome: 'granted' }]));
  const html = documentHtml(renderDocument(templates, 'reply', { view: v, agency: fullAgency, calendar }));
  t.true(html.startsWith('<!DOCTYPE html>'));
  t.regex(html, /@page \{ size: A4;/);
  t.regex(html, /FangSong/);
  t.true(html.includes('<h1>政府信息予以公开告知书</h1>'));
  t.true(html.includes('<p class="reference">〔2026〕第000123号</p>'));
  t.true(html.includes('<p class="seal">黄石市人民防空办公室</p>'));
  t.true(html.includes('<p class="date">二〇二六年十一月三十日</p>'));
  t.true(html.includes('第三十六条第（二）项'));
});

test('DOCX is a Word package whose document.xml holds the title, article and remedy clause', async (t) => {
  const v = view(application([RECEIVE, { type: 'decide', on: '2026-11-30', outcome: 'withheld-internal-affairs', reason: '属于人事管理信息' }]));
  const doc = renderDocument(templates, 'reply', { view: v, agency: fullAgency, calendar });
  const buffer = await documentDocx(doc);
  t.true(Buffer.isBuffer(buffer));
  const zip = await JSZip.loadAsync(buffer);
  t.truthy(zip.file('[Content_Types].xml'));
  const xml = await zip.file('word/document.xml')!.async('string');
  t.true(xml.includes('政府信息不予公开告知书'));
  t.true(xml.includes('第十六条第一款'));
  t.true(xml.includes('理由：属于人事管理信息。'));
  t.true(xml.includes('如对本答复不服'));
  t.true(xml.includes('二〇二六年十一月三十日'));
  t.true(xml.includes('w:w="11906"'), 'A4 width');
});

test('DOCX escapes markup in typed text rather than breaking the XML', async (t) => {
  const app = application([RECEIVE]);
  app.request = { description: HOSTILE };
  const buffer = await documentDocx(renderDocument(templates, 'receipt', { view: view(app), agency: fullAgency, calendar }));
  const xml = await (await JSZip.loadAsync(buffer)).file('word/document.xml')!.async('string');
  t.true(xml.includes('&lt;script&gt;'));
  t.false(xml.includes('<script>'));
});

// ---------------------------------------------------------------------------------------------
// Formal writing

test('formalDate writes the year digit by digit and month and day as numbers', (t) => {
  const cases: [string, string][] = [
    ['2026-11-30', '二〇二六年十一月三十日'],
    ['2020-01-01', '二〇二〇年一月一日'],
    ['2019-10-10', '二〇一九年十月十日'],
    ['2025-12-21', '二〇二五年十二月二十一日'],
    ['2024-02-29', '二〇二四年二月二十九日'],
  ];
  for (const [date, written] of cases) t.is(formalDate(date), written, date);
  t.throws(() => formalDate('2025-02-30'), { instanceOf: RangeError });
});

test('the 文号 comes from the tracking number', (t) => {
  const cases: [string, string][] = [
    ['2026-000123', '〔2026〕第000123号'],
    ['2019-000001', '〔2019〕第000001号'],
    ['GK-2025-0001', '第GK-2025-0001号'],
  ];
  for (const [trackingNo, reference] of cases) t.is(documentNumber(trackingNo), reference, trackingNo);
});
