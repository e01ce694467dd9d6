import test from 'ava';
import { XMLParser } from 'fast-xml-parser';
import {
  WechatXmlError,
  buildEncryptedReplyXml,
  buildTextReply,
  cdata,
  dedupeKey,
  isEvent,
  parseEncryptedEnvelope,
  parseInboundXml,
} from '../src/wechat/xml.js';

const head = (msgType: string, createTime = 1700000000) =>
  `<ToUserName><![CDATA[gh_agency]]></ToUserName><FromUserName><![CDATA[o_user1]]></FromUserName>` +
  `<CreateTime>${createTime}</CreateTime><MsgType><![CDATA[${msgType}]]></MsgType>`;
const xml = (msgType: string, rest: string) => `<xml>${head(msgType)}${rest}</xml>`;
const event = (name: string, rest = '') => xml('event', `<Event><![CDATA[${name}]]></Event>${rest}`);

// MsgId beyond 2^53: a number would round it.
const BIG_ID = '24283597613211458817';

const messageCases: [string, string, Record<string, unknown>][] = [
  ['text', xml('text', `<Content><![CDATA[我想申请公开 a < b & "c"]]></Content><MsgId>${BIG_ID}</MsgId>`), { type: 'text', content: '我想申请公开 a < b & "c"', msgId: BIG_ID }],
  ['text with entities', xml('text', `<Content>a &amp; b &lt;c&gt;</Content><MsgId>1</MsgId>`), { type: 'text', content: 'a & b <c>' }],
  ['image', xml('image', `<PicUrl><![CDATA[http://mmbiz/x.jpg]]></PicUrl><MediaId><![CDATA[media1]]></MediaId><MsgId>2</MsgId>`), { type: 'image', picUrl: 'http://mmbiz/x.jpg', mediaId: 'media1', msgId: '2' }],
  ['voice with recognition', xml('voice', `<MediaId><![CDATA[v1]]></MediaId><Format><![CDATA[amr]]></Format><Recognition><![CDATA[查询申请进度]]></Recognition><MsgId>3</MsgId>`), { type: 'voice', mediaId: 'v1', format: 'amr', recognition: '查询申请进度' }],
  ['voice without recognition', xml('voice', `<MediaId><![CDATA[v1]]></MediaId><Format><![CDATA[speex]]></Format><MsgId>3</MsgId>`), { type: 'voice', format: 'speex', recognition: undefined }],
  ['video', xml('video', `<MediaId><![CDATA[m]]></MediaId><ThumbMediaId><![CDATA[t]]></ThumbMediaId><MsgId>4</MsgId>`), { type: 'video', mediaId: 'm', thumbMediaId: 't' }],
  ['shortvideo', xml('shortvideo', `<MediaId><![CDATA[m]]></MediaId><ThumbMediaId><![CDATA[t]]></ThumbMediaId><MsgId>5</MsgId>`), { type: 'shortvideo', mediaId: 'm' }],
  ['location', xml('location', `<Location_X>23.134521</Location_X><Location_Y>113.358803</Location_Y><Scale>20</Scale><Label><![CDATA[某市人防办]]></Label><MsgId>6</MsgId>`), { type: 'location', latitude: 23.134521, longitude: 113.358803, scale: 20, label: '某市人防办' }],
  ['link', xml('link', `<Title><![CDATA[公告]]></Title><Description><![CDATA[说明]]></Description><Url><![CDATA[https://example.gov.cn/a?x=1&y=2]]></Url><MsgId>7</MsgId>`), { type: 'link', title: '公告', description: '说明', url: 'https://example.gov.cn/a?x=1&y=2' }],
  ['unknown message type', xml('miniprogrampage', `<MsgId>8</MsgId>`), { type: 'other', msgType: 'miniprogrampage' }],
];

for (const [name, body, expected] of messageCases) {
  test(`parses ${name}`, (t) => {
    const parsed = parseInboundXml(body);
    t.like(parsed, { toUserName: 'gh_agency', fromUserName: 'o_user1', createTime: 1700000000, ...expected });
    t.false(isEvent(parsed));
  });
}

