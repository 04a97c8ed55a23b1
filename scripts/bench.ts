/**
 * `npm run bench`: the performance figures the issues ask for, measured side
 * by side in one run on this machine, printed as ratios. Not a test: timings
 * vary with the machine; the ratios are what to read.
 *
 *  1. create of a 256 MiB NDJSON file vs one `curl -T` PUT of the same file to
 *     the same emulator upload endpoint (the one-pass floor);
 *  2. peak RSS of the action process for 256 MiB and 32 MiB files;
 *  3. CRC-32C and line-check throughput on their own;
 *  4. cleanup of 1000 expired datasets, DELETE answered after 20 ms,
 *     concurrency 8 vs 1.
 *
 * The curl time covers the PUT alone; the create time covers the whole action
 * process (start-up, scan, POST, PUT, the first status read, exit). Both read
 * the file from a warm page cache, so disk time is in neither. The emulator
 * receives both uploads and bounds both (it checks the CRC-32C as bytes come):
 * curl's MiB/s is printed so that ceiling shows. Rounds alternate which of the
 * two runs first.
 */
import { spawn } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { Emulator } from '../emulator/emulator.js'
import { runAction } from './run-action.js'
import type { FileScan } from '../src/ndjson/file-scan.js'
import { SOURCE_KIND, parseDataset, type CreateDatasetBody } from '../src/nexus/types.js'
import { MiB, benchFile, benchScan, median } from './bench-scan.js'

const DIR = path.join(tmpdir(), 'nexus-action-bench')
/** A preload that writes the action process's peak RSS (KiB) when it exits. */
const RSS_HOOK = path.join(DIR, 'report-max-rss.mjs')
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const results: Array<{ figure: string; value: string; bound: string; ok: boolean }> = []

async function main(): Promise<void> {
  mkdirSync(DIR, { recursive: true })
  writeFileSync(
    RSS_HOOK,
    "import { writeFileSync } from 'node:fs'\n" +
      "process.on('exit', () => writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS)))\n"
  )
  const big = await benchFile(256 * MiB)
  const small = await benchFile(32 * MiB)

  console.log('\n# Check and hash throughput (in-process, 256 MiB file)')
  const { figures, scan: bigScan } = await benchScan(big)
  for (const [label, mibPerSecond] of Object.entries(figures)) {
    console.log(`${label.padEnd(28)} ${mibPerSecond.toFixed(0).padStart(6)} MiB/s`)
  }

  console.log(`\n# create vs curl -T (${ROUNDS} rounds, medians)`)
  const emu = await Emulator.start({ keepUploads: false })
  try {
    const curlTimes: number[] = []
    const createTimes: number[] = []
    const bigRss: number[] = []
    const smallRss: number[] = []
    for (let round = 1; round <= ROUNDS; round++) {
      let created: { ms: number; maxRssMiB: number }
      if (round % 2 === 1) {
        curlTimes.push(await curlPut(emu, big, bigScan))
        created = await createRun(emu, big)
      } else {
        created = await createRun(emu, big)
        curlTimes.push(await curlPut(emu, big, bigScan))
      }
      createTimes.push(created.ms)
      bigRss.push(created.maxRssMiB)
      smallRss.push((await createRun(emu, small)).maxRssMiB)
      console.log(
        `round ${round}: curl -T ${curlTimes.at(-1)} ms, create ${created.ms} ms, peak RSS ${created.maxRssMiB.toFixed(0)} MiB (256 MiB file) / ${smallRss.at(-1)?.toFixed(0)} MiB (32 MiB file)`
      )
    }
    const curl = median(curlTimes)
    const create = median(createTimes)
    const curlRate = bigScan.sizeBytes / MiB / (curl / 1000)
    console.log(`curl -T median: ${curl} ms, ${curlRate.toFixed(0)} MiB/s into the emulator`)
    record(
      'create / curl -T wall time',
      `${(create / curl).toFixed(2)} (${create} ms / ${curl} ms)`,
      '≤ 2.0',
      create / curl <= 2.0
    )
    const rssBig = Math.max(...bigRss)
    const rssSmall = Math.max(...smallRss)
    record('peak RSS, 256 MiB file', `${rssBig.toFixed(0)} MiB`, '≤ 120 MiB', rssBig <= 120)
    record(
      'peak RSS 256 MiB / 32 MiB file',
      `${(rssBig / rssSmall).toFixed(2)} (${rssBig.toFixed(0)} / ${rssSmall.toFixed(0)} MiB)`,
      '≤ 1.3',
      rssBig / rssSmall <= 1.3
    )
  } finally {
    await emu.close()
  }

  console.log('\n# cleanup of 1000 expired datasets, each DELETE answered after 20 ms')
  const serial = await cleanupRun(1)
  const parallel = await cleanupRun(8)
  console.log(`concurrency 1: ${serial} ms, concurrency 8: ${parallel} ms`)
  record(
    'cleanup concurrency 8 / 1',
    `${(parallel / serial).toFixed(3)} (${parallel} ms / ${serial} ms)`,
    '≤ 0.2',
    parallel / serial <= 0.2
  )

  console.log('\n# Figures')
  for (const r of results) {
    console.log(
      `${r.ok ? 'PASS' : 'FAIL'}  ${r.figure.padEnd(34)} ${r.value.padEnd(34)} bound ${r.bound}`
    )
  }
  if (results.some(r => !r.ok)) process.exitCode = 1
}

