import { beforeEach, describe, expect, test } from '@jest/globals'
import { apiCalls, creds, expiredTimes, useEmulators } from '../support/e2e.js'
import type { Emulator } from '../../emulator/emulator.js'
import { expectSuccess, runAction } from '../../scripts/run-action.js'

const start = useEmulators()
let emu: Emulator
beforeEach(async () => {
  emu = await start()
})

describe('get', () => {
  test('outputs the dataset and writes a summary table', async () => {
    const seeded = emu.addDataset({ name: 'vision-a1b2c3d-42', status: 'Uploaded', itemCount: 50 })
    const run = await runAction({ operation: 'get', 'dataset-id': seeded.id, ...creds(emu) })
    expectSuccess(run)
    expect(run.outputs['dataset-id']).toBe(seeded.id)
    expect(run.outputs.status).toBe('Uploaded')
    expect(run.outputs['item-count']).toBe('50')
    expect(run.outputs.name).toBe('vision-a1b2c3d-42')
    expect(run.outputs['expiry-time']).toBe(new Date(seeded.expiryTime as number).toISOString())
    const dataset = JSON.parse(run.outputs.dataset)
    expect(dataset.id).toBe(seeded.id)
    expect(dataset.status.source?.uploadUrl).toBeUndefined()
    expect(run.summary).toContain(seeded.id)
    expect(run.summary).toContain('<table>')
    const [request] = apiCalls(emu)
    expect(request.headers['secret-key']).toBe(emu.secretKey)
    expect(request.headers['user-agent']).toMatch(/^nexus-dataset-action\/\d+\.\d+\.\d+/)
    expect(request.path).toBe(`/projects/${emu.projectId}/batch/datasets/${seeded.id}`)
  })

  test('a Waiting dataset never leaks its signed upload URL', async () => {
    const seeded = emu.addDataset({ name: 'pending', status: 'Waiting' })
    const url = emu.dataset(seeded.id)?.status.source?.uploadUrl?.url
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/nexus-uploads\//)
    const run = await runAction({ operation: 'get', 'dataset-id': seeded.id, ...creds(emu) })
    expectSuccess(run)
    expect(JSON.parse(run.outputs.dataset).status.source?.uploadUrl).toBeUndefined()
    for (const text of [JSON.stringify(run.outputs), run.summary, run.stdout, run.stderr]) {
      expect(text).not.toContain(url)
    }
  })

  test('project id without the proj_ prefix gets it added', async () => {
    const seeded = emu.addDataset({ name: 'n', status: 'Uploaded' })
    const run = await runAction({
      operation: 'get',
      'dataset-id': seeded.id,
      ...creds(emu),
      'project-id': emu.projectId.slice('proj_'.length)
    })
    expectSuccess(run)
    expect(apiCalls(emu)[0].path).toContain(`/projects/${emu.projectId}/`)
  })

  test('credentials and API URL fall back to the DATATURE_* environment variables', async () => {
    const seeded = emu.addDataset({ name: 'n', status: 'Uploaded' })
    const run = await runAction(
      { operation: 'get', 'dataset-id': seeded.id },
      {
        env: {
          DATATURE_SECRET_KEY: emu.secretKey,
          DATATURE_PROJECT_ID: emu.projectId,
          DATATURE_API_BASE_URL: emu.apiUrl
        }
      }
    )
    expectSuccess(run)
    expect(run.outputs['dataset-id']).toBe(seeded.id)
  })

  test('an unknown dataset fails naming the id and the project', async () => {
    const id = 'dataset_00000000-0000-4000-8000-000000000000'
    const run = await runAction({ operation: 'get', 'dataset-id': id, ...creds(emu) })
    expect(run.code).toBe(1)
    expect(run.failure).toContain(`Dataset ${id} not found in project ${emu.projectId}`)
    expect(run.failure).toContain(`(HTTP 404: Dataset not found: ${id})`)
    expect(apiCalls(emu)).toHaveLength(1)
  })

  test('a wrong secret key fails once with the server message, no retry', async () => {
    const seeded = emu.addDataset({ name: 'n', status: 'Uploaded' })
    const run = await runAction({
      operation: 'get',
      'dataset-id': seeded.id,
      ...creds(emu),
      'secret-key': 'sk_wrong_key_value_1234'
    })
    expect(run.code).toBe(1)
    expect(run.failure).toContain(`refused the secret key for project ${emu.projectId}`)
    expect(run.failure).toContain('HTTP 403')
    expect(run.failure).toContain('Forbidden: missing or invalid Secret-Key header')
    const [mask, ...rest] = run.stdout.split('\n')
    expect(mask).toBe('::add-mask::sk_wrong_key_value_1234')
    expect(rest.join('\n') + run.stderr).not.toContain('sk_wrong_key_value_1234')
    expect(apiCalls(emu)).toHaveLength(1)
  })

  test('503s and a dropped connection are retried until success', async () => {
    const seeded = emu.addDataset({ name: 'n', status: 'Uploaded' })
    emu.fault({
      server: 'api',
      method: 'GET',
      respond: { status: 503, body: '{"message":"busy"}' },
      times: 2
    })
    emu.fault({ server: 'api', method: 'GET', drop: 'before' })
    const run = await runAction({ operation: 'get', 'dataset-id': seeded.id, ...creds(emu) })
    expectSuccess(run)
    expect(apiCalls(emu, 'GET')).toHaveLength(4)
    expect(run.stdout).toContain('retrying')
  })

  // A 429's Retry-After being waited out is checked for every step, get included, in the fault
  // matrix (__tests__/support/fault-matrix.ts, run by faults-reads.test.ts).

  test('persistent 500s fail after a bounded number of attempts', async () => {
    const seeded = emu.addDataset({ name: 'n', status: 'Uploaded' })
    emu.fault({
      server: 'api',
      respond: { status: 500, body: '<html><title>Oops</title><body>' + 'x'.repeat(5000) },
      times: Infinity
    })
    const run = await runAction({ operation: 'get', 'dataset-id': seeded.id, ...creds(emu) })
    expect(run.code).toBe(1)
    expect(apiCalls(emu)).toHaveLength(5)
    expect(run.failure).toContain('HTTP 500')
    expect(run.failure).toContain('an HTML page titled "Oops"')
    expect((run.failure ?? '').length).toBeLessThan(600)
  })
})

