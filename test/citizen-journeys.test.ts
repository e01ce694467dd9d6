// The citizen's journeys of issue 18, end to end through the public interfaces: the WeChat webhook
// (signed pushes, as WeChat sends them) with the fake WeChat API, /mp/v1, the staff API and the
// links in the messages, from the first message to the message or document the citizen ends with.
import test from 'ava';
import { startApp, client, mpLogin, staffLogin, personApplication, testClock, type TestClock } from './helpers/app.js';
import { push, textXml, eventXml, GH_ID } from './helpers/wechat-client.js';
import { renderMessage } from '../src/notify/templates.js';

type Outbox = Array<{ api: string; touser: string; payload: any }>;

/** A chat with the account through the webhook, on the server's clock. */
function chat(base: string, openid: string, clock: TestClock) {
  let id = 8_200_000_000_000_000_000n + BigInt(Math.floor(Math.random() * 1e9)) * 1000n;
  const timestamp = () => Math.floor(clock.now.getTime() / 1000);
  return {
    async say(text: string): Promise<string> {
      const { status, reply } = await push(base, textXml(openid, text, String(id++), timestamp()), { timestamp: timestamp() });
      if (status !== 200) throw new Error(`push answered ${status}`);
      return reply ?? '';
    },
    async image(picUrl: string, mediaId: string): Promise<string> {
      const xml =
        `<xml><ToUserName><![CDATA[${GH_ID}]]></ToUserName><FromUserName><![CDATA[${openid}]]></FromUserName>` +
        `<CreateTime>${timestamp()}</CreateTime><MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[${picUrl}]]></PicUrl>` +
        `<MediaId><![CDATA[${mediaId}]]></MediaId><MsgId>${String(id++)}</MsgId></xml>`;
      const { status, reply } = await push(base, xml, { timestamp: timestamp() });
      if (status !== 200) throw new Error(`push answered ${status}`);
      return reply ?? '';
    },
    async click(key: string): Promise<string> {
      const { reply } = await push(base, eventXml(openid, 'CLICK', key, timestamp()), { timestamp: timestamp() });
      return reply ?? '';
    },
  };
}

/** Applies through the chat form, choosing delivery by WeChat. */
async function applyInChat(c: ReturnType<typeof chat>): Promise<string> {
  for (const answer of ['我要申请', '个人', '王五', '11010519491231002X', '13800138000', '请公开2025年度人防工程建设审批结果清单', '电子', '微信']) await c.say(answer);
  const receipt = await c.say('确认');
  return /申请编号 (\d{4}-\d{6})/.exec(receipt)![1]!;
}

async function outboxFor(call: ReturnType<typeof client>, openid: string): Promise<Outbox> {
  return ((await call('GET', '/__sandbox/outbox')).body as Outbox).filter((m) => m.touser === openid);
}

