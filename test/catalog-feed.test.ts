// Importing from the portal's feed: the formats, duplicates (same link or 索引号), and whether
// imported items skip the office's review (only when reviewed at the source).
import test, { type ExecutionContext } from 'ava';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseFeed, FeedFormatError } from '../src/catalog/feed.js';
import { categoryFor } from '../src/catalog/feed-import.js';
import { DomainError } from '../src/domain/errors.js';
import { catalogApp } from './fixtures/catalog-app.js';

const RSS = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>黄石民防政务公开</title><link>http://rfb.huangshi.gov.cn/</link>
<item>
  <title>2026年部门预算公开</title>
  <link>http://rfb.huangshi.gov.cn/xxgk/ys2026.html</link>
  <description><![CDATA[<p>市人防办<b>2026年</b>部门预算&nbsp;及说明</p>]]></description>
  <category>财政预决算</category>
  <pubDate>Mon, 11 May 2026 18:30:00 GMT</pubDate>
  <索引号>HSRFB-2026-0101</索引号>
  <文号>黄人防〔2026〕3号</文号>
</item>
<item>
  <title>人防警报试鸣公告</title>
  <link>http://rfb.huangshi.gov.cn/xxgk/jb.html</link>
  <category>预警信息</category>
  <pubDate>Tue, 12 May 2026 02:00:00 +0800</pubDate>
</item>
<item>
  <title>工作动态：开展人防宣传进社区</title>
  <guid isPermaLink="true">http://rfb.huangshi.gov.cn/news/1.html</guid>
</item>
</channel></rss>`;

const ATOM = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>公开</title>
<entry><title>政府采购意向公开</title><link rel="alternate" href="http://rfb.huangshi.gov.cn/cg/1.html"/>
<category term="procurement"/><published>2026-05-10T09:00:00+08:00</published><summary>采购意向</summary></entry>
</feed>`;

const JSON_FEED = JSON.stringify({
  version: 'https://jsonfeed.org/version/1.1',
  items: [{ id: '1', url: 'http://rfb.huangshi.gov.cn/a.html', title: '机构职能', content_text: '主要职责', date_published: '2026-05-09T10:00:00Z', tags: ['机构概况'] }],
});

const OUR_JSON = JSON.stringify([{ 标题: '行政许可事项清单', 索引号: 'HSRFB-2026-0200', 栏目: 'x', category: 'licensing', publishedOn: '2026-05-08' }]);

test('parseFeed reads RSS 2.0: link or permalink guid, HTML-free summary, China date, 索引号 and 文号', (t) => {
  const entries = parseFeed(RSS);
  t.is(entries.length, 3);
  t.deepEqual(entries[0], {
    title: '2026年部门预算公开',
    url: 'http://rfb.huangshi.gov.cn/xxgk/ys2026.html',
    indexNo: 'HSRFB-2026-0101',
    documentNumber: '黄人防〔2026〕3号',
    summary: '市人防办 2026年 部门预算 及说明',
    categories: ['财政预决算'],
    publishedOn: '2026-05-12', // 18:30 GMT is 02:30 the next day in China
  });
  t.is(entries[1]!.publishedOn, '2026-05-12');
  t.is(entries[2]!.url, 'http://rfb.huangshi.gov.cn/news/1.html');
});

const FORMATS: Array<[string, string, { title: string; url: string | null; categories: string[]; publishedOn: string }]> = [
  ['Atom', ATOM, { title: '政府采购意向公开', url: 'http://rfb.huangshi.gov.cn/cg/1.html', categories: ['procurement'], publishedOn: '2026-05-10' }],
  ['JSON Feed', JSON_FEED, { title: '机构职能', url: 'http://rfb.huangshi.gov.cn/a.html', categories: ['机构概况'], publishedOn: '2026-05-09' }],
  ['a JSON list in our own terms', OUR_JSON, { title: '行政许可事项清单', url: null, categories: ['licensing'], publishedOn: '2026-05-08' }],
];

for (const [name, body, expected] of FORMATS) {
  test(`parseFeed reads ${name}`, (t) => {
    const [entry] = parseFeed(body);
    t.like(entry, expected);
  });
}

const BAD_FEEDS: Array<[string, string]> = [
  ['HTML error page', '<html><body>404</body></html>'],
  ['a DOCTYPE (entity expansion)', '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaa">]><rss><channel></channel></rss>'],
  ['broken XML', '<rss><channel><item></channel>'],
  ['broken JSON', '{"items": ['],
  ['plain text', 'Service Unavailable'],
];

for (const [name, body] of BAD_FEEDS) {
  test(`parseFeed refuses ${name}`, (t) => {
    t.throws(() => parseFeed(body), { instanceOf: FeedFormatError });
  });
}

test('feed category words map to our categories by id, name or a unique part of a name', (t) => {
  const categories = [
    { id: 'budgets', name: '财政预决算', basis: null },
    { id: 'emergency', name: '应急预案和预警信息', basis: null },
    { id: 'news', name: '新闻动态', basis: null },
  ];
  const cases: Array<[string[], string]> = [[['budgets'], 'budgets'], [['财政预决算'], 'budgets'], [['预警信息'], 'emergency'], [['2026年财政预决算公开'], 'budgets'], [['其他'], 'news'], [[], 'news']];
  for (const [words, expected] of cases) t.is(categoryFor(words, categories, 'news'), expected, words.join());
});

