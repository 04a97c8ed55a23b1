import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { creds, SOME_DATASET_ID as ID } from '../support/e2e.js'
import { Emulator } from '../../emulator/emulator.js'
import { expectSuccess, runAction } from '../../scripts/run-action.js'

let emu: Emulator
beforeAll(async () => {
  emu = await Emulator.start()
})
afterAll(async () => {
  await emu.close()
})

/** Each case: the inputs, and what the one failure line must say. */
const cases: Array<[string, () => Record<string, string>, RegExp]> = [
  [
    'unknown operation',
    () => ({ ...creds(emu), operation: 'upload' }),
    /"operation" must be one of create, get, list, delete, wait, cleanup; got "upload"/
  ],
  [
    'missing secret key',
    () => ({ ...creds(emu), 'secret-key': '', operation: 'list' }),
    /"secret-key" is required.*DATATURE_SECRET_KEY/
  ],
  [
    'secret key with a space pasted in',
    () => ({ ...creds(emu), 'secret-key': 'sk_abc def', operation: 'list' }),
    /"secret-key" has characters a secret key cannot have/
  ],
  [
    'poll interval below 10 ms',
    () => ({ ...creds(emu), operation: 'wait', 'dataset-id': ID, 'poll-interval': '0.001' }),
    /"poll-interval" must be a positive number of seconds from 0.01/
  ],
  [
    'missing project id',
    () => ({ ...creds(emu), 'project-id': '', operation: 'list' }),
    /"project-id" is required.*DATATURE_PROJECT_ID/
  ],
  ['missing dataset id', () => ({ ...creds(emu), operation: 'get' }), /"dataset-id" is required/],
  [
    'dataset id with a slash',
    () => ({ ...creds(emu), operation: 'get', 'dataset-id': 'dataset_x/../../x' }),
    /"dataset-id" must look like dataset_ followed by a UUID .*got "dataset_x\/..\/..\/x"/
  ],
  [
    'dataset id with a query',
    () => ({ ...creds(emu), operation: 'delete', 'dataset-id': `${ID}?x=1` }),
    /"dataset-id" must look like/
  ],
  [
    'timeout not a number',
    () => ({ ...creds(emu), operation: 'wait', 'dataset-id': ID, timeout: 'soon' }),
    /"timeout" must be a positive number of seconds.*got "soon"/
  ],
  [
    'timeout zero',
    () => ({ ...creds(emu), operation: 'wait', 'dataset-id': ID, timeout: '0' }),
    /"timeout" must be a positive number.*got "0"/
  ],
  [
    'negative poll interval',
    () => ({ ...creds(emu), operation: 'wait', 'dataset-id': ID, 'poll-interval': '-1' }),
    /"poll-interval" must be a positive number.*got "-1"/
  ],
  [
    'limit too large',
    () => ({ ...creds(emu), operation: 'list', limit: '1001' }),
    /"limit" must be a whole number from 1 to 1000; got "1001"/
  ],
  [
    'limit fractional',
    () => ({ ...creds(emu), operation: 'list', limit: '2.5' }),
    /"limit" must be a whole number/
  ],
  [
    'show-expired not boolean',
    () => ({ ...creds(emu), operation: 'list', 'show-expired': 'yes please' }),
    /"show-expired" must be true or false; got "yes please"/
  ],
  [
    'plain http to a remote host',
    () => ({ ...creds(emu), operation: 'list', 'api-url': 'http://api.datature.io' }),
    /"api-url" must use https:\/\//
  ],
  [
    'api url with credentials',
    () => ({ ...creds(emu), operation: 'list', 'api-url': 'https://u:p@api.datature.io' }),
    /"api-url" must not contain a user name or password/
  ],
  [
    'api url with a query',
    () => ({ ...creds(emu), operation: 'list', 'api-url': 'https://api.datature.io/?x=1' }),
    /"api-url" must not have a query or fragment/
  ],
  [
    'api url not a url',
    () => ({ ...creds(emu), operation: 'list', 'api-url': 'api.datature.io' }),
    /"api-url" must be an absolute URL/
  ],
  [
    'create without path',
    () => ({ ...creds(emu), operation: 'create' }),
    /"path" is required for operation create/
  ],
  [
    'name with a newline',
    () => ({ ...creds(emu), operation: 'create', path: 'x.ndjson', name: 'a\nb' }),
    /"name" must not contain control characters/
  ],
  [
    'name too long',
    () => ({ ...creds(emu), operation: 'create', path: 'x.ndjson', name: 'n'.repeat(300) }),
    /"name" must be at most 256 characters; got 300/
  ],
  [
    'older-than unparseable',
    () => ({ ...creds(emu), operation: 'cleanup', 'older-than': '7 days' }),
    /"older-than" must be a number and a unit s, m, h, d or w .*got "7 days"/
  ],
  [
    'concurrency out of range',
    () => ({ ...creds(emu), operation: 'cleanup', concurrency: '33' }),
    /"concurrency" must be a whole number from 1 to 32; got "33"/
  ],
  [
    'empty name-pattern given explicitly',
    () => ({ ...creds(emu), operation: 'cleanup', 'name-pattern': '  ' }),
    /"name-pattern" is empty/
  ]
]

describe('bad input fails with one clear error and no request', () => {
  test.each(cases)('%s', async (_label, inputs, expected) => {
    const before = emu.requests.length
    const run = await runAction(inputs())
    expect(run.code).toBe(1)
    expect(run.failure).toMatch(expected)
    expect(run.commands.filter(c => c.command === 'error')).toHaveLength(1)
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /)
    expect(emu.requests.length).toBe(before)
  })

  test('the secret key is masked before the first error and never printed', async () => {
    const run = await runAction({ ...creds(emu), operation: 'bogus' })
    expect(run.stdout.split('\n')[0]).toBe(`::add-mask::${emu.secretKey}`)
    const rest = run.stdout.split('\n').slice(1).join('\n')
    expect(rest + run.stderr).not.toContain(emu.secretKey)
  })

  test('plain http to localhost is accepted and used', async () => {
    const before = emu.requests.length
    const run = await runAction({
      ...creds(emu),
      operation: 'list',
      'api-url': emu.apiUrl.replace('127.0.0.1', 'localhost')
    })
    expectSuccess(run)
    expect(emu.requests.length).toBe(before + 1)
  })
})
