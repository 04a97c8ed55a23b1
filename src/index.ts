import { drained } from './action/log.js'
import { reportFailure, run } from './main.js'

// A stray rejection or exception must still end as one failure line and exit
// code 1, never a Node crash dump with another code.
const crash = (error: unknown): void => {
  reportFailure(error)
  process.exit(1)
}
process.on('unhandledRejection', crash)
process.on('uncaughtException', crash)

await run()
// The step is over once run() has cleaned up and written its outputs and summary: whatever may
// still hold the event loop (a socket a proxy keeps open, a timer) must not hold the step, nor
// let the cancel backstop fire after the fact. The exit code is the one run() set.
await drained()
process.exit()
