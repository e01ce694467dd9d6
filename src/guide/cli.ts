/**
 * npm run ask -- "问题"            the answer as a citizen would get it, with status, score and alternatives
 * npm run ask -- --explain "问题"  also the terms, their weights and the ranking
 * CONTENT_DIR selects the data folder (default: data).
 */
import path from 'node:path';
import { loadGuide } from './load.js';

const args = process.argv.slice(2);
const explain = args.includes('--explain');
const question = args.filter((a) => a !== '--explain').join(' ').trim();
if (!question) {
  process.stderr.write('用法：npm run ask -- "申请公开要多久"   （加 --explain 查看检索过程）\n');
  process.exit(2);
}

const guide = await loadGuide(path.resolve(process.env.CONTENT_DIR ?? 'data'));
const result = guide.ask(question);
const lines: string[] = [];
if (result.entry) lines.push(`【${result.entry.title}】`, result.entry.answer, '');
lines.push(`状态：${result.status}　得分：${result.score}　覆盖：${result.coverage}${result.entry ? `　条目：${result.entry.id}` : ''}`);
if (result.alternatives.length > 0) {
  lines.push(result.status === 'answered' ? '相关话题：' : '可能想问：');
  for (const a of result.alternatives) lines.push(`  ${a.title}（${a.id}，${a.score}）`);
}
if (explain) {
  const why = guide.explain(question);
  lines.push('', '词项：' + why.terms.map((t) => `${t.term}/${t.pos}${t.known ? '' : '?'}:${t.weight}`).join(' '));
  lines.push('排序：');
  for (const r of why.ranking) lines.push(`  ${r.id}  得分 ${r.score}  覆盖 ${r.coverage}`);
}
process.stdout.write(lines.join('\n') + '\n');
