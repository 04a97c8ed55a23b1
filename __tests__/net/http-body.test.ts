import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import { AgentPool, send } from '../../src/net/http.js'
import { FileCheckError, TransportError } from '../../src/shared/errors.js'
import { t } from '../../src/shared/outside-text.js'

let server: Server
let url: URL

beforeAll(async () => {
  // Reads whatever body comes, then answers 200.
  server = createServer((req, res) => {
    req.resume()
    req.on('end', () => res.end())
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/object`)
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise(resolve => server.close(resolve))
})

/** What send() rejects with when the body stream fails with `error` after its first bytes. */
async function failedBody(error: Error): Promise<unknown> {
  const pool = new AgentPool(false)
  try {
    const body = (): Readable =>
      Readable.from(
        (async function* () {
          yield Buffer.from('{"url": "a"}\n')
          throw error
        })(),
        { objectMode: false }
      )
    return await send(pool, {
      method: 'PUT',
      url,
      headers: { 'content-length': '100' },
      body,
      idleTimeoutMs: 10_000,
      maxResponseBytes: 1024
    }).then(
      () => undefined,
      (e: unknown) => e
    )
  } finally {
    pool.dispose()
  }
}

describe('send: a body stream that fails', () => {
  test('with an ActionError: that very error (the upload retries transport errors only)', async () => {
    const error = new FileCheckError(t`items.ndjson.gz decompressed to fewer bytes`, 'x')
    expect(await failedBody(error)).toBe(error)
  })

  test('with any other error: a transport error, which the upload retries', async () => {
    const failure = await failedBody(new Error('EIO: i/o error, read'))
    expect(failure).toBeInstanceOf(TransportError)
    expect(failure).toMatchObject({
      message: 'could not read the upload body: EIO: i/o error, read',
      code: 'EREAD',
      final: false
    })
  })
})
