// The review workflow the office describes (先审后发、分级审核、一事一审): the submitting section
// drafts an item and signs it off, the confidentiality group (保密审查) checks it, the leader in
// charge (业务主管领导) approves it, and only then is it published. Either reviewer may return it
// with a reason; it then goes round again from the submitting section. Pure rules on the events.
import { DomainError } from '../domain/errors.js';
import { can, type Action, type Role } from '../domain/roles.js';
import type { ItemEvent, ItemState, ReviewStage } from './types.js';

export interface Actor {
  username: string;
  roles: readonly Role[];
}

export type ReviewCommand = { type: 'submit' } | { type: 'approve' } | { type: 'reject'; reason: string };

export const REVIEW_COMMANDS = ['submit', 'approve', 'reject'] as const;

/** Who acts at each review stage, and the state an approval leads to. */
const STAGES: Record<ReviewStage, { state: ItemState; action: Action; label: string; approvedState: ItemState }> = {
  confidentiality: { state: 'confidentiality-review', action: 'catalog.review', label: '保密审查', approvedState: 'leader-review' },
  leader: { state: 'leader-review', action: 'catalog.approve', label: '分管领导审核', approvedState: 'published' },
};

export const STATE_LABELS: Record<ItemState, string> = {
  draft: '草稿',
  'confidentiality-review': '待保密审查',
  'leader-review': '待领导审核',
  returned: '已退回修改',
  published: '已发布',
};

/** When and in which order an item was published (its latest publish event), or null. */
export interface Publication {
  on: string;
  seq: number;
  at: string;
}

export function publicationOf(item: { events: readonly ItemEvent[] }): Publication | null {
  for (let i = item.events.length - 1; i >= 0; i--) {
    const e = item.events[i]!;
    if (e.type === 'publish') return { on: e.on, seq: e.seq, at: e.at };
  }
  return null;
}

export function stateOf(events: readonly ItemEvent[]): ItemState {
  let state: ItemState = 'draft';
  for (const event of events) {
    switch (event.type) {
      case 'create':
      case 'edit':
        break;
      case 'submit':
        state = 'confidentiality-review';
        break;
      case 'approve':
        state = STAGES[event.stage].approvedState;
        break;
      case 'reject':
        state = 'returned';
        break;
      case 'publish':
        state = 'published';
        break;
    }
  }
  return state;
}

/** The stage waiting for a decision, or null when the item is not under review. */
export function stageOf(state: ItemState): ReviewStage | null {
  if (state === 'confidentiality-review') return 'confidentiality';
  if (state === 'leader-review') return 'leader';
  return null;
}

/** The events since the item was last submitted: the current round of review. */
function currentRound(events: readonly ItemEvent[]): readonly ItemEvent[] {
  for (let i = events.length - 1; i >= 0; i--) if (events[i]!.type === 'submit') return events.slice(i);
  return [];
}

/** The role that entitles the actor to `action`, recorded with the step. */
function roleFor(actor: Actor, action: Action): Role | undefined {
  return actor.roles.find((role) => can([role], action));
}

export interface Decision {
  events: ItemEvent[];
  /** The leader's approval: the item is to be published in the same write. */
  publish: boolean;
}

/**
 * What a review command does to an item: the events to append, or a DomainError saying why not
 * (409 wrong state, 403 wrong role, 409 a second approval by the same person, 400 no reason).
 */
export function decide(events: readonly ItemEvent[], command: ReviewCommand, actor: Actor, at: string): Decision {
  const state = stateOf(events);
  if (command.type === 'submit') {
    if (state !== 'draft' && state !== 'returned') {
      throw new DomainError('invalid-transition', `该条目${STATE_LABELS[state]}，只有草稿或退回修改的条目可以报送审核`);
    }
    const role = roleFor(actor, 'catalog.submit');
    if (!role) throw new DomainError('forbidden', '报送审核需由信息报送人员进行');
    return { events: [{ type: 'submit', at, by: actor.username, role }], publish: false };
  }

  const stage = stageOf(state);
  if (!stage) {
    const verb = command.type === 'approve' ? '审核通过' : '退回';
    throw new DomainError('invalid-transition', `该条目${STATE_LABELS[state]}，不在审核环节，不能${verb}`);
  }
  const rule = STAGES[stage];
  const role = roleFor(actor, rule.action);
  if (!role) throw new DomainError('forbidden', `当前环节是${rule.label}，您的账号没有该环节的审核权限`);

  if (command.type === 'reject') {
    const reason = command.reason.trim();
    if (!reason) throw new DomainError('validation', '退回时请填写原因', { reason: '请填写退回原因' });
    return { events: [{ type: 'reject', at, by: actor.username, role, stage, reason }], publish: false };
  }
  // 先审后发: the review is someone else's check of what the submitting section sent, so whoever
  // submitted this round (even holding a reviewer's or leader's role) cannot approve it.
  if (currentRound(events).some((e) => e.type === 'submit' && e.by === actor.username)) {
    throw new DomainError('forbidden', '您是该条目的报送人，不能审核通过自己报送的条目，请由其他审核人员审核');
  }
  // 分级审核: each level is a different person's judgement, so nobody approves an item twice.
  if (currentRound(events).some((e) => e.type === 'approve' && e.by === actor.username)) {
    throw new DomainError('conflict', '您已审核通过过该条目，同一人不能对同一条目审核两次，请由其他审核人员审核');
  }
  return { events: [{ type: 'approve', at, by: actor.username, role, stage }], publish: stage === 'leader' };
}

/** Reads a request body's {type, reason?} as a command. */
export function parseCommand(body: Record<string, unknown>): ReviewCommand {
  const type = body.type;
  if (type === 'submit' || type === 'approve') return { type };
  if (type === 'reject') return { type, reason: typeof body.reason === 'string' ? body.reason : '' };
  throw new DomainError('validation', 'type 应为 submit、approve 或 reject', { type: '应为 submit、approve 或 reject' });
}

export interface ReviewStep {
  stage: 'submit' | ReviewStage;
  decision: 'submitted' | 'approved' | 'rejected';
  by: string;
  role: string;
  at: string;
  reason?: string;
}

/** The review trail for staff: who signed off, checked, approved or returned, and when. */
export function reviewTrail(events: readonly ItemEvent[]): ReviewStep[] {
  const steps: ReviewStep[] = [];
  for (const e of events) {
    if (e.type === 'submit') steps.push({ stage: 'submit', decision: 'submitted', by: e.by, role: e.role, at: e.at });
    if (e.type === 'approve') steps.push({ stage: e.stage, decision: 'approved', by: e.by, role: e.role, at: e.at });
    if (e.type === 'reject') steps.push({ stage: e.stage, decision: 'rejected', by: e.by, role: e.role, at: e.at, reason: e.reason });
  }
  return steps;
}
