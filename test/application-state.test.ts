import test from 'ava';
import {
  APPLICATION_STATUSES,
  STAFF_EVENT_TYPES,
  DomainError,
  allowedEvents,
  applyEvent,
  createApplication,
  currentStatus,
  stampEvent,
  validateEvent,
  type Application,
  type ApplicationEvent,
  type ApplicationStatus,
  type EventInput,
  type StaffEventType,
} from '../src/domain/applications/index.js';
import { OUTCOMES, OUTCOME_IDS, OUTCOME_ROW_KEYS, getOutcome, isOutcomeId, outcomesInRow } from '../src/domain/outcomes.js';

const TODAY = '2025-03-31';

function newApplication(submittedOn = '2025-03-03'): Application {
  return createApplication(
    {
      id: 'app-1',
      trackingNo: 'GK-2025-0001',
      createdAt: `${submittedOn}T01:00:00.000Z`,
      applicant: { type: 'organization', orgKind: 'commercial', name: '某某有限公司', creditCode: '91420200MA49XXXX0X', phone: '02000000000' },
      request: { description: '2024年人防工程竣工验收备案信息' },
      delivery: { form: 'paper', method: 'post' },
    },
    { at: `${submittedOn}T01:00:00.000Z`, by: 'applicant' },
  );
}

function event(input: Record<string, unknown>, by = 'handler1'): ApplicationEvent {
  const checked = validateEvent(input);
  if (!checked.ok) throw new Error(checked.message);
  return stampEvent(checked.event, by, '2025-03-31T08:00:00.000Z');
}

function run(steps: Record<string, unknown>[], today = TODAY): Application {
  return steps.reduce<Application>((app, step) => applyEvent(app, event(step), today), newApplication());
}

// How to reach each status (receipt on Mon 2025-03-03).
const reach: Record<ApplicationStatus, Record<string, unknown>[]> = {
  submitted: [],
  processing: [{ type: 'receive', on: '2025-03-03' }],
  'awaiting-supplement': [{ type: 'receive', on: '2025-03-03' }, { type: 'request-supplement', on: '2025-03-04', items: ['文号'] }],
  consulting: [{ type: 'receive', on: '2025-03-03' }, { type: 'consult-start', on: '2025-03-04', party: '某公司' }],
  'awaiting-fee': [{ type: 'receive', on: '2025-03-03' }, { type: 'fee-notice', on: '2025-03-04', amount: 100 }],
  decided: [{ type: 'receive', on: '2025-03-03' }, { type: 'decide', on: '2025-03-04', outcome: 'granted' }],
  delivered: [
    { type: 'receive', on: '2025-03-03' },
    { type: 'decide', on: '2025-03-04', outcome: 'granted' },
    { type: 'deliver', on: '2025-03-05', method: 'post' },
  ],
  closed: [{ type: 'receive', on: '2025-03-03' }, { type: 'withdraw', on: '2025-03-04' }],
};

// One valid input of each event type, dated after every fixture above.
const sample: Record<StaffEventType, Record<string, unknown>> = {
  receive: { type: 'receive', on: '2025-03-03' },
  'request-supplement': { type: 'request-supplement', on: '2025-03-10', items: ['请写明信息的名称或文号'] },
  'supplement-received': { type: 'supplement-received', on: '2025-03-10', text: '名称是……' },
  'supplement-expired': { type: 'supplement-expired', on: '2025-03-10' },
  'consult-start': { type: 'consult-start', on: '2025-03-10', party: '某建设公司' },
  'consult-end': { type: 'consult-end', on: '2025-03-10' },
  extend: { type: 'extend', on: '2025-03-10', days: 15 },
  'fee-notice': { type: 'fee-notice', on: '2025-03-10', amount: 200 },
  'fee-paid': { type: 'fee-paid', on: '2025-03-10' },
  'fee-expired': { type: 'fee-expired', on: '2025-03-10' },
  decide: { type: 'decide', on: '2025-03-10', outcome: 'partial', reason: '部分涉及商业秘密' },
  deliver: { type: 'deliver', on: '2025-03-10', method: 'email' },
  withdraw: { type: 'withdraw', on: '2025-03-10' },
};

