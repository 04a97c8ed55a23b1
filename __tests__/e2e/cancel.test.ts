import { afterEach, describe, expect, test } from '@jest/globals'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { Emulator } from '../support/emulator.js'
import { runAction } from '../support/run-action.js'

let emu: Emulator | undefined
afterEach(async () => {
  await emu?.close()
  emu = undefined
})

/** Sends `signal` to the child once `ready()` holds (polled). */
function signalWhen(ready: () => boolean, signal: NodeJS.Signals) {
  return (child: ChildProcess): void => {
    const timer = setInterval(() => {
      if (ready()) {
        clearInterval(timer)
        child.kill(signal)
      }
    }, 10)
    child.on('exit', () => clearInterval(timer))
  }
}

describe('cancellation', () => {
  test.each(['SIGINT', 'SIGTERM'] as const)(
    '%s during the upload deletes the dataset, writes outputs and summary, exits non-zero within 5 s',
    async signal => {
      const e = (emu = await Emulator.start())
      e.fault({ server: 'upload', hang: true })
      const workspace = mkdtempSync(path.join(tmpdir(), 'nexus-cancel-'))
      writeFileSync(path.join(workspace, 'a.ndjson'), '{"url": "https://x/1.jpg"}\n')
      let signalledAt = 0
      const run = await runAction(
        {
          operation: 'create',
          path: 'a.ndjson',
          name: 'cancelled',
          'secret-key': e.secretKey,
          'project-id': e.projectId,
          'api-url': e.apiUrl
        },
        {
          workspace,
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
    const e = (emu = await Emulator.start())
    // The dataset is made at once; its answer comes a second later.
    e.fault({ server: 'api', method: 'POST', answerDelayMs: 1000 })
    const workspace = mkdtempSync(path.join(tmpdir(), 'nexus-cancel-'))
    writeFileSync(path.join(workspace, 'a.ndjson'), '{"url": "https://x/1.jpg"}\n')
    const run = await runAction(
      {
        operation: 'create',
        path: 'a.ndjson',
        name: 'mid-post',
        'secret-key': e.secretKey,
        'project-id': e.projectId,
        'api-url': e.apiUrl
      },
      { workspace, onSpawn: signalWhen(() => e.datasets().length > 0, 'SIGINT') }
    )
    expect(run.code).toBe(1)
    expect(run.failure).toContain('cancelled (SIGINT)')
    expect(e.datasets()).toHaveLength(0)
    expect(e.requests.filter(r => r.server === 'upload')).toHaveLength(0)
    expect(run.outputs.deleted).toBe('true')
  })

  test('SIGINT during wait leaves the uploaded dataset and reports its status', async () => {
    const e = (emu = await Emulator.start({ finalStatus: 'Processing' }))
    const seeded = e.addDataset({ name: 'w', status: 'Processing' })
    const run = await runAction(
      {
        operation: 'wait',
        'dataset-id': seeded.id,
        'poll-interval': '0.1',
        'secret-key': e.secretKey,
        'project-id': e.projectId,
        'api-url': e.apiUrl
      },
      { onSpawn: signalWhen(() => e.requests.length >= 2, 'SIGINT') }
    )
    expect(run.code).toBe(1)
    expect(run.failure).toContain('cancelled (SIGINT)')
    expect(run.outputs.status).toBe('Processing')
    expect(e.dataset(seeded.id)).toBeDefined()
  })

  test('a cleanup interrupted half-way reports what it deleted so far', async () => {
    const e = (emu = await Emulator.start())
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
        'secret-key': e.secretKey,
        'project-id': e.projectId,
        'api-url': e.apiUrl
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
