/**
 * Tests of the emulator itself, through plain fetch, node:http and raw sockets. The e2e
 * tests trust it to refuse what the real service refuses, so each refusal is checked here.
 */
import { Agent, request, type ClientRequest, type IncomingMessage } from 'node:http'
import { connect, type Socket } from 'node:net'
import {
  DEFAULT_SECRET_KEY,
  Emulator,
  type EmulatorOptions,
  type FaultRule,
  type WireDataset
} from '../../emulator/emulator.js'
import { referenceCrc32cBase64 } from '../support/crc32c.js'

const HOUR = 60 * 60 * 1000
const DAY = 24 * HOUR
const T0 = 1_723_697_118_174

const NDJSON = Buffer.from(
  '{"kind": "Image", "url": "https://example.com/a.jpg"}\n' +
    '  \n' +
    '{"kind": "Image", "url": "https://example.com/b.jpg"}\r\n' +
    '{"kind": "Image", "url": "https://example.com/c.jpg"}'
)

function createBody(bytes: Buffer = NDJSON, name = 'my-dataset'): Record<string, unknown> {
  return {
    name,
    spec: {
      source: {
        kind: 'UploadedNewlineDelimitedJsonFile',
        sizeBytes: bytes.length,
        crc32c: referenceCrc32cBase64(bytes)
      }
    }
  }
}

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  /** The agent sent this request on a connection an earlier one had used. */
  reusedSocket: boolean
}

/** A request with exact control over headers and body (fetch adds and forbids some). */
function raw(
  url: string,
  options: {
    method?: string
    headers?: Record<string, string>
    body?: Buffer
    /** Send the body in two halves with a pause between them. */
    pauseAfterHalf?: () => Promise<void>
    /** Send only the first half, then destroy the connection. */
    abortAfterHalf?: boolean
    agent?: Agent
  } = {}
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const { method = 'PUT', headers, agent } = options
    const req = request(url, { method, headers, agent }, res => {
      collect(req, res).then(resolve, reject)
    })
    req.on('error', reject)
    const body = options.body
    if (body === undefined) {
      req.end()
      return
    }
    const half = Math.floor(body.length / 2)
    if (options.abortAfterHalf === true) {
      req.write(body.subarray(0, half), () => setTimeout(() => req.destroy(), 50))
      return
    }
    if (options.pauseAfterHalf !== undefined) {
      req.write(body.subarray(0, half))
      void options.pauseAfterHalf().then(() => req.end(body.subarray(half)), reject)
      return
    }
    req.end(body)
  })
}

/** Reads the whole answer to `req`. */
function collect(req: ClientRequest, res: IncomingMessage): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    res.on('data', (c: Buffer) => chunks.push(c))
    res.on('end', () =>
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        text: Buffer.concat(chunks).toString('utf8'),
        reusedSocket: req.reusedSocket
      })
    )
    res.on('error', reject)
  })
}

/**
 * A request that says `Expect: 100-continue` and sends its body only once a 100 comes,
 * as curl does with a large upload. Without a body it just waits for the answer.
 */
function expecting(
  url: string,
  options: { method?: string; headers: Record<string, string>; body?: Buffer }
): Promise<Answer & { continued: boolean }> {
  return new Promise((resolve, reject) => {
    let continued = false
    const { method = 'PUT', headers, body } = options
    const req = request(
      url,
      { method, headers: { ...headers, expect: '100-continue' }, agent: false },
      res => {
        collect(req, res).then(answer => {
          resolve({ ...answer, continued })
          // The exchange is over; a request refused before its body can only be abandoned.
          req.destroy()
        }, reject)
      }
    )
    req.on('error', reject)
    if (body === undefined) {
      req.end()
      return
    }
    req.on('continue', () => {
      continued = true
      req.end(body)
    })
    req.flushHeaders()
  })
}

/** A request head as a plain client writes it, for the socket-level tests. */
function httpHead(method: string, url: string, headers: Record<string, string>): string {
  const target = new URL(url)
  const lines = Object.entries({ host: target.host, ...headers }).map(([n, v]) => `${n}: ${v}\r\n`)
  return `${method} ${target.pathname}${target.search} HTTP/1.1\r\n${lines.join('')}\r\n`
}

/** The first answer in raw HTTP text: status, lower-case headers, what follows the head. */
function parseAnswer(text: string): {
  status: number
  headers: Record<string, string>
  rest: string
} {
  const end = text.indexOf('\r\n\r\n')
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim()
  }
  return { status: Number(statusLine.split(' ')[1]), headers, rest: text.slice(end + 4) }
}

/** How the server ended a connection: in order (FIN) or with a reset (RST). */
type Ending = 'closed' | 'reset'

/**
 * Writes `head` on a plain socket and reads until the server ends the connection. A reset
 * that follows the data may surface as a plain end of stream (libuv reads the data, then
 * takes the hang-up for an end), so an end is told apart by one more write: a reset socket
 * refuses it, one closed in order still takes it. The socket is left open for more writes.
 */
function exchange(
  origin: string,
  head: string
): Promise<{ text: string; ending: Ending; socket: Socket }> {
  const { hostname, port } = new URL(origin)
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), allowHalfOpen: true })
    let text = ''
    let settled = false
    const settle = (ending: Ending): void => {
      if (settled) return
      settled = true
      resolve({ text, ending, socket })
    }
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => (text += chunk))
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') settle('reset')
      else reject(error)
    })
    socket.on('end', () => socket.write('\r\n', error => settle(error ? 'reset' : 'closed')))
    socket.write(head)
  })
}

/** Keeps sending body bytes until the connection refuses them; the refusal's code. */
function sendUntilRefused(socket: Socket): Promise<string | undefined> {
  const chunk = Buffer.alloc(16 * 1024, 0x7b)
  return new Promise(resolve => {
    const next = (): void => {
      socket.write(chunk, error =>
        error ? resolve((error as NodeJS.ErrnoException).code) : next()
      )
    }
    next()
  })
}

/** Timers keeping the process alive: the emulator's own must all be gone once it stops. */
function activeTimers(): number {
  return process.getActiveResourcesInfo().filter(resource => resource === 'Timeout').length
}

function xmlCode(text: string): string | undefined {
  return /<Code>([^<]*)<\/Code>/.exec(text)?.[1]
}

async function until(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise(r => setTimeout(r, 5))
  }
}

let emu: Emulator
let clock: number

async function start(options: EmulatorOptions = {}): Promise<Emulator> {
  clock = T0
  emu = await Emulator.start({ now: () => clock, ...options })
  return emu
}

afterEach(async () => {
  await emu?.close()
})

function datasetsUrl(suffix = ''): string {
  return `${emu.apiUrl}/projects/${emu.projectId}/batch/datasets${suffix}`
}

