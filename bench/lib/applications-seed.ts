// A store with many stored requests, made quickly: a few dozen real ones are made by the product
// itself (the demo's imported history in every state, plus mini-program submissions moved along by
// staff events through the applications service), then cloned with new ids, tracking numbers,
// applicants and openids into applications.json, in the store's own envelope.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { formatTrackingNo } from '../../src/domain/tracking-number.js';
import type { StoredApplication } from '../../src/store/applications-repo.js';
import { idNumber, mobile, personApplication } from './identities.js';
import { startProduct } from './servers.js';

const SAMPLE_SUBMISSIONS = 16;
/** Seeded applicants are numbered from here, so they never meet the ones a bench submits. */
export const SEED_IDENTITY_OFFSET = 50_000_000;

/** Real stored requests in a variety of states, as the product wrote them. */
export async function sampleApplications(): Promise<StoredApplication[]> {
  const product = await startProduct({ env: { DEMO_DATA: 'on' } });
  try {
    const service = product.services.applications;
    const today = service.today();
    for (let i = 0; i < SAMPLE_SUBMISSIONS; i++) {
      const { application } = await service.submit(personApplication(SEED_IDENTITY_OFFSET - 1 - i), {
        channel: 'miniprogram',
        openid: `o-sample-${i}`,
        by: 'applicant',
      });
      if (i % 4 === 1) await service.record(application.id, { type: 'request-supplement', on: today, items: ['请说明所需信息的时间范围'] }, 'handler');
      if (i % 4 === 2) {
        await service.record(application.id, { type: 'decide', on: today, outcome: 'granted' }, 'handler');
        await service.record(application.id, { type: 'deliver', on: today, method: 'email' }, 'handler');
      }
    }
    return structuredClone(await service.all());
  } finally {
    await product.dispose();
  }
}

/**
 * Writes DATA_DIR/applications.json with `count` requests cloned from `samples`, numbered in
 * `year`. Notification intents are left out (an empty list), so that the outbox of the server
 * started on this folder has no backlog to deliver. Returns the file's size in bytes.
 */
export async function writeApplicationsFile(dataDir: string, samples: readonly StoredApplication[], count: number, year: number): Promise<number> {
  const applications: StoredApplication[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const sample = samples[i % samples.length]!;
    const copy = structuredClone(sample);
    copy.id = randomBytes(9).toString('base64url');
    copy.trackingNo = formatTrackingNo(year, i + 1);
    copy.openid = sample.openid === null ? null : `o-seed-${i}`;
    copy.possibleDuplicateOf = [];
    if (copy.applicant.type === 'person') {
      copy.applicant.idNumber = idNumber(SEED_IDENTITY_OFFSET + i);
      copy.applicant.phone = mobile(SEED_IDENTITY_OFFSET + i);
    }
    applications[i] = copy;
  }
  const text = JSON.stringify({ schemaVersion: 1, data: { applications, sequences: { [year]: count }, idempotency: {}, intents: [] } });
  await writeFile(path.join(dataDir, 'applications.json'), text);
  return Buffer.byteLength(text);
}
