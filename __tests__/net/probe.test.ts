import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import {
  connect,
  getDefaultAutoSelectFamily,
  setDefaultAutoSelectFamily,
  type Socket
} from 'node:net'
import type { LookupAddress } from 'node:dns'
import {
  MAX_REDIRECTS,
  PROBE_CONCURRENCY,
  probeUrls,
  statusCause,
  type ProbeOptions,
  type ProbeResult,
  type Resolve
} from '../../src/net/probe.js'
import type { Logger } from '../../src/shared/logger.js'
import type { Inert } from '../../src/shared/outside-text.js'
import { ACTION_NAME, ACTION_VERSION } from '../../src/shared/version.js'

const PROXY_VARIABLES = [
  'http_proxy',
  'HTTP_PROXY',
  'https_proxy',
  'HTTPS_PROXY',
  'no_proxy',
  'NO_PROXY'
]
const savedEnv = new Map(PROXY_VARIABLES.map(name => [name, process.env[name]]))

beforeAll(() => {
  // The runner's proxy settings would send the tests' made-up host names elsewhere.
  for (const name of PROXY_VARIABLES) delete process.env[name]
})

afterAll(() => {
  for (const [name, value] of savedEnv) {
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
})

interface Seen {
  method: string
  path: string
  headers: IncomingMessage['headers']
}

interface TestServer {
  origin: string
  port: number
  requests: Seen[]
  server: Server
}

const servers: Server[] = []
const sockets = new Set<Socket>()

afterEach(async () => {
  for (const socket of sockets) socket.destroy()
  sockets.clear()
  await Promise.all(servers.splice(0).map(s => new Promise(resolve => s.close(resolve))))
})

/** A server on 127.0.0.1 that records each request and answers with `handler` (200 if none). */
async function serve(
  handler: (req: IncomingMessage, res: ServerResponse, origin: string) => void = (_, res) =>
    res.end()
): Promise<TestServer> {
  const requests: Seen[] = []
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers })
    handler(req, res, origin)
  })
  server.on('connection', socket => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  servers.push(server)
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  const origin = `http://127.0.0.1:${port}`
  return { origin, port, requests, server }
}

/** Answers each path from a table of statuses (and Locations); 404 for the rest. */
function routes(table: Record<string, [number, string?]>) {
  return (req: IncomingMessage, res: ServerResponse, origin: string): void => {
    const [status, location] = table[req.url ?? ''] ?? [404]
    if (location !== undefined) res.setHeader('Location', location.replace('{origin}', origin))
    res.statusCode = status
    res.end()
  }
}

function logger(lines: Inert[] = []): Logger {
  return {
    debug: message => lines.push(message),
    info: message => lines.push(message),
    notice: message => lines.push(message),
    warning: message => lines.push(message),
    annotate: message => lines.push(message),
    group: (_title, body) => body(),
    secret: () => undefined
  }
}

function options(overrides: Partial<ProbeOptions> = {}): ProbeOptions {
  return {
    timeoutMs: 20_000,
    allowPrivate: true,
    signal: new AbortController().signal,
    log: logger(),
    ...overrides
  }
}

async function probeOne(url: string, overrides: Partial<ProbeOptions> = {}): Promise<ProbeResult> {
  const [result] = await probeUrls([{ line: 7, url }], options(overrides))
  return result
}

/** A resolver for made-up names; any other name does not resolve. */
function names(table: Record<string, string[]>): Resolve {
  return async hostname => {
    const addresses = table[hostname]
    if (addresses === undefined) {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' })
    }
    return addresses.map((address): LookupAddress => ({
      address,
      family: address.includes(':') ? 6 : 4
    }))
  }
}

const ALLOW = 'set url-allow-private: true for self-hosted storage'

