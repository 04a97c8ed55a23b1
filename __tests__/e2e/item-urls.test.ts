import { describe, expect, test } from '@jest/globals'
import {
  creds,
  uploads,
  useEmulators,
  useItemServers,
  workspaceWith,
  type ItemRoute,
  type ItemServer
} from '../support/e2e.js'
import { signedUrls } from '../support/signed-urls.js'
import { expectSuccess, runAction, type ActionRun } from '../../scripts/run-action.js'

const start = useEmulators()
const serveItems = useItemServers()
const HOUR = 3_600_000

/** An NDJSON file of one item per url. */
const itemsOf = (urls: string[]): string => urls.map(url => `${JSON.stringify({ url })}\n`).join('')

/** The annotations a run made on the file: [level, line, title, message]. */
function annotations(run: ActionRun): Array<[string, string, string, string]> {
  return run.commands
    .filter(c => (c.command === 'warning' || c.command === 'error') && c.props.file)
    .map(c => [c.command, c.props.line, c.props.title, c.message])
}

/** The run's warnings without a place: one per kind of problem. */
const warnings = (run: ActionRun): string[] =>
  run.commands.filter(c => c.command === 'warning' && !c.props.file).map(c => c.message)

/** `check` of `urls` in items.ndjson, with more inputs. */
function check(urls: string[], inputs: Record<string, string> = {}): Promise<ActionRun> {
  return runAction(
    { operation: 'check', path: 'items.ndjson', ...inputs },
    { workspace: workspaceWith({ 'items.ndjson': itemsOf(urls) }) }
  )
}

/** An item server, and the urls of `paths` on it. */
async function itemsAt(routes: Record<string, ItemRoute>, paths = Object.keys(routes)) {
  const server: ItemServer = await serveItems(routes)
  return { server, urls: paths.map(p => `${server.origin}${p}`) }
}

