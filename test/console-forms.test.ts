import test from 'ava';
import { eventInputFromForm } from '../src/admin/console/event-form.js';
import { fieldValues } from '../src/admin/console/form-fields.js';
import { validateEvent } from '../src/domain/applications/index.js';

// Form fields as a urlencoded body arrives (strings, repeated fields as arrays) → the event the API takes.
const CASES: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
  ['receive', { type: 'receive', on: '2026-03-16', _csrf: 'x' }, { type: 'receive', on: '2026-03-16' }],
  [
    'supplement items, one per line, blanks dropped',
    { type: 'request-supplement', on: '2026-03-16', items: '请写明年份\r\n\r\n  请提供身份证明  \n' },
    { type: 'request-supplement', on: '2026-03-16', items: ['请写明年份', '请提供身份证明'] },
  ],
  ['supplement received without text', { type: 'supplement-received', on: '2026-03-16', text: ' ' }, { type: 'supplement-received', on: '2026-03-16' }],
  ['supplement received with text', { type: 'supplement-received', on: '2026-03-16', text: '年份为2025年' }, { type: 'supplement-received', on: '2026-03-16', text: '年份为2025年' }],
  ['consultation', { type: 'consult-start', on: '2026-03-16', party: ' 某公司 ' }, { type: 'consult-start', on: '2026-03-16', party: '某公司' }],
  ['extension days become a number', { type: 'extend', on: '2026-03-16', days: '20' }, { type: 'extend', on: '2026-03-16', days: 20 }],
  ['a non-number is passed on for the validator to name', { type: 'extend', on: '2026-03-16', days: '二十' }, { type: 'extend', on: '2026-03-16', days: '二十' }],
  ['fee amount', { type: 'fee-notice', on: '2026-03-16', amount: '100' }, { type: 'fee-notice', on: '2026-03-16', amount: 100 }],
  ['decide without reason', { type: 'decide', on: '2026-03-16', outcome: 'granted', reason: '' }, { type: 'decide', on: '2026-03-16', outcome: 'granted' }],
  [
    'decide with reason',
    { type: 'decide', on: '2026-03-16', outcome: 'withheld-third-party', reason: '涉及个人隐私' },
    { type: 'decide', on: '2026-03-16', outcome: 'withheld-third-party', reason: '涉及个人隐私' },
  ],
  ['deliver', { type: 'deliver', on: '2026-03-16', method: 'post' }, { type: 'deliver', on: '2026-03-16', method: 'post' }],
  ['fields of other types are not carried along', { type: 'withdraw', on: '2026-03-16', outcome: 'granted', items: 'x' }, { type: 'withdraw', on: '2026-03-16' }],
  ['a repeated field counts once', { type: ['receive', 'decide'], on: ['2026-03-16', '2026-01-01'] }, { type: 'receive', on: '2026-03-16' }],
];

for (const [name, form, expected] of CASES) {
  test(`form → event: ${name}`, (t) => {
    t.deepEqual(eventInputFromForm(form), expected);
  });
}

test('what the form produces is what the domain accepts, and the domain names what is wrong', (t) => {
  t.true(validateEvent(eventInputFromForm({ type: 'request-supplement', on: '2026-03-16', items: '请写明年份' })).ok);
  const empty = validateEvent(eventInputFromForm({ type: 'request-supplement', on: '2026-03-16', items: '\n \n' }));
  t.false(empty.ok);
  t.truthy(!empty.ok && empty.fields.items);
  const days = validateEvent(eventInputFromForm({ type: 'extend', on: '2026-03-16', days: '二十' }));
  t.false(days.ok);
  t.regex(!days.ok ? days.fields.days! : '', /1 到 20/);
});

test('checkbox values: none, one, several', (t) => {
  t.deepEqual(fieldValues({}, 'roles'), []);
  t.deepEqual(fieldValues({ roles: 'handler' }, 'roles'), ['handler']);
  t.deepEqual(fieldValues({ roles: ['handler', ' ', 'admin'] }, 'roles'), ['handler', 'admin']);
});
