import { hash } from 'node:crypto';
import { canonicalJson } from '../crypto';
import { POLICY_STREAM, readDecoded, type EventData } from '../events';
import type { EventStore } from '../store';
import { definePolicy, type Policy } from './define-policy';

/** The policy as `PolicyDefined` records it, with the digest that tells one policy from another. */
export function policyRecord(policy: Policy): EventData<'PolicyDefined'> {
  const purposes = [...policy.purposes].map(([name, rule]) => ({ name, ...rule }));
  // An operation a hand-built policy leaves undefined gets the default: recorded as absent, not as no roles.
  const permissions = Object.fromEntries(Object.entries(policy.permissions).flatMap(([operation, roles]) => (roles ? [[operation, [...roles]]] : [])));
  return { purposes, permissions, digest: hash('sha256', canonicalJson({ purposes, permissions }), 'hex') };
}

export function policyFromRecord(record: EventData<'PolicyDefined'>): Policy {
  return definePolicy({ purposes: record.purposes, permissions: record.permissions });
}

/** The policy recorded last (or last at a global position), or undefined if the log holds none. */
export async function readRecordedPolicy(store: EventStore, options: { at?: bigint } = {}): Promise<Policy | undefined> {
  let found: EventData<'PolicyDefined'> | undefined;
  for (const { event, record } of await readDecoded(store, POLICY_STREAM)) {
    if (options.at !== undefined && record.position > options.at) break;
    if (event.type === 'PolicyDefined') found = event.data;
  }
  return found && policyFromRecord(found);
}
