import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatCheckpoint } from './checkpoint';
import { formatConsistencyProof, parseConsistencyProof } from './consistency-proof';
import { BadSignatureError, MalformedTransparencyTextError, UnknownKeyError } from './errors';
import { leafHash } from './hash';
import { signNote } from './note';
import { createPemSigner, generateSignerKey } from './signer';
import { createMerkleTree, type MerkleTree } from './tree';
import { createFolderWitness, witnessFileName } from './witness-folder';

const ORIGIN = 'custodian.example/ledger';
const key = generateSignerKey(ORIGIN);
const signer = createPemSigner(key.pem, ORIGIN);
const stranger = generateSignerKey(ORIGIN);
const root = mkdtempSync(join(tmpdir(), 'custodian-witness-'));
let folders = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

function treeOf(leaves: readonly string[]): MerkleTree {
  const tree = createMerkleTree();
  for (const leaf of leaves) tree.append(leafHash(Buffer.from(leaf)));
  return tree;
}
const history = Array.from({ length: 12 }, (_, i) => `event-${i}`);
const honest = treeOf(history);
/** The same log with event 5 rewritten after a checkpoint of size 8 went out. */
const rewritten = treeOf(history.map((leaf, i) => (i === 5 ? 'event-5-rewritten' : leaf)));
const checkpoint = (tree: MerkleTree, size: number, by = signer) => signNote(formatCheckpoint({ origin: ORIGIN, size, root: tree.rootAt(size) }), [by]);
const witness = () => createFolderWitness(join(root, `witness-${++folders}`), { verifierKeys: key.verifierKey });

describe('a folder witness', () => {
  it('takes its first checkpoint, then only one a consistency proof shows extends it', async () => {
    const w = witness();
    expect(await w.offer(await checkpoint(honest, 4))).toMatchObject({ accepted: true, reason: 'first', origin: ORIGIN, size: 4 });
    expect(await w.offer(await checkpoint(honest, 8), honest.consistencyProof(4, 8))).toMatchObject({ accepted: true, reason: 'extends', heldSize: 4, size: 8 });
    expect(await w.held(ORIGIN)).toBe(await checkpoint(honest, 8));
    expect(await w.offer(await checkpoint(honest, 8))).toMatchObject({ accepted: true, reason: 'same' });
    expect(readdirSync(w.folder)).toEqual([witnessFileName(ORIGIN)]);
  });

  it('refuses a rollback to a smaller tree, keeping what it holds', async () => {
    const w = witness();
    const eight = await checkpoint(honest, 8);
    await w.offer(eight);
    expect(await w.offer(await checkpoint(honest, 4))).toEqual({ accepted: false, reason: 'rollback', heldSize: 8, origin: ORIGIN, size: 4 });
    expect(await w.held(ORIGIN)).toBe(eight);
  });

  it('refuses a fork: the history rewritten after its checkpoint, whatever proof comes with it', async () => {
    const w = witness();
    const eight = await checkpoint(honest, 8);
    await w.offer(eight);
    const next = await checkpoint(rewritten, 12);
    expect(await w.offer(next, rewritten.consistencyProof(8, 12))).toMatchObject({
      accepted: false,
      reason: 'fork',
      heldSize: 8,
      proofFailure: expect.stringMatching(/^root[12]_mismatch$/),
    });
    expect(await w.offer(next, honest.consistencyProof(8, 12))).toMatchObject({ accepted: false, reason: 'fork', proofFailure: expect.stringMatching(/^root[12]_mismatch$/) });
    expect(await w.offer(next)).toMatchObject({ accepted: false, reason: 'fork', proofFailure: 'proof_missing' });
    expect(await w.offer(await checkpoint(rewritten, 8))).toMatchObject({ accepted: false, reason: 'fork', heldSize: 8 });
    expect(await w.offer(await checkpoint(honest, 12), honest.consistencyProof(8, 12).slice(1))).toMatchObject({
      accepted: false,
      reason: 'fork',
      proofFailure: 'proof_too_short',
    });
    expect(await w.held(ORIGIN)).toBe(eight);
  });

  it('never accepts a checkpoint whose signature fails, and never trusts a held file altered in its folder', async () => {
    const w = witness();
    await expect(w.offer(await checkpoint(honest, 4, createPemSigner(stranger.pem, ORIGIN)))).rejects.toBeInstanceOf(UnknownKeyError);
    const forged = (await checkpoint(honest, 8)).replace('\n8\n', '\n9\n');
    await expect(w.offer(forged)).rejects.toBeInstanceOf(BadSignatureError);
    expect(await w.held(ORIGIN)).toBeUndefined();
    await w.offer(await checkpoint(honest, 8));
    writeFileSync(join(w.folder, witnessFileName(ORIGIN)), (await checkpoint(honest, 8)).replace('\n8\n', '\n2\n'));
    await expect(w.offer(await checkpoint(honest, 12), honest.consistencyProof(2, 12))).rejects.toBeInstanceOf(BadSignatureError);
  });
});

describe('a consistency proof as text', () => {
  it('is one base64 hash a line and reads back', () => {
    const proof = honest.consistencyProof(5, 12);
    const text = formatConsistencyProof(proof);
    expect(text.split('\n')).toHaveLength(proof.length + 1);
    expect(parseConsistencyProof(text).map((h) => Buffer.from(h).toString('hex'))).toEqual(proof.map((h) => Buffer.from(h).toString('hex')));
    expect(parseConsistencyProof('')).toEqual([]);
  });

  it.each([
    ['no final newline', 'AAAA', 'text'],
    ['a blank line', '\n', 'hash 1'],
    ['not base64', 'not base64!\n', 'hash 1'],
    ['a hash of 3 bytes', 'AAAA\n', 'hash 1'],
    ['a second hash too long', `${Buffer.alloc(32).toString('base64')}\n${Buffer.alloc(33).toString('base64')}\n`, 'hash 2'],
  ])('refuses %s, naming the field', (_what, text, field) => {
    expect(() => parseConsistencyProof(text)).toThrow(MalformedTransparencyTextError);
    expect(() => parseConsistencyProof(text)).toThrow(expect.objectContaining({ format: 'consistency proof', field }));
  });

  it('leaves no temporary file behind in any witness folder', () => {
    const held = readdirSync(root).flatMap((folder) => readdirSync(join(root, folder)).map((name) => join(root, folder, name)));
    expect(held.length).toBeGreaterThan(0);
    expect(held.filter((path) => !path.endsWith(witnessFileName(ORIGIN)))).toEqual([]);
    for (const path of held) expect(readFileSync(path, 'utf8').startsWith(`${ORIGIN}\n`)).toBe(true);
  });
});