test('补正 in the chat: the notice reaches the applicant with its items, period and link; text and a picture answer it; both sides see it', async (t) => {
  const clock = testClock('2026-03-02T02:00:00Z');
  const app = await startApp(t, { clock });
  const call = client(app.url);
  let staff = await staffLogin(app.url);
  const openid = 'o-chat-supplement';
  const c = chat(app.url, openid, clock);
  const trackingNo = await applyInChat(c);
  const application = (await app.services.applications.byTrackingNo(trackingNo))!;

  // Before any 补正 is asked, "补正：…" says there is nothing to answer, instead of "不在范围内".
  t.regex(await c.say('补正：工程名称是某某地下室'), /没有需要补正的申请/);

  clock.set('2026-03-03T02:00:00Z');
  staff = await staffLogin(app.url);
  const asked = await call('POST', `/admin/v1/applications/${application.id}/events`, { type: 'request-supplement', on: '2026-03-03', items: ['申请的具体年份', '工程名称或位置'], days: 10 }, staff);
  t.is(asked.status, 200, JSON.stringify(asked.body));
  await call('POST', '/admin/v1/jobs/outbox/run', undefined, staff);

  // The template message: status, items and period within the field limits, and the notice behind 详情.
  const notice = (await outboxFor(call, openid)).find((m) => m.api === 'template_send' && m.payload.data.phrase4?.value === '需补正');
  t.truthy(notice, 'the 补正 template message was sent');
  t.is(notice!.payload.data.character_string1.value, trackingNo);
  t.is(notice!.payload.template_id, 'GK_OA_SUPPLEMENT_NOTICE');
  t.is(notice!.payload.data.thing2.value, '申请的具体年份等2项');
  t.is(notice!.payload.data.thing3.value, '补正截止2026年3月17日');
  t.regex(notice!.payload.url, new RegExp(`^${app.url}/letters/[\\w.-]+$`));
  const page = await fetch(notice!.payload.url);
  t.is(page.status, 200);
  const noticeHtml = await page.text();
  t.regex(noticeHtml, /补正/);
  t.regex(noticeHtml, /申请的具体年份/);
  t.regex(noticeHtml, /工程名称或位置/);
  t.false(noticeHtml.includes('11010519491231002X'), "the applicant's copy masks the ID number");
  t.is(page.headers.get('cache-control'), 'private, no-store');
  // The full text (customer-service message, when no template can be used) says how to answer here.
  const delivery = (await app.repos.notify.deliveriesOf(application.id)).find((d) => d.kind === 'supplement-requested')!;
  const text = renderMessage(app.services.notify.templates, delivery.kind, delivery.vars).text;
  t.regex(text, /1\. 申请的具体年份\n2\. 工程名称或位置/);
  t.regex(text, /请最迟于2026年3月17日（含当日）通过原申请渠道提交补正。在本公众号回复“补正：补充的内容”即可，也可以直接发送图片。/);
  t.regex(text, new RegExp(`补正申请告知书全文（可打印，可下载Word版，60日内有效）：${app.url}/letters/`));

  // 查询进度 while waiting: the items and how to answer; nothing about a consultation.
  const progress = await c.say('查询进度');
  t.regex(progress, /等待您补正，答复期限暂停计算。需要补正：申请的具体年份；工程名称或位置。请最迟于2026年3月17日（含当日）在公众号回复“补正：补充的内容”/);
  t.false(progress.includes('征求'));
  t.regex(progress, /补正告知书：http/);

  // The menu's 我要补正 starts a draft; a picture and two texts go into it; 提交补正 sends them.
  clock.set('2026-03-05T02:00:00Z');
  staff = await staffLogin(app.url);
  t.regex(await c.click('SUPPLEMENT'), /需要补正：\n1\. 申请的具体年份\n2\. 工程名称或位置[\s\S]*发送完毕回复“提交补正”/);
  t.regex(await c.image('http://mmbiz.qpic.cn/mmbiz_jpg/abc/0', 'MEDIA_1'), /已收到第 1 张图片/);
  t.regex(await c.say('2024年'), /已记下/);
  // A command mid-draft is answered, and the draft waits.
  t.regex(await c.say('帮助'), /可以这样用[\s\S]*您的补正还没有提交/);
  t.regex(await c.say('黄石市某某地下室人防工程'), /已记下/);
  const received = await c.say('提交补正');
  t.regex(received, new RegExp(`补正已收到（申请 ${trackingNo}，文字和 1 张图片）`));
  // Received Thursday 5 March: 20 working days from then.
  t.regex(received, /最迟于2026年4月2日（含当日）作出答复/);

  // The clerk sees what arrived: the text and the picture, and the new due date.
  const seen = await call('GET', `/admin/v1/applications/${application.id}`, undefined, staff);
  const entry = seen.body.timeline.at(-1);
  t.like(entry, { type: 'supplement-received', by: 'applicant', on: '2026-03-05', text: '2024年\n黄石市某某地下室人防工程' });
  t.deepEqual(entry.images, [{ url: 'http://mmbiz.qpic.cn/mmbiz_jpg/abc/0', mediaId: 'MEDIA_1' }]);
  t.is(seen.body.status, 'processing');
  t.is(seen.body.dueDate, '2026-04-02');
  const consolePage = await fetch(`${app.url}/admin/applications/${application.id}`, { headers: staff });
  t.is(consolePage.status, 200);
  t.regex(await consolePage.text(), /黄石市某某地下室人防工程[\s\S]*href="http:\/\/mmbiz\.qpic\.cn\/mmbiz_jpg\/abc\/0"[^>]*>图片1/);

  // Only one 补正 per request: a second "补正：" is told there is none pending.
  t.regex(await c.say('补正：还有一份材料'), /没有需要补正的申请/);
});

