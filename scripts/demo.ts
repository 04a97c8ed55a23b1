/**
 * The newcomer's tour: starts the embedded emulator, runs the bundled action
 * (dist/index.js) against it as a runner would, for create (with the sample
 * file in examples/), get, list and cleanup, and prints each step's outputs
 * and job summary. Nothing leaves this machine. Each step's runner files stay in
 * .build/demo/ (not the temporary folder) for a look at what a runner reads.
 */
import { rmSync } from 'node:fs'
import * as path from 'node:path'
import { Emulator } from '../emulator/emulator.js'
import { errorMessage } from '../src/shared/errors.js'
import { ROOT, runAction, type ActionRun } from './run-action.js'
import { renderSummary } from './render-summary.js'

const DAY = 86_400_000
/** The steps' own folders: RUNNER_TEMP and the GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files. */
const STEPS_DIR = path.join(ROOT, '.build', 'demo')
let steps = 0

async function main(): Promise<void> {
  rmSync(STEPS_DIR, { recursive: true, force: true })
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
    console.log(
      `Each step's raw runner files (output.txt for GITHUB_OUTPUT, summary.md for GITHUB_STEP_SUMMARY) are in ${path.relative(process.cwd(), STEPS_DIR) || STEPS_DIR}/.`
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
  const dir = path.join(STEPS_DIR, `${++steps}-${title}`)
  const run = await runAction(inputs, { workspace: ROOT, dir })
  const log = run.stdout
    .split('\n')
    .filter(line => line && !line.startsWith('::add-mask::') && !line.startsWith('::debug::'))
  for (const line of log) console.log(`  | ${line}`)
  console.log(`  exit code ${run.code}`)
  console.log(`  outputs (raw: ${path.relative(ROOT, path.join(dir, 'output.txt'))}):`)
  for (const [name, value] of Object.entries(run.outputs)) {
    console.log(`    ${name} = ${value.length > 100 ? `${value.slice(0, 100)}…` : value}`)
  }
  console.log(`  job summary (raw: ${path.relative(ROOT, path.join(dir, 'summary.md'))}):`)
  for (const line of renderSummary(run.summary).split('\n')) console.log(`    ${line}`)
  if (run.code !== 0) throw new Error(`step ${title} failed: ${run.failure ?? run.stderr}`)
  return run
}

main().catch((error: unknown) => {
  console.error(errorMessage(error))
  process.exit(1)
})