describe('probeUrls reads the answer', () => {
  it('200: reachable, from a HEAD', async () => {
    const s = await serve()
    expect(await probeOne(`${s.origin}/a.jpg`)).toEqual({
      line: 7,
      url: `${s.origin}/a.jpg`,
      reachable: true,
      status: 200,
      method: 'HEAD',
      reason: '200: reachable'
    })
    expect(s.requests.map(r => `${r.method} ${r.path}`)).toEqual(['HEAD /a.jpg'])
  })

  it('404: the object is missing, with no GET after it', async () => {
    const s = await serve(routes({}))
    expect(await probeOne(`${s.origin}/gone.jpg`)).toMatchObject({
      reachable: false,
      status: 404,
      method: 'HEAD',
      reason: '404: the object is missing'
    })
    expect(s.requests.map(r => r.method)).toEqual(['HEAD'])
  })

  it('403 to HEAD and GET: a private object, or a bad or expired signature', async () => {
    const s = await serve(routes({ '/p.jpg': [403] }))
    expect(await probeOne(`${s.origin}/p.jpg`)).toMatchObject({
      reachable: false,
      status: 403,
      method: 'GET',
      reason: '403: a private object, or a bad or expired signature'
    })
    expect(s.requests.map(r => [r.method, r.headers.range])).toEqual([
      ['HEAD', undefined],
      ['GET', 'bytes=0-0']
    ])
  })

  it.each([403, 405, 501])(
    'HEAD answered %i, then a GET of the first byte that answers 206',
    async status => {
      const s = await serve((req, res) => {
        res.statusCode = req.method === 'HEAD' ? status : 206
        res.end('x')
      })
      expect(await probeOne(`${s.origin}/signed-for-get.jpg?X-Amz-Signature=abc`)).toMatchObject({
        reachable: true,
        status: 206,
        method: 'GET',
        reason: '206: reachable'
      })
      expect(s.requests.map(r => [r.method, r.path, r.headers.range])).toEqual([
        ['HEAD', '/signed-for-get.jpg?X-Amz-Signature=abc', undefined],
        ['GET', '/signed-for-get.jpg?X-Amz-Signature=abc', 'bytes=0-0']
      ])
    }
  )

  it('reads no body: a GET answer that ignores the range is cut off, not downloaded', async () => {
    let cut: Promise<boolean> = Promise.resolve(false)
    const s = await serve((req, res) => {
      if (req.method === 'HEAD') {
        res.statusCode = 405
        res.end()
        return
      }
      // 64 MiB, written as fast as the client reads it.
      const chunk = Buffer.alloc(1 << 20, 0x61)
      let left = 64
      const more = (): void => {
        while (left > 0 && res.write(chunk)) left--
        if (left > 0) res.once('drain', more)
        else res.end()
      }
      cut = new Promise(resolve => res.on('close', () => resolve(!res.writableFinished)))
      more()
    })
    expect(await probeOne(`${s.origin}/big.jpg`)).toMatchObject({ reachable: true, status: 200 })
    expect(await cut).toBe(true)
  })

  it('sends only User-Agent (and the Range of a GET): no cookie, authorization or key', async () => {
    const s = await serve(routes({ '/p.jpg': [403] }))
    await probeOne(`${s.origin}/p.jpg`)
    const userAgent = `${ACTION_NAME}/${ACTION_VERSION} (url check)`
    expect(s.requests.map(r => r.headers)).toEqual([
      { host: `127.0.0.1:${s.port}`, 'user-agent': userAgent, connection: 'close' },
      {
        host: `127.0.0.1:${s.port}`,
        'user-agent': userAgent,
        range: 'bytes=0-0',
        connection: 'close'
      }
    ])
  })

  it('drops the user and password of a URL rather than send them', async () => {
    const s = await serve()
    const result = await probeOne(`http://someone:s3cret@127.0.0.1:${s.port}/a.jpg`)
    expect(result).toMatchObject({ reachable: true, status: 200 })
    expect(s.requests).toHaveLength(1)
    expect(s.requests[0].headers.authorization).toBeUndefined()
    expect(JSON.stringify(s.requests[0])).not.toContain('s3cret')
  })

  it('gives each status its plain cause', () => {
    expect(
      [200, 206, 304, 400, 401, 403, 404, 410, 416, 418, 429, 500, 503].map(statusCause)
    ).toEqual([
      '200: reachable',
      '206: reachable',
      '304: reachable',
      '400: a bad request; for a signed URL, often a malformed or expired signature',
      '401: a private object (the storage asks for credentials)',
      '403: a private object, or a bad or expired signature',
      '404: the object is missing',
      '410: the object was removed',
      '416: the object is empty (0 bytes)',
      '418: the storage refused the request',
      '429: the storage is limiting requests; try again later',
      '500: the storage failed (a server error)',
      '503: the storage failed (a server error)'
    ])
  })
})

