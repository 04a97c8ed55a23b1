import { describe, expect, jest, test } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'

const setSecret = jest.fn<(value: string) => void>()
jest.unstable_mockModule('@actions/core', () => ({ setSecret }))
const inputsModule = await import('../../src/action/inputs.js')
const { OPERATIONS } = await import('../../src/operations/context.js')
type Operation = import('../../src/operations/context.js').Operation
type ByOperation = import('../../src/operations/context.js').InputsByOperation
const { isLoopback } = await import('../../src/net/loopback.js')
const { InputError } = await import('../../src/shared/errors.js')

const KEY = 'sk_test_abcdef'
const PROJECT = 'proj_0123456789abcdef0123456789abcdef'
const ID = 'dataset_8f14e45f-ea9c-4b6e-9d7a-1c2b3d4e5f60'

/** Inputs as a runner would give them (each name read through the getter), and the environment. */
interface Given {
  inputs: Record<string, string>
  env: Record<string, string>
}

function env(inputs: Record<string, string>, extra: Record<string, string> = {}): Given {
  return { inputs, env: extra }
}

const getter = (given: Given) => (name: string) => given.inputs[name] ?? ''
/** Any operation's inputs, each field optional: what a test reads of whichever it got. */
type SomeInputs = { operation: Operation } & Partial<
  ByOperation['create'] & ByOperation['list'] & ByOperation['cleanup'] & ByOperation['delete']
>
const readInputs = (given: Given): SomeInputs => inputsModule.readInputs(getter(given), given.env)
const unusedInputs = (operation: 'list', given: Given) =>
  inputsModule.unusedInputs(operation, getter(given))

function base(inputs: Record<string, string> = {}) {
  return env({ 'secret-key': KEY, 'project-id': PROJECT, ...inputs })
}

/** The error readInputs refuses `given` with; fails the test unless it is an InputError. */
function refusal(given: Given): Error {
  try {
    readInputs(given)
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    return error as Error
  }
  throw new Error(`readInputs accepted ${JSON.stringify(given.inputs)}`)
}

describe('operation check', () => {
  test('reads no credentials, masks nothing, needs no API settings', () => {
    setSecret.mockClear()
    const inputs = readInputs(
      env(
        { operation: 'check', path: 'a.ndjson', 'secret-key': 'sk_x' },
        { DATATURE_SECRET_KEY: 'sk_env', DATATURE_PROJECT_ID: 'bad id' }
      )
    )
    expect(inputs.operation).toBe('check')
    expect(inputs.api).toBeUndefined()
    expect(inputs.path).toBe('a.ndjson')
    expect(setSecret).not.toHaveBeenCalled()
  })

  test('requires path, with the operation named', () => {
    expect(() => readInputs(env({ operation: 'check' }))).toThrow(
      'Input "path" is required for operation check: the NDJSON file to check.'
    )
  })

  test('an unknown operation still masks the key first', () => {
    setSecret.mockClear()
    expect(() => readInputs(base({ operation: 'chek' }))).toThrow(
      /"operation" must be one of create, check, get, list, delete, wait, cleanup; got "chek"/
    )
    expect(setSecret).toHaveBeenCalledWith(KEY)
  })
})

describe('if-exists', () => {
  test.each(['create', 'reuse', 'fail', 'REUSE'])('%s is accepted', value => {
    expect(readInputs(base({ path: 'a.ndjson', 'if-exists': value })).ifExists).toBe(
      value.toLowerCase()
    )
  })

  test('defaults to create, and refuses anything else', () => {
    expect(readInputs(base({ path: 'a.ndjson' })).ifExists).toBe('create')
    expect(() => readInputs(base({ path: 'a.ndjson', 'if-exists': 'skip' }))).toThrow(
      'Input "if-exists" must be one of create, reuse, fail; got "skip".'
    )
  })
})

