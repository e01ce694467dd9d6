import test from 'ava';
import { buildMenu, loadMenu } from '../src/wechat/menu.js';

test('the shipped menu fits WeChat: the mini-program button appears only with a mini-program', async (t) => {
  const without = await loadMenu('data', { miniProgramAppid: null, portalUrl: 'http://rfb.huangshi.gov.cn/' });
  const withMp = await loadMenu('data', { miniProgramAppid: 'wx0123456789abcdef', portalUrl: 'http://rfb.huangshi.gov.cn/' });
  const names = (m: typeof without) => m.button.flatMap((b) => [b.name, ...(b.sub_button ?? []).map((s) => s.name)]);
  t.true(without.button.length <= 3);
  t.false(JSON.stringify(without).includes('miniprogram'));
  const mp = withMp.button.flatMap((b) => b.sub_button ?? []).find((s) => s.type === 'miniprogram');
  t.is(mp?.appid, 'wx0123456789abcdef');
  t.is(mp?.url, 'http://rfb.huangshi.gov.cn/');
  for (const key of ['GUIDE', 'APPLY', 'TRACK', 'SUBSCRIBE', 'CONTACT']) t.true(JSON.stringify(without).includes(key), key);
  t.true(names(withMp).length > names(without).length);
});

test('menus beyond WeChat limits are refused with the reason', (t) => {
  const tooMany = { button: [1, 2, 3, 4].map((i) => ({ type: 'click', name: `菜单${i}`, key: `K${i}` })) };
  t.throws(() => buildMenu(tooMany, { miniProgramAppid: null, portalUrl: null }), { message: /1–3 个/ });
  const longName = { button: [{ type: 'click', name: '这是一个非常非常长的菜单名称', key: 'K' }] };
  t.throws(() => buildMenu(longName, { miniProgramAppid: null, portalUrl: null }), { message: /过长/ });
});