function record(figure: string, value: string, bound: string, ok: boolean): void {
  results.push({ figure, value, bound, ok })
}

/** One PUT by curl of the same bytes to a fresh signed URL of the same emulator. */
async function curlPut(emu: Emulator, file: string, scan: FileScan): Promise<number> {
  const body: CreateDatasetBody = {
    name: 'curl-baseline',
    spec: { source: { kind: SOURCE_KIND, sizeBytes: scan.sizeBytes, crc32c: scan.crc32c } }
  }
  const answer = await fetch(`${emu.apiUrl}/projects/${emu.projectId}/batch/datasets`, {
    method: 'POST',
    headers: { 'Secret-Key': emu.secretKey, 'Content-Type': 'application/json' },
    body: JSON.stringify(body)
  })
  if (!answer.ok) throw new Error(`the emulator refused the create: HTTP ${answer.status}`)
  const upload = parseDataset(await answer.json(), 'bench create').status.source?.uploadUrl
  if (!upload) throw new Error('the emulator gave no upload URL')
  const args = ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '-X', upload.method, '-T', file]
  for (const [name, value] of Object.entries(upload.headers)) args.push('-H', `${name}: ${value}`)
  args.push(upload.url)
  const started = performance.now()
  const status = await new Promise<string>((resolve, reject) => {
    const child = spawn('curl', args, { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', chunk => (out += chunk))
    child.on('error', reject)
    child.on('close', () => resolve(out))
  })
  const ms = Math.round(performance.now() - started)
  if (status !== '200') throw new Error(`curl -T answered ${status}`)
  return ms
}

/** Runs dist/index.js create; the preload reports the process's peak RSS at exit. */
async function createRun(emu: Emulator, file: string): Promise<{ ms: number; maxRssMiB: number }> {
  const rssFile = path.join(DIR, 'max-rss.txt')
  const run = await runAction(
    {
      operation: 'create',
      path: file,
      name: 'bench',
      'poll-interval': '0.05',
      'secret-key': emu.secretKey,
      'project-id': emu.projectId,
      'api-url': emu.apiUrl
    },
    { env: { NODE_OPTIONS: `--import=${RSS_HOOK}`, BENCH_RSS_FILE: rssFile }, timeoutMs: 120_000 }
  )
  if (run.code !== 0) throw new Error(`create failed: ${run.failure ?? run.stderr}`)
  return { ms: run.durationMs, maxRssMiB: Number(readFileSync(rssFile, 'utf8')) / 1024 }
}

async function cleanupRun(concurrency: number): Promise<number> {
  const emu = await Emulator.start()
  try {
    const now = Date.now()
    for (let i = 0; i < 1000; i++) {
      emu.addDataset({
        name: `expired-${i}`,
        createDate: now - 11 * 86_400_000 + i,
        expiryTime: now - 86_400_000
      })
    }
    emu.fault({ server: 'api', method: 'DELETE', delayMs: 20, times: Infinity })
    const run = await runAction(
      {
        operation: 'cleanup',
        concurrency: String(concurrency),
        'secret-key': emu.secretKey,
        'project-id': emu.projectId,
        'api-url': emu.apiUrl
      },
      { timeoutMs: 300_000 }
    )
    if (run.code !== 0 || run.outputs.count !== '1000')
      throw new Error(`cleanup failed: ${run.failure ?? run.stderr}`)
    return run.durationMs
  } finally {
    await emu.close()
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error)
  process.exit(1)
})