test('"补正：…" in one message answers the pending 补正 of a chat request', async (t) => {
  const clock = testClock('2026-03-02T02:00:00Z');
  const app = await startApp(t, { clock });
  const call = client(app.url);
  let staff = await staffLogin(app.url);
  const c = chat(app.url, 'o-chat-direct', clock);
  const trackingNo = await applyInChat(c);
  const application = (await app.services.applications.byTrackingNo(trackingNo))!;
  await call('POST', `/admin/v1/applications/${application.id}/events`, { type: 'request-supplement', on: '2026-03-02', items: ['工程名称'] }, staff);
  // An unrecognised reply from someone who owes a 补正 is told how to send it.
  t.regex(await c.say('今天天气怎么样'), /如果这是补正材料，请回复“补正：”/);
  const reply = await c.say('补正：黄石市某某地下室人防工程');
  t.regex(reply, new RegExp(`补正已收到（申请 ${trackingNo}，文字）`));
  t.regex(reply, /最迟于2026年3月30日（含当日）/);
  t.like((await app.services.applications.get(application.id)).events.at(-1), { type: 'supplement-received', text: '黄石市某某地下室人防工程', by: 'applicant' });
});

test('补正 in the mini-program: the pending items, the period, the notice, and the answer with the new due date', async (t) => {
  const clock = testClock('2026-03-02T02:00:00Z');
  const app = await startApp(t, { clock, env: { PUBLIC_URL: 'https://gongkai.example.gov.cn/' } });
  const call = client(app.url);
  let staff = await staffLogin(app.url);
  const me = await mpLogin(app.url, 'o-mp-supplement');
  const created = await call('POST', '/mp/v1/applications', personApplication({ delivery: { method: 'wechat' } }), me);
  t.is(created.status, 201);
  clock.set('2026-03-03T02:00:00Z');
  staff = await staffLogin(app.url);
  const asked = await call('POST', `/admin/v1/applications/${created.body.id}/events`, { type: 'request-supplement', on: '2026-03-03', items: ['申请的具体年份'], days: 5 }, staff);
  t.is(asked.status, 200, JSON.stringify(asked.body));

  const detail = await call('GET', `/mp/v1/applications/${created.body.id}`, undefined, me);
  t.is(detail.status, 200);
  t.deepEqual(detail.body.pendingSupplement, { items: ['申请的具体年份'], requestedOn: '2026-03-03', dueBy: '2026-03-10', eventIndex: 2 });
  t.regex(detail.body.statusText, /^等待您补正，答复期限暂停计算。需要补正：申请的具体年份。请最迟于2026年3月10日（含当日）在小程序“我的申请”中提交补正/);
  const notice = detail.body.documents.find((d: any) => d.kind === 'supplement-notice');
  t.like(notice, { eventIndex: 2, on: '2026-03-03' });
  // PUBLIC_URL makes the links, not the address the request came to.
  t.regex(notice.url, /^https:\/\/gongkai\.example\.gov\.cn\/letters\/[\w.-]+$/);
  const own = await fetch(`${app.url}/mp/v1/applications/${created.body.id}/documents/2`, { headers: me });
  t.is(own.status, 200);
  t.regex(await own.text(), /申请的具体年份/);
  // Someone else's session cannot open it.
  const other = await mpLogin(app.url, 'o-mp-someone-else');
  t.is((await fetch(`${app.url}/mp/v1/applications/${created.body.id}/documents/2`, { headers: other })).status, 404);

  const bad = await call('POST', `/mp/v1/applications/${created.body.id}/supplement`, { text: ' ' }, me);
  t.is(bad.status, 400);
  t.regex(bad.body.error.message, /请填写补正内容/);
  clock.set('2026-03-04T02:00:00Z');
  const answered = await call('POST', `/mp/v1/applications/${created.body.id}/supplement`, { text: '2024年' }, me);
  t.is(answered.status, 200);
  t.like(answered.body, { status: 'processing', dueDate: '2026-04-01', pendingSupplement: null });
  // Nothing pending any more: a second answer is refused in Chinese, not a 5xx.
  const again = await call('POST', `/mp/v1/applications/${created.body.id}/supplement`, { text: '再补充一点' }, me);
  t.is(again.status, 409);
  t.regex(again.body.error.message, /目前不需要补正/);
});

test('a supplement the clerk records from a letter tells the applicant it arrived and the new due date', async (t) => {
  const clock = testClock('2026-03-02T02:00:00Z');
  const app = await startApp(t, { clock });
  const call = client(app.url);
  let staff = await staffLogin(app.url);
  const c = chat(app.url, 'o-chat-by-post', clock);
  const trackingNo = await applyInChat(c);
  const application = (await app.services.applications.byTrackingNo(trackingNo))!;
  await call('POST', `/admin/v1/applications/${application.id}/events`, { type: 'request-supplement', on: '2026-03-02', items: ['工程名称'] }, staff);
  clock.set('2026-03-04T02:00:00Z');
  staff = await staffLogin(app.url);
  const recorded = await call('POST', `/admin/v1/applications/${application.id}/events`, { type: 'supplement-received', on: '2026-03-04', text: '信函补正' }, staff);
  t.is(recorded.status, 200, JSON.stringify(recorded.body));
  await call('POST', '/admin/v1/jobs/outbox/run', undefined, staff);
  const message = (await outboxFor(call, 'o-chat-by-post')).find((m) => m.payload.data?.phrase2?.value === '已收补正');
  t.truthy(message);
  t.is(message!.payload.data.thing3.value, '答复期限2026年4月1日');
});

