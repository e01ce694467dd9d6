import test from 'ava';
import { DomainError } from '../src/domain/errors.js';
import {
  allowedFeeBases,
  feeByPages,
  feeByRequests,
  perPageRate,
  perRequestRate,
  requestsInMonth,
} from '../src/domain/fees.js';

// 国办函〔2020〕109号 第四条: the n-th request of an applicant in a natural month.
for (const [n, rate] of [
  [1, 0], [10, 0],
  [11, 100], [30, 100],
  [31, 200], [40, 200],
  [41, 300], [50, 300],
  [51, 400], [60, 400],
  [61, 500],
] as const) {
  test(`request no. ${n} of the month costs ${rate} yuan`, (t) => {
    t.is(perRequestRate(n), rate);
  });
}

// Month totals by hand: 11–30 are 20 × 100 = 2000; 31–40 add 10 × 200; 41–50 add 10 × 300; …
for (const [count, amount] of [
  [0, 0], [1, 0], [10, 0],
  [11, 100], [30, 2000],
  [31, 2200], [40, 4000],
  [41, 4300], [50, 7000],
  [51, 7400], [60, 11000],
] as const) {
  test(`${count} requests in one month cost ${amount} yuan`, (t) => {
    const quote = feeByRequests({ count });
    t.is(quote.basis, 'per-request');
    t.is(quote.amount, amount);
    t.is(quote.lines.reduce((sum, line) => sum + line.subtotal, 0), amount);
    t.is(quote.lines.reduce((sum, line) => sum + line.units, 0), count);
  });
}

test('requests already made this month move a new one into the higher tiers', (t) => {
  const quote = feeByRequests({ alreadyThisMonth: 9, count: 3 });
  t.is(quote.amount, 200);
  t.deepEqual(quote.lines, [
    { from: 10, to: 10, units: 1, rate: 0, subtotal: 0, text: '第10件，不收费' },
    { from: 11, to: 12, units: 2, rate: 100, subtotal: 200, text: '第11—12件，2件×100元/件＝200元' },
  ]);
  t.is(quote.summary, '按件计收：本月第10—12件，合计200元。');
  t.is(feeByRequests({ alreadyThisMonth: 30, count: 1 }).amount, 200);
  t.is(feeByRequests({ alreadyThisMonth: 5, count: 5 }).summary, '按件计收：本月第6—10件，不收费。');
});

test('a month of 35 requests is broken down by tier', (t) => {
  const quote = feeByRequests({ count: 35 });
  t.deepEqual(quote.lines.map((line) => line.text), [
    '第1—10件，不收费',
    '第11—30件，20件×100元/件＝2000元',
    '第31—35件，5件×200元/件＝1000元',
  ]);
  t.is(quote.summary, '按件计收：本月第1—35件，合计3000元。');
});

// 第五条: pages of one request.
for (const [page, rate] of [
  [1, 0], [30, 0],
  [31, 10], [100, 10],
  [101, 20], [200, 20],
  [201, 40], [5000, 40],
] as const) {
  test(`page no. ${page} costs ${rate} yuan`, (t) => {
    t.is(perPageRate(page), rate);
  });
}

// By hand: 31–100 are 70 × 10 = 700; 101–200 add 100 × 20 = 2000; each page from 201 adds 40.
for (const [pages, amount] of [
  [0, 0], [30, 0],
  [31, 10], [100, 700],
  [101, 720], [200, 2700],
  [201, 2740], [250, 4700],
] as const) {
  test(`${pages} pages cost ${amount} yuan`, (t) => {
    const quote = feeByPages(pages);
    t.is(quote.basis, 'per-page');
    t.is(quote.amount, amount);
    t.is(quote.lines.reduce((sum, line) => sum + line.units, 0), pages);
  });
}

test('the 2,219-page notice reported in the press comes to 83,460 yuan', (t) => {
  const quote = feeByPages(2219);
  t.is(quote.amount, 83460);
  t.deepEqual(quote.lines.map((line) => line.text), [
    '第1—30页，不收费',
    '第31—100页，70页×10元/页＝700元',
    '第101—200页，100页×20元/页＝2000元',
    '第201—2219页，2019页×40元/页＝80760元',
  ]);
  t.is(quote.summary, '按量计收：共2219页，合计83460元。');
});

for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
  test(`a count of ${bad} is refused in Chinese`, (t) => {
    const pages = t.throws(() => feeByPages(bad), { instanceOf: DomainError });
    t.is(pages?.code, 'validation');
    t.is(pages?.message, '页数应为不小于0的整数');
    const requests = t.throws(() => feeByRequests({ count: 1, alreadyThisMonth: bad }), { instanceOf: DomainError });
    t.is(requests?.message, '本月已申请件数应为不小于0的整数');
  });
}

test('rates are defined from the first unit on', (t) => {
  t.throws(() => perRequestRate(0), { instanceOf: DomainError, message: '件数应为正整数' });
  t.throws(() => perPageRate(0), { instanceOf: DomainError, message: '页数应为正整数' });
});

test('requestsInMonth counts the natural month, split requests as their items', (t) => {
  const requests = [
    { receivedOn: '2026-02-27' },
    { receivedOn: '2026-03-01' },
    { receivedOn: '2026-03-15', items: 4 },
    { receivedOn: '2026-03-31' },
    { receivedOn: '2026-04-01', items: 2 },
  ];
  t.is(requestsInMonth(requests, '2026-03'), 6);
  t.is(requestsInMonth(requests, '2026-02'), 1);
  t.is(requestsInMonth(requests, '2026-05'), 0);
  t.throws(() => requestsInMonth(requests, '2026-3'), { instanceOf: DomainError });
  t.throws(() => requestsInMonth([{ receivedOn: '2026-03-02', items: 0 }], '2026-03'), { instanceOf: DomainError });
});

test('per-page charging is not available for reading on site', (t) => {
  t.deepEqual(allowedFeeBases({ form: 'paper', method: 'onsite' }), ['per-request']);
  t.deepEqual(allowedFeeBases({ form: 'paper', method: 'post' }), ['per-request', 'per-page']);
  t.deepEqual(allowedFeeBases({ form: 'electronic', method: 'email' }), ['per-request', 'per-page']);
});