const eventCases: [string, string, Record<string, unknown>][] = [
  ['subscribe via QR scene', event('subscribe', '<EventKey><![CDATA[qrscene_123]]></EventKey><Ticket><![CDATA[TK]]></Ticket>'), { event: 'subscribe', eventKey: 'qrscene_123', scene: '123', ticket: 'TK' }],
  ['plain subscribe', event('subscribe', '<EventKey><![CDATA[]]></EventKey>'), { event: 'subscribe', eventKey: undefined, scene: undefined }],
  ['unsubscribe', event('unsubscribe'), { event: 'unsubscribe' }],
  ['SCAN', event('SCAN', '<EventKey><![CDATA[123]]></EventKey><Ticket><![CDATA[TK]]></Ticket>'), { event: 'SCAN', eventKey: '123', ticket: 'TK' }],
  ['CLICK', event('CLICK', '<EventKey><![CDATA[GUIDE]]></EventKey>'), { event: 'CLICK', eventKey: 'GUIDE' }],
  ['VIEW', event('VIEW', '<EventKey><![CDATA[https://example.gov.cn/]]></EventKey><MenuId>41</MenuId>'), { event: 'VIEW', eventKey: 'https://example.gov.cn/', menuId: '41' }],
  ['LOCATION', event('LOCATION', '<Latitude>23.137466</Latitude><Longitude>113.352425</Longitude><Precision>119.385040</Precision>'), { event: 'LOCATION', latitude: 23.137466, longitude: 113.352425, precision: 119.38504 }],
  ['TEMPLATESENDJOBFINISH', event('TEMPLATESENDJOBFINISH', `<MsgID>${BIG_ID}</MsgID><Status><![CDATA[failed:user block]]></Status>`), { event: 'TEMPLATESENDJOBFINISH', msgId: BIG_ID, status: 'failed:user block' }],
  ['unknown event', event('view_miniprogram', '<EventKey><![CDATA[pages/index]]></EventKey>'), { event: 'other', name: 'view_miniprogram', eventKey: 'pages/index' }],
];

for (const [name, body, expected] of eventCases) {
  test(`parses event ${name}`, (t) => {
    const parsed = parseInboundXml(body);
    t.true(isEvent(parsed));
    t.like(parsed, { type: 'event', fromUserName: 'o_user1', createTime: 1700000000, ...expected });
  });
}

test('subscribe_msg_popup_event with one template (an object) and with several (an array)', (t) => {
  const item = (id: string, status: string) =>
    `<List><TemplateId><![CDATA[${id}]]></TemplateId><SubscribeStatusString><![CDATA[${status}]]></SubscribeStatusString><PopupScene>2</PopupScene></List>`;
  const one = parseInboundXml(event('subscribe_msg_popup_event', `<SubscribeMsgPopupEvent>${item('T1', 'accept')}</SubscribeMsgPopupEvent>`));
  t.like(one, { event: 'subscribe_msg_popup_event', items: [{ templateId: 'T1', status: 'accept', popupScene: '2' }] });
  const two = parseInboundXml(event('subscribe_msg_popup_event', `<SubscribeMsgPopupEvent>${item('T1', 'accept')}${item('T2', 'reject')}</SubscribeMsgPopupEvent>`));
  t.deepEqual(two.type === 'event' && two.event === 'subscribe_msg_popup_event' ? two.items : [], [
    { templateId: 'T1', status: 'accept', popupScene: '2' },
    { templateId: 'T2', status: 'reject', popupScene: '2' },
  ]);
});

test('subscribe_msg_change_event and subscribe_msg_sent_event', (t) => {
  const change = parseInboundXml(event('subscribe_msg_change_event',
    '<SubscribeMsgChangeEvent><List><TemplateId><![CDATA[T1]]></TemplateId><SubscribeStatusString><![CDATA[reject]]></SubscribeStatusString></List></SubscribeMsgChangeEvent>'));
  t.like(change, { event: 'subscribe_msg_change_event', items: [{ templateId: 'T1', status: 'reject' }] });
  const sent = parseInboundXml(event('subscribe_msg_sent_event',
    '<SubscribeMsgSentEvent><List><TemplateId><![CDATA[T1]]></TemplateId><MsgID>1700</MsgID><ErrorCode>0</ErrorCode><ErrorStatus><![CDATA[success]]></ErrorStatus></List></SubscribeMsgSentEvent>'));
  t.like(sent, { event: 'subscribe_msg_sent_event', items: [{ templateId: 'T1', msgId: '1700', errorCode: '0', errorStatus: 'success' }] });
});

