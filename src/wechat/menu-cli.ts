// npm run menu:push — sends data/menu.json to the official account configured in the environment.
import { loadConfig } from '../config.js';
import { loadAgency } from '../agency.js';
import { WechatApiClient } from './api-client.js';
import { loadMenu } from './menu.js';

const config = loadConfig();
const agency = await loadAgency(config.contentDir);
const menu = await loadMenu(config.contentDir, {
  miniProgramAppid: config.miniProgram.secret ? config.miniProgram.appid : null,
  portalUrl: agency.portalUrl,
});
process.stdout.write(`${JSON.stringify(menu, null, 2)}\n`);
if (config.mode === 'sandbox') {
  process.stdout.write('Sandbox mode (no WECHAT_SECRET): the menu above is what would be sent; the simulator at /sandbox shows it.\n');
} else {
  const client = new WechatApiClient({ baseUrl: config.wechat.apiBase, appid: config.wechat.appid, secret: config.wechat.secret! });
  await client.createMenu(menu);
  process.stdout.write('Menu pushed to WeChat.\n');
}