function api(
  suffix: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}
): Promise<Response> {
  const headers: Record<string, string> = { 'Secret-Key': emu.secretKey, ...init.headers }
  let body: string | undefined
  if (init.body !== undefined) {
    body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body)
    headers['Content-Type'] ??= 'application/json'
  }
  return fetch(datasetsUrl(suffix), { method: init.method ?? 'GET', headers, body })
}

async function create(bytes: Buffer = NDJSON, name = 'my-dataset'): Promise<WireDataset> {
  const res = await api('', { method: 'POST', body: createBody(bytes, name) })
  expect(res.status).toBe(201)
  return (await res.json()) as WireDataset
}

function uploadOf(dataset: WireDataset): { url: string; headers: Record<string, string> } {
  const uploadUrl = dataset.status.source.uploadUrl
  if (uploadUrl === undefined) throw new Error('no upload URL')
  return { url: uploadUrl.url, headers: uploadUrl.headers }
}

function put(
  dataset: WireDataset,
  body: Buffer = NDJSON,
  headers?: Record<string, string>
): Promise<Answer> {
  const up = uploadOf(dataset)
  return raw(up.url, { headers: headers ?? up.headers, body })
}

describe('API authentication and routing', () => {
  beforeEach(async () => {
    await start()
  })

  test.each([
    ['no Secret-Key', {}],
    ['a wrong Secret-Key', { 'Secret-Key': 'sk_test_wrong' }],
    ['the key with a different case', { 'Secret-Key': DEFAULT_SECRET_KEY.toUpperCase() }],
    ['the key with a suffix', { 'Secret-Key': `${DEFAULT_SECRET_KEY}0` }]
  ])('%s is refused with 403', async (_what, headers) => {
    const res = await fetch(datasetsUrl(), { headers })
    expect(res.status).toBe(403)
    expect(((await res.json()) as { message: string }).message).toMatch(/Secret-Key/)
  })

  test('another project is refused with 403, also without the proj_ prefix', async () => {
    for (const project of ['proj_00000000000000000000000000000000', emu.projectId.slice(5)]) {
      const res = await fetch(`${emu.apiUrl}/projects/${project}/batch/datasets`, {
        headers: { 'Secret-Key': emu.secretKey }
      })
      expect(res.status).toBe(403)
      expect(((await res.json()) as { message: string }).message).toContain(project)
    }
  })

  test('unknown routes are 404 and wrong methods 405 with Allow', async () => {
    const headers = { 'Secret-Key': emu.secretKey }
    for (const path of [
      '/',
      '/projects',
      `/projects/${emu.projectId}/batch`,
      `/v1/projects/${emu.projectId}/batch/datasets`
    ]) {
      expect((await fetch(`${emu.apiUrl}${path}`, { headers })).status).toBe(404)
    }
    expect((await api('/')).status).toBe(404)
    const put405 = await api('', { method: 'PUT' })
    expect(put405.status).toBe(405)
    expect(put405.headers.get('allow')).toBe('GET, POST')
    const post405 = await api('/dataset_x', { method: 'POST', body: {} })
    expect(post405.status).toBe(405)
    expect(post405.headers.get('allow')).toBe('GET, DELETE')
  })

  test('unknown or repeated query parameters are 400', async () => {
    expect((await api('?pageSize=2')).status).toBe(400)
    expect((await api('?limit=2&limit=3')).status).toBe(400)
    const ds = await create()
    expect((await api(`/${ds.id}?verbose=1`)).status).toBe(400)
  })

  test('errors are JSON with a message', async () => {
    const res = await api('/dataset_nope')
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await res.json()).toEqual({ message: expect.stringMatching(/Dataset not found/) })
  })
})

