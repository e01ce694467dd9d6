// The WeChat simulator. It plays both sides WeChat plays: the client (a chat with the official
// account and its custom menu) and WeChat's server (pushes to POST /wechat signed with the token,
// and in safe mode encrypted with the EncodingAESKey, exactly as WeChat sends them). Later messages
// (customer-service, template and subscribe messages) come from the fake WeChat API's outbox.
// Text from messages is only ever written with textContent.
'use strict';

(() => {
  const $ = (selector, root = document) => root.querySelector(selector);
  const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));
  const utf8 = new TextEncoder();
  const fromUtf8 = new TextDecoder();

  let config = null;
  let clockOffsetMs = 0;
  let aes = null; // { key, iv } in safe mode
  let currentUser = '';
  const chats = new Map(); // openid → { messages, seen, followed, unread }
  const mpTokens = new Map(); // openid → mini-program session token
  let sending = Promise.resolve();

  // ---------------------------------------------------------------------------------------------
  // Small DOM helpers

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  // ---------------------------------------------------------------------------------------------
  // WeChat's cryptography with WebCrypto

  function concatBytes(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const part of parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  function toBase64(bytes) {
    let text = '';
    for (const b of bytes) text += String.fromCharCode(b);
    return btoa(text);
  }

  function fromBase64(text) {
    const binary = atob(text);
    const out = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
  }

  async function sha1Hex(text) {
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-1', utf8.encode(text)));
    return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  /** signature / msg_signature: sha1 of the parts sorted and joined. */
  function sortedSha1(parts) {
    return sha1Hex([...parts].sort().join(''));
  }

  function randomText(length) {
    const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    return Array.from(crypto.getRandomValues(new Uint8Array(length)), (b) => alphabet[b % alphabet.length]).join('');
  }

  async function loadAesKey(encodingAESKey) {
    const raw = fromBase64(`${encodingAESKey}=`);
    if (raw.length !== 32) throw new Error('EncodingAESKey 解码后不是 32 字节');
    const key = await crypto.subtle.importKey('raw', raw, 'AES-CBC', false, ['encrypt', 'decrypt']);
    return { key, iv: raw.slice(0, 16) };
  }

  // random(16) ‖ uint32 BE length ‖ message ‖ appid, PKCS#7-padded to 32 bytes (WeChat's block).
  // WebCrypto always adds its own 16-byte PKCS#7 padding: our plaintext is already a multiple of
  // 16, so that padding is one whole extra block at the end, which is dropped.
  async function encryptLikeWechat(xml) {
    const message = utf8.encode(xml);
    const length = new Uint8Array(4);
    new DataView(length.buffer).setUint32(0, message.length);
    const body = concatBytes(crypto.getRandomValues(new Uint8Array(16)), length, message, utf8.encode(config.appid));
    const pad = 32 - (body.length % 32);
    const plain = concatBytes(body, new Uint8Array(pad).fill(pad));
    const encrypted = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-CBC', iv: aes.iv }, aes.key, plain));
    return toBase64(encrypted.subarray(0, plain.length));
  }

  // WebCrypto only decrypts what ends in valid 16-byte PKCS#7 padding. One crafted block C* after
  // the last block C makes the last plaintext block sixteen 0x10 bytes: D(C*) XOR C = 0x10…, so
  // C* = E(C XOR 0x10…), the first block of an AES-CBC encryption with a zero IV. WebCrypto strips
  // that block; WeChat's 32-byte padding is then removed here.
  async function decryptLikeWechat(encrypt) {
    const data = fromBase64(encrypt);
    if (data.length === 0 || data.length % 16 !== 0) throw new Error('密文长度不正确');
    const last = data.subarray(data.length - 16);
    const forged = last.map((b) => b ^ 0x10);
    const crafted = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-CBC', iv: new Uint8Array(16) }, aes.key, forged)).subarray(0, 16);
    const plain = new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-CBC', iv: aes.iv }, aes.key, concatBytes(data, crafted)));
    const pad = plain[plain.length - 1];
    if (!(pad >= 1 && pad <= 32) || plain.subarray(plain.length - pad).some((b) => b !== pad)) throw new Error('填充不正确');
    const body = plain.subarray(0, plain.length - pad);
    const length = new DataView(body.buffer, body.byteOffset, body.byteLength).getUint32(16);
    if (20 + length > body.length) throw new Error('消息长度不正确');
    return { xml: fromUtf8.decode(body.subarray(20, 20 + length)), appid: fromUtf8.decode(body.subarray(20 + length)) };
  }

  // ---------------------------------------------------------------------------------------------
  // WeChat's XML

  function cdata(text) {
    // "]]>" would end the section early: split it across two sections, as WeChat does.
    return `<![CDATA[${String(text).replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
  }

  function inboundXml(fields) {
    const inner = Object.entries(fields)
      .map(([name, value]) => `<${name}>${typeof value === 'number' ? value : cdata(value)}</${name}>`)
      .join('');
    return `<xml>${inner}</xml>`;
  }

  function parseXml(text) {
    const doc = new DOMParser().parseFromString(text, 'application/xml');
    if (doc.getElementsByTagName('parsererror').length > 0) throw new Error('回复不是有效的 XML');
    return doc;
  }

  function field(doc, name) {
    const node = doc.documentElement.getElementsByTagName(name)[0];
    return node ? node.textContent : null;
  }

  function nowSeconds() {
    return Math.floor((Date.now() + clockOffsetMs) / 1000);
  }

  let msgSequence = 0;
  function newMsgId() {
    // A 64-bit decimal, as WeChat's MsgId; kept as text end to end.
    msgSequence = (msgSequence + 1) % 1000;
    return `${Date.now()}${String(msgSequence).padStart(3, '0')}${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`;
  }

  /** One push to POST /wechat as WeChat's server sends it; resolves with the passive reply or null. */
  async function push(openid, xml) {
    const timestamp = String(nowSeconds());
    const nonce = randomText(10);
    const query = new URLSearchParams({ signature: await sortedSha1([config.token, timestamp, nonce]), timestamp, nonce, openid });
    let body = xml;
    if (config.safeMode) {
      const encrypt = await encryptLikeWechat(xml);
      query.set('encrypt_type', 'aes');
      query.set('msg_signature', await sortedSha1([config.token, timestamp, nonce, encrypt]));
      body = inboundXml({ ToUserName: config.ghId, Encrypt: encrypt });
    }
    const response = await fetch(`/wechat?${query}`, { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body });
    const text = await response.text();
    if (!response.ok) {
      let reason = text;
      try {
        reason = JSON.parse(text).error.message;
      } catch {
        // not JSON: keep the text
      }
      throw new Error(`服务器回答 ${response.status}：${reason}`);
    }
    if (text === '' || text === 'success') return null;
    let doc = parseXml(text);
    if (config.safeMode) {
      const encrypt = field(doc, 'Encrypt');
      const stamp = field(doc, 'TimeStamp');
      const replyNonce = field(doc, 'Nonce');
      if (!encrypt || field(doc, 'MsgSignature') !== (await sortedSha1([config.token, stamp, replyNonce, encrypt]))) {
        throw new Error('加密回复的 MsgSignature 不正确');
      }
      const opened = await decryptLikeWechat(encrypt);
      if (opened.appid !== config.appid) throw new Error(`加密回复的 appid 不对：${opened.appid}`);
      doc = parseXml(opened.xml);
    }
    return replyMessage(doc);
  }

  function replyMessage(doc) {
    const type = field(doc, 'MsgType');
    if (type === 'text') return { dir: 'in', text: field(doc, 'Content') || '', source: '被动回复' };
    if (type === 'news') {
      const lines = Array.from(doc.getElementsByTagName('item'), (item) => [
        item.getElementsByTagName('Title')[0]?.textContent || '',
        item.getElementsByTagName('Description')[0]?.textContent || '',
      ]);
      return { dir: 'in', card: { title: '图文消息', lines }, source: '被动回复' };
    }
    return { dir: 'in', text: `[${type} 消息]`, source: '被动回复' };
  }

  // ---------------------------------------------------------------------------------------------
  // What the fake WeChat API sent, as the user would see it

  const KEYWORD_LABELS = {
    character_string: '编号',
    phrase: '状态',
    thing: '事项',
    time: '时间',
    date: '日期',
    number: '数量',
    amount: '金额',
    name: '姓名',
    phone_number: '电话',
    first: '',
    remark: '备注',
    keyword: '内容',
  };

  function dataLines(data) {
    return Object.entries(data || {}).map(([key, entry]) => {
      const label = KEYWORD_LABELS[key.replace(/\d+$/, '')];
      return [label === undefined ? key : label, entry && typeof entry === 'object' ? entry.value : entry];
    });
  }

  function outboxMessage(record) {
    const p = record.payload || {};
    const title = (fallback) => config.templates[p.template_id] || fallback;
    switch (record.api) {
      case 'custom_send':
        if (p.msgtype === 'text') return { dir: 'in', text: (p.text && p.text.content) || '', source: '客服消息' };
        if (p.msgtype === 'news') {
          const articles = (p.news && p.news.articles) || [];
          return { dir: 'in', card: { title: '图文消息', lines: articles.map((a) => [a.title || '', a.description || '']) }, source: '客服消息' };
        }
        if (p.msgtype === 'miniprogrampage') {
          return { dir: 'in', card: { title: '小程序卡片', lines: [['', (p.miniprogrampage && p.miniprogrampage.title) || '']] }, source: '客服消息' };
        }
        return { dir: 'in', text: `[${p.msgtype} 消息]`, source: '客服消息' };
      case 'template_send':
        return { dir: 'in', card: { title: title('模板消息'), lines: dataLines(p.data), footer: p.miniprogram || p.url ? '详情 ›' : '', link: p.url || '' }, source: '模板消息' };
      case 'subscribe_bizsend':
        return { dir: 'in', card: { title: title('订阅通知'), lines: dataLines(p.data), footer: p.page || p.miniprogram ? '详情 ›' : '', link: /^https?:/.test(p.page || '') ? p.page : '' }, source: '订阅通知' };
      case 'subscribe_send':
        return { dir: 'in', card: { title: title('订阅消息'), lines: dataLines(p.data), footer: '进入小程序查看 ›' }, source: '小程序订阅消息（服务通知）' };
      default:
        return { dir: 'in', text: `[${record.api}]`, source: record.api };
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Conversations, kept per user for this browser tab

  const storageKey = (openid) => `gongkai-sandbox:${openid}`;

  function chatOf(openid) {
    let chat = chats.get(openid);
    if (!chat) {
      chat = { messages: [], seen: 0, followed: false, unread: 0 };
      try {
        Object.assign(chat, JSON.parse(sessionStorage.getItem(storageKey(openid)) || '{}'));
      } catch {
        // a damaged record starts a fresh conversation
      }
      chats.set(openid, chat);
    }
    return chat;
  }

  function save(openid) {
    const chat = chatOf(openid);
    chat.messages = chat.messages.slice(-300);
    try {
      sessionStorage.setItem(storageKey(openid), JSON.stringify({ messages: chat.messages, seen: chat.seen, followed: chat.followed }));
    } catch {
      // storage full or disabled: the conversation still works, it just is not kept
    }
  }

  function renderMessage(message) {
    const item = el('li', `msg ${message.dir}`);
    if (message.source) item.dataset.source = message.source;
    if (message.card) {
      const card = el('div', 'card');
      card.append(el('div', 'card-title', message.card.title));
      for (const [label, value] of message.card.lines) {
        const row = el('div', 'card-row');
        if (label) row.append(el('span', 'card-label', label));
        row.append(el('span', 'card-value', value));
        card.append(row);
      }
      if (message.card.footer && /^https?:\/\//.test(message.card.link || '')) {
        // As in WeChat, 详情 opens the page the message links to (a 补正 notice, a reply letter).
        const link = el('a', 'card-footer', message.card.footer);
        link.href = message.card.link;
        link.target = '_blank';
        link.rel = 'noopener';
        card.append(link);
      } else if (message.card.footer) card.append(el('div', 'card-footer', message.card.footer));
      item.append(card);
    } else {
      item.append(el('div', 'bubble', message.text));
    }
    if (message.source && message.dir === 'in') item.append(el('div', 'caption', message.source));
    return item;
  }

  function addMessage(openid, message) {
    const chat = chatOf(openid);
    chat.messages.push(message);
    save(openid);
    if (openid === currentUser) {
      const list = $('#messages');
      list.append(renderMessage(message));
      list.scrollTop = list.scrollHeight;
    } else if (message.dir === 'in') {
      chat.unread += 1;
      updateUserLabels();
    }
  }

  function note(openid, text) {
    addMessage(openid, { dir: 'note', text });
  }

  function showConversation() {
    const list = $('#messages');
    list.replaceChildren(...chatOf(currentUser).messages.map(renderMessage));
    list.scrollTop = list.scrollHeight;
  }

  function updateUserLabels() {
    for (const option of $$('#user-switch option')) {
      option.dataset.label ??= option.textContent;
      const unread = chatOf(option.value).unread;
      option.textContent = unread > 0 ? `${option.dataset.label} · ${unread} 条新消息` : option.dataset.label;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Sending, one push at a time per page, as a user types one message after another

  const SILENT_EVENTS = new Set(['VIEW', 'view_miniprogram']);

  function enqueue(task) {
    sending = sending.then(task).catch(() => undefined);
    return sending;
  }

  async function deliver(openid, xml) {
    try {
      const reply = await push(openid, xml);
      if (reply) addMessage(openid, reply);
    } catch (error) {
      note(openid, `消息没有送达：${error.message}`);
    }
    poll();
  }

  function sendText(openid, rawText) {
    // XML cannot carry control characters; WeChat never sends them either.
    const text = rawText.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '').trim();
    if (!text) return sending;
    addMessage(openid, { dir: 'out', text });
    return enqueue(() =>
      deliver(
        openid,
        inboundXml({ ToUserName: config.ghId, FromUserName: openid, CreateTime: nowSeconds(), MsgType: 'text', Content: text, MsgId: newMsgId() }),
      ),
    );
  }

  function sendEvent(openid, event, key) {
    const send = () =>
      deliver(openid, inboundXml({ ToUserName: config.ghId, FromUserName: openid, CreateTime: nowSeconds(), MsgType: 'event', Event: event, EventKey: key || '' }));
    // Opening a page or the mini-program expects no answer: it does not hold up the chat's queue.
    return SILENT_EVENTS.has(event) ? send() : enqueue(send);
  }

  function follow(openid) {
    const chat = chatOf(openid);
    if (chat.followed) return;
    chat.followed = true;
    note(openid, '已关注公众号');
    sendEvent(openid, 'subscribe', '');
  }

  // ---------------------------------------------------------------------------------------------
  // The outbox, polled for every test user

  let polling = false;
  async function poll() {
    if (polling || !config) return;
    polling = true;
    try {
      for (const { openid } of config.users) {
        const response = await fetch(`/__sandbox/outbox?touser=${encodeURIComponent(openid)}`, { cache: 'no-store' });
        if (!response.ok) continue;
        const records = await response.json();
        const chat = chatOf(openid);
        if (records.length < chat.seen) chat.seen = 0; // the server started afresh
        const fresh = records.slice(chat.seen);
        chat.seen = records.length;
        save(openid);
        for (const record of fresh) addMessage(openid, outboxMessage(record));
      }
    } catch {
      // the server is restarting: try again on the next tick
    } finally {
      polling = false;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The custom menu

  function closeMenus(except) {
    for (const parent of $$('.menu-parent')) {
      if (parent === except) continue;
      parent.setAttribute('aria-expanded', 'false');
      document.getElementById(parent.getAttribute('aria-controls')).hidden = true;
    }
  }

  function onMenuLeaf(button) {
    closeMenus(null);
    const { type, key, url, pagepath } = button.dataset;
    const name = button.textContent;
    const openid = currentUser;
    switch (type) {
      case 'click':
        note(openid, `点击菜单「${name}」`);
        sendEvent(openid, 'CLICK', key);
        break;
      case 'view':
        note(openid, `打开网页「${name}」`);
        sendEvent(openid, 'VIEW', url);
        if (/^https?:\/\//i.test(url)) window.open(url, '_blank', 'noopener');
        break;
      case 'miniprogram':
        note(openid, `打开小程序页面 ${pagepath}（右侧为小程序接口演示）`);
        sendEvent(openid, 'view_miniprogram', pagepath);
        $('#miniprogram').scrollIntoView({ behavior: 'smooth' });
        break;
      default:
        note(openid, `模拟器不支持“${type}”类型的菜单`);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The mini-program API panel

  async function mpCall(method, path, body) {
    const headers = {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const token = mpTokens.get(currentUser);
    if (token && path !== '/mp/v1/session') headers.Authorization = `Bearer ${token}`;
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = { raw: text };
    }
    $('#mp-last-call').textContent =
      `${method} ${path}\n` + (body === undefined ? '' : `${JSON.stringify(body, null, 2)}\n`) + `→ ${response.status}\n${JSON.stringify(json, null, 2)}`;
    return { status: response.status, body: json };
  }

  const errorText = (result) => (result.body && result.body.error && result.body.error.message) || `接口返回 ${result.status}`;

  async function mpLogin() {
    const result = await mpCall('POST', '/mp/v1/session', { code: `dev:${currentUser}` });
    if (result.status !== 200) {
      $('#mp-session').textContent = `登录失败：${errorText(result)}`;
      return false;
    }
    mpTokens.set(currentUser, result.body.token);
    $('#mp-session').textContent = `已登录：openid ${result.body.openid}（之后的请求带 Authorization: Bearer <token>）`;
    return true;
  }

  async function ensureLogin() {
    return mpTokens.has(currentUser) || mpLogin();
  }

  function showApplicantFields() {
    const form = $('#mp-apply');
    const organization = form.elements['applicant.type'].value === 'organization';
    for (const label of $$('.org-only', form)) label.hidden = !organization;
    for (const label of $$('.person-only', form)) label.hidden = organization;
  }

  function applicationBody(form) {
    const body = {};
    for (const control of $$('input, select, textarea', form)) {
      if (!control.name || control.closest('label').hidden || control.value.trim() === '') continue;
      const [group, key] = control.name.split('.');
      body[group] ??= {};
      body[group][key] = control.value.trim();
    }
    return body;
  }

  function fillSample() {
    const form = $('#mp-apply');
    const values = {
      'applicant.type': 'person',
      'applicant.name': '张三',
      'applicant.idNumber': '11010519491231002X',
      'applicant.phone': '13800138000',
      'applicant.email': 'zhangsan@example.com',
      'request.description': '请公开本市人防工程建设审批事项的办理结果清单',
      'delivery.form': 'electronic',
      'delivery.method': 'email',
    };
    for (const [name, value] of Object.entries(values)) form.elements[name].value = value;
    showApplicantFields();
  }

  async function submitApplication(event) {
    event.preventDefault();
    const form = event.currentTarget;
    for (const slot of $$('.field-error', form)) slot.textContent = '';
    if (!(await ensureLogin())) return;
    const result = await mpCall('POST', '/mp/v1/applications', applicationBody(form));
    const out = $('#mp-apply-result');
    if (result.status === 201 || result.status === 200) {
      const a = result.body;
      out.textContent = `已提交：申请编号 ${a.trackingNo}，${a.statusLabel}` + (a.dueDate ? `，答复期限 ${a.dueDate}` : '') + '。';
      await listApplications();
      return;
    }
    out.textContent = `没有提交：${errorText(result)}`;
    const fields = (result.body && result.body.error && result.body.error.fields) || {};
    for (const [name, message] of Object.entries(fields)) {
      const slot = form.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
      if (slot) slot.textContent = message;
    }
  }

  async function listApplications() {
    if (!(await ensureLogin())) return;
    const result = await mpCall('GET', '/mp/v1/applications');
    const list = $('#mp-applications');
    if (result.status !== 200) {
      list.replaceChildren(el('li', 'result', errorText(result)));
      return;
    }
    const apps = result.body.applications;
    if (apps.length === 0) {
      list.replaceChildren(el('li', 'result', '还没有申请。'));
      return;
    }
    list.replaceChildren(
      ...apps.map((a) => {
        const item = el('li');
        const button = el('button', 'link', `${a.trackingNo} · ${a.statusLabel}` + (a.dueDate ? ` · 期限 ${a.dueDate}` : ''));
        button.type = 'button';
        button.addEventListener('click', () => showApplication(a.id));
        item.append(button);
        return item;
      }),
    );
  }

  async function showApplication(id) {
    const result = await mpCall('GET', `/mp/v1/applications/${encodeURIComponent(id)}`);
    const box = $('#mp-detail');
    if (result.status !== 200) {
      box.replaceChildren(el('p', 'result', errorText(result)));
      return;
    }
    const a = result.body;
    const facts = [
      ['申请编号', a.trackingNo],
      ['状态', a.statusLabel + (a.outcomeLabel ? `（${a.outcomeLabel}）` : '')],
      ['收到日期', a.receivedOn || '—'],
      // The server's own sentence (statusText): the same words as the chat's 查询进度.
      ['办理情况', a.statusText || '—'],
    ];
    const dl = el('dl', 'facts');
    for (const [term, value] of facts) dl.append(el('dt', '', term), el('dd', '', value));
    const timeline = el('ol', 'timeline');
    for (const entry of a.timeline) {
      timeline.append(el('li', '', `${entry.on} ${entry.label}` + (entry.outcomeLabel ? `：${entry.outcomeLabel}` : '')));
    }
    const parts = [el('h4', '', '办理情况'), dl];
    if (a.pendingSupplement) parts.push(supplementForm(a));
    if (Array.isArray(a.documents) && a.documents.length > 0) {
      const list = el('ul', 'documents');
      for (const d of a.documents) {
        const item = el('li', '');
        const link = el('a', '', `${d.title}（${d.on}）`);
        // The applicant's copy through their session; the message links open the same document.
        link.href = d.url || '#';
        link.target = '_blank';
        link.rel = 'noopener';
        item.append(link);
        list.append(item);
      }
      parts.push(el('h4', '', '文书'), list);
    }
    parts.push(el('h4', '', '办理记录'), timeline);
    box.replaceChildren(...parts);
  }

  /** The pending 补正's items and a form that answers it (POST /mp/v1/applications/:id/supplement). */
  function supplementForm(a) {
    const form = el('form', 'supplement');
    form.id = 'mp-supplement';
    const items = el('ol', 'items');
    for (const item of a.pendingSupplement.items) items.append(el('li', '', item));
    const text = el('textarea', '');
    text.name = 'text';
    text.rows = 3;
    const label = el('label', '', '补正内容');
    label.append(text);
    const button = el('button', '', '提交补正（POST …/supplement）');
    button.type = 'submit';
    const out = el('p', 'result');
    form.append(
      el('h4', '', '需要补正'),
      items,
      el('p', '', a.pendingSupplement.dueBy ? `请最迟于 ${a.pendingSupplement.dueBy}（含当日）补正。` : '请在补正告知书写明的期限内补正。'),
      label,
      button,
      out,
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      button.disabled = true;
      const result = await mpCall('POST', `/mp/v1/applications/${encodeURIComponent(a.id)}/supplement`, { text: text.value });
      button.disabled = false;
      if (result.status !== 200) {
        out.textContent = errorText(result);
        return;
      }
      await showApplication(a.id);
      const after = $('#mp-detail');
      after.prepend(el('p', 'result', `补正已提交。答复期限：${result.body.dueDate || '—'}`));
    });
    return form;
  }

  async function loadSubscriptions() {
    if (!(await ensureLogin())) return;
    const result = await mpCall('GET', '/mp/v1/subscriptions');
    const form = $('#mp-subscriptions-form');
    const out = $('#mp-subscriptions-result');
    if (result.status === 404) {
      form.hidden = true;
      out.textContent = '订阅接口尚未开通：目录与订阅模块还没有接入这台服务器（GET /mp/v1/subscriptions 返回 404）。';
      return;
    }
    if (result.status !== 200) {
      form.hidden = true;
      out.textContent = errorText(result);
      return;
    }
    const chosen = new Set(result.body.categories);
    $('#mp-categories').replaceChildren(
      ...result.body.available.map((c) => {
        const label = el('label', 'category');
        const box = el('input');
        box.type = 'checkbox';
        box.value = c.id;
        box.checked = chosen.has(c.id);
        label.append(box, el('span', '', c.name));
        return label;
      }),
    );
    form.hidden = false;
    out.textContent = `已订阅 ${chosen.size} 个栏目。`;
  }

  async function saveSubscriptions(event) {
    event.preventDefault();
    const categories = $$('#mp-categories input:checked').map((box) => box.value);
    const result = await mpCall('PUT', '/mp/v1/subscriptions', { categories });
    $('#mp-subscriptions-result').textContent = result.status === 200 ? `已保存：订阅了 ${categories.length} 个栏目。` : `没有保存：${errorText(result)}`;
  }

  // ---------------------------------------------------------------------------------------------
  // Start

  function switchUser(openid) {
    currentUser = openid;
    chatOf(openid).unread = 0;
    updateUserLabels();
    showConversation();
    $('#mp-session').textContent = mpTokens.has(openid) ? `已登录：openid ${openid}` : '';
    $('#mp-applications').replaceChildren();
    $('#mp-detail').replaceChildren();
    $('#mp-apply-result').textContent = '';
    $('#mp-subscriptions-result').textContent = '';
    $('#mp-subscriptions-form').hidden = true;
    follow(openid);
  }

  function disable(reason) {
    for (const control of $$('#composer input, #composer button, .menu button')) control.disabled = true;
    const list = $('#messages');
    list.replaceChildren(el('li', 'msg note', reason));
  }

  async function start() {
    const userSwitch = $('#user-switch');
    userSwitch.addEventListener('change', () => switchUser(userSwitch.value));
    $('#composer').addEventListener('submit', (event) => {
      event.preventDefault();
      const input = $('#composer-text');
      sendText(currentUser, input.value);
      input.value = '';
      input.focus();
    });
    for (const parent of $$('.menu-parent')) {
      parent.addEventListener('click', (event) => {
        event.stopPropagation();
        const open = parent.getAttribute('aria-expanded') !== 'true';
        closeMenus(parent);
        parent.setAttribute('aria-expanded', String(open));
        document.getElementById(parent.getAttribute('aria-controls')).hidden = !open;
      });
    }
    for (const leaf of $$('.menu-leaf')) leaf.addEventListener('click', () => onMenuLeaf(leaf));
    document.addEventListener('click', () => closeMenus(null));

    const applyForm = $('#mp-apply');
    applyForm.elements['applicant.type'].addEventListener('change', showApplicantFields);
    applyForm.addEventListener('submit', submitApplication);
    showApplicantFields();
    $('#mp-sample').addEventListener('click', fillSample);
    $('#mp-login').addEventListener('click', mpLogin);
    $('#mp-list').addEventListener('click', listApplications);
    $('#mp-subscriptions').addEventListener('click', loadSubscriptions);
    $('#mp-subscriptions-form').addEventListener('submit', saveSubscriptions);

    if (!window.crypto || !crypto.subtle) {
      disable('浏览器只在安全环境中提供签名所需的 WebCrypto：请用 http://localhost 或 http://127.0.0.1 打开本页，或通过 HTTPS 访问。');
      return;
    }
    try {
      const response = await fetch('/__sandbox/config', { cache: 'no-store' });
      if (!response.ok) throw new Error(`GET /__sandbox/config 返回 ${response.status}`);
      config = await response.json();
      clockOffsetMs = config.now - Date.now();
      if (config.safeMode) aes = await loadAesKey(config.encodingAESKey);
    } catch (error) {
      disable(`模拟器无法启动：${error.message}`);
      return;
    }
    document.body.dataset.ready = 'true';
    switchUser(userSwitch.value);
    await poll();
    setInterval(poll, 1500);
  }

  document.addEventListener('DOMContentLoaded', start);
})();
