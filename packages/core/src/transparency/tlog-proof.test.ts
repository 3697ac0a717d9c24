import { describe, expect, it } from '@jest/globals';
import { formatCheckpoint, parseCheckpoint } from './checkpoint';
import { BadSignatureError, MalformedTransparencyTextError, UnknownKeyError } from './errors';
import { leafHash } from './hash';
import { signNote } from './note';
import { createPemSigner, generateSignerKey } from './signer';
import { formatTlogProof, parseTlogProof, verifyTlogProof } from './tlog-proof';
import { createMerkleTree } from './tree';

const ORIGIN = 'custodian.example/ledger';
const key = generateSignerKey(ORIGIN);
const signer = createPemSigner(key.pem, ORIGIN);

async function log(size: number) {
  const tree = createMerkleTree();
  const leaves = Array.from({ length: size }, (_, i) => leafHash(Buffer.from(`record hash ${i}`)));
  for (const leaf of leaves) tree.append(leaf);
  const checkpoint = await signNote(formatCheckpoint({ origin: ORIGIN, size, root: tree.root() }), [signer]);
  const proofOf = (index: number, note = checkpoint) => formatTlogProof({ index, proof: tree.inclusionProof(index), checkpoint: note });
  return { tree, leaves, checkpoint, proofOf };
}

const refusedAt = (text: string, field: string) =>
  expect(() => parseTlogProof(text)).toThrow(expect.objectContaining({ code: 'MALFORMED_TRANSPARENCY_TEXT', format: 'tlog-proof', field }));

