// `npm run backup [-- <folder>]` and `npm run restore -- <backup folder>` (backup.ts). The backup
// runs beside a running server; the restore needs it stopped. DATA_DIR as for the server.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, ConfigError } from '../config.js';
import { BackupError, restoreBackup, takeBackup, type BackupManifest } from './backup.js';
import { StoreFileError } from './durable-json-file.js';
import { openEveryFile } from './open-all.js';
import { HalfRestoredError } from './restore-marker.js';

const USAGE = 'usage: npm run backup [-- <folder>]   (default: DATA_DIR/backups)\n       npm run restore -- <backup folder>\n';

export async function runBackupCli(argv: string[], env: NodeJS.ProcessEnv, out: (text: string) => void, err: (text: string) => void): Promise<number> {
  const [command, target, ...rest] = argv;
  if ((command !== 'backup' && command !== 'restore') || rest.length || (command === 'restore' && !target) || target?.startsWith('-')) {
    err(USAGE);
    return 2;
  }
  let dataDir: string;
  try {
    const config = loadConfig(env);
    if (config.databaseUrl) {
      err(`DATABASE_URL is set: this office's data is in PostgreSQL, which backs itself up with pg_dump and restores with pg_restore (README, "Backups on PostgreSQL"); npm run ${command} is for the embedded store in DATA_DIR\n`);
      return 2;
    }
    dataDir = path.resolve(config.dataDir);
  } catch (error) {
    if (error instanceof ConfigError) {
      err(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  try {
    if (command === 'backup') {
      const { folder, manifest } = await takeBackup(dataDir, path.resolve(target ?? path.join(dataDir, 'backups')), { openAll: openEveryFile });
      out(`Backup of ${dataDir} written to ${folder}\n${summary(manifest)}`);
      out('Copy it off this machine (encrypted); restore with: npm run restore -- ' + folder + '\n');
    } else {
      const { manifest, previous } = await restoreBackup(path.resolve(target!), dataDir, { openAll: openEveryFile });
      out(`Restored ${path.resolve(target!)} (taken ${manifest.createdAt} by version ${manifest.appVersion}) into ${dataDir}\n${summary(manifest)}`);
      if (previous) out(`What ${dataDir} held before is in ${previous}\n`);
      out('Start the server now.\n');
    }
    return 0;
  } catch (error) {
    if (error instanceof BackupError || error instanceof StoreFileError || error instanceof HalfRestoredError) {
      err(`${command} refused: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

/** One line per data file: its records, e.g. "applications.json  applications 1200, intents 3400". */
function summary(manifest: BackupManifest): string {
  return Object.entries(manifest.files)
    .filter(([, file]) => file.counts)
    .map(([name, file]) => `  ${name.padEnd(22)} ${Object.entries(file.counts!).map(([k, n]) => `${k} ${n}`).join(', ') || '-'}\n`)
    .join('');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.umask(0o077); // backups hold what the data holds: private, as the server's own files
  process.exitCode = await runBackupCli(process.argv.slice(2), process.env, (t) => process.stdout.write(t), (t) => process.stderr.write(t));
}
