// Tuning aid: the tune set's accuracy, then each miss with the top three entries (✓: that entry carries
// the fact) and the entries whose answer carries it. It reads the tune set only: the locked set is
// measured by `npm run bench -- --only guide` and never listed question by question.
// npx tsx bench/guide-eval/tune.ts [options-json] [quiet] [tune|tune2|…|tune10]
import { loadGuideService } from '../../src/guide/service.js';
import { loadAgency } from '../../src/agency.js';
import { loadBlindSet, carries, evaluate, replyOf, summary, type SetName } from '../lib/guide-eval.js';
const dir = 'data';
const opts = process.argv[2] ? JSON.parse(process.argv[2]) : undefined;
const guide = await loadGuideService(dir, await loadAgency(dir), opts);
const name = ['tune2', 'tune3', 'tune4', 'tune5', 'tune6', 'tune7', 'tune8', 'tune9', 'tune10'].includes(process.argv[4] ?? '') ? process.argv[4] as Exclude<SetName, 'tune' | 'locked'> : 'tune';
const set = await loadBlindSet(name);
const r = evaluate(name, set, (q) => replyOf(guide.ask(q)));
console.log(summary(r));
if (process.argv[3] === 'quiet') process.exit(0);
for (const q of set) {
  const a = guide.ask(q.q);
  if (q.topic === 'off-topic') { if (a.status !== 'out-of-scope') console.log(`OFF answered: ${q.q} → ${a.entry?.id} ${a.reason}`); continue; }
  if (!q.facts.length) { if (a.status === 'out-of-scope') console.log(`BIZ declined: ${q.q} ${a.reason}`); continue; }
  const x = guide.guide.explain(q.q, 3);
  const ids = x.ranking.map(r => r.id);
  const ok = ids.map(id => carries(guide.answerById(id)!.answer, q.facts));
  if (a.status !== 'out-of-scope' && ok[0]) continue;
  const anyEntry = guide.guide.entries().filter(e => carries(e.answer, q.facts)).map(e => e.id);
  console.log(`[${q.topic}] ${q.q}  ${a.status === 'out-of-scope' ? 'DECLINED '+a.reason : ''}\n   top3=${ids.map((id,i)=>id+(ok[i]?'✓':'')).join(' ')}  facts=${JSON.stringify(q.facts)}  carriers=${anyEntry.slice(0,6).join(',')}${anyEntry.length>6?'…':''}`);
}
