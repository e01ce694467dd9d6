import test from 'ava';
import { createAnalyzer, type AnalyzerResources } from '../src/guide/analyzer.js';
import { sharedJieba } from '../src/guide/jieba.js';

const resources: AnalyzerResources = {
  dictionary: { groups: { 人防: ['人防工程', '易地建设费'], 信息公开: ['信息处理费', '依申请公开', '具体办理步骤', '补正', '答复'] } },
  synonyms: {
    groups: [
      ['期限', '多久', '多长时间', '几天'],
      ['收费', '交钱', '要钱', '收不收费'],
      ['不服', '不满意', '有异议'],
      ['行政复议', '复议'],
      ['申请', '申请公开'],
      ['小程序', '微信小程序'],
      ['流程', '步骤'],
    ],
    misspellings: { 复义: '复议', 申情: '申请' },
    english: { request: '申请', 'how long': '多久', id: '身份证' },
  },
  stopwords: { words: ['的', '吗', '我', '想', '请问', '一下', '了解', '具体', '要'] },
};
const analyzer = createAnalyzer(resources, sharedJieba());

const cases: Array<[string, string, string[]]> = [
  ['domain words stay whole', '人防工程的易地建设费', ['人防工程', '易地建设费']],
  ['a multi-character variant maps to its canonical word', '答复需要多长时间', ['期限']],
  ['a colloquial variant maps to its canonical word', '要交钱吗', ['收费']],
  ['a variant that jieba would split is kept whole', '收不收费', ['收费']],
  ['dissatisfaction words meet in one term', '对答复不满意', ['不服']],
  ['a known typo is fixed before segmentation', '行政复义', ['行政复议']],
  ['a homophone slip is fixed', '怎么申情', ['申请']],
  ['traditional characters are folded to simplified', '申請公開要多長時間', ['申请', '期限']],
  ['stop words and punctuation are dropped', '请问，我想了解一下！！', []],
  ['full-width letters are folded and lower-cased', 'ＥＭＡＩＬ', ['email']],
  ['English words and phrases are read as their Chinese word', 'How long does my Request take? ID?', ['期限', '申请', '身份证']],
];

test('analyzer: an English word is read only as a whole word', (t) => {
  t.false(analyzer.terms('I did it').includes('身份证'));
  t.false(analyzer.terms('requested').includes('申请'));
});

for (const [title, text, mustContain] of cases) {
  test(`analyzer: ${title}`, (t) => {
    const terms = analyzer.terms(text);
    for (const term of mustContain) t.true(terms.includes(term), `${term} in ${terms.join('/')}`);
    if (mustContain.length === 0) t.deepEqual(terms, []);
  });
}

test('analyzer: the variant itself never survives next to its canonical word', (t) => {
  const terms = analyzer.terms('申请公开要多久，对答复有异议');
  t.false(terms.includes('多久'));
  t.false(terms.includes('有异议'));
  t.false(terms.includes('申请公开'));
});

test('analyzer: a long word carries its dictionary parts for partial matches', (t) => {
  const [token] = analyzer.tokens('人防工程');
  t.is(token!.term, '人防工程');
  t.deepEqual(token!.parts.map((p) => p.term).sort(), ['人防', '工程']);
  t.true(analyzer.terms('人防工程').includes('工程'));
});

test('analyzer: parts are reported in canonical form with their written form', (t) => {
  const [token] = analyzer.tokens('具体办理步骤');
  t.is(token!.term, '具体办理步骤');
  t.deepEqual(token!.parts, [{ surface: '办理', term: '办理' }, { surface: '步骤', term: '流程' }]);
  t.deepEqual(token!.fillers, ['具体']);
});

test('analyzer: a synonym is a unit and gets no parts', (t) => {
  const [token] = analyzer.tokens('微信小程序');
  t.is(token!.term, '小程序');
  t.deepEqual(token!.parts, []);
});

test('analyzer: tokens carry jieba part-of-speech tags', (t) => {
  const noun = analyzer.tokens('公积金').find((tk) => tk.term === '公积金');
  t.is(noun?.pos.charAt(0), 'n');
});

test('analyzer: canonical() and isDomainWord()', (t) => {
  t.is(analyzer.canonical('多长时间'), '期限');
  t.is(analyzer.canonical('人防工程'), '人防工程');
  t.true(analyzer.isDomainWord('易地建设费'));
  t.false(analyzer.isDomainWord('公积金'));
});

test('analyzer: a word in two synonym groups is a data error', (t) => {
  const error = t.throws(() => createAnalyzer({ ...resources, synonyms: { groups: [['期限', '多久'], ['时间', '多久']] } }, sharedJieba()));
  t.regex(error!.message, /多久.*two groups/);
});

// Homophone slips of domain words that nobody listed as typos: pinyin input and voice input.
const homophones: Array<[string, string, string]> = [
  ['补怔要多久', '补怔', '补正'],
  ['对答复不服可以申请行政付议吗', '行政付议', '行政复议'],
  ['多久能达复', '达复', '答复'],
  ['易地建设废怎么收', '易地建设废', '易地建设费'],
];
for (const [text, slip, word] of homophones) {
  test(`analyzer: the homophone slip ${slip} is read as ${word}`, (t) => {
    t.true(analyzer.normalise(text).includes(word), analyzer.normalise(text));
  });
}

test('analyzer: words that sound like a domain word, or hold part of one, are left alone', (t) => {
  // 不正 (bù zhèng) sounds like 补正 but is a word of its own; 作机 in 工作机构 reads like 座机, and
  // 报名 like 报明, but they are parts of words.
  const withPhone = createAnalyzer({ ...resources, dictionary: { groups: { ...resources.dictionary.groups, 渠道: ['座机', '补正'] } } }, sharedJieba());
  for (const text of ['作风不正', '天气怎么样', '政府信息公开工作机构', '什么时候能答复']) t.is(withPhone.normalise(text), text);
});