describe('create', () => {
  beforeEach(async () => {
    await start()
  })

  test('answers 201 with a Waiting dataset and a signed upload URL', async () => {
    const ds = await create()
    expect(ds.id).toMatch(
      /^dataset_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
    )
    expect(ds).toMatchObject({
      object: 'dataset',
      name: 'my-dataset',
      projectId: emu.projectId,
      createDate: T0,
      updateDate: T0,
      expiryTime: T0 + 10 * DAY,
      status: { overview: 'Waiting', updateTime: T0, itemCount: 0 }
    })
    const uploadUrl = ds.status.source.uploadUrl
    expect(ds.status.source.kind).toBe('UploadedNewlineDelimitedJsonFile')
    expect(uploadUrl?.method).toBe('PUT')
    expect(uploadUrl?.expiresAtTime).toBeGreaterThanOrEqual(T0 + 12 * HOUR)
    expect(uploadUrl?.expiresAtTime).toBeLessThan(T0 + 12 * HOUR + 1000)
    expect(uploadUrl?.headers).toEqual({
      'content-length': String(NDJSON.length),
      'content-type': 'application/x-ndjson',
      'x-goog-hash': `crc32c=${referenceCrc32cBase64(NDJSON)}`,
      'x-goog-if-generation-match': '0',
      'x-goog-meta-datature-dataset-link': `projects/${emu.projectId}/batch/datasets/${ds.id}`
    })
    const url = new URL(uploadUrl?.url ?? '')
    expect(url.origin).toBe(emu.uploadOrigin)
    expect(url.pathname).toBe(`/nexus-uploads/${emu.projectId}/${ds.id}/dataset.ndjson`)
    expect(url.searchParams.get('X-Goog-Algorithm')).toBe('GOOG4-HMAC-SHA256')
    expect(url.searchParams.get('X-Goog-SignedHeaders')).toBe(
      'content-length;content-type;x-goog-hash;x-goog-if-generation-match;x-goog-meta-datature-dataset-link'
    )
    expect(url.searchParams.get('X-Goog-Signature')).toMatch(/^[0-9a-f]{64}$/)
    expect(emu.requests[0]?.json).toEqual(createBody())
    // The stored wire form matches the answer and is a copy.
    const copy = emu.dataset(ds.id)
    expect(copy).toEqual(ds)
    if (copy !== undefined) copy.name = 'changed'
    expect(emu.dataset(ds.id)?.name).toBe('my-dataset')
  })

  test('accepts a charset parameter on the content type and duplicate names', async () => {
    const res = await api('', {
      method: 'POST',
      body: createBody(),
      headers: { 'Content-Type': 'application/json; charset=utf-8' }
    })
    expect(res.status).toBe(201)
    await create()
    expect(emu.datasets()).toHaveLength(2)
  })

  test('refuses a body that is not JSON, or not sent as JSON', async () => {
    const asText = await api('', {
      method: 'POST',
      body: createBody(),
      headers: { 'Content-Type': 'text/plain' }
    })
    expect(asText.status).toBe(415)
    const noType = await fetch(datasetsUrl(), {
      method: 'POST',
      headers: { 'Secret-Key': emu.secretKey },
      body: new Uint8Array(Buffer.from(JSON.stringify(createBody())))
    })
    expect(noType.status).toBe(415)
    expect((await api('', { method: 'POST', body: '{"name":' })).status).toBe(400)
    expect((await api('', { method: 'POST', body: '' })).status).toBe(400)
    expect(emu.datasets()).toHaveLength(0)
  })

  const source = (patch: Record<string, unknown>): Record<string, unknown> => ({
    name: 'n',
    spec: { source: { ...(createBody().spec as { source: object }).source, ...patch } }
  })
  test.each<[string, unknown, RegExp]>([
    ['an array', [], /JSON object/],
    ['no name', { spec: createBody().spec }, /"name" is required/],
    ['an empty name', { ...createBody(), name: '' }, /"name"/],
    ['a blank name', { ...createBody(), name: '   ' }, /"name"/],
    ['a numeric name', { ...createBody(), name: 5 }, /"name"/],
    ['a 257-character name', { ...createBody(), name: 'x'.repeat(257) }, /"name".*256/],
    ['a name with a newline', { ...createBody(), name: 'a\nb' }, /control/],
    ['a name with DEL', { ...createBody(), name: 'a\u007fb' }, /control/],
    ['an extra top-level field', { ...createBody(), description: 'x' }, /"description"/],
    ['no spec', { name: 'n' }, /"spec" is required/],
    ['a string spec', { name: 'n', spec: 'x' }, /"spec"/],
    [
      'an extra spec field',
      { name: 'n', spec: { ...(createBody().spec as object), x: 1 } },
      /"spec\.x"/
    ],
    ['no source', { name: 'n', spec: {} }, /"spec\.source" is required/],
    ['another kind', source({ kind: 'Csv' }), /"spec\.source\.kind"/],
    [
      'no kind',
      { name: 'n', spec: { source: { sizeBytes: 5, crc32c: 'AAAAAA==' } } },
      /"spec\.source\.kind" is required/
    ],
    ['a zero size', source({ sizeBytes: 0 }), /"spec\.source\.sizeBytes"/],
    ['a negative size', source({ sizeBytes: -1 }), /"spec\.source\.sizeBytes"/],
    ['a fractional size', source({ sizeBytes: 1.5 }), /"spec\.source\.sizeBytes"/],
    ['a string size', source({ sizeBytes: '10' }), /"spec\.source\.sizeBytes"/],
    ['a hex crc32c', source({ crc32c: 'e3069283' }), /"spec\.source\.crc32c"/],
    ['a numeric crc32c', source({ crc32c: 3808858755 }), /"spec\.source\.crc32c"/],
    ['an 8-byte crc32c', source({ crc32c: 'AAAAAAAAAAA=' }), /"spec\.source\.crc32c"/],
    ['an unpadded crc32c', source({ crc32c: '4waSgw' }), /"spec\.source\.crc32c"/],
    ['a non-canonical crc32c', source({ crc32c: '4waSgx==' }), /"spec\.source\.crc32c"/],
    ['an extra source field', source({ md5: 'x' }), /"spec\.source\.md5"/]
  ])('refuses %s with 400 naming the field', async (_what, body, message) => {
    const res = await api('', { method: 'POST', body: JSON.stringify(body) })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { message: string }).message).toMatch(message)
    expect(emu.datasets()).toHaveLength(0)
  })

  test('accepts the check vector 4waSgw== and a 256-character name', async () => {
    const body = {
      name: 'é'.repeat(256),
      spec: {
        source: { kind: 'UploadedNewlineDelimitedJsonFile', sizeBytes: 9, crc32c: '4waSgw==' }
      }
    }
    expect((await api('', { method: 'POST', body })).status).toBe(201)
  })
})

describe('list, get, delete', () => {
  beforeEach(async () => {
    await start()
  })

  test.each(['0', '1001', '-1', 'abc', '1.5', '', '01', '1e2'])('limit=%s is 400', async limit => {
    const res = await api(`?limit=${limit}`)
    expect(res.status).toBe(400)
    expect(((await res.json()) as { message: string }).message).toMatch(/limit/)
  })

  test.each(['1', '0', 'abc', ''])('a page cursor it never issued (%s) is 400', async page => {
    const res = await api(`?page=${page}`)
    expect(res.status).toBe(400)
    expect(((await res.json()) as { message: string }).message).toMatch(/page/)
  })

  test('pages walk every dataset forwards and back with opaque cursors', async () => {
    const ids: string[] = []
    for (let i = 0; i < 7; i++) {
      ids.push(emu.addDataset({ name: `d${i}`, createDate: T0 - (7 - i) * DAY }).id)
    }
    // Two created in the same millisecond: ordered by id.
    clock = T0 - 1
    ids.push((await create(NDJSON, 'x')).id, (await create(NDJSON, 'y')).id)
    ids.splice(7, 2, ...ids.slice(7).sort())

    const seen: string[] = []
    const cursors: string[] = []
    let page: string | null = null
    for (let n = 0; n < 10; n++) {
      const res = await api(`?limit=4${page === null ? '' : `&page=${encodeURIComponent(page)}`}`)
      expect(res.status).toBe(200)
      const body = (await res.json()) as {
        nextPage: string | null
        prevPage: string | null
        data: WireDataset[]
      }
      expect(body.prevPage === null).toBe(n === 0)
      seen.push(...body.data.map(d => d.id))
      page = body.nextPage
      if (page === null) break
      expect(page).not.toMatch(/^\d+$/)
      cursors.push(page)
    }
    expect(seen).toEqual(ids)
    expect(cursors).toHaveLength(2)

    // Back from the last page.
    const last = (await (
      await api(`?limit=4&page=${encodeURIComponent(cursors[1] ?? '')}`)
    ).json()) as {
      prevPage: string
      data: WireDataset[]
    }
    expect(last.data.map(d => d.id)).toEqual(ids.slice(8))
    const previous = (await (
      await api(`?limit=4&page=${encodeURIComponent(last.prevPage)}`)
    ).json()) as {
      data: WireDataset[]
    }
    expect(previous.data.map(d => d.id)).toEqual(ids.slice(4, 8))
  })

  test('the default limit is 100 and expired datasets are listed', async () => {
    for (let i = 0; i < 101; i++) {
      emu.addDataset({ name: `old-${i}`, createDate: T0 - 20 * DAY, expiryTime: T0 - DAY })
    }
    const body = (await (await api('')).json()) as { nextPage: string | null; data: WireDataset[] }
    expect(body.data).toHaveLength(100)
    expect(body.nextPage).not.toBeNull()
    expect(body.data[0]?.expiryTime).toBe(T0 - DAY)
  })

  test('get, delete, then 404 for get, delete and the upload', async () => {
    const ds = await create()
    const got = await api(`/${ds.id}`)
    expect(got.status).toBe(200)
    expect(await got.json()).toEqual(ds)
    const del = await api(`/${ds.id}`, { method: 'DELETE' })
    expect(del.status).toBe(200)
    expect(await del.json()).toEqual({ id: ds.id, deleted: true })
    expect((await api(`/${ds.id}`)).status).toBe(404)
    expect((await api(`/${ds.id}`, { method: 'DELETE' })).status).toBe(404)
    expect(emu.dataset(ds.id)).toBeUndefined()
    const upload = await put(ds)
    expect(upload.status).toBe(404)
    expect(xmlCode(upload.text)).toBe('NoSuchKey')
  })
})

