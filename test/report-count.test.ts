import test from 'ava';
import { columnFor, countRequests, OUTCOME_ROWS, rowForOutcome } from '../src/report/count.js';
import { REQUEST_COLUMNS, requestRowKeys, resultRowKeys } from '../src/report/labels.js';
import { sampleReportInputs } from '../src/report/sample-inputs.js';
import type { ColumnKey, ReportRequest, RequestRowKey, RequestsTable } from '../src/report/types.js';

const person = { type: 'person' } as const;

/** The rows in which a table counts something, in the 总计 column. */
function countedRows(table: RequestsTable): Partial<Record<RequestRowKey, number>> {
  return Object.fromEntries(Object.entries(table).flatMap(([row, counts]) => (counts!.total > 0 ? [[row, counts!.total]] : [])));
}

const boundaryCases: { title: string; request: ReportRequest; expected: Partial<Record<RequestRowKey, number>> }[] = [
  {
    title: 'received in December of Y-1, closed in January of Y: carried over and closed in Y',
    request: { receivedOn: '2019-12-20', closedOn: '2020-01-10', outcome: 'granted', applicant: person },
    expected: { carriedOver: 1, granted: 1, total: 1 },
  },
  {
    title: 'received in December of Y, still open: new and carried forward',
    request: { receivedOn: '2020-12-28', closedOn: null, outcome: null, applicant: person },
    expected: { newReceived: 1, carryForward: 1 },
  },
  {
    title: 'received on 31 December of Y, closed in January of Y+1: still open at the end of Y',
    request: { receivedOn: '2020-12-31', closedOn: '2021-01-05', outcome: 'partial', applicant: person },
    expected: { newReceived: 1, carryForward: 1 },
  },
  {
    title: 'received and closed before Y: not in Y at all',
    request: { receivedOn: '2019-03-01', closedOn: '2019-04-01', outcome: 'granted', applicant: person },
    expected: {},
  },
  {
    title: 'received and closed on 31 December of Y-1: not in Y',
    request: { receivedOn: '2019-12-31', closedOn: '2019-12-31', outcome: 'granted', applicant: person },
    expected: {},
  },
  {
    title: 'never received (withdrawn before receipt): not counted',
    request: { receivedOn: null, closedOn: '2020-02-01', outcome: 'other', applicant: person },
    expected: {},
  },
  {
    title: 'received on 1 January and closed on 31 December of Y',
    request: { receivedOn: '2020-01-01', closedOn: '2020-12-31', outcome: 'withheld-third-party', applicant: person },
    expected: { newReceived: 1, 'withheld.thirdParty': 1, total: 1 },
  },
  {
    title: 'received two years back and still open: carried over and forward',
    request: { receivedOn: '2018-05-01', closedOn: null, outcome: null, applicant: person },
    expected: { carriedOver: 1, carryForward: 1 },
  },
  {
    title: 'received in Y and withdrawn in Y',
    request: { receivedOn: '2020-06-01', closedOn: '2020-06-03', outcome: 'other', applicant: person },
    expected: { newReceived: 1, 'other.other': 1, total: 1 },
  },
];

for (const { title, request, expected } of boundaryCases) {
  test(`counting 2020: ${title}`, (t) => {
    const { table, uncountable } = countRequests([request], 2020, '2021');
    t.deepEqual(countedRows(table), expected);
    t.deepEqual(uncountable, []);
  });
}

const outcomeRows: [string, RequestRowKey, RequestRowKey][] = [
  // outcome, 2021 row, 2019 row
  ['already-public', 'granted', 'granted'],
  ['granted', 'granted', 'granted'],
  ['partial', 'partial', 'partial'],
  ['withheld-state-secret', 'withheld.stateSecret', 'withheld.stateSecret'],
  ['withheld-law-prohibited', 'withheld.lawProhibited', 'withheld.lawProhibited'],
  ['withheld-security-stability', 'withheld.securityStability', 'withheld.securityStability'],
  ['withheld-third-party', 'withheld.thirdParty', 'withheld.thirdParty'],
  ['withheld-internal-affairs', 'withheld.internalAffairs', 'withheld.internalAffairs'],
  ['withheld-process-info', 'withheld.processInfo', 'withheld.processInfo'],
  ['withheld-enforcement-file', 'withheld.enforcementFile', 'withheld.enforcementFile'],
  ['withheld-administrative-query', 'withheld.administrativeQuery', 'withheld.administrativeQuery'],
  ['unavailable-not-held', 'unavailable.notHeld', 'unavailable.notHeld'],
  ['unavailable-not-responsible', 'unavailable.notHeld', 'unavailable.notHeld'],
  ['unavailable-needs-creation', 'unavailable.needsCreation', 'unavailable.needsCreation'],
  ['unavailable-unclear', 'unavailable.unclear', 'unavailable.unclear'],
  ['rejected-petition', 'notProcessed.petition', 'notProcessed.petition'],
  ['rejected-duplicate', 'notProcessed.duplicate', 'notProcessed.duplicate'],
  ['rejected-publication', 'notProcessed.publication', 'notProcessed.publication'],
  ['rejected-excessive', 'notProcessed.excessive', 'notProcessed.excessive'],
  ['rejected-confirmation', 'notProcessed.confirmation', 'notProcessed.confirmation'],
  ['other-no-supplement', 'other.noSupplement', 'other'],
  ['other-fee-unpaid', 'other.feeUnpaid', 'other'],
  ['other', 'other.other', 'other'],
];

