// Preloaded (node --import) into the action's process by the test of the CRC-32C beside the check:
// each worker thread the action makes is noted in the file NEXUS_TEST_WORKERS_FILE names, one line
// each for 'made', 'online' and 'error: <message>', so that the test can tell a worker that ran
// from the fallback (hashing on the main thread), which gives the same CRC.
import { appendFileSync } from 'node:fs'
import threads from 'node:worker_threads'

const note = line => appendFileSync(process.env.NEXUS_TEST_WORKERS_FILE, `${line}\n`)
const Worker = threads.Worker
threads.Worker = class extends Worker {
  constructor(...args) {
    super(...args)
    note('made')
    this.on('online', () => note('online')).on('error', error => note(`error: ${error.message}`))
  }
}
