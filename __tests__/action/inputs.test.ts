import { describe, expect, jest, test } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'

const setSecret = jest.fn<(value: string) => void>()
jest.unstable_mockModule('@actions/core', () => ({ setSecret }))
const inputsModule = await import('../../src/action/inputs.js')
const { INPUT_DEFAULTS } = await import('../../src/shared/action-yml.js')
const { OPERATIONS } = await import('../../src/operations/context.js')
const { isLoopback } = await import('../../src/net/url-policy.js')
const { InputError } = await import('../../src/shared/errors.js')

const KEY = 'sk_test_abcdef'
const PROJECT = 'proj_0123456789abcdef0123456789abcdef'

/** Inputs as a runner would give them (each name read through the getter), and the environment. */
interface Given {
  inputs: Record<string, string>
  env: Record<string, string>
}

function env(inputs: Record<string, string>, extra: Record<string, string> = {}): Given {
  return { inputs, env: extra }
}

const getter = (given: Given) => (name: string) => given.inputs[name] ?? ''
const readInputs = (given: Given) => inputsModule.readInputs(getter(given), given.env)
const unusedInputs = (operation: 'list', given: Given) =>
  inputsModule.unusedInputs(operation, getter(given))

function base(inputs: Record<string, string> = {}) {
  return env({ 'secret-key': KEY, 'project-id': PROJECT, ...inputs })
}

describe('readInputs', () => {
  test('defaults fill every tuning input', () => {
    const inputs = readInputs(base({ path: 'data.ndjson' }))
    expect(inputs).toMatchObject({
      operation: 'create',
      wait: true,
      timeoutMs: 1_800_000,
      pollIntervalMs: 5000,
      requestTimeoutMs: 60_000,
      showExpired: false,
      limit: 100,
      dryRun: false,
      concurrency: 8,
      path: 'data.ndjson'
    })
    expect(inputs.apiUrl.href).toBe('https://api.datature.io/')
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
    expect(inputs.secretKey).toBe(KEY)
    expect(inputs.projectId).toBe(PROJECT)
    expect(inputs.apiUrl.origin).toBe('http://127.0.0.1:9999')
  })

  test('inputs win over the environment', () => {
    const inputs = readInputs(
      env(
        { operation: 'list', 'secret-key': 'from-input' },
        { DATATURE_SECRET_KEY: 'from-env', DATATURE_PROJECT_ID: PROJECT }
      )
    )
    expect(inputs.secretKey).toBe('from-input')
  })

  test('fractional seconds are accepted', () => {
    expect(readInputs(base({ operation: 'list', 'poll-interval': '0.5' })).pollIntervalMs).toBe(500)
    expect(readInputs(base({ operation: 'list', timeout: '.25' })).timeoutMs).toBe(250)
  })

  test.each([
    ['36h', 36 * 3_600_000],
    ['7d', 7 * 86_400_000],
    ['2w', 14 * 86_400_000],
    ['90m', 90 * 60_000],
    ['30s', 30_000],
    ['1.5d', 1.5 * 86_400_000]
  ])('older-than %s', (value, ms) => {
    expect(readInputs(base({ operation: 'cleanup', 'older-than': value })).olderThanMs).toBe(ms)
  })

  test.each(['1e3', 'Infinity', 'NaN', '0x10', '1,5', '', ' '])(
    'timeout %j is refused or defaulted',
    value => {
      if (value.trim() === '') {
        expect(readInputs(base({ operation: 'list', timeout: value })).timeoutMs).toBe(1_800_000)
      } else {
        expect(() => readInputs(base({ operation: 'list', timeout: value }))).toThrow(
          /"timeout" must be a positive number/
        )
      }
    }
  )

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
      const message = (() => {
        try {
          readInputs(base({ operation }))
        } catch (error) {
          return (error as Error).message
        }
        throw new Error('no error')
      })()
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
    inputs: Record<string, { default?: string; description: string }>
    outputs: Record<string, { description: string }>
    runs: { using: string; main: string }
  }

  test('declares the same defaults the code applies', () => {
    for (const [name, value] of Object.entries(INPUT_DEFAULTS)) {
      expect([name, yml.inputs[name]?.default]).toEqual([name, value])
    }
    const declared = Object.entries(yml.inputs)
      .filter(([, spec]) => spec.default !== undefined)
      .map(([n]) => n)
    expect(declared.sort()).toEqual(Object.keys(INPUT_DEFAULTS).sort())
  })

  test('every input and output has a description, and the operation list matches', () => {
    for (const spec of [...Object.values(yml.inputs), ...Object.values(yml.outputs)]) {
      expect(spec.description.length).toBeGreaterThan(10)
    }
    for (const op of OPERATIONS) expect(yml.inputs.operation.description).toContain(op)
    expect(yml.runs).toEqual({ using: 'node24', main: 'dist/index.js' })
  })

  test('package.json and the User-Agent agree on the version', async () => {
    const { ACTION_VERSION } = await import('../../src/shared/version.js')
    const pkg = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8')
    ) as {
      version: string
    }
    expect(ACTION_VERSION).toBe(pkg.version)
  })
})
