// The part of co-wechat (2.4, no types of its own) the webhook bench uses for its peer server.
declare module 'co-wechat' {
  import type { Middleware } from 'koa';
  interface CoWechat {
    middleware(handle: (message: Record<string, unknown>, ctx: unknown) => Promise<unknown>): Middleware;
  }
  export default function coWechat(config: string | { token: string; appid?: string; encodingAESKey?: string }): CoWechat;
}