describe('upload host', () => {
  test('a good upload is stored and the status moves on with the clock', async () => {
    await start({ processingMs: 5000 })
    const ds = await create()
    clock += 1000
    const answer = await put(ds)
    expect(answer.status).toBe(200)
    expect(answer.headers['x-goog-hash']).toBe(`crc32c=${referenceCrc32cBase64(NDJSON)}`)
    expect(emu.uploadedBytes(ds.id)).toEqual(NDJSON)

    let now = emu.dataset(ds.id)
    expect(now?.status).toMatchObject({
      overview: 'Processing',
      updateTime: T0 + 1000,
      itemCount: 0
    })
    expect(now?.status.source.uploadUrl).toBeUndefined()
    expect(now?.updateDate).toBe(T0 + 1000)
    clock += 4999
    expect(emu.dataset(ds.id)?.status.overview).toBe('Processing')
    clock += 1
    now = emu.dataset(ds.id)
    // Three items: the blank line does not count, the unterminated last line does.
    expect(now?.status).toMatchObject({
      overview: 'Uploaded',
      message: 'Uploaded Dataset',
      itemCount: 3
    })
    expect(now?.updateDate).toBe(T0 + 6000)
    const got = (await (await api(`/${ds.id}`)).json()) as WireDataset
    expect(got).toEqual(now)
  })

  test('the dataset is Uploading while the body arrives', async () => {
    await start()
    const ds = await create()
    const up = uploadOf(ds)
    let during: string | undefined
    const answer = await raw(up.url, {
      headers: up.headers,
      body: NDJSON,
      pauseAfterHalf: async () => {
        await until(() => (emu.requests[1]?.bodyBytes ?? 0) > 0)
        during = emu.dataset(ds.id)?.status.overview
      }
    })
    expect(during).toBe('Uploading')
    expect(answer.status).toBe(200)
    expect(emu.dataset(ds.id)?.status.overview).toBe('Uploaded')
  })

  test('finalStatus, itemCountOverride and keepUploads false', async () => {
    await start({ finalStatus: 'FailedProcessing', itemCountOverride: 50, keepUploads: false })
    const ds = await create()
    expect((await put(ds)).status).toBe(200)
    expect(emu.dataset(ds.id)?.status).toMatchObject({
      overview: 'FailedProcessing',
      message: 'Failed to process dataset',
      itemCount: 50
    })
    expect(emu.uploadedBytes(ds.id)).toBeUndefined()
  })

  test('an unknown final status is reported as is', async () => {
    await start({ finalStatus: 'Validating' })
    const ds = await create()
    expect((await put(ds)).status).toBe(200)
    expect(emu.dataset(ds.id)?.status).toMatchObject({
      overview: 'Validating',
      message: 'Validating'
    })
  })

  test('a Secret-Key header is refused first (400 UnexpectedCredential) and recorded', async () => {
    await start()
    const ds = await create()
    const headers = { ...uploadOf(ds).headers, 'Secret-Key': emu.secretKey }
    const answer = await put(ds, NDJSON, headers)
    expect(answer.status).toBe(400)
    expect(xmlCode(answer.text)).toBe('UnexpectedCredential')
    expect(answer.text).toMatch(/^<\?xml version='1.0' encoding='UTF-8'\?><Error><Code>/)
    const uploads = emu.requests.filter(r => r.server === 'upload')
    expect(uploads[0]?.headers['secret-key']).toBe(emu.secretKey)
    expect(uploads[0]?.answered).toBe(400)
    expect(emu.dataset(ds.id)?.status.overview).toBe('Waiting')
  })

  test.each<[string, (h: Record<string, string>) => Record<string, string>]>([
    ['content-type missing', ({ 'content-type': _, ...h }) => h],
    ['x-goog-hash missing', ({ 'x-goog-hash': _, ...h }) => h],
    ['x-goog-if-generation-match missing', ({ 'x-goog-if-generation-match': _, ...h }) => h],
    ['the dataset link missing', ({ 'x-goog-meta-datature-dataset-link': _, ...h }) => h],
    ['content-type changed', h => ({ ...h, 'content-type': 'application/json' })],
    ['x-goog-hash changed', h => ({ ...h, 'x-goog-hash': 'crc32c=AAAAAA==' })],
    ['the dataset link changed', h => ({ ...h, 'x-goog-meta-datature-dataset-link': 'x' })],
    ['an unsigned x-goog header', h => ({ ...h, 'x-goog-meta-extra': '1' })]
  ])('%s is 403 SignatureDoesNotMatch', async (_what, change) => {
    await start()
    const ds = await create()
    const answer = await put(ds, NDJSON, change(uploadOf(ds).headers))
    expect(answer.status).toBe(403)
    expect(xmlCode(answer.text)).toBe('SignatureDoesNotMatch')
    expect(emu.dataset(ds.id)?.status.overview).toBe('Waiting')
    // The URL still works with the right headers.
    expect((await put(ds)).status).toBe(200)
  })

  test('a different content-length and a chunked body are 403', async () => {
    await start()
    const ds = await create()
    const { url, headers } = uploadOf(ds)
    const shorter = NDJSON.subarray(1)
    const wrongLength = await raw(url, {
      headers: { ...headers, 'content-length': String(shorter.length) },
      body: shorter
    })
    expect(wrongLength.status).toBe(403)
    const { 'content-length': _, ...noLength } = headers
    const chunked = await raw(url, {
      headers: { ...noLength, 'transfer-encoding': 'chunked' },
      body: NDJSON
    })
    expect(chunked.status).toBe(403)
    expect(xmlCode(chunked.text)).toBe('SignatureDoesNotMatch')
    expect(chunked.text).toMatch(/Transfer-Encoding/)
    expect(emu.requests.at(-1)?.headers['transfer-encoding']).toBe('chunked')
  })

  test('another method, a changed URL or missing parameters are 403', async () => {
    await start()
    const ds = await create()
    const { url, headers } = uploadOf(ds)
    const post = await raw(url, { method: 'POST', headers, body: NDJSON })
    expect(post.status).toBe(403)
    expect(xmlCode(post.text)).toBe('SignatureDoesNotMatch')

    const longer = url.replace(/X-Goog-Expires=\d+/, 'X-Goog-Expires=604800')
    const otherPath = url.replace('/dataset.ndjson', '/other.ndjson')
    const extra = `${url}&x=1`
    const noSignature = url.replace(/&X-Goog-Signature=[0-9a-f]+/, '')
    const flipped = url.endsWith('0') ? '1' : '0'
    const badSignature = url.slice(0, -1) + flipped
    const bare = url.split('?')[0] ?? ''
    for (const changed of [longer, otherPath, extra, noSignature, badSignature, bare]) {
      const answer = await raw(changed, { headers, body: NDJSON })
      expect([changed, answer.status, xmlCode(answer.text)]).toEqual([
        changed,
        403,
        'SignatureDoesNotMatch'
      ])
    }
    expect(emu.dataset(ds.id)?.status.overview).toBe('Waiting')
  })

  test('the URL works until expiresAtTime, then 400 ExpiredToken', async () => {
    await start()
    const ds = await create()
    const expiresAt = ds.status.source.uploadUrl?.expiresAtTime ?? 0
    clock = expiresAt
    const expired = await put(ds)
    expect(expired.status).toBe(400)
    expect(xmlCode(expired.text)).toBe('ExpiredToken')
    // Expiry is checked before the headers, like GCS.
    const expiredAndWrong = await put(ds, NDJSON, {
      ...uploadOf(ds).headers,
      'content-type': 'x/y'
    })
    expect(xmlCode(expiredAndWrong.text)).toBe('ExpiredToken')
    clock = expiresAt - 1
    expect((await put(ds)).status).toBe(200)
  })

  test('a body that does not match x-goog-hash is 400 BadDigest and nothing is stored', async () => {
    await start()
    const ds = await create()
    const other = Buffer.from(NDJSON)
    other[0] = 0x5b
    const answer = await put(ds, other)
    expect(answer.status).toBe(400)
    expect(xmlCode(answer.text)).toBe('BadDigest')
    expect(emu.uploadedBytes(ds.id)).toBeUndefined()
    expect(emu.dataset(ds.id)?.status.overview).toBe('Waiting')
    expect((await put(ds)).status).toBe(200)
  })

  test('a second upload is 412 PreconditionFailed and changes nothing', async () => {
    await start()
    const ds = await create()
    expect((await put(ds)).status).toBe(200)
    const again = await put(ds)
    expect(again.status).toBe(412)
    expect(xmlCode(again.text)).toBe('PreconditionFailed')
    expect(emu.uploadedBytes(ds.id)).toEqual(NDJSON)
  })

  test('of two concurrent uploads the first to finish wins; the other gets 412', async () => {
    await start()
    const ds = await create()
    const up = uploadOf(ds)
    let releaseSlow: () => void = () => undefined
    const slowReleased = new Promise<void>(resolve => (releaseSlow = resolve))
    const slow = raw(up.url, {
      headers: up.headers,
      body: NDJSON,
      pauseAfterHalf: () => slowReleased
    })
    await until(() => (emu.requests[1]?.bodyBytes ?? 0) > 0)
    expect((await put(ds)).status).toBe(200)
    releaseSlow()
    const late = await slow
    expect(late.status).toBe(412)
    expect(emu.dataset(ds.id)?.status.overview).toBe('Uploaded')
  })

  test('an upload the client abandons stores nothing and leaves the dataset Waiting', async () => {
    await start()
    const ds = await create()
    const big = Buffer.alloc(1 << 20, 0x7b)
    const bigDs = await create(big, 'big')
    await expect(
      raw(uploadOf(bigDs).url, {
        headers: uploadOf(bigDs).headers,
        body: big,
        abortAfterHalf: true
      })
    ).rejects.toThrow()
    await until(() => emu.requests.at(-1)?.answered === 'dropped')
    expect(emu.dataset(bigDs.id)?.status.overview).toBe('Waiting')
    expect(emu.uploadedBytes(bigDs.id)).toBeUndefined()
    expect((await put(bigDs, big)).status).toBe(200)
    expect((await put(ds)).status).toBe(200)
  })

  test('the API host does not take uploads and the upload host does not serve the API', async () => {
    await start()
    const ds = await create()
    const onApi = await raw(uploadOf(ds).url.replace(emu.uploadOrigin, emu.apiUrl), {
      headers: uploadOf(ds).headers,
      body: NDJSON
    })
    expect(onApi.status).toBe(403)
    const onUpload = await fetch(`${emu.uploadOrigin}/projects/${emu.projectId}/batch/datasets`)
    expect(onUpload.status).toBe(403)
    expect(xmlCode(await onUpload.text())).toBe('SignatureDoesNotMatch')
  })
})

