// Runs before `npm test` (the pretest script): the browser tests drive Debian's Chromium and need a
// CJK font for their screenshots. On a machine without them, install them when we can (root with
// apt-get, as on a fresh CI machine), otherwise stop at once with the one command to run, rather
// than let the suite fail halfway with a launch error.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const CHROMIUM = '/usr/bin/chromium';
const CJK_FONTS = '/usr/share/fonts/truetype/wqy';
const PACKAGES = ['chromium', 'fonts-wqy-microhei'];

const missing = () => [!existsSync(CHROMIUM) && 'Chromium', !existsSync(CJK_FONTS) && 'a CJK font'].filter(Boolean);

if (missing().length > 0) {
  const command = `apt-get install -y ${PACKAGES.join(' ')}`;
  const isRoot = process.getuid?.() === 0;
  const hasApt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  if (isRoot && hasApt) {
    process.stderr.write(`The browser tests need ${missing().join(' and ')}: installing ${PACKAGES.join(', ')} from Debian's packages…\n`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const update = spawnSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
    const install = update.status === 0 && spawnSync('apt-get', ['install', '-y', '-qq', ...PACKAGES], { stdio: ['ignore', 'ignore', 'inherit'], env });
    if (!install || install.status !== 0 || missing().length > 0) {
      process.stderr.write(`Could not install them. Run \`${command}\` and then npm test again.\n`);
      process.exit(1);
    }
  } else {
    process.stderr.write(
      `The browser tests need ${missing().join(' and ')}, which this machine lacks.\n` +
        `Run \`${isRoot ? '' : 'sudo '}${command}\` (Debian's packages), then npm test again.\n`,
    );
    process.exit(1);
  }
}
