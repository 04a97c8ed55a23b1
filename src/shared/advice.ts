/**
 * Every kind of failure the action explains, with its cause and its fix, written once. The error
 * is thrown with its advice (errors.ts): the failure line is what happened followed by the fix,
 * and the job summary shows the cause and the fix apart, from the same words. Backticks mark code:
 * the summary shows it as code, the log as written. Nothing else writes advice: a failure line
 * without any (an input, a file's own finding) says what to do in its own words.
 */
import { shorten, t, type Inert } from './outside-text.js'

/** Why a failure happened and what to do, by the kind of failure. */
export interface Advice {
  /** The job summary's headline is chosen by it. */
  kind: FailureKind
  /** Why, in plain words: the job summary's Cause. */
  cause: Inert
  /** What to do: it ends the failure line, and is the job summary's Fix. */
  fix: Inert
}

interface Said {
  cause: Inert
  fix: Inert
}

const said = (cause: Inert, fix: Inert): Said => ({ cause, fix })

/** The fix for a file that changed under the step, whoever noticed it. */
const KEEP_THE_FILE = t`Make sure nothing writes the file during the step, then run it again.`
const NEW_UPLOAD = t`Run the job again: the step creates a new dataset and uploads the file again.`
const REPORT = t`Report it to Datature support with the step's debug log`

