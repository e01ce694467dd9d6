import test from 'ava';
import { escapeHtml, html, query, raw, safeUrl } from '../src/http/html.js';
import { safeNext } from '../src/admin/console/session.js';
import { chinaDateTime, clip } from '../src/admin/console/format.js';

test('html escapes every interpolated value, in content and in attributes', (t) => {
  const name = `<img src=x onerror="alert('1')">&`;
  t.is(html`<p title="${name}">${name}</p>`.value, '<p title="&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;">&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;</p>');
});

test('html nests its own output without escaping it twice, and joins lists', (t) => {
  const items = ['a<b', 'c&d'];
  t.is(html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>`.value, '<ul><li>a&lt;b</li><li>c&amp;d</li></ul>');
});

test('false, null and undefined print nothing; numbers print as numbers', (t) => {
  t.is(html`[${false}${null}${undefined}${true}${0}${12.5}]`.value, '[012.5]');
});

test('only raw() lets markup through unescaped', (t) => {
  t.is(html`${raw('<b>x</b>')}|${'<b>x</b>'}`.value, '<b>x</b>|&lt;b&gt;x&lt;/b&gt;');
  t.is(escapeHtml(`"'<>&`), '&quot;&#39;&lt;&gt;&amp;');
});

const URLS: Array<[string | null, string | null]> = [
  ['https://www.gov.cn/zhengce/content.htm', 'https://www.gov.cn/zhengce/content.htm'],
  ['http://example.org/a', 'http://example.org/a'],
  ['/admin/calendar', '/admin/calendar'],
  ['javascript:alert(1)', null],
  ['JAVASCRIPT:alert(1)', null],
  ['//evil.example/', null],
  ['data:text/html,<script>', null],
  [null, null],
];
for (const [input, expected] of URLS) {
  test(`safeUrl(${JSON.stringify(input)}) → ${JSON.stringify(expected)}`, (t) => t.is(safeUrl(input), expected));
}

const NEXTS: Array<[unknown, string]> = [
  ['/admin/applications/abc', '/admin/applications/abc'],
  ['/admin?filter=overdue', '/admin?filter=overdue'],
  ['/admin', '/admin'],
  ['https://evil.example/admin', '/admin'],
  ['//evil.example', '/admin'],
  ['/administrator', '/admin'],
  ['/admin/login', '/admin'],
  ['/admin/\\evil', '/admin'],
  [undefined, '/admin'],
  [['/admin/users'], '/admin'],
];
for (const [input, expected] of NEXTS) {
  test(`after login, next=${JSON.stringify(input)} goes to ${expected}`, (t) => t.is(safeNext(input), expected));
}

test('query keeps non-empty values only', (t) => {
  t.is(query({ status: 'processing', q: '', page: 2, handler: null }), '?status=processing&page=2');
  t.is(query({ q: '' }), '');
});

test('moments are shown in China time, whatever the server zone', (t) => {
  t.is(chinaDateTime('2025-12-31T16:30:00.000Z'), '2026-01-01 00:30');
  t.is(chinaDateTime('2026-03-16T02:00:00Z'), '2026-03-16 10:00');
});

test('clip cuts by characters, not UTF-16 units', (t) => {
  t.is(clip('人防工程𠀀审批', 5), '人防工程𠀀…');
  t.is(clip('短', 5), '短');
});
