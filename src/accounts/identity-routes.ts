// Linking the official account and the mini-program, as the citizen does it: the mini-program asks
// for a link code (POST /mp/v1/identity/link-code) and shows it; the citizen sends "关联 1234 5678"
// in the official account's chat. GET /mp/v1/identity says whether the two are linked already
// (they are by themselves when WeChat gives the same UnionID to both).
import type { Middleware } from 'koa';
import type { Router } from '@koa/router';
import { normalizeLinkCode } from '../domain/link-code.js';
import { DomainError } from '../domain/errors.js';
import type { Module } from '../module.js';
import type { IdentityLinks, LinkStatus } from './identity-links.js';

function statusBody(status: LinkStatus) {
  return {
    ...status,
    message: status.linked ? '小程序与公众号已关联：两边显示相同的申请和订阅。' : '尚未与公众号关联。获取关联码后，在公众号对话中回复“关联 关联码”。',
  };
}

/** Linking as a module of the server: the mini-program's two routes (the chat's side is createIdentityLinkChat). */
export function identityModule(links: IdentityLinks): Module {
  return { name: 'identity', miniProgramRoutes: (router, user) => mountIdentityMiniProgramRoutes(router, user, links) };
}

/** On the '/mp/v1' router; `user` puts the caller's openid in ctx.state.openid. */
export function mountIdentityMiniProgramRoutes(router: Router, user: Middleware, links: IdentityLinks): void {
  router.get('/identity', user, async (ctx) => {
    ctx.body = statusBody(await links.status('miniprogram', ctx.state.openid));
  });

  router.post('/identity/link-code', user, async (ctx) => {
    const issued = await links.issueCode('miniprogram', ctx.state.openid);
    ctx.status = 201;
    ctx.body = {
      code: issued.code,
      display: issued.display,
      expiresAt: issued.expiresAt,
      expiresInSeconds: issued.expiresInSeconds,
      instructions: `请在 ${Math.round(issued.expiresInSeconds / 60)} 分钟内，在公众号对话中回复“关联 ${issued.display}”。关联码只能用一次，请勿告诉他人。`,
    };
  });
}

const LINK_WITH_CODE = /^(?:关联|关联码|关联小程序|绑定小程序)\s*[:：]?\s*([\d０-９][\d０-９\s-]{6,16}[\d０-９])$/;
const LINK_HELP = /^(?:关联|关联小程序|绑定小程序|关联账号|小程序关联)[?？。!！]*$/;

/** The chat's side: "关联 1234 5678" links this official-account user with the mini-program that showed the code. */
export function createIdentityLinkChat(links: IdentityLinks): (openid: string, text: string) => Promise<string | null> {
  return async (openid, text) => {
    if (LINK_HELP.test(text)) {
      return (await links.status('official-account', openid)).linked
        ? '您的公众号与小程序已经关联，两边显示相同的申请和订阅。'
        : '在小程序中打开“我的”→“关联公众号”，获取 8 位关联码后，在这里回复“关联 关联码”，如“关联 1234 5678”。关联后，在公众号和小程序中都能看到您的全部申请和订阅。';
    }
    const match = LINK_WITH_CODE.exec(text);
    if (!match) return null;
    if (!normalizeLinkCode(match[1]!)) return '关联码应为 8 位数字，请核对后重新发送，如“关联 1234 5678”。';
    try {
      await links.redeem('official-account', openid, match[1]!);
      return '关联成功！今后在公众号和小程序中都能看到您的全部申请和订阅。回复“查询进度”查看申请，回复“我的订阅”查看订阅。';
    } catch (error) {
      if (error instanceof DomainError) return error.message;
      throw error;
    }
  };
}
