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
