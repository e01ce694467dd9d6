// Runs before `npm test` (the pretest script): the browser tests drive Debian's Chromium and need a
// CJK font for their screenshots, and the deploy test checks the nginx site with Debian's nginx. On
// a machine without them, install them when we can (root with apt-get, as on a fresh CI machine),
// otherwise stop at once with the one command to run, rather than let the suite fail halfway with
// a launch error.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

interface Requirement {
  what: string;
  present: () => boolean;
  packages: string[];
}

const REQUIREMENTS: Requirement[] = [
  { what: 'Chromium', present: () => existsSync('/usr/bin/chromium'), packages: ['chromium'] },
  { what: 'a CJK font', present: () => existsSync('/usr/share/fonts/truetype/wqy'), packages: ['fonts-wqy-microhei'] },
  // Debian's nginx package starts no server when installed without a running init (containers),
  // and the deploy test only runs `nginx -t` on its own configuration.
  { what: 'nginx', present: () => existsSync('/usr/sbin/nginx'), packages: ['nginx'] },
];

const missing = () => REQUIREMENTS.filter((r) => !r.present());

if (missing().length > 0) {
  const what = missing().map((r) => r.what).join(', ');
  const packages = missing().flatMap((r) => r.packages);
  const command = `apt-get install -y ${packages.join(' ')}`;
  const isRoot = process.getuid?.() === 0;
  const hasApt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  if (isRoot && hasApt) {
    process.stderr.write(`The tests need ${what}: installing ${packages.join(', ')} from Debian's packages…\n`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const update = spawnSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
    const install = update.status === 0 && spawnSync('apt-get', ['install', '-y', '-qq', ...packages], { stdio: ['ignore', 'ignore', 'inherit'], env });
    if (!install || install.status !== 0 || missing().length > 0) {
      process.stderr.write(`Could not install them. Run \`${command}\` and then npm test again.\n`);
      process.exit(1);
    }
  } else {
    process.stderr.write(
      `The tests need ${what}, which this machine lacks.\n` +
        `Run \`${isRoot ? '' : 'sudo '}${command}\` (Debian's packages), then npm test again.\n`,
    );
    process.exit(1);
  }
}