describe('probeUrls follows redirects', () => {
  it('relative and absolute, each against the URL that sent it', async () => {
    const s = await serve(
      routes({
        '/a/start.jpg': [301, 'next.jpg'],
        '/a/next.jpg': [302, '/b/abs.jpg?x=1'],
        '/b/abs.jpg?x=1': [307, '{origin}/c/end.jpg'],
        '/c/end.jpg': [200]
      })
    )
    expect(await probeOne(`${s.origin}/a/start.jpg`)).toMatchObject({
      reachable: true,
      status: 200,
      reason: 'redirect 3 to 127.0.0.1:' + s.port + ': 200: reachable'
    })
    expect(s.requests.map(r => r.path)).toEqual([
      '/a/start.jpg',
      '/a/next.jpg',
      '/b/abs.jpg?x=1',
      '/c/end.jpg'
    ])
  })

  it(`follows a chain of ${MAX_REDIRECTS}, and refuses a chain of ${MAX_REDIRECTS + 1}`, async () => {
    const chain = (length: number): Record<string, [number, string?]> =>
      Object.fromEntries(
        Array.from({ length: length + 1 }, (_, i): [string, [number, string?]] => [
          `/${i}`,
          i < length ? [308, `/${i + 1}`] : [200]
        ])
      )
    const five = await serve(routes(chain(MAX_REDIRECTS)))
    expect(await probeOne(`${five.origin}/0`)).toMatchObject({ reachable: true, status: 200 })
    expect(five.requests).toHaveLength(MAX_REDIRECTS + 1)

    const six = await serve(routes(chain(MAX_REDIRECTS + 1)))
    expect(await probeOne(`${six.origin}/0`)).toMatchObject({
      reachable: false,
      status: 308,
      method: 'HEAD',
      reason: `more than ${MAX_REDIRECTS} redirects`
    })
    expect(six.requests).toHaveLength(MAX_REDIRECTS + 1)
  })

  it('refuses a redirect to a URL that is not http or https, or that does not parse', async () => {
    const s = await serve(
      routes({ '/ftp': [302, 'ftp://files.example/a.jpg'], '/bad': [302, 'http://[nope'] })
    )
    expect(await probeOne(`${s.origin}/ftp`)).toMatchObject({
      reachable: false,
      status: 302,
      reason: '302: a redirect to a ftp: URL, not http or https'
    })
    expect(await probeOne(`${s.origin}/bad`)).toMatchObject({
      reachable: false,
      status: 302,
      reason: '302: a redirect to a bad URL'
    })
  })
})

describe('probeUrls keeps out of the runner network', () => {
  it('refuses loopback and private IP literals, in every form, sending nothing', async () => {
    const s = await serve()
    const cases: Array<[string, string]> = [
      [`http://127.0.0.1:${s.port}/a.jpg`, `127.0.0.1 is a loopback address; ${ALLOW}`],
      [`http://[::1]:${s.port}/a.jpg`, `[::1] is a loopback address; ${ALLOW}`],
      [
        `http://[::ffff:127.0.0.1]:${s.port}/a.jpg`,
        `[::ffff:7f00:1] is a loopback address; ${ALLOW}`
      ],
      [`http://2130706433:${s.port}/a.jpg`, `127.0.0.1 is a loopback address; ${ALLOW}`],
      ['http://10.0.0.5/a.jpg', `10.0.0.5 is a private address; ${ALLOW}`],
      [
        'http://169.254.169.254/latest/meta-data/',
        `169.254.169.254 is a link-local address; ${ALLOW}`
      ],
      ['https://[fd00:ec2::254]/', `[fd00:ec2::254] is a private address; ${ALLOW}`],
      ['http://0.0.0.0:80/', `0.0.0.0 is an unspecified address; ${ALLOW}`]
    ]
    const results = await probeUrls(
      cases.map(([url], i) => ({ line: i + 1, url })),
      options({ allowPrivate: false })
    )
    expect(results.map(r => [r.url, r.reachable, r.reason, r.method, r.status])).toEqual(
      cases.map(([url, reason]) => [url, false, reason, undefined, undefined])
    )
    expect(s.requests).toHaveLength(0)
  })

  it('refuses a name that resolves to refused addresses, checked as the socket connects', async () => {
    const s = await serve()
    const lookup = names({
      'storage.test': ['127.0.0.1'],
      'internal.test': ['10.0.0.5', 'fd12::5'],
      'mapped.test': ['::ffff:127.0.0.1'],
      'metadata.test': ['169.254.169.254']
    })
    const cases: Array<[string, string]> = [
      ['storage.test', `storage.test resolves to a loopback address (127.0.0.1); ${ALLOW}`],
      ['internal.test', `internal.test resolves to a private address (10.0.0.5); ${ALLOW}`],
      ['mapped.test', `mapped.test resolves to a loopback address (::ffff:127.0.0.1); ${ALLOW}`],
      [
        'metadata.test',
        `metadata.test resolves to a link-local address (169.254.169.254); ${ALLOW}`
      ]
    ]
    const results = await probeUrls(
      cases.map(([host], i) => ({ line: i + 1, url: `http://${host}:${s.port}/a.jpg` })),
      options({ allowPrivate: false, lookup })
    )
    expect(results.map(r => [r.reachable, r.reason, r.status])).toEqual(
      cases.map(([, reason]) => [false, reason, undefined])
    )
    expect(s.requests).toHaveLength(0)
  })

  it('with allowPrivate, connects to any address, by name too', async () => {
    const s = await serve()
    const lookup = names({ 'storage.test': ['127.0.0.1'] })
    expect(await probeOne(`http://storage.test:${s.port}/a.jpg`, { lookup })).toMatchObject({
      reachable: true,
      status: 200
    })
    expect(s.requests[0].headers.host).toBe(`storage.test:${s.port}`)
  })

  it('checks the addresses whether Node asks the lookup for all of them or for one', async () => {
    const s = await serve()
    const lookup = names({ 'storage.test': ['127.0.0.1'] })
    const url = `http://storage.test:${s.port}/a.jpg`
    const before = getDefaultAutoSelectFamily()
    for (const autoSelect of [true, false]) {
      setDefaultAutoSelectFamily(autoSelect)
      try {
        expect(await probeOne(url, { lookup })).toMatchObject({ reachable: true, status: 200 })
        expect(await probeOne(url, { allowPrivate: false, lookup })).toMatchObject({
          reachable: false,
          reason: `storage.test resolves to a loopback address (127.0.0.1); ${ALLOW}`
        })
      } finally {
        setDefaultAutoSelectFamily(before)
      }
    }
    expect(s.requests).toHaveLength(2)
  })

  it('a name that does not resolve is unreachable', async () => {
    expect(await probeOne('http://nowhere.test/a.jpg', { lookup: names({}) })).toMatchObject({
      reachable: false,
      method: 'HEAD',
      reason: 'could not resolve nowhere.test'
    })
  })
})