test('the decision: outcome and ground in one line, the letter behind an expiring link (HTML and Word), and 查询进度 links it again', async (t) => {
  const clock = testClock('2026-03-02T02:00:00Z');
  const app = await startApp(t, { clock });
  const call = client(app.url);
  let staff = await staffLogin(app.url);
  const openid = 'o-chat-decision';
  const c = chat(app.url, openid, clock);
  const trackingNo = await applyInChat(c);
  const application = (await app.services.applications.byTrackingNo(trackingNo))!;
  clock.set('2026-03-10T02:00:00Z');
  staff = await staffLogin(app.url);
  const decided = await call('POST', `/admin/v1/applications/${application.id}/events`, { type: 'decide', on: '2026-03-10', outcome: 'withheld-third-party', reason: '涉及某公司商业秘密' }, staff);
  t.is(decided.status, 200);
  await call('POST', '/admin/v1/jobs/outbox/run', undefined, staff);

  const card = (await outboxFor(call, openid)).find((m) => m.api === 'template_send' && m.payload.data.phrase2?.value === '已答复');
  t.truthy(card);
  t.is(card!.payload.data.thing3.value, '不予公开：保护第三方合法权益');
  const delivery = (await app.repos.notify.deliveriesOf(application.id)).find((d) => d.kind === 'decided')!;
  const text = renderMessage(app.services.notify.templates, delivery.kind, delivery.vars).text;
  t.regex(text, /已作出答复：不予公开：保护第三方合法权益。\n.+\n理由：保护第三方合法权益（《政府信息公开条例》第三十六条第（三）项和第十五条）\n答复书全文（可打印，可下载Word版，60日内有效）：http/);
  t.true([...text].length <= 600 + 120, 'about one message');

  const letterUrl: string = card!.payload.url;
  const letter = await fetch(letterUrl);
  t.is(letter.status, 200);
  const letterHtml = await letter.text();
  t.regex(letterHtml, new RegExp(trackingNo.replace('-', '.*')));
  t.regex(letterHtml, /行政复议/);
  t.regex(letterHtml, /下载 Word 版/);
  t.false(letterHtml.includes('11010519491231002X'));
  const docx = await fetch(`${letterUrl}?format=docx`);
  t.is(docx.status, 200);
  t.regex(docx.headers.get('content-type') ?? '', /wordprocessingml/);
  t.is(Buffer.from(await docx.arrayBuffer()).subarray(0, 2).toString(), 'PK');

  // Altered or made-up links open nothing; an old one has expired and says how to get a new one.
  const token = letterUrl.split('/letters/')[1]!;
  const altered = token.replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A'));
  t.is((await fetch(`${app.url}/letters/${altered}`)).status, 404);
  t.is((await fetch(`${app.url}/letters/${token.replace(/^[\w-]+/, 'AAAAAAAAAAAA')}`)).status, 404);
  clock.set('2026-05-20T02:00:00Z');
  const expired = await fetch(letterUrl);
  t.is(expired.status, 410);
  t.regex(await expired.text(), /链接已过期[\s\S]*查询进度/);
  // 查询进度 hands out a fresh link that works.
  const progress = await c.say('查询进度');
  t.regex(progress, /已作出答复：不予公开。理由：保护第三方合法权益（《政府信息公开条例》第三十六条第（三）项和第十五条）/);
  const fresh = /答复书：(http\S+)/.exec(progress)![1]!;
  t.not(fresh, letterUrl);
  t.is((await fetch(fresh)).status, 200);
});