// The specification: status → event → next status; anything not listed is refused.
const expected: Record<ApplicationStatus, Partial<Record<StaffEventType, ApplicationStatus>>> = {
  submitted: { receive: 'processing', withdraw: 'closed' },
  processing: {
    receive: 'processing',
    'request-supplement': 'awaiting-supplement',
    'consult-start': 'consulting',
    extend: 'processing',
    'fee-notice': 'awaiting-fee',
    decide: 'decided',
    withdraw: 'closed',
  },
  'awaiting-supplement': {
    receive: 'awaiting-supplement',
    'supplement-received': 'processing',
    'supplement-expired': 'closed',
    withdraw: 'closed',
  },
  consulting: { receive: 'consulting', 'consult-end': 'processing', extend: 'consulting', withdraw: 'closed' },
  'awaiting-fee': {
    receive: 'awaiting-fee',
    extend: 'awaiting-fee',
    'fee-paid': 'processing',
    'fee-expired': 'closed',
    withdraw: 'closed',
  },
  decided: { deliver: 'delivered' },
  delivered: {},
  closed: {},
};

for (const status of APPLICATION_STATUSES) {
  test(`fixture reaches ${status}`, (t) => {
    t.is(currentStatus(run(reach[status])), status);
  });
  for (const type of STAFF_EVENT_TYPES) {
    const next = expected[status][type];
    test(`${status} + ${type} → ${next ?? 'refused (409)'}`, (t) => {
      const app = run(reach[status]);
      if (next) {
        const after = applyEvent(app, event(sample[type]), TODAY);
        t.is(currentStatus(after), next);
        t.is(after.events.length, app.events.length + 1);
        t.true(allowedEvents(app).includes(type));
      } else {
        const error = t.throws(() => applyEvent(app, event(sample[type]), TODAY), { instanceOf: DomainError });
        t.is(error!.code, 'invalid-transition');
        t.regex(error!.message, /^不能记录“.+”：.+。$/);
        t.false(allowedEvents(app).includes(type));
      }
    });
  }
}

// Refusals whose message must say why.
const refusals: { name: string; steps: Record<string, unknown>[]; attempt: Record<string, unknown>; message: RegExp }[] = [
  {
    name: 'a second extension',
    steps: [...reach.processing, { type: 'extend', on: '2025-03-05', days: 5 }],
    attempt: { type: 'extend', on: '2025-03-06', days: 5 },
    message: /已延期过一次，不能再次延期（第三十三条）/,
  },
  {
    name: 'a second extension after a consultation',
    steps: [...reach.consulting, { type: 'extend', on: '2025-03-05', days: 5 }, { type: 'consult-end', on: '2025-03-06' }],
    attempt: { type: 'extend', on: '2025-03-07', days: 5 },
    message: /已延期过一次/,
  },
  { name: 'decide before receipt', steps: [], attempt: sample.decide, message: /尚未确认收到申请.*第三十一条/ },
  { name: 'decide while consulting', steps: reach.consulting, attempt: sample.decide, message: /正在征求意见.*征求意见结束/ },
  { name: 'decide while a 补正 is awaited', steps: reach['awaiting-supplement'], attempt: sample.decide, message: /等待申请人补正.*第三十条/ },
  { name: 'decide while a fee is awaited', steps: reach['awaiting-fee'], attempt: sample.decide, message: /等待缴纳信息处理费.*第四十二条/ },
  { name: 'consult-end with no consultation', steps: reach.processing, attempt: sample['consult-end'], message: /没有进行中的征求意见/ },
  { name: 'supplement-received with nothing asked', steps: reach.processing, attempt: sample['supplement-received'], message: /没有等待中的补正要求/ },
  { name: 'fee-paid with no fee notice', steps: reach.processing, attempt: sample['fee-paid'], message: /没有待缴的信息处理费/ },
  { name: 'deliver before deciding', steps: reach.processing, attempt: sample.deliver, message: /尚未作出答复/ },
  { name: 'decide twice', steps: reach.decided, attempt: sample.decide, message: /已经作出答复，只能记录送达/ },
  { name: 'anything after delivery', steps: reach.delivered, attempt: sample.withdraw, message: /答复已经送达/ },
  { name: 'anything after withdrawal', steps: reach.closed, attempt: sample.receive, message: /已经终止办理（申请人已撤回）/ },
  {
    name: 'anything after the 补正 expired',
    steps: [...reach['awaiting-supplement'], { type: 'supplement-expired', on: '2025-03-20' }],
    attempt: { type: 'supplement-received', on: '2025-03-21' },
    message: /已经终止办理（逾期未补正）/,
  },
  {
    name: 'anything after the fee expired',
    steps: [...reach['awaiting-fee'], { type: 'fee-expired', on: '2025-03-20' }],
    attempt: { type: 'fee-paid', on: '2025-03-21' },
    message: /已经终止办理（逾期未缴信息处理费）/,
  },
];

