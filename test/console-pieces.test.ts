// The console's pure pieces: the year's numbers and their charts, the holiday summary, who sees
// which menu entry, and which review buttons a person gets.
import test from 'ava';
import { yearStats } from '../src/admin/console/stats.js';
import { axisScale, barListChart, columnChart } from '../src/admin/console/charts.js';
import { summarizeHolidays } from '../src/admin/console/pages/calendar.js';
import { navFor, type Feature } from '../src/admin/console/nav.js';
import { reviewChoices } from '../src/admin/console/pages/catalog.js';
import type { Role } from '../src/domain/roles.js';

test('yearStats counts receipts by month and closings by table 三 group, in the year only', (t) => {
  const stats = yearStats(
    [
      { receivedOn: '2026-01-05', closedOn: '2026-02-01', outcome: 'granted' },
      { receivedOn: '2026-01-20', closedOn: '2026-02-10', outcome: 'already-public' },
      { receivedOn: '2026-03-02', closedOn: '2026-03-20', outcome: 'withheld-third-party' },
      { receivedOn: '2026-03-03', closedOn: '2026-03-30', outcome: 'unavailable-not-held' },
      { receivedOn: '2026-03-04', closedOn: '2026-04-01', outcome: 'other-no-supplement' },
      { receivedOn: '2026-12-31', closedOn: null, outcome: null },
      { receivedOn: '2025-12-30', closedOn: '2026-01-10', outcome: 'rejected-duplicate' },
      { receivedOn: '2025-06-01', closedOn: '2025-07-01', outcome: 'partial' },
      { receivedOn: null, closedOn: null, outcome: null },
    ],
    2026,
  );
  t.deepEqual(stats.receivedPerMonth, [2, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  t.deepEqual(
    stats.outcomes.map((o) => [o.label, o.count]),
    [
      ['予以公开', 2],
      ['部分公开', 0],
      ['不予公开', 1],
      ['无法提供', 1],
      ['不予处理', 1],
      ['其他处理', 1],
    ],
  );
  t.is(stats.received, 6);
  t.is(stats.closed, 6);
});

const SCALES: Array<[number, number, number]> = [
  [0, 5, 1],
  [3, 5, 1],
  [5, 5, 1],
  [6, 6, 2],
  [9, 10, 2],
  [11, 15, 5],
  [23, 25, 5],
  [48, 50, 10],
  [180, 200, 50],
];
for (const [max, top, step] of SCALES) {
  test(`axis for a maximum of ${max}: up to ${top} in steps of ${step}`, (t) => t.deepEqual(axisScale(max), { top, step }));
}

test('the column chart is one bar per value, scaled to the axis, labelled and titled', (t) => {
  const svg = columnChart({ id: 'm', title: '每月<收到>', labels: ['1月', '2月', '3月'], values: [2, 4, 0], mutedFrom: 2 }).value;
  const bars = [...svg.matchAll(/<rect class="([^"]+)" x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"/g)];
  t.is(bars.length, 3);
  t.deepEqual(bars.map((b) => b[1]), ['chart-bar', 'chart-bar', 'chart-bar muted']);
  // 4 is 80 % of the axis (top 5); 2 is half of that.
  t.is(Number(bars[1]![3]) / Number(bars[0]![3]), 2);
  t.is(Number(bars[2]![3]), 0);
  t.true(svg.includes('<title id="m-title">每月&lt;收到&gt;</title>'), 'the title is escaped');
  t.false(/style=/.test(svg), 'no inline styles: the CSP allows none');
});

test('the outcome bars show count and share', (t) => {
  const svg = barListChart({ id: 'o', title: '结果', rows: [{ id: 'granted', label: '予以公开', count: 3 }, { id: 'withheld', label: '不予公开', count: 1 }] }).value;
  t.true(svg.includes('3（75%）'));
  t.true(svg.includes('1（25%）'));
  t.true(svg.includes('class="chart-bar outcome-withheld"'));
});

