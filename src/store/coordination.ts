// What several instances of one office must agree on, beside the data: which instance runs a
// scheduled job's fire (and who takes over a run whose instance died), who refreshes the WeChat
// access token, and the secrets every instance signs with. On the embedded engine there is one
// process, so every question has a trivial answer; on PostgreSQL (src/store/pg/coordination.ts)
// the answers are rows and advisory locks.
import type { AccessTokenPersistence } from '../wechat/access-token.js';
import type { SharedUrlUses } from '../wechat/used-urls.js';

export interface Coordination {
  /**
   * Takes the run of one scheduled fire (`key`: the job's name and the fire's time) for `ttlMs`:
   * true for exactly one instance. The holder renews the lease while it runs and finishes the run;
   * a run whose lease ran out (its instance died) is offered again by staleRuns().
   */
  claimRun(key: string, ttlMs: number): Promise<boolean>;
  /** Extends this instance's lease on a run it holds; false if it lost it (another took it over). */
  renewRun(key: string, ttlMs: number): Promise<boolean>;
  finishRun(key: string, ok: boolean): Promise<void>;
  /** Runs left unfinished by an instance that died, now taken over by this one (their keys). */
  takeOverStaleRuns(ttlMs: number): Promise<string[]>;
  /** Where the access token of WeChat account `appid` is kept and who may refresh it. */
  accessToken(appid: string): AccessTokenPersistence | undefined;
  /** The signed webhook URLs every instance accepted; undefined: this process's memory is all. */
  urlUses: SharedUrlUses | undefined;
  /** A secret every instance shares (e.g. the key that signs applicants' letter links). */
  sharedSecret(name: string, make: () => Buffer, loadLocal: () => Promise<Buffer>): Promise<Buffer>;
  close(): Promise<void>;
}

/** One process: every run is this process's, the token lives in its memory, secrets in DATA_DIR. */
export class LocalCoordination implements Coordination {
  async claimRun(): Promise<boolean> {
    return true;
  }
  async renewRun(): Promise<boolean> {
    return true;
  }
  async finishRun(): Promise<void> {}
  async takeOverStaleRuns(): Promise<string[]> {
    return [];
  }
  accessToken(): AccessTokenPersistence | undefined {
    return undefined;
  }
  readonly urlUses = undefined;
  async sharedSecret(_name: string, _make: () => Buffer, loadLocal: () => Promise<Buffer>): Promise<Buffer> {
    return loadLocal();
  }
  async close(): Promise<void> {}
}
