// The labels are checked against the printed formats as transcribed in
// reference/law-and-report-formats.md §2.3–2.6, typed out here independently of src/report/labels.ts.
import test from 'ava';
import {
  PROACTIVE_BLOCKS,
  REQUEST_COLUMNS,
  REQUEST_ROWS,
  REQUESTS_CORNER_NOTE,
  REVIEW_BLOCKS,
  REVIEW_COLUMNS,
  SECTION_HEADINGS,
  SECTION_ORDER,
  defaultFormatForYear,
  requestRowKeys,
} from '../src/report/labels.js';

test('section headings are the six of both formats, in order', (t) => {
  t.deepEqual(
    SECTION_ORDER.map((key) => SECTION_HEADINGS[key]),
    [
      '一、总体情况',
      '二、主动公开政府信息情况',
      '三、收到和处理政府信息公开申请情况',
      '四、政府信息公开行政复议、行政诉讼情况',
      '五、存在的主要问题及改进情况',
      '六、其他需要报告的事项',
    ],
  );
});

const proactiveExpected = {
  '2019': [
    ['第二十条第（一）项', ['本年新制作数量', '本年新公开数量', '对外公开总数量'], ['规章', '规范性文件']],
    ['第二十条第（五）项', ['上一年项目数量', '本年增/减', '处理决定数量'], ['行政许可', '其他对外管理服务事项']],
    ['第二十条第（六）项', ['上一年项目数量', '本年增/减', '处理决定数量'], ['行政处罚', '行政强制']],
    ['第二十条第（八）项', ['上一年项目数量', '本年增/减'], ['行政事业性收费']],
    ['第二十条第（九）项', ['采购项目数量', '采购总金额'], ['政府集中采购']],
  ],
  '2021': [
    ['第二十条第（一）项', ['本年制发件数', '本年废止件数', '现行有效件数'], ['规章', '行政规范性文件']],
    ['第二十条第（五）项', ['本年处理决定数量'], ['行政许可']],
    ['第二十条第（六）项', ['本年处理决定数量'], ['行政处罚', '行政强制']],
    ['第二十条第（八）项', ['本年收费金额（单位：万元）'], ['行政事业性收费']],
  ],
};

for (const format of ['2019', '2021'] as const) {
  test(`table 二 blocks, columns and rows (${format})`, (t) => {
    t.deepEqual(
      PROACTIVE_BLOCKS[format].map((block) => [block.item, block.columns.map((c) => c.label), block.rows.map((r) => r.label)]),
      proactiveExpected[format],
    );
  });
}

test('table 三 header and columns', (t) => {
  t.is(REQUESTS_CORNER_NOTE, '（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）');
  t.deepEqual(
    REQUEST_COLUMNS.map((c) => [c.key, c.label]),
    [
      ['person', '自然人'],
      ['commercial', '商业企业'],
      ['research', '科研机构'],
      ['publicWelfare', '社会公益组织'],
      ['legalService', '法律服务机构'],
      ['otherOrg', '其他'],
      ['total', '总计'],
    ],
  );
});