test('every outcome of the DESIGN table has a row, and no other outcome does', (t) => {
  t.deepEqual(Object.keys(OUTCOME_ROWS).sort(), outcomeRows.map(([outcome]) => outcome).sort());
});

for (const [outcome, row2021, row2019] of outcomeRows) {
  test(`outcome ${outcome} → ${row2021} (2021), ${row2019} (2019)`, (t) => {
    t.is(rowForOutcome(outcome, '2021'), row2021);
    t.is(rowForOutcome(outcome, '2019'), row2019);
    const request: ReportRequest = { receivedOn: '2020-03-02', closedOn: '2020-03-20', outcome, applicant: person };
    t.is(countRequests([request], 2020, '2019').table[row2019]!.person, 1);
    t.is(countRequests([request], 2020, '2021').table[row2021]!.person, 1);
  });
}

test('the 2019 format has the single （六） row and none of the three sub-rows; 2021 the reverse', (t) => {
  const closed = (outcome: string): ReportRequest => ({ receivedOn: '2020-03-02', closedOn: '2020-03-20', outcome, applicant: person });
  const requests = ['other-no-supplement', 'other-fee-unpaid', 'other'].map(closed);
  const table2019 = countRequests(requests, 2020, '2019').table;
  t.deepEqual(Object.keys(table2019), requestRowKeys('2019'));
  t.is(table2019.other!.total, 3);
  t.false('other.other' in table2019);
  const table2021 = countRequests(requests, 2020, '2021').table;
  t.deepEqual(Object.keys(table2021), requestRowKeys('2021'));
  t.false('other' in table2021);
  t.deepEqual([table2021['other.noSupplement']!.total, table2021['other.feeUnpaid']!.total, table2021['other.other']!.total], [1, 1, 1]);
});

const columnCases: [ReportRequest['applicant'], ColumnKey][] = [
  [{ type: 'person' }, 'person'],
  [{ type: 'organization', orgKind: 'commercial' }, 'commercial'],
  [{ type: 'organization', orgKind: 'research' }, 'research'],
  [{ type: 'organization', orgKind: 'public-welfare' }, 'publicWelfare'],
  [{ type: 'organization', orgKind: 'legal-service' }, 'legalService'],
  [{ type: 'organization', orgKind: 'other' }, 'otherOrg'],
  [{ type: 'organization' }, 'otherOrg'],
];

for (const [applicant, column] of columnCases) {
  test(`applicant ${JSON.stringify(applicant)} counts in column ${column} and in 总计`, (t) => {
    t.is(columnFor(applicant), column);
    const { table } = countRequests([{ receivedOn: '2020-05-05', closedOn: null, outcome: null, applicant }], 2020, '2021');
    const row = table.newReceived!;
    t.is(row[column], 1);
    t.is(row.total, 1);
  });
}

test('a request closed in Y with an unknown or missing outcome is reported, not guessed', (t) => {
  const { table, uncountable } = countRequests(
    [
      { id: 'A1', receivedOn: '2020-01-10', closedOn: '2020-02-10', outcome: 'approved', applicant: person },
      { id: 'A2', receivedOn: '2020-01-10', closedOn: '2020-02-10', outcome: null, applicant: person },
    ],
    2020,
    '2021',
  );
  t.is(table.total!.total, 0);
  t.deepEqual(uncountable, [
    { id: 'A1', reason: 'unknown-outcome', outcome: 'approved' },
    { id: 'A2', reason: 'unknown-outcome', outcome: null },
  ]);
});

test('a request closed before it was received is reported when it touches the year', (t) => {
  const { uncountable } = countRequests(
    [
      { id: 'B1', receivedOn: '2020-03-01', closedOn: '2019-12-01', outcome: 'granted', applicant: person },
      { id: 'B2', receivedOn: '2018-03-01', closedOn: '2018-02-01', outcome: 'granted', applicant: person },
    ],
    2020,
    '2021',
  );
  t.deepEqual(uncountable, [{ id: 'B1', reason: 'closed-before-received', outcome: 'granted' }]);
});

for (const format of ['2019', '2021'] as const) {
  test(`on consistent records 一 + 二 = （七）总计 + 四 in every column, and （七） sums its rows (${format})`, (t) => {
    const { requests } = sampleReportInputs({ year: 2020, format, requests: 2000, seed: 7 });
    const { table, uncountable } = countRequests(requests, 2020, format);
    t.deepEqual(uncountable, []);
    t.true(table.newReceived!.total > 0 && table.carriedOver!.total > 0 && table.carryForward!.total > 0);
    for (const { key } of REQUEST_COLUMNS) {
      t.is(table.newReceived![key] + table.carriedOver![key], table.total![key] + table.carryForward![key], key);
      t.is(resultRowKeys(format).reduce((sum, row) => sum + table[row]![key], 0), table.total![key], key);
    }
  });
}
