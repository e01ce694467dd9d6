// Who may do what. One table, read by the staff API (which refuses) and the console (which does not
// even show the button). Roles follow the office's own division of work: the registrar logs requests
// in, handlers work them, the submitting section drafts catalog items, the confidentiality reviewer
// (保密审查) and the leader in charge approve them, the admin runs the system.

export const ROLES = ['registrar', 'handler', 'submitter', 'reviewer', 'leader', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  registrar: '登记员',
  handler: '承办人',
  submitter: '信息报送',
  reviewer: '保密审查',
  leader: '分管领导',
  admin: '系统管理员',
};

export type Action =
  | 'applications.view'
  | 'applications.viewPersonalData'
  | 'applications.import'
  // Importing records that already carry a closing event (a decision, an expiry, a withdrawal): these
  // set the annual report's figures, so only an admin may bring them in from the past.
  | 'applications.importDecisions'
  | `applications.event.${string}`
  | 'catalog.view'
  | 'catalog.draft'
  | 'catalog.submit'
  | 'catalog.review'
  | 'catalog.approve'
  | 'report.view'
  | 'report.edit'
  | 'guide.edit'
  | 'notify.view'
  | 'jobs.run'
  | 'calendar.edit'
  | 'users.manage';

const REGISTRAR_EVENTS = ['receive', 'request-supplement', 'supplement-received', 'supplement-expired', 'withdraw', 'deliver'];
const ALL_EVENTS = [
  ...REGISTRAR_EVENTS,
  'consult-start',
  'consult-end',
  'extend',
  'fee-notice',
  'fee-paid',
  'fee-expired',
  'decide',
];

const GRANTS: Record<Role, readonly Action[]> = {
  registrar: [
    'applications.view',
    'applications.viewPersonalData',
    'applications.import',
    ...REGISTRAR_EVENTS.map((e) => `applications.event.${e}` as const),
    'catalog.view',
  ],
  handler: [
    'applications.view',
    'applications.viewPersonalData',
    ...ALL_EVENTS.map((e) => `applications.event.${e}` as const),
    'catalog.view',
    'notify.view',
    'guide.edit',
  ],
  submitter: ['catalog.view', 'catalog.draft', 'catalog.submit'],
  reviewer: ['catalog.view', 'catalog.review', 'applications.view'],
  // The leader in charge approves publication and signs extensions (第三十三条: 负责人同意).
  leader: [
    'catalog.view',
    'catalog.approve',
    'applications.view',
    'applications.event.extend',
    'applications.event.decide',
    'report.view',
  ],
  admin: [
    'applications.view',
    'applications.viewPersonalData',
    'applications.import',
    'applications.importDecisions',
    ...ALL_EVENTS.map((e) => `applications.event.${e}` as const),
    'catalog.view',
    'catalog.draft',
    'report.view',
    'report.edit',
    'guide.edit',
    'notify.view',
    'jobs.run',
    'calendar.edit',
    'users.manage',
  ],
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function can(roles: readonly Role[], action: Action): boolean {
  return roles.some((role) => GRANTS[role].includes(action));
}
