import test from 'ava';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  APPLICANT_KINDS,
  OPTIONAL_KINDS,
  STAFF_KINDS,
  TemplatesError,
  fill,
  fitValue,
  loadNotifyTemplates,
  parseNotifyTemplates,
  renderMessage,
  templateData,
  templateFor,
} from '../src/notify/templates.js';
import { applicationVars } from '../src/notify/message-vars.js';
import { createCalendar } from '../src/domain/calendar.js';
import { toView } from '../src/applications/view.js';
import type { StoredApplication } from '../src/store/applications-repo.js';

const CONTENT = path.resolve(import.meta.dirname, '..', 'data');
const raw = async () => JSON.parse(await readFile(path.join(CONTENT, 'notify', 'templates.json'), 'utf8'));

test('the shipped templates file covers every kind the code produces', async (t) => {
  const templates = await loadNotifyTemplates(CONTENT);
  t.deepEqual(Object.keys(templates.messages).sort(), [...APPLICANT_KINDS, ...STAFF_KINDS, ...OPTIONAL_KINDS].sort());
  for (const kind of APPLICANT_KINDS) {
    t.is(templates.messages[kind]!.audience, 'applicant');
    // Every applicant message can travel by each kind of template channel.
    for (const channel of ['oa-template', 'oa-subscribe', 'mp-subscribe'] as const) t.truthy(templateFor(templates, kind, channel), `${kind} on ${channel}`);
  }
  t.deepEqual(templates.messages['staff:new-request']!.staffRoles, ['registrar', 'handler', 'admin']);
  t.deepEqual(templates.messages['staff:due-5']!.staffRoles, ['handler', 'admin'], 'the file-wide default');
  t.deepEqual(templates.channelOrder.wechat, ['oa-template', 'oa-subscribe', 'customer-service']);
});

const BROKEN: Array<[string, (file: any) => void, RegExp]> = [
  ['an unknown value in a text', (f) => (f.messages.receipt.text = '编号{trackingN}'), /messages\["receipt"\]\.text uses \{trackingN\}/],
  ['a missing kind', (f) => delete f.messages.decided, /messages\["decided"\] needs a label and a text/],
  ['a template that does not exist', (f) => (f.messages.extended.use['mp-subscribe'] = 'nope'), /use\.mp-subscribe names no template/],
  ['an unknown channel in the order', (f) => f.channelOrder.wechat.push('sms'), /channelOrder\.wechat must list channels/],
  ['a subscribe template without its kind', (f) => delete f.templates['mp-subscribe'].receipt.subscription, /subscription must be "one-time" or "long-term"/],
  ['a field needing a value the message lacks', (f) => delete f.messages['staff:due-5'].values.note, /staff:due-5.*needs \{note\}/],
  ['an unknown role', (f) => (f.staffRoles = ['boss']), /staffRoles must list roles/],
];

for (const [name, breakIt, message] of BROKEN) {
  test(`a templates file with ${name} is refused, naming the place`, async (t) => {
    const file = await raw();
    breakIt(file);
    t.throws(() => parseNotifyTemplates(file, 'templates.json'), { instanceOf: TemplatesError, message });
  });
}

test('all problems are reported at once', async (t) => {
  const file = await raw();
  delete file.messages.decided;
  file.messages.receipt.text = '{nope}';
  const error = t.throws(() => parseNotifyTemplates(file));
  t.is(error!.message.split('\n').length, 3);
});

const FIT: Array<[string, string, string]> = [
  ['thing3', '不予公开：属于三类内部事务信息', '不予公开：属于三类内部事务信息'],
  ['thing3', '一二三四五六七八九十一二三四五六七八九十一', '一二三四五六七八九十一二三四五六七八九…'],
  ['character_string1', '2025-000123', '2025-000123'],
  ['character_string1', '编号2025-000123', '2025-000123'],
  ['character_string1', '—', '-'],
  ['name1', '欧阳小明明明明明明明明', '欧阳小明明明明明明…'],
  ['phrase2', '已受理', '已受理'],
  ['time4', '  2025年9月1日\n ', '2025年9月1日'],
  ['thing3', '   ', '—'],
];

for (const [key, value, expected] of FIT) {
  test(`a ${key} value "${value}" is fitted as "${expected}"`, (t) => {
    t.is(fitValue(key, value), expected);
  });
}

