// A document as Word (.docx), for offices that print from Word or edit before sealing: A4 with the
// 公文 margins, title in 宋体 二号, body in 仿宋 三号 at a fixed 28-point line.
import { AlignmentType, Document, LineRuleType, Packer, Paragraph, TextRun } from 'docx';
import type { FormalDocument } from './render.js';

const BODY_FONT = { ascii: 'Times New Roman', hAnsi: 'Times New Roman', eastAsia: '仿宋' };
const TITLE_FONT = { ascii: 'Times New Roman', hAnsi: 'Times New Roman', eastAsia: '宋体' };
const MM = 56.7; // twips per millimetre
const A4 = { width: 11906, height: 16838 };
const MARGIN = { top: Math.round(37 * MM), bottom: Math.round(35 * MM), left: Math.round(28 * MM), right: Math.round(26 * MM) };
const LINE = { line: 560, lineRule: LineRuleType.EXACT }; // 28 pt
const BODY_SIZE = 32; // half-points: 16 pt, 三号
const INDENT = 2 * 16 * 20; // two characters of 16 pt, in twips

const run = (text: string, size = BODY_SIZE) => new TextRun({ text, size, font: BODY_FONT });

export async function documentDocx(doc: FormalDocument): Promise<Buffer> {
  const children = [
    new Paragraph({
      alignment: AlignmentType.CENTER,
      spacing: { after: 400 },
      children: [new TextRun({ text: doc.title, size: 44, font: TITLE_FONT })],
    }),
    new Paragraph({ alignment: AlignmentType.RIGHT, spacing: { ...LINE, after: 400 }, children: [run(doc.reference)] }),
    new Paragraph({ spacing: LINE, children: [run(doc.salutation)] }),
    ...doc.paragraphs.map(
      (text) => new Paragraph({ alignment: AlignmentType.BOTH, indent: { firstLine: INDENT }, spacing: LINE, children: [run(text)] }),
    ),
    new Paragraph({
      alignment: AlignmentType.RIGHT,
      indent: { right: INDENT * 2 },
      spacing: { ...LINE, before: 800 },
      keepNext: true,
      children: [run(doc.signature)],
    }),
    new Paragraph({ alignment: AlignmentType.RIGHT, indent: { right: INDENT * 2 }, spacing: LINE, children: [run(doc.date)] }),
    ...doc.footer.map((text, i) => new Paragraph({ spacing: { before: i === 0 ? 560 : 0 }, children: [run(text, 24)] })),
  ];
  const document = new Document({
    title: `${doc.title} ${doc.reference}`,
    creator: doc.signature,
    sections: [{ properties: { page: { size: A4, margin: MARGIN } }, children }],
  });
  return Packer.toBuffer(document);
}
