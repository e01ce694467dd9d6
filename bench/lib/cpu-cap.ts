// A process's CPU capped at a share of one core, with the Linux cgroup cpu controller (v1, or v2
// where it offers cpu). On a small machine, instances given a budget each stand in for instances on
// machines of their own: what one instance can do is then bounded by its budget, not by whatever
// PostgreSQL and the load generator leave it, so two instances against one show how the design
// scales rather than how many cores the machine has. Needs root; elsewhere `create` returns null.
import { access, mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

const PERIOD_US = 100_000;

export class CpuCap {
  private constructor(
    private readonly dir: string,
    private readonly root: string,
    readonly cores: number,
  ) {}

  /** A new cgroup allowing `cores` of CPU time per second (0.5: half a core), or null if none can be made. */
  static async create(name: string, cores: number): Promise<CpuCap | null> {
    const quota = Math.round(cores * PERIOD_US);
    for (const { root, write } of await hierarchies()) {
      const dir = path.join(root, `gongkai-bench-${name}-${process.pid}`);
      try {
        await mkdir(dir);
        await write(dir, quota);
        return new CpuCap(dir, root, cores);
      } catch {
        await rmdir(dir).catch(() => {});
      }
    }
    return null;
  }

  /** Moves the process (all its threads) under the cap. */
  async add(pid: number): Promise<void> {
    await writeFile(path.join(this.dir, 'cgroup.procs'), String(pid));
  }

  /** Moves what is left back to the root and removes the cgroup. */
  async remove(): Promise<void> {
    const pids = (await readFile(path.join(this.dir, 'cgroup.procs'), 'utf8').catch(() => '')).split('\n').filter(Boolean);
    for (const pid of pids) await writeFile(path.join(this.root, 'cgroup.procs'), pid).catch(() => {});
    await rmdir(this.dir).catch(() => {});
  }
}

async function hierarchies(): Promise<Array<{ root: string; write: (dir: string, quota: number) => Promise<void> }>> {
  const found: Array<{ root: string; write: (dir: string, quota: number) => Promise<void> }> = [];
  const v1 = '/sys/fs/cgroup/cpu';
  if (await exists(path.join(v1, 'cpu.cfs_period_us'))) {
    found.push({
      root: v1,
      write: async (dir, quota) => {
        await writeFile(path.join(dir, 'cpu.cfs_period_us'), String(PERIOD_US));
        await writeFile(path.join(dir, 'cpu.cfs_quota_us'), String(quota));
      },
    });
  }
  for (const v2 of ['/sys/fs/cgroup', '/sys/fs/cgroup/unified']) {
    const controllers = await readFile(path.join(v2, 'cgroup.subtree_control'), 'utf8').catch(() => '');
    if (controllers.split(/\s+/).includes('cpu')) {
      found.push({ root: v2, write: (dir, quota) => writeFile(path.join(dir, 'cpu.max'), `${quota} ${PERIOD_US}`) });
    }
  }
  return found;
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