for (const r of refusals) {
  test(`refused with a reason: ${r.name}`, (t) => {
    const app = run(r.steps);
    const error = t.throws(() => applyEvent(app, event(r.attempt), TODAY), { instanceOf: DomainError });
    t.is(error!.code, 'invalid-transition');
    t.regex(error!.message, r.message);
  });
}

test('a submit event cannot be applied', (t) => {
  const app = newApplication();
  const submit: ApplicationEvent = { type: 'submit', on: '2025-03-03', at: '2025-03-03T01:00:00Z', by: 'system' };
  const error = t.throws(() => applyEvent(app, submit, TODAY), { instanceOf: DomainError });
  t.is(error!.code, 'invalid-transition');
});

// Dates: [name, steps, attempt, today, message or null when accepted]
const dateRules: [string, Record<string, unknown>[], Record<string, unknown>, string, RegExp | null][] = [
  ['in the future', reach.processing, { type: 'decide', on: '2025-04-01', outcome: 'granted' }, TODAY, /晚于今天（2025-03-31）/],
  ['receipt in the future', [], { type: 'receive', on: '2025-04-01' }, TODAY, /晚于今天/],
  ['today itself', reach.processing, { type: 'decide', on: TODAY, outcome: 'granted' }, TODAY, null],
  ['before the receipt', [{ type: 'receive', on: '2025-03-05' }], { type: 'extend', on: '2025-03-04', days: 5 }, TODAY, /不能早于收到申请的日期（2025-03-05）/],
  ['on the receipt day', [{ type: 'receive', on: '2025-03-05' }], { type: 'decide', on: '2025-03-05', outcome: 'granted' }, TODAY, null],
  ['before the previous event', reach.consulting, { type: 'consult-end', on: '2025-03-03' }, TODAY, /不能早于上一条记录“开始征求意见”的日期（2025-03-04）/],
  ['same day as the previous event', reach.consulting, { type: 'consult-end', on: '2025-03-04' }, TODAY, null],
  ['withdrawal before the submission, not received', [], { type: 'withdraw', on: '2025-03-02' }, TODAY, /不能早于提交申请的日期（2025-03-03）/],
  ['first receipt before the submission (letter entered late)', [], { type: 'receive', on: '2025-02-27' }, TODAY, null],
  ['corrected receipt, earlier', reach['awaiting-supplement'], { type: 'receive', on: '2025-02-28' }, TODAY, null],
  ['corrected receipt after the first step taken on it', reach['awaiting-supplement'], { type: 'receive', on: '2025-03-05' }, TODAY, /收到日期 2025-03-05 不能晚于已记录的“要求补正”日期（2025-03-04）/],
  ['after a corrected earlier receipt, the new date is the floor', [{ type: 'receive', on: '2025-03-05' }, { type: 'receive', on: '2025-03-03' }], { type: 'consult-start', on: '2025-03-04', party: '某公司' }, TODAY, null],
];

