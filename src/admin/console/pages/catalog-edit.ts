// 起草 and 修改 a proactive-disclosure item in the console, the same rules as the staff API
// (catalog/item-fields.ts checks, catalog/service.ts decides what may change). An item the reviewer
// sent back opens with the reviewer's reason above the form, so the correction answers it; a refused
// form comes back with what was typed and a message at each field.
import type { Context } from 'koa';
import type { Router } from '@koa/router';
import { can } from '../../../domain/roles.js';
import { describeError, HttpError } from '../../../http/errors.js';
import { html, type SafeHtml } from '../../../http/html.js';
import type { StaffItemView } from '../../../catalog/service.js';
import type { DocumentKind } from '../../../catalog/types.js';
import { bookTitle } from '../../../domain/book-title.js';
import type { ConsoleKit } from '../kit.js';
import { field } from '../form-fields.js';
import { actorName, chinaDateTime } from '../format.js';

type Form = Record<string, unknown>;
type Problems = Record<string, string>;
type Catalog = NonNullable<ConsoleKit['deps']['catalog']>;

/** The form's fields, in the order shown, as the staff API names them. */
const FIELDS = ['title', 'category', 'documentNumber', 'summary', 'url', 'documentKind'] as const;
type FieldName = (typeof FIELDS)[number];

const DOCUMENT_KIND_LABELS: Record<DocumentKind, string> = { regulations: '规章', normativeDocuments: '规范性文件' };

function valuesOf(form: Form): Record<FieldName, string> {
  return Object.fromEntries(FIELDS.map((name) => [name, field(form, name)])) as Record<FieldName, string>;
}

function valuesOfItem(view: StaffItemView): Record<FieldName, string> {
  return {
    title: view.title,
    category: view.category,
    documentNumber: view.documentNumber ?? '',
    summary: view.summary ?? '',
    url: view.url ?? '',
    documentKind: view.documentKind ?? '',
  };
}

/** The latest return of an item waiting to be corrected: who, when, why. */
function lastReturn(view: StaffItemView) {
  return view.state === 'returned' ? [...view.reviews].reverse().find((r) => r.decision === 'rejected') ?? null : null;
}