describe('probeUrls through a proxy', () => {
  /**
   * A proxy that tunnels every CONNECT to `origin`, whatever host it names, and records the
   * hosts; set as http_proxy for the test.
   */
  async function proxyTo(origin: TestServer): Promise<string[]> {
    const connects: string[] = []
    const proxy = createServer((_, res) => res.writeHead(405).end())
    proxy.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
      connects.push(req.url ?? '')
      sockets.add(client)
      const upstream = connect(origin.port, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
        upstream.write(head)
        upstream.pipe(client)
        client.pipe(upstream)
      })
      sockets.add(upstream)
      upstream.on('error', () => client.destroy())
      client.on('error', () => upstream.destroy())
    })
    servers.push(proxy)
    await new Promise<void>(resolve => proxy.listen(0, '127.0.0.1', resolve))
    process.env.http_proxy = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`
    return connects
  }

  afterEach(() => {
    delete process.env.http_proxy
  })

  const lookup = names({
    'public.test': ['93.184.216.34'],
    'internal.test': ['10.0.0.5']
  })

  it('goes through the proxy for a name that resolves to the internet', async () => {
    const s = await serve()
    const connects = await proxyTo(s)
    expect(
      await probeOne('http://public.test/a.jpg', { allowPrivate: false, lookup })
    ).toMatchObject({
      reachable: true,
      status: 200
    })
    expect(connects).toEqual(['public.test:80'])
    expect(s.requests.map(r => r.path)).toEqual(['/a.jpg'])
  })

  it('leaves a name this runner cannot resolve to the proxy', async () => {
    const s = await serve()
    const connects = await proxyTo(s)
    expect(
      await probeOne('http://only-the-proxy.test/a.jpg', { allowPrivate: false, lookup })
    ).toMatchObject({
      reachable: true
    })
    expect(connects).toEqual(['only-the-proxy.test:80'])
  })

  it('refuses a name that resolves here to a private address, without asking the proxy', async () => {
    const s = await serve()
    const connects = await proxyTo(s)
    expect(await probeOne('http://internal.test/a.jpg', { allowPrivate: false, lookup })).toEqual({
      line: 7,
      url: 'http://internal.test/a.jpg',
      reachable: false,
      reason: `internal.test resolves to a private address (10.0.0.5); ${ALLOW}`
    })
    expect(connects).toEqual([])
  })

  it('checks every redirect again: one from an allowed host to a private one is refused', async () => {
    const s = await serve(
      routes({
        '/to-name': [302, 'http://internal.test/secret'],
        '/to-literal': [302, '{origin}/secret']
      })
    )
    const connects = await proxyTo(s)
    const results = await probeUrls(
      [
        { line: 1, url: 'http://public.test/to-name' },
        { line: 2, url: 'http://public.test/to-literal' }
      ],
      options({ allowPrivate: false, lookup })
    )
    expect(results.map(r => [r.reachable, r.status, r.method, r.reason])).toEqual([
      [
        false,
        undefined,
        'HEAD',
        `redirect 1 to internal.test: internal.test resolves to a private address (10.0.0.5); ${ALLOW}`
      ],
      [
        false,
        undefined,
        'HEAD',
        `redirect 1 to 127.0.0.1:${s.port}: 127.0.0.1 is a loopback address; ${ALLOW}`
      ]
    ])
    expect(s.requests.map(r => r.path)).toEqual(['/to-name', '/to-literal'])
    expect(connects).toEqual(['public.test:80', 'public.test:80'])
  })
})

describe('probeUrls bounds its work', () => {
  it(`has at most ${PROBE_CONCURRENCY} requests in flight`, async () => {
    const items = 20
    let inFlight = 0
    let most = 0
    let seen = 0
    const held: ServerResponse[] = []
    let release: NodeJS.Timeout | undefined
    const s = await serve((_, res) => {
      seen++
      inFlight++
      most = Math.max(most, inFlight)
      held.push(res)
      // A full batch (or the last requests) is held a while, for any request past the limit to
      // arrive and be counted, then answered.
      if (inFlight === PROBE_CONCURRENCY || seen === items) {
        clearTimeout(release)
        release = setTimeout(() => {
          // Answered: only then may the client start the next item.
          for (const r of held.splice(0)) {
            inFlight--
            r.end()
          }
        }, 100)
      }
    })
    const results = await probeUrls(
      Array.from({ length: items }, (_, i) => ({ line: i + 1, url: `${s.origin}/${i}` })),
      options()
    )
    expect(results.every(r => r.reachable)).toBe(true)
    expect(results.map(r => r.line)).toEqual(Array.from({ length: items }, (_, i) => i + 1))
    expect(most).toBe(PROBE_CONCURRENCY)
  })

  it('a server that never answers is unreachable once the time is up', async () => {
    const s = await serve(() => undefined)
    expect(await probeOne(`${s.origin}/hang.jpg`, { timeoutMs: 300 })).toMatchObject({
      reachable: false,
      method: 'HEAD',
      reason: 'no answer within 0.3 s'
    })
  })

  it('a refused connection is unreachable', async () => {
    const s = await serve()
    await new Promise(resolve => s.server.close(resolve))
    expect(await probeOne(`${s.origin}/a.jpg`)).toMatchObject({
      reachable: false,
      method: 'HEAD',
      reason: `connection to 127.0.0.1:${s.port} refused`
    })
  })

  it('a URL that does not parse, or is not http or https, is not requested', async () => {
    const results = await probeUrls(
      [
        { line: 1, url: 'not a url' },
        { line: 2, url: 's3://bucket/a.jpg' }
      ],
      options()
    )
    expect(results.map(r => [r.reachable, r.method, r.reason])).toEqual([
      [false, undefined, 'not a valid URL, so it was not requested'],
      [false, undefined, 'not an http or https URL (s3:), so it was not requested']
    ])
  })

  it('a cancel stops every request at once and rejects with its reason', async () => {
    const closed: Array<Promise<void>> = []
    let arrived: () => void = () => undefined
    const allArrived = new Promise<void>(resolve => (arrived = resolve))
    const s = await serve((req, _res) => {
      closed.push(new Promise(resolve => req.socket.on('close', () => resolve())))
      if (closed.length === 3) arrived()
    })
    const controller = new AbortController()
    const probing = probeUrls(
      Array.from({ length: 5 }, (_, i) => ({ line: i + 1, url: `${s.origin}/${i}` })),
      options({ signal: controller.signal, concurrency: 3 })
    )
    await allArrived
    controller.abort(new Error('cancelled'))
    await expect(probing).rejects.toThrow('cancelled')
    await Promise.all(closed)
    expect(s.requests).toHaveLength(3)
  })

  it('a cancelled signal sends nothing', async () => {
    const s = await serve()
    const controller = new AbortController()
    controller.abort(new Error('cancelled'))
    await expect(
      probeUrls([{ line: 1, url: `${s.origin}/a` }], options({ signal: controller.signal }))
    ).rejects.toThrow('cancelled')
    expect(s.requests).toHaveLength(0)
  })
})
