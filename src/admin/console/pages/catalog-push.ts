// 推送: the subscribers' digests of newly published items. The job runs on its schedule
// (data/catalog/push.json); here staff run it now and see how the last runs went: how many items,
// how many digests WeChat accepted, refused or may have delivered, and why a run stopped early.
import type { Context } from 'koa';
import type { Router } from '@koa/router';
import { can } from '../../../domain/roles.js';
import { HttpError } from '../../../http/errors.js';
import { html } from '../../../http/html.js';
import type { PushJob, PushRunView } from '../../../catalog/push.js';
import type { ConsoleKit } from '../kit.js';
import { chinaDateTime } from '../format.js';

export type PushConsoleDeps = Pick<PushJob, 'run' | 'runs'>;

const RUN_STATES: Record<PushRunView['state'], string> = { running: '推送中', paused: '已暂停，下次继续', finished: '已完成' };

/** Running the push now: whoever runs jobs, and the leader who approves publication. */
export function mayPush(roles: Parameters<typeof can>[0]): boolean {
  return can(roles, 'jobs.run') || can(roles, 'catalog.approve');
}

export function mountCatalogPushPage(router: Router, kit: ConsoleKit, push: PushConsoleDeps): void {
  const pusher = (ctx: Context) => {
    const who = kit.open(ctx, 'catalog');
    if (!mayPush(who.roles)) throw new HttpError(403, 'forbidden', '当前账号的角色不能发起推送，请由分管领导或系统管理员进行');
    return who;
  };

  router.get('/catalog/push', kit.staff, async (ctx) => {
    const who = kit.open(ctx, 'catalog');
    const runs = await push.runs(10);
    kit.page(ctx, {
      title: '推送',
      current: 'catalog',
      body: html`<p class="crumbs"><a href="/admin/catalog">← 发布审核</a></p>
<p>新发布的条目按订阅栏目汇总，每位订阅者一条通知（公众号模板消息或小程序订阅消息），每条只推送一次。推送按计划自动进行，也可以在这里立即推送。</p>
${
  mayPush(who.roles)
    ? html`<form method="post" action="/admin/catalog/push" data-confirm="确定现在向订阅者推送新发布的信息吗？">${kit.csrf(ctx)}<button type="submit">立即推送</button></form>`
    : html`<p class="hint">立即推送需由分管领导或系统管理员进行。</p>`
}
<h2>最近的推送</h2>
${
  runs.length === 0
    ? html`<p class="empty">还没有推送过。</p>`
    : html`<table class="push-runs cards"><thead><tr><th>开始时间</th><th>新条目</th><th>状态</th><th>已送达</th><th>失败</th><th>结果不明</th><th>说明</th></tr></thead>
<tbody>${runs.map(
        (run) => html`<tr class="${run.state}">
<td data-label="开始时间">${chinaDateTime(run.createdAt)}</td>
<td data-label="新条目">${run.items} 条</td>
<td data-label="状态">${RUN_STATES[run.state]}${run.queued !== null ? `（待发 ${run.queued}）` : ''}</td>
<td data-label="已送达">${run.totals.sent}</td>
<td data-label="失败">${run.totals.failed}</td>
<td data-label="结果不明">${run.totals.unknown}</td>
<td data-label="说明">${run.note ?? (run.pauses.length > 0 ? `因微信限额暂停过 ${run.pauses.length} 次` : '—')}</td>
</tr>`,
      )}</tbody></table>
<p class="hint">失败：订阅者拒收或已取消关注；结果不明：微信未答复，为免重复不再补发。</p>`
}`,
    });
  });

  router.post('/catalog/push', kit.staff, async (ctx) => {
    await kit.act(ctx, '/admin/catalog/push', async () => {
      pusher(ctx);
      const result = await push.run();
      if (result.runs.length === 0) return '没有新发布的条目需要推送。';
      return result.runs
        .map((run) => {
          const sent = `${run.items} 条新条目，已送达 ${run.totals.sent} 位订阅者${run.totals.failed ? `，失败 ${run.totals.failed}` : ''}${run.totals.unknown ? `，结果不明 ${run.totals.unknown}` : ''}`;
          return run.state === 'finished' ? `推送完成：${sent}。` : `推送暂停：${sent}。${run.note ?? ''}`;
        })
        .join(' ');
    });
  });
}
