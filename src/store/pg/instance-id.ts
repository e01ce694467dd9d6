// Who a server process is among the instances on one database (src/store/pg/instance.ts says how
// they tell the living from the dead): an id of host, boot, pid and a random part, and its timing.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface InstanceTiming {
  /** How often a running instance beats. */
  heartbeatMs: number;
  /** An instance not seen for this long is dead: what it held is taken over. */
  staleMs: number;
}

/** Five beats may be missed before the others take an instance for dead. */
export const DEFAULT_INSTANCE_TIMING: InstanceTiming = { heartbeatMs: 2_000, staleMs: 10_000 };

export interface Instance extends InstanceTiming {
  readonly id: string;
}

export function newInstance(timing: Partial<InstanceTiming> = {}): Instance {
  return { id: `${machine()}:${process.pid}:${randomBytes(3).toString('hex')}`, ...DEFAULT_INSTANCE_TIMING, ...timing };
}

/** This machine since it booted: its host name and boot id (where Linux tells it). */
function machine(): string {
  let boot = '';
  try {
    boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim().slice(0, 8);
  } catch {
    // Not Linux: the host name alone, and no instance is ever judged dead by its pid.
  }
  return boot ? `${os.hostname()}/${boot}` : os.hostname();
}

/** The pid of an instance started on this machine since its boot, or null. */
export function localPid(id: string): number | null {
  const here = machine();
  if (!here.includes('/') || !id.startsWith(`${here}:`)) return null;
  const pid = Number(id.slice(here.length + 1).split(':')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}
