// A document as a printable A4 page in the usual 公文 look: title in a Song face, body in 仿宋 三号
// with two-character indents, the office's name and the date at the right where the seal goes.
// Every text is escaped: the description and the reasons come from outside the office.
import { escapeHtml } from '../http/html.js';
import type { FormalDocument } from './render.js';

const STYLE = `
@page { size: A4; margin: 37mm 26mm 35mm 28mm; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 156mm; color: #000;
  font-family: "FangSong", "仿宋", "FangSong_GB2312", "STFangsong", "SimSun", "Songti SC", serif; font-size: 16pt; line-height: 28pt; }
h1 { font-family: "FZXiaoBiaoSong-B05S", "方正小标宋简体", "STZhongsong", "SimSun", "Songti SC", serif; font-size: 22pt; line-height: 1.4;
  font-weight: normal; text-align: center; margin: 0 0 7mm; }
p { margin: 0; text-align: justify; }
.reference { text-align: right; margin-bottom: 7mm; }
.salutation { text-indent: 0; }
.body p { text-indent: 2em; }
.signature { margin-top: 14mm; padding-right: 4em; break-inside: avoid; page-break-inside: avoid; }
.signature p { text-align: right; }
footer { margin-top: 10mm; font-size: 12pt; line-height: 1.6; }
@media screen { body { padding: 20mm 0; } }
`;

export function documentHtml(doc: FormalDocument): string {
  const p = (text: string, cls?: string) => `<p${cls ? ` class="${cls}"` : ''}>${escapeHtml(text)}</p>`;
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>${escapeHtml(`${doc.title} ${doc.reference}`)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(doc.title)}</h1>
${p(doc.reference, 'reference')}
${p(doc.salutation, 'salutation')}
<div class="body">
${doc.paragraphs.map((text) => p(text)).join('\n')}
</div>
<div class="signature">
${p(doc.signature, 'seal')}
${p(doc.date, 'date')}
</div>
${doc.footer.length > 0 ? `<footer>\n${doc.footer.map((text) => p(text)).join('\n')}\n</footer>\n` : ''}</body>
</html>
`;
}