test('fill leaves a dash where a value is missing, never a brace', (t) => {
  t.is(fill('编号{trackingNo}，期限{dueDate}', { trackingNo: '2025-000001' }), '编号2025-000001，期限—');
});

test('template data: message values and application values, fitted per keyword', async (t) => {
  const templates = await loadNotifyTemplates(CONTENT);
  const vars = { trackingNo: '2025-000007', eventDate: '2025年9月1日', outcomeLabel: '不予公开：属于国家秘密', dueDate: '2025年9月28日' };
  const message = renderMessage(templates, 'decided', vars);
  t.deepEqual(templateData(templateFor(templates, 'decided', 'mp-subscribe')!, message, vars), {
    character_string1: { value: '2025-000007' },
    phrase2: { value: '已答复' },
    thing3: { value: '不予公开：属于国家秘密' },
    time4: { value: '2025年9月1日' },
  });
});

function application(events: StoredApplication['events']): StoredApplication {
  return {
    id: 'app1',
    trackingNo: '2025-000009',
    createdAt: '2025-09-01T01:00:00.000Z',
    applicant: { type: 'person', name: '欧阳小明', idNumber: '420102199001011237', phone: '13812345678' },
    request: { description: '请提供本人身份证号420102199001011237相关的人防工程审批材料' },
    delivery: { form: 'paper', method: 'post' },
    events,
    channel: 'wechat',
    openid: 'o1',
    possibleDuplicateOf: [],
  };
}

test('values of a 补正 notice: the items, and the deadline when the office set a period', (t) => {
  const calendar = createCalendar([]);
  const app = application([
    { type: 'submit', on: '2025-09-01', at: '2025-09-01T01:00:00Z', by: 'applicant' },
    { type: 'receive', on: '2025-09-01', at: '2025-09-01T01:00:00Z', by: 'system' },
    { type: 'request-supplement', on: '2025-09-03', at: '2025-09-03T01:00:00Z', by: 'h', items: ['文件名称', '年份'] },
  ]);
  const view = toView(app, calendar, '2025-09-03', 'staff-full');
  const office = { name: '某办', contact: '电话 1', supplementPeriodWorkingDays: 10 };
  t.like(applicationVars(app, view, 2, 'applicant', office, calendar, '2025-09-03'), {
    items: '1. 文件名称\n2. 年份',
    supplementBy: '最迟于2025年9月17日（含当日）',
    supplementLastDay: '2025年9月17日',
    eventDate: '2025年9月3日',
    dueDate: '暂停计算',
    delivery: '邮寄',
  });
  t.like(applicationVars(app, view, 2, 'applicant', { ...office, supplementPeriodWorkingDays: null }, calendar, '2025-09-03'), {
    supplementBy: '在补正告知书写明的期限内',
  });
  // The period the clerk gave this 补正 wins over the office's default (第三十条: 合理的补正期限).
  const own = application([...app.events.slice(0, 2), { ...(app.events[2] as object), days: 5 } as never]);
  t.like(applicationVars(own, view, 2, 'applicant', { ...office, supplementPeriodWorkingDays: null }, calendar, '2025-09-03'), {
    supplementBy: '最迟于2025年9月10日（含当日）',
  });
});

test('staff values are masked; applicant values carry no personal data', (t) => {
  const calendar = createCalendar([]);
  const app = application([{ type: 'submit', on: '2025-09-01', at: '2025-09-01T01:00:00Z', by: 'applicant' }]);
  const view = toView(app, calendar, '2025-09-01', 'staff-full');
  const office = { name: '某办', contact: '电话 1', supplementPeriodWorkingDays: null };
  const staff = applicationVars(app, view, 0, 'staff', office, calendar, '2025-09-01');
  t.is(staff.applicantName, '欧阳**');
  t.is(staff.summary, '请提供本人身份证号420***********1237相关的人防工程审批材料');
  t.is(staff.channelLabel, '公众号');
  const applicant = applicationVars(app, view, 0, 'applicant', office, calendar, '2025-09-01');
  t.false(JSON.stringify(applicant).includes('13812345678'));
  t.false('applicantName' in applicant || 'summary' in applicant);
});