const TABLE = {
  // Inputs and the file.
  input: () =>
    said(
      t`The inputs are checked before anything is read or sent, and one of them is wrong (the failure line names it).`,
      t`Correct it in the step's \`with:\` in the workflow file; the README lists every input.`
    ),
  fileUnusable: () =>
    said(
      t`The \`path\` input must name a non-empty NDJSON file in the workspace, and this one is missing, empty, not a regular file or cannot be read.`,
      t`Check \`path\` (relative to the workspace), and that an earlier step checks out or writes the file.`
    ),
  gzipBroken: () =>
    said(
      t`The file is gzip (its first bytes say so), and it does not decompress to the end: it was cut short or damaged when it was written, copied or committed.`,
      t`Compress the NDJSON again (\`gzip -k items.ndjson\`), and commit or upload the new file.`
    ),
  urlProblems: () =>
    said(
      t`With \`url-problems: fail\`, the items' URLs must not repeat, must be \`http(s)\` URLs with a host, must not be signed to expire within \`url-min-lifetime\`, and the sampled ones must answer.`,
      t`Fix those items (the annotations and the job summary's Item URLs name the first lines of each kind), or set \`url-problems: warn\` to go on anyway.`
    ),
  fileChanged: () =>
    said(
      t`Something wrote, replaced or moved the file while the step was using it: the bytes sent must be the bytes checked.`,
      KEEP_THE_FILE
    ),
  fileOutside: (resolved: string) =>
    said(
      t`A relative \`path\` may not lead out of the workspace with \`..\`: it is more likely text an expression brought in than a choice. An absolute path is the workflow's own choice, and is used as given.`,
      t`If that file is the one to upload, give its absolute path in the workflow (path: ${resolved}).`
    ),
  fileLinkOut: (real: string) =>
    said(
      t`A pull request can turn a file of the repository into a link to any file on the runner, so the file read must be in the workspace once every link is resolved.`,
      t`If that file is the one to upload, give its real path in the workflow (path: ${real}).`
    ),
  /** A file in the wrong format as a whole: the cause's two halves (ndjson/file-cause.ts). */
  wrongFormat: (shown: string, what: string, fix: string) =>
    said(
      t`${shown} ${what}, so its lines cannot be read as NDJSON items.`,
      t`${fix.charAt(0).toUpperCase()}${fix.slice(1)}.`
    ),
  badLines: (bad: number, items: number, checkOnly: boolean) =>
    said(
      t`${bad} of the file's ${items} non-blank ${items === 1 ? 'line' : 'lines'} ${bad === 1 ? 'is' : 'are'} not a JSON object with a string \`url\`: see the table below (each is also annotated on the file).`,
      checkOnly
        ? t`Fix the file and run again.`
        : t`Fix the file and run again; \`operation: check\` checks a file without creating anything (and without secrets, as in a pull request).`
    ),
  exists: () =>
    said(
      t`\`if-exists: fail\` refuses to make a second dataset with a name that a dataset not yet expired has.`,
      t`Give the step another \`name\`, delete that dataset, or use \`if-exists: reuse\`.`
    ),

  // The dataset.
  datasetFailed: (nexusSays: string | undefined, created: boolean) =>
    said(
      t`Nexus could not take or process the file (an item whose \`url\` it cannot fetch, say).${nexusSays ? t` Nexus says: “${shorten(nexusSays, 300)}”.` : ''}`,
      created
        ? t`Check the file's items (URLs reachable, kinds right), then run the step again: it creates a new dataset (with \`if-exists: fail\`, delete this one first).`
        : t`Check the file's items (URLs reachable, kinds right), then create the dataset again (\`operation: create\`).`
    ),
  datasetTimeout: (datasetId: string) =>
    said(
      t`Nexus was still working on the dataset when the step's \`timeout\` ran out.`,
      t`Raise \`timeout\`, or wait for it in a later step with \`operation: wait\` and \`dataset-id: ${datasetId}\`.`
    ),
  noUploadUrl: () =>
    said(
      t`Nexus's answer to the create held no upload URL, so the file had nowhere to go.`,
      t`${REPORT}.`
    ),

  // The Nexus API.
  keyRefused: (projectId: string) =>
    said(
      t`Nexus did not accept the secret key for project ${projectId}: it is wrong, revoked, or a key of another project.`,
      t`Check that \`secret-key\` is a current secret key of this project, and that \`project-id\` is right.`
    ),
  datasetNotFound: (projectId: string) =>
    said(
      t`Project ${projectId} has no dataset with this id: it was deleted, or expired and was removed.`,
      t`Check \`dataset-id\` and \`project-id\`; \`operation: list\` shows the datasets there are.`
    ),
  projectNotFound: (projectId: string) =>
    said(
      t`Nexus does not know project ${projectId} at this address.`,
      t`Check \`project-id\`, and that \`api-url\` is the Nexus API.`
    ),
  tooManyRequests: () =>
    said(
      t`Nexus limits how many requests a key makes, and the retries did not get through.`,
      t`Run the job again later, or space out the workflows using this project; for cleanup, lower \`concurrency\`.`
    ),
  apiFailing: () =>
    said(
      t`Nexus answered with a server error on every retry: the trouble is on its side (or, when the answer is a web page, in a proxy on the way).`,
      t`Run the job again later; if it keeps failing, ask Datature support.`
    ),
  apiRejected: () =>
    said(
      t`Nexus said the request is not valid (its own words are in the failure line).`,
      t`Check the step's inputs; if they are right, report it with the step's debug log.`
    ),
  unreachable: () =>
    said(
      t`The requests got no answer (refused, timed out or cut off), on every retry.`,
      t`Check \`api-url\` and the runner's network (a proxy in \`https_proxy\`, a firewall), then run the job again; on a slow network, raise \`request-timeout\`.`
    ),
  notNexus: () =>
    said(
      t`Something other than the Nexus API answered: a web page, or a proxy in the way.`,
      t`Check that \`api-url\` points at the Nexus API, and the runner's proxy settings (\`https_proxy\`, \`no_proxy\`).`
    ),
  mixedAnswer: () =>
    said(
      t`The answer was about another dataset than the one asked for; acting on it would act on the wrong dataset.`,
      t`Check that \`api-url\` reaches the Nexus API itself (a proxy or cache in the way may mix up answers), then run the job again.`
    ),
  badAnswer: () =>
    said(
      t`An answer was not what the Nexus API promises (the failure line says how).`,
      t`Run the job again; if it keeps happening, report it to Datature support with the step's debug log.`
    ),
  notDeleted: () =>
    said(
      t`Nexus answered that it did not delete the dataset, without saying why.`,
      t`Run the job again, or delete the dataset in Nexus.`
    ),
  tooManyDatasets: () =>
    said(
      t`Listing the datasets stopped at the action's limits (the failure line says which), and Nexus still pointed to more.`,
      t`Delete datasets in Nexus (a scheduled \`operation: cleanup\` keeps their number down), or report it if the project does not hold that many.`
    ),

  // The upload.
  badUploadUrl: () =>
    said(
      t`The signed upload URL failed the action's checks (the failure line says which), so nothing was sent.`,
      t`${REPORT}; a new run gets a new URL, most likely of the same kind.`
    ),
  notStorage: () =>
    said(
      t`A web page answered the upload instead of the storage (a proxy, say); nothing was stored.`,
      t`Check the runner's proxy settings (\`https_proxy\`, \`no_proxy\`), then run the job again.`
    ),
  storageDigest: () =>
    said(
      t`The bytes the storage received do not match the CRC-32C the dataset was created with: the file changed between the check and the upload.`,
      KEEP_THE_FILE
    ),
  storageExpired: () =>
    said(
      t`The signed upload URL expired: a very long run, or a runner clock far off.`,
      t`Run the step again to get a new upload URL.`
    ),
  storageSignature: () =>
    said(
      t`The storage refused the signed request: the URL or a header does not match its signature.`,
      t`Run the step again; report it to Datature support if it persists.`
    ),
  storageRefused: () =>
    said(
      t`The storage behind the signed upload URL refused the file (its code and message are in the failure line); a refusal is not retried.`,
      NEW_UPLOAD
    ),
  storageFailing: () =>
    said(
      t`The storage kept failing (HTTP 408, 429 or 5xx) until the retries ran out: most likely a passing outage.`,
      NEW_UPLOAD
    ),
  storageUnreachable: () =>
    said(
      t`The upload got no answer (refused, timed out or cut off), on every attempt.`,
      t`Check the runner's network and proxy (\`https_proxy\`, \`no_proxy\`), and on a slow network raise \`request-timeout\`; then run the job again.`
    ),
  uploadUnconfirmed: (datasetId: string) =>
    said(
      t`The storage already holds the file (an earlier attempt got through), but Nexus did not yet say it took it. The dataset is kept: another create would make a twin.`,
      t`Do not create it again: wait for it with \`operation: wait\` and \`dataset-id: ${datasetId}\`.`
    ),

  // The run.
  cleanupFailed: () =>
    said(
      t`Nexus refused or failed some of the deletions (the reasons are in the table and the failure line).`,
      t`Run the job again: it selects the ones still there and tries them again.`
    ),
  cancelled: () =>
    said(
      t`The run was cancelled: by a person, by a newer run of the same concurrency group, or by the job's \`timeout-minutes\`.`,
      t`Nothing to fix; run it again when you want it done.`
    ),
  other: () => said(t`The failure line above says what happened.`, t`It also says what to do.`),
  bug: () =>
    said(
      t`An error the action does not expect, which is a bug in nexus-dataset-action.`,
      t`Report it with the step's debug log (re-run the job with debug logging on).`
    )
} satisfies Record<string, (...args: never[]) => Said>

export type FailureKind = keyof typeof TABLE

/** The advice for a kind of failure, with the particulars its words name. */
export function advice<K extends FailureKind>(
  kind: K,
  ...args: Parameters<(typeof TABLE)[K]>
): Advice & { kind: K } {
  const make = TABLE[kind] as (...given: Parameters<(typeof TABLE)[K]>) => Said
  return { kind, ...make(...args) }
}
