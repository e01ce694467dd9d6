// The instances of one office on one PostgreSQL, and which of them are alive, so that what an
// instance held when it died (outbox messages, chat messages, job runs) is taken over within
// seconds, not once its leases run out. An instance is one process's Database (its pool), with an id of its own: host, pid and a
// random part, so a restarted process is someone else; the host part names the machine's boot too,
// so that a restart finds the rows of its own machine's dead processes and marks them dead at once
// (Heartbeat.start): a single server killed and started again takes over without waiting staleMs. A
// running server beats: its row in `instances` (migration 080) gets seen_at = now() every
// heartbeatMs, on a connection of its own, so requests queued in the main pool cannot hold the beat
// up. An instance whose row was not seen for staleMs is dead; one that stops cleanly, or is found
// dead on its machine, has its row marked dead at once (seen_at = -infinity). An id without a row
// (a tool, a test without a beat, or gone for a day) is not judged: its claims run out with their
// leases. The time is the database's: hosts' clocks do not matter.
//
// A live process can still look dead (the machine stopped it for longer than staleMs, or its
// heartbeat connection hangs). So nothing takes this belief alone as leave to send a message: the
// outbox records a send before making it, and only on a delivery nobody changed since it read it
// (src/notify/outbox.ts). An instance taken for dead cannot send what the one that took over sent,
// and the one that took over follows the rules for a send cut off by a crash.
import type { Database } from './database.js';
import { localPid } from './instance-id.js';
import { isProcessAlive } from '../store.js';

export { DEFAULT_INSTANCE_TIMING, newInstance, type Instance, type InstanceTiming } from './instance-id.js';

/** Notes that instance $2 is alive now (a statement whose $1 is the office). */
export const BEAT_SQL = 'INSERT INTO instances (office, id) VALUES ($1, $2) ON CONFLICT (office, id) DO UPDATE SET seen_at = now()';

/**
 * The SQL condition "the instance named in `column` is known to be dead": its row was not seen for
 * the last `staleParam` milliseconds, or was marked dead; in a statement whose $1 is the office.
 */
export function instanceDead(column: string, staleParam: string): string {
  return `EXISTS (SELECT 1 FROM instances i WHERE i.office = $1 AND i.id = ${column} AND i.seen_at <= now() - ${staleParam} * interval '1 millisecond')`;
}

/** Marks instances $2 (an array; $1 is the office) dead: what they held is free at once. */
const MARK_DEAD_SQL = `UPDATE instances SET seen_at = '-infinity' WHERE office = $1 AND id = ANY($2::text[])`;

/** Beats between two clean-ups of the rows of instances gone for a day (a restart leaves one). */
const FORGET_EVERY = 500;

/** The beat of a running server on `db`: started once the schema is current, stopped as it stops. */
export class Heartbeat {
  #timer: NodeJS.Timeout | undefined;
  #beating: Promise<void> | null = null;
  #beats = 0;
  #stopped = false;

  constructor(private readonly db: Database) {}

  /** Forgets this machine's dead instances, beats, then beats every heartbeatMs. */
  async start(): Promise<void> {
    await this.#forgetDeadNeighbours();
    await this.#beat();
    if (this.#stopped) return;
    this.#timer = setInterval(() => {
      // A beat still under way (a slow database) is not doubled.
      if (!this.#beating) this.#beating = this.#beat().finally(() => (this.#beating = null));
    }, this.db.instance.heartbeatMs);
    this.#timer.unref();
  }

  /**
   * Stops beating and marks this instance dead: the others may take what it still holds at once.
   * Called once its outbox is idle and its jobs stopped, so there is nothing left to take.
   */
  async stop(): Promise<void> {
    const started = this.#beats > 0 || this.#timer !== undefined;
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#beating;
    if (!started) return;
    await this.#connection()
      .query(MARK_DEAD_SQL, [this.db.office, [this.db.instance.id]], 'instances')
      .catch(() => {});
  }

  /**
   * Marks dead the instances of this machine whose process is gone (killed, crashed), so what they
   * held is taken over now rather than staleMs after their last beat.
   */
  async #forgetDeadNeighbours(): Promise<void> {
    const connection = this.#connection();
    try {
      const { rows } = await connection.query<{ id: string }>(`SELECT id FROM instances WHERE office = $1 AND seen_at > '-infinity'`, [this.db.office], 'instances');
      const dead = rows.map((r) => r.id).filter((id) => {
        const pid = localPid(id);
        return pid !== null && pid !== process.pid && !isProcessAlive(pid);
      });
      if (dead.length) await connection.query(MARK_DEAD_SQL, [this.db.office, dead], 'instances');
    } catch {
      // As for a beat: the database being away is said elsewhere, and staleMs still frees them.
    }
  }

  async #beat(): Promise<void> {
    const connection = this.#connection();
    try {
      await connection.query(BEAT_SQL, [this.db.office, this.db.instance.id], 'instances');
      if (++this.#beats % FORGET_EVERY === 0) {
        await connection.query(`DELETE FROM instances WHERE office = $1 AND seen_at < now() - interval '1 day'`, [this.db.office], 'instances');
      }
    } catch {
      // The database is away: the main pool's health says so (and the log), and every write fails
      // with it. A beat that fails while the rest works only lets others take this instance's claims,
      // which the outbox is ready for (see above).
    }
  }

  /** One connection of its own, so that a flood queued in the main pool cannot delay a beat. */
  #connection(): Database {
    return this.db.side('heartbeat', 1);
  }
}