export function mountCatalogEditPages(router: Router, kit: ConsoleKit, catalog: Catalog): void {
  const drafter = (ctx: Context) => {
    const who = kit.open(ctx, 'catalog');
    if (!can(who.roles, 'catalog.draft')) throw new HttpError(403, 'forbidden', '当前账号的角色不能起草或修改条目，请由信息报送人员办理');
    return who;
  };

  const render = async (ctx: Context, options: { view: StaffItemView | null; values: Record<FieldName, string>; problems: Problems; summary?: string }) => {
    const { view, values, problems } = options;
    const who = kit.open(ctx, 'catalog');
    const names = await kit.names();
    const error = (name: string) => problems[name] && html` <span class="error-text" id="e-${name}">${problems[name]}</span>`;
    const described = (name: string) => (problems[name] ? html` aria-invalid="true" aria-describedby="e-${name}"` : '');
    const returned = view ? lastReturn(view) : null;
    const action = view ? `/admin/catalog/${encodeURIComponent(view.id)}/edit` : '/admin/catalog/new';
    kit.page(
      ctx,
      {
        title: view ? `修改条目：${bookTitle(view.title)}` : '起草条目',
        current: 'catalog',
        body: html`<p class="crumbs"><a href="/admin/catalog${view ? `?state=${view.state}` : '?state=draft'}">← 发布审核</a></p>
${
  returned &&
  html`<section class="returned" aria-labelledby="h-returned"><h2 id="h-returned">审核退回，请按意见修改</h2>
<p class="warning">退回原因：${returned.reason ?? ''}</p>
<p class="meta">${actorName(returned.by, names)}（${returned.stage === 'leader' ? '分管领导审核' : '保密审查'}）退回于 ${chinaDateTime(returned.at)}</p>
</section>`
}
${options.summary && html`<div class="flash error" role="alert"><p>${options.summary}</p></div>`}
<form method="post" action="${action}" class="item-form">
${kit.csrf(ctx)}
<label>标题${error('title')}<input name="title" value="${values.title}" maxlength="200" required${described('title')}></label>
<label>栏目${error('category')}<select name="category" required${described('category')}><option value="">请选择</option>${catalog.categories().map(
          (c) => html`<option value="${c.id}"${c.id === values.category ? html` selected` : ''}>${c.name}</option>`,
        )}</select></label>
<label>文号（如有）${error('documentNumber')}<input name="documentNumber" value="${values.documentNumber}" maxlength="100" placeholder="如 黄人防〔2026〕3号"${described('documentNumber')}></label>
<label>摘要${error('summary')}<textarea name="summary" rows="4" maxlength="2000"${described('summary')}>${values.summary}</textarea></label>
<label>原文链接（门户网站上的页面）${error('url')}<input name="url" type="url" value="${values.url}" maxlength="1000" placeholder="https://"${described('url')}></label>
<label>文件类别（年度报告第二十条第（一）项统计）${error('documentKind')}<select name="documentKind"${described('documentKind')}><option value="">不是规章或规范性文件</option>${(
          Object.entries(DOCUMENT_KIND_LABELS) as Array<[DocumentKind, string]>
        ).map(([id, label]) => html`<option value="${id}"${id === values.documentKind ? html` selected` : ''}>${label}</option>`)}</select></label>
<p class="buttons"><button type="submit" name="then" value="save">${view ? '保存修改' : '保存草稿'}</button>${
          can(who.roles, 'catalog.submit') ? html` <button type="submit" name="then" value="submit" class="secondary">保存并报送审核</button>` : ''
        }</p>
</form>`,
      },
      options.summary ? 422 : 200,
    );
  };

  /** Saves the form (a new draft, or the changed fields of an item); then maybe submits it. */
  const save = async (ctx: Context, item: StaffItemView | null) => {
    const who = drafter(ctx);
    const form = (ctx.request.body ?? {}) as Form;
    const values = valuesOf(form);
    const before = item ? valuesOfItem(item) : null;
    const changed = FIELDS.filter((name) => !before || before[name] !== values[name]);
    const body: Record<string, unknown> = Object.fromEntries(changed.map((name) => [name, values[name] === '' && name !== 'title' && name !== 'category' ? null : values[name]]));
    let id = item?.id ?? null;
    try {
      if (!item) id = (await catalog.draft(body, who.username)).id;
      else if (changed.length > 0) await catalog.edit(item.id, body, who.username);
    } catch (error) {
      const described = describeError(error);
      if (!described || described.status >= 500) throw error;
      const problems = (described.fields ?? {}) as Problems;
      const count = Object.keys(problems).length;
      return render(ctx, { view: item, values, problems, summary: count > 0 ? `有 ${count} 处需要修改，尚未保存。` : `${described.message.replace(/[。.]$/, '')}，尚未保存。` });
    }
    const saved = catalog.staffView(await catalog.get(id!));
    const title = bookTitle(saved.title);
    if (field(form, 'then') === 'submit') {
      await kit.act(ctx, `/admin/catalog?state=confidentiality-review`, async () => {
        const submitted = catalog.staffView(await catalog.review(saved.id, { type: 'submit' }, who));
        return `${title}已${changed.length > 0 || !item ? '保存并' : ''}报送审核：${submitted.stateLabel}`;
      });
      return;
    }
    const text = !item ? `已保存草稿${title}` : changed.length > 0 ? `已保存对${title}的修改` : `${title}没有改动`;
    kit.back(ctx, `/admin/catalog/${encodeURIComponent(saved.id)}/edit`, { kind: 'ok', text });
  };

  router.get('/catalog/new', kit.staff, async (ctx) => {
    drafter(ctx);
    await render(ctx, { view: null, values: valuesOf({}), problems: {} });
  });

  router.post('/catalog/new', kit.staff, (ctx) => save(ctx, null));

  router.get('/catalog/:id/edit', kit.staff, async (ctx) => {
    drafter(ctx);
    const view = catalog.staffView(await catalog.get(ctx.params.id!));
    if (view.state !== 'draft' && view.state !== 'returned') {
      // Under review or published: nothing to edit, and saying so beats a form that cannot be saved.
      return kit.back(ctx, `/admin/catalog?state=${view.state}`, { kind: 'error', text: `${bookTitle(view.title)}${view.stateLabel}，只有草稿或退回修改的条目可以修改` });
    }
    await render(ctx, { view, values: valuesOfItem(view), problems: {} });
  });

  router.post('/catalog/:id/edit', kit.staff, async (ctx) => save(ctx, catalog.staffView(await catalog.get(ctx.params.id!))));
}

/** The link to an item's edit page, for those who may edit it. */
export function editLink(view: Pick<StaffItemView, 'id' | 'state'>, roles: Parameters<typeof can>[0]): SafeHtml | null {
  if ((view.state !== 'draft' && view.state !== 'returned') || !can(roles, 'catalog.draft')) return null;
  return html`<a class="button secondary" href="/admin/catalog/${view.id}/edit">${view.state === 'returned' ? '按退回意见修改' : '修改'}</a>`;
}
