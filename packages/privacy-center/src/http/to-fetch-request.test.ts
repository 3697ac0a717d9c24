import { expect, it } from '@jest/globals';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { toFetchRequest } from './to-fetch-request';

/** A node request as a server would hand it over, its body pushed into the stream. */
function incoming(method: string, url: string, body?: string): IncomingMessage {
  const req = new IncomingMessage(new Socket());
  req.method = method;
  req.url = url;
  req.headers = { host: 'shop.example', 'content-type': 'application/x-www-form-urlencoded' };
  if (body !== undefined) req.push(body);
  req.push(null);
  return req;
}

it('takes the whole URL from originalUrl where Express stripped the mount path from url', async () => {
  const req = Object.assign(incoming('GET', '/link/abc'), { originalUrl: '/privacy/link/abc' });
  expect((await toFetchRequest(req)).url).toBe('http://shop.example/privacy/link/abc');
  expect((await toFetchRequest(incoming('GET', '/privacy/'))).url).toBe('http://shop.example/privacy/');
});

it('reads the body from the stream, or takes the one a framework already read', async () => {
  expect(await (await toFetchRequest(incoming('POST', '/restrict', 'csrf=a'))).text()).toBe('csrf=a');
  const read = incoming('POST', '/restrict');
  expect(await (await toFetchRequest(read, { body: Buffer.from('csrf=b') })).text()).toBe('csrf=b');
  expect(await (await toFetchRequest(read, { body: 'csrf=c' })).text()).toBe('csrf=c');
});