test('a holiday file reads as festivals with ranges of days off and make-up working days', (t) => {
  const summary = summarizeHolidays({
    year: 2026,
    papers: [],
    days: [
      { name: '春节', date: '2026-02-16', isOffDay: true },
      { name: '元旦', date: '2026-01-01', isOffDay: true },
      { name: '春节', date: '2026-02-15', isOffDay: true },
      { name: '春节', date: '2026-02-14', isOffDay: false },
      { name: '春节', date: '2026-02-17', isOffDay: true },
      { name: '春节', date: '2026-02-28', isOffDay: false },
      { name: '元旦', date: '2026-01-02', isOffDay: true },
      { name: '元旦', date: '2026-01-04', isOffDay: false },
      { name: '劳动节', date: '2026-05-01', isOffDay: true },
      { name: '劳动节', date: '2026-05-05', isOffDay: true },
    ],
  });
  t.deepEqual(summary, [
    { name: '元旦', offRanges: [['2026-01-01', '2026-01-02']], workdays: ['2026-01-04'] },
    { name: '春节', offRanges: [['2026-02-15', '2026-02-17']], workdays: ['2026-02-14', '2026-02-28'] },
    { name: '劳动节', offRanges: [['2026-05-01', '2026-05-01'], ['2026-05-05', '2026-05-05']], workdays: [] },
  ]);
});

const ALL: ReadonlySet<Feature> = new Set(['report', 'catalog', 'notify', 'questions']);
const MENUS: Array<[Role[], ReadonlySet<Feature>, string[]]> = [
  [['admin'], ALL, ['inbox', 'stats', 'report', 'catalog', 'notify', 'questions', 'calendar', 'users', 'account']],
  [['handler'], ALL, ['inbox', 'stats', 'catalog', 'notify', 'questions', 'calendar', 'account']],
  [['registrar'], ALL, ['inbox', 'stats', 'catalog', 'calendar', 'account']],
  [['reviewer'], ALL, ['inbox', 'stats', 'catalog', 'calendar', 'account']],
  [['leader'], ALL, ['inbox', 'stats', 'report', 'catalog', 'calendar', 'account']],
  [['submitter'], ALL, ['catalog', 'account']],
  [['admin'], new Set(), ['inbox', 'stats', 'calendar', 'users', 'account']],
];
for (const [roles, features, expected] of MENUS) {
  test(`menu of ${roles.join('+')} with ${[...features].join(',') || 'no optional modules'}`, (t) => {
    t.deepEqual(navFor(roles, features).map((e) => e.id), expected);
  });
}

const step = (stage: 'submit' | 'confidentiality' | 'leader', decision: 'submitted' | 'approved' | 'rejected', by: string) => ({ stage, decision, by, role: '', at: '' });
const REVIEWS: Array<[string, Parameters<typeof reviewChoices>[0], Role[], string, string[]]> = [
  ['a draft, to its section', { state: 'draft', reviews: [] }, ['submitter'], 'clerk', ['submit']],
  ['a draft, to a reviewer', { state: 'draft', reviews: [] }, ['reviewer'], 'rev', []],
  ['confidentiality review, to a reviewer', { state: 'confidentiality-review', reviews: [step('submit', 'submitted', 'clerk')] }, ['reviewer'], 'rev', ['approve', 'reject']],
  ['confidentiality review, to the leader', { state: 'confidentiality-review', reviews: [step('submit', 'submitted', 'clerk')] }, ['leader'], 'chief', []],
  [
    'leader review, to the leader',
    { state: 'leader-review', reviews: [step('submit', 'submitted', 'clerk'), step('confidentiality', 'approved', 'rev')] },
    ['leader'],
    'chief',
    ['approve', 'reject'],
  ],
  [
    'leader review, to someone with both roles who already approved this round',
    { state: 'leader-review', reviews: [step('submit', 'submitted', 'clerk'), step('confidentiality', 'approved', 'both')] },
    ['reviewer', 'leader'],
    'both',
    ['reject'],
  ],
  [
    'an approval in an earlier round does not count',
    {
      state: 'leader-review',
      reviews: [step('submit', 'submitted', 'clerk'), step('confidentiality', 'approved', 'both'), step('leader', 'rejected', 'chief'), step('submit', 'submitted', 'clerk'), step('confidentiality', 'approved', 'rev')],
    },
    ['reviewer', 'leader'],
    'both',
    ['approve', 'reject'],
  ],
  ['published', { state: 'published', reviews: [] }, ['admin', 'leader'], 'chief', []],
];
for (const [name, item, roles, username, expected] of REVIEWS) {
  test(`review buttons: ${name}`, (t) => t.deepEqual(reviewChoices(item, { username, roles }), expected));
}
