// The remedy table (src/domain/remedies.ts) against the 2023 行政复议法: which decisions go to 行政复议
// first, which leave the choice, and which body is named.
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { loadAgency } from '../src/agency.js';
import { OUTCOME_IDS } from '../src/domain/outcomes.js';
import {
  REMEDY_KINDS,
  REMEDY_KIND_OF,
  citationLine,
  remedyClause,
  remedyFor,
  remedyKind,
  remedyTexts,
  reviewAuthorityOf,
  type RemedyKind,
  type RemedySituation,
} from '../src/domain/remedies.js';
import { officeInfo } from '../src/notify/index.js';

const DATA = fileURLToPath(new URL('../data', import.meta.url));
const HUANGSHI = { reviewAuthority: null, region: { province: '湖北省', city: '黄石市', county: null } };

const KINDS: [RemedySituation, RemedyKind][] = [
  // 第二十三条第一款第（四）项: 不予公开, and the withheld part of a 部分公开.
  ['partial', 'reviewFirst'],
  ['withheld-state-secret', 'reviewFirst'],
  ['withheld-law-prohibited', 'reviewFirst'],
  ['withheld-security-stability', 'reviewFirst'],
  ['withheld-third-party', 'reviewFirst'],
  ['withheld-internal-affairs', 'reviewFirst'],
  ['withheld-process-info', 'reviewFirst'],
  ['withheld-enforcement-file', 'reviewFirst'],
  ['withheld-administrative-query', 'reviewFirst'],
  // 第二十三条第一款第（三）项 with 第十一条: no answer in time.
  ['overdue', 'reviewFirstOverdue'],
  // Unsettled whether 信息不存在 is 不予公开: the 复议-first path only.
  ['unavailable-not-held', 'reviewFirstCautious'],
  ['unavailable-needs-creation', 'reviewFirstCautious'],
  // Not named in 第二十三条: 复议 (第二十条) or 诉讼 (行政诉讼法 第四十六条).
  ['already-public', 'reviewOrSuit'],
  ['granted', 'reviewOrSuit'],
  ['unavailable-not-responsible', 'reviewOrSuit'],
  ['unavailable-unclear', 'reviewOrSuit'],
  ['rejected-petition', 'reviewOrSuit'],
  ['rejected-duplicate', 'reviewOrSuit'],
  ['rejected-publication', 'reviewOrSuit'],
  ['rejected-excessive', 'reviewOrSuit'],
  ['rejected-confirmation', 'reviewOrSuit'],
  ['other-no-supplement', 'reviewOrSuit'],
  ['other-fee-unpaid', 'reviewOrSuit'],
  ['other', 'reviewOrSuit'],
];

test('every outcome and overdue has exactly the remedy kind the law gives it', (t) => {
  t.deepEqual(Object.keys(REMEDY_KIND_OF).sort(), [...OUTCOME_IDS, 'overdue'].sort());
  t.deepEqual(KINDS.map(([s]) => s).sort(), [...OUTCOME_IDS, 'overdue'].sort(), 'this test covers every situation');
  for (const [situation, kind] of KINDS) t.is(remedyKind(situation), kind, situation);
});

