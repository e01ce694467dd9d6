// A delivery as the outbox plans it, due at T0: the receipt to one applicant, for the store's and
// the outbox's tests. A key "<entry>>…" names its entry; `fields` change what a test is about.
import type { Delivery } from '../../src/store/notify-repo.js';

export const T0 = '2025-09-01T01:00:00.000Z';

/** A pending receipt, due at T0. */
export function pendingDelivery(key: string, fields: Partial<Delivery> = {}): Delivery {
  return {
    key,
    entryKey: key.split('>')[0]!,
    kind: 'receipt',
    audience: 'applicant',
    applicationId: 'app-1',
    eventIndex: 1,
    recipient: { type: 'applicant', openid: 'o_user', app: 'oa' },
    channels: ['oa-template', 'customer-service'],
    channelIndex: 0,
    vars: { trackingNo: '2025-000001' },
    status: 'pending',
    attempts: 0,
    nextAttemptAt: T0,
    inFlight: null,
    sentVia: null,
    confirmed: null,
    msgid: null,
    reason: null,
    history: [],
    createdAt: T0,
    updatedAt: T0,
    ...fields,
  };
}
