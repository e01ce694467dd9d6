// The exact printed labels of the two official formats (reference/law-and-report-formats.md §2):
// 2019 = 《…年度报告格式（试行）》(国办公开办函〔2019〕60号), used for the 2019 and 2020 reports;
// 2021 = 《…年度报告格式》(国办公开办函〔2021〕30号), used from the 2021 report on.
// Full-width brackets and the enumeration commas are as printed; renderers copy these strings verbatim.

import type {
  ColumnKey,
  ProactiveColumnKey,
  ProactiveRowKey,
  ReportFormat,
  RequestRowKey,
  ReviewBlockKey,
  ReviewColumnKey,
  ReviewKind,
  ReviewResult,
  SectionKey,
} from './types.js';

export const REPORT_TITLE = '政府信息公开工作年度报告';

export const FORMAT_NAMES: Record<ReportFormat, string> = {
  '2019': '中华人民共和国政府信息公开工作年度报告格式（试行）',
  '2021': '中华人民共和国政府信息公开工作年度报告格式',
};

/** The trial format served the 2019 and 2020 reports; the 2021 format every report since. */
export function defaultFormatForYear(year: number): ReportFormat {
  return year <= 2020 ? '2019' : '2021';
}

export const SECTION_ORDER: readonly SectionKey[] = ['overview', 'proactive', 'requests', 'reviews', 'problems', 'otherMatters'];

/** Identical in both formats. */
export const SECTION_HEADINGS: Record<SectionKey, string> = {
  overview: '一、总体情况',
  proactive: '二、主动公开政府信息情况',
  requests: '三、收到和处理政府信息公开申请情况',
  reviews: '四、政府信息公开行政复议、行政诉讼情况',
  problems: '五、存在的主要问题及改进情况',
  otherMatters: '六、其他需要报告的事项',
};

// ---- Table 二 -------------------------------------------------------------------------------

export interface ProactiveBlockLabels {
  /** e.g. 第二十条第（一）项 */
  item: string;
  columns: readonly { key: ProactiveColumnKey; label: string }[];
  rows: readonly { key: ProactiveRowKey; label: string }[];
}

export const PROACTIVE_CONTENT_HEADER = '信息内容';

export const PROACTIVE_BLOCKS: Record<ReportFormat, readonly ProactiveBlockLabels[]> = {
  '2019': [
    {
      item: '第二十条第（一）项',
      columns: [
        { key: 'made', label: '本年新制作数量' },
        { key: 'published', label: '本年新公开数量' },
        { key: 'totalPublished', label: '对外公开总数量' },
      ],
      rows: [
        { key: 'regulations', label: '规章' },
        { key: 'normativeDocuments', label: '规范性文件' },
      ],
    },
    {
      item: '第二十条第（五）项',
      columns: [
        { key: 'previousCount', label: '上一年项目数量' },
        { key: 'change', label: '本年增/减' },
        { key: 'decisions', label: '处理决定数量' },
      ],
      rows: [
        { key: 'licensing', label: '行政许可' },
        { key: 'otherServices', label: '其他对外管理服务事项' },
      ],
    },
    {
      item: '第二十条第（六）项',
      columns: [
        { key: 'previousCount', label: '上一年项目数量' },
        { key: 'change', label: '本年增/减' },
        { key: 'decisions', label: '处理决定数量' },
      ],
      rows: [
        { key: 'penalties', label: '行政处罚' },
        { key: 'enforcement', label: '行政强制' },
      ],
    },
    {
      item: '第二十条第（八）项',
      columns: [
        { key: 'previousCount', label: '上一年项目数量' },
        { key: 'change', label: '本年增/减' },
      ],
      rows: [{ key: 'fees', label: '行政事业性收费' }],
    },
    {
      item: '第二十条第（九）项',
      columns: [
        { key: 'projects', label: '采购项目数量' },
        { key: 'amount', label: '采购总金额' },
      ],
      rows: [{ key: 'procurement', label: '政府集中采购' }],
    },
  ],
  '2021': [
    {
      item: '第二十条第（一）项',
      columns: [
        { key: 'issued', label: '本年制发件数' },
        { key: 'repealed', label: '本年废止件数' },
        { key: 'inForce', label: '现行有效件数' },
      ],
      rows: [
        { key: 'regulations', label: '规章' },
        { key: 'normativeDocuments', label: '行政规范性文件' },
      ],
    },
    {
      item: '第二十条第（五）项',
      columns: [{ key: 'decisions', label: '本年处理决定数量' }],
      rows: [{ key: 'licensing', label: '行政许可' }],
    },
    {
      item: '第二十条第（六）项',
      columns: [{ key: 'decisions', label: '本年处理决定数量' }],
      rows: [
        { key: 'penalties', label: '行政处罚' },
        { key: 'enforcement', label: '行政强制' },
      ],
    },
    {
      item: '第二十条第（八）项',
      columns: [{ key: 'amount', label: '本年收费金额（单位：万元）' }],
      rows: [{ key: 'fees', label: '行政事业性收费' }],
    },
  ],
};