/** Serves a feed whose body the test can change, and counts requests. */
async function feedServer(t: ExecutionContext, initial: string, status = 200) {
  const state = { body: initial, status, requests: 0 };
  const server = http.createServer((_req, res) => {
    state.requests++;
    res.writeHead(state.status, { 'Content-Type': state.body.startsWith('<') ? 'application/rss+xml; charset=utf-8' : 'application/json' });
    res.end(state.body);
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed`, state };
}

test('reviewed at the source: imported items are published at once, dated as the portal dated them; polling again adds nothing', async (t) => {
  const feed = await feedServer(t, RSS);
  const { catalog, anonymous } = await catalogApp(t, { feedUrl: feed.url, feedReviewedAtSource: true });

  const first = await catalog.feed.run();
  t.like(first, { found: 3, imported: 3, published: 3, duplicates: 0, invalid: 0 });
  const listed = await anonymous('GET', '/mp/v1/catalog?pageSize=10');
  t.is(listed.body.total, 3);
  const budget = listed.body.items.find((i: any) => i.title === '2026年部门预算公开');
  t.like(budget, { category: 'budgets', indexNo: 'HSRFB-2026-0101', documentNumber: '黄人防〔2026〕3号', publishedOn: '2026-05-12', source: 'feed' });
  t.is(listed.body.items.find((i: any) => i.title === '人防警报试鸣公告').category, 'emergency');
  t.is(listed.body.items.find((i: any) => i.title.startsWith('工作动态')).category, 'news', 'no category: the default one');

  const second = await catalog.feed.run();
  t.like(second, { found: 3, imported: 0, duplicates: 3 });
  t.is((await anonymous('GET', '/mp/v1/catalog')).body.total, 3);
  t.like(await catalog.service.lastFeedImport(), { url: feed.url, found: 3, imported: 0, duplicates: 3, error: null });
  t.deepEqual(
    (await catalog.publishedItems()).map((i) => i.channels),
    [['portal', 'wechat'], ['portal', 'wechat'], ['portal', 'wechat']],
  );
});

test('duplicates by link or 索引号: within one feed, against earlier imports and against staff entries', async (t) => {
  const entries = [
    { title: 'A', url: 'http://rfb.huangshi.gov.cn/a.html', category: 'news' },
    { title: 'A again, other case and a trailing slash', url: 'HTTP://RFB.huangshi.gov.cn/a.html/', category: 'news' },
    { title: 'B', indexNo: 'HSRFB-2026-0001', category: 'news' },
    { title: 'B under another link', url: 'http://rfb.huangshi.gov.cn/b.html', indexNo: 'HSRFB-2026-0001', category: 'news' },
    { title: 'typed in by staff already', url: 'http://rfb.huangshi.gov.cn/staff.html', category: 'news' },
    { title: 'no link and no 索引号: cannot be recognised next time', category: 'news' },
    { url: 'http://rfb.huangshi.gov.cn/untitled.html', category: 'news' },
  ];
  const feed = await feedServer(t, JSON.stringify({ items: entries }));
  const { catalog, publish } = await catalogApp(t, { feedUrl: feed.url, feedReviewedAtSource: true });
  await publish({ title: '已录入', category: 'news', url: 'http://rfb.huangshi.gov.cn/staff.html' });

  const result = await catalog.feed.run();
  t.like(result, { found: 7, imported: 2, duplicates: 3, invalid: 2 });
  t.deepEqual(
    (await catalog.publishedItems()).map((i) => i.title).sort(),
    ['A', 'B', '已录入'],
  );
});

test('not reviewed at the source: imported items wait as drafts and go through the three levels', async (t) => {
  const feed = await feedServer(t, ATOM);
  const { catalog, anonymous, as } = await catalogApp(t, { feedUrl: feed.url, feedReviewedAtSource: false });
  t.like(await catalog.feed.run(), { imported: 1, published: 0 });
  t.is((await anonymous('GET', '/mp/v1/catalog')).body.total, 0);

  const clerk = await as('clerk');
  const queue = await clerk('GET', '/admin/v1/catalog/items?state=draft');
  t.is(queue.body.total, 1);
  t.like(queue.body.items[0], { title: '政府采购意向公开', source: 'feed', category: 'procurement', state: 'draft' });
  const id = queue.body.items[0].id;
  for (const [who, type] of [['clerk', 'submit'], ['secrecy', 'approve'], ['chief', 'approve']] as const) {
    t.is((await (await as(who))('POST', `/admin/v1/catalog/items/${id}/events`, { type })).status, 200);
  }
  t.is((await anonymous('GET', '/mp/v1/catalog')).body.total, 1);
  t.like(await catalog.feed.run(), { imported: 0, duplicates: 1 });
});

test('a feed that cannot be read is a 503-type error, recorded for staff; without FEED_URL the job does nothing', async (t) => {
  const feed = await feedServer(t, 'oops', 500);
  const { catalog } = await catalogApp(t, { feedUrl: feed.url });
  const error = await t.throwsAsync(catalog.feed.run(), { instanceOf: DomainError });
  t.is(error!.code, 'upstream-unavailable');
  t.regex((await catalog.service.lastFeedImport())!.error!, /HTTP 500/);

  feed.state.status = 200;
  feed.state.body = '<html>maintenance</html>';
  await t.throwsAsync(catalog.feed.run(), { instanceOf: DomainError });
  t.regex((await catalog.service.lastFeedImport())!.error!, /格式/);

  const { catalog: unconfigured } = await catalogApp(t, { feedUrl: null });
  const skipped = await unconfigured.feed.run();
  t.is(skipped.imported, 0);
  t.regex(skipped.skipped!, /FEED_URL/);
});
