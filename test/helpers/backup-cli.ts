// `npm run backup|restore` as the operator runs them: the CLI in its own process (through tsx, as
// package.json's scripts), DATA_DIR from the environment.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function backupCli(command: 'backup' | 'restore', dataDir: string, target?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import=tsx', 'src/store/backup-cli.ts', command, ...(target ? [target] : [])], {
      env: { ...process.env, DATA_DIR: dataDir },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