/** 本年增/减 is the one column whose figures may be negative; it prints with its sign. */
export const SIGNED_PROACTIVE_COLUMNS: ReadonlySet<ProactiveColumnKey> = new Set(['change']);

/** The 2019 procurement amount carries no unit in its header; the reference office writes 元 in the cell. */
export function proactiveCellUnit(format: ReportFormat, row: ProactiveRowKey, column: ProactiveColumnKey): string {
  return format === '2019' && row === 'procurement' && column === 'amount' ? '元' : '';
}

// ---- Table 三 -------------------------------------------------------------------------------

export const REQUESTS_CORNER_NOTE = '（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）';
export const REQUESTS_APPLICANT_GROUP = '申请人情况';
export const REQUESTS_ORGANIZATION_GROUP = '法人或其他组织';

export const REQUEST_COLUMNS: readonly { key: ColumnKey; label: string; name: string }[] = [
  { key: 'person', label: '自然人', name: '自然人' },
  { key: 'commercial', label: '商业企业', name: '商业企业' },
  { key: 'research', label: '科研机构', name: '科研机构' },
  { key: 'publicWelfare', label: '社会公益组织', name: '社会公益组织' },
  { key: 'legalService', label: '法律服务机构', name: '法律服务机构' },
  // Printed as 其他 under 法人或其他组织; `name` is how a check message refers to it on its own.
  { key: 'otherOrg', label: '其他', name: '其他法人或组织' },
  { key: 'total', label: '总计', name: '总计' },
];

/**
 * A row of table 三 as a path of up to three label cells: the top-level item (一、…四、),
 * the block inside 三 (（一）…（七）) and the numbered sub-item. Consecutive rows that share
 * `top` or `block` are merged cells in the printed table.
 */
export interface RequestRowLabels {
  key: RequestRowKey;
  top: string;
  block?: string;
  item?: string;
}

const RESULTS = '三、本年度办理结果';
const WITHHELD = '（三）不予公开';
const UNAVAILABLE = '（四）无法提供';
const NOT_PROCESSED = '（五）不予处理';
const OTHER = '（六）其他处理';

const ROWS_BEFORE_OTHER: readonly RequestRowLabels[] = [
  { key: 'newReceived', top: '一、本年新收政府信息公开申请数量' },
  { key: 'carriedOver', top: '二、上年结转政府信息公开申请数量' },
  { key: 'granted', top: RESULTS, block: '（一）予以公开' },
  { key: 'partial', top: RESULTS, block: '（二）部分公开（区分处理的，只计这一情形，不计其他情形）' },
  { key: 'withheld.stateSecret', top: RESULTS, block: WITHHELD, item: '1.属于国家秘密' },
  { key: 'withheld.lawProhibited', top: RESULTS, block: WITHHELD, item: '2.其他法律行政法规禁止公开' },
  { key: 'withheld.securityStability', top: RESULTS, block: WITHHELD, item: '3.危及“三安全一稳定”' },
  { key: 'withheld.thirdParty', top: RESULTS, block: WITHHELD, item: '4.保护第三方合法权益' },
  { key: 'withheld.internalAffairs', top: RESULTS, block: WITHHELD, item: '5.属于三类内部事务信息' },
  { key: 'withheld.processInfo', top: RESULTS, block: WITHHELD, item: '6.属于四类过程性信息' },
  { key: 'withheld.enforcementFile', top: RESULTS, block: WITHHELD, item: '7.属于行政执法案卷' },
  { key: 'withheld.administrativeQuery', top: RESULTS, block: WITHHELD, item: '8.属于行政查询事项' },
  { key: 'unavailable.notHeld', top: RESULTS, block: UNAVAILABLE, item: '1.本机关不掌握相关政府信息' },
  { key: 'unavailable.needsCreation', top: RESULTS, block: UNAVAILABLE, item: '2.没有现成信息需要另行制作' },
  { key: 'unavailable.unclear', top: RESULTS, block: UNAVAILABLE, item: '3.补正后申请内容仍不明确' },
  { key: 'notProcessed.petition', top: RESULTS, block: NOT_PROCESSED, item: '1.信访举报投诉类申请' },
  { key: 'notProcessed.duplicate', top: RESULTS, block: NOT_PROCESSED, item: '2.重复申请' },
  { key: 'notProcessed.publication', top: RESULTS, block: NOT_PROCESSED, item: '3.要求提供公开出版物' },
  { key: 'notProcessed.excessive', top: RESULTS, block: NOT_PROCESSED, item: '4.无正当理由大量反复申请' },
  { key: 'notProcessed.confirmation', top: RESULTS, block: NOT_PROCESSED, item: '5.要求行政机关确认或重新出具已获取信息' },
];

