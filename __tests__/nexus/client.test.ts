import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { Emulator } from '../../emulator/emulator.js'
import { MAX_ANSWER_DEPTH, NexusClient, nestedDeeperThan } from '../../src/nexus/client.js'
import { API_RETRY_POLICY } from '../../src/net/retry.js'
import { systemClock } from '../../src/shared/clock.js'
import { TooManyDatasetsError } from '../../src/shared/errors.js'
import type { Logger } from '../../src/shared/logger.js'

describe('how deep an answer nests, read before it is parsed', () => {
  const deep = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels)
  test.each([
    ['64 arrays', deep(64), false],
    ['65 arrays', deep(65), true],
    ['64 objects', '{"a":'.repeat(64) + '1' + '}'.repeat(64), false],
    ['66 objects and arrays', '{"a":['.repeat(33) + ']}'.repeat(33), true],
    ['brackets inside a string', `{"name": "${'['.repeat(1000)}"}`, false],
    ['an escaped quote does not end the string', `{"name": "a\\"${'['.repeat(100)}"}`, false],
    ['an escaped backslash does', `["a\\\\", ${deep(64)}]`, true],
    ['siblings are not nested', `[${Array(1000).fill(deep(10)).join(',')}]`, false],
    ['multi-byte characters in strings', `{"name": "日本${'{'.repeat(100)}語"}`, false]
  ])('%s', (_label, json, deeper) => {
    expect(nestedDeeperThan(Buffer.from(json), MAX_ANSWER_DEPTH)).toBe(deeper)
  })

  test('a million levels in one pass, without the stack', () => {
    expect(nestedDeeperThan(Buffer.from(deep(1_000_000)), MAX_ANSWER_DEPTH)).toBe(true)
  })
})

/** A Logger that keeps its warnings. */
function recordingLog(): Logger & { warnings: string[] } {
  const warnings: string[] = []
  return {
    warnings,
    debug: () => undefined,
    info: () => undefined,
    notice: () => undefined,
    warning: message => warnings.push(message),
    annotate: () => undefined,
    group: (_title, body) => body(),
    secret: () => undefined
  }
}

let emu: Emulator
let client: NexusClient | undefined
beforeEach(async () => {
  emu = await Emulator.start()
})
afterEach(async () => {
  client?.dispose()
  client = undefined
  await emu.close()
})

function clientFor(e: Emulator, log: Logger, maxListBytes?: number): NexusClient {
  client = new NexusClient({
    apiUrl: new URL(e.apiUrl),
    secretKey: e.secretKey,
    projectId: e.projectId,
    requestTimeoutMs: 10_000,
    retry: API_RETRY_POLICY,
    clock: systemClock,
    random: Math.random,
    log,
    ...(maxListBytes === undefined ? {} : { maxListBytes })
  })
  return client
}

describe('a listing is read up to a total of bytes', () => {
  beforeEach(() => {
    for (let i = 0; i < 100; i++) emu.addDataset({ name: `d-${i}` })
  })

  test('past the cap, with pages still to come: TooManyDatasetsError naming it', async () => {
    const listing = clientFor(emu, recordingLog(), 10_000).listAll(5)
    await expect(listing).rejects.toThrow(TooManyDatasetsError)
    await expect(listing).rejects.toThrow(
      /stopped after \d pages \(\d+ entries, [\d.]+ KiB of answers\), and the API still points to a next page: the action reads at most 9\.8 KiB of one listing\./
    )
    // Each page of 5 is about 2 KiB: the cap stops the walk well before its 20 pages.
    const pagesRead = emu.requests.length
    expect(pagesRead).toBeGreaterThan(1)
    expect(pagesRead).toBeLessThan(10)
  })

  test('under it, every page', async () => {
    const { datasets } = await clientFor(emu, recordingLog(), 1_000_000).listAll(5)
    expect(datasets).toHaveLength(100)
  })
})

describe('counts and times that are not whole numbers from 0 up', () => {
  test('each dataset and field is warned about once per client, and at most 10 by name', async () => {
    const log = recordingLog()
    const seeded = Array.from({ length: 12 }, (_, i) => emu.addDataset({ name: `n-${i}` }))
    emu.fault({
      server: 'api',
      method: 'GET',
      respond: () => ({
        status: 200,
        body: JSON.stringify({
          nextPage: null,
          data: seeded.map(d => ({ ...d, expiryTime: -1 }))
        })
      }),
      times: 2
    })
    const nexus = clientFor(emu, log)
    const first = await nexus.listAll()
    expect(first.datasets.map(d => d.expiryTime)).toEqual(Array(12).fill(undefined))
    await nexus.listAll()
    expect(log.warnings).toHaveLength(11)
    expect(log.warnings[0]).toBe(
      `Nexus gave expiryTime -1 for dataset ${seeded[0].id}, not a whole number from 0 up; it is treated as unknown (not expired: cleanup keeps it) and left out of the outputs and the summary.`
    )
    expect(log.warnings[10]).toBe(
      'More counts or times from Nexus are not whole numbers from 0 up; they are treated as unknown too, without a warning each.'
    )
  })
})