describe('item URLs: the offline checks', () => {
  test('repeated URLs: counted, the first named in a warning, the first 10 annotated', async () => {
    const urls = ['https://x/1.jpg', 'https://x/2.jpg', 'https://x/1.jpg', 'https://x/3.jpg']
    for (let n = 0; n < 12; n++) urls.push('https://x/2.jpg')
    const run = expectSuccess(await check(urls))
    expect(run.outputs['duplicate-urls']).toBe('13')
    expect(run.outputs['non-http-urls']).toBe('0')
    expect(warnings(run)).toEqual([
      'items.ndjson: 13 items repeat the url of an earlier item. The first: line 3 repeats the url of line 1.'
    ])
    expect(annotations(run)).toEqual([
      ['warning', '3', 'Repeated item URL', 'items.ndjson:3: repeats the url of line 1'],
      ...[5, 6, 7, 8, 9, 10, 11, 12, 13].map(line => [
        'warning',
        String(line),
        'Repeated item URL',
        `items.ndjson:${line}: repeats the url of line 2`
      ])
    ])
    expect(run.summary).toContain(
      '<th align="left">Repeated</th><td>13: line 3 (as 1), 5 (as 2), 6 (as 2), …</td>'
    )
  })

  test('URLs that are not http(s) with a host: counted, named with what they are', async () => {
    const urls = [
      'https://x/ok.jpg',
      's3://bucket/a.jpg',
      'gs://bucket/b.jpg',
      'images/c.jpg',
      'file:///data/d.jpg',
      'https://x/e f.jpg',
      'http:///g.jpg'
    ]
    const run = expectSuccess(await check(urls))
    expect(run.outputs['non-http-urls']).toBe('6')
    expect(warnings(run)).toEqual([
      'items.ndjson: 6 items have a url that is not an http(s) URL with a host. The first: line 2 has a url that is not http(s), "s3://bucket/a.jpg": its scheme is s3:.'
    ])
    expect(annotations(run).map(([, line, , message]) => [line, message])).toEqual([
      [
        '2',
        'items.ndjson:2: has a url that is not http(s), "s3://bucket/a.jpg": its scheme is s3:'
      ],
      [
        '3',
        'items.ndjson:3: has a url that is not http(s), "gs://bucket/b.jpg": its scheme is gs:'
      ],
      [
        '4',
        'items.ndjson:4: has a url that is not http(s), "images/c.jpg": it is a relative path, not an absolute URL'
      ],
      [
        '5',
        'items.ndjson:5: has a url that is not http(s), "file:///data/d.jpg": its scheme is file:'
      ],
      [
        '6',
        'items.ndjson:6: has a url that is not http(s), "https://x/e f.jpg": it holds a space or a control character'
      ],
      ['7', 'items.ndjson:7: has a url that is not http(s), "http:///g.jpg": it has no host']
    ])
  })

  test('signed URLs of each family: those expiring within url-min-lifetime are found', async () => {
    const now = Math.floor(Date.now() / 1000) * 1000
    const expired = signedUrls(now - 5 * HOUR)
    const soon = signedUrls(now + HOUR / 2)
    const fresh = signedUrls(now + 24 * HOUR)
    const n = expired.length
    const urls = [...fresh, ...expired, ...soon].map(([, url]) => url)
    const run = expectSuccess(await check(urls))
    expect(run.outputs['expiring-urls']).toBe(String(2 * n))
    expect(warnings(run)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^items\\.ndjson: ${2 * n} items have a signed url that expires within 1h \\(url-min-lifetime\\)\\. The first: line ${n + 1} has a url whose AWS SigV4 signature expired 5 h ago \\(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC\\)\\.$`
        )
      )
    ])
    // Every family, expired or about to: the first ten are annotated, the fresh ones never.
    const expected = [...expired, ...soon].map(([scheme], k) => [String(n + 1 + k), scheme])
    expect(
      annotations(run).map(([level, line, title, message]) => {
        expect([level, title]).toEqual(['warning', 'Item URL expires too soon'])
        return [line, /whose (.+) signature/.exec(message)?.[1]]
      })
    ).toEqual(expected.slice(0, 10))
    expect(annotations(run)[n]?.[3]).toMatch(/signature expires in 30 min \(/)

    // A longer lifetime takes in the fresh ones too.
    const longer = expectSuccess(await check(urls, { 'url-min-lifetime': '2d' }))
    expect(longer.outputs['expiring-urls']).toBe(String(3 * n))
  })

  test('url-problems: fail stops the step before any request to Nexus, naming the counts', async () => {
    const e = await start()
    const expired = signedUrls(Date.now() - HOUR)[0][1]
    const file = itemsOf(['https://x/1.jpg', 's3://b/2.jpg', 'https://x/1.jpg', expired])
    const workspace = workspaceWith({ 'items.ndjson': file })
    const inputs = { path: 'items.ndjson', 'poll-interval': '0.05', ...creds(e) }
    const failed = await runAction({ ...inputs, 'url-problems': 'fail' }, { workspace })
    expect(failed.code).toBe(1)
    expect(failed.failure).toBe(
      "items.ndjson has item URL problems (url-problems: fail): 1 repeated, 1 not http(s), 1 expiring within 1h. Nothing was created. Fix those items (the annotations and the job summary's Item URLs name the first lines of each kind), or set `url-problems: warn` to go on anyway."
    )
    expect(e.requests).toHaveLength(0)
    expect(annotations(failed).map(([level, line]) => [level, line])).toEqual([
      ['error', '3'],
      ['error', '2'],
      ['error', '4']
    ])
    expect(failed.outputs).toMatchObject({
      'duplicate-urls': '1',
      'non-http-urls': '1',
      'expiring-urls': '1'
    })

    // With warn, the default, the same file is created and uploaded.
    const warned = expectSuccess(await runAction(inputs, { workspace }))
    expect(uploads(e)).toHaveLength(1)
    expect(annotations(warned).every(([level]) => level === 'warning')).toBe(true)

    const checked = await runAction(
      { operation: 'check', path: 'items.ndjson', 'url-problems': 'fail' },
      { workspace }
    )
    expect(checked.code).toBe(1)
    expect(checked.failure).toMatch(
      /\(url-problems: fail\): 1 repeated, 1 not http\(s\), 1 expiring within 1h\. Fix those items \(the annotations and the job summary's Item URLs name the first lines of each kind\), or set `url-problems: warn` to go on anyway\.$/
    )
  })
})

describe('item URLs: the sample', () => {
  test('check with url-sample: 0 makes no request at all', async () => {
    const e = await start()
    const { server, urls } = await itemsAt({ '/a.jpg': 200, '/b.jpg': 404 })
    const run = expectSuccess(
      await check(urls, { 'url-allow-private': 'true', 'api-url': e.apiUrl })
    )
    expect(server.requests).toEqual([])
    expect(e.requests).toEqual([])
    expect(run.outputs).toMatchObject({ 'urls-sampled': '0', 'urls-unreachable': '0' })
    expect(run.summary).toContain('none (<code>url-sample: 0</code>)')
  })

  test('404 and 403 are unreachable; a HEAD refused with 405 is tried with GET', async () => {
    const { server, urls } = await itemsAt({
      '/ok.jpg': 200,
      '/missing.jpg': 404,
      '/private.jpg': 403,
      '/no-head.jpg': { HEAD: 405, GET: 206 }
    })
    const run = expectSuccess(
      await check(urls, { 'url-sample': '20', 'url-allow-private': 'true' })
    )
    expect(run.outputs).toMatchObject({ 'urls-sampled': '4', 'urls-unreachable': '2' })
    expect(warnings(run)).toEqual([
      'items.ndjson: 2 of 4 sampled item URLs are unreachable. The first: line 2 has a url that is unreachable: 404: the object is missing.'
    ])
    expect(annotations(run)).toEqual([
      [
        'warning',
        '2',
        'Unreachable item URL',
        'items.ndjson:2: has a url that is unreachable: 404: the object is missing'
      ],
      [
        'warning',
        '3',
        'Unreachable item URL',
        'items.ndjson:3: has a url that is unreachable: 403: a private object, or a bad or expired signature'
      ]
    ])
    const sent = (path: string) =>
      server.requests.filter(r => r.path === path).map(r => [r.method, r.headers.range])
    expect(sent('/no-head.jpg')).toEqual([
      ['HEAD', undefined],
      ['GET', 'bytes=0-0']
    ])
    expect(sent('/private.jpg')).toEqual([
      ['HEAD', undefined],
      ['GET', 'bytes=0-0']
    ])
    expect(sent('/missing.jpg')).toEqual([['HEAD', undefined]])
    expect(sent('/ok.jpg')).toEqual([['HEAD', undefined]])
  })

  test('loopback URLs are refused without url-allow-private, and requested with it', async () => {
    const { server, urls } = await itemsAt({ '/a.jpg': 200 })
    const refused = expectSuccess(await check(urls, { 'url-sample': '5' }))
    expect(server.requests).toEqual([])
    expect(refused.outputs).toMatchObject({ 'urls-sampled': '1', 'urls-unreachable': '1' })
    expect(annotations(refused)).toEqual([
      [
        'warning',
        '1',
        'Unreachable item URL',
        'items.ndjson:1: has a url that is unreachable: 127.0.0.1 is a loopback address; set url-allow-private: true for self-hosted storage'
      ]
    ])

    const allowed = expectSuccess(
      await check(urls, { 'url-sample': '5', 'url-allow-private': 'true' })
    )
    expect(server.requests.map(r => [r.method, r.path])).toEqual([['HEAD', '/a.jpg']])
    expect(allowed.outputs).toMatchObject({ 'urls-sampled': '1', 'urls-unreachable': '0' })
  })

  test('no credential is sent with an item URL: no key, no cookie, no Authorization', async () => {
    const e = await start()
    const server = await serveItems({ '/a.jpg': { HEAD: 403, GET: 206 } })
    const url = `http://user:password@${server.origin.slice('http://'.length)}/a.jpg`
    const workspace = workspaceWith({ 'items.ndjson': itemsOf([url]) })
    expectSuccess(
      await runAction(
        {
          path: 'items.ndjson',
          'poll-interval': '0.05',
          'url-sample': '1',
          'url-allow-private': 'true',
          ...creds(e)
        },
        { workspace }
      )
    )
    expect(server.requests.map(r => r.method)).toEqual(['HEAD', 'GET'])
    for (const { headers } of server.requests) {
      expect(Object.keys(headers).sort()).toEqual(expect.arrayContaining(['host', 'user-agent']))
      const others = Object.keys(headers).filter(
        name => !['host', 'user-agent', 'connection', 'range'].includes(name)
      )
      expect(others).toEqual([])
      expect(JSON.stringify(headers)).not.toContain(e.secretKey)
    }
    expect(uploads(e)).toHaveLength(1)
  })

  test('url-problems: fail: an unreachable sampled item fails the step before the create', async () => {
    const e = await start()
    const { urls } = await itemsAt({ '/gone.jpg': 404 })
    const run = await runAction(
      {
        path: 'items.ndjson',
        'url-sample': '1',
        'url-allow-private': 'true',
        'url-problems': 'fail',
        ...creds(e)
      },
      { workspace: workspaceWith({ 'items.ndjson': itemsOf(urls) }) }
    )
    expect(run.code).toBe(1)
    expect(run.failure).toBe(
      "items.ndjson has item URL problems (url-problems: fail): 1 of 1 sampled unreachable. Nothing was created. Fix those items (the annotations and the job summary's Item URLs name the first lines of each kind), or set `url-problems: warn` to go on anyway."
    )
    expect(e.requests).toHaveLength(0)
  })

  test('the sample is picked at random across the file, and the same on a re-run', async () => {
    const paths = Array.from({ length: 60 }, (_, n) => `/${n}.jpg`)
    const { server, urls } = await itemsAt({}, paths)
    const workspace = workspaceWith({ 'items.ndjson': itemsOf(urls) })
    const inputs = { operation: 'check', path: 'items.ndjson', 'url-sample': '6' }
    const allow = { 'url-allow-private': 'true' }
    expectSuccess(await runAction({ ...inputs, ...allow }, { workspace }))
    const first = server.requests.map(r => r.path).sort()
    server.requests.length = 0
    expectSuccess(await runAction({ ...inputs, ...allow }, { workspace }))
    const again = server.requests.map(r => r.path).sort()
    expect(new Set(first).size).toBe(6)
    expect(again).toEqual(first)
    // Not simply the first six.
    expect(first).not.toEqual(paths.slice(0, 6).sort())
  })
})