const sharedRowsBeforeOther = [
  ['newReceived', '一、本年新收政府信息公开申请数量'],
  ['carriedOver', '二、上年结转政府信息公开申请数量'],
  ['granted', '三、本年度办理结果/（一）予以公开'],
  ['partial', '三、本年度办理结果/（二）部分公开（区分处理的，只计这一情形，不计其他情形）'],
  ['withheld.stateSecret', '三、本年度办理结果/（三）不予公开/1.属于国家秘密'],
  ['withheld.lawProhibited', '三、本年度办理结果/（三）不予公开/2.其他法律行政法规禁止公开'],
  ['withheld.securityStability', '三、本年度办理结果/（三）不予公开/3.危及“三安全一稳定”'],
  ['withheld.thirdParty', '三、本年度办理结果/（三）不予公开/4.保护第三方合法权益'],
  ['withheld.internalAffairs', '三、本年度办理结果/（三）不予公开/5.属于三类内部事务信息'],
  ['withheld.processInfo', '三、本年度办理结果/（三）不予公开/6.属于四类过程性信息'],
  ['withheld.enforcementFile', '三、本年度办理结果/（三）不予公开/7.属于行政执法案卷'],
  ['withheld.administrativeQuery', '三、本年度办理结果/（三）不予公开/8.属于行政查询事项'],
  ['unavailable.notHeld', '三、本年度办理结果/（四）无法提供/1.本机关不掌握相关政府信息'],
  ['unavailable.needsCreation', '三、本年度办理结果/（四）无法提供/2.没有现成信息需要另行制作'],
  ['unavailable.unclear', '三、本年度办理结果/（四）无法提供/3.补正后申请内容仍不明确'],
  ['notProcessed.petition', '三、本年度办理结果/（五）不予处理/1.信访举报投诉类申请'],
  ['notProcessed.duplicate', '三、本年度办理结果/（五）不予处理/2.重复申请'],
  ['notProcessed.publication', '三、本年度办理结果/（五）不予处理/3.要求提供公开出版物'],
  ['notProcessed.excessive', '三、本年度办理结果/（五）不予处理/4.无正当理由大量反复申请'],
  ['notProcessed.confirmation', '三、本年度办理结果/（五）不予处理/5.要求行政机关确认或重新出具已获取信息'],
];
const sharedRowsAfterOther = [
  ['total', '三、本年度办理结果/（七）总计'],
  ['carryForward', '四、结转下年度继续办理'],
];

const requestRowsExpected = {
  '2019': [...sharedRowsBeforeOther, ['other', '三、本年度办理结果/（六）其他处理'], ...sharedRowsAfterOther],
  '2021': [
    ...sharedRowsBeforeOther,
    ['other.noSupplement', '三、本年度办理结果/（六）其他处理/1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请'],
    ['other.feeUnpaid', '三、本年度办理结果/（六）其他处理/2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请'],
    ['other.other', '三、本年度办理结果/（六）其他处理/3.其他'],
    ...sharedRowsAfterOther,
  ],
};

for (const format of ['2019', '2021'] as const) {
  test(`table 三 rows and their labels (${format})`, (t) => {
    t.deepEqual(
      REQUEST_ROWS[format].map((row) => [row.key, [row.top, row.block, row.item].filter(Boolean).join('/')]),
      requestRowsExpected[format],
    );
  });
}

test('三、本年度办理结果 spans 20 data rows in the 2019 format and 22 in the 2021 format', (t) => {
  t.is(REQUEST_ROWS['2019'].filter((r) => r.top === '三、本年度办理结果').length, 20);
  t.is(REQUEST_ROWS['2021'].filter((r) => r.top === '三、本年度办理结果').length, 22);
});

test('the JSON row keys are the contract of DESIGN.md, in table order', (t) => {
  const contract2021 = [
    'newReceived', 'carriedOver', 'granted', 'partial', 'withheld.stateSecret', 'withheld.lawProhibited',
    'withheld.securityStability', 'withheld.thirdParty', 'withheld.internalAffairs', 'withheld.processInfo',
    'withheld.enforcementFile', 'withheld.administrativeQuery', 'unavailable.notHeld', 'unavailable.needsCreation',
    'unavailable.unclear', 'notProcessed.petition', 'notProcessed.duplicate', 'notProcessed.publication',
    'notProcessed.excessive', 'notProcessed.confirmation', 'other.noSupplement', 'other.feeUnpaid', 'other.other',
    'total', 'carryForward',
  ];
  t.deepEqual(requestRowKeys('2021'), contract2021);
  t.deepEqual(
    requestRowKeys('2019'),
    contract2021.flatMap((key) => (key === 'other.noSupplement' ? ['other'] : key.startsWith('other.') ? [] : [key])),
  );
});

test('table 四 blocks and columns', (t) => {
  t.deepEqual(REVIEW_BLOCKS.map((b) => b.label), ['行政复议', '未经复议直接起诉', '复议后起诉']);
  t.deepEqual(REVIEW_COLUMNS.map((c) => c.label), ['结果维持', '结果纠正', '其他结果', '尚未审结', '总计']);
});

test('the trial format is the default for the 2019 and 2020 reports, the 2021 format after', (t) => {
  t.deepEqual([2019, 2020, 2021, 2025].map(defaultFormatForYear), ['2019', '2019', '2021', '2021']);
});
