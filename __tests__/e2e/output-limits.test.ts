import { describe, expect, test } from '@jest/globals'
import { readFileSync } from 'node:fs'
import * as path from 'node:path'
import { creds, useEmulators } from '../support/e2e.js'
import { expectSuccess, runAction } from '../../scripts/run-action.js'

const start = useEmulators()

describe('outputs within GitHub’s limits', () => {
  test('list of 5,000 datasets: datasets under 1 MB and truncated, the file complete', async () => {
    const e = await start()
    for (let i = 0; i < 5000; i++) e.addDataset({ name: `nightly-${String(i).padStart(5, '0')}` })
    const run = expectSuccess(
      await runAction({ operation: 'list', 'page-size': '1000', ...creds(e) })
    )
    const shown = JSON.parse(run.outputs.datasets) as Array<{ id: string; name: string }>
    expect(Buffer.byteLength(run.outputs.datasets, 'utf8')).toBeLessThanOrEqual(1_000_000)
    expect(run.outputs['datasets-truncated']).toBe('true')
    expect(run.outputs.count).toBe('5000')
    const file = run.outputs['datasets-file']
    // Under RUNNER_TEMP, which run-action points at the run's own folder (its workspace here).
    expect(path.relative(run.workspace, file)).toMatch(
      /^nexus-datasets-[^/\\]+[/\\]datasets\.json$/
    )
    const all = JSON.parse(readFileSync(file, 'utf8')) as Array<{ id: string; name: string }>
    expect(all.map(d => d.id)).toEqual(e.datasets().map(d => d.id))
    // As many as fit, in the order listed: one more would not have.
    expect(shown).toEqual(all.slice(0, shown.length))
    const oneMore = JSON.stringify(all.slice(0, shown.length + 1))
    expect(Buffer.byteLength(oneMore, 'utf8')).toBeGreaterThan(1_000_000)
    const warnings = run.commands.filter(c => c.command === 'warning').map(c => c.message)
    expect(warnings).toEqual([
      `Output datasets holds the first ${shown.length} of 5000 datasets: all of them would be over GitHub's limit of 1 MB for one output (datasets-truncated is true). All 5000 are in ${file} (output datasets-file).`
    ])
  }, 60_000)

  test('a short list is whole, and the file holds the same', async () => {
    const e = await start()
    e.addDataset({ name: 'a' })
    e.addDataset({ name: 'b' })
    const run = expectSuccess(await runAction({ operation: 'list', ...creds(e) }))
    expect(run.outputs['datasets-truncated']).toBe('false')
    expect(JSON.parse(readFileSync(run.outputs['datasets-file'], 'utf8'))).toEqual(
      JSON.parse(run.outputs.datasets)
    )
  })
})