test('malformed, empty, DOCTYPE-bearing or incomplete XML is a WechatXmlError', (t) => {
  const cases: [string, string][] = [
    ['empty', ''],
    ['not xml', 'hello'],
    ['json', '{"MsgType":"text"}'],
    ['unclosed', '<xml><ToUserName>gh</xml>'],
    ['two roots', '<xml></xml><xml></xml>'],
    ['wrong root', `<message>${head('text')}<MsgId>1</MsgId></message>`],
    ['doctype with entity', `<!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa">]><xml>${head('text')}<Content>&a;&a;</Content><MsgId>1</MsgId></xml>`],
    ['no MsgType', '<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime></xml>'],
    ['no FromUserName', '<xml><ToUserName>gh</ToUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><MsgId>1</MsgId></xml>'],
    ['CreateTime not a number', xml('text', '<MsgId>1</MsgId>').replace('1700000000', 'yesterday')],
    ['message without MsgId', xml('text', '<Content>x</Content>')],
    ['event without Event', xml('event', '')],
    ['nested beyond the parser limit', `<xml>${'<a>'.repeat(200)}x${'</a>'.repeat(200)}</xml>`],
  ];
  for (const [name, body] of cases) t.throws(() => parseInboundXml(body), { instanceOf: WechatXmlError }, name);
});

test('dedupe keys: messages by MsgId + FromUserName + CreateTime, events by FromUserName + CreateTime + Event + EventKey', (t) => {
  const a = parseInboundXml(xml('text', '<Content>x</Content><MsgId>42</MsgId>'));
  const sameIdOtherUser = parseInboundXml(xml('text', '<Content>x</Content><MsgId>42</MsgId>').replace('o_user1', 'o_user2'));
  t.is(dedupeKey(a), dedupeKey(parseInboundXml(xml('text', '<Content>retry</Content><MsgId>42</MsgId>'))), 'a retry has the same key');
  t.not(dedupeKey(a), dedupeKey(sameIdOtherUser), 'MsgId collisions across users do not merge');
  const click = (key: string) => parseInboundXml(event('CLICK', `<EventKey><![CDATA[${key}]]></EventKey>`));
  t.is(dedupeKey(click('GUIDE')), dedupeKey(click('GUIDE')));
  t.not(dedupeKey(click('GUIDE')), dedupeKey(click('APPLY')));
  t.not(dedupeKey(parseInboundXml(event('subscribe'))), dedupeKey(parseInboundXml(event('unsubscribe'))));
  t.not(dedupeKey(parseInboundXml(event('view_miniprogram'))), dedupeKey(parseInboundXml(event('scancode_push'))), 'unknown events keep their own name');
});

test('encrypted envelope: Encrypt is read, a body without it is refused', (t) => {
  t.deepEqual(parseEncryptedEnvelope('<xml><ToUserName><![CDATA[gh_agency]]></ToUserName><Encrypt><![CDATA[abc+/=]]></Encrypt></xml>'), {
    toUserName: 'gh_agency',
    encrypt: 'abc+/=',
  });
  t.throws(() => parseEncryptedEnvelope(xml('text', '<Content>x</Content><MsgId>1</MsgId>')), { instanceOf: WechatXmlError });
});

const reader = new XMLParser({ parseTagValue: false, trimValues: false });

test('CDATA splits ]]> so that any text survives a round trip through an XML parser', (t) => {
  t.is(cdata('a]]>b'), '<![CDATA[a]]]]><![CDATA[>b]]>');
  const contents = ['plain', 'a]]>b', ']]>', ']]>]]>', 'x]]]>y', '<b>&amp;</b>', '多行\n文本\n🙂', 'end]]'];
  for (const content of contents) {
    const reply = buildTextReply({ toUserName: 'o_user1', fromUserName: 'gh_agency', content, createTime: 1700000001 });
    t.is(reader.parse(reply).xml.Content, content, content);
  }
});

test('CDATA drops characters XML cannot carry', (t) => {
  t.is(cdata('a\u0000b\u0007c\td\n'), '<![CDATA[ab' + 'c\td\n]]>');
  t.is(cdata('x\uD800y'), '<![CDATA[xy]]>', 'a lone surrogate');
  t.is(cdata('🙂'), '<![CDATA[🙂]]>', 'a surrogate pair stays');
});

test('text reply swaps the parties and uses seconds', (t) => {
  const reply = reader.parse(buildTextReply({ toUserName: 'o_user1', fromUserName: 'gh_agency', content: '您好', createTime: 1700000001 })).xml;
  t.deepEqual(reply, { ToUserName: 'o_user1', FromUserName: 'gh_agency', CreateTime: '1700000001', MsgType: 'text', Content: '您好' });
  t.throws(() => buildTextReply({ toUserName: 'o', fromUserName: 'gh', content: 'x', createTime: 1700000001000 }), { instanceOf: RangeError });
});

test('encrypted reply XML carries the four envelope fields', (t) => {
  const out = buildEncryptedReplyXml({ encrypt: 'ENC==', msgSignature: 'abc', timeStamp: '1700000000', nonce: 'n1' });
  t.deepEqual(reader.parse(out).xml, { Encrypt: 'ENC==', MsgSignature: 'abc', TimeStamp: '1700000000', Nonce: 'n1' });
});
