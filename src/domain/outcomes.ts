/**
 * How a disclosure request ends (办理结果): the outcomes a `decide` event may name, plus the three
 * that closing events set by themselves. Each carries the 条例 article a reply letter cites, the
 * row of the annual report's table 三 it counts in, and one plain sentence for the applicant.
 * The article/row pairing follows docs/ARCHITECTURE.md ("Outcomes") and reference §2.7.
 */

/** The row keys of table 三 that outcomes count in, in table order (docs/ARCHITECTURE.md, "Annual-report counting"). */
export const OUTCOME_ROW_KEYS = [
  'granted',
  'partial',
  'withheld.stateSecret',
  'withheld.lawProhibited',
  'withheld.securityStability',
  'withheld.thirdParty',
  'withheld.internalAffairs',
  'withheld.processInfo',
  'withheld.enforcementFile',
  'withheld.administrativeQuery',
  'unavailable.notHeld',
  'unavailable.needsCreation',
  'unavailable.unclear',
  'notProcessed.petition',
  'notProcessed.duplicate',
  'notProcessed.publication',
  'notProcessed.excessive',
  'notProcessed.confirmation',
  'other.noSupplement',
  'other.feeUnpaid',
  'other.other',
] as const;

export type OutcomeRowKey = (typeof OUTCOME_ROW_KEYS)[number];

export interface Outcome {
  id: string;
  /** The article a reply letter cites, written as in the 条例; null where no single article applies. */
  article: string | null;
  /** Short label for staff and reply-letter headings. */
  label: string;
  /** The table 三 row it counts in. */
  row: OutcomeRowKey;
  /** One plain sentence telling the applicant what the answer means. */
  citizenText: string;
}

// `satisfies` keeps the literal ids, so OutcomeId below is a closed union.
const OUTCOME_TABLE = [
  {
    id: 'already-public',
    article: '第三十六条第（一）项',
    label: '已主动公开',
    row: 'granted',
    citizenText: '您申请的信息已经主动公开，答复书写明了查看的地方和方法。',
  },
  {
    id: 'granted',
    article: '第三十六条第（二）项',
    label: '予以公开',
    row: 'granted',
    citizenText: '您申请的信息予以公开，我们会按您选择的方式提供。',
  },
  {
    id: 'partial',
    article: '第三十七条',
    label: '部分公开',
    row: 'partial',
    citizenText: '您申请的信息部分公开：能公开的部分会提供给您，不能公开的部分在答复书中说明理由。',
  },
  {
    id: 'withheld-state-secret',
    article: '第十四条',
    label: '不予公开：属于国家秘密',
    row: 'withheld.stateSecret',
    citizenText: '您申请的信息属于国家秘密，依法不予公开。',
  },
  {
    id: 'withheld-law-prohibited',
    article: '第十四条',
    label: '不予公开：其他法律行政法规禁止公开',
    row: 'withheld.lawProhibited',
    citizenText: '法律、行政法规禁止公开您申请的信息，依法不予公开。',
  },
  {
    id: 'withheld-security-stability',
    article: '第十四条',
    label: '不予公开：危及“三安全一稳定”',
    row: 'withheld.securityStability',
    citizenText: '您申请的信息公开后可能危及国家安全、公共安全、经济安全或社会稳定，依法不予公开。',
  },
  {
    id: 'withheld-third-party',
    article: '第十五条',
    label: '不予公开：保护第三方合法权益',
    row: 'withheld.thirdParty',
    citizenText: '您申请的信息涉及商业秘密或个人隐私，公开会损害他人的合法权益，依法不予公开。',
  },
  {
    id: 'withheld-internal-affairs',
    article: '第十六条第一款',
    label: '不予公开：属于三类内部事务信息',
    row: 'withheld.internalAffairs',
    citizenText: '您申请的信息属于机关内部的人事、后勤或工作流程信息，依法可以不予公开。',
  },
  {
    id: 'withheld-process-info',
    article: '第十六条第二款',
    label: '不予公开：属于四类过程性信息',
    row: 'withheld.processInfo',
    citizenText: '您申请的信息属于讨论记录、过程稿、磋商信函或请示报告等过程性信息，依法可以不予公开。',
  },
  {
    id: 'withheld-enforcement-file',
    article: '第十六条第二款',
    label: '不予公开：属于行政执法案卷',
    row: 'withheld.enforcementFile',
    citizenText: '您申请的信息属于行政执法案卷，依法可以不予公开。',
  },
  {
    id: 'withheld-administrative-query',
    article: '第三十六条第（七）项',
    label: '不予公开：属于行政查询事项',
    row: 'withheld.administrativeQuery',
    citizenText: '您申请的信息属于工商、不动产登记等资料，请按有关法律、行政法规规定的途径查询。',
  },
  {
    id: 'unavailable-not-held',
    article: '第三十六条第（四）项',
    label: '无法提供：本机关不掌握相关政府信息',
    row: 'unavailable.notHeld',
    citizenText: '经检索，本机关没有您申请的信息。',
  },
  {
    id: 'unavailable-not-responsible',
    article: '第三十六条第（五）项',
    label: '无法提供：不属于本机关负责公开',
    row: 'unavailable.notHeld',
    citizenText: '您申请的信息不由本机关负责公开，答复书写明了应向哪个机关申请。',
  },
  {
    id: 'unavailable-needs-creation',
    article: '第三十八条',
    label: '无法提供：没有现成信息需要另行制作',
    row: 'unavailable.needsCreation',
    citizenText: '本机关没有现成的信息，需要另行加工、分析才能形成，依法可以不予提供。',
  },
  {
    id: 'unavailable-unclear',
    article: '第三十条',
    label: '无法提供：补正后申请内容仍不明确',
    row: 'unavailable.unclear',
    citizenText: '补正后，您申请的内容仍不明确，我们无法确定要找的信息。',
  },
  {
    id: 'rejected-petition',
    article: '第三十九条第一款',
    label: '不予处理：信访举报投诉类申请',
    row: 'notProcessed.petition',
    citizenText: '您的申请属于信访、投诉或举报，不按信息公开申请处理，请通过相应渠道提出。',
  },
  {
    id: 'rejected-duplicate',
    article: '第三十六条第（六）项',
    label: '不予处理：重复申请',
    row: 'notProcessed.duplicate',
    citizenText: '您申请的信息我们已经答复过，不再重复处理。',
  },
  {
    id: 'rejected-publication',
    article: '第三十九条第二款',
    label: '不予处理：要求提供公开出版物',
    row: 'notProcessed.publication',
    citizenText: '您申请的是公开出版物，答复书写明了获取的途径。',
  },
  {
    id: 'rejected-excessive',
    article: '第三十五条',
    label: '不予处理：无正当理由大量反复申请',
    row: 'notProcessed.excessive',
    citizenText: '您申请的数量或次数明显超过合理范围，理由不成立，不予处理。',
  },
  {
    id: 'rejected-confirmation',
    article: null,
    label: '不予处理：要求行政机关确认或重新出具已获取信息',
    row: 'notProcessed.confirmation',
    citizenText: '您要求确认或重新出具已经获取的信息，这不属于信息公开申请，不予处理。',
  },
  {
    id: 'other-no-supplement',
    article: '第三十条',
    label: '其他处理：逾期不补正，不再处理',
    row: 'other.noSupplement',
    citizenText: '您没有在期限内补正申请，视为放弃申请，我们不再处理。',
  },
  {
    id: 'other-fee-unpaid',
    article: '第四十二条',
    label: '其他处理：逾期未缴纳信息处理费，不再处理',
    row: 'other.feeUnpaid',
    citizenText: '您没有在期限内缴纳信息处理费，视为放弃申请，我们不再处理。',
  },
  {
    id: 'other',
    article: null,
    label: '其他处理',
    row: 'other.other',
    citizenText: '您的申请已经结束办理。',
  },
] as const satisfies readonly Outcome[];

