// Deterministic, realistic-looking report inputs of any size: for the benchmark, for property tests
// of the counting rules, and for trying the renderers. The same seed always gives the same data.

import { OUTCOME_ROWS } from './count.js';
import { PROACTIVE_BLOCKS } from './labels.js';
import { addCalendarDays, reportPeriod } from './period.js';
import type { OrgKind, ProactiveTable, ReportCatalogItem, ReportFormat, ReportInputs, ReportRequest, ReviewCase, ReviewKind, ReviewResult } from './types.js';

/** mulberry32: a tiny seeded PRNG, enough for spreading test data. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SampleOptions {
  year: number;
  format: ReportFormat;
  requests: number;
  catalogItems?: number;
  reviewCases?: number;
  seed?: number;
}

const ORG_KINDS: readonly OrgKind[] = ['commercial', 'research', 'public-welfare', 'legal-service', 'other'];
const OUTCOMES = Object.keys(OUTCOME_ROWS);
const CATEGORIES = ['规范性文件', '通知公告', '工作动态', '财政预决算', '政府采购', '行政许可'];
const CHANNELS = ['portal', 'wechat', 'weibo'];
const REVIEW_KINDS: readonly ReviewKind[] = ['reconsideration', 'litigation-direct', 'litigation-after-reconsideration'];
const REVIEW_RESULTS: readonly ReviewResult[] = ['upheld', 'corrected', 'other'];

export function sampleReportInputs(options: SampleOptions): ReportInputs {
  const random = seededRandom(options.seed ?? 20191226);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const period = reportPeriod(options.year);
  // Receipts spread over the report year and the seven months before it, so some carry over.
  const firstDay = addCalendarDays(period.start, -214);
  const span = 214 + 365;

  const requests: ReportRequest[] = Array.from({ length: options.requests }, (_, i) => {
    const applicant: ReportRequest['applicant'] = random() < 0.7 ? { type: 'person' } : { type: 'organization', orgKind: pick(ORG_KINDS) };
    if (random() < 0.02) return { id: `R${i}`, receivedOn: null, closedOn: null, outcome: null, applicant };
    const receivedOn = addCalendarDays(firstDay, Math.floor(random() * span));
    const open = random() < 0.08;
    const closedOn = open ? null : addCalendarDays(receivedOn, Math.floor(random() * 45));
    const feePaid = !open && random() < 0.03 ? { on: closedOn!, amount: 100 + Math.floor(random() * 5) * 100 } : null;
    return { id: `R${i}`, receivedOn, closedOn, outcome: open ? null : pick(OUTCOMES), applicant, feePaid };
  });

  const catalogItems: ReportCatalogItem[] = Array.from({ length: options.catalogItems ?? 300 }, () => {
    const category = pick(CATEGORIES);
    return {
      category,
      publishedOn: addCalendarDays(firstDay, Math.floor(random() * span)),
      channels: CHANNELS.filter(() => random() < 0.6),
      ...(category === '规范性文件' && random() < 0.1 ? { repealedOn: addCalendarDays(period.start, Math.floor(random() * 365)) } : {}),
    };
  });

  const reviewCases: ReviewCase[] = Array.from({ length: options.reviewCases ?? 6 }, (_, i) => {
    const filedOn = addCalendarDays(firstDay, Math.floor(random() * span));
    const decided = random() < 0.7;
    return {
      id: `V${i}`,
      kind: pick(REVIEW_KINDS),
      filedOn,
      result: decided ? pick(REVIEW_RESULTS) : 'pending',
      closedOn: decided ? addCalendarDays(filedOn, 30 + Math.floor(random() * 60)) : null,
    };
  });

  const proactive: ProactiveTable = {};
  for (const block of PROACTIVE_BLOCKS[options.format]) {
    for (const row of block.rows) {
      proactive[row.key] = Object.fromEntries(block.columns.map((c) => [c.key, Math.floor(random() * 50)]));
    }
  }

  return {
    agency: { name: '示例市人民防空办公室' },
    requests,
    catalogItems,
    article20Map: { 规范性文件: 'normativeDocuments' },
    entered: { proactive },
    reviewCases,
    texts: {
      overview: '本年度共主动公开政府信息 {{主动公开信息数}} 条，其中微信公众号 {{微信公众号发布数}} 条。\n本年新收政府信息公开申请 {{本年新收申请数}} 件。',
      problems: '一是信息公开的及时性还需提高。\n二是解读形式还需丰富。',
      otherMatters: '本年度收取信息处理费 {{fees.total}} 元。',
    },
  };
}
