// A scriptable write-fault seam for the store (src/store/write-faults.ts): make the next write
// steps fail with an errno code, or hold one until the test lets it go, to put a race in order.
import { errnoError, type InjectedFault, type WriteFaults, type WriteStep } from '../../src/store/write-faults.js';

interface Rule {
  step: WriteStep;
  file?: RegExp;
  /** Fail with this code (forever, or `times` times); or hold until released. */
  fail?: { code: 'ENOSPC' | 'EIO'; afterBytes?: number; times: number };
  hold?: { reached: () => void; released: Promise<void> };
}

export interface Held {
  /** Resolves when a write reaches the held step. */
  reached: Promise<void>;
  release(): void;
}

export class ScriptedFaults implements WriteFaults {
  #rules: Rule[] = [];
  /** Short, so a test sees "writes work again" soon after heal(); see WriteHealth. */
  recoveryQuietMs = 300;
  /** Every step the store took, in order, with its file's base name. */
  readonly steps: string[] = [];

  /** The next `times` matching steps fail (Infinity: until heal()). */
  fail(step: WriteStep, code: 'ENOSPC' | 'EIO', options: { afterBytes?: number; times?: number; file?: RegExp } = {}): void {
    this.#rules.push({ step, file: options.file, fail: { code, afterBytes: options.afterBytes, times: options.times ?? 1 } });
  }

  /** The next matching step waits until release(), then meets the rules as they are then. */
  hold(step: WriteStep, file?: RegExp): Held {
    let reached!: () => void;
    let release!: () => void;
    const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.#rules.push({ step, file, hold: { reached, released } });
    return { reached: reachedPromise, release };
  }

  /** Every write works again, as when space returns. */
  heal(): void {
    this.#rules = this.#rules.filter((r) => r.hold);
  }

  async before(step: WriteStep, file: string, counted = false): Promise<InjectedFault | void> {
    if (!counted) this.steps.push(`${step} ${file.split('/').pop()}`);
    const index = this.#rules.findIndex((r) => r.step === step && (!r.file || r.file.test(file)));
    if (index < 0) return;
    const rule = this.#rules[index]!;
    if (rule.hold) {
      this.#rules.splice(index, 1);
      rule.hold.reached();
      await rule.hold.released;
      return this.before(step, file, true); // a rule added meanwhile applies to the held step

    }
    const fail = rule.fail!;
    if (--fail.times <= 0) this.#rules.splice(index, 1);
    return { error: errnoError(fail.code, file), afterBytes: fail.afterBytes };
  }
}
