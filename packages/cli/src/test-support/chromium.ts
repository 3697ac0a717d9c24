import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CHROMIUM = '/usr/bin/chromium';

/** Headless Chromium on a fresh profile, with nothing that reaches out to the network. */
export function chromium(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const profile = mkdtempSync(join(tmpdir(), 'custodian-chromium-'));
  try {
    const run = spawnSync(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${profile}`,
        ...args,
      ],
      { encoding: 'utf8', timeout: 90_000, maxBuffer: 64 * 1024 * 1024 },
    );
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

export const chromiumInstalled = (): boolean => existsSync(CHROMIUM);