export type OutcomeId = (typeof OUTCOME_TABLE)[number]['id'];

/** Every outcome, in table 三 order. */
export const OUTCOMES: readonly Outcome[] = OUTCOME_TABLE;

export const OUTCOME_IDS: readonly OutcomeId[] = OUTCOME_TABLE.map((o) => o.id);

const BY_ID = new Map<string, Outcome>(OUTCOMES.map((o) => [o.id, o]));

export function isOutcomeId(value: unknown): value is OutcomeId {
  return typeof value === 'string' && BY_ID.has(value);
}

export function getOutcome(id: OutcomeId): Outcome {
  return BY_ID.get(id)!;
}

/** The grounds for withholding (第十四、十五、十六条 and 第三十六条第（七）项): the withheld-* outcomes. */
export type WithheldOutcomeId = Extract<OutcomeId, `withheld-${string}`>;

export const WITHHELD_OUTCOME_IDS = OUTCOME_IDS.filter((id): id is WithheldOutcomeId => id.startsWith('withheld-'));

export function isWithheldOutcomeId(value: unknown): value is WithheldOutcomeId {
  return typeof value === 'string' && (WITHHELD_OUTCOME_IDS as readonly string[]).includes(value);
}

/**
 * The articles a refusal rests on, as a letter cites them: 第三十六条第（三）项 with the exemption
 * (第十四/十五/十六条), or 第三十六条第（七）项 alone for a 行政查询 matter.
 */
export function withholdingArticles(ground: WithheldOutcomeId): string {
  const { article } = getOutcome(ground);
  return ground === 'withheld-administrative-query' ? article! : `第三十六条第（三）项和${article}`;
}

/**
 * Whether the decision must give the applicant its reasons: a refusal (第三十六条第（三）项 “说明理由”,
 * and the withheld part of a 部分公开, 第三十七条) and information this office is not responsible
 * for (第三十六条第（五）项 “说明理由”). The letter's “理由” is then written, never left blank.
 */
export function mustStateReason(outcome: string): boolean {
  return isWithheldOutcomeId(outcome) || outcome === 'partial' || outcome === 'unavailable-not-responsible';
}

/** The outcomes counted in one table 三 row (e.g. 'granted' → already-public, granted). */
export function outcomesInRow(row: OutcomeRowKey): Outcome[] {
  return OUTCOMES.filter((o) => o.row === row);
}
