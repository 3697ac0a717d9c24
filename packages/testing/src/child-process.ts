import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';

/**
 * Children run as plain node, outside jest, so they load the compiled packages; building
 * the package (folder of its package.json) keeps them in step with the sources. Type errors
 * are the build step's to report, and tsc still emits, so only missing output stops the test.
 */
export function buildPackage(packageDir: string): void {
  const build = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', packageDir], { encoding: 'utf8' });
  if (!existsSync(join(packageDir, 'dist', 'index.js'))) throw new Error(`building ${packageDir} failed:\n${build.stdout}${build.stderr}`);
}

/** A node process spoken to by lines: commands on its stdin, answers on its stdout. */
export interface LineChild {
  send(line: string): void;
  /** The next line not yet taken that starts with `prefix`; rejects if the child exits first or `timeoutMs` passes. */
  next(prefix: string, timeoutMs?: number): Promise<string>;
  /** Every line it wrote so far, taken or not. */
  readonly lines: readonly string[];
  /** Ends stdin and waits for the exit; kills it after `timeoutMs`. */
  finish(timeoutMs?: number): Promise<number | null>;
  kill(): void;
}

/** Runs the script (a path) in plain node. */
export function startChild(script: string, args: readonly string[]): LineChild {
  const child: ChildProcess = spawn(process.execPath, [script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const untaken: string[] = [];
  const waiters: { prefix: string; resolve: (line: string) => void }[] = [];
  let stderr = '';
  let exited: string | undefined;
  const failures = new Set<(error: Error) => void>();
  let partial = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      const waiter = waiters.findIndex((w) => line.startsWith(w.prefix));
      if (waiter >= 0) waiters.splice(waiter, 1)[0]?.resolve(line);
      else untaken.push(line);
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exit = new Promise<number | null>((resolve) =>
    child.on('close', (code, signal) => {
      exited = `${basename(script)} exited (code ${code}, signal ${signal}):\n${stderr}`;
      for (const fail of failures) fail(new Error(exited));
      resolve(code);
    }),
  );
  return {
    lines,
    send(line) {
      child.stdin?.write(`${line}\n`);
    },
    next(prefix, timeoutMs = 60_000) {
      const at = untaken.findIndex((line) => line.startsWith(prefix));
      if (at >= 0) return Promise.resolve(untaken.splice(at, 1)[0] as string);
      if (exited !== undefined) return Promise.reject(new Error(exited));
      return new Promise<string>((resolve, reject) => {
        const waiter = {
          prefix,
          resolve: (line: string) => {
            clearTimeout(timer);
            failures.delete(fail);
            resolve(line);
          },
        };
        const fail = (error: Error) => {
          clearTimeout(timer);
          reject(error);
        };
        const timer = setTimeout(() => {
          failures.delete(fail);
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`${basename(script)} wrote no "${prefix}" line in ${timeoutMs} ms; stderr:\n${stderr}`));
        }, timeoutMs);
        failures.add(fail);
        waiters.push(waiter);
      });
    },
    async finish(timeoutMs = 30_000) {
      child.stdin?.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exit;
      } finally {
        clearTimeout(timer);
      }
    },
    kill() {
      child.kill('SIGKILL');
    },
  };
}