describe('list', () => {
  test('walks every page and hides expired datasets', async () => {
    for (let i = 0; i < 7; i++) emu.addDataset({ name: `live-${i}`, status: 'Uploaded' })
    for (let i = 0; i < 3; i++) {
      emu.addDataset({ name: `old-${i}`, status: 'Uploaded', ...expiredTimes() })
    }
    const run = await runAction({ operation: 'list', 'page-size': '3', ...creds(emu) })
    expectSuccess(run)
    expect(run.outputs.count).toBe('7')
    const names = JSON.parse(run.outputs.datasets).map((d: { name: string }) => d.name)
    expect(names.sort()).toEqual([0, 1, 2, 3, 4, 5, 6].map(i => `live-${i}`))
    expect(run.outputs['next-page']).toBe('')
    const gets = apiCalls(emu, 'GET')
    expect(gets).toHaveLength(4)
    expect(gets.every(r => r.query.limit === '3')).toBe(true)
    expect(gets[0].query.page).toBeUndefined()
    expect(gets[1].query.page).toBeTruthy()
    expect(run.summary).toContain('live-0')
  })

  test('show-expired includes them', async () => {
    emu.addDataset({ name: 'live', status: 'Uploaded' })
    emu.addDataset({ name: 'old', status: 'Uploaded', ...expiredTimes() })
    const run = await runAction({ operation: 'list', 'show-expired': 'true', ...creds(emu) })
    expectSuccess(run)
    expect(run.outputs.count).toBe('2')
  })

  test('max-datasets and page walk the list: each dataset once, next-page empty at the end', async () => {
    const seeded = Array.from({ length: 11 }, (_, i) =>
      emu.addDataset({ name: `d-${i}`, status: 'Uploaded' })
    )
    const seen: string[] = []
    let page = ''
    const cursors: string[] = []
    const prevPages: string[] = []
    for (let walks = 0; walks < 10; walks++) {
      const run = await runAction({
        operation: 'list',
        'max-datasets': '4',
        'page-size': '3',
        ...(page ? { page } : {}),
        ...creds(emu)
      })
      expectSuccess(run)
      const ids = JSON.parse(run.outputs.datasets).map((d: { id: string }) => d.id)
      expect(ids.length).toBeLessThanOrEqual(4)
      expect(run.outputs.count).toBe(String(ids.length))
      seen.push(...ids)
      // Nexus's cursor back to the page before: none before the first.
      prevPages.push(run.outputs['prev-page'])
      page = run.outputs['next-page']
      if (!page) break
      cursors.push(page)
    }
    expect(page).toBe('')
    expect(seen.sort()).toEqual(seeded.map(d => d.id).sort())
    expect(cursors.length).toBeGreaterThanOrEqual(2)
    expect(prevPages[0]).toBe('')
    expect(prevPages.slice(1).every(cursor => cursor !== '')).toBe(true)
    // No request asks for more than the list still wants: the cursors fall where it stopped.
    expect(apiCalls(emu, 'GET').every(r => Number(r.query.limit) <= 3)).toBe(true)
  })

  test('max-datasets counts after name-pattern and show-expired', async () => {
    for (let i = 0; i < 6; i++) {
      emu.addDataset({ name: `other-${i}`, status: 'Uploaded' })
      emu.addDataset({ name: `nightly-${i}`, status: 'Uploaded' })
      emu.addDataset({ name: `nightly-old-${i}`, status: 'Uploaded', ...expiredTimes() })
    }
    const run = await runAction({
      operation: 'list',
      'name-pattern': 'nightly-*',
      'max-datasets': '4',
      ...creds(emu)
    })
    expectSuccess(run)
    const names = JSON.parse(run.outputs.datasets).map((d: { name: string }) => d.name)
    expect(names).toHaveLength(4)
    expect(names.every((n: string) => /^nightly-\d$/.test(n))).toBe(true)
    expect(run.outputs.count).toBe('4')
    expect(run.outputs['next-page']).toBeTruthy()
    const rest = await runAction({
      operation: 'list',
      'name-pattern': 'nightly-*',
      page: run.outputs['next-page'],
      ...creds(emu)
    })
    expectSuccess(rest)
    const more = JSON.parse(rest.outputs.datasets).map((d: { name: string }) => d.name)
    expect([...names, ...more].sort()).toEqual([0, 1, 2, 3, 4, 5].map(i => `nightly-${i}`))
    expect(rest.outputs['next-page']).toBe('')
  })

  test('limit, replaced in 1.0.0, fails naming the new inputs', async () => {
    emu.addDataset({ name: 'd', status: 'Uploaded' })
    const run = await runAction({ operation: 'list', limit: '1', ...creds(emu) })
    expect(run.code).toBe(1)
    expect(run.failure).toBe(
      'Input "limit" was replaced in 1.0.0: use page-size for the datasets per request, and max-datasets for how many list returns (with next-page to go on).'
    )
    expect(apiCalls(emu)).toHaveLength(0)
  })

  test('name-pattern keeps only whole-name glob matches', async () => {
    for (const name of ['nightly-1', 'nightly-22', 'weekly-1', 'xnightly-1']) {
      emu.addDataset({ name, status: 'Uploaded' })
    }
    const run = await runAction({ operation: 'list', 'name-pattern': 'nightly-*', ...creds(emu) })
    expectSuccess(run)
    const names = JSON.parse(run.outputs.datasets).map((d: { name: string }) => d.name)
    expect(names.sort()).toEqual(['nightly-1', 'nightly-22'])
    expect(run.outputs.count).toBe('2')
  })

  test('the summary caps its rows', async () => {
    for (let i = 0; i < 60; i++) emu.addDataset({ name: `many-${i}`, status: 'Uploaded' })
    const run = await runAction({ operation: 'list', ...creds(emu) })
    expectSuccess(run)
    expect(run.outputs.count).toBe('60')
    expect(run.summary).toContain('Not shown: 10 more datasets (10 not expired).')
  })
})

