import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { creds } from '../support/e2e.js'
import { Emulator } from '../../emulator/emulator.js'
import { expectSuccess, runAction } from '../../scripts/run-action.js'

/**
 * What a bad input does to the process. Each rule and its message is a unit test in
 * __tests__/action/inputs.test.ts (readInputs called directly); here only what needs
 * dist/index.js running: the exit code, the one failure line, no stack, no request, the mask.
 */
let emu: Emulator
beforeAll(async () => {
  emu = await Emulator.start()
})
afterAll(async () => {
  await emu.close()
})

describe('a bad input, end to end', () => {
  test('fails the step with exit code 1, one error line, no stack and no request', async () => {
    const before = emu.requests.length
    const run = await runAction({ ...creds(emu), operation: 'upload' })
    expect(run.code).toBe(1)
    expect(run.commands.filter(c => c.command === 'error')).toHaveLength(1)
    expect(run.failure).toMatch(
      /"operation" must be one of create, check, get, list, delete, wait, cleanup; got "upload"/
    )
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /)
    expect(emu.requests.length).toBe(before)
  })

  test('the secret key is masked before the first error and never printed', async () => {
    const run = await runAction({ ...creds(emu), operation: 'bogus' })
    expect(run.code).toBe(1)
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
