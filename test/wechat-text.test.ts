import test from 'ava';
import { WECHAT_TEXT_MAX_BYTES, splitForWechat, utf8Length } from '../src/wechat/text.js';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const squash = (s: string) => s.replace(/\s+/g, '');
const graphemes = (s: string) => Array.from(new Intl.Segmenter('zh', { granularity: 'grapheme' }).segment(s), (g) => g.segment);

/** Every chunk fits, is well-formed UTF-16 (no half emoji), and together they hold the text. */
function assertSplit(t: import('ava').ExecutionContext, text: string, maxBytes: number): string[] {
  const chunks = splitForWechat(text, maxBytes);
  for (const chunk of chunks) {
    t.true(bytes(chunk) <= maxBytes, `chunk of ${bytes(chunk)} bytes`);
    t.false(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(chunk), 'no lone surrogate');
    t.is(Buffer.from(chunk, 'utf8').toString('utf8'), chunk);
  }
  t.is(squash(chunks.join('')), squash(text));
  return chunks;
}

test('utf8Length counts bytes: ASCII 1, Chinese 3, emoji 4', (t) => {
  t.is(utf8Length('a'), 1);
  t.is(utf8Length('公'), 3);
  t.is(utf8Length('🙂'), 4);
  t.is(utf8Length('👨‍👩‍👧'), bytes('👨‍👩‍👧'));
});

test('short text is one message, untouched; blank text is none', (t) => {
  t.deepEqual(splitForWechat('  您好，请问有什么可以帮您？ '), ['  您好，请问有什么可以帮您？ ']);
  t.deepEqual(splitForWechat('x'.repeat(WECHAT_TEXT_MAX_BYTES)), ['x'.repeat(WECHAT_TEXT_MAX_BYTES)]);
  t.deepEqual(splitForWechat(' \n '), []);
});

test('splits on paragraph boundaries first', (t) => {
  const p1 = '第一段。'.repeat(10); // 120 bytes
  const p2 = '第二段。'.repeat(10);
  const p3 = '第三段。'.repeat(10);
  const chunks = assertSplit(t, `${p1}\n\n${p2}\n\n${p3}`, 250);
  t.deepEqual(chunks, [`${p1}\n\n${p2}`, p3]);
});

test('a paragraph too long for one message splits at sentence ends', (t) => {
  const sentences = Array.from({ length: 12 }, (_, i) => `这是第${i}句话，说明申请的办理进度。`);
  const chunks = assertSplit(t, sentences.join(''), 200);
  t.true(chunks.length > 1);
  for (const chunk of chunks) t.true(/[。]$/.test(chunk), `ends at a sentence: ${chunk}`);
});

test('a sentence too long for one message splits at commas', (t) => {
  const text = Array.from({ length: 20 }, (_, i) => `第${i}项内容`).join('，') + '。';
  const chunks = assertSplit(t, text, 60);
  for (const chunk of chunks.slice(0, -1)) t.true(chunk.endsWith('，'), chunk);
});

test('text without any boundary splits between grapheme clusters, never inside an emoji', (t) => {
  const emoji = ['🙂', '👨‍👩‍👧', '🇨🇳', '👍🏽', 'é', '公'];
  const text = Array.from({ length: 300 }, (_, i) => emoji[i % emoji.length]).join('');
  for (const maxBytes of [25, 26, 27, 64, 100, 2048]) {
    const chunks = assertSplit(t, text, maxBytes);
    const whole = new Set(emoji);
    for (const chunk of chunks) for (const g of graphemes(chunk)) t.true(whole.has(g), `intact cluster ${JSON.stringify(g)}`);
  }
});

test('a grapheme cluster longer than the limit is split by code points as a last resort', (t) => {
  const family = '👨‍👩‍👧‍👦'; // 25 bytes
  const chunks = assertSplit(t, family.repeat(3), 12);
  t.true(chunks.length > 3);
});

test('maxBytes must leave room for a code point', (t) => {
  t.throws(() => splitForWechat('abc', 3), { instanceOf: RangeError });
  t.throws(() => splitForWechat('abc', 10.5), { instanceOf: RangeError });
});