describe('seeding and status control', () => {
  test('addDataset seeds expired and Waiting datasets', async () => {
    await start()
    const old = emu.addDataset({
      name: 'old',
      itemCount: 7,
      createDate: T0 - 20 * DAY,
      expiryTime: T0 - DAY
    })
    expect(old).toMatchObject({
      name: 'old',
      createDate: T0 - 20 * DAY,
      expiryTime: T0 - DAY,
      status: { overview: 'Uploaded', itemCount: 7, updateTime: T0 - 20 * DAY }
    })
    expect(old.status.source.uploadUrl).toBeUndefined()
    const waiting = emu.addDataset({ name: 'w', status: 'Waiting' })
    expect(waiting.expiryTime).toBe(T0 + 10 * DAY)
    const up = uploadOf(waiting)
    expect(up.headers['content-length']).toBe('3')
    expect((await raw(up.url, { headers: up.headers, body: Buffer.from('{}\n') })).status).toBe(200)
    expect(emu.dataset(waiting.id)?.status).toMatchObject({ overview: 'Uploaded', itemCount: 1 })
    // A seeded Uploaded dataset already has its object.
    expect(emu.datasets().map(d => d.name)).toEqual(['old', 'w'])
  })

  test('setStatus forces a status and keeps the item count unless given', async () => {
    await start()
    const ds = emu.addDataset({ name: 'p', status: 'Processing' })
    clock += 10
    emu.setStatus(ds.id, 'Uploaded', 12)
    expect(emu.dataset(ds.id)?.status).toMatchObject({
      overview: 'Uploaded',
      itemCount: 12,
      updateTime: T0 + 10
    })
    expect(emu.dataset(ds.id)?.updateDate).toBe(T0 + 10)
    emu.setStatus(ds.id, 'Processed')
    expect(emu.dataset(ds.id)?.status.itemCount).toBe(12)
    expect(() => emu.setStatus('dataset_missing', 'Uploaded')).toThrow(/no dataset/)
  })
})

