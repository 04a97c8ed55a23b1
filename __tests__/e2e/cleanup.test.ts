import { beforeEach, describe, expect, test } from '@jest/globals'
import { apiCalls, creds, expiredTimes, useEmulators } from '../support/e2e.js'
import type { Emulator } from '../../emulator/emulator.js'
import {
  expectSuccess,
  runAction,
  type ActionRun,
  type RunOptions
} from '../../scripts/run-action.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR

const start = useEmulators()
let emu: Emulator
beforeEach(async () => {
  emu = await start()
})

function cleanup(inputs: Record<string, string> = {}, options?: RunOptions): Promise<ActionRun> {
  return runAction({ operation: 'cleanup', ...creds(emu), ...inputs }, options)
}

function expired(name: string, daysAgo = 1) {
  return emu.addDataset({ name, ...expiredTimes(daysAgo) })
}

function live(name: string, createdHoursAgo = 1) {
  const now = Date.now()
  return emu.addDataset({
    name,
    createDate: now - createdHoursAgo * HOUR,
    expiryTime: now + 5 * DAY
  })
}

describe('cleanup', () => {
  test('deletes expired datasets only, and reports them', async () => {
    const old = [expired('old-a'), expired('old-b', 3)]
    const keep = [live('fresh-a'), live('fresh-b')]
    const run = await cleanup()
    expectSuccess(run)
    expect(run.outputs.count).toBe('2')
    expect(
      JSON.parse(run.outputs.datasets)
        .map((d: { id: string }) => d.id)
        .sort()
    ).toEqual(old.map(d => d.id).sort())
    expect(
      emu
        .datasets()
        .map(d => d.id)
        .sort()
    ).toEqual(keep.map(d => d.id).sort())
    expect(run.summary).toContain('old-a')
    // The outcome and the totals come first, before any table.
    const summary = run.summary.split('\n')
    expect(summary.slice(0, 2)).toEqual([
      '<h3>🧹 Deleted 2 of 4 datasets (expired)</h3>',
      '<p><b>Deleted: 2 · Failed: 0 · Kept: 2</b>.</p>'
    ])
    // One line per deletion, folded in a group; then one total line.
    const log = run.stdout.split('\n')
    const group = log.indexOf('::group::Deleting 2 datasets')
    const end = log.indexOf('::endgroup::')
    expect(group).toBeGreaterThan(-1)
    const inGroup = log.slice(group + 1, end).filter(line => !line.startsWith('::debug::'))
    expect(inGroup.sort()).toEqual(old.map(d => `Deleted ${d.id} "${d.name}".`).sort())
    expect(log[end + 1]).toBe('Deleted: 2. Failed: 0. Kept: 2 (of 4).')
    const lists = emu.requests.filter(r => r.method === 'GET')
    expect(lists.every(r => r.query.limit === '1000')).toBe(true)
  })

  test('older-than plus name-pattern', async () => {
    expired('nightly-expired')
    expired('keep-me-expired')
    const oldNightly = live('nightly-2026-11-01', 50)
    live('nightly-2026-11-24', 10)
    live('weekly-old', 50)
    const run = await cleanup({ 'older-than': '36h', 'name-pattern': 'nightly-*' })
    expectSuccess(run)
    const names = JSON.parse(run.outputs.datasets)
      .map((d: { name: string }) => d.name)
      .sort()
    expect(names).toEqual(['nightly-2026-11-01', 'nightly-expired'])
    expect(emu.dataset(oldNightly.id)).toBeUndefined()
    expect(
      emu
        .datasets()
        .map(d => d.name)
        .sort()
    ).toEqual(['keep-me-expired', 'nightly-2026-11-24', 'weekly-old'])
  })

  test('? matches one character and the pattern must match the whole name', async () => {
    expired('run-1')
    expired('run-12')
    expired('xrun-1')
    const run = await cleanup({ 'name-pattern': 'run-?' })
    expectSuccess(run)
    expect(JSON.parse(run.outputs.datasets).map((d: { name: string }) => d.name)).toEqual(['run-1'])
  })

  test('dry run deletes nothing and says so, echoing older-than as written', async () => {
    expired('old-a')
    expired('old-b')
    live('fresh')
    const run = await cleanup({ 'dry-run': 'true', 'older-than': '7d' })
    expectSuccess(run)
    // 7d, not the "1w" a reformatted duration would read.
    expect(run.summary).toContain('(expired or created more than 7d ago)')
    expect(run.outputs.count).toBe('2')
    expect(apiCalls(emu, 'DELETE')).toHaveLength(0)
    expect(emu.datasets()).toHaveLength(3)
    const dryRun = run.summary.indexOf('Dry run')
    expect(dryRun).toBeGreaterThanOrEqual(0)
    expect(dryRun).toBeLessThan(run.summary.indexOf('<table>'))
  })

  test('a dataset already gone (404, another job raced us) counts as deleted', async () => {
    const a = expired('old-a')
    expired('old-b')
    emu.fault({
      server: 'api',
      method: 'DELETE',
      path: new RegExp(`${a.id}$`),
      respond: { status: 404, body: '{"message":"Dataset not found"}' }
    })
    const run = await cleanup()
    expectSuccess(run)
    expect(run.outputs.count).toBe('2')
  })

  test('one failing delete does not stop the others; the step fails naming it', async () => {
    const bad = expired('old-bad')
    for (let i = 0; i < 6; i++) expired(`old-${i}`)
    emu.fault({
      server: 'api',
      method: 'DELETE',
      path: new RegExp(`${bad.id}$`),
      respond: { status: 400, body: '{"message":"dataset is in use by a batch job"}' }
    })
    const run = await cleanup()
    expect(run.code).toBe(1)
    expect(run.failure).toContain(bad.id)
    expect(run.failure).toContain('dataset is in use by a batch job')
    expect(run.failure).toMatch(/could not delete 1 of 7 datasets \(6 deleted\)/)
    expect(run.outputs.count).toBe('6')
    expect(emu.datasets().map(d => d.id)).toEqual([bad.id])
    expect(run.summary).toContain('<b>Deleted: 6 · Failed: 1 · Kept: 0</b>')
  })

  test('many datasets across pages are all read before any delete', async () => {
    for (let i = 0; i < 1205; i++) expired(`bulk-${i}`)
    for (let i = 0; i < 5; i++) live(`live-${i}`)
    const run = await cleanup({ concurrency: '16' }, { timeoutMs: 60_000 })
    expectSuccess(run)
    expect(run.outputs.count).toBe('1205')
    expect(emu.datasets()).toHaveLength(5)
    const firstDelete = emu.requests.findIndex(r => r.method === 'DELETE')
    const lastList = emu.requests.map(r => r.method).lastIndexOf('GET')
    expect(lastList).toBeLessThan(firstDelete)
    expect(emu.requests.filter(r => r.method === 'GET')).toHaveLength(2)
    expect(run.summary).toContain('Not shown: 1,155 more datasets (1,155 expired).')
  }, 60_000)
})
