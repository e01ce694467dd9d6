import test from 'ava';
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OUTCOME_IDS } from '../src/domain/outcomes.js';
import {
  DocumentTemplateError,
  STEP_DOCUMENT_KINDS,
  TEMPLATES_FILE,
  loadDocumentTemplates,
  parseDocumentTemplates,
} from '../src/documents/index.js';
import { tempDir } from './helpers/temp.js';

const DATA = fileURLToPath(new URL('../data', import.meta.url));

type Json = Record<string, any>;
let shipped: Json;

test.before(async () => {
  shipped = JSON.parse(await readFile(path.join(DATA, TEMPLATES_FILE), 'utf8'));
});

/** A copy of the shipped templates with one change made to it. */
function changed(edit: (json: Json) => void): Json {
  const copy = structuredClone(shipped);
  edit(copy);
  return copy;
}

test('the shipped templates load, with a template for every step and every outcome', async (t) => {
  const templates = await loadDocumentTemplates(DATA);
  t.deepEqual(Object.keys(templates.documents).sort(), [...STEP_DOCUMENT_KINDS].sort());
  t.deepEqual(Object.keys(templates.replies).sort(), [...OUTCOME_IDS].sort());
  for (const template of [...Object.values(templates.documents), ...Object.values(templates.replies)]) {
    t.true(template.title.length > 0);
    t.true(template.paragraphs.length > 0);
    t.is(template.remedy === null, template.kind !== 'reply', `${template.kind}: remedy clause on decisions (replies) only`);
  }
});

// Each mistake an office could make editing the file, and the words the refusal must contain.
const MISTAKES: [string, (json: Json) => void, RegExp][] = [
  ['unknown placeholder', (j) => j.documents.receipt.paragraphs.push('请于{{applicant.nmae}}前来'), /documents\.receipt\.paragraphs\[\d+\]: unknown placeholder \{\{applicant\.nmae\}\}/],
  ['inherited object key as placeholder', (j) => j.documents.receipt.paragraphs.push('{{constructor}}'), /unknown placeholder \{\{constructor\}\}/],
  ['unknown placeholder in common', (j) => (j.common.remedy += '{{agency.boss}}'), /common\.remedy: unknown placeholder \{\{agency\.boss\}\}/],
  ['placeholder without a value in this kind', (j) => j.documents.receipt.paragraphs.push('{{party}}'), /\{\{party\}\} has no value in a receipt document/],
  ['applicant details in the third-party letter', (j) => j.documents['consultation-letter'].paragraphs.push('申请人电话{{applicant.phone}}'), /\{\{applicant\.phone\}\} has no value in a consultation-letter document/],
  ['date filter on a text', (j) => j.documents.receipt.paragraphs.push('{{trackingNo|date}}'), /\{\{trackingNo\}\} is not a date/],
  ['unknown filter', (j) => j.documents.receipt.paragraphs.push('{{receivedOn|upper}}'), /unknown filter "\|upper"/],
  ['unbalanced braces', (j) => j.documents.receipt.paragraphs.push('{{receivedOn|date}前'), /unbalanced braces/],
  ['unknown document kind', (j) => (j.documents['thank-you-letter'] = { title: '感谢信', paragraphs: ['谢谢'] }), /unknown document kind "documents\.thank-you-letter"/],
  ['unknown outcome', (j) => (j.replies['granted-twice'] = { title: '答复', paragraphs: ['{{outcome.article}}'] }), /unknown outcome "replies\.granted-twice"/],
  ['missing outcome', (j) => delete j.replies.partial, /replies\.partial is missing/],
  ['missing step', (j) => delete j.documents['fee-notice'], /documents\.fee-notice is missing/],
  ['reply that drops its article', (j) => (j.replies.granted.paragraphs = ['本机关决定予以公开。']), /replies\.granted must cite the article with \{\{outcome\.article\}\} \(第三十六条第（二）项\)/],
  ['misspelt field', (j) => (j.replies.granted.paragraph = ['x']), /unknown field "replies\.granted\.paragraph"/],
  ['placeholder in a title', (j) => (j.replies.granted.title = '{{applicant.name}}的答复'), /replies\.granted\.title must be plain text/],
  ['empty remedy clause', (j) => (j.common.remedy = ''), /common\.remedy must be a non-empty text/],
  ['remedy clause in the office’s own words', (j) => (j.common.remedy = '如对本答复不服，可以申请行政复议或者提起行政诉讼。'), /common\.remedy must contain \{\{remedy\}\}/],
  ['remedy placeholder in a receipt', (j) => j.documents.receipt.paragraphs.push('{{remedy}}'), /\{\{remedy\}\} has no value in a receipt document/],
];

for (const [name, edit, message] of MISTAKES) {
  test(`refused at load: ${name}`, (t) => {
    const error = t.throws(() => parseDocumentTemplates(changed(edit), 'templates.json'), { instanceOf: DocumentTemplateError });
    t.regex(error!.message, message);
  });
}

test('every problem in the file is reported at once', (t) => {
  const json = changed((j) => {
    j.documents.receipt.paragraphs.push('{{nope}}');
    j.replies.other.paragraphs.push('{{alsoNope}}');
    j.common.signature += '{{stillNope}}';
  });
  const error = t.throws(() => parseDocumentTemplates(json, 'templates.json'), { instanceOf: DocumentTemplateError });
  t.deepEqual([...error!.problems].sort(), [
    'common.signature: unknown placeholder {{stillNope}}',
    'documents.receipt.paragraphs[2]: unknown placeholder {{nope}}',
    'replies.other.paragraphs[1]: unknown placeholder {{alsoNope}}',
  ]);
});

test('loadDocumentTemplates refuses a file with an unknown placeholder and names the file', async (t) => {
  const dir = await tempDir(t);
  await mkdir(path.join(dir, 'documents'));
  const file = path.join(dir, TEMPLATES_FILE);
  await writeFile(file, JSON.stringify(changed((j) => j.replies.granted.paragraphs.push('{{applicant.favouriteColour}}'))));
  const error = await t.throwsAsync(loadDocumentTemplates(dir), { instanceOf: DocumentTemplateError });
  t.true(error!.message.startsWith(file));
  t.regex(error!.message, /replies\.granted\.paragraphs\[1\]: unknown placeholder \{\{applicant\.favouriteColour\}\}/);

  await writeFile(file, '{ not json');
  await t.throwsAsync(loadDocumentTemplates(dir), { instanceOf: DocumentTemplateError, message: /cannot be read as JSON/ });
});

test('a template may give its own salutation and leave out the common introduction', (t) => {
  const templates = parseDocumentTemplates(
    changed((j) => {
      j.replies.granted.intro = null;
      j.replies.granted.salutation = '尊敬的{{applicant.name}}：';
    }),
    'templates.json',
  );
  const granted = templates.replies.granted;
  t.deepEqual(granted.salutation[0], '尊敬的');
  t.is(granted.paragraphs.length, shipped.replies.granted.paragraphs.length, 'no introduction paragraph');
  t.is(templates.replies.partial.paragraphs.length, shipped.replies.partial.paragraphs.length + 1, 'others keep it');
});
