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
  lines.push(result.status === 'answered' ? '相关话题：' : '可选的其他话题（回复数字）：');
  result.alternatives.forEach((a, i) => lines.push(`  ${i + 1}. ${a.title}（${a.id}，${a.score}）`));
}
if (result.business.length > 0) lines.push(`本机关业务词：${result.business.join('、')}（对话中先查已公开的相关信息）`);
if (explain) {
  const why = guide.explain(question);
  lines.push('', `为什么：${why.reason}`);
  lines.push(`规范化：${why.normalised}`);
  const found = (label: string, words: string[]) => (words.length ? `${label} ${words.join('、')}` : null);
  lines.push('范围词：' + ([found('强', why.anchors.strong), found('弱', why.anchors.weak), found('业务', why.anchors.business), found('其他服务', why.anchors.offTopic), found('总是拒答', why.anchors.offTopicAlways)].filter(Boolean).join('；') || '无'));
  lines.push('词项（?=指南未收录；数字=在覆盖率中的权重）：' + why.terms.map((t) => `${t.term}/${t.pos}${t.known ? '' : '?'}:${t.weight}`).join(' '));
  lines.push('排序（合成得分 = 词得分/最高 + 字得分/最高 × 权重）：');
  for (const r of why.ranking) lines.push(`  ${r.id}「${r.title}」 合成 ${r.score}　词 ${r.words}　字 ${r.chars}　覆盖 ${r.coverage}`);
}
process.stdout.write(lines.join('\n') + '\n');
