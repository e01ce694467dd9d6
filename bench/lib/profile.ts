// Where this process spends its CPU while `work` runs: V8's sampling profiler through the
// inspector, summed by function (self time), so a bench can say what its figure is made of.
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from './paths.js';

export interface HotSpot {
  /** "function (file)" */
  where: string;
  /** Share of the busy (non-idle) time, 0–1. */
  share: number;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

export interface Profile<T> {
  result: T;
  busyMs: number;
  /** The functions with the most self time, busiest first. */
  spots: HotSpot[];
  /** Share of the busy time spent in each source file (by self time); "native" for V8 and Node internals without a file. */
  byFile: Map<string, number>;
}

export async function hotSpots<T>(work: () => Promise<T>, top = 8): Promise<Profile<T>> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    const result = await work();
    const { profile } = await session.post('Profiler.stop');
    const nodes = new Map<number, ProfileNode>((profile.nodes as ProfileNode[]).map((n) => [n.id, n]));
    const parents = new Map<number, number>();
    for (const node of nodes.values()) for (const child of node.children ?? []) parents.set(child, node.id);
    // The profiler's own work (under node:inspector's session) is the measurement, not the server.
    const ownWork = (id: number): boolean => {
      for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
        if (nodes.get(at)!.callFrame.url === 'node:inspector') return true;
      }
      return false;
    };
    const self = new Map<string, number>();
    const files = new Map<string, number>();
    const samples = profile.samples ?? [];
    const deltas = profile.timeDeltas ?? [];
    let busy = 0;
    samples.forEach((id, i) => {
      const frame = nodes.get(id)!.callFrame;
      const micros = deltas[i] ?? 0;
      if (frame.functionName === '(idle)' || ownWork(id)) return;
      busy += micros;
      const file = sourceOf(frame.url);
      const where = `${frame.functionName || '(anonymous)'} (${file})`;
      self.set(where, (self.get(where) ?? 0) + micros);
      files.set(file, (files.get(file) ?? 0) + micros);
    });
    const share = (micros: number) => (busy ? Math.round((micros / busy) * 1000) / 1000 : 0);
    const spots = [...self.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([where, micros]) => ({ where, share: share(micros) }));
    const byFile = new Map([...files.entries()].map(([file, micros]) => [file, share(micros)]));
    return { result, busyMs: Math.round(busy / 1000), spots, byFile };
  } finally {
    session.disconnect();
  }
}

/** "src/guide/guide.ts" for the repository's files, "node:buffer" or a package path for the rest. */
function sourceOf(url: string): string {
  if (!url) return 'native';
  const clean = url.replace(/\?.*$/, '');
  if (!clean.startsWith('file:')) return clean;
  const relative = path.relative(ROOT, fileURLToPath(clean));
  return relative.replace(/^.*node_modules\//, '');
}
