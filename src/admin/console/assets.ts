// The console's stylesheet and script, served as files (the Content-Security-Policy allows no inline
// script or style). Their URLs carry a hash of the content, so browsers may keep them for a year and
// still fetch the new file the moment it changes.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Router } from '@koa/router';

interface Asset {
  name: string;
  type: string;
  body: Buffer;
  version: string;
}

const FILES = [
  { name: 'console.css', type: 'text/css; charset=utf-8' },
  { name: 'console.js', type: 'text/javascript; charset=utf-8' },
] as const;

export type AssetName = (typeof FILES)[number]['name'];

export interface Assets {
  url(name: AssetName): string;
  mount(router: Router): void;
}

export function loadAssets(): Assets {
  const assets = new Map<string, Asset>(
    FILES.map(({ name, type }) => {
      const body = readFileSync(new URL(`./assets/${name}`, import.meta.url));
      return [name, { name, type, body, version: createHash('sha256').update(body).digest('hex').slice(0, 12) }];
    }),
  );
  return {
    url: (name) => `/admin/assets/${name}?v=${assets.get(name)!.version}`,
    mount(router) {
      router.get('/assets/:name', (ctx) => {
        const asset = assets.get(ctx.params.name!);
        if (!asset) return; // falls through to the app's 404
        ctx.type = asset.type;
        ctx.set('Cache-Control', ctx.query.v === asset.version ? 'public, max-age=31536000, immutable' : 'no-cache');
        ctx.body = asset.body;
      });
    },
  };
}