describe('c2sp.org/tlog-proof@v1', () => {
  it('is the header, the index, one base64 hash a line, a blank line and the checkpoint verbatim', async () => {
    const { tree, checkpoint, proofOf } = await log(6);
    const text = proofOf(4);
    const hashes = tree.inclusionProof(4).map((h) => Buffer.from(h).toString('base64'));
    expect(text).toBe(`c2sp.org/tlog-proof@v1\nindex 4\n${hashes.join('\n')}\n\n${checkpoint}`);
    expect(parseTlogProof(text)).toEqual({ index: 4, proof: tree.inclusionProof(4).map((h) => Buffer.from(h)), checkpoint });
  });

  it('carries optional extra data on the second line', async () => {
    const { tree, checkpoint } = await log(3);
    const text = formatTlogProof({ index: 1, proof: tree.inclusionProof(1), checkpoint, extra: Buffer.from('vrf') });
    expect(text.split('\n')[1]).toBe(`extra ${Buffer.from('vrf').toString('base64')}`);
    expect(parseTlogProof(text).extra).toEqual(Buffer.from('vrf'));
  });

  it('verifies offline, with the leaf hash and the log’s verifier key only', async () => {
    const { leaves, proofOf } = await log(9);
    for (let i = 0; i < 9; i++) {
      const check = verifyTlogProof(proofOf(i), leaves[i] as Buffer, key.verifierKey);
      expect(check.ok).toBe(true);
      expect(check.checkpoint).toMatchObject({ origin: ORIGIN, size: 9 });
    }
    // A one-leaf log: no hashes at all between the index and the blank line.
    const single = await log(1);
    expect(single.proofOf(0)).toContain('index 0\n\n');
    expect(verifyTlogProof(single.proofOf(0), single.leaves[0] as Buffer, key.verifierKey).ok).toBe(true);
  });

  it('refuses a proof for another leaf, another index, or with its hashes changed', async () => {
    const { leaves, proofOf } = await log(9);
    expect(verifyTlogProof(proofOf(2), leaves[3] as Buffer, key.verifierKey)).toMatchObject({ ok: false, reason: 'root_mismatch' });
    expect(verifyTlogProof(proofOf(2).replace('index 2', 'index 3'), leaves[2] as Buffer, key.verifierKey).ok).toBe(false);
    const lines = proofOf(2).split('\n');
    [lines[2], lines[3]] = [lines[3] as string, lines[2] as string];
    expect(verifyTlogProof(lines.join('\n'), leaves[2] as Buffer, key.verifierKey).ok).toBe(false);
    const short = proofOf(2).split('\n');
    short.splice(2, 1);
    expect(verifyTlogProof(short.join('\n'), leaves[2] as Buffer, key.verifierKey)).toMatchObject({ ok: false, reason: 'proof_too_short' });
  });

  it('refuses a checkpoint signed by another key, and one altered after signing', async () => {
    const { leaves, checkpoint, proofOf } = await log(5);
    const other = generateSignerKey(ORIGIN);
    expect(() => verifyTlogProof(proofOf(1), leaves[1] as Buffer, other.verifierKey)).toThrow(UnknownKeyError);
    const forged = await signNote(parseCheckpointText(checkpoint), [createPemSigner(other.pem, ORIGIN)]);
    expect(() => verifyTlogProof(proofOf(1, forged), leaves[1] as Buffer, key.verifierKey)).toThrow(UnknownKeyError);
    const altered = checkpoint.replace(`\n5\n`, `\n6\n`);
    expect(() => verifyTlogProof(proofOf(1, altered), leaves[1] as Buffer, key.verifierKey)).toThrow(BadSignatureError);
  });

  it('refuses a checkpoint that claims fewer leaves than the tree the proof was made in', async () => {
    const big = await log(16);
    const claimed = await signNote(formatCheckpoint({ origin: ORIGIN, size: 13, root: big.tree.rootAt(13) }), [signer]);
    for (const index of [2, 9, 12]) {
      const text = formatTlogProof({ index, proof: big.tree.inclusionProof(index, 16), checkpoint: claimed });
      expect(verifyTlogProof(text, big.leaves[index] as Buffer, key.verifierKey).ok).toBe(false);
    }
    const beyond = formatTlogProof({ index: 14, proof: big.tree.inclusionProof(14, 16), checkpoint: claimed });
    expect(verifyTlogProof(beyond, big.leaves[14] as Buffer, key.verifierKey)).toMatchObject({ ok: false, reason: 'index_beyond_size' });
  });

  it('refuses malformed proofs, naming what is wrong', async () => {
    const { checkpoint, proofOf } = await log(6);
    const good = proofOf(4);
    refusedAt(good.replace('c2sp.org/tlog-proof@v1', 'c2sp.org/tlog-proof@v2'), 'header');
    refusedAt(good.replace('index 4', 'index 04'), 'index');
    refusedAt(good.replace('index 4', 'index -4'), 'index');
    refusedAt(good.replace('index 4', 'idx 4'), 'index');
    refusedAt(good.replace('index 4\n', ''), 'index');
    refusedAt(good.replace('\nindex', '\nextra !!!!\nindex'), 'extra');
    refusedAt(good.replace('index 4\n', 'index 4\nAAAA\n'), 'proof hash 1');
    refusedAt(`c2sp.org/tlog-proof@v1\nindex 4\n${'47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n'.repeat(65)}\n${checkpoint}`, 'proof');
    refusedAt('c2sp.org/tlog-proof@v1\nindex 4\n', 'text');
    // Without its blank line the checkpoint's own lines are read as proof hashes, and refused as such.
    refusedAt(good.replace('\n\n', '\n'), 'proof hash 3');
    refusedAt(`c2sp.org/tlog-proof@v1\nindex 4\n\n${parseCheckpointText(checkpoint)}`, 'checkpoint');
    refusedAt(`c2sp.org/tlog-proof@v1\nindex 4\n\nnot a checkpoint\n\n— ${ORIGIN} AAAAAAA=\n`, 'checkpoint');
    expect(() => formatTlogProof({ index: -1, proof: [], checkpoint })).toThrow(MalformedTransparencyTextError);
  });
});

/** The checkpoint body of a signed checkpoint note. */
function parseCheckpointText(note: string): string {
  const body = note.slice(0, note.lastIndexOf('\n\n') + 1);
  parseCheckpoint(body);
  return body;
}