test('delivery by WeChat: offered to the clerk only when the applicant chose it, and the delivered message links the letter', async (t) => {
  const clock = testClock('2026-03-02T02:00:00Z');
  const app = await startApp(t, { clock });
  const call = client(app.url);
  let staff = await staffLogin(app.url);
  const c = chat(app.url, 'o-chat-deliver', clock);
  const trackingNo = await applyInChat(c);
  const viaChat = (await app.services.applications.byTrackingNo(trackingNo))!;
  const me = await mpLogin(app.url, 'o-mp-email');
  const byEmail = (await call('POST', '/mp/v1/applications', personApplication(), me)).body;
  clock.set('2026-03-11T02:00:00Z');
  staff = await staffLogin(app.url);
  for (const id of [viaChat.id, byEmail.id]) await call('POST', `/admin/v1/applications/${id}/events`, { type: 'decide', on: '2026-03-10', outcome: 'granted' }, staff);

  const form = (html: string) => /<details class="action" id="act-deliver">[\s\S]*?<\/details>/.exec(html)![0];
  const chose = form(await (await fetch(`${app.url}/admin/applications/${viaChat.id}`, { headers: staff })).text());
  t.regex(chose, /<option value="wechat" selected>微信<\/option>/);
  const didNot = form(await (await fetch(`${app.url}/admin/applications/${byEmail.id}`, { headers: staff })).text());
  t.false(didNot.includes('value="wechat"'));
  t.regex(didNot, /class="warning">申请人选择的获取方式是“电子邮件”，没有选择微信，因此不提供微信送达/);

  await call('POST', `/admin/v1/applications/${viaChat.id}/events`, { type: 'deliver', on: '2026-03-11', method: 'wechat' }, staff);
  await call('POST', '/admin/v1/jobs/outbox/run', undefined, staff);
  const delivered = (await outboxFor(call, 'o-chat-deliver')).find((m) => m.payload.data?.phrase2?.value === '已送达');
  t.truthy(delivered);
  t.regex(delivered!.payload.url, /\/letters\//);
  t.is((await fetch(delivered!.payload.url)).status, 200);
});

test('mid-form: commands are answered and the form waits; a form left over a day is mentioned once and can be picked up or dropped', async (t) => {
  const clock = testClock('2026-03-02T02:00:00Z');
  const app = await startApp(t, { clock });
  const c = chat(app.url, 'o-chat-midform', clock);
  await c.say('我要申请');
  t.regex(await c.say('个人'), /申请人姓名/);
  // 查询进度 mid-form: answered, then the form offers to go on where it was.
  t.regex(await c.say('查询进度'), /还没有通过本公众号提交过申请[\s\S]*您的申请还没填完。回复“继续”[\s\S]*申请人姓名/);
  t.regex(await c.say('我要申请'), /您正在填写一份申请[\s\S]*申请人姓名/);
  t.regex(await c.say('张三'), /身份证号/);
  // A guide question where an ID number was expected: the answer, then back to the form.
  t.regex(await c.say('申请公开要多久'), /20个工作日[\s\S]*您的申请还没填完[\s\S]*身份证号/);
  t.regex(await c.say('继续'), /身份证号/);
  t.regex(await c.say('11010519491231002X'), /联系电话/);

  // Two days later: the first message is answered as usual, with one mention of the old form.
  clock.set('2026-03-04T03:00:00Z');
  const first = await c.say('联系我们');
  t.regex(first, /秘书科/);
  t.regex(first, /3月2日开始填写的申请已超过一天未完成，还没有提交。回复“继续”接着填写，回复“取消”放弃/);
  const second = await c.say('要收费吗');
  t.false(second.includes('超过一天'), 'mentioned once');
  t.regex(await c.say('继续'), /联系电话/);
  t.regex(await c.say('13800138000'), /描述您要申请公开的政府信息/);

  clock.set('2026-03-06T03:00:00Z');
  t.regex(await c.say('13800138000'), /超过一天未完成/);
  t.regex(await c.say('取消'), /已放弃之前未完成的申请/);
  t.notRegex(await c.say('继续'), /身份证号|联系电话|描述/, 'nothing left to continue');

  // A guide question as the first message after a day is answered too, with the mention.
  await c.say('我要申请');
  clock.set('2026-03-09T03:00:00Z');
  const asked = await c.say('申请公开要多久');
  t.regex(asked, /20个工作日[\s\S]*3月6日开始填写的申请已超过一天未完成/);
  t.is((await app.services.applications.listMine('o-chat-midform')).length, 0);
});

test('取消 after the subscription list is a command, not a question', async (t) => {
  const clock = testClock('2026-03-02T02:00:00Z');
  const app = await startApp(t, { clock });
  const c = chat(app.url, 'o-chat-subscribe', clock);
  t.regex(await c.say('订阅'), /可订阅的栏目/);
  t.regex(await c.say('取消'), /订阅没有变化/);
  t.regex(await c.say('订阅 财政预决算'), /已订阅：财政预决算/);
  t.regex(await c.say('取消 财政预决算'), /已取消订阅：财政预决算/);
});
