// The work every answered push must do whatever the design around it: check the signature, parse
// the XML, find the guide's answer, and (as the issue asks) pass the message through Wechaty and
// its reply back out. Each is timed alone, in a tight loop with warm caches, so each figure is the
// least it can cost; under load, with the caches shared, it costs more. Their sum set against the
// bare route's CPU per request bounds the throughput ratio any implementation of the issue can reach.
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadAgency } from '../../src/agency.js';
import { loadGuideService } from '../../src/guide/service.js';
import { OfficialAccountPuppet } from '../../src/wechat/puppet.js';
import { plainSignature, verifyPlainSignature } from '../../src/wechat/signature.js';
import { parseInboundXml } from '../../src/wechat/xml.js';
import { createBot } from '../../bot/bot.js';
import type { Dialog } from '../../bot/dialog.js';
import { textXml } from '../../test/helpers/wechat-client.js';
import { ROOT } from './paths.js';
import { round } from './stats.js';

export interface FloorPart {
  what: string;
  /** Microseconds of CPU per push, at best. */
  micros: number;
}

/** Pushes in flight at once in the Wechaty round trip, as in the load's closed loop. */
const CONCURRENT = 32;

function timeLoop(rounds: number, work: (i: number) => unknown): number {
  for (let i = 0; i < Math.min(rounds, 5000); i++) work(i);
  const started = performance.now();
  for (let i = 0; i < rounds; i++) work(i);
  return ((performance.now() - started) * 1000) / rounds;
}

async function timeBatches(batches: number, work: (i: number) => Promise<unknown>): Promise<number> {
  const run = async (offset: number, count: number) => {
    for (let b = 0; b < count; b++) await Promise.all(Array.from({ length: CONCURRENT }, (_, j) => work(offset + b * CONCURRENT + j)));
  };
  await run(0, Math.min(batches, 100));
  const started = performance.now();
  await run(1_000_000, batches);
  return ((performance.now() - started) * 1000) / (batches * CONCURRENT);
}

export async function mandatoryWork(questions: readonly string[], quick = false): Promise<FloorPart[]> {
  const rounds = quick ? 5_000 : 50_000;
  const xmls = questions.map((q, i) => textXml(`o-floor-${i}`, q, String(8_000_000_000 + i)));
  const contentDir = path.join(ROOT, 'data');
  const guide = await loadGuideService(contentDir, await loadAgency(contentDir));
  const signed = (i: number) => {
    const nonce = String(i);
    return { signature: plainSignature('token', '1700000000', nonce), timestamp: '1700000000', nonce };
  };

  // Wechaty with the product's puppet and a dialog that says a fixed answer: the message path alone.
  const answer = guide.ask(questions[0]!).answer ?? '';
  const dialog = { respond: async () => answer, greeting: () => '', help: () => '' } satisfies Dialog;
  const puppet = new OfficialAccountPuppet({ selfId: 'wx-floor', sendText: async () => undefined });
  const bot = createBot({ puppet, dialog });
  await bot.start();
  await new Promise<void>((resolve) => (bot.isLoggedIn ? resolve() : bot.once('login', () => resolve())));
  try {
    const wechaty = await timeBatches(quick ? 50 : 500, (i) =>
      puppet.ingest(parseInboundXml(textXml(`o-floor-${Math.floor(i / 3)}`, 'q', String(9_000_000_000 + i)))),
    );
    const xml = timeLoop(rounds, (i) => parseInboundXml(xmls[i % xmls.length]!));
    return [
      { what: 'signature check (SHA-1)', micros: round(timeLoop(rounds, (i) => verifyPlainSignature('token', signed(i))), 1) },
      { what: 'XML parse (fast-xml-parser, validated)', micros: round(xml, 1) },
      { what: "guide retrieval (jieba + BM25F)", micros: round(timeLoop(rounds, (i) => guide.ask(questions[i % questions.length]!)), 1) },
      // The round trip parses its own XML: that part is counted above.
      { what: "Wechaty message in and say() out", micros: round(Math.max(0, wechaty - xml), 1) },
    ];
  } finally {
    await bot.stop();
  }
}