describe('delete', () => {
  test('if-missing: ignore makes a missing dataset a success, deleted false, with a notice', async () => {
    const id = 'dataset_8f14e45f-ea9c-4b6e-9d7a-1c2b3d4e5f60'
    const run = await runAction({
      operation: 'delete',
      'dataset-id': id,
      'if-missing': 'ignore',
      ...creds(emu)
    })
    expectSuccess(run)
    expect(run.outputs.deleted).toBe('false')
    expect(run.outputs['dataset-id']).toBe(id)
    expect(run.stdout).toContain(
      `::notice::Dataset ${id} is not there: nothing to delete (if-missing: ignore).`
    )
    expect(apiCalls(emu, 'DELETE')).toHaveLength(0)
    expect(run.summary).toContain('was not there: nothing to delete')
  })

  test('deletes the dataset and outputs deleted', async () => {
    const seeded = emu.addDataset({ name: 'doomed', status: 'Uploaded' })
    const run = await runAction({ operation: 'delete', 'dataset-id': seeded.id, ...creds(emu) })
    expectSuccess(run)
    expect(run.outputs.deleted).toBe('true')
    expect(run.outputs['dataset-id']).toBe(seeded.id)
    expect(emu.dataset(seeded.id)).toBeUndefined()
    expect(apiCalls(emu, 'DELETE')).toHaveLength(1)
  })

  test('a missing dataset is an error naming id and project', async () => {
    const id = 'dataset_11111111-1111-4111-8111-111111111111'
    const run = await runAction({ operation: 'delete', 'dataset-id': id, ...creds(emu) })
    expect(run.code).toBe(1)
    expect(run.failure).toContain(`Dataset ${id} not found in project ${emu.projectId}`)
    expect(apiCalls(emu, 'DELETE')).toHaveLength(0)
  })

  test('a DELETE whose answer was lost counts as done when the retry finds it gone', async () => {
    const seeded = emu.addDataset({ name: 'doomed', status: 'Uploaded' })
    emu.fault({ server: 'api', method: 'DELETE', drop: 'after' })
    const run = await runAction({ operation: 'delete', 'dataset-id': seeded.id, ...creds(emu) })
    expectSuccess(run)
    expect(run.outputs.deleted).toBe('true')
    expect(apiCalls(emu, 'DELETE')).toHaveLength(2)
  })
})

