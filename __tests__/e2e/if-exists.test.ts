import { describe, expect, test } from '@jest/globals'
import { creds, useEmulators, workspaceWith } from '../support/e2e.js'
import type { Emulator } from '../../emulator/emulator.js'
import { expectSuccess, runAction, type ActionRun } from '../../scripts/run-action.js'

const start = useEmulators()
const DAY = 86_400_000
const ITEMS = '{"url": "https://x/1.jpg"}\n{"url": "https://x/2.jpg"}\n'
/** run-action's GITHUB_REPOSITORY, GITHUB_SHA and GITHUB_RUN_NUMBER give this default name. */
const DEFAULT_NAME = 'vision-a1b2c3d-42'

function create(e: Emulator, inputs: Record<string, string> = {}): Promise<ActionRun> {
  return runAction(
    { operation: 'create', path: 'a.ndjson', 'poll-interval': '0.05', ...creds(e), ...inputs },
    { workspace: workspaceWith({ 'a.ndjson': ITEMS }) }
  )
}

const posts = (e: Emulator) => e.requests.filter(r => r.method === 'POST')
const uploads = (e: Emulator) => e.requests.filter(r => r.server === 'upload')

describe('if-exists', () => {
  test('create (the default) makes a new dataset even when one has the name', async () => {
    const e = await start()
    e.addDataset({ name: DEFAULT_NAME, status: 'Uploaded', itemCount: 2 })
    const run = expectSuccess(await create(e))
    expect(run.outputs.reused).toBe('false')
    expect(posts(e)).toHaveLength(1)
    expect(e.datasets()).toHaveLength(2)
  })

  test('reuse: a re-run with the default name uses the first run’s dataset: one POST, one upload in all', async () => {
    const e = await start()
    const first = expectSuccess(await create(e, { 'if-exists': 'reuse' }))
    expect(first.outputs.reused).toBe('false')
    const again = expectSuccess(await create(e, { 'if-exists': 'reuse' }))
    expect(again.outputs.reused).toBe('true')
    expect(again.outputs['dataset-id']).toBe(first.outputs['dataset-id'])
    expect(again.outputs.status).toBe('Uploaded')
    expect(again.outputs['item-count']).toBe('2')
    expect(again.outputs['size-bytes']).toBe(first.outputs['size-bytes'])
    expect(again.outputs.crc32c).toBe(first.outputs.crc32c)
    expect(posts(e)).toHaveLength(1)
    expect(uploads(e)).toHaveLength(1)
    expect(e.datasets()).toHaveLength(1)
    expect(again.stdout).toMatch(
      new RegExp(
        `Reusing dataset ${first.outputs['dataset-id']} "${DEFAULT_NAME}" \\(if-exists: reuse\\): same name, status Uploaded`
      )
    )
    expect(again.summary).toContain('(reused, nothing uploaded)')
    expect(again.summary).toContain('Reused')
  })

  test('reuse: the newest qualifying namesake; Waiting and failed ones are passed over and logged', async () => {
    const e = await start({ processingMs: 0 })
    const now = Date.now()
    const older = e.addDataset({
      name: 'n',
      status: 'Processed',
      itemCount: 2,
      createDate: now - 3000
    })
    const newer = e.addDataset({
      name: 'n',
      status: 'Uploaded',
      itemCount: 2,
      createDate: now - 2000
    })
    const failed = e.addDataset({ name: 'n', status: 'FailedProcessing', createDate: now - 1000 })
    const waiting = e.addDataset({ name: 'n', status: 'Waiting', createDate: now })
    const run = expectSuccess(await create(e, { name: 'n', 'if-exists': 'reuse' }))
    expect(run.outputs['dataset-id']).toBe(newer.id)
    expect(run.outputs.reused).toBe('true')
    expect(run.stdout).toContain(
      `Not reusing dataset ${waiting.id} "n": it is Waiting: its file never arrived.`
    )
    expect(run.stdout).toContain(
      `Not reusing dataset ${failed.id} "n": it ended in FailedProcessing.`
    )
    expect(run.stdout).not.toContain(older.id)
    expect(posts(e)).toHaveLength(0)
  })

  test('reuse: a Waiting namesake alone is ignored: a new dataset is created and uploaded', async () => {
    const e = await start()
    const waiting = e.addDataset({ name: 'n', status: 'Waiting' })
    const run = expectSuccess(await create(e, { name: 'n', 'if-exists': 'reuse' }))
    expect(run.outputs.reused).toBe('false')
    expect(run.outputs['dataset-id']).not.toBe(waiting.id)
    expect(posts(e)).toHaveLength(1)
    expect(uploads(e)).toHaveLength(1)
  })

  test('reuse: an expired namesake is ignored', async () => {
    const e = await start()
    const now = Date.now()
    e.addDataset({
      name: 'n',
      status: 'Uploaded',
      createDate: now - 20 * DAY,
      expiryTime: now - DAY
    })
    const run = expectSuccess(await create(e, { name: 'n', 'if-exists': 'reuse' }))
    expect(run.outputs.reused).toBe('false')
    expect(posts(e)).toHaveLength(1)
  })

  test('reuse: a reused dataset still being processed is waited on; a count that differs is warned about', async () => {
    const e = await start()
    const seeded = e.addDataset({ name: 'n', status: 'Processing', itemCount: 0 })
    const timer = setInterval(() => {
      if (e.requests.filter(r => r.method === 'GET').length >= 2) {
        clearInterval(timer)
        e.setStatus(seeded.id, 'Uploaded', 7)
      }
    }, 5)
    try {
      const run = expectSuccess(await create(e, { name: 'n', 'if-exists': 'reuse' }))
      expect(run.outputs.status).toBe('Uploaded')
      expect(run.outputs['item-count']).toBe('7')
      const warnings = run.commands.filter(c => c.command === 'warning').map(c => c.message)
      expect(warnings).toEqual([
        `Nexus counted 7 items in dataset ${seeded.id}, but a.ndjson has 2 non-blank lines.`
      ])
    } finally {
      clearInterval(timer)
    }
  })

  test('fail: a not-expired namesake, whatever its status, stops the step before any create', async () => {
    const e = await start()
    const waiting = e.addDataset({ name: 'n', status: 'Waiting' })
    const run = await create(e, { name: 'n', 'if-exists': 'fail' })
    expect(run.code).toBe(1)
    expect(run.failure).toBe(
      `A dataset named "n" already exists in project ${e.projectId}: ${waiting.id}, Waiting. Nothing was created (if-exists: fail). Give the step another \`name\`, delete that dataset, or use \`if-exists: reuse\`.`
    )
    expect(posts(e)).toHaveLength(0)
    expect(run.outputs.reused).toBe('false')
    expect(run.outputs['size-bytes']).toBe(String(ITEMS.length))
  })

  test('fail: no namesake (or an expired one) creates as usual', async () => {
    const e = await start()
    const now = Date.now()
    e.addDataset({ name: 'n', createDate: now - 20 * DAY, expiryTime: now - DAY })
    e.addDataset({ name: 'other' })
    expectSuccess(await create(e, { name: 'n', 'if-exists': 'fail' }))
    expect(posts(e)).toHaveLength(1)
  })

  test.each(['reuse', 'fail'])('the file is still checked first (if-exists: %s)', async mode => {
    const e = await start()
    e.addDataset({ name: 'n', status: 'Uploaded' })
    const run = await runAction(
      { operation: 'create', path: 'a.ndjson', name: 'n', 'if-exists': mode, ...creds(e) },
      { workspace: workspaceWith({ 'a.ndjson': '{"kind": "x"}\n' }) }
    )
    expect(run.code).toBe(1)
    expect(run.failure).toContain('"url" is missing')
    expect(e.requests).toHaveLength(0)
  })
})