describe('faults', () => {
  beforeEach(async () => {
    await start()
  })

  test('respond answers instead of handling, with no side effects', async () => {
    emu.fault({
      server: 'api',
      method: 'POST',
      path: `/projects/${emu.projectId}/batch/datasets`,
      respond: {
        status: 503,
        headers: { 'content-type': 'application/json' },
        body: '{"message":"busy"}'
      }
    })
    const first = await api('', { method: 'POST', body: createBody() })
    expect(first.status).toBe(503)
    expect(await first.json()).toEqual({ message: 'busy' })
    expect(emu.datasets()).toHaveLength(0)
    await create()
    expect(emu.requests.map(r => r.answered)).toEqual([503, 201])
    expect(emu.requests[0]?.bodyBytes).toBeGreaterThan(0)
  })

  test('drop before: no answer and no dataset', async () => {
    emu.fault({ server: 'api', method: 'POST', drop: 'before' })
    await expect(api('', { method: 'POST', body: createBody() })).rejects.toThrow()
    expect(emu.datasets()).toHaveLength(0)
    expect(emu.requests[0]?.answered).toBe('dropped')
  })

  test('drop after: the dataset exists but the answer is lost', async () => {
    emu.fault({ server: 'api', method: 'POST', drop: 'after' })
    await expect(api('', { method: 'POST', body: createBody() })).rejects.toThrow()
    expect(emu.datasets()).toHaveLength(1)
    expect(emu.requests[0]?.answered).toBe('dropped')
  })

  test('drop after on the upload: stored, and the retry gets 412', async () => {
    const ds = await create()
    emu.fault({ server: 'upload', drop: 'after' })
    await expect(put(ds)).rejects.toThrow()
    expect(emu.uploadedBytes(ds.id)).toEqual(NDJSON)
    expect((await put(ds)).status).toBe(412)
  })

  test('mid-body on the upload: cut about halfway, nothing stored', async () => {
    const big = Buffer.alloc(1 << 20, 0x7b)
    const ds = await create(big)
    emu.fault({ server: 'upload', method: 'PUT', drop: 'mid-body' })
    await expect(put(ds, big)).rejects.toThrow()
    const record = emu.requests.at(-1)
    expect(record?.answered).toBe('dropped')
    expect(record?.bodyBytes).toBeGreaterThanOrEqual(big.length / 2)
    expect(record?.bodyBytes).toBeLessThan(big.length)
    expect(emu.dataset(ds.id)?.status.overview).toBe('Waiting')
    expect(emu.uploadedBytes(ds.id)).toBeUndefined()
    expect((await put(ds, big)).status).toBe(200)
  })

  test('mid-body on a small API body: nothing created', async () => {
    emu.fault({ server: 'api', drop: 'mid-body' })
    await expect(api('', { method: 'POST', body: createBody() })).rejects.toThrow()
    expect(emu.datasets()).toHaveLength(0)
    await create()
  })

  test('delay, then handled normally', async () => {
    emu.fault({ server: 'api', delayMs: 150 })
    const started = Date.now()
    const res = await api('')
    expect(res.status).toBe(200)
    expect(Date.now() - started).toBeGreaterThanOrEqual(140)
  })

  test('skip and times count matching requests; rules apply in turn', async () => {
    emu.fault({
      method: 'GET',
      path: /\/batch\/datasets$/,
      skip: 1,
      times: 2,
      respond: { status: 500 }
    })
    emu.fault({ server: 'upload', respond: { status: 503 } })
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) statuses.push((await api('')).status)
    expect(statuses).toEqual([200, 500, 500, 200])

    emu.clearFaults()
    emu.fault({ method: 'GET', respond: { status: 502 } })
    emu.fault({ method: 'GET', respond: { status: 504 } })
    emu.fault({ method: 'GET', skip: 1, respond: { status: 429 } })
    const next: number[] = []
    for (let i = 0; i < 4; i++) next.push((await api('')).status)
    // 1st: the first rule; 2nd: the second rule (the third has skipped once, now ready);
    // 3rd: the third rule; 4th: none left.
    expect(next).toEqual([502, 504, 429, 200])
  })

  test('times Infinity keeps applying until cleared; rules can be refused', async () => {
    emu.fault({ server: 'api', times: Infinity, respond: { status: 500 } })
    for (let i = 0; i < 3; i++) expect((await api('')).status).toBe(500)
    emu.clearFaults()
    expect((await api('')).status).toBe(200)
    expect(() => emu.fault({ server: 'api' })).toThrow()
    expect(() => emu.fault({ drop: 'before', hang: true })).toThrow()
    expect(() => emu.fault({ hang: true, times: 0 })).toThrow()
  })

  test('hang: never answered, and close() ends it promptly', async () => {
    emu.fault({ server: 'api', hang: true })
    emu.fault({ server: 'api', delayMs: 60_000 })
    const hung = api('')
    const delayed = api('')
    hung.catch(() => undefined)
    delayed.catch(() => undefined)
    await until(() => emu.requests.length === 2)
    expect(emu.requests[0]?.answered).toBe('hung')
    const started = Date.now()
    await emu.close()
    expect(Date.now() - started).toBeLessThan(1000)
    await expect(hung).rejects.toThrow()
    await expect(delayed).rejects.toThrow()
    expect(emu.requests[1]?.answered).toBe('dropped')
  })

  test('the server keeps serving after dropped and hung connections', async () => {
    const ds = await create()
    emu.fault({ server: 'upload', drop: 'before' })
    emu.fault({ server: 'upload', hang: true })
    await expect(put(ds)).rejects.toThrow()
    const hung = put(ds)
    hung.catch(() => undefined)
    await until(() => emu.requests.at(-1)?.answered === 'hung')
    expect((await put(ds)).status).toBe(200)
  })
})

