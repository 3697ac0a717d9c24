import { describe, expect, it } from '@jest/globals';
import { leafDataOfRecord, leafHash } from './hash';
import { openNote } from './note';
import { parseCheckpoint } from './checkpoint';
import { verifyTlogProof } from './tlog-proof';
import { createMerkleTree } from './tree';

// The worked example of docs/transparency.md, so the page cannot drift from the code.
const RECORDS = [
  '{"id":"e-1","type":"ConsentGranted","stream":"subject-a","prevHash":"0000000000000000000000000000000000000000000000000000000000000000","hash":"592619290a67cad7c42e6450e85c78274fcf508b3c91fcdb13e0e657117276fe"}',
  '{"id":"e-2","type":"ConsentGranted","stream":"subject-b","prevHash":"0000000000000000000000000000000000000000000000000000000000000000","hash":"6760b5892ec774a3b58226de268ced5e993298f54dea8294f3bf095d3f80a250"}',
  '{"id":"e-3","type":"ConsentWithdrawn","stream":"subject-a","prevHash":"592619290a67cad7c42e6450e85c78274fcf508b3c91fcdb13e0e657117276fe","hash":"d42170f67895ef87f59b396995c6bfeb1a1767f694a1d3c93f257e0a530a3a5b"}',
];
const VKEY = 'custodian.example/ledger+6762b088+AVhOBaB/xncrA7WKAC7X4AZUK41VEjJBWaOT7NerKxd5';
const CHECKPOINT = `custodian.example/ledger
3
K31cYteFW3U8RhGXXOhiNDabsI8kUwMg+JrD40DPYS8=

— custodian.example/ledger Z2KwiLnKXvKWQCUC/SCZZA34wm1LSf/PLXO1jlP7DckxTHhyJmhw4w00DE9l5TvT3N6ppsV3CzLR07PHX35eomQ8RwQ=
`;
const PROOF = `c2sp.org/tlog-proof@v1
index 2
yzIPkrWtnsmr5F7Rw9DZJM8u33bnEre1ZVIygVpiATs=

${CHECKPOINT}`;

describe('the documented example', () => {
  const leaves = RECORDS.map((record) => leafHash(leafDataOfRecord(Buffer.from(record))));
  const tree = createMerkleTree();
  for (const leaf of leaves) tree.append(leaf);

  it('has the roots the page gives, and a deleted or reordered event changes them', () => {
    expect(Buffer.from(tree.rootAt(2)).toString('base64')).toBe('yzIPkrWtnsmr5F7Rw9DZJM8u33bnEre1ZVIygVpiATs=');
    expect(Buffer.from(tree.root()).toString('base64')).toBe('K31cYteFW3U8RhGXXOhiNDabsI8kUwMg+JrD40DPYS8=');
    const reordered = createMerkleTree();
    for (const i of [1, 0, 2]) reordered.append(leaves[i] as Buffer);
    expect(Buffer.from(reordered.rootAt(2)).equals(Buffer.from(tree.rootAt(2)))).toBe(false);
    expect(Buffer.from(reordered.root()).equals(Buffer.from(tree.root()))).toBe(false);
  });

  it('has a checkpoint that verifies with the page’s key, and a proof for e-3 and not for e-1', () => {
    expect(parseCheckpoint(openNote(CHECKPOINT, VKEY).text)).toMatchObject({ origin: 'custodian.example/ledger', size: 3 });
    expect(verifyTlogProof(PROOF, leaves[2] as Buffer, VKEY).ok).toBe(true);
    expect(verifyTlogProof(PROOF, leaves[0] as Buffer, VKEY).ok).toBe(false);
  });
});