describe('readInputs', () => {
  test.each([
    [
      'create',
      { path: 'data.ndjson' },
      {
        wait: true,
        timeoutMs: 1_800_000,
        pollIntervalMs: 5000,
        ifExists: 'create',
        path: 'data.ndjson',
        urlProblems: 'warn',
        urlMinLifetime: { ms: 3_600_000, text: '1h' },
        urlSample: 0,
        urlAllowPrivate: false
      }
    ],
    ['list', {}, { showExpired: false, pageSize: 100 }],
    ['delete', { 'dataset-id': ID }, { datasetId: ID, ifMissing: 'fail' }],
    ['cleanup', {}, { dryRun: false, concurrency: 8 }]
  ])('defaults fill every tuning input of %s, and only its own', (operation, given, expected) => {
    const inputs = readInputs(base({ operation, ...given }))
    expect(inputs).toEqual({
      operation,
      api: expect.anything(),
      requestTimeoutMs: 60_000,
      ...expected
    })
    expect(inputs.api?.apiUrl.href).toBe('https://api.datature.io/')
  })

  test('check reads only its file and what to make of its URLs: no credentials', () => {
    expect(readInputs(env({ operation: 'check', path: 'a.ndjson' }))).toEqual({
      operation: 'check',
      path: 'a.ndjson',
      requestTimeoutMs: 60_000,
      urlProblems: 'warn',
      urlMinLifetime: { ms: 3_600_000, text: '1h' },
      urlSample: 0,
      urlAllowPrivate: false
    })
  })

  test('reads the item URL inputs as given', () => {
    const inputs = readInputs(
      env({
        operation: 'check',
        path: 'a.ndjson',
        'url-problems': 'FAIL',
        'url-min-lifetime': '2d',
        'url-sample': '1000',
        'url-allow-private': 'true'
      })
    )
    expect(inputs).toMatchObject({
      urlProblems: 'fail',
      urlMinLifetime: { ms: 2 * 86_400_000, text: '2d' },
      urlSample: 1000,
      urlAllowPrivate: true
    })
  })

  test('masks the secret key before anything else, even when the operation is bad', () => {
    setSecret.mockClear()
    expect(() => readInputs(base({ operation: 'nope' }))).toThrow(InputError)
    expect(setSecret).toHaveBeenCalledWith(KEY)
  })

  test('falls back to the DATATURE_* environment', () => {
    const inputs = readInputs(
      env(
        { operation: 'list' },
        {
          DATATURE_SECRET_KEY: KEY,
          DATATURE_PROJECT_ID: '0123456789abcdef0123456789abcdef',
          DATATURE_API_BASE_URL: 'http://127.0.0.1:9999'
        }
      )
    )
    expect(inputs.api?.secretKey).toBe(KEY)
    expect(inputs.api?.projectId).toBe(PROJECT)
    expect(inputs.api?.apiUrl.origin).toBe('http://127.0.0.1:9999')
  })

  test('inputs win over the environment', () => {
    const inputs = readInputs(
      env(
        { operation: 'list', 'secret-key': 'from-input' },
        { DATATURE_SECRET_KEY: 'from-env', DATATURE_PROJECT_ID: PROJECT }
      )
    )
    expect(inputs.api?.secretKey).toBe('from-input')
  })

  test('fractional seconds are accepted', () => {
    const wait = (given: Record<string, string>) =>
      readInputs(base({ operation: 'wait', 'dataset-id': ID, ...given }))
    expect(wait({ 'poll-interval': '0.5' }).pollIntervalMs).toBe(500)
    expect(wait({ timeout: '.25' }).timeoutMs).toBe(250)
  })

  test.each([
    ['36h', 36 * 3_600_000],
    ['7d', 7 * 86_400_000],
    ['2w', 14 * 86_400_000],
    ['90m', 90 * 60_000],
    ['30s', 30_000],
    ['1.5d', 1.5 * 86_400_000]
  ])('older-than %s, echoed as written', (value, ms) => {
    expect(readInputs(base({ operation: 'cleanup', 'older-than': value })).olderThan).toEqual({
      ms,
      text: value
    })
  })

  test.each(['1e3', 'Infinity', 'NaN', '0x10', '1,5'])('timeout %j is refused', value => {
    expect(() => readInputs(base({ operation: 'wait', 'dataset-id': ID, timeout: value }))).toThrow(
      /"timeout" must be a positive number/
    )
  })

  test.each(['', ' '])('timeout %j is defaulted', value => {
    expect(
      readInputs(base({ operation: 'wait', 'dataset-id': ID, timeout: value })).timeoutMs
    ).toBe(1_800_000)
  })

  test.each([
    'dataset_a/b',
    'dataset_..',
    'dataset_a b',
    'dataset_%2e',
    'dataset_a#b',
    'dataset_a?b',
    '../dataset_x',
    'x'
  ])('dataset-id %j is refused', id => {
    expect(() => readInputs(base({ operation: 'get', 'dataset-id': id }))).toThrow(
      /"dataset-id" must look like/
    )
  })

  test('project ids with path characters are refused', () => {
    expect(() => readInputs(base({ operation: 'list', 'project-id': 'proj_a/../b' }))).toThrow(
      /"project-id" must look like/
    )
  })

  test('a value shown back cannot forge a workflow command', () => {
    for (const operation of ['::set-output name=x::y', 'x\n::add-mask::y', '##[stop-commands]t']) {
      const { message } = refusal(base({ operation }))
      expect(message.split(/\r?\n/).filter(l => /^\s*::|##\[/.test(l))).toEqual([])
    }
  })

  test.each(['path', 'name-pattern', 'page'])('%s with a control character is refused', name => {
    const operation = name === 'path' ? 'create' : name === 'page' ? 'list' : 'cleanup'
    expect(() => readInputs(base({ operation, path: 'a.ndjson', [name]: 'a\u001b[31mb' }))).toThrow(
      new RegExp(`"${name}" must not contain control characters`)
    )
  })

  test('unusedInputs names inputs the operation ignores', () => {
    expect(
      unusedInputs('list', env({ 'dataset-id': 'dataset_x', path: 'a.ndjson', page: 'p' }))
    ).toEqual(['dataset-id', 'path'])
  })
})

/**
 * One bad input each, as the end-to-end tests used to spawn the action for: the message the step
 * fails with is the InputError's message (src/main.ts prints it as it is), so the rules and their
 * wording are checked here, and __tests__/e2e/bad-inputs.test.ts keeps only what needs the process
 * (exit code, one failure line, no stack, no request, the mask).
 */
describe('readInputs: each bad input is refused with a message naming it', () => {
  /** Credentials as the e2e tests give them: api-url on loopback, like the emulator. */
  const creds = { 'secret-key': KEY, 'project-id': PROJECT, 'api-url': 'http://127.0.0.1:8787' }
  const cases: Array<[string, Record<string, string>, RegExp]> = [
    [
      'unknown operation',
      { operation: 'upload' },
      /"operation" must be one of create, check, get, list, delete, wait, cleanup; got "upload"/
    ],
    [
      'missing secret key',
      { 'secret-key': '', operation: 'list' },
      /"secret-key" is required.*DATATURE_SECRET_KEY/
    ],
    [
      'secret key with a space pasted in',
      { 'secret-key': 'sk_abc def', operation: 'list' },
      /"secret-key" has characters a secret key cannot have/
    ],
    [
      'poll interval below 10 ms',
      { operation: 'wait', 'dataset-id': ID, 'poll-interval': '0.001' },
      /"poll-interval" must be a positive number of seconds from 0.01/
    ],
    [
      'missing project id',
      { 'project-id': '', operation: 'list' },
      /"project-id" is required.*DATATURE_PROJECT_ID/
    ],
    ['missing dataset id', { operation: 'get' }, /"dataset-id" is required/],
    [
      'dataset id with a slash',
      { operation: 'get', 'dataset-id': 'dataset_x/../../x' },
      /"dataset-id" must look like dataset_ followed by a UUID .*got "dataset_x\/..\/..\/x"/
    ],
    [
      'dataset id with a query',
      { operation: 'delete', 'dataset-id': `${ID}?x=1` },
      /"dataset-id" must look like/
    ],
    [
      'timeout not a number',
      { operation: 'wait', 'dataset-id': ID, timeout: 'soon' },
      /"timeout" must be a positive number of seconds.*got "soon"/
    ],
    [
      'timeout zero',
      { operation: 'wait', 'dataset-id': ID, timeout: '0' },
      /"timeout" must be a positive number.*got "0"/
    ],
    [
      'negative poll interval',
      { operation: 'wait', 'dataset-id': ID, 'poll-interval': '-1' },
      /"poll-interval" must be a positive number.*got "-1"/
    ],
    [
      'page-size too large',
      { operation: 'list', 'page-size': '1001' },
      /"page-size" must be a whole number from 1 to 1000; got "1001"/
    ],
    [
      'page-size fractional',
      { operation: 'list', 'page-size': '2.5' },
      /"page-size" must be a whole number/
    ],
    [
      'max-datasets zero',
      { operation: 'list', 'max-datasets': '0' },
      /"max-datasets" must be a whole number from 1 to 100000; got "0"/
    ],
    [
      'if-missing unknown',
      { operation: 'delete', 'dataset-id': ID, 'if-missing': 'skip' },
      /"if-missing" must be one of fail, ignore/
    ],
    [
      'limit, replaced in 1.0.0',
      { operation: 'list', limit: '5' },
      /Input "limit" was replaced in 1\.0\.0: use page-size/
    ],
    [
      'show-expired not boolean',
      { operation: 'list', 'show-expired': 'yes please' },
      /"show-expired" must be true or false; got "yes please"/
    ],
    [
      'plain http to a remote host',
      { operation: 'list', 'api-url': 'http://api.datature.io' },
      /"api-url" must use https:\/\//
    ],
    [
      'api url with credentials',
      { operation: 'list', 'api-url': 'https://u:p@api.datature.io' },
      /"api-url" must not contain a user name or password/
    ],
    [
      'api url with a query',
      { operation: 'list', 'api-url': 'https://api.datature.io/?x=1' },
      /"api-url" must not have a query or fragment/
    ],
    [
      'api url not a url',
      { operation: 'list', 'api-url': 'api.datature.io' },
      /"api-url" must be an absolute URL/
    ],
    ['create without path', { operation: 'create' }, /"path" is required for operation create/],
    [
      'name with a newline',
      { operation: 'create', path: 'x.ndjson', name: 'a\nb' },
      /"name" must not contain control characters/
    ],
    [
      'name too long',
      { operation: 'create', path: 'x.ndjson', name: 'n'.repeat(300) },
      /"name" must be at most 256 characters; got 300/
    ],
    [
      'older-than unparseable',
      { operation: 'cleanup', 'older-than': '7 days' },
      /"older-than" must be a number and a unit s, m, h, d or w .*got "7 days"/
    ],
    [
      'concurrency out of range',
      { operation: 'cleanup', concurrency: '33' },
      /"concurrency" must be a whole number from 1 to 32; got "33"/
    ],
    [
      'url-problems neither warn nor fail',
      { operation: 'check', path: 'x.ndjson', 'url-problems': 'error' },
      /"url-problems" must be one of warn, fail; got "error"/
    ],
    [
      'url-min-lifetime without a unit',
      { operation: 'check', path: 'x.ndjson', 'url-min-lifetime': '3600' },
      /"url-min-lifetime" must be a number and a unit s, m, h, d or w .*got "3600"/
    ],
    [
      'url-sample over 1000',
      { operation: 'create', path: 'x.ndjson', 'url-sample': '1001' },
      /"url-sample" must be a whole number from 0 to 1000; got "1001"/
    ],
    [
      'url-allow-private not a boolean',
      { operation: 'create', path: 'x.ndjson', 'url-allow-private': 'yes' },
      /"url-allow-private" must be true or false; got "yes"/
    ],
    [
      'empty name-pattern given explicitly',
      { operation: 'cleanup', 'name-pattern': '  ' },
      /"name-pattern" is empty/
    ]
  ]

  test.each(cases)('%s', (_label, inputs, expected) => {
    expect(refusal(env({ ...creds, ...inputs })).message).toMatch(expected)
  })

  test.each([
    ['input', { 'secret-key': 'sk_1234' }, {}],
    ['environment', { 'secret-key': '' }, { DATATURE_SECRET_KEY: 'abc' }]
  ])(
    'a secret key under 8 characters, from the %s, is refused without being echoed',
    (_from, given, extra) => {
      const message = refusal(env({ ...creds, operation: 'list', ...given }, extra)).message
      expect(message).toBe(
        `Input "secret-key" is shorter than 8 characters: too short to be a Nexus secret key, and too short to be masked safely in logs. Copy the whole key from the project's Integrations page.`
      )
    }
  )

  test('a secret key of 8 characters is accepted', () => {
    expect(
      readInputs(env({ ...creds, operation: 'list', 'secret-key': 'sk_12345' })).api?.secretKey
    ).toBe('sk_12345')
  })

  test('the credentials the cases share are accepted', () => {
    // So each case above fails on its own input, not on something the table shares.
    expect(
      readInputs(env({ ...creds, operation: 'wait', 'dataset-id': ID })).api?.apiUrl.origin
    ).toBe('http://127.0.0.1:8787')
  })
})

describe('isLoopback', () => {
  test.each([
    ['localhost', true],
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['[::1]', true],
    ['::1', true],
    ['127.0.0.1.evil.com', false],
    ['localhost.evil.com', false],
    ['10.0.0.1', false],
    ['api.datature.io', false]
  ])('%s → %s', (host, expected) => {
    expect(isLoopback(host)).toBe(expected)
  })
})

describe('action.yml', () => {
  const yml = parse(readFileSync(new URL('../../action.yml', import.meta.url), 'utf8')) as {
    inputs: Record<string, { description: string }>
    outputs: Record<string, { description: string }>
    runs: { using: string; main: string }
  }

  test('every input and output has a description, and the operation list matches', () => {
    for (const spec of [...Object.values(yml.inputs), ...Object.values(yml.outputs)]) {
      expect(spec.description.length).toBeGreaterThan(10)
    }
    for (const op of OPERATIONS) expect(yml.inputs.operation.description).toContain(op)
    expect(yml.runs).toEqual({ using: 'node24', main: 'dist/index.js' })
  })
})