describe('Expect: 100-continue', () => {
  beforeEach(async () => {
    await start()
  })

  test('a good upload gets 100 Continue, then its answer', async () => {
    const ds = await create()
    const { url, headers } = uploadOf(ds)
    const answer = await expecting(url, { headers, body: NDJSON })
    expect([answer.status, answer.continued]).toEqual([200, true])
    expect(emu.uploadedBytes(ds.id)).toEqual(NDJSON)
    expect(emu.requests.at(-1)).toMatchObject({
      continued: true,
      bodyBytes: NDJSON.length,
      answered: 200
    })
  })

  type Target = { url: string; method?: string; headers: Record<string, string> }
  test.each<[string, number, string, (ds: WireDataset) => Promise<Target>]>([
    [
      'a Secret-Key header',
      400,
      'UnexpectedCredential',
      async ds => {
        const { url, headers } = uploadOf(ds)
        return { url, headers: { ...headers, 'Secret-Key': emu.secretKey } }
      }
    ],
    [
      'a changed signature',
      403,
      'SignatureDoesNotMatch',
      async ds => {
        const { url, headers } = uploadOf(ds)
        return { url: url.slice(0, -1) + (url.endsWith('0') ? '1' : '0'), headers }
      }
    ],
    [
      'another method',
      403,
      'SignatureDoesNotMatch',
      async ds => ({
        ...uploadOf(ds),
        method: 'POST'
      })
    ],
    [
      'an expired URL',
      400,
      'ExpiredToken',
      async ds => {
        clock = ds.status.source.uploadUrl?.expiresAtTime ?? 0
        return uploadOf(ds)
      }
    ],
    [
      'a changed signed header',
      403,
      'SignatureDoesNotMatch',
      async ds => {
        const { url, headers } = uploadOf(ds)
        return { url, headers: { ...headers, 'content-type': 'text/plain' } }
      }
    ],
    [
      'a deleted dataset',
      404,
      'NoSuchKey',
      async ds => {
        expect((await api(`/${ds.id}`, { method: 'DELETE' })).status).toBe(200)
        return uploadOf(ds)
      }
    ],
    [
      'an object already stored',
      412,
      'PreconditionFailed',
      async ds => {
        expect((await put(ds)).status).toBe(200)
        return uploadOf(ds)
      }
    ]
  ])(
    '%s is refused from the headers alone: no 100, no body read',
    async (_what, status, code, target) => {
      const { url, method, headers } = await target(await create())
      const answer = await expecting(url, { method, headers, body: NDJSON })
      expect([answer.status, xmlCode(answer.text), answer.continued]).toEqual([status, code, false])
      expect(answer.headers.connection).toBe('close')
      expect(emu.requests.at(-1)).toMatchObject({
        server: 'upload',
        continued: false,
        bodyBytes: 0,
        answered: status
      })
    }
  )

  test('a body that does not match x-goog-hash is read first, so BadDigest follows a 100', async () => {
    const ds = await create()
    const { url, headers } = uploadOf(ds)
    const other = Buffer.from(NDJSON)
    other[0] = 0x5b
    const answer = await expecting(url, { headers, body: other })
    expect([answer.status, xmlCode(answer.text), answer.continued]).toEqual([
      400,
      'BadDigest',
      true
    ])
    expect(emu.requests.at(-1)?.bodyBytes).toBe(NDJSON.length)
  })

  test('the API sends 100 for a create body and none to a request without a body', async () => {
    const body = Buffer.from(JSON.stringify(createBody()))
    const created = await expecting(datasetsUrl(), {
      method: 'POST',
      headers: {
        'secret-key': emu.secretKey,
        'content-type': 'application/json',
        'content-length': String(body.length)
      },
      body
    })
    expect([created.status, created.continued]).toEqual([201, true])
    const listed = await expecting(datasetsUrl(), {
      method: 'GET',
      headers: { 'secret-key': emu.secretKey }
    })
    expect([listed.status, listed.continued]).toEqual([200, false])
    expect(emu.requests.map(r => [r.answered, r.continued])).toEqual([
      [201, true],
      [200, false]
    ])
  })

  test('a canned answer goes at once, without 100 and without reading the body', async () => {
    const ds = await create()
    const { url, headers } = uploadOf(ds)
    emu.fault({ server: 'upload', respond: { status: 503, body: 'busy' } })
    const busy = await expecting(url, { headers, body: NDJSON })
    expect([busy.status, busy.text, busy.continued]).toEqual([503, 'busy', false])
    expect(busy.headers.connection).toBe('close')
    expect(emu.requests.at(-1)).toMatchObject({ continued: false, bodyBytes: 0, answered: 503 })
    expect(emu.dataset(ds.id)?.status.overview).toBe('Waiting')
    expect((await expecting(url, { headers, body: NDJSON })).status).toBe(200)
  })

  test('mid-body needs the body, so 100 goes first; hang never sends one', async () => {
    const big = Buffer.alloc(1 << 20, 0x7b)
    const ds = await create(big)
    const { url, headers } = uploadOf(ds)
    emu.fault({ server: 'upload', drop: 'mid-body' })
    await expect(expecting(url, { headers, body: big })).rejects.toThrow()
    const cut = emu.requests.at(-1)
    expect(cut).toMatchObject({ continued: true, answered: 'dropped' })
    expect(cut?.bodyBytes).toBeGreaterThanOrEqual(big.length / 2)

    emu.fault({ server: 'upload', hang: true })
    const hung = expecting(url, { headers, body: big })
    hung.catch(() => undefined)
    await until(() => emu.requests.at(-1)?.answered === 'hung')
    await emu.close()
    await expect(hung).rejects.toThrow()
    expect(emu.requests.at(-1)).toMatchObject({ continued: false, bodyBytes: 0 })
  })
})

describe('early answers and resets', () => {
  beforeEach(async () => {
    await start()
  })

  test('an answer before the body closes the connection; a client still sending meets a reset', async () => {
    const ds = await create()
    const { url, headers } = uploadOf(ds)
    const head = httpHead('PUT', url, { ...headers, 'content-type': 'text/plain' })
    const { text, ending, socket } = await exchange(emu.uploadOrigin, head)
    try {
      const answer = parseAnswer(text)
      expect([answer.status, answer.headers.connection]).toEqual([403, 'close'])
      // Nothing was left unread on the server, so it closed in order; what follows is refused.
      expect(ending).toBe('closed')
      expect(['ECONNRESET', 'EPIPE']).toContain(await sendUntilRefused(socket))
    } finally {
      socket.destroy()
    }
    expect(emu.requests.at(-1)).toMatchObject({ answered: 403, bodyBytes: 0 })
  })

  test('a connection is reused only after a request whose body was read to its end', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    try {
      const ds = await create()
      const { url, headers } = uploadOf(ds)
      const answers: Answer[] = []
      // Stored (body read), then 412 twice (decided from the headers).
      for (let i = 0; i < 3; i++) answers.push(await raw(url, { headers, body: NDJSON, agent }))
      // The API is another origin: a fresh connection, then the same one again.
      const listUrl = datasetsUrl()
      for (let i = 0; i < 2; i++) {
        answers.push(
          await raw(listUrl, { method: 'GET', headers: { 'Secret-Key': emu.secretKey }, agent })
        )
      }
      expect(answers.map(a => [a.status, a.reusedSocket, a.headers.connection])).toEqual([
        [200, false, 'keep-alive'],
        [412, true, 'close'],
        [412, false, 'close'],
        [200, false, 'keep-alive'],
        [200, true, 'keep-alive']
      ])
    } finally {
      agent.destroy()
    }
  })

  test('resetAfterAnswer resets the connection once the whole answer is out', async () => {
    await create()
    emu.fault({ server: 'api', method: 'GET', resetAfterAnswer: true })
    const head = httpHead('GET', datasetsUrl(), { 'Secret-Key': emu.secretKey })
    const { text, ending, socket } = await exchange(emu.apiUrl, head)
    socket.destroy()
    const answer = parseAnswer(text)
    expect([answer.status, answer.headers.connection, ending]).toEqual([200, 'keep-alive', 'reset'])
    expect(Buffer.byteLength(answer.rest)).toBe(Number(answer.headers['content-length']))
    expect(JSON.parse(answer.rest)).toMatchObject({ data: [{ name: 'my-dataset' }] })
    expect((await api('')).status).toBe(200)
  })

  test('resetAfterAnswer goes with an early canned answer to a client waiting for 100', async () => {
    emu.fault({ server: 'upload', respond: { status: 503, body: 'busy' }, resetAfterAnswer: true })
    const head = httpHead('PUT', `${emu.uploadOrigin}/any`, {
      'content-length': '10',
      expect: '100-continue'
    })
    const { text, ending, socket } = await exchange(emu.uploadOrigin, head)
    socket.destroy()
    const answer = parseAnswer(text)
    expect([answer.status, answer.rest, answer.headers.connection, ending]).toEqual([
      503,
      'busy',
      'close',
      'reset'
    ])
    expect(emu.requests.at(-1)).toMatchObject({ continued: false, bodyBytes: 0, answered: 503 })
  })
})