describe('wait', () => {
  test('polls until Uploaded, logging each status change once', async () => {
    const seeded = emu.addDataset({ name: 'w', status: 'Uploaded', itemCount: 12 })
    // Two reads answer Processing, two Validating, then the stored dataset (Uploaded).
    for (const overview of ['Processing', 'Validating']) {
      const dataset = {
        ...seeded,
        status: { ...seeded.status, overview, message: `${overview} Dataset`, itemCount: 0 }
      }
      emu.fault({
        server: 'api',
        method: 'GET',
        times: 2,
        respond: {
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(dataset)
        }
      })
    }
    const run = await runAction({
      operation: 'wait',
      'dataset-id': seeded.id,
      'poll-interval': '0.1',
      ...creds(emu)
    })
    expectSuccess(run)
    expect(run.outputs.status).toBe('Uploaded')
    expect(run.outputs['item-count']).toBe('12')
    const statusLines = run.stdout.split('\n').filter(l => l.startsWith(`Dataset ${seeded.id}:`))
    expect(statusLines.map(l => l.split(': ')[1].split(' ')[0])).toEqual([
      'Processing',
      'Validating',
      'Uploaded'
    ])
    expect(apiCalls(emu, 'GET')).toHaveLength(5)
  })

  test('FailedProcessing fails the step with the outputs set', async () => {
    const seeded = emu.addDataset({ name: 'w', status: 'FailedProcessing' })
    const run = await runAction({ operation: 'wait', 'dataset-id': seeded.id, ...creds(emu) })
    expect(run.code).toBe(1)
    expect(run.failure).toContain('FailedProcessing')
    expect(run.outputs.status).toBe('FailedProcessing')
    expect(run.outputs['dataset-id']).toBe(seeded.id)
  })

  test('times out naming the time and the last status', async () => {
    const seeded = emu.addDataset({ name: 'w', status: 'Processing' })
    const run = await runAction({
      operation: 'wait',
      'dataset-id': seeded.id,
      timeout: '0.6',
      'poll-interval': '0.1',
      ...creds(emu)
    })
    expect(run.code).toBe(1)
    expect(run.failure).toMatch(/Timed out after 0\.6 s .* last status was Processing/)
    expect(run.outputs.status).toBe('Processing')
    expect(run.durationMs).toBeLessThan(5000)
  })
})
