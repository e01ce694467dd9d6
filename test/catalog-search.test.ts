// GET /mp/v1/catalog: public, published items only, by category and words, a page at a time; and
// what the annual report reads of the catalog.
import test from 'ava';
import { catalogApp } from './fixtures/catalog-app.js';

const ITEMS = [
  { title: '2024年部门决算公开', category: 'budgets', summary: '市人防办2024年度部门决算' },
  { title: '2025年部门预算公开', category: 'budgets', summary: '市人防办2025年度部门预算' },
  { title: '2026年部门预算公开', category: 'budgets', summary: '市人防办2026年度部门预算', documentNumber: '黄人防〔2026〕3号' },
  { title: '人防警报试鸣公告', category: 'emergency', summary: '9月第三个星期六试鸣防空警报' },
  { title: '关于印发人防工程维护管理办法的通知', category: 'policies', summary: '规范性文件', documentKind: 'normativeDocuments' },
];

async function withItems(t: any) {
  const app = await catalogApp(t);
  for (const item of ITEMS) await app.publish(item);
  const clerk = await app.as('clerk');
  await clerk('POST', '/admin/v1/catalog/items', { title: '2027年部门预算（草稿）', category: 'budgets' });
  return app;
}

test('the catalog lists published items, newest first, to anyone', async (t) => {
  const { anonymous } = await withItems(t);
  const all = await anonymous('GET', '/mp/v1/catalog');
  t.is(all.status, 200);
  t.is(all.body.total, ITEMS.length, 'the draft is not listed');
  t.deepEqual(all.body.items.map((i: any) => i.title), ITEMS.map((i) => i.title).reverse());
  t.true(all.body.categories.some((c: any) => c.id === 'budgets' && c.name === '财政预决算'));
});

const QUERIES: Array<[string, string, string[]]> = [
  ['by category id', 'category=budgets', ['2026年部门预算公开', '2025年部门预算公开', '2024年部门决算公开']],
  ['by category name', `category=${encodeURIComponent('应急预案和预警信息')}`, ['人防警报试鸣公告']],
  ['several categories', 'category=emergency,policies', ['关于印发人防工程维护管理办法的通知', '人防警报试鸣公告']],
  ['a word of the title', `q=${encodeURIComponent('预算')}`, ['2026年部门预算公开', '2025年部门预算公开']],
  ['words that must all occur', `q=${encodeURIComponent('预算 2026年')}`, ['2026年部门预算公开']],
  ['the 文号', `q=${encodeURIComponent('〔2026〕3号')}`, ['2026年部门预算公开']],
  ['the summary', `q=${encodeURIComponent('警报')}`, ['人防警报试鸣公告']],
  ['category and words together', `category=budgets&q=${encodeURIComponent('决算')}`, ['2024年部门决算公开']],
  ['nothing found', `q=${encodeURIComponent('不存在的词')}`, []],
];

for (const [title, query, expected] of QUERIES) {
  test(`catalog search: ${title}`, async (t) => {
    const { anonymous } = await withItems(t);
    const found = await anonymous('GET', `/mp/v1/catalog?${query}`);
    t.is(found.status, 200);
    t.deepEqual(found.body.items.map((i: any) => i.title), expected);
    t.is(found.body.total, expected.length);
  });
}

test('pages: page size, total, an empty page past the end; bad input is a 400 in Chinese', async (t) => {
  const { anonymous } = await withItems(t);
  const first = await anonymous('GET', '/mp/v1/catalog?pageSize=2&page=1');
  const third = await anonymous('GET', '/mp/v1/catalog?pageSize=2&page=3');
  const beyond = await anonymous('GET', '/mp/v1/catalog?pageSize=2&page=4');
  t.deepEqual([first.body.items.length, third.body.items.length, beyond.body.items.length], [2, 1, 0]);
  t.deepEqual([first.body.total, first.body.page, first.body.pageSize], [5, 1, 2]);
  t.is(third.body.items[0].title, ITEMS[0]!.title);

  for (const query of ['page=0', 'page=abc', 'pageSize=1000', 'category=nothing']) {
    const bad = await anonymous('GET', `/mp/v1/catalog?${query}`);
    t.is(bad.status, 400, query);
    t.regex(bad.body.error.message, /[\u4e00-\u9fff]/);
  }
});

test('publishedItems() gives the report what it counts: category, date, source, channels, 第二十条 row', async (t) => {
  const { catalog } = await withItems(t);
  const items = await catalog.publishedItems();
  t.is(items.length, ITEMS.length);
  for (const item of items) {
    t.regex(item.publishedOn, /^\d{4}-\d{2}-\d{2}$/);
    t.is(item.source, 'staff');
    t.deepEqual(item.channels, ['wechat']);
  }
  t.deepEqual(items.filter((i) => i.article20Item).map((i) => [i.category, i.article20Item]), [['policies', 'normativeDocuments']]);
  t.is(catalog.service.categoryBasis().budgets, '第二十条第（七）项');
});