describe('scripted and dripping answers', () => {
  beforeEach(async () => {
    await start()
  })

  test('a script can answer an endless list, each page with a fresh cursor', async () => {
    emu.fault({
      server: 'api',
      method: 'GET',
      path: `/projects/${emu.projectId}/batch/datasets`,
      times: Infinity,
      respond: (request, n) => ({
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          nextPage: `cursor-${n + 1}`,
          prevPage: request.query.page ?? null,
          data: []
        })
      })
    })
    const cursors: string[] = []
    let page: string | null = null
    for (let i = 0; i < 5; i++) {
      const res = await api(page === null ? '' : `?page=${page}`)
      const body = (await res.json()) as { nextPage: string; prevPage: string | null }
      expect(body.prevPage).toBe(page)
      page = body.nextPage
      cursors.push(page)
    }
    expect(cursors).toEqual(['cursor-1', 'cursor-2', 'cursor-3', 'cursor-4', 'cursor-5'])
  })

  test('a script sees the request once its body is in; n counts its own answers', async () => {
    const seen: [number, number][] = []
    emu.fault({
      server: 'api',
      method: 'POST',
      skip: 1,
      times: 2,
      respond: (request, n) => {
        seen.push([n, request.bodyBytes])
        return { status: 503, body: `busy ${n}` }
      }
    })
    const body = JSON.stringify(createBody())
    const answers: [number, string][] = []
    for (let i = 0; i < 4; i++) {
      const res = await api('', { method: 'POST', body })
      answers.push([res.status, res.status === 503 ? await res.text() : ''])
    }
    expect(answers).toEqual([
      [201, ''],
      [503, 'busy 0'],
      [503, 'busy 1'],
      [201, '']
    ])
    expect(seen).toEqual([
      [0, body.length],
      [1, body.length]
    ])
  })

  test("a script's unusable answer becomes the emulator's own 500", async () => {
    emu.fault({ server: 'api', respond: () => ({ status: 200, dripMs: 5 }) })
    const res = await api('')
    expect(res.status).toBe(500)
    expect(((await res.json()) as { message: string }).message).toMatch(/dripMs needs a body/)
  })

  test('a drip: the head at once, then the body byte by byte, round and round', async () => {
    emu.fault({
      server: 'api',
      respond: {
        status: 200,
        headers: { 'Content-Length': '2', 'content-type': 'text/plain' },
        body: 'ab',
        dripMs: 5
      }
    })
    const { headers, text } = await new Promise<{ headers: Answer['headers']; text: string }>(
      (resolve, reject) => {
        const req = request(
          datasetsUrl(),
          { headers: { 'Secret-Key': emu.secretKey }, agent: false },
          res => {
            let text = ''
            res.setEncoding('latin1')
            res.on('data', (chunk: string) => {
              text += chunk
              if (text.length < 5) return
              resolve({ headers: res.headers, text })
              req.destroy()
            })
          }
        )
        req.on('error', reject)
        req.end()
      }
    )
    expect(headers['content-length']).toBeUndefined()
    expect(headers['transfer-encoding']).toBe('chunked')
    expect(text.slice(0, 5)).toBe('ababa')
    expect(emu.requests.at(-1)?.answered).toBe(200)
  })

  test('an upload is read whole, then dripped to until the client goes or close()', async () => {
    const ds = await create()
    const { url, headers } = uploadOf(ds)
    const before = activeTimers()
    emu.fault({ server: 'upload', times: 2, respond: { status: 200, body: 'x', dripMs: 60_000 } })
    const dripping = (): Promise<IncomingMessage> =>
      new Promise((resolve, reject) => {
        const req = request(url, { method: 'PUT', headers, agent: false }, res => {
          res.on('error', () => undefined)
          resolve(res)
        })
        req.on('error', reject)
        req.end(NDJSON)
      })

    const left = await dripping()
    expect(left.statusCode).toBe(200)
    expect(left.headers['content-length']).toBeUndefined()
    expect(emu.requests.at(-1)).toMatchObject({ bodyBytes: NDJSON.length, answered: 200 })
    left.destroy()
    // The minute-long wait for the next byte ends with the client, not a minute later.
    await until(() => activeTimers() <= before, 10_000)

    const cut = await dripping()
    const gone = new Promise(resolve => cut.on('close', resolve))
    cut.resume()
    await emu.close()
    expect(activeTimers()).toBeLessThanOrEqual(before)
    await gone
    expect(emu.dataset(ds.id)?.status.overview).toBe('Waiting')
  })

  test('rules are checked when added', () => {
    const refused: FaultRule[] = [
      { respond: { status: 200, body: 'x', dripMs: 0 } },
      { respond: { status: 200, body: 'x', dripMs: 0.5 } },
      { respond: { status: 200, body: 'x', dripMs: Infinity } },
      { respond: { status: 200, dripMs: 5 } },
      { respond: { status: 101 } },
      { respond: { status: 600 } },
      { answerDelayMs: -1 },
      { resetAfterAnswer: false },
      { respond: () => ({ status: 200 }), hang: true }
    ]
    for (const rule of refused) expect(() => emu.fault(rule)).toThrow()
    const accepted: FaultRule[] = [
      { resetAfterAnswer: true },
      { respond: () => ({ status: 200 }) },
      { respond: { status: 200, body: 'x', dripMs: 1 }, resetAfterAnswer: true },
      { drop: 'after', resetAfterAnswer: true }
    ]
    for (const rule of accepted) expect(() => emu.fault(rule)).not.toThrow()
  })
})

describe('close', () => {
  test('can be called twice and frees the ports', async () => {
    await start()
    const url = emu.apiUrl
    await Promise.all([emu.close(), emu.close()])
    await expect(fetch(url)).rejects.toThrow()
  })
})
