import { randomFillSync } from 'node:crypto';

// Each call into the system's random source costs ~5 µs on these virtual machines, more
// than sealing a value. So random bytes are drawn 4 KiB at a time and handed out once
// each, as Node does for randomUUID(); every byte still comes from the CSPRNG.
const pool = Buffer.allocUnsafe(4096);
let next = pool.length;

/**
 * A Buffer on memory of its own, holding a copy of `bytes`. Buffer.from and
 * Buffer.concat place small buffers in Node's shared 8 KiB slab, so a kept key would pin
 * the slab and share it with whatever else lands there.
 */
export function ownCopy(bytes: Uint8Array): Buffer {
  const out = Buffer.allocUnsafeSlow(bytes.byteLength);
  out.set(bytes);
  return out;
}

/** `size` fresh random bytes: a new Buffer on its own memory, never handed out twice. */
export function randomBytesFromPool(size: number): Buffer {
  if (size > pool.length) return randomFillSync(Buffer.allocUnsafeSlow(size));
  if (next + size > pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  const out = ownCopy(pool.subarray(next, next + size));
  pool.fill(0, next, next + size);
  next += size;
  return out;
}
