/**
 * The newcomer's tour: starts the embedded emulator, runs the bundled action
 * (dist/index.js) against it as a runner would, for create (with the sample
 * file in examples/), get, list and cleanup, and prints each step's outputs
 * and job summary. Nothing leaves this machine.
 */
import { Emulator } from '../emulator/emulator.js'
import { ROOT, runAction, type ActionRun } from './run-action.js'
import { renderSummary } from './render-summary.js'

const DAY = 86_400_000

async function main(): Promise<void> {
  const emu = await Emulator.start({ processingMs: 1500 })
  try {
    const now = Date.now()
    emu.addDataset({
      name: 'nightly-old-1',
      status: 'Uploaded',
      itemCount: 10,
      createDate: now - 12 * DAY,
      expiryTime: now - 2 * DAY
    })
    emu.addDataset({
      name: 'nightly-old-2',
      status: 'Uploaded',
      itemCount: 12,
      createDate: now - 11 * DAY,
      expiryTime: now - DAY
    })
    console.log(`Emulated Nexus API at ${emu.apiUrl} (project ${emu.projectId}).`)
    const creds = {
      'secret-key': emu.secretKey,
      'project-id': emu.projectId,
      'api-url': emu.apiUrl
    }

    const created = await step('create', {
      ...creds,
      operation: 'create',
      path: 'examples/sample.ndjson',
      'poll-interval': '0.5'
    })
    const id = created.outputs['dataset-id']
    await step('get', { ...creds, operation: 'get', 'dataset-id': id })
    await step('list', { ...creds, operation: 'list', 'show-expired': 'true' })
    await step('cleanup', { ...creds, operation: 'cleanup' })
    console.log(
      `\nDone: dataset ${id} created from examples/sample.ndjson, then read, listed, and the expired ones cleaned up.`
    )
  } finally {
    await emu.close()
  }
}

async function step(title: string, inputs: Record<string, string>): Promise<ActionRun> {
  console.log(
    `\n=== ${title}: node dist/index.js with ${Object.keys(inputs)
      .filter(k => k !== 'secret-key')
      .map(k => `${k}=${k === 'api-url' ? '…' : inputs[k]}`)
      .join(' ')}`
  )
  const run = await runAction(inputs, { workspace: ROOT })
  const log = run.stdout
    .split('\n')
    .filter(line => line && !line.startsWith('::add-mask::') && !line.startsWith('::debug::'))
  for (const line of log) console.log(`  | ${line}`)
  console.log(`  exit code ${run.code}`)
  console.log('  outputs:')
  for (const [name, value] of Object.entries(run.outputs)) {
    console.log(`    ${name} = ${value.length > 100 ? `${value.slice(0, 100)}…` : value}`)
  }
  console.log('  job summary:')
  for (const line of renderSummary(run.summary).split('\n')) console.log(`    ${line}`)
  if (run.code !== 0) throw new Error(`step ${title} failed: ${run.failure ?? run.stderr}`)
  return run
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