/** What each kind's clause must say and must not say, with its citations. */
const CLAUSES: [RemedyKind, RegExp[], RegExp[], string[]][] = [
  [
    'reviewFirst',
    [/应当先向黄石市人民政府申请行政复议/, /自收到本答复之日起六十日内/, /自收到行政复议决定书之日起十五日内/],
    [/六个月/, /也可以/],
    ['《中华人民共和国行政复议法》第二十条', '《中华人民共和国行政复议法》第二十三条第一款第（四）项', '《中华人民共和国行政诉讼法》第四十五条'],
  ],
  [
    'reviewFirstOverdue',
    [/未在答复期限内答复/, /应当先向黄石市人民政府申请行政复议/, /自答复期限届满之日起六十日内/, /十五日内/],
    [/六个月/, /收到本答复/],
    ['《中华人民共和国行政复议法》第十一条', '《中华人民共和国行政复议法》第二十条', '《中华人民共和国行政复议法》第二十三条第一款第（三）项', '《中华人民共和国行政诉讼法》第四十五条'],
  ],
  [
    'reviewFirstCautious',
    [/六十日内向黄石市人民政府申请行政复议；对行政复议决定不服的/, /十五日内/],
    [/六个月/, /应当/],
    ['《中华人民共和国行政复议法》第二十条', '《中华人民共和国行政诉讼法》第四十五条'],
  ],
  [
    'reviewOrSuit',
    [/六十日内向黄石市人民政府申请行政复议，也可以/, /六个月内依法向人民法院提起行政诉讼/],
    [/应当先/, /十五日/],
    ['《中华人民共和国行政复议法》第二十条', '《中华人民共和国行政诉讼法》第四十六条'],
  ],
];

for (const [kind, says, never, citations] of CLAUSES) {
  test(`the ${kind} clause names the 复议机关, the periods and their sources`, (t) => {
    const situation = KINDS.find(([, k]) => k === kind)![0];
    const remedy = remedyFor(situation, HUANGSHI);
    t.is(remedy.kind, kind);
    for (const re of says) t.regex(remedy.text, re);
    for (const re of never) t.notRegex(remedy.text, re);
    t.deepEqual([...remedy.citations], citations);
    t.is(remedy.clause, `${remedy.text}（依据：${citationLine(citations)}）`);
    t.is(remedyClause(situation, HUANGSHI), remedy.clause);
    t.notRegex(remedy.clause, /一般为|依法有管辖权|条例第五十一条/);
    t.true([...remedy.clause].length <= 200, 'short enough for a message');
  });
}

test('citations print each law once, its articles after it', (t) => {
  t.is(
    citationLine(['《中华人民共和国行政复议法》第二十条', '《中华人民共和国行政复议法》第二十三条第一款第（四）项', '《中华人民共和国行政诉讼法》第四十五条']),
    '《中华人民共和国行政复议法》第二十条、第二十三条第一款第（四）项；《中华人民共和国行政诉讼法》第四十五条',
  );
});

const AUTHORITIES: [string, Parameters<typeof reviewAuthorityOf>[0], string][] = [
  ['named in agency.json', { reviewAuthority: ' 黄石市人民政府 ', region: { city: '武汉市' } }, '黄石市人民政府'],
  ['a city department: 本级人民政府 (第二十四条第一款第（一）项)', HUANGSHI, '黄石市人民政府'],
  ['a county department', { reviewAuthority: null, region: { province: '湖北省', city: '黄石市', county: '阳新县' } }, '阳新县人民政府'],
  ['a provincial department', { reviewAuthority: '', region: { province: '湖北省', city: null } }, '湖北省人民政府'],
  ['no region at all: the law’s words, not a guess', {}, '本级人民政府'],
];

for (const [name, agency, expected] of AUTHORITIES) {
  test(`复议机关: ${name}`, (t) => {
    t.is(reviewAuthorityOf(agency), expected);
  });
}

test('a court named by the office replaces 人民法院', (t) => {
  t.regex(remedyClause('granted', { ...HUANGSHI, court: '黄石市西塞山区人民法院' }), /六个月内依法向黄石市西塞山区人民法院提起行政诉讼/);
});

test('the shipped agency names 黄石市人民政府, in letters, messages and the guide texts', async (t) => {
  const agency = await loadAgency(DATA);
  t.is(agency.reviewAuthority, '黄石市人民政府', 'agency.json leaves it null: derived from the region');
  t.is(officeInfo(agency).reviewAuthority, '黄石市人民政府');
  const texts = remedyTexts(agency);
  t.deepEqual(Object.keys(texts), [...REMEDY_KINDS]);
  for (const kind of REMEDY_KINDS) t.true(texts[kind].includes('黄石市人民政府申请行政复议'), kind);
});
