import { describe, expect, test } from '@jest/globals'
import { creds, signalWhen, useEmulators, workspaceWith } from '../support/e2e.js'
import { runAction } from '../../scripts/run-action.js'

const start = useEmulators()
const ONE_ITEM = { 'a.ndjson': '{"url": "https://x/1.jpg"}\n' }

describe('cancellation', () => {
  test.each(['SIGINT', 'SIGTERM'] as const)(
    '%s during the upload deletes the dataset, writes outputs and summary, exits non-zero within 5 s',
    async signal => {
      const e = await start()
      e.fault({ server: 'upload', hang: true })
      let signalledAt = 0
      const run = await runAction(
        {
          operation: 'create',
          path: 'a.ndjson',
          name: 'cancelled',
          ...creds(e)
        },
        {
          workspace: workspaceWith(ONE_ITEM),
          onSpawn: signalWhen(() => {
            const ready = e.requests.some(r => r.server === 'upload')
            if (ready && !signalledAt) signalledAt = Date.now()
            return ready
          }, signal)
        }
      )
      const afterSignal = Date.now() - signalledAt
      expect(run.code).toBe(1)
      expect(afterSignal).toBeLessThan(5000)
      expect(run.failure).toMatch(new RegExp(`cancelled \\(${signal}\\)`))
      const id = run.outputs['dataset-id']
      expect(id).toMatch(/^dataset_/)
      expect(e.dataset(id)).toBeUndefined()
      expect(e.datasets()).toHaveLength(0)
      expect(run.outputs.deleted).toBe('true')
      expect(run.summary).toContain(id)
    }
  )

  test('SIGINT while the create request is under way deletes the dataset it made', async () => {
    const e = await start()
    // The dataset is made at once; its answer comes 2 s later, inside the 2.5 s the action
    // gives an in-flight POST after a cancel.
    e.fault({ server: 'api', method: 'POST', answerDelayMs: 2000 })
    const run = await runAction(
      {
        operation: 'create',
        path: 'a.ndjson',
        name: 'mid-post',
        ...creds(e)
      },
      {
        workspace: workspaceWith(ONE_ITEM),
        onSpawn: signalWhen(() => e.datasets().length > 0, 'SIGINT')
      }
    )
    expect(run.code).toBe(1)
    expect(run.failure).toContain('cancelled (SIGINT)')
    expect(e.datasets()).toHaveLength(0)
    expect(e.requests.filter(r => r.server === 'upload')).toHaveLength(0)
    expect(run.outputs.deleted).toBe('true')
  })

  test('SIGINT during wait leaves the uploaded dataset and reports its status', async () => {
    const e = await start({ finalStatus: 'Processing' })
    const seeded = e.addDataset({ name: 'w', status: 'Processing' })
    const run = await runAction(
      {
        operation: 'wait',
        'dataset-id': seeded.id,
        'poll-interval': '0.1',
        ...creds(e)
      },
      { onSpawn: signalWhen(() => e.requests.length >= 2, 'SIGINT') }
    )
    expect(run.code).toBe(1)
    expect(run.failure).toContain('cancelled (SIGINT)')
    expect(run.outputs.status).toBe('Processing')
    expect(e.dataset(seeded.id)).toBeDefined()
  })

  test('a cleanup interrupted half-way reports what it deleted so far', async () => {
    const e = await start()
    const now = Date.now()
    for (let i = 0; i < 40; i++) {
      e.addDataset({
        name: `old-${i}`,
        createDate: now - 20 * 86_400_000,
        expiryTime: now - 86_400_000
      })
    }
    e.fault({ server: 'api', method: 'DELETE', delayMs: 100, times: Infinity })
    const run = await runAction(
      {
        operation: 'cleanup',
        concurrency: '2',
        ...creds(e)
      },
      {
        onSpawn: signalWhen(
          () => e.requests.filter(r => r.method === 'DELETE' && r.answered === 200).length >= 6,
          'SIGTERM'
        )
      }
    )
    expect(run.code).toBe(1)
    expect(run.failure).toContain('cancelled (SIGTERM)')
    const gone = 40 - e.datasets().length
    expect(gone).toBeGreaterThanOrEqual(6)
    expect(gone).toBeLessThan(40)
    // Every dataset reported deleted is gone; a DELETE cut short may have landed unreported.
    const reported = JSON.parse(run.outputs.datasets) as Array<{ id: string }>
    expect(Number(run.outputs.count)).toBe(reported.length)
    for (const d of reported) expect(e.dataset(d.id)).toBeUndefined()
    expect(reported.length).toBeGreaterThanOrEqual(gone - 2)
    expect(run.summary).toMatch(/Cancelled: \d+ of 40 selected datasets were deleted/)
  })
})
