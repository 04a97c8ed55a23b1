/**
 * One exchange (src/net/http.ts) against servers of its own on 127.0.0.1: the cap on answers, each
 * deadline with its own message, the body held for `100 Continue`, a body that cannot be read,
 * answers cut short, cancellation, and a proxy that never opens its tunnel. The action's use of it
 * end to end is in __tests__/e2e (create, hostile, cancel and the fault matrix).
 */
import { afterEach, describe, expect, test } from '@jest/globals'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net'
import { Readable } from 'node:stream'
import { AgentPool, send, type HttpRequest, type HttpResponse } from '../../src/net/http.js'
import { TransportError, errorMessage } from '../../src/shared/errors.js'

/** Longer than any test here runs: a deadline set to it is one the test does not meet. */
const NEVER_MS = 60_000
/** A deadline the test does meet. Only its message is asserted, never how soon it came. */
const SOON_MS = 200

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A server on 127.0.0.1 that answers with `handle`; its URL. */
async function serve(
  handle: (req: IncomingMessage, res: ServerResponse) => void,
  onCheckContinue?: (req: IncomingMessage, res: ServerResponse) => void
): Promise<URL> {
  const server = createServer(handle)
  if (onCheckContinue) server.on('checkContinue', onCheckContinue)
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(() => {
    server.closeAllConnections()
    return new Promise(resolve => server.close(() => resolve()))
  })
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/x`)
}

function exchange(url: URL, more: Partial<HttpRequest> = {}): Promise<HttpResponse> {
  const pool = new AgentPool(false)
  cleanups.push(() => pool.dispose())
  const request = { method: 'PUT', url, headers: {}, idleTimeoutMs: NEVER_MS }
  return send(pool, { ...request, maxResponseBytes: 1024, ...more })
}

/** What the exchange was rejected with. */
async function failure(pending: Promise<HttpResponse>): Promise<unknown> {
  return pending.then(
    response => {
      throw new Error(`expected a failure, got HTTP ${response.status}`)
    },
    (error: unknown) => error
  )
}

/** The whole request body, once it has all come. */
function bodyOf(req: IncomingMessage): Promise<string> {
  return Readable.from(req)
    .toArray()
    .then(chunks => Buffer.concat(chunks as Buffer[]).toString())
}

/** Headers now, then one byte every 20 ms until the client goes. */
function drip(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/plain' }).flushHeaders()
  const timer = setInterval(() => res.write('x'), 20)
  res.on('close', () => clearInterval(timer))
}

describe('the answer', () => {
  test('refusals come back as answers, whole', async () => {
    const url = await serve((_req, res) => res.writeHead(404).end('no such thing'))
    const response = await exchange(url)
    expect([response.status, response.body.toString(), response.truncated]).toEqual([
      404,
      'no such thing',
      false
    ])
  })

  test('longer than maxResponseBytes: its start, flagged as cut', async () => {
    const url = await serve((_req, res) => res.end('x'.repeat(100_000)))
    const response = await exchange(url, { maxResponseBytes: 10 })
    expect([response.status, response.body.toString(), response.truncated]).toEqual([
      200,
      'x'.repeat(10),
      true
    ])
  })

  /** A server that promises 100 bytes, sends 7, then closes the connection. */
  const cutShort = (status: number) =>
    serve((_req, res) => {
      res.writeHead(status, { 'content-length': '100' }).write('partial')
      setTimeout(() => res.socket?.destroy(), 50)
    })

  test('HTTP 503 cut short: the refusal still stands, with what came of its text', async () => {
    const response = await exchange(await cutShort(503))
    expect([response.status, response.body.toString()]).toEqual([503, 'partial'])
  })

  test('HTTP 200 cut short: a transport failure', async () => {
    const error = await failure(exchange(await cutShort(200)))
    expect(error).toBeInstanceOf(TransportError)
    expect(errorMessage(error)).toMatch(
      /^connection to 127\.0\.0\.1:\d+ closed while reading the answer$/
    )
  })
})

describe('deadlines, each with its own message', () => {
  test('no byte either way for idleTimeoutMs', async () => {
    const url = await serve(() => undefined)
    const error = await failure(exchange(url, { idleTimeoutMs: SOON_MS }))
    expect(error).toMatchObject({ code: 'ETIMEDOUT' })
    expect((error as Error).message).toMatch(/^no progress for 0\.2 s on PUT 127\.0\.0\.1:\d+$/)
  })

  test('the whole exchange past totalTimeoutMs, however steadily the bytes come', async () => {
    const url = await serve((_req, res) => drip(res))
    const error = await failure(exchange(url, { totalTimeoutMs: SOON_MS }))
    expect(error).toMatchObject({ code: 'ETIMEDOUT' })
    expect((error as Error).message).toMatch(/^no answer within 0\.2 s from PUT 127\.0\.0\.1:\d+$/)
  })

  test('the answer not complete answerTimeoutMs after the body went out', async () => {
    const url = await serve((_req, res) => drip(res))
    const error = await failure(
      exchange(url, { body: Buffer.from('body'), answerTimeoutMs: SOON_MS })
    )
    expect(error).toMatchObject({ code: 'ETIMEDOUT' })
    expect((error as Error).message).toMatch(
      /^the answer from 127\.0\.0\.1:\d+ did not finish within 0\.2 s$/
    )
  })
})

describe('the body', () => {
  test('held for 100 Continue: a refusal from the headers alone comes before any of it', async () => {
    let opened = false
    const url = await serve(
      () => undefined,
      (_req, res) => res.writeHead(400).end('<Error><Code>ExpiredToken</Code></Error>')
    )
    const response = await exchange(url, {
      body: () => {
        opened = true
        return Readable.from([Buffer.from('body')])
      },
      expectContinue: { timeoutMs: NEVER_MS }
    })
    expect([response.status, opened]).toEqual([400, false])
  })

  test.each([
    ['says 100 Continue', true],
    ['ignores the expectation: the body goes after the wait', false]
  ])('held for 100 Continue, a server that %s gets it whole', async (_name, continues) => {
    let received: Promise<string> | undefined
    const url = await serve(
      () => undefined,
      (req, res) => {
        if (continues) res.writeContinue()
        received = bodyOf(req)
        void received.then(() => res.end('stored'))
      }
    )
    const content = 'line\n'.repeat(50_000)
    const sent: number[] = []
    const response = await exchange(url, {
      body: () => Readable.from([Buffer.from(content)]),
      expectContinue: { timeoutMs: continues ? NEVER_MS : SOON_MS },
      onBodyProgress: bytes => sent.push(bytes)
    })
    expect([response.status, response.body.toString(), await received]).toEqual([
      200,
      'stored',
      content
    ])
    expect(sent.at(-1)).toBe(content.length)
  })

  test('a body that cannot be read ends the exchange as that, not as a network failure', async () => {
    const url = await serve(req => void bodyOf(req).catch(() => undefined))
    const unreadable = new Readable({
      read() {
        this.destroy(new Error('disk gone'))
      }
    })
    const error = await failure(exchange(url, { body: () => unreadable }))
    expect(error).toMatchObject({ code: 'EREAD' })
    expect((error as Error).message).toBe('could not read the upload body: disk gone')
  })
})

describe('cancellation', () => {
  test('a signal aborted already: its reason, and no request made', async () => {
    let requests = 0
    const url = await serve((_req, res) => {
      requests++
      res.end()
    })
    const reason = new Error('cancelled before it began')
    expect(await failure(exchange(url, { signal: AbortSignal.abort(reason) }))).toBe(reason)
    expect(requests).toBe(0)
  })

  test('an abort mid-exchange: its reason', async () => {
    const controller = new AbortController()
    const reason = new Error('cancelled')
    const url = await serve(() => controller.abort(reason))
    expect(await failure(exchange(url, { signal: controller.signal }))).toBe(reason)
  })
})

describe('a proxy that takes the connection and never opens the tunnel', () => {
  /** A proxy that accepts and says nothing; https_proxy points at it until the test ends. */
  async function silentProxy(): Promise<{ connected: Promise<void> }> {
    const sockets: Socket[] = []
    let connected: () => void = () => undefined
    const proxy = createTcpServer(socket => {
      sockets.push(socket.on('error', () => undefined))
      connected()
    })
    await new Promise<void>(resolve => proxy.listen(0, '127.0.0.1', resolve))
    const names = ['https_proxy', 'HTTPS_PROXY', 'no_proxy', 'NO_PROXY']
    const saved = names.map(name => [name, process.env[name]] as const)
    for (const name of names) delete process.env[name]
    process.env.https_proxy = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`
    cleanups.push(() => {
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name]
        else process.env[name] = value
      }
      for (const socket of sockets) socket.destroy()
      return new Promise(resolve => proxy.close(() => resolve()))
    })
    return { connected: new Promise(resolve => (connected = resolve)) }
  }
  // Node ends a request only once it has a socket, and the tunnel never gives it one: neither
  // the request's signal option nor its setTimeout would end this exchange.
  const HELD = new URL('https://storage.example/bucket/object')

  test('is given up after idleTimeoutMs', async () => {
    await silentProxy()
    const error = await failure(exchange(HELD, { idleTimeoutMs: SOON_MS }))
    expect((error as Error).message).toBe('no progress for 0.2 s on PUT storage.example')
  })

  test('a cancel ends the exchange at once, with its reason', async () => {
    const { connected } = await silentProxy()
    const controller = new AbortController()
    const pending = exchange(HELD, { signal: controller.signal })
    await connected
    const reason = new Error('cancelled')
    controller.abort(reason)
    expect(await failure(pending)).toBe(reason)
  })
})
