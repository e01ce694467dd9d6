// The disclosure guide as a module of the server: its mini-program routes and, on the console's
// 未答问题 page, topic titles and the phrasings and entries staff add.
import type { Module } from '../module.js';
import type { GuideService } from './service.js';

export function guideModule(guide: GuideService): Module {
  return {
    name: 'guide',
    miniProgramRoutes: (router, user) => guide.mountMiniProgram(router, user),
    consolePages: { guide },
  };
}
