// Moving an office's data from one engine to the other (`npm run store:migrate`): every repository
// lists its records on the source and takes them on the target (src/store/transfer.ts); the target
// must be empty, and afterwards the counts of every kind must be equal on both sides.
import type { Transferable } from './transfer.js';

export type TransferableSet = Record<string, Transferable>;

export interface MoveReport {
  /** Per repository, the records of each kind moved (equal on both sides). */
  moved: Record<string, Record<string, number>>;
}

export class MoveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MoveError';
  }
}

export async function moveOffice(from: TransferableSet, to: TransferableSet): Promise<MoveReport> {
  const names = Object.keys(from);
  const missing = names.filter((name) => !(name in to));
  if (missing.length) throw new MoveError(`the target has no repository for ${missing.join(', ')}`);

  // Refused before anything is written: a move never mixes two offices' data.
  for (const name of names) {
    const counts = await to[name]!.counts();
    const held = Object.entries(counts).filter(([, n]) => n > 0);
    if (held.length) throw new MoveError(`the target is not empty: ${name} holds ${held.map(([kind, n]) => `${n} ${kind}`).join(', ')}`);
  }

  const moved: MoveReport['moved'] = {};
  for (const name of names) {
    await to[name]!.importRecords(from[name]!.exportRecords());
    const [source, target] = await Promise.all([from[name]!.counts(), to[name]!.counts()]);
    const kinds = new Set([...Object.keys(source), ...Object.keys(target)]);
    const differ = [...kinds].filter((kind) => (source[kind] ?? 0) !== (target[kind] ?? 0));
    if (differ.length) {
      throw new MoveError(
        `${name}: the counts differ after the move (${differ.map((kind) => `${kind}: ${source[kind] ?? 0} → ${target[kind] ?? 0}`).join(', ')}); the target is incomplete, empty it before trying again`,
      );
    }
    moved[name] = Object.fromEntries([...kinds].map((kind) => [kind, source[kind] ?? 0]));
  }
  return { moved };
}
