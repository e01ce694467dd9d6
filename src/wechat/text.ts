/**
 * Fitting text into WeChat messages.
 *
 * WeChat measures text content in UTF-8 bytes (a Chinese character is 3, an emoji 4 or more), and
 * rejects an over-long customer-service text with 45002. 2048 bytes is the limit commonly quoted for
 * text content; the official pages we hold state no figure, so it is a constant here, not a rule
 * from the docs. A message cut mid-character would show as mojibake, so splitting works on
 * paragraphs first, then lines, sentences, clauses, and only as a last resort on grapheme clusters,
 * which keeps a flag or a family emoji whole.
 */

export const WECHAT_TEXT_MAX_BYTES = 2048;

const encoder = new TextEncoder();

export function utf8Length(text: string): number {
  return encoder.encode(text).length;
}

type Splitter = (text: string) => string[];

/** Splits after each match of `separator`, keeping the separator with the piece before it. */
function splitAfter(separator: RegExp): Splitter {
  return (text) => text.split(separator).filter((piece) => piece !== '');
}

function segmenter(granularity: 'sentence' | 'grapheme'): Splitter {
  const segments = new Intl.Segmenter('zh', { granularity });
  return (text) => Array.from(segments.segment(text), (s) => s.segment);
}

// From coarse to fine; the last level (code points) is only reached by a single grapheme cluster
// longer than the limit, which no real text has.
const LEVELS: Splitter[] = [
  splitAfter(/(?<=\n[ \t]*\n)/),
  splitAfter(/(?<=\n)/),
  segmenter('sentence'),
  splitAfter(/(?<=[，,、；;：:\s])/),
  segmenter('grapheme'),
  (text) => Array.from(text),
];

function pack(text: string, maxBytes: number, level: number): string[] {
  const chunks: string[] = [];
  let current = '';
  let currentBytes = 0;
  for (const piece of LEVELS[level](text)) {
    const bytes = utf8Length(piece);
    if (bytes > maxBytes) {
      if (current) chunks.push(current);
      current = '';
      currentBytes = 0;
      chunks.push(...pack(piece, maxBytes, level + 1));
    } else if (currentBytes + bytes <= maxBytes) {
      current += piece;
      currentBytes += bytes;
    } else {
      chunks.push(current);
      current = piece;
      currentBytes = bytes;
    }
  }
  if (current) chunks.push(current);
  return chunks;
}

/**
 * Splits text into messages of at most `maxBytes` UTF-8 bytes each, at the most natural boundary
 * that fits. Whitespace at the cut is dropped; blank text gives no messages.
 */
export function splitForWechat(text: string, maxBytes: number = WECHAT_TEXT_MAX_BYTES): string[] {
  if (!Number.isInteger(maxBytes) || maxBytes < 4) {
    throw new RangeError('maxBytes must be an integer of at least 4 (one code point)');
  }
  if (utf8Length(text) <= maxBytes) return text.trim() === '' ? [] : [text];
  return pack(text, maxBytes, 0)
    .map((chunk) => chunk.trim())
    .filter((chunk) => chunk !== '');
}
