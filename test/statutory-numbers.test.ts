// The statutory periods (20 working days to reply, 15 to answer a consultation, 60 days for 复议 …)
// are written once, in src/domain/applications/periods.ts STATUTORY_PERIODS (the remedies' in
// src/domain/remedies.ts). The texts people read fill them in: {{period.replyWorkingDays}} in the
// guide's answers and the letters, {replyWorkingDays} in the notifications. A number typed into
// one of those texts would stay behind when the law changes; this test finds it.
import test from 'ava';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { STATUTORY_PERIODS } from '../src/domain/applications/index.js';
import { chineseNumber } from '../src/domain/numerals.js';
import { loadNotifyTemplates, parseNotifyTemplates, renderMessage } from '../src/notify/templates.js';
import { MESSAGE_STATUS } from '../src/applications/applicant-text.js';
import { APPLICANT_MESSAGE_KINDS } from '../src/applications/intents.js';

const DATA = path.resolve(import.meta.dirname, '..', 'data');
const json = async (file: string) => JSON.parse(await readFile(path.join(DATA, file), 'utf8'));

const NUMBERS = [...new Set(Object.values(STATUTORY_PERIODS))];
// A statutory number as a text would write it, in digits or in Chinese, followed by its unit; not a
// part of a longer number or of a date (5月15日).
const LITERAL = new RegExp(
  `(?<![0-9〇一二三四五六七八九十百年月第])(${NUMBERS.flatMap((n) => [String(n), chineseNumber(n)]).join('|')})\\s*(个工作日|工作日|个月|日|天|周)`,
  'u',
);

/** Every string in a JSON value, with where it is; `_about` notes are for the office, not read by people. */
function strings(value: unknown, where: string, out: Array<[string, string]> = []): Array<[string, string]> {
  if (typeof value === 'string') out.push([where, value]);
  else if (Array.isArray(value)) value.forEach((v, i) => strings(v, `${where}[${i}]`, out));
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) if (!key.startsWith('_')) strings(v, `${where}.${key}`, out);
  }
  return out;
}

test('the pattern finds a statutory number in digits or in Chinese, and leaves dates and other numbers alone', (t) => {
  for (const text of ['自收到申请之日起20个工作日内', '15个工作日', '自收到本答复之日起六十日内', '6个月内', '一般约4周']) t.regex(text, LITERAL, text);
  for (const text of ['{{period.replyWorkingDays}}个工作日', '{replyWorkingDays}个工作日', '2019年5月15日起施行', '5个工作日内到期', '120个工作日', '第二十条']) {
    t.notRegex(text, LITERAL, text);
  }
});

const TEXTS: Array<[string, () => Promise<Array<[string, string]>>]> = [
  ['the guide\'s answers', async () => (await json('guide/entries.json')).map((e: { id: string; answer: string }) => [`${e.id}.answer`, e.answer])],
  ['the letters', async () => strings(await json('documents/templates.json'), 'documents')],
  ['the notifications', async () => strings((await json('notify/templates.json')).messages, 'messages')],
];

for (const [name, read] of TEXTS) {
  test(`${name} write no statutory number themselves`, async (t) => {
    const found = (await read()).filter(([, text]) => LITERAL.test(text)).map(([where, text]) => `${where}: …${LITERAL.exec(text)![0]}…`);
    t.deepEqual(found, [], 'write {{period.NAME}} (guide, letters) or {NAME} (notifications) instead; names in STATUTORY_PERIODS');
  });
}

test('a notification states the period the law sets, filled from the one table', async (t) => {
  const templates = await loadNotifyTemplates(DATA);
  const receipt = renderMessage(templates, 'receipt', { dueDate: '2026年3月31日' });
  t.regex(receipt.text, new RegExp(`（${STATUTORY_PERIODS.replyWorkingDays}个工作日，条例第三十三条）`));
  t.regex(renderMessage(templates, 'consultation-started', {}).text, new RegExp(`对方应在${STATUTORY_PERIODS.consultationWorkingDays}个工作日内`));
});

test('every applicant message carries its status word from the one vocabulary, short enough for a phrase field', async (t) => {
  const templates = await loadNotifyTemplates(DATA);
  for (const kind of APPLICANT_MESSAGE_KINDS) {
    t.is(renderMessage(templates, kind, {}).values.status, MESSAGE_STATUS[kind], kind);
    t.regex(MESSAGE_STATUS[kind], /^\p{Script=Han}{1,5}$/u, kind);
  }
});

test('a templates file may not word an applicant message\'s status itself', async (t) => {
  const file = await json('notify/templates.json');
  file.messages.receipt.values.status = '已收到';
  t.throws(() => parseNotifyTemplates(file), { message: /messages\["receipt"\]\.values\.status is the applicant's status word/ });
});