for (const [name, steps, attempt, today, message] of dateRules) {
  test(`dates: ${name}`, (t) => {
    const app = run(steps);
    if (message === null) {
      t.is(applyEvent(app, event(attempt), today).events.length, app.events.length + 1);
      return;
    }
    const error = t.throws(() => applyEvent(app, event(attempt), today), { instanceOf: DomainError });
    t.is(error!.code, 'invalid-date');
    t.regex(error!.message, message);
    t.is(error!.fields?.on, error!.message);
  });
}

test('applyEvent appends without touching the original and keeps extra fields', (t) => {
  const app = { ...run(reach.processing), openid: 'o-123' };
  const before = structuredClone(app);
  const after = applyEvent(app, event(sample.decide), TODAY);
  t.deepEqual(app, before);
  t.is(after.openid, 'o-123');
  t.deepEqual(after.events.at(-1), event(sample.decide));
});

test('createApplication starts the history with a submit event dated in China time', (t) => {
  const app = createApplication(
    {
      id: 'x', trackingNo: 'T', createdAt: '2025-09-24T17:30:00.000Z',
      applicant: { type: 'person', name: '李四', idNumber: '11010519491231002X', phone: '13900000000' },
      request: { description: '某文件' },
      delivery: { form: 'electronic', method: 'wechat' },
    },
    { at: '2025-09-24T17:30:00.000Z', by: 'applicant' },
  );
  t.deepEqual(app.events, [{ type: 'submit', on: '2025-09-25', at: '2025-09-24T17:30:00.000Z', by: 'applicant' }]);
  t.is(currentStatus(app), 'submitted');
  t.deepEqual(allowedEvents(app), ['receive', 'withdraw']);
});

test('allowedEvents drops the extension once used', (t) => {
  t.true(allowedEvents(run(reach.processing)).includes('extend'));
  t.false(allowedEvents(run([...reach.processing, { type: 'extend', on: '2025-03-05', days: 3 }])).includes('extend'));
});

// validateEvent: accepted inputs and their normalised events.
const accepted: [string, Record<string, unknown>, EventInput][] = [
  ['receive', { type: 'receive', on: '2025-03-03', by: 'ignored', extra: 1 }, { type: 'receive', on: '2025-03-03' }],
  ['items trimmed', { type: 'request-supplement', on: '2025-03-03', items: [' 文号 ', '年份'] }, { type: 'request-supplement', on: '2025-03-03', items: ['文号', '年份'] }],
  ['supplement without text', { type: 'supplement-received', on: '2025-03-03' }, { type: 'supplement-received', on: '2025-03-03' }],
  ['supplement with text', { type: 'supplement-received', on: '2025-03-03', text: ' 补充说明 ' }, { type: 'supplement-received', on: '2025-03-03', text: '补充说明' }],
  ['consult-start', { type: 'consult-start', on: '2025-03-03', party: '市住建局' }, { type: 'consult-start', on: '2025-03-03', party: '市住建局' }],
  ['extend 1', { type: 'extend', on: '2025-03-03', days: 1 }, { type: 'extend', on: '2025-03-03', days: 1 }],
  ['extend 20', { type: 'extend', on: '2025-03-03', days: 20 }, { type: 'extend', on: '2025-03-03', days: 20 }],
  ['fee-notice', { type: 'fee-notice', on: '2025-03-03', amount: 2000 }, { type: 'fee-notice', on: '2025-03-03', amount: 2000 }],
  ['decide with reason', { type: 'decide', on: '2025-03-03', outcome: 'withheld-third-party', reason: ' 涉及商业秘密 ' }, { type: 'decide', on: '2025-03-03', outcome: 'withheld-third-party', reason: '涉及商业秘密' }],
  ['decide, blank reason dropped', { type: 'decide', on: '2025-03-03', outcome: 'other', reason: '  ' }, { type: 'decide', on: '2025-03-03', outcome: 'other' }],
  ['deliver', { type: 'deliver', on: '2025-03-03', method: 'pickup' }, { type: 'deliver', on: '2025-03-03', method: 'pickup' }],
  ['withdraw', { type: 'withdraw', on: '2025-03-03' }, { type: 'withdraw', on: '2025-03-03' }],
];
for (const [name, input, output] of accepted) {
  test(`validateEvent accepts ${name}`, (t) => {
    t.deepEqual(validateEvent(input), { ok: true, event: output });
  });
}

