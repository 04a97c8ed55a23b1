/**
 * Runs the Nexus emulator on its own, for the demo, the benchmark and the CI self-test.
 *
 *   node .build/emulator/cli.js [--port N] [--processing-ms N] [--seed-expired N]
 *                                       [--final-status S] [--no-keep-uploads]
 *
 * Prints one JSON line {"apiUrl", "secretKey", "projectId", "uploadOrigin"} on stdout once
 * both servers listen, then runs until SIGINT or SIGTERM and closes cleanly. Everything
 * else (usage, errors) goes to stderr so stdout stays machine-readable.
 */
import { Emulator, type EmulatorOptions } from './emulator.js'
import { errorMessage } from '../src/shared/errors.js'

const DAY_MS = 24 * 60 * 60 * 1000
const USAGE =
  'usage: emulator-cli [--port N] [--processing-ms N] [--seed-expired N] ' +
  '[--final-status STATUS] [--no-keep-uploads]'

interface CliOptions {
  emulator: EmulatorOptions
  seedExpired: number
}

function parseCount(flag: string, value: string | undefined, max: number): number {
  if (value === undefined || !/^\d+$/.test(value) || Number(value) > max) {
    throw new Error(`${flag} needs an integer from 0 to ${max}`)
  }
  return Number(value)
}

function parseArgs(args: string[]): CliOptions {
  const emulator: EmulatorOptions = {}
  let seedExpired = 0
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? ''
    // Both `--flag value` and `--flag=value`.
    const eq = arg.indexOf('=')
    const flag = eq === -1 ? arg : arg.slice(0, eq)
    const inline = eq === -1 ? undefined : arg.slice(eq + 1)
    const value = (): string | undefined => inline ?? args[++i]
    switch (flag) {
      case '--port':
        emulator.apiPort = parseCount(flag, value(), 65535)
        break
      case '--processing-ms':
        emulator.processingMs = parseCount(flag, value(), 24 * 60 * 60 * 1000)
        break
      case '--seed-expired':
        seedExpired = parseCount(flag, value(), 10000)
        break
      case '--final-status': {
        const status = value()
        if (!status) throw new Error('--final-status needs a status')
        emulator.finalStatus = status
        break
      }
      case '--no-keep-uploads':
        // The benchmark's mode: uploads are checked while streaming and not kept.
        emulator.keepUploads = false
        break
      case '--help':
      case '-h':
        process.stderr.write(`${USAGE}\n`)
        process.exit(0)
        break
      default:
        throw new Error(`unknown argument: ${arg}`)
    }
  }
  return { emulator, seedExpired }
}

async function main(): Promise<void> {
  let options: CliOptions
  try {
    options = parseArgs(process.argv.slice(2))
  } catch (error) {
    process.stderr.write(`emulator-cli: ${errorMessage(error)}\n${USAGE}\n`)
    process.exit(2)
  }
  const emulator = await Emulator.start(options.emulator)
  const now = Date.now()
  for (let i = 0; i < options.seedExpired; i++) {
    // Spread over distinct minutes so their order (and a cleanup's log) is stable.
    emulator.addDataset({
      name: `expired-seed-${i + 1}`,
      status: 'Uploaded',
      itemCount: 10,
      createDate: now - 11 * DAY_MS - (options.seedExpired - i) * 60_000,
      expiryTime: now - DAY_MS - (options.seedExpired - i) * 60_000
    })
  }

  let stopping = false
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return
    stopping = true
    process.stderr.write(`emulator-cli: ${signal}, closing\n`)
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`emulator-cli: close failed: ${String(error)}\n`)
        process.exit(1)
      }
    )
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)

  const ready = {
    apiUrl: emulator.apiUrl,
    secretKey: emulator.secretKey,
    projectId: emulator.projectId,
    uploadOrigin: emulator.uploadOrigin
  }
  process.stdout.write(`${JSON.stringify(ready)}\n`)
}

main().catch((error: unknown) => {
  process.stderr.write(`emulator-cli: ${errorMessage(error)}\n`)
  process.exit(1)
})
