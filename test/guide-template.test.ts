import test from 'ava';
import { placeholdersIn, renderTemplate, TemplateError } from '../src/guide/template.js';

const scope = {
  agency: {
    name: '黄石市人民防空办公室',
    phone: null,
    fax: '',
    postcode: '435000',
    days: 10,
    noDays: null,
    portalName: '黄石民防政务公开网',
    categories: [{ id: 'a', name: '办事指南' }, { id: 'b', name: '政府采购' }],
    noCategories: [],
    words: ['甲', '乙'],
  },
};

const renders: Array<[string, string, string]> = [
  ['plain text passes through', '没有占位符。', '没有占位符。'],
  ['a present value', '{{agency.name}}', '黄石市人民防空办公室'],
  ['null takes the fallback', '电话：{{agency.phone|请见门户网站}}', '电话：请见门户网站'],
  ['an empty string counts as missing', '传真：{{agency.fax|请见门户网站}}', '传真：请见门户网站'],
  ['an empty fallback removes the placeholder', '地址{{agency.phone:，电话 %|}}。', '地址。'],
  ['a pattern wraps a present value', '地址{{agency.postcode:，邮编 %|}}。', '地址，邮编 435000。'],
  ['every % in a pattern is the value', '{{agency.postcode:%/%}}', '435000/435000'],
  ['a number is written as digits', '请在{{agency.days:%个工作日|告知书中载明的期限}}内补正', '请在10个工作日内补正'],
  ['a null number takes the fallback', '请在{{agency.noDays:%个工作日|告知书中载明的期限}}内补正', '请在告知书中载明的期限内补正'],
  ['a fallback may hold a placeholder', '{{agency.phone|见{{agency.portalName}}}}', '见黄石民防政务公开网'],
  ['a pattern may hold a placeholder', '{{agency.postcode:{{agency.name}}（%）|}}', '黄石市人民防空办公室（435000）'],
  ['objects in a list contribute their names', '{{agency.categories}}', '办事指南、政府采购'],
  ['strings in a list are joined', '{{agency.words}}', '甲、乙'],
  ['an empty list takes the fallback', '{{agency.noCategories:类别：%。|}}', ''],
  ['a | inside a nested placeholder belongs to it', '{{agency.phone|{{agency.fax|无传真}}或其他}}', '无传真或其他'],
];

for (const [title, template, expected] of renders) {
  test(`renderTemplate: ${title}`, (t) => {
    t.is(renderTemplate(template, scope), expected);
  });
}

const failures: Array<[string, string, RegExp]> = [
  ['a null value without fallback', '{{agency.phone}}', /no value and no fallback/],
  ['a field that does not exist, even with a fallback', '{{agency.phon|请见门户网站}}', /unknown placeholder \{\{agency\.phon\}\}/],
  ['an unclosed placeholder', '电话：{{agency.phone|请见', /unclosed placeholder/],
  ['a malformed path', '{{agency..phone|x}}', /bad placeholder path/],
  ['an object that is not a list', '{{agency}}', /not text, a number or a list/],
];

for (const [title, template, message] of failures) {
  test(`renderTemplate rejects ${title}`, (t) => {
    const error = t.throws(() => renderTemplate(template, scope), { instanceOf: TemplateError });
    t.regex(error!.message, message);
  });
}

test('placeholdersIn lists the top-level placeholders with their parts', (t) => {
  t.deepEqual(placeholdersIn('电话：{{agency.phone|见{{agency.portalName}}}}，邮编{{agency.postcode:（%）|}}'), [
    { path: 'agency.phone', pattern: null, fallback: '见{{agency.portalName}}' },
    { path: 'agency.postcode', pattern: '（%）', fallback: '' },
  ]);
});