// validateEvent: rejected inputs and the fields named.
const rejected: [string, unknown, Record<string, RegExp>][] = [
  ['not an object', 'receive', { type: /事件对象/ }],
  ['unknown type', { type: 'approve', on: '2025-03-03' }, { type: /未知的事件类型/ }],
  ['submit', { type: 'submit', on: '2025-03-03' }, { type: /系统/ }],
  ['missing date', { type: 'receive' }, { on: /YYYY-MM-DD/ }],
  ['impossible date', { type: 'receive', on: '2025-02-30' }, { on: /有效日期/ }],
  ['slashes', { type: 'receive', on: '2025/03/03' }, { on: /YYYY-MM-DD/ }],
  ['no items', { type: 'request-supplement', on: '2025-03-03', items: [] }, { items: /补正的事项/ }],
  ['blank item', { type: 'request-supplement', on: '2025-03-03', items: ['文号', ' '] }, { items: /补正的事项/ }],
  ['items as text', { type: 'request-supplement', on: '2025-03-03', items: '文号' }, { items: /补正的事项/ }],
  ['no party', { type: 'consult-start', on: '2025-03-03' }, { party: /征求意见的对象/ }],
  ['blank party', { type: 'consult-start', on: '2025-03-03', party: '  ' }, { party: /征求意见的对象/ }],
  ['extend 0', { type: 'extend', on: '2025-03-03', days: 0 }, { days: /1 到 20/ }],
  ['extend 21', { type: 'extend', on: '2025-03-03', days: 21 }, { days: /第三十三条/ }],
  ['extend 1.5', { type: 'extend', on: '2025-03-03', days: 1.5 }, { days: /整数/ }],
  ['extend as text', { type: 'extend', on: '2025-03-03', days: '5' }, { days: /整数/ }],
  ['fee 0', { type: 'fee-notice', on: '2025-03-03', amount: 0 }, { amount: /大于 0/ }],
  ['fee over the sane bound', { type: 'fee-notice', on: '2025-03-03', amount: 1_000_001 }, { amount: /不能超过 1000000 元/ }],
  ['fee missing', { type: 'fee-notice', on: '2025-03-03' }, { amount: /收费金额/ }],
  ['unknown outcome', { type: 'decide', on: '2025-03-03', outcome: 'approved' }, { outcome: /未知的办理结果/ }],
  ['补正 period 0', { type: 'request-supplement', on: '2025-03-03', items: ['文号'], days: 0 }, { days: /1 到 60/ }],
  ['补正 period 61', { type: 'request-supplement', on: '2025-03-03', items: ['文号'], days: 61 }, { days: /工作日/ }],
  ['补正 period as text', { type: 'request-supplement', on: '2025-03-03', items: ['文号'], days: '10' }, { days: /整数/ }],
  ['a ground on a decision that is not 部分公开', { type: 'decide', on: '2025-03-03', outcome: 'granted', ground: 'withheld-third-party' }, { ground: /只有“部分公开”/ }],
  ['an unknown ground', { type: 'decide', on: '2025-03-03', outcome: 'partial', ground: 'secret' }, { ground: /withheld-state-secret/ }],
  ['reason not text', { type: 'decide', on: '2025-03-03', outcome: 'granted', reason: 5 }, { reason: /文字/ }],
  ['unknown method', { type: 'deliver', on: '2025-03-03', method: 'pigeon' }, { method: /送达方式/ }],
  ['two problems at once', { type: 'extend', on: 'soon', days: 99 }, { on: /YYYY-MM-DD/, days: /1 到 20/ }],
];
for (const [name, input, fields] of rejected) {
  test(`validateEvent rejects ${name}`, (t) => {
    const result = validateEvent(input);
    if (result.ok) return t.fail('accepted');
    t.deepEqual(Object.keys(result.fields).sort(), Object.keys(fields).sort());
    for (const [field, message] of Object.entries(fields)) t.regex(result.fields[field], message);
    t.true(result.message.length > 0);
  });
}