const ROWS_AFTER_OTHER: readonly RequestRowLabels[] = [
  { key: 'total', top: RESULTS, block: '（七）总计' },
  { key: 'carryForward', top: '四、结转下年度继续办理' },
];

export const REQUEST_ROWS: Record<ReportFormat, readonly RequestRowLabels[]> = {
  // The trial format has （六）其他处理 as one row without sub-rows.
  '2019': [...ROWS_BEFORE_OTHER, { key: 'other', top: RESULTS, block: OTHER }, ...ROWS_AFTER_OTHER],
  '2021': [
    ...ROWS_BEFORE_OTHER,
    { key: 'other.noSupplement', top: RESULTS, block: OTHER, item: '1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请' },
    { key: 'other.feeUnpaid', top: RESULTS, block: OTHER, item: '2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请' },
    { key: 'other.other', top: RESULTS, block: OTHER, item: '3.其他' },
    ...ROWS_AFTER_OTHER,
  ],
};

export function requestRowKeys(format: ReportFormat): RequestRowKey[] {
  return REQUEST_ROWS[format].map((row) => row.key);
}

/** The rows of 三、本年度办理结果 that （七）总计 adds up. */
export function resultRowKeys(format: ReportFormat): RequestRowKey[] {
  return REQUEST_ROWS[format].filter((row) => row.top === RESULTS && row.key !== 'total').map((row) => row.key);
}

/** A row's full label on one line, for check messages: "（三）不予公开 1.属于国家秘密". */
export function requestRowName(format: ReportFormat, key: RequestRowKey): string {
  const row = REQUEST_ROWS[format].find((r) => r.key === key);
  if (!row) return key;
  return row.block ? [row.block, row.item].filter(Boolean).join(' ') : row.top;
}

// ---- Table 四 -------------------------------------------------------------------------------

export const REVIEW_LITIGATION = '行政诉讼';

export const REVIEW_BLOCKS: readonly { key: ReviewBlockKey; label: string }[] = [
  { key: 'reconsideration', label: '行政复议' },
  { key: 'litigationDirect', label: '未经复议直接起诉' },
  { key: 'litigationAfterReconsideration', label: '复议后起诉' },
];

export const REVIEW_COLUMNS: readonly { key: ReviewColumnKey; label: string }[] = [
  { key: 'upheld', label: '结果维持' },
  { key: 'corrected', label: '结果纠正' },
  { key: 'other', label: '其他结果' },
  { key: 'pending', label: '尚未审结' },
  { key: 'total', label: '总计' },
];

const reviewLabel = <K extends string>(list: readonly { key: K; label: string }[], key: K): string => list.find((item) => item.key === key)!.label;

/** A review case's kind and result, as staff choose them when entering a case: the labels of table 四. */
export const REVIEW_KIND_LABELS: Record<ReviewKind, string> = {
  reconsideration: reviewLabel(REVIEW_BLOCKS, 'reconsideration'),
  'litigation-direct': reviewLabel(REVIEW_BLOCKS, 'litigationDirect'),
  'litigation-after-reconsideration': reviewLabel(REVIEW_BLOCKS, 'litigationAfterReconsideration'),
};
export const REVIEW_RESULT_LABELS: Record<ReviewResult, string> = {
  upheld: reviewLabel(REVIEW_COLUMNS, 'upheld'),
  corrected: reviewLabel(REVIEW_COLUMNS, 'corrected'),
  other: reviewLabel(REVIEW_COLUMNS, 'other'),
  pending: reviewLabel(REVIEW_COLUMNS, 'pending'),
};
