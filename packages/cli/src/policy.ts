import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { definePolicy, readRecordedPolicy, ValidationError, type EventStore, type Policy } from '@custodian/core';
import { UsageError } from './usage';

export interface LoadedPolicy {
  /** The policy given with --policy, or else the last one the log records. */
  readonly policy: Policy;
  /** Whether the log records a policy (`PolicyDefined`); where it does, that is what decisions are judged by. */
  readonly recorded: boolean;
  /** The --policy file, resolved. */
  readonly file?: string | undefined;
}

/** The policy from `--policy <file.json>` (definePolicy input) or the one the log records; undefined if neither. */
export async function loadPolicy(store: EventStore, file: string | undefined, cwd: string, command: string): Promise<LoadedPolicy | undefined> {
  const path = file === undefined ? undefined : resolve(cwd, file);
  const given = path === undefined ? undefined : await policyFromFile(path, command);
  const recorded = await readRecordedPolicy(store);
  const policy = given ?? recorded;
  return policy && { policy, recorded: recorded !== undefined, file: path };
}

async function policyFromFile(path: string, command: string): Promise<Policy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `no policy file at ${path}` : `cannot read the policy file ${path}: ${(error as Error).message}`, command);
  }
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`the policy file ${path} is not JSON: ${(error as Error).message}`, command);
  }
  try {
    return definePolicy(input as Parameters<typeof definePolicy>[0]);
  } catch (error) {
    if (error instanceof ValidationError) throw new UsageError(`the policy file ${path}: ${error.message}`, command);
    throw error;
  }
}