// Outcomes: the design table (DESIGN.md "Outcomes"), outcome → row.
const designRows: Record<string, string> = {
  'already-public': 'granted',
  granted: 'granted',
  partial: 'partial',
  'withheld-state-secret': 'withheld.stateSecret',
  'withheld-law-prohibited': 'withheld.lawProhibited',
  'withheld-security-stability': 'withheld.securityStability',
  'withheld-third-party': 'withheld.thirdParty',
  'withheld-internal-affairs': 'withheld.internalAffairs',
  'withheld-process-info': 'withheld.processInfo',
  'withheld-enforcement-file': 'withheld.enforcementFile',
  'withheld-administrative-query': 'withheld.administrativeQuery',
  'unavailable-not-held': 'unavailable.notHeld',
  'unavailable-not-responsible': 'unavailable.notHeld',
  'unavailable-needs-creation': 'unavailable.needsCreation',
  'unavailable-unclear': 'unavailable.unclear',
  'rejected-petition': 'notProcessed.petition',
  'rejected-duplicate': 'notProcessed.duplicate',
  'rejected-publication': 'notProcessed.publication',
  'rejected-excessive': 'notProcessed.excessive',
  'rejected-confirmation': 'notProcessed.confirmation',
  'other-no-supplement': 'other.noSupplement',
  'other-fee-unpaid': 'other.feeUnpaid',
  other: 'other.other',
};

test('outcomes follow the design table, in table order', (t) => {
  t.deepEqual(Object.fromEntries(OUTCOMES.map((o) => [o.id, o.row])), designRows);
  t.deepEqual([...OUTCOME_IDS], Object.keys(designRows));
  const rowOrder = OUTCOMES.map((o) => OUTCOME_ROW_KEYS.indexOf(o.row));
  t.deepEqual(rowOrder, [...rowOrder].sort((a, b) => a - b));
  t.deepEqual([...new Set(OUTCOMES.map((o) => o.row))], [...OUTCOME_ROW_KEYS], 'every row has an outcome');
});

const articles: [string, string | null][] = [
  ['already-public', '第三十六条第（一）项'],
  ['granted', '第三十六条第（二）项'],
  ['partial', '第三十七条'],
  ['withheld-state-secret', '第十四条'],
  ['withheld-third-party', '第十五条'],
  ['withheld-internal-affairs', '第十六条第一款'],
  ['withheld-administrative-query', '第三十六条第（七）项'],
  ['unavailable-not-held', '第三十六条第（四）项'],
  ['unavailable-not-responsible', '第三十六条第（五）项'],
  ['unavailable-needs-creation', '第三十八条'],
  ['unavailable-unclear', '第三十条'],
  ['rejected-petition', '第三十九条第一款'],
  ['rejected-duplicate', '第三十六条第（六）项'],
  ['rejected-publication', '第三十九条第二款'],
  ['rejected-excessive', '第三十五条'],
  ['rejected-confirmation', null],
  ['other-no-supplement', '第三十条'],
  ['other-fee-unpaid', '第四十二条'],
  ['other', null],
];
for (const [id, article] of articles) {
  test(`outcome ${id} cites ${article ?? 'no article'}`, (t) => {
    t.true(isOutcomeId(id));
    if (!isOutcomeId(id)) return;
    t.is(getOutcome(id).article, article);
  });
}

test('every outcome has a Chinese label and a short plain sentence for the applicant', (t) => {
  for (const o of OUTCOMES) {
    t.regex(o.label, /[\u4e00-\u9fff]/, o.id);
    t.regex(o.citizenText, /^[^a-zA-Z]+。$/, o.id);
    t.true(o.citizenText.length <= 80, o.id);
  }
  t.false(isOutcomeId('approved'));
  t.deepEqual(outcomesInRow('unavailable.notHeld').map((o) => o.id), ['unavailable-not-held', 'unavailable-not-responsible']);
});
